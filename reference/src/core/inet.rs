//! IPv4/IPv6 address conversion: the semantics of `socket.inet_aton`,
//! `socket.inet_ntoa`, `socket.inet_pton` and `socket.inet_ntop` on typed inputs.
//!
//! Parsing is the C library's (`inet_aton(3)`, `inet_pton(3)`, `inet_ntop(3)` through
//! [`crate::sys`]), exactly as CPython calls it; the exceptions and their texts are
//! CPython's (`Modules/socketmodule.c`).

use std::ffi::CString;

use super::Error;
use crate::sys;

/// `AF_INET` on this platform.
pub const AF_INET: i32 = sys::AF_INET;
/// `AF_INET6` on this platform.
pub const AF_INET6: i32 = sys::AF_INET6;

fn c_string(text: &str) -> Result<CString, Error> {
    CString::new(text).map_err(|_| Error::value("embedded null character"))
}

/// `socket.inet_aton(ip_string)` → C `inet_aton(3)`: 4 bytes in network order.
///
/// Invalid text raises `OSError("illegal IP address string passed to inet_aton")`.
pub fn aton(text: &str) -> Result<[u8; 4], Error> {
    let c = c_string(text)?;
    sys::inet_aton(&c).ok_or_else(|| Error::os("illegal IP address string passed to inet_aton"))
}

/// `socket.inet_ntoa(packed_ip)` → C `inet_ntoa(3)`: dotted-quad text of 4 bytes.
///
/// Any other length raises `OSError("packed IP wrong length for inet_ntoa")`.
pub fn ntoa(packed: &[u8]) -> Result<String, Error> {
    match packed {
        [a, b, c, d] => Ok(format!("{a}.{b}.{c}.{d}")),
        _ => Err(Error::os("packed IP wrong length for inet_ntoa")),
    }
}

/// `socket.inet_pton(address_family, ip_string)` → C `inet_pton(3)`.
///
/// Text the C library rejects raises `OSError("illegal IP address string passed to
/// inet_pton")`; a family it does not know raises `OSError(EAFNOSUPPORT, …)` from the
/// C call's errno.
pub fn pton(family: i32, text: &str) -> Result<Vec<u8>, Error> {
    let c = c_string(text)?;
    match sys::inet_pton(family, &c) {
        Ok(packed) if family == AF_INET || family == AF_INET6 => Ok(packed),
        // CPython only knows how to size the result for these two families.
        Ok(_) => Err(Error::os("unknown address family")),
        Err(sys::InetError::Invalid) => {
            Err(Error::os("illegal IP address string passed to inet_pton"))
        }
        Err(sys::InetError::Errno(errno)) => Err(Error::from_errno(errno)),
    }
}

/// `socket.inet_ntop(address_family, packed_ip)` → C `inet_ntop(3)`.
///
/// A packed address of the wrong length raises `ValueError("invalid length of packed IP
/// address string")`; a family other than `AF_INET` / `AF_INET6` raises
/// `ValueError("unknown address family N")`.
pub fn ntop(family: i32, packed: &[u8]) -> Result<String, Error> {
    let expected = if family == AF_INET {
        4
    } else if family == AF_INET6 {
        16
    } else {
        return Err(Error::value(format!("unknown address family {family}")));
    };
    if packed.len() != expected {
        return Err(Error::value("invalid length of packed IP address string"));
    }
    sys::inet_ntop(family, packed).map_err(|e| match e {
        sys::InetError::Errno(errno) => Error::from_errno(errno),
        sys::InetError::Invalid => Error::value("invalid length of packed IP address string"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ExcType;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("1.2.3.4", [1, 2, 3, 4])]
    #[case("1.2.3", [1, 2, 0, 3])]
    #[case("1.2", [1, 0, 0, 2])]
    #[case("1", [0, 0, 0, 1])]
    #[case("0x7f.1", [127, 0, 0, 1])]
    #[case("017.0.0.1", [15, 0, 0, 1])]
    #[case("4294967295", [255, 255, 255, 255])]
    #[case("1.2.3.4 xyz", [1, 2, 3, 4])]
    #[case("1.2.3.4\n", [1, 2, 3, 4])]
    fn aton_lenient(#[case] text: &str, #[case] packed: [u8; 4]) {
        assert_eq!(aton(text), Ok(packed));
    }

    #[rstest]
    #[case("")]
    #[case("1.2.3.4x")]
    #[case(" 1.2.3.4")]
    #[case("256.1.1.1")]
    #[case("4294967296")]
    #[case("1.2.3.4.5")]
    #[case("08")]
    #[case("é")]
    fn aton_rejects(#[case] text: &str) {
        let err = aton(text).unwrap_err();
        assert_eq!(err.ty, ExcType::OSError);
        assert_eq!(
            err.message(),
            "illegal IP address string passed to inet_aton"
        );
    }

    #[test]
    fn aton_embedded_nul() {
        let err = aton("1.2.3.4\0").unwrap_err();
        assert_eq!(
            (err.ty, err.message()),
            (ExcType::ValueError, "embedded null character".into())
        );
    }

    #[rstest]
    #[case(AF_INET6, "::ffff:1.2.3.4", "::ffff:1.2.3.4")]
    #[case(AF_INET6, "0:0:0:0:0:0:0:1", "::1")]
    #[case(AF_INET6, "FFFF::", "ffff::")]
    #[case(AF_INET, "255.255.255.255", "255.255.255.255")]
    fn pton_ntop(#[case] family: i32, #[case] text: &str, #[case] canonical: &str) {
        let packed = pton(family, text).unwrap();
        assert_eq!(ntop(family, &packed).unwrap(), canonical);
    }

    #[rstest]
    #[case(AF_INET, "1.2.3")]
    #[case(AF_INET, "01.2.3.4")]
    #[case(AF_INET, "::1")]
    #[case(AF_INET6, "1::2::3")]
    #[case(AF_INET6, "::1%lo")]
    #[case(AF_INET6, "1.2.3.4")]
    fn pton_rejects(#[case] family: i32, #[case] text: &str) {
        let err = pton(family, text).unwrap_err();
        assert_eq!(
            err.message(),
            "illegal IP address string passed to inet_pton"
        );
    }

    #[test]
    fn pton_bad_family_is_eafnosupport() {
        let err = pton(-1, "1.2.3.4").unwrap_err();
        let errno = sys::errno_value("EAFNOSUPPORT").unwrap();
        assert_eq!(err, Error::from_errno(errno));
        assert!(err.message().starts_with(&format!("[Errno {errno}] ")));
    }

    #[rstest]
    #[case(AF_INET, 3)]
    #[case(AF_INET, 16)]
    #[case(AF_INET6, 4)]
    #[case(AF_INET6, 0)]
    fn ntop_wrong_length(#[case] family: i32, #[case] len: usize) {
        let err = ntop(family, &vec![0; len]).unwrap_err();
        assert_eq!(
            (err.ty, err.message()),
            (
                ExcType::ValueError,
                "invalid length of packed IP address string".into()
            )
        );
    }

    #[test]
    fn ntop_unknown_family() {
        assert_eq!(
            ntop(12345, b"1234").unwrap_err().message(),
            "unknown address family 12345"
        );
    }

    proptest! {
        #[test]
        fn ntoa_aton_round_trip(packed: [u8; 4]) {
            let text = ntoa(&packed).unwrap();
            prop_assert_eq!(aton(&text).unwrap(), packed);
            prop_assert_eq!(pton(AF_INET, &text).unwrap(), packed.to_vec());
        }

        #[test]
        fn ntop_pton_round_trip_v6(packed: [u8; 16]) {
            let text = ntop(AF_INET6, &packed).unwrap();
            prop_assert_eq!(pton(AF_INET6, &text).unwrap(), packed.to_vec());
        }

        #[test]
        fn ntop_pton_round_trip_v4(packed: [u8; 4]) {
            let text = ntop(AF_INET, &packed).unwrap();
            prop_assert_eq!(&text, &ntoa(&packed).unwrap());
            prop_assert_eq!(pton(AF_INET, &text).unwrap(), packed.to_vec());
        }
    }
}
