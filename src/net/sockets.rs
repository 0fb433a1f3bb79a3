//! The chat's WebSocket connections, made by the same connector links as every call (the
//! HTTP or HTTPS proxy's CONNECT tunnel, TCP, rustls with the client's roots or the
//! operating system's verifier), with a resolver of their own. ureq has no upgrade, so the
//! chain is run here directly, as the calls' driver runs its own: ureq's `connect`, less
//! the pool (a socket is never reused), and the transport goes to the WebSocket as a plain
//! `Read + Write` ([`Conn`]).

use std::fmt;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use ureq::Timeout;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::http::uri::Scheme;
use ureq::unversioned::resolver::Resolver;
use ureq::unversioned::transport::time::{Duration as UreqDuration, Instant as UreqInstant};
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

use super::chain::{Chain, Deadline};
use super::resolve::EndpointResolver;

/// A configuration and its own resolver: what one of ureq's agents held.
struct Route {
    config: Config,
    resolver: EndpointResolver,
}

/// The WebSocket's connections: through the client's proxy, if it has one, or without a
/// proxy, for a loopback host. Nothing is pooled. Both configurations are agent-level
/// (`request_level: false`), so the shared rustls link builds its configuration once
/// rather than a root store per stream.
pub(crate) struct Sockets {
    proxied: Route,
    direct: Route,
    chain: Chain,
    connect_timeout: Duration,
    /// The client's timeout: a socket's reads and writes, and its upgrade.
    pub(crate) timeout: Duration,
    /// The service endpoint is HTTPS: a `ws://` URL is refused.
    pub(crate) https: bool,
}

impl fmt::Debug for Sockets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sockets").finish_non_exhaustive()
    }
}

impl Sockets {
    /// Connections made by `chain`, as `proxied` says or, for a loopback host, as `direct`
    /// (the same without a proxy) says.
    pub(crate) fn new(
        proxied: Config,
        direct: Config,
        chain: impl Connector,
        connect_timeout: Duration,
        timeout: Duration,
        https: bool,
    ) -> Sockets {
        let route = |config| Route {
            config,
            resolver: EndpointResolver::default(),
        };
        Sockets {
            proxied: route(proxied),
            direct: route(direct),
            chain: Chain::new(chain),
            connect_timeout,
            timeout,
            https,
        }
    }

    /// The client's proxy, if it has one.
    pub(crate) fn proxy(&self) -> Option<&ureq::Proxy> {
        self.proxied.config.proxy()
    }

    /// A connection to where `uri` (a whole URL) goes, through the proxy unless `loopback`;
    /// the resolution and the connection within the client's timeout, the connection within
    /// the connect timeout too, as ureq's agent bounds them.
    pub(crate) fn connect(&self, uri: &Uri, loopback: bool) -> Result<Conn, ureq::Error> {
        let Route { config, resolver } = if loopback {
            &self.direct
        } else {
            &self.proxied
        };
        if config.https_only() && uri.scheme() != Some(&Scheme::HTTPS) {
            return Err(ureq::Error::RequireHttpsOnly(uri.to_string()));
        }
        let deadline = Deadline::after(self.timeout);
        // Through a CONNECT proxy, the proxy resolves the host, unless told otherwise.
        let addrs = match config.proxy() {
            Some(p) if !p.is_no_proxy(uri) && !p.resolve_target() => resolver.empty(),
            _ => resolver.resolve(uri, config, deadline.global())?,
        };
        let timeout = deadline.connect(self.connect_timeout);
        let transport = self.chain.connect(uri, addrs, config, resolver, timeout)?;
        Ok(Conn {
            transport,
            template: timeout,
            deadline: None,
            read_timeout: self.timeout,
            write_timeout: self.timeout,
        })
    }
}

/// A link that bounds the connection's setup (the proxy's answer to CONNECT, the TLS
/// handshake) by the connect timeout as one deadline. ureq gives those steps the same
/// per-read timeout again and again, so a proxy or server trickling a byte at a time could
/// hold the setup for as long as its buffers last; with this, it ends at the deadline.
///
/// The deadline holds while the timeouts passed down are the connection's (ureq's
/// `Connect` or `Global`); the first read or write made with another (the WebSocket's,
/// through [`Conn`]) lifts it for good.
#[derive(Debug)]
pub(crate) struct SetupDeadline;

impl<In: Transport> Connector<In> for SetupDeadline {
    type Out = Bounded<In>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        // From the connection's start, so that a tunnel wrapped again keeps the first
        // deadline rather than starting a new one.
        let deadline = match (details.now, details.timeout.after) {
            (UreqInstant::Exact(start), UreqDuration::Exact(budget)) => start.checked_add(budget),
            _ => None,
        };
        Ok(chained.map(|inner| Bounded { inner, deadline }))
    }
}

/// A transport whose setup ends at a deadline (see [`SetupDeadline`]).
#[derive(Debug)]
pub(crate) struct Bounded<T> {
    inner: T,
    /// `None` once lifted.
    deadline: Option<Instant>,
}

impl<T> Bounded<T> {
    fn bound(&mut self, timeout: NextTimeout) -> Result<NextTimeout, ureq::Error> {
        let Some(deadline) = self.deadline else {
            return Ok(timeout);
        };
        if !matches!(timeout.reason, Timeout::Connect | Timeout::Global) {
            self.deadline = None;
            return Ok(timeout);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ureq::Error::Timeout(timeout.reason));
        }
        let after = match timeout.after {
            UreqDuration::Exact(d) if d <= left => timeout.after,
            _ => UreqDuration::Exact(left),
        };
        Ok(NextTimeout { after, ..timeout })
    }
}

impl<T: Transport> Transport for Bounded<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = self.bound(timeout)?;
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = self.bound(timeout)?;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// A connected transport (TCP, or TLS over TCP, through a tunnel or not) as `Read + Write`.
///
/// Reads wait at most what is left of a deadline when one is set ([`until`](Self::until)),
/// none starting after it (`WouldBlock`): a socket timeout alone bounds one read, not a
/// frame or an upgrade answer that a server trickles a byte at a time. Without a deadline a
/// read waits at most the read timeout; a write at most the write timeout.
pub(crate) struct Conn {
    transport: Box<dyn Transport>,
    /// The timeout the connection was made under: the template for every timeout passed
    /// down (ureq's type gains members across minors, so it is never built whole).
    template: NextTimeout,
    deadline: Option<Instant>,
    read_timeout: Duration,
    write_timeout: Duration,
}

impl Conn {
    /// Reads from now on end at `deadline` (`None`: each waits at most the read timeout).
    pub(crate) fn until(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// How long one read waits without a deadline, and one write at most.
    pub(crate) fn set_timeouts(&mut self, read: Duration, write: Duration) {
        self.read_timeout = read;
        self.write_timeout = write;
    }

    /// A timeout of `wait` for ureq's transports, for a step after the setup.
    fn timeout(&self, wait: Duration, reason: Timeout) -> NextTimeout {
        NextTimeout {
            after: UreqDuration::Exact(wait),
            reason,
            ..self.template
        }
    }
}

/// A transport's failure as the `io::Error` a `Read` or `Write` gives, its cause kept.
fn io_error(e: ureq::Error) -> io::Error {
    match e {
        ureq::Error::Io(e) => e,
        ureq::Error::Timeout(_) => io::Error::new(io::ErrorKind::TimedOut, "timed out"),
        other => io::Error::other(other),
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let input = self.transport.buffers().input();
            if !input.is_empty() {
                let n = input.len().min(buf.len());
                buf[..n].copy_from_slice(&input[..n]);
                self.transport.buffers().input_consume(n);
                return Ok(n);
            }
            let wait = match self.deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => self.read_timeout,
            };
            if wait.is_zero() {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "the read's deadline passed",
                ));
            }
            let timeout = self.timeout(wait, Timeout::RecvBody);
            match self.transport.await_input(timeout) {
                Ok(true) => {}
                // The other side closed the connection.
                Ok(false) => return Ok(0),
                // As a socket's read timeout says it: nothing came, try again later (the
                // WebSocket keeps what it read of a frame).
                Err(ureq::Error::Timeout(_)) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WouldBlock,
                        "nothing came before the read's deadline",
                    ));
                }
                Err(e) => return Err(io_error(e)),
            }
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let timeout = self.timeout(self.write_timeout, Timeout::SendBody);
        let out = self.transport.buffers().output();
        let n = out.len().min(buf.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.transport
            .transmit_output(n, timeout)
            .map_err(io_error)?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        // Every write is transmitted whole before it returns.
        Ok(())
    }
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conn")
            .field("tls", &self.transport.is_tls())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use ureq::unversioned::resolver::DefaultResolver;
    use ureq::unversioned::transport::LazyBuffers;

    use super::*;

    /// A timeout as ureq makes one for a connection (its fields differ across minors, so
    /// one is taken from ureq rather than built): a link that keeps it and connects nothing.
    fn connect_timeout() -> NextTimeout {
        #[derive(Debug)]
        struct Keep(Arc<Mutex<Option<NextTimeout>>>);
        impl Connector<()> for Keep {
            type Out = ();
            fn connect(
                &self,
                details: &ConnectionDetails,
                _: Option<()>,
            ) -> Result<Option<()>, ureq::Error> {
                *self.0.lock().unwrap() = Some(details.timeout);
                Err(ureq::Error::ConnectionFailed)
            }
        }
        let kept = Arc::new(Mutex::new(None));
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(3)))
            .build();
        let agent =
            ureq::Agent::with_parts(config, Keep(Arc::clone(&kept)), DefaultResolver::default());
        // An IP literal: nothing is resolved, and the link connects nowhere.
        assert!(agent.get("http://127.0.0.1:9/").call().is_err());
        let timeout = kept.lock().unwrap().take().expect("ureq ran the link");
        assert_eq!(timeout.reason, Timeout::Connect);
        timeout
    }

    /// A transport that records the timeouts it is given.
    #[derive(Debug)]
    struct Recorder {
        buffers: LazyBuffers,
        seen: Vec<(Option<Duration>, Timeout)>,
    }

    impl Transport for Recorder {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }

        fn transmit_output(&mut self, _: usize, t: NextTimeout) -> Result<(), ureq::Error> {
            self.seen.push((t.not_zero().map(|d| *d), t.reason));
            Ok(())
        }

        fn await_input(&mut self, t: NextTimeout) -> Result<bool, ureq::Error> {
            self.seen.push((t.not_zero().map(|d| *d), t.reason));
            Ok(false)
        }

        fn is_open(&mut self) -> bool {
            true
        }
    }

    fn bounded(left: Duration) -> Bounded<Recorder> {
        Bounded {
            inner: Recorder {
                buffers: LazyBuffers::new(64, 64),
                seen: Vec::new(),
            },
            deadline: Instant::now().checked_add(left),
        }
    }

    #[test]
    fn the_setup_waits_no_longer_than_the_deadline() {
        let ureq_made = connect_timeout();
        let mut b = bounded(Duration::from_millis(200));
        // ureq gives each read of the setup its whole connect budget (3 s) again.
        for _ in 0..3 {
            b.await_input(ureq_made).unwrap();
            b.transmit_output(1, ureq_made).unwrap();
        }
        for (after, reason) in &b.inner.seen {
            assert!(after.unwrap() <= Duration::from_millis(200), "{after:?}");
            assert_eq!(*reason, Timeout::Connect);
        }
    }

    #[test]
    fn a_setup_past_its_deadline_fails_at_once_as_a_timeout() {
        let ureq_made = connect_timeout();
        let mut b = bounded(Duration::ZERO);
        let e = b.await_input(ureq_made).unwrap_err();
        assert!(matches!(e, ureq::Error::Timeout(Timeout::Connect)), "{e:?}");
        assert!(b.inner.seen.is_empty(), "nothing reached the socket");
    }

    #[test]
    fn the_first_read_after_the_setup_lifts_the_deadline_for_good() {
        let ureq_made = connect_timeout();
        let mut b = bounded(Duration::from_millis(200));
        let after_setup = NextTimeout {
            after: UreqDuration::Exact(Duration::from_secs(30)),
            reason: Timeout::RecvBody,
            ..ureq_made
        };
        b.await_input(after_setup).unwrap();
        assert_eq!(b.deadline, None);
        // A connect-phase timeout passes whole now: the deadline is gone for good.
        b.await_input(ureq_made).unwrap();
        assert_eq!(
            b.inner.seen,
            [
                (Some(Duration::from_secs(30)), Timeout::RecvBody),
                (ureq_made.not_zero().map(|d| *d), Timeout::Connect),
            ]
        );
    }
}
