//! Generators of valid and invalid inputs, mirroring the field rules of CONTRACT §1. Valid
//! usernames and emails are generated as tails appended to a run-unique base, so that generated
//! users never collide with each other or with data already on the target.

pub mod bounds;

pub use bounds::{Bound, literal, to_body};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

/// Toggles the case of every letter of `s` at a position where `mask` is true.
pub fn recase(s: &str, mask: &[bool]) -> String {
    s.chars()
        .zip(mask.iter().copied().chain(std::iter::repeat(false)))
        .map(|(c, flip)| match (flip, c.is_ascii_lowercase()) {
            (false, _) => c,
            (true, true) => c.to_ascii_uppercase(),
            (true, false) => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A case mask for `recase`.
pub fn case_mask() -> impl Strategy<Value = Vec<bool>> {
    vec(any::<bool>(), 0..48)
}

/// Characters a username may hold, appended to a unique base.
pub fn username_tail() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_]{0,16}"
}

/// A username that breaks its rule: too short, too long, or with a character outside `[A-Za-z0-9_]`.
pub fn invalid_username() -> impl Strategy<Value = String> {
    let bad = select(vec![
        ' ', '-', '.', '@', '!', '/', '+', '\'', '\t', 'é', 'ß', 'Ж', '中', '😀',
    ]);
    prop_oneof![
        "[A-Za-z0-9_]{0,2}",
        "[A-Za-z0-9_]{51,64}",
        ("[A-Za-z0-9_]{1,12}", bad, "[A-Za-z0-9_]{1,12}")
            .prop_map(|(a, c, b)| format!("{a}{c}{b}")),
    ]
}

pub const INVALID_USERNAME_EDGES: [&str; 6] = [
    "",
    "ab",
    "user-name",
    "naïve_user",
    "a b c",
    "a_username_that_is_exactly_fifty_one_characters_xyz",
];

/// One DNS label of the contract's grammar.
fn label() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?"
}

/// A valid domain: two to four labels.
pub fn domain() -> impl Strategy<Value = String> {
    vec(label(), 2..=4).prop_map(|labels| labels.join("."))
}

/// The parts of a valid email: a local-part tail (appended to a unique base) and a domain.
pub fn email_parts() -> impl Strategy<Value = (String, String)> {
    ("[A-Za-z0-9._%+-]{0,12}", domain())
}

/// An email that breaks its rule.
pub fn invalid_email() -> impl Strategy<Value = String> {
    let local = "[a-z0-9]{1,10}";
    let bad = select(vec![
        ' ', '(', ')', ',', ':', ';', '<', '>', '"', '[', ']', '\\', 'é', '!', '#', '*', '/',
    ]);
    prop_oneof![
        (local, domain()).prop_map(|(l, d)| format!("{l}{d}")),
        (local, local, domain()).prop_map(|(a, b, d)| format!("{a}@{b}@{d}")),
        domain().prop_map(|d| format!("@{d}")),
        (local, "[a-z0-9]{1,10}").prop_map(|(l, d)| format!("{l}@{d}")),
        ("[a-z0-9]{65,80}", domain()).prop_map(|(l, d)| format!("{l}@{d}")),
        (local, bad, local, domain()).prop_map(|(a, c, b, d)| format!("{a}{c}{b}@{d}")),
        (local, label()).prop_map(|(l, x)| format!("{l}@-{x}.com")),
        (local, label()).prop_map(|(l, x)| format!("{l}@{x}-.com")),
        (local, label()).prop_map(|(l, x)| format!("{l}@{x}..com")),
        (local, label()).prop_map(|(l, x)| format!("{l}@{x}.com.")),
        (local, "[a-z]{64,70}").prop_map(|(l, x)| format!("{l}@{x}.com")),
        (local, label()).prop_map(|(l, x)| format!("{l}@{x}_x.com")),
        // Every part valid, the whole longer than 254.
        ("[a-z]{60}", vec("[a-z]{63}", 4)).prop_map(|(l, ls)| format!("{l}@{}.com", ls.join("."))),
    ]
}

pub const INVALID_EMAIL_EDGES: [&str; 8] = [
    "",
    "plainaddress",
    "two@@example.com",
    "@example.com",
    "user@localhost",
    "user@-example.com",
    "us er@example.com",
    "user@example..com",
];

/// A password of the contract's rule: 8–128 characters with an uppercase letter, a lowercase
/// letter and a digit.
pub fn password() -> impl Strategy<Value = String> {
    (
        "[A-Za-z0-9!#%&*+,.:;=?@^_~ -]{5,60}",
        "[A-Z]",
        "[a-z]",
        "[0-9]",
        0..8usize,
    )
        .prop_map(|(rest, u, l, d, at)| {
            let mut p: Vec<char> = rest.chars().collect();
            let at = at.min(p.len());
            for c in [u, l, d].iter().flat_map(|s| s.chars()) {
                p.insert(at, c);
            }
            p.into_iter().collect()
        })
}

/// A password that breaks its rule.
pub fn invalid_password() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][a-z][0-9][A-Za-z0-9]{0,4}",
        "[A-Za-z0-9]{126,150}aA1",
        "[a-z0-9!.]{6,20}a1",
        "[A-Z0-9!.]{6,20}A1",
        "[A-Za-z!. ]{6,20}aA",
    ]
}

pub const INVALID_PASSWORD_EDGES: [&str; 5] = [
    "",
    "aA1aA1a",
    "alllower1case",
    "ALLUPPER1CASE",
    "NoDigitsHere",
];

/// A valid `full_name`: null or a string of at most 100 characters.
pub fn full_name() -> impl Strategy<Value = Value> {
    prop_oneof![Just(Value::Null), ".{0,100}".prop_map(Value::String)]
}

/// A `full_name` that breaks its rule.
pub fn invalid_full_name() -> impl Strategy<Value = Value> {
    prop_oneof![
        ".{101,130}".prop_map(Value::String),
        any::<i32>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        Just(json!(["Ada", "Lovelace"])),
        Just(json!({"first": "Ada"})),
    ]
}

/// A valid `age`: null or an integer from 0 to 150.
pub fn age() -> impl Strategy<Value = Value> {
    prop_oneof![Just(Value::Null), (0u64..=150).prop_map(|n| json!(n))]
}

/// An `age` that breaks its rule.
pub fn invalid_age() -> impl Strategy<Value = Value> {
    prop_oneof![
        (151i64..=100_000).prop_map(|n| json!(n)),
        (-100_000i64..0).prop_map(|n| json!(n)),
        (0u32..150).prop_map(|n| json!(f64::from(n) + 0.5)),
        "[0-9]{1,3}".prop_map(Value::String),
        any::<bool>().prop_map(Value::Bool),
        // Past a double's range, written as sent (`to_body`).
        Just(bounds::literal("1e400")),
        Just(bounds::literal("-1e400")),
    ]
}

pub fn invalid_age_edges() -> Vec<Value> {
    vec![
        json!(151),
        json!(255),
        json!(256),
        json!(-1),
        json!(30.5),
        json!("30"),
    ]
}

/// Any JSON value, small.
pub fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[ -~]{0,12}".prop_map(Value::String),
        vec(any::<u8>(), 0..3).prop_map(|v| json!(v)),
        Just(json!({"nested": true})),
    ]
}

/// A member name that a sign-up does not accept.
pub fn unknown_sign_up_member() -> impl Strategy<Value = String> {
    const KNOWN: [&str; 5] = ["username", "email", "password", "full_name", "age"];
    prop_oneof![
        select(vec![
            "role",
            "is_active",
            "id",
            "created_at",
            "updated_at",
            "password_hash",
            "admin",
            "Username",
            "EMAIL",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,12}".prop_filter("not a sign-up member", |m| !KNOWN.contains(&m.as_str())),
    ]
}

/// A member name that an update (`PUT`, `PATCH`) does not accept.
pub fn unknown_update_member() -> impl Strategy<Value = String> {
    const KNOWN: [&str; 6] = ["username", "email", "full_name", "age", "role", "is_active"];
    prop_oneof![
        select(vec![
            "password",
            "id",
            "created_at",
            "updated_at",
            "password_hash",
            "Role",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,12}".prop_filter("not an update member", |m| !KNOWN.contains(&m.as_str())),
    ]
}

/// Text that is not well-formed JSON.
pub fn malformed_json() -> impl Strategy<Value = String> {
    prop_oneof![
        ("[a-z]{1,8}", "[ -~]{0,12}", 1..20usize).prop_map(|(k, v, cut)| {
            let text = json!({ k: v }).to_string();
            text[..cut.min(text.len() - 1)].to_owned()
        }),
        "[A-Za-z ]{1,20}",
        Just("{'username': 'x'}".to_owned()),
        Just("{\"username\": \"x\",}".to_owned()),
        Just("{\"username\" \"x\"}".to_owned()),
        "\\{[ -~]{0,20}",
    ]
    .prop_filter("not JSON", |s| serde_json::from_str::<Value>(s).is_err())
}

/// A role that is not one of `user`, `moderator`, `admin`.
pub fn invalid_role() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "Admin",
            "ADMIN",
            "superuser",
            "root",
            "",
            " admin",
            "user "
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,10}".prop_filter("not a role", |r| !["user", "moderator", "admin"]
            .contains(&r.as_str())),
    ]
}

/// One of the three roles.
pub fn role() -> impl Strategy<Value = &'static str> {
    select(vec!["user", "moderator", "admin"])
}
