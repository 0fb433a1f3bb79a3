//! Where requests go: regions, partitions, FIPS, dual-stack, or a URL the caller gives.

mod typo;

use std::fmt;

pub(crate) use typo::region_hint;

use crate::error::{Error, Result};
use crate::redact::{quoted, redact_userinfo};

/// Which of a region's endpoints to use.
///
/// ```
/// use connect_participant::{Endpoint, EndpointVariant};
///
/// let e = Endpoint::resolve("us-gov-east-1", EndpointVariant::FipsDualStack)?;
/// assert_eq!(e.url(), "https://participant.connect-fips.us-gov-east-1.api.aws");
/// # Ok::<(), connect_participant::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EndpointVariant {
    /// The region's regular endpoint.
    #[default]
    Standard,
    /// Its FIPS endpoint (in GovCloud, the regular host, which is already FIPS-validated).
    Fips,
    /// Its dual-stack (IPv4 and IPv6) endpoint.
    DualStack,
    /// Its FIPS dual-stack endpoint.
    FipsDualStack,
}

impl EndpointVariant {
    /// The variant with FIPS and dual-stack as given.
    pub const fn new(fips: bool, dual_stack: bool) -> EndpointVariant {
        match (fips, dual_stack) {
            (false, false) => EndpointVariant::Standard,
            (true, false) => EndpointVariant::Fips,
            (false, true) => EndpointVariant::DualStack,
            (true, true) => EndpointVariant::FipsDualStack,
        }
    }
}

/// A resolved service endpoint.
///
/// From a region, by the rules of the service's public endpoint rule set (partitions, FIPS,
/// dual-stack), always over HTTPS; or from a URL the caller gives, used as given, which is
/// the only way to reach a plain `http://` server (a local emulator, say).
///
/// ```
/// use connect_participant::Endpoint;
///
/// let e = Endpoint::from_region("us-west-2").unwrap();
/// assert_eq!(e.url(), "https://participant.connect.us-west-2.amazonaws.com");
///
/// let e = Endpoint::resolve("us-gov-east-1", connect_participant::EndpointVariant::FipsDualStack)
///     .unwrap();
/// assert_eq!(e.url(), "https://participant.connect-fips.us-gov-east-1.api.aws");
///
/// let e = Endpoint::from_url("http://127.0.0.1:8080").unwrap();
/// assert_eq!(e.url(), "http://127.0.0.1:8080");
///
/// assert!(Endpoint::from_region("us-east-1/../evil").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The base URL, without a trailing `/`; an operation's path is appended to it.
    base: String,
}

struct Partition {
    /// The region's first label(s), before `-<word>-<digits>`.
    prefixes: &'static [&'static str],
    dns_suffix: &'static str,
    dual_stack_dns_suffix: &'static str,
}

/// The partitions, most specific first; `aws` is also the fallback for unmatched regions.
const PARTITIONS: &[(&str, Partition)] = &[
    (
        "aws-us-gov",
        Partition {
            prefixes: &["us-gov"],
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
        },
    ),
    (
        "aws-iso",
        Partition {
            prefixes: &["us-iso"],
            dns_suffix: "c2s.ic.gov",
            dual_stack_dns_suffix: "api.aws.ic.gov",
        },
    ),
    (
        "aws-iso-b",
        Partition {
            prefixes: &["us-isob"],
            dns_suffix: "sc2s.sgov.gov",
            dual_stack_dns_suffix: "api.aws.scloud",
        },
    ),
    (
        "aws-iso-e",
        Partition {
            prefixes: &["eu-isoe"],
            dns_suffix: "cloud.adc-e.uk",
            dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
        },
    ),
    (
        "aws-iso-f",
        Partition {
            prefixes: &["us-isof"],
            dns_suffix: "csp.hci.ic.gov",
            dual_stack_dns_suffix: "api.aws.hci.ic.gov",
        },
    ),
    (
        "aws-eusc",
        Partition {
            prefixes: &["eusc-de"],
            dns_suffix: "amazonaws.eu",
            dual_stack_dns_suffix: "api.amazonwebservices.eu",
        },
    ),
    (
        "aws-cn",
        Partition {
            prefixes: &["cn"],
            dns_suffix: "amazonaws.com.cn",
            dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
        },
    ),
    (
        "aws",
        Partition {
            prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
            dns_suffix: "amazonaws.com",
            dual_stack_dns_suffix: "api.aws",
        },
    ),
];

/// Does `region` match `^{prefix}-\w+-\d+$`?
fn matches_pattern(region: &str, prefix: &str) -> bool {
    let Some(rest) = region
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
    else {
        return false;
    };
    let Some((word, digits)) = rest.split_once('-') else {
        return false;
    };
    !word.is_empty()
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

fn partition_of(region: &str) -> (&'static str, &'static Partition) {
    let (name, p) = PARTITIONS
        .iter()
        .find(|(_, p)| p.prefixes.iter().any(|pre| matches_pattern(region, pre)))
        .unwrap_or(&PARTITIONS[PARTITIONS.len() - 1]);
    (name, p)
}

/// What a region must be, as error messages say it.
pub(crate) const REGION_RULE: &str =
    "a region is letters, digits and inner hyphens, 1 to 63 characters (like us-east-1)";

/// A region goes into a host name, so it must be one DNS label: letters, digits and inner
/// hyphens, at most 63 characters. Anything else could change which host is reached.
pub(crate) fn is_valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 63
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

fn check_region(region: &str) -> Result<()> {
    if is_valid_region(region) {
        Ok(())
    } else {
        Err(Error::invalid_config(format!(
            "invalid region {}: {REGION_RULE}",
            quoted(region)
        )))
    }
}

/// Why a URL given with user info is refused (a message shows no such URL but redacted).
pub(crate) const NO_USERINFO: &str = "it cannot carry user info";

/// The endpoint `url` names, or why it names none: the rules of [`Endpoint::from_url`].
pub(crate) fn check_url(url: &str) -> std::result::Result<Endpoint, &'static str> {
    let refuse = |why: &'static str| Err(why);
    if url.bytes().any(|b| !b.is_ascii_graphic()) {
        return refuse("it must be visible ASCII, without spaces");
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return refuse("it must start with https:// or http://");
    };
    if rest.contains(['?', '#']) {
        return refuse("it cannot have a query or fragment");
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return refuse(NO_USERINFO);
    }
    let host = match authority.rsplit_once(':') {
        // An IPv6 literal has colons inside its brackets.
        Some((h, port)) if !port.contains(']') => {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return refuse("its port must be digits");
            }
            if port.parse::<u16>().is_err() {
                return refuse("its port must be at most 65535");
            }
            h
        }
        _ => authority,
    };
    if host.is_empty() {
        return refuse("it has no host");
    }
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')),
    };
    if !host_ok {
        return refuse("its host must be a name, an IPv4 address or a bracketed IPv6 one");
    }
    let endpoint = Endpoint {
        base: url.trim_end_matches('/').to_owned(),
    };
    // The client parses each operation's URL once, when it is built; what it would
    // refuse is refused here, where the caller can still see why.
    if endpoint.operation_uri("/participant/event").is_err() {
        return refuse("it is not a URL the HTTP client accepts");
    }
    Ok(endpoint)
}

impl Endpoint {
    /// The HTTPS endpoint of `region`.
    pub fn from_region(region: &str) -> Result<Endpoint> {
        Endpoint::resolve(region, EndpointVariant::Standard)
    }

    /// The HTTPS endpoint of `region`, in the variant asked for.
    ///
    /// Region names that match no known partition are treated as `aws` ones, as the AWS
    /// SDKs do, so a new region works before this crate learns of it.
    pub fn resolve(region: &str, variant: EndpointVariant) -> Result<Endpoint> {
        check_region(region)?;
        let (name, p) = partition_of(region);
        let fips = matches!(
            variant,
            EndpointVariant::Fips | EndpointVariant::FipsDualStack
        );
        let dual_stack = matches!(
            variant,
            EndpointVariant::DualStack | EndpointVariant::FipsDualStack
        );
        let host = match (fips, dual_stack) {
            (true, true) => format!(
                "participant.connect-fips.{region}.{}",
                p.dual_stack_dns_suffix
            ),
            // In GovCloud the regular host is already FIPS-validated.
            (true, false) if name == "aws-us-gov" => {
                format!("participant.connect.{region}.amazonaws.com")
            }
            (true, false) => format!("participant.connect-fips.{region}.{}", p.dns_suffix),
            (false, true) => format!("participant.connect.{region}.{}", p.dual_stack_dns_suffix),
            (false, false) => format!("participant.connect.{region}.{}", p.dns_suffix),
        };
        Ok(Endpoint {
            base: format!("https://{host}"),
        })
    }

    /// An endpoint URL given by the caller, used as given.
    ///
    /// `https://` or `http://` (plain HTTP only because you ask for it here), a host, an
    /// optional port and an optional path prefix; no user info, query or fragment.
    pub fn from_url(url: &str) -> Result<Endpoint> {
        check_url(url).map_err(|why| {
            if why == NO_USERINFO {
                // Not echoed: user info is usually a password.
                Error::invalid_config(format!("invalid endpoint URL: {why}"))
            } else {
                Error::invalid_config(format!(
                    "invalid endpoint URL {}: {why}",
                    quoted(&redact_userinfo(url))
                ))
            }
        })
    }

    /// The base URL, without an operation's path.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Does it use TLS? Always for a region's endpoint; for a URL, as its scheme says.
    pub(crate) fn is_https(&self) -> bool {
        self.base
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    }

    /// Is the host a loopback name or address (`localhost`, `127.x.x.x`, `[::1]`)?
    pub(crate) fn is_loopback(&self) -> bool {
        let url = self.url();
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let authority = after_scheme.split('/').next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => return v6.starts_with("::1]"),
            None => authority.split(':').next().unwrap_or_default(),
        };
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// The URI of the operation at `path`.
    pub(crate) fn operation_uri(
        &self,
        path: &str,
    ) -> std::result::Result<ureq::http::Uri, ureq::http::uri::InvalidUri> {
        format!("{}{path}", self.base).parse()
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Endpoint").field(&self.url()).finish()
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.url())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn host(region: &str, fips: bool, dual_stack: bool) -> String {
        let e = Endpoint::resolve(region, EndpointVariant::new(fips, dual_stack)).unwrap();
        let url = e.url();
        assert!(url.starts_with("https://"), "{url}");
        assert_eq!(
            e.operation_uri("/participant/event").unwrap().to_string(),
            format!("{url}/participant/event")
        );
        url["https://".len()..].to_string()
    }

    #[test]
    fn spec_host_vectors() {
        assert_eq!(
            host("us-east-1", false, false),
            "participant.connect.us-east-1.amazonaws.com"
        );
        assert_eq!(
            host("us-east-1", true, false),
            "participant.connect-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(
            host("us-east-1", false, true),
            "participant.connect.us-east-1.api.aws"
        );
        assert_eq!(
            host("cn-north-1", false, false),
            "participant.connect.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            host("us-gov-west-1", true, false),
            "participant.connect.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            host("us-gov-east-1", true, true),
            "participant.connect-fips.us-gov-east-1.api.aws"
        );
    }

    #[test]
    fn sdk_host_vectors() {
        // From the official SDK's generated endpoint tests.
        assert_eq!(
            host("us-east-1", true, true),
            "participant.connect-fips.us-east-1.api.aws"
        );
        assert_eq!(
            host("cn-north-1", true, false),
            "participant.connect-fips.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            host("cn-north-1", true, true),
            "participant.connect-fips.cn-north-1.api.amazonwebservices.com.cn"
        );
        assert_eq!(
            host("cn-north-1", false, true),
            "participant.connect.cn-north-1.api.amazonwebservices.com.cn"
        );
        assert_eq!(
            host("us-gov-east-1", true, false),
            "participant.connect.us-gov-east-1.amazonaws.com"
        );
        assert_eq!(
            host("us-gov-east-1", false, true),
            "participant.connect.us-gov-east-1.api.aws"
        );
        assert_eq!(
            host("us-gov-east-1", false, false),
            "participant.connect.us-gov-east-1.amazonaws.com"
        );
        assert_eq!(
            host("us-iso-east-1", true, false),
            "participant.connect-fips.us-iso-east-1.c2s.ic.gov"
        );
    }

    #[test]
    fn every_partition_default_fips_and_dual_stack() {
        let cases = [
            ("eu-west-2", "amazonaws.com", "api.aws"),
            ("ap-southeast-2", "amazonaws.com", "api.aws"),
            ("il-central-1", "amazonaws.com", "api.aws"),
            ("mx-central-1", "amazonaws.com", "api.aws"),
            (
                "cn-northwest-1",
                "amazonaws.com.cn",
                "api.amazonwebservices.com.cn",
            ),
            ("us-iso-west-1", "c2s.ic.gov", "api.aws.ic.gov"),
            ("us-isob-east-1", "sc2s.sgov.gov", "api.aws.scloud"),
            ("eu-isoe-west-1", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"),
            ("us-isof-south-1", "csp.hci.ic.gov", "api.aws.hci.ic.gov"),
            ("eusc-de-east-1", "amazonaws.eu", "api.amazonwebservices.eu"),
        ];
        for (r, dns, dual) in cases {
            assert_eq!(
                host(r, false, false),
                format!("participant.connect.{r}.{dns}")
            );
            assert_eq!(
                host(r, true, false),
                format!("participant.connect-fips.{r}.{dns}")
            );
            assert_eq!(
                host(r, false, true),
                format!("participant.connect.{r}.{dual}")
            );
            assert_eq!(
                host(r, true, true),
                format!("participant.connect-fips.{r}.{dual}")
            );
        }
    }

    #[test]
    fn every_listed_region_resolves_to_its_host() {
        for r in [
            "af-south-1",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ca-central-1",
            "eu-central-1",
            "eu-west-2",
            "us-east-1",
            "us-west-2",
        ] {
            assert_eq!(
                host(r, false, false),
                format!("participant.connect.{r}.amazonaws.com")
            );
        }
    }

    #[test]
    fn unknown_region_names_fall_back_to_aws() {
        assert_eq!(
            host("xx-future-1", false, false),
            "participant.connect.xx-future-1.amazonaws.com"
        );
        assert_eq!(
            host("localtest", true, true),
            "participant.connect-fips.localtest.api.aws"
        );
        // `\w+` stops at a hyphen, so a fourth part is not aws-cn.
        assert_eq!(
            host("cn-north-east-1", false, false),
            "participant.connect.cn-north-east-1.amazonaws.com"
        );
    }

    #[test]
    fn region_that_is_not_a_dns_label_is_an_error() {
        for bad in [
            "",
            "us-east-1/",
            "us-east-1.evil.com",
            "us east 1",
            "user@host",
            "us-east-1?x",
            "-us-east-1",
            "us-east-1-",
            "us_east_1",
            "ü-east-1",
            "a\r\nb",
            &"a".repeat(64),
        ] {
            let e = Endpoint::resolve(bad, EndpointVariant::Standard).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{bad:?}");
        }
        assert_eq!(
            Endpoint::from_region("us-east-1.evil.com")
                .unwrap_err()
                .to_string(),
            "invalid region \"us-east-1.evil.com\": a region is letters, digits and inner \
             hyphens, 1 to 63 characters (like us-east-1)"
        );
    }

    #[test]
    fn custom_urls_are_used_as_given() {
        let cases = [
            (
                "http://127.0.0.1:8080",
                "http://127.0.0.1:8080/participant/event",
            ),
            (
                "https://example.com/",
                "https://example.com/participant/event",
            ),
            (
                "https://example.com/prefix",
                "https://example.com/prefix/participant/event",
            ),
            ("HTTP://[::1]:9000", "http://[::1]:9000/participant/event"),
            ("https://[::1]", "https://[::1]/participant/event"),
        ];
        for (given, event_url) in cases {
            let e = Endpoint::from_url(given).unwrap();
            assert_eq!(
                e.operation_uri("/participant/event").unwrap().to_string(),
                event_url
            );
        }
        assert_eq!(Endpoint::from_url("https://h/").unwrap().url(), "https://h");
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for (url, loopback) in [
            ("http://127.0.0.1:8080", true),
            ("http://127.9.9.9", true),
            ("http://LOCALHOST:1/x", true),
            ("http://[::1]:9", true),
            ("http://[::2]:9", false),
            ("http://127.0.0.1.evil.com", false),
            ("https://example.com", false),
        ] {
            assert_eq!(
                Endpoint::from_url(url).unwrap().is_loopback(),
                loopback,
                "{url}"
            );
        }
        assert!(!Endpoint::from_region("us-east-1").unwrap().is_loopback());
    }

    #[test]
    fn bad_custom_urls_are_refused() {
        for bad in [
            "",
            "127.0.0.1:8080",
            "ftp://h",
            "https://",
            "https:///p",
            "https://u:p@h",
            "https://h?q=1",
            "https://h#f",
            "https://h:",
            "https://h:99999",
            "https://h:8a",
            "https://h/a b",
            "https://h\r\n",
            "https://hé",
        ] {
            let e = Endpoint::from_url(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{bad:?}");
        }
        assert_eq!(
            Endpoint::from_url("ftp://h").unwrap_err().to_string(),
            "invalid endpoint URL \"ftp://h\": it must start with https:// or http://"
        );
        let e = Endpoint::from_url("https://user:hunter2@h").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid endpoint URL: it cannot carry user info"
        );
    }

    #[test]
    fn refused_urls_never_show_a_password_or_a_long_value() {
        // Refused for another reason first, the user info must still not be shown.
        for (bad, shown) in [
            ("ftp://u:hunter2@h", "\"ftp://[redacted]@h\""),
            ("http://u:hunter2@h /x", "\"http://[redacted]@h /x\""),
            ("u:hunter2@h/x", "\"[redacted]@h/x\""),
        ] {
            let e = Endpoint::from_url(bad).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("invalid endpoint URL {shown}: ")),
                "{e}"
            );
            assert!(!e.contains("hunter2"), "{e}");
        }
        // A token pasted as an endpoint URL: measured, not shown.
        let token = "QVFJREFIaGJhc2U2NHRva2Vu".repeat(10);
        let e = Endpoint::from_url(&token).unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid endpoint URL (240 characters, not shown): it must start with https:// or \
             http://"
        );
        let e = Endpoint::from_region(&token).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid region (240 characters, not shown): "),
            "{e}"
        );
        assert!(!e.contains("QVFJ"), "{e}");
    }

    #[test]
    fn user_info_is_redacted_wherever_it_stands() {
        for (url, want) in [
            (
                "http://u:secret@127.0.0.1:1",
                "http://[redacted]@127.0.0.1:1",
            ),
            ("HTTPS://a@b@h/p@q", "HTTPS://[redacted]@h/p@q"),
            ("https://h/p@q", "https://h/p@q"),
            ("https://h?x=a@b", "https://h?x=a@b"),
            ("u:p@h", "[redacted]@h"),
            ("no user info", "no user info"),
            ("", ""),
            ("://@", "://[redacted]@"),
        ] {
            assert_eq!(redact_userinfo(url), want, "{url}");
        }
    }
}
