use std::fmt;

use serde::{Deserialize, Serialize};

/// One failing field of a validation problem (RFC 9457 extension member `errors`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// Only ever set by the `errors-echo-input` bug: the rejected value, as some frameworks
    /// report it (a password included, which USR-03 forbids).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<serde_json::Value>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
            input: None,
        }
    }
}

/// 3–50 characters of `[A-Za-z0-9_]`, kept as given; uniqueness ignores case (CONTRACT §1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str, any_chars: bool) -> Result<Username, String> {
        let len = raw.chars().count();
        if !(3..=50).contains(&len) {
            return Err("must be 3 to 50 characters long".into());
        }
        if !any_chars && !raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err("may contain only letters, digits and underscores".into());
        }
        Ok(Username(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key uniqueness is enforced on.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// An email address in the contract's grammar, stored lowercase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str, keep_case: bool) -> Result<Email, String> {
        const INVALID: &str = "must be a valid email address";
        if raw.len() > 254 {
            return Err("must be at most 254 characters long".into());
        }
        let (local, domain) = raw.split_once('@').ok_or(INVALID)?;
        let local_ok = (1..=64).contains(&local.len())
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                (1..=63).contains(&l.len())
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !local_ok || !domain_ok {
            return Err(INVALID.into());
        }
        Ok(Email(if keep_case {
            raw.to_owned()
        } else {
            raw.to_ascii_lowercase()
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// 8–128 characters with an uppercase letter, a lowercase letter and a digit. The upper bound
/// keeps hashing cost bounded.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str, need_digit: bool) -> Result<Password, String> {
        let len = raw.chars().count();
        if !(8..=128).contains(&len) {
            return Err("must be 8 to 128 characters long".into());
        }
        let has = |f: fn(&char) -> bool| raw.chars().any(|c| f(&c));
        if !has(char::is_ascii_uppercase)
            || !has(char::is_ascii_lowercase)
            || (need_digit && !has(char::is_ascii_digit))
        {
            return Err("must contain an uppercase letter, a lowercase letter and a digit".into());
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// At most 100 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FullName(String);

impl FullName {
    pub fn parse(raw: &str) -> Result<FullName, String> {
        if raw.chars().count() > 100 {
            return Err("must be at most 100 characters long".into());
        }
        Ok(FullName(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An integer from 0 to 150.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Age(u8);

impl Age {
    /// An integer is a JSON number whose value is whole, however it is written (CONTRACT §1, as
    /// JSON Schema's `integer`): `30`, `30.0`, `3e1` and `-0` are integers, `30.5` is not.
    pub fn parse(raw: &serde_json::Value, max: u64) -> Result<Age, String> {
        let whole = raw.as_u64().or_else(|| {
            raw.as_f64()
                .filter(|f| f.fract() == 0.0 && (0.0..=max as f64).contains(f))
                .map(|f| f as u64)
        });
        match whole {
            Some(n) if n <= max && n <= u64::from(u8::MAX) => Ok(Age(n as u8)),
            _ => Err("must be an integer from 0 to 150".into()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Moderator,
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Role, String> {
        match raw {
            "user" => Ok(Role::User),
            "moderator" => Ok(Role::Moderator),
            "admin" => Ok(Role::Admin),
            _ => Err("must be one of user, moderator, admin".into()),
        }
    }
}
