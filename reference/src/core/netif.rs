//! Network interfaces: `socket.if_nametoindex`, `socket.if_indextoname` and
//! `socket.if_nameindex` over the C calls, with CPython's errors.

use std::ffi::CString;

use super::Error;
use crate::sys;

/// `if_nametoindex(name)`; `OSError("no interface with this name")` when the C call
/// returns 0. `name` holds no NUL (the caller checks).
pub fn name_to_index(name: &[u8]) -> Result<u32, Error> {
    let c = CString::new(name).map_err(|_| Error::value("embedded null byte"))?;
    match sys::if_nametoindex(&c) {
        0 => Err(Error::os("no interface with this name")),
        index => Ok(index),
    }
}

/// `if_indextoname(index)`: the name's bytes; `OSError(errno)` when the call fails
/// (`PyErr_SetFromErrno` on every platform).
pub fn index_to_name(index: u32) -> Result<Vec<u8>, Error> {
    sys::if_indextoname(index).map_err(|e| Error::from_errno(e.0))
}

/// `if_nameindex()`: `(index, name)` for every interface; a failure is reported as the
/// OS layer's error (`PyErr_SetFromErrno` on Unix, `PyErr_SetFromWindowsErr` on
/// Windows).
pub fn name_index() -> Result<Vec<(u32, Vec<u8>)>, Error> {
    Ok(sys::if_nameindex()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_round_trip() {
        if std::env::consts::OS != "linux" {
            return; // the loopback interface is "lo" on Linux
        }
        let index = name_to_index(b"lo").unwrap();
        assert_eq!(index_to_name(index).unwrap(), b"lo");
        assert!(name_index().unwrap().contains(&(index, b"lo".to_vec())));
        assert_eq!(
            name_to_index(b"no-such-if").unwrap_err().to_string(),
            "OSError: no interface with this name"
        );
    }
}
