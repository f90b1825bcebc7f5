//! Execution: runs cases on a backend, in parallel workers, and judges each one. Emits
//! events and never prints; reporters consume the events.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::backend::{Backend, BackendError};
use crate::case::{AuditEvent, Case, Expected, Level, Outcome};
use crate::compare::{self, Context, Mismatch, Scope};
use crate::peer::{PeerReport, Peers};
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
    /// Every behaviour check held, but some CPython detail differs (`cases/FORMAT.md`,
    /// *Levels*): a failure only at `--level cpython`.
    Differs,
    Fail,
    Unsupported,
    Skip,
    Timeout,
    Crash,
    Error,
}

impl Verdict {
    pub const ALL: [Verdict; 8] = [
        Verdict::Pass,
        Verdict::Differs,
        Verdict::Fail,
        Verdict::Unsupported,
        Verdict::Skip,
        Verdict::Timeout,
        Verdict::Crash,
        Verdict::Error,
    ];

    /// Whether this outcome makes a run judged at `level` fail.
    pub fn is_failure(self, level: Level) -> bool {
        match self {
            Verdict::Fail | Verdict::Timeout | Verdict::Crash | Verdict::Error => true,
            Verdict::Differs => level == Level::Cpython,
            Verdict::Pass | Verdict::Unsupported | Verdict::Skip => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Differs => "DIFFERS",
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
    /// The audit events and warnings, when the step was observed (see [`ObservedStep`]).
    pub audit: Option<Vec<Value>>,
    pub warnings: Option<Vec<Value>>,
}

/// The judged result of one case on one backend.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub id: String,
    pub doc: String,
    pub verdict: Verdict,
    pub duration: f64,
    pub steps: Vec<StepRecord>,
    /// Why the case did not pass: the behaviour failure, or why it was skipped, unsupported…
    pub message: Option<String>,
    /// The CPython details that differ (`step N (…): …`), whatever the verdict.
    pub details: Vec<String>,
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
    /// Once this is set, workers take no new case: the cases not begun end as SKIP ("not
    /// run"). `sockconf run` sets it when no one is left to read what it prints.
    pub stop: Option<&'static AtomicBool>,
}

impl Options {
    /// Whether [`Options::stop`] is set: no new case is to be taken.
    pub fn stopped(&self) -> bool {
        self.stop.is_some_and(|stop| stop.load(Ordering::Relaxed))
    }
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

/// A step's expectation chosen for one backend, with the explicit level around it.
#[derive(Debug, Clone, Copy)]
pub struct Planned<'c> {
    pub outcome: &'c Outcome,
    /// The innermost `level:` of the alternative, the step or the case.
    pub scope: Scope,
}

/// Chooses each step's expectation for a backend, or says why the case is skipped there.
pub fn plan<'c>(
    case: &'c Case,
    version: PyVersion,
    tags: &[String],
) -> Result<Vec<Planned<'c>>, String> {
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
                .map(|alt| Planned {
                    outcome: &alt.outcome,
                    scope: alt.level.or(step.level).or(case.level),
                })
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

/// What judging a case found: the first behaviour failure, and every CPython detail that
/// differs in the steps judged.
#[derive(Debug, Default)]
struct Judgement {
    failure: Option<String>,
    details: Vec<String>,
}

/// What a backend reported of a case that ran, with what its scripted peers saw.
struct Seen<'a> {
    steps: &'a [ObservedStep],
    consts: &'a HashMap<String, Value>,
    tmpdir: Option<&'a str>,
    /// The peers' addresses (`!peer NAME`).
    peers: &'a BTreeMap<String, Value>,
    /// What each peer saw, or why it failed.
    peer_reports: &'a [(String, Result<PeerReport, String>)],
}

impl Seen<'_> {
    /// What comparisons may look up, with the values saved so far.
    fn context<'a>(
        &'a self,
        saved: &'a HashMap<String, Value>,
        info: &'a BackendInfo,
    ) -> Context<'a> {
        Context {
            consts: self.consts,
            saved,
            errno_values: &info.errno_values,
            tmpdir: self.tmpdir,
            peers: self.peers,
            aliases: &info.type_aliases,
        }
    }
}

/// Compares what ran with what was expected, step by step, up to the first behaviour
/// failure; then what the case's peers saw.
fn judge(case: &Case, planned: &[Planned], info: &BackendInfo, seen: &Seen) -> Judgement {
    let observed = seen.steps;
    let mut saved = HashMap::new();
    let mut found = Judgement::default();
    // Whether the step before differed in a CPython detail: a backend stops after a step
    // whose outcome kind was not the expected one, and steps left unrun after a detail are
    // not a behaviour failure.
    let mut after_detail = false;
    for (i, (step, plan)) in case.steps.iter().zip(planned).enumerate() {
        let n = i + 1;
        let at = |m: Mismatch| format!("step {n} ({}): {m}", step.action);
        let Some(obs) = observed.get(i) else {
            let why = format!("step {n} ({}) did not run", step.action);
            if after_detail {
                found
                    .details
                    .push(format!("{why}: the backend stopped after the detail above"));
            } else {
                found.failure = Some(why);
            }
            break;
        };
        if let (Some(name), Observed::Returned(v)) = (&step.save, &obs.result) {
            saved.insert(name.clone(), v.clone());
        }
        let cx = seen.context(&saved, info);
        let level = compare::behaviour_in(plan.scope);
        let verdict = match (plan.outcome, &obs.result) {
            (Outcome::Returns(None), Observed::Returned(_)) => Ok(()),
            (Outcome::Returns(Some(e)), Observed::Returned(v)) => {
                compare::check(e, v, &cx, plan.scope)
            }
            (Outcome::Raises(m), Observed::Raised(e)) => {
                compare::check_raised(m, e, &cx, plan.scope)
            }
            (Outcome::Returns(e), Observed::Raised(exc)) => Err(Mismatch {
                level,
                why: match e {
                    Some(e) => format!("expected {e}, but it raised {exc}"),
                    None => format!("it raised {exc}"),
                },
            }),
            (Outcome::Raises(m), Observed::Returned(v)) => Err(Mismatch {
                level,
                why: format!("expected it to raise {m}, but it returned {v}"),
            }),
        };
        let mismatches: Vec<Mismatch> = std::iter::once(verdict)
            .chain(side_effects(step, obs, &cx, plan.scope))
            .filter_map(Result::err)
            .collect();
        after_detail = !mismatches.is_empty();
        let mut failed = false;
        for m in mismatches {
            if m.level == Level::Cpython {
                found.details.push(at(m));
            } else if found.failure.is_none() {
                found.failure = Some(at(m));
                failed = true;
            }
        }
        if failed {
            break;
        }
    }
    if found.failure.is_none() {
        let cx = seen.context(&saved, info);
        for m in judge_peers(case, seen.peer_reports, &cx) {
            if m.level == Level::Cpython {
                found.details.push(m.why);
            } else {
                found.failure.get_or_insert(m.why);
            }
        }
    }
    found
}

/// The checks of the peers' `expect:` against what each saw (after the steps).
fn judge_peers(
    case: &Case,
    reports: &[(String, Result<PeerReport, String>)],
    cx: &Context,
) -> Vec<Mismatch> {
    let level = compare::behaviour_in(case.level);
    let mut found = Vec::new();
    for (name, report) in reports {
        let report = match report {
            Ok(r) => r,
            Err(why) => {
                found.push(Mismatch {
                    level: Level::Behaviour,
                    why: format!("peer `{name}`: {why}"),
                });
                continue;
            }
        };
        let expect = &case.peers[name].expect;
        let numbers = [
            ("connections", &expect.connections),
            ("received", &expect.received),
            ("datagrams", &expect.datagrams),
        ];
        for (what, expected) in numbers {
            if let Some(e) = expected {
                if let Err(m) = compare::check(e, &report.field(what), cx, case.level) {
                    found.push(Mismatch {
                        why: format!("peer `{name}` {what}: {}", m.why),
                        ..m
                    });
                }
            }
        }
        if let Some(eof) = expect.eof {
            if eof != report.eof {
                let saw = if report.eof { "saw" } else { "did not see" };
                found.push(Mismatch {
                    level,
                    why: format!("peer `{name}` {saw} the end of the stream"),
                });
            }
        }
    }
    found
}

/// The checks of a step's `audit:`, `warns:`, `elapsed:` and `interrupt:` against what it
/// was seen to do: the `socket.*` audit events, exactly and in order, the warnings
/// likewise, the time the call took, and whether the signal arrived while it ran.
fn side_effects(
    step: &crate::case::Step,
    obs: &ObservedStep,
    cx: &Context,
    scope: Scope,
) -> Vec<Result<(), Mismatch>> {
    let mut checks = Vec::new();
    let mut check = |what: &str, expected: Expected, seen: &Option<Vec<Value>>| {
        let result = match seen {
            None => Err(Mismatch {
                level: compare::behaviour_in(scope),
                why: format!(
                    "expected {what} {expected}, but this backend cannot record them (audit hooks are Python 3.8+)"
                ),
            }),
            Some(seen) => {
                compare::check(&expected, &Value::List(seen.clone()), cx, scope).map_err(|m| {
                    Mismatch {
                        why: format!("{what}: {}", m.why),
                        ..m
                    }
                })
            }
        };
        checks.push(result);
    };
    if let Some(events) = &step.audit {
        let expected = events.iter().map(AuditEvent::expected).collect();
        check("audit events", Expected::List(expected), &obs.audit);
    }
    if let Some(warns) = &step.warns {
        let expected = warns
            .iter()
            .map(|w| Expected::Match(Box::new(w.clone())))
            .collect();
        check("warnings", Expected::List(expected), &obs.warnings);
    }
    let level = compare::behaviour_in(scope);
    if let Some((lo, hi)) = step.elapsed {
        let took = obs.elapsed;
        if took < lo || hi.is_some_and(|hi| took > hi) {
            let range =
                hi.map_or_else(|| format!("at least {lo}s"), |hi| format!("{lo}s to {hi}s"));
            checks.push(Err(Mismatch {
                level,
                why: format!("expected it to take {range}, it took {took:.3}s"),
            }));
        }
    }
    if let Some(interrupt) = step.interrupt {
        let why = match obs.signals {
            None => Some("this backend cannot deliver signals".to_owned()),
            Some(0) => Some(format!(
                "the signal due after {}s did not arrive while the step ran ({:.3}s)",
                interrupt.after, obs.elapsed
            )),
            Some(_) => None,
        };
        if let Some(why) = why {
            checks.push(Err(Mismatch { level, why }));
        }
    }
    checks
}

/// The steps a backend reported, as the case's records.
fn records(case: &Case, steps: &[ObservedStep]) -> Vec<StepRecord> {
    case.steps
        .iter()
        .zip(steps)
        .map(|(s, o)| StepRecord {
            action: s.action.to_string(),
            observed: o.result.clone(),
            elapsed: o.elapsed,
            audit: o.audit.clone(),
            warnings: o.warnings.clone(),
        })
        .collect()
}

/// Which step was running when a case stopped after `done` completed steps: `"; step N
/// (ACTION) was running"`, or nothing before the first step or after the last.
fn in_flight(case: &Case, done: usize) -> String {
    case.steps
        .get(done)
        .map(|s| format!("; step {} ({}) was running", done + 1, s.action))
        .unwrap_or_default()
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
        details: vec![],
    };
    let planned = match plan(case, info.python_version, &info.platform.tags) {
        Ok(p) => p,
        Err(why) => return result(Verdict::Skip, 0.0, vec![], Some(why)),
    };
    // The worker is ready before the peers start: a peer's delay must not pass while an
    // interpreter starts.
    worker.prepare();
    let peers = match Peers::start(&case.peers) {
        Ok(p) => p,
        Err(why) => return result(Verdict::Error, 0.0, vec![], Some(why)),
    };
    let addresses = peers.addresses();
    let request = RunRequest::new(case, &planned, &addresses);
    let timeout = case
        .timeout
        .map_or(default_timeout, Duration::from_secs_f64);
    let start = Instant::now();
    let reply = worker.run(&request, timeout);
    let duration = start.elapsed().as_secs_f64();
    let peer_reports = peers.finish();
    match reply {
        Reply::Unsupported(why) => result(Verdict::Unsupported, duration, vec![], Some(why)),
        Reply::Error(why) => result(Verdict::Error, duration, vec![], Some(why)),
        Reply::Timeout { done } => result(
            Verdict::Timeout,
            duration,
            records(case, &done),
            Some(format!(
                "no result within {:.1}s{}",
                timeout.as_secs_f64(),
                in_flight(case, done.len())
            )),
        ),
        Reply::Crash { why, done } => {
            let why = format!("{why}{}", in_flight(case, done.len()));
            result(Verdict::Crash, duration, records(case, &done), Some(why))
        }
        Reply::Ran {
            steps,
            consts,
            tmpdir,
        } => {
            let records = records(case, &steps);
            let seen = Seen {
                steps: &steps,
                consts: &consts,
                tmpdir: tmpdir.as_deref(),
                peers: &addresses,
                peer_reports: &peer_reports,
            };
            let found = judge(case, &planned, info, &seen);
            let verdict = match (&found.failure, found.details.is_empty()) {
                (Some(_), _) => Verdict::Fail,
                (None, false) => Verdict::Differs,
                (None, true) => Verdict::Pass,
            };
            CaseResult {
                details: found.details,
                ..result(verdict, duration, records, found.failure)
            }
        }
    }
}

/// The workers a run has by default: cases mostly wait on sockets rather than compute, so
/// twice the cores, at least four.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (2 * n.get()).max(4))
}

/// Workers for the cases that wait, besides `jobs` (at least; `jobs` if that is more).
pub const WAITING_WORKERS: usize = 16;

/// Case indices handed out to workers, each once.
struct Queue {
    order: Vec<usize>,
    next: AtomicUsize,
}

impl Queue {
    fn new(order: Vec<usize>) -> Queue {
        Queue {
            order,
            next: AtomicUsize::new(0),
        }
    }

    fn next(&self) -> Option<usize> {
        self.order
            .get(self.next.fetch_add(1, Ordering::Relaxed))
            .copied()
    }
}

/// Runs `cases` on `backend` with `opts.jobs` workers (and more for the cases that wait:
/// [`WAITING_WORKERS`]). Results come back in case order.
pub fn run(
    backend: &dyn Backend,
    cases: &[Case],
    opts: &Options,
    on_event: &(dyn Fn(&Event) + Sync),
) -> Result<Vec<CaseResult>, BackendError> {
    let info = backend.info();
    let slots: Vec<Mutex<Option<CaseResult>>> = cases.iter().map(|_| Mutex::new(None)).collect();
    let selected =
        |c: &Case| opts.filters.is_empty() || opts.filters.iter().any(|f| id_matches(&c.id, f));
    // Cases that state a time limit of their own are the ones that wait (peers, signals,
    // timeouts): they get workers of their own, so that their waiting overlaps with the
    // quick cases and with each other instead of trailing the run. They sleep rather than
    // compute, so there are more of those workers than cores ([`WAITING_WORKERS`], or
    // `jobs` if more), and the longest limits go first: the run then lasts about as long as
    // its longest case. Each worker serves its own queue first, then helps with the other.
    let (mut waiting, quick): (Vec<usize>, Vec<usize>) =
        (0..cases.len()).partition(|&i| cases[i].timeout.is_some() && selected(&cases[i]));
    let limit = |i: usize| cases[i].timeout.unwrap_or(0.0);
    waiting.sort_by(|&a, &b| limit(b).total_cmp(&limit(a)));
    let queues = [Queue::new(waiting), Queue::new(quick)];
    let jobs = opts.jobs.max(1).min(cases.len().max(1));
    let extra = opts.jobs.max(WAITING_WORKERS).min(queues[0].order.len());
    let mut workers = Vec::with_capacity(jobs + extra);
    for n in 0..jobs + extra {
        // The first `extra` workers start with the waiting cases.
        workers.push((usize::from(n >= extra), backend.worker()?));
    }
    std::thread::scope(|scope| {
        for (first, mut worker) in workers {
            let (slots, queues) = (&slots, &queues);
            scope.spawn(move || {
                while let Some(i) = queues[first].next().or_else(|| queues[1 - first].next()) {
                    if opts.stopped() {
                        break;
                    }
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
                            details: vec![],
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
        .zip(cases)
        .map(|(s, case)| {
            s.into_inner()
                .expect("not poisoned")
                .unwrap_or_else(|| CaseResult {
                    id: case.id.clone(),
                    doc: case.doc.clone(),
                    verdict: Verdict::Skip,
                    duration: 0.0,
                    steps: vec![],
                    message: Some("not run: the run was stopped".into()),
                    details: vec![],
                })
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
