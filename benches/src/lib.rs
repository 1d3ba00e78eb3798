//! Shared set-up of the benchmarks: realistic users and a store or app holding many of them.

use std::sync::Arc;

use reference_server::PasswordCost;
use reference_server::auth::{Hasher, Tokens};
use reference_server::domain::{Cursors, Email, FullName, Role, User, Username};
use reference_server::metrics::Metrics;
use reference_server::rate_limit::Limits;
use reference_server::state::{App, State};
use reference_server::store::Store;
use reference_server::violations::Violations;
use time::OffsetDateTime;

/// The signing secret of the benchmarks' tokens.
pub const SECRET: &str = "benchmark-secret-benchmark-secret";

/// How many users the store benchmarks hold: 10,000 unless `TOUCHSTONE_BENCH_USERS` says.
pub fn population() -> u64 {
    std::env::var("TOUCHSTONE_BENCH_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// How many users the list benchmarks hold: `TOUCHSTONE_BENCH_LIST_USERS`, else 100,000 under
/// `cargo bench` and 1,000 in criterion's test mode (no `--bench`, or `--test`), where each
/// benchmark runs once and filling 100,000 users would be most of the time spent.
pub fn list_population() -> u64 {
    let args: Vec<String> = std::env::args().collect();
    let benchmarking = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    std::env::var("TOUCHSTONE_BENCH_LIST_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if benchmarking { 100_000 } else { 1_000 })
}

/// User number `n` as the server stores it, with every optional field set.
pub fn user(id: u64, n: u64) -> User {
    let now = OffsetDateTime::now_utc();
    User {
        id,
        username: Username::parse(&format!("bench_user_{n}"), false).expect("a valid username"),
        email: Email::parse(&format!("bench.user.{n}@example.com"), false).expect("a valid email"),
        full_name: Some(FullName::parse("Benchmark User With A Realistic Name").expect("short")),
        age: Some(serde_json::from_value(serde_json::json!(30)).expect("an age")),
        role: Role::User,
        is_active: true,
        // An OWASP-parameter Argon2id hash has this length and shape.
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Xq0TQ0ibNHfXYcwZ9hy3Iy3tJ6E5hUZ3ar9fRBHNtNs".into(),
        created_at: now,
        updated_at: now,
    }
}

/// An app over a fresh store holding `users` users (ids 1..=users), with cheap hashing.
pub async fn app(dir: &std::path::Path, users: u64) -> State {
    let v = Violations::default();
    let store = Store::open(dir, v.clone()).expect("the store opens");
    fill(&store, users).await;
    Arc::new(App {
        store,
        hasher: Hasher::new(PasswordCost::Fast),
        tokens: Tokens::new(SECRET, 3600, v.clone()),
        cursors: Cursors::new(SECRET),
        // Off: one benchmark client would drain any bucket; the limiter has a benchmark of its own.
        limits: Limits::new(0, 0, Vec::new(), v.clone()),
        metrics: Metrics::default(),
        cors: reference_server::http::cors::Cors::default(),
        events: reference_server::events::Hub::new(v.clone()),
        v,
        openapi: bytes::Bytes::from_static(b"{}"),
        body_read_timeout: std::time::Duration::from_secs(
            reference_server::config::DEFAULT_BODY_READ_TIMEOUT,
        ),
        jobs: Arc::default(),
    })
}

/// Imports `users` users (ids 1..=N, no welcomes queued), 512 at a time so that they share
/// flushes (group commit).
pub async fn fill(store: &Store, users: u64) {
    for start in (0..users).step_by(512) {
        let batch = (start..users.min(start + 512)).map(|n| store.import(move |id| user(id, n)));
        for created in futures_util::future::join_all(batch).await {
            created.expect("a user is created");
        }
    }
}
