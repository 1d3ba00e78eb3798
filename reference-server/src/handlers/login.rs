use std::net::IpAddr;

use http::StatusCode;
use serde::Serialize;

use crate::domain::Credentials;
use crate::error::ApiError;
use crate::rate_limit::{Identity, Standing};
use crate::request::Body;
use crate::response::Outcome;
use crate::response::json;
use crate::state::State;

#[derive(Serialize)]
struct Token {
    access_token: String,
    token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
}

/// Where logins are served: the `instance` of the problems this handler answers itself.
const PATH: &str = "/api/v1/auth/login";

/// `POST /auth/login` (AUTH-01..04, AUTH-11), limited per client and account (RATE-07): once the
/// account is known, the stricter login standing is what the response reports.
pub async fn login(state: State, client: IpAddr, body: Body) -> Outcome {
    let v = &state.v;
    let value = body.json(v).await?;
    let credentials = Credentials::parse(&value, v).map_err(|errors| {
        if v.breaks("AUTH-04") {
            ApiError::BadCredentials
        } else {
            ApiError::Validation(errors)
        }
    })?;
    let Some(limiter) = state.limits.login.as_ref() else {
        return attempt(&state, credentials).await;
    };
    let who = Identity::Login(client, credentials.username.to_lowercase());
    let (standing, outcome) = match limiter.check(&who) {
        Ok(standing) => (standing, attempt(&state, credentials).await),
        Err(standing) if v.breaks("RATE-03") => (
            Standing {
                retry_after: None,
                ..standing
            },
            attempt(&state, credentials).await,
        ),
        Err(standing) => (standing.clone(), Err(ApiError::TooManyRequests(standing))),
    };
    let mut reply = outcome.unwrap_or_else(|e| e.into_reply(PATH, v));
    standing.write(reply.headers_mut(), v);
    Ok(reply)
}

async fn attempt(state: &State, credentials: Credentials) -> Outcome {
    let v = &state.v;
    let user = state.store.find_by_username(&credentials.username)?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verification = state.hasher.verify(credentials.password, hash).await;
    if let Some(cost) = verification.cost {
        state.metrics.password_verified(cost);
    }
    let user = match user {
        Some(user) if verification.matches && (user.is_active || v.breaks("AUTH-11")) => user,
        None if v.breaks("AUTH-03") => return Err(ApiError::Unauthenticated("no such user")),
        _ => return Err(ApiError::BadCredentials),
    };
    let (access_token, ttl) = state
        .tokens
        .issue(user.id)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    json(
        StatusCode::OK,
        &Token {
            access_token,
            token_type: "bearer",
            expires_in: (!v.breaks("AUTH-01")).then_some(ttl),
        },
    )
}
