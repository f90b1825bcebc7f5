//! Exception instances as Python sees them: [`PyException`], with CPython's rules for
//! `args`, `errno`, `strerror`, `filename`, `str(exc)` and `repr(exc)`.
//!
//! Constructing an `OSError` follows `Objects/exceptions.c` (`oserror_parse_args`,
//! `oserror_init`, `OSError_str`): with 2 to 5 arguments the first two become `errno`
//! and `strerror`, the third `filename` and the fifth `filename2`; a `filename` other
//! than `None` cuts `args` down to `(errno, strerror)`; and `OSError` itself (not a
//! subclass) called with an int errno becomes the errno's subclass
//! (`OSError(111, 'x')` is a `ConnectionRefusedError`). Where `OSError` has `winerror`
//! (Windows, `sys::FEATURES.winerror`), a fourth argument that is an int is the Windows
//! error code: `errno` (and `args[0]`) become `winerror_to_errno` of it, and `str(exc)`
//! says `[WinError N]`.

use num_traits::ToPrimitive;

use super::object::{Object, join_reprs, repr, str as py_str, tp_name};
use crate::core::constants::gai_error_name;
use crate::core::error::{CodecInput, Error, ErrorArgs};
use crate::core::{ExcType, errno};
use crate::sys;

/// An exception instance.
///
/// Boxed inside, so that `Result<T, PyException>` stays small.
#[derive(Debug, Clone, PartialEq)]
pub struct PyException(Box<Inner>);

#[derive(Debug, Clone, PartialEq)]
struct Inner {
    ty: ExcType,
    args: Vec<Object>,
    errno: Option<Object>,
    strerror: Option<Object>,
    filename: Option<Object>,
    filename2: Option<Object>,
    winerror: Option<Object>,
    characters_written: Option<i64>,
    exceptions: Option<Vec<PyException>>,
}

impl PyException {
    /// `ty(*args)`: the instance calling the class with these arguments gives, with
    /// `OSError`'s argument rules and errno-to-subclass mapping.
    ///
    /// The only way this can fail is a `BlockingIOError` whose third argument (the
    /// `characters_written` count) is a number that is not a valid `Py_ssize_t`; such a
    /// failure is returned as the exception itself. Use [`PyException::call`] to tell
    /// the two apart.
    pub fn new(ty: ExcType, args: Vec<Object>) -> PyException {
        PyException::call(ty, args).unwrap_or_else(|err| err)
    }

    /// `ty(*args)` as a call: `Err` when constructing raises.
    pub fn call(ty: ExcType, args: Vec<Object>) -> Result<PyException, PyException> {
        let mut exc = Inner {
            ty,
            args,
            errno: None,
            strerror: None,
            filename: None,
            filename2: None,
            winerror: None,
            characters_written: None,
            exceptions: None,
        };
        if !ty.is_oserror() || !(2..=5).contains(&exc.args.len()) {
            return Ok(PyException(Box::new(exc)));
        }
        if sys::FEATURES.winerror {
            if let Some(winerror) = exc.args.get(3).cloned() {
                if let Some(code) = winerror.as_int() {
                    // PyLong_AsLong on Windows, where a C long is 32 bits.
                    let code = code.to_i32().ok_or_else(|| {
                        PyException::overflow_error("Python int too large to convert to C long")
                    })?;
                    if let Some(errno) = sys::winerror_to_errno(i64::from(code)) {
                        exc.args[0] = Object::int(errno);
                    }
                }
                exc.winerror = Some(winerror);
            }
        }
        let errno = exc.args[0].clone();
        exc.strerror = Some(exc.args[1].clone());
        if ty == ExcType::OSError {
            if let Some(n) = errno.as_int().and_then(|n| n.to_i64()) {
                exc.ty = ExcType::for_errno(n);
            }
        }
        exc.errno = Some(errno);
        let third = exc.args.get(2).filter(|f| **f != Object::None).cloned();
        if let Some(third) = third {
            let numeric = matches!(
                third,
                Object::Int(_) | Object::Bool(_) | Object::Float(_) | Object::Enum(_)
            );
            if exc.ty == ExcType::BlockingIOError && numeric {
                // BlockingIOError(errno, strerror, characters_written): args stay whole.
                let written = third.as_int().ok_or_else(|| {
                    PyException::type_error(format!(
                        "'{}' object cannot be interpreted as an integer",
                        tp_name(&third)
                    ))
                })?;
                let written = written.to_isize().and_then(|n| n.to_i64()).ok_or_else(|| {
                    PyException::value_error("cannot fit 'int' into an index-sized integer")
                })?;
                exc.characters_written = Some(written);
            } else {
                exc.filename = Some(third);
                if exc.args.len() == 5 && exc.args[4] != Object::None {
                    exc.filename2 = Some(exc.args[4].clone());
                }
                exc.args.truncate(2);
            }
        }
        Ok(PyException(Box::new(exc)))
    }

    /// `ty(message)`.
    pub fn with_message(ty: ExcType, message: impl Into<String>) -> PyException {
        PyException::new(ty, vec![Object::Str(message.into())])
    }

    /// `TypeError(message)`.
    pub fn type_error(message: impl Into<String>) -> PyException {
        PyException::with_message(ExcType::TypeError, message)
    }

    /// `ValueError(message)`.
    pub fn value_error(message: impl Into<String>) -> PyException {
        PyException::with_message(ExcType::ValueError, message)
    }

    /// `OverflowError(message)`.
    pub fn overflow_error(message: impl Into<String>) -> PyException {
        PyException::with_message(ExcType::OverflowError, message)
    }

    /// `AttributeError(message)`.
    pub fn attribute_error(message: impl Into<String>) -> PyException {
        PyException::with_message(ExcType::AttributeError, message)
    }

    /// The exception class.
    pub fn exc_type(&self) -> ExcType {
        self.0.ty
    }

    /// The type name: `"OSError"`, `"socket.gaierror"`.
    pub fn type_name(&self) -> String {
        self.0.ty.name()
    }

    /// The method resolution order of its class, as type names.
    pub fn mro(&self) -> Vec<String> {
        self.0.ty.mro()
    }

    /// `exc.args`.
    pub fn args(&self) -> Vec<Object> {
        self.0.args.clone()
    }

    /// `exc.errno` when it is an int that fits 64 bits.
    pub fn errno(&self) -> Option<i64> {
        self.0.errno.as_ref()?.as_int()?.to_i64()
    }

    /// `exc.errno` as it is (it can be any object: `OSError('a', 'b').errno == 'a'`).
    pub fn errno_object(&self) -> Option<&Object> {
        self.0.errno.as_ref()
    }

    /// The symbolic name of `errno`: `errno.errorcode[errno]`, or for a
    /// `socket.gaierror` the name of the `socket.EAI_*` constant with that value.
    pub fn errno_name(&self) -> Option<String> {
        let n = self.errno()?;
        if self.0.ty == ExcType::Gaierror {
            gai_error_name(n).map(str::to_owned)
        } else {
            errno::name(n).map(str::to_owned)
        }
    }

    /// `exc.strerror`.
    pub fn strerror(&self) -> Option<Object> {
        self.0.strerror.clone()
    }

    /// `exc.filename`.
    pub fn filename(&self) -> Option<Object> {
        self.0.filename.clone()
    }

    /// `exc.filename2`.
    pub fn filename2(&self) -> Option<Object> {
        self.0.filename2.clone()
    }

    /// `exc.winerror` where `OSError` has it: the fourth constructor argument, when given.
    pub fn winerror(&self) -> Option<Object> {
        self.0.winerror.clone()
    }

    /// `exc.characters_written` of a `BlockingIOError`, when it was given.
    pub fn characters_written(&self) -> Option<i64> {
        self.0.characters_written
    }

    /// `ExceptionGroup(message, exceptions)`. `args` is `(message, [])`: the list
    /// `socket.create_connection` passes is emptied after the group is made (it clears
    /// it in a `finally`), and `args` shows that same list.
    pub fn group(message: impl Into<String>, exceptions: Vec<PyException>) -> PyException {
        let mut exc = PyException::new(
            ExcType::ExceptionGroup,
            vec![Object::Str(message.into()), Object::List(vec![])],
        );
        exc.0.exceptions = Some(exceptions);
        exc
    }

    /// `exc.exceptions` of an exception group.
    pub fn exceptions(&self) -> Option<&[PyException]> {
        self.0.exceptions.as_deref()
    }

    /// `str(exc)`.
    pub fn message(&self) -> String {
        if let (Some(group), Some(Object::Str(text))) = (&self.0.exceptions, self.0.args.first()) {
            let n = group.len();
            let plural = if n == 1 { "" } else { "s" };
            return format!("{text} ({n} sub-exception{plural})");
        }
        if let (Some(winerror), Some(strerror)) = (&self.0.winerror, &self.0.strerror) {
            // OSError_str on Windows: winerror has priority over errno.
            let head = format!("[WinError {}] {}", py_str(winerror), py_str(strerror));
            return match (&self.0.filename, &self.0.filename2) {
                (Some(f), Some(f2)) => format!("{head}: {} -> {}", repr(f), repr(f2)),
                (Some(f), None) => format!("{head}: {}", repr(f)),
                _ => head,
            };
        }
        if let (Some(errno), Some(strerror)) = (&self.0.errno, &self.0.strerror) {
            let head = format!("[Errno {}] {}", py_str(errno), py_str(strerror));
            return match (&self.0.filename, &self.0.filename2) {
                (Some(f), Some(f2)) => format!("{head}: {} -> {}", repr(f), repr(f2)),
                (Some(f), None) => format!("{head}: {}", repr(f)),
                _ => head,
            };
        }
        if self.0.ty == ExcType::UnicodeEncodeError {
            if let [
                Object::Str(enc),
                Object::Str(obj),
                start,
                end,
                Object::Str(reason),
            ] = self.0.args.as_slice()
            {
                return unicode_encode_error_str(enc, obj, start, end, reason);
            }
        }
        if self.0.ty == ExcType::UnicodeDecodeError {
            if let [
                Object::Str(enc),
                Object::Bytes(obj),
                start,
                end,
                Object::Str(reason),
            ] = self.0.args.as_slice()
            {
                let pos = |o: &Object| o.as_int().and_then(|i| i.to_usize()).unwrap_or(0);
                return Error {
                    ty: ExcType::UnicodeDecodeError,
                    args: ErrorArgs::Codec {
                        encoding: enc.clone(),
                        object: CodecInput::Bytes(obj.clone()),
                        start: pos(start),
                        end: pos(end),
                        reason: reason.clone(),
                    },
                }
                .message();
            }
        }
        match self.0.args.as_slice() {
            [] => String::new(),
            [one] => py_str(one),
            many => repr(&Object::Tuple(many.to_vec())),
        }
    }

    /// `repr(exc)`: `gaierror(-2, 'Name or service not known')`, `OSError('m')`.
    pub fn repr(&self) -> String {
        format!("{}({})", self.0.ty.short_name(), join_reprs(&self.0.args))
    }
}

/// `UnicodeEncodeError.__str__`: `'idna' codec can't encode character '\x2e' in
/// position 2: label empty`, or `… characters in position 0-63: …` for a longer range.
fn unicode_encode_error_str(
    encoding: &str,
    object: &str,
    start: &Object,
    end: &Object,
    reason: &str,
) -> String {
    let pos = |o: &Object| o.as_int().and_then(|i| i.to_usize()).unwrap_or(0);
    crate::core::codec::encode_error_message(encoding, object, pos(start), pos(end), reason)
}

/// The `UnicodeEncodeError` of `host.encode("idna")`.
pub fn idna_error(host: &str, err: &crate::core::idna::IdnaError) -> PyException {
    let reason = err.reason.text(|c| repr(&Object::Str(c.to_string())));
    PyException::new(
        ExcType::UnicodeEncodeError,
        vec![
            Object::str("idna"),
            Object::str(host),
            Object::int(err.start),
            Object::int(err.end),
            Object::Str(reason),
        ],
    )
}

impl From<Error> for PyException {
    fn from(err: Error) -> PyException {
        let args = match err.args {
            ErrorArgs::Message(m) => vec![Object::Str(m)],
            ErrorArgs::Errno(n, text) => vec![Object::int(n), Object::Str(text)],
            // PyErr_SetExcFromWindowsErr: OSError(0, text, None, winerror, None), whose
            // errno (and args[0]) the constructor derives from winerror.
            ErrorArgs::WinError {
                errno,
                strerror,
                winerror,
            } => vec![
                Object::int(errno),
                Object::Str(strerror),
                Object::None,
                Object::int(winerror),
                Object::None,
            ],
            ErrorArgs::Empty => vec![],
            ErrorArgs::Codec {
                encoding,
                object,
                start,
                end,
                reason,
            } => vec![
                Object::Str(encoding),
                match object {
                    CodecInput::Bytes(b) => Object::Bytes(b),
                    CodecInput::Str(s) => Object::Str(s),
                },
                Object::int(start),
                Object::int(end),
                Object::Str(reason),
            ],
        };
        let mut exc = PyException::new(err.ty, args);
        // The core already chose the class (a gaierror stays a gaierror).
        exc.0.ty = err.ty;
        exc
    }
}

impl std::fmt::Display for PyException {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = self.message();
        if message.is_empty() {
            f.write_str(&self.type_name())
        } else {
            write!(f, "{}: {message}", self.type_name())
        }
    }
}

impl std::error::Error for PyException {}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn s(x: &str) -> Object {
        Object::str(x)
    }
    fn i(x: i64) -> Object {
        Object::int(x)
    }

    #[rstest]
    #[case(ExcType::OSError, vec![], "OSError", "", "OSError()")]
    #[case(ExcType::OSError, vec![s("m")], "OSError", "m", "OSError('m')")]
    #[case(ExcType::OSError, vec![i(22), s("x")], "OSError", "[Errno 22] x", "OSError(22, 'x')")]
    #[case(ExcType::OSError, vec![i(22)], "OSError", "22", "OSError(22)")]
    #[case(ExcType::OSError, vec![s("22"), s("x")], "OSError", "[Errno 22] x", "OSError('22', 'x')")]
    #[case(ExcType::OSError, vec![i(22), s("x"), s("f")], "OSError", "[Errno 22] x: 'f'", "OSError(22, 'x')")]
    #[case(ExcType::OSError, vec![i(22), s("x"), s("f"), Object::None, s("g")], "OSError", "[Errno 22] x: 'f' -> 'g'", "OSError(22, 'x')")]
    #[case(ExcType::OSError, vec![i(22), s("x"), Object::None], "OSError", "[Errno 22] x", "OSError(22, 'x', None)")]
    #[case(ExcType::OSError, vec![i(22), s("x"), s("f"), Object::None, Object::None], "OSError", "[Errno 22] x: 'f'", "OSError(22, 'x')")]
    #[case(ExcType::OSError, vec![i(22), s("x"), Object::None, Object::None, s("g")], "OSError", "[Errno 22] x", "OSError(22, 'x', None, None, 'g')")]
    #[case(ExcType::OSError, vec![i(11), s("x"), i(5), Object::None, s("g")], "BlockingIOError", "[Errno 11] x", "BlockingIOError(11, 'x', 5, None, 'g')")]
    #[case(ExcType::OSError, vec![i(11), s("x"), s("f"), Object::None, s("g")], "BlockingIOError", "[Errno 11] x: 'f' -> 'g'", "BlockingIOError(11, 'x')")]
    #[case(ExcType::OSError, vec![i(1), i(2), i(3), i(4), i(5), i(6)], "OSError", "(1, 2, 3, 4, 5, 6)", "OSError(1, 2, 3, 4, 5, 6)")]
    #[case(ExcType::OSError, vec![Object::None, s("x")], "OSError", "[Errno None] x", "OSError(None, 'x')")]
    #[case(ExcType::OSError, vec![Object::Float(22.0), s("x")], "OSError", "[Errno 22.0] x", "OSError(22.0, 'x')")]
    #[case(ExcType::OSError, vec![Object::Bool(true), s("x")], "PermissionError", "[Errno True] x", "PermissionError(True, 'x')")]
    #[case(ExcType::Gaierror, vec![i(-2), s("Name or service not known")], "socket.gaierror", "[Errno -2] Name or service not known", "gaierror(-2, 'Name or service not known')")]
    #[case(ExcType::Gaierror, vec![i(111), s("y")], "socket.gaierror", "[Errno 111] y", "gaierror(111, 'y')")]
    #[case(ExcType::TimeoutError, vec![s("timed out")], "TimeoutError", "timed out", "TimeoutError('timed out')")]
    #[case(ExcType::ValueError, vec![i(1), i(2)], "ValueError", "(1, 2)", "ValueError(1, 2)")]
    fn construct(
        #[case] ty: ExcType,
        #[case] args: Vec<Object>,
        #[case] type_name: &str,
        #[case] message: &str,
        #[case] repr: &str,
    ) {
        let e = PyException::new(ty, args);
        assert_eq!(e.type_name(), type_name);
        assert_eq!(e.message(), message);
        assert_eq!(e.repr(), repr);
    }

    #[rstest]
    #[case("ECONNREFUSED", "ConnectionRefusedError")]
    #[case("EAGAIN", "BlockingIOError")]
    #[case("ETIMEDOUT", "TimeoutError")]
    #[case("ENOENT", "FileNotFoundError")]
    #[case("EINVAL", "OSError")]
    fn errno_mapping(#[case] name: &str, #[case] type_name: &str) {
        let n = errno::value(name).unwrap();
        let e = PyException::new(ExcType::OSError, vec![i(n), s("x")]);
        assert_eq!(e.type_name(), type_name);
        assert_eq!(e.errno(), Some(n));
        assert_eq!(e.errno_name().as_deref(), Some(name));
    }

    #[test]
    fn characters_written() {
        let e = PyException::new(ExcType::OSError, vec![i(11), s("x"), Object::Bool(true)]);
        assert_eq!(e.characters_written(), Some(1));
        let err = PyException::call(ExcType::OSError, vec![i(11), s("x"), Object::Float(1.5)]);
        assert_eq!(
            err.unwrap_err().to_string(),
            "TypeError: 'float' object cannot be interpreted as an integer"
        );
        let big = Object::Int(num_bigint::BigInt::from(1) << 70);
        let err = PyException::call(ExcType::BlockingIOError, vec![i(11), s("x"), big]);
        assert_eq!(
            err.unwrap_err().to_string(),
            "ValueError: cannot fit 'int' into an index-sized integer"
        );
    }

    #[test]
    fn gaierror_errno_name_is_eai() {
        let e = PyException::new(ExcType::Gaierror, vec![i(-2), s("x")]);
        assert_eq!(e.errno_name().as_deref(), Some("EAI_NONAME"));
    }

    #[test]
    fn from_core_error() {
        let e = PyException::from(Error::from_errno(errno::value("ECONNRESET").unwrap() as i32));
        assert_eq!(e.type_name(), "ConnectionResetError");
        assert_eq!(e.strerror(), Some(s("Connection reset by peer")));
        let e = PyException::from(Error::os("illegal IP address string passed to inet_aton"));
        assert_eq!(e.errno(), None);
        assert_eq!(
            e.args(),
            vec![s("illegal IP address string passed to inet_aton")]
        );
    }
}
