//! Nothing a case does with a relative path lands in the folder `sockconf` was started from:
//! every backend runs each case in a fresh working folder of its own. And nothing is left
//! in the temporary folder after a run, not even by a case cut short at its time limit.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{have_python3, run_bounded, sockconf};

/// A full run on the reference and python3 takes seconds; this is for a hang.
const LIMIT: Duration = Duration::from_secs(300);

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the folder is readable")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn a_full_run_leaves_the_callers_folder_as_it_was() {
    let here = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(here.path().join("already-here"), "x").expect("a file");
    let before = entries(here.path());
    let temp = tempfile::tempdir().expect("a temporary folder");
    let mut cmd = sockconf();
    cmd.current_dir(here.path())
        .env("TMPDIR", temp.path())
        .args(["run", "--backend", "reference"]);
    if have_python3("the python3 half of a_full_run_leaves_the_callers_folder_as_it_was") {
        cmd.args(["--python", "python3"]);
    }
    let ran = run_bounded(&mut cmd, LIMIT);
    // Whether every case passed is the conformance tests' business (a timing case may be
    // late on a loaded machine); here the run must have happened.
    assert!(
        matches!(ran.code(), Some(0 | 1)) && ran.stdout.contains("reference: "),
        "the suite ran: {}{}",
        ran.stdout,
        ran.stderr
    );
    assert_eq!(entries(here.path()), before, "the caller's folder changed");
    assert_eq!(entries(temp.path()), Vec::<String>::new(), "left in TMPDIR");
}

/// Cases abandoned at their limit while blocked, one with a socket file in its `!tmppath`
/// folder: the reference's thread and the harness process are cut off mid-case, and what
/// they made on disk is removed all the same.
#[cfg(unix)]
#[test]
fn cases_cut_short_leave_no_temporary_files() {
    let cases = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(cases.path().join("x")).expect("a folder");
    std::fs::write(
        cases.path().join("x/hang.yaml"),
        "format: 2
doc: [socket.socket.accept]
cases:
  - id: a.blocks
    summary: a socket file, then a wait that never ends
    timeout: 0.5
    steps:
      - call: socket
        args: [!const AF_UNIX]
        save: s
      - call: $s.bind
        args: [!tmppath \"x.sock\"]
      - call: $s.listen
      - call: $s.accept
",
    )
    .expect("a case file");
    let temp = tempfile::tempdir().expect("a temporary folder");
    let mut cmd = sockconf();
    cmd.env("TMPDIR", temp.path())
        .arg("run")
        .arg("--cases")
        .arg(cases.path())
        .args(["--backend", "reference"]);
    if have_python3("the python3 half of cases_cut_short_leave_no_temporary_files") {
        cmd.args(["--python", "python3"]);
    }
    let ran = run_bounded(&mut cmd, LIMIT);
    assert!(
        ran.stdout.contains("TIMEOUT     a.blocks"),
        "{}",
        ran.stdout
    );
    assert_eq!(entries(temp.path()), Vec::<String>::new(), "left in TMPDIR");
}
