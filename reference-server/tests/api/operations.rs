use crate::helpers::spawn_app;

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    app.send("GET", "/users/1", Some(&token), None).await;
    app.send("GET", "/users/999", Some(&token), None).await;

    let response = app.get_operation("/metrics").await;
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let text = response.text().await.unwrap();

    assert!(content_type.starts_with("text/plain"));
    assert!(text.contains(
        r#"touchstone_http_requests_total{method="GET",route="/api/v1/users/{id}",status="200"} 1"#
    ));
    assert!(text.contains(r#"route="/api/v1/users/{id}",status="404"} 1"#));
    assert!(!text.contains("/users/999"), "raw paths are never labels");
    assert!(text.contains("touchstone_users 1"));
}

#[tokio::test]
async fn health_and_ready_answer() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;

    for path in ["/health", "/ready"] {
        let r = app.get_operation(path).await;
        assert_eq!(r.status(), 200, "{path}");
    }
}
