//! The command line of `conformance` and of `cargo test -p conformance -- …`: select the checks,
//! check the target can be tested, run, report, clean up, and exit 0 (every check passed), 1 (a
//! check failed, or the clean-up left users behind) or 2 (the target, the arguments or the tool
//! failed; a blocked or interrupted run).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use clap::Parser;

use crate::context::Ctx;
use crate::outcome::Verdict;
use crate::property::Budget;
use crate::redact::Redactor;
use crate::run::{Progress, run};
use crate::target::{Embedded, Options, Target};
use crate::{checks, preflight, report, selection};

#[derive(Parser, Debug)]
#[command(
    name = "conformance",
    version,
    about = "Checks an HTTP API against the Touchstone contract (CONTRACT.md)",
    after_help = "Exit status: 0 every selected check passed; 1 a check failed or the clean-up left users behind; 2 the target, the arguments or the tool failed (nothing could be checked, a check was blocked, or the run was interrupted)."
)]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,
    /// Run only the checks these name: a clause ID (USR-04), an ID prefix (USR, AUTH-0) or a
    /// section (users, "rate limits"), ignoring case.
    #[arg(value_name = "FILTER")]
    pub filters: Vec<String>,
    /// Leave out the checks this names (as a filter does); repeatable.
    #[arg(long, value_name = "FILTER")]
    pub skip: Vec<String>,
    /// Print the checks (clause ID, section, title) that the filters select, and exit.
    #[arg(long)]
    pub list: bool,
    /// The seed of the generated cases; the run prints it, and the same seed replays them.
    #[arg(long, env = "TOUCHSTONE_SEED")]
    pub seed: Option<u64>,
    /// Write junit.xml, summary.md and report.json into this directory.
    #[arg(long, value_name = "DIR", env = "TOUCHSTONE_REPORT_DIR")]
    pub report_dir: Option<PathBuf>,
    /// Fail the run for a missed SHOULD clause too (by default it is a warning).
    #[arg(long)]
    pub strict: bool,
    /// Print passwords and tokens in requests and responses instead of redacting them.
    #[arg(long)]
    pub show_secrets: bool,
    /// Checks run at once.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub threads: usize,
    /// No line per finished check, no progress bar: only the report.
    #[arg(long, short)]
    pub quiet: bool,
    /// Stop at the first failed check: the checks still running end at their next request, the
    /// rest are not run, and the clean-up and the report still happen.
    #[arg(long, short = 'x')]
    pub exitfirst: bool,
}

/// Exit status when nothing could be checked: the target, the arguments or the tool failed.
const TOOL: u8 = 2;

/// Runs the suite as `args` (program name first) ask.
pub fn main(args: impl IntoIterator<Item = String>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { TOOL } else { 0 });
        }
    };
    ExitCode::from(execute(&cli))
}

fn execute(cli: &Cli) -> u8 {
    let all = checks::all();
    let unmatched = selection::unmatched(&all, cli.filters.iter().chain(&cli.skip));
    let selected = selection::select(all.clone(), &cli.filters, &cli.skip);
    if selected.is_empty() || !unmatched.is_empty() {
        let ids: Vec<&str> = all.iter().map(|c| c.id).collect();
        eprintln!(
            "conformance: {} select{} no check; a filter is a clause ID, an ID prefix or a section: {}",
            if unmatched.is_empty() {
                "the filters".to_owned()
            } else {
                format!("{unmatched:?}")
            },
            if unmatched.len() == 1 { "s" } else { "" },
            ids.join(" ")
        );
        return TOOL;
    }
    if cli.list {
        for check in &selected {
            println!("{:<8} {:<12} {}", check.id, check.section, check.title);
        }
        return 0;
    }
    let target = match Target::from_options(&cli.options) {
        Ok(target) => target,
        Err(e) => {
            eprintln!("conformance: {e}");
            return TOOL;
        }
    };
    let (target, embedded) = match target {
        Some(target) => (target, None),
        None => match Embedded::start(&[]) {
            Ok((embedded, target)) => (target, Some(embedded)),
            Err(e) => {
                eprintln!("conformance: the in-process reference server could not start: {e}");
                return TOOL;
            }
        },
    };
    if let Some(dir) = &cli.report_dir {
        crate::http::set_bodies_dir(dir.join("bodies"));
    }
    let seed = cli.seed.unwrap_or_else(rand::random);
    let budget = Budget {
        cases: cli.options.cases,
        seed,
        ..Budget::default()
    };
    let ctx = Ctx::with_redactor(target, budget, Redactor::new(cli.show_secrets));
    let progress = if cli.quiet {
        Progress::Quiet
    } else {
        Progress::Lines
    };
    let start = Instant::now();
    if let Err(reason) = preflight::preflight(&ctx) {
        eprintln!("conformance: {}", ctx.redactor.text(&reason));
        return TOOL;
    }
    if !cli.quiet {
        println!(
            "conformance: {} checks against {} (seed {seed}, run prefix {})",
            selected.len(),
            ctx.redactor.text(&ctx.target.base),
            ctx.prefix
        );
    }
    interrupt_stops(&ctx);
    let rows = run(
        &ctx,
        selected,
        cli.threads,
        cli.strict,
        progress,
        cli.exitfirst,
    );
    let count = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
    let interrupted = ctx.http.stopped() && !(cli.exitfirst && count(Verdict::Fail) > 0);
    if interrupted {
        eprintln!("conformance: interrupted; removing the run's users, then the partial report");
    } else if ctx.http.stopped() {
        eprintln!(
            "conformance: stopped at the first failure (--exitfirst); removing the run's users"
        );
    }
    let cleanup = ctx.cleanup();
    let exit_code = if count(Verdict::Fail) > 0 || cleanup.left > 0 || !cleanup.failed.is_empty() {
        1
    } else if interrupted || count(Verdict::Blocked) > 0 {
        TOOL
    } else {
        0
    };
    let base = ctx.target.base.clone();
    let report = report::Run {
        target: &base,
        rows: &rows,
        elapsed: start.elapsed(),
        cleanup: &cleanup,
        seed,
        prefix: &ctx.prefix,
        requests: ctx.http.sent(),
        logins: ctx.http.logins(),
        throttled: ctx.http.throttled(),
        interrupted,
        strict: cli.strict,
        exit_code,
    };
    print!("{}", report::summary(&report, &ctx.redactor));
    print!("{}", ctx.redactor.text(&report::footer(&report)));
    if let Some(dir) = &cli.report_dir {
        if let Err(e) = report::write(dir, &report, &ctx.redactor) {
            eprintln!(
                "conformance: the reports could not be written to {}: {e}",
                dir.display()
            );
            return TOOL;
        }
        println!("conformance: reports in {}", dir.display());
    }
    drop(embedded);
    exit_code
}

/// The first Ctrl-C stops the run at each check's next request, so the clean-up and the partial
/// report still happen; a second one exits at once.
fn interrupt_stops(ctx: &Ctx) {
    let http = ctx.http.clone();
    let prefix = ctx.prefix.clone();
    let presses = Arc::new(AtomicU32::new(0));
    let _ = ctrlc::set_handler(move || {
        if presses.fetch_add(1, Ordering::SeqCst) == 0 {
            eprintln!("\nconformance: stopping (Ctrl-C again to exit without cleaning up)");
            http.stop();
        } else {
            eprintln!(
                "conformance: exiting; users whose names start with {prefix} may be left on the target"
            );
            std::process::exit(i32::from(TOOL));
        }
    });
}

/// `args` of a test binary as the suite's own command line: libtest's flags that mean something
/// here are translated (`--test-threads` to `--threads`), the others dropped.
pub fn from_libtest(args: impl IntoIterator<Item = String>) -> Vec<String> {
    const DROPPED: [&str; 8] = [
        "--nocapture",
        "--show-output",
        "--exact",
        "--include-ignored",
        "--ignored",
        "--test",
        "--bench",
        "--no-capture",
    ];
    const DROPPED_WITH_VALUE: [&str; 4] = ["--format", "--color", "-Z", "--logfile"];
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let flag = arg.split_once('=').map_or(arg.as_str(), |(f, _)| f);
        if DROPPED.contains(&flag) {
            continue;
        }
        if DROPPED_WITH_VALUE.contains(&flag) {
            if !arg.contains('=') {
                args.next();
            }
            continue;
        }
        if flag == "--test-threads" {
            out.push(arg.replacen("--test-threads", "--threads", 1));
            continue;
        }
        out.push(arg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn libtest_flags_are_translated_or_dropped() {
        let args = from_libtest(strings(&[
            "suite",
            "--target",
            "http://x/api/v1",
            "--nocapture",
            "--format",
            "pretty",
            "--test-threads=2",
            "USR-04",
            "--color=always",
        ]));
        assert_eq!(
            args,
            strings(&[
                "suite",
                "--target",
                "http://x/api/v1",
                "--threads=2",
                "USR-04"
            ])
        );
        let cli = Cli::try_parse_from(args).expect("parses");
        assert_eq!(cli.options.target.as_deref(), Some("http://x/api/v1"));
        assert_eq!(cli.threads, 2);
        assert_eq!(cli.filters, ["USR-04"]);
    }
}
