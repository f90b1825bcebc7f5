//! Rust reference implementation of the documented semantics of Python's `socket` module.
//!
//! Three layers, each knowing only the one below (the socket2 crate is the model):
//!
//! 1. [`sys`] — the OS layer: libc and socket2 calls, errno names, the platform's
//!    constant values.
//!    The only place with `unsafe` and per-OS code.
//! 2. [`core`] — typed, portable semantics: the exception hierarchy, the constants table
//!    with its enum classes, byte order, address conversion, ancillary-data sizes, the
//!    default timeout, socket addresses and the socket with its blocking / non-blocking /
//!    timeout state machine.
//! 3. [`py`] — the surface as Python sees it: values ([`py::Object`]), exceptions
//!    ([`py::PyException`]) and the module ([`py::Module`]) whose `getattr` / `call`
//!    reproduce CPython's argument parsing and messages. Conformance cases drive this.

pub mod core;
pub mod py;
pub mod sys;
