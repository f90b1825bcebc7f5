//! A real signal delivered to one thread: the OS half of PEP 475 (a blocking call that a
//! signal interrupts fails with `EINTR`, and the caller decides what to do).
//!
//! One signal, [`SIGNAL`] (`SIGALRM`), gets a process-wide `sigaction` whose C handler only
//! counts the arrival in a per-thread counter, the way CPython's C-level handler only
//! "trips" the signal for the interpreter to run the Python handler later
//! (`PyErr_CheckSignals`). The handler is installed without `SA_RESTART`, so that a
//! blocking call in progress fails with `EINTR` instead of being restarted by the kernel,
//! as under CPython's `signal.signal` (which never sets `SA_RESTART`).
//!
//! [`Alarm::arm`] sends the signal to the calling thread after a delay, from a timer
//! thread that `pthread_kill`s it; [`Alarm::cancel`] (or dropping the alarm) stops the
//! timer and waits for it, so the signal is never sent once the alarm is gone, and never
//! to a thread that may have ended. The conformance runner uses no signal itself, and
//! other threads never receive this one (it is only ever sent to one thread), so the
//! process-wide disposition affects nobody else.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, Once};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Errno;

/// The signal used: `SIGALRM`, the one `signal.setitimer(ITIMER_REAL, …)` raises.
pub const SIGNAL: i32 = libc::SIGALRM;

thread_local! {
    /// How many times [`SIGNAL`] arrived on this thread since [`take_pending`] last
    /// looked. A `const` initialiser without `Drop` makes the access a plain
    /// thread-local load (no lazy registration), and an atomic makes the swap in
    /// `take_pending` safe against the handler interrupting it on the same thread: both
    /// are async-signal-safe.
    static PENDING: AtomicU32 = const { AtomicU32::new(0) };
}

/// The C handler: counts the arrival on the thread that received it, nothing else.
extern "C" fn on_signal(_signum: libc::c_int) {
    PENDING.with(|p| p.fetch_add(1, Ordering::SeqCst));
}

/// Installs the handler of [`SIGNAL`] for the whole process, once; later calls report
/// the first outcome.
fn install() -> Result<(), Errno> {
    static ONCE: Once = Once::new();
    static RESULT: AtomicU32 = AtomicU32::new(0);
    ONCE.call_once(|| {
        // SAFETY: `sigaction` is a plain C structure for which all zeroes is a valid
        // (empty) value; every field that matters is set below.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // No SA_RESTART: an interrupted call fails with EINTR (PEP 475's premise).
        action.sa_flags = 0;
        // SAFETY: `sa_mask` is a valid `sigset_t` owned by `action`.
        unsafe { libc::sigemptyset(&mut action.sa_mask) };
        // SAFETY: `action` is fully initialised, the handler only touches a thread-local
        // atomic (async-signal-safe), and a null old action is allowed.
        let rc = unsafe { libc::sigaction(SIGNAL, &action, std::ptr::null_mut()) };
        let errno = if rc < 0 { Errno::last().0 } else { 0 };
        RESULT.store(u32::try_from(errno).unwrap_or(u32::MAX), Ordering::SeqCst);
    });
    match RESULT.load(Ordering::SeqCst) {
        0 => Ok(()),
        e => Err(Errno(i32::try_from(e).unwrap_or(libc::EINVAL))),
    }
}

/// How many times [`SIGNAL`] arrived on this thread since the last call; resets the
/// count.
pub fn take_pending() -> u32 {
    PENDING.with(|p| p.swap(0, Ordering::SeqCst))
}

/// The `pthread_t` of a thread, to be sent a signal from another one.
#[derive(Clone, Copy)]
struct Target(libc::pthread_t);

// SAFETY: a `pthread_t` is an identifier (an integer or an opaque pointer that is never
// dereferenced here); `pthread_kill` may be called with it from any thread while the
// thread lives, which `Alarm` guarantees (see its docs).
unsafe impl Send for Target {}

/// [`SIGNAL`] due on the thread that armed it, after a delay; cancelled (and its timer
/// thread joined) by [`Alarm::cancel`] or when dropped.
#[derive(Debug)]
pub struct Alarm {
    /// What the timer thread waits on: the time the signal is due (set once the thread
    /// runs, so that the delay counts from the end of [`Alarm::arm`], however long
    /// starting a thread took) and whether the alarm was cancelled. The timer sends the
    /// signal while holding the lock, so after cancelling, the signal was either sent
    /// already or never will be.
    shared: Arc<(Mutex<Timer>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

/// The state of an [`Alarm`]'s timer.
#[derive(Debug, Default)]
struct Timer {
    due: Option<Instant>,
    cancelled: bool,
}

impl Alarm {
    /// Sends [`SIGNAL`] to the calling thread `after` from when this returns, unless
    /// cancelled first. Installs the handler on first use.
    ///
    /// The calling thread must not end while the alarm lives: it owns the alarm, whose
    /// drop joins the timer thread, so it cannot (dropping it is the way out).
    pub fn arm(after: Duration) -> Result<Alarm, Errno> {
        install()?;
        // SAFETY: `pthread_self` has no preconditions.
        let target = Target(unsafe { libc::pthread_self() });
        let shared = Arc::new((Mutex::new(Timer::default()), Condvar::new()));
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("sockconf alarm".into())
            .spawn(move || {
                let target = target;
                let (lock, cv) = &*theirs;
                let mut timer = lock.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if timer.cancelled {
                        return;
                    }
                    let now = Instant::now();
                    let wait = match timer.due {
                        Some(due) if now >= due => break,
                        Some(due) => due - now,
                        // Not told yet: wait to be.
                        None => Duration::from_secs(3600),
                    };
                    timer = cv
                        .wait_timeout(timer, wait)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
                // SAFETY: the target thread is alive: it cannot end before it has
                // cancelled the alarm, which takes this lock, held here.
                unsafe { libc::pthread_kill(target.0, SIGNAL) };
                timer.cancelled = true;
            })
            .map_err(Errno::from)?;
        {
            let (lock, cv) = &*shared;
            lock.lock().unwrap_or_else(|e| e.into_inner()).due = Some(Instant::now() + after);
            cv.notify_all();
        }
        Ok(Alarm {
            shared,
            thread: Some(thread),
        })
    }

    /// Stops the alarm: after this the signal is not sent (it may have been already).
    pub fn cancel(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let (lock, cv) = &*self.shared;
        lock.lock().unwrap_or_else(|e| e.into_inner()).cancelled = true;
        cv.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocking_poll_is_interrupted() {
        let (a, _b) =
            super::super::Socket::pair(libc::AF_UNIX, libc::SOCK_STREAM, 0).expect("socketpair");
        take_pending();
        let alarm = Alarm::arm(Duration::from_millis(50)).expect("arm");
        let began = Instant::now();
        let got = a.poll(super::super::Interest::Read, 5000);
        alarm.cancel();
        assert_eq!(got, Err(Errno::EINTR));
        assert!(began.elapsed() < Duration::from_secs(4));
        assert_eq!(take_pending(), 1);
        assert_eq!(take_pending(), 0);
    }

    #[test]
    fn a_cancelled_alarm_sends_nothing() {
        take_pending();
        let alarm = Alarm::arm(Duration::from_millis(30)).expect("arm");
        alarm.cancel();
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(take_pending(), 0);
    }
}
