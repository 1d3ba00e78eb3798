//! The log: one JSON line per event on stderr, written by a thread of its own so that no request
//! waits on the write.

use std::io::{self, BufWriter, Stderr, Write};
use std::time::Duration;

use serde::ser::{SerializeMap, Serializer as _};
use tracing::{Event, Subscriber};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_serde::fields::AsMap;
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::registry::LookupSpan;

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
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .event_format(JsonLine)
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

/// An event as one JSON object on a line, in the shape of tracing-subscriber's own JSON format:
/// `timestamp`, `level`, `fields` (with the `message`) and `target`. The line is serialized into
/// bytes in one pass and handed over whole: the stock format serializes through an adaptor that
/// checks each fragment is UTF-8 and writes it on its own, most of the cost of a request's line.
struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let meta = event.metadata();
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|_| std::fmt::Error)?;
        let mut line = Vec::with_capacity(256);
        let mut serializer = serde_json::Serializer::new(&mut line);
        let written = (|| {
            let mut map = serializer.serialize_map(Some(4))?;
            map.serialize_entry("timestamp", &now)?;
            map.serialize_entry("level", meta.level().as_str())?;
            map.serialize_entry("fields", &event.field_map())?;
            map.serialize_entry("target", meta.target())?;
            map.end()
        })();
        written.map_err(|_| std::fmt::Error)?;
        line.push(b'\n');
        // serde_json writes only UTF-8.
        writer.write_str(std::str::from_utf8(&line).map_err(|_| std::fmt::Error)?)
    }
}
