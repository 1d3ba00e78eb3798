//! Request handlers, one module per resource.

pub mod access;
pub mod api_keys;
pub mod avatars;
pub mod docs;
pub mod events;
pub mod jobs;
pub mod list;
pub mod login;
pub mod meta;
pub mod orders;
mod page_links;
pub mod users;
