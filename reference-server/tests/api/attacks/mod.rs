//! Attacks a hostile client would try, each of which must fail: forged and stale tokens, changing
//! another user's record, raising one's own role, reading a password hash, and telling unknown
//! usernames from wrong passwords.

mod escalation;
mod idor;
mod login_timing;
mod secrets;
mod tokens;

use reqwest::RequestBuilder;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// An answer as it came over the wire.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// A problem (RFC 9457) with this status.
    pub fn assert_problem(&self, status: u16, what: &str) {
        assert_eq!(self.status, status, "{what}: {}", self.text);
        assert_eq!(self.content_type(), "application/problem+json", "{what}");
        assert_eq!(
            self.json()["status"],
            json!(status),
            "{what}: {}",
            self.text
        );
    }
}

pub async fn answer(request: RequestBuilder) -> Answer {
    let response = request.send().await.expect("the server answers");
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.expect("a body"),
    }
}

/// A plain user, signed up and logged in: its id and token.
pub async fn user(app: &TestApp, username: &str) -> (u64, String) {
    let (status, body) = app.sign_up(username).await;
    assert_eq!(status, 201, "sign-up of {username}: {body}");
    let id = body["id"].as_u64().expect("an id");
    (id, app.login(username, "Passw0rd!").await)
}

/// The user as an admin reads it.
pub async fn record(app: &TestApp, admin: &str, id: u64) -> Value {
    let (status, body) = app
        .send("GET", &format!("/users/{id}"), Some(admin), None)
        .await;
    assert_eq!(status, 200, "GET of user {id}: {body}");
    body
}
