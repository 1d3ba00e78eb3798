use crate::helpers::spawn_app;

#[tokio::test]
async fn docs_page_is_html_with_a_policy_of_its_own_and_validators() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;

    let page = app.client.get(app.url("/docs")).send().await.unwrap();
    let headers = page.headers().clone();
    let body = page.text().await.unwrap();

    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(headers.contains_key("etag"));
    assert_eq!(headers["cache-control"], "public, max-age=300");
    assert!(body.contains(r#"<script src="docs/init.js"></script>"#));
    assert!(
        !body.contains("https://"),
        "nothing is loaded from elsewhere"
    );

    let again = app
        .client
        .get(app.url("/docs"))
        .header("if-none-match", headers["etag"].clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn docs_files_are_served_with_their_types_and_compressed_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;

    // The bundle and its style sheet are over 1 KiB, so compressed like every such body (HTTP-12).
    for (file, media, compressed) in [
        ("swagger-ui-bundle.js", "text/javascript", true),
        ("swagger-ui.css", "text/css", true),
        ("init.js", "text/javascript", false),
        ("page.css", "text/css", false),
        ("LICENSE", "text/plain", true),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/docs/{file}")))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{file}");
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(content_type.starts_with(media), "{file}: {content_type}");
        let encoding = response.headers().get("content-encoding");
        assert_eq!(encoding.is_some_and(|e| e == "gzip"), compressed, "{file}");
    }
}

#[tokio::test]
async fn an_unknown_docs_file_is_404_with_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;

    let (status, problem) = app.send("GET", "/docs/swagger-ui.js.map", None, None).await;

    assert_eq!(status, 404);
    assert_eq!(problem["status"], 404);
}

#[tokio::test]
async fn docs_at_the_root_redirect_to_the_page_under_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let response = client
        .get(format!("http://{}/docs", app.server.addr))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 307);
    assert_eq!(response.headers()["location"], "/api/v1/docs");
}

#[tokio::test]
async fn docs_with_a_trailing_slash_redirect_to_the_page_its_links_are_relative_to() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let response = client.get(app.url("/docs/")).send().await.unwrap();

    assert_eq!(response.status(), 307);
    assert_eq!(response.headers()["location"], "../docs");
}
