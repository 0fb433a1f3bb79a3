//! Every connection the crate opens, for a call, a presigned transfer or the chat's
//! WebSocket, comes from here: ureq's connector links (the HTTP or HTTPS proxy's CONNECT
//! tunnel, TCP, rustls with the client's roots or the operating system's verifier), one
//! resolver per agent, and one set of settings read once when the client is built. A TLS or
//! proxy fix made here holds for all three.
//!
//! ```text
//! calls, transfers:  CONNECT proxy -> TCP -> rustls -> one write per request (coalesce)
//!                     (calls over ureq-proto directly, transfers through ureq's agent)
//! the WebSocket:     CONNECT proxy -> TCP -> setup deadline -> rustls
//!                     (run directly, the transport handed to the WebSocket)
//! ```
//!
//! Both chains share one rustls link, so the rustls configuration (the root store, or the
//! platform verifier) is built once per client, by the first connection made at an agent's
//! level. ureq builds it anew for each connection of a request-level configuration made
//! before that one, so no socket has one (a loopback host has a configuration without a
//! proxy of its own); a presigned transfer, which sets its own timeouts, reuses it once a
//! call has built it.

mod chain;
mod coalesce;
mod direct;
mod failure;
mod proxy;
mod resolve;
#[cfg(feature = "websocket")]
mod sockets;
pub(crate) mod tls;

use std::sync::Arc;
use std::time::Duration;

use ureq::tls::RootCerts;
use ureq::unversioned::transport::{
    ConnectProxyConnector, ConnectionDetails, Connector, RustlsConnector, TcpConnector, Transport,
};

pub(crate) use direct::{Direct, Failed};
#[cfg(feature = "websocket")]
pub(crate) use failure::connect_error;
pub(crate) use failure::{Bounds, transport_error};
#[cfg(feature = "cli")]
pub use proxy::PROXY_VARS;
pub(crate) use proxy::for_endpoint as proxy_for;
#[cfg(feature = "websocket")]
pub(crate) use sockets::Conn;

use crate::endpoint::Endpoint;
use coalesce::Coalescing;
use resolve::EndpointResolver;

/// The largest response head (status line and headers) read: ureq's own default limit.
pub(crate) const MAX_RESPONSE_HEAD: usize = 64 * 1024;

/// A call's buffers. A response head must fit the input buffer whole; it is a little larger
/// than the head limit so that ureq can tell a head over the limit (an `InvalidResponse`)
/// from a connection that stops making progress (a `Transport` error, retried). A request
/// is far below 16 KiB; ureq's default buffers, 128 KiB each, would be allocated for every
/// connection.
const CALL_BUFFERS: (usize, usize) = (MAX_RESPONSE_HEAD + 1024, 16 * 1024);

/// A WebSocket's buffers, one pair per layer (TCP, and TLS over it): only bytes in passing,
/// never a whole frame (the WebSocket keeps its own), so far smaller than a call's: every
/// open stream holds them, zero-filled and so resident, for as long as it is open. The
/// input holds a chat frame of the usual size (a message's is under 1 KiB) and a proxy's
/// whole answer to CONNECT (2 KiB: a proxy's answer is a few dozen bytes, at most 20
/// headers); the output carries the upgrade request (in pieces) and the stream's small
/// frames.
#[cfg(feature = "websocket")]
const SOCKET_BUFFERS: (usize, usize) = (2 * 1024, 512);

/// What the client's builder decided about the network.
pub(crate) struct Settings<'a> {
    pub(crate) endpoint: &'a Endpoint,
    pub(crate) root_certs: RootCerts,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) user_agent: &'a str,
    /// From [`proxy_for`], or a test's.
    pub(crate) proxy: Option<ureq::Proxy>,
}

/// A client's connections: the calls' direct driver, an agent for presigned transfers and,
/// with the `websocket` feature, one for the chat's sockets, over the same links and
/// settings.
pub(crate) struct Net {
    agent: ureq::Agent,
    /// The calls' own driver, over the same links, resolver and settings as `agent`.
    direct: Direct,
    /// The client's timeouts, named in a timeout's error.
    bounds: Bounds,
    /// The WebSocket's connections, over the same links and settings.
    #[cfg(feature = "websocket")]
    sockets: sockets::Sockets,
}

impl Net {
    /// Builds the agents. Nothing is sent.
    pub(crate) fn new(s: &Settings<'_>) -> Net {
        let proxy = s.proxy.clone();
        #[cfg(feature = "websocket")]
        let no_proxy = None;
        // One TLS configuration for every connection: the shared rustls link builds its
        // rustls configuration from it once and reuses it for both agents, which is right
        // only because both are given this same one.
        let tls_config = ureq::tls::TlsConfig::builder()
            .root_certs(s.root_certs.clone())
            .build();
        let rustls = Arc::new(RustlsConnector::default());
        let config = |(input, output): (usize, usize), proxy: &Option<ureq::Proxy>| {
            ureq::Agent::config_builder()
                .tls_config(tls_config.clone())
                // AWS errors come as 4xx/5xx with a body that must be read.
                .http_status_as_error(false)
                // A redirect would carry the bearer token to wherever it points.
                .max_redirects(0)
                // Only a custom http:// endpoint the caller chose may go without TLS.
                .https_only(s.endpoint.is_https())
                .user_agent(s.user_agent)
                // The SDKs send no Accept header; neither do we.
                .accept("")
                .timeout_connect(Some(s.connect_timeout))
                .timeout_global(Some(s.timeout))
                .max_response_header_size(MAX_RESPONSE_HEAD)
                .input_buffer_size(input)
                .output_buffer_size(output)
                // Room for many threads sharing one client without reconnecting.
                .max_idle_connections(32)
                .max_idle_connections_per_host(32)
                .proxy(proxy.clone())
                .build()
        };
        let calls = || {
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector::default())
                .chain(Shared(Arc::clone(&rustls)))
                .chain(Coalescing)
        };
        let agent = ureq::Agent::with_parts(
            config(CALL_BUFFERS, &proxy),
            calls(),
            EndpointResolver::default(),
        );
        let direct = Direct::new(
            config(CALL_BUFFERS, &proxy),
            calls(),
            s.user_agent,
            s.connect_timeout,
            s.timeout,
        );
        #[cfg(feature = "websocket")]
        let sockets = sockets::Sockets::new(
            config(SOCKET_BUFFERS, &proxy),
            config(SOCKET_BUFFERS, &no_proxy),
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector::default())
                .chain(sockets::SetupDeadline)
                .chain(Shared(Arc::clone(&rustls))),
            s.connect_timeout,
            s.timeout,
            s.endpoint.is_https(),
        );
        #[cfg(not(feature = "websocket"))]
        let _ = rustls;
        Net {
            agent,
            direct,
            bounds: Bounds {
                connect: s.connect_timeout,
                timeout: s.timeout,
                transfer: None,
            },
            #[cfg(feature = "websocket")]
            sockets,
        }
    }

    /// The client's timeout, which bounds a WebSocket's upgrade and each of its writes.
    #[cfg(feature = "websocket")]
    pub(crate) fn timeout(&self) -> Duration {
        self.sockets.timeout
    }

    /// Whether the service endpoint is HTTPS (a client of one takes no `ws://` URL).
    #[cfg(feature = "websocket")]
    pub(crate) fn is_https(&self) -> bool {
        self.sockets.https
    }

    /// The client's timeouts, as a timeout's error names them.
    pub(crate) fn bounds(&self) -> &Bounds {
        &self.bounds
    }

    /// The agent of presigned transfers: no redirects, status codes are not errors, the
    /// client's timeouts, TLS and proxy. It adds no bearer token of its own.
    pub(crate) fn agent(&self) -> &ureq::Agent {
        &self.agent
    }

    /// The calls' driver: the agent's exchange over ureq-proto, with its own idle
    /// connections. Presigned transfers keep the agent.
    pub(crate) fn direct(&self) -> &Direct {
        &self.direct
    }

    /// A connection to `authority` (`host:port`, IPv6 bracketed), TLS when `tls`, through
    /// the client's proxy unless the host is a loopback one, ready for a WebSocket upgrade.
    /// `host` names it in errors (`the WebSocket host h:443`); nothing else of the URL is
    /// quoted.
    #[cfg(feature = "websocket")]
    pub(crate) fn open_socket(
        &self,
        tls: bool,
        authority: &str,
        loopback: bool,
        host: &str,
    ) -> crate::Result<Conn> {
        use crate::error::Error;
        let sockets = &self.sockets;
        let not_a_url = || {
            Error::new_invalid_response(
                "the service's WebSocket URL cannot be used: it is not a valid URL",
            )
        };
        let scheme = if tls { "https" } else { "http" };
        let uri: ureq::http::Uri = format!("{scheme}://{authority}/")
            .parse()
            .map_err(|_| not_a_url())?;
        let proxy = sockets
            .proxy()
            .filter(|p| !loopback && !p.is_no_proxy(&uri));
        if proxy.is_some_and(|p| {
            !matches!(
                p.protocol(),
                ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
            )
        }) {
            return Err(Error::invalid_config(
                "the chat stream cannot reach the WebSocket through a SOCKS proxy; name an \
                 HTTP or HTTPS proxy, or the WebSocket's host in NO_PROXY",
            ));
        }
        // A local server is reached directly, whatever proxy the environment names.
        sockets
            .connect(&uri, loopback)
            .map_err(|e| connect_error(e, host, &self.bounds))
    }
}

/// One link shared by several chains, so that what it caches is made once.
#[derive(Debug)]
struct Shared<C>(Arc<C>);

impl<In: Transport, C: Connector<In>> Connector<In> for Shared<C> {
    type Out = C::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained)
    }
}

/// Connects to `addr` and closes at once: how the emulator wakes its own accept loop when
/// it stops. The crate's one plain TCP connection outside ureq's chain.
#[cfg(feature = "emulator")]
pub(crate) fn poke(addr: std::net::SocketAddr) -> bool {
    std::net::TcpStream::connect(addr).is_ok()
}
