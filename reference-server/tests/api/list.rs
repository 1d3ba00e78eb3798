use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// Signs up `n` users named `{prefix}{i}` and returns their ids.
async fn users(app: &TestApp, prefix: &str, n: usize) -> Vec<u64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let (status, user) = app.sign_up(&format!("{prefix}{i}")).await;
        assert_eq!(status, 201, "{user}");
        ids.push(user["id"].as_u64().unwrap());
    }
    ids
}

#[tokio::test]
async fn an_offset_page_links_its_neighbours_with_the_query_it_was_asked_with() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    users(&app, "linked_", 5).await;
    let token = app.admin_token().await;

    let response = app
        .client
        .get(app.url("/users?search=LINKED&sort=-username&page=2&page_size=2"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    let header = |name: &str| {
        let value = response.headers().get(name).map(|v| v.to_str().unwrap());
        value.unwrap_or_default().to_owned()
    };
    let (link, total, modified) = (
        header("link"),
        header("x-total-count"),
        header("last-modified"),
    );
    let body: Value = response.json().await.unwrap();
    let at =
        |page: u32| format!("/api/v1/users?search=LINKED&sort=-username&page={page}&page_size=2");
    assert_eq!(
        link,
        format!(
            r#"<{}>; rel="first", <{}>; rel="prev", <{}>; rel="next", <{}>; rel="last""#,
            at(1),
            at(1),
            at(3),
            at(3)
        )
    );
    assert_eq!((total.as_str(), &body["total"]), ("5", &Value::from(5)));
    assert!(modified.ends_with(" GMT"), "{modified}");
    let names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["linked_2", "linked_1"]);
}

#[tokio::test]
async fn a_cursor_walk_visits_every_user_once_across_a_delete() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let ids = users(&app, "walker_", 7).await;
    let token = app.admin_token().await;

    let mut seen = Vec::new();
    let mut path = "/users?search=walker_&limit=3".to_owned();
    loop {
        let (status, page) = app.send("GET", &path, Some(&token), None).await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        seen.extend(items.iter().map(|u| u["id"].as_u64().unwrap()));
        if page["has_next"] != Value::Bool(true) {
            assert!(page["next_cursor"].is_null());
            break;
        }
        // Deleting a user already seen must not shift the rest of the walk.
        let first = items[0]["id"].as_u64().unwrap();
        let (deleted, _) = app
            .send("DELETE", &format!("/users/{first}"), Some(&token), None)
            .await;
        assert_eq!(deleted, 204);
        path = format!("/users?cursor={}", page["next_cursor"].as_str().unwrap());
    }

    assert_eq!(seen, ids);
}

#[tokio::test]
async fn the_catalog_is_rebuilt_from_the_store_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    users(&app, "Kept_", 3).await;
    let token = app.admin_token().await;
    let (_, before) = app
        .send(
            "GET",
            "/users?sort=-username&search=kept",
            Some(&token),
            None,
        )
        .await;
    app.server.stop().await;

    let app = spawn_app(dir.path()).await;
    let (status, after) = app
        .send(
            "GET",
            "/users?sort=-username&search=kept",
            Some(&token),
            None,
        )
        .await;

    assert_eq!(status, 200);
    assert_eq!(after["total"], 3);
    assert_eq!(after, before);
}
