//! The real binary, spawned as a process, against the reference server on port 0 or a closed
//! port.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const ADMIN_PASSWORD: &str = "Admin-Passw0rd";

/// Generous: a busy 2-core machine builds and runs other tests beside these.
pub const LIMIT: Duration = Duration::from_secs(90);

/// The reference server in this process, on a free port, with a fresh data dir.
pub struct Reference {
    pub host: String,
    server: Option<reference_server::RunningServer>,
    runtime: tokio::runtime::Runtime,
    _data: tempfile::TempDir,
}

impl Reference {
    pub fn start() -> Reference {
        let data = tempfile::tempdir().expect("a temp dir");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let config = reference_server::Config::for_tests(data.path().to_path_buf());
        let server = runtime
            .block_on(reference_server::spawn(config))
            .expect("the reference server starts");
        Reference {
            host: format!("http://{}", server.addr),
            server: Some(server),
            runtime,
            _data: data,
        }
    }

    /// The admin's token.
    fn token(&self) -> String {
        let reply: Value = http()
            .post(format!("{}/api/v1/auth/login", self.host))
            .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
            .and_then(|r| r.json())
            .expect("the admin logs in");
        reply["access_token"].as_str().expect("a token").to_owned()
    }

    /// Users other than the admin: what a run left behind.
    pub fn users_left(&self) -> u64 {
        let page: Value = http()
            .get(format!("{}/api/v1/users?page_size=100", self.host))
            .bearer_auth(self.token())
            .send()
            .and_then(|r| r.json())
            .expect("the admin lists users");
        page["total"].as_u64().expect("a total") - 1
    }

    /// A counter of the server's `/metrics`, summed over the lines that contain every part.
    pub fn counted(&self, parts: &[&str]) -> u64 {
        let text = http()
            .get(format!("{}/metrics", self.host))
            .send()
            .and_then(|r| r.text())
            .expect("metrics");
        text.lines()
            .filter(|l| l.starts_with("touchstone_http_requests_total{"))
            .filter(|l| parts.iter().all(|p| l.contains(p)))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.stop());
        }
    }
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client")
}

/// The binary cargo built, with nothing from the environment standing in for an option.
pub fn loadtest(host: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loadtest"));
    command
        .env_remove("TOUCHSTONE_ADMIN_USERNAME")
        .env_remove("TOUCHSTONE_ADMIN_PASSWORD")
        .env("NO_COLOR", "1")
        .arg("--host")
        .arg(host)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// A short run: few users, few seeds, two seconds of load.
pub const SHORT: [&str; 8] = ["-u", "3", "-r", "10", "-t", "2s", "--seed-users", "5"];

/// What a finished run printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs `command` to its end, killing it (and failing the test) past `limit`.
pub fn finish(command: &mut Command, limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = command.spawn().expect("the binary starts");
    let mut out = child.stdout.take().expect("piped");
    let stdout = std::thread::spawn(move || read_all(&mut out));
    wait(child, stdout, started, limit)
}

/// Waits for `child`, whose stdout `stdout` reads, killing it (and failing the test) past `limit`.
pub fn wait(
    mut child: Child,
    stdout: std::thread::JoinHandle<String>,
    started: Instant,
    limit: Duration,
) -> Run {
    // Drain the pipes while waiting, so a chatty run cannot block on a full pipe.
    let mut err = child.stderr.take().expect("piped");
    let stderr = std::thread::spawn(move || read_all(&mut err));
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("the run did not end within {} s", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = Output {
        status,
        stdout: stdout.join().expect("read").into_bytes(),
        stderr: stderr.join().expect("read").into_bytes(),
    };
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        took: started.elapsed(),
    }
}

fn read_all(pipe: &mut impl Read) -> String {
    let mut text = String::new();
    let _ = BufReader::new(pipe).read_to_string(&mut text);
    text
}

/// Starts `command` and returns it once it printed a line containing `marker`, with a reader of
/// all it prints on stdout.
pub fn start_until(
    command: &mut Command,
    marker: &str,
) -> (Child, std::thread::JoinHandle<String>, Instant) {
    let started = Instant::now();
    let mut child = command.spawn().expect("the binary starts");
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut seen = String::new();
    while !seen.contains(marker) {
        let mut line = String::new();
        if out.read_line(&mut line).expect("reads") == 0 {
            panic!("the run ended before {marker:?}: {seen}");
        }
        seen.push_str(&line);
    }
    let stdout = std::thread::spawn(move || seen + &read_all(&mut out));
    (child, stdout, started)
}

/// A port nothing listens on.
pub fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    format!("http://{addr}")
}
