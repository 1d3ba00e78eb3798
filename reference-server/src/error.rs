//! The one error type of the HTTP layer, and the one place it becomes a response: an RFC 9457
//! problem (GEN-02). Internal errors are logged with their cause and never shown.

use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::domain::FieldError;
use crate::rate_limit::Standing;
use crate::response::Reply;
use crate::store::{StoreError, Unique};
use crate::violations::Violations;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not well-formed JSON (GEN-03).
    #[error("the request body is not well-formed JSON: {0}")]
    MalformedJson(String),
    /// 400: `X-API-Version` names a version this server does not serve (VER-02).
    #[error("this server serves version 1 of the API: X-API-Version must be 1 or 1.0")]
    UnsupportedVersion,
    /// 401: no usable credential (AUTH-05..11); always with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// 401: a failed login, the same whatever failed (AUTH-03).
    #[error("the username or password is wrong")]
    BadCredentials,
    /// 403: authenticated but not allowed (ROLE-*).
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404: no user with this id (USR-02).
    #[error("there is no user with this id")]
    UserNotFound,
    /// 404: no job with this id, or no result of it yet (CONTRACT §15).
    #[error("there is no job with this id, or it has no result yet")]
    JobNotFound,
    /// 404: the user has no avatar (AVT-05).
    #[error("the user has no avatar")]
    AvatarNotFound,
    /// 415: an avatar that is not a PNG, JPEG, GIF or WebP image of the type it is declared as
    /// (AVT-02).
    #[error("an avatar must be a PNG, JPEG, GIF or WebP image, sent as its own media type")]
    UnsupportedImage,
    /// 404: no API key with this id (KEY-04).
    #[error("there is no API key with this id")]
    KeyNotFound,
    /// 404: the user has no order with this id (ORD-04).
    #[error("the user has no order with this id")]
    OrderNotFound,
    /// 404: no route (GEN-01).
    #[error("no resource is served at this path")]
    RouteNotFound,
    /// 405: a known path, another method (GEN-11); carries the methods it allows.
    #[error("this path does not support the method; see the Allow header")]
    MethodNotAllowed(&'static str),
    /// 406: the request's `Accept` admits no JSON (HTTP-07).
    #[error("this API answers application/json; the Accept header rules it out")]
    NotAcceptable,
    /// 408: the body did not arrive in time; the connection is closed after the answer.
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    /// 409: a unique field is taken (USR-04, USR-05).
    #[error("the {} is already taken", match .0 { Unique::Username => "username", Unique::Email => "email" })]
    Conflict(Unique),
    /// 412: `If-Match` does not name the current representation (HTTP-03).
    #[error("the user has changed since the tag in If-Match; fetch it again")]
    PreconditionFailed,
    /// 426: the events route asked for without a WebSocket upgrade (EVT-01).
    #[error("this route is a WebSocket: ask for it as an upgrade to websocket")]
    UpgradeRequired,
    /// 413: the body is over the limit (GEN-06).
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: the body is not of a JSON media type (GEN-05).
    #[error("the request body must be application/json")]
    UnsupportedMediaType,
    /// 422: the body or query breaks the field rules (GEN-04).
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// 431: the header section is over the limit (GEN-14).
    #[error("the request's header section is larger than {0} bytes")]
    HeaderFieldsTooLarge(usize),
    /// 429: the caller's identity is over its rate limit (RATE-03); carries its standing.
    #[error("too many requests; retry after {} seconds", .0.retry_after.unwrap_or(1))]
    TooManyRequests(Standing),
    /// 503: the store does not answer (`/ready`).
    #[error("the store is not available")]
    NotReady,
    /// 500: logged, never detailed to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Conflict(which) => ApiError::Conflict(which),
            StoreError::Precondition => ApiError::PreconditionFailed,
            StoreError::KeyReused => ApiError::Validation(vec![FieldError::new(
                "Idempotency-Key",
                "this key was used with another request body",
            )]),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) | ApiError::UnsupportedVersion => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated(_) | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::UserNotFound
            | ApiError::OrderNotFound
            | ApiError::KeyNotFound
            | ApiError::AvatarNotFound
            | ApiError::JobNotFound
            | ApiError::RouteNotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UpgradeRequired => StatusCode::UPGRADE_REQUIRED,
            ApiError::UnsupportedMediaType | ApiError::UnsupportedImage => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::HeaderFieldsTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::NotReady => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed-json",
            ApiError::UnsupportedVersion => "unsupported-version",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::BadCredentials => "bad-credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::UserNotFound => "user-not-found",
            ApiError::OrderNotFound => "order-not-found",
            ApiError::KeyNotFound => "api-key-not-found",
            ApiError::AvatarNotFound => "avatar-not-found",
            ApiError::JobNotFound => "job-not-found",
            ApiError::UnsupportedImage => "unsupported-image",
            ApiError::RouteNotFound => "not-found",
            ApiError::MethodNotAllowed(_) => "method-not-allowed",
            ApiError::NotAcceptable => "not-acceptable",
            ApiError::PreconditionFailed => "precondition-failed",
            ApiError::RequestTimeout => "request-timeout",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UpgradeRequired => "upgrade-required",
            ApiError::UnsupportedMediaType => "unsupported-media-type",
            ApiError::Validation(_) => "validation",
            ApiError::TooManyRequests(_) => "too-many-requests",
            ApiError::HeaderFieldsTooLarge(_) => "header-fields-too-large",
            ApiError::NotReady => "not-ready",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The problem document for this error at `instance`.
    pub fn into_reply(self, instance: &str, v: &Violations) -> Reply {
        let status = self.status();
        let detail = match &self {
            ApiError::Internal(cause) => {
                tracing::error!(%cause, instance, "request failed");
                "the server could not complete the request".to_string()
            }
            other => other.to_string(),
        };
        let errors = match &self {
            ApiError::Validation(errors) => Some(errors.as_slice()),
            _ => None,
        };
        let problem = Problem {
            r#type: format!("https://touchstone.dev/problems/{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail,
            instance,
            errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let content_type = if v.breaks("GEN-02") {
            "application/json"
        } else {
            "application/problem+json"
        };
        let mut reply = crate::response::respond(status, content_type, body);
        let headers = reply.headers_mut();
        if status == StatusCode::UNAUTHORIZED && !v.breaks("AUTH-05") {
            let challenge = match self {
                ApiError::Unauthenticated(d) if d != MISSING => {
                    r#"Bearer realm="touchstone", error="invalid_token""#
                }
                _ => r#"Bearer realm="touchstone""#,
            };
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        // RFC 9110 §15.5.9: the rest of the body is not waited for.
        if status == StatusCode::REQUEST_TIMEOUT {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        // RFC 9110 §15.5.22: a 426 names the protocol to upgrade to.
        if status == StatusCode::UPGRADE_REQUIRED {
            headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        }
        if let ApiError::TooManyRequests(standing) = &self {
            standing.write(headers, v);
        }
        if let ApiError::MethodNotAllowed(allow) = self
            && !v.breaks("GEN-11")
        {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        reply
    }
}

/// The detail of a 401 for a request without credentials.
pub const MISSING: &str = "this request needs an Authorization: Bearer token";

#[derive(Serialize)]
struct Problem<'a> {
    r#type: String,
    title: &'a str,
    status: u16,
    detail: String,
    instance: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
}
