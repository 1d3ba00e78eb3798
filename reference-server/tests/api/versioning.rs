//! Versioning (CONTRACT §12): the path chooses the version; `X-API-Version` may only name it.

use crate::helpers::spawn_app;

#[tokio::test]
async fn x_api_version_names_version_one_or_is_refused_before_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let me = |version: &'static str, token: Option<String>| {
        let mut request = app
            .client
            .get(app.url("/users/me"))
            .header("x-api-version", version);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };

    assert_eq!(me("1", Some(token.clone())).await, 200);
    assert_eq!(me("1.0", Some(token.clone())).await, 200);
    assert_eq!(me("2", Some(token.clone())).await, 400);
    assert_eq!(me("2", None).await, 400);
    assert_eq!(me("1", None).await, 401);
}

#[tokio::test]
async fn only_a_query_with_the_deprecated_order_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let get = |query: &'static str| {
        let request = app
            .client
            .get(app.url(&format!("/users{query}")))
            .bearer_auth(&token);
        async move { request.send().await.unwrap() }
    };

    let deprecated = get("?order=desc").await;
    assert_eq!(deprecated.headers()["deprecation"], "@1798761600");
    assert_eq!(
        deprecated.headers()["sunset"],
        "Thu, 01 Jul 2027 00:00:00 GMT"
    );
    let current = get("?sort=-id").await;
    assert!(current.headers().get("deprecation").is_none());
    assert!(current.headers().get("sunset").is_none());
}

#[tokio::test]
async fn another_versions_paths_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    for path in ["/api/v2/", "/api/v10/users", "/api/v0/openapi.json"] {
        let response = app.get_operation(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}
