//! The HTML report in a real browser: headless Chromium loads `report.html#selftest`, whose
//! own script checks the page (one row per documented item, filters that hide rows, a failing
//! cell that opens to its expected and observed values, no console error) and writes its
//! verdict into `<pre id="selftest">`; `--dump-dom` hands the page back. A second run takes a
//! screenshot, written next to the report (`target/tmp/report-browser/report.png`).
//!
//! Skipped, with a message, when no `chromium`, `chromium-browser` or `google-chrome` is on
//! PATH (`just browser` installs Debian's). Every wait on the browser has a time limit: past
//! it, the browser's whole process group is killed and the test fails.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

/// How long one browser run may take.
const LIMIT: Duration = Duration::from_secs(90);

fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

fn sockconf() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sockconf"))
}

/// `file:///…/report.html#selftest`.
fn file_url(path: &Path, fragment: &str) -> String {
    let path = path.to_string_lossy().replace('\\', "/");
    // `/tmp/x` on Unix, `C:/x` on Windows.
    let mut url = String::from(if path.starts_with('/') {
        "file://"
    } else {
        "file:///"
    });
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url + fragment
}

/// What a browser run printed; `Err` when it outlived [`LIMIT`] (it is killed then).
struct Output {
    status: std::process::ExitStatus,
    stdout: String,
    stderr: String,
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The browser's helpers are in the process group the browser leads.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
}

fn run_browser(browser: &Path, profile: &Path, args: &[&str]) -> Result<Output, String> {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=10000",
        "--window-size=1400,1300",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{}: {e}", browser.display()))?;
    let (tx, rx) = mpsc::channel();
    for (which, mut pipe) in [
        (
            0,
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        ),
        (1, Box::new(child.stderr.take().unwrap())),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            let _ = tx.send((which, String::from_utf8_lossy(&buf).into_owned()));
        });
    }
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) | Err(_) => {
                kill_group(&mut child);
                let _ = child.wait();
                return Err(format!(
                    "the browser did not finish within {LIMIT:?} and was killed: {args:?}"
                ));
            }
        }
    };
    let mut out = [String::new(), String::new()];
    for _ in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now()) + Duration::from_secs(5);
        match rx.recv_timeout(left) {
            Ok((which, text)) => out[which] = text,
            Err(_) => {
                // A helper of the browser still holds its output open.
                kill_group(&mut child);
                return Err("the browser's output did not close in time".into());
            }
        }
    }
    let [stdout, stderr] = out;
    Ok(Output {
        status,
        stdout,
        stderr,
    })
}

/// A results file as another implementation would have written it: the reference's run,
/// relabelled, with some outcomes changed (the steps stay those observed).
fn relabel(doc: &Json, label: &str, version: &str, change: &[(&str, &str, Json)]) -> Json {
    let mut doc = doc.clone();
    let run = &mut doc["runs"][0];
    run["backend"] = json!({"name": "python", "label": label, "implementation": "cpython",
        "version": version, "python_version": version, "executable": null, "patch": null});
    for case in run["cases"].as_array_mut().unwrap() {
        for (id, outcome, why) in change {
            if case["id"] == *id {
                case["outcome"] = json!(outcome);
                match *outcome {
                    "DIFFERS" => case["details"] = why.clone(),
                    _ => {
                        // What the failing implementation observed instead.
                        case["message"] = why.clone();
                        let step = case["steps"][0]["step"].clone();
                        case["steps"] = json!([{"step": step, "returned": {"int": "0"},
                                                "elapsed": 0.0001}]);
                    }
                }
            }
        }
    }
    doc
}

#[test]
fn the_report_page_works_in_a_browser() {
    let Some(browser) = browser() else {
        println!(
            "SKIPPED: no chromium, chromium-browser or google-chrome on PATH; the report page \
             was not checked in a browser (`just browser` installs Chromium)"
        );
        return;
    };
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let work = tempfile::tempdir().unwrap();

    // A real run of some cases on the reference, and two runs of "the same CPython" from two
    // files, one where a case failed and one where a case differs in CPython's details.
    let reference = work.path().join("reference.json");
    let run = sockconf()
        .args(["run", "--filter", "htons*", "--results"])
        .arg(&reference)
        .output()
        .unwrap();
    assert!(
        reference.is_file(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(&reference).unwrap()).unwrap();
    // The first two cases that passed with steps: one fails on Monday, one differs on Tuesday.
    let picked: Vec<String> = doc["runs"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "PASS" && c["steps"].as_array().is_some_and(|s| !s.is_empty()))
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .take(2)
        .collect();
    assert_eq!(
        picked.len(),
        2,
        "two htons cases that pass on the reference"
    );
    let (fails, differs) = (picked[0].as_str(), picked[1].as_str());
    let listed = sockconf()
        .args(["list", "--filter", fails])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    let summary = listed
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{fails}\t")))
        .and_then(|l| l.split('\t').nth(1))
        .expect("the case is listed")
        .to_owned();
    let monday = work.path().join("monday.json");
    let tuesday = work.path().join("tuesday.json");
    let failed = "step 1: expected something else, got 0 (an int)";
    std::fs::write(
        &monday,
        relabel(
            &doc,
            "cpython-3.11.7",
            "3.11.7",
            &[(fails, "FAIL", json!(failed))],
        )
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        &tuesday,
        relabel(
            &doc,
            "cpython-3.11.7",
            "3.11.7",
            &[(
                differs,
                "DIFFERS",
                json!(["step 1: message 'x' where CPython says 'y'"]),
            )],
        )
        .to_string(),
    )
    .unwrap();
    let made = sockconf()
        .arg("report")
        .args([&reference, &monday, &tuesday])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let page = out.join("report.html");
    let items = sockconf::suite::spec(None).unwrap().items.len();

    let profile = tempfile::tempdir().unwrap();
    let dumped = run_browser(
        &browser,
        profile.path(),
        &["--dump-dom", &file_url(&page, "#selftest")],
    )
    .unwrap();
    let dom = dumped.stdout;
    assert!(
        dumped.status.success(),
        "{}: {}\n{}",
        browser.display(),
        dumped.status,
        dumped.stderr
    );
    let verdict = dom
        .split("<pre id=\"selftest\">")
        .nth(1)
        .and_then(|v| v.split("</pre>").next())
        .unwrap_or_else(|| {
            panic!(
                "the page wrote no self-test verdict (did its script run?)\n{}",
                dumped.stderr
            )
        });
    println!("self-test: {verdict}");
    assert!(verdict.starts_with("PASS"), "{verdict}");
    // What the browser printed of the page's console: nothing.
    let console: Vec<&str> = dumped
        .stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .collect();
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    // The page as the browser holds it: a row per documented item, the failing cell open on
    // what the failed case expected and observed.
    assert_eq!(dom.matches(" data-spec=\"\"").count(), items, "rows");
    let open = dom
        .split("<details open=\"\">")
        .nth(1)
        .expect("the self-test leaves a failing cell open");
    let open = &open[..open.find("</details>").unwrap()];
    let text = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    for needle in [
        format!("<code>{fails}</code>"),
        text(&summary),
        text(failed),
        "<th>expected</th><th>observed</th>".to_owned(),
        "returned 0".to_owned(),
    ] {
        assert!(open.contains(&needle), "{needle}\n\n{open}");
    }
    // The expectation comes from the case file (the alternative for Python 3.11.7).
    assert!(!open.contains("(case not loaded)"), "{open}");

    let shot = out.join("report.png");
    let taken = run_browser(
        &browser,
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            &file_url(&page, "#selftest"),
        ],
    )
    .unwrap();
    assert!(taken.status.success(), "{}", taken.stderr);
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "not a screenshot"
    );
    println!("report and screenshot: {}", out.display());
}
