//! `socket.socket.sendfile(file, offset=0, count=None)`'s arithmetic, as `socket.py`'s
//! `_sendfile_use_sendfile` (over `os.sendfile`, C `sendfile(2)`) and
//! `_sendfile_use_send` (over `send()`) write it: the block sizes, when to stop, the
//! offset to leave the file at, and when to give up on `sendfile(2)` for the `send()`
//! fallback.
//!
//! The calls themselves are passed in as closures, so that the loop is tested without a
//! socket (see the tests) and the Python layer can use its own objects for the fallback.

use super::Error;
use crate::sys::Errno;

/// `sendfile(2)` sends at most 1 GiB per call (bpo-38319).
pub const MAX_BLOCK: u64 = 1 << 30;

/// The block size of the `send()` fallback.
pub const SEND_BLOCK: u64 = 8192;

/// How a `sendfile(2)` loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done: the bytes sent (the file is then sought to `offset + sent` when some were).
    Sent(u64),
    /// The first `sendfile(2)` failed: CPython's `_GiveupOnSendfile`, the `send()`
    /// fallback takes over.
    GiveUp(Errno),
    /// A later call, or a wait, failed: the error is raised (after the file is sought to
    /// the offset reached, when some bytes were sent).
    Failed(Error, u64),
}

/// What one step of the loop can do, supplied by the caller.
pub trait Sender {
    /// Waits until the socket is writable (`selector.select(timeout)`); `false` when
    /// `timeout` (`None`: no limit) ran out.
    fn wait(&mut self, timeout: Option<super::timeout::Timeout>) -> Result<bool, Error>;
    /// `os.sendfile(sock, file, offset, count)`.
    fn sendfile(&mut self, offset: i64, count: u64) -> Result<u64, Errno>;
}

/// The loop of `_sendfile_use_sendfile` once the file's size `fsize` (non-zero) is
/// known and the socket's `timeout` is not zero: blocks of `min(count or fsize, 1 GiB)`,
/// trimmed to what `count` leaves, until `count` bytes are sent or a call sends 0 (end of
/// file). With a timeout each call first waits for writability (`TimeoutError("timed
/// out")` when it does not come); `EAGAIN` makes it wait (without a timeout) and try
/// again. Returns the outcome; the offset reached is `offset + sent`.
pub fn sendfile_loop(
    sender: &mut impl Sender,
    offset: i64,
    count: Option<u64>,
    fsize: u64,
    timeout: Option<super::timeout::Timeout>,
) -> Outcome {
    let mut blocksize = count.unwrap_or(fsize).min(MAX_BLOCK);
    let mut total: u64 = 0;
    let mut offset = offset;
    loop {
        if let Some(t) = timeout {
            match sender.wait(Some(t)) {
                Ok(true) => {}
                Ok(false) => return Outcome::Failed(Error::timed_out(), total),
                Err(e) => return Outcome::Failed(e, total),
            }
        }
        if let Some(count) = count {
            blocksize = blocksize.min(count.saturating_sub(total));
            if blocksize == 0 {
                break;
            }
        }
        match sender.sendfile(offset, blocksize) {
            Ok(0) => break,
            Ok(sent) => {
                offset = offset.saturating_add(i64::try_from(sent).unwrap_or(i64::MAX));
                total += sent;
            }
            Err(e) if e.would_block() => {
                if timeout.is_none() {
                    if let Err(e) = sender.wait(None) {
                        return Outcome::Failed(e, total);
                    }
                }
            }
            Err(e) if total == 0 => return Outcome::GiveUp(e),
            Err(e) => return Outcome::Failed(e.into(), total),
        }
    }
    Outcome::Sent(total)
}

/// The size of the next block `_sendfile_use_send` reads: `min(count, 8192)` trimmed to
/// what `count` leaves (`None`: stop), or 8192 without a count.
pub fn send_block(count: Option<u64>, total: u64) -> Option<u64> {
    match count {
        None => Some(SEND_BLOCK),
        Some(count) => {
            let left = count.saturating_sub(total);
            (left > 0).then(|| left.min(SEND_BLOCK))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    /// A file of `size` bytes sent in chunks of at most `chunk`.
    struct Fake {
        size: u64,
        chunk: u64,
        calls: Vec<(i64, u64)>,
        /// Fail the call with this index (0-based) with this errno.
        fail: Option<(usize, Errno)>,
    }

    impl Sender for Fake {
        fn wait(&mut self, _: Option<super::super::timeout::Timeout>) -> Result<bool, Error> {
            Ok(true)
        }
        fn sendfile(&mut self, offset: i64, count: u64) -> Result<u64, Errno> {
            self.calls.push((offset, count));
            if let Some((at, e)) = self.fail {
                if at + 1 == self.calls.len() {
                    return Err(e);
                }
            }
            if offset < 0 {
                return Err(Errno(22));
            }
            let left = self.size.saturating_sub(offset as u64);
            Ok(left.min(count).min(self.chunk))
        }
    }

    fn fake(size: u64, chunk: u64) -> Fake {
        Fake {
            size,
            chunk,
            calls: vec![],
            fail: None,
        }
    }

    #[rstest]
    #[case(20, 0, None, Outcome::Sent(20))]
    #[case(20, 5, Some(4), Outcome::Sent(4))]
    #[case(20, 15, None, Outcome::Sent(5))]
    #[case(20, 100, None, Outcome::Sent(0))]
    #[case(20, 20, Some(5), Outcome::Sent(0))]
    #[case(20, 18, Some(100), Outcome::Sent(2))]
    #[case(20, -1, None, Outcome::GiveUp(Errno(22)))]
    fn cases_of_the_suite(
        #[case] size: u64,
        #[case] offset: i64,
        #[case] count: Option<u64>,
        #[case] expected: Outcome,
    ) {
        let mut f = fake(size, 7);
        assert_eq!(sendfile_loop(&mut f, offset, count, size, None), expected);
    }

    #[test]
    fn only_the_first_failure_gives_up() {
        let epipe = Errno(32);
        let mut f = fake(20, 7);
        f.fail = Some((0, epipe));
        assert_eq!(
            sendfile_loop(&mut f, 0, None, 20, None),
            Outcome::GiveUp(epipe)
        );
        let mut f = fake(20, 7);
        f.fail = Some((1, epipe));
        assert_eq!(
            sendfile_loop(&mut f, 0, None, 20, None),
            Outcome::Failed(epipe.into(), 7)
        );
        assert_eq!(f.calls, vec![(0, 20), (7, 20)]);
    }

    #[test]
    fn would_block_retries() {
        let mut f = fake(20, 7);
        f.fail = Some((0, Errno::EAGAIN));
        assert_eq!(
            sendfile_loop(&mut f, 0, Some(3), 20, None),
            Outcome::Sent(3)
        );
        assert_eq!(f.calls, vec![(0, 3), (0, 3)]);
    }

    #[test]
    fn send_blocks() {
        assert_eq!(send_block(None, 100_000), Some(8192));
        assert_eq!(send_block(Some(10), 4), Some(6));
        assert_eq!(send_block(Some(10), 10), None);
        assert_eq!(send_block(Some(100_000), 0), Some(8192));
    }

    proptest! {
        #[test]
        fn sends_exactly_the_slice(size in 1u64..5000, offset in 0i64..6000,
                                   count in proptest::option::of(1u64..6000),
                                   chunk in 1u64..700) {
            let mut f = fake(size, chunk);
            let got = sendfile_loop(&mut f, offset, count, size, None);
            let avail = size.saturating_sub(offset as u64);
            let want = count.map_or(avail, |c| c.min(avail));
            prop_assert_eq!(got, Outcome::Sent(want));
            // Calls are contiguous and never ask beyond the count.
            let mut at = offset;
            for &(o, n) in &f.calls {
                prop_assert_eq!(o, at);
                prop_assert!(n >= 1);
                if let Some(c) = count {
                    prop_assert!((at - offset) as u64 + n <= c);
                }
                at += (n.min(chunk).min(size.saturating_sub(o as u64))) as i64;
            }
        }
    }
}
