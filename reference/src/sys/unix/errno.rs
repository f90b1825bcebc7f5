//! Errno names and texts: the equivalent of Python's `errno.errorcode` (number to name),
//! `errno.NAME` (name to number) and `os.strerror` (C `strerror`), for this platform.

use std::ffi::CStr;
use std::sync::LazyLock;

/// `[(name, value)]` for errno names of the `libc` crate, in order; an entry may carry a
/// `#[cfg]` saying on which OSes the name exists.
macro_rules! errno_table {
    ($($(#[$cfg:meta])* $name:ident),* $(,)?) => {{
        let mut table: Vec<(&'static str, i32)> = Vec::with_capacity(160);
        $( $(#[$cfg])* table.push((stringify!($name), libc::$name)); )*
        table
    }};
}

/// Every errno name Python's `errno` module defines on this OS (Linux's set, less what
/// macOS or FreeBSD lack, plus the BSD names), with this platform's value from the `libc`
/// crate.
///
/// Where two names share a number, the one Python's `errno.errorcode` reports comes
/// *last* (`EAGAIN` over `EWOULDBLOCK`, `EDEADLOCK` over `EDEADLK`, `ENOTSUP` over
/// `EOPNOTSUPP`): [`crate::sys::errno_name`] takes the last entry for a number.
pub static ERRNO: LazyLock<Vec<(&str, i32)>> = LazyLock::new(|| {
    errno_table![
        EWOULDBLOCK,
        EDEADLK,
        EOPNOTSUPP,
        EPERM,
        ENOENT,
        ESRCH,
        EINTR,
        EIO,
        ENXIO,
        E2BIG,
        ENOEXEC,
        EBADF,
        ECHILD,
        EAGAIN,
        ENOMEM,
        EACCES,
        EFAULT,
        ENOTBLK,
        EBUSY,
        EEXIST,
        EXDEV,
        ENODEV,
        ENOTDIR,
        EISDIR,
        EINVAL,
        ENFILE,
        EMFILE,
        ENOTTY,
        ETXTBSY,
        EFBIG,
        ENOSPC,
        ESPIPE,
        EROFS,
        EMLINK,
        EPIPE,
        EDOM,
        ERANGE,
        #[cfg(target_os = "linux")]
        EDEADLOCK,
        ENAMETOOLONG,
        ENOLCK,
        ENOSYS,
        ENOTEMPTY,
        ELOOP,
        ENOMSG,
        EIDRM,
        #[cfg(target_os = "linux")]
        ECHRNG,
        #[cfg(target_os = "linux")]
        EL2NSYNC,
        #[cfg(target_os = "linux")]
        EL3HLT,
        #[cfg(target_os = "linux")]
        EL3RST,
        #[cfg(target_os = "linux")]
        ELNRNG,
        #[cfg(target_os = "linux")]
        EUNATCH,
        #[cfg(target_os = "linux")]
        ENOCSI,
        #[cfg(target_os = "linux")]
        EL2HLT,
        #[cfg(target_os = "linux")]
        EBADE,
        #[cfg(target_os = "linux")]
        EBADR,
        #[cfg(target_os = "linux")]
        EXFULL,
        #[cfg(target_os = "linux")]
        ENOANO,
        #[cfg(target_os = "linux")]
        EBADRQC,
        #[cfg(target_os = "linux")]
        EBADSLT,
        #[cfg(target_os = "linux")]
        EBFONT,
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        ENOSTR,
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        ENODATA,
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        ETIME,
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        ENOSR,
        #[cfg(target_os = "linux")]
        ENONET,
        #[cfg(target_os = "linux")]
        ENOPKG,
        EREMOTE,
        ENOLINK,
        #[cfg(target_os = "linux")]
        EADV,
        #[cfg(target_os = "linux")]
        ESRMNT,
        #[cfg(target_os = "linux")]
        ECOMM,
        EPROTO,
        EMULTIHOP,
        #[cfg(target_os = "linux")]
        EDOTDOT,
        EBADMSG,
        EOVERFLOW,
        #[cfg(target_os = "linux")]
        ENOTUNIQ,
        #[cfg(target_os = "linux")]
        EBADFD,
        #[cfg(target_os = "linux")]
        EREMCHG,
        #[cfg(target_os = "linux")]
        ELIBACC,
        #[cfg(target_os = "linux")]
        ELIBBAD,
        #[cfg(target_os = "linux")]
        ELIBSCN,
        #[cfg(target_os = "linux")]
        ELIBMAX,
        #[cfg(target_os = "linux")]
        ELIBEXEC,
        EILSEQ,
        #[cfg(target_os = "linux")]
        ERESTART,
        #[cfg(target_os = "linux")]
        ESTRPIPE,
        EUSERS,
        ENOTSOCK,
        EDESTADDRREQ,
        EMSGSIZE,
        EPROTOTYPE,
        ENOPROTOOPT,
        EPROTONOSUPPORT,
        ESOCKTNOSUPPORT,
        ENOTSUP,
        EPFNOSUPPORT,
        EAFNOSUPPORT,
        EADDRINUSE,
        EADDRNOTAVAIL,
        ENETDOWN,
        ENETUNREACH,
        ENETRESET,
        ECONNABORTED,
        ECONNRESET,
        ENOBUFS,
        EISCONN,
        ENOTCONN,
        ESHUTDOWN,
        ETOOMANYREFS,
        ETIMEDOUT,
        ECONNREFUSED,
        EHOSTDOWN,
        EHOSTUNREACH,
        EALREADY,
        EINPROGRESS,
        ESTALE,
        #[cfg(target_os = "linux")]
        EUCLEAN,
        #[cfg(target_os = "linux")]
        ENOTNAM,
        #[cfg(target_os = "linux")]
        ENAVAIL,
        #[cfg(target_os = "linux")]
        EISNAM,
        #[cfg(target_os = "linux")]
        EREMOTEIO,
        EDQUOT,
        #[cfg(target_os = "linux")]
        ENOMEDIUM,
        #[cfg(target_os = "linux")]
        EMEDIUMTYPE,
        ECANCELED,
        #[cfg(target_os = "linux")]
        ENOKEY,
        #[cfg(target_os = "linux")]
        EKEYEXPIRED,
        #[cfg(target_os = "linux")]
        EKEYREVOKED,
        #[cfg(target_os = "linux")]
        EKEYREJECTED,
        EOWNERDEAD,
        ENOTRECOVERABLE,
        #[cfg(target_os = "linux")]
        ERFKILL,
        // The BSD family's own names (Python's errno module has each where errno.h does).
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        EAUTH,
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        EBADRPC,
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        EFTYPE,
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        ENEEDAUTH,
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        ENOATTR,
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        EPROCLIM,
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        EPROCUNAVAIL,
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        EPROGMISMATCH,
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        EPROGUNAVAIL,
        #[cfg(any(target_os = "macos", target_os = "freebsd"))]
        ERPCMISMATCH,
        #[cfg(target_os = "macos")]
        EBADARCH,
        #[cfg(target_os = "macos")]
        EBADEXEC,
        #[cfg(target_os = "macos")]
        EBADMACHO,
        #[cfg(target_os = "macos")]
        EDEVERR,
        #[cfg(target_os = "macos")]
        ENOPOLICY,
        #[cfg(target_os = "macos")]
        EPWROFF,
        #[cfg(target_os = "macos")]
        ESHLIBVERS,
        #[cfg(target_os = "macos")]
        EQFULL,
        #[cfg(target_os = "freebsd")]
        ECAPMODE,
        #[cfg(target_os = "freebsd")]
        ENOTCAPABLE,
        #[cfg(target_os = "freebsd")]
        EDOOFUS,
        #[cfg(target_os = "freebsd")]
        EINTEGRITY,
    ]
});

/// The C library's message for an errno value (`strerror(3)`, as `os.strerror` and
/// `PyErr_SetFromErrno` use it), e.g. `"Invalid argument"` or `"Unknown error 9999"`.
pub fn strerror(number: i32) -> String {
    let mut buf: [libc::c_char; 256] = [0; 256];
    // SAFETY: `buf` is a valid, writable buffer of `buf.len()` bytes; the XSI
    // `strerror_r` writes at most that many bytes, NUL-terminated, and does not keep
    // the pointer.
    let rc = unsafe { libc::strerror_r(number, buf.as_mut_ptr(), buf.len()) };
    if rc != 0 {
        return format!("Unknown error {number}");
    }
    // SAFETY: on success `strerror_r` has written a NUL-terminated string into `buf`,
    // which outlives the borrow taken here.
    let text = unsafe { CStr::from_ptr(buf.as_ptr()) };
    text.to_string_lossy().into_owned()
}

/// How CPython's `set_error()` reports a failed socket call on Unix:
/// `PyErr_SetFromErrno`, so `OSError(errno, strerror(errno))` and no `winerror`.
pub fn socket_error(code: i32) -> super::super::SocketError {
    super::super::SocketError {
        errno: i64::from(code),
        strerror: strerror(code),
        winerror: None,
    }
}

/// `OSError`'s fourth argument is a Windows error code only on Windows; elsewhere it is
/// ignored (`None`: no `errno` is derived from it).
pub fn winerror_to_errno(_winerror: i64) -> Option<i64> {
    None
}
