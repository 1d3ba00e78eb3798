//! The response schemas of the contract's OpenAPI document (GEN-08), compiled once. The document
//! is the contract's own copy, not the target's, so a target cannot weaken what it is held to.

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{Value, json};

/// The OpenAPI 3.1 document of the contract.
pub const DOCUMENT: &str = include_str!("../../fixtures/openapi.json");

pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(DOCUMENT).expect("fixtures/openapi.json is JSON"))
}

/// The schemas a successful body must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    User,
    UserPage,
    Token,
    CursorPage,
    PartialUser,
    PartialUserPage,
    PartialCursorPage,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::User => "User",
            Shape::UserPage => "UserPage",
            Shape::Token => "Token",
            Shape::CursorPage => "CursorPage",
            Shape::PartialUser => "PartialUser",
            Shape::PartialUserPage => "PartialUserPage",
            Shape::PartialCursorPage => "PartialCursorPage",
        }
    }

    const ALL: [Shape; 7] = [
        Shape::User,
        Shape::UserPage,
        Shape::Token,
        Shape::CursorPage,
        Shape::PartialUser,
        Shape::PartialUserPage,
        Shape::PartialCursorPage,
    ];

    fn validator(self) -> &'static Validator {
        static VALIDATORS: OnceLock<[Validator; 7]> = OnceLock::new();
        let all = VALIDATORS.get_or_init(|| {
            Shape::ALL.map(|shape| {
                // OpenAPI 3.1 schemas are JSON Schema 2020-12; `$ref`s point into the document,
                // so the root carries its components.
                let root = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$ref": format!("#/components/schemas/{}", shape.name()),
                    "components": document()["components"],
                });
                jsonschema::draft202012::options()
                    .should_validate_formats(true)
                    .build(&root)
                    .expect("the contract's schemas compile")
            })
        });
        &all[self as usize]
    }

    /// Every way `instance` breaks this schema; empty when it matches.
    pub fn violations(self, instance: &Value) -> Vec<String> {
        self.validator()
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_with_an_extra_member_breaks_the_user_schema() {
        let user = json!({"id": 1, "username": "alice", "email": "alice@example.com",
            "full_name": null, "age": null, "role": "user", "is_active": true,
            "created_at": "2026-11-22T10:00:00.123456Z", "updated_at": "2026-11-22T10:00:00Z"});
        assert!(Shape::User.violations(&user).is_empty());
        let mut extra = user.clone();
        extra["links"] = json!(null);
        assert!(!Shape::User.violations(&extra).is_empty());
        let page =
            json!({"items": [user], "total": 1, "page": 1, "page_size": 20, "total_pages": 1});
        assert!(Shape::UserPage.violations(&page).is_empty());
    }

    #[test]
    fn a_partial_user_needs_its_id_and_nothing_else() {
        assert!(
            Shape::PartialUser
                .violations(&json!({"id": 1, "username": "alice"}))
                .is_empty()
        );
        assert!(
            !Shape::PartialUser
                .violations(&json!({"username": "alice"}))
                .is_empty()
        );
        assert!(
            !Shape::PartialUser
                .violations(&json!({"id": 1, "password_hash": "x"}))
                .is_empty()
        );
        let run = json!({"items": [{"id": 1}], "next_cursor": null, "has_next": false});
        assert!(Shape::PartialCursorPage.violations(&run).is_empty());
        assert!(!Shape::CursorPage.violations(&run).is_empty());
    }
}
