//! Running the selected checks on a few threads: a line per finished check (and a progress bar on
//! a terminal), each check's panic caught, and an interrupt that lets running checks end at their
//! next request so the clean-up can still run.

use std::io::IsTerminal;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::checks::Check;
use crate::context::Ctx;
use crate::failure::Failure;
use crate::outcome::{Row, Verdict};

/// How a run prints while it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A line per finished check, and a bar when standard error is a terminal.
    Lines,
    /// Nothing until the report.
    Quiet,
}

/// Runs `checks` on `threads` threads; their rows in the order given. With `exitfirst`, the first
/// failed check stops the run as an interrupt does.
pub fn run(
    ctx: &Ctx,
    checks: Vec<Check>,
    threads: usize,
    strict: bool,
    progress: Progress,
    exitfirst: bool,
) -> Vec<Row> {
    let bar = (progress == Progress::Lines && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(checks.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} checks, {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let total = checks.len();
    let queue = Mutex::new(checks.into_iter().enumerate().rev().collect::<Vec<_>>());
    let rows = Mutex::new(Vec::with_capacity(total));
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let Some((n, check)) = next else { break };
                    let row = if ctx.http.stopped() {
                        Row::unrun(check, Verdict::NotRun)
                    } else if check.ignored(&ctx.target) {
                        Row::unrun(check, Verdict::Ignored)
                    } else {
                        one(ctx, check, strict)
                    };
                    if exitfirst && row.verdict == Verdict::Fail {
                        ctx.http.stop();
                    }
                    if progress == Progress::Lines && row.verdict != Verdict::NotRun {
                        let line = format!(
                            "{:<12} {:<8} {:>6.2}s  {}",
                            row.verdict.label(),
                            row.check.id,
                            row.took.as_secs_f64(),
                            row.check.title
                        );
                        match &bar {
                            Some(bar) => bar.println(line),
                            None => println!("{line}"),
                        }
                    }
                    if let Some(bar) = &bar {
                        bar.inc(1);
                    }
                    rows.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((n, row));
                }
            });
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut rows = rows.into_inner().unwrap_or_else(|e| e.into_inner());
    rows.sort_by_key(|(n, _)| *n);
    rows.into_iter().map(|(_, row)| row).collect()
}

/// Runs one check with a context that counts its requests; a panic blocks it.
fn one(ctx: &Ctx, check: Check, strict: bool) -> Row {
    let ctx = ctx.for_check();
    crate::property::reset_cases();
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| check.run(&ctx))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        Err(Failure::new(
            format!("{}: the check itself panicked", check.id),
            "the check to run to its end",
            message,
        )
        .blocked("the check itself panicked (a defect of the suite)"))
    });
    let cases = crate::property::cases().max(1);
    let counts = (ctx.http.check_sent(), ctx.http.check_logins(), cases);
    Row::ran(check, result, strict, start.elapsed(), counts)
}
