//! Hostile input: each probe gets its 4xx problem, the server keeps answering, and nothing that
//! was refused is stored.

mod connections;
mod raw;

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use raw::{post_json, send};

const USERS: &str = "/api/v1/users";

/// A sign-up body for `name` with `rest` spliced in as further members, as text.
fn sign_up(name: &str, rest: &str) -> String {
    format!(
        r#"{{"username": "{name}", "email": "{name}@example.com", "password": "Passw0rd!"{rest}}}"#
    )
}

/// The server still answers, and `name` was never stored: signing it up now succeeds.
async fn unharmed(app: &TestApp, name: &str) {
    let health = app.get_operation("/health").await;
    assert_eq!(health.status(), 200, "GET /health after the probe");
    let (status, body) = app.sign_up(name).await;
    assert_eq!(
        status, 201,
        "{name} was stored by a refused request: {body}"
    );
}

/// Posts `body` to sign-up, expects a problem with `status`, then checks the server unharmed.
async fn refused(app: &TestApp, name: &str, body: &[u8], status: u16) -> raw::Answer {
    let answer = send(app.server.addr, &post_json(USERS, body))
        .await
        .answer();
    assert!(
        answer.is_problem(status),
        "{name}: expected a {status} problem, got {} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    unharmed(app, name).await;
    answer
}

#[tokio::test]
async fn malformed_and_truncated_json_is_400_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let whole = sign_up("truncated", "");
    let probes = [
        ("cut", whole[..whole.len() / 2].to_owned()),
        ("trailing_comma", sign_up("trailing_comma", ",")),
        ("bare_word", "not json".to_owned()),
        ("two_values", format!("{} {{}}", sign_up("two_values", ""))),
        (
            "single_quotes",
            sign_up("single_quotes", "").replace('"', "'"),
        ),
    ];
    for (name, body) in probes {
        refused(&app, name, body.as_bytes(), 400).await;
    }
    unharmed(&app, "truncated").await;
}

#[tokio::test]
async fn invalid_utf8_is_400() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let mut body = sign_up("bad_utf8", r#", "full_name": "X""#).into_bytes();
    let at = body.len() - 3;
    body.splice(at..at + 1, [0xff, 0xfe, 0xc3]);
    refused(&app, "bad_utf8", &body, 400).await;
}

#[tokio::test]
async fn json_nested_past_any_sane_depth_is_refused_without_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let nest = |depth: usize| "[".repeat(depth) + &"]".repeat(depth);
    // 100,000 deep is 200 KB: over the body limit before any parser sees it.
    let deepest = sign_up("deep_a", &format!(r#", "full_name": {}"#, nest(100_000)));
    refused(&app, "deep_a", deepest.as_bytes(), 413).await;
    // 30,000 deep fits in 64 KiB and reaches the parser, whose recursion limit refuses it.
    let deep = sign_up("deep_b", &format!(r#", "full_name": {}"#, nest(30_000)));
    refused(&app, "deep_b", deep.as_bytes(), 400).await;
    let objects = "{\"a\":".repeat(10_000) + "1" + &"}".repeat(10_000);
    refused(&app, "deep_c", objects.as_bytes(), 400).await;
}

#[tokio::test]
async fn a_repeated_member_is_400_at_any_depth_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let top = sign_up("dup_top", r#", "username": "dup_other""#);
    let answer = refused(&app, "dup_top", top.as_bytes(), 400).await;
    assert!(
        answer.json()["detail"]
            .as_str()
            .unwrap()
            .contains("`username`")
    );
    let nested = sign_up("dup_nested", r#", "full_name": {"a": 1, "a": 2}"#);
    refused(&app, "dup_nested", nested.as_bytes(), 400).await;
    let in_array = sign_up(
        "dup_array",
        r#", "full_name": [{"b": 1}, {"c": 1, "c": 1}]"#,
    );
    refused(&app, "dup_array", in_array.as_bytes(), 400).await;
    // Not a sign-up only: an update with a repeated member changes nothing either.
    let token = app.admin_token().await;
    let patch = raw::request(
        "PATCH",
        "/api/v1/users/1",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &format!("Bearer {token}")),
        ],
        br#"{"full_name": "First", "full_name": "Second"}"#,
    );
    let answer = send(app.server.addr, &patch).await.answer();
    assert!(answer.is_problem(400), "{answer:?}");
    let (_, admin) = app.send("GET", "/users/1", Some(&token), None).await;
    assert_eq!(admin["full_name"], "Administrator");
}

#[tokio::test]
async fn numbers_out_of_range_are_422_naming_the_field_and_minus_zero_is_zero() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    for (name, number) in [
        ("huge_exp", "1e400"),
        ("past_u64", "18446744073709551616"),
        ("far_past_u64", "-340282366920938463463374607431768211457"),
    ] {
        let body = sign_up(name, &format!(r#", "age": {number}"#));
        let answer = refused(&app, name, body.as_bytes(), 422).await;
        assert_eq!(answer.json()["errors"][0]["field"], "age", "{number}");
    }
    // -0 is the integer 0 (CONTRACT §1): a valid age.
    let body = sign_up("minus_zero", r#", "age": -0"#);
    let answer = send(app.server.addr, &post_json(USERS, body.as_bytes()))
        .await
        .answer();
    assert_eq!(answer.status, 201);
    assert_eq!(answer.json()["age"], 0);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_with_or_without_content_length() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let ten_mb = sign_up(
        "ten_mb",
        &format!(r#", "full_name": "{}""#, "x".repeat(10 << 20)),
    );
    refused(&app, "ten_mb", ten_mb.as_bytes(), 413).await;
    let over = sign_up(
        "chunked",
        &format!(r#", "full_name": "{}""#, "x".repeat(70_000)),
    );
    let mut chunked = format!(
        "POST {USERS} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for piece in over.as_bytes().chunks(8192) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let answer = send(app.server.addr, &chunked).await.answer();
    assert!(answer.is_problem(413), "{answer:?}");
    unharmed(&app, "chunked").await;
}

#[tokio::test]
async fn a_content_length_shorter_than_the_body_reads_only_what_it_declares() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let body = sign_up("liar_short", "");
    let mut bytes = raw::request(
        "POST",
        USERS,
        &[("Content-Type", "application/json")],
        &body.as_bytes()[..20],
    );
    // The rest follows as if it were the start of the next request.
    bytes.extend_from_slice(&body.as_bytes()[20..]);
    let answer = send(app.server.addr, &bytes).await.answer();
    assert!(answer.is_problem(400), "{answer:?}");
    unharmed(&app, "liar_short").await;
}

#[tokio::test]
async fn sql_and_script_payloads_are_stored_verbatim_and_returned_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    for (name, payload) in [
        ("sql_payload", "'; DROP TABLE users;--"),
        ("script_payload", "<script>alert(\"x\")</script>"),
        ("quote_payload", "\\\" onmouseover=\u{2028}</x>"),
    ] {
        let body = json!({"username": name, "email": format!("{name}@example.com"),
            "password": "Passw0rd!", "full_name": payload});
        let (status, created) = app.send("POST", "/users", None, Some(body)).await;
        assert_eq!(status, 201, "{created}");
        let path = format!("/api/v1/users/{}", created["id"]);
        let get = raw::request(
            "GET",
            &path,
            &[("Authorization", &format!("Bearer {token}"))],
            b"",
        );
        let answer = send(app.server.addr, &get).await.answer();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(answer.json()["full_name"], payload);
    }
    // The table the payload names is still there: every user is listed.
    let (status, page) = app.send("GET", "/users", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().map(Vec::len), Some(4), "{page}");
}

#[tokio::test]
async fn traversal_and_encoded_slashes_in_ids_are_404_and_reach_no_user() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let bearer = format!("Bearer {token}");
    for path in [
        "/api/v1/users/..%2F1",
        "/api/v1/users/%2e%2e",
        "/api/v1/users/%2E%2E%2F1",
        "/api/v1/users/..%5c1",
        "/api/v1/users/1%2F..",
        "/api/v1/users/..",
        "/api/v1/users/../users/1",
        "/api/v1/users/%2e%2e/%2e%2e/health",
        "/api/v1/users/1%00",
    ] {
        for method in ["GET", "DELETE"] {
            let request = raw::request(method, path, &[("Authorization", &bearer)], b"");
            let answer = send(app.server.addr, &request).await.answer();
            assert!(
                answer.status == 404 && answer.is_problem(404),
                "{method} {path}: {answer:?}"
            );
        }
    }
    let (status, admin) = app.send("GET", "/users/1", Some(&token), None).await;
    assert_eq!(status, 200, "the admin survived: {admin}");
}
