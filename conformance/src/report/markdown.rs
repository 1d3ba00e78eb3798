//! `summary.md`: for a pull-request comment or a CI job summary.

use super::{Run, Shown};
use crate::outcome::{Verdict, tally};
use crate::redact::Redactor;

pub fn render(run: &Run, redactor: &Redactor) -> String {
    let counts: Vec<String> = tally(run.rows)
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(v, n)| format!("{n} {}", v.counted()))
        .collect();
    let mut md = format!(
        "## Touchstone conformance: {}\n\n`{}`: {} in {:.1} s; {} requests, {} logins; {} users created, {} left behind; seed `{}`.\n\n",
        if run.exit_code == 0 {
            "passed"
        } else {
            "did not pass"
        },
        redactor.text(run.target),
        counts.join(", "),
        run.elapsed.as_secs_f64(),
        run.requests,
        run.logins,
        run.cleanup.created,
        run.cleanup.left,
        run.seed,
    );
    md.push_str("| clause | outcome | time | requirement |\n|---|---|--:|---|\n");
    for row in run.rows {
        let outcome = match row.verdict {
            Verdict::Fail => "**FAIL**".to_owned(),
            v => v.label().to_owned(),
        };
        md.push_str(&format!(
            "| {} | {} | {:.2} s | {} |\n",
            row.check.id,
            outcome,
            row.took.as_secs_f64(),
            cell(row.check.title)
        ));
    }
    for row in run
        .rows
        .iter()
        .filter(|r| r.failure.is_some() && r.verdict != Verdict::Pass)
    {
        let Some(f) = &row.failure else { continue };
        let shown = Shown::new(f, redactor);
        md.push_str(&format!(
            "\n<details><summary>{} {}: {}</summary>\n\n```text\n{}```\n</details>\n",
            row.verdict.label(),
            row.check.id,
            cell(&shown.title),
            shown.block().replace("```", "'''")
        ));
    }
    for row in run.rows.iter().filter(|r| r.verdict == Verdict::Ignored) {
        md.push_str(&format!(
            "\n- {} ignored: {}\n",
            row.check.id,
            row.reason.as_deref().unwrap_or("")
        ));
    }
    md
}

/// Text safe inside a table cell or a summary line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('\n', " ")
}
