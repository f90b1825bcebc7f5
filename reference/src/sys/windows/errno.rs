//! Errno names and error texts on Windows: Python's `errno.errorcode`, `errno.NAME`, the
//! message of `PyErr_SetFromErrno`, and how a failed socket call is reported
//! (`set_error()` → `PyErr_SetExcFromWindowsErr`, with `PC/errmap.h`'s
//! `winerror_to_errno`).

use std::sync::LazyLock;

use windows_sys::Win32::Foundation as fnd;
use windows_sys::Win32::Networking::WinSock as ws;

use super::super::SocketError;

/// `[(name, value)]` as CPython's `Modules/errnomodule.c` builds the module on Windows:
/// every name its `#ifdef` chain finds, in its order, each with the value it takes there.
///
/// The C runtime's errno values (`errno.h` of the UCRT, which the `libc` crate mirrors)
/// are used except for the 25 socket names that `errnomodule.c` `#undef`s because they
/// "have preferred WSA equivalents" (`EWOULDBLOCK`, `ECONNREFUSED`, …): those, and the
/// names the C runtime lacks (`EUSERS`, `EREMOTE`, `EHOSTDOWN`, `ESHUTDOWN`, …), take the
/// Winsock value (`errno.ECONNREFUSED == 10061`). Then come the `WSA*` names themselves
/// (values from windows-sys, i.e. the SDK's `winsock2.h`). Names `errnomodule.c` tests
/// that no Windows header defines (`WSASY`, `WSATR`, `WSAGETSELECTERRO`, …) are absent.
///
/// Where two names share a number, the one Python's `errno.errorcode` reports comes
/// *last* (the module inserts in this order, later entries replacing earlier ones):
/// `WSAECONNREFUSED` over `ECONNREFUSED`, `EDEADLOCK` over `EDEADLK`.
pub static ERRNO: LazyLock<Vec<(&str, i32)>> = LazyLock::new(|| {
    vec![
        ("ENODEV", libc::ENODEV),
        ("EHOSTUNREACH", ws::WSAEHOSTUNREACH),
        ("ENOMSG", libc::ENOMSG),
        ("ENODATA", libc::ENODATA),
        ("ENOSYS", libc::ENOSYS),
        ("EPIPE", libc::EPIPE),
        ("EINVAL", libc::EINVAL),
        ("EOVERFLOW", libc::EOVERFLOW),
        ("EINTR", libc::EINTR),
        ("EUSERS", ws::WSAEUSERS),
        ("ENOTEMPTY", libc::ENOTEMPTY),
        ("ENOBUFS", ws::WSAENOBUFS),
        ("EPROTO", libc::EPROTO),
        ("EREMOTE", ws::WSAEREMOTE),
        ("ECHILD", libc::ECHILD),
        ("ELOOP", ws::WSAELOOP),
        ("EXDEV", libc::EXDEV),
        ("E2BIG", libc::E2BIG),
        ("ESRCH", libc::ESRCH),
        ("EMSGSIZE", ws::WSAEMSGSIZE),
        ("EAFNOSUPPORT", ws::WSAEAFNOSUPPORT),
        ("EHOSTDOWN", ws::WSAEHOSTDOWN),
        ("EPFNOSUPPORT", ws::WSAEPFNOSUPPORT),
        ("ENOPROTOOPT", ws::WSAENOPROTOOPT),
        ("EBUSY", libc::EBUSY),
        ("EWOULDBLOCK", ws::WSAEWOULDBLOCK),
        ("EISCONN", ws::WSAEISCONN),
        ("ESHUTDOWN", ws::WSAESHUTDOWN),
        ("EBADF", libc::EBADF),
        ("EIO", libc::EIO),
        ("EPROTOTYPE", ws::WSAEPROTOTYPE),
        ("ENOSPC", libc::ENOSPC),
        ("ENOEXEC", libc::ENOEXEC),
        ("EALREADY", ws::WSAEALREADY),
        ("ENETDOWN", ws::WSAENETDOWN),
        ("EACCES", libc::EACCES),
        ("EILSEQ", libc::EILSEQ),
        ("ENOTDIR", libc::ENOTDIR),
        ("EPERM", libc::EPERM),
        ("EDOM", libc::EDOM),
        ("ECONNREFUSED", ws::WSAECONNREFUSED),
        ("EISDIR", libc::EISDIR),
        ("EPROTONOSUPPORT", ws::WSAEPROTONOSUPPORT),
        ("EROFS", libc::EROFS),
        ("EADDRNOTAVAIL", ws::WSAEADDRNOTAVAIL),
        ("EIDRM", libc::EIDRM),
        ("EBADMSG", libc::EBADMSG),
        ("ENFILE", libc::ENFILE),
        ("ESPIPE", libc::ESPIPE),
        ("ENOLINK", libc::ENOLINK),
        ("ENETRESET", ws::WSAENETRESET),
        ("ETIMEDOUT", ws::WSAETIMEDOUT),
        ("ENOENT", libc::ENOENT),
        ("EEXIST", libc::EEXIST),
        ("EDQUOT", ws::WSAEDQUOT),
        ("ENOSTR", libc::ENOSTR),
        ("EFAULT", libc::EFAULT),
        ("EFBIG", libc::EFBIG),
        ("EDEADLK", libc::EDEADLK),
        ("ENOTCONN", ws::WSAENOTCONN),
        ("EDESTADDRREQ", ws::WSAEDESTADDRREQ),
        ("ENOLCK", libc::ENOLCK),
        ("ECONNABORTED", ws::WSAECONNABORTED),
        ("ENETUNREACH", ws::WSAENETUNREACH),
        ("ESTALE", ws::WSAESTALE),
        ("ENOSR", libc::ENOSR),
        ("ENOMEM", libc::ENOMEM),
        ("ENOTSOCK", ws::WSAENOTSOCK),
        ("EMLINK", libc::EMLINK),
        ("ERANGE", libc::ERANGE),
        ("ECONNRESET", ws::WSAECONNRESET),
        ("EADDRINUSE", ws::WSAEADDRINUSE),
        ("EOPNOTSUPP", ws::WSAEOPNOTSUPP),
        ("EAGAIN", libc::EAGAIN),
        ("ENAMETOOLONG", libc::ENAMETOOLONG),
        ("ENOTTY", libc::ENOTTY),
        ("ESOCKTNOSUPPORT", ws::WSAESOCKTNOSUPPORT),
        ("ETIME", libc::ETIME),
        ("EDEADLOCK", libc::EDEADLOCK),
        ("ETOOMANYREFS", ws::WSAETOOMANYREFS),
        ("EMFILE", libc::EMFILE),
        ("ETXTBSY", libc::ETXTBSY),
        ("EINPROGRESS", ws::WSAEINPROGRESS),
        ("ENXIO", libc::ENXIO),
        ("WSAEHOSTDOWN", ws::WSAEHOSTDOWN),
        ("WSAENETDOWN", ws::WSAENETDOWN),
        ("WSAENOTSOCK", ws::WSAENOTSOCK),
        ("WSAEHOSTUNREACH", ws::WSAEHOSTUNREACH),
        ("WSAELOOP", ws::WSAELOOP),
        ("WSAEMFILE", ws::WSAEMFILE),
        ("WSAESTALE", ws::WSAESTALE),
        ("WSAVERNOTSUPPORTED", ws::WSAVERNOTSUPPORTED),
        ("WSAENETUNREACH", ws::WSAENETUNREACH),
        ("WSAEPROCLIM", ws::WSAEPROCLIM),
        ("WSAEFAULT", ws::WSAEFAULT),
        ("WSANOTINITIALISED", ws::WSANOTINITIALISED),
        ("WSAEUSERS", ws::WSAEUSERS),
        ("WSAENOPROTOOPT", ws::WSAENOPROTOOPT),
        ("WSAECONNABORTED", ws::WSAECONNABORTED),
        ("WSAENAMETOOLONG", ws::WSAENAMETOOLONG),
        ("WSAENOTEMPTY", ws::WSAENOTEMPTY),
        ("WSAESHUTDOWN", ws::WSAESHUTDOWN),
        ("WSAEAFNOSUPPORT", ws::WSAEAFNOSUPPORT),
        ("WSAETOOMANYREFS", ws::WSAETOOMANYREFS),
        ("WSAEACCES", ws::WSAEACCES),
        ("WSABASEERR", ws::WSABASEERR),
        ("WSAEMSGSIZE", ws::WSAEMSGSIZE),
        ("WSAEBADF", ws::WSAEBADF),
        ("WSAECONNRESET", ws::WSAECONNRESET),
        ("WSAETIMEDOUT", ws::WSAETIMEDOUT),
        ("WSAENOBUFS", ws::WSAENOBUFS),
        ("WSAEDISCON", ws::WSAEDISCON),
        ("WSAEINTR", ws::WSAEINTR),
        ("WSAEPROTOTYPE", ws::WSAEPROTOTYPE),
        ("WSAEADDRINUSE", ws::WSAEADDRINUSE),
        ("WSAEADDRNOTAVAIL", ws::WSAEADDRNOTAVAIL),
        ("WSAEALREADY", ws::WSAEALREADY),
        ("WSAEPROTONOSUPPORT", ws::WSAEPROTONOSUPPORT),
        ("WSASYSNOTREADY", ws::WSASYSNOTREADY),
        ("WSAEWOULDBLOCK", ws::WSAEWOULDBLOCK),
        ("WSAEPFNOSUPPORT", ws::WSAEPFNOSUPPORT),
        ("WSAEOPNOTSUPP", ws::WSAEOPNOTSUPP),
        ("WSAEISCONN", ws::WSAEISCONN),
        ("WSAEDQUOT", ws::WSAEDQUOT),
        ("WSAENOTCONN", ws::WSAENOTCONN),
        ("WSAEREMOTE", ws::WSAEREMOTE),
        ("WSAEINVAL", ws::WSAEINVAL),
        ("WSAEINPROGRESS", ws::WSAEINPROGRESS),
        ("WSAESOCKTNOSUPPORT", ws::WSAESOCKTNOSUPPORT),
        ("WSAEDESTADDRREQ", ws::WSAEDESTADDRREQ),
        ("WSAECONNREFUSED", ws::WSAECONNREFUSED),
        ("WSAENETRESET", ws::WSAENETRESET),
        ("ECANCELED", libc::ECANCELED),
        ("EOWNERDEAD", libc::EOWNERDEAD),
        ("ENOTRECOVERABLE", libc::ENOTRECOVERABLE),
        ("ENOTSUP", libc::ENOTSUP),
    ]
});

/// `_sys_nerr` of the C runtime: the errno values below it have a message in
/// `_sys_errlist` (`EPERM` … `EILSEQ`, 1 to 42).
const SYS_NERR: i32 = 43;

/// The message `PyErr_SetFromErrno` gives an errno value on Windows (`os.strerror` is the
/// C runtime's `strerror` too for these): `"Error"` for 0, the C runtime's text for
/// values below `_sys_nerr` (`"Invalid argument"`), and otherwise the system's message
/// for the number taken as a Windows error code (`FormatMessageW`, as for
/// [`socket_error`]), which is how a WSA code in `errno` reads.
pub fn strerror(number: i32) -> String {
    if number == 0 {
        return "Error".to_owned();
    }
    if number > 0 && number < SYS_NERR {
        // SAFETY: for a value in the table, `strerror` returns a pointer to a static
        // NUL-terminated string (or, in a thread of its own, a per-thread buffer), which
        // is copied before any other C runtime call.
        let text = unsafe { std::ffi::CStr::from_ptr(libc::strerror(number)) };
        return text.to_string_lossy().into_owned();
    }
    format_message(number)
}

/// `FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, …, code,
/// MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT))` with trailing spaces, line breaks and dots
/// removed, as `PyErr_SetExcFromWindowsErr` builds `strerror`; `"Windows Error 0x…"`
/// when the system has no message.
fn format_message(code: i32) -> String {
    use windows_sys::Win32::System::Diagnostics::Debug as dbg;
    // MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT): (SUBLANG_DEFAULT << 10) | LANG_NEUTRAL.
    const LANG_NEUTRAL_SUBLANG_DEFAULT: u32 = 1 << 10;
    let mut buffer: *mut u16 = std::ptr::null_mut();
    // SAFETY: with FORMAT_MESSAGE_ALLOCATE_BUFFER the call stores a `LocalAlloc`ed
    // UTF-16 buffer in `buffer` (hence the pointer-to-pointer cast) and returns its
    // length in code units; no source or insert arguments are read.
    let len = unsafe {
        dbg::FormatMessageW(
            dbg::FORMAT_MESSAGE_ALLOCATE_BUFFER
                | dbg::FORMAT_MESSAGE_FROM_SYSTEM
                | dbg::FORMAT_MESSAGE_IGNORE_INSERTS,
            std::ptr::null(),
            code as u32,
            LANG_NEUTRAL_SUBLANG_DEFAULT,
            (&raw mut buffer).cast(),
            0,
            std::ptr::null(),
        )
    };
    if len == 0 || buffer.is_null() {
        return format!("Windows Error {:#x}", code as u32);
    }
    // SAFETY: the call wrote `len` UTF-16 code units at `buffer`, which stays allocated
    // until `LocalFree` below; the slice is copied out first.
    let units = unsafe { std::slice::from_raw_parts(buffer, len as usize) }.to_vec();
    // SAFETY: `buffer` was allocated by `FormatMessageW` for us and is freed exactly once.
    unsafe { fnd::LocalFree(buffer.cast()) };
    let mut end = units.len();
    while end > 0 && (units[end - 1] <= u16::from(b' ') || units[end - 1] == u16::from(b'.')) {
        end -= 1;
    }
    String::from_utf16_lossy(&units[..end])
}

/// `PC/errmap.h`'s `winerror_to_errno`: the `errno` CPython's `OSError` derives from a
/// Windows error code given as `winerror`. Winsock codes (10000–11999) are themselves
/// the errno, except the six that are C errno values plus 10000; other Win32 codes map
/// to C errno values (`ERROR_FILE_NOT_FOUND` → `ENOENT`, …, default `EINVAL`).
pub fn winerror_to_errno(winerror: i64) -> Option<i64> {
    let mut code = winerror;
    // Unwrap FACILITY_WIN32 HRESULT errors (the C code works on an `int`).
    let as_int = code as i32 as u32;
    if as_int & 0xFFFF_0000 == 0x8007_0000 {
        code = i64::from(as_int & 0xFFFF);
    }
    if (10000..12000).contains(&code) {
        let wsa = code as i32;
        return Some(
            if [
                ws::WSAEINTR,
                ws::WSAEBADF,
                ws::WSAEACCES,
                ws::WSAEFAULT,
                ws::WSAEINVAL,
                ws::WSAEMFILE,
            ]
            .contains(&wsa)
            {
                code - 10000
            } else {
                code
            },
        );
    }
    let Ok(code) = u32::try_from(code) else {
        return Some(i64::from(libc::EINVAL));
    };
    let errno = match code {
        fnd::ERROR_FILE_NOT_FOUND
        | fnd::ERROR_PATH_NOT_FOUND
        | fnd::ERROR_INVALID_DRIVE
        | fnd::ERROR_NO_MORE_FILES
        | fnd::ERROR_BAD_NETPATH
        | fnd::ERROR_BAD_NET_NAME
        | fnd::ERROR_BAD_PATHNAME
        | fnd::ERROR_FILENAME_EXCED_RANGE => libc::ENOENT,
        fnd::ERROR_BAD_ENVIRONMENT => libc::E2BIG,
        fnd::ERROR_BAD_FORMAT
        | fnd::ERROR_INVALID_STARTING_CODESEG
        | fnd::ERROR_INVALID_STACKSEG
        | fnd::ERROR_INVALID_MODULETYPE
        | fnd::ERROR_INVALID_EXE_SIGNATURE
        | fnd::ERROR_EXE_MARKED_INVALID
        | fnd::ERROR_BAD_EXE_FORMAT
        | fnd::ERROR_ITERATED_DATA_EXCEEDS_64k
        | fnd::ERROR_INVALID_MINALLOCSIZE
        | fnd::ERROR_DYNLINK_FROM_INVALID_RING
        | fnd::ERROR_IOPL_NOT_ENABLED
        | fnd::ERROR_INVALID_SEGDPL
        | fnd::ERROR_AUTODATASEG_EXCEEDS_64k
        | fnd::ERROR_RING2SEG_MUST_BE_MOVABLE
        | fnd::ERROR_RELOC_CHAIN_XEEDS_SEGLIM
        | fnd::ERROR_INFLOOP_IN_RELOC_CHAIN => libc::ENOEXEC,
        fnd::ERROR_INVALID_HANDLE
        | fnd::ERROR_INVALID_TARGET_HANDLE
        | fnd::ERROR_DIRECT_ACCESS_HANDLE => libc::EBADF,
        fnd::ERROR_WAIT_NO_CHILDREN | fnd::ERROR_CHILD_NOT_COMPLETE => libc::ECHILD,
        fnd::ERROR_NO_PROC_SLOTS
        | fnd::ERROR_MAX_THRDS_REACHED
        | fnd::ERROR_NESTING_NOT_ALLOWED => libc::EAGAIN,
        fnd::ERROR_ARENA_TRASHED
        | fnd::ERROR_NOT_ENOUGH_MEMORY
        | fnd::ERROR_INVALID_BLOCK
        | fnd::ERROR_NOT_ENOUGH_QUOTA => libc::ENOMEM,
        // errmap.h lists 35, which has no name, with these.
        35
        | fnd::ERROR_ACCESS_DENIED
        | fnd::ERROR_CURRENT_DIRECTORY
        | fnd::ERROR_WRITE_PROTECT
        | fnd::ERROR_BAD_UNIT
        | fnd::ERROR_NOT_READY
        | fnd::ERROR_BAD_COMMAND
        | fnd::ERROR_CRC
        | fnd::ERROR_BAD_LENGTH
        | fnd::ERROR_SEEK
        | fnd::ERROR_NOT_DOS_DISK
        | fnd::ERROR_SECTOR_NOT_FOUND
        | fnd::ERROR_OUT_OF_PAPER
        | fnd::ERROR_WRITE_FAULT
        | fnd::ERROR_READ_FAULT
        | fnd::ERROR_GEN_FAILURE
        | fnd::ERROR_SHARING_VIOLATION
        | fnd::ERROR_LOCK_VIOLATION
        | fnd::ERROR_WRONG_DISK
        | fnd::ERROR_SHARING_BUFFER_EXCEEDED
        | fnd::ERROR_NETWORK_ACCESS_DENIED
        | fnd::ERROR_CANNOT_MAKE
        | fnd::ERROR_FAIL_I24
        | fnd::ERROR_DRIVE_LOCKED
        | fnd::ERROR_SEEK_ON_DEVICE
        | fnd::ERROR_NOT_LOCKED
        | fnd::ERROR_LOCK_FAILED => libc::EACCES,
        fnd::ERROR_FILE_EXISTS | fnd::ERROR_ALREADY_EXISTS => libc::EEXIST,
        fnd::ERROR_NOT_SAME_DEVICE => libc::EXDEV,
        fnd::ERROR_DIRECTORY => libc::ENOTDIR,
        fnd::ERROR_TOO_MANY_OPEN_FILES => libc::EMFILE,
        fnd::ERROR_DISK_FULL => libc::ENOSPC,
        fnd::ERROR_BROKEN_PIPE | fnd::ERROR_NO_DATA => libc::EPIPE,
        fnd::ERROR_DIR_NOT_EMPTY => libc::ENOTEMPTY,
        fnd::ERROR_NO_UNICODE_TRANSLATION => libc::EILSEQ,
        fnd::WAIT_TIMEOUT => libc::ETIMEDOUT,
        _ => libc::EINVAL,
    };
    Some(i64::from(errno))
}

/// How CPython's `set_error()` reports a failed socket call on Windows:
/// `PyErr_SetExcFromWindowsErr(PyExc_OSError, WSAGetLastError())`, i.e.
/// `OSError(0, FormatMessageW(code), None, code)`, whose `errno` is
/// [`winerror_to_errno`]`(code)`. (A code of 0 would fall back to `PyErr_SetFromErrno`;
/// no failed call reports 0.)
pub fn socket_error(code: i32) -> SocketError {
    let winerror = i64::from(code);
    SocketError {
        errno: winerror_to_errno(winerror).unwrap_or(winerror),
        strerror: format_message(code),
        winerror: Some(winerror),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::{errno_name, errno_value};

    #[test]
    fn errorcode_reports_the_last_name_inserted() {
        assert_eq!(errno_value("ECONNREFUSED"), Some(10061));
        assert_eq!(errno_name(10061), Some("WSAECONNREFUSED"));
        assert_eq!(errno_value("EWOULDBLOCK"), Some(10035));
        assert_eq!(errno_value("EAGAIN"), Some(11));
        assert_eq!(errno_name(36), Some("EDEADLOCK"));
        assert_eq!(errno_name(22), Some("EINVAL"));
        assert_eq!(errno_name(10022), Some("WSAEINVAL"));
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = ERRNO.iter().map(|&(n, _)| n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }

    #[test]
    fn winerror_to_errno_follows_errmap() {
        assert_eq!(winerror_to_errno(10061), Some(10061));
        assert_eq!(winerror_to_errno(10022), Some(22));
        assert_eq!(winerror_to_errno(10004), Some(4));
        assert_eq!(winerror_to_errno(2), Some(2)); // ERROR_FILE_NOT_FOUND → ENOENT
        assert_eq!(winerror_to_errno(6), Some(9)); // ERROR_INVALID_HANDLE → EBADF
        assert_eq!(winerror_to_errno(5), Some(13)); // ERROR_ACCESS_DENIED → EACCES
        assert_eq!(winerror_to_errno(0x8007_0002), Some(2)); // HRESULT_FROM_WIN32
        assert_eq!(winerror_to_errno(99_999), Some(22)); // default EINVAL
    }

    #[test]
    fn socket_errors_carry_winerror() {
        let e = socket_error(ws::WSAEINVAL);
        assert_eq!((e.errno, e.winerror), (22, Some(10022)));
        assert!(!e.strerror.ends_with('.') && !e.strerror.ends_with('\n'));
        assert_eq!(strerror(0), "Error");
    }
}
