//! Which checks a run selects: filters and `--skip` match a clause ID (`USR-04`), a section
//! (`users`, `rate limits`) or an ID prefix (`USR`, `usr-1`), ignoring case.

use crate::checks::Check;

/// Whether `pattern` names `check`.
pub fn names(pattern: &str, check: &Check) -> bool {
    let pattern = pattern.trim().to_ascii_lowercase();
    if pattern.is_empty() {
        return false;
    }
    let id = check.id.to_ascii_lowercase();
    let section = check.section.to_ascii_lowercase();
    id.starts_with(&pattern) || section == pattern || section.replace(' ', "-") == pattern
}

/// The checks of `all` that a filter names (every one when there is no filter) and no skip does.
pub fn select(all: Vec<Check>, filters: &[String], skips: &[String]) -> Vec<Check> {
    all.into_iter()
        .filter(|c| filters.is_empty() || filters.iter().any(|f| names(f, c)))
        .filter(|c| !skips.iter().any(|s| names(s, c)))
        .collect()
}

/// Filters and skips that name no check at all: most likely typing mistakes.
pub fn unmatched<'a>(
    all: &[Check],
    patterns: impl IntoIterator<Item = &'a String>,
) -> Vec<&'a str> {
    patterns
        .into_iter()
        .filter(|p| !all.iter().any(|c| names(p, c)))
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(filters: &[&str], skips: &[&str]) -> Vec<&'static str> {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        select(crate::all(), &owned(filters), &owned(skips))
            .iter()
            .map(|c| c.id)
            .collect()
    }

    #[test]
    fn an_id_a_prefix_and_a_section_select_ignoring_case() {
        assert_eq!(ids(&["usr-04"], &[]), ["USR-04"]);
        assert!(ids(&["USR-1"], &[]).contains(&"USR-11"));
        assert!(!ids(&["USR-1"], &[]).contains(&"USR-02"));
        let rate = ids(&["Rate Limits"], &[]);
        assert!(rate.iter().all(|id| id.starts_with("RATE-")) && rate.len() >= 7);
        assert_eq!(ids(&["rate-limits"], &[]), rate);
    }

    #[test]
    fn skip_removes_what_it_names() {
        let selected = ids(&["AUTH"], &["auth-0"]);
        assert!(
            selected.iter().all(|id| id.starts_with("AUTH-1")),
            "{selected:?}"
        );
    }

    #[test]
    fn a_pattern_that_names_nothing_is_reported() {
        let patterns = vec!["USR-04".to_owned(), "NOPE".to_owned()];
        assert_eq!(unmatched(&crate::all(), &patterns), ["NOPE"]);
    }
}
