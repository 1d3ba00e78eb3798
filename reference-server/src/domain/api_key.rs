//! API keys (CONTRACT §13): a secret that acts for the admin who made it, within its scope. Only
//! the secret's digest is stored; the secret itself is shown once, in the answer that made it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::FieldError;

/// What a key may do as its creator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// `GET` and `HEAD` only.
    Read,
    /// Everything its creator may do.
    Write,
}

/// A stored key: everything but the secret, which is kept as its digest.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: u64,
    pub name: String,
    pub scope: Scope,
    /// The user who made it, whom it acts for.
    pub creator: u64,
    pub digest: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The representation of a key in a listing: no secret, no digest.
#[derive(Serialize)]
pub struct ApiKeyView<'a> {
    pub id: u64,
    pub name: &'a str,
    pub scope: Scope,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The answer that makes a key: its representation and, this once, its secret.
#[derive(Serialize)]
pub struct Issued<'a> {
    #[serde(flatten)]
    pub view: ApiKeyView<'a>,
    pub key: &'a str,
}

impl ApiKey {
    pub fn view(&self) -> ApiKeyView<'_> {
        ApiKeyView {
            id: self.id,
            name: &self.name,
            scope: self.scope,
            created_at: self.created_at,
        }
    }
}

/// A new secret: `tsk_` and 32 random bytes in base64url, 47 characters.
pub fn secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("tsk_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The digest a secret is stored and looked up by. A plain hash is enough: the secret is 256
/// random bits, so unlike a password there is nothing to guess from its digest.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A valid `POST /api-keys` body.
#[derive(Debug)]
pub struct NewKey {
    pub name: String,
    pub scope: Scope,
}

impl NewKey {
    pub fn parse(body: &Value) -> Result<NewKey, Vec<FieldError>> {
        let Some(members) = body.as_object() else {
            return Err(vec![FieldError::new("body", "must be a JSON object")]);
        };
        let mut errors: Vec<FieldError> = members
            .keys()
            .filter(|k| !["name", "scope"].contains(&k.as_str()))
            .map(|k| FieldError::new(k.as_str(), "is not a member this request accepts"))
            .collect();
        let name = members
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| (1..=100).contains(&n.chars().count()));
        if name.is_none() {
            errors.push(FieldError::new(
                "name",
                "must be a string of 1 to 100 characters",
            ));
        }
        let scope = match members.get("scope").and_then(Value::as_str) {
            Some("read") => Some(Scope::Read),
            Some("write") => Some(Scope::Write),
            _ => {
                errors.push(FieldError::new("scope", "must be read or write"));
                None
            }
        };
        match (name, scope) {
            (Some(name), Some(scope)) if errors.is_empty() => Ok(NewKey {
                name: name.to_owned(),
                scope,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_long_distinct_and_stored_only_as_digests() {
        let (a, b) = (secret(), secret());
        assert_eq!(a.len(), 47);
        assert_ne!(a, b);
        assert_eq!(digest(&a), digest(&a));
        assert!(!digest(&a).contains(&a[4..]));
    }

    #[test]
    fn a_key_body_names_each_failing_member() {
        let fields = |body: Value| -> Vec<String> {
            NewKey::parse(&body)
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert!(NewKey::parse(&json!({"name": "ci", "scope": "read"})).is_ok());
        assert_eq!(
            fields(json!({"name": "", "scope": "admin"})),
            ["name", "scope"]
        );
        assert_eq!(
            fields(json!({"name": "ci", "scope": "write", "id": 1})),
            ["id"]
        );
    }
}
