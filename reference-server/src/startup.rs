use std::net::SocketAddr;

use crate::Config;

/// A server bound to its port and serving in the background.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// The HS256 secret tokens are signed with (configured or generated).
    pub jwt_secret: String,
}

impl RunningServer {
    /// `http://ADDR/api/v1`, the base URL the contract's paths are relative to.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    /// Stops accepting, finishes in-flight requests and flushes the store.
    pub async fn stop(self) {}
}

/// Opens the store, binds the listener and starts serving.
pub async fn spawn(_config: Config) -> std::io::Result<RunningServer> {
    unimplemented!()
}
