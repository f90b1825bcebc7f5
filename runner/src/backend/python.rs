//! The Python backend: a long-lived `harness.py` per worker, run by any interpreter, spoken
//! to in JSON lines. A harness that overruns is killed (`TIMEOUT`); one that dies or answers
//! garbage is a `CRASH`; either way the next case gets a fresh harness.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

use super::{Backend, BackendError, Worker};
use crate::case::Privilege;
use crate::protocol::{BackendInfo, ObservedStep, PROTOCOL_VERSION, Reply, RunRequest};

/// The harness source, carried in the binary so that `sockconf` works from anywhere.
pub const HARNESS_SOURCE: &str = include_str!("../../harness/harness.py");

/// How long an interpreter may take to start and answer `hello` (gevent's import is slow),
/// unless told otherwise ([`PythonBackend::start_with_limit`], `run --handshake-timeout`).
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(60);

/// The most the version probe of an interpreter that failed the handshake may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a harness that closed its output may take to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// The longest line a harness may send (a flood without newlines would fill memory).
const MAX_LINE: usize = 64 << 20;

/// Lines of a harness's stderr kept for a crash report.
const STDERR_TAIL: usize = 20;

pub struct PythonBackend {
    exe: String,
    patch: Option<String>,
    script: Arc<tempfile::TempPath>,
    info: BackendInfo,
    /// The process that answered the handshake, handed to the first worker.
    first: Mutex<Option<Harness>>,
    /// How long a new harness may take to answer `hello`.
    handshake: Duration,
}

impl PythonBackend {
    /// Starts `exe` with the harness and checks that it speaks the protocol, within
    /// [`HELLO_TIMEOUT`].
    pub fn start(exe: &str, patch: Option<&str>) -> Result<PythonBackend, BackendError> {
        Self::start_with_limit(exe, patch, HELLO_TIMEOUT)
    }

    /// [`PythonBackend::start`], with `handshake` as the time every new harness has to
    /// answer `hello`. Every wait on the interpreter is bounded: one that hangs, exits,
    /// answers garbage or floods its output is refused within about `handshake`.
    pub fn start_with_limit(
        exe: &str,
        patch: Option<&str>,
        handshake: Duration,
    ) -> Result<PythonBackend, BackendError> {
        let mut file = tempfile::Builder::new()
            .prefix("sockconf-harness-")
            .suffix(".py")
            .tempfile()?;
        file.write_all(HARNESS_SOURCE.as_bytes())?;
        let script = Arc::new(file.into_temp_path());
        let mut harness = Harness::spawn(exe, &script, patch, false)?;
        let hello = harness.request(
            &json!({"op": "hello", "protocol": PROTOCOL_VERSION}),
            handshake,
            &mut Vec::new(),
        );
        if matches!(hello, Err(HarnessFailure::Died(_))) {
            // An interpreter too old for the harness fails in ways of its own: say why. (One
            // that hung is not asked again: it would hang again.)
            let limit = handshake.min(PROBE_TIMEOUT);
            if let Some(version) = language_version(exe, limit).filter(|v| *v < (3, 6)) {
                return Err(BackendError::TooOld {
                    exe: exe.to_owned(),
                    version: format!("{}.{}", version.0, version.1),
                });
            }
        }
        let answer = hello.map_err(|failure| {
            let failure = match failure {
                HarnessFailure::Timeout => HarnessFailure::Died(format!(
                    "no answer within {} s (--handshake-timeout)",
                    handshake.as_secs_f64()
                )),
                died => died,
            };
            let reason = harness
                .stderr
                .lock()
                .expect("not poisoned")
                .explain(String::from(failure));
            BackendError::Handshake {
                exe: exe.to_owned(),
                reason,
            }
        })?;
        let info = BackendInfo::from_hello(&answer).map_err(|e| BackendError::Handshake {
            exe: exe.to_owned(),
            reason: e.0,
        })?;
        if (info.python_version.major, info.python_version.minor) < (3, 6) {
            return Err(BackendError::TooOld {
                exe: exe.to_owned(),
                version: info.python_version.to_string(),
            });
        }
        Ok(PythonBackend {
            exe: exe.to_owned(),
            patch: patch.map(str::to_owned),
            script,
            info,
            first: Mutex::new(Some(harness)),
            handshake,
        })
    }
}

/// The language version of `exe`, asked in a way every Python answers; `None` when it does
/// not answer within `limit` (it is killed then).
fn language_version(exe: &str, limit: Duration) -> Option<(u32, u32)> {
    let mut child = Command::new(exe)
        .args([
            "-c",
            "import sys; sys.stdout.write('%d %d' % sys.version_info[:2])",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take().expect("piped");
    let (tx, rx) = channel();
    // Reads on a thread of its own: a child that keeps the pipe open without writing, or
    // hands it to a process of its own, must not hold the caller. 64 bytes are plenty.
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = (&mut stdout).take(64).read_to_end(&mut out);
        let _ = tx.send(out);
    });
    let deadline = Instant::now() + limit;
    let out = rx.recv_timeout(limit);
    wait_until(&mut child, deadline);
    let out = out.ok()?;
    let text = String::from_utf8_lossy(&out);
    let mut parts = text.split_whitespace().map(str::parse::<u32>);
    Some((parts.next()?.ok()?, parts.next()?.ok()?))
}

impl Backend for PythonBackend {
    fn info(&self) -> &BackendInfo {
        &self.info
    }

    fn worker(&self) -> Result<Box<dyn Worker>, BackendError> {
        let harness = self.first.lock().expect("not poisoned").take();
        Ok(Box::new(PythonWorker {
            exe: self.exe.clone(),
            patch: self.patch.clone(),
            script: Arc::clone(&self.script),
            harness,
            handshake: self.handshake,
        }))
    }
}

struct PythonWorker {
    exe: String,
    patch: Option<String>,
    script: Arc<tempfile::TempPath>,
    harness: Option<Harness>,
    handshake: Duration,
}

impl Worker for PythonWorker {
    fn prepare(&mut self) {
        if self.harness.is_none() {
            self.harness = self.fresh_harness(false).ok();
        }
    }

    fn run(&mut self, request: &RunRequest, timeout: Duration) -> Reply {
        if request.needs.privileges.contains(&Privilege::Hostname) {
            return self.run_private(request, timeout);
        }
        let harness = match self.harness.take() {
            Some(h) => h,
            None => match self.fresh_harness(false) {
                Ok(h) => h,
                Err(why) => return Reply::crash(why),
            },
        };
        let (reply, harness) = exchange(harness, request, timeout);
        self.harness = harness;
        reply
    }
}

impl PythonWorker {
    /// A case that sets the host name runs on a harness of its own, started in a UTS
    /// namespace made for it and ended with the case; where none can be made it is
    /// unsupported.
    fn run_private(&self, request: &RunRequest, timeout: Duration) -> Reply {
        match self.fresh_harness(true) {
            Ok(harness) => exchange(harness, request, timeout).0,
            Err(why) => Reply::Unsupported(format!(
                "the harness could not start in a private UTS namespace: {why}"
            )),
        }
    }

    /// A new harness that has answered `hello`, so that the interpreter's start-up (slow
    /// under load, or through version-manager shims) never counts against a case's time.
    fn fresh_harness(&self, private_hostname: bool) -> Result<Harness, String> {
        let mut harness = Harness::spawn(
            &self.exe,
            &self.script,
            self.patch.as_deref(),
            private_hostname,
        )
        .map_err(|e| match e {
            BackendError::Spawn { source, .. } => source.to_string(),
            other => other.to_string(),
        })?;
        let hello = json!({"op": "hello", "protocol": PROTOCOL_VERSION});
        match harness.request(&hello, self.handshake, &mut Vec::new()) {
            Ok(_) => Ok(harness),
            Err(failure) => {
                let why = String::from(failure);
                Err(harness
                    .stderr
                    .lock()
                    .expect("not poisoned")
                    .explain(format!("a new harness did not answer hello: {why}")))
            }
        }
    }
}

/// Sends `request` to `harness`; gives the reply, and the harness when it can serve again.
fn exchange(
    mut harness: Harness,
    request: &RunRequest,
    timeout: Duration,
) -> (Reply, Option<Harness>) {
    let mut done = Vec::new();
    let reply = match harness.request(&request.to_json(), timeout, &mut done) {
        Ok(answer) => match Reply::from_json(&answer) {
            Ok(reply) => return (reply, Some(harness)),
            Err(e) => Reply::Crash {
                why: format!("the harness answered garbage: {}", e.0),
                done,
            },
        },
        Err(HarnessFailure::Timeout) => Reply::Timeout { done },
        Err(HarnessFailure::Died(why)) => Reply::Crash {
            why: harness.stderr.lock().expect("not poisoned").explain(why),
            done,
        },
    };
    (reply, None)
}

/// Parses a response line. Python writes a str holding lone surrogates (surrogateescape
/// file names) with `\udcXX` escapes, which JSON parsers refuse; such escapes are kept as
/// the literal text `\udcXX` instead.
pub fn parse_line(line: &str) -> Result<Json, serde_json::Error> {
    serde_json::from_str(line).or_else(|e| {
        static LONE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"(^|[^\\])((?:\\\\)*)\\(u[dD][c-fC-F][0-9a-fA-F]{2})")
                .expect("valid regex")
        });
        if !LONE.is_match(line) {
            return Err(e);
        }
        // Applied twice: adjacent escapes share the character between them.
        let once = LONE.replace_all(line, "$1$2\\\\$3");
        let twice = LONE.replace_all(&once, "$1$2\\\\$3");
        serde_json::from_str(&twice)
    })
}

/// One harness process.
struct Harness {
    child: Child,
    /// Lines for the harness's stdin, written by a thread of their own: a harness that
    /// stops reading stalls that thread (until the harness is killed), never the runner.
    stdin: Sender<String>,
    lines: Receiver<std::io::Result<String>>,
    stderr: Arc<Mutex<Stderr>>,
    /// The process's temporary folder (its `TMPDIR`): what its cases make on disk lands
    /// here and goes with the process, even one killed in the middle of a case.
    _temp: Option<tempfile::TempDir>,
}

enum HarnessFailure {
    Timeout,
    Died(String),
}

impl From<HarnessFailure> for String {
    fn from(f: HarnessFailure) -> String {
        match f {
            HarnessFailure::Timeout => "no answer in time".into(),
            HarnessFailure::Died(why) => why,
        }
    }
}

impl Harness {
    /// Starts a harness; with `private_hostname`, in a UTS namespace of its own (see
    /// [`PythonWorker::run_private`]).
    fn spawn(
        exe: &str,
        script: &Path,
        patch: Option<&str>,
        private_hostname: bool,
    ) -> Result<Harness, BackendError> {
        let mut cmd = Command::new(exe);
        cmd.arg("-u").arg(script);
        if let Some(p) = patch {
            cmd.arg("--patch").arg(p);
        }
        if private_hostname {
            reference::core::netdb::private_hostname_command(&mut cmd).map_err(|why| {
                BackendError::Spawn {
                    exe: exe.to_owned(),
                    source: std::io::Error::other(why),
                }
            })?;
            cmd.arg("--private-hostname");
        }
        let temp = tempfile::Builder::new()
            .prefix("sockconf-h-")
            .tempdir()
            .ok();
        if let Some(dir) = &temp {
            for var in ["TMPDIR", "TEMP", "TMP"] {
                cmd.env(var, dir.path());
            }
        }
        let mut child = cmd
            .env("PYTHONIOENCODING", "utf-8")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| BackendError::Spawn {
                exe: exe.to_owned(),
                source,
            })?;
        let mut pipe = child.stdin.take().expect("piped");
        let (stdin, outgoing) = channel::<String>();
        std::thread::spawn(move || {
            for line in outgoing {
                if pipe
                    .write_all(line.as_bytes())
                    .and_then(|()| pipe.flush())
                    .is_err()
                {
                    break;
                }
            }
        });
        let stdout = child.stdout.take().expect("piped");
        let stderr_pipe = child.stderr.take().expect("piped");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let line = read_line(&mut reader);
                let last = matches!(line, Ok(None) | Err(_));
                if let Ok(None) = line {
                    break;
                }
                if tx.send(line.map(Option::unwrap_or_default)).is_err() || last {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Stderr::default()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            // Lines are cut at 4 KiB: a flood without newlines cannot fill memory.
            let mut reader = BufReader::new(stderr_pipe);
            let mut buf = Vec::new();
            while let Ok(n) = (&mut reader).take(4096).read_until(b'\n', &mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf);
                let line = text.strip_suffix('\n').unwrap_or(&text);
                let line = line.strip_suffix('\r').unwrap_or(line).to_owned();
                sink.lock().expect("not poisoned").feed(line);
                buf.clear();
            }
        });
        Ok(Harness {
            child,
            stdin,
            lines,
            stderr,
            _temp: temp,
        })
    }

    /// Sends `message` and waits up to `timeout` for the answer; the steps the harness
    /// reports complete on the way (`progress` lines) are added to `done`.
    fn request(
        &mut self,
        message: &Json,
        timeout: Duration,
        done: &mut Vec<ObservedStep>,
    ) -> Result<Json, HarnessFailure> {
        let mut line = message.to_string();
        line.push('\n');
        if self.stdin.send(line).is_err() {
            return Err(self.died("cannot write to the harness: its input is closed".into()));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let answer = self.answer(deadline)?;
            match answer.get("progress") {
                Some(p) => match ObservedStep::from_json(&p["done"]) {
                    Ok(step) => done.push(step),
                    Err(e) => {
                        return Err(self.died(format!("the harness sent bad progress: {}", e.0)));
                    }
                },
                None => return Ok(answer),
            }
        }
    }

    /// The next line from the harness, parsed, by `deadline`.
    fn answer(&mut self, deadline: Instant) -> Result<Json, HarnessFailure> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(Ok(answer)) => parse_line(&answer).map_err(|e| {
                let shown: String = answer.chars().take(200).collect();
                self.died(format!("the harness answered garbage ({e}): {shown}"))
            }),
            Ok(Err(e)) => Err(self.died(format!("cannot read from the harness: {e}"))),
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                Err(HarnessFailure::Timeout)
            }
            Err(RecvTimeoutError::Disconnected) => {
                // Its output is closed: it is exiting, or is killed if it lingers.
                let status = wait_until(&mut self.child, Instant::now() + EXIT_GRACE);
                // Let the stderr thread drain what the dying process wrote.
                std::thread::sleep(Duration::from_millis(20));
                Err(HarnessFailure::Died(match status {
                    Some(s) => format!("the harness exited ({s})"),
                    None => "the harness exited".into(),
                }))
            }
        }
    }

    fn died(&mut self, why: String) -> HarnessFailure {
        self.kill();
        HarnessFailure::Died(why)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One line of a harness's output, without its line end; `Ok(None)` at the end of the
/// output. A line longer than [`MAX_LINE`] or not UTF-8 is an error.
fn read_line(reader: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 1;
    if reader.take(limit).read_until(b'\n', &mut buf)? == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    } else if buf.len() > MAX_LINE {
        return Err(std::io::Error::other(format!(
            "a line longer than {} MiB (the harness floods its output)",
            MAX_LINE >> 20
        )));
    }
    String::from_utf8(buf).map(Some).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the harness wrote bytes that are not UTF-8",
        )
    })
}

/// Waits for `child` to exit until `deadline`, then kills it: how it exited, if it did.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                return child.wait().ok();
            }
        }
    }
}

/// What a harness wrote to stderr: the last lines, and its last words — the message of a
/// Rust panic or the last line of a Python traceback (or a fatal error), which a long
/// backtrace would push out of the tail.
#[derive(Debug, Default)]
struct Stderr {
    tail: VecDeque<String>,
    last_words: Option<String>,
    /// Inside a Python traceback: the next line not indented is the exception.
    in_traceback: bool,
    /// The line after a Rust `panicked at` line holds the panic's message (Rust 1.73+).
    after_panic: bool,
}

impl Stderr {
    fn feed(&mut self, line: String) {
        let text = line.trim_end();
        if self.after_panic {
            self.after_panic = false;
            if !text.is_empty()
                && !text.starts_with("note:")
                && !text.starts_with("stack backtrace")
            {
                let panic = self.last_words.take().unwrap_or_default();
                self.last_words = Some(format!("{panic} {text}"));
            }
        }
        if text.contains("panicked at") {
            self.last_words = Some(text.to_owned());
            self.after_panic = true;
        } else if text.starts_with("Traceback (most recent call last)") {
            self.in_traceback = true;
        } else if self.in_traceback && !text.is_empty() && !text.starts_with(char::is_whitespace) {
            self.in_traceback = false;
            self.last_words = Some(text.to_owned());
        } else if text.starts_with("Fatal Python error") {
            self.last_words = Some(text.to_owned());
        }
        if self.tail.len() == STDERR_TAIL {
            self.tail.pop_front();
        }
        self.tail.push_back(line);
    }

    /// `why`, with the last words and the tail of stderr.
    fn explain(&self, why: String) -> String {
        let mut out = why;
        if let Some(words) = &self.last_words {
            out.push_str("\nlast words: ");
            out.push_str(words);
        }
        if !self.tail.is_empty() {
            out.push_str("\nstderr (last lines):\n");
            out.push_str(&self.tail.iter().cloned().collect::<Vec<_>>().join("\n"));
        }
        out
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.stdin.send(format!("{}\n", json!({"op": "bye"})));
        // Give it a moment to exit cleanly, then make sure it is gone.
        for _ in 0..20 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::Stderr;

    fn last_words(lines: &[&str]) -> Option<String> {
        let mut s = Stderr::default();
        for l in lines {
            s.feed((*l).to_owned());
        }
        s.last_words
    }

    #[test]
    fn a_rust_panic_keeps_its_message_through_a_long_backtrace() {
        let mut lines = vec![
            "thread 'main' panicked at src/vm.rs:12:5:",
            "index out of bounds: the len is 0 but the index is 3",
            "stack backtrace:",
        ];
        let frames: Vec<String> = (0..100).map(|i| format!("  {i}: some::frame")).collect();
        lines.extend(frames.iter().map(String::as_str));
        assert_eq!(
            last_words(&lines).as_deref(),
            Some(
                "thread 'main' panicked at src/vm.rs:12:5: index out of bounds: the len is 0 but the index is 3"
            )
        );
    }

    #[test]
    fn a_python_traceback_gives_its_last_line() {
        let lines = [
            "Traceback (most recent call last):",
            "  File \"harness.py\", line 3, in <module>",
            "    main()",
            "MemoryError: out of memory",
            "some later noise",
        ];
        assert_eq!(
            last_words(&lines).as_deref(),
            Some("MemoryError: out of memory")
        );
        let mut s = Stderr::default();
        for l in lines {
            s.feed(l.to_owned());
        }
        let why = s.explain("the harness exited".into());
        assert!(why.starts_with("the harness exited\nlast words: MemoryError: out of memory\n"));
        assert!(why.ends_with("some later noise"));
    }

    #[test]
    fn nothing_notable_has_no_last_words() {
        assert_eq!(last_words(&["just a line", "another"]), None);
    }

    #[test]
    fn harness_lines_lose_their_ends_and_must_be_utf8() {
        let mut input: &[u8] = b"{\"a\": 1}\r\nplain\n\xff\xfe\nlast";
        let mut next = || super::read_line(&mut input);
        assert_eq!(next().unwrap().as_deref(), Some("{\"a\": 1}"));
        assert_eq!(next().unwrap().as_deref(), Some("plain"));
        assert!(next().unwrap_err().to_string().contains("not UTF-8"));
        assert_eq!(next().unwrap().as_deref(), Some("last"));
        assert_eq!(next().unwrap(), None);
    }

    #[test]
    fn a_line_past_the_limit_is_a_flood() {
        let mut input = std::io::repeat(b'x');
        let mut reader = std::io::BufReader::new(&mut input);
        let err = super::read_line(&mut reader).unwrap_err();
        assert!(err.to_string().contains("floods its output"), "{err}");
    }
}
