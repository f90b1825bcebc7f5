//! `socket.socket.sendfile(file, offset=0, count=None)` as `socket.py` writes it:
//! `_check_sendfile_params`, `_sendfile_use_sendfile` (C `sendfile(2)` through
//! `os.sendfile`, waiting for writability as its `selectors.PollSelector` does) and the
//! fallback `_sendfile_use_send` (`file.read` and `send()`), with the file's position set
//! afterwards by `file.seek()` when bytes were sent.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use super::args::{self, Call, PySig};
use super::exception::PyException;
use super::io;
use super::object::{Object, repr, tp_name, truthy};
use super::socket::{self, SocketRef};
use crate::core::sendfile::{self as core_sendfile, Outcome, Sender};
use crate::core::timeout::Timeout;
use crate::core::{Error, ExcType, constants};
use crate::sys;

type PyResult = Result<Object, PyException>;

/// `getattr(obj, name)` for the objects a file argument can be.
fn attr(obj: &Object, name: &str) -> Result<Object, PyException> {
    let found = match obj {
        Object::Io(f) => io::getattr(f, name)?,
        Object::Socket(s) => socket::getattr(s, name),
        _ => None,
    };
    found.ok_or_else(|| {
        PyException::attribute_error(format!(
            "'{}' object has no attribute '{name}'",
            tp_name(obj)
        ))
    })
}

/// `obj.name(*args)`.
fn call_attr(obj: &Object, name: &str, args: &[Object]) -> PyResult {
    let call = Call { args, kwargs: &[] };
    match attr(obj, name)? {
        Object::IoMethod(f, m) => io::call_method(&f, m, &call),
        Object::Method(m) => socket::call_method(&m, &call),
        other => Err(PyException::type_error(format!(
            "'{}' object is not callable",
            tp_name(&other)
        ))),
    }
}

/// `_check_sendfile_params`.
fn check_params(
    sock: &SocketRef,
    file: &Object,
    count: Option<&Object>,
) -> Result<(), PyException> {
    let mode = match attr(file, "mode") {
        Ok(Object::Str(m)) => m,
        Ok(_) => {
            return Err(
                Error::not_implemented("sendfile() of a file whose mode is not a str").into(),
            );
        }
        Err(_) => "b".to_owned(),
    };
    if !mode.contains('b') {
        return Err(PyException::value_error(
            "file should be opened in binary mode",
        ));
    }
    let stream = constants::value("SOCK_STREAM").unwrap_or(1);
    if i64::from(sock.borrow().kind()) & stream == 0 {
        return Err(PyException::value_error(
            "only SOCK_STREAM type sockets are supported",
        ));
    }
    if let Some(count) = count {
        let message = format!("count must be a positive integer (got {})", repr(count));
        match count.as_int() {
            None => return Err(PyException::type_error(message)),
            Some(n) if !n.is_positive() => return Err(PyException::value_error(message)),
            Some(_) => {}
        }
    }
    Ok(())
}

/// `sendfile(2)` steps on the socket for [`core_sendfile::sendfile_loop`].
struct OsSender<'a> {
    sock: &'a SocketRef,
    in_fd: i32,
}

impl Sender for OsSender<'_> {
    fn wait(&mut self, timeout: Option<Timeout>) -> Result<bool, Error> {
        self.sock.borrow().poll_writable(timeout)
    }

    fn sendfile(&mut self, offset: i64, count: u64) -> Result<u64, sys::Errno> {
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        self.sock
            .borrow()
            .sendfile_from(self.in_fd, offset, count)
            .map(|n| n as u64)
    }
}

/// `socket.sendfile(file, offset=0, count=None)`.
pub fn sendfile(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    let sig = PySig {
        name: "socket.sendfile",
        params: &["file", "offset", "count"],
        required: 1,
        kwonly: &[],
        method: true,
    };
    let bound = call.bind(&sig)?;
    let file = bound[0].unwrap_or(&Object::None);
    let zero = Object::int(0);
    let offset = bound[1].unwrap_or(&zero);
    let count = bound[2].filter(|c| **c != Object::None);
    if !sys::FEATURES.os_sendfile {
        // socket.py without os.sendfile: _sendfile_use_sendfile gives up at once.
        return use_send(sock, file, offset, count);
    }
    match use_sendfile(sock, file, offset, count)? {
        Some(sent) => Ok(sent),
        None => use_send(sock, file, offset, count),
    }
}

/// `_sendfile_use_sendfile`: `Ok(None)` is `_GiveupOnSendfile`.
fn use_sendfile(
    sock: &SocketRef,
    file: &Object,
    offset: &Object,
    count: Option<&Object>,
) -> Result<Option<Object>, PyException> {
    check_params(sock, file, count)?;
    let sockno = sock.borrow().fileno();
    let fileno = match call_attr(file, "fileno", &[]) {
        Ok(n) => n,
        Err(e)
            if matches!(
                e.exc_type(),
                ExcType::AttributeError | ExcType::UnsupportedOperation
            ) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let Some(fileno) = fileno.as_int().and_then(|n| n.to_i32()) else {
        return Ok(None);
    };
    let Ok(fsize) = sys::fstat_size(fileno) else {
        return Ok(None);
    };
    if fsize == 0 {
        return Ok(Some(Object::int(0)));
    }
    let timeout = sock.borrow().timeout();
    if timeout.is_some_and(|t| t.as_nanos() == 0) {
        return Err(PyException::value_error(
            "non-blocking sockets are not supported",
        ));
    }
    if sockno < 0 {
        return Err(PyException::value_error(format!(
            "Invalid file descriptor: {sockno}"
        )));
    }
    let start = args::index(offset)?
        .to_i64()
        .ok_or_else(|| PyException::overflow_error("Python int too large to convert to C long"))?;
    let count = count
        .and_then(Object::as_int)
        .map(|c| c.to_u64().unwrap_or(u64::MAX));
    let mut sender = OsSender {
        sock,
        in_fd: fileno,
    };
    let fsize = u64::try_from(fsize).unwrap_or(0);
    let outcome = core_sendfile::sendfile_loop(&mut sender, start, count, fsize, timeout);
    let (total, err) = match outcome {
        Outcome::GiveUp(_) => return Ok(None),
        Outcome::Sent(total) => (total, None),
        Outcome::Failed(e, total) => (total, Some(PyException::from(e))),
    };
    if total > 0 && attr(file, "seek").is_ok() {
        let at = BigInt::from(start) + total;
        call_attr(file, "seek", &[Object::Int(at)])?;
    }
    match err {
        Some(e) => Err(e),
        None => Ok(Some(Object::int(total))),
    }
}

/// `_sendfile_use_send`: `file.read(blocksize)` and `send()` until the count is sent or
/// the file ends; then `file.seek(offset + total)` when bytes were sent and the file has
/// a `seek` attribute.
fn use_send(sock: &SocketRef, file: &Object, offset: &Object, count: Option<&Object>) -> PyResult {
    check_params(sock, file, count)?;
    if sock.borrow().timeout().is_some_and(|t| t.as_nanos() == 0) {
        return Err(PyException::value_error(
            "non-blocking sockets are not supported",
        ));
    }
    if truthy(offset) {
        call_attr(file, "seek", std::slice::from_ref(offset))?;
    }
    let count = count
        .and_then(Object::as_int)
        .map(|c| c.to_u64().unwrap_or(u64::MAX));
    let mut total: u64 = 0;
    let sent = send_loop(sock, file, count, &mut total);
    if total > 0 && attr(file, "seek").is_ok() {
        let base = offset.as_int().unwrap_or_else(BigInt::zero);
        call_attr(file, "seek", &[Object::Int(base + total)])?;
    }
    sent.map(|()| Object::int(total))
}

fn send_loop(
    sock: &SocketRef,
    file: &Object,
    count: Option<u64>,
    total: &mut u64,
) -> Result<(), PyException> {
    while let Some(block) = core_sendfile::send_block(count, *total) {
        let data = call_attr(file, "read", &[Object::int(block)])?;
        let data = args::buffer(&data).map_err(|_| {
            PyException::type_error(format!(
                "memoryview: a bytes-like object is required, not '{}'",
                tp_name(&data)
            ))
        })?;
        if data.is_empty() {
            break;
        }
        let mut rest = data.as_slice();
        while !rest.is_empty() {
            let sent = sock.borrow().send(rest, 0);
            match sent {
                Ok(n) => {
                    *total += n as u64;
                    rest = &rest[n.min(rest.len())..];
                }
                Err(e) if e.ty == ExcType::BlockingIOError => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}
