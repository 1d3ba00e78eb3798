//! Running the checks: as libtest trials (`cargo test -p conformance`, filterable by clause ID),
//! or as a report with a summary table (`cargo run -p conformance`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};

use crate::checks::{self, Check};
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::property::Budget;
use crate::target::{Embedded, Options, Target};

/// Splits the suite's own options out of a test binary's arguments, leaving libtest's.
pub fn split_args(args: impl IntoIterator<Item = String>) -> (Vec<String>, Vec<String>) {
    let (mut ours, mut rest) = (vec!["conformance".to_owned()], Vec::new());
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let flag = arg.split_once('=').map_or(arg.as_str(), |(f, _)| f);
        if Options::FLAGS.contains(&flag) {
            let has_value = arg.contains('=');
            ours.push(arg);
            if !has_value && let Some(value) = args.next() {
                ours.push(value);
            }
        } else {
            rest.push(arg);
        }
    }
    (ours, rest)
}

/// The target the options name, or the reference server started in-process.
pub fn resolve(options: &Options) -> std::io::Result<(Target, Option<Embedded>)> {
    match &options.target {
        Some(base) => Ok((
            Target {
                base: base.trim_end_matches('/').to_owned(),
                admin_username: options.admin_username.clone(),
                admin_password: options.admin_password.clone(),
                jwt_secret: options.jwt_secret.clone(),
                cors_origin: options.cors_origin.clone(),
            },
            None,
        )),
        None => {
            let (embedded, target) = Embedded::start(&[])?;
            Ok((target, Some(embedded)))
        }
    }
}

pub fn budget(options: &Options) -> Budget {
    Budget {
        cases: options.cases,
        ..Budget::default()
    }
}

/// One libtest trial per check, named by its clause ID.
pub fn trials(ctx: &Arc<Ctx>) -> Vec<Trial> {
    checks::all()
        .into_iter()
        .map(|check| {
            let ctx = ctx.clone();
            let ignored = check.ignored(&ctx.target);
            Trial::test(check.id, move || match check.run(&ctx) {
                Err(f) if f.kind == Kind::Inconclusive => {
                    println!("{} inconclusive: {f}", check.id);
                    Ok(())
                }
                outcome => outcome.map_err(|f| Failed::from(f.to_string())),
            })
            .with_kind(check.section)
            .with_ignored_flag(ignored)
        })
        .collect()
}

/// What one run did, for the closing lines of a report.
pub fn footer(ctx: &Ctx, elapsed: Duration) -> String {
    let cleanup = ctx.cleanup();
    let sent = ctx.http.sent();
    let mut text = format!(
        "conformance: {} requests in {:.1} s ({:.0} req/s); run prefix {}; {} users created, {} removed",
        sent,
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64().max(1e-3),
        ctx.prefix,
        cleanup.created,
        cleanup.removed,
    );
    let (throttled, waited) = ctx.http.throttled();
    if throttled > 0 {
        text.push_str(&format!(
            "\n  the target answered 429 {throttled} times outside the RATE checks; waiting them out took {:.1} s (raise its limits for a faster run)",
            waited.as_secs_f64()
        ));
    }
    for failure in cleanup.failed {
        text.push_str(&format!("\n  clean-up failed: {failure}"));
    }
    text
}

/// The outcome of one check in a report.
pub struct Row {
    pub check: Check,
    pub outcome: Result<(), Failure>,
    pub ignored: bool,
    pub took: Duration,
}

/// Runs `checks` on `threads` threads and returns their rows in contract order.
pub fn report(ctx: &Ctx, checks: Vec<Check>, threads: usize) -> Vec<Row> {
    let queue = std::sync::Mutex::new(checks.into_iter().enumerate().collect::<Vec<_>>());
    let rows = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let Some((n, check)) = next else { break };
                    let ignored = check.ignored(&ctx.target);
                    let start = Instant::now();
                    let outcome = if ignored { Ok(()) } else { check.run(ctx) };
                    let row = Row {
                        check,
                        outcome,
                        ignored,
                        took: start.elapsed(),
                    };
                    rows.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((n, row));
                }
            });
        }
    });
    let mut rows = rows.into_inner().unwrap_or_else(|e| e.into_inner());
    rows.sort_by_key(|(n, _)| *n);
    rows.into_iter().map(|(_, row)| row).collect()
}

/// The summary table of a report, then every failure in full.
pub fn render(rows: &[Row]) -> String {
    let mut text = format!(
        "{:<8} {:<7} {:>7}  {}\n",
        "clause", "result", "time", "requirement"
    );
    for row in rows {
        let result = match (&row.outcome, row.ignored) {
            (_, true) => "ignored",
            (Ok(()), _) => "pass",
            (Err(f), _) => match f.kind {
                Kind::Violation => "FAIL",
                Kind::Blocked => "blocked",
                Kind::Inconclusive => "inconcl",
            },
        };
        text.push_str(&format!(
            "{:<8} {:<7} {:>6.2}s  {}\n",
            row.check.id,
            result,
            row.took.as_secs_f64(),
            row.check.title
        ));
    }
    let passed = rows
        .iter()
        .filter(|r| r.outcome.is_ok() && !r.ignored)
        .count();
    let failed = rows.iter().filter(|r| r.outcome.is_err()).count();
    let inconclusive = rows
        .iter()
        .filter(|r| matches!(&r.outcome, Err(f) if f.kind == Kind::Inconclusive))
        .count();
    let failed = failed - inconclusive;
    let ignored = rows.iter().filter(|r| r.ignored).count();
    for row in rows {
        if let Err(failure) = &row.outcome {
            text.push_str(&format!("\n{failure}"));
        }
    }
    text.push_str(&format!(
        "\n{passed} passed, {failed} failed, {inconclusive} inconclusive, {ignored} ignored\n"
    ));
    text
}

/// The libtest entry point of `tests/suite.rs`.
pub fn run_tests() -> std::process::ExitCode {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        options: Options,
    }
    let (ours, rest) = split_args(std::env::args().skip(1));
    let cli = Cli::parse_from(ours);
    let args = Arguments::from_iter(std::iter::once("suite".to_owned()).chain(rest));
    let (target, embedded) = match resolve(&cli.options) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("conformance: the reference server could not start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let ctx = Arc::new(Ctx::new(target, budget(&cli.options)));
    let start = Instant::now();
    let conclusion = libtest_mimic::run(&args, trials(&ctx));
    if !args.list {
        println!("{}", footer(&ctx, start.elapsed()));
    }
    drop(embedded);
    conclusion.exit_code()
}
