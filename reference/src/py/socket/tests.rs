//! Behaviour tests of `socket.socket` objects at the Python level: every row is what
//! CPython 3.13 on x86_64 Linux gives for the same call (3.15 rules where they differ),
//! with descriptor numbers written `N` and ephemeral ports `P`. Rows with Linux errno
//! numbers or texts are checked on Linux only.

use std::time::{Duration, Instant};

use num_bigint::BigInt;
use rstest::rstest;

use crate::py::{Module, Object, repr};

fn i(x: i64) -> Object {
    Object::int(x)
}
fn s(x: &str) -> Object {
    Object::str(x)
}
fn b(x: &[u8]) -> Object {
    Object::Bytes(x.to_vec())
}
fn t(items: Vec<Object>) -> Object {
    Object::Tuple(items)
}
fn big(exp: u32) -> Object {
    Object::Int(BigInt::from(1) << exp)
}
fn c(name: &str) -> Object {
    Module::new().getattr(name).unwrap()
}
fn linux() -> bool {
    std::env::consts::OS == "linux"
}

/// Replaces the number after `fd=` by `N`, and a port of two digits or more after `', `
/// in an address tuple by `P`, so that results compare across runs.
fn normalise(text: &str) -> String {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(ch) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("fd=") {
            let n = digits(after);
            if n > 0 {
                out.push_str("fd=N");
                rest = &after[n..];
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix("', ") {
            let n = digits(after);
            if n >= 2 {
                out.push_str("', P");
                rest = &after[n..];
                continue;
            }
        }
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    out
}

/// `repr(result)` or `"TypeName: message"`.
fn render(result: Result<Object, crate::py::PyException>) -> String {
    match result {
        Ok(v) => normalise(&repr(&v)),
        Err(e) => normalise(&format!("{}: {}", e.type_name(), e.message())),
    }
}

fn new_socket(
    m: &mut Module,
    args: Vec<Object>,
    kwargs: Vec<(&str, Object)>,
) -> Result<Object, crate::py::PyException> {
    let class = m.getattr("socket").unwrap();
    let kwargs = kwargs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    m.call(&class, args, kwargs)
}

fn udp(m: &mut Module) -> Object {
    new_socket(m, vec![c("AF_INET"), c("SOCK_DGRAM")], vec![]).unwrap()
}

fn call(m: &mut Module, obj: &Object, name: &str, args: Vec<Object>) -> String {
    call_kw(m, obj, name, args, vec![])
}

fn call_kw(
    m: &mut Module,
    obj: &Object,
    name: &str,
    args: Vec<Object>,
    kwargs: Vec<(&str, Object)>,
) -> String {
    let result = m.getattr_of(obj, name).and_then(|method| {
        let kwargs = kwargs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        m.call(&method, args, kwargs)
    });
    render(result)
}

#[test]
fn normalising() {
    assert_eq!(
        normalise("<socket.socket fd=12, family=2, laddr=('127.0.0.1', 40123)>"),
        "<socket.socket fd=N, family=2, laddr=('127.0.0.1', P)>"
    );
    assert_eq!(normalise("fd=-1, ('a', 0)"), "fd=-1, ('a', 0)");
}

#[rstest]
#[case(vec![s("a")], vec![], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case(vec![i(2), s("x")], vec![], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case(vec![i(2), i(2), s("x")], vec![], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case(vec![Object::Float(1.5)], vec![], "TypeError: 'float' object cannot be interpreted as an integer")]
#[case(vec![Object::None], vec![], "TypeError: 'NoneType' object cannot be interpreted as an integer")]
#[case(vec![i(2), Object::None], vec![], "TypeError: 'NoneType' object cannot be interpreted as an integer")]
#[case(vec![big(40)], vec![], "OverflowError: Python int too large to convert to C int")]
#[case(vec![i(2), big(40)], vec![], "OverflowError: Python int too large to convert to C int")]
#[case(vec![i(2), i(2), big(40)], vec![], "OverflowError: Python int too large to convert to C int")]
#[case(vec![i(1), i(2), i(3), i(4), i(5)], vec![], "TypeError: socket.__init__() takes from 1 to 5 positional arguments but 6 were given")]
#[case(vec![], vec![("x", i(1))], "TypeError: socket.__init__() got an unexpected keyword argument 'x'")]
#[case(vec![i(2)], vec![("family", i(2))], "TypeError: socket.__init__() got multiple values for argument 'family'")]
#[case(vec![i(2)], vec![("family", i(2)), ("x", i(1))], "TypeError: socket.__init__() got multiple values for argument 'family'")]
#[case(vec![i(1), i(2), i(3), i(4), i(5)], vec![("x", i(1))], "TypeError: socket.__init__() got an unexpected keyword argument 'x'")]
#[case(vec![], vec![("fileno", i(-1))], "ValueError: negative file descriptor")]
#[case(vec![], vec![("fileno", s("a"))], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case(vec![], vec![("fileno", Object::Float(1.5))], "TypeError: 'float' object cannot be interpreted as an integer")]
#[case(vec![], vec![("fileno", big(70))], "OverflowError: Python int too large to convert to C long")]
#[case(vec![], vec![], "<socket.socket fd=N, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)>")]
#[case(vec![Object::Float(-1.0)], vec![], "<socket.socket fd=N, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)>")]
#[case(vec![i(-1), i(-1), i(-1), Object::None], vec![], "<socket.socket fd=N, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)>")]
#[case(vec![Object::Bool(true), Object::Bool(true)], vec![], "<socket.socket fd=N, family=1, type=1, proto=0>")]
#[case(vec![c("AF_INET"), c("SOCK_DGRAM"), i(17)], vec![], "<socket.socket fd=N, family=2, type=2, proto=17, laddr=('0.0.0.0', 0)>")]
#[case(vec![], vec![("type", c("SOCK_DGRAM")), ("family", c("AF_UNIX"))], "<socket.socket fd=N, family=1, type=2, proto=0>")]
fn constructor(
    #[case] args: Vec<Object>,
    #[case] kwargs: Vec<(&str, Object)>,
    #[case] expected: &str,
) {
    let mut m = Module::new();
    let result = new_socket(&mut m, args, kwargs);
    let rendered = render(result.clone());
    if let Ok(sock) = &result {
        m.close_object(sock);
    }
    assert_eq!(rendered, expected);
}

#[rstest]
#[case(vec![i(12345)], "OSError: [Errno 97] Address family not supported by protocol")]
#[case(vec![i(0)], "OSError: [Errno 97] Address family not supported by protocol")]
#[case(vec![c("AF_INET"), i(999)], "OSError: [Errno 22] Invalid argument")]
#[case(vec![c("AF_INET"), i(0)], "OSError: [Errno 94] Socket type not supported")]
#[case(vec![c("AF_UNIX"), c("SOCK_DGRAM"), i(6)], "OSError: [Errno 93] Protocol not supported")]
fn constructor_os_errors(#[case] args: Vec<Object>, #[case] expected: &str) {
    if linux() {
        assert_eq!(
            render(new_socket(&mut Module::new(), args, vec![])),
            expected
        );
    }
}

#[test]
fn creation_flags_are_cleared_from_type() {
    if !linux() {
        return;
    }
    let mut m = Module::new();
    let flags = [c("SOCK_DGRAM"), c("SOCK_NONBLOCK")]
        .iter()
        .map(|o| o.as_int().unwrap())
        .fold(BigInt::from(0), |a, b| a | b);
    let sock = new_socket(&mut m, vec![], vec![("type", Object::Int(flags))]).unwrap();
    assert_eq!(
        repr(&m.getattr_of(&sock, "type").unwrap()),
        "<SocketKind.SOCK_DGRAM: 2>"
    );
    assert_eq!(call(&mut m, &sock, "gettimeout", vec![]), "0.0");
    assert_eq!(call(&mut m, &sock, "getblocking", vec![]), "False");
    // Flags alone are no type.
    assert_eq!(
        render(new_socket(
            &mut m,
            vec![c("AF_INET"), c("SOCK_NONBLOCK")],
            vec![]
        )),
        "OSError: [Errno 94] Socket type not supported"
    );
}

#[test]
fn attributes() {
    let mut m = Module::new();
    let sock = udp(&mut m);
    let get = |name: &str| render(m.getattr_of(&sock, name));
    assert_eq!(get("family"), "<AddressFamily.AF_INET: 2>");
    assert_eq!(get("type"), "<SocketKind.SOCK_DGRAM: 2>");
    assert_eq!(get("proto"), "0");
    assert_eq!(get("timeout"), "None");
    assert_eq!(
        get("nope"),
        "AttributeError: 'socket' object has no attribute 'nope'"
    );
    assert_eq!(crate::py::type_name(&sock), "socket.socket");
    assert_eq!(crate::py::tp_name(&sock), "socket");
    // A family the enum does not know stays an int.
    let raw = new_socket(&mut m, vec![c("AF_INET"), c("SOCK_RAW"), i(255)], vec![]);
    if let Ok(raw) = raw {
        assert_eq!(render(m.getattr_of(&raw, "proto")), "255");
        m.close_object(&raw);
    }
}

#[test]
fn methods_are_bound_and_new_each_time() {
    let mut m = Module::new();
    let sock = udp(&mut m);
    let recv = m.getattr_of(&sock, "recv").unwrap();
    let close = m.getattr_of(&sock, "close").unwrap();
    assert_eq!(crate::py::type_name(&recv), "builtin_function_or_method");
    assert_eq!(crate::py::type_name(&close), "method");
    assert!(repr(&recv).starts_with("<built-in method recv of socket object at 0x"));
    assert_eq!(
        normalise(&repr(&close)),
        "<bound method socket.close of <socket.socket fd=N, family=2, type=2, proto=0, laddr=('0.0.0.0', 0)>>"
    );
    assert_eq!(recv.identity(), None);
    assert_eq!(render(m.getattr_of(&recv, "__qualname__")), "'socket.recv'");
    let receiver = m.getattr_of(&recv, "__self__").unwrap();
    assert_eq!(receiver.identity(), sock.identity());
    assert!(sock.identity().is_some());
    assert_ne!(udp(&mut m).identity(), sock.identity());
    // Methods socket.py writes in Python bind their arguments as Python does.
    assert_eq!(
        call(&mut m, &sock, "sendfile", vec![]),
        "TypeError: socket.sendfile() missing 1 required positional argument: 'file'"
    );
}

#[rstest]
#[case("close", vec![i(1)], vec![], "TypeError: socket.close() takes 1 positional argument but 2 were given")]
#[case("close", vec![], vec![("x", i(1))], "TypeError: socket.close() got an unexpected keyword argument 'x'")]
#[case("get_inheritable", vec![i(1)], vec![], "TypeError: socket.get_inheritable() takes 1 positional argument but 2 were given")]
#[case("fileno", vec![i(1)], vec![], "TypeError: socket.fileno() takes no arguments (1 given)")]
#[case("fileno", vec![], vec![("x", i(1))], "TypeError: socket.fileno() takes no keyword arguments")]
#[case("getsockname", vec![i(1)], vec![], "TypeError: socket.getsockname() takes no arguments (1 given)")]
#[case("getpeername", vec![], vec![("x", i(1))], "TypeError: socket.getpeername() takes no keyword arguments")]
#[case("gettimeout", vec![i(1)], vec![], "TypeError: socket.gettimeout() takes no arguments (1 given)")]
#[case("getblocking", vec![i(1)], vec![], "TypeError: socket.getblocking() takes no arguments (1 given)")]
#[case("bind", vec![], vec![], "TypeError: socket.bind() takes exactly one argument (0 given)")]
#[case("bind", vec![i(1), i(2)], vec![], "TypeError: socket.bind() takes exactly one argument (2 given)")]
#[case("bind", vec![], vec![("x", i(1))], "TypeError: socket.bind() takes no keyword arguments")]
#[case("settimeout", vec![], vec![], "TypeError: socket.settimeout() takes exactly one argument (0 given)")]
#[case("settimeout", vec![], vec![("x", i(1))], "TypeError: socket.settimeout() takes no keyword arguments")]
#[case("setblocking", vec![i(1), i(2)], vec![], "TypeError: socket.setblocking() takes exactly one argument (2 given)")]
#[case("setblocking", vec![], vec![("flag", i(1))], "TypeError: socket.setblocking() takes no keyword arguments")]
#[case("recv", vec![], vec![], "TypeError: recv() takes at least 1 argument (0 given)")]
#[case("recv", vec![i(1), i(2), i(3), i(4)], vec![], "TypeError: recv() takes at most 2 arguments (4 given)")]
#[case("recv", vec![], vec![("x", i(1))], "TypeError: recv() takes no keyword arguments")]
#[case("recvfrom", vec![], vec![], "TypeError: recvfrom() takes at least 1 argument (0 given)")]
#[case("send", vec![i(1), i(2), i(3), i(4)], vec![], "TypeError: send expected at most 2 arguments, got 4")]
#[case("sendto", vec![], vec![], "TypeError: sendto() takes 2 or 3 arguments (0 given)")]
#[case("sendto", vec![i(1), i(2), i(3), i(4)], vec![], "TypeError: sendto() takes 2 or 3 arguments (4 given)")]
#[case("sendto", vec![], vec![("x", i(1))], "TypeError: sendto() takes no keyword arguments")]
#[case("recv", vec![Object::Float(1.5)], vec![], "TypeError: 'float' object cannot be interpreted as an integer")]
#[case("recv", vec![Object::None], vec![], "TypeError: 'NoneType' object cannot be interpreted as an integer")]
#[case("recv", vec![big(70)], vec![], "OverflowError: Python int too large to convert to C ssize_t")]
#[case("recv", vec![i(1), s("a")], vec![], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case("recv", vec![i(1), big(40)], vec![], "OverflowError: signed integer is greater than maximum")]
#[case("recv", vec![i(1), big(70)], vec![], "OverflowError: Python int too large to convert to C long")]
#[case("recv", vec![i(-1)], vec![], "ValueError: negative buffersize in recv")]
#[case("recv", vec![i(-1), s("a")], vec![], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case("recvfrom", vec![i(-1)], vec![], "ValueError: negative buffersize in recvfrom")]
#[case("recv", vec![Object::Int(BigInt::from(i64::MAX))], vec![], "OverflowError: byte string is too large")]
#[case("recvfrom", vec![Object::Int(BigInt::from(i64::MAX))], vec![], "OverflowError: byte string is too large")]
#[case("recv", vec![big(62)], vec![], "MemoryError: ")]
#[case("send", vec![s("x")], vec![], "TypeError: a bytes-like object is required, not 'str'")]
#[case("send", vec![Object::None], vec![], "TypeError: a bytes-like object is required, not 'NoneType'")]
#[case("send", vec![b(b"x"), s("a")], vec![], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case("sendto", vec![s("x"), t(vec![s("127.0.0.1"), i(9)])], vec![], "TypeError: a bytes-like object is required, not 'str'")]
#[case("sendto", vec![b(b"x"), s("a"), t(vec![s("127.0.0.1"), i(9)])], vec![], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case("sendto", vec![b(b"x"), i(1)], vec![], "TypeError: sendto(): AF_INET address must be tuple, not int")]
#[case("sendto", vec![b(b"x"), Object::List(vec![s("127.0.0.1"), i(9)])], vec![], "TypeError: sendto(): AF_INET address must be tuple, not list")]
#[case("sendto", vec![b(b"x"), s("/tmp/x")], vec![], "TypeError: sendto(): AF_INET address must be tuple, not str")]
#[case("sendto", vec![b(b"x"), t(vec![i(1), i(2)])], vec![], "TypeError: str, bytes or bytearray expected, not int")]
#[case("sendto", vec![b(b"x"), t(vec![])], vec![], "TypeError: AF_INET address must be a pair (host, port)")]
#[case("bind", vec![s("127.0.0.1")], vec![], "TypeError: bind(): AF_INET address must be tuple, not str")]
#[case("bind", vec![Object::None], vec![], "TypeError: bind(): AF_INET address must be tuple, not NoneType")]
#[case("bind", vec![t(vec![s("127.0.0.1")])], vec![], "TypeError: AF_INET address must be a pair (host, port)")]
#[case("bind", vec![t(vec![s("127.0.0.1"), i(0), i(1)])], vec![], "TypeError: AF_INET address must be a pair (host, port)")]
#[case("bind", vec![t(vec![s("127.0.0.1"), i(-1)])], vec![], "OverflowError: bind(): port must be 0-65535.")]
#[case("bind", vec![t(vec![s("127.0.0.1"), i(65536)])], vec![], "OverflowError: bind(): port must be 0-65535.")]
#[case("bind", vec![t(vec![s("127.0.0.1"), big(40)])], vec![], "OverflowError: bind(): port must be 0-65535.")]
#[case("bind", vec![t(vec![s("127.0.0.1"), big(70)])], vec![], "OverflowError: bind(): port must be 0-65535.")]
#[case("bind", vec![t(vec![s(""), i(-5)])], vec![], "OverflowError: bind(): port must be 0-65535.")]
#[case("bind", vec![t(vec![s("127.0.0.1"), Object::Float(1.5)])], vec![], "TypeError: 'float' object cannot be interpreted as an integer")]
#[case("bind", vec![t(vec![s("127.0.0.1"), s("1")])], vec![], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case("bind", vec![t(vec![Object::None, i(0)])], vec![], "TypeError: str, bytes or bytearray expected, not NoneType")]
#[case("bind", vec![t(vec![Object::None, Object::Float(1.5)])], vec![], "TypeError: str, bytes or bytearray expected, not NoneType")]
#[case("bind", vec![t(vec![s("127.0.0.1\0"), i(0)])], vec![], "TypeError: host name must not contain null character")]
#[case("bind", vec![t(vec![b(b"1\0"), i(0)])], vec![], "TypeError: host name must not contain null character")]
#[case("bind", vec![t(vec![s("127.0.0.1"), i(0)])], vec![], "None")]
#[case("bind", vec![t(vec![s(""), i(0)])], vec![], "None")]
#[case("bind", vec![t(vec![b(b"127.0.0.1"), i(0)])], vec![], "None")]
#[case("bind", vec![t(vec![Object::bytearray(b"127.0.0.1".to_vec()), i(0)])], vec![], "None")]
#[case("bind", vec![t(vec![s("localhost"), i(0)])], vec![], "None")]
#[case("setblocking", vec![Object::None], vec![], "None")]
fn method_arguments(
    #[case] name: &str,
    #[case] args: Vec<Object>,
    #[case] kwargs: Vec<(&str, Object)>,
    #[case] expected: &str,
) {
    let mut m = Module::new();
    let sock = udp(&mut m);
    assert_eq!(call_kw(&mut m, &sock, name, args, kwargs), expected);
    m.close_object(&sock);
}

#[rstest]
#[case(t(vec![s("127.0.0.1"), i(0)]), "('127.0.0.1', P)")]
#[case(t(vec![s(""), i(0)]), "('0.0.0.0', P)")]
#[case(t(vec![s("127.1"), i(0)]), "('127.0.0.1', P)")]
#[case(t(vec![s("0x7f.1"), i(0)]), "('127.0.0.1', P)")]
#[case(t(vec![s("127.000.000.001"), i(0)]), "('127.0.0.1', P)")]
#[case(t(vec![s("<broadcast>"), i(0)]), "('255.255.255.255', P)")]
#[case(t(vec![s("127.0.0.1"), Object::Bool(true)]), "('127.0.0.1', 1)")]
fn bound_addresses(#[case] addr: Object, #[case] expected: &str) {
    if !linux() {
        return; // the inet_aton forms are the C library's
    }
    let mut m = Module::new();
    let sock = udp(&mut m);
    assert_eq!(call(&mut m, &sock, "bind", vec![addr]), "None");
    assert_eq!(call(&mut m, &sock, "getsockname", vec![]), expected);
    m.close_object(&sock);
}

#[rstest]
#[case(Object::None, "0.0")]
#[case(i(0), "0.0")]
#[case(i(1), "None")]
#[case(s(""), "0.0")]
#[case(s("a"), "None")]
#[case(Object::List(vec![]), "0.0")]
#[case(Object::List(vec![i(0)]), "None")]
#[case(Object::Float(2.5), "None")]
#[case(Object::Float(0.0), "0.0")]
#[case(b(b""), "0.0")]
#[case(i(-1), "None")]
fn setblocking_takes_any_truth_value(#[case] flag: Object, #[case] gettimeout: &str) {
    let mut m = Module::new();
    let sock = udp(&mut m);
    assert_eq!(call(&mut m, &sock, "setblocking", vec![flag]), "None");
    assert_eq!(call(&mut m, &sock, "gettimeout", vec![]), gettimeout);
    m.close_object(&sock);
}

#[rstest]
#[case(s("a"), "TypeError: must be real number, not str")]
#[case(i(-1), "ValueError: Timeout value out of range")]
#[case(
    Object::Float(f64::NAN),
    "ValueError: Invalid value NaN (not a number)"
)]
#[case(
    Object::Float(1e19),
    "OverflowError: timestamp out of range for platform time_t"
)]
#[case(big(63), "OverflowError: timestamp too large to convert to C PyTime_t")]
#[case(i(9_223_372_036), "None")]
#[case(Object::Bool(true), "None")]
#[case(Object::Float(1e-10), "None")]
fn settimeout_values(#[case] value: Object, #[case] expected: &str) {
    let mut m = Module::new();
    let sock = udp(&mut m);
    assert_eq!(
        call(&mut m, &sock, "settimeout", vec![value.clone()]),
        expected
    );
    let after = call(&mut m, &sock, "gettimeout", vec![]);
    if expected == "None" {
        let set = crate::py::parse_timeout(&value).unwrap().unwrap();
        assert_eq!(after, crate::py::float_repr(set.as_secs_f64()));
        assert_eq!(call(&mut m, &sock, "getblocking", vec![]), "True");
    } else {
        assert_eq!(after, "None");
    }
    m.close_object(&sock);
}

#[test]
fn closed_sockets() {
    let mut m = Module::new();
    let sock = udp(&mut m);
    let ebadf = if linux() {
        "OSError: [Errno 9] Bad file descriptor"
    } else {
        ""
    };
    assert_eq!(call(&mut m, &sock, "close", vec![]), "None");
    assert_eq!(
        repr(&sock),
        "<socket.socket [closed] fd=-1, family=2, type=2, proto=0>"
    );
    assert_eq!(call(&mut m, &sock, "fileno", vec![]), "-1");
    assert_eq!(call(&mut m, &sock, "close", vec![]), "None");
    let addr = || t(vec![s("127.0.0.1"), i(0)]);
    let failing: Vec<(&str, Vec<Object>)> = vec![
        ("getsockname", vec![]),
        ("getpeername", vec![]),
        ("bind", vec![addr()]),
        ("recv", vec![i(1)]),
        ("recvfrom", vec![i(1)]),
        ("send", vec![b(b"x")]),
        ("sendto", vec![b(b"x"), addr()]),
        ("get_inheritable", vec![]),
    ];
    for (name, args) in failing {
        let got = call(&mut m, &sock, name, args);
        if linux() {
            assert_eq!(got, ebadf, "{name}");
        } else {
            assert!(got.starts_with("OSError: [Errno "), "{name}: {got}");
        }
    }
    // Argument errors come first; recv(0) makes no call.
    assert_eq!(
        call(&mut m, &sock, "recv", vec![i(-1)]),
        "ValueError: negative buffersize in recv"
    );
    assert_eq!(
        call(&mut m, &sock, "bind", vec![s("x")]),
        "TypeError: bind(): AF_INET address must be tuple, not str"
    );
    assert_eq!(call(&mut m, &sock, "recv", vec![i(0)]), "b''");
    // The mode is readable; setting it records the value, then fails on the fd.
    assert_eq!(call(&mut m, &sock, "gettimeout", vec![]), "None");
    assert_eq!(call(&mut m, &sock, "getblocking", vec![]), "True");
    let set = call(&mut m, &sock, "settimeout", vec![Object::Float(1.0)]);
    assert!(set.starts_with("OSError: [Errno "), "{set}");
    assert_eq!(call(&mut m, &sock, "gettimeout", vec![]), "1.0");
    let set = call(&mut m, &sock, "setblocking", vec![Object::Bool(false)]);
    assert!(set.starts_with("OSError: [Errno "), "{set}");
    assert_eq!(render(m.getattr_of(&sock, "timeout")), "0.0");
    assert_eq!(call(&mut m, &sock, "getblocking", vec![]), "False");
    assert_eq!(
        render(m.getattr_of(&sock, "family")),
        "<AddressFamily.AF_INET: 2>"
    );
}

#[test]
fn reprs_show_the_local_address() {
    let mut m = Module::new();
    let sock = udp(&mut m);
    assert_eq!(
        normalise(&repr(&sock)),
        "<socket.socket fd=N, family=2, type=2, proto=0, laddr=('0.0.0.0', 0)>"
    );
    call(&mut m, &sock, "bind", vec![t(vec![s("127.0.0.1"), i(0)])]);
    assert_eq!(
        normalise(&repr(&sock)),
        "<socket.socket fd=N, family=2, type=2, proto=0, laddr=('127.0.0.1', P)>"
    );
    let fd = call(&mut m, &sock, "fileno", vec![]);
    assert!(repr(&sock).starts_with(&format!("<socket.socket fd={fd}, ")));
    m.close_object(&sock);
    assert_eq!(
        repr(&sock),
        "<socket.socket [closed] fd=-1, family=2, type=2, proto=0>"
    );
}

#[test]
fn unix_addresses() {
    let mut m = Module::new();
    let unix = |m: &mut Module| new_socket(m, vec![c("AF_UNIX"), c("SOCK_DGRAM")], vec![]).unwrap();
    let sock = unix(&mut m);
    assert_eq!(
        normalise(&repr(&sock)),
        "<socket.socket fd=N, family=1, type=2, proto=0>"
    );
    assert_eq!(call(&mut m, &sock, "getsockname", vec![]), "''");
    let long = "a".repeat(crate::sys::UNIX_PATH_CAPACITY);
    assert_eq!(
        call(&mut m, &sock, "bind", vec![s(&long)]),
        "OSError: AF_UNIX path too long"
    );
    assert_eq!(
        call(&mut m, &sock, "bind", vec![i(1)]),
        "TypeError: a bytes-like object is required, not 'int'"
    );
    assert_eq!(
        call(&mut m, &sock, "bind", vec![t(vec![s("a")])]),
        "TypeError: a bytes-like object is required, not 'tuple'"
    );
    assert_eq!(
        call(
            &mut m,
            &sock,
            "sendto",
            vec![b(b"x"), s("/nonexistent-sockconf/x")]
        ),
        "FileNotFoundError: [Errno 2] No such file or directory"
    );
    if crate::sys::HAS_ABSTRACT_UNIX {
        assert_eq!(
            call(&mut m, &sock, "bind", vec![b(b"\0sockconf-test-abstract")]),
            "None"
        );
        assert_eq!(
            call(&mut m, &sock, "getsockname", vec![]),
            "b'\\x00sockconf-test-abstract'"
        );
        assert_eq!(
            normalise(&repr(&sock)),
            "<socket.socket fd=N, family=1, type=2, proto=0, laddr=b'\\x00sockconf-test-abstract'>"
        );
        // An unnamed sender: recvfrom gives None for its address.
        let other = unix(&mut m);
        assert_eq!(
            call(
                &mut m,
                &other,
                "sendto",
                vec![b(b"hi"), b(b"\0sockconf-test-abstract")]
            ),
            "2"
        );
        assert_eq!(
            call(&mut m, &sock, "recvfrom", vec![i(10)]),
            "(b'hi', None)"
        );
        // Autobind: an empty address picks an abstract name.
        assert_eq!(call(&mut m, &other, "bind", vec![s("")]), "None");
        let name = call(&mut m, &other, "getsockname", vec![]);
        assert!(name.starts_with("b'\\x00"), "{name}");
        m.close_object(&other);
    }
    m.close_object(&sock);

    // A path in a temporary folder, as str.
    let dir = std::env::temp_dir().join(format!("sockconf-py-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.sock").to_str().unwrap().to_owned();
    let a = unix(&mut m);
    let b_sock = unix(&mut m);
    assert_eq!(call(&mut m, &a, "bind", vec![s(&path)]), "None");
    assert_eq!(call(&mut m, &a, "getsockname", vec![]), repr(&s(&path)));
    assert_eq!(
        normalise(&repr(&a)),
        format!("<socket.socket fd=N, family=1, type=2, proto=0, laddr={path}>")
    );
    if linux() {
        assert_eq!(
            call(&mut m, &b_sock, "bind", vec![s(&path)]),
            "OSError: [Errno 98] Address already in use"
        );
    }
    assert_eq!(
        call(
            &mut m,
            &b_sock,
            "sendto",
            vec![b(b"abc"), b(path.as_bytes())]
        ),
        "3"
    );
    assert_eq!(call(&mut m, &a, "recv", vec![i(10)]), "b'abc'");
    m.close_object(&a);
    m.close_object(&b_sock);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn datagrams_between_two_sockets() {
    let mut m = Module::new();
    let a = udp(&mut m);
    let b_sock = udp(&mut m);
    for sock in [&a, &b_sock] {
        call(&mut m, sock, "bind", vec![t(vec![s("127.0.0.1"), i(0)])]);
    }
    let b_addr = m
        .call(
            &m.getattr_of(&b_sock, "getsockname").unwrap(),
            vec![],
            vec![],
        )
        .unwrap();
    let a_addr = m
        .call(&m.getattr_of(&a, "getsockname").unwrap(), vec![], vec![])
        .unwrap();
    assert_eq!(
        call(&mut m, &a, "sendto", vec![b(b"hello"), b_addr.clone()]),
        "5"
    );
    assert_eq!(
        call(&mut m, &b_sock, "recvfrom", vec![i(100)]),
        normalise(&format!("(b'hello', {})", repr(&a_addr)))
    );
    assert_eq!(
        call(
            &mut m,
            &a,
            "sendto",
            vec![Object::bytearray(b"hey".to_vec()), i(0), b_addr]
        ),
        "3"
    );
    assert_eq!(call(&mut m, &b_sock, "recv", vec![i(2)]), "b'he'");
    if linux() {
        assert_eq!(
            call(&mut m, &a, "send", vec![b(b"x")]),
            "OSError: [Errno 89] Destination address required"
        );
    }
    m.close_object(&a);
    m.close_object(&b_sock);
}

#[test]
fn timeouts_at_the_python_level() {
    let mut m = Module::new();
    let sock = udp(&mut m);
    call(&mut m, &sock, "bind", vec![t(vec![s("127.0.0.1"), i(0)])]);
    assert_eq!(
        call(&mut m, &sock, "settimeout", vec![Object::Float(0.05)]),
        "None"
    );
    let start = Instant::now();
    let recv = m.getattr_of(&sock, "recv").unwrap();
    let err = m.call(&recv, vec![i(1)], vec![]).unwrap_err();
    assert!(start.elapsed() >= Duration::from_millis(50));
    assert_eq!(err.type_name(), "TimeoutError");
    assert_eq!(err.args(), vec![s("timed out")]);
    assert_eq!(err.errno(), None);
    // Non-blocking: BlockingIOError with EAGAIN.
    assert_eq!(
        call(&mut m, &sock, "setblocking", vec![Object::Bool(false)]),
        "None"
    );
    let err = m.call(&recv, vec![i(1)], vec![]).unwrap_err();
    assert_eq!(err.type_name(), "BlockingIOError");
    assert_eq!(err.errno_name().as_deref(), Some("EAGAIN"));
    if linux() {
        assert_eq!(err.message(), "[Errno 11] Resource temporarily unavailable");
    }
    m.close_object(&sock);

    // New sockets take the module's default timeout.
    let set = m.getattr("setdefaulttimeout").unwrap();
    m.call(&set, vec![Object::Float(0.25)], vec![]).unwrap();
    let sock = udp(&mut m);
    assert_eq!(call(&mut m, &sock, "gettimeout", vec![]), "0.25");
    m.call(&set, vec![Object::None], vec![]).unwrap();
    assert_eq!(call(&mut m, &sock, "gettimeout", vec![]), "0.25");
    let fresh = udp(&mut m);
    assert_eq!(call(&mut m, &fresh, "gettimeout", vec![]), "None");
    m.close_object(&sock);
}

#[test]
fn families_and_ipv6() {
    let m = Module::new();
    assert_eq!(m.family_supported("AF_INET"), Ok(()));
    assert_eq!(m.family_supported("AF_UNIX"), Ok(()));
    assert_eq!(
        m.family_supported("AF_NOPE"),
        Err("socket.AF_NOPE is missing".to_owned())
    );
    // Whatever the answer here, asking must not fail in another way.
    match m.ipv6_usable() {
        Ok(()) => {}
        Err(why) => assert!(why.starts_with("cannot bind ('::1', 0)"), "{why}"),
    }
}

#[test]
fn netlink_addresses() {
    let mut m = Module::new();
    let Ok(netlink) = new_socket(&mut m, vec![c("AF_NETLINK"), c("SOCK_RAW")], vec![]) else {
        return; // no netlink here
    };
    assert_eq!(call(&mut m, &netlink, "getsockname", vec![]), "(0, 0)");
    assert_eq!(
        normalise(&repr(&netlink)),
        "<socket.socket fd=N, family=16, type=3, proto=0, laddr=(0, 0), raddr=(0, 0)>"
    );
    assert_eq!(
        call(&mut m, &netlink, "bind", vec![i(0)]),
        "TypeError: bind(): AF_NETLINK address must be tuple, not int"
    );
    assert_eq!(
        call(&mut m, &netlink, "bind", vec![t(vec![i(0)])]),
        "TypeError: AF_NETLINK address must be a pair (pid, groups)"
    );
    m.close_object(&netlink);
}

fn tcp6(m: &mut Module) -> Option<Object> {
    new_socket(m, vec![c("AF_INET6"), c("SOCK_STREAM")], vec![]).ok()
}

/// `AF_INET6` addresses: `getsockaddrarg`'s checks and messages.
#[rstest]
#[case(s("::1"), "TypeError: bind(): AF_INET6 address must be tuple, not str")]
#[case(t(vec![s("::1")]), "TypeError: AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])")]
#[case(t(vec![s("::1"), i(0), i(0), i(0), i(0)]), "TypeError: AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])")]
#[case(t(vec![s("::1"), i(65536)]), "OverflowError: bind(): port must be 0-65535.")]
#[case(t(vec![s("::1"), i(0), i(0x10_0000)]), "OverflowError: bind(): flowinfo must be 0-1048575.")]
#[case(t(vec![s("::1"), s("0")]), "TypeError: 'str' object cannot be interpreted as an integer")]
#[case(t(vec![i(1), i(0)]), "TypeError: str, bytes or bytearray expected, not int")]
#[case(t(vec![s("<broadcast>"), i(0)]), "OSError: address family mismatched")]
fn inet6_address_errors(#[case] addr: Object, #[case] expected: &str) {
    let mut m = Module::new();
    let Some(sock) = tcp6(&mut m) else { return };
    assert_eq!(call(&mut m, &sock, "bind", vec![addr]), expected);
    m.close_object(&sock);
}

#[test]
fn inet6_bind_and_name() {
    let mut m = Module::new();
    let Some(sock) = tcp6(&mut m) else { return };
    if call(
        &mut m,
        &sock,
        "bind",
        vec![t(vec![s("::1"), i(0), i(0), i(0)])],
    ) != "None"
    {
        return; // no IPv6 loopback here
    }
    assert_eq!(
        call(&mut m, &sock, "getsockname", vec![]),
        "('::1', P, 0, 0)"
    );
    m.close_object(&sock);
}

/// A TCP connection on loopback: listen, connect, accept, data both ways, shutdown.
#[test]
fn connect_accept_and_shutdown() {
    let mut m = Module::new();
    let srv = new_socket(&mut m, vec![c("AF_INET"), c("SOCK_STREAM")], vec![]).unwrap();
    assert_eq!(
        call(&mut m, &srv, "bind", vec![t(vec![s("127.0.0.1"), i(0)])]),
        "None"
    );
    assert_eq!(call(&mut m, &srv, "listen", vec![i(-5)]), "None");
    let addr = m
        .call(&m.getattr_of(&srv, "getsockname").unwrap(), vec![], vec![])
        .unwrap();
    let cli = new_socket(&mut m, vec![c("AF_INET"), c("SOCK_STREAM")], vec![]).unwrap();
    assert_eq!(
        call(&mut m, &cli, "settimeout", vec![Object::Float(5.0)]),
        "None"
    );
    assert_eq!(call(&mut m, &cli, "connect_ex", vec![addr]), "0");
    let accepted = m
        .call(&m.getattr_of(&srv, "accept").unwrap(), vec![], vec![])
        .unwrap();
    let Object::Tuple(pair) = &accepted else {
        panic!("accept gave {accepted:?}")
    };
    let conn = pair[0].clone();
    assert_eq!(call(&mut m, &conn, "gettimeout", vec![]), "None");
    assert_eq!(call(&mut m, &cli, "sendall", vec![b(b"hello")]), "None");
    assert_eq!(call(&mut m, &conn, "recv", vec![i(16)]), "b'hello'");
    assert_eq!(call(&mut m, &cli, "shutdown", vec![c("SHUT_WR")]), "None");
    assert_eq!(call(&mut m, &conn, "recv", vec![i(16)]), "b''");
    assert_eq!(
        call(&mut m, &cli, "shutdown", vec![i(7)]),
        "OSError: [Errno 22] Invalid argument"
    );
    for sock in [&srv, &cli, &conn] {
        m.close_object(sock);
    }
}

/// `setsockopt`'s three forms and `getsockopt`'s buffer rules.
#[rstest]
#[case(vec![c("SOL_SOCKET"), c("SO_REUSEADDR"), i(1)], "None")]
#[case(vec![c("SOL_SOCKET"), c("SO_REUSEADDR"), b(&1i32.to_ne_bytes())], "None")]
#[case(vec![c("SOL_SOCKET"), c("SO_REUSEADDR"), Object::Float(1.0)], "TypeError: a bytes-like object is required, not 'float'")]
#[case(vec![c("SOL_SOCKET"), c("SO_REUSEADDR"), big(31)], "TypeError: a bytes-like object is required, not 'int'")]
#[case(vec![c("SOL_SOCKET"), c("SO_REUSEADDR"), i(1), i(4)], "TypeError: setsockopt() takes exactly 3 arguments (4 given)")]
#[case(vec![c("SOL_SOCKET"), c("SO_REUSEADDR"), Object::None], "TypeError: a bytes-like object is required, not 'NoneType'")]
fn setsockopt_forms(#[case] args: Vec<Object>, #[case] expected: &str) {
    let mut m = Module::new();
    let sock = udp(&mut m);
    assert_eq!(call(&mut m, &sock, "setsockopt", args), expected);
    m.close_object(&sock);
}

#[rstest]
#[case(vec![c("SOL_SOCKET"), c("SO_TYPE")], "2")]
#[case(vec![c("SOL_SOCKET"), c("SO_TYPE"), i(0)], "2")]
#[case(vec![c("SOL_SOCKET"), c("SO_TYPE"), i(1)], "b'\\x02'")]
#[case(vec![c("SOL_SOCKET"), c("SO_TYPE"), i(1025)], "OSError: getsockopt buflen out of range")]
#[case(vec![c("SOL_SOCKET"), c("SO_TYPE"), i(-1)], "OSError: getsockopt buflen out of range")]
#[case(vec![c("SOL_SOCKET")], "TypeError: getsockopt() takes at least 2 arguments (1 given)")]
fn getsockopt_forms(#[case] args: Vec<Object>, #[case] expected: &str) {
    if !linux() {
        return; // SO_TYPE's value and byte order are Linux x86's here
    }
    let mut m = Module::new();
    let sock = udp(&mut m);
    assert_eq!(call(&mut m, &sock, "getsockopt", args), expected);
    m.close_object(&sock);
}

/// `detach` hands the descriptor out; `socket(fileno=…)` adopts it back; a number the
/// module never handed out behaves as closed; a second owner shares the descriptor.
#[test]
fn descriptor_ledger() {
    let mut m = Module::new();
    let sock = udp(&mut m);
    let fd = m
        .call(&m.getattr_of(&sock, "detach").unwrap(), vec![], vec![])
        .unwrap();
    assert_eq!(call(&mut m, &sock, "fileno", vec![]), "-1");
    let back = new_socket(&mut m, vec![], vec![("fileno", fd.clone())]).unwrap();
    assert_eq!(call(&mut m, &back, "fileno", vec![]), normalise(&repr(&fd)));
    assert_eq!(
        repr(&m.getattr_of(&back, "type").unwrap()),
        "<SocketKind.SOCK_DGRAM: 2>"
    );
    // Not handed out by the module: as if not open.
    assert_eq!(
        render(new_socket(&mut m, vec![], vec![("fileno", i(0))])),
        "OSError: [Errno 9] Bad file descriptor"
    );
    // A second owner: the first close closes it for both.
    let twin = new_socket(&mut m, vec![], vec![("fileno", fd)]).unwrap();
    assert_eq!(call(&mut m, &twin, "close", vec![]), "None");
    assert_eq!(
        call(&mut m, &back, "close", vec![]),
        "OSError: [Errno 9] Bad file descriptor"
    );
    assert_eq!(call(&mut m, &back, "close", vec![]), "None");
}

#[test]
fn socketpair_and_dup() {
    let mut m = Module::new();
    let pair = m
        .call(&m.getattr("socketpair").unwrap(), vec![], vec![])
        .unwrap();
    let Object::Tuple(ends) = &pair else {
        panic!("socketpair gave {pair:?}")
    };
    let copy = m
        .call(&m.getattr_of(&ends[0], "dup").unwrap(), vec![], vec![])
        .unwrap();
    assert_eq!(call(&mut m, &ends[0], "close", vec![]), "None");
    assert_eq!(call(&mut m, &copy, "send", vec![b(b"x")]), "1");
    assert_eq!(call(&mut m, &ends[1], "recv", vec![i(4)]), "b'x'");
    assert_eq!(call(&mut m, &copy, "get_inheritable", vec![]), "False");
    assert_eq!(
        call(&mut m, &copy, "set_inheritable", vec![Object::Bool(true)]),
        "None"
    );
    assert_eq!(call(&mut m, &copy, "get_inheritable", vec![]), "True");
    for sock in [&ends[1], &copy] {
        m.close_object(sock);
    }
}

/// The Windows-only methods exist exactly where `sys::FEATURES` says so: absent
/// elsewhere (`AttributeError`, as in CPython), and with `sock_ioctl`'s rules on
/// Windows; `share`/`fromshare` give back a socket of the same kind.
#[test]
fn windows_only_methods_follow_features() {
    let mut m = Module::new();
    let sock = udp(&mut m);
    if !crate::sys::FEATURES.ioctl {
        assert_eq!(
            call(&mut m, &sock, "ioctl", vec![i(0), i(0)]),
            "AttributeError: 'socket' object has no attribute 'ioctl'"
        );
    } else {
        assert_eq!(
            call(&mut m, &sock, "ioctl", vec![i(1), i(0)]),
            "ValueError: invalid ioctl command 1"
        );
        assert_eq!(
            call(&mut m, &sock, "ioctl", vec![s("x"), i(0)]),
            "TypeError: ioctl() argument 1 must be int, not str"
        );
    }
    if !crate::sys::FEATURES.share {
        assert_eq!(
            call(&mut m, &sock, "share", vec![i(1)]),
            "AttributeError: 'socket' object has no attribute 'share'"
        );
        assert!(m.getattr("fromshare").is_err());
    } else {
        let pid = i64::from(std::process::id());
        let data = m
            .call(&m.getattr_of(&sock, "share").unwrap(), vec![i(pid)], vec![])
            .unwrap();
        let Object::Bytes(bytes) = &data else {
            panic!("share gave {data:?}")
        };
        assert_eq!(bytes.len(), crate::sys::PROTOCOL_INFO_LEN);
        let fromshare = m.getattr("fromshare").unwrap();
        let copy = m.call(&fromshare, vec![data.clone()], vec![]).unwrap();
        assert_eq!(
            render(m.getattr_of(&copy, "type")),
            "<SocketKind.SOCK_DGRAM: 2>"
        );
        assert_eq!(
            render(m.call(&fromshare, vec![b(b"short")], vec![])),
            format!(
                "ValueError: socket descriptor string has wrong size, should be {} bytes.",
                crate::sys::PROTOCOL_INFO_LEN
            )
        );
        m.close_object(&copy);
    }
    m.close_object(&sock);
}
