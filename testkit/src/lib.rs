//! Test utilities: network conditions a suite must hold under, made on this machine.

pub mod delay;
