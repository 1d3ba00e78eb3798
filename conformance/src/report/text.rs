//! The report printed at the end of a run: every failure in full, blocked checks grouped by
//! their cause, warnings, and the footer.

use std::collections::BTreeMap;

use super::{Run, Shown};
use crate::outcome::{Verdict, tally};
use crate::redact::Redactor;

/// Failures, warnings, blocked and inconclusive checks, each told once.
pub fn summary(run: &Run, redactor: &Redactor) -> String {
    let mut text = String::new();
    for (verdict, heading) in [
        (Verdict::Fail, "FAILED"),
        (
            Verdict::Warn,
            "WARNING (a SHOULD clause; --strict fails the run for it)",
        ),
    ] {
        for row in run.rows.iter().filter(|r| r.verdict == verdict) {
            if let Some(f) = &row.failure {
                text.push_str(&format!("\n{heading} {}", Shown::new(f, redactor).block()));
            }
        }
    }
    // Checks blocked by one cause (the admin cannot log in, sign-ups fail) are told once.
    let mut causes: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    let mut blocks: BTreeMap<(String, String), String> = BTreeMap::new();
    for row in run.rows.iter().filter(|r| r.verdict == Verdict::Blocked) {
        let Some(f) = &row.failure else { continue };
        let shown = Shown::new(f, redactor);
        // The clause's own prefix differs from check to check; the cause does not.
        let cause = shown
            .title
            .split_once("): ")
            .map_or(shown.title.as_str(), |(_, c)| c)
            .to_owned();
        let key = (shown.step.clone().unwrap_or_default(), cause);
        causes.entry(key.clone()).or_default().push(row.check.id);
        blocks.entry(key).or_insert_with(|| shown.block());
    }
    for (key, ids) in &causes {
        text.push_str(&format!(
            "\nBLOCKED {} check{} ({}) at `{}`: their clauses were not tested\n{}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            ids.join(", "),
            key.0,
            blocks[key]
        ));
    }
    for row in run
        .rows
        .iter()
        .filter(|r| r.verdict == Verdict::Inconclusive)
    {
        if let Some(f) = &row.failure {
            let shown = Shown::new(f, redactor);
            text.push_str(&format!(
                "\nINCONCLUSIVE {}\n  why: {}\n",
                shown.title, shown.actual
            ));
        }
    }
    for row in run.rows.iter().filter(|r| r.verdict == Verdict::Ignored) {
        text.push_str(&format!(
            "\nIGNORED {}: {}\n",
            row.check.id,
            row.reason.as_deref().unwrap_or("")
        ));
    }
    text
}

/// The closing lines: what was run and found, what it cost, and what was left behind. The last
/// line is `conformance: N passed, N failed` alone, as CI systems read it.
pub fn footer(run: &Run) -> String {
    let counts: Vec<String> = tally(run.rows)
        .iter()
        .filter(|(v, n)| *n > 0 || matches!(v, Verdict::Pass | Verdict::Fail))
        .map(|(v, n)| format!("{n} {}", v.counted()))
        .collect();
    let secs = run.elapsed.as_secs_f64();
    let mut text = format!(
        "\nconformance: {} checks of {} in {secs:.1} s, clean-up included{}: {}\n",
        run.rows.len(),
        run.target,
        if run.interrupted {
            " (interrupted)"
        } else {
            ""
        },
        counts.join(", ")
    );
    text.push_str(&format!(
        "  {} requests ({:.0}/s), {} logins; {} users created, {} removed",
        run.requests,
        run.requests as f64 / secs.max(1e-3),
        run.logins,
        run.cleanup.created,
        run.cleanup.removed,
    ));
    if run.cleanup.left > 0 {
        text.push_str(&format!(
            ", {} LEFT BEHIND (their usernames start with {}; delete them as an admin)",
            run.cleanup.left, run.prefix
        ));
    } else {
        text.push_str(&format!(", none left (run prefix {})", run.prefix));
    }
    text.push_str(&format!(
        "\n  seed {} (--seed {} replays the same cases)",
        run.seed, run.seed
    ));
    let (throttled, waited) = run.throttled;
    if throttled > 0 {
        text.push_str(&format!(
            "\n  the target answered 429 {throttled} times outside the RATE checks; waiting them out took {:.1} s of the run (raise its limits for a faster run)",
            waited.as_secs_f64()
        ));
    }
    for failure in &run.cleanup.failed {
        text.push_str(&format!("\n  clean-up: {failure}"));
    }
    let count = |v: Verdict| run.rows.iter().filter(|r| r.verdict == v).count();
    let failed = count(Verdict::Fail) + count(Verdict::Blocked);
    let skipped = run.rows.len() - count(Verdict::Pass) - failed;
    text.push_str(&format!(
        "\nconformance: {} passed, {failed} failed, {skipped} skipped\n",
        count(Verdict::Pass)
    ));
    text
}
