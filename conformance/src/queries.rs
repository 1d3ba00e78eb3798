//! Generators of `GET /users` query parameters, valid and invalid, mirroring the rules of
//! CONTRACT §7 (sort, order, filters, fields).

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// The members of the user representation (CONTRACT §1).
pub const MEMBERS: [&str; 9] = [
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

/// The keys a list may be sorted by (COL-06).
pub const SORT_KEYS: [&str; 4] = ["id", "username", "email", "created_at"];

/// The ways a query can ask for a direction (COL-06).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `sort=x`
    Plain,
    /// `sort=x&order=asc`
    OrderAsc,
    /// `sort=-x`
    Minus,
    /// `sort=x&order=desc`
    OrderDesc,
    /// `sort=-x&order=desc`
    MinusOrderDesc,
}

impl Form {
    pub fn descending(self) -> bool {
        matches!(self, Form::Minus | Form::OrderDesc | Form::MinusOrderDesc)
    }

    /// The query parameters that sort by `key` in this form.
    pub fn params(self, key: &str) -> Vec<(&'static str, String)> {
        let minus = |k: &str| format!("-{k}");
        match self {
            Form::Plain => vec![("sort", key.to_owned())],
            Form::OrderAsc => vec![("sort", key.to_owned()), ("order", "asc".into())],
            Form::Minus => vec![("sort", minus(key))],
            Form::OrderDesc => vec![("sort", key.to_owned()), ("order", "desc".into())],
            Form::MinusOrderDesc => vec![("sort", minus(key)), ("order", "desc".into())],
        }
    }
}

/// A sort key and a form to ask for its direction in.
pub fn sort() -> impl Strategy<Value = (&'static str, Form)> {
    let form = select(vec![
        Form::Plain,
        Form::OrderAsc,
        Form::Minus,
        Form::OrderDesc,
        Form::MinusOrderDesc,
    ]);
    (select(SORT_KEYS.to_vec()), form)
}

/// A `sort` that names no allowed key: another member, another case, a stray sign.
pub fn invalid_sort() -> impl Strategy<Value = String> {
    let named = select(vec![
        "password_hash",
        "full_name",
        "age",
        "role",
        "is_active",
        "updated_at",
        "ID",
        "Username",
        "-",
        "--id",
        "+id",
        " id",
        "",
    ])
    .prop_map(str::to_owned);
    let other = "[a-z_]{1,12}".prop_filter("an allowed key", |s| !SORT_KEYS.contains(&s.as_str()));
    prop_oneof![
        named,
        other,
        select(SORT_KEYS.to_vec()).prop_map(|k| format!("{k}-"))
    ]
}

/// An `order` other than `asc` and `desc`.
pub fn invalid_order() -> impl Strategy<Value = String> {
    let named =
        select(vec!["", "ASC", "Desc", "ascending", "up", "-", "1"]).prop_map(str::to_owned);
    let other = "[a-zA-Z]{1,8}".prop_filter("asc or desc", |s| s != "asc" && s != "desc");
    prop_oneof![named, other]
}

/// An `is_active` other than `true` and `false`.
pub fn invalid_is_active() -> impl Strategy<Value = String> {
    let named = select(vec![
        "", "yes", "no", "1", "0", "True", "FALSE", "on", "null",
    ])
    .prop_map(str::to_owned);
    let other = "[a-zA-Z0-9]{1,6}".prop_filter("true or false", |s| s != "true" && s != "false");
    prop_oneof![named, other]
}

/// A `fields` list: members of the representation in any order, possibly repeated.
pub fn fields() -> impl Strategy<Value = Vec<&'static str>> {
    vec(select(MEMBERS.to_vec()), 1..=5)
}

/// A `fields` list that names something other than a member.
pub fn invalid_fields() -> impl Strategy<Value = String> {
    let named = select(vec![
        "",
        "password_hash",
        "password",
        "id,",
        ",id",
        "id,,username",
        "Username",
        " id",
        "id ,email",
        "links",
    ])
    .prop_map(str::to_owned);
    let unknown = "[a-z_]{1,12}".prop_filter("a member", |s| !MEMBERS.contains(&s.as_str()));
    let mixed = (fields(), unknown.clone()).prop_map(|(mut good, bad)| {
        let mut names: Vec<String> = good.drain(..).map(str::to_owned).collect();
        names.push(bad);
        names.join(",")
    });
    prop_oneof![named, unknown, mixed]
}

/// The largest `page` (CONTRACT §7): 2^63 − 1, so that a server's signed 64-bit page number holds
/// every valid one.
pub const MOST_PAGE: u64 = i64::MAX as u64;

/// Text that is not an integer in the contract's sense (CONTRACT §7: decimal digits alone, no
/// sign, no leading zero, no fraction, exponent or space), or a canonical integer above `max`,
/// however many digits it takes.
pub fn invalid_integer(max: u64) -> impl Strategy<Value = String> {
    let valid = 1..=max.min(1_000_000);
    prop_oneof![
        valid.clone().prop_map(|n| format!("+{n}")),
        valid.clone().prop_map(|n| format!("0{n}")),
        valid.clone().prop_map(|n| format!("{n}.0")),
        valid.clone().prop_map(|n| format!("{n}e0")),
        valid.clone().prop_map(|n| format!(" {n}")),
        valid.prop_map(|n| format!("{n} ")),
        (max.saturating_add(1)..=u64::MAX).prop_map(|n| n.to_string()),
        "[1-9][0-9]{19,30}",
        "-[0-9]{1,20}",
        "0x[0-9a-f]{1,4}",
    ]
}

/// Edges of `invalid_integer` every integer parameter meets: what parses in some languages and
/// not others, and the overflows of 32-, 63- and 64-bit integers.
pub const INVALID_INTEGER_EDGES: [&str; 13] = [
    "",
    "0",
    "-0",
    "-1",
    "+5",
    "007",
    "1e3",
    "5.0",
    " 5",
    "2147483648",
    "9223372036854775808",
    "18446744073709551616",
    "100000000000000000000000000000",
];

/// Whether `raw` is an integer from 1 to `max` as CONTRACT §7 writes one.
pub fn is_integer_in(raw: &str, max: u64) -> bool {
    !raw.is_empty()
        && !raw.starts_with('0')
        && raw.bytes().all(|b| b.is_ascii_digit())
        && raw.parse::<u64>().is_ok_and(|n| (1..=max).contains(&n))
}

/// The integer edges that are not a valid value of a parameter ranging up to `max`.
pub fn integer_edges(max: u64) -> Vec<String> {
    INVALID_INTEGER_EDGES
        .iter()
        .filter(|e| !is_integer_in(e, max))
        .map(|e| e.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_digits_in_range_are_integers() {
        assert!(is_integer_in("5", 100) && is_integer_in("100", 100));
        for raw in ["", "0", "101", "+5", "007", "-0", "1e3", "5.0", " 5"] {
            assert!(!is_integer_in(raw, 100), "{raw:?}");
        }
        assert!(is_integer_in("9223372036854775807", MOST_PAGE));
        assert!(!is_integer_in("9223372036854775808", MOST_PAGE));
        assert_eq!(
            integer_edges(MOST_PAGE).len(),
            INVALID_INTEGER_EDGES.len() - 1
        );
    }
}
