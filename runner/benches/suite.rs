//! How fast the suite runs, as ratios against baselines measured in the same run.
//!
//! `cargo bench -p sockconf --bench suite [-- SECTION...]`, sections (all by default):
//!
//! - `suite`: the whole suite on the reference and on `python3`, and `matrix`: on every
//!   implementation `scripts/interpreters.sh` finds, one after another and then all at
//!   once — each against one
//!   run of CPython's own `test_socket` on the same interpreter (`python3 -m test
//!   test_socket`, its VSOCK tests left out: they hang where a vsock device has no peer).
//! - `overhead`: what a case costs on a persistent harness against an interpreter started
//!   for each case, over the same quick cases.
//! - `scaling`: the suite repeated 1×, 4× and 16× (copies with new ids) on the reference:
//!   wall time per case should not grow with the number of cases.
//!
//! Runs use the defaults of `sockconf run` (its `--jobs`). `SOCKCONF_BENCH_PYTHON` names
//! another interpreter than `python3`. Figures are medians of a few rounds where a round is
//! short; the README keeps the latest ones.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sockconf::backend::Backend;
use sockconf::backend::python::PythonBackend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::case::{Case, Level};
use sockconf::exec::{self, Options};
use sockconf::suite;

/// Rounds of the measurements that take seconds, not minutes.
const ROUNDS: usize = 3;

/// The most one `test_socket` run may take before it is given up.
const TEST_SOCKET_LIMIT: Duration = Duration::from_secs(900);

/// Cases timed in the per-case overhead comparison.
const OVERHEAD_CASES: usize = 60;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this without it (or with
    // `--test`): then there is nothing to measure.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench") {
        return;
    }
    let sections: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |s: &str| sections.is_empty() || sections.contains(&s);
    let python = std::env::var("SOCKCONF_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let cases = load();
    println!(
        "{} cases; {} cores; {} workers (and up to {} more for the cases that wait)\n",
        cases.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        exec::default_jobs(),
        exec::WAITING_WORKERS.max(exec::default_jobs()),
    );
    if wanted("suite") || wanted("matrix") {
        let baseline = test_socket(&python);
        match &baseline {
            Ok(d) => row(
                &format!("baseline: CPython's test_socket ({python}, no VSOCK)"),
                *d,
                "1.000",
            ),
            Err(why) => println!("baseline: CPython's test_socket: not measured ({why})"),
        }
        let base = baseline.ok();
        if wanted("suite") {
            suite_section(&cases, &python, base);
        }
        if wanted("matrix") {
            matrix_section(&cases, base);
        }
        println!();
    }
    if wanted("overhead") {
        overhead_section(&cases, &python);
        println!();
    }
    if wanted("scaling") {
        scaling_section(&cases);
    }
}

fn suite_section(cases: &[Case], python: &str, base: Option<Duration>) {
    let reference = ReferenceBackend::new();
    let on_reference = median(
        (0..ROUNDS)
            .map(|_| run_all(&reference, cases, true))
            .collect(),
    );
    row(
        "suite on the reference",
        on_reference,
        &of(on_reference, base),
    );
    match PythonBackend::start(python, None) {
        Ok(backend) => {
            let label = backend.info().label.clone();
            let took = median(
                (0..ROUNDS)
                    .map(|_| run_all(&backend, cases, true))
                    .collect(),
            );
            row(&format!("suite on {label}"), took, &of(took, base));
        }
        Err(e) => println!("suite on {python}: not measured ({e})"),
    }
}

/// The reference and every interpreter of `scripts/interpreters.sh` (else `python3`), one
/// after another, as `just matrix` runs them.
fn matrix_section(cases: &[Case], base: Option<Duration>) {
    // One after another, as `just matrix` runs them: each interpreter's start counts. The
    // backends are kept for the second measurement.
    let mut each: Vec<(String, Duration, Box<dyn Backend>)> = Vec::new();
    let reference = ReferenceBackend::new();
    let took = run_all(&reference, cases, false);
    each.push(("reference".to_owned(), took, Box::new(reference)));
    for (name, exe, patch) in interpreters() {
        let start = Instant::now();
        match PythonBackend::start(&exe, patch.as_deref()) {
            Ok(backend) => {
                run_all(&backend, cases, false);
                each.push((name, start.elapsed(), Box::new(backend)));
            }
            Err(e) => println!("  {name}: left out ({e})"),
        }
    }
    let total: Duration = each.iter().map(|(_, took, _)| *took).sum();
    let goal = matrix_goal(total, base);
    row(
        &format!(
            "matrix of {} implementations, one after another",
            each.len()
        ),
        total,
        &format!("{}{goal}", of(total, base)),
    );
    for (name, took, _) in &each {
        row(&format!("  {name}"), *took, &of(*took, base));
    }
    // The same implementations all at once: what the machine's cores allow at best. Cases
    // that time themselves may fail under that load; only the time is of interest here.
    let together = time(|| {
        std::thread::scope(|scope| {
            for (_, _, backend) in &each {
                scope.spawn(|| run_all(backend.as_ref(), cases, false));
            }
        });
    });
    let goal = matrix_goal(together, base);
    row(
        &format!("matrix of {} implementations, all at once", each.len()),
        together,
        &format!("{}{goal}", of(together, base)),
    );
}

/// Whether the matrix took under a tenth of `test_socket`, the goal set for it.
fn matrix_goal(took: Duration, base: Option<Duration>) -> String {
    base.map_or(String::new(), |b| {
        let met = took.as_secs_f64() < b.as_secs_f64() / 10.0;
        format!("  goal < 0.100: {}", if met { "ok" } else { "MISSED" })
    })
}

/// Per-case cost of the persistent harness against an interpreter started for each case,
/// over the same quick cases (no time limit of their own, no peers).
fn overhead_section(cases: &[Case], python: &str) {
    let quick: Vec<&Case> = cases
        .iter()
        .filter(|c| c.timeout.is_none() && c.peers.is_empty())
        .take(OVERHEAD_CASES)
        .collect();
    let limit = Duration::from_secs(20);
    // Both ways start the interpreter itself, not a launcher in front of it (a pyenv shim
    // costs as much again as the interpreter's start-up).
    let mut exe = python.to_owned();
    let persistent = match PythonBackend::start(python, None) {
        Ok(backend) => {
            let info = backend.info().clone();
            exe = info.executable.clone().unwrap_or(exe);
            let mut worker = backend.worker().expect("a worker");
            worker.prepare();
            median(
                (0..ROUNDS)
                    .map(|_| {
                        time(|| {
                            for case in &quick {
                                exec::run_case(case, worker.as_mut(), &info, limit);
                            }
                        })
                    })
                    .collect(),
            )
        }
        Err(e) => {
            println!("per-case overhead: not measured ({e})");
            return;
        }
    };
    let one_off = time(|| {
        for case in &quick {
            let backend = PythonBackend::start(&exe, None).expect("started once already");
            let mut worker = backend.worker().expect("a worker");
            exec::run_case(case, worker.as_mut(), backend.info(), limit);
        }
    });
    let n = quick.len() as f64;
    println!("per-case cost on {exe}, {} quick cases", quick.len());
    println!(
        "  persistent harness          {:>9.2} ms per case  1.0",
        ms(persistent) / n
    );
    println!(
        "  an interpreter per case     {:>9.2} ms per case  {:.1}x",
        ms(one_off) / n,
        ratio(one_off, persistent)
    );
}

/// Wall time of 1×, 4× and 16× the suite on the reference: per case, it should not grow.
fn scaling_section(cases: &[Case]) {
    let reference = ReferenceBackend::new();
    println!("scaling on the reference (the suite repeated, each copy with new ids)");
    let mut first: Option<f64> = None;
    for times in [1usize, 4, 16] {
        let many: Vec<Case> = (0..times)
            .flat_map(|copy| {
                cases.iter().map(move |c| Case {
                    id: format!("{}.copy{copy}", c.id),
                    ..c.clone()
                })
            })
            .collect();
        // Copies run side by side: a case that takes a free port and then binds it again
        // on ::1 may, rarely, find another copy there first. Such a failure is counted,
        // not fatal: it changes the time of one case among thousands.
        let (took, broken) = if times == 1 {
            let rounds = (0..ROUNDS).map(|_| run_all(&reference, &many, true));
            (median(rounds.collect()), vec![])
        } else {
            run_counted(&reference, &many)
        };
        let per_case = ms(took) / many.len() as f64;
        let growth = per_case / *first.get_or_insert(per_case);
        println!(
            "  {times:>2}x  {:>6} cases  {:>9.1} ms  {per_case:>6.3} ms per case  {growth:.2} of 1x{}",
            many.len(),
            ms(took),
            if growth <= 1.1 {
                ""
            } else {
                "  (MORE than linear)"
            }
        );
        if !broken.is_empty() {
            println!(
                "       ({} did not pass: {})",
                broken.len(),
                broken.join(", ")
            );
        }
    }
}

/// The suite's cases and plans, as `sockconf run` loads them.
fn load() -> Vec<Case> {
    let vocab = suite::vocabulary(suite::spec(None).expect("the committed spec loads"));
    suite::load_cases(None, &vocab)
        .unwrap_or_else(|e| panic!("the cases load: {e:?}"))
        .cases
}

/// Runs every case on `backend` as `sockconf run` would: how long it took. With
/// `must_pass`, a case that does not pass at the CPython level spoils the measurement and
/// stops it.
fn run_all(backend: &dyn Backend, cases: &[Case], must_pass: bool) -> Duration {
    let (elapsed, broken) = run_counted(backend, cases);
    assert!(
        !must_pass || broken.is_empty(),
        "cases did not pass on {}, so the timing would not be of the suite: {}",
        backend.info().label,
        broken.join(", ")
    );
    elapsed
}

/// [`run_all`]'s time, and the cases that did not pass at the CPython level.
fn run_counted(backend: &dyn Backend, cases: &[Case]) -> (Duration, Vec<String>) {
    let opts = Options {
        jobs: exec::default_jobs(),
        timeout: Duration::from_secs(10),
        filters: vec![],
        stop: None,
    };
    let start = Instant::now();
    let results = exec::run(backend, cases, &opts, &|_| {}).expect("the backend starts");
    let elapsed = start.elapsed();
    let broken = results
        .iter()
        .filter(|r| r.verdict.is_failure(Level::Cpython))
        .map(|r| r.id.clone())
        .collect();
    (elapsed, broken)
}

/// One timed run of CPython's own socket tests, bounded by [`TEST_SOCKET_LIMIT`].
fn test_socket(python: &str) -> Result<Duration, String> {
    let start = Instant::now();
    let mut child = Command::new(python)
        .args([
            "-m",
            "test",
            "test_socket",
            "-i",
            "*VSOCK*",
            "-i",
            "*Vsock*",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{python}: {e}"))?;
    // Its output is read on a thread of its own so that a full pipe never stalls it.
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > TEST_SOCKET_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {TEST_SOCKET_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = start.elapsed();
    let text = reader.join().unwrap_or_default();
    if !status.success() {
        let tail: Vec<&str> = text.lines().rev().take(3).collect();
        return Err(format!(
            "{status}: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ));
    }
    Ok(took)
}

/// `scripts/interpreters.sh`'s list: (name, interpreter, patch). Where it cannot run (no
/// bash, not in a checkout), `python3` alone.
fn interpreters() -> Vec<(String, String, Option<String>)> {
    let listed = Command::new("bash")
        .arg("scripts/interpreters.sh")
        .current_dir(suite::repo_root())
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    let text = match listed {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => "python3 python3\n".to_owned(),
    };
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?.to_owned();
            let exe = words.next()?;
            // A relative interpreter path is the checkout's.
            let exe = if exe.contains('/') && !exe.starts_with('/') {
                suite::repo_root().join(exe).to_string_lossy().into_owned()
            } else {
                exe.to_owned()
            };
            Some((name, exe, words.next().map(str::to_owned)))
        })
        .collect()
}

fn row(what: &str, took: Duration, tail: &str) {
    println!("{what:<52} {:>9.2} s  {tail}", took.as_secs_f64());
}

/// `took` as a fraction of the baseline, when there is one.
fn of(took: Duration, base: Option<Duration>) -> String {
    base.map_or("(no baseline)".into(), |b| {
        format!("{:.3} of test_socket", ratio(took, b))
    })
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
