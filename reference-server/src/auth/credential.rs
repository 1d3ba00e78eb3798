//! The bearer token a request presents (AUTH-05..10), read once and verified at most once however
//! many layers ask: the rate limit for its identity (RATE-05), then the handler for its caller.

use std::cell::OnceCell;

use http::{HeaderMap, HeaderValue, header};

use super::{TokenError, Tokens};

/// Why a request names no user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` at all.
    Missing,
    /// An `Authorization` that is not `Bearer <token>` in visible ASCII.
    Malformed,
    /// Another scheme than `Bearer`.
    Scheme,
    /// A token whose signature or expiry fails.
    Token(TokenError),
}

pub struct Credential {
    authorization: Option<HeaderValue>,
    verified: OnceCell<Result<u64, Refusal>>,
}

impl Credential {
    pub fn of(headers: &HeaderMap) -> Credential {
        Credential {
            authorization: headers.get(header::AUTHORIZATION).cloned(),
            verified: OnceCell::new(),
        }
    }

    /// The id of the user whose valid token the request presents.
    pub fn user(&self, tokens: &Tokens) -> Result<u64, Refusal> {
        *self.verified.get_or_init(|| {
            let value = self.authorization.as_ref().ok_or(Refusal::Missing)?;
            let value = value.to_str().map_err(|_| Refusal::Malformed)?;
            let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(Refusal::Scheme);
            }
            tokens.verify(token.trim()).map_err(Refusal::Token)
        })
    }
}
