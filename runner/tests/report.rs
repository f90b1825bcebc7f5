//! `sockconf report`: results files become a matrix per documented item, in Markdown, HTML
//! and JUnit XML.

use serde_json::json;
use sockconf::report::{self, Matrix};
use sockconf::spec::Spec;

fn results_file(
    dir: &std::path::Path,
    name: &str,
    label: &str,
    outcomes: &[(&str, &str, &str)],
) -> std::path::PathBuf {
    let cases: Vec<_> = outcomes
        .iter()
        .map(|(id, doc, outcome)| {
            json!({"id": id, "doc": doc, "outcome": outcome, "duration": 0.001,
                   "message": if *outcome == "PASS" { None } else { Some(format!("{id} went wrong")) },
                   "steps": []})
        })
        .collect();
    let doc = json!({
        "format_version": 1,
        "suite": {"version": "0", "commit": null, "case_format": 1, "protocol": 1},
        "started": "2026-01-01T00:00:00Z",
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
        &[
            ("htons.a", "socket.htons", "PASS"),
            ("htons.b", "socket.htons", "FAIL"),
            ("bind.a", "socket.socket.bind", "UNSUPPORTED"),
        ],
    );
    let b = results_file(
        dir.path(),
        "b.json",
        "pypy-7.3",
        &[
            ("htons.a", "socket.htons", "PASS"),
            ("htons.b", "socket.htons", "PASS"),
            ("bind.a", "socket.socket.bind", "TIMEOUT"),
        ],
    );
    let runs = report::load(&[a, b]).unwrap();
    let spec = spec();
    let matrix = Matrix::new(&runs, &spec);
    insta::assert_snapshot!("report_markdown", report::markdown(&matrix));
    let html = report::html(&matrix);
    assert!(html.contains("<td class=\"num fail\">1/2</td>"), "{html}");
    assert!(html.contains("<td class=\"num none\">—</td>"), "{html}");
    let junit = report::junit(&runs);
    assert!(junit.contains("tests=\"6\""), "{junit}");
    assert!(
        junit.contains("failures=\"1\"") && junit.contains("errors=\"1\""),
        "{junit}"
    );
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
