//! Every file descriptor the reference opens for a case is closed when the case ends: each
//! case of the suite runs alone on the reference, and the process's open descriptors are
//! listed before and after it. A descriptor that is open after the case and was not before
//! is a leak; one that closed meanwhile (the C library's resolver letting go of a file it
//! kept open, a previous case's thread winding down) is not.

use std::collections::BTreeSet;
use std::time::Duration;

use sockconf::backend::Backend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::case::load_dir;
use sockconf::exec::{Verdict, run_case};
use sockconf::suite;

/// The process's open descriptors, each as its number and what it refers to, so that a
/// number reused for something else also counts as new.
fn open_fds() -> BTreeSet<String> {
    std::fs::read_dir("/proc/self/fd")
        .expect("Linux exposes /proc/self/fd")
        .filter_map(|entry| {
            let entry = entry.ok()?;
            // The directory handle of this very listing is gone by the time it is read.
            let target = std::fs::read_link(entry.path()).ok()?;
            Some(format!(
                "{} -> {}",
                entry.file_name().to_string_lossy(),
                target.display()
            ))
        })
        .collect()
}

/// What is open now that was not open before.
fn opened_since(before: &BTreeSet<String>) -> Vec<String> {
    open_fds().difference(before).cloned().collect()
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
        let mut new = opened_since(&before);
        if !new.is_empty() {
            // A descriptor closed by a thread that is still winding down (a peer, the
            // case's thread after its reply) is not a leak: look again a moment later.
            std::thread::sleep(Duration::from_millis(300));
            new = opened_since(&before);
        }
        if !new.is_empty() {
            leaks.push(format!("{}: still open: {}", case.id, new.join(", ")));
        }
    }
    assert!(
        leaks.is_empty(),
        "cases leaked descriptors:\n{}",
        leaks.join("\n")
    );
}
