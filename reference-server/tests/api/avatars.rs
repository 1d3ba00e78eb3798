//! Avatars (CONTRACT §14): an image per user, its type told by its content.

use crate::helpers::{TestApp, spawn_app};

const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

async fn put(app: &TestApp, token: &str, user: u64, media: &str, body: Vec<u8>) -> u16 {
    let url = app.url(&format!("/users/{user}/avatar"));
    let request = app
        .client
        .put(url)
        .bearer_auth(token)
        .header("content-type", media);
    request.body(body).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn an_avatar_is_served_as_sent_and_refused_when_its_content_is_not_its_type() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let mut png = PNG.to_vec();
    png.extend_from_slice(b"pixels");

    assert_eq!(put(&app, &token, 1, "image/png", png.clone()).await, 204);
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec();
    assert_eq!(put(&app, &token, 1, "image/png", svg).await, 415);
    assert_eq!(put(&app, &token, 1, "image/jpeg", png.clone()).await, 415);

    let response = app
        .client
        .get(app.url("/users/1/avatar"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap().to_vec(), png);
}

#[tokio::test]
async fn an_avatar_over_five_mebibytes_is_refused_and_one_of_exactly_five_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let sized = |n: usize| {
        let mut body = PNG.to_vec();
        body.resize(n, 0);
        body
    };

    assert_eq!(
        put(&app, &token, 1, "image/png", sized(5 * 1024 * 1024 + 1)).await,
        413
    );
    assert_eq!(
        put(&app, &token, 1, "image/png", sized(5 * 1024 * 1024)).await,
        204
    );
}

#[tokio::test]
async fn a_deleted_avatar_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    assert_eq!(put(&app, &token, 1, "image/png", PNG.to_vec()).await, 204);

    assert_eq!(
        app.send("DELETE", "/users/1/avatar", Some(&token), None)
            .await
            .0,
        204
    );
    assert_eq!(
        app.send("GET", "/users/1/avatar", Some(&token), None)
            .await
            .0,
        404
    );
}
