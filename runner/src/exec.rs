//! Execution: runs cases on a backend, in parallel workers, and judges each one. Emits
//! events and never prints; reporters consume the events.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::backend::{Backend, BackendError};
use crate::case::{Case, Outcome};
use crate::compare::{self, Context};
use crate::protocol::{BackendInfo, Observed, ObservedStep, Reply, RunRequest};
use crate::value::Value;
use crate::version::{PyVersion, platforms_match};

/// The outcome vocabulary of a case.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    Pass,
    Fail,
    Unsupported,
    Skip,
    Timeout,
    Crash,
    Error,
}

impl Verdict {
    pub const ALL: [Verdict; 7] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Unsupported,
        Verdict::Skip,
        Verdict::Timeout,
        Verdict::Crash,
        Verdict::Error,
    ];

    /// Whether this outcome makes a run fail.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Verdict::Fail | Verdict::Timeout | Verdict::Crash | Verdict::Error
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Unsupported => "UNSUPPORTED",
            Verdict::Skip => "SKIP",
            Verdict::Timeout => "TIMEOUT",
            Verdict::Crash => "CRASH",
            Verdict::Error => "ERROR",
        }
    }
}

/// One step as it ran.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// The step as written: `htons(1)`, `$s.family`.
    pub action: String,
    pub observed: Observed,
    pub elapsed: f64,
}

/// The judged result of one case on one backend.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub id: String,
    pub doc: String,
    pub verdict: Verdict,
    pub duration: f64,
    pub steps: Vec<StepRecord>,
    pub message: Option<String>,
}

/// What the executor tells reporters.
pub enum Event<'a> {
    CaseFinished {
        backend: &'a BackendInfo,
        case: &'a Case,
        result: &'a CaseResult,
    },
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Options {
    pub jobs: usize,
    /// The limit of a case that states none.
    pub timeout: Duration,
    /// Case-id patterns (`*` wildcards); empty: every case.
    pub filters: Vec<String>,
}

/// Whether `id` matches a filter: a `*`-wildcard pattern, or a plain substring.
pub fn id_matches(id: &str, pattern: &str) -> bool {
    if !pattern.contains('*') {
        return id.contains(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !id.starts_with(first) || id.len() < first.len() + last.len() || !id.ends_with(last) {
        return false;
    }
    let mut rest = &id[first.len()..id.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Chooses each step's expectation for a backend, or says why the case is skipped there.
pub fn plan<'c>(
    case: &'c Case,
    version: PyVersion,
    tags: &[String],
) -> Result<Vec<&'c Outcome>, String> {
    if let Some(req) = &case.python {
        if !req.matches(version) {
            return Err(format!("for Python {req}; this backend is {version}"));
        }
    }
    if !platforms_match(case.platforms.as_deref(), tags) {
        return Err(format!(
            "for platforms {}; this backend is on {}",
            case.platforms.as_deref().unwrap_or_default().join(", "),
            tags.join(", ")
        ));
    }
    case.steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            step.expect
                .iter()
                .find(|alt| {
                    alt.python.as_ref().is_none_or(|r| r.matches(version))
                        && platforms_match(alt.platforms.as_deref(), tags)
                })
                .map(|alt| &alt.outcome)
                .ok_or_else(|| {
                    format!(
                        "step {} states no expectation for Python {version} on {}",
                        i + 1,
                        tags.join(", ")
                    )
                })
        })
        .collect()
}

/// Compares what ran with what was expected.
fn judge(
    case: &Case,
    outcomes: &[&Outcome],
    observed: &[ObservedStep],
    consts: &HashMap<String, Value>,
    info: &BackendInfo,
    tmpdir: Option<&str>,
) -> Result<(), String> {
    let mut saved = HashMap::new();
    for (i, (step, outcome)) in case.steps.iter().zip(outcomes).enumerate() {
        let n = i + 1;
        let Some(obs) = observed.get(i) else {
            return Err(format!("step {n} ({}) did not run", step.action));
        };
        if let (Some(name), Observed::Returned(v)) = (&step.save, &obs.result) {
            saved.insert(name.clone(), v.clone());
        }
        let cx = Context {
            consts,
            saved: &saved,
            errno_values: &info.errno_values,
            tmpdir,
        };
        let verdict = match (outcome, &obs.result) {
            (Outcome::Returns(None), Observed::Returned(_)) => Ok(()),
            (Outcome::Returns(Some(e)), Observed::Returned(v)) => compare::check(e, v, &cx),
            (Outcome::Raises(m), Observed::Raised(e)) => compare::check_raised(m, e, &cx),
            (Outcome::Returns(e), Observed::Raised(exc)) => Err(match e {
                Some(e) => format!("expected {e}, but it raised {exc}"),
                None => format!("it raised {exc}"),
            }),
            (Outcome::Raises(m), Observed::Returned(v)) => {
                Err(format!("expected it to raise {m}, but it returned {v}"))
            }
        };
        verdict.map_err(|m| format!("step {n} ({}): {m}", step.action))?;
    }
    Ok(())
}

/// Runs one case on a worker and judges it.
pub fn run_case(
    case: &Case,
    worker: &mut dyn crate::backend::Worker,
    info: &BackendInfo,
    default_timeout: Duration,
) -> CaseResult {
    let result = |verdict, duration, steps, message: Option<String>| CaseResult {
        id: case.id.clone(),
        doc: case.doc.clone(),
        verdict,
        duration,
        steps,
        message,
    };
    let outcomes = match plan(case, info.python_version, &info.platform.tags) {
        Ok(o) => o,
        Err(why) => return result(Verdict::Skip, 0.0, vec![], Some(why)),
    };
    let request = RunRequest::new(case, &outcomes);
    let timeout = case
        .timeout
        .map_or(default_timeout, Duration::from_secs_f64);
    let start = Instant::now();
    let reply = worker.run(&request, timeout);
    let duration = start.elapsed().as_secs_f64();
    match reply {
        Reply::Unsupported(why) => result(Verdict::Unsupported, duration, vec![], Some(why)),
        Reply::Error(why) => result(Verdict::Error, duration, vec![], Some(why)),
        Reply::Timeout => result(
            Verdict::Timeout,
            duration,
            vec![],
            Some(format!("no result within {:.1}s", timeout.as_secs_f64())),
        ),
        Reply::Crash(why) => result(Verdict::Crash, duration, vec![], Some(why)),
        Reply::Ran {
            steps,
            consts,
            tmpdir,
        } => {
            let records = case
                .steps
                .iter()
                .zip(&steps)
                .map(|(s, o)| StepRecord {
                    action: s.action.to_string(),
                    observed: o.result.clone(),
                    elapsed: o.elapsed,
                })
                .collect();
            match judge(case, &outcomes, &steps, &consts, info, tmpdir.as_deref()) {
                Ok(()) => result(Verdict::Pass, duration, records, None),
                Err(why) => result(Verdict::Fail, duration, records, Some(why)),
            }
        }
    }
}

/// Runs `cases` on `backend` with `opts.jobs` workers. Results come back in case order.
pub fn run(
    backend: &dyn Backend,
    cases: &[Case],
    opts: &Options,
    on_event: &(dyn Fn(&Event) + Sync),
) -> Result<Vec<CaseResult>, BackendError> {
    let info = backend.info();
    let slots: Vec<Mutex<Option<CaseResult>>> = cases.iter().map(|_| Mutex::new(None)).collect();
    // Cases that state a time limit of their own are the ones that wait: start them first,
    // so their waiting overlaps with the quick cases instead of trailing the run.
    let mut order: Vec<usize> = (0..cases.len()).collect();
    order.sort_by_key(|&i| cases[i].timeout.is_none());
    let next = AtomicUsize::new(0);
    let selected =
        |c: &Case| opts.filters.is_empty() || opts.filters.iter().any(|f| id_matches(&c.id, f));
    let jobs = opts.jobs.max(1).min(cases.len().max(1));
    let mut workers = Vec::with_capacity(jobs);
    for _ in 0..jobs {
        workers.push(backend.worker()?);
    }
    std::thread::scope(|scope| {
        for mut worker in workers {
            let (slots, next, order) = (&slots, &next, &order);
            scope.spawn(move || {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let case = &cases[i];
                    let r = if selected(case) {
                        run_case(case, worker.as_mut(), info, opts.timeout)
                    } else {
                        CaseResult {
                            id: case.id.clone(),
                            doc: case.doc.clone(),
                            verdict: Verdict::Skip,
                            duration: 0.0,
                            steps: vec![],
                            message: Some("filtered out".into()),
                        }
                    };
                    on_event(&Event::CaseFinished {
                        backend: info,
                        case,
                        result: &r,
                    });
                    *slots[i].lock().expect("not poisoned") = Some(r);
                }
            });
        }
    });
    Ok(slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .expect("not poisoned")
                .expect("every case ran")
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::id_matches;
    use rstest::rstest;

    #[rstest]
    #[case("htons.basic", "htons", true)]
    #[case("htons.basic", "htons.*", true)]
    #[case("htons.basic", "*.basic", true)]
    #[case("htons.basic", "h*s.b*c", true)]
    #[case("htons.basic", "ntohs", false)]
    #[case("htons.basic", "*.x", false)]
    #[case("ab", "a*b*b", false)]
    fn filters(#[case] id: &str, #[case] pattern: &str, #[case] hit: bool) {
        assert_eq!(id_matches(id, pattern), hit);
    }
}
