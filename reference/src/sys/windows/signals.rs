//! Signals on Windows: none that can interrupt a socket call. CPython has no
//! `signal.setitimer` there and Winsock calls are not interrupted by the C runtime's
//! signals, so PEP 475's retry never happens; `FEATURES.signals` is false and nothing
//! here delivers anything.

use std::time::Duration;

use super::Errno;
use windows_sys::Win32::Networking::WinSock as ws;

/// No signal is used here; the number is `SIGALRM`'s POSIX value, for symmetry only.
pub const SIGNAL: i32 = 14;

/// Always 0: no signal ever arrives.
pub fn take_pending() -> u32 {
    0
}

/// A delivery that cannot be made here.
#[derive(Debug)]
pub struct Alarm(());

impl Alarm {
    /// Always fails with `WSAEOPNOTSUPP`: there is no signal to deliver.
    pub fn arm(_after: Duration) -> Result<Alarm, Errno> {
        Err(Errno(ws::WSAEOPNOTSUPP))
    }

    /// Nothing to stop.
    pub fn cancel(self) {}
}
