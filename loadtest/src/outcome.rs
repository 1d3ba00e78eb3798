//! What a run came to: the verdict and its exit code, the figures it rests on, and the users it
//! created and removed. The console summary and the reports are both written from it.

use goose::metrics::GooseMetrics;

use crate::thresholds::{self, Observed, Verdict};

/// `0` every threshold held, `1` one was breached, `2` the host, the arguments or the tool failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    Passed = 0,
    Breached = 1,
    Error = 2,
}

impl Code {
    pub fn word(self) -> &'static str {
        match self {
            Code::Passed => "passed",
            Code::Breached => "failed",
            Code::Error => "error",
        }
    }
}

#[derive(Debug, Default)]
pub struct Users {
    pub created: usize,
    pub removed: usize,
    /// This run's users the target still lists after the clean-up; `None` if it could not tell.
    pub left: Option<usize>,
}

/// One kind of failed request, as goose's error table counts it.
#[derive(Debug)]
pub struct ErrorKind {
    pub occurrences: usize,
    pub error: String,
}

#[derive(Debug)]
pub struct Outcome {
    pub code: Code,
    /// Why the run could not be judged, or was cut short.
    pub problems: Vec<String>,
    pub observed: Vec<Observed>,
    pub verdicts: Vec<Verdict>,
    pub seconds: usize,
    pub errors: Vec<ErrorKind>,
    pub users: Users,
}

impl Outcome {
    pub fn new() -> Outcome {
        Outcome {
            code: Code::Passed,
            problems: Vec::new(),
            observed: Vec::new(),
            verdicts: Vec::new(),
            seconds: 0,
            errors: Vec::new(),
            users: Users::default(),
        }
    }

    /// Records a problem that makes the run exit 2.
    pub fn problem(&mut self, what: impl Into<String>) {
        self.problems.push(what.into());
        self.code = Code::Error;
    }

    /// Judges the metrics goose returned.
    pub fn judge(&mut self, metrics: &GooseMetrics, limits: &thresholds::Limits) {
        self.observed = thresholds::observed(metrics);
        self.verdicts = thresholds::judge(limits, &self.observed);
        self.seconds = metrics.duration;
        let mut errors: Vec<ErrorKind> = metrics
            .errors
            .values()
            .map(|e| ErrorKind {
                occurrences: e.occurrences,
                error: format!("{} {}: {}", e.method, e.name, e.error),
            })
            .collect();
        errors.sort_by_key(|e| std::cmp::Reverse(e.occurrences));
        self.errors = errors;
        if self.requests() == 0 {
            self.problem("no request was made");
        } else if !thresholds::passed(&self.verdicts) {
            self.code = self.code.max(Code::Breached);
        }
    }

    pub fn requests(&self) -> usize {
        self.observed.iter().map(|o| o.requests).sum()
    }

    pub fn failures(&self) -> usize {
        self.observed.iter().map(|o| o.failures).sum()
    }

    pub fn error_rate(&self) -> f64 {
        match self.requests() {
            0 => 0.0,
            n => 100.0 * self.failures() as f64 / n as f64,
        }
    }
}
