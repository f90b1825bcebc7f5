//! Ancillary-data sizes: `socket.CMSG_LEN` and `socket.CMSG_SPACE` over the C macros
//! `CMSG_LEN(3)` / `CMSG_SPACE(3)`, with CPython's range rule.
//!
//! CPython refuses any result above `SOCKLEN_T_LIMIT` (`0x7fffffff`, the smaller of
//! 2**31 - 1 and `INT_MAX`) so that it fits a `socklen_t` everywhere.

use super::Error;
use crate::sys;

/// CPython's `SOCKLEN_T_LIMIT`.
pub const SOCKLEN_T_LIMIT: u64 = 0x7fff_ffff;

/// `CMSG_LEN(length)`; `OverflowError("CMSG_LEN() argument out of range")` when
/// `length` is negative or the result would pass [`SOCKLEN_T_LIMIT`].
pub fn len(length: i64) -> Result<u64, Error> {
    checked(length, sys::cmsg_len(0), sys::cmsg_len)
        .ok_or_else(|| Error::overflow("CMSG_LEN() argument out of range"))
}

/// `CMSG_SPACE(length)`; `OverflowError("CMSG_SPACE() argument out of range")` when
/// `length` is negative or the result would pass [`SOCKLEN_T_LIMIT`].
pub fn space(length: i64) -> Result<u64, Error> {
    // CPython compares with CMSG_SPACE(1) to account for padding before and after.
    checked(length, sys::cmsg_space(1), sys::cmsg_space)
        .ok_or_else(|| Error::overflow("CMSG_SPACE() argument out of range"))
}

/// The control-buffer size `sendmsg` needs for items of these data lengths (the sum of
/// their `CMSG_SPACE`), with CPython's errors: `OSError("ancillary data item too
/// large")` for one item, `OSError("too much ancillary data")` for the total.
pub fn control_space(lens: &[usize]) -> Result<usize, Error> {
    let mut total: u64 = 0;
    for &len in lens {
        let space = u32::try_from(len)
            .ok()
            .filter(|&l| u64::from(l) <= SOCKLEN_T_LIMIT - sys::cmsg_space(1))
            .map(sys::cmsg_space)
            .ok_or_else(|| Error::os("ancillary data item too large"))?;
        total += space;
        if total > SOCKLEN_T_LIMIT {
            return Err(Error::os("too much ancillary data"));
        }
    }
    Ok(usize::try_from(total).unwrap_or(usize::MAX))
}

/// Checks `recvmsg`'s `ancbufsize`: `ValueError("invalid ancillary data buffer
/// length")` when negative or above [`SOCKLEN_T_LIMIT`].
pub fn check_ancbufsize(n: i64) -> Result<usize, Error> {
    u64::try_from(n)
        .ok()
        .filter(|&n| n <= SOCKLEN_T_LIMIT)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| Error::value("invalid ancillary data buffer length"))
}

fn checked(length: i64, overhead: u64, f: fn(u32) -> u64) -> Option<u64> {
    let length = u64::try_from(length).ok()?;
    if length > SOCKLEN_T_LIMIT.checked_sub(overhead)? {
        return None;
    }
    let result = f(u32::try_from(length).ok()?);
    (result <= SOCKLEN_T_LIMIT && result >= length).then_some(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case(0, 16, 16)]
    #[case(1, 17, 24)]
    #[case(4, 20, 24)]
    #[case(2_147_483_647 - 24, 2_147_483_639, 2_147_483_640)]
    fn linux_values(#[case] n: i64, #[case] l: u64, #[case] s: u64) {
        if !(std::env::consts::OS == "linux" && cfg!(target_pointer_width = "64")) {
            return; // platform-specific values
        }
        assert_eq!(len(n), Ok(l));
        assert_eq!(space(n), Ok(s));
    }

    #[test]
    fn linux_limits() {
        if !(std::env::consts::OS == "linux" && cfg!(target_pointer_width = "64")) {
            return; // platform-specific values
        }
        // The largest accepted lengths, as CPython 3.13 on x86_64 Linux reports them.
        assert_eq!(len(2_147_483_647 - 16), Ok(2_147_483_647));
        assert!(len(2_147_483_647 - 15).is_err());
        assert!(space(2_147_483_647 - 23).is_err());
    }

    #[rstest]
    #[case(-1)]
    #[case(i64::from(i32::MAX))]
    #[case(1 << 31)]
    #[case(i64::MAX)]
    #[case(i64::MIN)]
    fn out_of_range(#[case] n: i64) {
        assert_eq!(
            len(n).unwrap_err().message(),
            "CMSG_LEN() argument out of range"
        );
        assert_eq!(
            space(n).unwrap_err().message(),
            "CMSG_SPACE() argument out of range"
        );
    }

    #[test]
    fn control_space_sums() {
        assert_eq!(control_space(&[]), Ok(0));
        let one = sys::cmsg_space(4) as usize;
        assert_eq!(control_space(&[4, 4]), Ok(2 * one));
        assert_eq!(
            control_space(&[usize::MAX]).unwrap_err().message(),
            "ancillary data item too large"
        );
        assert_eq!(
            control_space(&[0x4000_0000, 0x4000_0000])
                .unwrap_err()
                .message(),
            "too much ancillary data"
        );
    }

    #[rstest]
    #[case(0, Ok(0))]
    #[case(64, Ok(64))]
    #[case(0x7fff_ffff, Ok(0x7fff_ffff))]
    #[case(0x8000_0000, Err(()))]
    #[case(-1, Err(()))]
    fn ancbufsize(#[case] n: i64, #[case] expected: Result<usize, ()>) {
        assert_eq!(check_ancbufsize(n).map_err(|_| ()), expected);
    }

    proptest! {
        #[test]
        fn space_covers_len(n in 0i64..1_000_000) {
            let l = len(n).unwrap();
            let s = space(n).unwrap();
            prop_assert!(l >= n as u64);
            prop_assert!(s >= l);
        }
    }
}
