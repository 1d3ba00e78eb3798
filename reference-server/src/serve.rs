//! Serving the warp filter over HTTP/1.1 with hyper's own builder, where warp's `serve` leaves
//! the limits at their defaults: without a timer hyper never times out a header read, so a client
//! sending a byte a second, or 10,000 sending nothing, would hold their connections for ever.

use std::future::Future;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use warp::Filter;

use crate::http::Peer;

/// The bound of a connection's read buffer, past which hyper answers `431` itself, with no body
/// (GEN-14): above the 64 KiB up to which the app must see a header section to refuse it with a
/// problem. hyper rounds it up as the buffer grows: measured, a section of 100 KB still reaches the
/// app, one of 131 KB is refused by hyper.
const MOST_BUFFERED: usize = 72 * 1024;

/// Accepts connections until `shutdown` resolves, then lets those open finish their requests.
pub async fn serve<F>(
    listener: TcpListener,
    app: F,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) where
    F: Filter<Extract = (warp::reply::Response,), Error = std::convert::Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
{
    // Told to every connection when the server stops; each holds a clone of `open`, so that
    // `closed` ends once the last has finished. hyper-util's `GracefulShutdown` would do both,
    // but it does not take a connection that can be upgraded (the events' WebSocket, §16).
    let (stopping, stop) = watch::channel(false);
    let (open, mut closed) = mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for some to be released rather
                    // than spin on the error.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(warp::service(app.clone()));
        // warp's own server records the peer in a type of its own; this one is read by the
        // rate limiter (RATE-06).
        let service = hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
            request.extensions_mut().insert(Peer(peer));
            hyper::service::Service::call(&service, request)
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            // Armed whenever the server waits for a request, so it also bounds idle keep-alive.
            .header_read_timeout(header_read_timeout)
            .max_buf_size(MOST_BUFFERED)
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades();
        let (mut stop, open) = (stop.clone(), open.clone());
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = stop.changed() => {
                    // Finishes the request in flight, then closes.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(open);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    drop(open);
    let _ = closed.recv().await;
}
