use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Hasher, Tokens};
use crate::domain::Cursors;
use crate::events::Hub;
use crate::http::cors::Cors;
use crate::metrics::Metrics;
use crate::rate_limit::Limits;
use crate::store::Store;
use crate::violations::Violations;

/// What every handler shares.
pub struct App {
    pub store: Store,
    pub hasher: Hasher,
    pub tokens: Tokens,
    /// Signs the cursors of `GET /users` (COL-04).
    pub cursors: Cursors,
    pub limits: Limits,
    pub metrics: Metrics,
    pub cors: Cors,
    pub v: Violations,
    /// How long a request's body may take to arrive after its header section.
    pub body_read_timeout: Duration,
    /// The OpenAPI document as served (GEN-10).
    pub openapi: bytes::Bytes,
    /// Wakes the background worker when a job is accepted (CONTRACT §15).
    pub jobs: Arc<tokio::sync::Notify>,
    /// Where user writes publish their events (CONTRACT §16).
    pub events: Hub,
}

pub type State = Arc<App>;
