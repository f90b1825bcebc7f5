//! `socket.sendmsg`, `socket.recvmsg`, `socket.recvmsg_into`, `socket.sendmsg_afalg`
//! and the `socket.py` helpers `send_fds` / `recv_fds`, with CPython's argument
//! handling (`sock_sendmsg`, `sock_recvmsg`, `sock_recvmsg_into`, `sock_recvmsg_guts`)
//! and its messages.
//!
//! Descriptors that arrive in an `SCM_RIGHTS` message are new descriptors the caller
//! owns: they are entered in the module's ledger (`State::hand_out`), so that
//! `socket(fileno=fd)` can adopt them and the ones nobody adopts are closed when the
//! module state goes away.

use super::args::{self, Call, PySig};
use super::exception::PyException;
use super::object::{Object, tp_name};
use super::socket::{SocketRef, addr_object, parse_address};
use crate::core::constants;
use crate::core::{Error, cmsg};
use crate::sys;

type PyResult = Result<Object, PyException>;

/// `PySequence_Fast(obj, message)`: the items of an iterable the value model has (a
/// `list` or `tuple`; `bytes`, `bytearray` and `memoryview` give ints, `str` its
/// characters), else `TypeError(message)`.
pub(super) fn iterate(obj: &Object, message: &str) -> Result<Vec<Object>, PyException> {
    Ok(match obj {
        Object::List(items) | Object::Tuple(items) => items.clone(),
        Object::Bytes(b) => b.iter().map(|&x| Object::int(x)).collect(),
        Object::ByteArray(b) => b.borrow().iter().map(|&x| Object::int(x)).collect(),
        Object::MemoryView(v) => v.data.borrow().iter().map(|&x| Object::int(x)).collect(),
        Object::Str(s) => s.chars().map(|c| Object::Str(c.to_string())).collect(),
        _ => return Err(PyException::type_error(message)),
    })
}

/// `METH_VARARGS` methods refuse keywords with the bare name.
fn no_kwargs(call: &Call<'_>, name: &str) -> Result<(), PyException> {
    if call.kwargs.is_empty() {
        Ok(())
    } else {
        Err(PyException::type_error(format!(
            "{name}() takes no keyword arguments"
        )))
    }
}

/// `(_socket.SOL_SOCKET, _socket.SCM_RIGHTS)` as `socket.py`'s `send_fds` / `recv_fds`
/// read them (an `AttributeError` where the platform has no `SCM_RIGHTS`, which cannot
/// happen where these functions exist).
fn scm_rights() -> Result<(i32, i32), PyException> {
    sys::SCM_RIGHTS.ok_or_else(|| {
        PyException::attribute_error("module '_socket' has no attribute 'SCM_RIGHTS'")
    })
}

/// One ancillary item: `PyArg_Parse(item, "(iiy*):[sendmsg() ancillary data items]")`.
fn cmsg_item(item: &Object) -> Result<sys::Cmsg, PyException> {
    const WHAT: &str = "[sendmsg() ancillary data items]()";
    let parts = match item {
        Object::Tuple(items) | Object::List(items) => items.clone(),
        Object::Bytes(_) | Object::ByteArray(_) | Object::Str(_) | Object::MemoryView(_) => {
            iterate(item, "")?
        }
        other => {
            return Err(PyException::type_error(format!(
                "{WHAT} argument must be 3-item sequence, not {}",
                tp_name(other)
            )));
        }
    };
    let [level, kind, data] = parts.as_slice() else {
        return Err(PyException::type_error(format!(
            "{WHAT} argument must be sequence of length 3, not {}",
            parts.len()
        )));
    };
    Ok(sys::Cmsg {
        level: args::parse_i(level)?,
        kind: args::parse_i(kind)?,
        data: args::buffer(data)?,
    })
}

/// `s.sendmsg(buffers[, ancdata[, flags[, address]]])` (`"O|OiO:sendmsg"`): the
/// flags are converted first, then the address, the buffers and the ancillary items.
pub fn sendmsg(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    no_kwargs(call, "sendmsg")?;
    let a = call.between("sendmsg", 1, 4)?;
    let flags = a.get(2).map(args::parse_i).transpose()?.unwrap_or(0);
    let s = sock.borrow();
    let addr = match a.get(3) {
        None | Some(Object::None) => None,
        Some(addr) => Some(parse_address(&s, addr, "sendmsg")?),
    };
    // Raised once the address is parsed, before the buffers are (sock_sendmsg).
    let given = a.get(3).filter(|addr| **addr != Object::None);
    super::socket::audit_address(sock, "socket.sendmsg", given);
    let bufs = iterate(&a[0], "sendmsg() argument 1 must be an iterable")?
        .iter()
        .map(args::buffer)
        .collect::<Result<Vec<_>, _>>()?;
    let cmsgs = match a.get(1) {
        None => Vec::new(),
        Some(anc) => iterate(anc, "sendmsg() argument 2 must be an iterable")?
            .iter()
            .map(cmsg_item)
            .collect::<Result<Vec<_>, _>>()?,
    };
    let lens: Vec<usize> = cmsgs.iter().map(|c| c.data.len()).collect();
    cmsg::control_space(&lens)?;
    Ok(Object::int(s.sendmsg(
        &bufs,
        &cmsgs,
        flags,
        addr.as_ref(),
    )?))
}

/// The filled buffers, the byte count, and the ancillary data, `msg_flags` and
/// address of a `recvmsg` result.
type Guts = (Vec<Vec<u8>>, usize, Object, Object, Object);

/// What `recvmsg` and `recvmsg_into` share: `sock_recvmsg_guts` once the buffers are
/// known. Returns the filled buffers and the rest of the result tuple.
fn recvmsg_guts(
    sock: &SocketRef,
    lens: &[usize],
    ancbufsize: i64,
    flags: i32,
) -> Result<Guts, PyException> {
    let ancbufsize = cmsg::check_ancbufsize(ancbufsize)?;
    let (bufs, received) = sock.borrow().recvmsg(lens, ancbufsize, flags)?;
    let rights = sys::SCM_RIGHTS;
    let mut items = Vec::new();
    for c in &received.cmsgs {
        if Some((c.level, c.kind)) == rights {
            for chunk in c.data.chunks_exact(4) {
                let fd = i32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                sock.state().hand_out(fd);
            }
        }
        items.push(Object::Tuple(vec![
            Object::int(c.level),
            Object::int(c.kind),
            Object::Bytes(c.data.clone()),
        ]));
    }
    let addr = addr_object(received.addr.map(crate::core::address::SockAddr::from_sys))?;
    Ok((
        bufs,
        received.len,
        Object::List(items),
        Object::int(received.flags),
        addr,
    ))
}

/// `s.recvmsg(bufsize[, ancbufsize[, flags]])` (`"n|ni:recvmsg"`): `(data, ancdata,
/// msg_flags, address)`.
pub fn recvmsg(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    no_kwargs(call, "recvmsg")?;
    let a = call.between("recvmsg", 1, 3)?;
    let bufsize = args::parse_n(&a[0])?;
    let ancbufsize = a.get(1).map(args::parse_n).transpose()?.unwrap_or(0);
    let flags = a.get(2).map(args::parse_i).transpose()?.unwrap_or(0);
    let bufsize = usize::try_from(bufsize)
        .map_err(|_| PyException::value_error("negative buffer size in recvmsg()"))?;
    let (mut bufs, n, anc, msg_flags, addr) = recvmsg_guts(sock, &[bufsize], ancbufsize, flags)?;
    let mut data = bufs.pop().unwrap_or_default();
    data.truncate(n);
    Ok(Object::Tuple(vec![
        Object::Bytes(data),
        anc,
        msg_flags,
        addr,
    ]))
}

/// `s.recvmsg_into(buffers[, ancbufsize[, flags]])` (`"O|ni:recvmsg_into"`): fills the
/// writable buffers in turn; `(nbytes, ancdata, msg_flags, address)`.
pub fn recvmsg_into(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    no_kwargs(call, "recvmsg_into")?;
    let a = call.between("recvmsg_into", 1, 3)?;
    let ancbufsize = a.get(1).map(args::parse_n).transpose()?.unwrap_or(0);
    let flags = a.get(2).map(args::parse_i).transpose()?.unwrap_or(0);
    let targets = iterate(&a[0], "recvmsg_into() argument 1 must be an iterable")?
        .iter()
        .map(|b| {
            args::writable_buffer(b).ok_or_else(|| {
                PyException::type_error(
                    "recvmsg_into() argument 1 must be an iterable of single-segment read-write buffers",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let lens: Vec<usize> = targets.iter().map(|t| t.borrow().len()).collect();
    let (bufs, n, anc, msg_flags, addr) = recvmsg_guts(sock, &lens, ancbufsize, flags)?;
    let mut left = n;
    for (target, buf) in targets.iter().zip(&bufs) {
        let k = left.min(buf.len());
        target.borrow_mut()[..k].copy_from_slice(&buf[..k]);
        left -= k;
    }
    Ok(Object::Tuple(vec![Object::int(n), anc, msg_flags, addr]))
}

/// `s.sendmsg_afalg([msg, ]*, op[, iv[, assoclen[, flags]]])`: on a socket that is
/// not `AF_ALG`, `OSError("algset is only supported for AF_ALG")` before anything
/// else. Otherwise CPython's `"|O$O!y*O!i:sendmsg_afalg"` parse, then `op` (a C `int`
/// of at least 0, else `TypeError("Invalid or missing argument 'op'")`), `assoclen`
/// (`TypeError("assoclen must be positive")` below 0), the message buffers (with
/// `sendmsg`'s messages), and one `sendmsg(2)` with `ALG_SET_OP`, `ALG_SET_IV` and
/// `ALG_SET_AEAD_ASSOCLEN` control messages at level `SOL_ALG`.
pub fn sendmsg_afalg(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    const NAME: &str = "sendmsg_afalg";
    const KEYWORDS: [&str; 5] = ["msg", "op", "iv", "assoclen", "flags"];
    let family = i64::from(sock.borrow().family());
    let value = |name: &str| {
        constants::value(name)
            .and_then(|v| i32::try_from(v).ok())
            .unwrap_or(-1)
    };
    if constants::value("AF_ALG") != Some(family) {
        return Err(Error::os("algset is only supported for AF_ALG").into());
    }
    let total = call.args.len() + call.kwargs.len();
    if total > KEYWORDS.len() {
        return Err(PyException::type_error(format!(
            "{NAME}() takes at most 5 arguments ({total} given)"
        )));
    }
    if call.args.len() > 1 {
        return Err(PyException::type_error(format!(
            "{NAME}() takes at most 1 positional argument ({} given)",
            call.args.len()
        )));
    }
    let mut slots: [Option<&Object>; 5] = [None; 5];
    if let Some(msg) = call.args.first() {
        slots[0] = Some(msg);
    }
    let mut unknown = None;
    for (key, value) in call.kwargs {
        match KEYWORDS.iter().position(|k| k == key) {
            Some(0) if slots[0].is_some() => {
                return Err(PyException::type_error(format!(
                    "argument for {NAME}() given by name ('msg') and position (1)"
                )));
            }
            Some(i) => slots[i] = Some(value),
            None => unknown = unknown.or(Some(key)),
        }
    }
    let int_arg = |i: usize| -> Result<Option<i32>, PyException> {
        let Some(obj) = slots[i] else { return Ok(None) };
        let Some(n) = obj.as_int() else {
            let shown = match obj {
                Object::None => "None",
                other => tp_name(other),
            };
            return Err(PyException::type_error(format!(
                "{NAME}() argument {} must be int, not {shown}",
                i + 1
            )));
        };
        Ok(Some(num_traits::ToPrimitive::to_i32(&n).unwrap_or(-1)))
    };
    let op = int_arg(1)?;
    let iv = slots[2].map(args::buffer).transpose()?;
    let assoclen_given = slots[3].is_some();
    let assoclen = match slots[3] {
        Some(obj) => {
            int_arg(3)?;
            Some(args::c_int(obj)?)
        }
        None => None,
    };
    let flags = slots[4].map(args::parse_i).transpose()?.unwrap_or(0);
    if let Some(key) = unknown {
        return Err(PyException::type_error(format!(
            "{NAME}() got an unexpected keyword argument '{key}'"
        )));
    }
    let op = op
        .filter(|&op| op >= 0)
        .ok_or_else(|| PyException::type_error("Invalid or missing argument 'op'"))?;
    if assoclen.is_some_and(|a| a < 0) {
        return Err(PyException::type_error("assoclen must be positive"));
    }
    let bufs = match slots[0] {
        None => Vec::new(),
        Some(data) => iterate(data, "sendmsg() argument 1 must be an iterable")?
            .iter()
            .map(args::buffer)
            .collect::<Result<Vec<_>, _>>()?,
    };
    let level = value("SOL_ALG");
    let mut cmsgs = vec![sys::Cmsg {
        level,
        kind: value("ALG_SET_OP"),
        data: op.to_ne_bytes().to_vec(),
    }];
    if let Some(iv) = iv {
        // struct af_alg_iv { __u32 ivlen; __u8 iv[]; }
        let mut data = u32::try_from(iv.len())
            .unwrap_or(u32::MAX)
            .to_ne_bytes()
            .to_vec();
        data.extend(iv);
        cmsgs.push(sys::Cmsg {
            level,
            kind: value("ALG_SET_IV"),
            data,
        });
    }
    if let (true, Some(assoclen)) = (assoclen_given, assoclen) {
        cmsgs.push(sys::Cmsg {
            level,
            kind: value("ALG_SET_AEAD_ASSOCLEN"),
            data: assoclen.to_ne_bytes().to_vec(),
        });
    }
    Ok(Object::int(
        sock.borrow().sendmsg(&bufs, &cmsgs, flags, None)?,
    ))
}

/// `socket.send_fds(sock, buffers, fds, flags=0, address=None)` (`socket.py`):
/// `sock.sendmsg(buffers, [(SOL_SOCKET, SCM_RIGHTS, array("i", fds))])` — CPython
/// (3.9 to 3.15) drops `flags` and `address`, and so does the reference.
pub fn send_fds(call: &Call<'_>) -> PyResult {
    let sig = PySig {
        name: "send_fds",
        params: &["sock", "buffers", "fds", "flags", "address"],
        required: 3,
        kwonly: &[],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let sock = socket_arg(bound[0].unwrap_or(&Object::None), "sendmsg")?;
    let mut fds = Vec::new();
    for fd in iterate(bound[2].unwrap_or(&Object::None), "")
        .map_err(|_| PyException::type_error("an integer is required"))?
    {
        fds.extend(args::parse_i(&fd)?.to_ne_bytes());
    }
    let (level, kind) = scm_rights()?;
    let anc = Object::List(vec![Object::Tuple(vec![
        Object::int(level),
        Object::int(kind),
        Object::Bytes(fds),
    ])]);
    let args = vec![bound[1].cloned().unwrap_or(Object::None), anc];
    sendmsg(
        &sock,
        &Call {
            args: &args,
            kwargs: &[],
        },
    )
}

/// `socket.recv_fds(sock, bufsize, maxfds, flags=0)` (`socket.py`): `recvmsg(bufsize,
/// CMSG_LEN(maxfds * 4))` — `flags` is dropped, as CPython (3.9 to 3.15) does — with the descriptors of every `SCM_RIGHTS` item as a
/// list: `(data, fds, msg_flags, address)`.
pub fn recv_fds(call: &Call<'_>) -> PyResult {
    let sig = PySig {
        name: "recv_fds",
        params: &["sock", "bufsize", "maxfds", "flags"],
        required: 3,
        kwonly: &[],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let sock = socket_arg(bound[0].unwrap_or(&Object::None), "recvmsg")?;
    let maxfds = args::index(bound[2].unwrap_or(&Object::None))?;
    let ancbufsize = num_traits::ToPrimitive::to_i64(&(maxfds * 4))
        .map(cmsg::len)
        .unwrap_or_else(|| Err(Error::overflow("CMSG_LEN() argument out of range")))?;
    let args = vec![
        bound[1].cloned().unwrap_or(Object::None),
        Object::int(ancbufsize),
    ];
    let result = recvmsg(
        &sock,
        &Call {
            args: &args,
            kwargs: &[],
        },
    )?;
    let Object::Tuple(mut parts) = result else {
        unreachable!("recvmsg returns a tuple")
    };
    let mut fds = Vec::new();
    if let Object::List(items) = &parts[1] {
        let (level, kind) = scm_rights()?;
        for item in items {
            if let Object::Tuple(t) = item {
                if let [l, k, Object::Bytes(data)] = t.as_slice() {
                    if l.as_int() == Some(level.into()) && k.as_int() == Some(kind.into()) {
                        fds.extend(
                            data.chunks_exact(4)
                                .map(|c| Object::int(i32::from_ne_bytes([c[0], c[1], c[2], c[3]]))),
                        );
                    }
                }
            }
        }
    }
    parts[1] = Object::List(fds);
    Ok(Object::Tuple(parts))
}

/// The `sock` argument of the helpers: `AttributeError` when it has no such method.
fn socket_arg(obj: &Object, method: &str) -> Result<SocketRef, PyException> {
    obj.as_socket().cloned().ok_or_else(|| {
        PyException::attribute_error(format!(
            "'{}' object has no attribute '{method}'",
            tp_name(obj)
        ))
    })
}
