//! Behaviour tests of the Python-level surface: every row is what CPython 3.13 on
//! x86_64 Linux returns or raises for the same call (3.14/3.15 rules where they differ:
//! the byte-order functions take Argument Clinic's `uint16`/`uint32` converters since
//! 3.14).

use num_bigint::BigInt;
use proptest::prelude::*;
use rstest::rstest;

use super::*;

fn i(x: i64) -> Object {
    Object::int(x)
}
fn big(exp: u32, delta: i64) -> Object {
    Object::Int((BigInt::from(1) << exp) + delta)
}
fn neg_big(exp: u32) -> Object {
    Object::Int(-(BigInt::from(1) << exp))
}
fn s(x: &str) -> Object {
    Object::str(x)
}
fn b(x: &[u8]) -> Object {
    Object::Bytes(x.to_vec())
}
fn c(name: &str) -> Object {
    Module::new().getattr(name).unwrap()
}

/// Calls `socket.NAME(*args)` and renders the outcome as `repr(result)` or
/// `"TypeName: message"`.
fn run(module: &mut Module, name: &str, args: Vec<Object>) -> String {
    let f = module.getattr(name).unwrap();
    match module.call(&f, args, vec![]) {
        Ok(v) => repr(&v),
        Err(e) => format!("{}: {}", e.type_name(), e.message()),
    }
}

fn call(name: &str, args: Vec<Object>) -> String {
    run(&mut Module::new(), name, args)
}

#[rstest]
#[case("htons", vec![i(0x1234)], "13330")]
#[case("htons", vec![i(65535)], "65535")]
#[case("htons", vec![Object::Bool(true)], "256")]
#[case("htons", vec![i(65536)], "OverflowError: Python int too large for C uint16_t")]
#[case("htons", vec![i(-1)], "ValueError: Cannot convert negative int")]
#[case("ntohs", vec![i(-1)], "ValueError: Cannot convert negative int")]
#[case("htons", vec![big(32, 0)], "OverflowError: Python int too large for C uint16_t")]
#[case("htons", vec![neg_big(64)], "ValueError: Cannot convert negative int")]
#[case("htons", vec![Object::Float(1.0)], "TypeError: 'float' object cannot be interpreted as an integer")]
#[case("htons", vec![s("a")], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case("htons", vec![Object::None], "TypeError: 'NoneType' object cannot be interpreted as an integer")]
#[case("htons", vec![], "TypeError: _socket.htons() takes exactly one argument (0 given)")]
#[case("ntohs", vec![i(1), i(2)], "TypeError: _socket.ntohs() takes exactly one argument (2 given)")]
#[case("htonl", vec![i(0x1234)], "873594880")]
#[case("htonl", vec![big(32, -1)], "4294967295")]
#[case("ntohl", vec![i(65536)], "256")]
#[case("htonl", vec![Object::Bool(true)], "16777216")]
#[case("htonl", vec![i(-1)], "ValueError: Cannot convert negative int")]
#[case("htonl", vec![neg_big(64)], "ValueError: Cannot convert negative int")]
#[case("htonl", vec![big(32, 0)], "OverflowError: Python int too large for C uint32_t")]
#[case("ntohl", vec![big(64, 0)], "OverflowError: Python int too large for C uint32_t")]
#[case("htonl", vec![Object::Float(1.0)], "TypeError: 'float' object cannot be interpreted as an integer")]
#[case("htonl", vec![Object::None], "TypeError: 'NoneType' object cannot be interpreted as an integer")]
#[case("htonl", vec![Object::Tuple(vec![])], "TypeError: 'tuple' object cannot be interpreted as an integer")]
#[case("ntohl", vec![], "TypeError: _socket.ntohl() takes exactly one argument (0 given)")]
fn byte_order(#[case] name: &str, #[case] args: Vec<Object>, #[case] expected: &str) {
    if cfg!(target_endian = "little") {
        assert_eq!(call(name, args), expected);
    }
}

#[rstest]
#[case("inet_aton", vec![s("1.2.3.4")], "b'\\x01\\x02\\x03\\x04'")]
#[case("inet_aton", vec![s("1.2.3")], "b'\\x01\\x02\\x00\\x03'")]
#[case("inet_aton", vec![s("0x7f.1")], "b'\\x7f\\x00\\x00\\x01'")]
#[case("inet_aton", vec![s("1.2.3.4 xyz")], "b'\\x01\\x02\\x03\\x04'")]
#[case("inet_aton", vec![s("1.2.3.4x")], "OSError: illegal IP address string passed to inet_aton")]
#[case("inet_aton", vec![s("")], "OSError: illegal IP address string passed to inet_aton")]
#[case("inet_aton", vec![s("1.2.3.4\0")], "ValueError: embedded null character")]
#[case("inet_aton", vec![b(b"1.2.3.4")], "TypeError: inet_aton() argument must be str, not bytes")]
#[case("inet_aton", vec![Object::bytearray(b"1".to_vec())], "TypeError: inet_aton() argument must be str, not bytearray")]
#[case("inet_aton", vec![i(1)], "TypeError: inet_aton() argument must be str, not int")]
#[case("inet_aton", vec![Object::None], "TypeError: inet_aton() argument must be str, not None")]
#[case("inet_aton", vec![c("AF_INET")], "TypeError: inet_aton() argument must be str, not AddressFamily")]
#[case("inet_aton", vec![c("gaierror")], "TypeError: inet_aton() argument must be str, not type")]
#[case("inet_aton", vec![], "TypeError: _socket.inet_aton() takes exactly one argument (0 given)")]
#[case("inet_ntoa", vec![b(b"\x7f\0\0\x01")], "'127.0.0.1'")]
#[case("inet_ntoa", vec![Object::bytearray(b"\x7f\0\0\x01".to_vec())], "'127.0.0.1'")]
#[case("inet_ntoa", vec![b(b"abc")], "OSError: packed IP wrong length for inet_ntoa")]
#[case("inet_ntoa", vec![b(b"")], "OSError: packed IP wrong length for inet_ntoa")]
#[case("inet_ntoa", vec![s("abcd")], "TypeError: a bytes-like object is required, not 'str'")]
#[case("inet_ntoa", vec![Object::None], "TypeError: a bytes-like object is required, not 'NoneType'")]
#[case("inet_ntoa", vec![c("AddressFamily")], "TypeError: a bytes-like object is required, not 'EnumType'")]
#[case("inet_ntoa", vec![i(1), i(2)], "TypeError: _socket.inet_ntoa() takes exactly one argument (2 given)")]
fn ipv4_text(#[case] name: &str, #[case] args: Vec<Object>, #[case] expected: &str) {
    assert_eq!(call(name, args), expected);
}

#[rstest]
#[case(vec![c("AF_INET"), s("1.2.3.4")], "b'\\x01\\x02\\x03\\x04'")]
#[case(vec![c("AF_INET"), s("1.2.3")], "OSError: illegal IP address string passed to inet_pton")]
#[case(vec![c("AF_INET6"), s("::1")], "b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01'")]
#[case(vec![c("AF_INET6"), s("1::2::3")], "OSError: illegal IP address string passed to inet_pton")]
#[case(vec![c("AF_UNIX"), s("1.2.3.4")], "OSError: [Errno 97] Address family not supported by protocol")]
#[case(vec![i(-1), s("1.2.3.4")], "OSError: [Errno 97] Address family not supported by protocol")]
#[case(vec![Object::Bool(true), s("1.2.3.4")], "OSError: [Errno 97] Address family not supported by protocol")]
#[case(vec![big(31, 0), s("1.2.3.4")], "OverflowError: signed integer is greater than maximum")]
#[case(vec![big(64, 0), s("1.2.3.4")], "OverflowError: Python int too large to convert to C long")]
#[case(vec![s("a"), s("1.2.3.4")], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case(vec![Object::Float(2.0), s("1.2.3.4")], "TypeError: 'float' object cannot be interpreted as an integer")]
#[case(vec![c("AF_INET"), b(b"1.2.3.4")], "TypeError: inet_pton() argument 2 must be str, not bytes")]
#[case(vec![c("AF_INET"), Object::None], "TypeError: inet_pton() argument 2 must be str, not None")]
#[case(vec![c("AF_UNIX"), b(b"x")], "TypeError: inet_pton() argument 2 must be str, not bytes")]
#[case(vec![s("a"), b(b"x")], "TypeError: 'str' object cannot be interpreted as an integer")]
#[case(vec![c("AF_INET"), s("1\0")], "ValueError: embedded null character")]
#[case(vec![c("AF_INET")], "TypeError: inet_pton() takes exactly 2 arguments (1 given)")]
#[case(vec![], "TypeError: inet_pton() takes exactly 2 arguments (0 given)")]
fn pton(#[case] args: Vec<Object>, #[case] expected: &str) {
    if std::env::consts::OS != "linux" {
        return; // platform-specific values
    }
    assert_eq!(call("inet_pton", args), expected);
}

#[rstest]
#[case(vec![c("AF_INET"), b(b"\x7f\0\0\x01")], "'127.0.0.1'")]
#[case(vec![c("AF_INET"), Object::bytearray(b"abcd".to_vec())], "'97.98.99.100'")]
#[case(vec![c("AF_INET6"), b(&[0; 16])], "'::'")]
#[case(vec![c("AF_INET6"), b(b"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01")], "'2001:db8::1'")]
#[case(vec![c("AF_INET6"), b(b"\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04")], "'::ffff:1.2.3.4'")]
#[case(vec![c("AF_INET"), b(b"abc")], "ValueError: invalid length of packed IP address string")]
#[case(vec![c("AF_INET6"), b(b"\x7f\0\0\x01")], "ValueError: invalid length of packed IP address string")]
#[case(vec![c("AF_UNIX"), b(b"1234")], "ValueError: unknown address family 1")]
#[case(vec![i(-1), b(b"1234")], "ValueError: unknown address family -1")]
#[case(vec![big(31, 0), b(b"1234")], "OverflowError: signed integer is greater than maximum")]
#[case(vec![c("AF_INET"), s("abcd")], "TypeError: a bytes-like object is required, not 'str'")]
#[case(vec![c("AF_UNIX"), s("x")], "TypeError: a bytes-like object is required, not 'str'")]
#[case(vec![c("AF_INET")], "TypeError: inet_ntop() takes exactly 2 arguments (1 given)")]
fn ntop(#[case] args: Vec<Object>, #[case] expected: &str) {
    if std::env::consts::OS != "linux" {
        return; // platform-specific values
    }
    assert_eq!(call("inet_ntop", args), expected);
}

#[rstest]
#[case("CMSG_LEN", vec![i(0)], "16")]
#[case("CMSG_LEN", vec![i(1)], "17")]
#[case("CMSG_LEN", vec![Object::Bool(true)], "17")]
#[case("CMSG_SPACE", vec![i(1)], "24")]
#[case("CMSG_LEN", vec![i(2_147_483_631)], "2147483647")]
#[case("CMSG_SPACE", vec![i(2_147_483_623)], "2147483640")]
#[case("CMSG_LEN", vec![i(-1)], "OverflowError: CMSG_LEN() argument out of range")]
#[case("CMSG_LEN", vec![big(31, 0)], "OverflowError: CMSG_LEN() argument out of range")]
#[case("CMSG_SPACE", vec![big(63, -1)], "OverflowError: CMSG_SPACE() argument out of range")]
#[case("CMSG_LEN", vec![big(63, 0)], "OverflowError: Python int too large to convert to C ssize_t")]
#[case("CMSG_SPACE", vec![neg_big(64)], "OverflowError: Python int too large to convert to C ssize_t")]
#[case("CMSG_LEN", vec![Object::Float(1.0)], "TypeError: 'float' object cannot be interpreted as an integer")]
#[case("CMSG_SPACE", vec![Object::None], "TypeError: 'NoneType' object cannot be interpreted as an integer")]
#[case("CMSG_LEN", vec![], "TypeError: CMSG_LEN() takes exactly 1 argument (0 given)")]
#[case("CMSG_SPACE", vec![i(1), i(2)], "TypeError: CMSG_SPACE() takes exactly 1 argument (2 given)")]
fn cmsg(#[case] name: &str, #[case] args: Vec<Object>, #[case] expected: &str) {
    if !(std::env::consts::OS == "linux" && cfg!(target_pointer_width = "64")) {
        return; // platform-specific values
    }
    assert_eq!(call(name, args), expected);
}

#[rstest]
#[case(Object::None, "None", "None")]
#[case(i(0), "None", "0.0")]
#[case(i(1), "None", "1.0")]
#[case(Object::Bool(true), "None", "1.0")]
#[case(Object::Float(1.5), "None", "1.5")]
#[case(Object::Float(-0.0), "None", "0.0")]
#[case(Object::Float(1e-10), "None", "1e-09")]
#[case(i(9_223_372_036), "None", "9223372036.0")]
#[case(i(-1), "ValueError: Timeout value out of range", "None")]
#[case(Object::Float(-1e-10), "ValueError: Timeout value out of range", "None")]
#[case(
    Object::Float(f64::NAN),
    "ValueError: Invalid value NaN (not a number)",
    "None"
)]
#[case(
    Object::Float(f64::INFINITY),
    "OverflowError: timestamp out of range for platform time_t",
    "None"
)]
#[case(
    Object::Float(1e19),
    "OverflowError: timestamp out of range for platform time_t",
    "None"
)]
#[case(
    i(9_223_372_037),
    "OverflowError: timestamp too large to convert to C PyTime_t",
    "None"
)]
#[case(
    big(64, 0),
    "OverflowError: timestamp too large to convert to C PyTime_t",
    "None"
)]
#[case(
    neg_big(64),
    "OverflowError: timestamp too large to convert to C PyTime_t",
    "None"
)]
#[case(s("x"), "TypeError: must be real number, not str", "None")]
#[case(b(b"1"), "TypeError: must be real number, not bytes", "None")]
#[case(Object::List(vec![]), "TypeError: must be real number, not list", "None")]
fn default_timeout(#[case] value: Object, #[case] set: &str, #[case] get: &str) {
    let mut m = Module::new();
    assert_eq!(run(&mut m, "setdefaulttimeout", vec![value]), set);
    assert_eq!(run(&mut m, "getdefaulttimeout", vec![]), get);
}

#[test]
fn default_timeout_arity_and_reset() {
    let mut m = Module::new();
    assert_eq!(
        run(&mut m, "setdefaulttimeout", vec![]),
        "TypeError: _socket.setdefaulttimeout() takes exactly one argument (0 given)"
    );
    assert_eq!(
        run(&mut m, "getdefaulttimeout", vec![i(1)]),
        "TypeError: _socket.getdefaulttimeout() takes no arguments (1 given)"
    );
    let set = m.getattr("setdefaulttimeout").unwrap();
    let err = m
        .call(&set, vec![], vec![("timeout".into(), i(1))])
        .unwrap_err();
    assert_eq!(
        err.message(),
        "_socket.setdefaulttimeout() takes no keyword arguments"
    );
    run(&mut m, "setdefaulttimeout", vec![c("AF_INET")]);
    assert_eq!(run(&mut m, "getdefaulttimeout", vec![]), "2.0");
    m.reset();
    assert_eq!(run(&mut m, "getdefaulttimeout", vec![]), "None");
}

#[test]
fn keyword_arguments_refused() {
    let mut m = Module::new();
    for (name, display) in [
        ("htons", "_socket.htons"),
        ("inet_pton", "inet_pton"),
        ("CMSG_LEN", "CMSG_LEN"),
    ] {
        let f = m.getattr(name).unwrap();
        let err = m
            .call(&f, vec![i(1)], vec![("x".into(), i(1))])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("TypeError: {display}() takes no keyword arguments")
        );
    }
}

#[rstest]
#[case("AF_INET", "<AddressFamily.AF_INET: 2>", "socket.AddressFamily")]
#[case("SOCK_STREAM", "<SocketKind.SOCK_STREAM: 1>", "socket.SocketKind")]
#[case("MSG_PEEK", "<MsgFlag.MSG_PEEK: 2>", "socket.MsgFlag")]
#[case("AI_PASSIVE", "<AddressInfo.AI_PASSIVE: 1>", "socket.AddressInfo")]
#[case("AF_ROUTE", "<AddressFamily.AF_NETLINK: 16>", "socket.AddressFamily")]
#[case("AF_DECnet", "12", "int")]
#[case("SOL_SOCKET", "1", "int")]
#[case("has_ipv6", "True", "bool")]
#[case("error", "<class 'OSError'>", "type")]
#[case("timeout", "<class 'TimeoutError'>", "type")]
#[case("gaierror", "<class 'socket.gaierror'>", "type")]
#[case("AddressFamily", "<enum 'AddressFamily'>", "enum.EnumType")]
#[case("htons", "<built-in function htons>", "builtin_function_or_method")]
fn module_attributes(#[case] name: &str, #[case] expected_repr: &str, #[case] ty: &str) {
    if std::env::consts::OS == "linux" {
        let v = Module::new().getattr(name).unwrap();
        assert_eq!(repr(&v), expected_repr);
        assert_eq!(type_name(&v), ty);
    }
}

#[test]
fn missing_attributes() {
    let m = Module::new();
    assert_eq!(
        m.getattr("nope").unwrap_err().to_string(),
        "AttributeError: module 'socket' has no attribute 'nope'"
    );
    assert!(!m.has_attr("nope"));
    assert!(m.has_attr("AF_INET"));
    let family = m.getattr("AddressFamily").unwrap();
    assert_eq!(
        m.getattr_of(&family, "AF_X").unwrap_err().message(),
        "type object 'AddressFamily' has no attribute 'AF_X'"
    );
    let inet = m.getattr_of(&family, "AF_INET").unwrap();
    assert_eq!(m.getattr_of(&inet, "name").unwrap(), s("AF_INET"));
    assert_eq!(m.getattr_of(&inet, "value").unwrap(), i(2));
    assert_eq!(
        m.getattr_of(&inet, "nope").unwrap_err().message(),
        "'AddressFamily' object has no attribute 'nope'"
    );
}

#[test]
fn exceptions_as_values() {
    let mut m = Module::new();
    let gai = m.getattr("gaierror").unwrap();
    let e = m
        .call(&gai, vec![i(-2), s("Name or service not known")], vec![])
        .unwrap();
    assert_eq!(type_name(&e), "socket.gaierror");
    assert_eq!(repr(&e), "gaierror(-2, 'Name or service not known')");
    assert_eq!(m.getattr_of(&e, "errno").unwrap(), i(-2));
    let exc = e.as_exception().unwrap();
    assert_eq!(exc.errno_name().as_deref(), Some("EAI_NONAME"));
    assert_eq!(
        exc.mro(),
        [
            "socket.gaierror",
            "OSError",
            "Exception",
            "BaseException",
            "object"
        ]
    );

    let error = m.getattr("error").unwrap();
    let e = m.call(&error, vec![s("m")], vec![]).unwrap();
    assert_eq!(repr(&e), "OSError('m')");
    assert_eq!(m.getattr_of(&e, "errno").unwrap(), Object::None);
    let e = m.call(&error, vec![i(111), s("y")], vec![]).unwrap();
    assert_eq!(type_name(&e), "ConnectionRefusedError");
    let err = m
        .call(&error, vec![], vec![("x".into(), i(1))])
        .unwrap_err();
    assert_eq!(err.message(), "OSError() takes no keyword arguments");
    let herror = m.getattr("herror").unwrap();
    let e = m.call(&herror, vec![i(1), s("y")], vec![]).unwrap();
    assert_eq!(str(&e), "[Errno 1] y");
}

#[test]
fn enum_class_calls() {
    if std::env::consts::OS != "linux" {
        return; // platform-specific values
    }
    let mut m = Module::new();
    let family = m.getattr("AddressFamily").unwrap();
    let flags = m.getattr("MsgFlag").unwrap();
    let info = m.getattr("AddressInfo").unwrap();
    let mut r = |callee: &Object, arg: Object| match m.call(callee, vec![arg], vec![]) {
        Ok(v) => repr(&v),
        Err(e) => e.to_string(),
    };
    assert_eq!(r(&family, i(2)), "<AddressFamily.AF_INET: 2>");
    assert_eq!(r(&family, Object::Float(2.0)), "<AddressFamily.AF_INET: 2>");
    assert_eq!(r(&family, Object::Bool(true)), "<AddressFamily.AF_UNIX: 1>");
    assert_eq!(
        r(&family, i(999)),
        "ValueError: 999 is not a valid AddressFamily"
    );
    assert_eq!(
        r(&family, s("AF_INET")),
        "ValueError: 'AF_INET' is not a valid AddressFamily"
    );
    assert_eq!(r(&flags, i(3)), "<MsgFlag.MSG_OOB|MSG_PEEK: 3>");
    assert_eq!(
        r(&flags, i(1 | 0x10_0000)),
        "<MsgFlag.MSG_OOB|1048576: 1048577>"
    );
    assert_eq!(r(&flags, i(0)), "<MsgFlag: 0>");
    assert_eq!(r(&info, i(1 << 40)), "<AddressInfo: 1099511627776>");
    assert_eq!(
        r(&info, i(-1)),
        "<AddressInfo.AI_PASSIVE|AI_CANONNAME|AI_NUMERICHOST|AI_V4MAPPED|AI_ALL|AI_ADDRCONFIG|AI_NUMERICSERV|960: 2047>"
    );
}

proptest! {
    #[test]
    fn htons_ntohs_round_trip(x in 0i64..=0xffff) {
        let once = call("htons", vec![i(x)]);
        let twice = call("ntohs", vec![Object::int(once.parse::<i64>().unwrap())]);
        prop_assert_eq!(twice, x.to_string());
    }

    #[test]
    fn htonl_ntohl_round_trip(x in 0i64..=0xffff_ffff) {
        let once = call("htonl", vec![i(x)]);
        let twice = call("ntohl", vec![Object::int(once.parse::<i64>().unwrap())]);
        prop_assert_eq!(twice, x.to_string());
    }

    #[test]
    fn inet_aton_ntoa_round_trip(packed: [u8; 4]) {
        let mut m = Module::new();
        let ntoa = m.getattr("inet_ntoa").unwrap();
        let aton = m.getattr("inet_aton").unwrap();
        let text = m.call(&ntoa, vec![b(&packed)], vec![]).unwrap();
        prop_assert_eq!(m.call(&aton, vec![text], vec![]).unwrap(), b(&packed));
    }

    #[test]
    fn inet_pton_ntop_round_trip(packed: [u8; 16]) {
        let mut m = Module::new();
        let af = m.getattr("AF_INET6").unwrap();
        let ntop = m.getattr("inet_ntop").unwrap();
        let pton = m.getattr("inet_pton").unwrap();
        let text = m.call(&ntop, vec![af.clone(), b(&packed)], vec![]).unwrap();
        prop_assert_eq!(m.call(&pton, vec![af, text], vec![]).unwrap(), b(&packed));
    }

    #[test]
    fn float_repr_reads_back(x: f64) {
        let text = float_repr(x);
        if x.is_finite() {
            prop_assert_eq!(text.parse::<f64>().unwrap(), x);
        }
    }
}
