//! A plain user reaching for another user's record (ROLE-02, ROLE-05): every write is `403`
//! with a problem, whatever its media type, and the record stays as it was.

use serde_json::json;

use super::{answer, record, user};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_plain_user_cannot_change_or_delete_another_user_by_any_method() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;
    let (_, mallory) = user(&app, "mallory").await;
    let (victim, _) = user(&app, "victim").await;
    let path = format!("/users/{victim}");
    let before = record(&app, &admin, victim).await;
    let takeover = json!({"username": "owned", "email": "owned@example.com", "role": "admin",
        "is_active": false, "full_name": "Owned"});
    let attempts = [
        ("PUT", "application/json", takeover.to_string()),
        (
            "PUT",
            "application/json",
            json!({"username": "victim", "email": "victim@example.com"}).to_string(),
        ),
        (
            "PATCH",
            "application/json",
            json!({"email": "mallory2@example.com"}).to_string(),
        ),
        ("PATCH", "application/json", takeover.to_string()),
        (
            "PATCH",
            "application/merge-patch+json",
            json!({"full_name": "Owned"}).to_string(),
        ),
        (
            "PATCH",
            "application/merge-patch+json",
            takeover.to_string(),
        ),
        (
            "PATCH",
            "application/merge-patch+json; charset=utf-8",
            json!({"is_active": false}).to_string(),
        ),
        (
            "PATCH",
            "application/json-patch+json",
            json!([{"op": "replace", "path": "/role", "value": "user"}]).to_string(),
        ),
        ("PATCH", "application/json", "{\"full_name\":".to_owned()),
        ("DELETE", "application/json", String::new()),
    ];

    for (method, content_type, body) in attempts {
        let what = format!("{method} {content_type} {body}");
        let request = app
            .client
            .request(method.parse().unwrap(), app.url(&path))
            .bearer_auth(&mallory);
        let request = match body.is_empty() {
            true => request,
            false => request.header("content-type", content_type).body(body),
        };

        let refused = answer(request).await;

        refused.assert_problem(403, &what);
        assert_eq!(record(&app, &admin, victim).await, before, "{what}");
    }
}

#[tokio::test]
async fn if_match_star_does_not_open_another_users_record() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;
    let (_, mallory) = user(&app, "mallory").await;
    let (victim, _) = user(&app, "victim").await;
    let before = record(&app, &admin, victim).await;

    let refused = answer(
        app.client
            .patch(app.url(&format!("/users/{victim}")))
            .bearer_auth(&mallory)
            .header("if-match", "*")
            .json(&json!({"full_name": "Owned"})),
    )
    .await;

    refused.assert_problem(403, "PATCH with If-Match: *");
    assert_eq!(record(&app, &admin, victim).await, before);
}

#[tokio::test]
async fn a_moderator_cannot_change_an_admin_nor_more_than_a_users_activation() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;
    let (moderator, _) = user(&app, "moderator").await;
    let promote = json!({"role": "moderator"});
    let (status, _) = app
        .send(
            "PATCH",
            &format!("/users/{moderator}"),
            Some(&admin),
            Some(promote),
        )
        .await;
    assert_eq!(status, 200);
    let token = app.login("moderator", "Passw0rd!").await;
    let (victim, _) = user(&app, "victim").await;
    let attempts = [
        (1, json!({"is_active": false})),
        (victim, json!({"is_active": false, "role": "admin"})),
        (victim, json!({"role": "moderator"})),
    ];

    for (target, body) in attempts {
        let before = record(&app, &admin, target).await;
        let refused = answer(
            app.client
                .patch(app.url(&format!("/users/{target}")))
                .bearer_auth(&token)
                .header("content-type", "application/merge-patch+json")
                .body(body.to_string()),
        )
        .await;

        refused.assert_problem(403, &format!("moderator's merge patch {body} of {target}"));
        assert_eq!(record(&app, &admin, target).await, before);
    }
}
