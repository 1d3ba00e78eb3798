use reference_server::Config;

use crate::helpers::spawn_with;

fn limited(dir: &std::path::Path, general: u32, login: u32) -> Config {
    let mut config = Config::for_tests(dir.to_path_buf());
    config.rate_limit = general;
    config.login_rate_limit = login;
    config
}

#[tokio::test]
async fn a_spent_address_is_refused_with_retry_after_and_operations_stay_open() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_with(limited(dir.path(), 3, 0)).await;
    let me = app.url("/users/me");

    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = app.client.get(&me).send().await.unwrap();
        assert_eq!(r.status(), 401);
        remaining.push(
            r.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    let refused = app.client.get(&me).send().await.unwrap();
    let health = app.get_operation("/health").await;

    assert_eq!(remaining, ["2", "1", "0"]);
    assert_eq!(refused.status(), 429);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=20).contains(&after),
        "one allowance comes back in 20 s"
    );
    assert_eq!(health.status(), 200);
    assert!(health.headers().get("x-ratelimit-limit").is_none());
}

#[tokio::test]
async fn failed_logins_for_one_account_are_refused_once_the_login_limit_is_spent() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_with(limited(dir.path(), 1000, 2)).await;
    let wrong = serde_json::json!({"username": "admin", "password": "Wrong-passw0rd"});
    let other = serde_json::json!({"username": "nobody", "password": "Wrong-passw0rd"});

    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = app
            .send("POST", "/auth/login", None, Some(wrong.clone()))
            .await;
        statuses.push(r.0);
    }
    let (other_status, _) = app.send("POST", "/auth/login", None, Some(other)).await;

    assert_eq!(statuses, [401, 401, 429]);
    assert_eq!(other_status, 401, "another account has a bucket of its own");
}
