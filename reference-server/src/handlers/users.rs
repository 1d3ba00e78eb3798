use http::{HeaderMap, HeaderValue, StatusCode, header};
use time::OffsetDateTime;

use super::access::{authenticate, may_change, may_delete, may_update};
use crate::domain::{Changes, FieldError, Fields, Role, SignUp, User};
use crate::error::{ApiError, Reply};
use crate::http::body::Body;
use crate::http::json;
use crate::http::routes::Outcome;
use crate::state::{App, State};

fn shown(app: &App, status: StatusCode, user: &User) -> Outcome {
    json(status, &user.view(&app.v))
}

/// An `{id}` path segment; anything but a positive integer names no user (USR-02).
fn user_id(app: &App, raw: &str) -> Result<u64, ApiError> {
    match raw.parse::<u64>() {
        Ok(id) if id > 0 => Ok(id),
        _ if app.v.breaks("GEN-09") => Err(ApiError::Internal("unparsed id".into())),
        _ => Err(not_found(app)),
    }
}

fn not_found(app: &App) -> ApiError {
    if app.v.breaks("USR-02") {
        ApiError::MalformedJson("no such user".into())
    } else {
        ApiError::UserNotFound
    }
}

fn existing(app: &App, id: u64) -> Result<User, ApiError> {
    app.store.get(id)?.ok_or_else(|| not_found(app))
}

/// `POST /users` (USR-01, USR-04..10).
pub async fn create(state: State, body: Body) -> Outcome {
    let v = &state.v;
    let value = body.json(v).await?;
    let new = SignUp::parse(&value, v).map_err(ApiError::Validation)?;
    let password_hash = state
        .hasher
        .hash(new.password.expose().to_owned())
        .await
        .map_err(ApiError::Internal)?;
    let now = OffsetDateTime::now_utc();
    let user = state
        .store
        .create(|id| User {
            id,
            username: new.username,
            email: new.email,
            full_name: new.full_name,
            age: new.age,
            role: Role::User,
            is_active: true,
            password_hash,
            created_at: now,
            updated_at: now,
        })
        .await?;
    let mut reply = shown(&state, StatusCode::CREATED, &user)?;
    if !v.breaks("USR-01") {
        let location = HeaderValue::from_str(&format!("/api/v1/users/{}", user.id))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        reply.headers_mut().insert(header::LOCATION, location);
    }
    Ok(reply)
}

/// `GET /users/{id}` (USR-02), whole or with the members `fields` selects (COL-07).
pub async fn get(
    id: String,
    state: State,
    headers: HeaderMap,
    query: Vec<(String, String)>,
) -> Outcome {
    authenticate(&state, &headers)?;
    let user = existing(&state, user_id(&state, &id)?)?;
    match Fields::from_query(&query, &state.v).map_err(|e| ApiError::Validation(vec![e]))? {
        None => shown(&state, StatusCode::OK, &user),
        Some(fields) => fields
            .select(&user.view(&state.v))
            .map_err(|e| ApiError::Internal(e.to_string()))
            .and_then(|selected| json(StatusCode::OK, &selected)),
    }
}

/// `GET /users/me` (USR-16).
pub async fn me(state: State, headers: HeaderMap) -> Outcome {
    let caller = authenticate(&state, &headers)?;
    let caller = match state.v.breaks("USR-16") {
        true => state.store.page(0, 1)?.pop().unwrap_or(caller),
        false => caller,
    };
    shown(&state, StatusCode::OK, &caller)
}

/// `PUT /users/{id}` (USR-12, USR-14).
pub async fn replace(id: String, state: State, headers: HeaderMap, body: Body) -> Outcome {
    update(state, id, headers, body, Changes::parse_replace).await
}

/// `PATCH /users/{id}` (USR-13, USR-14).
pub async fn patch(id: String, state: State, headers: HeaderMap, body: Body) -> Outcome {
    update(state, id, headers, body, |value, v| {
        let mut changes = Changes::parse_patch(value, v)?;
        if v.breaks("USR-13") {
            changes.full_name.get_or_insert(None);
            changes.age.get_or_insert(None);
        }
        Ok(changes)
    })
    .await
}

type Parse =
    fn(&serde_json::Value, &crate::violations::Violations) -> Result<Changes, Vec<FieldError>>;

async fn update(state: State, id: String, headers: HeaderMap, body: Body, parse: Parse) -> Outcome {
    let actor = authenticate(&state, &headers)?;
    let id = user_id(&state, &id)?;
    let target = existing(&state, id)?;
    may_update(&state, &actor, &target)?;
    let value = body.json(&state.v).await?;
    let changes = parse(&value, &state.v).map_err(ApiError::Validation)?;
    may_change(&state, &actor, &target, &changes)?;
    let now = OffsetDateTime::now_utc();
    let frozen = state.v.breaks("USR-17");
    let user = state
        .store
        .update(id, |current| current.with(&changes, now, frozen).0)
        .await?
        .ok_or_else(|| not_found(&state))?;
    shown(&state, StatusCode::OK, &user)
}

/// `DELETE /users/{id}` (USR-15, ROLE-05).
pub async fn delete(id: String, state: State, headers: HeaderMap) -> Outcome {
    let actor = authenticate(&state, &headers)?;
    let id = user_id(&state, &id)?;
    let target = existing(&state, id)?;
    may_delete(&state, &actor, &target)?;
    if !state.store.delete(id).await? {
        return Err(not_found(&state));
    }
    if state.v.breaks("USR-15") {
        return shown(&state, StatusCode::OK, &target);
    }
    let mut reply = Reply::new(Vec::new().into());
    *reply.status_mut() = StatusCode::NO_CONTENT;
    Ok(reply)
}
