//! The reports of one run: the text printed at the end, and with `--report-dir` a JUnit XML file,
//! a Markdown summary and a JSON document. Everything they hold has gone through the run's
//! redactor.

mod json;
mod junit;
mod markdown;
mod text;

use std::path::Path;
use std::time::Duration;

use crate::context::Cleanup;
use crate::failure::Failure;
use crate::outcome::Row;
use crate::redact::Redactor;

pub use text::{footer, summary};

/// What a run did, as every report tells it.
pub struct Run<'a> {
    pub target: &'a str,
    pub rows: &'a [Row],
    pub elapsed: Duration,
    pub cleanup: &'a Cleanup,
    pub seed: u64,
    pub prefix: &'a str,
    pub requests: u64,
    pub logins: u64,
    pub throttled: (u64, Duration),
    pub interrupted: bool,
    pub strict: bool,
    pub exit_code: u8,
}

/// A failure as reports show it, every part redacted.
pub struct Shown {
    pub title: String,
    pub step: Option<String>,
    pub expected: String,
    pub actual: String,
    pub input: Option<String>,
    pub request: Option<String>,
    pub response: Option<String>,
    pub hint: Option<String>,
}

impl Shown {
    pub fn new(failure: &Failure, redactor: &Redactor) -> Shown {
        let r = |s: &str| redactor.text(s);
        Shown {
            title: r(&failure.title),
            step: failure.step.as_deref().map(r),
            expected: r(&failure.expected),
            actual: r(&failure.actual),
            input: failure.input.as_deref().map(r),
            request: failure.curl.as_deref().map(r),
            response: failure.response.as_deref().map(r),
            hint: failure.hint.as_deref().map(r),
        }
    }

    /// The failure block: title, expected / actual, what was sent, the request as curl, the
    /// response and the hint.
    pub fn block(&self) -> String {
        let mut text = format!("{}\n", self.title);
        if let Some(step) = &self.step {
            text.push_str(&format!("  blocked at: {step}\n"));
        }
        if !self.expected.is_empty() {
            text.push_str(&format!("  expected: {}\n", self.expected));
        }
        text.push_str(&format!("  actual:   {}\n", self.actual));
        if let Some(input) = &self.input {
            text.push_str(&format!("  sent:     {input}\n"));
        }
        if let Some(request) = &self.request {
            text.push_str(&format!("  request:\n    {request}\n"));
        }
        if let Some(response) = &self.response {
            text.push_str("  response:\n");
            for line in response.lines() {
                text.push_str(&format!("    {line}\n"));
            }
        }
        if let Some(hint) = &self.hint {
            text.push_str(&format!("  hint:     {hint}\n"));
        }
        text
    }
}

/// Writes `junit.xml`, `summary.md` and `report.json` into `dir`.
pub fn write(dir: &Path, run: &Run, redactor: &Redactor) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("junit.xml"), junit::render(run, redactor)?)?;
    std::fs::write(dir.join("summary.md"), markdown::render(run, redactor))?;
    std::fs::write(dir.join("report.json"), json::render(run, redactor))?;
    Ok(())
}
