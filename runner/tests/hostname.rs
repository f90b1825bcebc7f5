//! Setting the host name never reaches the machine: the `sethostname` cases run in a UTS
//! namespace the runner makes for each of them (or are UNSUPPORTED), on the reference and
//! on python3, and the machine's host name is the same afterwards.

mod common;

use std::time::Duration;

use sockconf::backend::Backend;
use sockconf::backend::python::PythonBackend;
use sockconf::backend::reference::ReferenceBackend;
use sockconf::exec::Verdict;

const CASES: &str = include_str!("../../cases/functions/sethostname.yaml");

/// Whether this process may make a private UTS namespace (it tries on a thread of its
/// own, which ends with the namespace).
fn namespaces_possible() -> bool {
    std::thread::spawn(|| reference::core::netdb::private_hostname().is_ok())
        .join()
        .expect("the probe thread ends")
}

fn check(backend: &dyn Backend, expect_pass: bool) {
    let label = &backend.info().label;
    for r in common::run_text(backend, CASES, Duration::from_secs(30)) {
        let allowed: &[Verdict] = if expect_pass {
            &[Verdict::Pass, Verdict::Skip]
        } else {
            &[Verdict::Unsupported, Verdict::Skip]
        };
        assert!(
            allowed.contains(&r.verdict),
            "{label}: {} is {:?}: {:?}",
            r.id,
            r.verdict,
            r.message
        );
    }
}

#[test]
fn sethostname_cases_leave_the_machine_name_alone() {
    let before = reference::core::netdb::gethostname().expect("the host name");
    let possible = namespaces_possible();
    if !possible {
        eprintln!("no private UTS namespace here: the cases must be UNSUPPORTED");
    }
    check(&ReferenceBackend::new(), cfg!(unix) && possible);
    match PythonBackend::start("python3", None) {
        Ok(python) => check(&python, cfg!(unix) && possible),
        Err(e) => eprintln!("python3 not usable, only the reference was checked: {e}"),
    }
    let after = reference::core::netdb::gethostname().expect("the host name");
    assert_eq!(before, after, "the machine's host name changed");
    assert!(
        !after.starts_with("sockconf-"),
        "the machine's host name is one the cases set: {after}"
    );
}
