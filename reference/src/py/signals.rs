//! The Python-level signal handler of a step that a signal interrupts (PEP 475).
//!
//! CPython runs a signal's Python handler in `PyErr_CheckSignals()`, which the socket
//! calls make when a system call fails with `EINTR`; the handler's exception, if any,
//! becomes the call's. Here an [`Interrupt`] installs such a handler on the case's thread
//! (the core's [`signals::SignalHandlers`] hook, which the core calls where CPython calls
//! `PyErr_CheckSignals()`) and has the OS deliver the real signal (`SIGALRM`) to that
//! thread after a delay. The handler either returns (the call is retried) or raises
//! `RuntimeError("raised by the signal handler")`, and counts its runs.
//!
//! As in CPython, signals that arrived since the last check make one run of the handler
//! (its "tripped" flag), and a signal that arrives outside an interrupted call runs
//! nothing until the next check; when the step ends, such a signal is dropped.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use crate::core::signals::{self, Delivery, Installed, SignalHandlers};
use crate::core::{Error, ExcType};

/// What the handler does when it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerAction {
    /// It returns: the interrupted call carries on.
    Returns,
    /// It raises `RuntimeError("raised by the signal handler")`.
    Raises,
}

/// The message of the exception a raising handler raises.
pub const HANDLER_MESSAGE: &str = "raised by the signal handler";

/// The Python handler: its action and how many times it ran.
#[derive(Debug)]
struct Handler {
    action: HandlerAction,
    runs: Cell<u64>,
}

impl SignalHandlers for Handler {
    fn check(&self) -> Result<(), Error> {
        if signals::take_pending() == 0 {
            return Ok(());
        }
        self.runs.set(self.runs.get() + 1);
        match self.action {
            HandlerAction::Returns => Ok(()),
            HandlerAction::Raises => Err(Error::new(ExcType::RuntimeError, HANDLER_MESSAGE)),
        }
    }
}

/// A handler installed on this thread and a signal due on it (see the module docs);
/// [`Interrupt::finish`] cancels what has not happened yet and removes the handler.
pub struct Interrupt {
    handler: Rc<Handler>,
    delivery: Option<Delivery>,
    installed: Option<Installed>,
}

impl Interrupt {
    /// Installs a handler that does `action` and has the signal delivered to this
    /// thread `after` from now. `Err` says why it cannot be done (no signals on this
    /// platform).
    pub fn arm(after: Duration, action: HandlerAction) -> Result<Interrupt, String> {
        // A signal left over from an earlier step is not this one's.
        signals::take_pending();
        let handler = Rc::new(Handler {
            action,
            runs: Cell::new(0),
        });
        let installed = signals::install(handler.clone());
        let delivery = Delivery::after(after)
            .map_err(|e| format!("cannot deliver a signal here: {}", e.message()))?;
        Ok(Interrupt {
            handler,
            delivery: Some(delivery),
            installed: Some(installed),
        })
    }

    /// Cancels the delivery if still due, removes the handler and drops a signal that
    /// arrived without interrupting a call; how many times the handler ran.
    pub fn finish(mut self) -> u64 {
        self.stop();
        self.handler.runs.get()
    }

    fn stop(&mut self) {
        if let Some(d) = self.delivery.take() {
            d.cancel();
        }
        self.installed.take();
        signals::take_pending();
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        self.stop();
    }
}
