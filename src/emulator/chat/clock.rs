//! The emulator's clock, which every chat lives by.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The latest time the clock shows, 9999-12-31T23:59:59Z: the four-digit years the
/// service writes end there, and no sum of times may overflow.
pub(super) fn latest() -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(253_402_300_799))
        .unwrap_or(UNIX_EPOCH)
}

/// `t + d`, or [`latest`] if that is later (or not representable).
pub(in crate::emulator) fn later(t: SystemTime, d: Duration) -> SystemTime {
    t.checked_add(d)
        .map_or_else(latest, |sum| sum.min(latest()))
}

/// The emulator's clock: the real time at start, running with the real (monotonic) time,
/// plus whatever [`advance`](Clock::advance) added. It never goes back, so items are in
/// time order and tokens expire once and for good.
#[derive(Debug)]
pub(in crate::emulator) struct Clock {
    base: SystemTime,
    started: Instant,
    offset: Duration,
}

impl Clock {
    pub(in crate::emulator) fn new() -> Clock {
        Clock {
            base: SystemTime::now(),
            started: Instant::now(),
            offset: Duration::ZERO,
        }
    }

    pub(in crate::emulator) fn now(&self) -> SystemTime {
        later(
            self.base,
            self.started.elapsed().saturating_add(self.offset),
        )
    }

    pub(in crate::emulator) fn advance(&mut self, by: Duration) {
        self.offset = self.offset.saturating_add(by);
    }
}
