//! Compatibility reports: any number of results files (several backends, several platforms)
//! turned into the matrix of documented item × implementation and platform, as Markdown, a
//! self-contained HTML page, and JUnit XML for CI.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use crate::case::Level;
use crate::exec::Verdict;
use crate::results::{RESULTS_FORMAT_VERSION, Summary};
use crate::spec::Spec;

/// One backend's run, as a results file holds it.
#[derive(Debug, Clone, Deserialize)]
pub struct Run {
    pub backend: RunBackend,
    pub platform: RunPlatform,
    pub cases: Vec<RunCase>,
    /// The level the run was judged at (the results file's `level`).
    #[serde(skip, default = "behaviour")]
    pub level: Level,
}

fn behaviour() -> Level {
    Level::Behaviour
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunBackend {
    pub label: String,
    pub python_version: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunPlatform {
    pub os: String,
    pub arch: String,
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
}

impl Run {
    /// The column title: implementation and platform.
    pub fn title(&self) -> String {
        format!(
            "{} ({}-{})",
            self.backend.label, self.platform.os, self.platform.arch
        )
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

/// Reads the runs of every results file, in order.
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
            ..r
        }));
    }
    Ok(runs)
}

/// One cell of the matrix: the outcomes of a documented item's cases on one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell(BTreeMap<Verdict, usize>);

impl Cell {
    fn add(&mut self, v: Verdict) {
        *self.0.entry(v).or_default() += 1;
    }

    fn count(&self, v: Verdict) -> usize {
        self.0.get(&v).copied().unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.0.values().sum()
    }

    /// Cases whose documented behaviour did not hold (FAIL, TIMEOUT, CRASH, ERROR).
    fn failing(&self) -> usize {
        self.0
            .iter()
            .filter(|(v, _)| v.is_failure(Level::Behaviour))
            .map(|(_, n)| n)
            .sum()
    }

    /// Cases whose behaviour held (PASS or DIFFERS).
    fn held(&self) -> usize {
        self.count(Verdict::Pass) + self.count(Verdict::Differs)
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

    /// The behaviour tally and, apart, the details that differ: `12/12`, `10/12`,
    /// `12/12 ~3` (3 of them differ from CPython in details), or `—` when nothing ran.
    pub fn text(&self) -> String {
        let ran = self.held() + self.failing();
        let differs = self.count(Verdict::Differs);
        match (self.total(), ran) {
            (0, _) => String::new(),
            (_, 0) => "—".into(),
            _ if differs > 0 => format!("{}/{} ~{differs}", self.held(), ran),
            _ => format!("{}/{}", self.held(), ran),
        }
    }
}

/// A documented item and its cells, one per run.
pub type Row = (String, Vec<Cell>);

/// A section of the docs and its rows.
pub type Section = (String, Vec<Row>);

/// The matrix: sections of documented items (in the spec's order), a cell per run.
pub struct Matrix<'r> {
    pub runs: &'r [Run],
    pub sections: Vec<Section>,
}

impl<'r> Matrix<'r> {
    pub fn new(runs: &'r [Run], spec: &Spec) -> Matrix<'r> {
        let mut by_item: BTreeMap<&str, Vec<Cell>> = BTreeMap::new();
        for (i, run) in runs.iter().enumerate() {
            for c in &run.cases {
                by_item
                    .entry(c.doc.as_str())
                    .or_insert_with(|| vec![Cell::default(); runs.len()])[i]
                    .add(c.outcome);
            }
        }
        let mut sections: Vec<Section> = Vec::new();
        let mut push = |section: &str, item: &str, cells: Vec<Cell>| match sections
            .iter_mut()
            .find(|(s, _)| s == section)
        {
            Some((_, rows)) => rows.push((item.to_owned(), cells)),
            None => sections.push((section.to_owned(), vec![(item.to_owned(), cells)])),
        };
        for item in &spec.items {
            if let Some(cells) = by_item.remove(item.name.as_str()) {
                push(&item.section, &item.name, cells);
            }
        }
        for (item, cells) in by_item {
            push("Not in the spec", item, cells);
        }
        Matrix { runs, sections }
    }

    /// Per-section totals for each run.
    fn section_total(rows: &[Row], run: usize) -> Cell {
        let mut total = Cell::default();
        for (_, cells) in rows {
            for (v, n) in &cells[run].0 {
                *total.0.entry(*v).or_default() += n;
            }
        }
        total
    }
}

/// The summary table: its header, and per run the title and the cells after it.
const SUMMARY_HEADER: [&str; 11] = [
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

fn summary_rows(runs: &[Run]) -> Vec<(String, Vec<String>)> {
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

const LEGEND: &str = "Each cell counts the cases of a documented item whose documented behaviour \
held, of those that ran there; `~N` says that N of them differ from CPython in details the docs \
do not state (message wording, `repr()` layouts, undocumented classes); `—`: none could run \
(unsupported or out of range). *behaviour* in the summary is PASS + DIFFERS of the cases that \
ran; DIFFERS counts the cases whose behaviour held but whose CPython details differ.";

/// The cases of one list under the matrix, run by run (runs with none left out).
type CaseList<'r> = Vec<(&'r Run, Vec<&'r RunCase>)>;

/// The lists under the matrix, each with its title, the empty ones left out: first the
/// behaviour that did not hold, then the CPython details that differ.
fn case_lists(runs: &[Run]) -> Vec<(&'static str, CaseList<'_>)> {
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
fn why(c: &RunCase) -> &str {
    c.message
        .as_deref()
        .or(c.details.first().map(String::as_str))
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("")
}

/// The report as Markdown.
pub fn markdown(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# sockconf compatibility report\n");
    let _ = writeln!(out, "{LEGEND}\n");
    let _ = writeln!(out, "## Summary\n");
    let _ = writeln!(out, "| {} |", SUMMARY_HEADER.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(SUMMARY_HEADER.len() - 1));
    for (title, cells) in summary_rows(m.runs) {
        let _ = writeln!(out, "| {title} | {} |", cells.join(" | "));
    }
    let header: Vec<String> = m.runs.iter().map(Run::title).collect();
    for (section, rows) in &m.sections {
        let _ = writeln!(out, "\n## {section}\n");
        let _ = writeln!(out, "| documented item | {} |", header.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(header.len()));
        for (item, cells) in rows {
            let texts: Vec<String> = cells.iter().map(Cell::text).collect();
            let _ = writeln!(out, "| `{item}` | {} |", texts.join(" | "));
        }
        let totals: Vec<String> = (0..m.runs.len())
            .map(|i| Matrix::section_total(rows, i).text())
            .collect();
        let _ = writeln!(out, "| **all** | {} |", totals.join(" | "));
    }
    for (title, listed) in case_lists(m.runs) {
        let _ = writeln!(out, "\n## {title}\n");
        for (run, cases) in listed {
            let _ = writeln!(out, "### {}\n", run.title());
            for c in cases {
                let _ = writeln!(
                    out,
                    "- `{}` ({}, `{}`): {}",
                    c.id,
                    c.outcome.as_str(),
                    c.doc,
                    why(c)
                );
            }
            out.push('\n');
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:.25em .6em}\
th{background:#f4f4f4;position:sticky;top:0}td.num{text-align:right}code{font-size:.95em}\
td.pass{background:#d9f2d9}td.differs{background:#eef5c8}td.fail{background:#f7d4d4}\
td.none{background:#eee;color:#777}\
td.empty{background:#fff}details{margin:.3em 0}summary{cursor:pointer}";

/// The report as one self-contained HTML page.
pub fn html(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>sockconf compatibility report</title><style>{STYLE}</style></head><body>\n\
         <h1>sockconf compatibility report</h1>\n<p>{}</p>\n<h2>Summary</h2>\n<table><tr>{}</tr>\n",
        esc(LEGEND).replace('`', ""),
        SUMMARY_HEADER
            .iter()
            .map(|h| format!("<th>{h}</th>"))
            .collect::<String>()
    );
    for (title, cells) in summary_rows(m.runs) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td>{}</tr>",
            esc(&title),
            cells
                .iter()
                .map(|n| format!("<td class=\"num\">{}</td>", esc(n)))
                .collect::<String>()
        );
    }
    out.push_str("</table>\n");
    let header: String = m
        .runs
        .iter()
        .map(|r| format!("<th>{}</th>", esc(&r.title())))
        .collect();
    for (section, rows) in &m.sections {
        let _ = writeln!(out, "<h2>{}</h2>", esc(section));
        let _ = writeln!(out, "<table><tr><th>documented item</th>{header}</tr>");
        let row = |name: String, cells: &[Cell]| -> String {
            let tds: String = cells
                .iter()
                .map(|c| format!("<td class=\"num {}\">{}</td>", c.class(), c.text()))
                .collect();
            format!("<tr><td>{name}</td>{tds}</tr>\n")
        };
        for (item, cells) in rows {
            out.push_str(&row(format!("<code>{}</code>", esc(item)), cells));
        }
        let totals: Vec<Cell> = (0..m.runs.len())
            .map(|i| Matrix::section_total(rows, i))
            .collect();
        out.push_str(&row("<b>all</b>".into(), &totals));
        out.push_str("</table>\n");
    }
    for (title, listed) in case_lists(m.runs) {
        let _ = writeln!(out, "<h2>{title}</h2>");
        for (run, cases) in listed {
            let _ = writeln!(
                out,
                "<details><summary>{} — {} case(s)</summary><ul>",
                esc(&run.title()),
                cases.len()
            );
            for c in cases {
                let text = c
                    .message
                    .iter()
                    .chain(&c.details)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join("\n");
                let _ = writeln!(
                    out,
                    "<li><code>{}</code> {} (<code>{}</code>): <pre>{}</pre></li>",
                    esc(&c.id),
                    c.outcome.as_str(),
                    esc(&c.doc),
                    esc(&text)
                );
            }
            out.push_str("</ul></details>\n");
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// The runs as JUnit XML: a test suite per run, a test case per case.
pub fn junit(runs: &[Run]) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("sockconf");
    for run in runs {
        let mut suite = TestSuite::new(run.title());
        for c in &run.cases {
            let mut status = match c.outcome {
                Verdict::Differs if run.level == Level::Cpython => {
                    TestCaseStatus::non_success(NonSuccessKind::Failure)
                }
                Verdict::Pass | Verdict::Differs => TestCaseStatus::success(),
                Verdict::Fail => TestCaseStatus::non_success(NonSuccessKind::Failure),
                Verdict::Timeout | Verdict::Crash | Verdict::Error => {
                    TestCaseStatus::non_success(NonSuccessKind::Error)
                }
                Verdict::Unsupported | Verdict::Skip => TestCaseStatus::skipped(),
            };
            if let Some(m) = c.message.as_ref().or(c.details.first()) {
                status.set_message(format!("{}: {}", c.outcome.as_str(), m));
            }
            let mut case = TestCase::new(c.id.clone(), status);
            if !c.details.is_empty() {
                case.set_system_out(format!(
                    "CPython details that differ:\n{}",
                    c.details.join("\n")
                ));
            }
            case.set_classname(c.doc.clone());
            case.set_time(std::time::Duration::from_secs_f64(c.duration.max(0.0)));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .expect("a JUnit report of plain strings serialises")
}
