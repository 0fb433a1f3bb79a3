//! Which proxy the client's connections go through: the one the environment names (as ureq
//! reads `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), none for a loopback
//! endpoint, and never a SOCKS proxy, which ureq is built without and would connect around.

use std::ffi::OsString;

use ureq::http::Uri;

use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::redact::{quoted, redact_userinfo};

/// The proxy variables in the order ureq's `Proxy::try_from_env` tries them.
pub const PROXY_VARS: [&str; 6] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
];

/// The proxy for every connection of a client of `endpoint`, read once from the process
/// environment.
pub(crate) fn for_endpoint(endpoint: &Endpoint) -> Result<Option<ureq::Proxy>> {
    // A local emulator or test server must not be reached through an HTTP proxy that the
    // environment names for the outside world.
    if endpoint.is_loopback() {
        return Ok(None);
    }
    let Some(proxy) = ureq::Proxy::try_from_env() else {
        return Ok(None);
    };
    // The endpoint's own URI, for NO_PROXY: a proxy it excludes is never used for it.
    if let Ok(uri) = endpoint.operation_uri("/") {
        refuse_socks(&proxy, &uri, || socks_proxy(|n| std::env::var_os(n)))?;
    }
    Ok(Some(proxy))
}

/// The proxy variable that names a SOCKS proxy the client would use, and its value with
/// any user info redacted: the first of [`PROXY_VARS`] whose value ureq parses is the one
/// ureq uses, as its `Proxy::try_from_env` does.
pub(crate) fn socks_proxy(
    get: impl Fn(&str) -> Option<OsString>,
) -> Option<(&'static str, String)> {
    for name in PROXY_VARS {
        let Some(value) = get(name).and_then(|v| v.into_string().ok()) else {
            continue;
        };
        let Ok(proxy) = ureq::Proxy::new(&value) else {
            continue;
        };
        return match proxy.protocol() {
            ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https => None,
            _ => Some((name, redact_userinfo(&value).into_owned())),
        };
    }
    None
}

/// Refuses a SOCKS `proxy` that would carry requests to `uri`: ureq is built without SOCKS
/// support, and would connect directly instead. `var` tells which variable names it.
fn refuse_socks(
    proxy: &ureq::Proxy,
    uri: &Uri,
    var: impl FnOnce() -> Option<(&'static str, String)>,
) -> Result<()> {
    if matches!(
        proxy.protocol(),
        ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
    ) || proxy.is_no_proxy(uri)
    {
        return Ok(());
    }
    let (name, shown) = match var() {
        Some((name, value)) => (name, quoted(&value)),
        None => ("ALL_PROXY", format!("({})", proxy.protocol())),
    };
    Err(Error::invalid_config(format!(
        "unsupported {name}: {shown}: this client cannot use a SOCKS proxy; name an HTTP or \
         HTTPS proxy, or the endpoint's host in NO_PROXY to connect directly"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::env::lookup;

    #[test]
    fn socks_proxies_are_refused_naming_the_variable() {
        let uri: Uri = "https://participant.connect.us-east-1.amazonaws.com/participant/event"
            .parse()
            .unwrap();
        let socks = ureq::Proxy::new("socks5://u:hunter2@p:1080").unwrap();
        let e = refuse_socks(&socks, &uri, || {
            Some(("ALL_PROXY", "socks5://[redacted]@p:1080".to_owned()))
        })
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        assert_eq!(
            e.to_string(),
            "unsupported ALL_PROXY: \"socks5://[redacted]@p:1080\": this client cannot use a \
             SOCKS proxy; name an HTTP or HTTPS proxy, or the endpoint's host in NO_PROXY to \
             connect directly"
        );
        let http = ureq::Proxy::new("http://u:p@proxy:3128").unwrap();
        assert!(refuse_socks(&http, &uri, || None).is_ok());
    }

    #[test]
    fn socks_proxies_are_found_in_ureqs_order() {
        assert_eq!(socks_proxy(lookup(&[])), None);
        assert_eq!(
            socks_proxy(lookup(&[("HTTPS_PROXY", "http://p:3128")])),
            None
        );
        assert_eq!(
            socks_proxy(lookup(&[("ALL_PROXY", "socks5://u:hunter2@p:1080")])),
            Some(("ALL_PROXY", "socks5://[redacted]@p:1080".to_owned()))
        );
        for scheme in ["socks4", "socks4a", "socks", "socks5", "socks5h", "SOCKS5"] {
            let url = format!("{scheme}://p");
            let found = socks_proxy(lookup(&[("https_proxy", &url)]));
            assert_eq!(found, Some(("https_proxy", url.clone())), "{scheme}");
        }
        // ALL_PROXY comes first; an unparsable value is skipped, as ureq skips it.
        assert_eq!(
            socks_proxy(lookup(&[
                ("ALL_PROXY", "http://p"),
                ("HTTP_PROXY", "socks5://q")
            ])),
            None
        );
        assert_eq!(
            socks_proxy(lookup(&[
                ("ALL_PROXY", "bogus://p"),
                ("http_proxy", "socks5://q")
            ])),
            Some(("http_proxy", "socks5://q".to_owned()))
        );
    }
}
