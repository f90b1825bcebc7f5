//! Timeouts in seconds: the conversion CPython applies to `socket.setdefaulttimeout`
//! (and `socket.settimeout`) values, and the module's default-timeout state. What a
//! timeout does to a socket is [`super::socket`]'s.
//!
//! CPython stores a timeout as a `PyTime_t` (signed 64-bit nanoseconds). An int goes
//! through `_PyTime_FromSecondsObject`'s integer path (overflow:
//! `OverflowError("timestamp too large to convert to C PyTime_t")`), a float through its
//! float path (NaN: `ValueError("Invalid value NaN (not a number)")`, out of range:
//! `OverflowError("timestamp out of range for platform time_t")`), both rounded
//! away from zero (`_PyTime_ROUND_TIMEOUT`). `socket_parse_timeout` then refuses a
//! negative result with `ValueError("Timeout value out of range")`.

use super::Error;

/// Nanoseconds per second.
pub const NS_PER_SEC: i64 = 1_000_000_000;

/// A valid (non-negative) timeout, in nanoseconds. `0` means non-blocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timeout {
    nanos: i64,
}

impl Timeout {
    /// The zero timeout: non-blocking.
    pub const ZERO: Timeout = Timeout { nanos: 0 };

    /// The timeout of `nanos` nanoseconds; `ValueError("Timeout value out of range")`
    /// when negative.
    pub fn from_nanos(nanos: i64) -> Result<Timeout, Error> {
        if nanos < 0 {
            return Err(Error::value("Timeout value out of range"));
        }
        Ok(Timeout { nanos })
    }

    /// The timeout in nanoseconds.
    pub fn as_nanos(self) -> i64 {
        self.nanos
    }

    /// The timeout in seconds as `socket.getdefaulttimeout()` returns it
    /// (`PyTime_AsSecondsDouble`: whole seconds are divided as integers first).
    pub fn as_secs_f64(self) -> f64 {
        if self.nanos % NS_PER_SEC == 0 {
            (self.nanos / NS_PER_SEC) as f64
        } else {
            self.nanos as f64 / 1e9
        }
    }

    /// The timeout of a duration (saturating at `i64::MAX` nanoseconds).
    pub fn from_duration(d: std::time::Duration) -> Timeout {
        Timeout {
            nanos: i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        }
    }

    /// The timeout as a [`std::time::Duration`].
    pub fn as_duration(self) -> std::time::Duration {
        std::time::Duration::from_nanos(self.nanos.unsigned_abs())
    }
}

/// Seconds given as a Python int, to nanoseconds. `seconds` is `None` when the int does
/// not fit a C `long long`.
pub fn nanos_from_int(seconds: Option<i64>) -> Result<i64, Error> {
    seconds
        .and_then(|s| s.checked_mul(NS_PER_SEC))
        .ok_or_else(|| Error::overflow("timestamp too large to convert to C PyTime_t"))
}

/// Seconds given as a Python float, to nanoseconds, rounded away from zero.
pub fn nanos_from_float(seconds: f64) -> Result<i64, Error> {
    if seconds.is_nan() {
        return Err(Error::value("Invalid value NaN (not a number)"));
    }
    let d = seconds * 1e9;
    let d = if d >= 0.0 { d.ceil() } else { d.floor() };
    // `i64::MIN as f64` is exactly -2**63; the check is written so that it is false for
    // every value that does not convert (including infinities).
    let min = i64::MIN as f64;
    if !(min <= d && d < -min) {
        return Err(Error::overflow(
            "timestamp out of range for platform time_t",
        ));
    }
    Ok(d as i64)
}

/// The module-wide default timeout for new sockets (`socket.getdefaulttimeout()`):
/// `None` (blocking) when the module is first imported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefaultTimeout(Option<Timeout>);

impl DefaultTimeout {
    /// The current default (`None`: no timeout).
    pub fn get(self) -> Option<Timeout> {
        self.0
    }

    /// Sets the default (`socket.setdefaulttimeout`).
    pub fn set(&mut self, timeout: Option<Timeout>) {
        self.0 = timeout;
    }
}

/// The deadline of one call in timeout mode (CPython's `_PyDeadline_Init` /
/// `_PyDeadline_Get`): a call that waits more than once waits, each time, only for what is
/// left of its timeout.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    timeout: Timeout,
    /// `None` when now + timeout is beyond what the clock can represent.
    at: Option<std::time::Instant>,
}

impl Deadline {
    /// A deadline `timeout` from now.
    pub fn start(timeout: Timeout) -> Deadline {
        Deadline {
            timeout,
            at: std::time::Instant::now().checked_add(timeout.as_duration()),
        }
    }

    /// The whole timeout.
    pub fn timeout(self) -> Timeout {
        self.timeout
    }

    /// The time left; `None` once the deadline has passed. A deadline beyond the clock's
    /// range always has the whole timeout left (the wait then goes in slices).
    pub fn left(self) -> Option<std::time::Duration> {
        match self.at {
            None => Some(self.timeout.as_duration()),
            Some(at) => at.checked_duration_since(std::time::Instant::now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    #[test]
    fn a_deadline_runs_out() {
        let d = Deadline::start(Timeout::from_nanos(20_000_000).unwrap());
        let left = d.left().expect("time is left at first");
        assert!(left <= d.timeout().as_duration());
        std::thread::sleep(std::time::Duration::from_millis(30));
        assert_eq!(d.left(), None, "the deadline has passed");
    }

    #[test]
    fn a_deadline_beyond_the_clock_keeps_the_whole_timeout() {
        let huge = Timeout::from_nanos(i64::MAX).unwrap();
        let d = Deadline {
            timeout: huge,
            at: None,
        };
        assert_eq!(d.left(), Some(huge.as_duration()));
    }

    fn parse_float(s: f64) -> Result<f64, String> {
        nanos_from_float(s)
            .and_then(Timeout::from_nanos)
            .map(Timeout::as_secs_f64)
            .map_err(|e| e.to_string())
    }

    #[rstest]
    #[case(0.0, Ok(0.0))]
    #[case(-0.0, Ok(0.0))]
    #[case(1.5, Ok(1.5))]
    #[case(1e-10, Ok(1e-9))]
    #[case(9_223_372_036.0, Ok(9_223_372_036.0))]
    #[case(-1e-10, Err("ValueError: Timeout value out of range"))]
    #[case(-1.0, Err("ValueError: Timeout value out of range"))]
    #[case(f64::NAN, Err("ValueError: Invalid value NaN (not a number)"))]
    #[case(
        f64::INFINITY,
        Err("OverflowError: timestamp out of range for platform time_t")
    )]
    #[case(
        f64::NEG_INFINITY,
        Err("OverflowError: timestamp out of range for platform time_t")
    )]
    #[case(
        9_223_372_036.854_776,
        Err("OverflowError: timestamp out of range for platform time_t")
    )]
    #[case(1e19, Err("OverflowError: timestamp out of range for platform time_t"))]
    fn floats(#[case] s: f64, #[case] expected: Result<f64, &str>) {
        assert_eq!(parse_float(s), expected.map_err(str::to_owned));
    }

    #[rstest]
    #[case(Some(0), Ok(0))]
    #[case(Some(9_223_372_036), Ok(9_223_372_036 * NS_PER_SEC))]
    #[case(Some(9_223_372_037), Err(()))]
    #[case(Some(1 << 62), Err(()))]
    #[case(None, Err(()))]
    fn ints(#[case] s: Option<i64>, #[case] expected: Result<i64, ()>) {
        let got = nanos_from_int(s);
        match expected {
            Ok(ns) => assert_eq!(got, Ok(ns)),
            Err(()) => assert_eq!(
                got.unwrap_err().to_string(),
                "OverflowError: timestamp too large to convert to C PyTime_t"
            ),
        }
    }

    #[test]
    fn default_is_none() {
        let mut d = DefaultTimeout::default();
        assert_eq!(d.get(), None);
        d.set(Some(Timeout::from_nanos(5).unwrap()));
        assert_eq!(d.get().map(Timeout::as_nanos), Some(5));
    }

    proptest! {
        #[test]
        fn whole_seconds_round_trip(s in 0i64..9_223_372_036) {
            let t = Timeout::from_nanos(nanos_from_int(Some(s)).unwrap()).unwrap();
            prop_assert_eq!(t.as_secs_f64(), s as f64);
        }

        #[test]
        fn floats_never_shrink(s in 0.0f64..1e9) {
            let t = Timeout::from_nanos(nanos_from_float(s).unwrap()).unwrap();
            prop_assert!(t.as_nanos() as f64 >= s * 1e9);
        }
    }
}
