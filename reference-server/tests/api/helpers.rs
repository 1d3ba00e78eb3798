use std::path::Path;

use reference_server::{Config, RunningServer};
use serde_json::{Value, json};

pub struct TestApp {
    pub server: RunningServer,
    pub client: reqwest::Client,
}

/// Starts the server on port 0 with a data dir of the test's own.
pub async fn spawn_app(data_dir: &Path) -> TestApp {
    spawn_with(Config::for_tests(data_dir.to_path_buf())).await
}

pub async fn spawn_with(config: Config) -> TestApp {
    let server = reference_server::spawn(config)
        .await
        .expect("the server starts");
    // Responses as sent: the tests read Content-Encoding themselves, whatever codecs another
    // crate of the build switches on in reqwest.
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .no_zstd()
        .build()
        .expect("a plain HTTP client builds");
    TestApp { server, client }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// `GET` of an operations endpoint (`/health`, `/ready`, `/metrics`), outside the base URL.
    pub async fn get_operation(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("http://{}{path}", self.server.addr))
            .send()
            .await
            .expect("the server answers")
    }

    /// One request; returns the status and the JSON body (`Null` when there is none).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn sign_up(&self, username: &str) -> (u16, Value) {
        let body = json!({"username": username, "email": format!("{username}@example.com"), "password": "Passw0rd!"});
        self.send("POST", "/users", None, Some(body)).await
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .send(
                "POST",
                "/auth/login",
                None,
                Some(json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, 200, "login of {username}: {body}");
        body["access_token"].as_str().expect("a token").to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.login("admin", "Admin-Passw0rd").await
    }
}
