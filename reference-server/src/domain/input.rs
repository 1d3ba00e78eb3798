//! Request bodies, checked member by member so a validation problem can name every failing field
//! (GEN-04) rather than stopping at the first.

use serde_json::{Map, Value};

use super::rules::{Op, Rules};
use super::{Age, Email, FieldError, FullName, Password, Role, Username};
use crate::violations::Violations;

/// `POST /users`.
#[derive(Debug)]
pub struct SignUp {
    pub username: Username,
    pub email: Email,
    pub password: Password,
    pub full_name: Option<FullName>,
    pub age: Option<Age>,
}

/// `POST /auth/login`. Not validated beyond being strings: a rule here would tell a client which
/// usernames cannot exist.
#[derive(Debug)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// The members an update sets; `None` leaves a field as it is (`PATCH`), `Some(None)` clears it.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    pub username: Option<Username>,
    pub email: Option<Email>,
    pub full_name: Option<Option<FullName>>,
    pub age: Option<Option<Age>>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

impl Changes {
    /// True when only `is_active` is given: the one change a moderator may make to others.
    pub fn only_activation(&self) -> bool {
        self.is_active.is_some()
            && self.username.is_none()
            && self.email.is_none()
            && self.full_name.is_none()
            && self.age.is_none()
            && self.role.is_none()
    }
}

struct Reader<'a> {
    obj: &'a Map<String, Value>,
    errors: Vec<FieldError>,
    v: &'a Violations,
    op: Op,
}

impl<'a> Reader<'a> {
    fn new(
        body: &'a Value,
        allowed: &[&str],
        rules: Rules<'a>,
        unknown_ok: bool,
    ) -> Result<Self, Vec<FieldError>> {
        let v = rules.v;
        let obj = body
            .as_object()
            .ok_or_else(|| vec![FieldError::new("body", "must be a JSON object")])?;
        let mut errors = Vec::new();
        if !unknown_ok {
            for key in obj.keys().filter(|k| !allowed.contains(&k.as_str())) {
                errors.push(FieldError::new(
                    key.as_str(),
                    "is not a member this request accepts",
                ));
            }
        }
        // Unknown members refused first, as `deny_unknown_fields` does, the rules never run.
        if !errors.is_empty() && v.breaks("unknown-members-answered-alone") {
            return Err(errors);
        }
        let mut reader = Reader {
            obj,
            errors: Vec::new(),
            v,
            op: rules.op,
        };
        for error in errors {
            reader.push(error);
        }
        Ok(reader)
    }

    fn fail(&mut self, field: &str, message: impl Into<String>) {
        if self.v.breaks("GEN-04") && !self.errors.is_empty() {
            return;
        }
        // The update handlers return at the first invalid member.
        let update = matches!(self.op, Op::Patch | Op::MergePatch);
        if update && self.v.breaks("patch-first-error-only") && !self.errors.is_empty() {
            return;
        }
        self.push(FieldError::new(field, message));
    }

    fn push(&mut self, mut error: FieldError) {
        if self.v.breaks("errors-echo-input") {
            error.input = self.obj.get(&error.field).cloned();
        }
        self.errors.push(error);
    }

    /// A required or optional string member, parsed; `None` when absent or invalid.
    fn string<T>(
        &mut self,
        field: &str,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match self.obj.get(field) {
            None if required => {
                self.fail(field, "is required");
                None
            }
            None => None,
            Some(Value::String(s)) => match parse(s) {
                Ok(t) => Some(t),
                Err(m) => {
                    self.fail(field, m);
                    None
                }
            },
            Some(_) => {
                self.fail(field, "must be a string");
                None
            }
        }
    }

    /// A nullable member: `None` absent, `Some(None)` null, `Some(Some(t))` a valid value.
    fn nullable<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match self.obj.get(field) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(value) => match parse(value) {
                Ok(t) => Some(Some(t)),
                Err(m) => {
                    self.fail(field, m);
                    None
                }
            },
        }
    }

    fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(value())
        } else {
            Err(self.errors)
        }
    }
}

impl SignUp {
    pub fn parse(body: &Value, v: &Violations) -> Result<SignUp, Vec<FieldError>> {
        const MEMBERS: [&str; 5] = ["username", "email", "password", "full_name", "age"];
        let rules = Rules { op: Op::SignUp, v };
        let mut r = Reader::new(body, &MEMBERS, rules, v.breaks("USR-10"))?;
        let username = r.string("username", true, |s| rules.username(s));
        let email = r.string("email", true, |s| rules.email(s));
        let password = r.string("password", true, |s| rules.password(s));
        let full_name = r.nullable("full_name", |x| rules.full_name(x));
        let age = r.nullable("age", |x| rules.age(x));
        r.finish(|| SignUp {
            username: username.expect("checked"),
            email: email.expect("checked"),
            password: password.expect("checked"),
            full_name: full_name.flatten(),
            age: age.flatten(),
        })
    }
}

impl Credentials {
    pub fn parse(body: &Value, v: &Violations) -> Result<Credentials, Vec<FieldError>> {
        let rules = Rules { op: Op::SignUp, v };
        let mut r = Reader::new(body, &["username", "password"], rules, true)?;
        let username = r.string("username", true, |s| Ok(s.to_owned()));
        let password = r.string("password", true, |s| Ok(s.to_owned()));
        r.finish(|| Credentials {
            username: username.expect("checked"),
            password: password.expect("checked"),
        })
    }
}

const UPDATE_MEMBERS: [&str; 6] = ["username", "email", "full_name", "age", "role", "is_active"];

impl Changes {
    /// `PATCH`, of `application/json` or a merge patch (`merge`): every member optional.
    pub fn parse_patch(
        body: &Value,
        v: &Violations,
        merge: bool,
    ) -> Result<Changes, Vec<FieldError>> {
        let op = if merge { Op::MergePatch } else { Op::Patch };
        Changes::parse(body, Rules { op, v })
    }

    /// `PUT`: a full replacement; `username` and `email` required, absent optional fields cleared.
    pub fn parse_replace(body: &Value, v: &Violations) -> Result<Changes, Vec<FieldError>> {
        let mut changes = Changes::parse(body, Rules { op: Op::Put, v })?;
        if !v.breaks("USR-12") {
            changes.full_name.get_or_insert(None);
            changes.age.get_or_insert(None);
        }
        Ok(changes)
    }

    fn parse(body: &Value, rules: Rules) -> Result<Changes, Vec<FieldError>> {
        let (v, replace) = (rules.v, rules.op == Op::Put);
        let mut r = Reader::new(body, &UPDATE_MEMBERS, rules, v.breaks("USR-14"))?;
        let username = r.string("username", replace, |s| rules.username(s));
        let email = r.string("email", replace, |s| rules.email(s));
        let full_name = r.nullable("full_name", |x| rules.full_name(x));
        let age = r.nullable("age", |x| rules.age(x));
        let role = r.string("role", false, |s| match Role::parse(s) {
            Err(_) if v.breaks("ROLE-01") => Ok(Role::User),
            other => other,
        });
        let is_active = match r.obj.get("is_active") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                r.fail("is_active", "must be a boolean");
                None
            }
        };
        r.finish(|| Changes {
            username,
            email,
            full_name,
            age,
            role,
            is_active,
        })
    }
}
