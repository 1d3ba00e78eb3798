//! One HTTP request, written as text, through the reference server's whole filter in-process:
//!
//! ```text
//! PATCH /api/v1/users/$UID?fields=id
//! Authorization: Bearer $USER
//! Content-Type: application/merge-patch+json
//!
//! {"age": 30}
//! ```
//!
//! A request line, header lines, a blank line, the body. In the head `$ADMIN` and `$USER` stand for
//! valid bearer tokens of the admin and of an ordinary user, `$UID` for that user's id, so that
//! mutations reach the authenticated paths. Inputs no HTTP/1.1 parser would hand the server (a
//! method, path or header that is not valid) are skipped. What the contract promises of every
//! answer is asserted: no panic, no 5xx, and every 4xx a problem+json document of its own status
//! (GEN-02).

#![no_main]

use std::io::Read;
use std::net::SocketAddr;
use std::sync::OnceLock;

use http::{HeaderName, HeaderValue, Method, Uri};
use libfuzzer_sys::fuzz_target;
use reference_server::{Config, http::app};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

struct Harness {
    runtime: tokio::runtime::Runtime,
    filter: BoxedFilter<(Response,)>,
    admin: String,
    user: String,
    user_id: String,
}

const PEER: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 40000);

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        // One data dir per process (libFuzzer's -fork and -jobs run several), removed by ci/fuzz.
        let base = std::env::var_os("TOUCHSTONE_FUZZ_DATA")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let data_dir = base.join(format!("touchstone-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        let mut config = Config::for_tests(data_dir);
        // Limits high enough never to answer 429 to a fuzzing run, but on, so their code runs.
        config.rate_limit = u32::MAX;
        config.login_rate_limit = u32::MAX;
        let application = runtime
            .block_on(reference_server::build(&config))
            .expect("the server builds");
        let filter = app(application.state).boxed();
        let call = |method: &str, path: &str, token: Option<&str>, body: &str| {
            let mut request = warp::test::request()
                .method(method)
                .path(path)
                .remote_addr(PEER)
                .header("content-type", "application/json")
                .body(body);
            if let Some(token) = token {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            let response = runtime.block_on(request.reply(&filter));
            serde_json::from_slice::<serde_json::Value>(response.body()).unwrap_or_default()
        };
        let login = |username: &str, password: &str| {
            let body = serde_json::json!({"username": username, "password": password}).to_string();
            call("POST", "/api/v1/auth/login", None, &body)["access_token"]
                .as_str()
                .expect("the login succeeds")
                .to_owned()
        };
        let admin = login(&config.admin_username, &config.admin_password);
        let signup = r#"{"username":"fuzzer","email":"fuzzer@example.com","password":"Passw0rd!"}"#;
        let user_id = call("POST", "/api/v1/users", None, signup)["id"].to_string();
        let user = login("fuzzer", "Passw0rd!");
        Harness {
            runtime,
            filter,
            admin,
            user,
            user_id,
        }
    })
}

/// The request `data` describes, or `None` when no HTTP/1.1 server would pass it on.
fn request(data: &[u8], h: &Harness) -> Option<(Method, warp::test::RequestBuilder)> {
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let head = std::str::from_utf8(head)
        .ok()?
        .replace("$ADMIN", &h.admin)
        .replace("$USER", &h.user)
        .replace("$UID", &h.user_id);
    let mut lines = head.lines();
    let (method, target) = lines.next()?.split_once(' ')?;
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    // Origin form only, as a server receives it; the URI parser accepts more than that.
    let uri: Uri = target.parse().ok()?;
    if !target.starts_with('/') || uri.scheme().is_some() {
        return None;
    }
    let mut request = warp::test::request()
        .method(method.as_str())
        .path(target)
        .remote_addr(PEER);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        let value = HeaderValue::from_str(value.trim()).ok()?;
        // The framing is the transport's: the body below is the whole body.
        if name == http::header::CONTENT_LENGTH || name == http::header::TRANSFER_ENCODING {
            continue;
        }
        request = request.header(name, value);
    }
    Some((method, request.body(body)))
}

/// The body as sent, decoded when the server compressed it (HTTP-12).
fn decoded(headers: &http::HeaderMap, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match headers
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
    {
        Some("gzip") => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .expect("a gzip body decodes");
        }
        Some("br") => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .expect("a brotli body decodes");
        }
        Some(other) => panic!("unexpected Content-Encoding {other}"),
        None => out.extend_from_slice(body),
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let h = harness();
    let Some((method, request)) = request(data, h) else {
        return;
    };
    let response = h.runtime.block_on(request.reply(&h.filter));
    let status = response.status();
    assert!(
        !status.is_server_error(),
        "{status} for {:?}",
        String::from_utf8_lossy(data)
    );
    if status.is_client_error() {
        let content_type = response.headers().get(http::header::CONTENT_TYPE);
        assert_eq!(
            content_type.map(HeaderValue::as_bytes),
            Some(&b"application/problem+json"[..]),
            "{status} without a problem+json body"
        );
        // hyper drops a HEAD's body on the wire; the filter's is the GET's.
        if method == Method::HEAD {
            return;
        }
        let problem: serde_json::Value =
            serde_json::from_slice(&decoded(response.headers(), response.body()))
                .expect("the problem is JSON");
        assert_eq!(problem["status"], status.as_u16(), "the problem's status");
        assert!(problem["title"].is_string(), "the problem has a title");
    }
});
