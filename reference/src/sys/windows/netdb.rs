//! Winsock's name and service lookups: `getaddrinfo`, `getnameinfo`, `getservbyname`,
//! `getservbyport`, `getprotobyname`, `gethostname`, `gethostbyname`, `gethostbyaddr`.

use crate::sys::{AddrInfo, GaiError};
use std::ffi::CStr;
use std::ptr;

use windows_sys::Win32::Networking::WinSock as ws;

/// Winsock's `getaddrinfo`, as CPython calls it. `None` passes a null pointer.
pub fn getaddrinfo(
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
        ai_flags: flags,
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

/// Winsock's `getservbyname`, `getservbyport` and `getprotobyname` return per-thread
/// static storage; one lookup at a time all the same.
static NETDB_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Winsock's `getnameinfo` of `addr` with `flags`: `(host, service)`.
pub fn getnameinfo(addr: &crate::sys::Addr, flags: i32) -> Result<(String, String), GaiError> {
    super::init();
    let raw = addr.to_sockaddr().map_err(GaiError::System)?;
    let mut host = [0u8; 1025]; // NI_MAXHOST
    let mut serv = [0u8; 32]; // NI_MAXSERV
    // SAFETY: `raw` is a valid socket address of `raw.len()` bytes; the buffers are
    // writable for the lengths given.
    let rc = unsafe {
        ws::getnameinfo(
            raw.as_ptr().cast(),
            raw.len(),
            host.as_mut_ptr(),
            host.len() as u32,
            serv.as_mut_ptr(),
            serv.len() as u32,
            flags,
        )
    };
    if rc != 0 {
        // SAFETY: reads the calling thread's last Winsock error.
        let code = unsafe { ws::WSAGetLastError() };
        return Err(GaiError::Gai(code, "getaddrinfo failed".to_owned()));
    }
    let text = |b: &[u8]| {
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        String::from_utf8_lossy(&b[..end]).into_owned()
    };
    Ok((text(&host), text(&serv)))
}

/// Winsock's `getservbyname`: the port (host order), `None` when unknown.
pub fn getservbyname(name: &CStr, proto: Option<&CStr>) -> Option<u16> {
    super::init();
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let proto = proto.map_or(ptr::null(), |p| p.as_ptr().cast());
    // SAFETY: the strings are NUL-terminated or null (any protocol).
    let ent = unsafe { ws::getservbyname(name.as_ptr().cast(), proto) };
    if ent.is_null() {
        return None;
    }
    // SAFETY: a non-null result points to a `SERVENT`, valid until the next call on this
    // thread; `s_port` is in network order.
    Some(u16::from_be(
        unsafe { ptr::read_unaligned(ent) }.s_port as u16,
    ))
}

/// Winsock's `getservbyport` of a port in host order: the name, `None` when unknown.
pub fn getservbyport(port: u16, proto: Option<&CStr>) -> Option<String> {
    super::init();
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let proto = proto.map_or(ptr::null(), |p| p.as_ptr().cast());
    // SAFETY: the protocol is NUL-terminated or null (any protocol).
    let ent = unsafe { ws::getservbyport(i32::from(port.to_be()), proto) };
    if ent.is_null() {
        return None;
    }
    // SAFETY: a non-null result points to a `SERVENT` whose `s_name` is NUL-terminated.
    let name = unsafe { CStr::from_ptr(ptr::read_unaligned(ent).s_name.cast()) };
    Some(name.to_string_lossy().into_owned())
}

/// Winsock's `getprotobyname`: the protocol number, `None` when unknown.
pub fn getprotobyname(name: &CStr) -> Option<i32> {
    super::init();
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: `name` is NUL-terminated.
    let ent = unsafe { ws::getprotobyname(name.as_ptr().cast()) };
    if ent.is_null() {
        return None;
    }
    // SAFETY: a non-null result points to a `PROTOENT`.
    Some(i32::from(unsafe { ptr::read_unaligned(ent) }.p_proto))
}

/// Windows has no host name namespaces, and `_socket` no `sethostname`: always an error
/// (`WSAEOPNOTSUPP`).
pub fn private_hostname() -> Result<(), super::Errno> {
    Err(super::Errno(ws::WSAEOPNOTSUPP))
}

/// Windows has no host name namespaces: always an error (`WSAEOPNOTSUPP`).
pub fn private_hostname_command(_cmd: &mut std::process::Command) -> Result<(), super::Errno> {
    Err(super::Errno(ws::WSAEOPNOTSUPP))
}

/// Windows has no `sethostname` (`sys::FEATURES.sethostname` is false).
pub fn sethostname(_name: &[u8]) -> Result<(), super::Errno> {
    Err(super::Errno(ws::WSAEOPNOTSUPP))
}

/// Winsock's `gethostname`: the host name's bytes.
pub fn gethostname() -> Result<Vec<u8>, super::Errno> {
    super::init();
    let mut buf = [0u8; 1024];
    // SAFETY: the buffer is writable for one byte less than its length, so the result
    // stays NUL-terminated.
    let rc = unsafe { ws::gethostname(buf.as_mut_ptr(), (buf.len() - 1) as i32) };
    if rc != 0 {
        // SAFETY: reads the calling thread's last Winsock error.
        return Err(super::Errno(unsafe { ws::WSAGetLastError() }));
    }
    let end = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    Ok(buf[..end].to_vec())
}

/// Copies a `HOSTENT` out, or the Winsock error when the call gave none (CPython has
/// no `hstrerror` on Windows: "host not found").
///
/// # Safety
///
/// `ent` is null or the result of Winsock's `gethostbyname` / `gethostbyaddr` on this
/// thread, with no other such call since.
unsafe fn host_result(
    ent: *const ws::HOSTENT,
) -> Result<crate::sys::HostEnt, crate::sys::HostError> {
    if ent.is_null() {
        // SAFETY: reads the calling thread's last Winsock error.
        let code = unsafe { ws::WSAGetLastError() };
        return Err(crate::sys::HostError(code, "host not found".to_owned()));
    }
    // SAFETY: the caller's contract: a valid `HOSTENT` (copied out unaligned), its
    // strings NUL-terminated, its lists null-terminated, each address `h_length` bytes.
    unsafe {
        let ent = ptr::read_unaligned(ent);
        let strings = |mut p: *mut *mut i8| {
            let mut out = Vec::new();
            while !p.is_null() && !ptr::read_unaligned(p).is_null() {
                out.push(
                    CStr::from_ptr(ptr::read_unaligned(p).cast())
                        .to_bytes()
                        .to_vec(),
                );
                p = p.add(1);
            }
            out
        };
        let len = usize::try_from(ent.h_length).unwrap_or(0);
        let mut addrs = Vec::new();
        let mut p = ent.h_addr_list;
        while !p.is_null() && !ptr::read_unaligned(p).is_null() {
            addrs.push(
                std::slice::from_raw_parts(ptr::read_unaligned(p).cast::<u8>(), len).to_vec(),
            );
            p = p.add(1);
        }
        Ok(crate::sys::HostEnt {
            name: CStr::from_ptr(ent.h_name.cast()).to_bytes().to_vec(),
            aliases: strings(ent.h_aliases.cast()),
            family: i32::from(ent.h_addrtype),
            addrs,
        })
    }
}

/// Winsock's `gethostbyname`.
pub fn host_by_name(name: &CStr) -> Result<crate::sys::HostEnt, crate::sys::HostError> {
    super::init();
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: `name` is NUL-terminated; the result is copied out at once.
    unsafe { host_result(ws::gethostbyname(name.as_ptr().cast())) }
}

/// Winsock's `gethostbyaddr` of a packed address of `family`.
pub fn host_by_addr(
    addr: &[u8],
    family: i32,
) -> Result<crate::sys::HostEnt, crate::sys::HostError> {
    super::init();
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let len = i32::try_from(addr.len()).unwrap_or(0);
    // SAFETY: `addr` is readable for `len` bytes; the result is copied out at once.
    unsafe { host_result(ws::gethostbyaddr(addr.as_ptr().cast(), len, family)) }
}
