//! The C library's name and service lookups: `getaddrinfo(3)`, `getnameinfo(3)`,
//! `getservbyname(3)`, `getservbyport(3)`, `getprotobyname(3)`, `gethostname(2)`,
//! `gethostbyname_r(3)`, `gethostbyaddr_r(3)`.

use crate::sys::{AddrInfo, GaiError};
use std::ffi::CStr;
use std::ptr;

/// `getaddrinfo(3)`: the C library's resolver (hosts file, name services) as CPython
/// calls it. `None` passes a null pointer.
pub fn getaddrinfo(
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
    hints.ai_flags = flags;
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

/// `getservbyname(3)`, `getservbyport(3)` and `getprotobyname(3)` return static
/// storage: one lookup at a time.
static NETDB_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `getnameinfo(3)` of `addr` with `flags`: `(host, service)`.
pub fn getnameinfo(addr: &crate::sys::Addr, flags: i32) -> Result<(String, String), GaiError> {
    let raw = addr.to_sockaddr().map_err(GaiError::System)?;
    let mut host = [0 as libc::c_char; 1025]; // NI_MAXHOST
    let mut serv = [0 as libc::c_char; 32]; // NI_MAXSERV
    // SAFETY: `raw` is a valid socket address of `raw.len()` bytes; the buffers are
    // writable for the lengths given.
    let rc = unsafe {
        libc::getnameinfo(
            raw.as_ptr().cast(),
            raw.len(),
            host.as_mut_ptr(),
            host.len() as _,
            serv.as_mut_ptr(),
            serv.len() as _,
            flags,
        )
    };
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
    // SAFETY: on success both buffers hold NUL-terminated strings.
    let (h, s) = unsafe { (CStr::from_ptr(host.as_ptr()), CStr::from_ptr(serv.as_ptr())) };
    Ok((
        h.to_string_lossy().into_owned(),
        s.to_string_lossy().into_owned(),
    ))
}

/// `getservbyname(3)`: the port (host order) of the service, `None` when unknown.
pub fn getservbyname(name: &CStr, proto: Option<&CStr>) -> Option<u16> {
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the strings are NUL-terminated or null (any protocol).
    let ent =
        unsafe { libc::getservbyname(name.as_ptr(), proto.map_or(ptr::null(), CStr::as_ptr)) };
    if ent.is_null() {
        return None;
    }
    // SAFETY: a non-null result points to a `servent` valid until the next call, which
    // the lock holds off; `s_port` is in network order in its low 16 bits.
    Some(u16::from_be(unsafe { (*ent).s_port } as u16))
}

/// `getservbyport(3)` of a port in host order: the service's name, `None` when unknown.
pub fn getservbyport(port: u16, proto: Option<&CStr>) -> Option<String> {
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: the protocol is NUL-terminated or null (any protocol).
    let ent = unsafe {
        libc::getservbyport(
            i32::from(port.to_be()),
            proto.map_or(ptr::null(), CStr::as_ptr),
        )
    };
    if ent.is_null() {
        return None;
    }
    // SAFETY: a non-null result points to a `servent` whose `s_name` is NUL-terminated,
    // valid until the next call, which the lock holds off.
    Some(
        unsafe { CStr::from_ptr((*ent).s_name) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// `getprotobyname(3)`: the protocol number, `None` when unknown.
pub fn getprotobyname(name: &CStr) -> Option<i32> {
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: `name` is NUL-terminated.
    let ent = unsafe { libc::getprotobyname(name.as_ptr()) };
    if ent.is_null() {
        return None;
    }
    // SAFETY: a non-null result points to a `protoent`, valid until the next call.
    Some(unsafe { (*ent).p_proto })
}

/// `gethostname(2)`: the host name's bytes.
/// Moves the calling thread into a UTS namespace of its own (Linux
/// `unshare(CLONE_NEWUTS)`; it needs `CAP_SYS_ADMIN`), so that a `sethostname` made on
/// it changes that namespace's host name and never the machine's. Namespaces belong to
/// threads: the process's other threads keep the machine's. Elsewhere: `ENOSYS`.
pub fn private_hostname() -> Result<(), super::Errno> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: unshare takes a flag word and touches no memory of ours.
        if unsafe { libc::unshare(libc::CLONE_NEWUTS) } == 0 {
            return Ok(());
        }
        Err(super::Errno(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        ))
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    Err(super::Errno(libc::ENOSYS))
}

/// Makes `cmd` start its process in a UTS namespace of its own (the child calls
/// [`private_hostname`] between `fork` and `exec`); spawning it then fails when the
/// namespace cannot be made.
pub fn private_hostname_command(cmd: &mut std::process::Command) -> Result<(), super::Errno> {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and makes one system call
    // (unshare), which is async-signal-safe; it allocates nothing on success.
    unsafe {
        cmd.pre_exec(|| private_hostname().map_err(|e| std::io::Error::from_raw_os_error(e.0)));
    }
    Ok(())
}

/// `sethostname(2)`: sets the host name of the calling thread's UTS namespace (it
/// needs `CAP_SYS_ADMIN` there: see [`super::private_hostname`]).
pub fn sethostname(name: &[u8]) -> Result<(), super::Errno> {
    // The length parameter is `size_t` on Linux and `int` on the BSDs and macOS.
    #[allow(clippy::useless_conversion)]
    let len = name
        .len()
        .try_into()
        .map_err(|_| super::Errno(libc::EINVAL))?;
    // SAFETY: the pointer and length describe `name`, which outlives the call.
    let rc = unsafe { libc::sethostname(name.as_ptr().cast(), len) };
    if rc != 0 {
        return Err(super::Errno(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        ));
    }
    Ok(())
}

pub fn gethostname() -> Result<Vec<u8>, super::Errno> {
    let mut buf = [0 as libc::c_char; 1024];
    // SAFETY: the buffer is writable for one byte less than its length, so the result
    // stays NUL-terminated even when truncated.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr(), buf.len() - 1) };
    if rc != 0 {
        return Err(super::Errno(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        ));
    }
    // SAFETY: the buffer's last byte is NUL.
    Ok(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes().to_vec())
}

unsafe extern "C" {
    // <netdb.h>: not in the `libc` crate. The non-reentrant forms exist everywhere
    // (macOS has no `_r` forms); `NETDB_LOCK` serialises them.
    fn gethostbyname(name: *const libc::c_char) -> *mut libc::hostent;
    fn gethostbyaddr(
        addr: *const libc::c_void,
        len: libc::socklen_t,
        family: libc::c_int,
    ) -> *mut libc::hostent;
    fn hstrerror(err: libc::c_int) -> *const libc::c_char;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn __h_errno_location() -> *mut libc::c_int;
    #[cfg(target_os = "freebsd")]
    fn __h_errno() -> *mut libc::c_int;
    #[cfg(target_os = "macos")]
    static h_errno: libc::c_int;
}

/// The calling thread's `h_errno`.
fn last_h_errno() -> i32 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: returns a valid pointer to the calling thread's `h_errno`.
    return unsafe { *__h_errno_location() };
    #[cfg(target_os = "freebsd")]
    // SAFETY: returns a valid pointer to the calling thread's `h_errno`.
    return unsafe { *__h_errno() };
    #[cfg(target_os = "macos")]
    // SAFETY: `h_errno` is a plain `int` the C library sets; it is read under
    // `NETDB_LOCK`, right after the call that set it.
    return unsafe { h_errno };
    #[allow(unreachable_code)]
    1
}

/// Copies a `hostent` out, or the `h_errno` error when the call gave none.
///
/// # Safety
///
/// `ent` is null or the result of `gethostbyname` / `gethostbyaddr` made under
/// `NETDB_LOCK`, which the caller still holds.
unsafe fn host_result(
    ent: *const libc::hostent,
) -> Result<crate::sys::HostEnt, crate::sys::HostError> {
    if ent.is_null() {
        let code = last_h_errno();
        // SAFETY: `hstrerror` returns a static NUL-terminated string for any code.
        let text = unsafe { CStr::from_ptr(hstrerror(code)) };
        return Err(crate::sys::HostError(
            code,
            text.to_string_lossy().into_owned(),
        ));
    }
    // SAFETY: the caller's contract: a valid `hostent`, its strings NUL-terminated, its
    // lists null-terminated, each address `h_length` bytes.
    unsafe {
        let ent = &*ent;
        let strings = |mut p: *mut *mut libc::c_char| {
            let mut out = Vec::new();
            while !p.is_null() && !(*p).is_null() {
                out.push(CStr::from_ptr(*p).to_bytes().to_vec());
                p = p.add(1);
            }
            out
        };
        let len = usize::try_from(ent.h_length).unwrap_or(0);
        let mut addrs = Vec::new();
        let mut p = ent.h_addr_list;
        while !p.is_null() && !(*p).is_null() {
            addrs.push(std::slice::from_raw_parts((*p).cast::<u8>(), len).to_vec());
            p = p.add(1);
        }
        Ok(crate::sys::HostEnt {
            name: CStr::from_ptr(ent.h_name).to_bytes().to_vec(),
            aliases: strings(ent.h_aliases),
            family: ent.h_addrtype,
            addrs,
        })
    }
}

/// `gethostbyname(3)`.
pub fn host_by_name(name: &CStr) -> Result<crate::sys::HostEnt, crate::sys::HostError> {
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: `name` is NUL-terminated; the result is copied out under the lock.
    unsafe { host_result(gethostbyname(name.as_ptr())) }
}

/// `gethostbyaddr(3)` of a packed address of `family`.
pub fn host_by_addr(
    addr: &[u8],
    family: i32,
) -> Result<crate::sys::HostEnt, crate::sys::HostError> {
    let _guard = NETDB_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let len = libc::socklen_t::try_from(addr.len()).unwrap_or(0);
    // SAFETY: `addr` is readable for `len` bytes; the result is copied out under the lock.
    unsafe { host_result(gethostbyaddr(addr.as_ptr().cast(), len, family)) }
}
