//! What is tested: a base URL with an admin account (CONTRACT §0), or the reference server started
//! in-process when no URL is given.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

/// The suite's own options; each can also come from the environment.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Options {
    /// Base URL of the API under test (the one the contract's paths are relative to); without it
    /// the reference server is started in-process.
    #[arg(long, env = "TOUCHSTONE_TARGET")]
    pub target: Option<String>,
    /// Username of an admin account on the target.
    #[arg(long, env = "TOUCHSTONE_ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,
    /// Password of that admin account.
    #[arg(
        long,
        env = "TOUCHSTONE_ADMIN_PASSWORD",
        default_value = "Admin-Passw0rd",
        hide_env_values = true
    )]
    pub admin_password: String,
    /// The target's HS256 signing secret, to mint an expired token (AUTH-09).
    #[arg(long, env = "TOUCHSTONE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// An origin the target's CORS policy allows (HTTP-10).
    #[arg(long, env = "TOUCHSTONE_CORS_ORIGIN")]
    pub cors_origin: Option<String>,
    /// Random cases per property (edge cases run in addition).
    #[arg(long, env = "TOUCHSTONE_CASES", default_value_t = 16)]
    pub cases: u32,
}

impl Options {
    /// The names of the flags these options take, each followed by a value.
    pub const FLAGS: [&'static str; 6] = [
        "--target",
        "--admin-username",
        "--admin-password",
        "--jwt-secret",
        "--cors-origin",
        "--cases",
    ];
}

/// A target as the checks see it.
#[derive(Clone, Debug)]
pub struct Target {
    pub base: String,
    pub admin_username: String,
    pub admin_password: String,
    pub jwt_secret: Option<String>,
    pub cors_origin: Option<String>,
}

/// The reference server running in this process, stopped when dropped.
pub struct Embedded {
    server: Option<reference_server::RunningServer>,
    _data: tempfile::TempDir,
}

/// One runtime hosts every in-process server, so tests can start many cheaply.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("reference-server")
            .enable_all()
            .build()
            .expect("a tokio runtime starts")
    })
}

/// The origin the in-process reference server grants cross-origin access.
pub const EMBEDDED_ORIGIN: &str = "https://app.touchstone.test";

/// Requests per minute per identity of the in-process reference server.
pub const EMBEDDED_RATE_LIMIT: u32 = 1500;

impl Embedded {
    /// Starts the reference server on a free port with a fresh data dir, cheap hashing and rate
    /// limits on;
    /// `violations` names clauses to break (builds with the `proofs` feature only).
    pub fn start(violations: &[&str]) -> std::io::Result<(Embedded, Target)> {
        let data = tempfile::tempdir()?;
        let mut config = reference_server::Config::for_tests(data.path().to_path_buf());
        config.violations = violations.iter().map(|c| c.to_string()).collect();
        // Below the shipped limit, so that the RATE checks drain a bucket quickly; above what the
        // rest of the suite sends from its one address in a minute.
        config.rate_limit = EMBEDDED_RATE_LIMIT;
        config.login_rate_limit = reference_server::DEFAULT_LOGIN_RATE_LIMIT;
        config.cors_origins = vec![EMBEDDED_ORIGIN.to_owned()];
        let server = runtime().block_on(reference_server::spawn(config.clone()))?;
        let target = Target {
            base: server.base_url(),
            admin_username: config.admin_username,
            admin_password: config.admin_password,
            jwt_secret: Some(server.jwt_secret.clone()),
            cors_origin: Some(EMBEDDED_ORIGIN.to_owned()),
        };
        Ok((
            Embedded {
                server: Some(server),
                _data: data,
            },
            target,
        ))
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            runtime().block_on(server.stop());
        }
    }
}
