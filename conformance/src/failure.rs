//! What a failed check reports: a title, `expected:` / `actual:`, the request as curl, the
//! response, the minimal input that shows it, and a hint at the fix.

use std::fmt;

use crate::http::Exchange;

/// Boxed, so that the `Result`s every check passes around stay one pointer wide.
#[derive(Clone, Debug)]
pub struct Failure(Box<Report>);

/// What a check that did not pass found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The target breaks the clause.
    Violation,
    /// A step the check needs before it can test its clause failed (a test user could not sign
    /// up, say): the clause was not tested.
    Blocked,
    /// The check ran but could not tell whether the clause holds (a machine too slow to drain a
    /// bucket faster than it refills, say); never a failure.
    Inconclusive,
}

#[derive(Clone, Debug)]
pub struct Report {
    pub kind: Kind,
    /// For a blocked check, the step that failed (`signing up a test user`).
    pub step: Option<String>,
    /// A response broke the OpenAPI document: a breach of the contract whichever step met it,
    /// so it never turns into a blocked setup.
    pub undocumented: bool,
    pub title: String,
    pub expected: String,
    pub actual: String,
    pub curl: Option<String>,
    pub response: Option<String>,
    pub input: Option<String>,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(
        title: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Failure {
        Failure(Box::new(Report {
            kind: Kind::Violation,
            step: None,
            undocumented: false,
            title: title.into(),
            expected: expected.into(),
            actual: actual.into(),
            curl: None,
            response: None,
            input: None,
            hint: None,
        }))
    }

    /// This failure is a response that the OpenAPI document does not allow.
    pub fn undocumented(mut self) -> Failure {
        self.undocumented = true;
        self
    }

    /// The check could not tell: `why` says what it saw and what would let it tell.
    pub fn inconclusive(title: impl Into<String>, why: impl Into<String>) -> Failure {
        let mut failure = Failure::new(title, "", why);
        failure.kind = Kind::Inconclusive;
        failure
    }

    /// This failure, met in `step` of a check's own setup, blocks the check rather than failing
    /// its clause. A failure that already blocks keeps its first step.
    pub fn blocked(mut self, step: impl Into<String>) -> Failure {
        if self.kind == Kind::Violation && !self.undocumented {
            self.kind = Kind::Blocked;
            self.step = Some(step.into());
        }
        self
    }

    /// This failure, whatever step it came from, is a breach of the clause under test: for a
    /// check whose assertion is that a setup step succeeds.
    pub fn violation(mut self) -> Failure {
        self.kind = Kind::Violation;
        self.step = None;
        self
    }

    /// The same failure under a title that says more.
    pub fn retitled(mut self, title: impl Into<String>) -> Failure {
        self.title = title.into();
        self
    }

    /// The failure shows this exchange: its request as curl, the JSON body that was sent (the
    /// generated input, when a property failed), and the response.
    pub fn with_exchange(mut self, exchange: &Exchange) -> Failure {
        self.curl = Some(exchange.curl());
        self.response = Some(exchange.response_text());
        if self.input.is_none()
            && let Some(body) = &exchange.request.body
            && let Ok(json) = serde_json::from_slice::<serde_json::Value>(body)
        {
            let shown = json.to_string();
            if shown.len() <= 2048 {
                self.input = Some(shown);
            }
        }
        self
    }

    pub fn with_input(mut self, input: impl Into<String>) -> Failure {
        self.input = Some(input.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint.get_or_insert_with(|| hint.into());
        self
    }
}

impl std::ops::Deref for Failure {
    type Target = Report;

    fn deref(&self) -> &Report {
        &self.0
    }
}

impl std::ops::DerefMut for Failure {
    fn deref_mut(&mut self) -> &mut Report {
        &mut self.0
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        writeln!(f, "  expected: {}", self.expected)?;
        writeln!(f, "  actual:   {}", self.actual)?;
        if let Some(input) = &self.input {
            writeln!(f, "  input:    {input}")?;
        }
        if let Some(curl) = &self.curl {
            writeln!(f, "  request:\n    {curl}")?;
        }
        if let Some(response) = &self.response {
            writeln!(f, "  response:")?;
            for line in response.lines() {
                writeln!(f, "    {line}")?;
            }
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "  hint:     {hint}")?;
        }
        Ok(())
    }
}

/// `Err` of a failure built lazily when `ok` is false; the checks' one assertion form.
pub fn ensure(ok: bool, failure: impl FnOnce() -> Failure) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(failure()) }
}
