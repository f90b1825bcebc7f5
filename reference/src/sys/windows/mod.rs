//! Windows implementation of the OS layer: Winsock 2 (`ws2_32`) through socket2 and
//! windows-sys, the IP helper API (`iphlpapi`) for interface names, the C runtime for
//! regular files and C errno values, and `FormatMessageW` for error texts.
//!
//! It exports the same interface as `sys/unix`. A socket is a `SOCKET` handle; the
//! portable layers call it a descriptor and hold it as an `i32`, which Windows
//! guarantees is lossless (handles use only their low 32 bits and may be truncated and
//! sign-extended), so `INVALID_SOCKET` is `-1` as CPython's `fileno()` reports it.
//! Errors are Winsock's `WSAGetLastError()` codes ([`Errno`]), reported the way
//! CPython's `set_error()` does on Windows ([`socket_error`]).

mod consts;
mod errno;
mod file;
mod inet;
mod msg;
mod netdb;
mod netif;
mod signals;
mod socket;

pub use consts::{cmsg_len, cmsg_space, constants, string_constants};
pub use errno::{ERRNO, socket_error, strerror, winerror_to_errno};
pub use file::{File, fstat_size, private_cwd, sendfile};
pub use inet::{InetError, inet_aton, inet_ntop, inet_pton};
pub use msg::SCM_RIGHTS;
pub use netdb::*;
pub use netif::{if_indextoname, if_nameindex, if_nametoindex};
pub use signals::{Alarm, SIGNAL, take_pending};
pub use socket::{
    AF_UNIX, Errno, HAS_ABSTRACT_UNIX, Interest, PROTOCOL_INFO_LEN, SOCK_CLOEXEC, SOCK_NONBLOCK,
    Socket, UNIX_PATH_CAPACITY, close_fd, dup, fd_is_open, getsockopt_int, so_protocol, so_type,
    socket_family, split_type_flags,
};

use windows_sys::Win32::Networking::WinSock as ws;

/// `AF_INET` as the portable layers need it to pick a code path (the full table is
/// [`constants`]).
pub const AF_INET: i32 = ws::AF_INET as i32;
/// See [`AF_INET`].
pub const AF_INET6: i32 = ws::AF_INET6 as i32;

/// Whether IPv6 is supported (CPython's `ENABLE_IPV6`, which `socketmodule.h` defines on
/// Windows whenever the SDK has `SIO_GET_MULTICAST_FILTER`, as every supported one does).
pub const HAS_IPV6: bool = true;

/// What CPython has on Windows of the optional parts of the `socket` module (see
/// [`super::Features`]): no `CMSG_LEN` (so no `sendmsg` / `recvmsg` family, no
/// `send_fds` / `recv_fds`), no `socketpair` in `_socket` (socket.py's fallback is used),
/// no `os.sendfile`, no `AF_ALG`; `ioctl`, `share` / `fromshare`, handle semantics for
/// socket numbers, `OSError.winerror`, and `select()`'s limit on timeouts (no `poll()`);
/// no signals that interrupt a socket call.
pub const FEATURES: super::Features = super::Features {
    cmsg: false,
    afalg: false,
    socketpair: false,
    os_sendfile: false,
    ioctl: true,
    share: true,
    handles: true,
    family_needs_getsockname: true,
    create_server_reuseaddr: false,
    winerror: true,
    timeout_limit_ms: Some(i32::MAX as i64),
    sethostname: false,
    signals: false,
};

/// `WSAStartup(2.2)`, once per process, before the first Winsock call (CPython's
/// `os_init()` does it when `_socket` is imported; socket2 does it through the standard
/// library for the calls it makes). Its failure shows as `WSANOTINITIALISED` from the
/// calls that follow.
fn init() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let mut data = std::mem::MaybeUninit::<ws::WSADATA>::uninit();
        // SAFETY: `data` is a writable `WSADATA` that the call fills; nothing else is
        // passed. The reference count it takes is never released (the process exits).
        let _ = unsafe { ws::WSAStartup(0x0202, data.as_mut_ptr()) };
    });
}
