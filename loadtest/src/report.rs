//! The verdict goes into the report files goose writes (`--report-file`), so CI can read it
//! without parsing the console: a `loadtest` member in the JSON report, a `## Thresholds`
//! section in the Markdown and HTML ones. When goose wrote no report (the load was abandoned, or
//! never started), the file holds the verdict alone.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::outcome::Outcome;
use crate::redact::redact;

/// The verdict as the JSON report's `loadtest` member.
pub fn json(outcome: &Outcome, prefix: &str) -> Value {
    json!({
        "verdict": outcome.code.word(),
        "exit_code": outcome.code as u8,
        "problems": outcome.problems.iter().map(|p| redact(p)).collect::<Vec<_>>(),
        "requests": outcome.requests(),
        "failed_requests": outcome.failures(),
        "thresholds": outcome.verdicts.iter().map(|v| v.to_json()).collect::<Vec<_>>(),
        "errors": outcome.errors.iter().map(|e| json!({
            "error": redact(&e.error), "occurrences": e.occurrences,
        })).collect::<Vec<_>>(),
        "users": {
            "prefix": prefix,
            "created": outcome.users.created,
            "removed": outcome.users.removed,
            "left": outcome.users.left,
        },
    })
}

/// The verdict as Markdown: a heading, the thresholds table, the users, the problems.
pub fn markdown(outcome: &Outcome, prefix: &str) -> String {
    let mut md = String::from("\n## Thresholds\n\n");
    let _ = writeln!(
        md,
        "**Verdict: {}** (exit code {})\n",
        outcome.code.word(),
        outcome.code as u8
    );
    if !outcome.verdicts.is_empty() {
        md.push_str("| Request | Metric | Observed | Limit | Verdict |\n");
        md.push_str("|---|---|---:|---:|---|\n");
        for v in &outcome.verdicts {
            let verdict = if v.passed { "PASS" } else { "FAIL" };
            let _ = writeln!(
                md,
                "| {} | {} | {:.2} | {:.2} | {verdict} |",
                v.request, v.metric, v.observed, v.limit
            );
        }
        md.push('\n');
    }
    let u = &outcome.users;
    let left = u.left.map_or("unknown".into(), |n| n.to_string());
    let _ = writeln!(
        md,
        "Users of the run (prefix `{prefix}`): {} created, {} removed, {left} left.",
        u.created, u.removed
    );
    for p in &outcome.problems {
        let _ = writeln!(md, "\n- {}", redact(p));
    }
    md
}

/// Adds the verdict to every report file of a kind it knows.
pub fn write(paths: &[String], outcome: &Outcome, prefix: &str) -> Result<(), String> {
    for path in paths {
        let file = Path::new(path);
        let existing = std::fs::read_to_string(file).unwrap_or_default();
        let text = match file.extension().and_then(|e| e.to_str()) {
            Some("json") => {
                let mut doc: Value = serde_json::from_str(&existing).unwrap_or_else(|_| json!({}));
                if !doc.is_object() {
                    doc = json!({});
                }
                doc["loadtest"] = json(outcome, prefix);
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
            }
            Some("md") => existing + &markdown(outcome, prefix),
            Some("html") => html(&existing, &markdown(outcome, prefix)),
            _ => continue,
        };
        std::fs::write(file, text).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    Ok(())
}

/// The Markdown section as a preformatted block before `</body>` (or a page of its own).
fn html(existing: &str, section: &str) -> String {
    let escaped = section
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let block = format!("<div class=\"loadtest-thresholds\"><pre>{escaped}</pre></div>\n");
    match existing.rfind("</body>") {
        Some(at) => format!("{}{block}{}", &existing[..at], &existing[at..]),
        None if existing.is_empty() => {
            format!("<!DOCTYPE html>\n<html><body>\n<h1>loadtest</h1>\n{block}</body></html>\n")
        }
        None => format!("{existing}{block}"),
    }
}
