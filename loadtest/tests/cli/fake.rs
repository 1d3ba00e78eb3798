//! Small hosts of the test's own that are not this API: a web site, another JSON API, and hosts
//! that pass the preflight and then stop answering or drop every connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How a fake host answers.
#[derive(Clone, Copy)]
pub enum Fake {
    /// A web site: `200 text/html` to everything.
    Html,
    /// Another JSON API: `404 {"detail": "Not Found"}` to everything, as FastAPI does.
    OtherApi,
    /// Passes the preflight, then never answers another request.
    HangsAfterPreflight,
    /// Passes the preflight, then closes every other connection unanswered.
    DropsAfterPreflight,
}

/// A fake host on a free port, counting the requests it received.
pub struct FakeHost {
    pub host: String,
    pub requests: Arc<AtomicUsize>,
}

pub fn fake(kind: Fake) -> FakeHost {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let host = format!("http://{}", listener.local_addr().expect("an address"));
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || serve(stream, kind, &counter));
        }
    });
    FakeHost { host, requests }
}

const OPENAPI: &str = include_str!("../../../fixtures/openapi.json");

fn serve(stream: TcpStream, kind: Fake, requests: &AtomicUsize) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let mut reader = BufReader::new(stream.try_clone().expect("clones"));
    let mut stream = stream;
    loop {
        let Some((method, path)) = read_request(&mut reader) else {
            return;
        };
        requests.fetch_add(1, Ordering::Relaxed);
        let preflight = match (method.as_str(), path.as_str()) {
            ("GET", "/api/v1/openapi.json") => Some(OPENAPI.to_owned()),
            ("POST", "/api/v1/auth/login") => Some(
                r#"{"access_token":"aaa.bbb.ccc","token_type":"bearer","expires_in":3600}"#.into(),
            ),
            ("GET", "/api/v1/users/me") => Some(r#"{"id":1,"role":"admin"}"#.into()),
            _ => None,
        };
        let (status, ctype, body) = match (kind, preflight) {
            (Fake::Html, _) => (
                "200 OK",
                "text/html",
                "<html><body>Welcome</body></html>".into(),
            ),
            (Fake::OtherApi, _) => (
                "404 Not Found",
                "application/json",
                r#"{"detail":"Not Found"}"#.into(),
            ),
            (_, Some(body)) => ("200 OK", "application/json", body),
            (Fake::HangsAfterPreflight, None) => {
                std::thread::sleep(Duration::from_secs(60));
                return;
            }
            (Fake::DropsAfterPreflight, None) => return,
        };
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(body.as_bytes()).is_err()
        {
            return;
        }
    }
}

/// The method and path of the next request, its body read and dropped.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, String)> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|n| *n > 0)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok().filter(|n| *n > 0)?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((method, path))
}
