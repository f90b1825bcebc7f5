//! `sockconf report`: results files become a matrix per documented item, in Markdown, HTML
//! and JUnit XML.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value as Json, json};
use sockconf::case::Case;
use sockconf::case::load::load_str;
use sockconf::report::{self, Matrix};
use sockconf::spec::Spec;
use sockconf::suite;

/// One case of a results file: id, documented item, outcome.
type Outcome<'a> = (&'a str, &'a str, &'a str);

fn case_json(id: &str, doc: &str, outcome: &str) -> Json {
    let (message, details) = match outcome {
        "PASS" => (None, vec![]),
        "DIFFERS" => (
            None,
            vec![format!("step 1 (htons(-1)): {id} words it otherwise")],
        ),
        _ => (Some(format!("{id} went wrong")), vec![]),
    };
    json!({"id": id, "doc": doc, "outcome": outcome, "duration": 0.001,
           "message": message, "details": details, "steps": []})
}

fn run_json(label: &str, version: &str, cases: Vec<Json>) -> Json {
    json!({
        "backend": {"name": "python", "label": label, "implementation": "cpython",
                    "version": version, "python_version": version, "executable": null, "patch": null},
        "platform": {"os": "linux", "arch": "x86_64", "kernel": "6", "tags": ["linux", "unix"]},
        "summary": {},
        "cases": cases,
    })
}

fn write_results(path: &Path, level: &str, runs: Vec<Json>) -> PathBuf {
    let doc = json!({
        "format_version": 2,
        "suite": {"version": "0", "commit": null, "case_format": 2, "protocol": 2},
        "started": "2026-01-01T00:00:00Z",
        "level": level,
        "runs": runs,
    });
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, doc.to_string()).unwrap();
    path.to_owned()
}

fn results_file(dir: &Path, name: &str, label: &str, level: &str, outcomes: &[Outcome]) -> PathBuf {
    let cases = outcomes
        .iter()
        .map(|(id, doc, outcome)| case_json(id, doc, outcome))
        .collect();
    write_results(
        &dir.join(name),
        level,
        vec![run_json(label, "3.11.7", cases)],
    )
}

fn spec() -> Spec {
    Spec::from_yaml(
        "module: socket
items:
- {name: socket.htons, kind: function, section: Functions}
- {name: socket.ntohs, kind: function, section: Functions}
- {name: socket.socket.bind, kind: method, section: Socket objects}
",
    )
    .unwrap()
}

#[test]
fn runs_from_several_files_form_one_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let a = results_file(
        dir.path(),
        "a.json",
        "cpython-3.11.7",
        "behaviour",
        &[
            ("htons.a", "socket.htons", "PASS"),
            ("htons.b", "socket.htons", "FAIL"),
            ("htons.c", "socket.htons", "DIFFERS"),
            ("bind.a", "socket.socket.bind", "UNSUPPORTED"),
        ],
    );
    let b = results_file(
        dir.path(),
        "b.json",
        "pypy-7.3",
        "cpython",
        &[
            ("htons.a", "socket.htons", "PASS"),
            ("htons.b", "socket.htons", "PASS"),
            ("htons.c", "socket.htons", "DIFFERS"),
            ("bind.a", "socket.socket.bind", "TIMEOUT"),
        ],
    );
    let runs = report::load(&[a, b]).unwrap();
    let spec = spec();
    let matrix = Matrix::new(&runs, &spec, &[]);
    insta::assert_snapshot!("report_markdown", report::markdown(&matrix));
    let html = report::html(&matrix);
    // Behaviour held in 2 of 3 htons cases on CPython; apart, 1 of those 2 matches CPython's
    // details. On PyPy behaviour held in all 3, 2 of which match the details.
    let cell = |class: &str, b: &str, c: &str| {
        format!(
            "data-o=\"{class}\"><details><summary><span class=\"b {}\" title=\"behaviour: {b}</span>\
             <span class=\"c {}\" title=\"CPython details: {c}</span>",
            if class == "fail" { "fail" } else { "pass" },
            if class == "pass" { "pass" } else { "differs" },
        )
    };
    let with = |needle: String| assert!(html.contains(&needle), "{needle}\n\n{html}");
    with(cell(
        "fail",
        "held in 2 of the 3 cases that ran (1 PASS, 1 DIFFERS, 1 FAIL)\">2/3",
        "1 of the 2 whose behaviour held match CPython's\">1/2",
    ));
    with(cell(
        "differs",
        "held in 3 of the 3 cases that ran (2 PASS, 1 DIFFERS)\">3/3",
        "2 of the 3 whose behaviour held match CPython's\">2/3",
    ));
    assert!(html.contains("class=\"cell fail\""), "{html}");
    assert!(html.contains("class=\"cell differs\""), "{html}");
    assert!(html.contains("class=\"cell none\""), "{html}");
    assert!(html.contains("CPython details that differ"), "{html}");
    // Where the runs disagree: htons (behaviour failed on one, held on the other), not bind
    // (it ran only on PyPy).
    let disagree: Vec<&str> = matrix
        .rows()
        .filter(|r| r.disagrees())
        .map(|r| r.item.as_str())
        .collect();
    assert_eq!(disagree, ["socket.htons"]);
    // socket.ntohs has no case: its row says so.
    assert!(
        html.contains("<tr class=\"item nocase\" data-item=\"socket.ntohs\" data-spec>"),
        "{html}"
    );
    let junit = report::junit(&runs);
    assert!(junit.contains("tests=\"8\""), "{junit}");
    // DIFFERS fails only the run judged at the cpython level (b.json); its details are kept.
    assert!(
        junit.contains("failures=\"2\"") && junit.contains("errors=\"1\""),
        "{junit}"
    );
    assert!(junit.contains("htons.c words it otherwise"), "{junit}");
}

#[test]
fn a_file_that_is_not_results_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.json");
    std::fs::write(&p, "{\"format_version\": 9, \"runs\": []}").unwrap();
    let e = report::load(&[&p]).unwrap_err().to_string();
    assert!(e.contains("results format 9"), "{e}");
    std::fs::write(&p, "not json").unwrap();
    assert!(
        report::load(&[&p])
            .unwrap_err()
            .to_string()
            .contains("not a sockconf results file")
    );
}

/// The `<th>` texts of the matrix's header row, one per run.
fn column_headers(html: &str) -> Vec<String> {
    html.split("<th class=\"run\"")
        .skip(1)
        .map(|h| {
            let h = &h[..h.find("</th>").unwrap()];
            // The visible text: what is between tags.
            let mut text = String::new();
            let mut inside = false;
            for ch in h[h.find('>').unwrap() + 1..].chars() {
                match ch {
                    '<' => {
                        inside = true;
                        text.push(' ');
                    }
                    '>' => inside = false,
                    c if !inside => text.push(c),
                    _ => {}
                }
            }
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

#[test]
fn two_files_of_the_same_interpreter_get_distinct_labels() {
    let dir = tempfile::tempdir().unwrap();
    let one = [("htons.a", "socket.htons", "PASS")];
    let a = results_file(
        dir.path(),
        "monday.json",
        "cpython-3.11.7",
        "behaviour",
        &one,
    );
    let b = results_file(
        dir.path(),
        "tuesday.json",
        "cpython-3.11.7",
        "behaviour",
        &one,
    );
    let other = results_file(dir.path(), "pypy.json", "pypy-7.3", "behaviour", &one);
    let runs = report::load(&[a, b, other]).unwrap();
    let titles: Vec<String> = runs.iter().map(report::Run::title).collect();
    assert_eq!(
        titles,
        [
            "cpython-3.11.7 (linux-x86_64) [monday.json]",
            "cpython-3.11.7 (linux-x86_64) [tuesday.json]",
            // A run no other shares its title with keeps the short one.
            "pypy-7.3 (linux-x86_64)",
        ]
    );
    let spec = spec();
    let matrix = Matrix::new(&runs, &spec, &[]);
    let headers = column_headers(&report::html(&matrix));
    assert_eq!(
        headers,
        [
            "cpython 3.11.7 linux x86_64 monday.json",
            "cpython 3.11.7 linux x86_64 tuesday.json",
            "cpython 3.11.7 linux x86_64",
        ]
    );
    let markdown = report::markdown(&matrix);
    assert!(
        markdown.contains(
            "| documented item | cpython-3.11.7 (linux-x86_64) [monday.json] | \
             cpython-3.11.7 (linux-x86_64) [tuesday.json] | pypy-7.3 (linux-x86_64) |"
        ),
        "{markdown}"
    );
    let junit = report::junit(&runs);
    assert!(
        junit.contains("name=\"cpython-3.11.7 (linux-x86_64) [monday.json]\"")
            && junit.contains("name=\"cpython-3.11.7 (linux-x86_64) [tuesday.json]\""),
        "{junit}"
    );
}

#[test]
fn same_named_files_and_runs_within_one_file_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let one = || vec![case_json("htons.a", "socket.htons", "PASS")];
    // The workflow's artifacts: the same file name in different folders.
    let a = write_results(
        &dir.path().join("linux-3.11/results.json"),
        "behaviour",
        vec![run_json("cpython-3.11.7", "3.11.7", one())],
    );
    let b = write_results(
        &dir.path().join("other/results.json"),
        "behaviour",
        vec![run_json("cpython-3.11.7", "3.11.7", one())],
    );
    // `--python python3 --python python3.11`: one file, the same interpreter twice.
    let c = write_results(
        &dir.path().join("twice.json"),
        "behaviour",
        vec![
            run_json("cpython-3.12.1", "3.12.1", one()),
            run_json("cpython-3.12.1", "3.12.1", one()),
        ],
    );
    let runs = report::load(&[a, b, c]).unwrap();
    let tags: Vec<Option<&str>> = runs.iter().map(|r| r.tag.as_deref()).collect();
    assert_eq!(
        tags,
        [
            Some("linux-3.11/results.json"),
            Some("other/results.json"),
            Some("twice.json #1"),
            Some("twice.json #2"),
        ]
    );
    let titles: std::collections::BTreeSet<String> = runs.iter().map(report::Run::title).collect();
    assert_eq!(titles.len(), runs.len());
}

#[test]
fn every_item_of_the_spec_has_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let spec = suite::spec(None).unwrap();
    let results = results_file(
        dir.path(),
        "a.json",
        "cpython-3.11.7",
        "behaviour",
        &[
            ("htons.a", "socket.htons", "PASS"),
            ("bind.a", "socket.socket.bind", "FAIL"),
            ("made.up", "socket.not_documented", "PASS"),
        ],
    );
    let runs = report::load(&[results]).unwrap();
    let matrix = Matrix::new(&runs, &spec, &[]);
    // Every documented item, once, in the section the spec puts it in, in the spec's order.
    let rows: Vec<(&str, &str)> = matrix
        .sections
        .iter()
        .flat_map(|s| {
            s.rows
                .iter()
                .map(move |r| (s.name.as_str(), r.item.as_str()))
        })
        .filter(|(s, _)| *s != report::NOT_IN_SPEC)
        .collect();
    let items: Vec<(&str, &str)> = spec
        .items
        .iter()
        .map(|i| (i.section.as_str(), i.name.as_str()))
        .collect();
    let mut by_section = items.clone();
    // Sections appear in the order of their first item; rows keep the spec's order in each.
    let order: Vec<&str> = items.iter().fold(Vec::new(), |mut v, (s, _)| {
        if !v.contains(s) {
            v.push(s);
        }
        v
    });
    by_section.sort_by_key(|(s, _)| order.iter().position(|o| o == s));
    assert_eq!(rows, by_section);
    // Only two of them have a case here; the others say that no case is about them.
    let without: Vec<&str> = matrix
        .rows()
        .filter(|r| r.kind.is_some() && r.has_no_case())
        .map(|r| r.item.as_str())
        .collect();
    assert_eq!(without.len(), spec.items.len() - 2);
    assert!(!without.contains(&"socket.htons"));
    // A documented item the spec does not know still shows, apart.
    let extra = matrix
        .sections
        .iter()
        .find(|s| s.name == report::NOT_IN_SPEC)
        .unwrap();
    assert_eq!(extra.rows.len(), 1);
    assert_eq!(extra.rows[0].item, "socket.not_documented");

    let html = report::html(&matrix);
    assert_eq!(
        html.matches("<tr class=\"item").count(),
        spec.items.len() + 1
    );
    assert_eq!(html.matches(" data-spec>").count(), spec.items.len());
    assert_eq!(
        html.matches("<tr class=\"item nocase\"").count(),
        spec.items.len() - 2
    );
    assert!(html.contains(&format!("data-spec-items=\"{}\"", spec.items.len())));
    // Self-contained: nothing is fetched.
    for fetch in ["src=", "href=", "<link", "@import", "url("] {
        assert!(!html.contains(fetch), "the page fetches something: {fetch}");
    }
    // The Markdown names the items without a case too.
    let markdown = report::markdown(&matrix);
    assert!(markdown.contains("`socket.ntohs`"), "{markdown}");
}

/// A case of `socket.htons` whose expectation depends on the Python version.
const HTONS_CASES: &str = r#"format: 2
doc: [socket.htons]
cases:
  - id: htons.too-large
    summary: a value that does not fit in 16 bits is refused rather than truncated
    steps:
      - call: htons
        args: [65536]
        expect:
          - python: "<3.10"
            returns: 0
          - python: ">=3.10"
            raises:
              type: OverflowError
"#;

fn htons_cases(spec: &Spec) -> Vec<Case> {
    let vocab = suite::vocabulary(spec.clone());
    load_str(HTONS_CASES, Path::new("cases/functions/htons.yaml"), &vocab).unwrap()
}

#[test]
fn a_failing_cell_carries_the_expected_and_observed_values() {
    let dir = tempfile::tempdir().unwrap();
    let spec = suite::spec(None).unwrap();
    let cases = htons_cases(&spec);
    let failed = json!({
        "id": "htons.too-large", "doc": "socket.htons", "outcome": "FAIL", "duration": 0.01,
        "message": "step 1 (htons(65536)): expected an OverflowError, got 0",
        "details": [],
        "steps": [{"step": "htons(65536)", "returned": {"int": "0"}, "elapsed": 0.0001}],
    });
    // A case the loaded cases do not hold is still reported, without a summary.
    let unknown = json!({
        "id": "htons.gone", "doc": "socket.htons", "outcome": "DIFFERS", "duration": 0.01,
        "message": null,
        "details": ["step 1 (htons(-1)): the message differs: 'x' <> 'y'"],
        "steps": [{"step": "htons(-1)", "raised": {"type": "OverflowError", "mro": ["OverflowError"],
                   "args": {"tuple": [{"str": "y"}]}, "errno": null, "errno_name": null,
                   "strerror": null, "message": "y"}, "elapsed": 0.0001}],
    });
    let results = write_results(
        &dir.path().join("a.json"),
        "behaviour",
        vec![run_json("cpython-3.11.7", "3.11.7", vec![failed, unknown])],
    );
    let runs = report::load(&[results]).unwrap();
    let matrix = Matrix::new(&runs, &spec, &cases);
    let html = report::html(&matrix);
    let start = html
        .find("<tr class=\"item\" data-item=\"socket.htons\"")
        .unwrap();
    let row = &html[start..start + html[start..].find("</tr>\n").unwrap()];
    // The failing cell opens (a <details>) to the case: its outcome, id, documented item,
    // summary and why, and per step the expected value (the alternative for Python 3.11) and
    // the observed one.
    assert!(
        row.contains("<td class=\"cell fail\" data-run=\"0\" data-o=\"fail\"><details>"),
        "{row}"
    );
    for needle in [
        "<b class=\"o fail\">FAIL</b> <code>htons.too-large</code> on <code>socket.htons</code>",
        "cases/functions/htons.yaml",
        "a value that does not fit in 16 bits is refused rather than truncated",
        "step 1 (htons(65536)): expected an OverflowError, got 0",
        "<th>expected</th><th>observed</th>",
        "<td><code>htons(65536)</code></td><td><pre>raises &lt;type OverflowError&gt;</pre></td>\
         <td><pre>returned 0\nin 0.000 s</pre></td>",
        // The unknown case: its details and what it raised, no summary.
        "<code>htons.gone</code>",
        "not among the loaded cases",
        "the message differs: &#39;x&#39;",
        "raised OverflowError: y",
    ] {
        let needle = needle.replace("&#39;", "'");
        assert!(row.contains(&needle), "{needle}\n\n{row}");
    }
    let steps = report::steps(&runs[0], cases.first(), &runs[0].cases[0]);
    assert_eq!(
        steps,
        [report::StepView {
            action: "htons(65536)".into(),
            expected: Some("raises <type OverflowError>".into()),
            observed: Some("returned 0\nin 0.000 s".into()),
        }]
    );
    // On Python 3.9 the other alternative is expected.
    let mut old = runs[0].clone();
    old.backend.python_version = "3.9.18".into();
    let steps = report::steps(&old, cases.first(), &old.cases[0]);
    assert_eq!(steps[0].expected.as_deref(), Some("returns 0"));
}

fn sockconf() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sockconf"))
}

#[test]
fn out_defaults_to_reports_under_the_working_folder() {
    let help = sockconf().args(["report", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[default: reports]"), "{help}");
    // No path of the machine the binary was built on.
    let checkout = suite::repo_root();
    assert!(
        !help.contains(&*checkout.to_string_lossy()),
        "report --help names the build checkout:\n{help}"
    );

    let dir = tempfile::tempdir().unwrap();
    let results = results_file(
        dir.path(),
        "a.json",
        "cpython-3.11.7",
        "behaviour",
        &[("htons.a", "socket.htons", "PASS")],
    );
    let out = sockconf()
        .arg("report")
        .arg(&results)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["report.md", "report.html", "junit.xml"] {
        assert!(dir.path().join("reports").join(name).is_file(), "{name}");
    }
    // --out still writes elsewhere.
    let out = sockconf()
        .arg("report")
        .arg(&results)
        .args(["--out", "elsewhere"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(dir.path().join("elsewhere/report.html").is_file());
}
