//! USR-19: the users of CONTRACT §3 as a state machine. Random sequences of sign-ups, logins,
//! reads, pages, updates (JSON and merge patches, conditional or not), role changes and deletes
//! run against the target, each answer held against the model in `crate::model`; a failing
//! sequence is shrunk to the shortest that still fails and shown as numbered curl commands.

use std::sync::Mutex;
use std::sync::atomic::Ordering;

use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use proptest_state_machine::ReferenceStateMachine;

use super::{Check, Needs, Outcome};
use crate::context::Ctx;
use crate::failure::Failure;
use crate::model::{Machine, Run};

pub const CHECKS: &[Check] = &[Check {
    id: "USR-19",
    section: "users",
    title: "every sequence of requests agrees with the model of the contract",
    hint: "\"every answer to any sequence of the requests ... is the one the contract gives for \
           the state the earlier answers left\" (USR-19): write a user's record, its unique \
           indexes and its entry in the list's index together, and release a name as soon as a \
           rename or a delete gives it up",
    needs: Needs::Nothing,
    run: usr_19,
}];

/// Steps in a sequence: long enough to free a name and take it again, short enough that a
/// handful of sequences take a few seconds.
const STEPS: std::ops::Range<usize> = 25..45;

fn usr_19(ctx: &Ctx) -> Outcome {
    let mut runner = TestRunner::new(Config {
        // One sequence for every two cases of the other properties: each sends some forty
        // requests.
        cases: ctx.budget.cases.div_ceil(2).max(2),
        failure_persistence: None,
        max_shrink_iters: ctx.budget.shrink_iters.saturating_mul(4),
        max_shrink_time: 30_000,
        ..Config::default()
    });
    let last: Mutex<Option<Failure>> = Mutex::new(None);
    let outcome = runner.run(&Machine::sequential_strategy(STEPS), |(_, steps, seen)| {
        // A sequence is one test case, however many steps it has.
        crate::property::count_case();
        let mut run = Run::new(ctx);
        let mut steps = steps.iter();
        loop {
            let step = steps.next();
            if let (Some(seen), Some(_)) = (&seen, step) {
                seen.fetch_add(1, Ordering::SeqCst);
            }
            // After the last step, the invariants: the whole state read back.
            let outcome = match step {
                Some(step) => run.step(step),
                None => run.finish(),
            };
            if let Err(failure) = outcome {
                let reason = failure.title.clone();
                let shown = failure.with_input(format!(
                    "the shortest failing sequence found:{}",
                    run.transcript()
                ));
                *last.lock().unwrap_or_else(|e| e.into_inner()) = Some(redacted(&run, shown));
                return Err(TestCaseError::fail(reason));
            }
            if step.is_none() {
                return Ok(());
            }
        }
    });
    match outcome {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, _)) => Err(last
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(|| Failure::new(reason.message(), "", ""))),
        Err(TestError::Abort(reason)) => Err(Failure::new(
            "the sequences could not run",
            "sequences to run",
            reason.message().to_owned(),
        )),
    }
}

/// The failure with the password and tokens named, never shown.
fn redacted(run: &Run, mut failure: Failure) -> Failure {
    // The failing request is the last one sent.
    failure.curl = run.last_curl().or(failure.curl.take());
    failure.response = failure.response.as_deref().map(|r| run.redact(r));
    failure.actual = run.redact(&failure.actual);
    failure
}
