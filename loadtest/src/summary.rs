//! The console summary: one table of the requests, the kinds of error counted (a few examples,
//! never one line per request), the thresholds, the users, and the verdict.

use std::fmt::Write as _;

use crate::outcome::{Code, Outcome};
use crate::redact::redact;
use crate::thresholds;

/// Kinds of error shown; the rest are counted.
const ERROR_EXAMPLES: usize = 5;

pub fn text(outcome: &Outcome, prefix: &str) -> String {
    let mut out = String::new();
    if !outcome.observed.is_empty() {
        requests(&mut out, outcome);
    }
    if !outcome.errors.is_empty() {
        errors(&mut out, outcome);
    }
    if !outcome.verdicts.is_empty() {
        let _ = writeln!(out, "\n{}", thresholds::table(&outcome.verdicts).trim_end());
    }
    let users = &outcome.users;
    let left = match users.left {
        Some(n) => n.to_string(),
        None => "an unknown number".into(),
    };
    let _ = writeln!(
        out,
        "\nusers: {} created, {} removed, {left} left (prefix {prefix})",
        users.created, users.removed
    );
    for problem in &outcome.problems {
        let _ = writeln!(out, "loadtest: {problem}");
    }
    let verdict = match outcome.code {
        Code::Passed => "load test PASSED",
        Code::Breached => "load test FAILED: a threshold was breached",
        Code::Error => "load test FAILED: the run could not be judged",
    };
    let _ = writeln!(out, "{verdict} (exit code {})", outcome.code as u8);
    redact(&out)
}

fn requests(out: &mut String, outcome: &Outcome) {
    let seconds = outcome.seconds.max(1);
    let _ = writeln!(
        out,
        "{} requests in {} s: {:.1} requests/s, {} failed ({:.2}%)\n",
        outcome.requests(),
        outcome.seconds,
        outcome.requests() as f64 / seconds as f64,
        outcome.failures(),
        outcome.error_rate(),
    );
    let width = outcome
        .observed
        .iter()
        .map(|o| o.name.len())
        .max()
        .unwrap_or(0)
        .max("request".len());
    let _ = writeln!(
        out,
        "{:<width$}  {:>9}  {:>8}  {:>9}  {:>9}",
        "request", "requests", "failed", "p95 ms", "p99 ms"
    );
    for o in &outcome.observed {
        let _ = writeln!(
            out,
            "{:<width$}  {:>9}  {:>8}  {:>9.2}  {:>9.2}",
            o.name, o.requests, o.failures, o.p95_ms, o.p99_ms
        );
    }
}

fn errors(out: &mut String, outcome: &Outcome) {
    let total: usize = outcome.errors.iter().map(|e| e.occurrences).sum();
    let kinds = outcome.errors.len();
    let _ = writeln!(
        out,
        "\nerrors: {total} in {kinds} kind{}{}",
        if kinds == 1 { "" } else { "s" },
        if kinds > ERROR_EXAMPLES {
            format!(", the {ERROR_EXAMPLES} most frequent:")
        } else {
            ":".into()
        }
    );
    for e in outcome.errors.iter().take(ERROR_EXAMPLES) {
        let _ = writeln!(out, "{:>9}  {}", e.occurrences, e.error);
    }
}
