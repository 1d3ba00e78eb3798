//! What became of each check in a run, as every report tells it.

use std::time::Duration;

use crate::checks::{Check, Needs};
use crate::contract::{self, Level};
use crate::failure::{Failure, Kind};

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The target breaks a MUST clause (or a SHOULD clause under `--strict`).
    Fail,
    /// The target misses a SHOULD clause: reported, and the run does not fail for it.
    Warn,
    /// The check's own setup failed, so its clause was not tested.
    Blocked,
    /// The check ran and could not tell.
    Inconclusive,
    /// The check needs something the run was not given (`--jwt-secret`, `--cors-origin`).
    Ignored,
    /// The run was interrupted before the check ran.
    NotRun,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Warn => "warning",
            Verdict::Blocked => "blocked",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Ignored => "ignored",
            Verdict::NotRun => "not run",
        }
    }

    /// How a count of this verdict reads (`3 passed`).
    pub fn counted(self) -> &'static str {
        match self {
            Verdict::Pass => "passed",
            Verdict::Fail => "failed",
            Verdict::Warn => "warnings",
            Verdict::Blocked => "blocked",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Ignored => "ignored",
            Verdict::NotRun => "not run",
        }
    }

    pub const ALL: [Verdict; 7] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Warn,
        Verdict::Blocked,
        Verdict::Inconclusive,
        Verdict::Ignored,
        Verdict::NotRun,
    ];
}

/// One check's line in every report.
#[derive(Clone, Debug)]
pub struct Row {
    pub check: Check,
    pub verdict: Verdict,
    /// What the check found, for every verdict but pass, ignored and not run.
    pub failure: Option<Failure>,
    /// Why an ignored check did not run.
    pub reason: Option<String>,
    pub took: Duration,
    pub requests: u64,
    pub logins: u64,
    /// Test cases: the inputs its properties ran, or 1 for a check without a property.
    pub cases: u64,
}

impl Row {
    /// The row of a check that ran and ended with `result`.
    pub fn ran(
        check: Check,
        result: Result<(), Failure>,
        strict: bool,
        took: Duration,
        (requests, logins, cases): (u64, u64, u64),
    ) -> Row {
        let (verdict, failure) = match result {
            Ok(()) => (Verdict::Pass, None),
            Err(f) => {
                let verdict = match f.kind {
                    Kind::Blocked => Verdict::Blocked,
                    Kind::Inconclusive => Verdict::Inconclusive,
                    Kind::Violation if contract::level(check.id) == Level::Should && !strict => {
                        Verdict::Warn
                    }
                    Kind::Violation => Verdict::Fail,
                };
                (verdict, Some(f))
            }
        };
        Row {
            check,
            verdict,
            failure,
            reason: None,
            took,
            requests,
            logins,
            cases,
        }
    }

    /// The row of a check that did not run: ignored for what it needs, or cut by an interrupt.
    pub fn unrun(check: Check, verdict: Verdict) -> Row {
        let reason = (verdict == Verdict::Ignored).then(|| ignored_because(check.needs));
        Row {
            check,
            verdict,
            failure: None,
            reason,
            took: Duration::ZERO,
            requests: 0,
            logins: 0,
            cases: 0,
        }
    }
}

fn ignored_because(needs: Needs) -> String {
    match needs {
        Needs::Nothing => "needs nothing; not run".into(),
        Needs::Secret => {
            "needs the target's token signing secret to mint an expired token: pass --jwt-secret"
                .into()
        }
        Needs::Origin => {
            "needs an origin the target's CORS policy allows: pass --cors-origin".into()
        }
    }
}

/// How many rows have each verdict, in `Verdict::ALL`'s order.
pub fn tally(rows: &[Row]) -> [(Verdict, usize); 7] {
    Verdict::ALL.map(|v| (v, rows.iter().filter(|r| r.verdict == v).count()))
}
