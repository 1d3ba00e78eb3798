//! Background jobs (CONTRACT §15): an export accepted with 202 and made in the background.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_export_is_accepted_then_done_with_the_users_orders() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let order = json!({"items": [{"sku": "A", "quantity": 1, "unit_price": 9}]});
    let (_, placed) = app
        .send("POST", "/users/1/orders", Some(&token), Some(order))
        .await;

    let response = app
        .client
        .post(app.url("/users/1/exports"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let path = location.strip_prefix("/api/v1").unwrap().to_owned();

    let mut job = Value::Null;
    for _ in 0..200 {
        job = app.send("GET", &path, Some(&token), None).await.1;
        if job["status"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(job["status"], "done", "{job}");
    let result = job["links"]["result"].as_str().unwrap();
    let (status, export) = app
        .send(
            "GET",
            result.strip_prefix("/api/v1").unwrap(),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(export["user"]["id"], 1);
    assert_eq!(export["orders"][0]["id"], placed["id"]);
}

#[tokio::test]
async fn another_users_export_is_forbidden() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    app.sign_up("someone").await;
    let token = app.login("someone", "Passw0rd!").await;
    assert_eq!(
        app.send("POST", "/users/1/exports", Some(&token), None)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn a_deleted_users_jobs_go_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (_, user) = app.sign_up("leaving").await;
    let id = user["id"].as_u64().unwrap();
    let admin = app.admin_token().await;
    let (_, job) = app
        .send("POST", &format!("/users/{id}/exports"), Some(&admin), None)
        .await;

    assert_eq!(
        app.send("DELETE", &format!("/users/{id}"), Some(&admin), None)
            .await
            .0,
        204
    );
    let path = format!("/jobs/{}", job["id"]);
    assert_eq!(app.send("GET", &path, Some(&admin), None).await.0, 404);
}
