//! What is tested: a base URL with an admin account (CONTRACT §0), or the reference server started
//! in-process when no URL is given.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

/// What the suite is pointed at and how it gets in; each can also come from the environment.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Options {
    /// Base URL of the API under test (the one the contract's paths are relative to, such as
    /// https://staging.example.com/api/v1); without it the reference server is started in-process.
    #[arg(long, env = "TOUCHSTONE_TARGET", value_name = "URL")]
    pub target: Option<String>,
    /// Username of an admin account on the target.
    #[arg(long, env = "TOUCHSTONE_ADMIN_USERNAME", value_name = "NAME")]
    pub admin_username: Option<String>,
    /// Password of that admin account (never printed).
    #[arg(
        long,
        env = "TOUCHSTONE_ADMIN_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub admin_password: Option<String>,
    /// A bearer token of an admin account, instead of a username and password.
    #[arg(
        long,
        env = "TOUCHSTONE_ADMIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub admin_token: Option<String>,
    /// The target's HS256 signing secret, to mint an expired token (AUTH-09).
    #[arg(long, env = "TOUCHSTONE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// An origin the target's CORS policy allows (HTTP-10).
    #[arg(long, env = "TOUCHSTONE_CORS_ORIGIN", value_name = "ORIGIN")]
    pub cors_origin: Option<String>,
    /// A header every request carries, such as a gateway's credential (`X-Gateway-Token: …`; not `X-API-Key`, which the contract's API keys use); repeatable.
    /// Its value is treated as a secret.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// Random cases per property (edge cases run in addition).
    #[arg(long, env = "TOUCHSTONE_CASES", default_value_t = 16)]
    pub cases: u32,
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not `Name: value`"))?;
    let name = name.trim();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid {
        return Err(format!("`{name}` is not a header name"));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// How the suite authenticates as the target's admin.
#[derive(Clone, Debug)]
pub enum Admin {
    /// Logged in once per run (and again if the token expires).
    Login { username: String, password: String },
    /// Given as a bearer token: it cannot be renewed.
    Token(String),
}

/// A target as the checks see it.
#[derive(Clone, Debug)]
pub struct Target {
    pub base: String,
    pub admin: Admin,
    pub jwt_secret: Option<String>,
    pub cors_origin: Option<String>,
    /// Headers every request carries.
    pub headers: Vec<(String, String)>,
}

impl Target {
    /// The target the options name (`Ok(None)`: the in-process reference server), or what is
    /// wrong with them.
    pub fn from_options(options: &Options) -> Result<Option<Target>, String> {
        let Some(base) = &options.target else {
            return Ok(None);
        };
        let url =
            reqwest::Url::parse(base).map_err(|e| format!("--target {base} is not a URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("--target {base} is not an http:// or https:// URL"));
        }
        let admin = match (
            &options.admin_token,
            &options.admin_username,
            &options.admin_password,
        ) {
            (Some(token), None, None) => Admin::Token(token.clone()),
            (Some(_), _, _) => {
                return Err(
                    "give --admin-token or --admin-username with --admin-password, not both".into(),
                );
            }
            (None, Some(username), Some(password)) => Admin::Login {
                username: username.clone(),
                password: password.clone(),
            },
            (None, _, _) => {
                return Err("the suite needs the target's admin account: pass --admin-username and --admin-password, or --admin-token".into());
            }
        };
        Ok(Some(Target {
            base: base.trim_end_matches('/').to_owned(),
            admin,
            jwt_secret: options.jwt_secret.clone(),
            cors_origin: options.cors_origin.clone(),
            headers: options.headers.clone(),
        }))
    }

    /// Every secret the options gave, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = self.headers.iter().map(|(_, v)| v.clone()).collect();
        match &self.admin {
            Admin::Login { password, .. } => secrets.push(password.clone()),
            Admin::Token(token) => secrets.push(token.clone()),
        }
        secrets.extend(self.jwt_secret.clone());
        secrets
    }
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
        Embedded::start_with(violations, |_| {})
    }

    /// `start`, with the configuration changed by `adjust` first (a short token lifetime, say).
    pub fn start_with(
        violations: &[&str],
        adjust: impl FnOnce(&mut reference_server::Config),
    ) -> std::io::Result<(Embedded, Target)> {
        let data = tempfile::tempdir()?;
        let mut config = reference_server::Config::for_tests(data.path().to_path_buf());
        config.violations = violations.iter().map(|c| c.to_string()).collect();
        // Below the shipped limit, so that the RATE checks drain a bucket quickly; above what the
        // rest of the suite sends from its one address in a minute.
        config.rate_limit = EMBEDDED_RATE_LIMIT;
        config.login_rate_limit = reference_server::DEFAULT_LOGIN_RATE_LIMIT;
        config.cors_origins = vec![EMBEDDED_ORIGIN.to_owned()];
        adjust(&mut config);
        let server = runtime().block_on(reference_server::spawn(config.clone()))?;
        let target = Target {
            base: server.base_url(),
            admin: Admin::Login {
                username: config.admin_username,
                password: config.admin_password,
            },
            jwt_secret: Some(server.jwt_secret.clone()),
            cors_origin: Some(EMBEDDED_ORIGIN.to_owned()),
            headers: Vec::new(),
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
