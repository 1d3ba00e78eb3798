//! What a handler answers with, below both the handlers and the HTTP layer that sends it on, so
//! that dependencies run one way: routes → handlers → domain and store, each using this.

use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::error::ApiError;

/// A response as the handlers and the outbound layers see it: the whole body in memory, so that
/// validators and compression can work on its bytes before it becomes warp's streaming body.
pub type Reply = http::Response<bytes::Bytes>;

/// A handler's answer: a response, or the error that becomes a problem (GEN-02).
pub type Outcome = Result<Reply, ApiError>;

/// Room for the fields a response ends up with (its own, the validators, the caching and
/// security fields, the rate limit's), so that the map is not grown several times on the way out.
const FIELDS: usize = 16;

/// A response with a body of `content_type`.
pub fn respond(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Reply {
    let mut reply = Reply::new(body.into());
    *reply.status_mut() = status;
    *reply.headers_mut() = HeaderMap::with_capacity(FIELDS);
    reply
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    reply
}

/// A JSON response.
pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Outcome {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(respond(status, "application/json", body))
}

/// `204 No Content`.
pub fn no_content() -> Outcome {
    let mut reply = Reply::new(Vec::new().into());
    *reply.status_mut() = StatusCode::NO_CONTENT;
    Ok(reply)
}
