//! `GET /events`: a WebSocket of the users' events (CONTRACT §16).

use std::sync::Arc;

use warp::Reply as _;
use warp::ws::Ws;

use super::access::authenticate;
use crate::auth::Credential;
use crate::error::ApiError;
use crate::events::deliver;
use crate::response::{Outcome, Reply};
use crate::state::State;

/// The largest message a subscriber may send: it has nothing to say but control frames.
const LARGEST_MESSAGE: usize = 4 * 1024;

/// Answers `101` and hands the connection to a subscription, once the caller is authenticated
/// (EVT-01); `426` to a request that is not an upgrade.
pub async fn subscribe(state: State, caller: Credential, upgrade: Option<Ws>) -> Outcome {
    // Bug `events-refusal-after-upgrade`: the upgrade is granted first and a bad credential
    // answered with a close frame, which a client's handshake takes for success.
    let late = state.v.breaks("events-refusal-after-upgrade") && upgrade.is_some();
    if !late {
        authenticate(&state, &caller)?;
    }
    // EVT-01 broken: a GET that is not an upgrade is not routed at all.
    let plain = match state.v.breaks("EVT-01") {
        true => ApiError::RouteNotFound,
        false => ApiError::UpgradeRequired,
    };
    let upgrade = upgrade.ok_or(plain)?;
    let events = state
        .events
        .subscribe()
        .ok_or(ApiError::Internal("the server is stopping".into()))?;
    let app = Arc::downgrade(&state);
    let upgrade = upgrade.max_message_size(LARGEST_MESSAGE);
    let response = upgrade
        .on_upgrade(move |socket| deliver(socket, events, app, caller))
        .into_response();
    // A 101 has no body; its headers are what the outbound layers see.
    let (parts, _) = response.into_parts();
    Ok(Reply::from_parts(parts, bytes::Bytes::new()))
}
