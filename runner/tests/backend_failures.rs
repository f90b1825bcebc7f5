//! A backend that hangs, dies or answers garbage costs only the case in flight: it becomes
//! TIMEOUT or CRASH and the run goes on with a fresh process. An interpreter that is missing
//! or too old is refused before anything runs, and so is one that never completes the
//! handshake — within the handshake limit, whatever it does instead.

mod common;

#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
#[cfg(unix)]
use std::path::Path;
use std::time::Duration;
#[cfg(unix)]
use std::time::Instant;

use sockconf::backend::BackendError;
use sockconf::backend::python::PythonBackend;
use sockconf::exec::Verdict;

/// A stand-in interpreter: ignores its arguments (the harness path) and speaks the protocol
/// itself, misbehaving on cue from the case id. It needs `python3` on PATH: the tests that
/// use it say they are skipped without one.
#[cfg(unix)]
const FAKE: &str = r#"#!/usr/bin/env python3
import json, sys, time
for line in sys.stdin:
    req = json.loads(line)
    op = req.get("op")
    if op == "hello":
        print(json.dumps({"ok": True, "protocol": 2, "implementation": "fake", "version": "0",
                          "python_version": "2.7.18" if "OLD" in sys.argv[0] else "3.11.0",
                          "executable": sys.argv[0],
                          "platform": {"os": "linux", "arch": "x86_64", "kernel": "",
                                       "tags": ["linux", "little-endian", "x86_64"]}}), flush=True)
    elif op == "bye":
        break
    elif "hang" in req["id"]:
        # The first step completes, the second hangs.
        print(json.dumps({"progress": {"id": req["id"],
                                       "done": {"returned": {"int": "256"}, "elapsed": 0.0}}}),
              flush=True)
        time.sleep(30)
    elif "die" in req["id"]:
        sys.stderr.write("Traceback (most recent call last):\n  File \"x\", line 1\n")
        sys.stderr.write("RuntimeError: fake: dying on purpose\n")
        for i in range(100):
            sys.stderr.write("noise %d\n" % i)
        sys.stderr.flush()
        sys.exit(3)
    elif "garbage" in req["id"]:
        print("this is not json", flush=True)
    elif "deaf" in req["id"]:
        # Answers, then reads nothing more: the next request fills the pipe.
        steps = [{"returned": {"int": "256"}, "elapsed": 0.0} for _ in req["steps"]]
        print(json.dumps({"id": req["id"], "status": "ran", "steps": steps}), flush=True)
        time.sleep(30)
    else:
        steps = [{"returned": {"int": "256"}, "elapsed": 0.0} for _ in req["steps"]]
        print(json.dumps({"id": req["id"], "status": "ran", "steps": steps}), flush=True)
"#;

/// The fake interpreter is a `#!` script, which only Unix runs as a program: the tests that
/// need it are Unix-only (Windows would need a `.cmd` wrapper to do the same).
#[cfg(unix)]
fn fake_interpreter(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, FAKE).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[cfg(unix)]
fn case(id: &str) -> String {
    let step = "      - call: htons\n        args: [1]\n        returns: 256\n";
    format!("  - id: {id}\n    summary: s\n    steps:\n{step}{step}")
}

#[cfg(unix)]
#[test]
fn hangs_and_crashes_cost_one_case_each() {
    if !common::have_python3("hangs_and_crashes_cost_one_case_each") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = fake_interpreter(dir.path(), "fakepython");
    let backend = PythonBackend::start(exe.to_str().unwrap(), None).expect("the fake starts");
    let ids = [
        "a.ok",
        "b.hang",
        "c.ok",
        "d.die",
        "e.ok",
        "f.garbage",
        "g.ok",
    ];
    let text = format!(
        "format: 2\ndoc: [socket.htons]\ncases:\n{}",
        ids.iter().map(|i| case(i)).collect::<String>()
    );
    let results = common::run_text(&backend, &text, Duration::from_millis(500));
    let verdicts: Vec<(&str, Verdict)> =
        results.iter().map(|r| (r.id.as_str(), r.verdict)).collect();
    assert_eq!(
        verdicts,
        [
            ("a.ok", Verdict::Pass),
            ("b.hang", Verdict::Timeout),
            ("c.ok", Verdict::Pass),
            ("d.die", Verdict::Crash),
            ("e.ok", Verdict::Pass),
            ("f.garbage", Verdict::Crash),
            ("g.ok", Verdict::Pass),
        ]
    );
    let died = results[3].message.as_deref().unwrap_or_default();
    assert!(
        died.contains("last words: RuntimeError: fake: dying on purpose"),
        "the crash keeps the interpreter's last words past 100 lines of noise: {died}"
    );
    // The hung case shows the step that completed and names the one in flight.
    let hung = &results[1];
    assert_eq!(hung.steps.len(), 1, "{hung:?}");
    let why = hung.message.as_deref().unwrap_or_default();
    assert!(why.contains("step 2 (htons(1)) was running"), "{why}");
    assert!(results[5].message.as_deref().unwrap().contains("garbage"));
}

#[test]
fn a_missing_interpreter_is_refused() {
    match PythonBackend::start("/nonexistent/python9", None) {
        Err(BackendError::Spawn { exe, .. }) => assert_eq!(exe, "/nonexistent/python9"),
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("started a missing interpreter"),
    }
}

#[cfg(unix)]
#[test]
fn an_interpreter_older_than_36_is_refused() {
    if !common::have_python3("an_interpreter_older_than_36_is_refused") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = fake_interpreter(dir.path(), "OLDpython");
    match PythonBackend::start(exe.to_str().unwrap(), None) {
        Err(e @ BackendError::TooOld { .. }) => {
            assert!(e.to_string().contains("Python 2.7.18"), "{e}");
        }
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("accepted Python 2.7"),
    }
}

/// A harness that stops reading costs only the case whose request it does not take, even
/// one far larger than a pipe holds: writing it never blocks the runner.
#[cfg(unix)]
#[test]
fn a_harness_that_stops_reading_times_out_a_large_request() {
    if !common::have_python3("a_harness_that_stops_reading_times_out_a_large_request") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = fake_interpreter(dir.path(), "fakepython");
    let backend = PythonBackend::start(exe.to_str().unwrap(), None).expect("the fake starts");
    let big = "x".repeat(4 << 20);
    let text = format!(
        "format: 2\ndoc: [socket.htons]\ncases:\n{}  - id: b.big\n    summary: s\n    steps:\n      - call: htons\n        args: [!bytes \"{big}\"]\n        returns: 256\n{}",
        case("a.deaf"),
        case("c.ok")
    );
    let start = Instant::now();
    let results = common::run_text(&backend, &text, Duration::from_millis(500));
    let verdicts: Vec<(&str, Verdict)> =
        results.iter().map(|r| (r.id.as_str(), r.verdict)).collect();
    assert_eq!(
        verdicts,
        [
            ("a.deaf", Verdict::Pass),
            ("b.big", Verdict::Timeout),
            ("c.ok", Verdict::Pass),
        ]
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
}

/// A case that blocks for good (a `recv` nobody will ever answer) is a TIMEOUT on the real
/// backends too, and the cases after it still run.
#[test]
fn a_case_that_blocks_forever_times_out_and_the_run_goes_on() {
    use sockconf::backend::Backend;
    use sockconf::backend::reference::ReferenceBackend;
    let text = "format: 2
doc: [socket.socket.recv]
cases:
  - id: a.blocks
    summary: nobody ever sends
    timeout: 0.5
    steps:
      - call: socketpair
        save: pair
      - call: $pair.0.recv
        args: [1]
  - id: b.after
    summary: still runs
    steps:
      - call: htons
        args: [0]
        returns: 0
";
    let mut backends: Vec<Box<dyn Backend>> = vec![Box::new(ReferenceBackend::new())];
    if let Ok(b) = PythonBackend::start("python3", None) {
        backends.push(Box::new(b));
    }
    for backend in &backends {
        let results = common::run_text(backend.as_ref(), text, Duration::from_secs(10));
        let verdicts: Vec<Verdict> = results.iter().map(|r| r.verdict).collect();
        assert_eq!(
            verdicts,
            [Verdict::Timeout, Verdict::Pass],
            "{}",
            backend.info().label
        );
    }
}

/// Writes an executable `#!/bin/sh` script `name` with `body` into `dir`.
#[cfg(unix)]
fn sh_script(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// `sockconf run --python EXE --handshake-timeout 2`: refused with status 2 and a message
/// naming `exe`, well within the limit plus a few seconds (a hang would be killed at 30 s and
/// fail the test).
#[cfg(unix)]
fn refused_at_handshake(body: &str, wanted: &str) {
    let dir = tempfile::tempdir().unwrap();
    let exe = sh_script(dir.path(), "badpython", body);
    let started = Instant::now();
    let ran = common::run_bounded(
        common::sockconf()
            .args([
                "run",
                "--timeout",
                "2",
                "--handshake-timeout",
                "2",
                "--python",
            ])
            .arg(&exe),
        Duration::from_secs(30),
    );
    let elapsed = started.elapsed();
    assert_eq!(ran.code(), Some(2), "{ran:?}");
    assert!(
        elapsed < Duration::from_secs(10),
        "took {elapsed:?} for a 2 s handshake limit: {ran:?}"
    );
    let named = format!("`{}` did not answer the harness handshake", exe.display());
    assert!(ran.stderr.contains(&named), "{}", ran.stderr);
    assert!(ran.stderr.contains(wanted), "{}", ran.stderr);
    assert_eq!(
        ran.stderr.matches("did not answer").count(),
        1,
        "reported once: {}",
        ran.stderr
    );
    assert!(!ran.stdout.contains("=="), "nothing ran: {}", ran.stdout);
}

#[cfg(unix)]
#[test]
fn an_interpreter_that_hangs_is_refused_at_the_handshake_limit() {
    refused_at_handshake(
        "exec sleep 30",
        "no answer within 2 s (--handshake-timeout)",
    );
}

/// It hangs at start-up and when asked its version: neither wait is unbounded.
#[cfg(unix)]
#[test]
fn an_interpreter_that_hangs_even_for_its_version_is_refused() {
    refused_at_handshake(
        "case \"$1\" in -c) exec sleep 30;; esac\necho 'not a protocol line'\nexec sleep 30",
        "the harness answered garbage",
    );
}

/// It dies at once, and its version probe hangs.
#[cfg(unix)]
#[test]
fn an_interpreter_that_exits_at_once_is_refused() {
    refused_at_handshake(
        "case \"$1\" in -c) exec sleep 30;; esac\necho 'ImportError: no harness' >&2\nexit 3",
        "ImportError: no harness",
    );
}

#[cfg(unix)]
#[test]
fn an_interpreter_that_prints_garbage_is_refused() {
    refused_at_handshake(
        "echo 'Python 9.9 welcomes you'\nexec sleep 30",
        "the harness answered garbage",
    );
}

#[cfg(unix)]
#[test]
fn an_interpreter_that_prints_binary_then_sleeps_is_refused() {
    refused_at_handshake(
        "printf '\\377\\376\\000\\001'\nexec sleep 30",
        "no answer within 2 s",
    );
    refused_at_handshake(
        "printf '\\377\\376\\000\\001\\n'\nexec sleep 30",
        "not UTF-8",
    );
}

#[cfg(unix)]
#[test]
fn an_interpreter_that_floods_its_output_is_refused() {
    refused_at_handshake("exec cat /dev/zero", "the harness floods its output");
    refused_at_handshake("exec yes", "the harness answered garbage");
    refused_at_handshake("cat /dev/zero >&2", "no answer within 2 s");
}

/// It closes its output but goes on running, or leaves a process of its own holding it.
#[cfg(unix)]
#[test]
fn an_interpreter_that_closes_or_hands_on_its_output_is_refused() {
    refused_at_handshake("exec >&-\nexec sleep 30", "the harness exited");
    refused_at_handshake("read line\nsleep 30 &\nexit 0", "no answer within 2 s");
}

/// The tests that need `python3` find it the way a shell would, and skip without it.
#[cfg(unix)]
#[test]
fn python3_is_found_only_where_path_says() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    let full = dir.path().join("full");
    std::fs::create_dir(&empty).unwrap();
    std::fs::create_dir(&full).unwrap();
    let exe = sh_script(&full, "python3", "exit 0");
    std::fs::write(empty.join("python3"), "not executable").unwrap();
    let path = |dirs: &[&Path]| std::env::join_paths(dirs).unwrap();
    assert_eq!(
        common::find_program("python3", Some(&path(&[&empty]))),
        None,
        "a file that is not executable does not count"
    );
    assert_eq!(
        common::find_program("python3", Some(&path(&[&empty, &full]))),
        Some(exe)
    );
    assert_eq!(common::find_program("python3", None), None);
}
