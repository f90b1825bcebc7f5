//! The normalised, human-readable form of a case's observed result that snapshots hold:
//! what each step returned or raised, with what is not deterministic (object ids, file
//! descriptors, ephemeral ports, temporary paths, timings) redacted, and the two levels
//! apart: an exception's type and errno on the step's line, its message (a CPython detail
//! unless the case says otherwise) on the next, and steps judged only as CPython details
//! marked so.

use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;

use crate::case::{Expected, Level, Matcher, Outcome};
use crate::exec::{CaseResult, Planned};
use crate::protocol::Observed;
use crate::value::Value;

/// Redactions applied to every rendered line, in order.
static REDACTIONS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"fd=\d+", "fd=[fd]"),
        (r"pid=\d+", "pid=[pid]"),
        // An ephemeral port in an address tuple (fixed ports below 1024 stay).
        (r"(\('[^']*', )([1-9]\d{3,4})\b", "${1}[port]"),
        // A case's temporary folder, wherever the OS keeps it (`/tmp/sockconf-…`,
        // `/var/folders/…/sockconf-…`, `C:\\…\\Temp\\sockconf-…`).
        (
            r"(?:[A-Za-z]:)?[^'\s()]*[/\\]sockconf-[A-Za-z0-9_]{6,8}\b",
            "[tmp]",
        ),
        (r"/tmp/[^/'\s)]+", "[tmp]"),
        (r" at 0x[0-9a-f]+", " at [addr]"),
        // Linux's autobind name for an unnamed AF_UNIX socket: NUL and five hex digits.
        (r"b'\\x00[0-9a-f]{5}'", "b'\\x00[autobind]'"),
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

/// A returned value as far as the case pins it down: where the expectation is exact the value
/// is shown; where it is a matcher (`!match`, `!any`, `!saved`), or the step states no
/// expectation, only its type is (`<int>`), since such values may differ from run to run
/// (ports, pids, descriptors). Containers are followed item by item.
fn pinned(expected: Option<&Expected>, v: &Value) -> String {
    match (expected, v) {
        (Some(Expected::Tuple(es)), Value::Tuple(vs))
        | (Some(Expected::List(es)), Value::List(vs))
            if es.len() == vs.len() =>
        {
            let items: Vec<String> = es.iter().zip(vs).map(|(e, v)| pinned(Some(e), v)).collect();
            let (open, close) = if matches!(v, Value::Tuple(_)) {
                ("(", ")")
            } else {
                ("[", "]")
            };
            let comma = if items.len() == 1 && open == "(" {
                ","
            } else {
                ""
            };
            format!("{open}{}{comma}{close}", items.join(", "))
        }
        (Some(Expected::Value(_) | Expected::Class(_)), v) => v.to_string(),
        (Some(Expected::Match(m)), v) if is_exact(m) => pinned(m.value.as_ref(), v),
        (_, v) => format!("<{}>", v.type_name()),
    }
}

/// A matcher that pins the value down completely: `type` and/or an exact `value` only.
fn is_exact(m: &Matcher) -> bool {
    let only_type_and_value = Matcher {
        ty: m.ty.clone(),
        value: m.value.clone(),
        ..Matcher::default()
    } == *m;
    only_type_and_value && matches!(m.value, Some(Expected::Value(_)))
}

/// Renders a result for a snapshot, each step seen through the expectation chosen for it
/// (`planned`, from [`crate::exec::plan`]). Timings never appear.
pub fn render(result: &CaseResult, planned: &[Planned]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "outcome: {}", result.verdict.as_str());
    if let Some(m) = &result.message {
        let _ = writeln!(out, "message: {}", redact(m).replace('\n', "\n  "));
    }
    for d in &result.details {
        let _ = writeln!(out, "differs: {}", redact(d).replace('\n', "\n  "));
    }
    for (i, step) in result.steps.iter().enumerate() {
        let plan = planned.get(i);
        let mark = if plan.is_some_and(|p| p.scope == Some(Level::Cpython)) {
            "  [cpython level]"
        } else {
            ""
        };
        let line = match &step.observed {
            Observed::Returned(v) => {
                let expected = match plan.map(|p| p.outcome) {
                    Some(Outcome::Returns(e)) => e.as_ref(),
                    _ => None,
                };
                format!("{} -> {}{mark}", step.action, pinned(expected, v))
            }
            Observed::Raised(e) => {
                let errno = e
                    .errno_name
                    .as_deref()
                    .map(|n| format!(" [{n}]"))
                    .unwrap_or_default();
                let mut line = format!("{} raises {}{errno}{mark}", step.action, e.type_name);
                if !e.message.is_empty() {
                    let _ = write!(line, "\n    message: {}", e.message.replace('\n', "\\n"));
                }
                line
            }
        };
        let _ = writeln!(out, "{}", redact(&line));
        for (what, seen) in [("audit", &step.audit), ("warns", &step.warnings)] {
            if let Some(seen) = seen {
                let shown: Vec<String> = seen.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    out,
                    "{}",
                    redact(&format!("    {what}: [{}]", shown.join(", ")))
                );
            }
        }
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
        assert_eq!(
            redact(r"open('C:\Users\u\AppData\Local\Temp\sockconf-Ab12cd\f')"),
            r"open('[tmp]\f')"
        );
    }
}

#[cfg(test)]
mod pinned_tests {
    use super::*;

    #[test]
    fn matched_parts_show_only_their_type() {
        let port = Expected::Match(Box::new(Matcher {
            ty: Some("int".into()),
            range: Some((
                crate::case::expected::Number::Int(1),
                crate::case::expected::Number::Int(65535),
            )),
            ..Matcher::default()
        }));
        let e = Expected::Tuple(vec![Expected::Value(Value::Str("127.0.0.1".into())), port]);
        let v = Value::Tuple(vec![Value::Str("127.0.0.1".into()), Value::int(40000)]);
        assert_eq!(pinned(Some(&e), &v), "('127.0.0.1', <int>)");
        assert_eq!(pinned(None, &v), "<tuple>");
        let exact = Expected::Match(Box::new(Matcher {
            ty: Some("int".into()),
            value: Some(Expected::Value(Value::int(2))),
            ..Matcher::default()
        }));
        assert_eq!(pinned(Some(&exact), &Value::int(2)), "2");
    }
}
