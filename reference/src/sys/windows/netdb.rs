//! Winsock's `getaddrinfo` restricted to numeric hosts (`AI_NUMERICHOST`): the part of
//! name resolution that never leaves the process; and the hosts file.

use crate::sys::{AddrInfo, GaiError};
use std::ffi::CStr;
use std::ptr;

use windows_sys::Win32::Networking::WinSock as ws;

/// The IPv4 address a numeric host string denotes, as Winsock's `getaddrinfo` with
/// `AI_NUMERICHOST` and `AF_INET` parses it; `None` when the string is not numeric.
pub fn numeric_host_v4(host: &CStr) -> Option<[u8; 4]> {
    super::init();
    let hints = ws::ADDRINFOA {
        ai_family: i32::from(ws::AF_INET),
        ai_flags: ws::AI_NUMERICHOST as i32,
        ..Default::default()
    };
    let mut res: *mut ws::ADDRINFOA = ptr::null_mut();
    // SAFETY: `host` is NUL-terminated, the service is null (allowed when the node is
    // not), `hints` is a valid `ADDRINFOA` and `res` a valid out-pointer.
    let rc = unsafe { ws::getaddrinfo(host.as_ptr().cast(), ptr::null(), &hints, &mut res) };
    if rc != 0 || res.is_null() {
        return None;
    }
    // SAFETY: on success `res` points to a list of at least one entry, owned by us until
    // `freeaddrinfo`; it is copied out unaligned (Wine's entries are not always aligned).
    let info = unsafe { ptr::read_unaligned(res) };
    let packed = if info.ai_family == i32::from(ws::AF_INET) && !info.ai_addr.is_null() {
        // SAFETY: an `AF_INET` entry's `ai_addr` points to a `SOCKADDR_IN`, copied out
        // unaligned.
        let sin = unsafe { ptr::read_unaligned(info.ai_addr.cast::<ws::SOCKADDR_IN>()) };
        // SAFETY: every variant of the `IN_ADDR` union is the same 4 bytes.
        Some(unsafe { sin.sin_addr.S_un.S_addr }.to_ne_bytes())
    } else {
        None
    };
    // SAFETY: `res` came from a successful `getaddrinfo` and is freed exactly once; no
    // reference into it is used after this.
    unsafe { ws::freeaddrinfo(res) };
    packed
}

/// `getaddrinfo` with `AI_NUMERICHOST | AI_NUMERICSERV` always added to `flags`, so
/// that it never asks a name service. `None` passes a null pointer.
pub fn getaddrinfo_numeric(
    host: Option<&CStr>,
    service: Option<&CStr>,
    family: i32,
    socktype: i32,
    protocol: i32,
    flags: i32,
) -> Result<Vec<AddrInfo>, GaiError> {
    super::init();
    let hints = ws::ADDRINFOA {
        ai_family: family,
        ai_socktype: socktype,
        ai_protocol: protocol,
        ai_flags: flags | (ws::AI_NUMERICHOST | ws::AI_NUMERICSERV) as i32,
        ..Default::default()
    };
    let mut res: *mut ws::ADDRINFOA = ptr::null_mut();
    let c_host = host.map_or(ptr::null(), |h| h.as_ptr().cast());
    let c_service = service.map_or(ptr::null(), |s| s.as_ptr().cast());
    // SAFETY: the strings are NUL-terminated or null, `hints` is a valid `ADDRINFOA` and
    // `res` a valid out-pointer.
    let rc = unsafe { ws::getaddrinfo(c_host, c_service, &hints, &mut res) };
    if rc != 0 {
        return Err(GaiError::Gai(rc, "getaddrinfo failed".to_owned()));
    }
    let mut out = Vec::new();
    let mut cur = res;
    while !cur.is_null() {
        // SAFETY: `cur` is an entry of the list `getaddrinfo` returned, alive until
        // `freeaddrinfo` below; it is copied out unaligned (Wine's entries are not always
        // aligned as Windows' are).
        let info = unsafe { ptr::read_unaligned(cur) };
        let canonname = if info.ai_canonname.is_null() {
            String::new()
        } else {
            // SAFETY: a non-null `ai_canonname` is a NUL-terminated string.
            unsafe { CStr::from_ptr(info.ai_canonname.cast()) }
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
    unsafe { ws::freeaddrinfo(res) };
    Ok(out)
}

/// The host table Windows' resolver answers from without asking a name service: its
/// own `localhost` (`127.0.0.1` and `::1`; since Windows 7 "localhost name resolution is
/// handled within DNS itself" and the hosts file's entries for it are commented out),
/// then the hosts file (`%SystemRoot%\System32\drivers\etc\hosts`) when it can be
/// read. Reading these is all the reference does towards resolving a host name.
pub fn hosts_file() -> Option<String> {
    let mut text = String::from("127.0.0.1 localhost\n::1 localhost\n");
    if let Some(root) = std::env::var_os("SystemRoot") {
        let path = std::path::Path::new(&root)
            .join("System32")
            .join("drivers")
            .join("etc")
            .join("hosts");
        if let Ok(bytes) = std::fs::read(path) {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    Some(text)
}
