//! Which proxy the client's connections go through: the one the environment names (as ureq
//! reads `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), none for a loopback
//! endpoint, and never a SOCKS proxy, which ureq is built without and would connect around.

use ureq::http::Uri;

use crate::endpoint::Endpoint;
use crate::env;
use crate::error::{Error, Result};
use crate::redact::quoted;

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
        refuse_socks(&proxy, &uri, || env::socks_proxy(|n| std::env::var_os(n)))?;
    }
    Ok(Some(proxy))
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
}
