//! PEP 475 in the typed core: what a blocking call does when a signal interrupts it.
//!
//! CPython's socket calls, on `EINTR`, call `PyErr_CheckSignals()`: the Python handlers
//! of the signals that arrived run there; when one raises, the call fails with that
//! exception, otherwise the call is retried (with the time left of its timeout). The
//! core has no Python handlers, so it asks a hook: [`check_signals`] is its
//! `PyErr_CheckSignals()`, called at each place CPython calls it, and runs the
//! [`SignalHandlers`] that the layer above installed on this thread ([`install`]).
//! Without one, nothing runs and the call is retried.
//!
//! The hook is per thread, as signals are: the OS layer delivers the signal to one
//! thread ([`Delivery`]) and counts its arrivals there ([`take_pending`]).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use super::Error;
use crate::sys;

/// The Python-level handlers, as the core sees them: something to run when a call was
/// interrupted.
pub trait SignalHandlers {
    /// `PyErr_CheckSignals()`: runs the handlers of the signals that arrived on this
    /// thread since the last check ([`take_pending`]); `Err` is the exception one of
    /// them raised.
    fn check(&self) -> Result<(), Error>;
}

thread_local! {
    static HANDLERS: RefCell<Option<Rc<dyn SignalHandlers>>> = const { RefCell::new(None) };
}

/// Installs `handlers` for this thread until the returned guard is dropped (which puts
/// back what was installed before).
pub fn install(handlers: Rc<dyn SignalHandlers>) -> Installed {
    let previous = HANDLERS.with(|h| h.borrow_mut().replace(handlers));
    Installed { previous }
}

/// Keeps handlers installed (see [`install`]).
pub struct Installed {
    previous: Option<Rc<dyn SignalHandlers>>,
}

impl Drop for Installed {
    fn drop(&mut self) {
        let previous = self.previous.take();
        HANDLERS.with(|h| *h.borrow_mut() = previous);
    }
}

/// CPython's `PyErr_CheckSignals()`, where a socket call makes it: runs this thread's
/// handlers, if any are installed. `Err` is the exception a handler raised, which the
/// interrupted call raises in place of retrying.
pub fn check_signals() -> Result<(), Error> {
    let handlers = HANDLERS.with(|h| h.borrow().clone());
    match handlers {
        Some(h) => h.check(),
        None => Ok(()),
    }
}

/// How many times the signal arrived on this thread since the last call (the OS
/// layer's count); resets it.
pub fn take_pending() -> u32 {
    sys::take_pending()
}

/// A signal due on the calling thread after a delay (see [`Delivery::after`]).
#[derive(Debug)]
pub struct Delivery(sys::Alarm);

impl Delivery {
    /// Delivers the signal (`SIGALRM`) to the calling thread `after` from now, unless
    /// cancelled first; on a platform without signals (`sys::FEATURES.signals`) an
    /// `OSError`.
    pub fn after(after: Duration) -> Result<Delivery, Error> {
        Ok(Delivery(sys::Alarm::arm(after)?))
    }

    /// Cancels the delivery; once this returns, the signal is not sent any more (it may
    /// have been already).
    pub fn cancel(self) {
        self.0.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    struct Counting {
        runs: Cell<u32>,
        raise: bool,
    }

    impl SignalHandlers for Counting {
        fn check(&self) -> Result<(), Error> {
            if take_pending() == 0 {
                return Ok(());
            }
            self.runs.set(self.runs.get() + 1);
            if self.raise {
                Err(Error::new(super::super::ExcType::RuntimeError, "boom"))
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn installed_handlers_run_and_are_removed() {
        assert!(check_signals().is_ok(), "nothing installed: nothing runs");
        let h = Rc::new(Counting {
            runs: Cell::new(0),
            raise: true,
        });
        {
            let _guard = install(h.clone());
            assert!(check_signals().is_ok(), "no signal pending");
        }
        assert_eq!(h.runs.get(), 0);
        assert!(HANDLERS.with(|x| x.borrow().is_none()));
    }
}
