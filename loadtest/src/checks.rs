//! What a correct body looks like (CONTRACT §1, GEN-08): a 2xx with a wrong body is a failure.

use serde_json::Value;

/// The parts of a user the personas go on to use.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    pub id: u64,
    pub username: String,
}

fn field<'a>(obj: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a Value, String> {
    obj.get(name).ok_or_else(|| format!("`{name}` is missing"))
}

/// A user representation: every member of the shape, of the right type, and none that holds a
/// password (USR-03).
pub fn user(body: &Value) -> Result<Seen, String> {
    let obj = body.as_object().ok_or("the user is not a JSON object")?;
    if let Some(key) = obj.keys().find(|k| k.contains("password")) {
        return Err(format!("the user has a member `{key}` (USR-03)"));
    }
    let id = field(obj, "id")?
        .as_u64()
        .filter(|id| *id > 0)
        .ok_or("`id` is not a positive integer")?;
    let username = field(obj, "username")?
        .as_str()
        .ok_or("`username` is not a string")?;
    let email = field(obj, "email")?
        .as_str()
        .ok_or("`email` is not a string")?;
    if !email.contains('@') || email != email.to_ascii_lowercase() {
        return Err(format!("`email` {email:?} is not a lowercase address"));
    }
    let role = field(obj, "role")?.as_str().unwrap_or_default();
    if !["user", "moderator", "admin"].contains(&role) {
        return Err(format!("`role` {role:?} is not a role"));
    }
    if !field(obj, "is_active")?.is_boolean() {
        return Err("`is_active` is not a boolean".into());
    }
    for stamp in ["created_at", "updated_at"] {
        if !field(obj, stamp)?.is_string() {
            return Err(format!("`{stamp}` is not a string"));
        }
    }
    for nullable in ["full_name", "age"] {
        field(obj, nullable)?;
    }
    Ok(Seen {
        id,
        username: username.to_owned(),
    })
}

/// A user with the given id.
pub fn user_with_id(body: &Value, id: u64) -> Result<Seen, String> {
    let seen = user(body)?;
    if seen.id != id {
        return Err(format!("asked for user {id}, got user {}", seen.id));
    }
    Ok(seen)
}

/// A member equal to what was sent or set.
pub fn member(body: &Value, name: &str, expected: &Value) -> Result<(), String> {
    match body.get(name) {
        Some(v) if v == expected => Ok(()),
        other => Err(format!("`{name}` is {other:?}, expected {expected}")),
    }
}

/// A page of users (USR-11): at most `page_size` valid items in ascending id order, and counts
/// that agree with each other.
/// The orders the browse persona asks for (CONTRACT COL-06), and what each promises.
#[derive(Clone, Copy, Debug)]
pub enum Order {
    /// `sort=id`, the default.
    Id,
    /// `sort=-id`.
    IdDescending,
    /// `sort=username`: by the lowercased name, ties by id.
    Username,
}

impl Order {
    pub fn query(self) -> &'static str {
        match self {
            Order::Id => "sort=id",
            Order::IdDescending => "sort=-id",
            Order::Username => "sort=username",
        }
    }

    fn holds(self, a: &Seen, b: &Seen) -> bool {
        match self {
            Order::Id => a.id < b.id,
            Order::IdDescending => a.id > b.id,
            Order::Username => {
                (a.username.to_lowercase(), a.id) < (b.username.to_lowercase(), b.id)
            }
        }
    }
}

pub fn page(
    body: &Value,
    page: u64,
    page_size: u64,
    order: Order,
) -> Result<(Vec<Seen>, u64), String> {
    let number = |name: &str| {
        body.get(name)
            .and_then(Value::as_u64)
            .ok_or(format!("`{name}` is not a number"))
    };
    let (total, total_pages) = (number("total")?, number("total_pages")?);
    if number("page")? != page || number("page_size")? != page_size {
        return Err(format!("the page is not page {page} of size {page_size}"));
    }
    if total_pages != total.div_ceil(page_size) {
        return Err(format!(
            "{total} users make {total_pages} pages of {page_size}"
        ));
    }
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .ok_or("`items` is not an array")?;
    if items.len() as u64 > page_size {
        return Err(format!("{} items on a page of {page_size}", items.len()));
    }
    let seen = items.iter().map(user).collect::<Result<Vec<_>, _>>()?;
    if seen.windows(2).any(|w| !order.holds(&w[0], &w[1])) {
        return Err(format!(
            "the items are not in the order of {}",
            order.query()
        ));
    }
    Ok((seen, total))
}

/// A login's token (AUTH-01).
pub fn token(body: &Value) -> Result<String, String> {
    if body.get("token_type").and_then(Value::as_str) != Some("bearer") {
        return Err("`token_type` is not \"bearer\"".into());
    }
    if body
        .get("expires_in")
        .and_then(Value::as_u64)
        .is_none_or(|s| s == 0)
    {
        return Err("`expires_in` is not a positive number".into());
    }
    body.get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| "`access_token` is not a string".into())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn alice(id: u64) -> Value {
        json!({"id": id, "username": "alice", "email": "alice@example.com", "full_name": null,
               "age": 30, "role": "user", "is_active": true,
               "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:00:00Z"})
    }

    #[test]
    fn a_user_with_a_password_member_is_wrong() {
        let mut body = alice(1);
        body["password_hash"] = json!("$argon2id$...");

        assert!(user(&body).unwrap_err().contains("USR-03"));
    }

    #[test]
    fn a_page_out_of_id_order_is_wrong() {
        let body = json!({"items": [alice(2), alice(1)], "total": 2, "page": 1,
                          "page_size": 20, "total_pages": 1});

        assert!(page(&body, 1, 20, Order::Id).unwrap_err().contains("order"));
    }

    #[test]
    fn a_page_whose_counts_agree_is_right() {
        let body = json!({"items": [alice(1), alice(5)], "total": 41, "page": 3,
                          "page_size": 20, "total_pages": 3});

        assert_eq!(page(&body, 3, 20, Order::Id).unwrap().1, 41);
        assert!(page(&body, 3, 20, Order::IdDescending).is_err());
    }
}
