//! A connection made outside ureq's agent, by running a connector chain as the agent runs
//! it: what the calls' driver ([`direct`](super::direct)) and the chat's sockets
//! ([`sockets`](super::sockets)) share.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::time::{Duration as UreqDuration, Instant as UreqInstant};
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, NextTimeout, ShutdownHandle, Transport,
};
use ureq::{Error, Timeout};

/// The whole connector chain, run for a new connection (and by a CONNECT proxy's link, for
/// the connection to the proxy itself).
type RunChain = dyn Fn(&ConnectionDetails<'_>) -> Result<Box<dyn Transport>, Error> + Send + Sync;
type Register = dyn Fn(Weak<dyn ShutdownHandle>) -> Result<(), Error> + Send + Sync;
type Clock = dyn Fn() -> UreqInstant + Send + Sync;

/// A connector chain, ready to make connections.
pub(crate) struct Chain {
    run: Arc<RunChain>,
    /// Takes every transport's shutdown handle and keeps none: nothing shuts these
    /// connections down from another thread (an agent's `shutdown` is never used).
    register: Arc<Register>,
    clock: Arc<Clock>,
}

impl Chain {
    pub(crate) fn new(chain: impl Connector) -> Chain {
        Chain {
            run: Arc::new(move |details: &ConnectionDetails<'_>| {
                chain
                    .connect(details, None)?
                    .map(|t| Box::new(t) as Box<dyn Transport>)
                    .ok_or(Error::ConnectionFailed)
            }),
            register: Arc::new(|_| Ok(())),
            clock: Arc::new(UreqInstant::now),
        }
    }

    /// A connection to where `uri` goes, to `addrs` (empty when a proxy resolves the
    /// host), as `config` says, made within `timeout`. Agent-level (`request_level:
    /// false`): the shared rustls link builds its configuration once, not per connection.
    pub(crate) fn connect(
        &self,
        uri: &Uri,
        addrs: ResolvedSocketAddrs,
        config: &Config,
        resolver: &dyn Resolver,
        timeout: NextTimeout,
    ) -> Result<Box<dyn Transport>, Error> {
        let details = ConnectionDetails {
            uri,
            addrs,
            config,
            request_level: false,
            resolver,
            now: UreqInstant::now(),
            timeout,
            current_time: Arc::clone(&self.clock),
            run_connector: Arc::clone(&self.run),
            register_shutdown: Arc::clone(&self.register),
        };
        (self.run)(&details)
    }
}

/// The end of a whole exchange (a call, a socket's setup): the client's timeout from its
/// start.
pub(crate) struct Deadline(pub(crate) Instant);

impl Deadline {
    /// From now, `timeout` long.
    pub(crate) fn after(timeout: Duration) -> Deadline {
        Deadline(Instant::now() + timeout)
    }

    fn next(at: Instant, reason: Timeout) -> NextTimeout {
        NextTimeout {
            after: UreqDuration::Exact(at.saturating_duration_since(Instant::now())),
            reason,
            ..NextTimeout::default()
        }
    }

    /// What is left of the whole.
    pub(crate) fn global(&self) -> NextTimeout {
        Deadline::next(self.0, Timeout::Global)
    }

    /// For a new connection, made from now: the connect timeout or what is left of the
    /// whole, whichever ends first (the connect timeout on a tie, as ureq).
    pub(crate) fn connect(&self, connect_timeout: Duration) -> NextTimeout {
        let connect = Instant::now() + connect_timeout;
        if connect <= self.0 {
            Deadline::next(connect, Timeout::Connect)
        } else {
            self.global()
        }
    }
}
