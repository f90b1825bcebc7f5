//! How fast the suite runs, as ratios against a baseline measured in the same run.
//!
//! The baseline is loading and planning every case (what any run pays before executing
//! anything). Against it: executing every case on the reference, and on `python3` through
//! the harness, one worker each so that the numbers do not depend on the core count.
//! Each figure is the median of several rounds. Run with `cargo bench -p sockconf`.

use std::time::{Duration, Instant};

use sockconf::backend::Backend;
use sockconf::backend::python::PythonBackend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::case::{Case, load_dir};
use sockconf::exec::{self, Options};
use sockconf::suite;

const ROUNDS: usize = 5;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn load() -> Vec<Case> {
    let vocab = suite::vocabulary(suite::spec(None).expect("the committed spec loads"));
    let cases = load_dir(&suite::repo_root().join("cases"), &vocab)
        .expect("the cases load")
        .cases;
    for case in &cases {
        let _ = exec::plan(case, "3.15".parse().unwrap(), &[]);
    }
    cases
}

fn run_all(backend: &dyn Backend, cases: &[Case]) -> Duration {
    let opts = Options {
        jobs: 1,
        timeout: Duration::from_secs(20),
        filters: vec![],
    };
    let start = Instant::now();
    let results = exec::run(backend, cases, &opts, &|_| {}).expect("the backend starts");
    let elapsed = start.elapsed();
    let broken = results
        .iter()
        .filter(|r| r.verdict.is_failure(sockconf::case::Level::Cpython))
        .count();
    assert_eq!(
        broken,
        0,
        "cases did not pass on {}: the timing would not be of the suite",
        backend.info().label
    );
    elapsed
}

fn main() {
    // `cargo test --benches` runs bench targets in test mode: keep that quick.
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    let cases = load();
    let baseline = median((0..ROUNDS).map(|_| time(|| drop(load()))).collect());
    let reference = ReferenceBackend::new();
    let on_reference = median((0..ROUNDS).map(|_| run_all(&reference, &cases)).collect());
    println!("{} cases", cases.len());
    println!("baseline  load + plan          {:>9.1} ms", ms(baseline));
    println!(
        "reference run, 1 worker        {:>9.1} ms  {:>6.1}x baseline",
        ms(on_reference),
        ratio(on_reference, baseline)
    );
    match PythonBackend::start("python3", None) {
        Ok(python) => {
            let on_python = median((0..ROUNDS).map(|_| run_all(&python, &cases)).collect());
            println!(
                "python3 run, 1 worker          {:>9.1} ms  {:>6.1}x baseline  {:>5.2}x reference",
                ms(on_python),
                ratio(on_python, baseline),
                ratio(on_python, on_reference)
            );
        }
        Err(e) => println!("python3: not measured ({e})"),
    }
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
