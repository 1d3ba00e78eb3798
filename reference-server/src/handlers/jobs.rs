//! Exports as background jobs (CONTRACT §15): `POST /users/{id}/exports` accepts one (202),
//! `GET /jobs/{id}` tells how it stands and `GET /jobs/{id}/result` answers what it made.

use http::{HeaderValue, StatusCode, header};

use super::access::{authenticate, owner_or_admin};
use super::users::{existing, user_id};
use crate::auth::Credential;
use crate::domain::job::{Job, Kind, Status, job_path};
use crate::error::ApiError;
use crate::response::{Outcome, json};
use crate::state::{App, State};

/// `POST /users/{id}/exports` (JOB-01): recorded durably, then made in the background.
pub async fn export(state: State, caller: Credential, id: String) -> Outcome {
    let actor = authenticate(&state, &caller)?;
    let user = existing(&state, user_id(&state, &id)?)?;
    let why = "only the user and admins may export the user's data";
    owner_or_admin(&state, &actor, user.id, "JOB-03", why)?;
    // Bug `export-answered-synchronously`: the export is made in the request and answered 200.
    if state.v.breaks("export-answered-synchronously") {
        let made = crate::jobs::export(&state, user.id).map_err(ApiError::Internal)?;
        return json(StatusCode::OK, &made);
    }
    let job = state.store.create_job(user.id, Kind::Export).await?;
    state.jobs.notify_one();
    let mut reply = json(StatusCode::ACCEPTED, &job.view(&state.v))?;
    if !state.v.breaks("JOB-01") {
        let location = HeaderValue::from_str(&job_path(job.id))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        reply.headers_mut().insert(header::LOCATION, location);
    }
    Ok(reply)
}

/// `GET /users/{id}/notifications` (JOB-04): the user's welcome, pending or sent.
pub async fn notifications(state: State, caller: Credential, id: String) -> Outcome {
    let actor = authenticate(&state, &caller)?;
    let user = existing(&state, user_id(&state, &id)?)?;
    let why = "only the user and admins may read the user's notifications";
    owner_or_admin(&state, &actor, user.id, "JOB-04", why)?;
    let welcomes = state.store.jobs_of(user.id, Kind::Welcome)?;
    let items: Vec<_> = welcomes.iter().map(Job::notification).collect();
    json(StatusCode::OK, &serde_json::json!({ "items": items }))
}

/// The job `raw` names, once the caller is known to be its user or an admin.
fn readable(app: &App, caller: &Credential, raw: &str) -> Result<Job, ApiError> {
    let actor = authenticate(app, caller)?;
    let id = raw.parse::<u64>().map_err(|_| ApiError::JobNotFound)?;
    // A welcome is read as a notification of its user's, not as a job.
    let job = app
        .store
        .job(id)?
        .filter(|j| j.kind == Kind::Export)
        .ok_or(ApiError::JobNotFound)?;
    let why = "only its user and admins may read a job";
    owner_or_admin(app, &actor, job.user_id, "JOB-03", why)?;
    Ok(job)
}

/// `GET /jobs/{id}` (JOB-01).
pub async fn get(state: State, caller: Credential, id: String) -> Outcome {
    let job = readable(&state, &caller, &id)?;
    json(StatusCode::OK, &job.view(&state.v))
}

/// `GET /jobs/{id}/result` (JOB-02): the export, once the job is done.
pub async fn result(state: State, caller: Credential, id: String) -> Outcome {
    let job = readable(&state, &caller, &id)?;
    match (job.status, job.result) {
        (Status::Done, Some(result)) => json(StatusCode::OK, &result),
        _ => Err(ApiError::JobNotFound),
    }
}
