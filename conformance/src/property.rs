//! Running a property over generated inputs with proptest: the edge cases first (so a check that
//! can fail on an input class always meets it), then random cases, shrinking any failure to a
//! minimal input that is reported with its request as curl.

use std::cell::Cell;
use std::fmt::Debug;
use std::panic::Location;
use std::sync::Mutex;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use crate::failure::Failure;

/// How many random cases each property runs, how hard a failure is shrunk, and the seed the
/// cases are generated from.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub cases: u32,
    pub shrink_iters: u32,
    /// The run's seed (`--seed`): each property draws from it and where it is called, so the
    /// same seed generates the same cases.
    pub seed: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            cases: 16,
            shrink_iters: 48,
            seed: 0,
        }
    }
}

thread_local! {
    /// The inputs properties ran on this thread: edge cases, random cases and shrinking steps.
    /// A check runs on one thread, which resets it before the check and reads it after.
    static CASES: Cell<u64> = const { Cell::new(0) };
}

/// Starts counting the cases of the properties this thread runs from zero.
pub fn reset_cases() {
    CASES.with(|n| n.set(0));
}

/// The cases the properties of this thread ran since `reset_cases`.
pub fn cases() -> u64 {
    CASES.with(Cell::get)
}

/// Counts one case run on this thread, for a check that runs its inputs without `for_all`.
pub fn count_case() {
    CASES.with(|n| n.set(n.get() + 1));
}

/// The generator of the property called at `at`.
fn rng(seed: u64, at: &Location<'_>) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    // FNV-1a over the call site: stable across runs and builds of the same source.
    let mut site: u64 = 0xcbf2_9ce4_8422_2325;
    for b in at
        .file()
        .bytes()
        .chain(at.line().to_le_bytes())
        .chain(at.column().to_le_bytes())
    {
        site = (site ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    bytes[8..16].copy_from_slice(&site.to_le_bytes());
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// Checks `property` on every edge case, then on `budget.cases` values of `strategy`.
#[track_caller]
pub fn for_all<S>(
    budget: Budget,
    edges: impl IntoIterator<Item = S::Value>,
    strategy: S,
    property: impl Fn(&S::Value) -> Result<(), Failure>,
) -> Result<(), Failure>
where
    S: Strategy,
    S::Value: Debug,
{
    let at = Location::caller();
    for edge in edges {
        count_case();
        property(&edge)?;
    }
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: budget.cases.max(1),
            failure_persistence: None,
            max_shrink_iters: budget.shrink_iters,
            max_shrink_time: 60_000,
            ..Config::default()
        },
        rng(budget.seed, at),
    );
    // The failure of the last failing run is the one of the minimal input proptest reports.
    let last: Mutex<Option<Failure>> = Mutex::new(None);
    let outcome = runner.run(&strategy, |value| {
        count_case();
        property(&value).map_err(|failure| {
            let reason = failure.title.clone();
            *last.lock().unwrap_or_else(|e| e.into_inner()) = Some(failure);
            TestCaseError::fail(reason)
        })
    });
    match outcome {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, _)) => {
            let failure = last.into_inner().unwrap_or_else(|e| e.into_inner());
            let failure = failure.unwrap_or_else(|| Failure::new(reason.message(), "", ""));
            // The minimal input shows as what was sent: the failing request and its body.
            Err(failure)
        }
        Err(TestError::Abort(reason)) => Err(Failure::new(
            "the property could not run",
            "inputs to test",
            reason.message().to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_edge_and_random_case_a_property_runs_is_counted() {
        reset_cases();
        let budget = Budget {
            cases: 5,
            ..Budget::default()
        };
        for_all(budget, [100u8, 200], 0u8..10, |_| Ok(())).unwrap();
        assert_eq!(cases(), 2 + 5);
        reset_cases();
        assert_eq!(cases(), 0);
    }
}
