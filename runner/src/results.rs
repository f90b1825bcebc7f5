//! The results file: one JSON document per `sockconf run`, versioned, holding every backend's
//! run (who, where, a summary, and each case with what it observed).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use crate::case::Level;
use crate::exec::{CaseResult, Verdict};
use crate::protocol::{BackendInfo, Observed};
use crate::value::Value;

/// The schema version of the results file.
pub const RESULTS_FORMAT_VERSION: u32 = 2;

/// Counts per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    /// Behaviour held, CPython details differ.
    #[serde(default)]
    pub differs: usize,
    pub fail: usize,
    pub unsupported: usize,
    pub skip: usize,
    pub timeout: usize,
    pub crash: usize,
    pub error: usize,
}

impl Summary {
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            s.add(r.verdict);
        }
        s
    }

    pub fn add(&mut self, v: Verdict) {
        self.total += 1;
        *match v {
            Verdict::Pass => &mut self.pass,
            Verdict::Differs => &mut self.differs,
            Verdict::Fail => &mut self.fail,
            Verdict::Unsupported => &mut self.unsupported,
            Verdict::Skip => &mut self.skip,
            Verdict::Timeout => &mut self.timeout,
            Verdict::Crash => &mut self.crash,
            Verdict::Error => &mut self.error,
        } += 1;
    }

    pub fn count(&self, v: Verdict) -> usize {
        match v {
            Verdict::Pass => self.pass,
            Verdict::Differs => self.differs,
            Verdict::Fail => self.fail,
            Verdict::Unsupported => self.unsupported,
            Verdict::Skip => self.skip,
            Verdict::Timeout => self.timeout,
            Verdict::Crash => self.crash,
            Verdict::Error => self.error,
        }
    }

    /// True when nothing failed at `level`: no FAIL, TIMEOUT, CRASH or ERROR, and at the
    /// cpython level no DIFFERS either.
    pub fn ok(&self, level: Level) -> bool {
        Verdict::ALL
            .iter()
            .all(|v| !v.is_failure(level) || self.count(*v) == 0)
    }

    /// Cases whose documented behaviour held (PASS or DIFFERS), of those that ran to a
    /// verdict (everything but UNSUPPORTED and SKIP).
    pub fn behaviour_rate(&self) -> (usize, usize) {
        let held = self.pass + self.differs;
        (
            held,
            held + self.fail + self.timeout + self.crash + self.error,
        )
    }
}

/// One backend's run.
pub struct BackendRun {
    pub info: BackendInfo,
    pub results: Vec<CaseResult>,
}

fn observed_json(o: &Observed) -> Json {
    match o {
        Observed::Returned(v) => json!({ "returned": v.to_json() }),
        Observed::Raised(e) => json!({ "raised": e.to_json() }),
    }
}

/// The whole results document; `level` is the level the run was judged at.
pub fn document(runs: &[BackendRun], started: std::time::SystemTime, level: Level) -> Json {
    let runs: Vec<Json> = runs
        .iter()
        .map(|run| {
            let info = &run.info;
            let cases: Vec<Json> = run
                .results
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id,
                        "doc": r.doc,
                        "outcome": r.verdict,
                        "duration": (r.duration * 1e6).round() / 1e6,
                        "message": r.message,
                        "details": r.details,
                        "steps": r.steps.iter().map(|s| {
                            let mut o = observed_json(&s.observed);
                            o["step"] = json!(s.action);
                            o["elapsed"] = json!((s.elapsed * 1e6).round() / 1e6);
                            for (key, seen) in [("audit", &s.audit), ("warnings", &s.warnings)] {
                                if let Some(seen) = seen {
                                    o[key] = Json::Array(seen.iter().map(Value::to_json).collect());
                                }
                            }
                            o
                        }).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "backend": {
                    "name": info.name,
                    "label": info.label,
                    "implementation": info.implementation,
                    "version": info.version,
                    "python_version": info.python_version.to_string(),
                    "executable": info.executable,
                    "patch": info.patch,
                },
                "platform": info.platform,
                "summary": Summary::of(&run.results),
                "cases": cases,
            })
        })
        .collect();
    json!({
        "format_version": RESULTS_FORMAT_VERSION,
        "suite": {
            "version": env!("CARGO_PKG_VERSION"),
            "commit": suite_commit(),
            "case_format": crate::case::FORMAT_VERSION,
            "protocol": crate::protocol::PROTOCOL_VERSION,
        },
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "level": level,
        "runs": runs,
    })
}

/// The commit of the suite, when it runs from a git checkout.
fn suite_commit() -> Option<String> {
    // Recorded by runner/build.rs when the binary was built.
    option_env!("SOCKCONF_COMMIT").map(str::to_owned)
}

/// Per-verdict counts in a stable order, for summaries.
pub fn tally(results: &[CaseResult]) -> BTreeMap<Verdict, usize> {
    let mut m = BTreeMap::new();
    for r in results {
        *m.entry(r.verdict).or_default() += 1;
    }
    m
}

/// Writes `text` to `path` atomically: into a temporary file in the same folder, renamed over
/// `path` once complete, so that a failed write leaves no half-written results file (the
/// temporary file is removed) and a reader never sees one.
pub fn write_atomic(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    // Created the ordinary way (so the usual permissions apply), next to the target so
    // that the rename stays within one file system.
    let temporary = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(test)]
mod atomic_tests {
    use super::write_atomic;

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, "old").unwrap();
        write_atomic(&path, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }

    #[test]
    fn a_failed_atomic_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        // The destination is a folder: the rename fails, and the temporary file goes.
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("x"), "").unwrap();
        assert!(write_atomic(&path, "new").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the folder is there");
    }
}
