//! Touchstone's conformance suite: one property-based check per clause of `CONTRACT.md`, run
//! against any base URL, each failure shrunk to a minimal input and shown as a curl command.

pub mod checks;
pub mod cli;
pub mod context;
pub mod contract;
pub mod expect;
pub mod failure;
pub mod http;
pub mod inputs;
pub mod model;
pub mod openapi;
pub mod outcome;
pub mod preflight;
pub mod property;
pub mod queries;
pub mod redact;
pub mod report;
pub mod run;
pub mod schema;
pub mod selection;
pub mod target;

pub use checks::{Check, all};
pub use context::Ctx;
pub use failure::Failure;
pub use target::{Embedded, Options, Target};
