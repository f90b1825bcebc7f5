//! `getaddrinfo(3)` restricted to numeric hosts (`AI_NUMERICHOST`): the part of name
//! resolution that never leaves the process.

use std::ffi::CStr;
use std::ptr;

/// The IPv4 address a numeric host string denotes, as `getaddrinfo(3)` with
/// `AI_NUMERICHOST` and `AF_INET` parses it (the C library's `inet_aton` forms without
/// trailing text: `"127.1"`, `"0x7f.0.0.1"`); `None` when the string is not numeric.
///
/// CPython's `setipaddr` hands such strings to a full `getaddrinfo`, whose numeric
/// parse comes before any lookup; with `AI_NUMERICHOST` the lookup is never made.
pub fn numeric_host_v4(host: &CStr) -> Option<[u8; 4]> {
    // SAFETY: an all-zero `addrinfo` is a valid "no hints" value (null pointers, zero
    // integers).
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = libc::AF_INET;
    hints.ai_flags = libc::AI_NUMERICHOST;
    let mut res: *mut libc::addrinfo = ptr::null_mut();
    // SAFETY: `host` is NUL-terminated, the service is null (allowed when the node is
    // not), `hints` is a valid `addrinfo` and `res` a valid out-pointer.
    let rc = unsafe { libc::getaddrinfo(host.as_ptr(), ptr::null(), &hints, &mut res) };
    if rc != 0 || res.is_null() {
        return None;
    }
    // SAFETY: on success `res` points to a list of at least one `addrinfo`, owned by us
    // until `freeaddrinfo`.
    let info = unsafe { &*res };
    let packed = if info.ai_family == libc::AF_INET && !info.ai_addr.is_null() {
        // SAFETY: an `AF_INET` entry's `ai_addr` points to a `sockaddr_in`.
        let sin = unsafe { &*info.ai_addr.cast::<libc::sockaddr_in>() };
        Some(sin.sin_addr.s_addr.to_ne_bytes())
    } else {
        None
    };
    // SAFETY: `res` came from a successful `getaddrinfo` and is freed exactly once; no
    // reference into it (`info`, `sin`) is used after this.
    unsafe { libc::freeaddrinfo(res) };
    packed
}
