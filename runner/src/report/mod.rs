//! Compatibility reports: any number of results files (several backends, versions, platforms)
//! turned into the matrix of documented item × implementation, as Markdown, a self-contained
//! HTML page and JUnit XML for CI.
//!
//! Every item of the spec has its row, grouped by the spec's sections (an item no case is
//! about shows as such); the outcomes and counts are exactly those of the results files. The
//! cases themselves, when given, add each case's summary and the expectations it states to
//! what the results observed; a case id the loaded cases do not know is still reported.

mod html;
mod junit;
mod markdown;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value as Json;

use crate::case::{Case, Level, Outcome};
use crate::exec::Verdict;
use crate::results::{RESULTS_FORMAT_VERSION, Summary};
use crate::spec::Spec;
use crate::value::{ExceptionValue, Value};
use crate::version::{PyVersion, platforms_match};

pub use html::html;
pub use junit::junit;
pub use markdown::markdown;

/// One backend's run, as a results file holds it.
#[derive(Debug, Clone, Deserialize)]
pub struct Run {
    pub backend: RunBackend,
    pub platform: RunPlatform,
    pub cases: Vec<RunCase>,
    /// The level the run was judged at (the results file's `level`).
    #[serde(skip, default = "behaviour")]
    pub level: Level,
    /// The results file it came from, as it was named to [`load`].
    #[serde(skip)]
    pub source: String,
    /// What tells this run apart from the others of the same implementation, version and
    /// platform (see [`disambiguate`]); `None` when no other run shares its title.
    #[serde(skip)]
    pub tag: Option<String>,
}

fn behaviour() -> Level {
    Level::Behaviour
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunBackend {
    /// `cpython-3.11.7`, `pypy-7.3.11`, `cpython-3.11.7+gevent`, `reference`.
    pub label: String,
    pub python_version: String,
    /// `reference`, `python`.
    #[serde(default)]
    pub name: Option<String>,
    /// `cpython`, `pypy`, `sockconf-reference`.
    #[serde(default)]
    pub implementation: Option<String>,
    /// The implementation's own version (`7.3.11` for PyPy).
    #[serde(default)]
    pub version: Option<String>,
    /// The green-thread library patched in (`gevent`, `eventlet`).
    #[serde(default)]
    pub patch: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunPlatform {
    pub os: String,
    pub arch: String,
    /// The platform tags cases' `platforms:` conditions are matched against.
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunCase {
    pub id: String,
    pub doc: String,
    pub outcome: Verdict,
    #[serde(default)]
    pub duration: f64,
    pub message: Option<String>,
    /// CPython details that differ.
    #[serde(default)]
    pub details: Vec<String>,
    /// What each step observed, in the results file's wire form.
    #[serde(default)]
    pub steps: Vec<serde_json::Map<String, Json>>,
}

impl Run {
    /// The column title: implementation and platform, and the tag that tells it apart from
    /// runs with the same title (`cpython-3.11.7 (linux-x86_64) [ci/a.json]`).
    pub fn title(&self) -> String {
        let base = self.base_title();
        match &self.tag {
            Some(tag) => format!("{base} [{tag}]"),
            None => base,
        }
    }

    fn base_title(&self) -> String {
        format!(
            "{} ({}-{})",
            self.backend.label, self.platform.os, self.platform.arch
        )
    }

    /// The implementation, short: `cpython`, `pypy`, `reference`, with `+gevent` when patched.
    pub fn implementation(&self) -> String {
        let b = &self.backend;
        let name = if b.name.as_deref() == Some("reference") || b.label == "reference" {
            "reference".to_owned()
        } else {
            match (&b.implementation, &b.version) {
                (Some(i), _) => i.clone(),
                (None, Some(v)) => {
                    let label = b.label.split('+').next().unwrap_or(&b.label);
                    label
                        .strip_suffix(&format!("-{v}"))
                        .unwrap_or(label)
                        .to_owned()
                }
                (None, None) => b.label.split('+').next().unwrap_or(&b.label).to_owned(),
            }
        };
        match &b.patch {
            Some(p) => format!("{name}+{p}"),
            None => name,
        }
    }

    /// The version, short: CPython's own (`3.11.7`); another implementation's with the Python
    /// version it implements (`7.3.11 · py3.9.16`); the reference's Python version.
    pub fn version(&self) -> String {
        let b = &self.backend;
        if self.implementation().starts_with("reference") {
            return format!("py{}", b.python_version);
        }
        match b.version.as_deref() {
            Some(v) if v != b.python_version => format!("{v} · py{}", b.python_version),
            _ => b.python_version.clone(),
        }
    }

    /// The platform, short: `linux x86_64`.
    pub fn os(&self) -> String {
        format!("{} {}", self.platform.os, self.platform.arch)
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.cases {
            s.add(c.outcome);
        }
        s
    }
}

#[derive(Deserialize)]
struct ResultsFile {
    format_version: u32,
    #[serde(default = "behaviour")]
    level: Level,
    runs: Vec<Run>,
}

/// A results file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a sockconf results file: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path}: results format {found}; this sockconf reads format {RESULTS_FORMAT_VERSION}")]
    Version { path: String, found: u32 },
}

/// Reads the runs of every results file, in order, and tags the runs that would otherwise
/// share a column title ([`disambiguate`]).
pub fn load(paths: &[impl AsRef<Path>]) -> Result<Vec<Run>, ReportError> {
    let mut runs = Vec::new();
    for p in paths {
        let path = p.as_ref().display().to_string();
        let text = std::fs::read_to_string(p).map_err(|source| ReportError::Io {
            path: path.clone(),
            source,
        })?;
        let file: ResultsFile =
            serde_json::from_str(&text).map_err(|source| ReportError::Parse {
                path: path.clone(),
                source,
            })?;
        if file.format_version != RESULTS_FORMAT_VERSION {
            return Err(ReportError::Version {
                path,
                found: file.format_version,
            });
        }
        runs.extend(file.runs.into_iter().map(|r| Run {
            level: file.level,
            source: path.clone(),
            ..r
        }));
    }
    disambiguate(&mut runs);
    Ok(runs)
}

/// Gives every run that shares its title (implementation, version, platform) with another a
/// tag that tells them apart, so that no two columns read the same: the shortest end of its
/// results file's path that differs from the others' (`a.json`, `linux-3.11/results.json`),
/// and `#N` (its place among the runs of that file with that title) when one file holds
/// several. Runs whose title is unique keep none.
pub fn disambiguate(runs: &mut [Run]) {
    let mut by_title: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in runs.iter().enumerate() {
        by_title.entry(r.base_title()).or_default().push(i);
    }
    for group in by_title.values().filter(|g| g.len() > 1) {
        let sources: Vec<Vec<String>> = group
            .iter()
            .map(|&i| {
                Path::new(&runs[i].source)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
            .collect();
        let distinct: BTreeSet<&Vec<String>> = sources.iter().collect();
        let longest = sources.iter().map(Vec::len).max().unwrap_or(0);
        // The fewest trailing components that tell the different files apart.
        let keep = (1..=longest.max(1))
            .find(|&k| {
                let ends: BTreeSet<Vec<&String>> = distinct
                    .iter()
                    .map(|s| s.iter().skip(s.len().saturating_sub(k)).collect())
                    .collect();
                ends.len() == distinct.len()
            })
            .unwrap_or(longest);
        let mut seen: HashMap<&Vec<String>, usize> = HashMap::new();
        let counts: HashMap<&Vec<String>, usize> =
            sources.iter().fold(HashMap::new(), |mut m, s| {
                *m.entry(s).or_default() += 1;
                m
            });
        let tags: Vec<String> = sources
            .iter()
            .map(|s| {
                let end: Vec<&str> = s
                    .iter()
                    .skip(s.len().saturating_sub(keep))
                    .map(String::as_str)
                    .collect();
                let mut tag = end.join("/");
                if counts[s] > 1 {
                    let n = seen.entry(s).or_default();
                    *n += 1;
                    if tag.is_empty() {
                        tag = format!("#{n}");
                    } else {
                        tag = format!("{tag} #{n}");
                    }
                }
                tag
            })
            .collect();
        for (&i, tag) in group.iter().zip(tags) {
            runs[i].tag = Some(tag);
        }
    }
}

/// The outcomes of a documented item's cases on one run (or of a section's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    counts: BTreeMap<Verdict, usize>,
    /// The cases, as indexes into the run's `cases`.
    cases: Vec<usize>,
}

impl Cell {
    fn add(&mut self, v: Verdict) {
        *self.counts.entry(v).or_default() += 1;
    }

    pub fn count(&self, v: Verdict) -> usize {
        self.counts.get(&v).copied().unwrap_or(0)
    }

    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    /// Cases whose documented behaviour did not hold (FAIL, TIMEOUT, CRASH, ERROR).
    pub fn failing(&self) -> usize {
        self.counts
            .iter()
            .filter(|(v, _)| v.is_failure(Level::Behaviour))
            .map(|(_, n)| n)
            .sum()
    }

    /// Cases whose behaviour held (PASS or DIFFERS).
    pub fn held(&self) -> usize {
        self.count(Verdict::Pass) + self.count(Verdict::Differs)
    }

    /// Cases that ran to a verdict on behaviour (all but UNSUPPORTED and SKIP).
    pub fn ran(&self) -> usize {
        self.held() + self.failing()
    }

    /// `pass`, `differs` (behaviour held, CPython details differ), `fail`, `none` (nothing
    /// ran: unsupported or skipped) or `empty`.
    pub fn class(&self) -> &'static str {
        if self.total() == 0 {
            "empty"
        } else if self.failing() > 0 {
            "fail"
        } else if self.count(Verdict::Differs) > 0 {
            "differs"
        } else if self.held() > 0 {
            "pass"
        } else {
            "none"
        }
    }

    /// The behaviour level alone: `pass`, `fail`, `none` or `empty`.
    pub fn behaviour_class(&self) -> &'static str {
        match self.class() {
            "differs" => "pass",
            c => c,
        }
    }

    /// The CPython-detail level alone, of the cases whose behaviour held: `pass` (all match
    /// CPython's details), `differs`, or `none` (no case's behaviour held).
    pub fn detail_class(&self) -> &'static str {
        if self.held() == 0 {
            "none"
        } else if self.count(Verdict::Differs) > 0 {
            "differs"
        } else {
            "pass"
        }
    }

    /// The behaviour tally: `10/12` (behaviour held in 10 of the 12 cases that ran), `—`
    /// when none ran, empty without cases.
    pub fn behaviour_text(&self) -> String {
        match (self.total(), self.ran()) {
            (0, _) => String::new(),
            (_, 0) => "—".into(),
            (_, ran) => format!("{}/{ran}", self.held()),
        }
    }

    /// The CPython-detail tally: `9/10` (9 of the 10 cases whose behaviour held match
    /// CPython's details too), `—` when no case's behaviour held.
    pub fn detail_text(&self) -> String {
        match (self.total(), self.held()) {
            (0, _) => String::new(),
            (_, 0) => "—".into(),
            (_, held) => format!("{}/{held}", self.count(Verdict::Pass)),
        }
    }

    /// Both levels in one: `12/12`, `10/12`, `12/12 ~3` (3 of them differ from CPython in
    /// details), `—` when nothing ran, empty without cases.
    pub fn text(&self) -> String {
        let differs = self.count(Verdict::Differs);
        match (self.total(), self.ran()) {
            (0, _) => String::new(),
            (_, 0) => "—".into(),
            (_, ran) if differs > 0 => format!("{}/{ran} ~{differs}", self.held()),
            (_, ran) => format!("{}/{ran}", self.held()),
        }
    }

    /// The counts per outcome, in outcome order: `1 FAIL, 2 PASS`.
    pub fn outcomes(&self) -> String {
        Verdict::ALL
            .iter()
            .filter(|v| self.count(**v) > 0)
            .map(|v| format!("{} {}", self.count(*v), v.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn merge(&mut self, other: &Cell) {
        for (v, n) in &other.counts {
            *self.counts.entry(*v).or_default() += n;
        }
    }
}

/// A documented item (or a `doc:` the spec does not know) and its cells, one per run.
#[derive(Debug, Clone)]
pub struct Row {
    pub item: String,
    /// The item's kind in the spec (`function`, `data`, …); `None` for an item not in it.
    pub kind: Option<&'static str>,
    pub cells: Vec<Cell>,
    /// The loaded cases whose `doc:` is this item.
    pub cases: usize,
    /// The loaded cases of other items whose steps exercise this one (as `sockconf coverage`
    /// judges it).
    pub exercised_by: Vec<String>,
}

impl Row {
    /// True when neither a results file nor the loaded cases hold a case about this item.
    pub fn has_no_case(&self) -> bool {
        self.cases == 0 && self.cells.iter().all(|c| c.total() == 0)
    }

    /// What the row's cells say together, for the page's filter: every class of a cell.
    fn classes(&self) -> BTreeSet<&'static str> {
        self.cells.iter().map(Cell::class).collect()
    }

    /// True when the runs that ran its cases do not all agree: a cell whose behaviour held
    /// and one where it did not, or one that differs in CPython details and one that does
    /// not.
    pub fn disagrees(&self) -> bool {
        let ran: BTreeSet<&str> = self
            .classes()
            .into_iter()
            .filter(|c| matches!(*c, "pass" | "differs" | "fail"))
            .collect();
        ran.len() > 1
    }
}

/// A section of the docs (`Module contents / Functions / Other functions`) and its rows.
#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub rows: Vec<Row>,
}

impl Section {
    /// The section's tally on one run.
    pub fn total(&self, run: usize) -> Cell {
        let mut total = Cell::default();
        for row in &self.rows {
            total.merge(&row.cells[run]);
        }
        total
    }

    /// Its rows that no case is about.
    pub fn without_case(&self) -> usize {
        self.rows.iter().filter(|r| r.has_no_case()).count()
    }
}

/// The title of the section of the rows for `doc:` items the spec does not know.
pub const NOT_IN_SPEC: &str = "Not in the spec";

/// The matrix: every documented item of the spec, by section in the spec's order, a cell
/// per run; then the items results name that the spec does not know.
pub struct Matrix<'r> {
    pub runs: &'r [Run],
    pub sections: Vec<Section>,
    /// How many items of the spec there are (each has a row).
    pub spec_items: usize,
    cases: HashMap<&'r str, &'r Case>,
}

impl<'r> Matrix<'r> {
    /// The matrix of `runs` against `spec`; `cases` (may be empty) are the case files'
    /// cases, for their summaries and expectations.
    pub fn new(runs: &'r [Run], spec: &Spec, cases: &'r [Case]) -> Matrix<'r> {
        let mut by_item: BTreeMap<&str, Vec<Cell>> = BTreeMap::new();
        for (i, run) in runs.iter().enumerate() {
            for (k, c) in run.cases.iter().enumerate() {
                let cell = &mut by_item
                    .entry(c.doc.as_str())
                    .or_insert_with(|| vec![Cell::default(); runs.len()])[i];
                cell.add(c.outcome);
                cell.cases.push(k);
            }
        }
        let mut own: HashMap<&str, usize> = HashMap::new();
        let mut exercised: HashMap<String, Vec<String>> = HashMap::new();
        for case in cases {
            *own.entry(case.doc.as_str()).or_default() += 1;
            for item in crate::coverage::exercised(spec, case) {
                if item != case.doc {
                    exercised.entry(item).or_default().push(case.id.clone());
                }
            }
        }
        let mut sections: Vec<Section> = Vec::new();
        let mut push =
            |section: &str, row: Row| match sections.iter_mut().find(|s| s.name == section) {
                Some(s) => s.rows.push(row),
                None => sections.push(Section {
                    name: section.to_owned(),
                    rows: vec![row],
                }),
            };
        for item in &spec.items {
            let cells = by_item
                .remove(item.name.as_str())
                .unwrap_or_else(|| vec![Cell::default(); runs.len()]);
            let row = Row {
                item: item.name.clone(),
                kind: Some(item.kind.as_str()),
                cells,
                cases: own.get(item.name.as_str()).copied().unwrap_or(0),
                exercised_by: exercised.remove(&item.name).unwrap_or_default(),
            };
            push(&item.section, row);
        }
        for (item, cells) in by_item {
            let row = Row {
                item: item.to_owned(),
                kind: None,
                cells,
                cases: own.get(item).copied().unwrap_or(0),
                exercised_by: Vec::new(),
            };
            push(NOT_IN_SPEC, row);
        }
        Matrix {
            runs,
            sections,
            spec_items: spec.items.len(),
            cases: cases.iter().map(|c| (c.id.as_str(), c)).collect(),
        }
    }

    /// The loaded case of this id, if any.
    pub fn case(&self, id: &str) -> Option<&'r Case> {
        self.cases.get(id).copied()
    }

    /// Every row, section by section.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.sections.iter().flat_map(|s| &s.rows)
    }
}

/// What one step of a case expected on a run and what the run observed.
#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    /// The step as written (`htons(1)`, `$s.bind(('127.0.0.1', 0))`).
    pub action: String,
    /// The expectation for this run's Python version and platform, from the case file; the
    /// alternatives with their conditions when none applies; `None` without the case.
    pub expected: Option<String>,
    /// What the run observed; `None` when the step did not run.
    pub observed: Option<String>,
}

/// How an expectation reads: `returns 1`, `raises <type OverflowError, …>`.
fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Returns(None) => "returns (any value)".into(),
        Outcome::Returns(Some(e)) => format!("returns {e}"),
        Outcome::Raises(m) => format!("raises {m}"),
    }
}

/// What a step of the results observed, readably: `returns 1`, `raises OSError: …`.
fn observed_text(step: &serde_json::Map<String, Json>) -> String {
    let mut parts = Vec::new();
    if let Some(v) = step.get("returned") {
        parts.push(match Value::from_json(v) {
            Ok(v) => format!("returned {v}"),
            Err(_) => format!("returned {v}"),
        });
    }
    if let Some(e) = step.get("raised") {
        parts.push(match ExceptionValue::from_json(e) {
            Ok(e) => {
                let errno = e
                    .errno_name
                    .as_deref()
                    .map(|n| format!(" (errno {n})"))
                    .unwrap_or_default();
                format!("raised {e}{errno}")
            }
            Err(_) => format!("raised {e}"),
        });
    }
    for key in ["audit", "warnings"] {
        if let Some(Json::Array(seen)) = step.get(key) {
            if !seen.is_empty() {
                let seen: Vec<String> = seen
                    .iter()
                    .map(|v| Value::from_json(v).map_or_else(|_| v.to_string(), |v| v.to_string()))
                    .collect();
                parts.push(format!("{key}: {}", seen.join(", ")));
            }
        }
    }
    if let Some(t) = step.get("elapsed").and_then(Json::as_f64) {
        parts.push(format!("in {t:.3} s"));
    }
    parts.join("\n")
}

/// The steps of a case on a run: what the case expects there and what was observed, step by
/// step (the longer of the two lists).
pub fn steps(run: &Run, case: Option<&Case>, result: &RunCase) -> Vec<StepView> {
    let planned = case.and_then(|c| {
        let version: PyVersion = run.backend.python_version.parse().ok()?;
        crate::exec::plan(c, version, &run.platform.tags).ok()
    });
    let case_steps = case.map_or(0, |c| c.steps.len());
    (0..case_steps.max(result.steps.len()))
        .map(|i| {
            let step = case.and_then(|c| c.steps.get(i));
            let observed = result.steps.get(i);
            let action = observed
                .and_then(|o| o.get("step"))
                .and_then(Json::as_str)
                .map(str::to_owned)
                .or_else(|| step.map(|s| s.action.to_string()))
                .unwrap_or_default();
            let expected = step.map(|s| {
                let mut lines = match planned.as_ref().and_then(|p| p.get(i)) {
                    Some(p) => vec![outcome_text(p.outcome)],
                    None => s
                        .expect
                        .iter()
                        .map(|alt| {
                            let mut when = Vec::new();
                            if let Some(p) = &alt.python {
                                when.push(format!("python {p}"));
                            }
                            if let Some(p) = &alt.platforms {
                                when.push(format!("on {}", p.join(", ")));
                            }
                            let applies =
                                alt.python.as_ref().is_none_or(|r| {
                                    run.backend
                                        .python_version
                                        .parse()
                                        .is_ok_and(|v| r.matches(v))
                                }) && platforms_match(alt.platforms.as_deref(), &run.platform.tags);
                            let when = if when.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    "{}{}: ",
                                    when.join(" "),
                                    if applies { " (applies here)" } else { "" }
                                )
                            };
                            format!("{when}{}", outcome_text(&alt.outcome))
                        })
                        .collect(),
                };
                if let Some(audit) = &s.audit {
                    let events: Vec<String> =
                        audit.iter().map(|a| a.expected().to_string()).collect();
                    lines.push(format!("audit: [{}]", events.join(", ")));
                }
                if let Some(warns) = &s.warns {
                    let w: Vec<String> = warns.iter().map(ToString::to_string).collect();
                    lines.push(format!("warnings: [{}]", w.join(", ")));
                }
                if let Some((lo, hi)) = s.elapsed {
                    match hi {
                        Some(hi) => lines.push(format!("takes {lo}–{hi} s")),
                        None => lines.push(format!("takes at least {lo} s")),
                    }
                }
                lines.join("\n")
            });
            StepView {
                action,
                expected,
                observed: observed.map(observed_text),
            }
        })
        .collect()
}

/// The summary table: its header, and per run the title and the cells after it.
pub(crate) const SUMMARY_HEADER: [&str; 11] = [
    "implementation",
    "behaviour",
    "pass",
    "differs",
    "fail",
    "unsupported",
    "skip",
    "timeout",
    "crash",
    "error",
    "total",
];

pub(crate) fn summary_rows(runs: &[Run]) -> Vec<(String, Vec<String>)> {
    runs.iter()
        .map(|r| {
            let s = r.summary();
            let (held, ran) = s.behaviour_rate();
            let rate = if ran == 0 {
                "—".to_owned()
            } else {
                format!("{held}/{ran} ({:.1}%)", 100.0 * held as f64 / ran as f64)
            };
            let counts = [
                s.pass,
                s.differs,
                s.fail,
                s.unsupported,
                s.skip,
                s.timeout,
                s.crash,
                s.error,
                s.total,
            ];
            let mut cells = vec![rate];
            cells.extend(counts.iter().map(ToString::to_string));
            (r.title(), cells)
        })
        .collect()
}

pub(crate) const LEGEND: &str = "Each cell counts the cases of a documented item whose documented \
behaviour held, of those that ran there; `~N` says that N of them differ from CPython in details \
the docs do not state (message wording, `repr()` layouts, undocumented classes); `—`: none could \
run (unsupported or out of range). *behaviour* in the summary is PASS + DIFFERS of the cases that \
ran; DIFFERS counts the cases whose behaviour held but whose CPython details differ.";

/// The cases of one list under the matrix, run by run (runs with none left out).
pub(crate) type CaseList<'r> = Vec<(&'r Run, Vec<&'r RunCase>)>;

/// The lists under the matrix, each with its title, the empty ones left out: first the
/// behaviour that did not hold, then the CPython details that differ.
pub(crate) fn case_lists(runs: &[Run]) -> Vec<(&'static str, CaseList<'_>)> {
    type Pick = fn(&RunCase) -> bool;
    let lists: [(&str, Pick); 2] = [
        ("Behaviour that did not hold", |c| {
            c.outcome.is_failure(Level::Behaviour)
        }),
        ("CPython details that differ", |c| {
            c.outcome == Verdict::Differs
        }),
    ];
    lists
        .into_iter()
        .map(|(title, pick)| {
            let listed: CaseList = runs
                .iter()
                .map(|r| (r, r.cases.iter().filter(|c| pick(c)).collect::<Vec<_>>()))
                .filter(|(_, cs)| !cs.is_empty())
                .collect();
            (title, listed)
        })
        .filter(|(_, listed)| !listed.is_empty())
        .collect()
}

/// The first line of why a case is listed: its behaviour failure, else its first detail.
pub(crate) fn why(c: &RunCase) -> &str {
    c.message
        .as_deref()
        .or(c.details.first().map(String::as_str))
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("")
}
