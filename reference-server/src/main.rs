use clap::Parser;
use reference_server::Config;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = Config::parse();
    // Lines go to stderr from a thread of their own, so no request waits on the write, and
    // through a buffer that thread flushes once it has written all that is queued, so a burst of
    // lines leaves in one write. Not lossy: past the queue's 128,000 lines a request waits
    // rather than its line being dropped. The guard flushes what is left at exit.
    let (writer, _flushed_at_exit) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::BufWriter::new(std::io::stderr()));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(writer)
        .init();
    let server = reference_server::spawn(config).await?;
    // Scripts read this line to learn the address when the port was 0.
    println!("listening on http://{}", server.addr);
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler can be installed");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
