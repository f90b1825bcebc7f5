//! The number of workers changes nothing but the wall time: `--jobs 1` and `--jobs 2` give
//! every case the same outcome, on the reference and (when there is one) on python3.

use std::collections::BTreeMap;
use std::time::Duration;

use sockconf::backend::Backend;
use sockconf::backend::python::PythonBackend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::exec::{self, Options, Verdict};
use sockconf::suite;

fn outcomes(backend: &dyn Backend, jobs: usize) -> BTreeMap<String, Verdict> {
    let vocab = suite::vocabulary(suite::spec(None).expect("the committed spec loads"));
    let cases = suite::load_cases(None, &vocab)
        .expect("the suite loads")
        .cases;
    let opts = Options {
        jobs,
        timeout: Duration::from_secs(10),
        filters: vec![],
        stop: None,
    };
    exec::run(backend, &cases, &opts, &|_| {})
        .expect("the backend starts its workers")
        .into_iter()
        .map(|r| (r.id, r.verdict))
        .collect()
}

fn same_with_one_and_two_workers(backend: &dyn Backend) {
    let one = outcomes(backend, 1);
    let two = outcomes(backend, 2);
    let differ: Vec<String> = one
        .iter()
        .filter(|(id, v)| two.get(*id) != Some(v))
        .map(|(id, v)| format!("{id}: {v:?} with 1 worker, {:?} with 2", two.get(id)))
        .collect();
    assert!(
        differ.is_empty(),
        "{}: {}",
        backend.info().label,
        differ.join("\n")
    );
    assert!(
        one.values().all(|v| !matches!(
            v,
            Verdict::Fail | Verdict::Timeout | Verdict::Crash | Verdict::Error
        )),
        "the suite passes"
    );
}

#[test]
fn jobs_do_not_change_outcomes_on_the_reference() {
    same_with_one_and_two_workers(&ReferenceBackend::new());
}

#[test]
fn jobs_do_not_change_outcomes_on_python3() {
    match PythonBackend::start("python3", None) {
        Ok(python) => same_with_one_and_two_workers(&python),
        Err(e) => eprintln!("python3 not usable, skipped: {e}"),
    }
}
