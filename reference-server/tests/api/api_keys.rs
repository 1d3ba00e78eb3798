//! API keys (CONTRACT §13): made by admins, shown once, acting for their creator in their scope.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::spawn_app;

async fn with_key(app: &TestApp, method: &str, path: &str, key: &str, body: Option<Value>) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("x-api-key", key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_key_is_shown_once_acts_for_its_creator_and_stops_when_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;

    let (status, issued) = app
        .send(
            "POST",
            "/api-keys",
            Some(&admin),
            Some(json!({"name": "ci", "scope": "read"})),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let secret = issued["key"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 32);
    let (_, listing) = app.send("GET", "/api-keys", Some(&admin), None).await;
    assert_eq!(listing["items"][0]["name"], "ci");
    assert!(!listing.to_string().contains(&secret));

    assert_eq!(with_key(&app, "GET", "/users/me", &secret, None).await, 200);
    let patch = Some(json!({"full_name": "x"}));
    assert_eq!(
        with_key(&app, "PATCH", "/users/1", &secret, patch).await,
        403
    );
    assert_eq!(with_key(&app, "GET", "/api-keys", &secret, None).await, 403);

    let path = format!("/api-keys/{}", issued["id"]);
    assert_eq!(app.send("DELETE", &path, Some(&admin), None).await.0, 204);
    assert_eq!(with_key(&app, "GET", "/users/me", &secret, None).await, 401);
}

#[tokio::test]
async fn only_admins_make_keys() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    app.sign_up("plain").await;
    let token = app.login("plain", "Passw0rd!").await;
    let body = Some(json!({"name": "mine", "scope": "write"}));
    assert_eq!(
        app.send("POST", "/api-keys", Some(&token), body).await.0,
        403
    );
    assert_eq!(app.send("GET", "/api-keys", None, None).await.0, 401);
}
