//! The reference implementation of the Touchstone user-management contract (`CONTRACT.md`).

pub mod config;
pub mod startup;

pub use config::{Config, PasswordCost};
pub use startup::{RunningServer, spawn};
