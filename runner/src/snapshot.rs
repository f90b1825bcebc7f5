//! The normalised, human-readable form of a case's observed result that snapshots hold:
//! what each step returned or raised, with what is not deterministic (object ids, file
//! descriptors, ephemeral ports, temporary paths, timings) redacted.

use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;

use crate::exec::CaseResult;
use crate::protocol::Observed;
use crate::value::Value;

/// Redactions applied to every rendered line, in order.
static REDACTIONS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"fd=\d+", "fd=[fd]"),
        // An ephemeral port in an address tuple (fixed ports below 1024 stay).
        (r"(\('[^']*', )([1-9]\d{3,4})\b", "${1}[port]"),
        (r"/tmp/[^/'\s)]+", "[tmp]"),
        (r" at 0x[0-9a-f]+", " at [addr]"),
        // Linux's autobind name for an unnamed AF_UNIX socket: NUL and five hex digits.
        (r"b'\\x00[0-9a-f]{5}'", "b'\\x00[autobind]'"),
    ]
    .into_iter()
    .map(|(re, with)| (Regex::new(re).expect("valid redaction"), with))
    .collect()
});

/// Steps whose returned int is a file descriptor.
const FD_RESULTS: &[&str] = &[".fileno()", ".detach()", ".dup()"];

/// Applies the redactions to one line.
pub fn redact(line: &str) -> String {
    REDACTIONS.iter().fold(line.to_owned(), |acc, (re, with)| {
        re.replace_all(&acc, *with).into_owned()
    })
}

/// Renders a result for a snapshot. Timings never appear.
pub fn render(result: &CaseResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "outcome: {}", result.verdict.as_str());
    if let Some(m) = &result.message {
        let _ = writeln!(out, "message: {}", redact(m).replace('\n', "\n  "));
    }
    for step in &result.steps {
        let line = match &step.observed {
            // Descriptor numbers depend on what else the process has open.
            Observed::Returned(Value::Int(fd))
                if FD_RESULTS.iter().any(|m| step.action.ends_with(m)) && *fd >= 0.into() =>
            {
                format!("{} -> [fd]", step.action)
            }
            Observed::Returned(v) => format!("{} -> {v}", step.action),
            Observed::Raised(e) => {
                let errno = e
                    .errno_name
                    .as_deref()
                    .map(|n| format!(" [{n}]"))
                    .unwrap_or_default();
                format!("{} raises {e}{errno}", step.action)
            }
        };
        let _ = writeln!(out, "{}", redact(&line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redactions() {
        assert_eq!(
            redact("<socket.socket fd=7, laddr=('127.0.0.1', 45678), raddr=('127.0.0.1', 80)>"),
            "<socket.socket fd=[fd], laddr=('127.0.0.1', [port]), raddr=('127.0.0.1', 80)>"
        );
        assert_eq!(
            redact("bind('/tmp/sockconf-x1/a.sock')"),
            "bind('[tmp]/a.sock')"
        );
    }
}
