//! The tool's own HTTP client, apart from goose's users: preflight, seeding and clean-up run
//! before and after the load, every request bounded by the timeout.

use std::time::Duration;

use serde_json::Value;

use crate::checks;
use crate::redact::redact;

pub struct Client {
    http: reqwest::Client,
    host: String,
    timeout: Duration,
}

/// What a request was answered, whatever the status.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    /// The body as JSON, `Null` when it is not JSON.
    pub json: Value,
    /// The body's first characters on one line, for messages.
    pub excerpt: String,
}

impl Answer {
    /// `404 text/html ("<!DOCTYPE html>…")`, for messages about what a host answered.
    pub fn describe(&self) -> String {
        let ctype = match self.content_type.as_str() {
            "" => "without a content type",
            c => c,
        };
        match self.excerpt.is_empty() {
            true => format!("{} {ctype} with an empty body", self.status),
            false => format!("{} {ctype} ({:?})", self.status, self.excerpt),
        }
    }

    /// The `title` and `detail` of a problem+json answer, if it is one.
    pub fn problem(&self) -> String {
        let text = |k: &str| self.json.get(k).and_then(Value::as_str).map(str::to_owned);
        match (text("title"), text("detail")) {
            (Some(t), Some(d)) => format!("{t}: {d}"),
            (Some(t), None) => t,
            (None, _) => self.describe(),
        }
    }
}

impl Client {
    pub fn new(host: &str, timeout: Duration) -> Result<Client, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            // The control runtime runs only between the phases of a run, so a pooled connection
            // that the server closed while the load ran (servers close idle ones after a few
            // seconds) is not noticed until it is reused, and that request fails. A connection
            // idle this long is dropped when it is checked out instead.
            .pool_idle_timeout(Duration::from_secs(1))
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Client {
            http,
            host: host.trim_end_matches('/').to_owned(),
            timeout,
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// One request; a transport error is described in one line (never a token or a password).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let url = format!("{}{path}", self.host);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.transport(&method, path, &e))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|c| c.split(';').next().unwrap_or(c).trim().to_owned())
            .unwrap_or_default();
        let text = response
            .text()
            .await
            .map_err(|e| self.transport(&method, path, &e))?;
        let excerpt: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let excerpt = redact(&excerpt.chars().take(60).collect::<String>());
        Ok(Answer {
            status,
            content_type,
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            excerpt,
        })
    }

    fn transport(&self, method: &reqwest::Method, path: &str, e: &reqwest::Error) -> String {
        let what = if e.is_timeout() {
            format!("no answer within {} s", self.timeout.as_secs_f64())
        } else {
            let mut cause: &dyn std::error::Error = e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            cause.to_string()
        };
        let verb = match e.is_connect() {
            true => "cannot connect to",
            false => "no answer from",
        };
        format!("{verb} {} ({method} {path}: {what})", self.host)
    }

    /// `POST /auth/login` (AUTH-01): the token, or the answer that refused it.
    pub async fn log_in(&self, username: &str, password: &str) -> Result<String, LoginError> {
        let body = serde_json::json!({"username": username, "password": password});
        let answer = self
            .call(reqwest::Method::POST, ROUTE_LOGIN, None, Some(&body))
            .await
            .map_err(LoginError::Transport)?;
        match answer.status {
            200 => checks::token(&answer.json).map_err(|why| LoginError::Refused(answer, why)),
            _ => Err(LoginError::Refused(answer, String::new())),
        }
    }
}

pub const ROUTE_LOGIN: &str = "/api/v1/auth/login";

pub enum LoginError {
    Transport(String),
    /// The answer, and what was wrong with a 200's body.
    Refused(Answer, String),
}
