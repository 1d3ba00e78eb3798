//! The credential a request presents, read once and verified at most once however many layers
//! ask: the rate limit for its identity (RATE-05, KEY-05), then the handler for its caller. A
//! bearer token names a user (AUTH-05..10); without one, an API key acts for the user who made it
//! (CONTRACT §13).

use std::cell::OnceCell;

use http::{HeaderMap, HeaderValue, Method, header};

use super::{TokenError, Tokens};

/// The field an API key is sent in.
pub const API_KEY: &str = "x-api-key";

/// Why a request names no user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` and no API key.
    Missing,
    /// An `Authorization` that is not `Bearer <token>` in visible ASCII.
    Malformed,
    /// Another scheme than `Bearer`.
    Scheme,
    /// A token whose signature or expiry fails.
    Token(TokenError),
    /// An API key the server does not hold: never issued, altered or revoked.
    Key,
}

/// What a valid API key grants, as the store knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub key: u64,
    /// The user it acts for.
    pub creator: u64,
    /// A `read` key: `GET` and `HEAD` only.
    pub read_only: bool,
}

/// Whom a request acts as: a user, and the key it came by if it came by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user: u64,
    pub key: Option<Grant>,
}

pub struct Credential {
    authorization: Option<HeaderValue>,
    api_key: Option<HeaderValue>,
    safe: bool,
    verified: OnceCell<Result<Principal, Refusal>>,
}

impl Credential {
    pub fn of(headers: &HeaderMap, method: &Method) -> Credential {
        Credential {
            authorization: headers.get(header::AUTHORIZATION).cloned(),
            api_key: headers.get(API_KEY).cloned(),
            safe: *method == Method::GET || *method == Method::HEAD,
            verified: OnceCell::new(),
        }
    }

    /// Whether the request only reads (`GET`, `HEAD`): all a `read` key may do.
    pub fn safe(&self) -> bool {
        self.safe
    }

    /// Whom the request acts as. `keys` finds what the secret of an API key grants; it is asked
    /// only when the request has no `Authorization`, which takes precedence.
    pub fn principal(
        &self,
        tokens: &Tokens,
        keys: impl FnOnce(&str) -> Option<Grant>,
    ) -> Result<Principal, Refusal> {
        *self.verified.get_or_init(|| {
            let Some(value) = self.authorization.as_ref() else {
                let secret = self.api_key.as_ref().ok_or(Refusal::Missing)?;
                let secret = secret.to_str().map_err(|_| Refusal::Key)?;
                let grant = keys(secret.trim()).ok_or(Refusal::Key)?;
                return Ok(Principal {
                    user: grant.creator,
                    key: Some(grant),
                });
            };
            let value = value.to_str().map_err(|_| Refusal::Malformed)?;
            let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(Refusal::Scheme);
            }
            let user = tokens.verify(token.trim()).map_err(Refusal::Token)?;
            Ok(Principal { user, key: None })
        })
    }

    /// The same credential, not yet verified: one held past its request (an events subscription)
    /// is verified again, since a token expires and a key is revoked.
    pub fn renewed(&self) -> Credential {
        Credential {
            authorization: self.authorization.clone(),
            api_key: self.api_key.clone(),
            safe: self.safe,
            verified: OnceCell::new(),
        }
    }

    /// The key the request came by, once `principal` has found it valid.
    pub fn key(&self) -> Option<Grant> {
        self.verified.get().and_then(|p| p.ok()).and_then(|p| p.key)
    }
}
