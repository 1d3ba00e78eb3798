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
