//! `sockconf report`: results files become a matrix per documented item, in Markdown, HTML
//! and JUnit XML.

use serde_json::json;
use sockconf::report::{self, Matrix};
use sockconf::spec::Spec;

fn results_file(
    dir: &std::path::Path,
    name: &str,
    label: &str,
    level: &str,
    outcomes: &[(&str, &str, &str)],
) -> std::path::PathBuf {
    let cases: Vec<_> = outcomes
        .iter()
        .map(|(id, doc, outcome)| {
            let (message, details) = match *outcome {
                "PASS" => (None, vec![]),
                "DIFFERS" => (
                    None,
                    vec![format!("step 1 (htons(-1)): {id} words it otherwise")],
                ),
                _ => (Some(format!("{id} went wrong")), vec![]),
            };
            json!({"id": id, "doc": doc, "outcome": outcome, "duration": 0.001,
                   "message": message, "details": details, "steps": []})
        })
        .collect();
    let doc = json!({
        "format_version": 2,
        "suite": {"version": "0", "commit": null, "case_format": 2, "protocol": 2},
        "started": "2026-01-01T00:00:00Z",
        "level": level,
        "runs": [{
            "backend": {"name": "python", "label": label, "implementation": "cpython",
                        "version": "3.11.7", "python_version": "3.11.7", "executable": null, "patch": null},
            "platform": {"os": "linux", "arch": "x86_64", "kernel": "6", "tags": ["linux"]},
            "summary": {},
            "cases": cases,
        }],
    });
    let path = dir.join(name);
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

fn spec() -> Spec {
    Spec::from_yaml(
        "module: socket
items:
- {name: socket.htons, kind: function, section: Functions}
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
    let matrix = Matrix::new(&runs, &spec);
    insta::assert_snapshot!("report_markdown", report::markdown(&matrix));
    let html = report::html(&matrix);
    // Behaviour held in 2 of 3 htons cases on CPython (one of them differs in detail), in
    // all 3 on PyPy, where one differs.
    assert!(
        html.contains("<td class=\"num fail\">2/3 ~1</td>"),
        "{html}"
    );
    assert!(
        html.contains("<td class=\"num differs\">3/3 ~1</td>"),
        "{html}"
    );
    assert!(html.contains("<td class=\"num none\">—</td>"), "{html}");
    assert!(html.contains("CPython details that differ"), "{html}");
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
