//! Avatars (CONTRACT §14): `PUT`, `GET` and `DELETE /users/{id}/avatar`.

use http::{HeaderMap, StatusCode};

use super::access::{authenticate, owner_or_admin};
use super::users::{existing, user_id};
use crate::auth::Credential;
use crate::domain::User;
use crate::domain::avatar::{Image, MOST_BYTES};
use crate::error::ApiError;
use crate::request::Body;
use crate::request::accepts;
use crate::response::{Outcome, no_content, respond};
use crate::state::{App, State};

/// The user the path names, once the caller is known to be that user or an admin.
fn changer(app: &App, caller: &Credential, raw_id: &str) -> Result<User, ApiError> {
    let actor = authenticate(app, caller)?;
    let user = existing(app, user_id(app, raw_id)?)?;
    let why = "only the user and admins may change the user's avatar";
    owner_or_admin(app, &actor, user.id, "AVT-04", why)?;
    Ok(user)
}

/// `PUT /users/{id}/avatar` (AVT-01..03): the declared type is checked before the body is read,
/// the size while it is, and the content once it has been.
pub async fn put(state: State, caller: Credential, id: String, body: Body) -> Outcome {
    let v = &state.v;
    let user = changer(&state, &caller, &id)?;
    let declared = body
        .media_type()
        .as_deref()
        .and_then(Image::declared)
        .ok_or(ApiError::UnsupportedImage)?;
    // Bug `avatar-size-checked-after-read`: the whole body is read, then measured.
    let late = v.breaks("avatar-size-checked-after-read");
    let most = if v.breaks("AVT-03") || late {
        4 * MOST_BYTES
    } else {
        MOST_BYTES
    };
    let bytes = body.bytes(most).await?;
    if late && bytes.len() > MOST_BYTES {
        return Err(ApiError::PayloadTooLarge(MOST_BYTES));
    }
    // Bug `avatar-type-trusted`: the declared type is believed and the content never looked at.
    let trusted = v.breaks("AVT-02") || v.breaks("avatar-type-trusted");
    if Image::sniff(&bytes) != Some(declared) && !trusted {
        return Err(ApiError::UnsupportedImage);
    }
    if !state.store.put_avatar(user.id, declared, &bytes).await? {
        return Err(ApiError::UserNotFound);
    }
    no_content()
}

/// `GET /users/{id}/avatar` (AVT-01): the image as stored, to any authenticated caller whose
/// `Accept` admits its type.
pub async fn get(state: State, caller: Credential, id: String, headers: HeaderMap) -> Outcome {
    authenticate(&state, &caller)?;
    let user = existing(&state, user_id(&state, &id)?)?;
    let (image, bytes) = state
        .store
        .avatar(user.id)?
        .ok_or(ApiError::AvatarNotFound)?;
    if !accepts(&headers, image.media_type()) && !state.v.breaks("HTTP-07") {
        return Err(ApiError::NotAcceptable);
    }
    let media = if state.v.breaks("AVT-01") {
        "application/octet-stream"
    } else {
        image.media_type()
    };
    Ok(respond(StatusCode::OK, media, bytes))
}

/// `DELETE /users/{id}/avatar` (AVT-05).
pub async fn delete(state: State, caller: Credential, id: String) -> Outcome {
    let user = changer(&state, &caller, &id)?;
    // AVT-05 broken: the removal is acknowledged and never made.
    if state.v.breaks("AVT-05") {
        return no_content();
    }
    if !state.store.delete_avatar(user.id).await? {
        return Err(ApiError::AvatarNotFound);
    }
    no_content()
}
