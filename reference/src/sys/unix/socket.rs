//! Socket file descriptors: `socket(2)`, `socketpair(2)`, `close(2)`, `fcntl(2)`
//! (`O_NONBLOCK`, `FD_CLOEXEC`, `F_DUPFD_CLOEXEC`), `bind(2)`, `listen(2)`, `accept4(2)`,
//! `connect(2)`, `shutdown(2)`, `getsockopt(2)`, `setsockopt(2)`, `getsockname(2)`,
//! `getpeername(2)`, `recv(2)`, `recvfrom(2)`, `send(2)`, `sendto(2)` and `poll(2)`, as thin wrappers that return the C call's `errno` unchanged.
//!
//! The calls go through the socket2 crate where it has them. Nothing here retries,
//! waits or interprets an error: the timeout state machine that CPython's
//! `Modules/socketmodule.c` (`sock_call_ex`, `internal_select`) builds on these calls is
//! portable and lives in `core::socket`.

use crate::sys::Addr;
use std::io;
use std::mem::{MaybeUninit, offset_of, size_of};
use std::os::fd::{AsRawFd, IntoRawFd};
use std::ptr;

use socket2::{Domain, Protocol, SockAddr, SockAddrStorage, Type};

/// An `errno` value from a failed C call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    /// `EBADF`: what every call on a closed socket (fd `-1`) fails with.
    pub const EBADF: Errno = Errno(libc::EBADF);
    /// `EINTR`: the call was interrupted by a signal.
    pub const EINTR: Errno = Errno(libc::EINTR);
    /// `EAGAIN`: the call would block.
    pub const EAGAIN: Errno = Errno(libc::EAGAIN);
    /// `EWOULDBLOCK`: the same as `EAGAIN` on every supported Unix.
    pub const EWOULDBLOCK: Errno = Errno(libc::EWOULDBLOCK);
    /// `ECONNRESET`: `close(2)` may report it; CPython ignores it there (bpo-30319).
    pub const ECONNRESET: Errno = Errno(libc::ECONNRESET);

    /// Whether the call would have blocked (`EAGAIN` or `EWOULDBLOCK`).
    pub fn would_block(self) -> bool {
        self == Errno::EAGAIN || self == Errno::EWOULDBLOCK
    }

    pub(super) fn last() -> Errno {
        Errno::from(io::Error::last_os_error())
    }
}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        // Every error socket2 returns comes from a C call and carries its errno.
        Errno(e.raw_os_error().unwrap_or(libc::EIO))
    }
}

/// The type flags `socket(2)` accepts on platforms that have them (Linux, Android, the
/// BSDs but macOS, illumos, Solaris).
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_os = "illumos",
    target_os = "solaris"
))]
mod type_flags {
    /// `SOCK_NONBLOCK`.
    pub const SOCK_NONBLOCK: i32 = libc::SOCK_NONBLOCK;
    /// `SOCK_CLOEXEC`.
    pub const SOCK_CLOEXEC: i32 = libc::SOCK_CLOEXEC;

    /// Splits a `socket(2)` type argument into the socket kind and whether it asked for
    /// `SOCK_NONBLOCK`.
    pub fn split_type_flags(ty: i32) -> (i32, bool) {
        (
            ty & !(SOCK_NONBLOCK | SOCK_CLOEXEC),
            ty & SOCK_NONBLOCK != 0,
        )
    }
}

/// Elsewhere (macOS): no such flags, written as 0.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_os = "illumos",
    target_os = "solaris"
)))]
mod type_flags {
    /// No `SOCK_NONBLOCK` here.
    pub const SOCK_NONBLOCK: i32 = 0;
    /// No `SOCK_CLOEXEC` here.
    pub const SOCK_CLOEXEC: i32 = 0;

    /// The type argument is the socket kind itself: no flags ride on it here.
    pub fn split_type_flags(ty: i32) -> (i32, bool) {
        (ty, false)
    }
}

/// `SOCK_NONBLOCK` and `SOCK_CLOEXEC`, the flags `socket(2)` accepts in its type
/// argument; `0` where the platform has none.
pub use type_flags::{SOCK_CLOEXEC, SOCK_NONBLOCK, split_type_flags};

/// `AF_UNIX` on this platform.
pub const AF_UNIX: i32 = libc::AF_UNIX;

/// The size of `sockaddr_un.sun_path` (108 on Linux, 104 on the BSDs and macOS).
pub const UNIX_PATH_CAPACITY: usize =
    size_of::<libc::sockaddr_un>() - offset_of!(libc::sockaddr_un, sun_path);

/// Whether `AF_UNIX` addresses whose `sun_path` starts with a NUL byte (or is empty) name
/// the Linux abstract namespace (`unix(7)`).
pub const HAS_ABSTRACT_UNIX: bool = cfg!(any(target_os = "linux", target_os = "android"));

impl Addr {
    /// Encodes the address as the C structure and its length.
    pub(super) fn to_sockaddr(&self) -> Result<SockAddr, Errno> {
        let mut storage = SockAddrStorage::zeroed();
        let len = match self {
            Addr::Inet { ip, port } => {
                // SAFETY: `sockaddr_in` is one of this platform's `sockaddr_*` types and
                // fits the storage (`view_as` asserts it).
                let sin: &mut libc::sockaddr_in = unsafe { storage.view_as() };
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = port.to_be();
                sin.sin_addr = libc::in_addr {
                    s_addr: u32::from_ne_bytes(*ip),
                };
                size_of::<libc::sockaddr_in>()
            }
            Addr::Inet6 {
                ip,
                port,
                flowinfo,
                scope_id,
            } => {
                // SAFETY: as above, for `sockaddr_in6`.
                let sin6: &mut libc::sockaddr_in6 = unsafe { storage.view_as() };
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = port.to_be();
                sin6.sin6_flowinfo = flowinfo.to_be();
                sin6.sin6_addr = libc::in6_addr { s6_addr: *ip };
                sin6.sin6_scope_id = *scope_id;
                size_of::<libc::sockaddr_in6>()
            }
            Addr::Unix { family, path } => {
                if path.len() > UNIX_PATH_CAPACITY {
                    return Err(Errno(libc::EINVAL));
                }
                // SAFETY: as above, for `sockaddr_un`.
                let sun: &mut libc::sockaddr_un = unsafe { storage.view_as() };
                sun.sun_family = *family as libc::sa_family_t;
                for (dst, &src) in sun.sun_path.iter_mut().zip(path) {
                    *dst = src as libc::c_char;
                }
                offset_of!(libc::sockaddr_un, sun_path) + path.len()
            }
            Addr::Netlink { pid, groups } => linux_addr::netlink(&mut storage, *pid, *groups)?,
            Addr::Vsock { cid, port } => linux_addr::vsock(&mut storage, *cid, *port)?,
            Addr::Other { family, data } => {
                // SAFETY: as above, for the generic `sockaddr`.
                let sa: &mut libc::sockaddr = unsafe { storage.view_as() };
                sa.sa_family = *family as libc::sa_family_t;
                for (dst, &src) in sa.sa_data.iter_mut().zip(data) {
                    *dst = src as libc::c_char;
                }
                size_of::<libc::sockaddr>()
            }
        };
        // SAFETY: the storage was zeroed and then initialised as the structure of the
        // family written into it; `len` does not exceed that structure's size.
        Ok(unsafe { SockAddr::new(storage, len as libc::socklen_t) })
    }

    /// Decodes an address the kernel returned; `None` when its length is 0 (no address,
    /// as `recvfrom(2)` reports for an unnamed `AF_UNIX` peer).
    fn from_sockaddr(addr: &SockAddr) -> Option<Addr> {
        let len = addr.len() as usize;
        if len == 0 {
            return None;
        }
        if let Some(v4) = addr.as_socket_ipv4() {
            return Some(Addr::Inet {
                ip: v4.ip().octets(),
                port: v4.port(),
            });
        }
        if let Some(v6) = addr.as_socket_ipv6() {
            return Some(Addr::Inet6 {
                ip: v6.ip().octets(),
                port: v6.port(),
                flowinfo: v6.flowinfo(),
                scope_id: v6.scope_id(),
            });
        }
        let family = i32::from(addr.family());
        let ptr = addr.as_ptr();
        if family == libc::AF_UNIX {
            // SAFETY: the family says the storage holds a `sockaddr_un`, and the storage
            // (a `sockaddr_storage`) is larger than one, so the whole structure is
            // readable; bytes past `len` are zeroed by socket2 before the call.
            let sun = unsafe { &*ptr.cast::<libc::sockaddr_un>() };
            let covered = len
                .saturating_sub(offset_of!(libc::sockaddr_un, sun_path))
                .min(UNIX_PATH_CAPACITY);
            let path = sun.sun_path[..covered].iter().map(|&c| c as u8).collect();
            return Some(Addr::Unix { family, path });
        }
        if let Some(addr) = linux_addr::decode(addr) {
            return Some(addr);
        }
        // SAFETY: every `sockaddr_*` starts with the generic `sockaddr` layout, and the
        // storage is larger than a `sockaddr`.
        let sa = unsafe { &*ptr.cast::<libc::sockaddr>() };
        Some(Addr::Other {
            family,
            data: sa.sa_data.iter().map(|&c| c as u8).collect(),
        })
    }
}

/// What [`Socket::poll`] waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// `POLLIN`: data to read.
    Read,
    /// `POLLOUT`: room to write.
    Write,
    /// A non-blocking `connect` finishing (CPython's `internal_select(..., connect=1)`):
    /// `POLLOUT` here, where a failed connection also makes the socket writable.
    Connect,
}

/// An open socket file descriptor, closed when dropped (errors ignored) or by
/// [`Socket::close`] (errors reported).
#[derive(Debug)]
pub struct Socket(socket2::Socket);

impl Socket {
    /// `socket(family, type | SOCK_CLOEXEC, proto)`: a new socket that child processes
    /// do not inherit. Where `SOCK_CLOEXEC` does not exist, `FD_CLOEXEC` is set right
    /// after creation (CPython's `_Py_set_inheritable(fd, 0, …)`).
    pub fn new(family: i32, ty: i32, proto: i32) -> Result<Socket, Errno> {
        let sock = socket2::Socket::new_raw(
            Domain::from(family),
            Type::from(ty | SOCK_CLOEXEC),
            Some(Protocol::from(proto)),
        )?;
        if SOCK_CLOEXEC == 0 {
            sock.set_cloexec(true)?;
        }
        Ok(Socket(sock))
    }

    /// The file descriptor.
    pub fn fd(&self) -> i32 {
        self.0.as_raw_fd()
    }

    /// `fcntl(F_SETFL)` with `O_NONBLOCK` set or cleared.
    pub fn set_nonblocking(&self, nonblocking: bool) -> Result<(), Errno> {
        Ok(self.0.set_nonblocking(nonblocking)?)
    }

    /// Whether `O_NONBLOCK` is set (`fcntl(F_GETFL)`).
    pub fn is_nonblocking(&self) -> Result<bool, Errno> {
        Ok(self.0.nonblocking()?)
    }

    /// Whether `FD_CLOEXEC` is set (`fcntl(F_GETFD)`): the socket is non-inheritable.
    pub fn is_cloexec(&self) -> Result<bool, Errno> {
        // SAFETY: `F_GETFD` only reads the descriptor flags of an fd this value owns.
        let flags = unsafe { libc::fcntl(self.fd(), libc::F_GETFD) };
        if flags < 0 {
            return Err(Errno::last());
        }
        Ok(flags & libc::FD_CLOEXEC != 0)
    }

    /// `bind(2)`.
    pub fn bind(&self, addr: &Addr) -> Result<(), Errno> {
        Ok(self.0.bind(&addr.to_sockaddr()?)?)
    }

    /// `getsockname(2)`; `None` for a zero-length address.
    pub fn local_addr(&self) -> Result<Option<Addr>, Errno> {
        Ok(Addr::from_sockaddr(&self.0.local_addr()?))
    }

    /// `getpeername(2)`; `None` for a zero-length address.
    pub fn peer_addr(&self) -> Result<Option<Addr>, Errno> {
        Ok(Addr::from_sockaddr(&self.0.peer_addr()?))
    }

    /// `recv(2)` of at most `len` bytes into the spare capacity of `buf`, which the caller
    /// has reserved. The received bytes are appended to `buf`; the return value is what
    /// `recv` returned, which exceeds `len` when `MSG_TRUNC` asks for a datagram's real
    /// length.
    pub fn recv(&self, buf: &mut Vec<u8>, len: usize, flags: i32) -> Result<usize, Errno> {
        fill_spare(buf, len, |spare| {
            Ok(self.0.recv_with_flags(spare, flags)?)
        })
    }

    /// `recvfrom(2)`, like [`Socket::recv`], also returning the sender's address (`None`
    /// when the kernel reports none).
    pub fn recv_from(
        &self,
        buf: &mut Vec<u8>,
        len: usize,
        flags: i32,
    ) -> Result<(usize, Option<Addr>), Errno> {
        let mut from = None;
        let n = fill_spare(buf, len, |spare| {
            let (n, addr) = self.0.recv_from_with_flags(spare, flags)?;
            from = Addr::from_sockaddr(&addr);
            Ok(n)
        })?;
        Ok((n, from))
    }

    /// `recv(2)` straight into `buf` (CPython's `recv_into`): what `recv` returned.
    pub fn recv_into(&self, buf: &mut [u8], flags: i32) -> Result<usize, Errno> {
        Ok(self.0.recv_with_flags(as_uninit(buf), flags)?)
    }

    /// `recvfrom(2)` straight into `buf` (CPython's `recvfrom_into`): what `recvfrom`
    /// returned and the sender's address.
    pub fn recv_from_into(
        &self,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<(usize, Option<Addr>), Errno> {
        let (n, addr) = self.0.recv_from_with_flags(as_uninit(buf), flags)?;
        Ok((n, Addr::from_sockaddr(&addr)))
    }

    /// `send(2)`: the number of bytes sent.
    pub fn send(&self, data: &[u8], flags: i32) -> Result<usize, Errno> {
        Ok(self.0.send_with_flags(data, flags)?)
    }

    /// `sendto(2)`: the number of bytes sent.
    pub fn send_to(&self, data: &[u8], flags: i32, addr: &Addr) -> Result<usize, Errno> {
        Ok(self
            .0
            .send_to_with_flags(data, &addr.to_sockaddr()?, flags)?)
    }

    /// `poll(2)` on this socket alone for `interest`, waiting at most `timeout_ms`
    /// milliseconds (negative: no limit). `true` when the socket is ready (or in error:
    /// `POLLERR`, `POLLHUP`, `POLLNVAL` count as ready, as in CPython's
    /// `internal_select`), `false` when the time ran out.
    pub fn poll(&self, interest: Interest, timeout_ms: i32) -> Result<bool, Errno> {
        let mut pfd = libc::pollfd {
            fd: self.fd(),
            events: match interest {
                Interest::Read => libc::POLLIN,
                Interest::Write | Interest::Connect => libc::POLLOUT,
            },
            revents: 0,
        };
        // SAFETY: `pfd` is one valid, writable `pollfd` and the count passed is 1; `poll`
        // keeps no pointer after it returns.
        let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        match n {
            0 => Ok(false),
            1.. => Ok(true),
            _ => Err(Errno::last()),
        }
    }

    /// `close(2)`, reporting its error (`Drop` ignores it). Not retried on `EINTR`, as
    /// CPython does not (the descriptor is released either way on Linux).
    pub fn close(self) -> Result<(), Errno> {
        let fd = self.0.into_raw_fd();
        // SAFETY: `into_raw_fd` handed over the only owner of `fd`, which is closed here
        // exactly once and never used again.
        let rc = unsafe { libc::close(fd) };
        if rc < 0 { Err(Errno::last()) } else { Ok(()) }
    }
}

/// An initialised buffer as the `MaybeUninit` slice socket2's receive calls take.
fn as_uninit(buf: &mut [u8]) -> &mut [MaybeUninit<u8>] {
    // SAFETY: `MaybeUninit<u8>` has the layout of `u8`; the receive calls only write
    // initialised bytes through it, so the slice stays initialised as `buf` requires.
    unsafe { &mut *(std::ptr::from_mut::<[u8]>(buf) as *mut [MaybeUninit<u8>]) }
}

/// Runs a receive call on the first `len` bytes of `buf`'s spare capacity and appends
/// what it wrote.
fn fill_spare(
    buf: &mut Vec<u8>,
    len: usize,
    call: impl FnOnce(&mut [MaybeUninit<u8>]) -> Result<usize, Errno>,
) -> Result<usize, Errno> {
    let start = buf.len();
    let spare = buf.spare_capacity_mut();
    let len = len.min(spare.len());
    let n = call(&mut spare[..len])?;
    // SAFETY: the call initialised the first `min(n, len)` bytes of the spare capacity
    // (`recv` writes at most the buffer's length, and reports a larger `n` only with
    // `MSG_TRUNC`, without writing more).
    unsafe { buf.set_len(start + n.min(len)) };
    Ok(n)
}

/// Ownership, connections and options: `socketpair(2)`, `listen(2)`, `accept4(2)`,
/// `connect(2)`, `shutdown(2)`, `getsockopt(2)`, `setsockopt(2)`.
impl Socket {
    /// Takes ownership of the open descriptor `fd` (CPython's `socket(fileno=fd)`): it is
    /// closed when the value is dropped or closed. The caller guarantees that nothing
    /// else closes `fd` (the `py` layer only adopts descriptors it handed out itself).
    pub fn adopt(fd: i32) -> Socket {
        use std::os::fd::FromRawFd;
        // SAFETY: `fd` is an open descriptor that no other owner will close (the
        // caller's guarantee, see above); socket2 only wraps it.
        Socket(unsafe { socket2::Socket::from_raw_fd(fd) })
    }

    /// Gives up ownership without closing (`socket.detach()`): the descriptor.
    pub fn into_raw(self) -> i32 {
        self.0.into_raw_fd()
    }

    /// `socketpair(family, type | SOCK_CLOEXEC, proto)`.
    pub fn pair(family: i32, ty: i32, proto: i32) -> Result<(Socket, Socket), Errno> {
        let (a, b) = socket2::Socket::pair_raw(
            Domain::from(family),
            Type::from(ty | SOCK_CLOEXEC),
            Some(Protocol::from(proto)),
        )?;
        if SOCK_CLOEXEC == 0 {
            a.set_cloexec(true)?;
            b.set_cloexec(true)?;
        }
        Ok((Socket(a), Socket(b)))
    }

    /// `fcntl(F_SETFD)` with `FD_CLOEXEC` cleared (inheritable) or set
    /// (`os.set_inheritable`).
    pub fn set_inheritable(&self, inheritable: bool) -> Result<(), Errno> {
        Ok(self.0.set_cloexec(!inheritable)?)
    }

    /// `listen(2)`.
    pub fn listen(&self, backlog: i32) -> Result<(), Errno> {
        Ok(self.0.listen(backlog)?)
    }

    /// `accept4(2)` with `SOCK_CLOEXEC` (`accept(2)` then `FD_CLOEXEC` elsewhere): the
    /// new socket and the peer's address.
    pub fn accept(&self) -> Result<(Socket, Option<Addr>), Errno> {
        let (sock, addr) = self.0.accept()?;
        Ok((Socket(sock), Addr::from_sockaddr(&addr)))
    }

    /// `connect(2)`, its errno unchanged (`EINPROGRESS` for a non-blocking socket).
    pub fn connect(&self, addr: &Addr) -> Result<(), Errno> {
        let addr = addr.to_sockaddr()?;
        // SAFETY: `addr` is a valid socket address of the length it states.
        let rc = unsafe { libc::connect(self.fd(), addr.as_ptr().cast(), addr.len()) };
        if rc < 0 { Err(Errno::last()) } else { Ok(()) }
    }

    /// `shutdown(2)` with `how` passed through (an invalid value gives `EINVAL`).
    pub fn shutdown(&self, how: i32) -> Result<(), Errno> {
        // SAFETY: a plain call on a descriptor this value owns.
        let rc = unsafe { libc::shutdown(self.fd(), how) };
        if rc < 0 { Err(Errno::last()) } else { Ok(()) }
    }

    /// `getsockopt(2)` of a C `int` option.
    pub fn getsockopt_int(&self, level: i32, name: i32) -> Result<i32, Errno> {
        getsockopt_int(self.fd(), level, name)
    }

    /// `getsockopt(2)` into a buffer of `len` bytes: the bytes the kernel wrote
    /// (`optlen` after the call).
    pub fn getsockopt_bytes(&self, level: i32, name: i32, len: usize) -> Result<Vec<u8>, Errno> {
        let mut buf = vec![0u8; len];
        let mut optlen = libc::socklen_t::try_from(len).map_err(|_| Errno(libc::EINVAL))?;
        // SAFETY: `buf` has `optlen` writable bytes and `optlen` is a valid in/out
        // length.
        let rc = unsafe {
            libc::getsockopt(self.fd(), level, name, buf.as_mut_ptr().cast(), &mut optlen)
        };
        if rc < 0 {
            return Err(Errno::last());
        }
        buf.truncate(optlen as usize);
        Ok(buf)
    }

    /// `setsockopt(2)` with `value` as the option's bytes.
    pub fn setsockopt_bytes(&self, level: i32, name: i32, value: &[u8]) -> Result<(), Errno> {
        let len = libc::socklen_t::try_from(value.len()).map_err(|_| Errno(libc::EINVAL))?;
        // SAFETY: `value` has `len` readable bytes; the kernel only reads them.
        let rc = unsafe { libc::setsockopt(self.fd(), level, name, value.as_ptr().cast(), len) };
        if rc < 0 { Err(Errno::last()) } else { Ok(()) }
    }

    /// `setsockopt(2)` of a C `int` (CPython's `setsockopt(level, optname, int)` form).
    pub fn setsockopt_int(&self, level: i32, name: i32, value: i32) -> Result<(), Errno> {
        self.setsockopt_bytes(level, name, &value.to_ne_bytes())
    }

    /// `setsockopt(2)` with a null `optval` and the given `optlen` (CPython's
    /// `setsockopt(level, name, None, optlen)`).
    pub fn setsockopt_null(&self, level: i32, name: i32, optlen: u32) -> Result<(), Errno> {
        // SAFETY: a null option value is passed on as such; the kernel checks it
        // against `optlen` and fails with `EFAULT` rather than read through it.
        let rc = unsafe { libc::setsockopt(self.fd(), level, name, ptr::null(), optlen) };
        if rc < 0 { Err(Errno::last()) } else { Ok(()) }
    }
}

/// The size of Windows' `WSAPROTOCOL_INFOW`, the data of `socket.socket.share`; Unix has
/// none (`FEATURES.share` is false).
pub const PROTOCOL_INFO_LEN: usize = 0;

/// Windows' socket calls, which Unix does not have. The `py` layer never reaches them
/// here (`FEATURES.ioctl` and `FEATURES.share` are false, so `socket.socket.ioctl`,
/// `share` and `socket.fromshare` do not exist); each reports `EOPNOTSUPP`.
impl Socket {
    /// `WSAIoctl`: not a Unix call.
    pub fn ioctl(&self, _control: u32, _option: &super::super::IoctlOption) -> Result<u32, Errno> {
        Err(Errno(libc::EOPNOTSUPP))
    }

    /// `WSADuplicateSocketW`: not a Unix call.
    pub fn share(&self, _process_id: u32) -> Result<Vec<u8>, Errno> {
        Err(Errno(libc::EOPNOTSUPP))
    }

    /// `WSASocketW(FROM_PROTOCOL_INFO, …)`: not a Unix call.
    pub fn from_share(_info: &[u8]) -> Result<(Socket, i32, i32, i32), Errno> {
        Err(Errno(libc::EOPNOTSUPP))
    }
}

/// `getsockopt(2)` of a C `int` option on a descriptor number (which need not be open:
/// then `EBADF`).
pub fn getsockopt_int(fd: i32, level: i32, name: i32) -> Result<i32, Errno> {
    let mut value: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` are valid for writing; on an fd that is not open the
    // call fails with `EBADF` and writes nothing.
    let rc = unsafe { libc::getsockopt(fd, level, name, (&raw mut value).cast(), &mut len) };
    if rc < 0 {
        Err(Errno::last())
    } else {
        Ok(value)
    }
}

/// The `sa_family` of `getsockname(2)` on a descriptor number (CPython's validation of
/// `socket(fileno=fd)`).
pub fn socket_family(fd: i32) -> Result<i32, Errno> {
    let mut storage = SockAddrStorage::zeroed();
    let mut len = storage.size_of();
    // SAFETY: `storage` is a writable `sockaddr_storage` of `len` bytes.
    let rc = unsafe {
        let sa: *mut libc::sockaddr = storage.view_as::<libc::sockaddr>();
        libc::getsockname(fd, sa, &mut len)
    };
    if rc < 0 {
        return Err(Errno::last());
    }
    // SAFETY: the storage was zeroed and then filled by the kernel; its first field
    // is the family in every `sockaddr_*` layout.
    let family = unsafe { storage.view_as::<libc::sockaddr>().sa_family };
    Ok(i32::from(family))
}

/// `fcntl(fd, F_DUPFD_CLOEXEC, 0)`: a new non-inheritable descriptor for the same
/// open file (CPython's `_Py_dup`, behind `socket.dup(fd)`).
pub fn dup(fd: i32) -> Result<Socket, Errno> {
    // SAFETY: duplicating a descriptor number creates a new one and touches nothing
    // else; on an fd that is not open it fails with `EBADF`.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if new < 0 {
        return Err(Errno::last());
    }
    Ok(Socket::adopt(new))
}

/// `close(2)` of a descriptor number the caller owns (`socket.close(fd)`).
pub fn close_fd(fd: i32) -> Result<(), Errno> {
    // SAFETY: the caller owns `fd` (the `py` layer only closes descriptors it handed
    // out); it is not used again.
    let rc = unsafe { libc::close(fd) };
    if rc < 0 { Err(Errno::last()) } else { Ok(()) }
}

/// Whether `fd` is an open descriptor (`fcntl(F_GETFD)` succeeds).
pub fn fd_is_open(fd: i32) -> bool {
    // SAFETY: `F_GETFD` only reads the descriptor flags.
    unsafe { libc::fcntl(fd, libc::F_GETFD) >= 0 }
}

/// Copies a C socket address of `len` bytes at `ptr` into an [`Addr`].
///
/// # Safety
///
/// `ptr` must point to `len` readable bytes holding a socket address.
pub(super) unsafe fn addr_from_raw(
    ptr: *const libc::sockaddr,
    len: libc::socklen_t,
) -> Option<Addr> {
    let mut storage = SockAddrStorage::zeroed();
    let len = len.min(storage.size_of());
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`; the storage is at
    // least that large (the length was capped to its size) and does not overlap.
    unsafe {
        let dst: *mut libc::sockaddr = storage.view_as::<libc::sockaddr>();
        ptr::copy_nonoverlapping(ptr.cast::<u8>(), dst.cast::<u8>(), len as usize);
    }
    // SAFETY: the storage holds a socket address of `len` bytes, copied above.
    let addr = unsafe { SockAddr::new(storage, len) };
    Addr::from_sockaddr(&addr)
}

/// `SO_PROTOCOL` where the platform has it (Linux, Android, FreeBSD); CPython uses
/// `proto = 0` for `socket(fileno=fd)` elsewhere.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
const SO_PROTOCOL: Option<i32> = Some(libc::SO_PROTOCOL);
/// See above.
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
const SO_PROTOCOL: Option<i32> = None;

/// `getsockopt(fd, SOL_SOCKET, SO_TYPE)`.
pub fn so_type(fd: i32) -> Result<i32, Errno> {
    getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_TYPE)
}

/// `getsockopt(fd, SOL_SOCKET, SO_PROTOCOL)`; `None` where there is no such option.
pub fn so_protocol(fd: i32) -> Result<Option<i32>, Errno> {
    SO_PROTOCOL
        .map(|name| getsockopt_int(fd, libc::SOL_SOCKET, name))
        .transpose()
}

impl Socket {
    /// `getsockopt(SOL_SOCKET, SO_ERROR)`: the pending error, cleared by reading it.
    pub fn so_error(&self) -> Result<i32, Errno> {
        getsockopt_int(self.fd(), libc::SOL_SOCKET, libc::SO_ERROR)
    }
}

/// `ENOTSOCK`, `EINPROGRESS` and `EISCONN`, which `socket(fileno=…)` and `connect`
/// treat specially.
impl Errno {
    /// `ENOTSOCK`.
    pub const ENOTSOCK: Errno = Errno(libc::ENOTSOCK);
    /// `EINPROGRESS`.
    pub const EINPROGRESS: Errno = Errno(libc::EINPROGRESS);
    /// `EISCONN`.
    pub const EISCONN: Errno = Errno(libc::EISCONN);
}

/// The Linux-only address families: `AF_NETLINK` and `AF_VSOCK`.
#[cfg(any(target_os = "linux", target_os = "android"))]
mod linux_addr {
    use std::mem::size_of;

    use socket2::{SockAddr, SockAddrStorage};

    use super::{Addr, Errno};

    /// Writes a `sockaddr_nl`; its length.
    pub fn netlink(storage: &mut SockAddrStorage, pid: u32, groups: u32) -> Result<usize, Errno> {
        // SAFETY: `sockaddr_nl` fits the storage (`view_as` asserts it).
        let nl: &mut libc::sockaddr_nl = unsafe { storage.view_as() };
        nl.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        nl.nl_pid = pid;
        nl.nl_groups = groups;
        Ok(size_of::<libc::sockaddr_nl>())
    }

    /// Writes a `sockaddr_vm`; its length.
    pub fn vsock(storage: &mut SockAddrStorage, cid: u32, port: u32) -> Result<usize, Errno> {
        // SAFETY: `sockaddr_vm` fits the storage (`view_as` asserts it).
        let vm: &mut libc::sockaddr_vm = unsafe { storage.view_as() };
        vm.svm_family = libc::AF_VSOCK as libc::sa_family_t;
        vm.svm_cid = cid;
        vm.svm_port = port;
        Ok(size_of::<libc::sockaddr_vm>())
    }

    /// Decodes an address of these families.
    pub fn decode(addr: &SockAddr) -> Option<Addr> {
        let family = i32::from(addr.family());
        let ptr = addr.as_ptr();
        if family == libc::AF_NETLINK {
            // SAFETY: the family says the storage holds a `sockaddr_nl`; the storage is
            // larger than one.
            let nl = unsafe { &*ptr.cast::<libc::sockaddr_nl>() };
            return Some(Addr::Netlink {
                pid: nl.nl_pid,
                groups: nl.nl_groups,
            });
        }
        if family == libc::AF_VSOCK {
            // SAFETY: as above, for `sockaddr_vm`.
            let vm = unsafe { &*ptr.cast::<libc::sockaddr_vm>() };
            return Some(Addr::Vsock {
                cid: vm.svm_cid,
                port: vm.svm_port,
            });
        }
        None
    }
}

/// Elsewhere these families do not exist.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
mod linux_addr {
    use socket2::{SockAddr, SockAddrStorage};

    use super::{Addr, Errno};

    pub fn netlink(_: &mut SockAddrStorage, _: u32, _: u32) -> Result<usize, Errno> {
        Err(Errno(libc::EAFNOSUPPORT))
    }

    pub fn vsock(_: &mut SockAddrStorage, _: u32, _: u32) -> Result<usize, Errno> {
        Err(Errno(libc::EAFNOSUPPORT))
    }

    pub fn decode(_: &SockAddr) -> Option<Addr> {
        None
    }
}
