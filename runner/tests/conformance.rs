//! Runs every case of `cases/` on the reference (each observed result checked against its
//! insta snapshot) and, when `python3` is on PATH, on CPython. One test per case and backend,
//! so `cargo test reference::htons` or nextest filters pick single cases.

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use libtest_mimic::{Arguments, Failed, Trial};
use sockconf::backend::python::PythonBackend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::backend::{Backend, Worker};
use sockconf::case::{Case, Expected, Level, Outcome, load_dir};
use sockconf::exec::{CaseResult, Verdict, plan, run_case};
use sockconf::version::{PyVersion, platforms_match};
use sockconf::{snapshot, suite};

const TIMEOUT: Duration = Duration::from_secs(20);

/// Workers shared by the tests of one backend: a test takes one, runs, and gives it back.
struct Pool {
    backend: Arc<dyn Backend>,
    idle: Mutex<Vec<Box<dyn Worker>>>,
}

impl Pool {
    fn new(backend: Arc<dyn Backend>) -> Arc<Pool> {
        Arc::new(Pool {
            backend,
            idle: Mutex::new(Vec::new()),
        })
    }

    fn run(&self, case: &Case) -> CaseResult {
        let taken = self.idle.lock().unwrap().pop();
        let mut worker = match taken {
            Some(w) => w,
            None => self.backend.worker().expect("a worker starts"),
        };
        let r = run_case(case, worker.as_mut(), self.backend.info(), TIMEOUT);
        self.idle.lock().unwrap().push(worker);
        r
    }
}

fn describe(r: &CaseResult) -> String {
    format!(
        "{} {}: {}\n{}",
        r.verdict.as_str(),
        r.id,
        r.message.as_deref().unwrap_or(""),
        snapshot::render(r, &[])
    )
}

fn passed(r: &CaseResult) -> Result<(), Failed> {
    match r.verdict {
        Verdict::Pass | Verdict::Unsupported | Verdict::Skip => Ok(()),
        _ => Err(describe(r).into()),
    }
}

/// `reference/known-failures.yaml`: the cases the reference does not pass yet, each with the
/// reason. Such a case must still fail (a listed case that passes is an error: take it off
/// the list) and has no snapshot.
fn known_failures() -> HashMap<String, String> {
    let path = suite::repo_root().join("reference/known-failures.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        known_failures: Option<BTreeMap<String, String>>,
    }
    let file: File =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.known_failures
        .unwrap_or_default()
        .into_iter()
        .collect()
}

fn reference_trial(pool: Arc<Pool>, case: Case, known: Option<String>) -> Trial {
    let name = format!("reference::{}", case.id);
    Trial::test(name, move || {
        let r = pool.run(&case);
        if let Some(reason) = known {
            return match r.verdict {
                Verdict::Pass => Err(format!(
                    "{} now passes on the reference: take it off reference/known-failures.yaml ({reason})",
                    case.id
                )
                .into()),
                _ => Ok(()),
            };
        }
        passed(&r)?;
        let info = pool.backend.info();
        let planned = plan(&case, info.python_version, &info.platform.tags).unwrap_or_default();
        let rendered = snapshot::render(&r, &planned);
        catch_unwind(AssertUnwindSafe(|| {
            let mut settings = insta::Settings::clone_current();
            settings.set_prepend_module_to_snapshot(false);
            settings.set_snapshot_path("snapshots/cases");
            settings.set_info(&format!("{} ({})", case.summary, case.doc));
            if case.platform_dependent {
                settings.set_snapshot_suffix(std::env::consts::OS);
            }
            settings.bind(|| insta::assert_snapshot!(case.id.clone(), rendered));
        }))
        .map_err(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "snapshot mismatch".into())
                .into()
        })
    })
}

/// Each step of each case states an expectation for every Python version from 3.6 to 3.15
/// that its case runs on, per platform, or for none of them there (a platform the case says
/// nothing about): a gap would make the whole case SKIP on that version.
fn every_version_has_an_arm(cases: &[Case]) -> Result<(), Failed> {
    let platforms: [&[&str]; 4] = [
        &["linux", "unix", "little-endian", "x86_64"],
        &["macos", "unix", "little-endian", "aarch64"],
        &["freebsd", "unix", "little-endian", "x86_64"],
        &["windows", "little-endian", "x86_64"],
    ];
    let versions: Vec<PyVersion> = (6..=15)
        .map(|minor| format!("3.{minor}").parse().expect("a version"))
        .collect();
    let mut gaps = Vec::new();
    for case in cases {
        for tags in platforms {
            let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
            let applies: Vec<PyVersion> = versions
                .iter()
                .copied()
                .filter(|v| case.python.as_ref().is_none_or(|r| r.matches(*v)))
                .collect();
            if !platforms_match(case.platforms.as_deref(), &tags) {
                continue;
            }
            for (i, step) in case.steps.iter().enumerate() {
                let missing: Vec<String> = applies
                    .iter()
                    .filter(|v| {
                        !step.expect.iter().any(|a| {
                            a.python.as_ref().is_none_or(|r| r.matches(**v))
                                && platforms_match(a.platforms.as_deref(), &tags)
                        })
                    })
                    .map(ToString::to_string)
                    .collect();
                if !missing.is_empty() && missing.len() < applies.len() {
                    gaps.push(format!(
                        "{} step {} on {}: no expectation for {}",
                        case.id,
                        i + 1,
                        tags[0],
                        missing.join(", ")
                    ));
                }
            }
        }
    }
    if gaps.is_empty() {
        Ok(())
    } else {
        Err(gaps.join("\n").into())
    }
}

/// A case that judges something as a CPython detail (`level: cpython` on the case, a step,
/// an alternative or an expectation's top matcher) says why in a `note:` of the case or
/// that step: the docs do not state it, and the reader must learn what it is.
fn cpython_details_are_explained(cases: &[Case]) -> Result<(), Failed> {
    let top_level = |o: &Outcome| match o {
        Outcome::Raises(m) => m.level,
        Outcome::Returns(Some(Expected::Match(m))) => m.level,
        Outcome::Returns(_) => None,
    };
    let unexplained: Vec<String> = cases
        .iter()
        .filter(|c| c.note.is_none())
        .flat_map(|c| {
            let case_level = c.level == Some(Level::Cpython);
            c.steps.iter().enumerate().filter_map(move |(i, s)| {
                let marked = case_level
                    || s.level == Some(Level::Cpython)
                    || s.expect.iter().any(|a| {
                        a.level == Some(Level::Cpython)
                            || top_level(&a.outcome) == Some(Level::Cpython)
                    });
                (marked && s.note.is_none()).then(|| format!("{} step {}", c.id, i + 1))
            })
        })
        .collect();
    if unexplained.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "CPython details without a note saying why:\n{}",
            unexplained.join("\n")
        )
        .into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let spec = suite::spec(None).expect("the committed spec loads");
    let cases_dir = suite::repo_root().join("cases");
    let cases = match load_dir(&cases_dir, &suite::vocabulary(spec)) {
        Ok(s) => s.cases,
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            panic!("the case files do not load");
        }
    };
    let mut trials = Vec::new();
    let all = cases.clone();
    trials.push(Trial::test("suite::every-version-has-an-arm", move || {
        every_version_has_an_arm(&all)
    }));
    let all = cases.clone();
    trials.push(Trial::test(
        "suite::cpython-details-are-explained",
        move || cpython_details_are_explained(&all),
    ));
    let reference = Pool::new(Arc::new(ReferenceBackend::new()));
    let mut known = known_failures();
    for case in &cases {
        let reason = known.remove(&case.id);
        trials.push(reference_trial(
            Arc::clone(&reference),
            case.clone(),
            reason,
        ));
    }
    assert!(
        known.is_empty(),
        "reference/known-failures.yaml names cases that do not exist: {:?}",
        known.keys().collect::<Vec<_>>()
    );
    match PythonBackend::start("python3", None) {
        Ok(backend) => {
            let pool = Pool::new(Arc::new(backend));
            for case in &cases {
                let (pool, case) = (Arc::clone(&pool), case.clone());
                trials.push(Trial::test(format!("python3::{}", case.id), move || {
                    passed(&pool.run(&case))
                }));
            }
        }
        Err(e) => eprintln!("python3 not usable, its cases are not run: {e}"),
    }
    libtest_mimic::run(&args, trials).exit();
}
