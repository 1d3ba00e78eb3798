//! How a list of users is ordered and narrowed (CONTRACT §7), and positions in that order.

use serde::{Deserialize, Serialize};

use super::Role;

/// What a list may be sorted by: an allow-list, so no other stored field is ever sortable (COL-06).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Id,
    Username,
    Email,
    CreatedAt,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [
        SortKey::Id,
        SortKey::Username,
        SortKey::Email,
        SortKey::CreatedAt,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Id => "id",
            SortKey::Username => "username",
            SortKey::Email => "email",
            SortKey::CreatedAt => "created_at",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

/// A sort key and its direction; ties are broken by id in the same direction (COL-06).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub direction: Direction,
}

/// The filters of COL-05, all of which must hold. `search` is lowercased, as the catalog keeps
/// what it searches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub search: Option<String>,
}

/// The value of a sort key, compared as the catalog orders: usernames lowercased, `created_at`
/// in nanoseconds since the epoch. Sorting by id needs no value beyond the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortValue {
    Id,
    Text(String),
    Time(i64),
}

/// A place in a sorted list: a cursor resumes after it (COL-03). Keyset, not an offset, so that
/// inserts and deletes before it do not shift what comes next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    pub key: SortValue,
    pub id: u64,
}
