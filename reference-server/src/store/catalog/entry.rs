//! What the catalog keeps of one user: the fields that filters and sorts read, compactly.

use std::cmp::Ordering;

use memchr::memmem::Finder;

use crate::domain::{Filter, Role, SortKey, SortValue, User};

/// A filter ready to test entries with: the search's substring finder is built once per page,
/// not once per entry, which is most of what a scan of 100,000 entries costs.
pub struct Matcher<'a> {
    filter: &'a Filter,
    search: Option<Finder<'a>>,
}

impl<'a> Matcher<'a> {
    pub fn new(filter: &'a Filter) -> Matcher<'a> {
        Matcher {
            filter,
            search: filter.search.as_deref().map(Finder::new),
        }
    }
}

/// What the catalog keeps of one user.
#[derive(Debug)]
pub struct Entry {
    /// The lowercased username, email and full name in one allocation, the first two ending at
    /// `username_end` and `email_end`.
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

    pub fn matches(&self, filter: &Matcher<'_>) -> bool {
        let Matcher { filter, search } = filter;
        filter.role.is_none_or(|r| r == self.role)
            && filter.is_active.is_none_or(|a| a == self.is_active)
            && search.as_ref().is_none_or(|s| self.contains(s))
    }

    /// Whether one of the three fields contains the search. One pass over all three, with a
    /// match that straddles two fields skipped, costs half of three passes.
    fn contains(&self, search: &Finder<'_>) -> bool {
        let text = self.text.as_bytes();
        let ends = [usize::from(self.username_end), usize::from(self.email_end)];
        let mut from = 0;
        while let Some(at) = search.find(&text[from..]).map(|at| at + from) {
            let end = at + search.needle().len();
            if !ends.iter().any(|&boundary| at < boundary && boundary < end) {
                return true;
            }
            from = at + 1;
        }
        false
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
