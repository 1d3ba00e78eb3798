//! HS256 access tokens (AUTH-01, AUTH-02). The role is not in the token: it is read from the
//! store on every request, so a role change or deactivation applies at once (AUTH-11).

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use quick_cache::sync::Cache;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::violations::Violations;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iat: u64,
    pub exp: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not valid")]
    Invalid,
    #[error("the token has expired")]
    Expired,
}

/// How many verified tokens are remembered: about one per client active at once.
const REMEMBERED: usize = 4096;

/// What a verified token says: whose it is and when it expires.
#[derive(Clone, Copy)]
struct Verified {
    user: u64,
    exp: u64,
}

#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Tokens whose signature has been verified, by their text: a client sends the same token
    /// with every request, and a signature that held once holds for ever, while verifying it
    /// again (decoding, the HMAC, the claims' JSON) was a fifth of the CPU of a GET. Only the
    /// expiry is checked again on every use.
    verified: Arc<Cache<String, Verified>>,
    pub ttl_secs: u64,
    v: Violations,
}

impl Tokens {
    pub fn new(secret: &str, ttl_secs: u64, v: Violations) -> Tokens {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        validation.validate_exp = !v.breaks("AUTH-09");
        Tokens {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            verified: Arc::new(Cache::new(REMEMBERED)),
            ttl_secs,
            v,
        }
    }

    /// Issues a token for user `id`; returns it with its lifetime.
    pub fn issue(&self, id: u64) -> Result<(String, u64), jsonwebtoken::errors::Error> {
        let iat = OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
        let ttl = if self.v.breaks("AUTH-02") {
            self.ttl_secs * 2
        } else {
            self.ttl_secs
        };
        let claims = Claims {
            sub: id.to_string(),
            iat,
            exp: iat + ttl,
        };
        Ok((
            encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?,
            self.ttl_secs,
        ))
    }

    /// The user id a token names, if its signature and expiry hold.
    pub fn verify(&self, token: &str) -> Result<u64, TokenError> {
        if let Some(known) = self.verified.get(token) {
            let now = OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
            // As jsonwebtoken judges it, with no leeway: expired once `exp` has passed.
            return if self.validation.validate_exp && known.exp < now {
                Err(TokenError::Expired)
            } else {
                Ok(known.user)
            };
        }
        let unsigned =
            self.v.breaks("AUTH-08") && token.ends_with('.') && token.matches('.').count() == 2;
        let forged = self.v.breaks("AUTH-07") || self.v.breaks("AUTH-10");
        // Bug `asymmetric-alg-unverified`: the HMAC algorithms are verified with the secret, and a
        // token naming a public-key one (RS256, ES256: meant for an identity provider that was
        // never configured) is read without a key.
        let asymmetric = self.v.breaks("asymmetric-alg-unverified")
            && jsonwebtoken::decode_header(token).is_ok_and(|h| {
                !matches!(
                    h.alg,
                    Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
                )
            });
        if unsigned || forged || asymmetric {
            let data = jsonwebtoken::dangerous::insecure_decode_claims::<Claims>(token)
                .map_err(|_| TokenError::Invalid)?;
            return data.sub.parse().map_err(|_| TokenError::Invalid);
        }
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?
            .claims;
        let user = claims.sub.parse().map_err(|_| TokenError::Invalid)?;
        let verified = Verified {
            user,
            exp: claims.exp,
        };
        self.verified.insert(token.to_owned(), verified);
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(ttl_secs: u64) -> Tokens {
        Tokens::new("a secret of the tests", ttl_secs, Violations::default())
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let tokens = tokens(1);
        let (token, _) = tokens.issue(7).unwrap();
        assert_eq!(tokens.verify(&token), Ok(7));
        // `exp` is the second after the one it was issued in: passed two seconds on.
        std::thread::sleep(std::time::Duration::from_millis(2100));
        assert_eq!(tokens.verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn only_a_token_whose_signature_held_is_remembered() {
        let tokens = tokens(60);
        let (token, _) = tokens.issue(7).unwrap();
        let forged = format!("{}x", token);
        assert_eq!(tokens.verify(&forged), Err(TokenError::Invalid));
        assert_eq!(tokens.verify(&forged), Err(TokenError::Invalid));
        assert_eq!(tokens.verify(&token), Ok(7));
        assert_eq!(tokens.verify(&token), Ok(7));
    }
}
