//! One way to make a request: named by its route template so that metrics aggregate, with the
//! expected status declared, and the reply's body parsed for the checks.

use goose::goose::GooseResponse;
use goose::metrics::GooseRequestMetric;
use goose::prelude::*;
use serde_json::Value;

/// Route templates, which name the requests in every metric and report.
pub mod route {
    pub const HEALTH: &str = "/health";
    pub const LOGIN: &str = "/api/v1/auth/login";
    pub const USERS: &str = "/api/v1/users";
    pub const ME: &str = "/api/v1/users/me";
    pub const USER: &str = "/api/v1/users/{id}";
    /// A conditional read of one user, apart from plain reads since most are answered 304.
    pub const USER_REVALIDATE: &str = "/api/v1/users/{id} (If-None-Match)";
    pub const ORDERS: &str = "/api/v1/users/{id}/orders";
    pub const ORDER: &str = "/api/v1/users/{id}/orders/{order_id}";
    /// The events' WebSocket handshake, and the time from a write to its event (CONTRACT §16).
    pub const EVENTS: &str = "/api/v1/events";
    pub const EVENT_OF_WRITE: &str = "/api/v1/events (a write's event)";
}

pub fn user_path(id: u64) -> String {
    format!("/api/v1/users/{id}")
}

pub type Failure = Box<TransactionError>;

/// A request about to be made.
pub struct Call<'a> {
    method: GooseMethod,
    path: &'a str,
    name: &'static str,
    token: Option<&'a str>,
    body: Option<&'a Value>,
    if_none_match: Option<&'a str>,
    expect: u16,
}

/// A reply with the status the call expected.
pub struct Reply {
    pub request: GooseRequestMetric,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: Value,
}

impl<'a> Call<'a> {
    pub fn new(method: GooseMethod, path: &'a str, name: &'static str, expect: u16) -> Self {
        Call {
            method,
            path,
            name,
            token: None,
            body: None,
            if_none_match: None,
            expect,
        }
    }

    pub fn get(path: &'a str, name: &'static str) -> Self {
        Call::new(GooseMethod::Get, path, name, 200)
    }

    pub fn token(mut self, token: &'a str) -> Self {
        self.token = Some(token);
        self
    }

    pub fn json(mut self, body: &'a Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Revalidates a representation the client holds (CONTRACT HTTP-02).
    pub fn if_none_match(mut self, tag: &'a str) -> Self {
        self.if_none_match = Some(tag);
        self
    }

    /// Makes the request. A transport error or another status is recorded as a failure by goose
    /// and ends the transaction.
    ///
    /// Exactly one status is right: goose judges the status when the answer arrives and records
    /// any other as an error then, so accepting a second one afterwards (`set_success`) would
    /// leave it in goose's error table while the failure counts say it passed. The personas
    /// therefore only make requests whose answer is certain.
    pub async fn send(self, user: &mut GooseUser) -> Result<Reply, Failure> {
        let mut builder = user.get_request_builder(&self.method, self.path)?;
        if let Some(token) = self.token {
            builder = builder.bearer_auth(token);
        }
        if let Some(body) = self.body {
            builder = builder.json(body);
        }
        if let Some(tag) = self.if_none_match {
            builder = builder.header("if-none-match", tag);
        }
        let request = GooseRequest::builder()
            .method(self.method)
            .path(self.path)
            .name(self.name)
            .expect_status_code(self.expect)
            .set_request_builder(builder)
            .build();
        let GooseResponse { request, response } = user.request(request).await?;
        let failed = |request: &GooseRequestMetric| {
            Box::new(TransactionError::RequestFailed {
                raw_request: Box::new(request.clone()),
            })
        };
        let Ok(response) = response else {
            return Err(failed(&request));
        };
        if response.status().as_u16() != self.expect {
            return Err(failed(&request));
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (location, etag) = (header("location"), header("etag"));
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            request,
            location,
            etag,
            body,
        })
    }
}

impl Reply {
    /// Runs a check of the body; a wrong body fails the request, not only a wrong status.
    pub fn check<T>(
        mut self,
        user: &mut GooseUser,
        check: impl FnOnce(&Reply) -> Result<T, String>,
    ) -> Result<T, Failure> {
        match check(&self) {
            Ok(t) => Ok(t),
            Err(why) => {
                let body = self.body.to_string();
                user.set_failure(&why, &mut self.request, None, Some(&body))?;
                Err(Box::new(TransactionError::Custom(why)))
            }
        }
    }
}
