//! Raising one's own role (ROLE-03, USR-10): no route, body or media type makes a user an admin.

use serde_json::json;

use super::{answer, record, user};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_user_cannot_raise_their_own_role_by_any_update() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;
    let (id, token) = user(&app, "climber").await;
    let path = format!("/users/{id}");
    let before = record(&app, &admin, id).await;
    let own = json!({"username": "climber", "email": "climber@example.com", "role": "admin"});
    let attempts = [
        ("PUT", path.as_str(), "application/json", own.to_string()),
        (
            "PATCH",
            &path,
            "application/json",
            json!({"role": "admin"}).to_string(),
        ),
        (
            "PATCH",
            &path,
            "application/json",
            json!({"role": "moderator", "full_name": "x"}).to_string(),
        ),
        (
            "PATCH",
            &path,
            "application/merge-patch+json",
            json!({"role": "admin"}).to_string(),
        ),
        (
            "PATCH",
            &path,
            "application/merge-patch+json",
            json!({"is_active": true, "role": "admin"}).to_string(),
        ),
    ];

    for (method, path, content_type, body) in attempts {
        let refused = answer(
            app.client
                .request(method.parse().unwrap(), app.url(path))
                .bearer_auth(&token)
                .header("content-type", content_type)
                .body(body.clone()),
        )
        .await;

        refused.assert_problem(403, &format!("{method} {content_type} {body}"));
        assert_eq!(record(&app, &admin, id).await, before, "{body}");
    }
}

#[tokio::test]
async fn bodies_that_are_not_a_users_members_do_not_raise_a_role_either() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;
    let (id, token) = user(&app, "climber").await;
    let path = format!("/users/{id}");
    let before = record(&app, &admin, id).await;
    let attempts = [
        (
            "PATCH",
            path.as_str(),
            "application/json-patch+json",
            json!([{"op": "replace", "path": "/role", "value": "admin"}]).to_string(),
        ),
        (
            "PATCH",
            &path,
            "application/json",
            json!({"Role": "admin"}).to_string(),
        ),
        (
            "PATCH",
            &path,
            "application/json",
            json!({"is_admin": true}).to_string(),
        ),
        (
            "PATCH",
            &path,
            "application/json",
            json!({"user": {"role": "admin"}}).to_string(),
        ),
        // serde_json keeps the last of duplicate keys; a parser that refuses them is also right.
        (
            "PATCH",
            &path,
            "application/json",
            r#"{"role":"user","role":"admin"}"#.to_owned(),
        ),
        (
            "PATCH",
            "/users/me",
            "application/json",
            json!({"role": "admin"}).to_string(),
        ),
        (
            "PUT",
            "/users/me",
            "application/json",
            json!({"role": "admin"}).to_string(),
        ),
        (
            "POST",
            &path,
            "application/json",
            json!({"role": "admin"}).to_string(),
        ),
    ];

    for (method, path, content_type, body) in attempts {
        let refused = answer(
            app.client
                .request(method.parse().unwrap(), app.url(path))
                .bearer_auth(&token)
                .header("content-type", content_type)
                .body(body.clone()),
        )
        .await;

        let what = format!("{method} {path} {content_type} {body}");
        assert!(
            (400..500).contains(&refused.status),
            "{what}: {}",
            refused.status
        );
        assert_eq!(refused.content_type(), "application/problem+json", "{what}");
        assert_eq!(record(&app, &admin, id).await, before, "{what}");
    }
}

#[tokio::test]
async fn a_sign_up_that_names_its_role_is_refused_and_creates_no_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;
    let extras = [
        json!({"role": "admin"}),
        json!({"role": "user", "is_active": true}),
        json!({"is_admin": true}),
        json!({"id": 1}),
    ];

    for extra in extras {
        let mut body =
            json!({"username": "upstart", "email": "upstart@example.com", "password": "Passw0rd!"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());

        let (status, problem) = app.send("POST", "/users", None, Some(body)).await;

        assert_eq!(status, 422, "{extra}: {problem}");
        let (_, page) = app
            .send("GET", "/users?search=upstart", Some(&admin), None)
            .await;
        assert_eq!(page["total"], 0, "{extra}");
    }
}

#[tokio::test]
async fn extras_in_a_login_body_do_not_make_an_admin() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;
    let (id, _) = user(&app, "climber").await;
    let (other, _) = user(&app, "bystander").await;
    let extras = [
        json!({"role": "admin"}),
        json!({"scope": "admin", "is_admin": true}),
        json!({"sub": "1", "id": 1}),
        json!({"username": "admin"}),
    ];

    for extra in extras {
        let mut body = json!({"username": "climber", "password": "Passw0rd!"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (status, login) = app.send("POST", "/auth/login", None, Some(body)).await;
        let Some(token) = login["access_token"].as_str() else {
            assert!((400..500).contains(&status), "{extra}: {status} {login}");
            continue;
        };

        let (_, me) = app.send("GET", "/users/me", Some(token), None).await;
        let (deleted, _) = app
            .send("DELETE", &format!("/users/{other}"), Some(token), None)
            .await;

        assert_eq!(
            (me["id"].as_u64(), &me["role"]),
            (Some(id), &json!("user")),
            "{extra}"
        );
        assert_eq!(deleted, 403, "{extra}");
    }
    assert_eq!(record(&app, &admin, id).await["role"], "user");
}
