//! Tokens the server must refuse (AUTH-07..11): each is answered 401 with a problem and a
//! Bearer challenge, and never authenticates anyone.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use sha2_hmac::Sha256;

use super::{answer, user};
use crate::helpers::{TestApp, spawn_app};

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The header, the claims and the signature of a compact JWS.
fn split(token: &str) -> (Value, Value, String) {
    let parts: Vec<&str> = token.split('.').collect();
    let decode = |s: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
    (decode(parts[0]), decode(parts[1]), parts[2].to_owned())
}

fn claims(id: u64, iat: i64, exp: i64) -> Value {
    json!({"sub": id.to_string(), "iat": iat, "exp": exp})
}

fn signed(algorithm: Algorithm, secret: &str, claims: &Value) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// `header.claims` signed with HMAC-SHA256 under `secret`, whatever algorithm the header names.
fn hmac_signed(header: &Value, claims: &Value, secret: &str) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

async fn assert_refused(app: &TestApp, token: &str, what: &str) {
    let me = answer(app.client.get(app.url("/users/me")).bearer_auth(token)).await;

    me.assert_problem(401, what);
    let challenge = me.headers["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("Bearer"), "{what}: {challenge}");
}

async fn assert_accepted(app: &TestApp, token: &str, id: u64) {
    let (status, me) = app.send("GET", "/users/me", Some(token), None).await;
    assert_eq!((status, me["id"].as_u64()), (200, Some(id)), "{me}");
}

#[tokio::test]
async fn unsigned_tokens_are_refused_whatever_their_header_says() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (id, token) = user(&app, "mallory").await;
    let (_, _, signature) = split(&token);
    let payload = b64(&claims(1, now(), now() + 600));

    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = b64(&json!({"alg": alg, "typ": "JWT"}));
        for tail in ["", signature.as_str()] {
            let forged = format!("{header}.{payload}.{tail}");
            assert_refused(&app, &forged, &format!("alg {alg} with signature {tail:?}")).await;
        }
        assert_refused(&app, &format!("{header}.{payload}"), "two parts").await;
    }
    assert_accepted(&app, &token, id).await;
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (id, token) = user(&app, "mallory").await;

    for key in [
        "secret",
        "",
        "another key of the same length as the real one!!",
    ] {
        let forged = signed(Algorithm::HS256, key, &claims(id, now(), now() + 600));
        assert_refused(&app, &forged, &format!("HS256 under {key:?}")).await;
    }
    assert_accepted(&app, &token, id).await;
}

#[tokio::test]
async fn an_expired_token_is_refused_without_leeway() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (id, _) = user(&app, "mallory").await;
    let secret = app.server.jwt_secret.clone();
    let fresh = signed(Algorithm::HS256, &secret, &claims(id, now(), now() + 600));
    assert_accepted(&app, &fresh, id).await;

    for ago in [2, 30, 86_400] {
        let stale = signed(
            Algorithm::HS256,
            &secret,
            &claims(id, now() - 3600, now() - ago),
        );
        assert_refused(&app, &stale, &format!("expired {ago} s ago")).await;
    }
}

#[tokio::test]
async fn a_deleted_users_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;
    let (id, token) = user(&app, "leaver").await;

    let (status, _) = app
        .send("DELETE", &format!("/users/{id}"), Some(&admin), None)
        .await;

    assert_eq!(status, 204);
    assert_refused(&app, &token, "a deleted user's token").await;
    let (listed, _) = app.send("GET", "/users", Some(&token), None).await;
    assert_eq!(listed, 401);
}

#[tokio::test]
async fn claims_edited_under_the_original_signature_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (id, token) = user(&app, "mallory").await;
    let (header, original, signature) = split(&token);
    let edits: [(&str, Value); 5] = [
        ("role", json!("admin")),
        ("sub", json!("1")),
        ("sub", json!(1)),
        ("exp", json!(original["exp"].as_i64().unwrap() + 86_400)),
        ("iat", json!(original["iat"].as_i64().unwrap() - 1)),
    ];

    for (claim, value) in edits {
        let mut edited = original.clone();
        edited[claim] = value.clone();
        let forged = format!("{}.{}.{signature}", b64(&header), b64(&edited));
        assert_refused(&app, &forged, &format!("{claim} set to {value}")).await;
    }
    assert_accepted(&app, &token, id).await;
}

/// The key-confusion family: a header naming an algorithm the server does not issue. An HMAC
/// secret handed to an RSA or EC verifier as its "public key", or the HS512 of the right secret,
/// must not pass for the server's own HS256.
#[tokio::test]
async fn a_token_naming_an_algorithm_the_server_does_not_use_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (id, token) = user(&app, "mallory").await;
    let secret = app.server.jwt_secret.clone();
    let (_, original, signature) = split(&token);
    let payload = b64(&original);

    for algorithm in [Algorithm::HS384, Algorithm::HS512] {
        let other = signed(algorithm, &secret, &claims(id, now(), now() + 600));
        assert_refused(
            &app,
            &other,
            &format!("{algorithm:?} under the server's secret"),
        )
        .await;
    }
    for alg in [
        "RS256", "PS256", "ES256", "EdDSA", "HS256 ", "hs256", "XS256",
    ] {
        let header = json!({"alg": alg, "typ": "JWT"});
        let confused = hmac_signed(&header, &original, &secret);
        assert_refused(
            &app,
            &confused,
            &format!("{alg} signed with the HMAC secret"),
        )
        .await;
        let relabelled = format!("{}.{payload}.{signature}", b64(&header));
        assert_refused(
            &app,
            &relabelled,
            &format!("{alg} over the HS256 signature"),
        )
        .await;
    }
    let with_key = json!({"alg": "RS256", "typ": "JWT", "jwk": {"kty": "oct", "k": URL_SAFE_NO_PAD.encode("k")}});
    assert_refused(
        &app,
        &hmac_signed(&with_key, &original, "k"),
        "a key in the header",
    )
    .await;
    assert_accepted(&app, &token, id).await;
}
