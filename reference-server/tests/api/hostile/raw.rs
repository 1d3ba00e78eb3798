//! Requests written byte for byte on a socket, for framing no HTTP client would produce.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long any read here waits before the test calls the server stuck.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A response as read off the wire.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }

    /// Whether this is an RFC 9457 problem with this status.
    pub fn is_problem(&self, status: u16) -> bool {
        self.status == status
            && self.header("content-type") == Some("application/problem+json")
            && self.json()["status"] == status
    }
}

/// What came back on a connection: an answer, or the server closing it without one.
#[derive(Debug)]
pub enum Outcome {
    Answered(Answer),
    Closed,
}

impl Outcome {
    pub fn answer(self) -> Answer {
        match self {
            Outcome::Answered(a) => a,
            Outcome::Closed => panic!("the server closed the connection without an answer"),
        }
    }
}

pub async fn connect(addr: SocketAddr) -> TcpStream {
    TcpStream::connect(addr).await.expect("the server accepts")
}

/// Sends `bytes` on a new connection and reads one answer.
pub async fn send(addr: SocketAddr, bytes: &[u8]) -> Outcome {
    let mut stream = connect(addr).await;
    // The server may answer and close before it has read everything (a refused head): what it
    // answered is what counts, so a write cut short is not a failure.
    let _ = stream.write_all(bytes).await;
    read_answer(&mut stream).await
}

/// A request with a body, framed by `Content-Length`.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: test\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON body posted to `path`.
pub fn post_json(path: &str, body: &[u8]) -> Vec<u8> {
    request("POST", path, &[("Content-Type", "application/json")], body)
}

/// Reads one response: its head, then a body framed by `Content-Length` or chunked.
pub async fn read_answer(stream: &mut (impl AsyncRead + Unpin)) -> Outcome {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(at) = find(&buf, b"\r\n\r\n") {
            break at + 4;
        }
        if read_more(stream, &mut buf).await == 0 {
            return Outcome::Closed;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = buf.split_off(head_end);
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if let Some(length) = length {
        while body.len() < length && read_more(stream, &mut body).await > 0 {}
        body.truncate(length);
    } else if chunked {
        while find(&body, b"0\r\n\r\n").is_none() && read_more(stream, &mut body).await > 0 {}
        body = dechunk(&body);
    }
    Outcome::Answered(Answer {
        status,
        headers,
        body,
    })
}

/// Reads what arrives; 0 when the connection is closed (or reset).
async fn read_more(stream: &mut (impl AsyncRead + Unpin), buf: &mut Vec<u8>) -> usize {
    let mut chunk = [0u8; 16 * 1024];
    match tokio::time::timeout(PATIENCE, stream.read(&mut chunk)).await {
        Ok(Ok(n)) => {
            buf.extend_from_slice(&chunk[..n]);
            n
        }
        Ok(Err(_)) => 0,
        Err(_) => panic!("the server neither answered nor closed within {PATIENCE:?}"),
    }
}

/// Whether the server closes `stream` within `bound`, reading and dropping what it sends first.
pub async fn closed_within(stream: &mut (impl AsyncRead + Unpin), bound: Duration) -> bool {
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + bound;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line) = find(data, b"\r\n") {
        let size = std::str::from_utf8(&data[..line])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}
