//! Hostile connections: oversized heads, slow clients and idle ones, against short timeouts.

use std::time::Duration;

use reference_server::Config;
use tokio::io::AsyncWriteExt;

use super::raw::{self, Outcome, closed_within, connect, send};
use super::unharmed;
use crate::helpers::{TestApp, spawn_with};

/// A server whose clients get one second for a header section and two for a body.
async fn impatient(dir: &std::path::Path) -> TestApp {
    let mut config = Config::for_tests(dir.to_path_buf());
    config.header_read_timeout_secs = 1;
    config.body_read_timeout_secs = 2;
    spawn_with(config).await
}

/// Far more than the timeouts above: a connection still open after it is held for good.
const BOUND: Duration = Duration::from_secs(8);

fn get_with(headers: &[(String, String)]) -> Vec<u8> {
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    raw::request("GET", "/api/v1/users/me", &pairs, b"")
}

#[tokio::test]
async fn a_header_section_over_32_kib_is_431_with_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_default(dir.path()).await;
    let one = [("X-Padding".to_owned(), "a".repeat(40 * 1024))];
    let answer = send(app.server.addr, &get_with(&one)).await.answer();
    assert!(answer.is_problem(431), "{answer:?}");
    let spread: Vec<_> = (0..5)
        .map(|i| (format!("X-Pad-{i}"), "b".repeat(7 * 1024)))
        .collect();
    let answer = send(app.server.addr, &get_with(&spread)).await.answer();
    assert!(answer.is_problem(431), "{answer:?}");
    unharmed(&app, "after_431").await;
}

#[tokio::test]
async fn a_header_of_80_kb_or_200_kb_or_1000_fields_is_431_or_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_default(dir.path()).await;
    let large = [("X-Padding".to_owned(), "a".repeat(80 * 1000))];
    let huge = [("X-Padding".to_owned(), "a".repeat(200 * 1000))];
    let many: Vec<_> = (0..1000)
        .map(|i| (format!("X-H{i}"), "v".to_owned()))
        .collect();
    let probes = [
        ("80 KB", &large[..]),
        ("200 KB", &huge[..]),
        ("1,000 fields", &many[..]),
    ];
    for (what, headers) in probes {
        // Past what it buffers the parser answers 431 with no body, or the connection is reset
        // under the rest of the head: either way nothing is served.
        match send(app.server.addr, &get_with(headers)).await {
            Outcome::Answered(answer) => assert_eq!(answer.status, 431, "{what}: {answer:?}"),
            Outcome::Closed => {}
        }
    }
    unharmed(&app, "after_parser_431").await;
}

#[tokio::test]
async fn a_client_sending_its_head_a_byte_a_second_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let app = impatient(dir.path()).await;
    let mut stream = connect(app.server.addr).await;
    let head = b"GET /health HTTP/1.1\r\nHost: test\r\nX-Slow: abcdefghijklmnopqrstuvwxyz\r\n\r\n";
    let started = tokio::time::Instant::now();
    let mut cut_off = false;
    for byte in head {
        if stream.write_all(&[*byte]).await.is_err() {
            cut_off = true;
            break;
        }
        if closed_within(&mut stream, Duration::from_millis(1000)).await {
            cut_off = true;
            break;
        }
        assert!(started.elapsed() < BOUND, "still connected after {BOUND:?}");
    }
    assert!(cut_off, "the whole head went through a byte a second");
    unharmed(&app, "after_slow_head").await;
}

#[tokio::test]
async fn a_body_that_stops_short_of_its_content_length_is_408_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = impatient(dir.path()).await;
    let body = super::sign_up("liar_long", "");
    let head = format!(
        "POST /api/v1/users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len() + 100
    );
    let mut stream = connect(app.server.addr).await;
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let answer = raw::read_answer(&mut stream).await.answer();
    assert!(answer.is_problem(408), "{answer:?}");
    assert_eq!(answer.header("connection"), Some("close"));
    assert!(closed_within(&mut stream, BOUND).await);
    unharmed(&app, "liar_long").await;
}

#[tokio::test]
async fn a_client_sending_its_body_a_byte_a_second_is_408() {
    let dir = tempfile::tempdir().unwrap();
    let app = impatient(dir.path()).await;
    let body = super::sign_up("slow_body", "");
    let head = raw::post_json("/api/v1/users", body.as_bytes());
    let head = &head[..head.len() - body.len()];
    let mut stream = connect(app.server.addr).await;
    stream.write_all(head).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        for byte in body.into_bytes() {
            if write.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let answer = raw::read_answer(&mut read).await.answer();
    assert!(answer.is_problem(408), "{answer:?}");
    assert!(closed_within(&mut read, BOUND).await);
    writer.abort();
    unharmed(&app, "slow_body").await;
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let app = impatient(dir.path()).await;
    let mut stream = connect(app.server.addr).await;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let answer = raw::read_answer(&mut stream).await.answer();
    assert_eq!(answer.status, 200);
    assert!(
        closed_within(&mut stream, BOUND).await,
        "the idle connection stayed open"
    );
}

/// The open files this process may hold: its soft `RLIMIT_NOFILE`.
fn fd_limit() -> usize {
    let text = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1024)
}

#[tokio::test]
async fn ten_thousand_idle_connections_neither_stop_the_server_nor_stay_open() {
    let dir = tempfile::tempdir().unwrap();
    let app = impatient(dir.path()).await;
    // Both ends of every connection are this process's files; other tests hold some too.
    let room = fd_limit().saturating_sub(1024) / 2;
    let wanted = 10_000.min(room);
    if wanted < 10_000 {
        eprintln!(
            "the fd limit ({}) allows {wanted} idle connections, not 10,000",
            fd_limit()
        );
    }
    let mut idle = Vec::with_capacity(wanted);
    for _ in 0..wanted {
        match tokio::net::TcpStream::connect(app.server.addr).await {
            Ok(stream) => idle.push(stream),
            Err(e) => panic!("connection {} failed: {e}", idle.len()),
        }
    }
    // A new connection: the client's pooled one may be closed by the idle timeout just as it
    // is reused, which would fail this request for the client's sake, not the server's.
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let health = fresh
        .get(format!("http://{}/health", app.server.addr))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(health.status(), 200, "with {} idle connections", idle.len());
    let closes = idle.iter_mut().map(|s| closed_within(s, BOUND));
    let closed = futures_util::future::join_all(closes).await;
    let open = closed.iter().filter(|c| !**c).count();
    assert_eq!(open, 0, "{open} of {wanted} idle connections stayed open");
    unharmed(&app, "after_idle").await;
}

async fn spawn_app_default(dir: &std::path::Path) -> TestApp {
    crate::helpers::spawn_app(dir).await
}
