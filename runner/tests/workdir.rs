//! Nothing a case does with a relative path lands in the folder `sockconf` was started from:
//! every backend runs each case in a fresh working folder of its own.

use std::path::Path;
use std::process::Command;

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
    let python = Command::new("python3").arg("--version").output().is_ok();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sockconf"));
    cmd.current_dir(here.path())
        .arg("run")
        .arg("--backend")
        .arg("reference");
    if python {
        cmd.arg("--python").arg("python3");
    } else {
        eprintln!("no python3 here: only the reference backend is checked");
    }
    let out = cmd.output().expect("sockconf runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Whether every case passed is the conformance tests' business (a timing case may be
    // late on a loaded machine); here the run must have happened.
    assert!(
        matches!(out.status.code(), Some(0 | 1)) && stdout.contains("reference: "),
        "the suite ran: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(entries(here.path()), before, "the caller's folder changed");
}
