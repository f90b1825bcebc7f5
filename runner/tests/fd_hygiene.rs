//! Every file descriptor the reference opens for a case is closed when the case ends: each
//! case of the suite runs alone on the reference, and the process's open descriptors are
//! counted before and after it.

use std::time::Duration;

use sockconf::backend::Backend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::case::load_dir;
use sockconf::exec::{Verdict, run_case};
use sockconf::suite;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("Linux exposes /proc/self/fd")
        .count()
}

#[test]
fn no_case_leaks_a_descriptor() {
    if !std::path::Path::new("/proc/self/fd").is_dir() {
        eprintln!("no /proc/self/fd here: nothing to count");
        return;
    }
    let vocab = suite::vocabulary(suite::spec(None).unwrap());
    let cases = load_dir(&suite::repo_root().join("cases"), &vocab)
        .unwrap_or_else(|e| panic!("cases load: {e:?}"))
        .cases;
    let backend = ReferenceBackend::new();
    let mut worker = backend.worker().unwrap();
    let mut leaks = Vec::new();
    for case in &cases {
        let before = open_fds();
        let r = run_case(
            case,
            worker.as_mut(),
            backend.info(),
            Duration::from_secs(20),
        );
        if r.verdict == Verdict::Timeout {
            continue; // its thread may still hold what it opened
        }
        let mut after = open_fds();
        if after != before {
            // A descriptor closed by a thread that is still winding down (a peer, the
            // case's thread after its reply) is not a leak: look again a moment later.
            std::thread::sleep(Duration::from_millis(300));
            after = open_fds();
        }
        if after != before {
            leaks.push(format!("{}: {before} fds before, {after} after", case.id));
        }
    }
    assert!(
        leaks.is_empty(),
        "cases leaked descriptors:\n{}",
        leaks.join("\n")
    );
}
