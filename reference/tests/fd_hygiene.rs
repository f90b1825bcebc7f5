//! Descriptor hygiene of the Python-level surface: every file descriptor the reference
//! opens for a case is closed when the case's objects are closed or dropped, failed
//! calls leak nothing, and sockets are non-inheritable (`O_CLOEXEC`) with `O_NONBLOCK`
//! following the timeout mode.
//!
//! One test function, in a test binary of its own, so that no other test opens or
//! closes descriptors while `/proc/self/fd` is counted (Linux only; elsewhere the test
//! returns at once).

use std::path::Path;

use reference::py::{Module, Object};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

/// The `flags:` line of `/proc/self/fdinfo/FD` (octal `open(2)` flags).
fn fd_flags(fd: i64) -> u32 {
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).expect("fdinfo");
    let line = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .expect("a flags line");
    u32::from_str_radix(line.trim(), 8).expect("octal flags")
}

/// `O_CLOEXEC` and `O_NONBLOCK` on Linux (x86_64, aarch64 and most others).
const O_CLOEXEC: u32 = 0o2_000_000;
const O_NONBLOCK: u32 = 0o4_000;

fn attr(m: &Module, obj: &Object, name: &str) -> Object {
    m.getattr_of(obj, name).expect("attribute exists")
}

fn call(m: &mut Module, obj: &Object, name: &str, args: Vec<Object>) -> Result<Object, String> {
    let method = attr(m, obj, name);
    m.call(&method, args, vec![]).map_err(|e| e.to_string())
}

fn socket(m: &mut Module, family: &str, kind: &str) -> Object {
    let class = m.getattr("socket").unwrap();
    let args = vec![m.getattr(family).unwrap(), m.getattr(kind).unwrap()];
    m.call(&class, args, vec![]).expect("socket created")
}

fn fileno(m: &mut Module, sock: &Object) -> i64 {
    match call(m, sock, "fileno", vec![]) {
        Ok(Object::Int(n)) => n.try_into().expect("small fd"),
        other => panic!("fileno gave {other:?}"),
    }
}

fn loopback() -> Object {
    Object::Tuple(vec![Object::str("127.0.0.1"), Object::int(0)])
}

#[test]
fn every_descriptor_is_closed() {
    if !Path::new("/proc/self/fdinfo").is_dir() {
        return;
    }
    let before = open_fds();
    {
        let mut m = Module::new();
        let mut made = Vec::new();

        // Flags: non-inheritable always; O_NONBLOCK in non-blocking and timeout modes.
        let s = socket(&mut m, "AF_INET", "SOCK_DGRAM");
        let fd = fileno(&mut m, &s);
        assert_eq!(fd_flags(fd) & O_CLOEXEC, O_CLOEXEC);
        assert_eq!(fd_flags(fd) & O_NONBLOCK, 0);
        call(&mut m, &s, "settimeout", vec![Object::Float(0.05)]).unwrap();
        assert_eq!(fd_flags(fd) & O_NONBLOCK, O_NONBLOCK);
        call(&mut m, &s, "setblocking", vec![Object::Bool(true)]).unwrap();
        assert_eq!(fd_flags(fd) & O_NONBLOCK, 0);
        call(&mut m, &s, "setblocking", vec![Object::Bool(false)]).unwrap();
        assert_eq!(fd_flags(fd) & O_NONBLOCK, O_NONBLOCK);
        call(&mut m, &s, "settimeout", vec![Object::None]).unwrap();
        assert_eq!(fd_flags(fd) & O_NONBLOCK, 0);
        assert_eq!(open_fds(), before + 1);
        made.push(s);

        // Bound, used, timed out, closed explicitly or left open.
        let a = socket(&mut m, "AF_INET", "SOCK_DGRAM");
        let b = socket(&mut m, "AF_INET", "SOCK_DGRAM");
        call(&mut m, &b, "bind", vec![loopback()]).unwrap();
        let to = call(&mut m, &b, "getsockname", vec![]).unwrap();
        call(&mut m, &a, "sendto", vec![Object::Bytes(b"x".to_vec()), to]).unwrap();
        call(&mut m, &b, "recvfrom", vec![Object::int(10)]).unwrap();
        call(&mut m, &b, "settimeout", vec![Object::Float(0.01)]).unwrap();
        assert!(call(&mut m, &b, "recv", vec![Object::int(1)]).is_err());
        call(&mut m, &a, "close", vec![]).unwrap();
        made.push(a);
        made.push(b);
        let u = socket(&mut m, "AF_UNIX", "SOCK_DGRAM");
        call(&mut m, &u, "bind", vec![Object::str("")]).unwrap();
        made.push(u);
        let stream = socket(&mut m, "AF_INET", "SOCK_STREAM");
        made.push(stream);
        assert_eq!(open_fds(), before + 4);

        // Failures open nothing that stays open.
        let class = m.getattr("socket").unwrap();
        assert!(m.call(&class, vec![Object::int(12345)], vec![]).is_err());
        assert!(
            m.call(&class, vec![], vec![("fileno".into(), Object::int(0))])
                .is_err()
        );
        assert_eq!(m.family_supported("AF_UNIX"), Ok(()));
        assert!(m.family_supported("AF_NOPE").is_err());
        let _ = m.family_supported("AF_PACKET");
        let _ = m.ipv6_usable();
        assert_eq!(open_fds(), before + 4);

        // A socket that is only dropped is closed too.
        let dropped = socket(&mut m, "AF_INET", "SOCK_DGRAM");
        assert_eq!(open_fds(), before + 5);
        drop(dropped);
        assert_eq!(open_fds(), before + 4);

        // What a runner does at the end of a case.
        for obj in &made {
            m.close_object(obj);
        }
        assert_eq!(open_fds(), before);
        for obj in &made {
            assert_eq!(fileno(&mut m, obj), -1);
        }
    }
    assert_eq!(open_fds(), before);
}
