use http::StatusCode;
use serde::Serialize;

use crate::domain::Credentials;
use crate::error::ApiError;
use crate::http::body::Body;
use crate::http::json;
use crate::http::routes::Outcome;
use crate::state::State;

#[derive(Serialize)]
struct Token {
    access_token: String,
    token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
}

/// `POST /auth/login` (AUTH-01..04, AUTH-11).
pub async fn login(state: State, body: Body) -> Outcome {
    let v = &state.v;
    let value = body.json(v).await?;
    let credentials = Credentials::parse(&value, v).map_err(|errors| {
        if v.breaks("AUTH-04") {
            ApiError::BadCredentials
        } else {
            ApiError::Validation(errors)
        }
    })?;
    let user = state.store.find_by_username(&credentials.username)?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = state.hasher.verify(credentials.password, hash).await;
    let user = match user {
        Some(user) if verified && (user.is_active || v.breaks("AUTH-11")) => user,
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
