//! Winsock's address converters: `inet_addr` (behind `socket.inet_aton`, since Windows
//! has no `inet_aton`), `inet_pton` and `inet_ntop`.
//!
//! CPython's `socket.inet_aton`, `socket.inet_pton` and `socket.inet_ntop` call these
//! directly, so their leniency is Winsock's, and their errors are read from the C
//! runtime's `errno` (`PyErr_SetFromErrno`), which Winsock does not set.

use std::ffi::CStr;

use windows_sys::Win32::Networking::WinSock as ws;

use super::file::{crt_errno, set_crt_errno};

/// How an address conversion failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InetError {
    /// The text is not an address of the family (`inet_pton` returned 0).
    Invalid,
    /// The call failed (`inet_pton` returned -1, `inet_ntop` NULL) and this is the C
    /// `errno` CPython then reports. Winsock does not set it (it reports through
    /// `WSAGetLastError`); the reference clears it before the call, so this is what a
    /// fresh thread would show, 0 (CPython reads whatever it held).
    Errno(i32),
}

/// `socket.inet_aton` without `inet_aton`: CPython answers `"255.255.255.255"` itself
/// (for which `inet_addr` returns `INADDR_NONE`) and otherwise calls `inet_addr`, whose
/// `INADDR_NONE` means "not an address". The packed address, network byte order.
pub fn inet_aton(text: &CStr) -> Option<[u8; 4]> {
    if text.to_bytes() == b"255.255.255.255" {
        return Some([255; 4]);
    }
    super::init();
    // SAFETY: `text` is a valid NUL-terminated string that `inet_addr` only reads.
    let packed = unsafe { ws::inet_addr(text.as_ptr().cast()) };
    (packed != ws::INADDR_NONE).then(|| packed.to_ne_bytes())
}

/// `inet_pton`: the packed address of `text` in family `af` (4 bytes for `AF_INET`, 16
/// for `AF_INET6`).
pub fn inet_pton(af: i32, text: &CStr) -> Result<Vec<u8>, InetError> {
    super::init();
    let mut packed = [0u8; 16];
    set_crt_errno(0);
    // SAFETY: `text` is NUL-terminated; `packed` is writable and as large as the largest
    // address `inet_pton` writes (`IN6_ADDR`, 16 bytes); no pointer is kept.
    let rc = unsafe { ws::inet_pton(af, text.as_ptr().cast(), packed.as_mut_ptr().cast()) };
    match rc {
        1.. => {
            let len = if af == super::AF_INET6 { 16 } else { 4 };
            Ok(packed[..len].to_vec())
        }
        0 => Err(InetError::Invalid),
        _ => Err(InetError::Errno(crt_errno())),
    }
}

/// `inet_ntop`: the text form of a packed address of family `af`.
///
/// The caller passes a slice of the family's address length (4 or 16 bytes); a shorter
/// slice is refused here (C `EINVAL`) rather than letting Winsock read past it.
pub fn inet_ntop(af: i32, packed: &[u8]) -> Result<String, InetError> {
    let needed = if af == super::AF_INET6 { 16 } else { 4 };
    if packed.len() < needed {
        return Err(InetError::Errno(libc::EINVAL));
    }
    super::init();
    // INET6_ADDRSTRLEN is 65 on Windows; leave room.
    let mut out = [0u8; 80];
    set_crt_errno(0);
    // SAFETY: `packed` holds at least as many bytes as `inet_ntop` reads for `af`
    // (checked above); `out` is writable for the length passed; no pointer is kept.
    let rc = unsafe { ws::inet_ntop(af, packed.as_ptr().cast(), out.as_mut_ptr(), out.len()) };
    if rc.is_null() {
        return Err(InetError::Errno(crt_errno()));
    }
    let text = CStr::from_bytes_until_nul(&out).map_err(|_| InetError::Errno(libc::EINVAL))?;
    Ok(text.to_string_lossy().into_owned())
}
