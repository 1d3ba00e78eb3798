use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Age, Changes, Email, FullName, Role, Username, links};
use crate::violations::Violations;

/// A stored user, including what is never shown (the password hash).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub username: Username,
    pub email: Email,
    pub full_name: Option<FullName>,
    pub age: Option<Age>,
    pub role: Role,
    pub is_active: bool,
    pub password_hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl User {
    /// Applies an update; returns the new record and whether any field changed.
    pub fn with(
        &self,
        changes: &Changes,
        now: OffsetDateTime,
        keep_updated_at: bool,
    ) -> (User, bool) {
        let mut next = self.clone();
        if let Some(u) = &changes.username {
            next.username = u.clone();
        }
        if let Some(e) = &changes.email {
            next.email = e.clone();
        }
        if let Some(n) = &changes.full_name {
            next.full_name = n.clone();
        }
        if let Some(a) = changes.age {
            next.age = a;
        }
        if let Some(r) = changes.role {
            next.role = r;
        }
        if let Some(a) = changes.is_active {
            next.is_active = a;
        }
        let changed = next.username != self.username
            || next.email != self.email
            || next.full_name != self.full_name
            || next.age != self.age
            || next.role != self.role
            || next.is_active != self.is_active;
        if changed && !keep_updated_at {
            next.updated_at = now.max(self.updated_at);
        }
        (next, changed)
    }

    pub fn view(&self, v: &Violations) -> UserView<'_> {
        UserView {
            password_hash: v.breaks("USR-03").then_some(self.password_hash.as_str()),
            links: (!v.breaks("GEN-08")).then(|| {
                let id = if v.breaks("LNK-02") {
                    self.id + 1
                } else {
                    self.id
                };
                UserLinks {
                    this: links::user(v, id),
                    orders: links::href(v, super::order::orders_path(id)),
                    avatar: links::href(v, format!("{}/{id}/avatar", links::USERS)),
                }
            }),
            id: self.id,
            username: &self.username,
            email: &self.email,
            full_name: self.full_name.as_ref(),
            age: self.age,
            role: self.role,
            is_active: self.is_active,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// The public representation (CONTRACT §1): everything but the password hash (USR-03).
#[derive(Serialize)]
pub struct UserView<'a> {
    pub id: u64,
    pub username: &'a Username,
    pub email: &'a Email,
    pub full_name: Option<&'a FullName>,
    pub age: Option<Age>,
    pub role: Role,
    pub is_active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Only ever set by the USR-03 violation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<&'a str>,
    /// Always set, but for the GEN-08 violation: a `null` the schema does not allow.
    pub links: Option<UserLinks>,
}

/// Where a client goes from a user (LNK-02).
#[derive(Serialize)]
pub struct UserLinks {
    #[serde(rename = "self")]
    pub this: String,
    pub orders: String,
    pub avatar: String,
}
