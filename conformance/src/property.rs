//! Running a property over generated inputs with proptest: the edge cases first (so a check that
//! can fail on an input class always meets it), then random cases, shrinking any failure to a
//! minimal input that is reported with its request as curl.

use std::fmt::Debug;
use std::sync::Mutex;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

use crate::failure::Failure;

/// How many random cases each property runs, and how hard a failure is shrunk.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub cases: u32,
    pub shrink_iters: u32,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            cases: 16,
            shrink_iters: 48,
        }
    }
}

/// Checks `property` on every edge case, then on `budget.cases` values of `strategy`.
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
    for edge in edges {
        property(&edge).map_err(|f| f.with_input(format!("{edge:?}")))?;
    }
    let mut runner = TestRunner::new(Config {
        cases: budget.cases.max(1),
        failure_persistence: None,
        max_shrink_iters: budget.shrink_iters,
        max_shrink_time: 60_000,
        ..Config::default()
    });
    // The failure of the last failing run is the one of the minimal input proptest reports.
    let last: Mutex<Option<Failure>> = Mutex::new(None);
    let outcome = runner.run(&strategy, |value| {
        property(&value).map_err(|failure| {
            let reason = failure.title.clone();
            *last.lock().unwrap_or_else(|e| e.into_inner()) = Some(failure);
            TestCaseError::fail(reason)
        })
    });
    match outcome {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, minimal)) => {
            let failure = last.into_inner().unwrap_or_else(|e| e.into_inner());
            let failure = failure.unwrap_or_else(|| Failure::new(reason.message(), "", ""));
            Err(failure.with_input(format!("{minimal:?}")))
        }
        Err(TestError::Abort(reason)) => Err(Failure::new(
            "the property could not run",
            "inputs to test",
            reason.message().to_owned(),
        )),
    }
}
