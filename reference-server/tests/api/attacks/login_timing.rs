//! Telling unknown usernames from wrong passwords by how long a login takes (AUTH-03): both
//! must run the same Argon2 verification, with the parameters the server ships with.

use std::time::{Duration, Instant};

use reference_server::{Config, PasswordCost};
use serde_json::json;

use crate::helpers::{TestApp, spawn_with};

/// The shipped hashing cost, as the binary runs by default.
async fn spawn_shipped(dir: &std::path::Path) -> TestApp {
    spawn_with(Config {
        password_cost: PasswordCost::Owasp,
        ..Config::for_tests(dir.to_path_buf())
    })
    .await
}

/// `touchstone_password_verifications_total`, by its labels, as `/metrics` shows it now.
async fn verifications(app: &TestApp) -> Vec<(String, u64)> {
    let text = app.get_operation("/metrics").await.text().await.unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("touchstone_password_verifications_total"))
        .filter_map(|l| {
            let (labels, n) = l.rsplit_once(' ')?;
            Some((labels.to_owned(), n.parse().ok()?))
        })
        .collect()
}

async fn failed_login(app: &TestApp, username: &str) {
    let body = json!({"username": username, "password": "Wrong-passw0rd"});
    let (status, _) = app.send("POST", "/auth/login", None, Some(body)).await;
    assert_eq!(status, 401, "login of {username}");
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_each_run_one_verification_at_the_shipped_cost() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_shipped(dir.path()).await;
    let (status, _) = app.sign_up("known").await;
    assert_eq!(status, 201);
    let shipped = r#"{m_cost="19456",t_cost="2",p_cost="1"}"#.to_owned();
    assert_eq!(verifications(&app).await, vec![]);

    failed_login(&app, "nobody_at_all").await;
    let after_unknown = verifications(&app).await;
    failed_login(&app, "known").await;
    let after_wrong = verifications(&app).await;

    assert_eq!(after_unknown, vec![(shipped.clone(), 1)]);
    assert_eq!(after_wrong, vec![(shipped, 2)]);
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Measures, never asserts, the two latency distributions. Run with
/// `cargo test -p reference-server --test api login_latency -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "a measurement: prints the latencies of failed logins"]
async fn login_latency_of_unknown_users_and_wrong_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_shipped(dir.path()).await;
    app.sign_up("known").await;
    let rounds = 200;
    let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        // Interleaved, so drift of the machine's load falls on both alike.
        let start = Instant::now();
        failed_login(&app, &format!("nobody_{i}")).await;
        unknown.push(start.elapsed());
        let start = Instant::now();
        failed_login(&app, "known").await;
        wrong.push(start.elapsed());
    }

    for (name, mut times) in [("unknown user", unknown), ("wrong password", wrong)] {
        times.sort();
        println!(
            "{name:>14}: n={rounds} median={:.2?} p90={:.2?} min={:.2?} max={:.2?}",
            quantile(&times, 0.5),
            quantile(&times, 0.9),
            times[0],
            times[times.len() - 1],
        );
    }
}
