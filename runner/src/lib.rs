//! The sockconf runner library.
