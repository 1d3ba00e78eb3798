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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Code;
    use crate::thresholds::Verdict;

    fn breached() -> Outcome {
        let mut outcome = Outcome::new();
        outcome.code = Code::Breached;
        outcome.verdicts = vec![Verdict {
            request: "GET /api/v1/users".into(),
            metric: "p95 ms",
            limit: 50.0,
            observed: 80.0,
            passed: false,
        }];
        outcome
    }

    #[test]
    fn the_json_report_keeps_gooses_members_and_gains_the_verdict() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("r.json");
        std::fs::write(&path, r#"{"goose_version": "0.19.0"}"#).expect("writes");

        write(&[path.display().to_string()], &breached(), "ltabc123").expect("written");

        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(doc["goose_version"], "0.19.0");
        assert_eq!(doc["loadtest"]["verdict"], "failed");
        assert_eq!(doc["loadtest"]["thresholds"][0]["metric"], "p95_ms");
        assert_eq!(doc["loadtest"]["thresholds"][0]["passed"], false);
    }

    #[test]
    fn a_report_goose_never_wrote_holds_the_verdict_alone() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let (md, html) = (dir.path().join("r.md"), dir.path().join("r.html"));
        let paths = [md.display().to_string(), html.display().to_string()];

        write(&paths, &breached(), "ltabc123").expect("written");

        let text = std::fs::read_to_string(&md).unwrap();
        assert!(text.contains("**Verdict: failed** (exit code 1)"));
        assert!(text.contains("| GET /api/v1/users | p95 ms | 80.00 | 50.00 | FAIL |"));
        assert!(std::fs::read_to_string(&html).unwrap().contains("</body>"));
    }
}
