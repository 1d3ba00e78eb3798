//! The steps of a sequence, in the model's terms (users by slot, names by word).

use super::{Role, Word};
use crate::queries::Form;

/// Who sends a request: the target's admin, or a user of the sequence (by slot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Admin,
    User(usize),
}

/// The `If-Match` of a write (HTTP-03).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    None,
    /// The tag of the user's current representation.
    Current,
    /// A tag the user's representation no longer has (an earlier one, or one it never had).
    Stale,
    /// `*`.
    Any,
}

/// The members of a `PATCH`, each given or not; `Some(None)` is `null`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    pub username: Option<Word>,
    pub email: Option<Word>,
    pub full_name: Option<Option<u8>>,
    pub age: Option<Option<u8>>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

impl Fields {
    /// A `PATCH` whose only member is `is_active`, which a moderator may send (ROLE-06).
    pub fn only_activation(&self) -> bool {
        self.is_active.is_some()
            && self.username.is_none()
            && self.email.is_none()
            && self.full_name.is_none()
            && self.age.is_none()
            && self.role.is_none()
    }
}

/// How a list is sorted (COL-06).
#[derive(Clone, Copy, Debug)]
pub enum Sorting {
    /// No `sort` or `order`: `id` ascending.
    Default,
    /// `order=desc` alone: `id` descending.
    Desc,
    Key(&'static str, Form),
}

/// How a list is paged: an offset page, or a walk of up to `pages` cursor pages.
#[derive(Clone, Copy, Debug)]
pub enum Paging {
    Offset { page: u8, size: u8 },
    Cursor { limit: u8, pages: u8 },
}

/// A `GET /users`, always restricted by `search` to the sequence's own users.
#[derive(Clone, Copy, Debug)]
pub struct Query {
    pub paging: Paging,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    /// Which search: the sequence's tag alone, or the tag and a fragment of some users' names.
    pub search: u8,
    /// The search in capitals (it compares lowercased).
    pub shout: bool,
    pub sorting: Sorting,
}

/// One step of a sequence; users are named by slot, the n-th sign-up that succeeded.
#[derive(Clone, Debug)]
pub enum Step {
    SignUp {
        name: Word,
        mail: Word,
        full_name: Option<u8>,
        age: Option<u8>,
    },
    /// A login with the slot's current username (in capitals when `shout`).
    Login {
        who: usize,
        shout: bool,
    },
    /// `GET /users/{id}`, with `If-None-Match` of the last tag seen when `revalidate`.
    Get {
        actor: Actor,
        who: usize,
        revalidate: bool,
    },
    List {
        actor: Actor,
        query: Query,
    },
    Put {
        actor: Actor,
        who: usize,
        name: Word,
        mail: Word,
        full_name: Option<u8>,
        age: Option<u8>,
        cond: Cond,
    },
    /// A `PATCH`, as `application/merge-patch+json` when `merge`; `invalid` adds an `age` that
    /// breaks its rule.
    Patch {
        actor: Actor,
        who: usize,
        fields: Fields,
        merge: bool,
        invalid: bool,
        cond: Cond,
    },
    Delete {
        actor: Actor,
        who: usize,
        cond: Cond,
    },
}

impl Step {
    /// The members an update sets (a `PUT` sets all its mutable fields).
    pub fn fields(&self) -> Fields {
        match self {
            Step::Put {
                name,
                mail,
                full_name,
                age,
                ..
            } => Fields {
                username: Some(*name),
                email: Some(*mail),
                full_name: Some(*full_name),
                age: Some(*age),
                role: None,
                is_active: None,
            },
            Step::Patch { fields, .. } => *fields,
            _ => Fields::default(),
        }
    }
}
