//! Links (CONTRACT §10): the root, each user's `self`, and the links of pages.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_root_lists_the_entry_points_without_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;

    for root in ["", "/"] {
        let (status, body) = app.send("GET", root, None, None).await;
        assert_eq!(status, 200, "GET {root:?}: {body}");
        assert_eq!(
            body["links"],
            json!({
                "self": "/api/v1/",
                "users": "/api/v1/users",
                "me": "/api/v1/users/me",
                "login": "/api/v1/auth/login",
                "openapi": "/api/v1/openapi.json",
                "docs": "/api/v1/docs",
            })
        );
    }
}

#[tokio::test]
async fn a_whole_user_links_to_itself_and_a_selection_carries_no_links() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (status, user) = app.sign_up("linked_user").await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_u64().unwrap();
    let own = Value::from(format!("/api/v1/users/{id}"));
    assert_eq!(user["links"]["self"], own);

    let token = app.admin_token().await;
    let (_, read) = app
        .send("GET", &format!("/users/{id}"), Some(&token), None)
        .await;
    assert_eq!(read["links"]["self"], own);
    let (_, admin) = app.send("GET", "/users/me", Some(&token), None).await;
    assert_eq!(admin["links"]["self"], json!("/api/v1/users/1"));

    let path = format!("/users/{id}?fields=username");
    let (_, selected) = app.send("GET", &path, Some(&token), None).await;
    assert_eq!(selected, json!({"id": id, "username": "linked_user"}));
}

#[tokio::test]
async fn page_links_keep_the_query_and_change_only_the_page_or_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    for i in 0..3 {
        assert_eq!(app.sign_up(&format!("paged_{i}")).await.0, 201);
    }
    let token = app.admin_token().await;

    let path = "/users?search=paged&page=2&page_size=1";
    let (_, page) = app.send("GET", path, Some(&token), None).await;
    let at = |n: u32| format!("/api/v1/users?search=paged&page={n}&page_size=1");
    assert_eq!(
        page["links"],
        json!({"self": at(2), "first": at(1), "prev": at(1), "next": at(3), "last": at(3)})
    );

    let (_, first) = app
        .send("GET", "/users?search=paged&limit=2", Some(&token), None)
        .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = format!("/api/v1/users?search=paged&limit=2&cursor={cursor}");
    assert_eq!(first["links"]["self"], "/api/v1/users?search=paged&limit=2");
    assert_eq!(first["links"]["next"], Value::from(next.clone()));

    let followed = next.strip_prefix("/api/v1").unwrap();
    let (_, last) = app.send("GET", followed, Some(&token), None).await;
    assert_eq!(last["has_next"], false);
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    assert_eq!(last["links"], json!({"self": next}));
}
