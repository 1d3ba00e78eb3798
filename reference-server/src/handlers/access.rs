//! Who the caller is (AUTH-05..11) and what they may do to whom (ROLE-02..06).

use crate::auth::{Credential, Grant, Refusal, TokenError};
use crate::domain::api_key::{Scope, digest};
use crate::domain::{Changes, Role, User};
use crate::error::{ApiError, MISSING};
use crate::state::App;

/// What the secret of an API key grants, if the server holds it (CONTRACT §13).
pub fn grant(app: &App, secret: &str) -> Option<Grant> {
    let key = app
        .store
        .key_by_digest(&digest(secret))
        .map_err(|e| tracing::error!(error = %e, "API key lookup failed"))
        .ok()
        .flatten()?;
    Some(Grant {
        key: key.id,
        creator: key.creator,
        read_only: key.scope == Scope::Read,
    })
}

/// The active user the request's bearer token names, or whom its API key acts for.
pub fn authenticate(app: &App, credential: &Credential) -> Result<User, ApiError> {
    const NOT_BEARER: &str = "the Authorization header must be `Bearer <token>`";
    let principal = credential
        .principal(&app.tokens, |secret| grant(app, secret))
        .map_err(|refusal| match refusal {
            Refusal::Missing => ApiError::Unauthenticated(MISSING),
            Refusal::Malformed => ApiError::Unauthenticated(NOT_BEARER),
            Refusal::Scheme if app.v.breaks("AUTH-06") => {
                ApiError::MalformedJson("unsupported scheme".into())
            }
            Refusal::Scheme => ApiError::Unauthenticated(NOT_BEARER),
            Refusal::Token(TokenError::Expired) => {
                ApiError::Unauthenticated("the token has expired")
            }
            Refusal::Token(TokenError::Invalid) => {
                ApiError::Unauthenticated("the token is not valid")
            }
            Refusal::Key => ApiError::Unauthenticated("the API key is not valid"),
        })?;
    let user = app
        .store
        .get(principal.user)?
        .ok_or(ApiError::Unauthenticated(
            "the token's user no longer exists",
        ))?;
    // Bug `key-outlives-creator`: a key is checked for existence, not for whom it acts for.
    let unchecked = principal.key.is_some() && app.v.breaks("key-outlives-creator");
    if !user.is_active && !app.v.breaks("AUTH-11") && !unchecked {
        return Err(ApiError::Unauthenticated("the account is deactivated"));
    }
    let read_only = principal.key.is_some_and(|k| k.read_only);
    if read_only && !credential.safe() && !app.v.breaks("KEY-03") {
        return Err(ApiError::Forbidden("a read key may only GET and HEAD"));
    }
    Ok(user)
}

/// Whether `actor` may reach user `id` at all, before it is looked up: always, since a user that
/// does not exist is `404` whoever asks (CONTRACT §1). Only a realistic bug refuses here, on the
/// id alone.
pub fn may_reach(app: &App, actor: &User, id: u64) -> Result<(), ApiError> {
    let owner_first = app.v.breaks("missing-user-forbidden-first");
    if owner_first && actor.id != id && actor.role != Role::Admin {
        return Err(ApiError::Forbidden("only an admin may change another user"));
    }
    Ok(())
}

/// Whether `actor` may reach what belongs to user `owner` (its orders, avatar, exports and
/// notifications): only that user and admins may (ORD-03, AVT-04, JOB-03, JOB-04); anyone else is
/// answered `403` with `why`. `clause` is the one whose proof breaks this test here.
pub fn owner_or_admin(
    app: &App,
    actor: &User,
    owner: u64,
    clause: &str,
    why: &'static str,
) -> Result<(), ApiError> {
    if actor.id == owner || actor.role == Role::Admin || app.v.breaks(clause) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(why))
    }
}

/// Whether `actor` may update `target` at all, before its body is read.
pub fn may_update(app: &App, actor: &User, target: &User) -> Result<(), ApiError> {
    let moderating = actor.role == Role::Moderator && target.role == Role::User;
    // Broken, every permission waits for `may_change`, after the body was read and validated.
    let deferred = app.v.breaks("GEN-12") || app.v.breaks("update-validated-before-ownership");
    if actor.id == target.id
        || actor.role == Role::Admin
        || moderating
        || app.v.breaks("ROLE-02")
        || deferred
    {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only an admin may change another user"))
    }
}

/// Whether `actor` may make these particular changes to `target`.
pub fn may_change(
    app: &App,
    actor: &User,
    target: &User,
    changes: &Changes,
) -> Result<(), ApiError> {
    let v = &app.v;
    if v.breaks("change-checked-after-uniqueness")
        && let Some(name) = &changes.username
        && app
            .store
            .find_by_username(name.as_str())?
            .is_some_and(|holder| holder.id != target.id)
    {
        return Err(ApiError::Conflict(crate::store::Unique::Username));
    }
    if actor.role == Role::Admin {
        let privileged = changes.role.is_some() || changes.is_active.is_some();
        if privileged && v.breaks("ROLE-04") {
            return Err(ApiError::Forbidden("admins may not change roles"));
        }
        return Ok(());
    }
    if actor.id == target.id {
        let escalates = changes.role.is_some_and(|r| r != target.role)
            || changes.is_active.is_some_and(|a| a != target.is_active);
        if escalates && !v.breaks("ROLE-03") {
            return Err(ApiError::Forbidden(
                "only an admin may change a role or an account's activation",
            ));
        }
        return Ok(());
    }
    let moderating =
        actor.role == Role::Moderator && target.role == Role::User && changes.only_activation();
    if (moderating && !v.breaks("ROLE-06")) || v.breaks("ROLE-02") {
        return Ok(());
    }
    Err(ApiError::Forbidden(if moderating {
        "moderators may not change activation"
    } else {
        "only an admin may change another user"
    }))
}

/// Whether `actor` may delete `target` (ROLE-05).
pub fn may_delete(app: &App, actor: &User, target: &User) -> Result<(), ApiError> {
    if actor.id == target.id || actor.role == Role::Admin || app.v.breaks("ROLE-05") {
        Ok(())
    } else {
        Err(ApiError::Forbidden("only an admin may delete another user"))
    }
}
