//! Test utilities: network conditions a suite must hold under, made on this machine, and the
//! judgement of a soak run.

pub mod delay;
pub mod soak;
