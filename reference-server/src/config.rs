use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// How expensive password hashing is. `Owasp` is what the binary ships with; `Fast` exists for
/// test suites that create many users and must not spend seconds per sign-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PasswordCost {
    Owasp,
    Fast,
}

/// Requests per minute per identity unless configured: 50 a second, above what one person or a
/// careful script sends, below what a scraper would.
pub const DEFAULT_RATE_LIMIT: u32 = 3000;
/// Login attempts per minute per client and account unless configured.
pub const DEFAULT_LOGIN_RATE_LIMIT: u32 = 20;

/// Seconds a client has to send a request's header section, from the moment the server waits
/// for it (a new connection, or the end of the previous answer on a kept-alive one).
pub const DEFAULT_HEADER_READ_TIMEOUT: u64 = 10;
/// Seconds a client has to send a request's whole body once its header section is read.
pub const DEFAULT_BODY_READ_TIMEOUT: u64 = 30;

/// Everything the server needs to start.
#[derive(Clone, Debug, clap::Parser)]
#[command(name = "reference-server", version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (the bound address is printed).
    #[arg(long, env = "TOUCHSTONE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory of the sled store (created when missing).
    #[arg(long, env = "TOUCHSTONE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// HS256 signing secret; generated and kept in the data dir when not given.
    #[arg(long, env = "TOUCHSTONE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "TOUCHSTONE_TOKEN_TTL", default_value_t = 3600)]
    pub token_ttl_secs: u64,
    /// Username of the admin account created at first start.
    #[arg(long, env = "TOUCHSTONE_ADMIN_USERNAME", default_value = "admin")]
    pub admin_username: String,
    /// Password of the admin account created at first start.
    #[arg(
        long,
        env = "TOUCHSTONE_ADMIN_PASSWORD",
        default_value = "Admin-Passw0rd",
        hide_env_values = true
    )]
    pub admin_password: String,
    /// Argon2 cost: `owasp` (19 MiB, 2 passes) or `fast` (for test runs only).
    #[arg(
        long,
        env = "TOUCHSTONE_PASSWORD_COST",
        value_enum,
        default_value = "owasp"
    )]
    pub password_cost: PasswordCost,
    /// Requests per minute per identity (the user a valid token names, else the client address);
    /// 0 turns the limit off.
    #[arg(long, env = "TOUCHSTONE_RATE_LIMIT", default_value_t = DEFAULT_RATE_LIMIT)]
    pub rate_limit: u32,
    /// Login attempts per minute per client address and account, against password guessing;
    /// 0 turns the limit off.
    #[arg(long, env = "TOUCHSTONE_LOGIN_RATE_LIMIT", default_value_t = DEFAULT_LOGIN_RATE_LIMIT)]
    pub login_rate_limit: u32,
    /// A proxy whose `X-Forwarded-For` names the client (repeat, or comma-separate in the env).
    #[arg(
        long = "trusted-proxy",
        env = "TOUCHSTONE_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "IP"
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// An origin (`https://app.example.com`) whose browser scripts may call the API (CORS); repeat,
    /// or comma-separate in the env; `*` allows any origin. None by default.
    #[arg(
        long = "cors-origin",
        env = "TOUCHSTONE_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub cors_origins: Vec<String>,
    /// Seconds a client has to send a request's header section; a connection that sends none in
    /// time (an idle kept-alive one among them) is closed, so slow or idle clients cannot hold it.
    #[arg(long, env = "TOUCHSTONE_HEADER_READ_TIMEOUT", default_value_t = DEFAULT_HEADER_READ_TIMEOUT, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,
    /// Seconds a client has to send a request's body once its header section is read; a body
    /// still incomplete then is answered 408 and the connection closed.
    #[arg(long, env = "TOUCHSTONE_BODY_READ_TIMEOUT", default_value_t = DEFAULT_BODY_READ_TIMEOUT, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_read_timeout_secs: u64,
    /// Break one contract clause on purpose (builds with the `violations` feature only).
    #[arg(long = "violate", value_name = "CLAUSE")]
    pub violations: Vec<String>,
}

impl Config {
    /// A configuration for tests: a free loopback port, cheap hashing, the default admin, and no
    /// rate limits (tests that exercise them set them).
    pub fn for_tests(data_dir: PathBuf) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            jwt_secret: None,
            token_ttl_secs: 3600,
            admin_username: "admin".into(),
            admin_password: "Admin-Passw0rd".into(),
            password_cost: PasswordCost::Fast,
            rate_limit: 0,
            login_rate_limit: 0,
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            header_read_timeout_secs: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout_secs: DEFAULT_BODY_READ_TIMEOUT,
            violations: Vec::new(),
        }
    }
}

impl Config {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }

    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_secs(self.body_read_timeout_secs)
    }
}
