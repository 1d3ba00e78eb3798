//! `cargo run -p conformance -- --target URL`: every check against a target, as a table.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use conformance::{Ctx, Options, harness};

#[derive(Parser)]
#[command(
    name = "conformance",
    version,
    about = "Checks an API against the Touchstone contract"
)]
struct Cli {
    #[command(flatten)]
    options: Options,
    /// Run only the checks whose clause ID contains one of these (e.g. USR-04, AUTH).
    filters: Vec<String>,
    /// Checks run at once.
    #[arg(long, default_value_t = 4)]
    threads: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (target, embedded) = match harness::resolve(&cli.options) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("conformance: the reference server could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("conformance: checking {}", target.base);
    let ctx = Ctx::new(target, harness::budget(&cli.options));
    let checks: Vec<_> = conformance::all()
        .into_iter()
        .filter(|c| cli.filters.is_empty() || cli.filters.iter().any(|f| c.id.contains(f.as_str())))
        .collect();
    let start = Instant::now();
    let rows = harness::report(&ctx, checks, cli.threads);
    print!("{}", harness::render(&rows));
    println!("{}", harness::footer(&ctx, start.elapsed()));
    drop(embedded);
    let failed = |r: &harness::Row| matches!(&r.outcome, Err(f) if f.kind != conformance::failure::Kind::Inconclusive);
    if rows.iter().any(failed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
