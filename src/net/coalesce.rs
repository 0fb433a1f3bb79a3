//! A thin layer over ureq's transport that spares three kinds of per-call system calls.
//!
//! - **One write per request.** ureq transmits the request head and the body separately;
//!   with `TCP_NODELAY` that is two segments and two wake-ups of the server. This layer holds
//!   what ureq transmits until it waits for the answer, then sends it in one write; past
//!   [`MAX_HELD`] bytes (an attachment's body) it sends what it holds at once, so that a
//!   body streams instead of being held whole.
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

/// How much transmitted output is held back at most: a request up to this size goes out in
/// one write, a larger body (an attachment's upload) streams in writes of about this size,
/// so that a body is never held whole.
pub(crate) const MAX_HELD: usize = 64 * 1024;

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
    NextTimeout {
        after: round_up(timeout.after),
        ..timeout
    }
}

fn round_up(after: UreqDuration) -> UreqDuration {
    match after {
        UreqDuration::Exact(d) => {
            let step = TIMEOUT_STEP.as_nanos();
            let steps = d.as_nanos().div_ceil(step);
            // Far beyond any configured timeout: leave such a value as it is.
            match u64::try_from(steps * step) {
                Ok(nanos) => UreqDuration::Exact(std::time::Duration::from_nanos(nanos)),
                Err(_) => after,
            }
        }
        other => other,
    }
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

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        // ureq reuses the output buffer for what comes next, so keep a copy.
        let out = self.inner.buffers().output();
        self.pending.extend_from_slice(&out[..amount]);
        if self.pending.len() >= MAX_HELD {
            self.flush(quantize(timeout))?;
        }
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

    // `NextTimeout` gains members and `Default` across ureq 3 minors, so the tests round
    // its `after` alone, which `quantize` replaces and nothing else.
    fn millis(ms: u64) -> u128 {
        round_up(UreqDuration::Exact(std::time::Duration::from_millis(ms))).as_millis()
    }

    #[test]
    fn timeouts_round_up_to_whole_steps() {
        assert_eq!(millis(0), 0);
        assert_eq!(millis(1), 50);
        assert_eq!(millis(50), 50);
        assert_eq!(millis(9_999), 10_000);
        assert_eq!(millis(10_000), 10_000);
        let nearly = UreqDuration::Exact(std::time::Duration::from_nanos(9_999_999_999));
        assert_eq!(round_up(nearly).as_millis(), 10_000);
        assert!(round_up(UreqDuration::NotHappening).is_not_happening());
    }
}

/// Pins the ureq behaviours this layer relies on, against a real socket: if a ureq release
/// changes one of them, these fail, and the trick that relies on it has to go.
#[cfg(test)]
mod ureq_behaviour {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ureq::unversioned::resolver::DefaultResolver;
    use ureq::unversioned::transport::DefaultConnector;

    use super::*;

    /// What reached the socket's transport: writes and liveness probes.
    #[derive(Debug, Default)]
    struct Seen {
        writes: AtomicUsize,
        probes: AtomicUsize,
        /// How much of the body had been read when the socket saw its first write.
        read_at_first_write: AtomicUsize,
        /// How much of the body has been read so far.
        read: Arc<AtomicUsize>,
    }

    /// A layer under [`Coalescing`] that counts what goes through it.
    #[derive(Debug)]
    struct Counting(Arc<Seen>);

    impl<In: Transport> Connector<In> for Counting {
        type Out = Counted<In>;

        fn connect(
            &self,
            _details: &ConnectionDetails,
            chained: Option<In>,
        ) -> Result<Option<Self::Out>, ureq::Error> {
            Ok(chained.map(|inner| Counted {
                inner,
                seen: Arc::clone(&self.0),
            }))
        }
    }

    #[derive(Debug)]
    struct Counted<T> {
        inner: T,
        seen: Arc<Seen>,
    }

    impl<T: Transport> Transport for Counted<T> {
        fn buffers(&mut self) -> &mut dyn Buffers {
            self.inner.buffers()
        }

        fn transmit_output(
            &mut self,
            amount: usize,
            timeout: NextTimeout,
        ) -> Result<(), ureq::Error> {
            if self.seen.writes.fetch_add(1, Ordering::SeqCst) == 0 {
                let read = self.seen.read.load(Ordering::SeqCst);
                self.seen.read_at_first_write.store(read, Ordering::SeqCst);
            }
            self.inner.transmit_output(amount, timeout)
        }

        fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
            self.inner.maybe_await_input(timeout)
        }

        fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
            self.inner.await_input(timeout)
        }

        fn is_open(&mut self) -> bool {
            self.seen.probes.fetch_add(1, Ordering::SeqCst);
            self.inner.is_open()
        }

        fn is_tls(&self) -> bool {
            self.inner.is_tls()
        }
    }

    /// A keep-alive server on 127.0.0.1 that answers `requests` requests with a short 200,
    /// then stops; it returns how many connections it accepted.
    fn serve(requests: usize) -> (String, std::thread::JoinHandle<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let thread = std::thread::spawn(move || {
            let mut connections = 0;
            let mut answered = 0;
            while answered < requests {
                let (stream, _) = listener.accept().unwrap();
                connections += 1;
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(5)))
                    .unwrap();
                let mut reader = BufReader::new(stream);
                while answered < requests {
                    let mut length = 0;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            break;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    if line != "\r\n" {
                        break; // the client closed this connection
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                    reader.get_mut().write_all(answer).unwrap();
                    answered += 1;
                }
            }
            connections
        });
        (url, thread)
    }

    const CALLS: usize = 3;

    /// Makes [`CALLS`] POSTs with `agent`; returns the connections the server accepted.
    fn post_through(agent: &ureq::Agent) -> usize {
        let (url, server) = serve(CALLS);
        for _ in 0..CALLS {
            let mut answer = agent.post(&url).send(&b"{\"a\":1}"[..]).unwrap();
            assert_eq!(answer.body_mut().read_to_string().unwrap(), "ok");
        }
        server.join().unwrap()
    }

    #[test]
    fn ureq_writes_twice_and_probes_twice_per_reuse() {
        let seen = Arc::new(Seen::default());
        let agent = ureq::Agent::with_parts(
            ureq::Agent::config_builder().build(),
            DefaultConnector::default().chain(Counting(Arc::clone(&seen))),
            DefaultResolver::default(),
        );
        assert_eq!(post_through(&agent), 1, "one kept-alive connection");
        // Head and body apart; a probe on each return to the pool and on each taking out.
        assert_eq!(seen.writes.load(Ordering::SeqCst), 2 * CALLS);
        assert_eq!(seen.probes.load(Ordering::SeqCst), CALLS + (CALLS - 1));
    }

    #[test]
    fn one_write_per_request_and_one_probe_per_reuse() {
        let seen = Arc::new(Seen::default());
        let agent = ureq::Agent::with_parts(
            ureq::Agent::config_builder().build(),
            DefaultConnector::default()
                .chain(Counting(Arc::clone(&seen)))
                .chain(Coalescing),
            DefaultResolver::default(),
        );
        assert_eq!(post_through(&agent), 1, "one kept-alive connection");
        // ureq transmits the head and the body separately; the socket sees one write each.
        assert_eq!(seen.writes.load(Ordering::SeqCst), CALLS);
        // The probe on returning to the pool is skipped, so each reuse is probed exactly
        // once, on taking out. Were ureq to stop probing on return, the skip would fall on
        // the probe on taking out and this would be 0: then the skip has to go.
        assert_eq!(seen.probes.load(Ordering::SeqCst), CALLS - 1);
    }

    /// A body of `len` bytes that counts what has been read of it.
    struct CountingBody {
        left: usize,
        read: Arc<AtomicUsize>,
    }

    impl Read for CountingBody {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.left).min(8192);
            buf[..n].fill(b'x');
            self.left -= n;
            self.read.fetch_add(n, Ordering::SeqCst);
            Ok(n)
        }
    }

    #[test]
    fn a_large_body_streams_instead_of_being_held_whole() {
        const LEN: usize = 1024 * 1024;
        let seen = Arc::new(Seen::default());
        let agent = ureq::Agent::with_parts(
            ureq::Agent::config_builder().build(),
            DefaultConnector::default()
                .chain(Counting(Arc::clone(&seen)))
                .chain(Coalescing),
            DefaultResolver::default(),
        );
        let (url, server) = serve(1);
        let body = CountingBody {
            left: LEN,
            read: Arc::clone(&seen.read),
        };
        let mut answer = agent
            .put(&url)
            .header("Content-Length", LEN.to_string())
            .send(ureq::SendBody::from_owned_reader(body))
            .unwrap();
        assert_eq!(answer.body_mut().read_to_string().unwrap(), "ok");
        assert_eq!(server.join().unwrap(), 1);
        assert_eq!(seen.read.load(Ordering::SeqCst), LEN);
        // The socket was written to before most of the body had been read: it streams.
        let first = seen.read_at_first_write.load(Ordering::SeqCst);
        assert!(
            first <= MAX_HELD + 64 * 1024,
            "first write after {first} bytes read"
        );
    }
}
