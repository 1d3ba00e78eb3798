use std::io::Read;

use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn head_of_a_user_carries_the_get_headers_and_no_body() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let url = app.url("/users/1");

    let get = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let head = app
        .client
        .head(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"], get.headers()["etag"]);
    assert_eq!(
        head.headers()["content-type"],
        get.headers()["content-type"]
    );
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_replayed_sign_up_answers_the_first_response_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let body =
        json!({"username": "once_only", "email": "once@example.com", "password": "Passw0rd!"});
    let sign_up = |app: &crate::helpers::TestApp| {
        app.client
            .post(app.url("/users"))
            .header("idempotency-key", "9b2f1c0e-key")
            .json(&body)
            .send()
    };
    let app = spawn_app(dir.path()).await;
    let first: Value = sign_up(&app).await.unwrap().json().await.unwrap();
    app.server.stop().await;

    let app = spawn_app(dir.path()).await;
    let again = sign_up(&app).await.unwrap();

    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
}

#[tokio::test]
async fn a_page_over_a_kibibyte_is_gzipped_for_a_client_that_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    for n in 0..8 {
        app.sign_up(&format!("gzip_user_{n}")).await;
    }
    let token = app.admin_token().await;
    let url = app.url("/users");
    let plain = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let plain = plain.bytes().await.unwrap();

    let zipped = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();

    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    let mut decoded = Vec::new();
    let body = zipped.bytes().await.unwrap();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert!(plain.len() > 1024 && body.len() < plain.len());
    assert_eq!(decoded, plain);
}
