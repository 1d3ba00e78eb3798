//! Input parsed into domain types once, at the edge, so deeper code never sees unvalidated data.

pub mod fields;
pub mod input;
pub mod user;

pub use fields::{Age, Email, FieldError, FullName, Password, Role, Username};
pub use input::{Changes, Credentials, SignUp};
pub use user::{User, UserView};
