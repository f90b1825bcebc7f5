//! The normalised, human-readable form of a case's observed result that snapshots hold:
//! what each step returned or raised, with what is not deterministic (object ids, file
//! descriptors, ephemeral ports, temporary paths, timings) redacted.

use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;

use crate::exec::CaseResult;
use crate::protocol::Observed;

/// Redactions applied to every rendered line, in order.
static REDACTIONS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"fd=\d+", "fd=[fd]"),
        (r"/tmp/[^'\s)]*", "[tmp]"),
        (r" at 0x[0-9a-f]+", " at [addr]"),
    ]
    .into_iter()
    .map(|(re, with)| (Regex::new(re).expect("valid redaction"), with))
    .collect()
});

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
