//! Proof that no check is vacuous: each one must fail against a reference server that breaks
//! exactly its clause (`--violate CLAUSE`, the `proofs` feature), and every clause of CONTRACT.md
//! has exactly one check. Beyond the clauses, `bugs/` lists mistakes real implementations
//! make, each written into the reference server under a name of its own, with the checks that must
//! catch it.

mod bugs;

use std::process::ExitCode;

use conformance::failure::Kind;
use conformance::property::Budget;
use conformance::{Check, Ctx, Embedded};
use libtest_mimic::{Arguments, Failed, Trial};

/// Runs `check` against a fresh reference server breaking `violations`.
fn run_against(check: &Check, violations: &[&str]) -> Result<Result<(), String>, Failed> {
    let (server, target) = Embedded::start(violations).map_err(|e| e.to_string())?;
    let ctx = Ctx::new(
        target,
        Budget {
            cases: 8,
            shrink_iters: 8,
            ..Budget::default()
        },
    );
    // Only a violation counts: a check that could not tell, or whose setup failed, caught
    // nothing, and against the intact server an inconclusive check is not a false failure.
    let outcome = match check.run(&ctx) {
        Err(f) if f.kind == Kind::Inconclusive && violations.is_empty() => Ok(()),
        Err(f) if f.kind == Kind::Violation || violations.is_empty() => Err(f.to_string()),
        _ => Ok(()),
    };
    ctx.cleanup();
    drop(server);
    Ok(outcome)
}

/// The check passes against the reference server and fails once exactly its clause is broken,
/// so its failure is caused by that clause and nothing else.
fn fails_against_its_violation(check: Check) -> Result<(), Failed> {
    if let Err(failure) = run_against(&check, &[])? {
        return Err(format!(
            "{} fails against the intact reference server:\n{failure}",
            check.id
        )
        .into());
    }
    match run_against(&check, &[check.id])? {
        Err(_) => Ok(()),
        Ok(()) => Err(format!(
            "{} passed against a server started with --violate {}: the check cannot fail",
            check.id, check.id
        )
        .into()),
    }
}

/// A bug the suite must catch: every check in `caught_by` fails against a server that has it and
/// passes against the intact one (which the clause proofs show).
fn caught(bug: &'static bugs::Bug) -> Result<(), Failed> {
    let mut missed = Vec::new();
    for id in bug.caught_by {
        let check = conformance::all()
            .into_iter()
            .find(|c| c.id == *id)
            .ok_or_else(|| format!("{}: no check {id}", bug.name))?;
        if run_against(&check, &[bug.name])?.is_ok() {
            missed.push(*id);
        }
    }
    if missed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} ({}) went unnoticed by {missed:?} against a server started with --violate {}",
            bug.name, bug.what, bug.name
        )
        .into())
    }
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    // That every clause has exactly one check is a unit test of the library (`contract.rs`).
    let mut trials = Vec::new();
    for check in conformance::all() {
        // A SHOULD clause's check warns rather than fails a run; its proof is the same.
        let shows = match conformance::contract::level(check.id) {
            conformance::contract::Level::Must => "fails",
            conformance::contract::Level::Should => "warns",
        };
        trials.push(
            Trial::test(
                format!("{} {shows} against a server that breaks it", check.id),
                move || fails_against_its_violation(check),
            )
            .with_kind("proof")
            // Breaking a clause needs the reference server built with its violations.
            .with_ignored_flag(!cfg!(feature = "proofs")),
        );
    }
    for bug in bugs::all() {
        trials.push(
            Trial::test(format!("bug {} is caught", bug.name), move || caught(bug))
                .with_kind("bug")
                .with_ignored_flag(!cfg!(feature = "proofs")),
        );
    }
    libtest_mimic::run(&args, trials).exit_code()
}
