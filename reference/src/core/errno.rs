//! Errno names and messages for the layers above: Python's `errno.errorcode`,
//! `errno.NAME` and `os.strerror`, on this platform's values.

use crate::sys;

/// `errno.errorcode[number]`: the symbolic name of an errno value (`EAGAIN` rather than
/// `EWOULDBLOCK`, as Python reports it).
pub fn name(number: i64) -> Option<&'static str> {
    sys::errno_name(number)
}

/// `errno.NAME`: the value of a symbolic errno name, aliases included.
pub fn value(name: &str) -> Option<i64> {
    sys::errno_value(name).map(i64::from)
}

/// Every errno name Python's `errno` module defines here, with its value (aliases such as
/// `EWOULDBLOCK` included).
pub fn all() -> Vec<(&'static str, i64)> {
    sys::ERRNO
        .iter()
        .map(|&(name, value)| (name, i64::from(value)))
        .collect()
}

/// The C library's text for an errno value (`strerror(3)`): `"Invalid argument"`.
pub fn strerror(number: i32) -> String {
    sys::strerror(number)
}

/// What socket calls on a descriptor that is not open fail with: `errno.EBADF` on Unix,
/// Winsock's `WSAENOTSOCK` on Windows.
pub const EBADF: i32 = sys::Errno::EBADF.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_names() {
        if std::env::consts::OS != "linux" {
            return; // platform-specific values
        }
        assert_eq!(value("EAGAIN"), value("EWOULDBLOCK"));
        assert_eq!(name(value("EWOULDBLOCK").unwrap()), Some("EAGAIN"));
        assert_eq!(name(value("EDEADLK").unwrap()), Some("EDEADLOCK"));
        assert_eq!(name(value("EOPNOTSUPP").unwrap()), Some("ENOTSUP"));
        assert_eq!(value("EAFNOSUPPORT"), Some(97));
        assert_eq!(strerror(97), "Address family not supported by protocol");
        assert_eq!(strerror(9999), "Unknown error 9999");
        assert_eq!(name(9999), None);
    }

    #[test]
    fn every_name_round_trips_to_its_value() {
        for (n, v) in all() {
            assert_eq!(value(n), Some(v));
            assert!(name(v).is_some());
        }
    }
}
