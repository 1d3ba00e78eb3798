//! The suite's WebSocket client, for the events route (CONTRACT §16): blocking like the HTTP
//! client, over a plain TCP connection whose receive window can be kept small, so that a
//! subscription that stops reading fills its server's buffers with few events (EVT-04).

use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::Value;
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::http::HeaderValue;
use tungstenite::{Error, Message, WebSocket};

use crate::failure::Failure;

/// An open subscription.
pub struct Subscription {
    socket: WebSocket<TcpStream>,
}

/// A handshake the server answered with something other than `101`.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What a subscription gave next.
#[derive(Debug)]
pub enum Read {
    /// A text message, parsed as JSON (`Value::Null` if it is not JSON).
    Event(Value, String),
    /// The server closed it: the close code if it sent one (`None` for a connection ended
    /// without a close frame).
    Closed(Option<u16>),
    /// Nothing arrived in the time given.
    Silent,
}

/// How the connection is made.
#[derive(Clone, Copy, Debug, Default)]
pub struct Window {
    /// A receive buffer this small, and segments of this many bytes, announced before connecting:
    /// the server then holds little in its socket's buffers for a peer that stops reading.
    pub small: bool,
}

/// The smallest receive buffer and segment size the check asks for (Linux raises both to its
/// own floor).
const SMALL_BUFFER: usize = 1024;
const SMALL_SEGMENT: u32 = 536;

/// How long a handshake waits out `429`s, as every request of the suite does (CONTRACT §0).
const THROTTLED_FOR: Duration = Duration::from_secs(120);

/// Opens `url` (`http://…/events`) as a WebSocket with `headers` on the handshake, waiting out
/// a `429` as long as its `Retry-After` says.
pub fn open(
    url: &Url,
    headers: &[(String, String)],
    window: Window,
) -> Result<Result<Subscription, Refused>, Failure> {
    let started = Instant::now();
    loop {
        match handshake(url, headers, window)? {
            Err(refused) if refused.status == 429 && started.elapsed() < THROTTLED_FOR => {
                let wait = refused
                    .header("retry-after")
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .unwrap_or(1)
                    .clamp(1, 60);
                std::thread::sleep(Duration::from_secs(wait));
            }
            opened => return Ok(opened),
        }
    }
}

fn handshake(
    url: &Url,
    headers: &[(String, String)],
    window: Window,
) -> Result<Result<Subscription, Refused>, Failure> {
    let unreachable = |e: String| {
        Failure::new(
            "the events route could not be reached over TCP",
            "a connection",
            e,
        )
    };
    if url.scheme() != "http" {
        return Err(Failure::new(
            "the events check speaks ws:// only",
            "an http:// base URL",
            url.scheme().to_owned(),
        )
        .blocked("opening a WebSocket over TLS"));
    }
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    let address = (host, port)
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .next()
        .ok_or_else(|| unreachable(format!("{host} has no address")))?;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(address),
        socket2::Type::STREAM,
        None,
    )
    .map_err(|e| unreachable(e.to_string()))?;
    if window.small {
        let _ = socket.set_recv_buffer_size(SMALL_BUFFER);
        #[cfg(unix)]
        let _ = socket.set_tcp_mss(SMALL_SEGMENT);
    }
    socket
        .connect_timeout(&address.into(), Duration::from_secs(10))
        .map_err(|e| unreachable(e.to_string()))?;
    let stream: TcpStream = socket.into();
    let _ = stream.set_nodelay(true);
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| unreachable(e.to_string()))?;
    let ws_url = url.as_str().replacen("http", "ws", 1);
    let mut request = ws_url
        .as_str()
        .into_client_request()
        .map_err(|e| unreachable(e.to_string()))?;
    for (name, value) in headers {
        let name = tungstenite::http::HeaderName::from_bytes(name.as_bytes());
        if let (Ok(name), Ok(value)) = (name, HeaderValue::from_str(value)) {
            request.headers_mut().insert(name, value);
        }
    }
    match tungstenite::client::client(request, stream) {
        Ok((socket, _)) => Ok(Ok(Subscription { socket })),
        Err(HandshakeError::Failure(Error::Http(response))) => Ok(Err(Refused {
            status: response.status().as_u16(),
            headers: response
                .headers()
                .iter()
                .map(|(n, v)| {
                    let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                    (n.as_str().to_owned(), value)
                })
                .collect(),
            body: String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                .into_owned(),
        })),
        Err(e) => Err(Failure::new(
            "the WebSocket handshake of the events route failed",
            "101 Switching Protocols, or an HTTP answer",
            e.to_string(),
        )),
    }
}

impl Refused {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Subscription {
    /// The next text message, the close, or silence once `wait` has passed. Pings are answered
    /// as they are read.
    pub fn next(&mut self, wait: Duration) -> Read {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Read::Silent;
            }
            let _ = self
                .socket
                .get_mut()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))));
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    let text = text.to_string();
                    let value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    return Read::Event(value, text);
                }
                Ok(Message::Close(frame)) => return Read::Closed(frame.map(|f| f.code.into())),
                Ok(_) => continue,
                Err(Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue;
                }
                Err(_) => return Read::Closed(None),
            }
        }
    }

    /// Closes it from this side, without waiting for the server's answer.
    pub fn close(mut self) {
        let _ = self.socket.close(None);
        let _ = self.socket.flush();
    }
}
