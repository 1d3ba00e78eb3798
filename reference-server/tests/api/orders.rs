//! Orders (CONTRACT §11): placed and read under their user, reached only by the user and admins.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

fn order(sku: &str, quantity: u64, unit_price: u64) -> Value {
    json!({"items": [{"sku": sku, "quantity": quantity, "unit_price": unit_price}]})
}

/// Signs up `name`; its id and a token of its own.
async fn user(app: &TestApp, name: &str) -> (u64, String) {
    let (status, user) = app.sign_up(name).await;
    assert_eq!(status, 201, "{user}");
    (
        user["id"].as_u64().unwrap(),
        app.login(name, "Passw0rd!").await,
    )
}

#[tokio::test]
async fn an_order_is_placed_totalled_and_read_back_by_its_user() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (id, token) = user(&app, "buyer").await;
    let body = json!({"items": [
        {"sku": "BOOK-1", "quantity": 2, "unit_price": 1250},
        {"sku": "pen_2", "quantity": 3.0, "unit_price": 99},
    ]});

    let (status, placed) = app
        .send(
            "POST",
            &format!("/users/{id}/orders"),
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["user_id"], id);
    assert_eq!(placed["total"], 2 * 1250 + 3 * 99);
    assert_eq!(placed["items"][1]["quantity"], 3);
    let own = format!("/api/v1/users/{id}/orders/{}", placed["id"]);
    assert_eq!(placed["links"]["self"], Value::from(own.clone()));

    let path = own.strip_prefix("/api/v1").unwrap();
    let (status, read) = app.send("GET", path, Some(&token), None).await;
    assert_eq!((status, &read), (200, &placed));
    let (_, page) = app
        .send("GET", &format!("/users/{id}/orders"), Some(&token), None)
        .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0], placed);
}

#[tokio::test]
async fn every_failing_member_of_an_order_is_named_and_nothing_is_placed() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (id, token) = user(&app, "careless").await;
    let body = json!({"items": [
        {"sku": "ok", "quantity": 1, "unit_price": 1},
        {"sku": "no spaces", "quantity": 1001, "unit_price": 0},
    ]});

    let (status, problem) = app
        .send(
            "POST",
            &format!("/users/{id}/orders"),
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let named: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        named,
        ["items[1].sku", "items[1].quantity", "items[1].unit_price"]
    );
    let (_, page) = app
        .send("GET", &format!("/users/{id}/orders"), Some(&token), None)
        .await;
    assert_eq!(page["total"], 0);
}

#[tokio::test]
async fn another_users_orders_are_forbidden_and_their_orders_not_found_under_you() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (alice, alice_token) = user(&app, "alice").await;
    let (bob, bob_token) = user(&app, "bob").await;
    let (_, of_bob) = app
        .send(
            "POST",
            &format!("/users/{bob}/orders"),
            Some(&bob_token),
            Some(order("B", 1, 5)),
        )
        .await;

    let theirs = format!("/users/{bob}/orders/{}", of_bob["id"]);
    assert_eq!(
        app.send("GET", &theirs, Some(&alice_token), None).await.0,
        403
    );
    let orders = format!("/users/{bob}/orders");
    assert_eq!(
        app.send("GET", &orders, Some(&alice_token), None).await.0,
        403
    );
    let under_alice = format!("/users/{alice}/orders/{}", of_bob["id"]);
    assert_eq!(
        app.send("GET", &under_alice, Some(&alice_token), None)
            .await
            .0,
        404
    );
    let admin = app.admin_token().await;
    assert_eq!(app.send("GET", &theirs, Some(&admin), None).await.0, 200);
}

#[tokio::test]
async fn a_deleted_users_orders_go_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app(dir.path()).await;
    let (id, token) = user(&app, "leaving").await;
    let orders = format!("/users/{id}/orders");
    let (_, placed) = app
        .send("POST", &orders, Some(&token), Some(order("X", 1, 1)))
        .await;
    let admin = app.admin_token().await;

    assert_eq!(
        app.send("DELETE", &format!("/users/{id}"), Some(&admin), None)
            .await
            .0,
        204
    );
    assert_eq!(app.send("GET", &orders, Some(&admin), None).await.0, 404);
    let one = format!("{orders}/{}", placed["id"]);
    assert_eq!(app.send("GET", &one, Some(&admin), None).await.0, 404);
}
