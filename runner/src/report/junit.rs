//! The report as JUnit XML for CI dashboards: a test suite per run (named by its column title,
//! distinct for every run), a test case per case.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::Run;
use crate::case::Level;
use crate::exec::Verdict;

/// The runs as JUnit XML: a test suite per run, a test case per case.
pub fn junit(runs: &[Run]) -> String {
    let mut report = Report::new("sockconf");
    for run in runs {
        let mut suite = TestSuite::new(run.title());
        for c in &run.cases {
            let mut status = match c.outcome {
                Verdict::Differs if run.level == Level::Cpython => {
                    TestCaseStatus::non_success(NonSuccessKind::Failure)
                }
                Verdict::Pass | Verdict::Differs => TestCaseStatus::success(),
                Verdict::Fail => TestCaseStatus::non_success(NonSuccessKind::Failure),
                Verdict::Timeout | Verdict::Crash | Verdict::Error => {
                    TestCaseStatus::non_success(NonSuccessKind::Error)
                }
                Verdict::Unsupported | Verdict::Skip => TestCaseStatus::skipped(),
            };
            if let Some(m) = c.message.as_ref().or(c.details.first()) {
                status.set_message(format!("{}: {}", c.outcome.as_str(), m));
            }
            let mut case = TestCase::new(c.id.clone(), status);
            if !c.details.is_empty() {
                case.set_system_out(format!(
                    "CPython details that differ:\n{}",
                    c.details.join("\n")
                ));
            }
            case.set_classname(c.doc.clone());
            case.set_time(std::time::Duration::from_secs_f64(c.duration.max(0.0)));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .expect("a JUnit report of plain strings serialises")
}
