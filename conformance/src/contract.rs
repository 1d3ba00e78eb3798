//! What the suite reads from CONTRACT.md itself: the clause IDs and the keyword of each, so that a
//! SHOULD clause is reported as a warning and the list of checks cannot drift from the contract.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The contract the suite checks.
pub const TEXT: &str = include_str!("../../CONTRACT.md");

/// How strongly the contract asks for a clause (RFC 2119).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Must,
    Should,
}

/// Every clause of the contract: each `**ID** MUST` or `**ID** SHOULD`.
pub fn clauses() -> &'static BTreeMap<String, Level> {
    static CLAUSES: OnceLock<BTreeMap<String, Level>> = OnceLock::new();
    CLAUSES.get_or_init(|| {
        TEXT.split("**")
            .collect::<Vec<_>>()
            .windows(2)
            .filter_map(|w| {
                let keyword = w[1].trim_start();
                let level = if keyword.starts_with("MUST") {
                    Level::Must
                } else if keyword.starts_with("SHOULD") {
                    Level::Should
                } else {
                    return None;
                };
                let is_id = w[0].split_once('-').is_some_and(|(s, n)| {
                    !s.is_empty()
                        && s.chars().all(|c| c.is_ascii_uppercase())
                        && !n.is_empty()
                        && n.chars().all(|c| c.is_ascii_digit())
                });
                is_id.then(|| (w[0].to_owned(), level))
            })
            .collect()
    })
}

/// The keyword of clause `id`; MUST for an ID the contract does not have.
pub fn level(id: &str) -> Level {
    clauses().get(id).copied().unwrap_or(Level::Must)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_clause_has_exactly_one_check() {
        let ids: Vec<&str> = crate::all().iter().map(|c| c.id).collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "a clause has two checks: {ids:?}");
        let clauses: BTreeSet<&str> = clauses().keys().map(String::as_str).collect();
        assert!(clauses.len() >= 40, "{} clauses read", clauses.len());
        assert_eq!(clauses, unique, "clauses and checks differ");
    }

    #[test]
    fn should_clauses_are_read_as_should() {
        assert_eq!(level("HTTP-12"), Level::Should);
        assert_eq!(level("GEN-01"), Level::Must);
    }
}
