//! The Python-level surface: the `socket` module as Python code sees it.
//!
//! Values are [`Object`]s, raised exceptions are [`PyException`]s, and [`Module`] is
//! one instance of the module: `getattr` / `getattr_of` / `call` reproduce what CPython
//! does for each name, including which argument types are accepted and the exact
//! exception and message for each bad one. The conformance runner drives this layer.

mod args;
mod builtins;
mod exception;
mod functions;
mod io;
mod module;
mod msg;
mod object;
mod sendfile;
mod signals;
mod socket;
mod sockfuncs;
mod state;

pub use exception::PyException;
pub use functions::parse_timeout;
pub use module::Module;
pub use object::{
    Class, EnumMember, Identity, MemoryView, Object, Real, RealKind, bytes_repr, float_repr, repr,
    str, str_repr, tp_name, truthy, type_name,
};
pub use signals::{HANDLER_MESSAGE, HandlerAction, Interrupt};
pub use socket::{Method, SocketRef};

/// Python's `errno` module on this platform: every `errno.NAME` with its value (aliases
/// such as `EWOULDBLOCK` included), for resolving `errno:` expectations by name.
pub fn errno_values() -> Vec<(String, i64)> {
    crate::core::errno::all()
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

#[cfg(test)]
mod tests;
