//! Unix implementation of the OS layer: libc wrappers, errno names, constant values,
//! socket file descriptors.

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

/// `AF_INET` as the portable layers need it to pick a code path (the full table is
/// [`constants`]).
pub const AF_INET: i32 = libc::AF_INET;
/// See [`AF_INET`].
pub const AF_INET6: i32 = libc::AF_INET6;

/// Whether the C library and kernel headers support IPv6 (CPython's `ENABLE_IPV6`, which
/// becomes `socket.has_ipv6`). Every supported Unix has it.
pub const HAS_IPV6: bool = true;

/// What this platform's CPython has of the optional parts of the `socket` module (see
/// [`super::Features`]): the `CMSG_*` family everywhere, `sendmsg_afalg` on Linux only,
/// none of Windows' `ioctl` / `share`; signals that interrupt blocking calls.
pub const FEATURES: super::Features = super::Features {
    cmsg: true,
    afalg: cfg!(any(target_os = "linux", target_os = "android")),
    socketpair: true,
    os_sendfile: true,
    ioctl: false,
    share: false,
    handles: false,
    family_needs_getsockname: false,
    create_server_reuseaddr: true,
    winerror: false,
    timeout_limit_ms: None,
    sethostname: true,
    signals: true,
};
