//! The socket object's typed semantics: creation, closing, addresses, data transfer, and
//! the blocking / non-blocking / timeout state machine of the documentation's "Notes on
//! socket timeouts".
//!
//! The model is CPython's `PySocketSockObject` (`Modules/socketmodule.c`): a file
//! descriptor (`-1` once closed), the family, type and protocol given at creation, and a
//! timeout that selects the mode:
//!
//! | `gettimeout()` | mode         | `getblocking()` | `O_NONBLOCK` on the fd |
//! | -------------- | ------------ | --------------- | ---------------------- |
//! | `None`         | blocking     | `True`          | clear                  |
//! | `0.0`          | non-blocking | `False`         | set                    |
//! | `t > 0`        | timeout      | `True`          | set                    |
//!
//! In timeout mode every operation first waits with `poll(2)` for at most the time left
//! (`internal_select`), then makes the non-blocking call; a wait that runs out raises
//! `TimeoutError("timed out")`, and an `EAGAIN` after a ready `poll` (a false positive)
//! waits again (`sock_call_ex`). In non-blocking mode the call is made at once and
//! `EAGAIN` raises `BlockingIOError`. An operation on a closed socket fails as the C
//! call on fd `-1` does: `OSError(EBADF)`.
//!
//! A call (or wait) that a signal interrupts (`EINTR`) runs the signal handlers where
//! CPython calls `PyErr_CheckSignals()` ([`super::signals::check_signals`]): when a
//! handler raises, the call fails with that exception; otherwise it is retried, a wait
//! for the time left of the timeout (PEP 475). An interrupted `connect` is not made
//! again but waited for, as in CPython's `internal_connect`.

use std::cell::{Ref, RefCell};
use std::rc::Rc;
use std::time::Duration;

use super::Error;
use super::address::SockAddr;
use super::signals::check_signals;
use super::timeout::{Deadline, NS_PER_SEC, Timeout};
use crate::sys;

/// The three modes of "Notes on socket timeouts".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Operations block until they complete or fail (`settimeout(None)`).
    Blocking,
    /// Operations fail at once when they would block (`settimeout(0)`).
    NonBlocking,
    /// Operations fail with `TimeoutError` when not complete in time
    /// (`settimeout(t)`, `t > 0`).
    Timeout(Timeout),
}

impl Mode {
    /// The mode a timeout selects (`None`: blocking, zero: non-blocking).
    pub fn from_timeout(timeout: Option<Timeout>) -> Mode {
        match timeout {
            None => Mode::Blocking,
            Some(t) if t.as_nanos() == 0 => Mode::NonBlocking,
            Some(t) => Mode::Timeout(t),
        }
    }

    /// The timeout that selects this mode (`socket.gettimeout()`).
    pub fn timeout(self) -> Option<Timeout> {
        match self {
            Mode::Blocking => None,
            Mode::NonBlocking => Some(Timeout::ZERO),
            Mode::Timeout(t) => Some(t),
        }
    }

    /// How long an operation may wait: the timeout in timeout mode, else `None` (the
    /// call is made at once, blocking or not).
    pub fn wait_limit(self) -> Option<Timeout> {
        match self {
            Mode::Timeout(t) => Some(t),
            Mode::Blocking | Mode::NonBlocking => None,
        }
    }

    /// `socket.getblocking()`: `False` only in non-blocking mode.
    pub fn is_blocking(self) -> bool {
        self != Mode::NonBlocking
    }

    /// Whether the OS-level socket is non-blocking in this mode (every mode but
    /// blocking).
    pub fn os_nonblocking(self) -> bool {
        self != Mode::Blocking
    }
}

/// An open descriptor and its number. Usually one socket owns it; after
/// `socket(fileno=s.fileno())` two do, as in CPython, and the first `close()` closes it
/// for both: the other then fails with `EBADF` without a call, so that it never
/// reaches a descriptor that reused the number.
#[derive(Debug)]
struct SharedFd {
    number: i32,
    sock: RefCell<Option<sys::Socket>>,
}

impl SharedFd {
    fn new(sock: sys::Socket) -> Rc<SharedFd> {
        Rc::new(SharedFd {
            number: sock.fd(),
            sock: RefCell::new(Some(sock)),
        })
    }
}

/// A socket: `socket.socket`'s state.
#[derive(Debug)]
pub struct Socket {
    fd: Option<Rc<SharedFd>>,
    family: i32,
    kind: i32,
    proto: i32,
    mode: Mode,
    /// `socket.py`'s `_io_refs`: how many files made by `makefile()` are open.
    io_refs: usize,
    /// `socket.py`'s `_closed`: `close()` (or `detach()`) was called on the object.
    closed_flag: bool,
}

impl Socket {
    /// C `socket(2)` for `socket.socket(family, type, proto)`: a new non-inheritable
    /// socket (`SOCK_CLOEXEC`) in the mode the module's default timeout selects.
    ///
    /// As in CPython (3.7+), `SOCK_NONBLOCK` and `SOCK_CLOEXEC` in `ty` are passed to the
    /// OS but cleared from the type the socket reports; `SOCK_NONBLOCK` makes it
    /// non-blocking whatever the default. `proto` is kept as given (`0` stays `0`).
    pub fn open(
        family: i32,
        ty: i32,
        proto: i32,
        default: Option<Timeout>,
    ) -> Result<Socket, Error> {
        // Dropping the descriptor on failure closes it.
        Socket::wrap(
            sys::Socket::new(family, ty, proto)?,
            family,
            ty,
            proto,
            default,
        )
    }

    /// `socket.family` as a number.
    pub fn family(&self) -> i32 {
        self.family
    }

    /// `socket.type` as a number (without `SOCK_NONBLOCK` / `SOCK_CLOEXEC`).
    pub fn kind(&self) -> i32 {
        self.kind
    }

    /// `socket.proto`.
    pub fn proto(&self) -> i32 {
        self.proto
    }

    /// `socket.fileno()`: the descriptor, `-1` once closed.
    pub fn fileno(&self) -> i32 {
        self.fd.as_ref().map_or(-1, |f| f.number)
    }

    /// Whether [`Socket::close`] has been called.
    pub fn is_closed(&self) -> bool {
        self.fd.is_none()
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// `socket.gettimeout()`.
    pub fn timeout(&self) -> Option<Timeout> {
        self.mode.timeout()
    }

    /// `socket.getblocking()`.
    pub fn is_blocking(&self) -> bool {
        self.mode.is_blocking()
    }

    /// `socket.settimeout(value)`: switches mode and sets or clears `O_NONBLOCK`
    /// (`fcntl(2)`). As in CPython, the new timeout is recorded before the fd is touched,
    /// so on a closed socket `gettimeout()` reflects it although the call raised
    /// `OSError(EBADF)`.
    pub fn set_timeout(&mut self, timeout: Option<Timeout>) -> Result<(), Error> {
        self.mode = Mode::from_timeout(timeout);
        let fd = self.fd()?;
        fd.set_nonblocking(self.mode.os_nonblocking())?;
        Ok(())
    }

    /// `socket.setblocking(flag)`: `settimeout(None)` when true, `settimeout(0.0)` when
    /// false.
    pub fn set_blocking(&mut self, blocking: bool) -> Result<(), Error> {
        self.set_timeout(if blocking { None } else { Some(Timeout::ZERO) })
    }

    /// Whether the OS-level socket has `O_NONBLOCK` (`fcntl(F_GETFL)`): the hidden half of
    /// the state machine, which the documentation's note describes.
    pub fn os_nonblocking(&self) -> Result<bool, Error> {
        Ok(self.fd()?.is_nonblocking()?)
    }

    /// `socket.get_inheritable()`: whether `FD_CLOEXEC` is clear (`fcntl(F_GETFD)`).
    pub fn inheritable(&self) -> Result<bool, Error> {
        Ok(!self.fd()?.is_cloexec()?)
    }

    /// `socket.bind(address)` → C `bind(2)`.
    pub fn bind(&self, addr: &SockAddr) -> Result<(), Error> {
        let fd = self.fd()?;
        Ok(fd.bind(&addr.to_sys(self.family))?)
    }

    /// `socket.getsockname()` → C `getsockname(2)`; `None` for a zero-length address.
    pub fn local_addr(&self) -> Result<Option<SockAddr>, Error> {
        Ok(self.fd()?.local_addr()?.map(SockAddr::from_sys))
    }

    /// `socket.getpeername()` → C `getpeername(2)`; `None` for a zero-length address.
    pub fn peer_addr(&self) -> Result<Option<SockAddr>, Error> {
        Ok(self.fd()?.peer_addr()?.map(SockAddr::from_sys))
    }

    /// `socket.recv(bufsize, flags)` → C `recv(2)`, in the socket's mode. A `bufsize` of
    /// 0 returns `b''` at once.
    ///
    /// The buffer is allocated first (`MemoryError()` when that fails, as CPython's
    /// `PyBytes_FromStringAndSize`). With `MSG_TRUNC` the kernel may report more than
    /// `bufsize` bytes; the result then has that length, the bytes past `bufsize` being
    /// zero (CPython resizes its buffer to the reported length, leaving them
    /// uninitialised).
    pub fn recv(&self, bufsize: usize, flags: i32) -> Result<Vec<u8>, Error> {
        if bufsize == 0 {
            // CPython's `sock_recv_guts`: "If 0 bytes were requested, do nothing" — no
            // call, so no error either, even on a closed socket. (`recvfrom` has no
            // such shortcut.)
            return Ok(Vec::new());
        }
        let mut buf = alloc(bufsize)?;
        let n = self.call(sys::Interest::Read, |fd| {
            buf.clear();
            fd.recv(&mut buf, bufsize, flags)
        })?;
        buf.resize(n, 0);
        Ok(buf)
    }

    /// `socket.recvfrom(bufsize, flags)` → C `recvfrom(2)`: the data and the sender's
    /// address (`None` when the kernel gives none, as for an unnamed `AF_UNIX` sender).
    pub fn recv_from(
        &self,
        bufsize: usize,
        flags: i32,
    ) -> Result<(Vec<u8>, Option<SockAddr>), Error> {
        let mut buf = alloc(bufsize)?;
        let (n, from) = self.call(sys::Interest::Read, |fd| {
            buf.clear();
            fd.recv_from(&mut buf, bufsize, flags)
        })?;
        buf.resize(n, 0);
        Ok((buf, from.map(SockAddr::from_sys)))
    }

    /// `socket.recv_into(buffer, nbytes, flags)` → C `recv(2)` straight into `buf` (the
    /// first `nbytes` of the caller's buffer), in the socket's mode: what `recv`
    /// returned (more than `buf.len()` with `MSG_TRUNC`). An empty `buf` returns 0 at
    /// once, as [`Socket::recv`] does. Whatever the OS wrote stays in `buf` even when the
    /// call then fails (Windows' `WSAEMSGSIZE`).
    pub fn recv_into(&self, buf: &mut [u8], flags: i32) -> Result<usize, Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.call(sys::Interest::Read, |fd| fd.recv_into(&mut *buf, flags))
    }

    /// `socket.recvfrom_into(buffer, nbytes, flags)` → C `recvfrom(2)` straight into
    /// `buf`: what `recvfrom` returned and the sender's address (no shortcut for an
    /// empty buffer, as in CPython).
    pub fn recv_from_into(
        &self,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<(usize, Option<SockAddr>), Error> {
        let (n, from) = self.call(sys::Interest::Read, |fd| {
            fd.recv_from_into(&mut *buf, flags)
        })?;
        Ok((n, from.map(SockAddr::from_sys)))
    }

    /// `socket.send(bytes, flags)` → C `send(2)`: the number of bytes sent.
    pub fn send(&self, data: &[u8], flags: i32) -> Result<usize, Error> {
        self.call(sys::Interest::Write, |fd| fd.send(data, flags))
    }

    /// `socket.sendto(bytes, flags, address)` → C `sendto(2)`: the number of bytes sent.
    pub fn send_to(&self, data: &[u8], flags: i32, addr: &SockAddr) -> Result<usize, Error> {
        let addr = addr.to_sys(self.family);
        self.call(sys::Interest::Write, |fd| fd.send_to(data, flags, &addr))
    }

    /// `socket.socket.close()` as `socket.py` writes it: the object is marked closed
    /// (`_closed`), and the descriptor is closed ([`Socket::close`]) only when no file
    /// made by `makefile()` is open (`_io_refs`); the last such file closes it then
    /// ([`Socket::decref_io`]). The documented rule: "the underlying system resource …
    /// is closed when all file objects returned by makefile() are closed".
    pub fn close_object(&mut self) -> Result<(), Error> {
        self.closed_flag = true;
        if self.io_refs == 0 {
            self.close()
        } else {
            Ok(())
        }
    }

    /// `makefile()` made one more file over this socket (`_io_refs += 1`).
    pub fn incref_io(&mut self) {
        self.io_refs += 1;
    }

    /// `socket.py`'s `_decref_socketios`, called when a file made by `makefile()` is
    /// closed: one file fewer, and the object's `close()` again when it was closed.
    pub fn decref_io(&mut self) -> Result<(), Error> {
        self.io_refs = self.io_refs.saturating_sub(1);
        if self.closed_flag {
            self.close_object()
        } else {
            Ok(())
        }
    }

    /// How many files made by `makefile()` are open.
    pub fn io_refs(&self) -> usize {
        self.io_refs
    }

    /// Whether `repr()` says `[closed]`: `close()` or `detach()` was called on the
    /// object, or the descriptor is gone.
    pub fn marked_closed(&self) -> bool {
        self.closed_flag || self.fd.is_none()
    }

    /// `socket.close()` → C `close(2)`. The socket is closed afterwards even when
    /// `close(2)` fails; its error is raised except `ECONNRESET` (bpo-30319). Closing a
    /// closed socket does nothing.
    pub fn close(&mut self) -> Result<(), Error> {
        let Some(shared) = self.fd.take() else {
            return Ok(());
        };
        let taken = shared.sock.borrow_mut().take();
        match taken {
            // Another owner closed it: close(2) on the number would fail with EBADF.
            None => Err(sys::Errno::EBADF.into()),
            Some(fd) => match fd.close() {
                Err(e) if e != sys::Errno::ECONNRESET => Err(e.into()),
                _ => Ok(()),
            },
        }
    }

    /// Whether the descriptor is open (not closed by this or another owner).
    pub fn fd_open(&self) -> bool {
        self.fd.as_ref().is_some_and(|f| f.sock.borrow().is_some())
    }

    /// `socket.socket(family, type, proto, fileno=s.fileno())` for a descriptor that the
    /// open socket `self` owns: a second owner of the same descriptor, checked as
    /// [`Socket::from_fd`] checks one.
    pub fn share(
        &self,
        family: Option<i32>,
        ty: Option<i32>,
        proto: Option<i32>,
        default: Option<Timeout>,
    ) -> Result<Socket, Error> {
        let shared = self
            .fd
            .clone()
            .ok_or_else(|| Error::from(sys::Errno::EBADF))?;
        let (family, ty, proto) = probe(self.fileno(), family, ty, proto)?;
        let fd = self.fd()?;
        Socket::init(&fd, ty, default).map(|(kind, mode)| Socket {
            fd: Some(Rc::clone(&shared)),
            family,
            kind,
            proto,
            mode,
            io_refs: 0,
            closed_flag: false,
        })
    }

    /// Closes the descriptor numbered `fd` that this socket owns, as `socket.close(fd)`
    /// does behind the object's back: the object keeps its number and fails with
    /// `EBADF` from then on.
    pub fn close_underneath(&self) -> Result<(), Error> {
        let taken = self.fd.as_ref().and_then(|f| f.sock.borrow_mut().take());
        match taken {
            None => Err(sys::Errno::EBADF.into()),
            Some(fd) => match fd.close() {
                Err(e) if e != sys::Errno::ECONNRESET => Err(e.into()),
                _ => Ok(()),
            },
        }
    }

    /// `socket.socket(family, type, proto, fileno=fd)`: takes over the open descriptor
    /// `fd` (the caller hands over ownership; it is closed on failure only when the
    /// checks after the adoption fail). As CPython (3.8+) does, `getsockname(2)` checks
    /// that `fd` is an open socket (`EBADF` / `ENOTSOCK` are raised, other errors
    /// ignored) and gives the family when `family` is `None`; `SO_TYPE` and
    /// `SO_PROTOCOL` give the type and protocol when those are `None`. On an error
    /// before the adoption, `fd` is left open and untouched.
    ///
    /// The mode is the default timeout's, except that `SOCK_NONBLOCK` in the type
    /// makes the socket non-blocking; with no default timeout `O_NONBLOCK` is left as
    /// the descriptor has it (the docs' "assumed to be in blocking mode").
    pub fn from_fd(
        fd: i32,
        family: Option<i32>,
        ty: Option<i32>,
        proto: Option<i32>,
        default: Option<Timeout>,
    ) -> Result<Socket, Error> {
        let (family, ty, proto) = probe(fd, family, ty, proto)?;
        Socket::wrap(sys::Socket::adopt(fd), family, ty, proto, default)
    }

    /// CPython's `init_sockobject` for a descriptor already owned.
    fn wrap(
        fd: sys::Socket,
        family: i32,
        ty: i32,
        proto: i32,
        default: Option<Timeout>,
    ) -> Result<Socket, Error> {
        let (kind, mode) = Socket::init(&fd, ty, default)?;
        Ok(Socket {
            fd: Some(SharedFd::new(fd)),
            family,
            kind,
            proto,
            mode,
            io_refs: 0,
            closed_flag: false,
        })
    }

    /// The type without `SOCK_NONBLOCK` / `SOCK_CLOEXEC` and the mode of a new socket
    /// object; sets `O_NONBLOCK` when the mode needs it.
    fn init(fd: &sys::Socket, ty: i32, default: Option<Timeout>) -> Result<(i32, Mode), Error> {
        let (kind, nonblock) = sys::split_type_flags(ty);
        let mode = if nonblock {
            Mode::NonBlocking
        } else {
            Mode::from_timeout(default)
        };
        if mode.os_nonblocking() {
            fd.set_nonblocking(true)?;
        }
        Ok((kind, mode))
    }

    /// `socket.socketpair(family, type, proto)` → C `socketpair(2)` (non-inheritable),
    /// both ends in the mode the default timeout selects (`SOCK_NONBLOCK` in `ty`:
    /// non-blocking).
    pub fn pair(
        family: i32,
        ty: i32,
        proto: i32,
        default: Option<Timeout>,
    ) -> Result<(Socket, Socket), Error> {
        let (a, b) = sys::Socket::pair(family, ty, proto)?;
        let a = Socket::wrap(a, family, ty, proto, default)?;
        let b = Socket::wrap(b, family, ty, proto, default)?;
        Ok((a, b))
    }

    /// `socket.dup()`'s first half, and `socket.dup(fd)`: `fcntl(F_DUPFD_CLOEXEC)`, the
    /// new descriptor's number (owned by the caller).
    pub fn dup_fd(fd: i32) -> Result<i32, Error> {
        Ok(sys::dup(fd)?.into_raw())
    }

    /// `socket.close(fd)` → C `close(2)` of a descriptor the caller owns; `ECONNRESET`
    /// is ignored as in `socket.close()`.
    pub fn close_fd(fd: i32) -> Result<(), Error> {
        match sys::close_fd(fd) {
            Err(e) if e != sys::Errno::ECONNRESET => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// `socket.detach()`: the socket is closed without closing the descriptor, whose
    /// number is returned (`-1` when already closed).
    pub fn detach(&mut self) -> i32 {
        self.closed_flag = true;
        let Some(shared) = self.fd.take() else {
            return -1;
        };
        let number = shared.number;
        // Another owner keeps using the descriptor: leave it open for it.
        if Rc::strong_count(&shared) > 1 {
            return number;
        }
        let taken = shared.sock.borrow_mut().take();
        taken.map_or(number, sys::Socket::into_raw)
    }

    /// `socket.set_inheritable(flag)` → `fcntl(F_SETFD)`.
    pub fn set_inheritable(&self, inheritable: bool) -> Result<(), Error> {
        Ok(self.fd()?.set_inheritable(inheritable)?)
    }

    /// `socket.listen(backlog)` → C `listen(2)`; a negative backlog is `0` (CPython
    /// 3.5+).
    pub fn listen(&self, backlog: i32) -> Result<(), Error> {
        Ok(self.fd()?.listen(backlog.max(0))?)
    }

    /// `socket.accept()` → C `accept4(2)` in the socket's mode: the new socket (of this
    /// socket's family, type and protocol, non-inheritable) and the peer's address.
    ///
    /// The new socket's mode follows `socket.py`: the default timeout's, except that
    /// with no default timeout and a listening socket with a positive timeout it is
    /// made blocking explicitly (issue #7995).
    pub fn accept(&self, default: Option<Timeout>) -> Result<(Socket, Option<SockAddr>), Error> {
        let (fd, addr) = self.call(sys::Interest::Read, sys::Socket::accept)?;
        let mut sock = Socket::wrap(fd, self.family, self.kind, self.proto, default)?;
        if default.is_none() && matches!(self.mode, Mode::Timeout(_)) {
            sock.set_blocking(true)?;
        }
        Ok((sock, addr.map(SockAddr::from_sys)))
    }

    /// `socket.connect(address)` → C `connect(2)`: CPython's `internal_connect`. In
    /// timeout mode an `EINPROGRESS` waits (`poll(2)` for writing) and then reads
    /// `SO_ERROR`; in non-blocking mode it raises `BlockingIOError`.
    ///
    /// A `connect(2)` that a signal interrupts runs the signal handlers (a raising one
    /// ends the call with its exception); the connection then goes on asynchronously
    /// (issue #23618), so a blocking or timeout-mode socket waits for it as above (a
    /// blocking one without limit) instead of calling `connect(2)` again, and a
    /// non-blocking one raises `InterruptedError`. A signal during the wait runs the
    /// handlers and waits again for the time left.
    pub fn connect(&self, addr: &SockAddr) -> Result<(), Error> {
        match self.internal_connect(addr) {
            Ok(()) => Ok(()),
            Err(ConnectError::Errno(e)) => Err(e.into()),
            Err(ConnectError::TimedOut) => Err(Error::timed_out()),
            Err(ConnectError::Raised(e)) => Err(e),
        }
    }

    /// `socket.connect_ex(address)`: as [`Socket::connect`], but the errno is returned
    /// (`0` on success; `EWOULDBLOCK` when the timeout runs out, CPython's
    /// `SOCK_TIMEOUT_ERR`). The exception a signal handler raised is raised, not
    /// returned.
    pub fn connect_ex(&self, addr: &SockAddr) -> Result<i32, Error> {
        match self.internal_connect(addr) {
            Ok(()) => Ok(0),
            Err(ConnectError::Errno(e)) => Ok(e.0),
            Err(ConnectError::TimedOut) => Ok(sys::Errno::EWOULDBLOCK.0),
            Err(ConnectError::Raised(e)) => Err(e),
        }
    }

    fn internal_connect(&self, addr: &SockAddr) -> Result<(), ConnectError> {
        let fd = self
            .fd()
            .map_err(|_| ConnectError::Errno(sys::Errno::EBADF))?;
        let addr = addr.to_sys(self.family);
        let err = match fd.connect(&addr) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        let wait = if err == sys::Errno::EINTR {
            check_signals().map_err(ConnectError::Raised)?;
            // PEP 475 / issue #23618: the connection goes on asynchronously.
            self.mode != Mode::NonBlocking
        } else {
            matches!(self.mode, Mode::Timeout(_)) && err == sys::Errno::EINPROGRESS
        };
        if !wait {
            return Err(ConnectError::Errno(err));
        }
        let deadline = self.mode.wait_limit().map(Deadline::start);
        let mut first = true;
        loop {
            let ms = match deadline {
                None => -1,
                Some(d) => {
                    let left = if first {
                        d.timeout().as_duration()
                    } else {
                        d.left().ok_or(ConnectError::TimedOut)?
                    };
                    poll_millis(left).0
                }
            };
            first = false;
            match fd.poll(sys::Interest::Connect, ms) {
                Ok(true) => {}
                Ok(false) => return Err(ConnectError::TimedOut),
                Err(e) if e == sys::Errno::EINTR => {
                    check_signals().map_err(ConnectError::Raised)?;
                    continue;
                }
                Err(e) => return Err(ConnectError::Errno(e)),
            }
            let pending = fd.so_error().map_err(ConnectError::Errno)?;
            let e = sys::Errno(pending);
            if pending == 0 || e == sys::Errno::EISCONN {
                return Ok(());
            }
            if e == sys::Errno::EINTR {
                check_signals().map_err(ConnectError::Raised)?;
                continue;
            }
            if deadline.is_some() && e.would_block() {
                continue;
            }
            return Err(ConnectError::Errno(e));
        }
    }

    /// `socket.shutdown(how)` → C `shutdown(2)`.
    pub fn shutdown(&self, how: i32) -> Result<(), Error> {
        Ok(self.fd()?.shutdown(how)?)
    }

    /// `socket.getsockopt(level, optname)` → C `getsockopt(2)` of an `int`.
    pub fn getsockopt_int(&self, level: i32, name: i32) -> Result<i32, Error> {
        Ok(self.fd()?.getsockopt_int(level, name)?)
    }

    /// `socket.getsockopt(level, optname, buflen)`: at most `buflen` bytes (`1..=1024`,
    /// else `OSError("getsockopt buflen out of range")`).
    pub fn getsockopt_bytes(&self, level: i32, name: i32, buflen: i32) -> Result<Vec<u8>, Error> {
        let len = usize::try_from(buflen)
            .ok()
            .filter(|n| (1..=1024).contains(n))
            .ok_or_else(|| Error::os("getsockopt buflen out of range"))?;
        Ok(self.fd()?.getsockopt_bytes(level, name, len)?)
    }

    /// `socket.setsockopt(level, optname, value)` with an `int` (passed as a C `int`)
    /// or a bytes-like value (passed as it is).
    pub fn setsockopt(&self, level: i32, name: i32, value: &[u8]) -> Result<(), Error> {
        Ok(self.fd()?.setsockopt_bytes(level, name, value)?)
    }

    /// `socket.setsockopt(level, optname, int)`: the C `int` form (which Windows routes
    /// to `WSAIoctl` for `TCP_QUICKACK`, as CPython does).
    pub fn setsockopt_int(&self, level: i32, name: i32, value: i32) -> Result<(), Error> {
        Ok(self.fd()?.setsockopt_int(level, name, value)?)
    }

    /// `socket.setsockopt(level, optname, None, optlen)`: a null `optval`.
    pub fn setsockopt_none(&self, level: i32, name: i32, optlen: u32) -> Result<(), Error> {
        Ok(self.fd()?.setsockopt_null(level, name, optlen)?)
    }

    /// `socket.sendall(bytes, flags)`: `send(2)` until everything is sent. In timeout
    /// mode the timeout covers the whole call (CPython 3.5+), each `send` waiting for
    /// the time left. The signal handlers run after each `send` (a send that a signal
    /// interrupts may return a partial count rather than fail with `EINTR`), and one that
    /// raises ends the call, as in CPython's `sock_sendall`.
    pub fn send_all(&self, data: &[u8], flags: i32) -> Result<(), Error> {
        let deadline = self.mode.wait_limit().map(Deadline::start);
        let mut rest = data;
        loop {
            let left = match deadline.map(Deadline::left) {
                None => None,
                Some(Some(left)) if !left.is_zero() => Some(Timeout::from_duration(left)),
                Some(_) => return Err(Error::timed_out()),
            };
            let n = self.call_for(sys::Interest::Write, left, |fd| fd.send(rest, flags))?;
            rest = &rest[n.min(rest.len())..];
            check_signals()?;
            if rest.is_empty() {
                return Ok(());
            }
        }
    }

    /// `socket.sendmsg(buffers, ancdata, flags, address)` → C `sendmsg(2)` in the
    /// socket's mode: the number of bytes sent.
    pub fn sendmsg(
        &self,
        bufs: &[Vec<u8>],
        cmsgs: &[sys::Cmsg],
        flags: i32,
        addr: Option<&SockAddr>,
    ) -> Result<usize, Error> {
        let addr = addr.map(|a| a.to_sys(self.family));
        let iov: Vec<&[u8]> = bufs.iter().map(Vec::as_slice).collect();
        self.call(sys::Interest::Write, |fd| {
            fd.sendmsg(&iov, cmsgs, flags, addr.as_ref())
        })
    }

    /// `socket.recvmsg` / `socket.recvmsg_into` → C `recvmsg(2)` in the socket's mode,
    /// into buffers of the given lengths with `ancbufsize` bytes for control messages:
    /// the filled buffers (each at its full length) and what the call reported.
    pub fn recvmsg(
        &self,
        lens: &[usize],
        ancbufsize: usize,
        flags: i32,
    ) -> Result<(Vec<Vec<u8>>, sys::Received), Error> {
        let mut bufs: Vec<Vec<u8>> = Vec::with_capacity(lens.len());
        for &len in lens {
            let mut b = alloc(len)?;
            b.resize(len, 0);
            bufs.push(b);
        }
        let received = self.call(sys::Interest::Read, |fd| {
            let mut slices: Vec<&mut [u8]> = bufs.iter_mut().map(Vec::as_mut_slice).collect();
            fd.recvmsg(&mut slices, ancbufsize, flags)
        })?;
        Ok((bufs, received))
    }

    /// `socket.ioctl(control, option)` → `WSAIoctl` (Windows): the bytes-returned count.
    pub fn ioctl(&self, control: u32, option: &sys::IoctlOption) -> Result<u32, Error> {
        Ok(self.fd()?.ioctl(control, option)?)
    }

    /// `socket.share(process_id)` → `WSADuplicateSocketW` (Windows): the
    /// `WSAPROTOCOL_INFOW` bytes.
    pub fn share_with(&self, process_id: u32) -> Result<Vec<u8>, Error> {
        Ok(self.fd()?.share(process_id)?)
    }

    /// `socket.socket(fileno=info)` with the bytes of `socket.share()` (Windows,
    /// `socket.fromshare`): a new socket from the `WSAPROTOCOL_INFOW`, with the family,
    /// type and protocol it names, in the default timeout's mode.
    pub fn from_share(info: &[u8], default: Option<Timeout>) -> Result<Socket, Error> {
        let (sock, family, ty, proto) = sys::Socket::from_share(info)?;
        Socket::wrap(sock, family, ty, proto, default)
    }

    /// `selectors.PollSelector().select(timeout)` on this socket registered for writing,
    /// as `socket.sendfile` waits: `poll(2)` for `POLLOUT` (`None`: no limit; the time
    /// rounded up to milliseconds), `true` when writable.
    pub fn poll_writable(&self, timeout: Option<Timeout>) -> Result<bool, Error> {
        let fd = self.fd()?;
        let deadline = timeout.map(Deadline::start);
        let mut first = true;
        loop {
            let ms = match deadline {
                None => -1,
                Some(d) if first => poll_millis(d.timeout().as_duration()).0,
                // Retried: for the time left; past the deadline nothing is ready
                // (`select.poll` does not wait again).
                Some(d) => match d.left() {
                    Some(left) => poll_millis(left).0,
                    None => return Ok(false),
                },
            };
            first = false;
            match fd.poll(sys::Interest::Write, ms) {
                Ok(ready) => return Ok(ready),
                // `select.poll` retries too (PEP 475), after the handlers ran, for the
                // time left.
                Err(e) if e == sys::Errno::EINTR => check_signals()?,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// `os.sendfile(self.fileno(), in_fd, offset, count)` → C `sendfile(2)` (Linux): the
    /// bytes sent, `0` at end of file. No waiting: the caller does it (`socket.sendfile`
    /// polls first).
    pub fn sendfile_from(
        &self,
        in_fd: i32,
        offset: i64,
        count: usize,
    ) -> Result<usize, sys::Errno> {
        sys::sendfile(self.fileno(), in_fd, offset, count)
    }

    /// The open descriptor, or the `OSError(EBADF)` a C call on fd `-1` gives.
    fn fd(&self) -> Result<Ref<'_, sys::Socket>, Error> {
        let shared = self.fd.as_ref().ok_or(sys::Errno::EBADF)?;
        Ref::filter_map(shared.sock.borrow(), Option::as_ref).map_err(|_| sys::Errno::EBADF.into())
    }

    /// Runs one socket call in the current mode: CPython's `sock_call_ex` (without its
    /// `connect` special case, which comes with `connect`). On `EINTR`, from the wait or
    /// the call, the signal handlers run ([`check_signals`]); an exception from them is
    /// the call's, otherwise the wait or the call is made again.
    fn call<T>(
        &self,
        interest: sys::Interest,
        op: impl FnMut(&sys::Socket) -> Result<T, sys::Errno>,
    ) -> Result<T, Error> {
        self.call_for(interest, self.mode.wait_limit(), op)
    }

    /// [`Socket::call`] with the time to wait given (`None`: the call is made at once,
    /// as in blocking and non-blocking mode).
    fn call_for<T>(
        &self,
        interest: sys::Interest,
        timeout: Option<Timeout>,
        mut op: impl FnMut(&sys::Socket) -> Result<T, sys::Errno>,
    ) -> Result<T, Error> {
        let fd = self.fd()?;
        let deadline = timeout.map(Deadline::start);
        let mut first = true;
        loop {
            if let Some(d) = deadline {
                let left = if first {
                    // The first wait is for the whole timeout, as in CPython (a timeout
                    // of 1 ns still polls for 1 ms once).
                    d.timeout().as_duration()
                } else {
                    // Past the deadline (after a false positive): time is up.
                    d.left().ok_or_else(Error::timed_out)?
                };
                first = false;
                let (ms, capped) = poll_millis(left);
                match fd.poll(interest, ms) {
                    Ok(true) => {}
                    // A wait capped at `i32::MAX` ms only ends one slice of it.
                    Ok(false) if capped => continue,
                    Ok(false) => return Err(Error::timed_out()),
                    // Interrupted: the handlers run, then the wait starts again for
                    // the time left.
                    Err(e) if e == sys::Errno::EINTR => {
                        check_signals()?;
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            let err = loop {
                match op(&fd) {
                    Ok(v) => return Ok(v),
                    // Interrupted: the handlers run, then the call is made again.
                    Err(e) if e == sys::Errno::EINTR => check_signals()?,
                    Err(e) => break e,
                }
            };
            if deadline.is_some() && err.would_block() {
                continue;
            }
            return Err(err.into());
        }
    }
}

/// CPython's checks of `socket(fileno=fd)` (3.8+): `getsockname(2)` must not fail with
/// `EBADF` / `ENOTSOCK` and gives the family when none is given; `SO_TYPE` and
/// `SO_PROTOCOL` give the type and protocol when those are not given.
fn probe(
    fd: i32,
    family: Option<i32>,
    ty: Option<i32>,
    proto: Option<i32>,
) -> Result<(i32, i32, i32), Error> {
    let detected = match sys::socket_family(fd) {
        Ok(f) => Some(f),
        Err(e) if e == sys::Errno::EBADF || e == sys::Errno::ENOTSOCK => {
            return Err(e.into());
        }
        // Windows: getsockname on an unbound socket fails, and CPython raises that
        // error when it needs the family.
        Err(e) if family.is_none() && sys::FEATURES.family_needs_getsockname => {
            return Err(e.into());
        }
        Err(_) => None,
    };
    // CPython leaves the family at -1 when getsockname fails otherwise.
    let family = family.or(detected).unwrap_or(-1);
    let ty = match ty {
        Some(t) => t,
        None => sys::so_type(fd)?,
    };
    let proto = match proto {
        Some(p) => p,
        None => sys::so_protocol(fd)?.unwrap_or(0),
    };
    Ok((family, ty, proto))
}

/// Why [`Socket::internal_connect`] failed.
enum ConnectError {
    /// The C call (or `SO_ERROR`) failed with this errno.
    Errno(sys::Errno),
    /// The timeout ran out.
    TimedOut,
    /// A signal handler raised this exception.
    Raised(Error),
}

/// A buffer with room for `bufsize` bytes, or `MemoryError()`.
fn alloc(bufsize: usize) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    buf.try_reserve_exact(bufsize)
        .map_err(|_| Error::memory())?;
    Ok(buf)
}

/// The `poll(2)` timeout for `left`: milliseconds rounded up (CPython's
/// `_PyTime_AsMilliseconds(…, _PyTime_ROUND_CEILING)`), capped at `i32::MAX`; the flag
/// says whether the cap applied. (CPython only asserts that the value fits; the cap
/// keeps timeouts beyond 24.8 days correct instead of wrapping.)
fn poll_millis(left: Duration) -> (i32, bool) {
    const NS_PER_MS: u128 = (NS_PER_SEC / 1000) as u128;
    let ms = left.as_nanos().div_ceil(NS_PER_MS);
    match i32::try_from(ms) {
        Ok(ms) => (ms, false),
        Err(_) => (i32::MAX, true),
    }
}

impl Drop for Socket {
    /// A socket that is garbage-collected is closed (errors ignored), as CPython's
    /// `sock_finalize` does.
    fn drop(&mut self) {
        let _ = self.close();
    }
}

#[cfg(test)]
mod tests;
