//! The paths that links (CONTRACT §10) point at. Each is sent as a path, resolved by the client
//! against the URL it asked for, so that links hold under whatever host the server is reached by.

use crate::violations::Violations;

/// The base URL's path (GEN-01).
pub const BASE: &str = "/api/v1";

/// The collection of users.
pub const USERS: &str = "/api/v1/users";

/// One user.
pub fn user(v: &Violations, id: u64) -> String {
    href(v, format!("{USERS}/{id}"))
}

/// A link to `path`: the path itself, or as implementations have been seen to write it (the
/// realistic bugs of `conformance/tests/bugs/links.rs`).
pub fn href(v: &Violations, path: String) -> String {
    if v.breaks("links-absolute-localhost") {
        format!("http://localhost:8080{path}")
    } else if v.breaks("links-without-base-path") {
        path.strip_prefix(BASE).unwrap_or(&path).to_owned()
    } else {
        path
    }
}
