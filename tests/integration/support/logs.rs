//! A `log::Log` that captures this crate's records, at every level, and ureq's at DEBUG and
//! above (as the crate's docs tell users to set it), while a test asks it to: installed
//! once for the whole test process (a process has one logger).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::ThreadId;

/// The most records one capture keeps; one whole chat makes a few hundred.
const MAX_RECORDS: usize = 20_000;

/// One record, formatted as a logger would write it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub level: log::Level,
    pub target: String,
    pub module_path: Option<String>,
    /// The formatted message.
    pub args: String,
    /// The thread that logged it: other tests run beside the capturing one.
    pub thread: ThreadId,
    /// Its name, if it has one.
    pub thread_name: Option<String>,
}

impl Captured {
    /// Everything a logger could print of it.
    pub fn whole(&self) -> String {
        format!(
            "{} {} {} {}",
            self.level,
            self.target,
            self.module_path.as_deref().unwrap_or(""),
            self.args
        )
    }
}

/// What one capture got.
#[derive(Debug)]
pub struct Capture {
    /// The records of this crate (target or module path `connect_participant...`).
    pub records: Vec<Captured>,
    /// The other crates' records (ureq's) at DEBUG and above: their TRACE records print
    /// wire bytes and URIs whole, as the crate's docs warn, so a logger set as the docs
    /// say never asks for them, and neither does this one.
    pub others: Vec<Captured>,
    /// Records lost to [`MAX_RECORDS`].
    pub overflow: usize,
}

struct Logger {
    on: AtomicBool,
    records: Mutex<Vec<Captured>>,
    others: Mutex<Vec<Captured>>,
    overflow: AtomicUsize,
}

static LOGGER: Logger = Logger {
    on: AtomicBool::new(false),
    records: Mutex::new(Vec::new()),
    others: Mutex::new(Vec::new()),
    overflow: AtomicUsize::new(0),
};
static INSTALLED: OnceLock<()> = OnceLock::new();
/// One capture at a time.
static CAPTURING: Mutex<()> = Mutex::new(());

fn ours(r: &log::Record<'_>) -> bool {
    r.target().starts_with("connect_participant")
        || r.module_path()
            .is_some_and(|m| m.starts_with("connect_participant"))
}

impl log::Log for Logger {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        // ureq asks `log_enabled!(Trace)` before printing a URI's path and query in a DEBUG
        // record: this answer is what `ureq=debug` in a user's filter gives.
        self.on.load(Ordering::SeqCst)
            && (m.target().starts_with("connect_participant") || m.level() <= log::Level::Debug)
    }

    fn log(&self, r: &log::Record<'_>) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let list = if ours(r) { &self.records } else { &self.others };
        let mut records = list.lock().unwrap_or_else(PoisonError::into_inner);
        if records.len() >= MAX_RECORDS {
            self.overflow.fetch_add(1, Ordering::SeqCst);
            return;
        }
        records.push(Captured {
            level: r.level(),
            target: r.target().to_owned(),
            module_path: r.module_path().map(str::to_owned),
            args: r.args().to_string(),
            thread: std::thread::current().id(),
            thread_name: std::thread::current().name().map(str::to_owned),
        });
    }

    fn flush(&self) {}
}

/// Runs `f` with every record captured, at TRACE; returns its result and the records.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Capture) {
    INSTALLED.get_or_init(|| {
        log::set_logger(&LOGGER).expect("no other logger in the test process");
        log::set_max_level(log::LevelFilter::Trace);
    });
    let _one: MutexGuard<'_, ()> = CAPTURING.lock().unwrap_or_else(PoisonError::into_inner);
    LOGGER
        .records
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
    LOGGER
        .others
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
    LOGGER.overflow.store(0, Ordering::SeqCst);
    LOGGER.on.store(true, Ordering::SeqCst);
    let out = f();
    LOGGER.on.store(false, Ordering::SeqCst);
    let records = std::mem::take(
        &mut *LOGGER
            .records
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    let capture = Capture {
        records,
        others: std::mem::take(&mut *LOGGER.others.lock().unwrap_or_else(PoisonError::into_inner)),
        overflow: LOGGER.overflow.load(Ordering::SeqCst),
    };
    (out, capture)
}
