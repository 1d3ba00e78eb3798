//! The binary as a process, the targets it meets, and what it leaves behind.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use conformance::target::{Admin, Embedded, Target};

/// The reference server's admin password, which no output may show.
pub const ADMIN_PASSWORD: &str = "Admin-Passw0rd";

/// The `conformance` binary with the flags that point it at `target`.
pub fn conformance(target: &Target) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conformance"));
    let Admin::Login { username, password } = &target.admin else {
        panic!("the embedded server's admin logs in");
    };
    cmd.args(["--target", &target.base, "--admin-username", username])
        .args(["--admin-password", password])
        .env_remove("TOUCHSTONE_TARGET")
        .stdin(Stdio::null());
    if let Some(secret) = &target.jwt_secret {
        cmd.args(["--jwt-secret", secret]);
    }
    if let Some(origin) = &target.cors_origin {
        cmd.args(["--cors-origin", origin]);
    }
    cmd
}

/// The binary pointed at a URL with some admin credentials.
pub fn conformance_at(base: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conformance"));
    cmd.args(["--target", base, "--admin-username", "admin"])
        .args(["--admin-password", ADMIN_PASSWORD, "--quiet"])
        .stdin(Stdio::null());
    cmd
}

/// What a finished run printed, both streams, and its exit code.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

pub fn ran(output: Output) -> Ran {
    Ran {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn run(cmd: &mut Command) -> Ran {
    ran(cmd.output().expect("the binary runs"))
}

/// The reference server in this process, breaking `violations`.
pub fn reference(violations: &[&str]) -> (Embedded, Target) {
    Embedded::start(violations).expect("the reference server starts")
}

/// A token of `target`'s admin.
pub fn admin_token(target: &Target) -> String {
    let login = reqwest::blocking::Client::new()
        .post(format!("{}/auth/login", target.base))
        .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .and_then(|r| r.json::<serde_json::Value>())
        .expect("the admin logs in");
    login["access_token"].as_str().expect("a token").to_owned()
}

/// The users on `target` whose username holds `prefix`, as its admin lists them.
pub fn users_left(target: &Target, prefix: &str) -> usize {
    let client = reqwest::blocking::Client::new();
    let token = admin_token(target);
    let page = client
        .get(format!(
            "{}/users?search={prefix}&page_size=100",
            target.base
        ))
        .bearer_auth(token)
        .send()
        .and_then(|r| r.json::<serde_json::Value>())
        .expect("the admin lists users");
    page["total"].as_u64().expect("a total") as usize
}

/// The run prefix a report's footer names.
pub fn prefix(stdout: &str) -> String {
    let at = stdout
        .find("run prefix ")
        .expect("the footer names the prefix")
        + 11;
    stdout[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.local_addr().expect("an address").port()
}

/// A small HTTP server that is not this API: every request gets `answer(method, path)`
/// (status, content type, body). It counts the requests per `METHOD path`.
pub struct Foreign {
    pub base: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Foreign {
    pub fn start(answer: fn(&str, &str) -> (u16, &'static str, String)) -> Foreign {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || serve(stream, answer, &log));
            }
        });
        Foreign { base, seen }
    }

    /// How many requests were `METHOD path`.
    pub fn count(&self, request: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.as_str() == request)
            .count()
    }
}

fn serve(
    stream: TcpStream,
    answer: fn(&str, &str) -> (u16, &'static str, String),
    log: &Mutex<Vec<String>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_owned(),
            parts.next().unwrap_or("").to_owned(),
        );
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
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
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        log.lock().unwrap().push(format!("{method} {path}"));
        let (status, media, text) = answer(&method, &path);
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {media}\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        if reader.get_mut().write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}
