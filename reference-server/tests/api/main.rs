//! Real-socket tests of the server: what crosses the wire and what must survive a restart.

mod api_keys;
mod attacks;
mod avatars;
mod crash;
mod docs;
mod events;
mod helpers;
mod hostile;
mod jobs;
mod lifecycle;
mod links;
mod list;
mod operations;
mod orders;
mod rate_limit;
mod semantics;
mod users;
mod versioning;
