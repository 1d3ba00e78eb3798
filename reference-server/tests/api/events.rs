//! Events (CONTRACT §16): the WebSocket of the users' writes.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{TestApp, spawn_app};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe(app: &TestApp, token: &str) -> Socket {
    let url = app.url("/events").replacen("http", "ws", 1);
    let mut request = url.into_client_request().unwrap();
    let bearer = format!("Bearer {token}").parse().unwrap();
    request.headers_mut().insert("authorization", bearer);
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// The next message, within a few seconds.
async fn next(socket: &mut Socket) -> Message {
    tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("a message in time")
        .expect("the stream goes on")
        .expect("a message")
}

async fn event(socket: &mut Socket) -> Value {
    match next(socket).await {
        Message::Text(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("not an event: {other:?}"),
    }
}

#[tokio::test]
async fn a_patch_is_sent_as_the_user_it_answered() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let mut socket = subscribe(&app, &token).await;

    let (_, created) = app.sign_up("watched").await;
    let id = created["id"].as_u64().unwrap();
    let change = json!({"full_name": "Watched One"});
    let path = format!("/users/{id}");
    let (status, patched) = app.send("PATCH", &path, Some(&token), Some(change)).await;
    assert_eq!(status, 200);
    assert_eq!(app.send("DELETE", &path, Some(&token), None).await.0, 204);

    let first = event(&mut socket).await;
    assert_eq!(
        (first["type"].as_str(), first["id"].as_u64()),
        (Some("user.created"), Some(id))
    );
    let second = event(&mut socket).await;
    assert_eq!(second["type"], "user.updated");
    assert_eq!(second["user"], patched);
    let third = event(&mut socket).await;
    assert_eq!(
        third,
        json!({"type": "user.deleted", "id": id, "user": null})
    );
}

#[tokio::test]
async fn a_get_that_is_not_an_upgrade_is_426_and_one_without_a_token_401() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    assert_eq!(app.send("GET", "/events", None, None).await.0, 401);
    let response = app
        .client
        .get(app.url("/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 426);
    assert_eq!(response.headers()["upgrade"], "websocket");
}

#[tokio::test]
async fn stopping_the_server_closes_its_subscriptions_as_going_away() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let token = app.admin_token().await;
    let mut socket = subscribe(&app, &token).await;
    app.server.stop().await;
    match next(&mut socket).await {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 1001),
        other => panic!("not a close: {other:?}"),
    }
}
