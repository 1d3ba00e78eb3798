use clap::Parser;
use reference_server::Config;

// Measured against glibc's malloc with 100,000 users (PERFORMANCE.md): a quarter less CPU per
// read, and no growth of the peak RSS through the read and write runs, where glibc's per-thread
// arenas grow it by about 40 MiB. Without transparent huge pages, which would back each of
// mimalloc's arenas with 2 MiB pages however little of them is used.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = Config::parse();
    let _flushed_at_exit = reference_server::logging::init();
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
