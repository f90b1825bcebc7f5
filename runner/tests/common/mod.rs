//! Helpers the integration tests share: run a case file written inline on a backend.

use std::path::Path;
use std::time::Duration;

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
    };
    exec::run(backend, &cases, &opts, &|_| {}).expect("the backend starts its workers")
}
