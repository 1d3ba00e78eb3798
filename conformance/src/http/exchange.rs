//! Requests as values, so that every failure can show the exact request as a curl command and the
//! response that was seen.

use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use crate::failure::Failure;

/// A request relative to the target's base URL.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path and query after the base URL, already percent-encoded (`/users?page=2`).
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// The body sent as a stream of unknown length: chunked, with no `Content-Length`.
    pub chunked: bool,
}

impl Request {
    pub fn new(method: &str, path: impl Into<String>) -> Request {
        Request {
            method: method.to_owned(),
            path: path.into(),
            headers: Vec::new(),
            body: None,
            chunked: false,
        }
    }

    pub fn get(path: impl Into<String>) -> Request {
        Request::new("GET", path)
    }

    pub fn post(path: impl Into<String>) -> Request {
        Request::new("POST", path)
    }

    pub fn put(path: impl Into<String>) -> Request {
        Request::new("PUT", path)
    }

    pub fn patch(path: impl Into<String>) -> Request {
        Request::new("PATCH", path)
    }

    pub fn delete(path: impl Into<String>) -> Request {
        Request::new("DELETE", path)
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Request {
        self.header("Authorization", format!("Bearer {token}"))
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json(self, body: &Value) -> Request {
        self.raw("application/json", body.to_string())
    }

    /// A body of any media type, sent as given.
    pub fn raw(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Request {
        if !content_type.is_empty() {
            self = self.header("Content-Type", content_type);
        }
        self.body = Some(body.into());
        self
    }

    /// Sends the body with `Transfer-Encoding: chunked` and no `Content-Length`.
    pub fn chunked(mut self) -> Request {
        self.chunked = true;
        self
    }
}

/// A request and the response it got.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub url: String,
    pub request: Request,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Exchange {
    /// The first value of a response header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a response header, joined as one list field (RFC 9110 §5.3).
    pub fn header_list(&self, name: &str) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The media type of the response without parameters, lowercased.
    pub fn media_type(&self) -> String {
        self.header("content-type")
            .and_then(|v| v.split(';').next())
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// A failure that shows this exchange.
    pub fn fail(
        &self,
        title: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Failure {
        Failure::new(title, expected, actual).with_exchange(self)
    }

    /// The status, and the body when it is short, for `actual:` lines.
    pub fn summary(&self) -> String {
        let body = String::from_utf8_lossy(&self.body);
        let body = truncate(&body, 300);
        if body.is_empty() {
            format!("{}", self.status)
        } else {
            format!("{} {}", self.status, body)
        }
    }

    /// The request as a copy-pasteable curl command.
    pub fn curl(&self) -> String {
        let mut cmd = format!("curl -i -X {} {}", self.request.method, quote(&self.url));
        for (name, value) in &self.request.headers {
            let _ = write!(cmd, " -H {}", quote(&format!("{name}: {value}")));
        }
        if self.request.chunked {
            cmd.push_str(" -H 'Transfer-Encoding: chunked'");
        }
        if let Some(body) = &self.request.body {
            if body.len() > LONGEST_INLINE_BODY {
                let _ = write!(cmd, " --data-binary @{}", quote(&body_file(body)));
            } else {
                let _ = write!(
                    cmd,
                    " --data-binary {}",
                    quote(&String::from_utf8_lossy(body))
                );
            }
        }
        cmd
    }

    /// The response as it would print with `curl -i`, its body cut short.
    pub fn response_text(&self) -> String {
        let mut text = format!("HTTP {}\n", self.status);
        for (name, value) in &self.headers {
            let _ = writeln!(text, "{name}: {value}");
        }
        text.push('\n');
        // An encoded or binary body would print as noise: say what it is instead.
        match std::str::from_utf8(&self.body) {
            Ok(body) if self.header("content-encoding").is_none() => {
                text.push_str(&truncate(body, 1500));
            }
            _ => {
                let _ = write!(
                    text,
                    "({} bytes{})",
                    self.body.len(),
                    self.header("content-encoding")
                        .map(|c| format!(" in Content-Encoding {c}"))
                        .unwrap_or_else(|| ", not UTF-8".into())
                );
            }
        }
        text
    }
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} -> {}", self.request.method, self.url, self.status)
    }
}

/// Bodies longer than this are written to a file that the printed curl command sends.
const LONGEST_INLINE_BODY: usize = 2048;

static BODIES: OnceLock<PathBuf> = OnceLock::new();

/// Where the bodies too long to print go (`--report-dir`'s `bodies/`); the system's temporary
/// directory when it is not set before the first is written.
pub fn set_bodies_dir(dir: PathBuf) {
    let _ = BODIES.set(dir);
}

/// The path of a file holding `body`, named by its digest so each is written once.
fn body_file(body: &[u8]) -> String {
    let dir = BODIES.get_or_init(|| std::env::temp_dir().join("touchstone-bodies"));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(body, &mut hasher);
    let path = dir.join(format!("body-{:016x}", std::hash::Hasher::finish(&hasher)));
    if !path.exists() {
        let _ = std::fs::create_dir_all(dir);
        let _ = std::fs::write(&path, body);
    }
    path.display().to_string()
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}… ({} bytes in all)", s.len())
    }
}

/// POSIX shell single-quoting.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
