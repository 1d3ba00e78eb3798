//! The log: one JSON line per event on stderr, written by a thread of its own so that no request
//! waits on the write.

use std::io::{self, BufWriter, Stderr, Write};
use std::time::Duration;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};

/// How long the writer lets lines gather before it writes what it has.
const GATHER: Duration = Duration::from_millis(1);

/// Installs the process-wide subscriber at `RUST_LOG`'s level (`info` by default). The guard
/// writes what is still queued when it is dropped, at exit.
pub fn init() -> WorkerGuard {
    // Not lossy: past the queue's 128,000 lines a request waits rather than its line being dropped.
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .finish(Gathered(BufWriter::with_capacity(64 * 1024, io::stderr())));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(writer)
        .init();
    guard
}

/// stderr through a buffer that the writer thread flushes only after a pause. The thread flushes
/// whenever it has emptied its queue; under load, with one line queued per request, that would be
/// a write, and a wake-up of the thread, for every line. Pausing first lets the lines of a
/// millisecond gather in the queue, where no one has to wake the thread, and leave in one write.
struct Gathered(BufWriter<Stderr>);

impl Write for Gathered {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        std::thread::sleep(GATHER);
        self.0.flush()
    }
}
