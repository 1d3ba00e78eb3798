//! The values at each bound of each field rule of CONTRACT §1, from both sides: the largest and
//! smallest value the rule accepts and the first it refuses. Lengths are counted in characters,
//! so the bounds are also met with multibyte and astral characters, which a server counting bytes
//! or UTF-16 units gets wrong.

use serde_json::{Value, json};

/// One value of one field at a bound of its rule.
#[derive(Clone, Debug)]
pub struct Bound {
    pub field: &'static str,
    /// What the value is, for a failure's title: "a 50-character username".
    pub what: String,
    pub value: Value,
    /// The value the field must then hold: `value` itself but for an email (stored lowercase)
    /// and a number written another way (`-0` is 0).
    pub stored: Value,
    pub valid: bool,
}

fn bound(field: &'static str, what: impl Into<String>, value: Value, valid: bool) -> Bound {
    Bound {
        field,
        what: what.into(),
        stored: value.clone(),
        value,
        valid,
    }
}

/// `base` padded with `pad` to `len` characters (cut when it is longer).
fn padded(base: &str, pad: char, len: usize) -> String {
    base.chars()
        .chain(std::iter::repeat(pad))
        .take(len)
        .collect()
}

/// JSON number text sent as written (`-0`, `1e400`): serde_json would rewrite it. A body holding
/// one must be sent with `to_body`.
pub fn literal(text: &str) -> Value {
    Value::String(format!("{LITERAL}{text}"))
}

const LITERAL: &str = "\u{1}literal:";

/// A body as JSON text, with each `literal` written as its text.
pub fn to_body(body: &Value) -> String {
    let text = body.to_string();
    let marker = "\"\\u0001literal:";
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at]);
        let after = &rest[at + marker.len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.push_str(&after[..end]);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Usernames at 3 and 50 characters and just past them. `unique` is a run-unique name of at most
/// 40 characters; `short` three fresh characters of the rule's alphabet.
pub fn usernames(unique: &str, short: &str) -> Vec<Bound> {
    let u = |what, name: String, valid| bound("username", what, json!(name), valid);
    vec![
        u("a 50-character username", padded(unique, 'z', 50), true),
        u("a 3-character username", short.to_owned(), true),
        u("a 51-character username", padded(unique, 'z', 51), false),
        u("a 2-character username", short[..2].to_owned(), false),
    ]
}

/// Emails at each bound: a local part of 1 and 64 characters, a label of 63, 254 in all, and one
/// past each. `label` is a run-unique DNS label of at most 40 characters.
pub fn emails(label: &str) -> Vec<Bound> {
    let e = |what, email: String, valid| {
        let mut b = bound("email", what, json!(email), valid);
        b.stored = json!(email.to_lowercase());
        b
    };
    let local = |n| padded(label, 'q', n);
    let long_label = |n| padded(label, 'L', n);
    // 64 + 1 + 189 = 254: labels of 63, 63 and 57 characters, then "com".
    let domain = |last| {
        format!(
            "{}.{}.{}.com",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(last)
        )
    };
    vec![
        e(
            "an email with a 1-character local part",
            format!("x@{label}.example.com"),
            true,
        ),
        e(
            "an email with a 64-character local part",
            format!("{}@example.com", local(64)),
            true,
        ),
        e(
            "an email with a 63-character label",
            format!("x@{}.com", long_label(63)),
            true,
        ),
        e(
            "a 254-character email",
            format!("{}@{}", local(64), domain(57)),
            true,
        ),
        e(
            "an email with an empty local part",
            format!("@{label}.example.com"),
            false,
        ),
        e(
            "an email with a 65-character local part",
            format!("{}@example.com", local(65)),
            false,
        ),
        e(
            "an email with a 64-character label",
            format!("x@{}.com", long_label(64)),
            false,
        ),
        e(
            "a 255-character email",
            format!("{}@{}", local(64), domain(58)),
            false,
        ),
    ]
}

/// Passwords at 8 and 128 characters, ASCII and multibyte, with one of each required class, and
/// the first refused on each side.
pub fn passwords() -> Vec<Bound> {
    let p = |what, password: String, valid| bound("password", what, json!(password), valid);
    vec![
        p("an 8-character password", "Aa1bcdef".into(), true),
        p("a 128-character password", padded("Aa1", 'x', 128), true),
        p(
            "a 128-character multibyte password",
            padded("Aa1", 'é', 128),
            true,
        ),
        p(
            "a password whose classes are its last characters",
            "xxxxxxA1b".into(),
            true,
        ),
        p("a 7-character password", "Aa1bcde".into(), false),
        p("a 129-character password", padded("Aa1", 'x', 129), false),
        p(
            "a 7-character multibyte password",
            padded("Aa1", 'é', 7),
            false,
        ),
        p(
            "a 129-character multibyte password",
            padded("Aa1", 'é', 129),
            false,
        ),
        p(
            "a password without an uppercase letter",
            "aa1bcdefg".into(),
            false,
        ),
        p(
            "a password without a lowercase letter",
            "AA1BCDEFG".into(),
            false,
        ),
        p("a password without a digit", "AabBcdefg".into(), false),
    ]
}

/// Full names of 100 characters, ASCII, multibyte and astral (two UTF-16 units each), and 101.
pub fn full_names() -> Vec<Bound> {
    let f = |what, name: Value, valid| bound("full_name", what, name, valid);
    let n = |c: char, len| json!(c.to_string().repeat(len));
    vec![
        f("a 100-character full_name", n('n', 100), true),
        f("a 100-character multibyte full_name", n('é', 100), true),
        f("a 100-character astral full_name", n('😀', 100), true),
        f("an empty full_name", json!(""), true),
        f("a null full_name", Value::Null, true),
        f("a 101-character full_name", n('n', 101), false),
        f("a 101-character multibyte full_name", n('é', 101), false),
        f("a 101-character astral full_name", n('😀', 101), false),
    ]
}

/// Ages at 0 and 150, null, integers written as `-0`, `103.0` and `1E2`, and numbers just past
/// the range or far past it (past 2^63, 2^64 and a double's range).
pub fn ages() -> Vec<Bound> {
    let a = |text: &str, stored: Value, valid| {
        let mut b = bound("age", format!("age {text}"), literal(text), valid);
        b.stored = stored;
        b
    };
    let refused = |text: &str| a(text, Value::Null, false);
    let mut bounds = vec![
        a("0", json!(0), true),
        a("150", json!(150), true),
        a("-0", json!(0), true),
        a("103.0", json!(103), true),
        a("1E2", json!(100), true),
        bound("age", "a null age", Value::Null, true),
    ];
    bounds.extend(
        [
            "151",
            "-1",
            "150.5",
            "256",
            "1000000000000000000",
            "9223372036854775808",
            "18446744073709551616",
            "1e400",
            "-1e400",
        ]
        .map(refused),
    );
    bounds
}
