//! Reading a password or its hash (USR-03) through any endpoint, selection, error or replay.

use serde_json::{Value, json};

use super::{Answer, answer, user};
use crate::helpers::{TestApp, spawn_app};

/// The member names of `value`, at every depth.
fn members(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::Object(o) => {
            for (name, inner) in o {
                names.push(name.clone());
                members(inner, names);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| members(v, names)),
        _ => {}
    }
}

/// Nothing of a password or its hash in `answer`, its headers included.
fn assert_no_secret(what: &str, answer: &Answer, passwords: &[&str]) {
    let headers = format!("{:?}", answer.headers);
    for text in [answer.text.as_str(), headers.as_str()] {
        assert!(!text.contains("$argon2"), "{what} shows a hash: {text}");
        for password in passwords {
            assert!(!text.contains(password), "{what} shows {password}: {text}");
        }
    }
    let mut names = Vec::new();
    members(&answer.json(), &mut names);
    let leaked: Vec<_> = names
        .iter()
        .filter(|n| n.to_lowercase().contains("password") || n.to_lowercase().contains("hash"))
        .collect();
    assert!(leaked.is_empty(), "{what} has {leaked:?}: {}", answer.text);
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, String)>,
) -> Answer {
    let mut request = app.client.request(method.parse().unwrap(), app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some((content_type, body)) = body {
        request = request.header("content-type", content_type).body(body);
    }
    answer(request).await
}

#[tokio::test]
async fn no_answer_of_any_endpoint_shows_a_password_or_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let admin = app.admin_token().await;
    let (id, token) = user(&app, "holder").await;
    let json = |v: Value| Some(("application/json", v.to_string()));
    let secret = "S3cret-Of-Holder";
    let sign_up = json!({"username": "keyed", "email": "keyed@example.com", "password": secret});
    let mut answers = Vec::new();
    for _ in 0..2 {
        let replayed = app
            .client
            .post(app.url("/users"))
            .header("idempotency-key", "one-key")
            .json(&sign_up);
        answers.push((
            "an idempotent sign-up and its replay".to_owned(),
            answer(replayed).await,
        ));
    }
    let requests = [
        (
            "POST",
            "/users".to_owned(),
            None,
            json(json!({"username": "holder", "email": "h2@example.com", "password": secret})),
        ),
        (
            "POST",
            "/users".to_owned(),
            None,
            json(json!({"username": "weak", "email": "weak@example.com", "password": "weakpass1"})),
        ),
        (
            "POST",
            "/users".to_owned(),
            None,
            json(json!({"username": "x", "email": "x", "password": 12345678})),
        ),
        (
            "POST",
            "/auth/login".to_owned(),
            None,
            json(json!({"username": "keyed", "password": secret})),
        ),
        (
            "POST",
            "/auth/login".to_owned(),
            None,
            json(json!({"username": "keyed", "password": "Wrong-passw0rd"})),
        ),
        (
            "POST",
            "/auth/login".to_owned(),
            None,
            json(json!({"username": "nobody", "password": "Wrong-passw0rd"})),
        ),
        (
            "POST",
            "/auth/login".to_owned(),
            None,
            json(json!({"username": "keyed", "password": 1})),
        ),
        ("GET", format!("/users/{id}"), Some(&token), None),
        ("GET", "/users/me".to_owned(), Some(&token), None),
        ("GET", "/users?page_size=100".to_owned(), Some(&token), None),
        ("GET", "/users?limit=100".to_owned(), Some(&admin), None),
        (
            "GET",
            "/users?fields=password_hash".to_owned(),
            Some(&token),
            None,
        ),
        (
            "GET",
            "/users?fields=password".to_owned(),
            Some(&token),
            None,
        ),
        (
            "GET",
            "/users?fields=id,password_hash".to_owned(),
            Some(&admin),
            None,
        ),
        (
            "GET",
            format!("/users/{id}?fields=password_hash"),
            Some(&token),
            None,
        ),
        (
            "GET",
            format!("/users/{id}?fields=hash,salt,password"),
            Some(&admin),
            None,
        ),
        (
            "GET",
            "/users?fields=id,username,email,full_name,age,role,is_active,created_at,updated_at"
                .to_owned(),
            Some(&admin),
            None,
        ),
        (
            "GET",
            "/users?sort=password_hash".to_owned(),
            Some(&admin),
            None,
        ),
        ("GET", "/users?search=argon2".to_owned(), Some(&admin), None),
        (
            "PATCH",
            format!("/users/{id}"),
            Some(&token),
            json(json!({"password": secret})),
        ),
        (
            "PATCH",
            format!("/users/{id}"),
            Some(&token),
            Some((
                "application/merge-patch+json",
                json!({"password_hash": "$x$"}).to_string(),
            )),
        ),
        (
            "PATCH",
            format!("/users/{id}"),
            Some(&token),
            json(json!({"full_name": "Holder"})),
        ),
        (
            "PUT",
            format!("/users/{id}"),
            Some(&token),
            json(json!({"username": "holder", "email": "holder@example.com", "password": secret})),
        ),
        (
            "PUT",
            format!("/users/{id}"),
            Some(&admin),
            json(json!({"username": "holder", "email": "holder@example.com"})),
        ),
        (
            "PATCH",
            "/users/1".to_owned(),
            Some(&token),
            json(json!({"full_name": "x"})),
        ),
        ("GET", "/users/999".to_owned(), Some(&token), None),
        ("DELETE", "/users".to_owned(), Some(&token), None),
    ];
    for (method, path, token, body) in requests {
        let what = format!("{method} {path}");
        answers.push((
            what,
            call(&app, method, &path, token.map(String::as_str), body).await,
        ));
    }
    for path in ["/metrics", "/health", "/ready"] {
        let response = app.get_operation(path).await;
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        answers.push((
            path.to_owned(),
            Answer {
                status: 200,
                headers,
                text,
            },
        ));
    }

    for (what, answer) in &answers {
        assert_no_secret(
            what,
            answer,
            &[secret, "Passw0rd!", "weakpass1", "Admin-Passw0rd"],
        );
    }
    let searched = answers
        .iter()
        .find(|(w, _)| w.ends_with("search=argon2"))
        .unwrap();
    assert_eq!(
        searched.1.json()["total"],
        0,
        "search reaches into the hash"
    );
    let selections = answers
        .iter()
        .filter(|(w, _)| w.contains("fields=") && w.contains("pass"));
    for (what, answer) in selections {
        answer.assert_problem(422, what);
    }
}

#[tokio::test]
async fn the_openapi_document_holds_no_hash_and_no_password_in_a_user() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;

    let (status, doc) = app.send("GET", "/openapi.json", None, None).await;

    assert_eq!(status, 200);
    assert!(!doc.to_string().contains("$argon2"));
    let user = &doc["components"]["schemas"]["User"]["properties"];
    let mut names = Vec::new();
    members(user, &mut names);
    assert!(
        !names.is_empty() && !names.iter().any(|n| n.contains("password")),
        "{user}"
    );
}
