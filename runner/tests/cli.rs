//! The `run` command's manners: options checked before anything runs, plain messages for
//! plain mistakes, a results file never half-written, a closed pipe not a crash, and cases
//! printed in case order.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Ran, run_bounded, sockconf};

const LIMIT: Duration = Duration::from_secs(60);

fn run(args: &[&str]) -> Ran {
    run_bounded(sockconf().arg("run").args(args), LIMIT)
}

/// Status 2, the message, and nothing run.
fn refused(ran: &Ran, wanted: &str) {
    assert_eq!(ran.code(), Some(2), "{ran:?}");
    assert!(
        ran.stderr.contains(wanted),
        "{}\n  lacks\n{wanted}",
        ran.stderr
    );
    assert!(!ran.stdout.contains("=="), "something ran: {}", ran.stdout);
}

/// A case that waits 1 s (it times out), then `quick` quick ones: in case order, the slow one
/// comes first and finishes last.
fn cases_folder(quick: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "format: 2
doc: [socket.socket.recv, socket.htons]
cases:
  - id: a.slow
    summary: nobody ever sends
    timeout: 1
    steps:
      - call: socketpair
        save: pair
      - call: $pair.0.recv
        args: [1]
",
    );
    for i in 0..quick {
        text.push_str(&format!(
            "  - id: b.quick-{i:03}
    summary: quick
    doc: socket.htons
    steps:
      - call: htons
        args: [1]
        returns: 256
"
        ));
    }
    std::fs::write(dir.path().join("t.yaml"), text).unwrap();
    dir
}

#[test]
fn a_negative_timeout_is_refused_however_it_is_written() {
    let separate = run(&["--timeout", "-1"]);
    let joined = run(&["--timeout=-1"]);
    refused(
        &separate,
        "--timeout must be a positive number of seconds, not -1",
    );
    assert_eq!(separate.stderr, joined.stderr);
    for bad in ["0", "nan", "inf", "-0.5"] {
        refused(
            &run(&["--timeout", bad]),
            "--timeout must be a positive number of seconds",
        );
        refused(
            &run(&["--handshake-timeout", bad]),
            "--handshake-timeout must be a positive number of seconds",
        );
    }
}

#[test]
fn zero_jobs_are_refused() {
    refused(&run(&["--jobs", "0"]), "--jobs must be at least 1");
    refused(&run(&["-j", "0"]), "--jobs must be at least 1");
}

#[test]
fn a_patch_without_a_python_is_refused() {
    refused(&run(&["--patch", "gevent"]), "--patch");
    refused(&run(&["--patch", "gevent"]), "it needs --python");
}

#[test]
fn a_results_file_in_a_missing_folder_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("r.json");
    let started = Instant::now();
    let ran = run(&["--results", path.to_str().unwrap()]);
    refused(&ran, "does not exist");
    assert!(ran.stderr.contains("--results"), "{}", ran.stderr);
    assert!(started.elapsed() < Duration::from_secs(5), "{ran:?}");
}

#[test]
fn a_results_path_that_is_a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    refused(
        &run(&["--results", dir.path().to_str().unwrap()]),
        "is a folder",
    );
}

#[test]
fn a_results_file_below_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain");
    std::fs::write(&file, "").unwrap();
    let path = file.join("r.json");
    refused(
        &run(&["--results", path.to_str().unwrap()]),
        "is not a folder",
    );
}

/// Even root cannot make a file in `/proc`.
#[cfg(target_os = "linux")]
#[test]
fn a_results_file_in_a_folder_nobody_writes_is_refused() {
    refused(
        &run(&["--results", "/proc/sockconf-results.json"]),
        "--results /proc/sockconf-results.json: cannot write in the folder /proc",
    );
}

#[cfg(unix)]
#[test]
fn a_results_file_in_a_read_only_folder_is_refused_before_anything_runs() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(locked.join("probe"), "").is_ok() {
        eprintln!("skipped: this user writes in read-only folders (root?)");
        return;
    }
    let path = locked.join("r.json");
    refused(
        &run(&["--results", path.to_str().unwrap()]),
        "cannot write in the folder",
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn the_results_file_is_written_whole_and_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    std::fs::write(&path, "an older run").unwrap();
    let ran = run(&["--filter", "htons*", "--results", path.to_str().unwrap()]);
    assert_eq!(ran.code(), Some(0), "{ran:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).expect("whole JSON");
    assert!(doc["runs"].is_array(), "{doc}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["r.json"], "no temporary file is left");
}

#[test]
fn a_filter_that_matches_no_case_is_refused() {
    refused(
        &run(&["--filter", "no-such-case-*"]),
        "no case matches --filter no-such-case-*; nothing was run",
    );
}

#[test]
fn a_missing_cases_folder_gets_a_plain_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let ran = run(&["--cases", missing.to_str().unwrap()]);
    refused(&ran, "no such folder");
    assert!(!ran.stderr.contains(":0:0:"), "{}", ran.stderr);
    let listed = run_bounded(
        sockconf().args(["list", "--cases", missing.to_str().unwrap()]),
        LIMIT,
    );
    refused(&listed, "no such folder");
}

/// Ids of the case lines of `run --verbose` output, in the order printed.
fn printed_ids(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with("==") && !l.contains(" cases"))
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect()
}

#[test]
fn verbose_prints_the_cases_in_case_order() {
    let dir = cases_folder(20);
    let ran = run(&[
        "--verbose",
        "--jobs",
        "4",
        "--cases",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(ran.code(), Some(1), "the slow case times out: {ran:?}");
    let mut wanted = vec!["a.slow".to_owned()];
    wanted.extend((0..20).map(|i| format!("b.quick-{i:03}")));
    assert_eq!(printed_ids(&ran.stdout), wanted, "{}", ran.stdout);
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    let dir = cases_folder(3);
    let mut child = sockconf()
        .args(["run", "--verbose", "--cases", dir.path().to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -1`: one line read, then the pipe is closed while the slow case still runs.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("== reference"), "{first}");
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sockconf did not end after its stdout closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.is_empty(), "quietly: {stderr}");
    // Ended early, as a program writing to a closed pipe is (128 + SIGPIPE), not a
    // panic's 101.
    assert_eq!(status.code(), Some(141), "{status:?}");
}

#[test]
fn the_results_file_is_still_written_when_stdout_closes() {
    let dir = cases_folder(1);
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("r.json");
    let mut child = sockconf()
        .args(["run", "--verbose", "--cases", dir.path().to_str().unwrap()])
        .arg("--results")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let deadline = Instant::now() + LIMIT;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "sockconf did not end");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(Path::new(&path).is_file(), "the results file is written");
}
