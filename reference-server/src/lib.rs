//! The reference implementation of the Touchstone user-management contract (`CONTRACT.md`):
//! warp on tokio, users in sled, every acknowledged write flushed to disk first.

pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod handlers;
pub mod http;
pub mod jobs;
pub mod logging;
pub mod metrics;
pub mod rate_limit;
pub mod request;
pub mod response;
mod serve;
pub mod startup;
pub mod state;
pub mod store;
pub mod validators;
pub mod versioning;
pub mod violations;

pub use config::{Config, DEFAULT_LOGIN_RATE_LIMIT, DEFAULT_RATE_LIMIT, PasswordCost};
pub use startup::{Application, RunningServer, build, spawn};
