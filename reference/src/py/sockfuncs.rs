//! The module-level functions of `socket` that make or use sockets: `socketpair`,
//! `fromfd`, `dup`, `close`, `getaddrinfo` (numeric hosts only), `create_connection`,
//! `create_server` and `has_dualstack_ipv6`, with the argument handling of `socket.py`
//! (for those written in Python) or of `Modules/socketmodule.c`.

use std::rc::Rc;

use super::args::{self, Call, PySig};
use super::exception::PyException;
use super::object::{Object, repr, tp_name, truthy};
use super::socket::{self as pysocket, SocketRef, enum_or_int};
use super::state::{Owner, State};
use crate::core::constants::{self, EnumClass};
use crate::core::netdb;
use crate::core::socket::Socket;
use crate::core::{Error, ExcType};

type PyResult = Result<Object, PyException>;

/// The names of the functions implemented here.
pub const NAMES: &[&str] = &[
    "close",
    "create_connection",
    "create_server",
    "dup",
    "fromfd",
    "fromshare",
    "getaddrinfo",
    "has_dualstack_ipv6",
    "recv_fds",
    "send_fds",
    "socketpair",
];

/// Calls the function `name`; `None` when there is no such function here.
pub fn call(name: &str, call: &Call<'_>, state: &Rc<State>) -> Option<PyResult> {
    Some(match name {
        "socketpair" => socketpair(call, state),
        "fromfd" => fromfd(call, state),
        "fromshare" => fromshare(call, state),
        "dup" => dup(call, state),
        "close" => close(call, state),
        "getaddrinfo" => getaddrinfo(call, state),
        "send_fds" => super::msg::send_fds(call),
        "recv_fds" => super::msg::recv_fds(call),
        "create_connection" => create_connection(call, state),
        "create_server" => create_server(call, state),
        "has_dualstack_ipv6" => call
            .python_noargs_fn("has_dualstack_ipv6")
            .map(|()| Object::Bool(has_dualstack_ipv6(state))),
        _ => return None,
    })
}

fn constant(name: &str) -> i32 {
    constants::value(name)
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or(-1)
}

/// `socket.socketpair(family=None, type=SOCK_STREAM, proto=0)`: `socket.py`'s wrapper
/// (`None` is `AF_UNIX`) over the C `socketpair` (`"|iii:socketpair"`).
fn socketpair(call: &Call<'_>, state: &Rc<State>) -> PyResult {
    if !crate::sys::FEATURES.socketpair {
        return fallback_socketpair(call, state);
    }
    let sig = PySig {
        name: "socketpair",
        params: &["family", "type", "proto"],
        required: 0,
        kwonly: &[],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let family = match bound[0] {
        None | Some(Object::None) => constant("AF_UNIX"),
        Some(f) => args::parse_i(f)?,
    };
    let ty = bound[1].map(args::parse_i).transpose()?;
    let ty = ty.unwrap_or_else(|| constant("SOCK_STREAM"));
    let proto = bound[2].map(args::parse_i).transpose()?.unwrap_or(0);
    let (a, b) = Socket::pair(family, ty, proto, state.default_timeout())?;
    // socket.py wraps each end: socket(family, type, proto, fileno).
    let init = [family, ty, proto];
    Ok(Object::Tuple(vec![
        SocketRef::initialised(Ok(a), init, state)?,
        SocketRef::initialised(Ok(b), init, state)?,
    ]))
}

/// `socket.socketpair` where `_socket` has none (Windows): `socket.py`'s
/// `_fallback_socketpair(family=AF_INET, type=SOCK_STREAM, proto=0)`, a TCP connection
/// over the loopback interface made with a listening socket and a non-blocking
/// `connect`, then checked (`ConnectionError("Unexpected peer connection")` when the two
/// ends are not each other's peers).
fn fallback_socketpair(call: &Call<'_>, state: &Rc<State>) -> PyResult {
    let sig = PySig {
        name: "_fallback_socketpair",
        params: &["family", "type", "proto"],
        required: 0,
        kwonly: &[],
        method: false,
    };
    let bound = call.bind(&sig)?;
    // The defaults are socket.py's module globals AF_INET and SOCK_STREAM.
    let module_int = |name: &str| {
        constants::lookup(name).map_or(Object::None, |c| match c.class {
            Some(class) => enum_or_int(class, i32::try_from(c.value).unwrap_or(-1)),
            None => Object::int(c.value),
        })
    };
    let family = bound[0].cloned().unwrap_or_else(|| module_int("AF_INET"));
    let ty = bound[1]
        .cloned()
        .unwrap_or_else(|| module_int("SOCK_STREAM"));
    let proto = bound[2].cloned().unwrap_or_else(|| Object::int(0));
    let is = |obj: &Object, name: &str| {
        constants::value(name).is_some_and(|v| pysocket::py_eq_int(obj, v))
    };
    let host = if is(&family, "AF_INET") {
        "127.0.0.1"
    } else if is(&family, "AF_INET6") {
        "::1"
    } else {
        return Err(PyException::value_error(
            "Only AF_INET and AF_INET6 socket address families are supported",
        ));
    };
    if !is(&ty, "SOCK_STREAM") {
        return Err(PyException::value_error(
            "Only SOCK_STREAM socket type is supported",
        ));
    }
    if !pysocket::py_eq_int(&proto, 0) {
        return Err(PyException::value_error("Only protocol zero is supported"));
    }
    let new_socket = || {
        let args = [family.clone(), ty.clone(), proto.clone()];
        match pysocket::construct(
            &Call {
                args: &args,
                kwargs: &[],
            },
            state,
        )? {
            Object::Socket(s) => Ok::<SocketRef, PyException>(s),
            _ => unreachable!("socket() makes a socket"),
        }
    };
    let lsock = new_socket()?;
    let made = (|| {
        let loopback = Object::Tuple(vec![Object::str(host), Object::int(0)]);
        pysocket::invoke(&lsock, "bind", &[loopback])?;
        pysocket::invoke(&lsock, "listen", &[])?;
        let Object::Tuple(name) = pysocket::invoke(&lsock, "getsockname", &[])? else {
            unreachable!("an IP socket's name is a tuple")
        };
        let target = Object::Tuple(name[..2].to_vec());
        let csock = new_socket()?;
        let connected = (|| {
            pysocket::invoke(&csock, "setblocking", &[Object::Bool(false)])?;
            match pysocket::invoke(&csock, "connect", &[target]) {
                Err(e)
                    if matches!(
                        e.exc_type(),
                        ExcType::BlockingIOError | ExcType::InterruptedError
                    ) => {}
                other => {
                    other?;
                }
            }
            pysocket::invoke(&csock, "setblocking", &[Object::Bool(true)])?;
            let Object::Tuple(pair) = pysocket::invoke(&lsock, "accept", &[])? else {
                unreachable!("accept returns a tuple")
            };
            Ok::<_, PyException>(pair[0].clone())
        })();
        match connected {
            Ok(ssock) => Ok((ssock, csock)),
            Err(e) => {
                let _ = csock.close();
                Err(e)
            }
        }
    })();
    let _ = lsock.close();
    let (ssock, csock) = made?;
    let Object::Socket(ssock) = ssock else {
        unreachable!("accept returns a socket")
    };
    let checked = (|| {
        let peers_match = pysocket::invoke(&ssock, "getsockname", &[])?
            == pysocket::invoke(&csock, "getpeername", &[])?
            && pysocket::invoke(&csock, "getsockname", &[])?
                == pysocket::invoke(&ssock, "getpeername", &[])?;
        if peers_match {
            Ok(())
        } else {
            Err(PyException::with_message(
                ExcType::ConnectionError,
                "Unexpected peer connection",
            ))
        }
    })();
    if let Err(e) = checked {
        let _ = ssock.close();
        let _ = csock.close();
        return Err(e);
    }
    Ok(Object::Tuple(vec![
        Object::Socket(ssock),
        Object::Socket(csock),
    ]))
}

/// `socket.fromshare(info)` (Windows, `socket.py`): `socket(0, 0, 0, info)`, which makes
/// the socket from the `WSAPROTOCOL_INFOW` bytes `socket.socket.share` returned.
fn fromshare(call: &Call<'_>, state: &Rc<State>) -> PyResult {
    let sig = PySig {
        name: "fromshare",
        params: &["info"],
        required: 1,
        kwonly: &[],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let args = [
        Object::int(0),
        Object::int(0),
        Object::int(0),
        bound[0].cloned().unwrap_or(Object::None),
    ];
    pysocket::construct(
        &Call {
            args: &args,
            kwargs: &[],
        },
        state,
    )
}

/// `socket.dup(fd)`'s descriptor argument (`PyLong_AsLong`), as an `int` descriptor
/// number (`-1` for values no descriptor can have, which the C call then refuses).
fn fd_arg(obj: &Object) -> Result<i32, PyException> {
    Ok(i32::try_from(args::c_long(obj)?).unwrap_or(-1))
}

/// `socket.fromfd(fd, family, type, proto=0)`: `socket(family, type, proto, dup(fd))`.
/// The duplicate is closed again when making the socket fails (CPython leaves it to
/// leak).
fn fromfd(call: &Call<'_>, state: &Rc<State>) -> PyResult {
    let sig = PySig {
        name: "fromfd",
        params: &["fd", "family", "type", "proto"],
        required: 3,
        kwonly: &[],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let fd = fd_arg(bound[0].unwrap_or(&Object::None))?;
    let new = Socket::dup_fd(fd)?;
    let made = (|| {
        let family = args::c_int(bound[1].unwrap_or(&Object::None))?;
        let ty = args::c_int(bound[2].unwrap_or(&Object::None))?;
        let proto = bound[3].map(args::c_int).transpose()?.unwrap_or(0);
        let given = |n: i32| (n != -1).then_some(n);
        let sock = Socket::from_fd(
            new,
            given(family),
            given(ty),
            given(proto),
            state.default_timeout(),
        )
        .map_err(PyException::from);
        SocketRef::initialised(sock, [family, ty, proto], state)
    })();
    if made.is_err() {
        let _ = Socket::close_fd(new);
    }
    made
}

/// `socket.dup(fd)` → `fcntl(F_DUPFD_CLOEXEC)`: the new descriptor's number.
fn dup(call: &Call<'_>, state: &Rc<State>) -> PyResult {
    let fd = fd_arg(call.meth_o("_socket.dup")?)?;
    let new = Socket::dup_fd(fd)?;
    state.hand_out(new);
    Ok(Object::int(new))
}

/// `socket.close(fd)` → C `close(2)` (`ECONNRESET` ignored). Only descriptors the
/// module handed out are closed (see [`State`]).
fn close(call: &Call<'_>, state: &Rc<State>) -> PyResult {
    let fd = fd_arg(call.meth_o("_socket.close")?)?;
    match state.owner(fd) {
        Owner::Free => {
            state.take(fd);
            Socket::close_fd(fd)?;
        }
        Owner::Socket => state
            .with_owner(fd, Socket::close_underneath)
            .unwrap_or_else(|| Err(Error::bad_descriptor()))?,
        Owner::Unknown => return Err(state.refuse()),
    }
    Ok(Object::None)
}

/// `socket.getaddrinfo(host, port, family=0, type=0, proto=0, flags=0)` through the
/// system's `getaddrinfo` (see [`netdb`]), with the C function's argument checks and
/// `socket.py`'s conversion of families and types to enum members.
fn getaddrinfo(call: &Call<'_>, state: &State) -> PyResult {
    let sig = PySig {
        name: "getaddrinfo",
        params: &["host", "port", "family", "type", "proto", "flags"],
        required: 2,
        kwonly: &[],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let num = |i: usize| {
        bound[i]
            .map(args::parse_i)
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let (family, socktype, proto, flags) = (num(2)?, num(3)?, num(4)?, num(5)?);
    let host = match bound[0].unwrap_or(&Object::None) {
        Object::None => None,
        // Every `str` host goes through the `idna` codec, ASCII too (whose fast path still
        // refuses empty and too long labels).
        Object::Str(s) => {
            Some(crate::core::idna::encode(s).map_err(|e| super::exception::idna_error(s, &e))?)
        }
        Object::Bytes(b) => Some(b.clone()),
        _ => {
            return Err(PyException::type_error(
                "getaddrinfo() argument 1 must be string or None",
            ));
        }
    };
    let port = match bound[1].unwrap_or(&Object::None) {
        // 3.12+: `str(port)`, so an int of any size is a service string.
        Object::Int(i) => Some(i.to_string().into_bytes()),
        Object::Str(s) => Some(s.as_bytes().to_vec()),
        Object::Bytes(b) => Some(b.clone()),
        Object::None => None,
        _ => return Err(Error::os("Int or String expected").into()),
    };
    // CPython hands the C library `char *` pointers, which end at the first NUL.
    let c_string = |b: Vec<u8>| match b.iter().position(|&c| c == 0) {
        Some(end) => b[..end].to_vec(),
        None => b,
    };
    let (host, port) = (host.map(c_string), port.map(c_string));
    // Raised once host and port are converted, with the objects as given.
    state.audit("socket.getaddrinfo", || {
        let given = |i: usize| bound[i].cloned().unwrap_or(Object::None);
        vec![
            given(0),
            given(1),
            Object::int(family),
            Object::int(socktype),
            Object::int(proto),
        ]
    });
    let list = netdb::getaddrinfo(
        host.as_deref(),
        port.as_deref(),
        family,
        socktype,
        proto,
        flags,
    )?;
    let mut out = Vec::with_capacity(list.len());
    for info in list {
        out.push(Object::Tuple(vec![
            enum_or_int(EnumClass::AddressFamily, info.family),
            enum_or_int(EnumClass::SocketKind, info.socktype),
            Object::int(info.protocol),
            Object::Str(info.canonname),
            pysocket::addr_object(info.addr)?,
        ]));
    }
    Ok(Object::List(out))
}

/// `host, port = address`: Python's unpacking of a two-item iterable.
fn unpack_pair(address: &Object) -> Result<(Object, Object), PyException> {
    let items: Vec<Object> = match address {
        Object::Tuple(items) | Object::List(items) => items.clone(),
        Object::Str(s) => s.chars().map(|c| Object::Str(c.to_string())).collect(),
        Object::Bytes(b) => b.iter().map(|&x| Object::int(x)).collect(),
        Object::ByteArray(b) => b.borrow().iter().map(|&x| Object::int(x)).collect(),
        other => {
            return Err(PyException::type_error(format!(
                "cannot unpack non-iterable {} object",
                tp_name(other)
            )));
        }
    };
    match <[Object; 2]>::try_from(items) {
        Ok([host, port]) => Ok((host, port)),
        Err(items) if items.len() > 2 => Err(PyException::value_error(
            "too many values to unpack (expected 2)",
        )),
        Err(items) => Err(PyException::value_error(format!(
            "not enough values to unpack (expected 2, got {})",
            items.len()
        ))),
    }
}

/// `socket.create_connection(address, timeout=…, source_address=None, *,
/// all_errors=False)`, as `socket.py` writes it: every address `getaddrinfo` gives for
/// `(host, port)` and `SOCK_STREAM` is tried in turn; the last error is raised, or with
/// `all_errors` an `ExceptionGroup` of all of them.
fn create_connection(call: &Call<'_>, state: &Rc<State>) -> PyResult {
    let sig = PySig {
        name: "create_connection",
        params: &["address", "timeout", "source_address"],
        required: 1,
        kwonly: &["all_errors"],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let (host, port) = unpack_pair(bound[0].unwrap_or(&Object::None))?;
    let all_errors = bound[3].is_some_and(truthy);
    let stream = Object::int(constant("SOCK_STREAM"));
    let infos = getaddrinfo(
        &Call {
            args: &[host, port, Object::int(0), stream],
            kwargs: &[],
        },
        state,
    )?;
    let Object::List(infos) = infos else {
        unreachable!("getaddrinfo returns a list")
    };
    let mut errors: Vec<PyException> = Vec::new();
    for info in infos {
        let Object::Tuple(fields) = info else {
            unreachable!("getaddrinfo entries are tuples")
        };
        let made = pysocket::construct(
            &Call {
                args: &fields[..3],
                kwargs: &[],
            },
            state,
        );
        let attempt = made.and_then(|sock| {
            let s = sock.as_socket().cloned().expect("a socket");
            let steps = (|| {
                if let Some(t) = bound[1] {
                    pysocket::invoke(&s, "settimeout", std::slice::from_ref(t))?;
                }
                if let Some(src) = bound[2].filter(|a| truthy(a)) {
                    pysocket::invoke(&s, "bind", std::slice::from_ref(src))?;
                }
                pysocket::invoke(&s, "connect", std::slice::from_ref(&fields[4]))
            })();
            match steps {
                Ok(_) => Ok(sock),
                Err(e) => {
                    if e.exc_type().is_oserror() {
                        let _ = s.close();
                    }
                    Err(e)
                }
            }
        });
        match attempt {
            Ok(sock) => return Ok(sock),
            Err(e) if e.exc_type().is_oserror() => {
                if !all_errors {
                    errors.clear();
                }
                errors.push(e);
            }
            Err(e) => return Err(e),
        }
    }
    if errors.is_empty() {
        return Err(Error::os("getaddrinfo returns an empty list").into());
    }
    if all_errors {
        return Err(PyException::group("create_connection failed", errors));
    }
    Err(errors.remove(0))
}

/// `socket.create_server(address, *, family=AF_INET, backlog=None, reuse_port=False,
/// dualstack_ipv6=False)`, as `socket.py` writes it: `SO_REUSEADDR` except on Windows
/// (`sys::FEATURES.create_server_reuseaddr`), `SO_REUSEPORT` on request (a `ValueError`
/// where the platform has none), `IPV6_V6ONLY` for `AF_INET6`, then `bind` (whose error
/// is re-raised as `OSError(errno, "… (while attempting to bind on address …)")`) and
/// `listen`.
fn create_server(call: &Call<'_>, state: &Rc<State>) -> PyResult {
    let sig = PySig {
        name: "create_server",
        params: &["address"],
        required: 1,
        kwonly: &["family", "backlog", "reuse_port", "dualstack_ipv6"],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let address = bound[0].unwrap_or(&Object::None);
    let af_inet6 = Object::int(constant("AF_INET6"));
    let family = bound[1]
        .cloned()
        .unwrap_or_else(|| Object::int(constant("AF_INET")));
    let reuse_port = bound[3].is_some_and(truthy);
    let dualstack = bound[4].is_some_and(truthy);
    let is_inet6 = family.as_int().is_some() && family.as_int() == af_inet6.as_int();
    if reuse_port && constants::value("SO_REUSEPORT").is_none() {
        return Err(PyException::value_error(
            "SO_REUSEPORT not supported on this platform",
        ));
    }
    if dualstack {
        if !has_dualstack_ipv6(state) {
            return Err(PyException::value_error(
                "dualstack_ipv6 not supported on this platform",
            ));
        }
        if !is_inet6 {
            return Err(PyException::value_error(
                "dualstack_ipv6 requires AF_INET6 family",
            ));
        }
    }
    let sock = pysocket::construct(
        &Call {
            args: &[family, Object::int(constant("SOCK_STREAM"))],
            kwargs: &[],
        },
        state,
    )?;
    let s = sock.as_socket().cloned().expect("a socket");
    let opt = |level: &str, name: &str, value: i64| {
        pysocket::invoke(
            &s,
            "setsockopt",
            &[
                Object::int(constant(level)),
                Object::int(constant(name)),
                Object::int(value),
            ],
        )
    };
    let steps = (|| {
        if crate::sys::FEATURES.create_server_reuseaddr {
            let _ = opt("SOL_SOCKET", "SO_REUSEADDR", 1);
        }
        if reuse_port {
            opt("SOL_SOCKET", "SO_REUSEPORT", 1)?;
        }
        if constants::HAS_IPV6 && is_inet6 {
            opt("IPPROTO_IPV6", "IPV6_V6ONLY", if dualstack { 0 } else { 1 })?;
        }
        if let Err(err) = pysocket::invoke(&s, "bind", std::slice::from_ref(address)) {
            if !err.exc_type().is_oserror() {
                return Err(err);
            }
            let strerror = err.strerror().unwrap_or(Object::None);
            let message = format!(
                "{} (while attempting to bind on address {})",
                super::object::str(&strerror),
                repr(address)
            );
            let errno = err.errno_object().cloned().unwrap_or(Object::None);
            return Err(PyException::new(
                ExcType::OSError,
                vec![errno, Object::Str(message)],
            ));
        }
        match bound[2] {
            None | Some(Object::None) => pysocket::invoke(&s, "listen", &[])?,
            Some(backlog) => pysocket::invoke(&s, "listen", std::slice::from_ref(backlog))?,
        };
        Ok(())
    })();
    match steps {
        Ok(()) => Ok(sock),
        Err(e) => {
            if e.exc_type().is_oserror() {
                let _ = s.close();
            }
            Err(e)
        }
    }
}

/// `socket.has_dualstack_ipv6()`: whether an `AF_INET6` stream socket accepts
/// `IPV6_V6ONLY = 0`.
fn has_dualstack_ipv6(state: &Rc<State>) -> bool {
    if !constants::HAS_IPV6 {
        return false;
    }
    let made = pysocket::construct(
        &Call {
            args: &[
                Object::int(constant("AF_INET6")),
                Object::int(constant("SOCK_STREAM")),
            ],
            kwargs: &[],
        },
        state,
    );
    let Ok(sock) = made else { return false };
    let s = sock.as_socket().cloned().expect("a socket");
    let ok = pysocket::invoke(
        &s,
        "setsockopt",
        &[
            Object::int(constant("IPPROTO_IPV6")),
            Object::int(constant("IPV6_V6ONLY")),
            Object::int(0),
        ],
    )
    .is_ok();
    let _ = s.close();
    ok
}
