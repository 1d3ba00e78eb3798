//! The hot paths of the reference server, one group per concern. `cargo bench -p benches`;
//! `-- --quick` for a fast pass; `TOUCHSTONE_BENCH_USERS=100000` for the large store.

use std::hint::black_box;
use std::sync::OnceLock;

use benches::{SECRET, app, list_population, population, user};
use criterion::{Criterion, criterion_group, criterion_main};
use reference_server::PasswordCost;
use reference_server::auth::{Hasher, Tokens};
use reference_server::domain::{Cursors, ListQuery, Paging, Position};
use reference_server::rate_limit::{Identity, Limits};
use reference_server::state::State;
use reference_server::store::Listing;
use reference_server::violations::Violations;
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn json(c: &mut Criterion) {
    let v = Violations::default();
    let one = user(42, 42);
    let page: Vec<_> = (0..20).map(|n| user(n + 1, n)).collect();
    let encoded_one = serde_json::to_vec(&one.view(&v)).expect("encodes");
    let encoded_page =
        serde_json::to_vec(&page.iter().map(|u| u.view(&v)).collect::<Vec<_>>()).expect("encodes");
    let stored = serde_json::to_vec(&one).expect("encodes");
    let mut g = c.benchmark_group("json");
    g.bench_function("encode user", |b| {
        b.iter(|| serde_json::to_vec(&black_box(&one).view(&v)))
    });
    g.bench_function("encode page of 20", |b| {
        b.iter(|| {
            let views: Vec<_> = black_box(&page).iter().map(|u| u.view(&v)).collect();
            serde_json::to_vec(&views)
        })
    });
    g.bench_function("decode stored user", |b| {
        b.iter(|| serde_json::from_slice::<reference_server::domain::User>(black_box(&stored)))
    });
    g.bench_function("parse user body", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&encoded_one)))
    });
    g.bench_function("parse page body", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&encoded_page)))
    });
    g.finish();
}

fn jwt(c: &mut Criterion) {
    let tokens = Tokens::new(SECRET, 3600, Violations::default());
    let (token, _) = tokens.issue(42).expect("a token");
    let mut g = c.benchmark_group("jwt");
    g.bench_function("issue", |b| b.iter(|| tokens.issue(black_box(42))));
    g.bench_function("verify", |b| b.iter(|| tokens.verify(black_box(&token))));
    g.finish();
}

/// One decision of the per-identity limiter, taken on every request under the base: for one busy
/// identity and spread over 10k identities (the keyed map's cost).
fn rate_limit(c: &mut Criterion) {
    let limits = Limits::new(u32::MAX / 2, 0, Vec::new(), Violations::default());
    let general = limits.general.as_ref().expect("on");
    let mut g = c.benchmark_group("rate_limit");
    g.bench_function("check one identity", |b| {
        b.iter(|| general.check(black_box(&Identity::User(7))))
    });
    let mut n = 0u64;
    g.bench_function("check across 10k identities", |b| {
        b.iter(|| {
            n = (n + 1) % 10_000;
            general.check(black_box(&Identity::User(n)))
        })
    });
    g.finish();
}

/// The shipped cost is OWASP's first Argon2id recommendation (19 MiB, 2 passes): it bounds login
/// throughput by design; `fast` exists only so test suites can create many users.
fn password(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("password");
    g.sample_size(10);
    for (name, cost) in [
        ("verify owasp", PasswordCost::Owasp),
        ("verify fast", PasswordCost::Fast),
    ] {
        let hasher = Hasher::new(cost);
        let hash = rt
            .block_on(hasher.hash("Correct-Horse-9".into()))
            .expect("hashes");
        g.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| hasher.verify(black_box("Correct-Horse-9".into()), Some(hash.clone())))
        });
    }
    g.finish();
}

fn store(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("a temp dir");
    let users = population();
    let state = rt.block_on(app(dir.path(), users));
    let mut g = c.benchmark_group(format!("store {users} users"));
    g.bench_function("get", |b| {
        let mut id = 0;
        b.iter(|| {
            id = id % users + 1;
            state.store.get(black_box(id))
        })
    });
    g.bench_function("page 1 of 20", |b| {
        b.iter(|| state.store.page(black_box(0), 20))
    });
    let last = users.saturating_sub(20);
    g.bench_function("last page of 20", |b| {
        b.iter(|| state.store.page(black_box(last), 20))
    });
    let mut n = users;
    g.bench_function("durable create", |b| {
        b.to_async(&rt).iter(|| {
            n += 1;
            let k = n;
            state.store.create(move |id| user(id, k), None)
        })
    });
    g.finish();
}

/// `GET /users` at the store: offset and cursor pages of 20, near the start and 1,000 pages in,
/// and a filtered page, which scans the catalog. The store is filled on first use, so that a run
/// filtered to other groups does not wait for it.
fn list(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("a temp dir");
    let users = list_population();
    let filled: OnceLock<State> = OnceLock::new();
    let state = || filled.get_or_init(|| rt.block_on(app(dir.path(), users)));
    let parse = |query: &str| {
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        ListQuery::parse(&pairs, &Cursors::new(SECRET), &Violations::default()).expect("valid")
    };
    // Where page 1,000 of a cursor walk starts: after the last user of page 999.
    let after_page_999 = || match state().store.list(&parse("page=999&page_size=20")) {
        Ok(Listing::Page { users: page, .. }) => page.last().map(|u| Position {
            key: reference_server::domain::SortValue::Id,
            id: u.id,
        }),
        _ => None,
    };
    let mut g = c.benchmark_group(format!("store list {users} users"));
    let offset = [
        ("offset page 1", "page=1&page_size=20"),
        ("offset page 1000", "page=1000&page_size=20"),
        (
            "offset page 1 searched",
            "page=1&page_size=20&search=user_9999",
        ),
    ];
    for (name, query) in offset {
        let query = parse(query);
        g.bench_function(name, |b| {
            let store = &state().store;
            b.iter(|| store.list(black_box(&query)))
        });
    }
    g.bench_function("cursor page 1", |b| {
        let (store, query) = (&state().store, parse("limit=20"));
        b.iter(|| store.list(black_box(&query)))
    });
    g.bench_function("cursor page 1000", |b| {
        let mut query = parse("limit=20");
        query.paging = Paging::Cursor {
            after: after_page_999(),
            limit: 20,
            served: 0,
        };
        let store = &state().store;
        b.iter(|| store.list(black_box(&query)))
    });
    g.finish();
}

fn http(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = rt.block_on(app(dir.path(), 1_000));
    let (token, _) = state.tokens.issue(1).expect("a token");
    let bearer = format!("Bearer {token}");
    let filter = reference_server::http::app(state.clone());
    let mut g = c.benchmark_group("http in-process");
    g.bench_function("GET one user", |b| {
        b.to_async(&rt).iter(|| {
            warp::test::request()
                .path("/api/v1/users/500")
                .header("authorization", &bearer)
                .reply(&filter)
        })
    });
    g.bench_function("GET page of 20", |b| {
        b.to_async(&rt).iter(|| {
            warp::test::request()
                .path("/api/v1/users?page=3&page_size=20")
                .header("authorization", &bearer)
                .reply(&filter)
        })
    });
    let mut n = 0u64;
    g.bench_function("POST durable sign-up", |b| {
        b.to_async(&rt).iter(|| {
            n += 1;
            let body = serde_json::json!({
                "username": format!("signup_{n}"),
                "email": format!("signup.{n}@example.com"),
                "password": "Passw0rd-bench",
            });
            warp::test::request()
                .method("POST")
                .path("/api/v1/users")
                .header("content-type", "application/json")
                .body(body.to_string())
                .reply(&filter)
        })
    });
    g.finish();
}

criterion_group!(
    hot_paths, json, jwt, rate_limit, password, store, list, http
);
criterion_main!(hot_paths);
