//! `junit.xml`: one test suite per contract section, one test case per check. A failed MUST
//! clause is a failure, a blocked check an error, an ignored, inconclusive or unrun one skipped;
//! a missed SHOULD clause passes with the warning in its output.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Run, Shown};
use crate::outcome::Verdict;
use crate::redact::Redactor;

pub fn render(run: &Run, redactor: &Redactor) -> std::io::Result<String> {
    let mut report = Report::new("touchstone-conformance");
    report.set_time(run.elapsed);
    let mut suites: BTreeMap<usize, TestSuite> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for row in run.rows {
        let shown = row.failure.as_ref().map(|f| Shown::new(f, redactor));
        let status = match (row.verdict, &shown) {
            (Verdict::Fail, Some(s)) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(s.title.clone());
                status.set_description(s.block());
                status
            }
            (Verdict::Blocked, Some(s)) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(format!(
                    "blocked at {}: {}",
                    s.step.clone().unwrap_or_default(),
                    s.title
                ));
                status.set_description(s.block());
                status
            }
            (Verdict::Ignored | Verdict::Inconclusive | Verdict::NotRun, _) => {
                let mut status = TestCaseStatus::skipped();
                let why = shown
                    .as_ref()
                    .map(|s| s.actual.clone())
                    .or_else(|| row.reason.clone())
                    .unwrap_or_else(|| row.verdict.label().to_owned());
                status.set_message(format!("{}: {why}", row.verdict.label()));
                status
            }
            _ => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(format!("{} {}", row.check.id, row.check.title), status);
        case.set_classname(format!(
            "conformance.{}",
            row.check.section.replace(' ', "_")
        ));
        case.set_time(row.took);
        if let (Verdict::Warn, Some(s)) = (row.verdict, &shown) {
            case.set_system_out(format!("WARNING (SHOULD clause)\n{}", s.block()));
        }
        let n = order
            .iter()
            .position(|s| *s == row.check.section)
            .unwrap_or_else(|| {
                order.push(row.check.section);
                order.len() - 1
            });
        suites
            .entry(n)
            .or_insert_with(|| TestSuite::new(row.check.section))
            .add_test_case(case);
    }
    report.add_test_suites(suites.into_values());
    report
        .to_string()
        .map_err(|e| std::io::Error::other(e.to_string()))
}
