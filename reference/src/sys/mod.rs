//! OS layer: the only place that talks to the C library, Winsock and the system headers.
//!
//! Everything below `sys` is per-OS; the portable layers above (`core`, `py`) see one
//! interface. The OS module is chosen here, in this one place, the way socket2 picks
//! `sys/unix.rs` or `sys/windows.rs`. Every `unsafe` block lives below this module and
//! carries a `// SAFETY:` comment.
//!
//! The types defined here are the parts of that interface that are the same on every OS:
//! [`Features`] says which optional parts of the `socket` module the platform's CPython
//! has (each OS module exports its `FEATURES`), [`SocketError`] how a failed socket call
//! is reported, [`IoctlOption`] the argument of `socket.socket.ioctl`.

mod types;
pub use types::{
    Addr, AddrInfo, Cmsg, GaiError, HostEnt, HostError, OpenMode, Received, control_len,
    errno_name, errno_value,
};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

/// Which optional parts of the `socket` module CPython has on this platform, as its
/// build decides them (`#ifdef` in `Modules/socketmodule.c`, `hasattr` tests in
/// `Lib/socket.py`, `PC/pyconfig.h` on Windows). The `py` layer consults these flags
/// (the OS module's `FEATURES`) and nothing else to decide which attributes exist: an
/// item whose flag is false raises `AttributeError`, as in CPython.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// `socket.socket.sendmsg`, `recvmsg`, `recvmsg_into` and `socket.CMSG_LEN`,
    /// `CMSG_SPACE` (CPython's `#ifdef CMSG_LEN`, which `socketmodule.h` undefines on
    /// Windows), and so `socket.py`'s `send_fds` / `recv_fds`.
    pub cmsg: bool,
    /// `socket.socket.sendmsg_afalg` (`HAVE_SOCKADDR_ALG`: Linux).
    pub afalg: bool,
    /// `_socket.socketpair` (`HAVE_SOCKETPAIR`). Without it `socket.socketpair` is
    /// `socket.py`'s `_fallback_socketpair`, a connected pair of TCP sockets on the
    /// loopback interface.
    pub socketpair: bool,
    /// `os.sendfile` exists, so `socket.socket.sendfile` tries it before `send()`.
    pub os_sendfile: bool,
    /// `socket.socket.ioctl(control, option)` over `WSAIoctl` (`MS_WINDOWS` and
    /// `SIO_RCVALL`).
    pub ioctl: bool,
    /// `socket.socket.share(process_id)` (`WSADuplicateSocketW`) and `socket.fromshare`,
    /// with `socket.socket(fileno=bytes)` accepting the shared `WSAPROTOCOL_INFOW`.
    pub share: bool,
    /// A socket's number is a handle (Windows `SOCKET`): `socket(fileno=n)` refuses only
    /// `-1` (`INVALID_SOCKET`) with `ValueError("negative file descriptor")`, and
    /// `get_inheritable` / `set_inheritable` are `os.get_handle_inheritable` /
    /// `os.set_handle_inheritable`, whose flag is any object's truth value.
    pub handles: bool,
    /// `socket(fileno=n)` without a family fails when `getsockname` fails for any reason
    /// (Windows: an unbound socket gives `WSAEINVAL`); elsewhere only `EBADF` /
    /// `ENOTSOCK` are raised and other errors leave the family `-1`.
    pub family_needs_getsockname: bool,
    /// `OSError` has a `winerror` attribute and takes it as its fourth argument; failed
    /// socket calls raise `OSError(0, message, None, winerror)` (`PyErr_SetExcFromWindowsErr`).
    pub winerror: bool,
    /// `socket.create_server` sets `SO_REUSEADDR` (`socket.py` does except where
    /// `os.name` is `'nt'`, where the option would let another socket take the port).
    pub create_server_reuseaddr: bool,
    /// The longest timeout `settimeout` / `setdefaulttimeout` accept, in milliseconds
    /// (`socket_parse_timeout` without `HAVE_POLL`: the wait must fit a C `int` of
    /// milliseconds); longer ones raise `OverflowError("timeout doesn't fit into C
    /// timeval")`. `None`: no limit beyond the timestamp's own.
    pub timeout_limit_ms: Option<i64>,
    /// `socket.sethostname(name)` (`HAVE_SETHOSTNAME`: Unix).
    pub sethostname: bool,
    /// A signal can interrupt a blocking socket call (`EINTR`), and [`Alarm`] delivers
    /// one to a thread (Unix; CPython's `signal.setitimer` exists there only).
    pub signals: bool,
}

/// How CPython reports a socket call that failed with the OS error code `code`
/// (`set_error()` in `Modules/socketmodule.c`): the `OSError`'s `errno`, `strerror` and,
/// on Windows, `winerror`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketError {
    /// `OSError.errno` (on Windows `winerror_to_errno(winerror)`: the WSA code for most,
    /// the C errno for `WSAEINTR`, `WSAEBADF`, `WSAEACCES`, `WSAEFAULT`, `WSAEINVAL`,
    /// `WSAEMFILE`).
    pub errno: i64,
    /// `OSError.strerror`.
    pub strerror: String,
    /// `OSError.winerror`, where the platform has it.
    pub winerror: Option<i64>,
}

/// The `option` argument of `socket.socket.ioctl(control, option)` once parsed for the
/// control code (CPython's `sock_ioctl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoctlOption {
    /// `SIO_RCVALL` and `SIO_LOOPBACK_FAST_PATH`: an unsigned int (`"I"`).
    Unsigned(u32),
    /// `SIO_KEEPALIVE_VALS`: `struct tcp_keepalive` from `(onoff, keepalivetime,
    /// keepaliveinterval)` (`"(kkk)"`).
    KeepAlive {
        /// `onoff`.
        onoff: u32,
        /// `keepalivetime`, milliseconds.
        time: u32,
        /// `keepaliveinterval`, milliseconds.
        interval: u32,
    },
}
