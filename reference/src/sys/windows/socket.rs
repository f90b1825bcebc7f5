//! Winsock sockets: `WSASocketW`, `closesocket`, `ioctlsocket(FIONBIO)`,
//! `GetHandleInformation` / `SetHandleInformation` (`HANDLE_FLAG_INHERIT`), `bind`,
//! `listen`, `accept`, `connect`, `shutdown`, `getsockopt`, `setsockopt`, `getsockname`,
//! `getpeername`, `recv`, `recvfrom`, `send`, `sendto`, `select`, `WSADuplicateSocketW`
//! and `WSAIoctl`, as thin wrappers that return `WSAGetLastError()` unchanged: the calls
//! behind `socket.socket(...)`, its methods of the same names (`ioctl`, `share`,
//! `get_inheritable` / `set_inheritable`, `setblocking` / `settimeout` among them), and
//! `socket.dup`, `socket.close` and `socket.fromshare`.
//!
//! The calls go through the socket2 crate where it has them, and through windows-sys
//! where CPython's exact call matters (socket creation flags, `connect`, `accept`'s
//! inheritance, duplication). Nothing here retries, waits or interprets an error: the
//! timeout state machine is portable and lives in `core::socket`.

use crate::sys::Addr;
use std::cell::Cell;
use std::io;
use std::mem::{MaybeUninit, offset_of, size_of};
use std::os::windows::io::{AsRawSocket, FromRawSocket, IntoRawSocket, RawSocket};
use std::ptr;

use socket2::{SockAddr, SockAddrStorage};
use windows_sys::Win32::Foundation as fnd;
use windows_sys::Win32::Networking::WinSock as ws;

use super::super::IoctlOption;

/// A Winsock error code (`WSAGetLastError()`), or a Win32 error code (`GetLastError()`)
/// from the handle calls, or for the C runtime's file calls a C `errno`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    /// What every call on a closed socket fails with: CPython keeps `INVALID_SOCKET` in a
    /// closed socket object, and Winsock refuses it with `WSAENOTSOCK` (Windows has no
    /// `EBADF` for sockets).
    pub const EBADF: Errno = Errno(ws::WSAENOTSOCK);
    /// `WSAEINTR`: a blocking call was cancelled.
    pub const EINTR: Errno = Errno(ws::WSAEINTR);
    /// The C runtime's `EAGAIN` (`errno.EAGAIN` on Windows, 11), which the io module
    /// raises as `BlockingIOError`'s errno; Winsock itself reports [`Errno::EWOULDBLOCK`].
    pub const EAGAIN: Errno = Errno(libc::EAGAIN);
    /// `WSAEWOULDBLOCK`: the call would block (`errno.EWOULDBLOCK` on Windows).
    pub const EWOULDBLOCK: Errno = Errno(ws::WSAEWOULDBLOCK);
    /// `WSAECONNRESET`.
    pub const ECONNRESET: Errno = Errno(ws::WSAECONNRESET);
    /// `WSAENOTSOCK`: the number is not a socket.
    pub const ENOTSOCK: Errno = Errno(ws::WSAENOTSOCK);
    /// What a non-blocking `connect` reports while the connection goes on: Winsock says
    /// `WSAEWOULDBLOCK` there (CPython's `SOCK_INPROGRESS_ERR` on Windows).
    pub const EINPROGRESS: Errno = Errno(ws::WSAEWOULDBLOCK);
    /// `WSAEISCONN`.
    pub const EISCONN: Errno = Errno(ws::WSAEISCONN);

    /// Whether the call would have blocked: `WSAEWOULDBLOCK`, or the C runtime's
    /// `EAGAIN` (`socket.py`'s `_blocking_errnos` is `{EAGAIN, EWOULDBLOCK}`).
    pub fn would_block(self) -> bool {
        self == Errno::EWOULDBLOCK || self == Errno::EAGAIN
    }

    /// `WSAGetLastError()`.
    pub(super) fn last() -> Errno {
        // SAFETY: `WSAGetLastError` only reads the calling thread's last error.
        Errno(unsafe { ws::WSAGetLastError() })
    }

    /// `GetLastError()`, for the Win32 calls (`GetHandleInformation`, …).
    fn last_win32() -> Errno {
        // SAFETY: `GetLastError` only reads the calling thread's last error.
        Errno(unsafe { fnd::GetLastError() } as i32)
    }
}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        // Every error socket2 returns comes from a Winsock call and carries its code.
        Errno(e.raw_os_error().unwrap_or(ws::WSAEINVAL))
    }
}

/// Windows has no type flags on `socket()`: written as 0.
pub const SOCK_NONBLOCK: i32 = 0;
/// See [`SOCK_NONBLOCK`].
pub const SOCK_CLOEXEC: i32 = 0;

/// The type argument is the socket kind itself: no flags ride on it on Windows.
pub fn split_type_flags(ty: i32) -> (i32, bool) {
    (ty, false)
}

/// `AF_UNIX` (`ws2def.h`; the sockets are Windows 10 1803's, `afunix.h`).
pub const AF_UNIX: i32 = ws::AF_UNIX as i32;

/// The size of `sockaddr_un.sun_path` in `afunix.h` (`UNIX_PATH_MAX`, 108).
pub const UNIX_PATH_CAPACITY: usize =
    size_of::<ws::SOCKADDR_UN>() - offset_of!(ws::SOCKADDR_UN, sun_path);

/// Windows has no abstract `AF_UNIX` namespace: every name is a path.
pub const HAS_ABSTRACT_UNIX: bool = false;

/// The size of `WSAPROTOCOL_INFOW`, the bytes `socket.socket.share()` returns and
/// `socket.fromshare()` takes.
pub const PROTOCOL_INFO_LEN: usize = size_of::<ws::WSAPROTOCOL_INFOW>();

impl Addr {
    /// Encodes the address as the Winsock structure and its length.
    pub(super) fn to_sockaddr(&self) -> Result<SockAddr, Errno> {
        match self {
            Addr::Inet { ip, port } => Ok(SockAddr::from(std::net::SocketAddrV4::new(
                std::net::Ipv4Addr::from(*ip),
                *port,
            ))),
            Addr::Inet6 {
                ip,
                port,
                flowinfo,
                scope_id,
            } => Ok(SockAddr::from(std::net::SocketAddrV6::new(
                std::net::Ipv6Addr::from(*ip),
                *port,
                *flowinfo,
                *scope_id,
            ))),
            Addr::Unix { family, path } => {
                if path.len() > UNIX_PATH_CAPACITY {
                    return Err(Errno(ws::WSAEINVAL));
                }
                let mut storage = SockAddrStorage::zeroed();
                // SAFETY: `SOCKADDR_UN` is a Winsock address structure that fits the
                // storage (`view_as` asserts it).
                let sun: &mut ws::SOCKADDR_UN = unsafe { storage.view_as() };
                sun.sun_family = *family as ws::ADDRESS_FAMILY;
                for (dst, &src) in sun.sun_path.iter_mut().zip(path) {
                    *dst = src as i8;
                }
                let len = offset_of!(ws::SOCKADDR_UN, sun_path) + path.len();
                // SAFETY: the storage was zeroed and then initialised as a `SOCKADDR_UN`
                // of which `len` bytes are meant.
                Ok(unsafe { SockAddr::new(storage, len as ws::socklen_t) })
            }
            Addr::Netlink { .. } | Addr::Vsock { .. } => Err(Errno(ws::WSAEAFNOSUPPORT)),
            Addr::Other { family, data } => {
                let mut storage = SockAddrStorage::zeroed();
                // SAFETY: as above, for the generic `SOCKADDR`.
                let sa: &mut ws::SOCKADDR = unsafe { storage.view_as() };
                sa.sa_family = *family as ws::ADDRESS_FAMILY;
                for (dst, &src) in sa.sa_data.iter_mut().zip(data) {
                    *dst = src as i8;
                }
                // SAFETY: the storage holds an initialised `SOCKADDR` of that size.
                Ok(unsafe { SockAddr::new(storage, size_of::<ws::SOCKADDR>() as ws::socklen_t) })
            }
        }
    }

    /// Decodes an address Winsock returned; `None` when its length is 0.
    fn from_sockaddr(addr: &SockAddr) -> Option<Addr> {
        let len = usize::try_from(addr.len()).unwrap_or(0);
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
        if family == AF_UNIX {
            // SAFETY: the family says the storage holds a `SOCKADDR_UN`, and the storage
            // (a `SOCKADDR_STORAGE`) is larger than one, so the whole structure is
            // readable.
            let sun = unsafe { &*ptr.cast::<ws::SOCKADDR_UN>() };
            let covered = len
                .saturating_sub(offset_of!(ws::SOCKADDR_UN, sun_path))
                .min(UNIX_PATH_CAPACITY);
            let path = sun.sun_path[..covered].iter().map(|&c| c as u8).collect();
            return Some(Addr::Unix { family, path });
        }
        // SAFETY: every Winsock address starts with the generic `SOCKADDR` layout, and
        // the storage is larger than a `SOCKADDR`.
        let sa = unsafe { &*ptr.cast::<ws::SOCKADDR>() };
        Some(Addr::Other {
            family,
            data: sa.sa_data.iter().map(|&c| c as u8).collect(),
        })
    }
}

/// What [`Socket::poll`] waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// The read set of `select()`: data to read (or a connection to accept).
    Read,
    /// The write set of `select()`: room to write.
    Write,
    /// A non-blocking `connect` finishing: the write set, and the except set, where
    /// Windows reports a failed connection (CPython's `internal_select(..., connect=1)`).
    Connect,
}

/// An open `SOCKET`, closed when dropped (errors ignored) or by [`Socket::close`]
/// (errors reported).
///
/// Winsock has no call that reports whether `FIONBIO` is set, so the mode last set
/// through this value is kept with it (a new or duplicated socket starts blocking), and
/// so is the `SIO_TCP_SET_ACK_FREQUENCY` value CPython keeps for `TCP_QUICKACK`.
#[derive(Debug)]
pub struct Socket {
    sock: socket2::Socket,
    nonblocking: Cell<bool>,
    quickack: Cell<i32>,
}

/// The handle of a descriptor number as the portable layers hold it: sign-extended, so
/// that `-1` is `INVALID_SOCKET`.
fn handle(fd: i32) -> ws::SOCKET {
    fd as isize as ws::SOCKET
}

impl Socket {
    fn wrap(raw: ws::SOCKET) -> Socket {
        // SAFETY: `raw` is an open socket that this new value owns from now on (every
        // caller passes a handle it just created or took over).
        let sock = unsafe { socket2::Socket::from_raw_socket(raw as RawSocket) };
        Socket {
            sock,
            nonblocking: Cell::new(false),
            quickack: Cell::new(0),
        }
    }

    pub(super) fn raw(&self) -> ws::SOCKET {
        self.sock.as_raw_socket() as ws::SOCKET
    }

    /// `WSASocketW(family, type, proto, NULL, 0, WSA_FLAG_OVERLAPPED |
    /// WSA_FLAG_NO_HANDLE_INHERIT)`: a new non-inheritable socket, exactly as CPython's
    /// `sock_initobj` makes it on Windows.
    pub fn new(family: i32, ty: i32, proto: i32) -> Result<Socket, Errno> {
        super::init();
        // SAFETY: no protocol-info pointer is passed; the call only creates a socket.
        let raw = unsafe {
            ws::WSASocketW(
                family,
                ty,
                proto,
                ptr::null(),
                0,
                ws::WSA_FLAG_OVERLAPPED | ws::WSA_FLAG_NO_HANDLE_INHERIT,
            )
        };
        if raw == ws::INVALID_SOCKET {
            return Err(Errno::last());
        }
        Ok(Socket::wrap(raw))
    }

    /// The handle as a descriptor number (see the module docs of `sys::windows`).
    pub fn fd(&self) -> i32 {
        self.raw() as i32
    }

    /// `ioctlsocket(FIONBIO)` with the non-blocking flag set or cleared.
    pub fn set_nonblocking(&self, nonblocking: bool) -> Result<(), Errno> {
        let mut arg = u32::from(nonblocking);
        // SAFETY: `arg` is a valid, writable `u_long` for the duration of the call.
        let rc = unsafe { ws::ioctlsocket(self.raw(), ws::FIONBIO, &mut arg) };
        if rc != 0 {
            return Err(Errno::last());
        }
        self.nonblocking.set(nonblocking);
        Ok(())
    }

    /// Whether the socket is non-blocking: the mode last set through
    /// [`Socket::set_nonblocking`] (Winsock cannot be asked).
    pub fn is_nonblocking(&self) -> Result<bool, Errno> {
        Ok(self.nonblocking.get())
    }

    /// Whether `HANDLE_FLAG_INHERIT` is clear (`GetHandleInformation`): the socket is
    /// non-inheritable (`os.get_handle_inheritable` is false).
    pub fn is_cloexec(&self) -> Result<bool, Errno> {
        Ok(!handle_inheritable(self.raw())?)
    }

    /// `bind`.
    pub fn bind(&self, addr: &Addr) -> Result<(), Errno> {
        Ok(self.sock.bind(&addr.to_sockaddr()?)?)
    }

    /// `getsockname`; `None` for a zero-length address.
    pub fn local_addr(&self) -> Result<Option<Addr>, Errno> {
        Ok(Addr::from_sockaddr(&self.sock.local_addr()?))
    }

    /// `getpeername`; `None` for a zero-length address.
    pub fn peer_addr(&self) -> Result<Option<Addr>, Errno> {
        Ok(Addr::from_sockaddr(&self.sock.peer_addr()?))
    }

    /// `recv` of at most `len` bytes (capped at `INT_MAX`, as CPython does) into the
    /// spare capacity of `buf`, which the caller has reserved; the received bytes are
    /// appended to `buf`. The return value is what `recv` returned.
    pub fn recv(&self, buf: &mut Vec<u8>, len: usize, flags: i32) -> Result<usize, Errno> {
        fill_spare(buf, len, |spare| {
            Ok(self.sock.recv_with_flags(spare, flags)?)
        })
    }

    /// `recvfrom`, like [`Socket::recv`], also returning the sender's address.
    pub fn recv_from(
        &self,
        buf: &mut Vec<u8>,
        len: usize,
        flags: i32,
    ) -> Result<(usize, Option<Addr>), Errno> {
        let mut from = None;
        let n = fill_spare(buf, len, |spare| {
            let (n, addr) = self.sock.recv_from_with_flags(spare, flags)?;
            from = Addr::from_sockaddr(&addr);
            Ok(n)
        })?;
        Ok((n, from))
    }

    /// `recv` straight into `buf` (at most `INT_MAX` bytes; CPython's `recv_into`): what
    /// `recv` returned. A datagram longer than `buf` fills it and then fails with
    /// `WSAEMSGSIZE`: the bytes stay in `buf`, as in CPython.
    pub fn recv_into(&self, buf: &mut [u8], flags: i32) -> Result<usize, Errno> {
        let len = buf.len().min(i32::MAX as usize);
        Ok(self
            .sock
            .recv_with_flags(as_uninit(&mut buf[..len]), flags)?)
    }

    /// `recvfrom` straight into `buf` (CPython's `recvfrom_into`): what `recvfrom`
    /// returned and the sender's address; `WSAEMSGSIZE` as for [`Socket::recv_into`].
    pub fn recv_from_into(
        &self,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<(usize, Option<Addr>), Errno> {
        let len = buf.len().min(i32::MAX as usize);
        let (n, addr) = self
            .sock
            .recv_from_with_flags(as_uninit(&mut buf[..len]), flags)?;
        Ok((n, Addr::from_sockaddr(&addr)))
    }

    /// `send`: the number of bytes sent.
    pub fn send(&self, data: &[u8], flags: i32) -> Result<usize, Errno> {
        Ok(self.sock.send_with_flags(data, flags)?)
    }

    /// `sendto`: the number of bytes sent.
    pub fn send_to(&self, data: &[u8], flags: i32, addr: &Addr) -> Result<usize, Errno> {
        Ok(self
            .sock
            .send_to_with_flags(data, &addr.to_sockaddr()?, flags)?)
    }

    /// `select()` on this socket alone for `interest` (Windows has no `poll()` that
    /// CPython uses), waiting at most `timeout_ms` milliseconds (negative: no limit).
    /// `true` when the socket is ready (or in error, for [`Interest::Connect`]), `false`
    /// when the time ran out.
    pub fn poll(&self, interest: Interest, timeout_ms: i32) -> Result<bool, Errno> {
        let one = |raw| {
            let mut set = ws::FD_SET {
                fd_count: 1,
                fd_array: [0; 64],
            };
            set.fd_array[0] = raw;
            set
        };
        let mut set = one(self.raw());
        let mut errors = one(self.raw());
        let (read, write): (*mut ws::FD_SET, *mut ws::FD_SET) = match interest {
            Interest::Read => (&mut set, ptr::null_mut()),
            Interest::Write | Interest::Connect => (ptr::null_mut(), &mut set),
        };
        let except: *mut ws::FD_SET = if interest == Interest::Connect {
            &mut errors
        } else {
            ptr::null_mut()
        };
        let tv = ws::TIMEVAL {
            tv_sec: timeout_ms / 1000,
            tv_usec: (timeout_ms % 1000) * 1000,
        };
        let tvp: *const ws::TIMEVAL = if timeout_ms < 0 { ptr::null() } else { &tv };
        // SAFETY: every set pointer is null or points to an `FD_SET` that lives until
        // the call returns, as does `tv`; `select` keeps no pointer.
        let n = unsafe { ws::select(0, read, write, except, tvp) };
        match n {
            0 => Ok(false),
            ws::SOCKET_ERROR => Err(Errno::last()),
            _ => Ok(true),
        }
    }

    /// `closesocket`, reporting its error (`Drop` ignores it).
    pub fn close(self) -> Result<(), Errno> {
        let raw = self.sock.into_raw_socket() as ws::SOCKET;
        close_fd(raw as i32)
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
    let len = len.min(spare.len()).min(i32::MAX as usize);
    let n = call(&mut spare[..len])?;
    // SAFETY: the call initialised the first `min(n, len)` bytes of the spare capacity
    // (`recv` writes at most the buffer's length).
    unsafe { buf.set_len(start + n.min(len)) };
    Ok(n)
}

/// Whether a handle is inheritable (`GetHandleInformation`, `HANDLE_FLAG_INHERIT`).
fn handle_inheritable(raw: ws::SOCKET) -> Result<bool, Errno> {
    let mut flags: u32 = 0;
    // SAFETY: `flags` is a valid, writable `DWORD`; an invalid handle makes the call fail
    // with `ERROR_INVALID_HANDLE` rather than touch anything.
    let ok = unsafe { fnd::GetHandleInformation(raw as fnd::HANDLE, &mut flags) };
    if ok == 0 {
        return Err(Errno::last_win32());
    }
    Ok(flags & fnd::HANDLE_FLAG_INHERIT != 0)
}

/// `SetHandleInformation(handle, HANDLE_FLAG_INHERIT, …)`.
fn set_handle_inheritable(raw: ws::SOCKET, inheritable: bool) -> Result<(), Errno> {
    let flags = if inheritable {
        fnd::HANDLE_FLAG_INHERIT
    } else {
        0
    };
    // SAFETY: a plain call on a handle number; an invalid one makes it fail.
    let ok =
        unsafe { fnd::SetHandleInformation(raw as fnd::HANDLE, fnd::HANDLE_FLAG_INHERIT, flags) };
    if ok == 0 {
        Err(Errno::last_win32())
    } else {
        Ok(())
    }
}

/// Ownership, connections and options: `listen`, `accept`, `connect`, `shutdown`,
/// `getsockopt`, `setsockopt`.
impl Socket {
    /// Takes ownership of the open socket numbered `fd` (CPython's `socket(fileno=fd)`):
    /// it is closed when the value is dropped or closed. The caller guarantees that
    /// nothing else closes it (the `py` layer only adopts sockets it handed out itself).
    pub fn adopt(fd: i32) -> Socket {
        Socket::wrap(handle(fd))
    }

    /// Gives up ownership without closing (`socket.detach()`): the number.
    pub fn into_raw(self) -> i32 {
        self.sock.into_raw_socket() as ws::SOCKET as i32
    }

    /// Winsock has no `socketpair`: `FEATURES.socketpair` is false, so the Python level
    /// uses `socket.py`'s loopback fallback and never calls this. Reports
    /// `WSAEOPNOTSUPP`.
    pub fn pair(_family: i32, _ty: i32, _proto: i32) -> Result<(Socket, Socket), Errno> {
        Err(Errno(ws::WSAEOPNOTSUPP))
    }

    /// `SetHandleInformation(HANDLE_FLAG_INHERIT)` (`os.set_handle_inheritable`).
    pub fn set_inheritable(&self, inheritable: bool) -> Result<(), Errno> {
        set_handle_inheritable(self.raw(), inheritable)
    }

    /// `listen`.
    pub fn listen(&self, backlog: i32) -> Result<(), Errno> {
        Ok(self.sock.listen(backlog)?)
    }

    /// `accept`, then `SetHandleInformation` to make the new socket non-inheritable (as
    /// CPython's `sock_accept` does on Windows; the new socket is closed if that fails):
    /// the new socket and the peer's address.
    pub fn accept(&self) -> Result<(Socket, Option<Addr>), Errno> {
        let (sock, addr) = self.sock.accept()?;
        let sock = Socket {
            sock,
            nonblocking: Cell::new(false),
            quickack: Cell::new(0),
        };
        set_handle_inheritable(sock.raw(), false)?;
        Ok((sock, Addr::from_sockaddr(&addr)))
    }

    /// `connect`, its error unchanged (`WSAEWOULDBLOCK` for a non-blocking socket whose
    /// connection goes on).
    pub fn connect(&self, addr: &Addr) -> Result<(), Errno> {
        let addr = addr.to_sockaddr()?;
        // SAFETY: `addr` is a valid socket address of the length it states.
        let rc = unsafe { ws::connect(self.raw(), addr.as_ptr().cast(), addr.len()) };
        if rc != 0 { Err(Errno::last()) } else { Ok(()) }
    }

    /// `shutdown` with `how` passed through (an invalid value gives `WSAEINVAL`).
    pub fn shutdown(&self, how: i32) -> Result<(), Errno> {
        // SAFETY: a plain call on a socket this value owns.
        let rc = unsafe { ws::shutdown(self.raw(), how) };
        if rc != 0 { Err(Errno::last()) } else { Ok(()) }
    }

    /// `getsockopt` of a C `int` option. For `TCP_QUICKACK` (CPython's
    /// `SIO_TCP_SET_ACK_FREQUENCY`, which Winsock only sets through `WSAIoctl` and cannot
    /// read back) the value last set through [`Socket::setsockopt_int`], as CPython
    /// keeps it in its socket object.
    pub fn getsockopt_int(&self, level: i32, name: i32) -> Result<i32, Errno> {
        if name as u32 == ws::SIO_TCP_SET_ACK_FREQUENCY {
            return Ok(self.quickack.get());
        }
        getsockopt_int(self.fd(), level, name)
    }

    /// `getsockopt` into a buffer of `len` bytes: the bytes Winsock wrote.
    pub fn getsockopt_bytes(&self, level: i32, name: i32, len: usize) -> Result<Vec<u8>, Errno> {
        let mut buf = vec![0u8; len];
        let mut optlen = i32::try_from(len).map_err(|_| Errno(ws::WSAEINVAL))?;
        // SAFETY: `buf` has `optlen` writable bytes and `optlen` is a valid in/out
        // length.
        let rc = unsafe { ws::getsockopt(self.raw(), level, name, buf.as_mut_ptr(), &mut optlen) };
        if rc != 0 {
            return Err(Errno::last());
        }
        buf.truncate(usize::try_from(optlen).unwrap_or(0));
        Ok(buf)
    }

    /// `setsockopt` with `value` as the option's bytes.
    pub fn setsockopt_bytes(&self, level: i32, name: i32, value: &[u8]) -> Result<(), Errno> {
        let len = i32::try_from(value.len()).map_err(|_| Errno(ws::WSAEINVAL))?;
        // SAFETY: `value` has `len` readable bytes; Winsock only reads them.
        let rc = unsafe { ws::setsockopt(self.raw(), level, name, value.as_ptr(), len) };
        if rc != 0 { Err(Errno::last()) } else { Ok(()) }
    }

    /// `setsockopt` of a C `int` (CPython's `setsockopt(level, optname, int)` form). For
    /// `TCP_QUICKACK` (`SIO_TCP_SET_ACK_FREQUENCY`) CPython calls
    /// `WSAIoctl(SIO_TCP_SET_ACK_FREQUENCY, &value)` instead, whatever the level, and
    /// keeps the value for `getsockopt`; so does this.
    pub fn setsockopt_int(&self, level: i32, name: i32, value: i32) -> Result<(), Errno> {
        if name as u32 != ws::SIO_TCP_SET_ACK_FREQUENCY {
            return self.setsockopt_bytes(level, name, &value.to_ne_bytes());
        }
        let mut returned: u32 = 0;
        // SAFETY: the input buffer is `value`, 4 readable bytes; no output buffer or
        // overlapped structure is passed, so the call completes synchronously.
        let rc = unsafe {
            ws::WSAIoctl(
                self.raw(),
                ws::SIO_TCP_SET_ACK_FREQUENCY,
                (&raw const value).cast(),
                size_of::<i32>() as u32,
                ptr::null_mut(),
                0,
                &mut returned,
                ptr::null_mut(),
                None,
            )
        };
        if rc != 0 {
            return Err(Errno::last());
        }
        self.quickack.set(value);
        Ok(())
    }

    /// `setsockopt` with a null `optval` and the given `optlen` (CPython's
    /// `setsockopt(level, name, None, optlen)`).
    pub fn setsockopt_null(&self, level: i32, name: i32, optlen: u32) -> Result<(), Errno> {
        // SAFETY: a null option value is passed on as such; Winsock checks it against
        // `optlen` and fails with `WSAEFAULT` rather than read through it.
        let rc = unsafe { ws::setsockopt(self.raw(), level, name, ptr::null(), optlen as i32) };
        if rc != 0 { Err(Errno::last()) } else { Ok(()) }
    }

    /// `getsockopt(SOL_SOCKET, SO_ERROR)`: the pending error, cleared by reading it.
    pub fn so_error(&self) -> Result<i32, Errno> {
        getsockopt_int(self.fd(), ws::SOL_SOCKET, ws::SO_ERROR)
    }
}

/// Windows' own calls behind `socket.socket.ioctl`, `socket.socket.share` and
/// `socket.fromshare`.
impl Socket {
    /// `WSAIoctl(control, &option, …)` without an output buffer, as CPython's
    /// `sock_ioctl` calls it: the number of bytes returned (`lpcbBytesReturned`).
    /// `SIO_RCVALL` and `SIO_LOOPBACK_FAST_PATH` take an unsigned int,
    /// `SIO_KEEPALIVE_VALS` a `struct tcp_keepalive`.
    pub fn ioctl(&self, control: u32, option: &IoctlOption) -> Result<u32, Errno> {
        let keepalive;
        let unsigned;
        let (input, len): (*const core::ffi::c_void, usize) = match *option {
            IoctlOption::Unsigned(value) => {
                unsigned = value;
                ((&raw const unsigned).cast(), size_of::<u32>())
            }
            IoctlOption::KeepAlive {
                onoff,
                time,
                interval,
            } => {
                keepalive = ws::tcp_keepalive {
                    onoff,
                    keepalivetime: time,
                    keepaliveinterval: interval,
                };
                (
                    (&raw const keepalive).cast(),
                    size_of::<ws::tcp_keepalive>(),
                )
            }
        };
        let mut returned: u32 = 0;
        // SAFETY: `input` points to `len` readable bytes that live until the call
        // returns; no output buffer or overlapped structure is passed.
        let rc = unsafe {
            ws::WSAIoctl(
                self.raw(),
                control,
                input,
                len as u32,
                ptr::null_mut(),
                0,
                &mut returned,
                ptr::null_mut(),
                None,
            )
        };
        if rc != 0 {
            return Err(Errno::last());
        }
        Ok(returned)
    }

    /// `WSADuplicateSocketW(socket, process_id, &info)`: the `WSAPROTOCOL_INFOW` bytes
    /// with which the process `process_id` can make its own socket for the same
    /// connection (`socket.socket.share`).
    pub fn share(&self, process_id: u32) -> Result<Vec<u8>, Errno> {
        share_raw(self.raw(), process_id)
    }

    /// `WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
    /// WSA_FLAG_OVERLAPPED)` then `SetHandleInformation` to make it non-inheritable, as
    /// CPython's `sock_initobj` does for `socket(fileno=bytes)`: the socket and the
    /// family, type and protocol `info` names. `info` must be [`PROTOCOL_INFO_LEN`]
    /// bytes (else `WSAEINVAL`; the `py` layer checks the size first, as CPython does).
    pub fn from_share(info: &[u8]) -> Result<(Socket, i32, i32, i32), Errno> {
        let info = protocol_info(info)?;
        from_protocol_info(&info)
    }
}

/// The `WSAPROTOCOL_INFOW` that `bytes` hold.
fn protocol_info(bytes: &[u8]) -> Result<ws::WSAPROTOCOL_INFOW, Errno> {
    if bytes.len() != PROTOCOL_INFO_LEN {
        return Err(Errno(ws::WSAEINVAL));
    }
    let mut info = MaybeUninit::<ws::WSAPROTOCOL_INFOW>::uninit();
    // SAFETY: `bytes` has exactly `size_of::<WSAPROTOCOL_INFOW>()` readable bytes, copied
    // into the (non-overlapping) structure, which is plain data (integers, a GUID and a
    // UTF-16 array) for which every bit pattern is valid.
    Ok(unsafe {
        ptr::copy_nonoverlapping(bytes.as_ptr(), info.as_mut_ptr().cast::<u8>(), bytes.len());
        info.assume_init()
    })
}

/// `WSADuplicateSocketW` into bytes.
fn share_raw(raw: ws::SOCKET, process_id: u32) -> Result<Vec<u8>, Errno> {
    super::init();
    let mut info = MaybeUninit::<ws::WSAPROTOCOL_INFOW>::zeroed();
    // SAFETY: `info` is a writable `WSAPROTOCOL_INFOW`, which the call fills on success.
    let rc = unsafe { ws::WSADuplicateSocketW(raw, process_id, info.as_mut_ptr()) };
    if rc != 0 {
        return Err(Errno::last());
    }
    // SAFETY: the structure was zeroed and then filled by the call; viewing it as bytes
    // reads `size_of` initialised bytes.
    let bytes = unsafe {
        std::slice::from_raw_parts(info.as_ptr().cast::<u8>(), PROTOCOL_INFO_LEN).to_vec()
    };
    Ok(bytes)
}

/// A new socket from a `WSAPROTOCOL_INFOW` (`WSA_FLAG_OVERLAPPED` only, as CPython), made
/// non-inheritable; its family, type and protocol.
fn from_protocol_info(info: &ws::WSAPROTOCOL_INFOW) -> Result<(Socket, i32, i32, i32), Errno> {
    super::init();
    // SAFETY: `info` is a valid `WSAPROTOCOL_INFOW` that outlives the call, which only
    // reads it.
    let raw = unsafe {
        ws::WSASocketW(
            ws::FROM_PROTOCOL_INFO,
            ws::FROM_PROTOCOL_INFO,
            ws::FROM_PROTOCOL_INFO,
            info,
            0,
            ws::WSA_FLAG_OVERLAPPED,
        )
    };
    if raw == ws::INVALID_SOCKET {
        return Err(Errno::last());
    }
    let sock = Socket::wrap(raw);
    // On failure `sock` is dropped, which closes the handle (CPython's `closesocket`).
    set_handle_inheritable(raw, false)?;
    Ok((sock, info.iAddressFamily, info.iSocketType, info.iProtocol))
}

/// `getsockopt` of a C `int` option on a socket number (which need not be open: then
/// `WSAENOTSOCK`).
pub fn getsockopt_int(fd: i32, level: i32, name: i32) -> Result<i32, Errno> {
    super::init();
    let mut value: i32 = 0;
    let mut len = size_of::<i32>() as i32;
    // SAFETY: `value` and `len` are valid for writing; on a number that is not a socket
    // the call fails with `WSAENOTSOCK` and writes nothing.
    let rc = unsafe { ws::getsockopt(handle(fd), level, name, (&raw mut value).cast(), &mut len) };
    if rc != 0 {
        Err(Errno::last())
    } else {
        Ok(value)
    }
}

/// The `sa_family` of `getsockname` on a socket number (CPython's validation of
/// `socket(fileno=fd)`). An unbound socket fails with `WSAEINVAL` on Windows.
pub fn socket_family(fd: i32) -> Result<i32, Errno> {
    super::init();
    let mut storage = SockAddrStorage::zeroed();
    let mut len = storage.size_of();
    // SAFETY: `storage` is a writable `SOCKADDR_STORAGE` of `len` bytes.
    let rc = unsafe {
        let sa: *mut ws::SOCKADDR = storage.view_as::<ws::SOCKADDR>();
        ws::getsockname(handle(fd), sa, &mut len)
    };
    if rc != 0 {
        return Err(Errno::last());
    }
    // SAFETY: the storage was zeroed and then filled by Winsock; its first field is the
    // family in every address layout.
    let family = unsafe { storage.view_as::<ws::SOCKADDR>().sa_family };
    Ok(i32::from(family))
}

/// `socket.dup(fd)` on Windows: `WSADuplicateSocketW(fd, GetCurrentProcessId())`, then
/// `WSASocketW(FROM_PROTOCOL_INFO, …, WSA_FLAG_OVERLAPPED)` and `SetHandleInformation` so
/// that the duplicate is non-inheritable, as CPython's `socket_dup` does.
pub fn dup(fd: i32) -> Result<Socket, Errno> {
    // SAFETY: `GetCurrentProcessId` has no preconditions.
    let pid = unsafe { windows_sys::Win32::System::Threading::GetCurrentProcessId() };
    let bytes = share_raw(handle(fd), pid)?;
    let info = protocol_info(&bytes)?;
    Ok(from_protocol_info(&info)?.0)
}

/// `closesocket` of a socket number the caller owns (`socket.close(fd)`).
pub fn close_fd(fd: i32) -> Result<(), Errno> {
    super::init();
    // SAFETY: the caller owns the socket (the `py` layer only closes sockets it handed
    // out); it is not used again. A number that is not a socket gives `WSAENOTSOCK`.
    let rc = unsafe { ws::closesocket(handle(fd)) };
    if rc != 0 { Err(Errno::last()) } else { Ok(()) }
}

/// Whether `fd` is an open socket (`getsockopt(SO_TYPE)` succeeds).
pub fn fd_is_open(fd: i32) -> bool {
    so_type(fd).is_ok()
}

/// Copies a Winsock socket address of `len` bytes at `ptr` into an [`Addr`].
///
/// # Safety
///
/// `ptr` must point to `len` readable bytes holding a socket address.
pub(super) unsafe fn addr_from_raw(ptr: *const ws::SOCKADDR, len: usize) -> Option<Addr> {
    let mut storage = SockAddrStorage::zeroed();
    let len = len.min(usize::try_from(storage.size_of()).unwrap_or(0));
    // SAFETY: the caller guarantees `len` readable bytes at `ptr`; the storage is at
    // least that large (the length was capped to its size) and does not overlap.
    unsafe {
        let dst: *mut ws::SOCKADDR = storage.view_as::<ws::SOCKADDR>();
        ptr::copy_nonoverlapping(ptr.cast::<u8>(), dst.cast::<u8>(), len);
    }
    // SAFETY: the storage holds a socket address of `len` bytes, copied above.
    let addr = unsafe { SockAddr::new(storage, len as ws::socklen_t) };
    Addr::from_sockaddr(&addr)
}

/// `getsockopt(fd, SOL_SOCKET, SO_TYPE)`.
pub fn so_type(fd: i32) -> Result<i32, Errno> {
    getsockopt_int(fd, ws::SOL_SOCKET, ws::SO_TYPE)
}

/// Windows has no `SO_PROTOCOL` (CPython then uses `proto = 0` for
/// `socket(fileno=fd)`).
pub fn so_protocol(_fd: i32) -> Result<Option<i32>, Errno> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback() -> Addr {
        Addr::Inet {
            ip: [127, 0, 0, 1],
            port: 0,
        }
    }

    #[test]
    fn tcp_connection_and_shared_duplicates() {
        let af = i32::from(ws::AF_INET);
        let srv = Socket::new(af, ws::SOCK_STREAM, 0).expect("socket");
        assert!(srv.is_cloexec().expect("handle information"));
        srv.bind(&loopback()).expect("bind");
        srv.listen(1).expect("listen");
        let addr = srv.local_addr().expect("getsockname").expect("an address");
        let cli = Socket::new(af, ws::SOCK_STREAM, 0).expect("socket");
        cli.connect(&addr).expect("connect");
        let (conn, _) = srv.accept().expect("accept");
        assert!(conn.is_cloexec().expect("handle information"));
        assert_eq!(cli.send(b"hi", 0), Ok(2));
        let mut buf = [0u8; 8];
        assert_eq!(conn.recv_into(&mut buf, 0), Ok(2));
        assert_eq!(&buf[..2], b"hi");
        // socket.dup(fd): a second handle for the same socket.
        let copy = dup(conn.fd()).expect("dup");
        assert_ne!(copy.fd(), conn.fd());
        assert_eq!(so_type(copy.fd()), Ok(ws::SOCK_STREAM));
        // share() / fromshare() within this process.
        // SAFETY: `GetCurrentProcessId` has no preconditions.
        let pid = unsafe { windows_sys::Win32::System::Threading::GetCurrentProcessId() };
        let info = conn.share(pid).expect("WSADuplicateSocketW");
        assert_eq!(info.len(), PROTOCOL_INFO_LEN);
        let (shared, family, ty, _) = Socket::from_share(&info).expect("from_share");
        assert_eq!((family, ty), (af, ws::SOCK_STREAM));
        shared.close().expect("closesocket");
        copy.close().expect("closesocket");
        assert_eq!(close_fd(-1), Err(Errno::EBADF));
    }

    #[test]
    fn non_blocking_mode_is_remembered() {
        let s = Socket::new(i32::from(ws::AF_INET), ws::SOCK_DGRAM, 0).expect("socket");
        assert_eq!(s.is_nonblocking(), Ok(false));
        s.set_nonblocking(true).expect("FIONBIO");
        assert_eq!(s.is_nonblocking(), Ok(true));
        s.bind(&loopback()).expect("bind");
        let mut buf = Vec::with_capacity(4);
        assert_eq!(s.recv(&mut buf, 4, 0), Err(Errno::EWOULDBLOCK));
        assert_eq!(s.poll(Interest::Read, 0), Ok(false));
    }
}
