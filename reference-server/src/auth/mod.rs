//! Who is calling: password hashing and bearer tokens.

pub mod credential;
pub mod password;
pub mod token;

pub use credential::{Credential, Grant, Principal, Refusal};
pub use password::{Cost, Hasher, Verification};
pub use token::{Claims, TokenError, Tokens};
