//! The one place secrets leave printed text: every line the suite prints and every report it
//! writes goes through `Redactor::text`. Secrets are the ones the run was given or was handed
//! (passwords, tokens, header values), any JWT, and the value of any JSON member whose name holds
//! `password`, `token` or `secret`, wherever they appear: a curl command, a response, a title.

use std::sync::RwLock;

/// Shorter strings are not redacted by value: they would match ordinary text.
const SHORTEST_SECRET: usize = 6;

#[derive(Debug, Default)]
pub struct Redactor {
    /// `--show-secrets`: print everything as it is.
    off: bool,
    secrets: RwLock<Vec<String>>,
}

impl Redactor {
    pub fn new(show_secrets: bool) -> Redactor {
        Redactor {
            off: show_secrets,
            secrets: RwLock::new(Vec::new()),
        }
    }

    /// `secret` is never printed from now on.
    pub fn add(&self, secret: &str) {
        if secret.len() < SHORTEST_SECRET {
            return;
        }
        let mut secrets = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        if !secrets.iter().any(|s| s == secret) {
            secrets.push(secret.to_owned());
            // The longest first, so a secret that holds another is replaced whole.
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// `text` with every secret in it replaced.
    pub fn text(&self, text: &str) -> String {
        if self.off {
            return text.to_owned();
        }
        let mut text = members(text);
        for secret in self
            .secrets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "<redacted>");
            }
        }
        jwts(&text)
    }
}

/// Whether a JSON member of this name holds a secret.
fn secret_member(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["password", "token", "secret"]
        .iter()
        .any(|w| name.contains(w))
}

/// The string values of secret members replaced by their length: `"password": "<redacted, 9
/// characters>"`, which says what was sent without saying what it was.
fn members(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = string_end(after) else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        out.push('"');
        out.push_str(name);
        out.push('"');
        rest = &after[close + 1..];
        let colon = rest.len() - rest.trim_start().len();
        if secret_member(name)
            && rest[colon..].starts_with(':')
            && let Some(quote) = rest[colon + 1..].trim_start().strip_prefix('"')
            && let Some(end) = string_end(quote)
        {
            let gap = rest.len() - quote.len() - 1;
            out.push_str(&rest[..gap]);
            out.push_str(&format!("\"<redacted: {}>\"", describe(&quote[..end])));
            rest = &quote[end + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// What a redacted value was, without what it was: its length and the classes of character a
/// password rule asks for, so a refused password can still be told apart.
fn describe(value: &str) -> String {
    let has = |f: fn(&char) -> bool, name: &str| {
        if value.chars().any(|c| f(&c)) {
            name.to_owned()
        } else {
            format!("no {name}")
        }
    };
    format!(
        "{} characters; {}, {}, {}",
        value.chars().count(),
        has(char::is_ascii_uppercase, "uppercase"),
        has(char::is_ascii_lowercase, "lowercase"),
        has(char::is_ascii_digit, "digit")
    )
}

/// The byte index of the quote that closes a JSON string whose opening quote came just before.
fn string_end(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// Every JWT (`eyJ….….…`) cut to its first characters, which tell tokens apart.
fn jwts(text: &str) -> String {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        let len = candidate
            .find(|c: char| !(is_b64(c) || c == '.'))
            .unwrap_or(candidate.len());
        let token = &candidate[..len];
        if token.matches('.').count() >= 2 && len > 20 {
            out.push_str(&token[..12]);
            out.push_str("…<redacted>");
        } else {
            out.push_str(token);
        }
        rest = &candidate[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_secret_is_replaced_wherever_it_stands() {
        let r = Redactor::new(false);
        r.add("Admin-Passw0rd");
        let text = r.text("curl -d 'user=admin&pw=Admin-Passw0rd' and again Admin-Passw0rd");
        assert!(!text.contains("Admin-Passw0rd"), "{text}");
        assert_eq!(text.matches("<redacted>").count(), 2);
    }

    #[test]
    fn password_and_token_members_keep_only_their_length() {
        let r = Redactor::new(false);
        let text = r.text(r#"{"username":"a","password": "S3cret\"pass","access_token":"abc"}"#);
        assert_eq!(
            text,
            r#"{"username":"a","password": "<redacted: 12 characters; uppercase, lowercase, digit>","access_token":"<redacted: 3 characters; no uppercase, lowercase, no digit>"}"#
        );
    }

    #[test]
    fn a_jwt_keeps_its_first_characters_only() {
        let r = Redactor::new(false);
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        let text = r.text(&format!("-H 'Authorization: Bearer {token}'"));
        assert_eq!(text, "-H 'Authorization: Bearer eyJhbGciOiJI…<redacted>'");
    }

    #[test]
    fn show_secrets_prints_everything() {
        let r = Redactor::new(true);
        r.add("Admin-Passw0rd");
        assert_eq!(
            r.text(r#"{"password":"Admin-Passw0rd"}"#),
            r#"{"password":"Admin-Passw0rd"}"#
        );
    }
}
