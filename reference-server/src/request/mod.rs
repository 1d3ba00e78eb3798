//! What a handler reads of a request: its body, and what its `Accept` admits. Below both the
//! handlers and the HTTP layer, which builds a `Body` from warp's request, so that dependencies run
//! one way.

mod accept;
mod body;
mod unique;

pub(crate) use accept::weighted;
pub use accept::{accepts, accepts_json};
pub use body::{Body, Chunks, LIMIT};
