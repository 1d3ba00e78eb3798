//! API keys (CONTRACT §13): `POST` and `GET /api-keys`, `DELETE /api-keys/{id}`, for admins
//! only, and never by a key.

use http::StatusCode;
use serde_json::json;
use time::OffsetDateTime;

use super::access::authenticate;
use crate::auth::Credential;
use crate::domain::api_key::{ApiKey, Issued, NewKey, digest, secret};
use crate::domain::{Role, User};
use crate::error::ApiError;
use crate::request::Body;
use crate::response::{Outcome, json, no_content};
use crate::state::{App, State};

/// The admin managing keys with a token: a key never makes or revokes keys, so that one that
/// leaks cannot mint more.
fn manager(app: &App, caller: &Credential) -> Result<User, ApiError> {
    let actor = authenticate(app, caller)?;
    let by_key = caller.key().is_some() && !app.v.breaks("key-manages-keys");
    if (actor.role != Role::Admin && !app.v.breaks("KEY-02")) || by_key {
        return Err(ApiError::Forbidden(
            "only an admin, with a token, manages API keys",
        ));
    }
    Ok(actor)
}

/// `POST /api-keys` (KEY-01): the secret is in this answer and in no other.
pub async fn create(state: State, caller: Credential, body: Body) -> Outcome {
    let admin = manager(&state, &caller)?;
    let value = body.json(&state.v).await?;
    let new = NewKey::parse(&value).map_err(ApiError::Validation)?;
    let secret = secret();
    let build = |id| ApiKey {
        id,
        name: new.name,
        scope: new.scope,
        creator: admin.id,
        digest: digest(&secret),
        created_at: OffsetDateTime::now_utc(),
    };
    let key = state.store.create_key(build).await?;
    // KEY-01 broken: the answer shows a secret other than the one stored.
    let shown = if state.v.breaks("KEY-01") {
        self::secret()
    } else {
        secret
    };
    let issued = Issued {
        view: key.view(),
        key: &shown,
    };
    json(StatusCode::CREATED, &issued)
}

/// `GET /api-keys` (KEY-01): every key, none with its secret.
pub async fn list(state: State, caller: Credential) -> Outcome {
    manager(&state, &caller)?;
    let keys = state.store.keys()?;
    let items: Vec<_> = keys.iter().map(ApiKey::view).collect();
    json(StatusCode::OK, &json!({ "items": items }))
}

/// `DELETE /api-keys/{id}` (KEY-04).
pub async fn revoke(state: State, caller: Credential, id: String) -> Outcome {
    manager(&state, &caller)?;
    let id = id
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError::KeyNotFound)?;
    if !state.store.revoke_key(id).await? {
        return Err(ApiError::KeyNotFound);
    }
    no_content()
}
