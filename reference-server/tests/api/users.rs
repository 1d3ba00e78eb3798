use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn concurrent_sign_ups_with_one_username_create_exactly_one_user() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let attempts = (0..16).map(|i| {
        let body = json!({"username": "Racer", "email": format!("racer{i}@example.com"), "password": "Passw0rd!"});
        app.send("POST", "/users", None, Some(body))
    });

    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();

    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&s| s == 201 || s == 409),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_rename_frees_the_old_username() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (_, user) = app.sign_up("first_name").await;
    let token = app.login("first_name", "Passw0rd!").await;
    let id = user["id"].as_u64().unwrap();

    let (status, _) = app
        .send(
            "PATCH",
            &format!("/users/{id}"),
            Some(&token),
            Some(json!({"username": "second_name"})),
        )
        .await;
    let again =
        json!({"username": "FIRST_NAME", "email": "other@example.com", "password": "Passw0rd!"});
    let (reused, _) = app.send("POST", "/users", None, Some(again)).await;
    let (taken, _) = app.sign_up("Second_Name").await;

    assert_eq!((status, reused, taken), (200, 201, 409));
}

#[tokio::test]
async fn a_body_without_a_content_length_is_still_limited() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let chunks =
        futures_util::stream::iter((0..80).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])));

    let response = app
        .client
        .post(app.url("/users"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status().as_u16(), 413);
}
