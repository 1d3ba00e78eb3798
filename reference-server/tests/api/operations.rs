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

/// The figure of `name` in a Prometheus exposition.
fn figure(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

#[tokio::test]
async fn concurrent_writes_share_flushes() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    // The admin's welcome is written by the background worker: counted only once it is sent.
    for _ in 0..500 {
        let (_, list) = app
            .send("GET", "/users/1/notifications", Some(&token), None)
            .await;
        if list["items"][0]["status"] == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before = app.get_operation("/metrics").await.text().await.unwrap();
    let patches = (0..32).map(|n| {
        let body = serde_json::json!({"age": n});
        app.send("PATCH", "/users/1", Some(&token), Some(body))
    });

    futures_util::future::join_all(patches).await;
    let after = app.get_operation("/metrics").await.text().await.unwrap();

    let writes = figure(&after, "touchstone_store_durable_writes_total")
        - figure(&before, "touchstone_store_durable_writes_total");
    let flushes = figure(&after, "touchstone_store_flushes_total")
        - figure(&before, "touchstone_store_flushes_total");
    assert_eq!(writes, 32);
    assert!(
        flushes >= 1 && flushes < writes,
        "{flushes} flushes for {writes} writes"
    );
}

#[tokio::test]
async fn metrics_label_unknown_methods_as_one_so_clients_cannot_add_series() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    for method in ["FROB1", "FROB2", "FROB3"] {
        app.send(method, "/users", None, None).await;
    }

    let text = app.get_operation("/metrics").await.text().await.unwrap();

    assert!(!text.contains("FROB"), "a client's method is never a label");
    assert!(text.contains(
        r#"touchstone_http_requests_total{method="_OTHER",route="/api/v1/users",status="405"} 3"#
    ));
}
