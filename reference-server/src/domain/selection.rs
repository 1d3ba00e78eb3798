//! `fields` (COL-07): the members of the user representation an answer keeps.

use serde_json::Value;

use super::{FieldError, UserView};
use crate::violations::Violations;

/// The members of the user representation (CONTRACT §1), in its order.
const MEMBERS: [&str; 9] = [
    "id",
    "username",
    "email",
    "full_name",
    "age",
    "role",
    "is_active",
    "created_at",
    "updated_at",
];

/// A set of members, one bit each in `MEMBERS` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields(u16);

impl Fields {
    /// A comma-separated list of members; `id` is always kept.
    pub fn parse(raw: &str, v: &Violations) -> Result<Fields, String> {
        let mut bits = if v.breaks("COL-07") { 0 } else { 1 };
        for name in raw.split(',') {
            let Some(at) = MEMBERS.iter().position(|m| *m == name) else {
                return Err(format!(
                    "must be a comma-separated list of {}",
                    MEMBERS.join(", ")
                ));
            };
            bits |= 1 << at;
        }
        Ok(Fields(bits))
    }

    /// The `fields` parameter of a query, if it has one.
    pub fn from_query(
        query: &[(String, String)],
        v: &Violations,
    ) -> Result<Option<Fields>, FieldError> {
        match query.iter().find(|(k, _)| k == "fields") {
            None => Ok(None),
            Some((_, raw)) => Fields::parse(raw, v)
                .map(Some)
                .map_err(|e| FieldError::new("fields", e)),
        }
    }

    fn has(self, member: &str) -> bool {
        MEMBERS
            .iter()
            .position(|m| *m == member)
            .is_some_and(|at| self.0 & (1 << at) != 0)
    }

    /// The representation with only the selected members.
    pub fn select(self, view: &UserView<'_>) -> Result<Value, serde_json::Error> {
        let mut value = serde_json::to_value(view)?;
        if let Value::Object(members) = &mut value {
            members.retain(|name, _| self.has(name));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_members_parses_and_always_keeps_id() {
        let fields = Fields::parse("username,email,username", &Violations::default());
        let fields = fields.expect("valid");
        assert!(fields.has("id") && fields.has("username") && fields.has("email"));
        assert!(!fields.has("role"));
    }

    #[test]
    fn anything_but_a_member_is_refused() {
        for raw in ["", "password_hash", "id,", "Username", " id", "links"] {
            assert!(
                Fields::parse(raw, &Violations::default()).is_err(),
                "{raw:?}"
            );
        }
    }
}
