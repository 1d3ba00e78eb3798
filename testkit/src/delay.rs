//! A TCP proxy that delays every byte by a fixed time in each direction, as a network with that
//! latency would: each chunk read is forwarded once `delay` has passed since it arrived, so
//! throughput is unchanged and only latency is added (a round trip gains twice the delay).

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Chunks in flight per direction of one connection before reading pauses (back-pressure).
const IN_FLIGHT: usize = 1024;

/// Accepts connections on `listener` forever, each proxied to `upstream` with `delay` added to
/// each direction.
pub async fn serve(listener: TcpListener, upstream: SocketAddr, delay: Duration) -> io::Result<()> {
    loop {
        let (client, _) = listener.accept().await?;
        tokio::spawn(async move {
            // A connection that fails ends alone; the proxy goes on.
            let _ = proxy(client, upstream, delay).await;
        });
    }
}

async fn proxy(client: TcpStream, upstream: SocketAddr, delay: Duration) -> io::Result<()> {
    client.set_nodelay(true)?;
    let server = TcpStream::connect(upstream).await?;
    server.set_nodelay(true)?;
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = tokio::spawn(delayed(client_read, server_write, delay));
    let down = tokio::spawn(delayed(server_read, client_write, delay));
    let _ = tokio::join!(up, down);
    Ok(())
}

/// Copies `from` to `to`, each chunk held until `delay` after it was read; an end of stream is
/// passed on (as a write shutdown) after the same delay.
async fn delayed(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, delay: Duration) {
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(IN_FLIGHT);
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = from.read(&mut buf).await.unwrap_or(0);
            let chunk = buf[..n].to_vec();
            // An empty chunk is the end of the stream.
            if tx.send((Instant::now() + delay, chunk)).await.is_err() || n == 0 {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if chunk.is_empty() {
                let _ = to.shutdown().await;
                break;
            }
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
    };
    tokio::join!(reader, writer);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bytes_pass_through_both_ways_and_the_end_follows_them() {
        let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream_addr = upstream.local_addr().unwrap();
        // An echo server that closes once the client has.
        tokio::spawn(async move {
            let (mut socket, _) = upstream.accept().await.unwrap();
            let mut all = Vec::new();
            socket.read_to_end(&mut all).await.unwrap();
            socket.write_all(&all).await.unwrap();
        });
        let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_addr = proxy.local_addr().unwrap();
        tokio::spawn(serve(proxy, upstream_addr, Duration::from_millis(1)));
        let sent: Vec<u8> = (0..200_000u32).map(|n| n as u8).collect();

        let mut client = TcpStream::connect(proxy_addr).await.unwrap();
        client.write_all(&sent).await.unwrap();
        client.shutdown().await.unwrap();
        let mut echoed = Vec::new();
        client.read_to_end(&mut echoed).await.unwrap();

        assert_eq!(echoed, sent);
    }
}
