//! Secrets never reach the console or a report: every line the tool prints goes through
//! [`redact`], which hides the passwords it knows and anything shaped like a bearer token.

use std::sync::OnceLock;

use crate::run::PASSWORD;

static SECRETS: OnceLock<Vec<String>> = OnceLock::new();

/// Registers the secrets of this run (the admin's password); the users' password is always one.
pub fn register(secrets: Vec<String>) {
    let mut all: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
    all.push(PASSWORD.to_owned());
    let _ = SECRETS.set(all);
}

/// `text` with every known secret and every JWT-shaped word replaced by `***`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    let fallback = [PASSWORD.to_owned()];
    for secret in SECRETS.get().map(Vec::as_slice).unwrap_or(&fallback) {
        out = out.replace(secret.as_str(), "***");
    }
    hide_tokens(&out)
}

/// A JWT is three base64url parts joined by dots, the first starting `eyJ` (`{"`).
fn hide_tokens(text: &str) -> String {
    let is_part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        out.push_str(&rest[..at]);
        let word = &rest[at..];
        let len = word.find(|c: char| !is_part(c)).unwrap_or(word.len());
        if word[..len].matches('.').count() >= 2 {
            out.push_str("eyJ***");
        } else {
            out.push_str(&word[..len]);
        }
        rest = &word[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_in_a_line_is_cut_to_its_first_letters() {
        let line = "got {\"access_token\":\"eyJhbGciOi.eyJzdWIiOiIxIn0.c2lnbmF0dXJl\"} back";

        let shown = redact(line);

        assert!(!shown.contains("c2lnbmF0dXJl"));
        assert!(shown.contains("eyJ***"));
    }

    #[test]
    fn the_users_password_is_hidden_and_other_text_kept() {
        let shown = redact(&format!("sent {PASSWORD} to eyJ-not-a-token"));

        assert_eq!(shown, "sent *** to eyJ-not-a-token");
    }
}
