//! The exception hierarchy the `socket` module raises, and a typed error carrying one.
//!
//! [`ExcType`] names each exception class with its exact Python type name and method
//! resolution order; [`ExcType::for_errno`] is CPython's automatic mapping of an errno to
//! an `OSError` subclass (PEP 3151). [`Error`] is what the core's operations return: an
//! exception type and its arguments in typed form.

use std::fmt;

use crate::sys;

/// An exception class the reference can raise or construct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExcType {
    /// `BaseException`
    BaseException,
    /// `Exception`
    Exception,
    /// `OSError` (also `socket.error`, `IOError`, `EnvironmentError`)
    OSError,
    /// `BlockingIOError`: `EAGAIN`, `EALREADY`, `EWOULDBLOCK`, `EINPROGRESS`
    BlockingIOError,
    /// `ChildProcessError`: `ECHILD`
    ChildProcessError,
    /// `ConnectionError`
    ConnectionError,
    /// `BrokenPipeError`: `EPIPE`, `ESHUTDOWN`
    BrokenPipeError,
    /// `ConnectionAbortedError`: `ECONNABORTED`
    ConnectionAbortedError,
    /// `ConnectionRefusedError`: `ECONNREFUSED`
    ConnectionRefusedError,
    /// `ConnectionResetError`: `ECONNRESET`
    ConnectionResetError,
    /// `FileExistsError`: `EEXIST`
    FileExistsError,
    /// `FileNotFoundError`: `ENOENT`
    FileNotFoundError,
    /// `InterruptedError`: `EINTR`
    InterruptedError,
    /// `IsADirectoryError`: `EISDIR`
    IsADirectoryError,
    /// `NotADirectoryError`: `ENOTDIR`
    NotADirectoryError,
    /// `PermissionError`: `EACCES`, `EPERM`
    PermissionError,
    /// `ProcessLookupError`: `ESRCH`
    ProcessLookupError,
    /// `TimeoutError` (also `socket.timeout` since 3.10): `ETIMEDOUT`
    TimeoutError,
    /// `socket.herror`
    Herror,
    /// `socket.gaierror`
    Gaierror,
    /// `ValueError`
    ValueError,
    /// `UnicodeError`
    UnicodeError,
    /// `UnicodeEncodeError`
    UnicodeEncodeError,
    /// `UnicodeDecodeError`
    UnicodeDecodeError,
    /// `io.UnsupportedOperation` (`class UnsupportedOperation(OSError, ValueError)`)
    UnsupportedOperation,
    /// `ArithmeticError`
    ArithmeticError,
    /// `OverflowError`
    OverflowError,
    /// `TypeError`
    TypeError,
    /// `AttributeError`
    AttributeError,
    /// `MemoryError`: an allocation (a `recv` buffer) failed.
    MemoryError,
    /// `RuntimeError`
    RuntimeError,
    /// `NotImplementedError`: raised for what the reference does not model yet.
    NotImplementedError,
    /// `ExceptionGroup` (`socket.create_connection(..., all_errors=True)`).
    ExceptionGroup,
    /// `LookupError`
    LookupError,
    /// `IndexError`: a sequence index out of range.
    IndexError,
}

impl ExcType {
    /// Every class, base classes first.
    pub const ALL: &'static [ExcType] = &[
        ExcType::BaseException,
        ExcType::Exception,
        ExcType::OSError,
        ExcType::BlockingIOError,
        ExcType::ChildProcessError,
        ExcType::ConnectionError,
        ExcType::BrokenPipeError,
        ExcType::ConnectionAbortedError,
        ExcType::ConnectionRefusedError,
        ExcType::ConnectionResetError,
        ExcType::FileExistsError,
        ExcType::FileNotFoundError,
        ExcType::InterruptedError,
        ExcType::IsADirectoryError,
        ExcType::NotADirectoryError,
        ExcType::PermissionError,
        ExcType::ProcessLookupError,
        ExcType::TimeoutError,
        ExcType::Herror,
        ExcType::Gaierror,
        ExcType::ValueError,
        ExcType::UnicodeError,
        ExcType::UnicodeEncodeError,
        ExcType::UnicodeDecodeError,
        ExcType::UnsupportedOperation,
        ExcType::ArithmeticError,
        ExcType::OverflowError,
        ExcType::TypeError,
        ExcType::AttributeError,
        ExcType::MemoryError,
        ExcType::RuntimeError,
        ExcType::NotImplementedError,
        ExcType::ExceptionGroup,
        ExcType::LookupError,
        ExcType::IndexError,
    ];

    /// The class's `__name__` (and C `tp_name`): `"OSError"`, `"gaierror"`.
    pub fn short_name(self) -> &'static str {
        match self {
            ExcType::BaseException => "BaseException",
            ExcType::Exception => "Exception",
            ExcType::OSError => "OSError",
            ExcType::BlockingIOError => "BlockingIOError",
            ExcType::ChildProcessError => "ChildProcessError",
            ExcType::ConnectionError => "ConnectionError",
            ExcType::BrokenPipeError => "BrokenPipeError",
            ExcType::ConnectionAbortedError => "ConnectionAbortedError",
            ExcType::ConnectionRefusedError => "ConnectionRefusedError",
            ExcType::ConnectionResetError => "ConnectionResetError",
            ExcType::FileExistsError => "FileExistsError",
            ExcType::FileNotFoundError => "FileNotFoundError",
            ExcType::InterruptedError => "InterruptedError",
            ExcType::IsADirectoryError => "IsADirectoryError",
            ExcType::NotADirectoryError => "NotADirectoryError",
            ExcType::PermissionError => "PermissionError",
            ExcType::ProcessLookupError => "ProcessLookupError",
            ExcType::TimeoutError => "TimeoutError",
            ExcType::Herror => "herror",
            ExcType::Gaierror => "gaierror",
            ExcType::ValueError => "ValueError",
            ExcType::UnicodeError => "UnicodeError",
            ExcType::UnicodeEncodeError => "UnicodeEncodeError",
            ExcType::UnicodeDecodeError => "UnicodeDecodeError",
            ExcType::UnsupportedOperation => "UnsupportedOperation",
            ExcType::ArithmeticError => "ArithmeticError",
            ExcType::OverflowError => "OverflowError",
            ExcType::TypeError => "TypeError",
            ExcType::AttributeError => "AttributeError",
            ExcType::MemoryError => "MemoryError",
            ExcType::RuntimeError => "RuntimeError",
            ExcType::NotImplementedError => "NotImplementedError",
            ExcType::ExceptionGroup => "ExceptionGroup",
            ExcType::LookupError => "LookupError",
            ExcType::IndexError => "IndexError",
        }
    }

    /// The class's `__module__`: `"builtins"` or `"socket"`.
    pub fn module(self) -> &'static str {
        match self {
            ExcType::Herror | ExcType::Gaierror => "socket",
            ExcType::UnsupportedOperation => "io",
            _ => "builtins",
        }
    }

    /// The type name as the case format and the protocol spell it: bare for builtins
    /// (`"OSError"`), `module.qualname` otherwise (`"socket.gaierror"`).
    pub fn name(self) -> String {
        match self.module() {
            "builtins" => self.short_name().to_owned(),
            module => format!("{module}.{}", self.short_name()),
        }
    }

    /// The direct base class (`None` for `BaseException`, whose base is `object`).
    pub fn base(self) -> Option<ExcType> {
        use ExcType::*;
        Some(match self {
            BaseException => return None,
            Exception => BaseException,
            OSError | ValueError | ArithmeticError | TypeError | AttributeError | MemoryError
            | RuntimeError | ExceptionGroup | LookupError => Exception,
            IndexError => LookupError,
            BlockingIOError | ChildProcessError | ConnectionError | FileExistsError
            | FileNotFoundError | InterruptedError | IsADirectoryError | NotADirectoryError
            | PermissionError | ProcessLookupError | TimeoutError | Herror | Gaierror
            | UnsupportedOperation => OSError,
            BrokenPipeError
            | ConnectionAbortedError
            | ConnectionRefusedError
            | ConnectionResetError => ConnectionError,
            UnicodeError => ValueError,
            UnicodeEncodeError | UnicodeDecodeError => UnicodeError,
            OverflowError => ArithmeticError,
            NotImplementedError => RuntimeError,
        })
    }

    /// The method resolution order as type names, ending in `"object"`.
    pub fn mro(self) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = Some(self);
        while let Some(ty) = cur {
            out.push(ty.name());
            if ty == ExcType::ExceptionGroup {
                // class ExceptionGroup(BaseExceptionGroup, Exception)
                out.push("BaseExceptionGroup".to_owned());
            }
            if ty == ExcType::OSError && self == ExcType::UnsupportedOperation {
                // class UnsupportedOperation(OSError, ValueError)
                out.push("ValueError".to_owned());
            }
            cur = ty.base();
        }
        out.push("object".to_owned());
        out
    }

    /// Whether `self` is `other` or a subclass of it.
    pub fn is_subclass_of(self, other: ExcType) -> bool {
        if self == ExcType::UnsupportedOperation && other == ExcType::ValueError {
            return true;
        }
        let mut cur = Some(self);
        while let Some(ty) = cur {
            if ty == other {
                return true;
            }
            cur = ty.base();
        }
        false
    }

    /// Whether instances have `errno` / `strerror` / `filename` (subclasses of `OSError`).
    pub fn is_oserror(self) -> bool {
        self.is_subclass_of(ExcType::OSError)
    }

    /// The class with this type name (`"OSError"`, `"socket.gaierror"`).
    pub fn from_name(name: &str) -> Option<ExcType> {
        ExcType::ALL.iter().copied().find(|ty| ty.name() == name)
    }

    /// The `OSError` subclass CPython picks for an errno value when `OSError(errno,
    /// strerror)` is constructed (`Objects/exceptions.c`, the `errnomap`); `OSError`
    /// itself when the errno has no subclass.
    pub fn for_errno(errno: i64) -> ExcType {
        let map: &[(&str, ExcType)] = &[
            ("EAGAIN", ExcType::BlockingIOError),
            ("EALREADY", ExcType::BlockingIOError),
            ("EINPROGRESS", ExcType::BlockingIOError),
            ("EWOULDBLOCK", ExcType::BlockingIOError),
            ("EPIPE", ExcType::BrokenPipeError),
            ("ESHUTDOWN", ExcType::BrokenPipeError),
            ("ECHILD", ExcType::ChildProcessError),
            ("ECONNABORTED", ExcType::ConnectionAbortedError),
            ("ECONNREFUSED", ExcType::ConnectionRefusedError),
            ("ECONNRESET", ExcType::ConnectionResetError),
            ("EEXIST", ExcType::FileExistsError),
            ("ENOENT", ExcType::FileNotFoundError),
            ("EISDIR", ExcType::IsADirectoryError),
            ("ENOTDIR", ExcType::NotADirectoryError),
            ("EINTR", ExcType::InterruptedError),
            ("EACCES", ExcType::PermissionError),
            ("EPERM", ExcType::PermissionError),
            ("ESRCH", ExcType::ProcessLookupError),
            ("ETIMEDOUT", ExcType::TimeoutError),
        ];
        map.iter()
            .find(|(name, _)| sys::errno_value(name).map(i64::from) == Some(errno))
            .map_or(ExcType::OSError, |&(_, ty)| ty)
    }
}

impl fmt::Display for ExcType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// A raised exception in typed form: its class and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The exception class.
    pub ty: ExcType,
    /// The arguments it was raised with.
    pub args: ErrorArgs,
}

/// The argument shapes the core raises with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorArgs {
    /// `Exc("message")`: `args == ("message",)`, `str(exc) == "message"`.
    Message(String),
    /// `OSError(errno, strerror)` and subclasses (`gaierror(code, text)` too):
    /// `args == (errno, strerror)`, `str(exc) == "[Errno N] text"`.
    Errno(i64, String),
    /// `Exc()`: no arguments, `str(exc) == ""` (`MemoryError()`).
    Empty,
    /// A failed socket call on Windows as `PyErr_SetExcFromWindowsErr` raises it:
    /// `OSError(0, strerror, None, winerror)`, whose `errno` is derived from `winerror`
    /// (`args == (errno, strerror, None, winerror, None)`,
    /// `str(exc) == "[WinError N] text"`).
    WinError {
        /// `exc.errno` (`winerror_to_errno(winerror)`).
        errno: i64,
        /// `exc.strerror` (the system's message for `winerror`).
        strerror: String,
        /// `exc.winerror`: the Windows (Winsock) error code.
        winerror: i64,
    },
    /// `UnicodeDecodeError(encoding, object, start, end, reason)` /
    /// `UnicodeEncodeError(…)`: the codec, the input, the failing range and why.
    Codec {
        /// The codec's name as the error shows it (`'ascii'`, `'utf-8'`).
        encoding: String,
        /// The input being decoded (bytes) or encoded (text).
        object: CodecInput,
        /// Start of the failing range (bytes or characters).
        start: usize,
        /// End of the failing range (exclusive).
        end: usize,
        /// `'ordinal not in range(128)'`, `'invalid start byte'`, …
        reason: String,
    },
}

/// What a codec error was raised on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodecInput {
    /// The bytes being decoded.
    Bytes(Vec<u8>),
    /// The text being encoded.
    Str(String),
}

impl Error {
    /// An exception of class `ty` with one message argument.
    pub fn new(ty: ExcType, message: impl Into<String>) -> Error {
        Error {
            ty,
            args: ErrorArgs::Message(message.into()),
        }
    }

    /// `OSError(errno, strerror(errno))` as `PyErr_SetFromErrno` raises it, with the
    /// errno's automatic subclass (`ECONNREFUSED` gives `ConnectionRefusedError`, …).
    pub fn from_errno(errno: i32) -> Error {
        Error {
            ty: ExcType::for_errno(i64::from(errno)),
            args: ErrorArgs::Errno(i64::from(errno), sys::strerror(errno)),
        }
    }

    /// The exception CPython's `set_error()` raises for a socket call that failed with
    /// the OS error code `code`: `PyErr_SetFromErrno` on Unix (as [`Error::from_errno`]),
    /// `PyErr_SetExcFromWindowsErr` on Windows (with `winerror`). The class is the
    /// errno's subclass either way.
    pub fn from_socket_error(code: i32) -> Error {
        let report = sys::socket_error(code);
        let ty = ExcType::for_errno(report.errno);
        match report.winerror {
            None => Error {
                ty,
                args: ErrorArgs::Errno(report.errno, report.strerror),
            },
            Some(winerror) => Error {
                ty,
                args: ErrorArgs::WinError {
                    errno: report.errno,
                    strerror: report.strerror,
                    winerror,
                },
            },
        }
    }

    /// What a socket call on a descriptor that is not open raises (`EBADF`; on Windows
    /// Winsock's `WSAENOTSOCK`): the module's answer for numbers it does not own.
    pub fn bad_descriptor() -> Error {
        sys::Errno::EBADF.into()
    }

    /// `exc.errno` when the error is an `OSError` with an errno.
    pub fn errno(&self) -> Option<i64> {
        match self.args {
            ErrorArgs::Errno(n, _) | ErrorArgs::WinError { errno: n, .. } => Some(n),
            _ => None,
        }
    }

    /// `OSError("message")`: an `OSError` with a message and no errno.
    pub fn os(message: impl Into<String>) -> Error {
        Error::new(ExcType::OSError, message)
    }

    /// `ValueError("message")`.
    pub fn value(message: impl Into<String>) -> Error {
        Error::new(ExcType::ValueError, message)
    }

    /// `OverflowError("message")`.
    pub fn overflow(message: impl Into<String>) -> Error {
        Error::new(ExcType::OverflowError, message)
    }

    /// `TypeError("message")`.
    pub fn type_error(message: impl Into<String>) -> Error {
        Error::new(ExcType::TypeError, message)
    }

    /// `AttributeError("message")`.
    pub fn attribute(message: impl Into<String>) -> Error {
        Error::new(ExcType::AttributeError, message)
    }

    /// `io.UnsupportedOperation(message)`.
    pub fn unsupported(message: impl Into<String>) -> Error {
        Error::new(ExcType::UnsupportedOperation, message)
    }

    /// `MemoryError()`, with no arguments, as a failed allocation raises it.
    pub fn memory() -> Error {
        Error {
            ty: ExcType::MemoryError,
            args: ErrorArgs::Empty,
        }
    }

    /// `NotImplementedError("… is not implemented by the sockconf reference yet")`:
    /// `what` is a documented behaviour the reference does not model yet.
    pub fn not_implemented(what: &str) -> Error {
        Error::new(
            ExcType::NotImplementedError,
            format!("{what} is not implemented by the sockconf reference yet"),
        )
    }

    /// `TimeoutError("timed out")`, what a socket operation raises when its timeout
    /// expires.
    pub fn timed_out() -> Error {
        Error::new(ExcType::TimeoutError, "timed out")
    }

    /// `str(exc)` for this error.
    pub fn message(&self) -> String {
        match &self.args {
            ErrorArgs::Message(m) => m.clone(),
            ErrorArgs::Errno(n, text) => format!("[Errno {n}] {text}"),
            ErrorArgs::WinError {
                strerror, winerror, ..
            } => format!("[WinError {winerror}] {strerror}"),
            ErrorArgs::Empty => String::new(),
            ErrorArgs::Codec {
                encoding,
                object,
                start,
                end,
                reason,
            } => match object {
                CodecInput::Bytes(b) if *end == start + 1 => format!(
                    "'{encoding}' codec can't decode byte {:#04x} in position {start}: {reason}",
                    b.get(*start).copied().unwrap_or(0)
                ),
                CodecInput::Bytes(_) => format!(
                    "'{encoding}' codec can't decode bytes in position {start}-{}: {reason}",
                    end.saturating_sub(1)
                ),
                CodecInput::Str(_) => {
                    format!("'{encoding}' codec can't encode ({start}-{end}): {reason}")
                }
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.ty, self.message())
    }
}

impl std::error::Error for Error {}

impl From<sys::Errno> for Error {
    /// The `OSError` (or errno subclass) CPython's `set_error` raises after a failed
    /// socket call ([`Error::from_socket_error`]).
    fn from(errno: sys::Errno) -> Error {
        Error::from_socket_error(errno.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(ExcType::OSError, &["OSError", "Exception", "BaseException", "object"])]
    #[case(ExcType::Gaierror, &["socket.gaierror", "OSError", "Exception", "BaseException", "object"])]
    #[case(ExcType::ConnectionRefusedError, &["ConnectionRefusedError", "ConnectionError", "OSError", "Exception", "BaseException", "object"])]
    #[case(ExcType::OverflowError, &["OverflowError", "ArithmeticError", "Exception", "BaseException", "object"])]
    #[case(ExcType::MemoryError, &["MemoryError", "Exception", "BaseException", "object"])]
    #[case(ExcType::UnicodeEncodeError, &["UnicodeEncodeError", "UnicodeError", "ValueError", "Exception", "BaseException", "object"])]
    fn mro(#[case] ty: ExcType, #[case] expected: &[&str]) {
        assert_eq!(ty.mro(), expected);
    }

    #[rstest]
    #[case("EAGAIN", ExcType::BlockingIOError)]
    #[case("EINPROGRESS", ExcType::BlockingIOError)]
    #[case("ECONNREFUSED", ExcType::ConnectionRefusedError)]
    #[case("ECONNRESET", ExcType::ConnectionResetError)]
    #[case("EPIPE", ExcType::BrokenPipeError)]
    #[case("ESHUTDOWN", ExcType::BrokenPipeError)]
    #[case("ETIMEDOUT", ExcType::TimeoutError)]
    #[case("EPERM", ExcType::PermissionError)]
    #[case("EINVAL", ExcType::OSError)]
    #[case("EAFNOSUPPORT", ExcType::OSError)]
    fn errno_subclass(#[case] name: &str, #[case] ty: ExcType) {
        let errno = sys::errno_value(name).expect("errno exists");
        assert_eq!(ExcType::for_errno(i64::from(errno)), ty);
    }

    #[test]
    fn names_round_trip() {
        for &ty in ExcType::ALL {
            assert_eq!(ExcType::from_name(&ty.name()), Some(ty));
        }
    }

    #[test]
    fn from_errno_message() {
        let einval = sys::errno_value("EINVAL").expect("EINVAL");
        let err = Error::from_errno(einval);
        assert_eq!(err.ty, ExcType::OSError);
        assert_eq!(err.message(), format!("[Errno {einval}] Invalid argument"));
        assert_eq!(Error::timed_out().message(), "timed out");
    }
}
