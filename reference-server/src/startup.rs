//! Building the app from its config and serving it; the binary and the tests start it the same way.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rand::RngCore;
use time::OffsetDateTime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Config;
use crate::auth::{Hasher, Tokens};
use crate::domain::{Cursors, Email, Role, User, Username};
use crate::metrics::Metrics;
use crate::rate_limit::Limits;
use crate::state::{App, State};
use crate::store::Store;
use crate::violations::Violations;

/// How long in-flight requests get to finish after a stop is asked for.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(10);

/// A server bound to its port and serving in the background.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// The HS256 secret tokens are signed with (configured or generated).
    pub jwt_secret: String,
    state: State,
    shutdown: oneshot::Sender<()>,
    serving: JoinHandle<()>,
    /// The background worker (CONTRACT §15), which holds the app while it runs a job.
    worker: JoinHandle<()>,
}

impl RunningServer {
    /// `http://ADDR/api/v1`, the base URL the contract's paths are relative to.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    /// Stops accepting, gives in-flight requests a deadline to finish, then closes the store.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        if tokio::time::timeout(SHUTDOWN_DEADLINE, self.serving)
            .await
            .is_err()
        {
            tracing::warn!("in-flight requests did not finish before the deadline");
        }
        // Subscriptions end with a close frame rather than with the connection.
        self.state.events.close();
        // A job cut short stays in the durable queue and runs again at the next start.
        self.worker.abort();
        let _ = self.worker.await;
        // Every acknowledged write is already durable; this flush covers the rest and closing
        // releases the store's lock so the data dir can be reopened.
        match Arc::try_unwrap(self.state) {
            Ok(app) => {
                if let Err(e) = app.store.close().await {
                    tracing::error!(error = %e, "final flush failed");
                }
            }
            Err(_) => tracing::warn!("requests still hold the store; it closes when they end"),
        }
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.into())
}

/// The configured secret, else the one kept in the data dir, else a new one kept there.
fn jwt_secret(config: &Config) -> io::Result<String> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.clone());
    }
    let path = config.data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(secret) if !secret.trim().is_empty() => return Ok(secret.trim().to_owned()),
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, &secret)?;
    Ok(secret)
}

fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

/// The OpenAPI document as this server serves it.
fn openapi(v: &Violations) -> bytes::Bytes {
    const DOCUMENT: &str = include_str!("../../fixtures/openapi.json");
    if !v.breaks("GEN-10") {
        return bytes::Bytes::from_static(DOCUMENT.as_bytes());
    }
    let mut doc: serde_json::Value = serde_json::from_str(DOCUMENT).expect("the document is JSON");
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        paths.remove("/users/me");
    }
    serde_json::to_vec(&doc).expect("a value serializes").into()
}

/// Creates the admin account on first start.
async fn ensure_admin(app: &App, config: &Config) -> io::Result<()> {
    let username = Username::parse(&config.admin_username, false)
        .map_err(|e| invalid(format!("admin username {e}")))?;
    if app
        .store
        .find_by_username(username.as_str())
        .map_err(io::Error::other)?
        .is_some()
    {
        return Ok(());
    }
    let email =
        Email::parse(&format!("{}@admin.invalid", username.key()), false).map_err(invalid)?;
    let password_hash = app
        .hasher
        .hash(config.admin_password.clone())
        .await
        .map_err(io::Error::other)?;
    let now = OffsetDateTime::now_utc();
    app.store
        .create(
            |id| User {
                id,
                username,
                email,
                full_name: Some(crate::domain::FullName::parse("Administrator").expect("short")),
                age: None,
                role: Role::Admin,
                is_active: true,
                password_hash,
                created_at: now,
                updated_at: now,
            },
            None,
        )
        .await
        .map_err(io::Error::other)?;
    tracing::info!(username = %config.admin_username, "created the admin account");
    Ok(())
}

/// Runs `task` on the app every `period`; ends with the app.
async fn every(period: Duration, app: std::sync::Weak<App>, task: fn(&App)) {
    let mut ticks = tokio::time::interval(period);
    loop {
        ticks.tick().await;
        match app.upgrade() {
            Some(app) => task(&app),
            None => return,
        }
    }
}

/// The app built from its config: the store open, the admin account made, no port bound yet.
/// `spawn` serves it; `http::app(application.state)` is the same app for driving in-process.
pub struct Application {
    pub state: State,
    /// The HS256 secret tokens are signed with (configured or generated).
    pub jwt_secret: String,
}

/// Opens the store and builds the shared state, creating the admin account on first start.
pub async fn build(config: &Config) -> io::Result<Application> {
    let v = Violations::new(&config.violations).map_err(invalid)?;
    std::fs::create_dir_all(&config.data_dir)?;
    let jwt_secret = jwt_secret(config)?;
    let store = Store::open(&config.data_dir, v.clone()).map_err(io::Error::other)?;
    let state: State = Arc::new(App {
        store,
        hasher: Hasher::new(config.password_cost),
        tokens: Tokens::new(&jwt_secret, config.token_ttl_secs, v.clone()),
        cursors: Cursors::new(&jwt_secret),
        limits: Limits::new(
            config.rate_limit,
            config.login_rate_limit,
            config.trusted_proxies.clone(),
            v.clone(),
        ),
        metrics: Metrics::default(),
        cors: crate::http::cors::Cors::new(&config.cors_origins),
        openapi: openapi(&v),
        body_read_timeout: config.body_read_timeout(),
        jobs: Arc::default(),
        events: crate::events::Hub::new(v.clone()),
        v,
    });
    ensure_admin(&state, config).await?;
    Ok(Application { state, jwt_secret })
}

/// Builds the app, binds the listener and starts serving.
pub async fn spawn(config: Config) -> io::Result<RunningServer> {
    let Application { state, jwt_secret } = build(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = crate::serve::serve(
        listener,
        crate::http::app(state.clone()),
        config.header_read_timeout(),
        async {
            let _ = stopped.await;
        },
    );
    let serving = tokio::spawn(server);
    // The rate-limit buckets of clients that have gone quiet.
    tokio::spawn(every(
        Duration::from_secs(60),
        Arc::downgrade(&state),
        |app| app.limits.forget_idle(),
    ));
    // Without it the recorder keeps every latency sample until `/metrics` is next read, which on
    // a server nobody scrapes is memory growing with every request.
    tokio::spawn(every(
        Duration::from_secs(5),
        Arc::downgrade(&state),
        |app| app.metrics.upkeep(),
    ));
    let worker = tokio::spawn(crate::jobs::work(
        Arc::downgrade(&state),
        state.jobs.clone(),
    ));
    Ok(RunningServer {
        addr,
        jwt_secret,
        state,
        shutdown,
        serving,
        worker,
    })
}
