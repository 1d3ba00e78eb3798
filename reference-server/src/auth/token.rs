//! HS256 access tokens (AUTH-01, AUTH-02). The role is not in the token: it is read from the
//! store on every request, so a role change or deactivation applies at once (AUTH-11).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
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

#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
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
        let data = if unsigned || forged || asymmetric {
            jsonwebtoken::dangerous::insecure_decode_claims::<Claims>(token)
                .map_err(|_| TokenError::Invalid)?
        } else {
            decode::<Claims>(token, &self.decoding, &self.validation)
                .map_err(|e| match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                    _ => TokenError::Invalid,
                })?
                .claims
        };
        data.sub.parse().map_err(|_| TokenError::Invalid)
    }
}
