//! The io objects as Python code sees them: `socket.socket.makefile()` (`socket.py`),
//! `builtins.open()` (`_io.open`), and the attributes, methods, type names and reprs of
//! `socket.SocketIO`, `_io.FileIO`, `_io.BufferedReader` / `BufferedWriter` /
//! `BufferedRandom` / `BufferedRWPair` and `_io.TextIOWrapper`, over the typed model in
//! `core::io`.

use num_traits::ToPrimitive;

use super::args::{self, Call, PySig};
use super::exception::PyException;
use super::object::{Object, repr as py_repr, str_repr, tp_name};
use super::socket::SocketRef;
use crate::core::io::{
    Buffered, DEFAULT_BUFFER_SIZE, FileIo, Io, IoRef, Kind, Pair, SocketIo, Text,
};
use crate::core::{Error, ExcType};
use crate::sys;

type PyResult = Result<Object, PyException>;

/// `type(f)` as a type name.
pub fn type_name(io: &IoRef) -> &'static str {
    match &*io.0.borrow() {
        Io::Socket(_) => "socket.SocketIO",
        Io::File(_) => "_io.FileIO",
        Io::Buffered(b) => match b.kind() {
            Kind::Reader => "_io.BufferedReader",
            Kind::Writer => "_io.BufferedWriter",
            Kind::Random => "_io.BufferedRandom",
        },
        Io::Pair(_) => "_io.BufferedRWPair",
        Io::Text(_) => "_io.TextIOWrapper",
    }
}

/// The C `tp_name` (`"_io.BufferedReader"`; `"SocketIO"` for the Python class).
pub fn tp_name_of(io: &IoRef) -> &'static str {
    match type_name(io) {
        "socket.SocketIO" => "SocketIO",
        other => other,
    }
}

/// `f.name`, or `None` when the object has none (or getting it raises).
fn name(io: &IoRef) -> Option<Object> {
    match &*io.0.borrow() {
        Io::Socket(s) => Some(Object::int(s.fileno().unwrap_or(-1))),
        Io::File(f) => Some(Object::str(f.name())),
        Io::Buffered(b) => name(b.raw()),
        Io::Pair(_) => None,
        Io::Text(t) => name(t.buffer()),
    }
}

/// `repr(f)`, as CPython prints each class.
pub fn repr(io: &IoRef) -> String {
    let id = io.identity();
    let ty = type_name(io);
    let inner = io.0.borrow();
    match &*inner {
        Io::Socket(_) | Io::Pair(_) => format!("<{ty} object at {id:#x}>"),
        Io::File(f) if inner.closed() => {
            let _ = f;
            "<_io.FileIO [closed]>".to_owned()
        }
        Io::File(f) => format!(
            "<_io.FileIO name={} mode='{}' closefd=True>",
            str_repr(f.name()),
            f.mode()
        ),
        Io::Buffered(b) => match name(b.raw()) {
            Some(n) => format!("<{ty} name={}>", py_repr(&n)),
            None => format!("<{ty}>"),
        },
        Io::Text(t) => {
            let mut out = format!("<{ty}");
            if let Some(n) = name(t.buffer()) {
                out.push_str(&format!(" name={}", py_repr(&n)));
            }
            if let Some(m) = &t.mode {
                out.push_str(&format!(" mode={}", str_repr(m)));
            }
            out.push_str(&format!(" encoding={}>", str_repr(t.encoding())));
            out
        }
    }
}

/// The methods each class has here.
fn methods(io: &Io) -> &'static [&'static str] {
    match io {
        Io::Socket(_) => &[
            "close", "fileno", "flush", "read", "readable", "readall", "readinto", "readline",
            "seek", "seekable", "tell", "writable", "write",
        ],
        Io::File(_) => &[
            "close", "fileno", "flush", "read", "readable", "readall", "readinto", "readline",
            "seek", "seekable", "tell", "writable", "write",
        ],
        Io::Buffered(_) | Io::Pair(_) => &[
            "close", "fileno", "flush", "read", "read1", "readable", "readline", "seek",
            "seekable", "tell", "writable", "write",
        ],
        Io::Text(_) => &[
            "close", "fileno", "flush", "read", "readable", "readline", "seek", "seekable", "tell",
            "writable", "write",
        ],
    }
}

/// `f.NAME`: an attribute or a bound method; `Ok(None)` when there is no such
/// attribute.
pub fn getattr(io: &IoRef, attr: &str) -> Result<Option<Object>, PyException> {
    let inner = io.0.borrow();
    let value = match (attr, &*inner) {
        ("closed", i) => Some(Object::Bool(i.closed())),
        ("mode", Io::Text(t)) => t.mode.clone().map(Object::Str),
        ("mode", Io::Pair(_)) => None,
        ("mode", i) => i.mode().map(Object::Str),
        ("name", _) => {
            drop(inner);
            return match name(io) {
                Some(n) => Ok(Some(n)),
                None => Ok(None),
            };
        }
        ("closefd", Io::File(_)) => Some(Object::Bool(true)),
        ("raw", Io::Buffered(b)) => Some(Object::Io(b.raw().clone())),
        ("buffer", Io::Text(t)) => Some(Object::Io(t.buffer().clone())),
        ("encoding", Io::Text(t)) => Some(Object::str(t.encoding())),
        ("errors", Io::Text(t)) => Some(Object::str(t.errors())),
        ("line_buffering", Io::Text(t)) => Some(Object::Bool(t.line_buffering())),
        ("write_through", Io::Text(_)) => Some(Object::Bool(false)),
        ("newlines", Io::Text(_)) => Some(Object::None),
        (m, i) => methods(i)
            .iter()
            .find(|&&n| n == m)
            .map(|&n| Object::IoMethod(io.clone(), n)),
    };
    Ok(value)
}

/// An optional size argument (`_Py_convert_optional_to_ssize_t`): `None` is `-1`.
fn size_arg(call: &Call<'_>, name: &str) -> Result<Option<i64>, PyException> {
    if !call.kwargs.is_empty() {
        return Err(PyException::type_error(format!(
            "{name}() takes no keyword arguments"
        )));
    }
    match call.args {
        [] | [Object::None] => Ok(None),
        [n @ (Object::Int(_) | Object::Bool(_) | Object::Enum(_))] => Ok(Some(args::parse_n(n)?)),
        [other] => Err(PyException::type_error(format!(
            "argument should be integer or None, not '{}'",
            tp_name(other)
        ))),
        more => Err(PyException::type_error(format!(
            "{name} expected at most 1 argument, got {}",
            more.len()
        ))),
    }
}

fn one_arg<'a>(call: &Call<'a>, name: &str) -> Result<&'a Object, PyException> {
    if !call.kwargs.is_empty() {
        return Err(PyException::type_error(format!(
            "{name}() takes no keyword arguments"
        )));
    }
    match call.args {
        [one] => Ok(one),
        other => Err(PyException::type_error(format!(
            "{name}() takes exactly one argument ({} given)",
            other.len()
        ))),
    }
}

fn bytes_or_none(data: Option<Vec<u8>>) -> Object {
    data.map_or(Object::None, Object::Bytes)
}

/// Calls `f.NAME(*args)`.
pub fn call_method(io: &IoRef, method: &str, call: &Call<'_>) -> PyResult {
    let tp = tp_name_of(io).trim_start_matches("_io.");
    let qual = |m: &str| format!("{tp}.{m}");
    let mut inner = io.0.borrow_mut();
    match method {
        "close" => {
            call.meth_noargs(&qual("close"))?;
            inner.close()?;
            Ok(Object::None)
        }
        "flush" => {
            call.meth_noargs(&qual("flush"))?;
            inner.flush()?;
            Ok(Object::None)
        }
        "fileno" => {
            call.meth_noargs(&qual("fileno"))?;
            Ok(Object::int(inner.fileno()?))
        }
        "readable" => {
            call.meth_noargs(&qual("readable"))?;
            Ok(Object::Bool(inner.readable()?))
        }
        "writable" => {
            call.meth_noargs(&qual("writable"))?;
            Ok(Object::Bool(inner.writable()?))
        }
        "seekable" => {
            call.meth_noargs(&qual("seekable"))?;
            Ok(Object::Bool(inner.seekable()?))
        }
        "read" | "readall" | "read1" | "readline" => {
            let n = if method == "readall" {
                call.meth_noargs(&qual("readall"))?;
                None
            } else {
                size_arg(call, method)?
            };
            read(&mut inner, method, n)
        }
        "readinto" => {
            let buf = one_arg(call, "readinto")?;
            let target = args::writable_buffer(buf).ok_or_else(|| {
                PyException::type_error(format!(
                    "readinto() argument must be read-write bytes-like object, not {}",
                    tp_name(buf)
                ))
            })?;
            let len = target.borrow().len();
            let got = match &mut *inner {
                Io::Socket(s) => s.readinto(len)?,
                Io::File(f) => f.readinto(len)?,
                _ => inner.buffered_read(Some(len as i64))?,
            };
            Ok(match got {
                None => Object::None,
                Some(data) => {
                    let n = data.len().min(len);
                    target.borrow_mut()[..n].copy_from_slice(&data[..n]);
                    Object::int(n)
                }
            })
        }
        "write" => {
            let data = one_arg(call, "write")?;
            match &mut *inner {
                Io::Text(t) => {
                    let Object::Str(s) = data else {
                        return Err(PyException::type_error(format!(
                            "write() argument must be str, not {}",
                            tp_name(data)
                        )));
                    };
                    Ok(Object::int(t.write(s)?))
                }
                Io::Socket(s) => {
                    let data = args::buffer(data)?;
                    Ok(s.write(&data)?.map_or(Object::None, Object::int))
                }
                Io::File(f) => {
                    let data = args::buffer(data)?;
                    Ok(f.write(&data)?.map_or(Object::None, Object::int))
                }
                other => {
                    let data = args::buffer(data)?;
                    Ok(Object::int(other.buffered_write(&data)?))
                }
            }
        }
        "seek" => {
            let a = call.between("seek", 1, 2)?;
            let pos = args::index(&a[0])?.to_i64().ok_or_else(|| {
                PyException::overflow_error("Python int too large to convert to C long")
            })?;
            let whence = a.get(1).map(args::c_int).transpose()?.unwrap_or(0);
            match &mut *inner {
                Io::File(f) => Ok(Object::int(f.seek(pos, whence)?)),
                Io::Buffered(b) => Ok(Object::int(b.seek(pos, whence)?)),
                Io::Socket(_) | Io::Pair(_) => Err(Error::unsupported("seek").into()),
                Io::Text(_) => Err(Error::not_implemented("TextIOWrapper.seek()").into()),
            }
        }
        "tell" => {
            call.meth_noargs(&qual("tell"))?;
            match &mut *inner {
                Io::File(f) => Ok(Object::int(f.seek(0, 1)?)),
                Io::Buffered(b) => Ok(Object::int(b.tell()?)),
                Io::Socket(_) | Io::Pair(_) => Err(Error::unsupported("seek").into()),
                Io::Text(_) => Err(Error::not_implemented("TextIOWrapper.tell()").into()),
            }
        }
        other => Err(Error::not_implemented(&format!("{tp}.{other}()")).into()),
    }
}

/// `read(n)` / `readall()` / `read1(n)` / `readline(n)` on any io object.
fn read(inner: &mut Io, method: &str, n: Option<i64>) -> PyResult {
    let limit = n
        .filter(|&n| n >= 0)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    match inner {
        Io::Text(t) => match method {
            "readline" => Ok(Object::Str(t.readline(limit)?)),
            "read" => Ok(Object::Str(t.read(limit)?)),
            _ => Err(Error::unsupported(method).into()),
        },
        Io::Socket(_) | Io::File(_) => {
            let raw_read = |inner: &mut Io, k: usize| match inner {
                Io::Socket(s) => s.readinto(k),
                Io::File(f) => f.readinto(k),
                _ => Ok(None),
            };
            match (method, limit) {
                ("readline", _) => {
                    // IOBase.readline: one byte at a time.
                    let mut line = Vec::new();
                    while limit.is_none_or(|l| line.len() < l) {
                        match raw_read(inner, 1)? {
                            Some(b) if !b.is_empty() => {
                                line.extend_from_slice(&b);
                                if b == b"\n" {
                                    break;
                                }
                            }
                            _ => break,
                        }
                    }
                    Ok(Object::Bytes(line))
                }
                (_, Some(k)) if method != "readall" => Ok(bytes_or_none(raw_read(inner, k)?)),
                _ => {
                    let mut all = Vec::new();
                    loop {
                        match raw_read(inner, DEFAULT_BUFFER_SIZE)? {
                            None if all.is_empty() => return Ok(Object::None),
                            None => break,
                            Some(b) if b.is_empty() => break,
                            Some(b) => all.extend(b),
                        }
                    }
                    Ok(Object::Bytes(all))
                }
            }
        }
        Io::Buffered(_) | Io::Pair(_) => match method {
            "readline" => Ok(Object::Bytes(inner.buffered_readline(limit)?)),
            "read1" => {
                let n = n.filter(|&n| n >= 0).map_or(DEFAULT_BUFFER_SIZE, |n| {
                    usize::try_from(n).unwrap_or(usize::MAX)
                });
                match inner {
                    Io::Buffered(b) => Ok(Object::Bytes(b.read1(n)?)),
                    Io::Pair(p) => match &mut *p.reader().0.borrow_mut() {
                        Io::Buffered(b) => Ok(Object::Bytes(b.read1(n)?)),
                        _ => Err(Error::unsupported("read1").into()),
                    },
                    _ => Err(Error::unsupported("read1").into()),
                }
            }
            _ => Ok(bytes_or_none(inner.buffered_read(n)?)),
        },
    }
}

/// Closes an io object (errors ignored), for a runner ending a case.
pub fn close_quietly(io: &IoRef) {
    if let Ok(mut inner) = io.0.try_borrow_mut() {
        let _ = inner.close();
    }
}

// ---- makefile -----------------------------------------------------------------------------

/// An optional `str` argument of the text layer.
fn opt_str<'a>(obj: Option<&'a Object>, what: &str) -> Result<Option<&'a str>, PyException> {
    match obj {
        None | Some(Object::None) => Ok(None),
        Some(Object::Str(s)) => Ok(Some(s)),
        Some(other) => Err(PyException::type_error(format!(
            "TextIOWrapper() argument '{what}' must be str or None, not {}",
            tp_name(other)
        ))),
    }
}

/// A `buffering` argument: `None` is `-1`.
fn buffering_arg(obj: Option<&Object>) -> Result<i64, PyException> {
    match obj {
        None | Some(Object::None) => Ok(-1),
        Some(n) => args::index(n)?.to_i64().ok_or_else(|| {
            PyException::overflow_error("Python int too large to convert to C ssize_t")
        }),
    }
}

/// `socket.makefile(mode="r", buffering=None, *, encoding=None, errors=None,
/// newline=None)` as `socket.py` writes it: the mode is a set of `r`, `w`, `b`; a
/// `SocketIO` over the socket (one more `_io_refs`), buffered unless `buffering` is 0
/// (binary only), wrapped in a `TextIOWrapper` whose `mode` is the mode given unless
/// binary.
pub fn makefile(sock: &SocketRef, call: &Call<'_>) -> PyResult {
    let sig = PySig {
        name: "socket.makefile",
        params: &["mode", "buffering"],
        required: 0,
        kwonly: &["encoding", "errors", "newline"],
        method: true,
    };
    let bound = call.bind(&sig)?;
    let mode = match bound[0] {
        None => "r".to_owned(),
        Some(Object::Str(s)) => s.clone(),
        Some(other) => {
            return Err(PyException::type_error(format!(
                "'{}' object is not iterable",
                tp_name(other)
            )));
        }
    };
    if !mode.chars().all(|c| matches!(c, 'r' | 'w' | 'b')) {
        return Err(PyException::value_error(format!(
            "invalid mode {} (only r, w, b allowed)",
            str_repr(&mode)
        )));
    }
    let writing = mode.contains('w');
    let reading = mode.contains('r') || !writing;
    let binary = mode.contains('b');
    let raw = IoRef::new(Io::Socket(SocketIo::new(sock.shared(), reading, writing)));
    sock.shared().borrow_mut().incref_io();
    let mut buffering = buffering_arg(bound[1])?;
    if buffering < 0 {
        buffering = DEFAULT_BUFFER_SIZE as i64;
    }
    if buffering == 0 {
        if !binary {
            return Err(PyException::value_error(
                "unbuffered streams must be binary",
            ));
        }
        return Ok(Object::Io(raw));
    }
    let buffer = if reading && writing {
        Io::Pair(Pair::new(&raw, buffering)?)
    } else if reading {
        Io::Buffered(Buffered::new(raw, Kind::Reader, buffering)?)
    } else {
        Io::Buffered(Buffered::new(raw, Kind::Writer, buffering)?)
    };
    let buffer = IoRef::new(buffer);
    if binary {
        return Ok(Object::Io(buffer));
    }
    let mut text = Text::new(
        buffer,
        opt_str(bound[2], "encoding")?,
        opt_str(bound[3], "errors")?,
        newline_arg(bound[4])?,
        false,
    )?;
    text.mode = Some(mode);
    Ok(Object::Io(IoRef::new(Io::Text(text))))
}

fn newline_arg(obj: Option<&Object>) -> Result<Option<&str>, PyException> {
    match obj {
        None | Some(Object::None) => Ok(None),
        Some(Object::Str(s)) => Ok(Some(s)),
        Some(other) => Err(PyException::type_error(format!(
            "TextIOWrapper() argument 'newline' must be str or None, not {}",
            tp_name(other)
        ))),
    }
}

// ---- open -----------------------------------------------------------------------------------

/// `builtins.open(file, mode='r', buffering=-1, encoding=None, errors=None,
/// newline=None, closefd=True, opener=None)` for a path (`_io.open`): CPython's mode
/// checks and messages, a `FileIO`, then a buffered stream (`BufferedReader`,
/// `BufferedWriter` or `BufferedRandom`) unless `buffering` is 0, then a
/// `TextIOWrapper` unless binary (line-buffered when `buffering` is 1).
pub fn open(call: &Call<'_>) -> PyResult {
    let sig = PySig {
        name: "open",
        params: &[
            "file",
            "mode",
            "buffering",
            "encoding",
            "errors",
            "newline",
            "closefd",
            "opener",
        ],
        required: 1,
        kwonly: &[],
        method: false,
    };
    let bound = call.bind(&sig)?;
    let path = match bound[0] {
        Some(Object::Str(s)) => s.clone(),
        Some(Object::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
        Some(other) if other.as_int().is_some() => {
            return Err(Error::not_implemented("open() of a file descriptor").into());
        }
        Some(other) => {
            return Err(PyException::type_error(format!(
                "expected str, bytes or os.PathLike object, not {}",
                tp_name(other)
            )));
        }
        None => unreachable!("file is required"),
    };
    let mode = match bound[1] {
        None => "r".to_owned(),
        Some(Object::Str(s)) => s.clone(),
        Some(other) => {
            return Err(PyException::type_error(format!(
                "open() argument 'mode' must be str, not {}",
                tp_name(other)
            )));
        }
    };
    let buffering = match bound[2] {
        None => -1,
        Some(n) => args::c_int(n)?.into(),
    };
    let encoding = opt_str_open(bound[3], "encoding")?;
    let errors = opt_str_open(bound[4], "errors")?;
    let newline = opt_str_open(bound[5], "newline")?;
    if bound[6].is_some_and(|c| !super::object::truthy(c))
        || bound[7].is_some_and(|o| *o != Object::None)
    {
        return Err(Error::not_implemented("open() with closefd or opener").into());
    }
    let mut flags = [false; 7]; // x r w a + t b
    for c in mode.chars() {
        let i = "xrwa+tb".find(c);
        match i {
            Some(i) if !flags[i] => flags[i] = true,
            _ => {
                return Err(PyException::value_error(format!("invalid mode: '{mode}'")));
            }
        }
    }
    let [
        creating,
        reading,
        writing,
        appending,
        updating,
        text,
        binary,
    ] = flags;
    if text && binary {
        return Err(PyException::value_error(
            "can't have text and binary mode at once",
        ));
    }
    let modes = usize::from(creating)
        + usize::from(reading)
        + usize::from(writing)
        + usize::from(appending);
    if modes == 0 {
        return Err(PyException::value_error(
            "Must have exactly one of create/read/write/append mode and at most one plus",
        ));
    }
    if modes > 1 {
        return Err(PyException::value_error(
            "must have exactly one of create/read/write/append mode",
        ));
    }
    for (given, what) in [
        (encoding, "an encoding"),
        (errors, "an errors"),
        (newline, "a newline"),
    ] {
        if binary && given.is_some() {
            return Err(PyException::value_error(format!(
                "binary mode doesn't take {what} argument"
            )));
        }
    }
    if buffering == 0 && !binary {
        return Err(PyException::value_error("can't have unbuffered text I/O"));
    }
    let open_mode = sys::OpenMode {
        read: reading || updating,
        write: writing || creating || updating,
        append: appending,
        create: creating || writing || appending,
        truncate: writing,
        exclusive: creating,
    };
    let raw = FileIo::open(&path, open_mode, creating).map_err(|e| {
        PyException::new(
            ExcType::OSError,
            vec![
                Object::int(e.0),
                Object::Str(sys::strerror(e.0)),
                Object::Str(path.clone()),
            ],
        )
    })?;
    let raw = IoRef::new(Io::File(raw));
    if buffering == 0 {
        return Ok(Object::Io(raw));
    }
    let line_buffering = buffering == 1;
    let size = if buffering < 2 {
        DEFAULT_BUFFER_SIZE as i64
    } else {
        buffering
    };
    let kind = if updating {
        Kind::Random
    } else if reading {
        Kind::Reader
    } else {
        Kind::Writer
    };
    let buffer = IoRef::new(Io::Buffered(Buffered::new(raw, kind, size)?));
    if binary {
        return Ok(Object::Io(buffer));
    }
    let mut text = Text::new(buffer, encoding, errors, newline, line_buffering)?;
    text.mode = Some(mode);
    Ok(Object::Io(IoRef::new(Io::Text(text))))
}

fn opt_str_open<'a>(obj: Option<&'a Object>, what: &str) -> Result<Option<&'a str>, PyException> {
    match obj {
        None | Some(Object::None) => Ok(None),
        Some(Object::Str(s)) => Ok(Some(s)),
        Some(other) => Err(PyException::type_error(format!(
            "open() argument '{what}' must be str or None, not {}",
            tp_name(other)
        ))),
    }
}
