//! Host name resolution for the client's one endpoint, without a thread per call.
//!
//! ureq resolves the host on every request, pooled connection or not, and when a timeout
//! applies it does so on a freshly spawned thread. With the whole-attempt timeout always
//! set, that is a thread per call: most of the client's cost on a fast network. This
//! resolver skips the lookup for IP literals and keeps a name's addresses for as long as
//! ureq keeps an idle connection, so a lookup (with ureq's timeout thread) happens only when
//! a new connection may be needed anyway.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long resolved addresses are reused: ureq's default idle-connection age, so that a
/// connection opened with them is never older than a pooled one.
pub(crate) const CACHE_TTL: Duration = Duration::from_secs(15);

#[derive(Debug, Default)]
pub(crate) struct EndpointResolver {
    lookup: DefaultResolver,
    cached: RwLock<Option<Cached>>,
    /// The last IP-literal host seen, by its authority as written: found again without
    /// parsing the authority or the address (the client's endpoint, at every call).
    literal: RwLock<Option<Literal>>,
}

#[derive(Debug)]
struct Literal {
    https: bool,
    authority: String,
    addr: SocketAddr,
}

#[derive(Debug)]
struct Cached {
    /// The key as written (scheme and authority), compared before anything is parsed.
    https: bool,
    authority: String,
    port: u16,
    at: Instant,
    /// A plain list: ureq's own list type is `Clone` only from ureq 3.3 on.
    addrs: Vec<SocketAddr>,
}

/// The address of an IP-literal host (`127.0.0.1`, `[::1]`), which needs no lookup.
pub(crate) fn ip_literal(host: &str, port: u16) -> Option<SocketAddr> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, port))
}

impl Resolver for EndpointResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.addrs_for(uri, || {
            self.lookup
                .resolve(uri, config, timeout)
                .map_err(|e| match e {
                    ureq::Error::Io(io) => {
                        ureq::Error::Io(io::Error::new(io.kind(), LookupFailed(io)))
                    }
                    other => other,
                })
        })
    }
}

/// The system's lookup failed (`failed to lookup address information: ...`): kept inside
/// ureq's I/O error, so that a failure to resolve is told from other I/O failures (a
/// region's typo is named then). Shows as the lookup's own error.
#[derive(Debug)]
pub(crate) struct LookupFailed(io::Error);

impl fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for LookupFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl EndpointResolver {
    /// The addresses of `uri`'s host: an IP literal's own, else the cached ones, else what
    /// `lookup` finds (then cached).
    fn addrs_for(
        &self,
        uri: &Uri,
        lookup: impl FnOnce() -> Result<ResolvedSocketAddrs, ureq::Error>,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return lookup();
        };
        let https = scheme == &ureq::http::uri::Scheme::HTTPS;
        let mut addrs = self.empty();
        // A poisoned lock only means another thread panicked mid-update: parse again.
        if let Ok(guard) = self.literal.read() {
            if let Some(l) = guard
                .as_ref()
                .filter(|l| l.https == https && l.authority == authority.as_str())
            {
                addrs.push(l.addr);
                return Ok(addrs);
            }
        }
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        if let Some(addr) = ip_literal(authority.host(), port) {
            if let Ok(mut guard) = self.literal.write() {
                *guard = Some(Literal {
                    https,
                    authority: authority.as_str().to_owned(),
                    addr,
                });
            }
            addrs.push(addr);
            return Ok(addrs);
        }
        let fresh = |c: &Cached| {
            c.https == https
                && c.port == port
                && c.authority == authority.as_str()
                && c.at.elapsed() < CACHE_TTL
        };
        // A poisoned lock only means another thread panicked mid-update: look up again.
        if let Ok(guard) = self.cached.read() {
            if let Some(c) = guard.as_ref().filter(|c| fresh(c)) {
                for addr in &c.addrs {
                    addrs.push(*addr);
                }
                return Ok(addrs);
            }
        }
        let addrs = lookup()?;
        if let Ok(mut guard) = self.cached.write() {
            *guard = Some(Cached {
                https,
                authority: authority.as_str().to_owned(),
                port,
                at: Instant::now(),
                addrs: addrs.to_vec(),
            });
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A stand-in for the system's lookup (a `NextTimeout` for the real one cannot be made
    /// the same way on every ureq 3 minor): counts its calls, finds 127.0.0.1.
    fn fake_lookup<'a>(
        r: &'a EndpointResolver,
        calls: &'a Cell<usize>,
    ) -> impl FnOnce() -> Result<ResolvedSocketAddrs, ureq::Error> + 'a {
        move || {
            calls.set(calls.get() + 1);
            let mut addrs = r.empty();
            addrs.push("127.0.0.1:4321".parse().unwrap());
            Ok(addrs)
        }
    }

    #[test]
    fn ip_literals_need_no_lookup() {
        assert_eq!(
            ip_literal("127.0.0.1", 8080),
            Some("127.0.0.1:8080".parse().unwrap())
        );
        assert_eq!(ip_literal("[::1]", 9), Some("[::1]:9".parse().unwrap()));
        assert_eq!(ip_literal("localhost", 80), None);
        assert_eq!(
            ip_literal("participant.connect.us-east-1.amazonaws.com", 443),
            None
        );
        assert_eq!(ip_literal("[::1", 9), None);
    }

    #[test]
    fn literal_hosts_resolve_without_the_cache() {
        let r = EndpointResolver::default();
        let calls = Cell::new(0);
        let uri: Uri = "http://127.0.0.1:4321/participant/event".parse().unwrap();
        let addrs = r.addrs_for(&uri, fake_lookup(&r, &calls)).unwrap();
        assert_eq!(&addrs[..], ["127.0.0.1:4321".parse().unwrap()]);
        assert_eq!(calls.get(), 0);
        assert!(r.cached.read().unwrap().is_none());
    }

    #[test]
    fn the_last_literal_is_found_again_by_its_authority() {
        let r = EndpointResolver::default();
        let calls = Cell::new(0);
        let kept = |r: &EndpointResolver| {
            let guard = r.literal.read().unwrap();
            let l = guard.as_ref().unwrap();
            (l.https, l.authority.clone(), l.addr)
        };
        let uri: Uri = "http://127.0.0.1:4321/participant/event".parse().unwrap();
        r.addrs_for(&uri, fake_lookup(&r, &calls)).unwrap();
        let at_4321 = "127.0.0.1:4321".parse().unwrap();
        assert_eq!(kept(&r), (false, "127.0.0.1:4321".to_owned(), at_4321));
        // Found again: the kept address, whatever the path.
        let again: Uri = "http://127.0.0.1:4321/other".parse().unwrap();
        let addrs = r.addrs_for(&again, fake_lookup(&r, &calls)).unwrap();
        assert_eq!(&addrs[..], [at_4321]);
        // Another scheme (another default port) or authority replaces it.
        let https: Uri = "https://127.0.0.1/".parse().unwrap();
        let addrs = r.addrs_for(&https, fake_lookup(&r, &calls)).unwrap();
        let at_443 = "127.0.0.1:443".parse().unwrap();
        assert_eq!(&addrs[..], [at_443]);
        assert_eq!(kept(&r), (true, "127.0.0.1".to_owned(), at_443));
        let http: Uri = "http://127.0.0.1/".parse().unwrap();
        let addrs = r.addrs_for(&http, fake_lookup(&r, &calls)).unwrap();
        assert_eq!(&addrs[..], ["127.0.0.1:80".parse().unwrap()]);
        let v6: Uri = "http://[::1]:9/".parse().unwrap();
        let addrs = r.addrs_for(&v6, fake_lookup(&r, &calls)).unwrap();
        assert_eq!(&addrs[..], ["[::1]:9".parse().unwrap()]);
        assert_eq!(calls.get(), 0);
        assert!(r.cached.read().unwrap().is_none());
    }

    #[test]
    fn names_are_looked_up_once_then_cached() {
        let r = EndpointResolver::default();
        let calls = Cell::new(0);
        let uri: Uri = "http://localhost:4321/participant/event".parse().unwrap();
        let first = r.addrs_for(&uri, fake_lookup(&r, &calls)).unwrap();
        let second = r.addrs_for(&uri, fake_lookup(&r, &calls)).unwrap();
        assert_eq!(&first[..], &second[..]);
        assert_eq!(calls.get(), 1, "the second was served from the cache");
        // Another port is another entry.
        let other: Uri = "http://localhost:4322/".parse().unwrap();
        r.addrs_for(&other, fake_lookup(&r, &calls)).unwrap();
        assert_eq!(calls.get(), 2);
        assert_eq!(r.cached.read().unwrap().as_ref().unwrap().port, 4322);
    }
}
