//! `report.json`: every check with its clause, outcome, time, requests and first failure.

use serde_json::{Value, json};

use super::{Run, Shown};
use crate::contract::{self, Level};
use crate::outcome::tally;
use crate::redact::Redactor;

pub fn render(run: &Run, redactor: &Redactor) -> String {
    let checks: Vec<Value> = run
        .rows
        .iter()
        .map(|row| {
            let failure = row.failure.as_ref().map(|f| {
                let s = Shown::new(f, redactor);
                json!({
                    "title": s.title, "blocked_at": s.step, "expected": s.expected,
                    "actual": s.actual, "sent": s.input, "request": s.request,
                    "response": s.response, "hint": s.hint,
                })
            });
            json!({
                "clause": row.check.id,
                "section": row.check.section,
                "level": match contract::level(row.check.id) { Level::Must => "MUST", Level::Should => "SHOULD" },
                "title": row.check.title,
                "outcome": row.verdict.label().to_ascii_lowercase(),
                "seconds": row.took.as_secs_f64(),
                "requests": row.requests,
                "logins": row.logins,
                "cases": row.cases,
                "reason": row.reason,
                "failure": failure,
            })
        })
        .collect();
    let counts: serde_json::Map<String, Value> = tally(run.rows)
        .iter()
        .map(|(v, n)| (v.counted().replace(' ', "_"), json!(n)))
        .collect();
    let report = json!({
        "tool": "touchstone-conformance",
        "version": env!("CARGO_PKG_VERSION"),
        "target": redactor.text(run.target),
        "seed": run.seed,
        "run_prefix": run.prefix,
        "strict": run.strict,
        "interrupted": run.interrupted,
        "exit_code": run.exit_code,
        "seconds": run.elapsed.as_secs_f64(),
        "requests": run.requests,
        "logins": run.logins,
        "cases": run.rows.iter().map(|row| row.cases).sum::<u64>(),
        "throttled": {"count": run.throttled.0, "seconds_waited": run.throttled.1.as_secs_f64()},
        "users": {
            "created": run.cleanup.created,
            "removed": run.cleanup.removed,
            "left": run.cleanup.left,
            "cleanup_errors": run.cleanup.failed.iter().map(|f| redactor.text(f)).collect::<Vec<_>>(),
        },
        "counts": counts,
        "checks": checks,
    });
    serde_json::to_string_pretty(&report).unwrap_or_default()
}
