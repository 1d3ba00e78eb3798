//! The durability proof: kill the real binary with SIGKILL in the middle of concurrent writes,
//! restart it on the same data dir, and check that every write it acknowledged is there and that
//! uniqueness still holds, that replaying a sign-up's idempotency key finds the same user, that
//! every acknowledged order is there under its user, and that every accepted export job, and the
//! welcome every sign-up queued, is there and, once the server is back, runs to its end.
//! `TOUCHSTONE_CRASH_CYCLES` sets the number of cycles (default 8); a longer run is
//! `TOUCHSTONE_CRASH_CYCLES=200 cargo test -p reference-server --test api crash -- --nocapture`.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use serde_json::{Value, json};

const WORKERS: usize = 8;

struct Server {
    child: Child,
    base: String,
}

fn start(data_dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reference-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--password-cost",
            "fast",
            "--jwt-secret",
            "crash-test-secret",
            // Every writer is one client address; the limits are not what this test is about.
            "--rate-limit",
            "0",
            "--login-rate-limit",
            "0",
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut line)
        .expect("the server prints its address");
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    Server {
        child,
        base: format!("{addr}/api/v1"),
    }
}

/// What the server acknowledged, and what was in flight when it died.
#[derive(Clone, Default)]
struct Ledger {
    created: HashMap<u64, String>,
    /// Per user: the last acknowledged full_name and the one sent after it, if any.
    renamed: HashMap<u64, (String, Option<String>)>,
    /// Acknowledged orders: (user id, order id) and the SKU of its one item.
    orders: HashMap<(u64, u64), String>,
    /// Export jobs accepted (202), by id.
    jobs: HashSet<u64>,
    acknowledged: usize,
}

async fn admin_token(client: &reqwest::Client, base: &str) -> String {
    let body = json!({"username": "admin", "password": "Admin-Passw0rd"});
    let response = client
        .post(format!("{base}/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let token: Value = response.json().await.unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

async fn work(
    client: reqwest::Client,
    base: String,
    token: String,
    cycle: usize,
    worker: usize,
    ledger: Arc<Mutex<Ledger>>,
) {
    let mut mine: Vec<u64> = Vec::new();
    for n in 0.. {
        let username = format!("c{cycle}w{worker}n{n}");
        let Ok(response) = sign_up(&client, &base, &username).await else {
            return;
        };
        if response.status() == 201 {
            let Ok(user) = response.json::<Value>().await else {
                return;
            };
            let id = user["id"].as_u64().unwrap();
            let mut ledger = ledger.lock().unwrap();
            ledger.created.insert(id, username.clone());
            ledger.acknowledged += 1;
            mine.push(id);
        }
        let Some(&id) = mine.get(n % mine.len().max(1)) else {
            continue;
        };
        let name = format!("renamed {cycle}-{worker}-{n}");
        ledger
            .lock()
            .unwrap()
            .renamed
            .entry(id)
            .or_insert((String::new(), None))
            .1 = Some(name.clone());
        let patch = client
            .patch(format!("{base}/users/{id}"))
            .bearer_auth(&token)
            .json(&json!({"full_name": name}))
            .send()
            .await;
        let Ok(response) = patch else { return };
        if response.status() == 200 {
            let mut ledger = ledger.lock().unwrap();
            ledger.renamed.insert(id, (name, None));
            ledger.acknowledged += 1;
        }
        let sku = format!("C{cycle}-W{worker}-N{n}");
        let order = json!({"items": [{"sku": sku, "quantity": 1, "unit_price": 100}]});
        let placed = client
            .post(format!("{base}/users/{id}/orders"))
            .bearer_auth(&token)
            .json(&order)
            .send()
            .await;
        let Ok(response) = placed else { return };
        if response.status() == 201 {
            let Ok(order) = response.json::<Value>().await else {
                return;
            };
            let mut ledger = ledger.lock().unwrap();
            ledger
                .orders
                .insert((id, order["id"].as_u64().unwrap()), sku);
            ledger.acknowledged += 1;
        }
        if n % 4 != 0 {
            continue;
        }
        let export = client
            .post(format!("{base}/users/{id}/exports"))
            .bearer_auth(&token)
            .send()
            .await;
        let Ok(response) = export else { return };
        if response.status() == 202 {
            let Ok(job) = response.json::<Value>().await else {
                return;
            };
            let mut ledger = ledger.lock().unwrap();
            ledger.jobs.insert(job["id"].as_u64().unwrap());
            ledger.acknowledged += 1;
        }
    }
}

/// How a record the background worker finishes stands after a restart.
#[derive(PartialEq, Eq)]
enum Standing {
    Missing,
    Unfinished,
    Finished,
}

/// How many of `records` (a URL and what it is) are gone, or, when `finished` is asked for, not
/// finished within a bound; `standing` reads one answer.
async fn lost_background(
    client: &reqwest::Client,
    token: &str,
    records: Vec<(String, String)>,
    finished: bool,
    standing: impl Fn(u16, &Value) -> Standing,
) -> usize {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut lost = 0;
    for (url, what) in records {
        loop {
            let response = client.get(&url).bearer_auth(token).send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or_default();
            let now = standing(status, &body);
            if now == Standing::Missing {
                eprintln!("lost {what}: {status} {body}");
                lost += 1;
                break;
            }
            if !finished || now == Standing::Finished {
                break;
            }
            if std::time::Instant::now() > deadline {
                eprintln!("{what} did not finish after the restart: {body}");
                lost += 1;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    lost
}

/// Acknowledged sign-ups whose welcome is not there, or not sent: the outbox is written with
/// the user, so a crash can lose neither alone.
async fn lost_welcomes(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    ledger: &Ledger,
    finished: bool,
) -> usize {
    let records = ledger
        .created
        .keys()
        .map(|id| {
            (
                format!("{base}/users/{id}/notifications"),
                format!("the welcome of user {id}"),
            )
        })
        .collect();
    lost_background(client, token, records, finished, |_, list| {
        match (
            list["items"].as_array().map(Vec::len),
            &list["items"][0]["status"],
        ) {
            (Some(1), status) if status == "sent" => Standing::Finished,
            (Some(1), _) => Standing::Unfinished,
            _ => Standing::Missing,
        }
    })
    .await
}

/// Export jobs accepted but not there, or not done.
async fn lost_jobs(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    ledger: &Ledger,
    finished: bool,
) -> usize {
    let records = ledger
        .jobs
        .iter()
        .map(|id| (format!("{base}/jobs/{id}"), format!("job {id}")))
        .collect();
    lost_background(
        client,
        token,
        records,
        finished,
        |status, job| match status {
            200 if job["status"] == "done" => Standing::Finished,
            200 => Standing::Unfinished,
            _ => Standing::Missing,
        },
    )
    .await
}

/// A sign-up keyed by its username (HTTP-09), so that it can be replayed after a crash.
async fn sign_up(
    client: &reqwest::Client,
    base: &str,
    username: &str,
) -> reqwest::Result<reqwest::Response> {
    let body = json!({"username": username, "email": format!("{username}@example.com"), "password": "Passw0rd!"});
    client
        .post(format!("{base}/users"))
        .header("idempotency-key", username)
        .json(&body)
        .send()
        .await
}

/// Lost writes, and how many sign-ups were replayed by their keys.
async fn verify(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    ledger: &Ledger,
) -> (usize, usize) {
    let (mut lost, mut replayed) = (0, 0);
    for (id, username) in &ledger.created {
        // The key is written in the sign-up's transaction: a replay must find the same user.
        if id % 8 == 0 {
            replayed += 1;
            let replay = sign_up(client, base, username).await.unwrap();
            let status = replay.status();
            let user: Value = replay.json().await.unwrap_or_default();
            if status != 201 || user["id"] != *id {
                eprintln!("lost idempotency key of user {id} ({username}): {status} {user}");
                lost += 1;
            }
        }
        let response = client
            .get(format!("{base}/users/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let user: Value = response.json().await.unwrap();
        if user["username"] != *username {
            eprintln!("lost user {id} ({username}): {user}");
            lost += 1;
            continue;
        }
        if let Some((acked, in_flight)) = ledger.renamed.get(id) {
            let seen = user["full_name"].as_str().unwrap_or_default();
            if !acked.is_empty() && seen != acked && Some(seen) != in_flight.as_deref() {
                eprintln!("lost update of user {id}: saw {seen:?}, acknowledged {acked:?}");
                lost += 1;
            }
        }
    }
    for ((user, order), sku) in &ledger.orders {
        let response = client
            .get(format!("{base}/users/{user}/orders/{order}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let found: Value = response.json().await.unwrap_or_default();
        if status != 200 || found["items"][0]["sku"] != *sku {
            eprintln!("lost order {order} of user {user} ({sku}): {status} {found}");
            lost += 1;
        }
    }
    (lost, replayed)
}

async fn assert_unique(client: &reqwest::Client, base: &str, token: &str) {
    let (mut names, mut emails) = (HashSet::new(), HashSet::new());
    for page in 1.. {
        let url = format!("{base}/users?page={page}&page_size=100");
        let body: Value = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = body["items"].as_array().unwrap();
        for user in items {
            assert!(
                names.insert(user["username"].as_str().unwrap().to_lowercase()),
                "duplicate username: {user}"
            );
            assert!(
                emails.insert(user["email"].as_str().unwrap().to_owned()),
                "duplicate email: {user}"
            );
        }
        if items.len() < 100 {
            break;
        }
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    let cycles: usize = std::env::var("TOUCHSTONE_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(8);
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    for cycle in 0..cycles {
        let mut server = start(dir.path());
        let token = admin_token(&client, &server.base).await;
        let acknowledged = ledger.lock().unwrap().clone();
        let (lost, _) = verify(&client, &server.base, &token, &acknowledged).await;
        let lost = lost + lost_jobs(&client, &server.base, &token, &acknowledged, false).await;
        let lost = lost + lost_welcomes(&client, &server.base, &token, &acknowledged, false).await;
        assert_eq!(
            lost, 0,
            "writes acknowledged before crash {cycle} were lost"
        );
        assert_unique(&client, &server.base, &token).await;
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                tokio::spawn(work(
                    client.clone(),
                    server.base.clone(),
                    token.clone(),
                    cycle,
                    w,
                    ledger.clone(),
                ))
            })
            .collect();
        let uptime = rand::rng().random_range(100..700);
        tokio::time::sleep(Duration::from_millis(uptime)).await;
        server.child.kill().expect("SIGKILL is delivered");
        server.child.wait().unwrap();
        for worker in workers {
            worker.await.unwrap();
        }
    }
    let mut server = start(dir.path());
    let token = admin_token(&client, &server.base).await;
    let ledger = ledger.lock().unwrap().clone();
    let (lost, replayed) = verify(&client, &server.base, &token, &ledger).await;
    let lost = lost + lost_jobs(&client, &server.base, &token, &ledger, true).await;
    let lost = lost + lost_welcomes(&client, &server.base, &token, &ledger, true).await;
    assert_unique(&client, &server.base, &token).await;
    server.child.kill().unwrap();
    println!(
        "crash test: {cycles} cycles, {} acknowledged writes ({} of them orders, {} export jobs and as many welcomes as sign-ups, each done after the restarts), {lost} lost; {replayed} sign-ups replayed by their idempotency keys",
        ledger.acknowledged,
        ledger.orders.len(),
        ledger.jobs.len()
    );
    assert_eq!(lost, 0);
    assert!(replayed > 0, "some sign-ups must be replayed");
    assert!(!ledger.orders.is_empty(), "some orders must be placed");
    assert!(!ledger.jobs.is_empty(), "some exports must be accepted");
    assert!(
        ledger.acknowledged > cycles,
        "the workload must write something every cycle"
    );
}
