//! The C library's address converters: `inet_aton(3)`, `inet_pton(3)`, `inet_ntop(3)`.
//!
//! CPython's `socket.inet_aton`, `socket.inet_pton` and `socket.inet_ntop` call these
//! directly, so their leniency (`inet_aton("1.2.3")`, `"0x7f.1"`, trailing text after
//! whitespace) is this platform's C library's, not a rule of Python's: the reference
//! calls the same functions.

use std::ffi::{CStr, c_char};

// The `libc` crate does not declare these three; their prototypes are POSIX
// (`<arpa/inet.h>`) and every Unix C library exports them.
mod c {
    use std::ffi::{c_char, c_int, c_void};

    unsafe extern "C" {
        pub fn inet_aton(cp: *const c_char, inp: *mut libc::in_addr) -> c_int;
        pub fn inet_pton(af: c_int, src: *const c_char, dst: *mut c_void) -> c_int;
        pub fn inet_ntop(
            af: c_int,
            src: *const c_void,
            dst: *mut c_char,
            size: libc::socklen_t,
        ) -> *const c_char;
    }
}

/// How a C address conversion failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InetError {
    /// The text is not an address of the family (`inet_aton`/`inet_pton` returned 0).
    Invalid,
    /// The call failed with this errno (`EAFNOSUPPORT` for an unknown family, …).
    Errno(i32),
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `inet_aton(3)`: the packed address (network byte order) of a dotted IPv4 string.
pub fn inet_aton(text: &CStr) -> Option<[u8; 4]> {
    let mut addr = libc::in_addr { s_addr: 0 };
    // SAFETY: `text` is a valid NUL-terminated string and `addr` a valid, writable
    // `in_addr`; `inet_aton` keeps neither pointer.
    let rc = unsafe { c::inet_aton(text.as_ptr(), &mut addr) };
    (rc != 0).then(|| addr.s_addr.to_ne_bytes())
}

/// `inet_pton(3)`: the packed address of `text` in family `af` (4 bytes for `AF_INET`,
/// 16 for `AF_INET6`).
pub fn inet_pton(af: i32, text: &CStr) -> Result<Vec<u8>, InetError> {
    // Large enough for every family the C library knows (`struct in6_addr`).
    let mut packed = [0u8; 16];
    // SAFETY: `text` is NUL-terminated; `packed` is writable and as large as the
    // largest address `inet_pton` writes (`in6_addr`, 16 bytes); no pointer is kept.
    let rc = unsafe { c::inet_pton(af, text.as_ptr(), packed.as_mut_ptr().cast()) };
    match rc {
        1.. => {
            let len = if af == libc::AF_INET6 { 16 } else { 4 };
            Ok(packed[..len].to_vec())
        }
        0 => Err(InetError::Invalid),
        _ => Err(InetError::Errno(last_errno())),
    }
}

/// `inet_ntop(3)`: the text form of a packed address of family `af`.
///
/// The caller passes a slice of the family's address length (4 or 16 bytes); a shorter
/// slice is rejected with `EINVAL` here rather than letting C read past it.
pub fn inet_ntop(af: i32, packed: &[u8]) -> Result<String, InetError> {
    let needed = if af == libc::AF_INET6 { 16 } else { 4 };
    if packed.len() < needed {
        return Err(InetError::Errno(libc::EINVAL));
    }
    // INET6_ADDRSTRLEN is 46; leave room.
    let mut out: [c_char; 64] = [0; 64];
    // SAFETY: `packed` holds at least as many bytes as `inet_ntop` reads for `af`
    // (checked above; unknown families are rejected by the C library before it reads);
    // `out` is writable for the length passed; no pointer is kept.
    let rc = unsafe {
        c::inet_ntop(
            af,
            packed.as_ptr().cast(),
            out.as_mut_ptr(),
            out.len() as libc::socklen_t,
        )
    };
    if rc.is_null() {
        return Err(InetError::Errno(last_errno()));
    }
    // SAFETY: on success `inet_ntop` wrote a NUL-terminated string into `out`.
    let text = unsafe { CStr::from_ptr(out.as_ptr()) };
    Ok(text.to_string_lossy().into_owned())
}
