//! `delay-proxy --listen 127.0.0.1:0 --upstream HOST:PORT --delay-ms 10`: a TCP proxy adding
//! `--delay-ms` to each direction; prints its bound address on stdout, then serves until stopped.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use tokio::net::{TcpListener, lookup_host};

#[derive(Parser)]
#[command(
    name = "delay-proxy",
    about = "A TCP proxy that adds latency to each direction"
)]
struct Cli {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Where to forward connections (HOST:PORT).
    #[arg(long)]
    upstream: String,
    /// Milliseconds added to each direction (a round trip gains twice this).
    #[arg(long, default_value_t = 10)]
    delay_ms: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    let upstream = lookup_host(&cli.upstream).await?.next().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the upstream resolves to no address",
        )
    })?;
    let listener = TcpListener::bind(cli.listen).await?;
    // Scripts read this line to learn the address when the port was 0.
    println!("{}", listener.local_addr()?);
    let delay = Duration::from_millis(cli.delay_ms);
    tokio::select! {
        served = testkit::delay::serve(listener, upstream, delay) => served,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
