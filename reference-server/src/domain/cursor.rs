//! Cursors of `GET /users` (COL-03, COL-04): where a walk stands, and the sort and filters it is
//! for, signed so that a client can neither forge one nor alter one it was given. To the client a
//! cursor is an opaque string: `base64url(JSON) "." base64url(HMAC-SHA256 of the JSON)`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2_hmac::Sha256;

use super::Role;
use super::collection::{Direction, Filter, Position, Sort, SortKey, SortValue};

type HmacSha256 = Hmac<Sha256>;

/// What a cursor carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub sort: Sort,
    pub filter: Filter,
    /// The last item served: the next page starts after it.
    pub after: Position,
    /// Only ever set by the COL-03 violation, which pages by offset.
    pub served: Option<u64>,
}

/// Issues and opens cursors with a key of their own.
#[derive(Clone)]
pub struct Cursors {
    key: [u8; 32],
}

impl Cursors {
    /// The key is derived from the token secret rather than being it, so that no cursor
    /// signature can ever pass for a token signature, or the reverse.
    pub fn new(secret: &str) -> Cursors {
        let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
        mac.update(b"touchstone list cursor v1");
        Cursors {
            key: mac.finalize().into_bytes().into(),
        }
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(payload);
        mac
    }

    pub fn issue(&self, cursor: &Cursor) -> String {
        let payload = serde_json::to_vec(&Wire::from(cursor)).expect("a cursor serializes");
        let tag = self.mac(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The cursor `raw` encodes, if this server issued it as it is. Base64 is decoded strictly, so
    /// that no two strings open to the same cursor. `verify` is false only for the COL-04
    /// violation.
    pub fn open(&self, raw: &str, verify: bool) -> Option<Cursor> {
        let (payload, tag) = raw.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        if verify {
            // Constant-time: how much of a tag matched must not leak through timing.
            self.mac(&payload).verify_slice(&tag).ok()?;
        }
        serde_json::from_slice::<Wire>(&payload).ok()?.cursor()
    }
}

/// The signed payload, with short member names to keep cursors short.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    s: SortKey,
    d: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    r: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    a: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    q: Option<String>,
    /// The sort key's value when it is text, or its time in nanoseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<i64>,
    i: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<u64>,
}

impl From<&Cursor> for Wire {
    fn from(c: &Cursor) -> Wire {
        let (t, n) = match &c.after.key {
            SortValue::Id => (None, None),
            SortValue::Text(text) => (Some(text.clone()), None),
            SortValue::Time(nanos) => (None, Some(*nanos)),
        };
        Wire {
            s: c.sort.key,
            d: c.sort.direction,
            r: c.filter.role,
            a: c.filter.is_active,
            q: c.filter.search.clone(),
            t,
            n,
            i: c.after.id,
            o: c.served,
        }
    }
}

impl Wire {
    /// The cursor, when the key's value is of the kind its sort key has.
    fn cursor(self) -> Option<Cursor> {
        let key = match (self.s, self.t, self.n) {
            (SortKey::Id, None, None) => SortValue::Id,
            (SortKey::Username | SortKey::Email, Some(text), None) => SortValue::Text(text),
            (SortKey::CreatedAt, None, Some(nanos)) => SortValue::Time(nanos),
            _ => return None,
        };
        Some(Cursor {
            sort: Sort {
                key: self.s,
                direction: self.d,
            },
            filter: Filter {
                role: self.r,
                is_active: self.a,
                search: self.q,
            },
            after: Position { key, id: self.i },
            served: self.o,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor() -> Cursor {
        Cursor {
            sort: Sort {
                key: SortKey::Username,
                direction: Direction::Desc,
            },
            filter: Filter {
                role: Some(Role::Moderator),
                is_active: Some(false),
                search: Some("ali".into()),
            },
            after: Position {
                key: SortValue::Text("alice".into()),
                id: 42,
            },
            served: None,
        }
    }

    #[test]
    fn an_issued_cursor_opens_to_what_it_was_issued_for() {
        let cursors = Cursors::new("secret");
        let raw = cursors.issue(&cursor());
        assert_eq!(cursors.open(&raw, true), Some(cursor()));
    }

    #[test]
    fn any_altered_character_makes_a_cursor_unopenable() {
        let cursors = Cursors::new("secret");
        let raw = cursors.issue(&cursor());
        for at in 0..raw.len() {
            for c in ['A', 'b', '0', '-', '_', '.'] {
                let mut altered = raw.clone().into_bytes();
                if altered[at] == c as u8 {
                    continue;
                }
                altered[at] = c as u8;
                let altered = String::from_utf8(altered).expect("ASCII");
                assert_eq!(cursors.open(&altered, true), None, "{altered}");
            }
        }
    }

    #[test]
    fn a_cursor_signed_with_another_secret_does_not_open() {
        let raw = Cursors::new("other").issue(&cursor());
        assert_eq!(Cursors::new("secret").open(&raw, true), None);
    }

    #[test]
    fn a_payload_re_encoded_without_the_key_does_not_open() {
        let cursors = Cursors::new("secret");
        let raw = cursors.issue(&cursor());
        let (_, tag) = raw.split_once('.').expect("two parts");
        let forged = URL_SAFE_NO_PAD.encode(r#"{"s":"id","d":"asc","i":1}"#);
        assert_eq!(cursors.open(&format!("{forged}.{tag}"), true), None);
        assert!(cursors.open(&format!("{forged}.{tag}"), false).is_some());
    }
}
