//! What one `socket` module instance shares with the sockets it made: the default
//! timeout (`socket.setdefaulttimeout`) and the ledger of descriptors handed out as
//! plain numbers (`socket.detach()`, `socket.dup(fd)`), which the module may adopt
//! again (`socket.socket(fileno=fd)`) or close (`socket.close(fd)`).
//!
//! The reference runs in the same process as its runner, whose other cases run on other
//! threads. So that a case can never adopt or close a descriptor it does not own, only
//! numbers in the ledger and those of the module's open socket objects are adopted or
//! closed for real (a socket object adopting another's descriptor shares it, as in
//! CPython: see `core::socket`); any other number behaves as a descriptor that is not
//! open (`OSError(EBADF)`). Numbers left in the ledger are closed when the state goes
//! away, so no descriptor outlives its case.
//!
//! The state also holds the audit log: the `socket.*` events (`sys.audit`) that the
//! module's functions and methods raise, where CPython's `_socket` raises them, kept
//! while a caller records them (the way a `sys.addaudithook` hook sees them).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::{Rc, Weak};

use super::exception::PyException;
use super::object::Object;
use crate::core::Error;
use crate::core::socket::Socket;
use crate::core::timeout::Timeout;

/// The shared state (see the module docs).
#[derive(Debug, Default)]
pub struct State {
    default_timeout: Cell<Option<Timeout>>,
    free: RefCell<BTreeSet<i32>>,
    sockets: RefCell<Vec<Weak<RefCell<Socket>>>>,
    /// The events raised since recording began; `None`: not recording.
    audit: RefCell<Option<Vec<AuditEvent>>>,
}

/// One audit event: its name (`socket.bind`) and arguments, as a hook receives them.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub event: &'static str,
    pub args: Vec<Object>,
}

/// Who owns a descriptor number, as far as the module knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Handed out by the module and owned by nobody: it may be adopted or closed.
    Free,
    /// An open socket object of this module.
    Socket,
    /// Not the module's: treated as not open.
    Unknown,
}

impl State {
    /// `socket.getdefaulttimeout()`.
    pub fn default_timeout(&self) -> Option<Timeout> {
        self.default_timeout.get()
    }

    /// `socket.setdefaulttimeout(t)`.
    pub fn set_default_timeout(&self, t: Option<Timeout>) {
        self.default_timeout.set(t);
    }

    /// Records a socket object's core socket, so that its descriptor is known.
    pub fn register(&self, sock: &Rc<RefCell<Socket>>) {
        let mut all = self.sockets.borrow_mut();
        all.retain(|w| w.strong_count() > 0);
        all.push(Rc::downgrade(sock));
    }

    /// Records a descriptor number handed out to Python code, owned by nobody.
    pub fn hand_out(&self, fd: i32) {
        if fd >= 0 {
            self.free.borrow_mut().insert(fd);
        }
    }

    /// Who owns `fd`.
    pub fn owner(&self, fd: i32) -> Owner {
        if self.free.borrow().contains(&fd) {
            return Owner::Free;
        }
        if self.with_owner(fd, |_| ()).is_some() {
            Owner::Socket
        } else {
            Owner::Unknown
        }
    }

    /// Runs `f` on the open socket object that owns `fd`, if there is one.
    pub fn with_owner<T>(&self, fd: i32, f: impl FnOnce(&Socket) -> T) -> Option<T> {
        let owner = self.sockets.borrow().iter().find_map(|w| {
            let s = w.upgrade()?;
            let mine = s
                .try_borrow()
                .is_ok_and(|s| s.fileno() == fd && s.fd_open());
            mine.then_some(s)
        })?;
        let sock = owner.try_borrow().ok()?;
        Some(f(&sock))
    }

    /// Takes `fd` out of the ledger: its new owner is a socket object (or nobody, after
    /// `socket.close(fd)`).
    pub fn take(&self, fd: i32) {
        self.free.borrow_mut().remove(&fd);
    }

    /// `sys.audit(event, *args)`: keeps the event when recording. `args` is only built
    /// then.
    pub fn audit(&self, event: &'static str, args: impl FnOnce() -> Vec<Object>) {
        if let Some(log) = self.audit.borrow_mut().as_mut() {
            log.push(AuditEvent {
                event,
                args: args(),
            });
        }
    }

    /// Starts recording audit events (dropping any recorded before).
    pub fn record_audit(&self) {
        *self.audit.borrow_mut() = Some(Vec::new());
    }

    /// Stops recording, and gives the events raised since [`State::record_audit`].
    pub fn take_audit(&self) -> Vec<AuditEvent> {
        self.audit.borrow_mut().take().unwrap_or_default()
    }

    /// The error for a descriptor the module does not know: `EBADF`, as if it were not
    /// open.
    pub fn refuse(&self) -> PyException {
        Error::bad_descriptor().into()
    }
}

impl Drop for State {
    /// Closes the descriptors handed out and never taken back.
    fn drop(&mut self) {
        for &fd in self.free.get_mut().iter() {
            let _ = Socket::close_fd(fd);
        }
    }
}
