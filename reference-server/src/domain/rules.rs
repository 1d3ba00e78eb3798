//! Each member of a request body parsed by the field rules of CONTRACT §1, on the operation that
//! carries it. This is the one seam where the realistic mistakes of conformance/tests/bugs/fields.rs
//! are made on purpose (`--violate NAME`), each the way an implementer would have written it.

use serde_json::Value;

use super::{Age, Email, FullName, Password, Username};
use crate::violations::Violations;

/// The operation a body belongs to: the field rules are the same on each (CONTRACT §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    SignUp,
    Put,
    Patch,
    MergePatch,
}

/// The rules of one request: its operation and the server's deliberate breaches.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub op: Op,
    pub v: &'a Violations,
}

impl Rules<'_> {
    fn bug(&self, name: &str) -> bool {
        self.v.breaks(name)
    }

    pub fn username(&self, raw: &str) -> Result<Username, String> {
        // `(3..50).contains(&len)`: the upper bound exclusive.
        if self.bug("username-50-refused") && raw.chars().count() == 50 {
            return Err("must be 3 to 50 characters long".into());
        }
        // A merge patch deserialized into a loose map, checked for types only.
        let loose = self.op == Op::MergePatch && self.bug("merge-patch-skips-rules");
        Username::parse(raw, self.v.breaks("USR-06") || loose)
    }

    pub fn email(&self, raw: &str) -> Result<Email, String> {
        if self.bug("email-local-part-64-refused")
            && raw.split_once('@').is_some_and(|(l, _)| l.len() == 64)
        {
            return Err("must be a valid email address".into());
        }
        if self.op == Op::MergePatch && self.bug("merge-patch-skips-rules") {
            return serde_json::from_value(Value::from(raw.to_ascii_lowercase()))
                .map_err(|e| e.to_string());
        }
        // Lowercased in the sign-up handler only.
        let keep_case = self.op == Op::Put && self.bug("email-case-kept-on-put");
        Email::parse(raw, self.v.breaks("USR-07") || keep_case)
    }

    pub fn password(&self, raw: &str) -> Result<Password, String> {
        if self.bug("password-128-refused") && raw.chars().count() == 128 {
            return Err("must be 8 to 128 characters long".into());
        }
        // `raw.len()`: bytes, not characters.
        if self.bug("password-length-in-bytes") && raw.len() > 128 {
            return Err("must be 8 to 128 characters long".into());
        }
        Password::parse(raw, !self.v.breaks("USR-08"))
    }

    pub fn full_name(&self, value: &Value) -> Result<FullName, String> {
        let raw = value.as_str().ok_or("must be a string or null")?;
        if self.bug("full-name-length-in-bytes") && raw.len() > 100 {
            return Err("must be at most 100 characters long".into());
        }
        // JavaScript's `name.length`: UTF-16 code units, two for an astral character.
        if self.bug("full-name-length-in-utf16") && raw.encode_utf16().count() > 100 {
            return Err("must be at most 100 characters long".into());
        }
        // Written to a VARCHAR(100) that truncates instead of refusing.
        if self.op == Op::Put && self.bug("put-truncates-full-name") {
            return FullName::parse(&raw.chars().take(100).collect::<String>());
        }
        FullName::parse(raw)
    }

    pub fn age(&self, value: &Value) -> Result<Age, String> {
        const REFUSED: &str = "must be an integer from 0 to 150";
        if self.bug("age-150-refused") && value.as_u64() == Some(150) {
            return Err(REFUSED.into());
        }
        // Only numbers written as integers are read.
        if self.bug("age-integral-float-refused") && !value.is_u64() {
            return Err(REFUSED.into());
        }
        // `n as u8` before the range check: 256 is read as 0.
        if self.bug("age-truncated-to-u8")
            && let Some(n) = value.as_u64()
        {
            return Age::parse(&Value::from(n as u8), 150);
        }
        // The range checked on sign-up and PATCH, the type only on PUT (a u8 column).
        let max =
            if self.v.breaks("USR-09") || (self.op == Op::Put && self.bug("put-skips-age-range")) {
                255
            } else {
                150
            };
        Age::parse(value, max)
    }
}
