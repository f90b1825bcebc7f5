//! Judging at two levels, end to end on real backends: a CPython detail that differs is
//! DIFFERS (a failure only at `--level cpython`), a behaviour mismatch is FAIL, and a
//! documented name the implementation lacks is a FAIL, never UNSUPPORTED.

mod common;

use std::time::Duration;

use sockconf::backend::Backend;
use sockconf::backend::python::PythonBackend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::case::Level;
use sockconf::exec::{CaseResult, Verdict};

fn run(backend: &dyn Backend, text: &str) -> Vec<CaseResult> {
    common::run_text(backend, text, Duration::from_secs(10))
}

const CASES: &str = r#"format: 2
doc: [socket.htons]
cases:
  - id: a.wording
    summary: only the message differs
    steps:
      - call: htons
        args: ["x"]
        raises: {type: TypeError, message: "not the real wording"}
  - id: b.type
    summary: the exception type differs
    steps:
      - call: htons
        args: ["x"]
        raises: {type: ValueError, message: "not the real wording"}
  - id: c.quoted
    summary: a message marked as quoted by the docs is behaviour
    steps:
      - call: htons
        args: ["x"]
        raises: {type: TypeError, message: "not the real wording", level: behaviour}
  - id: d.detail-step
    summary: a step judged as a CPython detail does not stop the behaviour steps after it
    steps:
      - call: htons
        args: ["x"]
        level: cpython
        returns: 1
      - call: htons
        args: [1]
        returns: 256
  - id: e.detail-case-then-behaviour-step
    summary: the innermost level wins
    level: cpython
    steps:
      - call: htons
        args: [1]
        returns: 7
      - call: htons
        args: [1]
        level: behaviour
        returns: 7
  - id: f.detail-step-that-saves
    summary: steps left unrun after a detail that saved nothing are not a behaviour failure
    steps:
      - call: htons
        args: ["x"]
        level: cpython
        save: n
        returns: 1
      - call: htons
        args: [!ref n]
        returns: 256
"#;

fn check_levels(results: &[CaseResult]) {
    let verdicts: Vec<(&str, Verdict)> =
        results.iter().map(|r| (r.id.as_str(), r.verdict)).collect();
    assert_eq!(
        verdicts,
        [
            ("a.wording", Verdict::Differs),
            ("b.type", Verdict::Fail),
            ("c.quoted", Verdict::Fail),
            ("d.detail-step", Verdict::Differs),
            ("e.detail-case-then-behaviour-step", Verdict::Fail),
            ("f.detail-step-that-saves", Verdict::Differs),
        ]
    );
    assert!(
        results[5].details[1].contains("did not run"),
        "{:?}",
        results[5].details
    );
    assert!(results[0].message.is_none());
    assert!(
        results[0].details[0].starts_with("step 1 (htons('x')): expected message"),
        "{:?}",
        results[0].details
    );
    assert_eq!(results[3].steps.len(), 2, "step 2 ran after the detail");
    assert_eq!(results[4].details.len(), 1);
    assert!(Verdict::Differs.is_failure(Level::Cpython));
    assert!(!Verdict::Differs.is_failure(Level::Behaviour));
}

#[test]
fn levels_on_the_reference() {
    check_levels(&run(&ReferenceBackend::new(), CASES));
}

#[test]
fn levels_on_python3() {
    if !common::have_python3("levels_on_python3") {
        return;
    }
    match PythonBackend::start("python3", None) {
        Ok(b) => check_levels(&run(&b, CASES)),
        Err(e) => eprintln!("skipped: python3 is not usable here: {e}"),
    }
}

/// A `!const` input whose name the module lacks raises AttributeError in its step, as Python
/// code would: a FAIL (the case expects a return), not UNSUPPORTED. Shown on python3 with a
/// constant the docs add in a later version than python3's, when python3 lacks it.
#[test]
fn a_missing_const_input_is_an_attribute_error() {
    if !common::have_python3("a_missing_const_input_is_an_attribute_error") {
        return;
    }
    let Ok(backend) = PythonBackend::start("python3", None) else {
        eprintln!("skipped: python3 is not usable here");
        return;
    };
    let text = r#"format: 2
doc: [socket.socket.setsockopt]
cases:
  - id: a.missing-const
    summary: the constant is read when the step runs
    steps:
      - call: socket
        save: s
      - call: $s.getsockopt
        args: [!const SOL_SOCKET, !const SO_BINDTOIFINDEX]
        returns: !match {type: int}
"#;
    let r = &run(&backend, text)[0];
    let has_it = std::process::Command::new("python3")
        .args([
            "-c",
            "import socket; print(hasattr(socket, 'SO_BINDTOIFINDEX'))",
        ])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "True");
    if has_it {
        eprintln!("skipped: this python3 has SO_BINDTOIFINDEX");
        return;
    }
    assert_eq!(r.verdict, Verdict::Fail, "{r:?}");
    assert!(
        r.message.as_deref().unwrap().contains("AttributeError"),
        "{r:?}"
    );
}
