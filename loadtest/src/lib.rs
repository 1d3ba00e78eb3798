//! A goose load test of the Touchstone user-management API (CONTRACT.md) that behaves like a CI
//! tool: a preflight before any load, a run bounded in time whatever the host answers,
//! thresholds judged per named request (an error rate by default), the verdict in the exit code
//! and the report files, and every user it created removed at the end.

mod account;
mod api;
mod checks;
pub mod cli;
mod client;
mod lifecycle;
mod outcome;
mod preflight;
mod quiet;
mod redact;
mod report;
mod run;
mod scenarios;
mod summary;
mod supervise;
pub mod thresholds;

use std::sync::Arc;
use std::time::Duration;

use goose::prelude::*;

pub use cli::Cli;
use client::Client;
use outcome::{Code, Outcome, Users};
use run::Run;
use supervise::{Ended, Signals};

/// Where the load goes when `--host` is not given: the reference server's default address.
pub const DEFAULT_HOST: &str = "http://127.0.0.1:8080";

/// Runs the load test and judges it; the exit code (see [`outcome::Code`]).
pub fn run(mut cli: Cli) -> u8 {
    redact::register(vec![cli.admin_password.clone()]);
    match execute(&mut cli) {
        Ok(code) => code as u8,
        Err(e) => {
            eprintln!("loadtest: {}", redact::redact(&e));
            Code::Error as u8
        }
    }
}

fn execute(cli: &mut Cli) -> Result<Code, String> {
    let timeout = cli.timeout()?;
    let bound = cli.bound()?;
    if cli.goose.goose_log.is_none() {
        quiet::install(cli.goose.verbose);
    }
    quiet_goose(cli);
    let host = cli.goose.host.clone().unwrap_or(DEFAULT_HOST.into());
    let signals = Signals::install()?;
    let control = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let client = Client::new(&host, timeout)?;
    let run = Arc::new(Run::new(
        cli.admin_username.clone(),
        cli.admin_password.clone(),
        cli.seed_users,
    ));
    println!("loadtest: {host}, run prefix {}", run.prefix);
    let admin = (cli.admin_username.as_str(), cli.admin_password.as_str());
    match control.block_on(supervise::unless_interrupted(preflight::check(
        &client,
        admin,
        cli.capacity,
    ))) {
        None => return Err("interrupted before the load; nothing was created".into()),
        Some(Err(e)) => return Err(format!("preflight: {e}")),
        Some(Ok(())) => println!("preflight: passed"),
    }

    let mut outcome = Outcome::new();
    let attack = attack(cli, &run, &host, timeout).map_err(|e| format!("goose: {e}"))?;
    println!("load: started");
    let grace = Duration::from_secs(cli.stop_timeout);
    let load = supervise::run(attack, &signals, bound, grace)?;
    let ended = match load.ended {
        Ended::Returned(result) => Some(*result),
        Ended::Abandoned => None,
    };
    match ended {
        Some(Ok(metrics)) => outcome.judge(&metrics, &cli.limits()),
        Some(Err(GooseError::ThresholdsFailed { metrics, .. })) => {
            outcome.judge(&metrics.0, &cli.limits());
            outcome.code = outcome.code.max(Code::Breached);
        }
        Some(Err(e)) => outcome.problem(format!("goose: {e}")),
        None => outcome.problem(format!(
            "the users did not stop within {} s; the load was abandoned",
            grace.as_secs()
        )),
    }
    if let Some(why) = run
        .setup_error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    {
        outcome.problem(why);
    }
    if load.overran {
        let secs = bound.map_or(0, |b| b.as_secs());
        outcome.problem(format!("the load was stopped at its time bound ({secs} s)"));
    }
    if supervise::interrupted() {
        outcome.problem("interrupted");
    }
    clean_up(cli, &control, &client, &run, &mut outcome);
    print!("{}", summary::text(&outcome, &run.prefix));
    if quiet::held_back() > 0 {
        println!(
            "({} lines of goose's log held back; -v shows them)",
            quiet::held_back()
        );
    }
    if let Err(e) = report::write(&cli.goose.report_file, &outcome, &run.prefix) {
        eprintln!("loadtest: {e}");
        return Ok(Code::Error);
    }
    Ok(outcome.code)
}

/// Removes this run's users within `--cleanup-timeout`, and counts them into the outcome.
fn clean_up(
    cli: &Cli,
    control: &tokio::runtime::Runtime,
    client: &Client,
    run: &Run,
    outcome: &mut Outcome,
) {
    let mut left = Some(0);
    if !cli.capacity {
        let bound = Duration::from_secs(cli.cleanup_timeout);
        let sweep = control
            .block_on(async { tokio::time::timeout(bound, lifecycle::sweep(client, run)).await });
        let done = sweep.unwrap_or_else(|_| lifecycle::Cleanup {
            error: Some(format!("it did not end within {} s", bound.as_secs())),
            ..Default::default()
        });
        left = done.left;
        if let Some(e) = done.error {
            outcome.problem(format!("clean-up: {e}"));
        }
        if let Some(n) = left.filter(|n| *n > 0) {
            outcome.problem(format!("clean-up: {n} users of this run are left"));
        }
    }
    outcome.users = Users {
        created: Run::count(&run.created),
        removed: Run::count(&run.removed),
        left,
    };
}

/// Goose's console output and control ports, off unless asked for: its INFO log and tables are
/// replaced by our summary; every request of the run counts, the ramp-up's too.
fn quiet_goose(cli: &mut Cli) {
    let goose = &mut cli.goose;
    goose.no_telnet |= !cli.telnet;
    if goose.verbose == 0 {
        goose.no_print_metrics = true;
    }
    if goose.run_time.is_some() && goose.iterations.is_none() {
        goose.no_reset_metrics = true;
    }
}

fn attack(
    cli: &Cli,
    run: &Arc<Run>,
    host: &str,
    timeout: Duration,
) -> Result<GooseAttack, GooseError> {
    let attack = GooseAttack::initialize_with_config(cli.goose.clone())?;
    let attack = if cli.capacity {
        attack.register_scenario(scenarios::capacity::scenario(run)?)
    } else {
        let setup = Duration::from_secs(cli.setup_timeout);
        attack
            .register_scenario(scenarios::browse::scenario(run)?)
            .register_scenario(scenarios::shop::scenario(run)?)
            .register_scenario(scenarios::signup::scenario(run)?)
            .register_scenario(scenarios::admin::scenario(run)?)
            .register_scenario(scenarios::listen::scenario(run)?)
            .test_start(lifecycle::seed_step(run, host.to_owned(), timeout, setup))
    };
    let timeout = format!("{}", timeout.as_secs_f64());
    let attack = attack
        .set_default(GooseDefault::Host, DEFAULT_HOST)?
        .set_default(GooseDefault::Timeout, timeout.as_str())?;
    Ok(*attack)
}
