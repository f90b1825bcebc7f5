//! Tests of the typed socket: the timeout state machine against the OS-level
//! `O_NONBLOCK` flag, timing out and would-block errors on idle loopback sockets, data
//! transfer, and what a closed socket raises.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use rstest::rstest;

use super::*;
use crate::core::ExcType;
use crate::core::address::UnixAddr;
use crate::core::constants;

fn c(name: &str) -> i32 {
    constants::value(name)
        .and_then(|v| i32::try_from(v).ok())
        .expect("constant exists")
}

fn secs(s: f64) -> Timeout {
    Timeout::from_nanos((s * 1e9) as i64).expect("non-negative")
}

fn udp(default: Option<Timeout>) -> Socket {
    Socket::open(c("AF_INET"), c("SOCK_DGRAM"), 0, default).expect("UDP socket")
}

/// A UDP socket bound to an ephemeral port on 127.0.0.1, and its address.
fn bound_udp(default: Option<Timeout>) -> (Socket, SockAddr) {
    let s = udp(default);
    s.bind(&SockAddr::Inet(Ipv4Addr::LOCALHOST, 0))
        .expect("bind");
    let addr = s.local_addr().expect("getsockname").expect("an address");
    (s, addr)
}

fn ebadf() -> Error {
    sys::Errno::EBADF.into()
}

#[rstest]
#[case(None, Mode::Blocking, None, true, false)]
#[case(Some(0.0), Mode::NonBlocking, Some(0.0), false, true)]
#[case(Some(1e-9), Mode::Timeout(secs(1e-9)), Some(1e-9), true, true)]
#[case(Some(2.5), Mode::Timeout(secs(2.5)), Some(2.5), true, true)]
fn modes(
    #[case] timeout: Option<f64>,
    #[case] mode: Mode,
    #[case] gettimeout: Option<f64>,
    #[case] getblocking: bool,
    #[case] os_nonblocking: bool,
) {
    let m = Mode::from_timeout(timeout.map(secs));
    assert_eq!(m, mode);
    assert_eq!(m.timeout().map(Timeout::as_secs_f64), gettimeout);
    assert_eq!(m.is_blocking(), getblocking);
    assert_eq!(m.os_nonblocking(), os_nonblocking);
}

#[rstest]
#[case(None, None, false)]
#[case(Some(0.0), Some(0.0), true)]
#[case(Some(0.25), Some(0.25), true)]
fn new_sockets_take_the_default_timeout(
    #[case] default: Option<f64>,
    #[case] gettimeout: Option<f64>,
    #[case] os_nonblocking: bool,
) {
    let s = udp(default.map(secs));
    assert_eq!(s.timeout().map(Timeout::as_secs_f64), gettimeout);
    assert_eq!(s.os_nonblocking(), Ok(os_nonblocking));
}

#[test]
fn creation_flags_are_passed_but_not_reported() {
    let nonblock = sys::SOCK_NONBLOCK;
    if nonblock == 0 {
        return; // the platform has no SOCK_NONBLOCK
    }
    let s = Socket::open(
        c("AF_INET"),
        c("SOCK_DGRAM") | nonblock | sys::SOCK_CLOEXEC,
        0,
        None,
    )
    .unwrap();
    assert_eq!(s.kind(), c("SOCK_DGRAM"));
    assert_eq!(s.mode(), Mode::NonBlocking);
    assert_eq!(s.os_nonblocking(), Ok(true));
    assert_eq!(s.proto(), 0);
}

#[test]
fn sockets_are_not_inheritable() {
    let s = udp(None);
    assert_eq!(s.inheritable(), Ok(false));
}

#[test]
fn creation_errors_are_oserrors() {
    let err = Socket::open(12345, c("SOCK_DGRAM"), 0, None).unwrap_err();
    assert_eq!(err.ty, ExcType::OSError);
    assert_eq!(err.args, Error::from_errno(libc_errno("EAFNOSUPPORT")).args);
}

fn libc_errno(name: &str) -> i32 {
    sys::errno_value(name).expect("errno exists")
}

#[derive(Debug, Clone, Copy)]
enum Op {
    SetTimeout(Option<u32>),
    SetBlocking(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::SetTimeout(None)),
        Just(Op::SetTimeout(Some(0))),
        (1u32..10_000_000).prop_map(|ms| Op::SetTimeout(Some(ms))),
        any::<bool>().prop_map(Op::SetBlocking),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any sequence of `settimeout` / `setblocking` leaves `gettimeout`, `getblocking`
    /// and the fd's `O_NONBLOCK` as the table of the module docs says.
    #[test]
    fn state_machine(default in prop::option::of(0u32..3), ops in prop::collection::vec(op(), 0..12)) {
        let ms = |n: u32| Timeout::from_nanos(i64::from(n) * 1_000_000).unwrap();
        let mut s = udp(default.map(ms));
        let mut expected = default.map(ms);
        prop_assert_eq!(s.timeout(), expected);
        prop_assert_eq!(s.os_nonblocking().unwrap(), expected.is_some());
        for op in ops {
            match op {
                Op::SetTimeout(t) => {
                    s.set_timeout(t.map(ms)).unwrap();
                    expected = t.map(ms);
                }
                Op::SetBlocking(b) => {
                    s.set_blocking(b).unwrap();
                    expected = if b { None } else { Some(Timeout::ZERO) };
                }
            }
            prop_assert_eq!(s.timeout(), expected);
            prop_assert_eq!(s.is_blocking(), expected != Some(Timeout::ZERO));
            prop_assert_eq!(s.os_nonblocking().unwrap(), expected.is_some());
        }
    }

    /// `setblocking(flag)` is `settimeout(None)` / `settimeout(0.0)`.
    #[test]
    fn setblocking_is_a_settimeout(flag: bool, before in prop::option::of(0u32..5)) {
        let ms = |n: u32| Timeout::from_nanos(i64::from(n) * 1_000_000).unwrap();
        let mut a = udp(before.map(ms));
        let mut b = udp(before.map(ms));
        a.set_blocking(flag).unwrap();
        b.set_timeout(if flag { None } else { Some(Timeout::ZERO) }).unwrap();
        prop_assert_eq!(a.mode(), b.mode());
        prop_assert_eq!(a.os_nonblocking().unwrap(), b.os_nonblocking().unwrap());
    }
}

#[test]
fn recv_times_out_on_an_idle_socket() {
    let (mut s, _) = bound_udp(None);
    s.set_timeout(Some(secs(0.05))).unwrap();
    let start = Instant::now();
    let err = s.recv(1, 0).unwrap_err();
    let elapsed = start.elapsed();
    assert_eq!(err, Error::timed_out());
    assert_eq!(err.to_string(), "TimeoutError: timed out");
    assert!(elapsed >= Duration::from_millis(50), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    // The mode is unchanged, and the same holds for recvfrom and a default timeout.
    assert_eq!(s.timeout(), Some(secs(0.05)));
    assert_eq!(s.recv_from(1, 0).unwrap_err(), Error::timed_out());
    let (t, _) = bound_udp(Some(secs(0.05)));
    assert_eq!(t.recv(1, 0).unwrap_err(), Error::timed_out());
}

#[test]
fn recv_in_non_blocking_mode_would_block() {
    let (s, _) = bound_udp(Some(Timeout::ZERO));
    let start = Instant::now();
    let err = s.recv(1, 0).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(err.ty, ExcType::BlockingIOError);
    assert_eq!(err, Error::from_errno(libc_errno("EAGAIN")));
}

#[test]
fn datagrams_round_trip() {
    let (a, a_addr) = bound_udp(None);
    let (b, b_addr) = bound_udp(Some(secs(2.0)));
    assert_eq!(a.send_to(b"hello", 0, &b_addr), Ok(5));
    assert_eq!(
        b.recv_from(100, 0),
        Ok((b"hello".to_vec(), Some(a_addr.clone())))
    );
    // A short buffer truncates the datagram; MSG_TRUNC reports its real length.
    a.send_to(b"abcdef", 0, &b_addr).unwrap();
    assert_eq!(b.recv(2, 0), Ok(b"ab".to_vec()));
    a.send_to(b"abcdef", 0, &b_addr).unwrap();
    let trunc = c("MSG_TRUNC");
    assert_eq!(b.recv(3, trunc), Ok(b"abc\0\0\0".to_vec()));
    // An empty datagram, and recv(0), which makes no call at all.
    a.send_to(b"", 0, &b_addr).unwrap();
    assert_eq!(b.recv_from(10, 0), Ok((Vec::new(), Some(a_addr))));
    assert_eq!(b.recv(0, 0), Ok(Vec::new()));
    // send on an unconnected datagram socket has no destination.
    assert_eq!(
        a.send(b"x", 0).unwrap_err(),
        Error::from_errno(libc_errno("EDESTADDRREQ"))
    );
}

#[test]
fn unix_datagrams_and_addresses() {
    let family = c("AF_UNIX");
    let dir = std::env::temp_dir().join(format!("sockconf-core-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.sock");
    let _ = std::fs::remove_file(&path);
    let path_bytes = path.to_str().unwrap().as_bytes().to_vec();
    let a = Socket::open(family, c("SOCK_DGRAM"), 0, Some(secs(2.0))).unwrap();
    let b = Socket::open(family, c("SOCK_DGRAM"), 0, None).unwrap();
    // Unbound: the empty path (`''` in Python).
    assert_eq!(
        a.local_addr(),
        Ok(Some(SockAddr::Unix(UnixAddr::Path(Vec::new()))))
    );
    let addr = SockAddr::Unix(UnixAddr::from_bytes(path_bytes.clone()).unwrap());
    a.bind(&addr).unwrap();
    assert_eq!(a.local_addr(), Ok(Some(addr.clone())));
    // An unnamed sender has no address: recvfrom gives None.
    assert_eq!(b.send_to(b"x", 0, &addr), Ok(1));
    assert_eq!(a.recv_from(10, 0), Ok((b"x".to_vec(), None)));
    // Binding the same path again fails with EADDRINUSE.
    assert_eq!(
        b.bind(&addr).unwrap_err(),
        Error::from_errno(libc_errno("EADDRINUSE"))
    );
    drop((a, b));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unix_autobind_in_the_abstract_namespace() {
    if !sys::HAS_ABSTRACT_UNIX {
        return;
    }
    let s = Socket::open(c("AF_UNIX"), c("SOCK_DGRAM"), 0, None).unwrap();
    s.bind(&SockAddr::Unix(UnixAddr::Abstract(Vec::new())))
        .unwrap();
    match s.local_addr() {
        Ok(Some(SockAddr::Unix(UnixAddr::Abstract(name)))) => {
            assert_eq!(name.first(), Some(&0));
            assert!(name.len() > 1);
        }
        other => panic!("not an abstract name: {other:?}"),
    }
}

#[test]
fn closed_sockets_fail_with_ebadf() {
    let (_, peer) = bound_udp(None);
    let mut s = udp(Some(secs(1.0)));
    let fd = s.fileno();
    assert!(fd >= 0);
    assert_eq!(s.close(), Ok(()));
    assert!(s.is_closed());
    assert_eq!(s.fileno(), -1);
    // Closing again does nothing.
    assert_eq!(s.close(), Ok(()));
    let e = ebadf();
    assert_eq!(
        e.to_string(),
        format!(
            "OSError: [Errno {}] {}",
            sys::Errno::EBADF.0,
            sys::strerror(sys::Errno::EBADF.0)
        )
    );
    assert_eq!(
        s.bind(&SockAddr::Inet(Ipv4Addr::LOCALHOST, 0)),
        Err(e.clone())
    );
    assert_eq!(s.local_addr(), Err(e.clone()));
    assert_eq!(s.peer_addr(), Err(e.clone()));
    assert_eq!(s.recv(1, 0), Err(e.clone()));
    assert_eq!(s.recv_from(1, 0), Err(e.clone()));
    assert_eq!(s.send(b"x", 0), Err(e.clone()));
    assert_eq!(s.send_to(b"x", 0, &peer), Err(e.clone()));
    assert_eq!(s.inheritable(), Err(e.clone()));
    // recv(0) makes no call, so it does not fail.
    assert_eq!(s.recv(0, 0), Ok(Vec::new()));
    // settimeout records the timeout, then fails on the fd.
    assert_eq!(s.set_timeout(Some(secs(2.0))), Err(e.clone()));
    assert_eq!(s.timeout(), Some(secs(2.0)));
    assert_eq!(s.set_blocking(false), Err(e));
    assert_eq!(s.timeout(), Some(Timeout::ZERO));
    assert!(!s.is_blocking());
}

#[rstest]
#[case(Duration::ZERO, (0, false))]
#[case(Duration::from_nanos(1), (1, false))]
#[case(Duration::from_millis(50), (50, false))]
#[case(Duration::from_micros(50_001), (51, false))]
#[case(Duration::from_millis(i32::MAX as u64), (i32::MAX, false))]
#[case(Duration::from_millis(i32::MAX as u64 + 1), (i32::MAX, true))]
#[case(Duration::from_secs(9_223_372_036), (i32::MAX, true))]
fn poll_timeouts_round_up_and_cap(#[case] left: Duration, #[case] expected: (i32, bool)) {
    assert_eq!(poll_millis(left), expected);
}

/// `sendmsg` / `recvmsg` carry a descriptor in `SCM_RIGHTS`: it arrives as a new
/// descriptor (closed here), the data in the buffers given, and a control buffer too
/// small for it sets `MSG_CTRUNC`.
#[test]
fn sendmsg_passes_a_descriptor() {
    let Some((level, kind)) = sys::SCM_RIGHTS else {
        return; // no descriptor passing on this platform
    };
    let (a, b) = Socket::pair(c("AF_UNIX"), c("SOCK_STREAM"), 0, None).expect("socketpair");
    let fd = a.fileno();
    let cmsg = sys::Cmsg {
        level,
        kind,
        data: fd.to_ne_bytes().to_vec(),
    };
    let sent = a.sendmsg(&[b"he".to_vec(), b"llo".to_vec()], &[cmsg], 0, None);
    assert_eq!(sent, Ok(5));
    let space = usize::try_from(sys::cmsg_space(4)).expect("fits");
    let (bufs, got) = b.recvmsg(&[2, 10], space, 0).expect("recvmsg");
    assert_eq!(got.len, 5);
    assert_eq!(&bufs[0], b"he");
    assert_eq!(&bufs[1][..3], b"llo");
    assert_eq!(got.cmsgs.len(), 1);
    assert_eq!((got.cmsgs[0].level, got.cmsgs[0].kind), (level, kind));
    let new = i32::from_ne_bytes(got.cmsgs[0].data[..4].try_into().expect("4 bytes"));
    assert_ne!(new, fd);
    assert_eq!(Socket::close_fd(new), Ok(()));
    // No room for the descriptor: the kernel drops it and says so.
    let cmsg = sys::Cmsg {
        level,
        kind,
        data: fd.to_ne_bytes().to_vec(),
    };
    assert_eq!(a.sendmsg(&[b"x".to_vec()], &[cmsg], 0, None), Ok(1));
    let (_, got) = b.recvmsg(&[1], 0, 0).expect("recvmsg");
    assert!(got.cmsgs.is_empty());
    assert_ne!(got.flags & c("MSG_CTRUNC"), 0);
}

/// PEP 475 with a real signal (`core::signals`) in the modes the conformance cases do not
/// reach: a blocking call interrupted in the system call itself, a blocking `connect`
/// (waited for, not made again), and `sendall`'s check after a partial send. Every test
/// has a guard that ends the blocking call some seconds later should the signal be lost.
mod pep475 {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;
    use crate::core::signals::{self, Delivery, SignalHandlers};

    /// A Python-level handler: counts its runs, and raises when asked to.
    struct Handler {
        raise: bool,
        runs: Cell<u32>,
    }

    impl SignalHandlers for Handler {
        fn check(&self) -> Result<(), Error> {
            if signals::take_pending() == 0 {
                return Ok(());
            }
            self.runs.set(self.runs.get() + 1);
            if self.raise {
                Err(Error::new(
                    ExcType::RuntimeError,
                    "raised by the signal handler",
                ))
            } else {
                Ok(())
            }
        }
    }

    /// Runs `f` with the handler installed and the signal due after `after_ms`: what `f`
    /// returned, how many times the handler ran, how long `f` took. `None` where the
    /// platform has no signals.
    fn interrupted<T>(
        after_ms: u64,
        raise: bool,
        f: impl FnOnce() -> T,
    ) -> Option<(T, u32, Duration)> {
        if !sys::FEATURES.signals {
            return None;
        }
        signals::take_pending();
        let handler = Rc::new(Handler {
            raise,
            runs: Cell::new(0),
        });
        let _installed = signals::install(handler.clone());
        let delivery = Delivery::after(Duration::from_millis(after_ms)).expect("arm");
        let began = Instant::now();
        let out = f();
        let took = began.elapsed();
        delivery.cancel();
        Some((out, handler.runs.get(), took))
    }

    fn raised() -> Error {
        Error::new(ExcType::RuntimeError, "raised by the signal handler")
    }

    /// A blocking UDP socket on the loopback, and a thread that sends it `b"late"` after
    /// `ms` (the guard, or the data the retried call waits for).
    fn udp_fed_after(ms: u64) -> Socket {
        let (s, addr) = bound_udp(None);
        let SockAddr::Inet(_, port) = addr else {
            panic!("an AF_INET address");
        };
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(ms));
            let peer = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
            let _ = peer.send_to(b"late", ("127.0.0.1", port));
        });
        s
    }

    #[test]
    fn a_blocking_recv_fails_with_the_handlers_exception() {
        let s = udp_fed_after(5000);
        let Some((got, runs, took)) = interrupted(50, true, || s.recv(16, 0)) else {
            return; // no signals on this platform
        };
        assert_eq!(got, Err(raised()));
        assert_eq!(runs, 1);
        assert!(took < Duration::from_secs(4), "{took:?}");
    }

    #[test]
    fn a_blocking_recv_is_retried_when_the_handler_returns() {
        let s = udp_fed_after(400);
        let Some((got, runs, took)) = interrupted(50, false, || s.recv(16, 0)) else {
            return; // no signals on this platform
        };
        assert_eq!(got, Ok(b"late".to_vec()));
        assert_eq!(runs, 1);
        assert!(took >= Duration::from_millis(350), "{took:?}");
    }

    /// A listener on the loopback whose accept queue is full (Linux drops further SYNs,
    /// so a connect to it waits), the sockets filling it, and its address.
    fn full_listener() -> (Socket, Vec<Socket>, SockAddr) {
        let stream = c("SOCK_STREAM");
        let srv = Socket::open(c("AF_INET"), stream, 0, None).expect("socket");
        srv.bind(&SockAddr::Inet(Ipv4Addr::LOCALHOST, 0))
            .expect("bind");
        srv.listen(0).expect("listen");
        let addr = srv.local_addr().expect("getsockname").expect("an address");
        let fill = (0..2)
            .map(|_| {
                let s = Socket::open(c("AF_INET"), stream, 0, Some(Timeout::ZERO)).expect("socket");
                let _ = s.connect_ex(&addr);
                s
            })
            .collect();
        // Let the handshakes complete.
        std::thread::sleep(Duration::from_millis(50));
        (srv, fill, addr)
    }

    /// Accepts (and drops) what is queued on `srv` after `ms`, from another thread, so
    /// that a waiting connect gets through at the client's next SYN.
    fn drain_after(srv: &Socket, ms: u64) {
        let fd = Socket::dup_fd(srv.fileno()).expect("dup");
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(ms));
            let srv = Socket::from_fd(fd, None, None, None, Some(secs(5.0))).expect("adopt");
            for _ in 0..3 {
                let _ = srv.accept(None);
            }
        });
    }

    #[test]
    fn an_interrupted_blocking_connect_raises_the_handlers_exception() {
        if std::env::consts::OS != "linux" {
            return; // the full accept queue drops SYNs on Linux
        }
        let (srv, _fill, addr) = full_listener();
        drain_after(&srv, 3000);
        let cli = Socket::open(c("AF_INET"), c("SOCK_STREAM"), 0, None).expect("socket");
        let Some((got, runs, took)) = interrupted(50, true, || cli.connect(&addr)) else {
            return; // no signals on this platform
        };
        assert_eq!(got, Err(raised()));
        assert_eq!(runs, 1);
        assert!(took < Duration::from_secs(2), "{took:?}");
    }

    #[test]
    fn an_interrupted_blocking_connect_is_waited_for() {
        if std::env::consts::OS != "linux" {
            return; // the full accept queue drops SYNs on Linux
        }
        let (srv, _fill, addr) = full_listener();
        drain_after(&srv, 300);
        let cli = Socket::open(c("AF_INET"), c("SOCK_STREAM"), 0, None).expect("socket");
        let Some((got, runs, _)) = interrupted(50, false, || cli.connect(&addr)) else {
            return; // no signals on this platform
        };
        // The SYN retransmitted after the queue was drained got through: the connection
        // that connect(2) began completed, and connect waited for it.
        assert_eq!(got, Ok(()));
        assert_eq!(runs, 1);
        assert!(cli.peer_addr().expect("connected").is_some());
    }

    #[test]
    fn sendall_checks_the_signals_after_a_partial_send() {
        let (a, b) = Socket::pair(c("AF_UNIX"), c("SOCK_STREAM"), 0, None).expect("socketpair");
        // The guard: the peer reads everything after a while.
        let fd = Socket::dup_fd(b.fileno()).expect("dup");
        drop(b);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5000));
            let b = Socket::from_fd(fd, None, None, None, None).expect("adopt");
            while b.recv(65536, 0).is_ok_and(|d| !d.is_empty()) {}
        });
        let payload = vec![0u8; 4 << 20];
        let Some((got, runs, took)) = interrupted(50, true, || a.send_all(&payload, 0)) else {
            return; // no signals on this platform
        };
        assert_eq!(got, Err(raised()));
        assert_eq!(runs, 1);
        assert!(took < Duration::from_secs(4), "{took:?}");
    }
}
