//! The `log` records of this crate (targets under `connect_participant`) made on the
//! calling thread, captured while a test asks: the logger is the process's one, installed
//! once, and keeps each thread's records apart so that tests running at once do not mix.

use std::cell::RefCell;
use std::sync::Once;

/// One record: its level, target and message.
#[derive(Debug, Clone)]
pub struct Record {
    pub level: log::Level,
    pub target: String,
    pub message: String,
}

thread_local! {
    static CAPTURED: RefCell<Option<Vec<Record>>> = const { RefCell::new(None) };
}

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("connect_participant")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        CAPTURED.with(|c| {
            if let Some(records) = c.borrow_mut().as_mut() {
                records.push(Record {
                    level: record.level(),
                    target: record.target().to_owned(),
                    message: record.args().to_string(),
                });
            }
        });
    }

    fn flush(&self) {}
}

static INSTALL: Once = Once::new();

/// Captures this thread's records, at every level, until [`stop`].
pub fn start() {
    INSTALL.call_once(|| {
        // Another logger installed first would keep the records: the test then sees none
        // and fails, rather than passing on nothing.
        let _ = log::set_logger(&Capture);
        log::set_max_level(log::LevelFilter::Trace);
    });
    CAPTURED.with(|c| *c.borrow_mut() = Some(Vec::new()));
}

/// Ends the capture; what it took.
pub fn stop() -> Vec<Record> {
    CAPTURED.with(|c| c.borrow_mut().take().unwrap_or_default())
}
