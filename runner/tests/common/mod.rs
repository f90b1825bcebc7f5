//! Helpers the integration tests share: run a case file written inline on a backend, run the
//! `sockconf` binary with a time limit, find a program on PATH.

// Each test crate uses some of the helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use sockconf::backend::Backend;
use sockconf::case::load::load_str;
use sockconf::exec::{self, CaseResult, Options};
use sockconf::suite;

/// Loads `text` (a whole case file) against the committed spec and runs every case on
/// `backend`, one worker, with `timeout` for cases that state none.
pub fn run_text(backend: &dyn Backend, text: &str, timeout: Duration) -> Vec<CaseResult> {
    let vocab = suite::vocabulary(suite::spec(None).expect("the committed spec loads"));
    let cases = load_str(text, Path::new("t.yaml"), &vocab).expect("the inline cases load");
    let opts = Options {
        jobs: 1,
        timeout,
        filters: vec![],
        stop: None,
    };
    exec::run(backend, &cases, &opts, &|_| {}).expect("the backend starts its workers")
}

/// What a bounded run of a command gave.
#[derive(Debug)]
pub struct Ran {
    /// `None` when it overran its limit (it was killed).
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Ran {
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }
}

/// Runs `cmd` (stdin closed) for at most `limit`, killing it then: a hang fails the test
/// that called this instead of holding it.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Ran {
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let reader = |mut pipe: Box<dyn Read + Send>| {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = pipe.read_to_end(&mut out);
            let _ = tx.send(String::from_utf8_lossy(&out).into_owned());
        });
        rx
    };
    let stdout = reader(Box::new(child.stdout.take().expect("piped")));
    let stderr = reader(Box::new(child.stderr.take().expect("piped")));
    let deadline = started + limit;
    let status = loop {
        match child.try_wait().expect("try_wait works") {
            Some(status) => break Some(status),
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let elapsed = started.elapsed();
    let grace = Duration::from_secs(2);
    Ran {
        status,
        stdout: stdout.recv_timeout(grace).unwrap_or_default(),
        stderr: stderr.recv_timeout(grace).unwrap_or_default(),
        elapsed,
    }
}

/// The `sockconf` binary these tests were built with.
pub fn sockconf() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sockconf"))
}

/// Where `name` is found on `path` (a PATH value), as a shell would look for it.
pub fn find_program(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    let suffixes: &[&str] = if cfg!(windows) {
        &[".exe", ".cmd"]
    } else {
        &[""]
    };
    std::env::split_paths(path?)
        .flat_map(|dir| {
            suffixes
                .iter()
                .map(move |suffix| dir.join(format!("{name}{suffix}")))
                .collect::<Vec<_>>()
        })
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Whether `python3` is on this process's PATH; when it is not, says that `test` is skipped.
pub fn have_python3(test: &str) -> bool {
    let found = find_program("python3", std::env::var_os("PATH").as_deref()).is_some();
    if !found {
        eprintln!("skipped {test}: no python3 on PATH");
    }
    found
}
