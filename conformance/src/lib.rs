//! Touchstone's conformance suite: one property-based check per clause of `CONTRACT.md`, run
//! against any base URL, each failure shrunk to a minimal input and shown as a curl command.

pub mod checks;
pub mod context;
pub mod expect;
pub mod failure;
pub mod harness;
pub mod http;
pub mod inputs;
pub mod model;
pub mod property;
pub mod queries;
pub mod schema;
pub mod target;

pub use checks::{Check, all};
pub use context::Ctx;
pub use failure::Failure;
pub use target::{Embedded, Options, Target};
