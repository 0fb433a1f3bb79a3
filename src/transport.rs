//! A thin layer over ureq's transport that spares three kinds of per-call system calls.
//!
//! - **One write per request.** ureq transmits the request head and the body separately;
//!   with `TCP_NODELAY` that is two segments and two wake-ups of the server. This layer holds
//!   what ureq transmits until it waits for the answer, then sends it in one write.
//! - **Timeouts set once.** ureq passes the time left before the attempt's deadline, which
//!   is a new value at every read and write, so the socket timeout is reset each time. This
//!   layer rounds it up to a multiple of [`TIMEOUT_STEP`], so that the value, and so the
//!   socket option, stays the same across calls. A deadline can thus be overrun by at most
//!   one step.
//! - **One liveness probe per call.** ureq probes a connection (two `ioctl`s and a read)
//!   both when it returns to the pool and when it is taken out again, which back-to-back
//!   calls pay twice. The probe on return is skipped here: the one on taking out still
//!   runs before every reuse, and it sees the same closed connection or stray bytes.

use std::fmt;

use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The granularity of socket timeouts.
pub(crate) const TIMEOUT_STEP: std::time::Duration = std::time::Duration::from_millis(50);

/// Wraps whatever transport the connector chain built (TCP, or TLS over TCP).
#[derive(Debug, Default)]
pub(crate) struct Coalescing;

impl<In: Transport> Connector<In> for Coalescing {
    type Out = CoalescingTransport<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| CoalescingTransport {
            inner,
            pending: Vec::new(),
            answer_read: false,
        }))
    }
}

pub(crate) struct CoalescingTransport<T> {
    inner: T,
    /// Output ureq has transmitted that has not gone to the socket yet.
    pending: Vec<u8>,
    /// Input was read since the last liveness check: the next check is ureq's probe on
    /// returning the connection to its pool.
    answer_read: bool,
}

impl<T: Transport> fmt::Debug for CoalescingTransport<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoalescingTransport")
            .field("inner", &self.inner)
            .field("pending", &self.pending.len())
            .finish()
    }
}

/// Rounds the time left up to a whole number of steps.
pub(crate) fn quantize(timeout: NextTimeout) -> NextTimeout {
    let after = match timeout.after {
        UreqDuration::Exact(d) => {
            let step = TIMEOUT_STEP.as_nanos();
            let steps = d.as_nanos().div_ceil(step);
            // Far beyond any configured timeout: leave such a value as it is.
            match u64::try_from(steps * step) {
                Ok(nanos) => UreqDuration::Exact(std::time::Duration::from_nanos(nanos)),
                Err(_) => timeout.after,
            }
        }
        other => other,
    };
    NextTimeout { after, ..timeout }
}

impl<T: Transport> CoalescingTransport<T> {
    /// Sends everything held back, through the inner transport's output buffer.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let mut sent = 0;
        while sent < self.pending.len() {
            let out = self.inner.buffers().output();
            let n = out.len().min(self.pending.len() - sent);
            if n == 0 {
                // An output buffer of zero bytes cannot carry anything; ureq never makes one.
                return Err(ureq::Error::Io(std::io::Error::other("no output buffer")));
            }
            out[..n].copy_from_slice(&self.pending[sent..sent + n]);
            self.inner.transmit_output(n, timeout)?;
            sent += n;
        }
        self.pending.clear();
        Ok(())
    }
}

impl<T: Transport> Transport for CoalescingTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, _timeout: NextTimeout) -> Result<(), ureq::Error> {
        // ureq reuses the output buffer for what comes next, so keep a copy.
        let out = self.inner.buffers().output();
        self.pending.extend_from_slice(&out[..amount]);
        Ok(())
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = quantize(timeout);
        self.flush(timeout)?;
        self.answer_read = true;
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = quantize(timeout);
        self.flush(timeout)?;
        self.answer_read = true;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        // ureq checks before pooling that no unread bytes are buffered; the socket itself is
        // probed when the connection is next taken out.
        if std::mem::take(&mut self.answer_read) {
            return true;
        }
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(ms: u64) -> NextTimeout {
        NextTimeout {
            after: UreqDuration::Exact(std::time::Duration::from_millis(ms)),
            ..NextTimeout::default()
        }
    }

    fn millis(t: NextTimeout) -> u128 {
        t.after.as_millis()
    }

    #[test]
    fn timeouts_round_up_to_whole_steps() {
        assert_eq!(millis(quantize(exact(0))), 0);
        assert_eq!(millis(quantize(exact(1))), 50);
        assert_eq!(millis(quantize(exact(50))), 50);
        assert_eq!(millis(quantize(exact(9_999))), 10_000);
        assert_eq!(millis(quantize(exact(10_000))), 10_000);
        let nearly = NextTimeout {
            after: UreqDuration::Exact(std::time::Duration::from_nanos(9_999_999_999)),
            ..NextTimeout::default()
        };
        assert_eq!(millis(quantize(nearly)), 10_000);
        assert!(quantize(NextTimeout::default()).after.is_not_happening());
    }
}
