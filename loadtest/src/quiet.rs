//! The console logger, installed before goose's so that goose's own stays out: goose logs a
//! warning for every failed request, which against a dead host is hundreds of thousands of
//! lines. Below the chosen level lines are only counted; above it a line seen three times is
//! not printed again, and the summary says how many were held back.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::redact::redact;

/// How often one line (its digits aside) is printed before it is only counted.
const REPEATS: usize = 3;

struct Quiet {
    level: LevelFilter,
    seen: Mutex<HashMap<String, usize>>,
}

static HELD_BACK: AtomicUsize = AtomicUsize::new(0);

/// Installs the logger: `verbose` 0 prints goose's errors only, 1 its information, 2 and more
/// its debugging. Returns false when another logger was already installed.
pub fn install(verbose: u8) -> bool {
    let level = match verbose {
        0 => LevelFilter::Error,
        1 => LevelFilter::Info,
        2 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    };
    let logger = Quiet {
        level,
        seen: Mutex::new(HashMap::new()),
    };
    let installed = log::set_boxed_logger(Box::new(logger)).is_ok();
    if installed {
        log::set_max_level(LevelFilter::Trace);
    }
    installed
}

/// Log lines not printed so far.
pub fn held_back() -> usize {
    HELD_BACK.load(Ordering::Relaxed)
}

impl Log for Quiet {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= Level::Warn || metadata.level() <= self.level
    }

    fn log(&self, record: &Record) {
        if record.level() > self.level {
            if record.level() <= Level::Warn {
                HELD_BACK.fetch_add(1, Ordering::Relaxed);
            }
            return;
        }
        let line = record.args().to_string();
        let shape: String = line.chars().filter(|c| !c.is_ascii_digit()).collect();
        let times = {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            let n = seen.entry(shape).or_default();
            *n += 1;
            *n
        };
        if times > REPEATS {
            HELD_BACK.fetch_add(1, Ordering::Relaxed);
            return;
        }
        eprintln!("goose {}: {}", record.level(), redact(&line));
    }

    fn flush(&self) {}
}
