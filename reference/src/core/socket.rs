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
//! `EAGAIN` raises `BlockingIOError`. Calls interrupted by a signal are retried
//! (PEP 475). An operation on a closed socket fails as the C call on fd `-1` does:
//! `OSError(EBADF)`.

use std::time::{Duration, Instant};

use super::Error;
use super::address::SockAddr;
use super::timeout::{NS_PER_SEC, Timeout};
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

/// A socket: `socket.socket`'s state.
#[derive(Debug)]
pub struct Socket {
    fd: Option<sys::Socket>,
    family: i32,
    kind: i32,
    proto: i32,
    mode: Mode,
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
        let fd = sys::Socket::new(family, ty, proto)?;
        let kind = ty & !(sys::SOCK_NONBLOCK | sys::SOCK_CLOEXEC);
        let mode = if sys::SOCK_NONBLOCK != 0 && ty & sys::SOCK_NONBLOCK != 0 {
            Mode::NonBlocking
        } else {
            Mode::from_timeout(default)
        };
        if mode.os_nonblocking() {
            // Dropping `fd` on failure closes it.
            fd.set_nonblocking(true)?;
        }
        Ok(Socket {
            fd: Some(fd),
            family,
            kind,
            proto,
            mode,
        })
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
        self.fd.as_ref().map_or(-1, sys::Socket::fd)
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

    /// `socket.send(bytes, flags)` → C `send(2)`: the number of bytes sent.
    pub fn send(&self, data: &[u8], flags: i32) -> Result<usize, Error> {
        self.call(sys::Interest::Write, |fd| fd.send(data, flags))
    }

    /// `socket.sendto(bytes, flags, address)` → C `sendto(2)`: the number of bytes sent.
    pub fn send_to(&self, data: &[u8], flags: i32, addr: &SockAddr) -> Result<usize, Error> {
        let addr = addr.to_sys(self.family);
        self.call(sys::Interest::Write, |fd| fd.send_to(data, flags, &addr))
    }

    /// `socket.close()` → C `close(2)`. The socket is closed afterwards even when
    /// `close(2)` fails; its error is raised except `ECONNRESET` (bpo-30319). Closing a
    /// closed socket does nothing.
    pub fn close(&mut self) -> Result<(), Error> {
        match self.fd.take() {
            None => Ok(()),
            Some(fd) => match fd.close() {
                Err(e) if e != sys::Errno::ECONNRESET => Err(e.into()),
                _ => Ok(()),
            },
        }
    }

    /// The open descriptor, or the `OSError(EBADF)` a C call on fd `-1` gives.
    fn fd(&self) -> Result<&sys::Socket, Error> {
        self.fd.as_ref().ok_or_else(|| sys::Errno::EBADF.into())
    }

    /// Runs one socket call in the current mode: CPython's `sock_call_ex` (without its
    /// `connect` special case, which comes with `connect`).
    fn call<T>(
        &self,
        interest: sys::Interest,
        mut op: impl FnMut(&sys::Socket) -> Result<T, sys::Errno>,
    ) -> Result<T, Error> {
        let fd = self.fd()?;
        let timeout = match self.mode {
            Mode::Timeout(t) => Some(t),
            _ => None,
        };
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t.as_duration()));
        let mut first = true;
        loop {
            if let Some(t) = timeout {
                let left = match deadline {
                    // The first wait is for the whole timeout, as in CPython (a timeout
                    // of 1 ns still polls for 1 ms once).
                    _ if first => t.as_duration(),
                    // Past the deadline (after a false positive): time is up.
                    Some(d) => match d.checked_duration_since(Instant::now()) {
                        Some(left) => left,
                        None => return Err(Error::timed_out()),
                    },
                    // A deadline beyond what the clock can represent: wait in slices.
                    None => t.as_duration(),
                };
                first = false;
                let (ms, capped) = poll_millis(left);
                match fd.poll(interest, ms) {
                    Ok(true) => {}
                    // A wait capped at `i32::MAX` ms only ends one slice of it.
                    Ok(false) if capped => continue,
                    Ok(false) => return Err(Error::timed_out()),
                    Err(e) if e == sys::Errno::EINTR => continue,
                    Err(e) => return Err(e.into()),
                }
            }
            let err = loop {
                match op(fd) {
                    Ok(v) => return Ok(v),
                    Err(e) if e == sys::Errno::EINTR => continue,
                    Err(e) => break e,
                }
            };
            if timeout.is_some() && err.would_block() {
                continue;
            }
            return Err(err.into());
        }
    }
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
