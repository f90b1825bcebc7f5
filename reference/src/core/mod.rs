//! Typed core: the portable semantics of the `socket` module, free of per-OS code.
//!
//! It knows the OS layer ([`crate::sys`]) and nothing above it: no Python values here,
//! only typed Rust inputs and the typed [`Error`] that models Python's exceptions.

pub mod address;
pub mod byteorder;
pub mod cmsg;
pub mod codec;
pub mod constants;
pub mod errno;
pub mod error;
pub mod idna;
pub mod inet;
pub mod io;
pub mod netdb;
pub mod netif;
pub mod sendfile;
pub mod signals;
pub mod socket;
pub mod timeout;

pub use error::{Error, ExcType};
