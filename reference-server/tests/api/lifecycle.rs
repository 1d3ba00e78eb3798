use crate::helpers::spawn_app;

#[tokio::test]
async fn acknowledged_users_and_tokens_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (status, created) = app.sign_up("survivor").await;
    assert_eq!(status, 201);
    let token = app.login("survivor", "Passw0rd!").await;
    app.server.stop().await;

    let app = spawn_app(dir.path()).await;
    let id = created["id"].as_u64().unwrap();
    let (status, fetched) = app
        .send("GET", &format!("/users/{id}"), Some(&token), None)
        .await;

    assert_eq!(status, 200, "the user and the signing secret are both kept");
    assert_eq!(fetched, created);
}

#[tokio::test]
async fn the_admin_account_is_created_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    app.server.stop().await;

    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let (status, page) = app.send("GET", "/users", Some(&token), None).await;

    assert_eq!(status, 200);
    assert_eq!(page["total"], 1);
}
