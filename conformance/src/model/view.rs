//! What the model's words stand for in one sequence: every username and email starts with the
//! sequence's tag (`ctx.unique()`), so that `search=<tag>` finds its users and no one else's.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Model, User, Word};

const NAMES: [&str; 5] = ["ann", "bob", "cyd", "dee", "eve"];
/// In another order than the names, so that sorting by email is not sorting by username.
const MAILS: [&str; 5] = ["zoe", "yul", "xia", "wes", "vic"];
/// `{TAG}` is the sequence's tag in capitals: a full name that a search for the tag finds.
pub const FULL_NAMES: [&str; 3] = ["Ada Byron", "{TAG} Smith", "Grace Hopper"];
pub const AGES: [u8; 3] = [0, 42, 150];
/// Searches: the tag alone (every user of the sequence), or the tag and the start of one name,
/// one email or one full name.
pub const SEARCHES: [&str; 5] = ["", "a", "e", "z", " smith"];

/// The members of a user's representation that the model knows exactly; the timestamps are
/// compared as instants.
pub const MEMBERS: &[&str] = crate::queries::MEMBERS.split_at(7).0;

/// The strings of one sequence.
#[derive(Clone, Debug)]
pub struct Names {
    pub tag: String,
}

impl Names {
    pub fn username(&self, word: Word) -> String {
        let name = NAMES[word.n as usize];
        match word.shout {
            true => format!("{}{}", self.tag, name.to_uppercase()),
            false => format!("{}{name}", self.tag),
        }
    }

    /// The email as sent: in capitals when shouted.
    pub fn email(&self, word: Word) -> String {
        let email = format!("{}{}@example.com", self.tag, MAILS[word.n as usize]);
        match word.shout {
            true => email.to_uppercase(),
            false => email,
        }
    }

    pub fn full_name(&self, n: Option<u8>) -> Value {
        n.map_or(Value::Null, |n| {
            json!(FULL_NAMES[n as usize].replace("{TAG}", &self.tag.to_uppercase()))
        })
    }

    pub fn age(n: Option<u8>) -> Value {
        n.map_or(Value::Null, |n| json!(AGES[n as usize]))
    }

    pub fn search(&self, n: u8, shout: bool) -> String {
        let search = format!("{}{}", self.tag, SEARCHES[n as usize]);
        match shout {
            true => search.to_uppercase(),
            false => search,
        }
    }

    /// The members of `user`'s representation the model knows exactly.
    pub fn shown(&self, user: &User, id: u64) -> Value {
        json!({
            "id": id,
            "username": self.username(user.name),
            "email": self.email(user.mail).to_lowercase(),
            "full_name": self.full_name(user.full_name),
            "age": Names::age(user.age),
            "role": user.role.as_str(),
            "is_active": user.active,
        })
    }

    /// Whether `user` is found by `search` (COL-05: username, email or full name contains it,
    /// compared lowercased).
    pub fn found(&self, user: &User, search: &str) -> bool {
        let search = search.to_lowercase();
        let full_name = self.full_name(user.full_name);
        [
            self.username(user.name),
            self.email(user.mail),
            full_name.as_str().unwrap_or("").to_owned(),
        ]
        .iter()
        .any(|text| text.to_lowercase().contains(&search))
    }
}

/// A timestamp member as an instant, whatever its precision and offset.
pub fn instant(user: &Value, member: &str) -> Option<OffsetDateTime> {
    user[member]
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
}

/// The first member of `MEMBERS` in which `actual` differs from `expected`.
pub fn differs(expected: &Value, actual: &Value) -> Option<&'static str> {
    MEMBERS.iter().copied().find(|m| expected[m] != actual[m])
}

impl Model {
    /// The slots of the live users, in slot order.
    pub fn live(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.users.len()).filter(|&i| self.users[i].alive)
    }
}
