//! The module-level functions of `socket` that need no socket, with CPython's argument
//! handling: `htons`, `htonl`, `ntohs`, `ntohl`, `inet_aton`, `inet_ntoa`,
//! `inet_pton`, `inet_ntop`, `CMSG_LEN`, `CMSG_SPACE`, `getdefaulttimeout`,
//! `setdefaulttimeout`, `if_nametoindex`, `if_indextoname`, `if_nameindex`, and the
//! name service lookups `gethostname`, `gethostbyname`, `getnameinfo`, `getservbyname`,
//! `getservbyport`, `getprotobyname`, `gethostbyname_ex`, `gethostbyaddr`, `getfqdn`.

use num_traits::ToPrimitive;

use super::args::{self, Call};
use super::exception::PyException;
use super::object::{Object, tp_name};
use super::state::State;
use crate::core::timeout::{self, Timeout};
use crate::core::{address, byteorder, cmsg, inet, netdb, netif};

type PyResult = Result<Object, PyException>;

/// The names of the functions implemented here, in the order `dir(socket)` would list
/// them.
pub const NAMES: &[&str] = &[
    "CMSG_LEN",
    "CMSG_SPACE",
    "getdefaulttimeout",
    "getfqdn",
    "gethostbyaddr",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostname",
    "getnameinfo",
    "getprotobyname",
    "getservbyname",
    "getservbyport",
    "htonl",
    "htons",
    "if_indextoname",
    "if_nameindex",
    "if_nametoindex",
    "inet_aton",
    "inet_ntoa",
    "inet_ntop",
    "inet_pton",
    "ntohl",
    "ntohs",
    "setdefaulttimeout",
    "sethostname",
];

/// Calls the function `name`; `None` when there is no such function.
pub fn call(name: &str, call: &Call<'_>, state: &std::rc::Rc<State>) -> Option<PyResult> {
    Some(match name {
        "htons" => short(call, "htons", byteorder::htons),
        "ntohs" => short(call, "ntohs", byteorder::ntohs),
        "htonl" => long(call, "htonl", byteorder::htonl),
        "ntohl" => long(call, "ntohl", byteorder::ntohl),
        "inet_aton" => inet_aton(call),
        "inet_ntoa" => inet_ntoa(call),
        "inet_pton" => inet_pton(call),
        "inet_ntop" => inet_ntop(call),
        "CMSG_LEN" => cmsg_fn(call, "CMSG_LEN", cmsg::len),
        "CMSG_SPACE" => cmsg_fn(call, "CMSG_SPACE", cmsg::space),
        "getdefaulttimeout" => getdefaulttimeout(call, state),
        "if_nametoindex" => if_nametoindex(call),
        "if_indextoname" => if_indextoname(call),
        "if_nameindex" => if_nameindex(call),
        "setdefaulttimeout" => setdefaulttimeout(call, state),
        "gethostname" => gethostname(call, state),
        "gethostbyname" => gethostbyname(call, state),
        "gethostbyname_ex" => host_triple(call, state, "gethostbyname_ex", netdb::gethostbyname_ex),
        "gethostbyaddr" => host_triple(call, state, "gethostbyaddr", netdb::gethostbyaddr),
        "getfqdn" => getfqdn(call, state),
        "getnameinfo" => getnameinfo(call, state),
        "getservbyname" => getservbyname(call, state),
        "getservbyport" => getservbyport(call, state),
        "getprotobyname" => getprotobyname(call),
        "sethostname" => sethostname(call, state),
        _ => return None,
    })
}

/// `socket.htons(x)` / `socket.ntohs(x)`: since 3.14 Argument Clinic's `uint16`
/// converter (`_PyLong_UInt16_Converter`, gh-132987): a negative value is a `ValueError`,
/// one over 16 bits an `OverflowError`; before 3.10 the value was truncated instead.
fn short(call: &Call<'_>, name: &str, f: fn(u16) -> u16) -> PyResult {
    let x = args::unsigned::<u16>(call.meth_o(&format!("_socket.{name}"))?, "uint16_t")?;
    Ok(Object::int(f(x)))
}

/// `socket.htonl(x)` / `socket.ntohl(x)`: since 3.14 Argument Clinic's `uint32`
/// converter, with the same rules as [`short`] for 32 bits.
fn long(call: &Call<'_>, name: &str, f: fn(u32) -> u32) -> PyResult {
    let x = args::unsigned::<u32>(call.meth_o(&format!("_socket.{name}"))?, "uint32_t")?;
    Ok(Object::int(f(x)))
}

/// `socket.if_nametoindex(if_name)` (`METH_O`, `PyUnicode_FSConverter`: `str` encoded
/// as UTF-8, or `bytes`).
fn if_nametoindex(call: &Call<'_>) -> PyResult {
    let name = args::fs_path(call.meth_o("_socket.if_nametoindex")?)?;
    Ok(Object::int(netif::name_to_index(&name)?))
}

/// `socket.if_indextoname(if_index)` (`METH_O`): an `int` (`TypeError("an integer is
/// required")` otherwise) converted with `PyLong_AsUnsignedLong`, then refused above
/// `UINT_MAX` (`OverflowError("index is too large")`).
fn if_indextoname(call: &Call<'_>) -> PyResult {
    let arg = call.meth_o("_socket.if_indextoname")?;
    let Some(index) = arg.as_int() else {
        return Err(PyException::type_error("an integer is required"));
    };
    if index.sign() == num_bigint::Sign::Minus {
        return Err(PyException::overflow_error(
            "can't convert negative value to unsigned int",
        ));
    }
    let index = index.to_u64().ok_or_else(|| {
        PyException::overflow_error("Python int too large to convert to C unsigned long")
    })?;
    let index =
        u32::try_from(index).map_err(|_| PyException::overflow_error("index is too large"))?;
    let name = netif::index_to_name(index)?;
    Ok(Object::str(String::from_utf8_lossy(&name)))
}

/// `socket.if_nameindex()` (`METH_NOARGS`): a list of `(index, name)` tuples.
fn if_nameindex(call: &Call<'_>) -> PyResult {
    call.meth_noargs("_socket.if_nameindex")?;
    Ok(Object::List(
        netif::name_index()?
            .into_iter()
            .map(|(index, name)| {
                Object::Tuple(vec![
                    Object::int(index),
                    Object::str(String::from_utf8_lossy(&name)),
                ])
            })
            .collect(),
    ))
}

/// `socket.inet_aton(ip_string)` (Argument Clinic, `ip_addr: str`).
fn inet_aton(call: &Call<'_>) -> PyResult {
    let text = args::c_str(call.meth_o("_socket.inet_aton")?, "inet_aton() argument")?;
    Ok(Object::Bytes(inet::aton(text)?.to_vec()))
}

/// `socket.inet_ntoa(packed_ip)` (Argument Clinic, `packed_ip: Py_buffer`).
fn inet_ntoa(call: &Call<'_>) -> PyResult {
    let packed = args::buffer(call.meth_o("_socket.inet_ntoa")?)?;
    Ok(Object::Str(inet::ntoa(&packed)?))
}

/// `socket.inet_pton(address_family, ip_string)` (`PyArg_ParseTuple`, `"is"`).
fn inet_pton(call: &Call<'_>) -> PyResult {
    let [family, text] = call.exactly("inet_pton", 2)? else {
        unreachable!("exactly two arguments")
    };
    let family = args::parse_i(family)?;
    let text = args::c_str(text, "inet_pton() argument 2")?;
    Ok(Object::Bytes(inet::pton(family, text)?))
}

/// `socket.inet_ntop(address_family, packed_ip)` (`PyArg_ParseTuple`, `"iy*"`).
fn inet_ntop(call: &Call<'_>) -> PyResult {
    let [family, packed] = call.exactly("inet_ntop", 2)? else {
        unreachable!("exactly two arguments")
    };
    let family = args::parse_i(family)?;
    let packed = args::buffer(packed)?;
    Ok(Object::Str(inet::ntop(family, &packed)?))
}

/// `socket.CMSG_LEN(length)` / `socket.CMSG_SPACE(length)` (`PyArg_ParseTuple`, `"n"`).
fn cmsg_fn(call: &Call<'_>, name: &str, f: fn(i64) -> Result<u64, crate::core::Error>) -> PyResult {
    let [length] = call.exactly(name, 1)? else {
        unreachable!("exactly one argument")
    };
    Ok(Object::int(f(args::parse_n(length)?)?))
}

/// `socket.getdefaulttimeout()`: `None` or the timeout in seconds as a float.
fn getdefaulttimeout(call: &Call<'_>, state: &State) -> PyResult {
    call.meth_noargs("_socket.getdefaulttimeout")?;
    Ok(match state.default_timeout() {
        None => Object::None,
        Some(t) => Object::Float(t.as_secs_f64()),
    })
}

/// `socket.setdefaulttimeout(timeout)`.
fn setdefaulttimeout(call: &Call<'_>, state: &State) -> PyResult {
    let value = call.meth_o("_socket.setdefaulttimeout")?;
    state.set_default_timeout(parse_timeout(value)?);
    Ok(Object::None)
}

/// A timeout value as `socket.setdefaulttimeout` and `socket.settimeout` take it:
/// `None`, an int (`bool` and enum members included) or a float; since 3.15 any real
/// number (the value model holds no other real type). Other types raise `TypeError`
/// with the message of `PyFloat_AsDouble`, which CPython 3.15 falls back to for
/// non-integers (`must be real number, not str`). Where CPython waits with `select()`
/// (Windows, `sys::FEATURES.timeout_limit_ms`), a timeout whose milliseconds (rounded up)
/// exceed a C `int` raises `OverflowError("timeout doesn't fit into C timeval")`.
pub fn parse_timeout(value: &Object) -> Result<Option<Timeout>, PyException> {
    let nanos = match value {
        Object::None => return Ok(None),
        Object::Float(f) => timeout::nanos_from_float(*f)?,
        // 3.15: any real number, through `float()`.
        Object::Real(r) => timeout::nanos_from_float(r.value)?,
        other => match other.as_int() {
            Some(i) => timeout::nanos_from_int(i.to_i64())?,
            None => {
                return Err(PyException::type_error(format!(
                    "must be real number, not {}",
                    tp_name(other)
                )));
            }
        },
    };
    let timeout = Timeout::from_nanos(nanos)?;
    if let Some(limit) = crate::sys::FEATURES.timeout_limit_ms {
        // _PyTime_AsMilliseconds(timeout, _PyTime_ROUND_TIMEOUT): up, for a positive one.
        let ms = timeout.as_nanos().unsigned_abs().div_ceil(1_000_000);
        if ms > limit.unsigned_abs() {
            return Err(PyException::overflow_error(
                "timeout doesn't fit into C timeval",
            ));
        }
    }
    Ok(Some(timeout))
}

/// `socket.gethostname()` (`METH_NOARGS`): `gethostname(2)` decoded with the file
/// system encoding. (On Windows CPython asks `GetComputerNameExW` instead; the name
/// differs at most in case.)
fn gethostname(call: &Call<'_>, state: &State) -> PyResult {
    call.meth_noargs("_socket.gethostname")?;
    state.audit("socket.gethostname", Vec::new);
    Ok(Object::Str(netdb::gethostname()?))
}

/// `socket.sethostname(name)`: `bytes` as they are (`"S"`), else the name through
/// `PyUnicode_FSConverter`; the audit event names those bytes; then `sethostname(2)`.
/// The runner calls it only on a thread with a private UTS namespace (see
/// `netdb::private_hostname`).
fn sethostname(call: &Call<'_>, state: &State) -> PyResult {
    let [name] = call.exactly("sethostname", 1)? else {
        unreachable!("exactly one argument")
    };
    let name = match name {
        Object::Bytes(b) => b.clone(),
        other => args::fs_path(other)?,
    };
    state.audit("socket.sethostname", || vec![Object::Bytes(name.clone())]);
    netdb::sethostname(&name)?;
    Ok(Object::None)
}

/// `socket.gethostbyname(hostname)` (`"O&:gethostbyname"` with `idna_converter`):
/// `setipaddr(name, AF_INET)` and the address's text.
fn gethostbyname(call: &Call<'_>, state: &State) -> PyResult {
    let [host] = call.exactly("gethostbyname", 1)? else {
        unreachable!("exactly one argument")
    };
    let name = host_arg(host, "gethostbyname")?;
    state.audit("socket.gethostbyname", || vec![host.clone()]);
    Ok(Object::Str(address::resolve_ipv4(&name)?.to_string()))
}

/// A host name as `idna_converter` takes it for a named function: `str` (ASCII as
/// it is, other text through the `idna` codec), `bytes` or `bytearray`, without NUL.
fn host_arg(host: &Object, name: &str) -> Result<Vec<u8>, PyException> {
    let bytes = match host {
        Object::Str(s) if s.is_ascii() => s.as_bytes().to_vec(),
        Object::Str(s) => {
            crate::core::idna::encode(s).map_err(|e| super::exception::idna_error(s, &e))?
        }
        Object::Bytes(b) => b.clone(),
        Object::ByteArray(b) => b.borrow().clone(),
        other => {
            return Err(PyException::type_error(format!(
                "{name}() argument 1 must be str, bytes or bytearray, not {}",
                tp_name(other)
            )));
        }
    };
    if bytes.contains(&0) {
        return Err(PyException::type_error(format!(
            "{name}() argument 1 must be encoded string without null bytes, not {}",
            tp_name(host)
        )));
    }
    Ok(bytes)
}

/// `socket.getnameinfo(sockaddr, flags)` (`"Oi:getnameinfo"`, then the tuple as
/// `"si|II;getnameinfo(): illegal sockaddr argument"`; the rest in
/// [`netdb::getnameinfo`]).
fn getnameinfo(call: &Call<'_>, state: &State) -> PyResult {
    let [sa, flags] = call.exactly("getnameinfo", 2)? else {
        unreachable!("exactly two arguments")
    };
    let flags = args::parse_i(flags)?;
    let Object::Tuple(items) = sa else {
        return Err(PyException::type_error(
            "getnameinfo() argument 1 must be a tuple",
        ));
    };
    let illegal = || PyException::type_error("getnameinfo(): illegal sockaddr argument");
    if !(2..=4).contains(&items.len()) {
        return Err(illegal());
    }
    let Object::Str(host) = &items[0] else {
        return Err(illegal());
    };
    if host.contains('\0') {
        return Err(PyException::value_error("embedded null character"));
    }
    let port = args::parse_i(&items[1])?;
    let flowinfo = items.get(2).map(args::parse_uint_mask).transpose()?;
    let scope_id = items.get(3).map(args::parse_uint_mask).transpose()?;
    // Raised once the tuple is parsed, before the family is known.
    state.audit("socket.getnameinfo", || vec![sa.clone()]);
    let (host, service) = netdb::getnameinfo(
        host.as_bytes(),
        port,
        flowinfo.unwrap_or(0),
        scope_id.unwrap_or(0),
        items.len(),
        flags,
    )?;
    Ok(Object::Tuple(vec![Object::Str(host), Object::Str(service)]))
}

/// `socket.getservbyname(servicename[, protocolname])` (`"s|s:getservbyname"`).
fn getservbyname(call: &Call<'_>, state: &State) -> PyResult {
    let given = call.between("getservbyname", 1, 2)?;
    let name = args::c_str(&given[0], "getservbyname() argument 1")?;
    let proto = given
        .get(1)
        .map(|p| args::c_str(p, "getservbyname() argument 2"))
        .transpose()?;
    state.audit("socket.getservbyname", || {
        vec![
            given[0].clone(),
            given.get(1).cloned().unwrap_or(Object::None),
        ]
    });
    Ok(Object::int(netdb::getservbyname(name, proto)?))
}

/// `socket.getservbyport(port[, protocolname])` (`"i|s:getservbyport"`, then the
/// range check).
fn getservbyport(call: &Call<'_>, state: &State) -> PyResult {
    let given = call.between("getservbyport", 1, 2)?;
    let port = args::parse_i(&given[0])?;
    let proto = given
        .get(1)
        .map(|p| args::c_str(p, "getservbyport() argument 2"))
        .transpose()?;
    let port = u16::try_from(port)
        .map_err(|_| PyException::overflow_error("getservbyport: port must be 0-65535."))?;
    state.audit("socket.getservbyport", || {
        vec![
            Object::int(port),
            given.get(1).cloned().unwrap_or(Object::None),
        ]
    });
    Ok(Object::Str(netdb::getservbyport(port, proto)?))
}

/// `socket.getprotobyname(protocolname)` (`"s:getprotobyname"`).
fn getprotobyname(call: &Call<'_>) -> PyResult {
    let [name] = call.exactly("getprotobyname", 1)? else {
        unreachable!("exactly one argument")
    };
    let name = args::c_str(name, "getprotobyname() argument 1")?;
    Ok(Object::int(netdb::getprotobyname(name)?))
}

/// `socket.gethostbyname_ex(hostname)` / `socket.gethostbyaddr(ip_address)`
/// (`"O&:NAME"` with `idna_converter`): `(hostname, aliaslist, ipaddrlist)`.
fn host_triple(
    call: &Call<'_>,
    state: &State,
    name: &str,
    f: fn(&[u8]) -> Result<netdb::HostTriple, crate::core::Error>,
) -> PyResult {
    let [host] = call.exactly(name, 1)? else {
        unreachable!("exactly one argument")
    };
    let (host, aliases, addrs) = resolve_host(host, state, name, f)?;
    Ok(triple(host, aliases, addrs))
}

/// `gethostbyname_ex`/`gethostbyaddr` once the argument count is checked: the name
/// converted, the audit event raised (`gethostbyname_ex` raises `socket.gethostbyname`),
/// then the lookup.
fn resolve_host(
    host: &Object,
    state: &State,
    name: &str,
    f: fn(&[u8]) -> Result<netdb::HostTriple, crate::core::Error>,
) -> Result<netdb::HostTriple, PyException> {
    let converted = host_arg(host, name)?;
    let event = if name == "gethostbyaddr" {
        "socket.gethostbyaddr"
    } else {
        "socket.gethostbyname"
    };
    state.audit(event, || vec![host.clone()]);
    Ok(f(&converted)?)
}

fn triple(host: String, aliases: Vec<String>, addrs: Vec<String>) -> Object {
    Object::Tuple(vec![
        Object::Str(host),
        Object::List(aliases.into_iter().map(Object::Str).collect()),
        Object::List(addrs.into_iter().map(Object::Str).collect()),
    ])
}

/// `socket.getfqdn(name='')` as `Lib/socket.py` writes it: the name stripped; `''`,
/// `'0.0.0.0'` and (3.10 at the latest) `'::'` mean `gethostname()`; then `gethostbyaddr(name)`,
/// whose first name (canonical name, then aliases) containing a dot wins, else the
/// canonical name; an `OSError` from it leaves the name as it is.
fn getfqdn(call: &Call<'_>, state: &State) -> PyResult {
    let sig = args::PySig {
        name: "getfqdn",
        params: &["name"],
        required: 0,
        kwonly: &[],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let name = match bound[0] {
        None => String::new(),
        Some(Object::Str(s)) => s.clone(),
        Some(other) => {
            return Err(PyException::attribute_error(format!(
                "'{}' object has no attribute 'strip'",
                tp_name(other)
            )));
        }
    };
    // str.strip(): Unicode whitespace.
    let mut name = name.trim().to_owned();
    if name.is_empty() || name == "0.0.0.0" || name == "::" {
        let Object::Str(host) = gethostname(
            &Call {
                args: &[],
                kwargs: &[],
            },
            state,
        )?
        else {
            unreachable!("gethostname gives a str")
        };
        name = host;
    }
    match resolve_host(
        &Object::Str(name.clone()),
        state,
        "gethostbyaddr",
        netdb::gethostbyaddr,
    ) {
        Ok((hostname, aliases, _)) => Ok(Object::Str(
            std::iter::once(&hostname)
                .chain(&aliases)
                .find(|n| n.contains('.'))
                .unwrap_or(&hostname)
                .clone(),
        )),
        Err(e) if e.exc_type().is_oserror() => Ok(Object::Str(name)),
        Err(e) => Err(e),
    }
}
