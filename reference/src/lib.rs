//! Rust reference implementation of the documented semantics of Python's `socket` module.
