//! OS layer: the only place that talks to the C library and the kernel headers.
//!
//! Everything below `sys` is per-OS; the portable layers above (`core`, `py`) see one
//! interface. The OS module is chosen here, in this one place, the way socket2 picks
//! `sys/unix.rs` or `sys/windows.rs`. Every `unsafe` block lives below this module and
//! carries a `// SAFETY:` comment.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;
