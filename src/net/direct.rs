//! The calls' HTTP/1.1 exchange, driven over ureq-proto directly rather than through ureq's
//! agent: ureq's own `run.rs`, less what the calls never use (redirects, cookies,
//! decompression, a streamed body, per-phase timeouts), so that a call spends its
//! instructions on the request and the answer, not on the agent's bookkeeping.
//!
//! Connections come from the same connector chain and resolver as the agent's (CONNECT
//! proxy, TCP, rustls, one write per request), and are pooled here as the agent pools them:
//! by scheme and authority (the proxy is the client's, one for all), at most
//! [`Config::max_idle_connections`] idle, none older than [`Config::max_idle_age`], each
//! probed before it is used again, and returned only when ureq-proto says it may be reused
//! and the answer's body was read whole. Failures are the `ureq::Error`s the agent gives for
//! the same failure, so that [`transport_error`](super::transport_error) tells them alike.

use std::collections::VecDeque;
use std::io;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::Error;
use ureq::config::Config;
use ureq::http::uri::{Authority, Scheme};
use ureq::http::{HeaderMap, HeaderValue, Request, Response, Uri, header};
use ureq::unversioned::resolver::Resolver;
use ureq::unversioned::transport::{Connector, NextTimeout, Transport};
use ureq_proto::BodyMode;
use ureq_proto::client::state::{Prepare, RecvBody, RecvResponse, SendBody, SendRequest};
use ureq_proto::client::{Call, RecvBodyResult, RecvResponseResult, SendRequestResult};

use super::chain::{Chain, Deadline};
use super::resolve::EndpointResolver;

/// A whole answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

/// A failed exchange: the error, and the answer's status and headers when the failure came
/// while its body was read.
pub(crate) struct Failed {
    pub(crate) error: Error,
    pub(crate) head: Option<Box<(u16, HeaderMap)>>,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Failed {
        Failed { error, head: None }
    }
}

/// The calls' driver and its idle connections.
pub(crate) struct Direct {
    /// The agent's configuration: TLS, proxy, buffers, head limit, pool limits.
    config: Config,
    /// The calls' own, of the agent's kind: a lookup only when a connection is made.
    resolver: EndpointResolver,
    chain: Chain,
    /// Sent unless the request has its own.
    user_agent: Option<HeaderValue>,
    connect_timeout: Duration,
    timeout: Duration,
    max_idle: usize,
    max_idle_age: Duration,
    idle: Mutex<VecDeque<Conn>>,
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Direct").finish_non_exhaustive()
    }
}

/// One connection, with where it goes.
struct Conn {
    transport: Box<dyn Transport>,
    scheme: Scheme,
    authority: Authority,
    /// When it was last returned idle.
    since: Instant,
}

impl Conn {
    fn transmit(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        // An expired budget fails here: a socket cannot be given a zero timeout.
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        self.transport.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        if timeout.after.is_zero() {
            return Err(Error::Timeout(timeout.reason));
        }
        self.transport.maybe_await_input(timeout)
    }

    fn goes_to(&self, uri: &Uri) -> bool {
        uri.scheme() == Some(&self.scheme) && uri.authority() == Some(&self.authority)
    }
}

fn disconnected() -> Error {
    Error::Io(io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "Peer disconnected",
    ))
}

impl Direct {
    /// A driver over `chain`, which makes connections as `config` says; `user_agent` is
    /// sent with every request.
    pub(crate) fn new(
        config: Config,
        chain: impl Connector,
        user_agent: &str,
        connect_timeout: Duration,
        timeout: Duration,
    ) -> Direct {
        Direct {
            max_idle: config.max_idle_connections(),
            max_idle_age: config.max_idle_age(),
            config,
            resolver: EndpointResolver::default(),
            chain: Chain::new(chain),
            user_agent: HeaderValue::from_str(user_agent)
                .ok()
                .filter(|v| !v.is_empty()),
            connect_timeout,
            timeout,
            idle: Mutex::new(VecDeque::new()),
        }
    }

    /// Sends `request` with `body` (`None`: no body at all, not even `content-length: 0`)
    /// and reads the whole answer, whose body may be at most `limit` bytes.
    pub(crate) fn run(
        &self,
        request: Request<()>,
        body: Option<&[u8]>,
        limit: u64,
    ) -> Result<Answer, Failed> {
        let deadline = Deadline::after(self.timeout);
        let uri = request.uri();
        if self.config.https_only() && uri.scheme() != Some(&Scheme::HTTPS) {
            return Err(Error::RequireHttpsOnly(uri.to_string()).into());
        }
        let call = self.prepare(request, body)?;
        let mut conn = self.connection(call.uri(), &deadline)?;
        let call = send(
            call.proceed(),
            body.unwrap_or_default(),
            &mut conn,
            &deadline,
        )?;
        let (response, next) = self.recv_response(call, &mut conn, &deadline)?;
        let (parts, ()) = response.into_parts();
        let status = parts.status.as_u16();
        let body = match next {
            RecvResponseResult::RecvBody(call) => {
                match read_body(call, &mut conn, limit, &deadline) {
                    Ok((body, must_close)) => {
                        self.cleanup(conn, must_close);
                        body
                    }
                    Err(error) => {
                        return Err(Failed {
                            error,
                            head: Some(Box::new((status, parts.headers))),
                        });
                    }
                }
            }
            RecvResponseResult::Redirect(call) => {
                self.cleanup(conn, call.must_close_connection());
                Vec::new()
            }
            RecvResponseResult::Cleanup(call) => {
                self.cleanup(conn, call.must_close_connection());
                Vec::new()
            }
        };
        Ok(Answer {
            status,
            headers: parts.headers,
            body,
        })
    }

    /// The call, with the headers the agent adds: the body's length and the user agent.
    fn prepare(&self, request: Request<()>, body: Option<&[u8]>) -> Result<Call<Prepare>, Error> {
        let mut call = Call::new(request)?;
        let headers = call.headers();
        let framed = headers.contains_key(header::CONTENT_LENGTH)
            || headers.contains_key(header::TRANSFER_ENCODING);
        if let (Some(body), false) = (body, framed) {
            call.header(header::CONTENT_LENGTH, HeaderValue::from(body.len() as u64))?;
        }
        if let Some(agent) = &self.user_agent {
            if !call.headers().contains_key(header::USER_AGENT) {
                call.header(header::USER_AGENT, agent.clone())?;
            }
        }
        Ok(call)
    }

    /// An idle connection to where `uri` goes that is still open, or a new one.
    fn connection(&self, uri: &Uri, deadline: &Deadline) -> Result<Conn, Error> {
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.authority().is_none() {
            return Err(Error::BadUri(format!("{uri} is not a whole URL")));
        }
        if let Some(conn) = self.take_idle(uri) {
            return Ok(conn);
        }
        let proxy = self.config.proxy();
        // Through a CONNECT proxy, the proxy resolves the host, unless told otherwise.
        let addrs = match proxy {
            Some(p) if !p.is_no_proxy(uri) && !p.resolve_target() => self.resolver.empty(),
            _ => self
                .resolver
                .resolve(uri, &self.config, deadline.global())?,
        };
        let timeout = deadline.connect(self.connect_timeout);
        let transport = self
            .chain
            .connect(uri, addrs, &self.config, &self.resolver, timeout)?;
        if uri.scheme() == Some(&Scheme::HTTPS) && !transport.is_tls() {
            return Err(Error::TlsRequired);
        }
        Ok(Conn {
            transport,
            scheme: uri.scheme().cloned().unwrap_or(Scheme::HTTP),
            authority: uri.authority().cloned().ok_or(Error::ConnectionFailed)?,
            since: Instant::now(),
        })
    }

    /// The oldest idle connection to where `uri` goes that is still open and young enough.
    fn take_idle(&self, uri: &Uri) -> Option<Conn> {
        let now = Instant::now();
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        self.purge(&mut idle, now);
        while let Some(i) = idle.iter().position(|c| c.goes_to(uri)) {
            let mut conn = idle.remove(i)?;
            // Closed by the server while it idled, or it sent bytes nobody asked for.
            if !conn.transport.is_open() {
                continue;
            }
            if now.saturating_duration_since(conn.since) >= self.max_idle_age {
                continue;
            }
            return Some(conn);
        }
        None
    }

    /// Drops the oldest idle connections beyond the limits.
    fn purge(&self, idle: &mut VecDeque<Conn>, now: Instant) {
        while idle.len() > self.max_idle
            || idle
                .front()
                .is_some_and(|c| now.saturating_duration_since(c.since) > self.max_idle_age)
        {
            idle.pop_front();
        }
    }

    /// Closes `conn`, or keeps it idle if it may be used again.
    fn cleanup(&self, mut conn: Conn, must_close: bool) {
        // Bytes past the answer, or the socket closed or readable: not reusable.
        if must_close || !conn.transport.buffers().input().is_empty() || !conn.transport.is_open() {
            return;
        }
        let now = Instant::now();
        conn.since = now;
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.push_back(conn);
        self.purge(&mut idle, now);
    }

    /// Reads the answer's head; a head over the limit is an error.
    fn recv_response(
        &self,
        mut call: Call<RecvResponse>,
        conn: &mut Conn,
        deadline: &Deadline,
    ) -> Result<(Response<()>, RecvResponseResult), Error> {
        let max = self.config.max_response_header_size();
        loop {
            let made_progress = conn.await_input(deadline.global())?;
            let input = conn.transport.buffers().input();
            // Redirects are not followed: no partial redirect head is taken.
            let (amount, response) = call.try_response(input, false)?;
            let size = if response.is_some() {
                amount
            } else {
                input.len()
            };
            if size > max {
                return Err(Error::LargeResponseHeader(input.len(), max));
            }
            conn.transport.buffers().input_consume(amount);
            if let Some(response) = response {
                let next = call.proceed().ok_or_else(disconnected)?;
                return Ok((response, next));
            }
            if !made_progress {
                return Err(disconnected());
            }
        }
    }
}

/// Sends the request's head and its body.
fn send(
    mut call: Call<SendRequest>,
    body: &[u8],
    conn: &mut Conn,
    deadline: &Deadline,
) -> Result<Call<RecvResponse>, Error> {
    while !call.can_proceed() {
        let amount = call.write(conn.transport.buffers().output())?;
        conn.transmit(amount, deadline.global())?;
    }
    match call.proceed()?.ok_or_else(disconnected)? {
        SendRequestResult::RecvResponse(call) => Ok(call),
        SendRequestResult::SendBody(call) => send_body(call, body, conn, deadline),
        // The client never sends `Expect: 100-continue`: the body goes at once.
        SendRequestResult::Await100(call) => match call.proceed()? {
            ureq_proto::client::Await100Result::SendBody(call) => {
                send_body(call, body, conn, deadline)
            }
            ureq_proto::client::Await100Result::RecvResponse(call) => Ok(call),
        },
    }
}

fn send_body(
    mut call: Call<SendBody>,
    mut body: &[u8],
    conn: &mut Conn,
    deadline: &Deadline,
) -> Result<Call<RecvResponse>, Error> {
    while !call.can_proceed() {
        let output = conn.transport.buffers().output();
        let used = if call.is_chunked() {
            let n = body.len().min(call.calculate_max_input(output.len()));
            let (input_used, output_used) = call.write(&body[..n], output)?;
            body = &body[input_used..];
            output_used
        } else {
            let n = body.len().min(output.len());
            output[..n].copy_from_slice(&body[..n]);
            call.consume_direct_write(n)?;
            body = &body[n..];
            n
        };
        if used == 0 && !call.can_proceed() {
            // The body ended before its announced length.
            return Err(disconnected());
        }
        conn.transmit(used, deadline.global())?;
    }
    call.proceed().ok_or_else(disconnected)
}

/// Reads the answer's body whole, at most `limit` bytes; says whether the connection must
/// close. ureq's `BodyHandler::do_read`, into one buffer.
fn read_body(
    mut call: Call<RecvBody>,
    conn: &mut Conn,
    limit: u64,
    deadline: &Deadline,
) -> Result<(Vec<u8>, bool), Error> {
    // Sized from Content-Length (most answers are a few dozen bytes), capped, so that a
    // lying header cannot make it large; one byte over the limit tells a body too large.
    let cap = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    let hint = match call.body_mode() {
        BodyMode::LengthDelimited(n) => n.min(64 * 1024) as usize,
        _ => 0,
    };
    let mut out = Vec::new();
    let mut filled = 0;
    let mut remote_closed = false;
    loop {
        let fulfilled = match call.body_mode() {
            BodyMode::LengthDelimited(_) | BodyMode::Chunked => call.can_proceed(),
            BodyMode::CloseDelimited => false,
            BodyMode::NoBody => true,
        };
        if fulfilled {
            break;
        }
        if filled == out.len() {
            let more = if filled < hint {
                hint - filled
            } else {
                filled.max(4096)
            };
            out.resize(filled + more.min(cap - filled), 0);
        }
        // Input already buffered first; else wait for more (ureq's `maybe_await_input`).
        let mut awaited = None;
        if !conn.transport.buffers().can_use_input() {
            if remote_closed {
                break;
            }
            awaited = Some(match conn.await_input(deadline.global()) {
                Ok(made_progress) => made_progress,
                Err(Error::Io(e))
                    if matches!(
                        e.kind(),
                        io::ErrorKind::UnexpectedEof
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) =>
                {
                    remote_closed = true;
                    true
                }
                Err(e) => return Err(e),
            });
        }
        let input = conn.transport.buffers().input();
        let input_ended = input.is_empty();
        let (used, n) = call.read(input, &mut out[filled..])?;
        conn.transport.buffers().input_consume(used);
        filled += n;
        if filled >= cap {
            return Err(Error::BodyExceedsLimit(limit));
        }
        match awaited {
            _ if n > 0 => {}
            // Buffered input used, or none of it could be: the next round waits for more.
            None => {}
            Some(_) if input_ended => break,
            Some(true) => {}
            Some(false) => return Err(Error::BodyStalled),
        }
    }
    out.truncate(filled);
    Ok((out, body_ended(call)?))
}

/// Whether the connection must close after a body read to its end; an error if it did not
/// end as its framing says.
fn body_ended(call: Call<RecvBody>) -> Result<bool, Error> {
    if !call.can_proceed() {
        // `0\r\n` then the server closed: the body is whole, the connection is not.
        if call.is_ended_chunked() {
            return Ok(true);
        }
        return Err(disconnected());
    }
    Ok(match call.proceed() {
        Some(RecvBodyResult::Redirect(call)) => call.must_close_connection(),
        Some(RecvBodyResult::Cleanup(call)) => call.must_close_connection(),
        None => true,
    })
}

#[cfg(test)]
mod tests;
