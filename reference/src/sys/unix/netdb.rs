//! `getaddrinfo(3)` restricted to numeric hosts (`AI_NUMERICHOST`): the part of name
//! resolution that never leaves the process.

use crate::sys::{AddrInfo, GaiError};
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

/// `getaddrinfo(3)` with `AI_NUMERICHOST | AI_NUMERICSERV` always added to `flags`, so
/// that it never asks a name service: a host or service that is not numeric fails with
/// `EAI_NONAME` / `EAI_SERVICE`. `None` passes a null pointer.
pub fn getaddrinfo_numeric(
    host: Option<&CStr>,
    service: Option<&CStr>,
    family: i32,
    socktype: i32,
    protocol: i32,
    flags: i32,
) -> Result<Vec<AddrInfo>, GaiError> {
    // SAFETY: an all-zero `addrinfo` is a valid "no hints" value.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_protocol = protocol;
    hints.ai_flags = flags | libc::AI_NUMERICHOST | libc::AI_NUMERICSERV;
    let mut res: *mut libc::addrinfo = ptr::null_mut();
    let c_host = host.map_or(ptr::null(), CStr::as_ptr);
    let c_service = service.map_or(ptr::null(), CStr::as_ptr);
    // SAFETY: the strings are NUL-terminated or null, `hints` is a valid `addrinfo`
    // and `res` a valid out-pointer.
    let rc = unsafe { libc::getaddrinfo(c_host, c_service, &hints, &mut res) };
    if rc != 0 {
        if rc == libc::EAI_SYSTEM {
            return Err(GaiError::System(super::Errno(
                std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
            )));
        }
        // SAFETY: `gai_strerror` returns a static NUL-terminated string for any code.
        let text = unsafe { CStr::from_ptr(libc::gai_strerror(rc)) };
        return Err(GaiError::Gai(rc, text.to_string_lossy().into_owned()));
    }
    let mut out = Vec::new();
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: `cur` is an entry of the list `getaddrinfo` returned, alive until
        // `freeaddrinfo` below.
        let info = unsafe { &*cur };
        let canonname = if info.ai_canonname.is_null() {
            String::new()
        } else {
            // SAFETY: a non-null `ai_canonname` is a NUL-terminated string.
            unsafe { CStr::from_ptr(info.ai_canonname) }
                .to_string_lossy()
                .into_owned()
        };
        let addr = if info.ai_addr.is_null() {
            None
        } else {
            // SAFETY: `ai_addr` points to `ai_addrlen` readable bytes of a socket
            // address, which is copied out before the list is freed.
            unsafe { super::socket::addr_from_raw(info.ai_addr, info.ai_addrlen) }
        };
        out.push(AddrInfo {
            family: info.ai_family,
            socktype: info.ai_socktype,
            protocol: info.ai_protocol,
            canonname,
            addr,
        });
        cur = info.ai_next;
    }
    // SAFETY: `res` came from a successful `getaddrinfo` and is freed exactly once;
    // nothing borrowed from it is used afterwards.
    unsafe { libc::freeaddrinfo(res) };
    Ok(out)
}

/// Where the C library's `files` name service reads host names from (`hosts(5)`).
const HOSTS_FILE: &str = "/etc/hosts";

/// The text of the hosts file (`hosts(5)`), `None` when it cannot be read. Reading it is
/// all the reference does towards resolving a host name: no name service is asked.
pub fn hosts_file() -> Option<String> {
    let bytes = std::fs::read(HOSTS_FILE).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}
