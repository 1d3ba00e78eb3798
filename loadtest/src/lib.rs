//! A goose load test of the Touchstone user-management API (CONTRACT.md) with pass/fail
//! thresholds per named request. `loadtest --help` lists goose's options and ours.

mod account;
mod api;
mod checks;
pub mod cli;
mod lifecycle;
mod run;
mod scenarios;
pub mod thresholds;

use std::sync::Arc;

use goose::prelude::*;

pub use cli::Cli;
use run::Run;
use scenarios::step;

/// Where the load goes when `--host` is not given: the reference server's default address.
pub const DEFAULT_HOST: &str = "http://127.0.0.1:8080";

/// Runs the load test and judges it; `Ok(true)` when every threshold held.
pub async fn run(cli: Cli) -> Result<bool, GooseError> {
    let limits = cli.limits();
    let run = Arc::new(Run::new(
        cli.admin_username,
        cli.admin_password,
        cli.seed_users,
    ));
    println!("run prefix {}", run.prefix);
    let attack = GooseAttack::initialize_with_config(cli.goose)?;
    let attack = if cli.capacity {
        attack.register_scenario(scenarios::capacity::scenario(&run)?)
    } else {
        attack
            .register_scenario(scenarios::browse::scenario(&run)?)
            .register_scenario(scenarios::signup::scenario(&run)?)
            .register_scenario(scenarios::admin::scenario(&run)?)
            .test_start(step!(&run, lifecycle::seed))
            .test_stop(step!(&run, lifecycle::sweep))
    };
    let attack = *attack.set_default(GooseDefault::Host, DEFAULT_HOST)?;
    // goose's own `--threshold` rules may fail too; their metrics are still judged.
    let (metrics, goose_passed) = match attack.execute().await {
        Ok(metrics) => (metrics, true),
        Err(GooseError::ThresholdsFailed { metrics, .. }) => (*metrics.0, false),
        Err(e) => return Err(e),
    };
    let observed = thresholds::observed(&metrics);
    let (requests, failures) = observed
        .iter()
        .fold((0, 0), |(r, f), o| (r + o.requests, f + o.failures));
    let seconds = metrics.duration.max(1);
    println!(
        "\n{requests} requests in {seconds} s: {:.1} requests/s, {:.2}% failed",
        requests as f64 / seconds as f64,
        if requests == 0 {
            0.0
        } else {
            100.0 * failures as f64 / requests as f64
        },
    );
    let verdicts = thresholds::judge(&limits, &observed);
    let passed = thresholds::passed(&verdicts) && goose_passed && requests > 0;
    if !verdicts.is_empty() {
        println!("\n{}", thresholds::table(&verdicts));
    }
    println!("load test {}", if passed { "PASSED" } else { "FAILED" });
    Ok(passed)
}
