//! What the catalog keeps of one user: the fields that filters and sorts read, compactly.

use std::cmp::Ordering;

use crate::domain::{Filter, Role, SortKey, SortValue, User};

/// What the catalog keeps of one user.
#[derive(Debug)]
pub struct Entry {
    /// The lowercased username, email and full name in one allocation, split at the two ends.
    text: Box<str>,
    username_end: u16,
    email_end: u16,
    role: Role,
    is_active: bool,
    /// Nanoseconds since the epoch.
    created_at: i64,
}

impl Entry {
    pub fn of(user: &User) -> Entry {
        let username = user.username.as_str().to_lowercase();
        let email = user.email.as_str().to_lowercase();
        let full_name = user
            .full_name
            .as_ref()
            .map_or(String::new(), |n| n.as_str().to_lowercase());
        // The field rules bound all three (at most 50, 254 and 100 characters).
        let username_end = u16::try_from(username.len()).unwrap_or(u16::MAX);
        let email_end = u16::try_from(username.len() + email.len()).unwrap_or(u16::MAX);
        Entry {
            text: [username, email, full_name].concat().into_boxed_str(),
            username_end,
            email_end,
            role: user.role,
            is_active: user.is_active,
            created_at: i64::try_from(user.created_at.unix_timestamp_nanos()).unwrap_or(i64::MAX),
        }
    }

    pub fn username(&self) -> &str {
        &self.text[..usize::from(self.username_end)]
    }

    pub fn email(&self) -> &str {
        &self.text[usize::from(self.username_end)..usize::from(self.email_end)]
    }

    pub fn full_name(&self) -> &str {
        &self.text[usize::from(self.email_end)..]
    }

    pub fn matches(&self, filter: &Filter) -> bool {
        filter.role.is_none_or(|r| r == self.role)
            && filter.is_active.is_none_or(|a| a == self.is_active)
            && filter.search.as_deref().is_none_or(|s| {
                self.username().contains(s)
                    || self.email().contains(s)
                    || self.full_name().contains(s)
            })
    }

    pub fn value(&self, key: SortKey) -> SortValue {
        match key {
            SortKey::Id => SortValue::Id,
            SortKey::Username => SortValue::Text(self.username().to_owned()),
            SortKey::Email => SortValue::Text(self.email().to_owned()),
            SortKey::CreatedAt => SortValue::Time(self.created_at),
        }
    }

    /// How this entry's sort key compares with a value of it; ids break ties elsewhere.
    pub fn cmp_value(&self, key: SortKey, value: &SortValue) -> Ordering {
        match (key, value) {
            (SortKey::Username, SortValue::Text(t)) => self.username().cmp(t),
            (SortKey::Email, SortValue::Text(t)) => self.email().cmp(t),
            (SortKey::CreatedAt, SortValue::Time(t)) => self.created_at.cmp(t),
            _ => Ordering::Equal,
        }
    }

    pub fn cmp_entry(&self, key: SortKey, other: &Entry) -> Ordering {
        match key {
            SortKey::Id => Ordering::Equal,
            SortKey::Username => self.username().cmp(other.username()),
            SortKey::Email => self.email().cmp(other.email()),
            SortKey::CreatedAt => self.created_at.cmp(&other.created_at),
        }
    }

    pub fn same_order(&self, other: &Entry) -> bool {
        self.username() == other.username()
            && self.email() == other.email()
            && self.created_at == other.created_at
    }
}
