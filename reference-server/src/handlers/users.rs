use http::{HeaderMap, HeaderValue, StatusCode, header};
use time::OffsetDateTime;

use super::access::{authenticate, may_change, may_delete, may_reach, may_update};
use crate::auth::Credential;
use crate::domain::{Changes, FieldError, Fields, Role, SignUp, User};
use crate::error::ApiError;
use crate::request::Body;
use crate::response::Outcome;
use crate::response::json;
use crate::response::no_content;
use crate::state::{App, State};
use crate::store::{Idempotency, StoreError};
use crate::validators::{Precondition, http_date, tag_of};
use crate::violations::Violations;

fn shown(app: &App, status: StatusCode, user: &User) -> Outcome {
    json(status, &user.view(&app.v))
}

/// An `{id}` path segment; anything but a positive integer names no user (USR-02).
pub(super) fn user_id(app: &App, raw: &str) -> Result<u64, ApiError> {
    let numeric = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    // Read as a signed 64-bit column: a number past i64::MAX is a bad request.
    if app.v.breaks("id-parsed-as-i64") && numeric && raw.parse::<i64>().is_err() {
        return Err(ApiError::MalformedJson("invalid id".into()));
    }
    // Read as u64, then narrowed to a 32-bit key: 2^32 + n names user n.
    if app.v.breaks("id-truncated-to-u32")
        && let Ok(id) = raw.parse::<u64>()
        && id as u32 > 0
    {
        return Ok(u64::from(id as u32));
    }
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

pub(super) fn existing(app: &App, id: u64) -> Result<User, ApiError> {
    app.store.get(id)?.ok_or_else(|| not_found(app))
}

/// The `Idempotency-Key` of a sign-up (HTTP-09): 1-255 visible ASCII characters.
fn idempotency(
    app: &App,
    headers: &HeaderMap,
    body: &serde_json::Value,
) -> Result<Option<Idempotency>, ApiError> {
    let Some(key) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    if app.v.breaks("HTTP-09") {
        return Ok(None);
    }
    let bytes = key.as_bytes();
    if bytes.is_empty() && app.v.breaks("idempotency-key-unbounded") {
        return Ok(None);
    }
    let sized = (1..=255).contains(&bytes.len()) || app.v.breaks("idempotency-key-unbounded");
    let visible = bytes.iter().all(|b| (0x21..=0x7e).contains(b))
        || app.v.breaks("idempotency-key-any-characters");
    if !sized || !visible {
        return Err(ApiError::Validation(vec![FieldError::new(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        )]));
    }
    Ok(Some(Idempotency::new(
        &String::from_utf8_lossy(bytes),
        body,
    )))
}

/// The answer to a sign-up, first made or replayed for its idempotency key.
fn created(app: &App, user: &User, replayed: bool) -> Outcome {
    let mut reply = shown(app, StatusCode::CREATED, user)?;
    if !app.v.breaks("USR-01") {
        let location = HeaderValue::from_str(&format!("/api/v1/users/{}", user.id))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        reply.headers_mut().insert(header::LOCATION, location);
    }
    if replayed {
        reply
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(reply)
}

/// `POST /users` (USR-01, USR-04..10, HTTP-09).
pub async fn create(state: State, headers: HeaderMap, body: Body) -> Outcome {
    let v = &state.v;
    let value = body.json(v).await?;
    let key = idempotency(&state, &headers, &value)?;
    // A replay is answered before the password is hashed again.
    if let Some(user) = key
        .as_ref()
        .map(|k| state.store.idempotent(k))
        .transpose()?
        .flatten()
    {
        return created(&state, &user, true);
    }
    let new = SignUp::parse(&value, v).map_err(ApiError::Validation)?;
    let password_hash = state
        .hasher
        .hash(new.password.expose().to_owned())
        .await
        .map_err(ApiError::Internal)?;
    let now = OffsetDateTime::now_utc();
    let build = |id| User {
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
    };
    match state.store.create(build, key.as_ref()).await {
        // A concurrent request with the same key won the race.
        Err(StoreError::Replay(user)) => created(&state, &user, true),
        outcome => {
            let user = outcome?;
            // Its welcome is queued with it (JOB-04).
            state.jobs.notify_one();
            state.events.created(&user);
            created(&state, &user, false)
        }
    }
}

/// `GET /users/{id}` (USR-02), whole or with the members `fields` selects (COL-07).
pub async fn get(
    id: String,
    state: State,
    caller: Credential,
    query: Vec<(String, String)>,
) -> Outcome {
    authenticate(&state, &caller)?;
    let user = existing(&state, user_id(&state, &id)?)?;
    let mut reply =
        match Fields::from_query(&query, &state.v).map_err(|e| ApiError::Validation(vec![e]))? {
            None => shown(&state, StatusCode::OK, &user)?,
            Some(fields) => fields
                .select(&user.view(&state.v))
                .map_err(|e| ApiError::Internal(e.to_string()))
                .and_then(|selected| json(StatusCode::OK, &selected))?,
        };
    reply
        .headers_mut()
        .insert(header::LAST_MODIFIED, http_date(user.updated_at));
    Ok(reply)
}

/// `GET /users/me` (USR-16).
pub async fn me(state: State, caller: Credential) -> Outcome {
    let caller = authenticate(&state, &caller)?;
    let caller = match state.v.breaks("USR-16") {
        true => state.store.page(0, 1)?.pop().unwrap_or(caller),
        false => caller,
    };
    shown(&state, StatusCode::OK, &caller)
}

/// `PUT /users/{id}` (USR-12, USR-14).
pub async fn replace(
    id: String,
    state: State,
    caller: Credential,
    headers: HeaderMap,
    body: Body,
) -> Outcome {
    update(state, id, caller, headers, body, Changes::parse_replace).await
}

/// `PATCH /users/{id}` (USR-13, USR-14).
pub async fn patch(
    id: String,
    state: State,
    caller: Credential,
    headers: HeaderMap,
    body: Body,
) -> Outcome {
    let merge = body.is_merge_patch();
    let parse = if merge { merge_patch } else { json_patch };
    update(state, id, caller, headers, body, parse).await
}

fn json_patch(value: &serde_json::Value, v: &Violations) -> Result<Changes, Vec<FieldError>> {
    patch_of(value, v, false)
}

fn merge_patch(value: &serde_json::Value, v: &Violations) -> Result<Changes, Vec<FieldError>> {
    patch_of(value, v, true)
}

fn patch_of(
    value: &serde_json::Value,
    v: &Violations,
    merge: bool,
) -> Result<Changes, Vec<FieldError>> {
    let mut changes = Changes::parse_patch(value, v, merge)?;
    if v.breaks("USR-13") {
        changes.full_name.get_or_insert(None);
        changes.age.get_or_insert(None);
    }
    Ok(changes)
}

/// The request's `If-Match`, checked before the body is read (RFC 9110 §13.2.2: preconditions
/// come after authentication and permission, before the content is processed).
fn unchanged(app: &App, headers: &HeaderMap, target: &User) -> Result<Precondition, ApiError> {
    let precondition = Precondition::of(headers);
    if precondition.holds(|| tag_of(&target.view(&app.v)), &app.v) {
        Ok(precondition)
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

type Parse = fn(&serde_json::Value, &Violations) -> Result<Changes, Vec<FieldError>>;

async fn update(
    state: State,
    id: String,
    caller: Credential,
    headers: HeaderMap,
    body: Body,
    parse: Parse,
) -> Outcome {
    let actor = authenticate(&state, &caller)?;
    let id = user_id(&state, &id)?;
    may_reach(&state, &actor, id)?;
    let target = existing(&state, id)?;
    // Bug `merge-patch-skips-permissions`: merge patches, served by a handler added later, check
    // who the caller is but never what they may do.
    let unguarded = body.is_merge_patch() && state.v.breaks("merge-patch-skips-permissions");
    if !unguarded {
        may_update(&state, &actor, &target)?;
    }
    let precondition = unchanged(&state, &headers, &target)?;
    let value = body.json(&state.v).await?;
    let changes = parse(&value, &state.v).map_err(ApiError::Validation)?;
    if !unguarded {
        may_change(&state, &actor, &target, &changes)?;
    }
    let now = OffsetDateTime::now_utc();
    let frozen = state.v.breaks("USR-17");
    // Bug `if-match-write-not-applied`: a conditional write whose compare-and-swap matches no
    // row, with the row count unchecked, answers the change it never stored.
    if state.v.breaks("if-match-write-not-applied") && headers.contains_key(header::IF_MATCH) {
        return shown(
            &state,
            StatusCode::OK,
            &target.with(&changes, now, frozen).0,
        );
    }
    let v = &state.v;
    // Bug `event-before-write`: the event is published as the write is sent to the store, so a
    // write the store refuses (a taken username, 409) has announced a change that never was.
    let announced = v.breaks("event-before-write");
    if announced {
        state.events.updated(&target.with(&changes, now, frozen).0);
    }
    let user = state
        .store
        .update(id, |current| {
            // Checked again on the record the write applies to, so a write racing this one
            // cannot slip in between the check and the update.
            if !precondition.holds(|| tag_of(&current.view(v)), v) {
                return Err(StoreError::Precondition);
            }
            let (mut next, _) = current.with(&changes, now, frozen);
            // "Changed" computed over every field but age.
            if v.breaks("updated-at-ignores-age") {
                let others = Changes {
                    age: None,
                    ..changes.clone()
                };
                if !current.with(&others, now, true).1 {
                    next.updated_at = current.updated_at;
                }
            }
            Ok(next)
        })
        .await?
        .ok_or_else(|| not_found(&state))?;
    // Bug `event-of-stale-user`: the event is made from the record the handler read, before the
    // change.
    match v.breaks("event-of-stale-user") {
        true => state.events.updated(&target),
        false if !announced => state.events.updated(&user),
        false => {}
    }
    shown(&state, StatusCode::OK, &user)
}

/// `DELETE /users/{id}` (USR-15, ROLE-05).
pub async fn delete(id: String, state: State, caller: Credential, headers: HeaderMap) -> Outcome {
    let actor = authenticate(&state, &caller)?;
    let id = user_id(&state, &id)?;
    may_reach(&state, &actor, id)?;
    let target = existing(&state, id)?;
    may_delete(&state, &actor, &target)?;
    let precondition = unchanged(&state, &headers, &target)?;
    let v = &state.v;
    if v.breaks("if-match-write-not-applied") && headers.contains_key(header::IF_MATCH) {
        return no_content();
    }
    let deleted = state.store.delete(id, |current| {
        match precondition.holds(|| tag_of(&current.view(v)), v) {
            true => Ok(()),
            false => Err(StoreError::Precondition),
        }
    });
    if !deleted.await? {
        return Err(not_found(&state));
    }
    state.events.deleted(id);
    if state.v.breaks("USR-15") {
        return shown(&state, StatusCode::OK, &target);
    }
    no_content()
}
