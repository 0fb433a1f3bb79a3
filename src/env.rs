//! The AWS SDKs' environment variables, as [`ClientBuilder::from_env`] reads them.
//!
//! Everything here reads through a lookup function, never the process environment itself,
//! so that the precedence table is tested without touching the environment of the tests.
//!
//! [`ClientBuilder::from_env`]: crate::ClientBuilder::from_env

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::Path;

use crate::endpoint::{REGION_RULE, check_url, is_valid_region};
use crate::error::{Error, Result};
use crate::redact::{quoted, redact_userinfo};

pub(crate) const AWS_REGION: &str = "AWS_REGION";
pub(crate) const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
pub(crate) const AWS_ENDPOINT_URL_CONNECTPARTICIPANT: &str = "AWS_ENDPOINT_URL_CONNECTPARTICIPANT";
pub(crate) const AWS_ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
pub(crate) const AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
pub(crate) const AWS_USE_FIPS_ENDPOINT: &str = "AWS_USE_FIPS_ENDPOINT";
pub(crate) const AWS_USE_DUALSTACK_ENDPOINT: &str = "AWS_USE_DUALSTACK_ENDPOINT";
pub(crate) const AWS_MAX_ATTEMPTS: &str = "AWS_MAX_ATTEMPTS";
pub(crate) const AWS_SDK_UA_APP_ID: &str = "AWS_SDK_UA_APP_ID";
pub(crate) const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";

/// Every variable `ClientBuilder::from_env` reads, in the order of its table (for the
/// command line's diagnostics and the tests).
#[cfg(any(test, feature = "cli"))]
pub const VARIABLES: [&str; 10] = [
    AWS_REGION,
    AWS_DEFAULT_REGION,
    AWS_ENDPOINT_URL_CONNECTPARTICIPANT,
    AWS_ENDPOINT_URL,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
    AWS_USE_FIPS_ENDPOINT,
    AWS_USE_DUALSTACK_ENDPOINT,
    AWS_MAX_ATTEMPTS,
    AWS_SDK_UA_APP_ID,
    AWS_CA_BUNDLE,
];

/// The most attempts `AWS_MAX_ATTEMPTS` may ask for. More only holds a call for many
/// minutes against a service that is down (and a typo such as `30` for `3` is caught well
/// before `3000`); the builder's own `max_attempts` has no such cap.
pub(crate) const MAX_ENV_ATTEMPTS: u32 = 20;

/// The longest `AWS_SDK_UA_APP_ID`: the AWS SDKs' own limit.
pub(crate) const MAX_APP_ID: usize = 50;

/// The largest `AWS_CA_BUNDLE` file read. A bundle of every public root is about 250 KiB;
/// the cap keeps a path such as `/dev/zero` from filling memory.
pub(crate) const MAX_CA_BUNDLE: u64 = 4 * 1024 * 1024;

/// What the environment says, each value checked.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct EnvConfig {
    pub(crate) region: Option<String>,
    /// The endpoint URL and the variable it came from.
    pub(crate) endpoint_url: Option<(String, &'static str)>,
    pub(crate) fips: Option<bool>,
    pub(crate) dual_stack: Option<bool>,
    pub(crate) max_attempts: Option<u32>,
    /// The user agent suffix: `app/<AWS_SDK_UA_APP_ID>`.
    pub(crate) user_agent_suffix: Option<String>,
    pub(crate) ca_bundle: Option<CaBundle>,
}

/// The contents of the file `AWS_CA_BUNDLE` names.
#[derive(PartialEq)]
pub(crate) struct CaBundle {
    /// The path, as messages show it (by the 64-character rule).
    pub(crate) shown_path: String,
    pub(crate) pem: Vec<u8>,
}

impl std::fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CaBundle({}, {} bytes)", self.shown_path, self.pem.len())
    }
}

/// Reads the variables through `get`. A variable set to the empty string counts as unset;
/// one set to anything else that is not a valid value is an error naming it.
pub(crate) fn read(get: impl Fn(&str) -> Option<OsString>) -> Result<EnvConfig> {
    let get = |name: &str| get(name).filter(|v| !v.is_empty());
    let text = |name: &'static str| -> Result<Option<String>> {
        match get(name) {
            None => Ok(None),
            Some(v) => v
                .into_string()
                .map(Some)
                .map_err(|_| invalid(name, "it is not valid UTF-8")),
        }
    };
    let boolean = |name: &'static str| -> Result<Option<bool>> {
        let Some(v) = text(name)? else {
            return Ok(None);
        };
        if v.eq_ignore_ascii_case("true") {
            Ok(Some(true))
        } else if v.eq_ignore_ascii_case("false") {
            Ok(Some(false))
        } else {
            Err(invalid_value(name, &v, "must be true or false"))
        }
    };

    let mut env = EnvConfig::default();
    for name in [AWS_REGION, AWS_DEFAULT_REGION] {
        // Both are checked, so that a malformed one is never silently ignored.
        if let Some(region) = text(name)? {
            if !is_valid_region(&region) {
                return Err(invalid_value(name, &region, REGION_RULE));
            }
            env.region.get_or_insert(region);
        }
    }
    let ignore_urls = boolean(AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)?.unwrap_or(false);
    if !ignore_urls {
        for name in [AWS_ENDPOINT_URL_CONNECTPARTICIPANT, AWS_ENDPOINT_URL] {
            if let Some(url) = text(name)? {
                // Shown with any user info redacted, unlike the builder's message, which
                // shows no URL that has user info: the redacted value tells which is meant.
                check_url(&url).map_err(|why| invalid_value(name, &redact_userinfo(&url), why))?;
                env.endpoint_url.get_or_insert((url, name));
            }
        }
    }
    env.fips = boolean(AWS_USE_FIPS_ENDPOINT)?;
    env.dual_stack = boolean(AWS_USE_DUALSTACK_ENDPOINT)?;
    if let Some(v) = text(AWS_MAX_ATTEMPTS)? {
        let n = Some(&v)
            .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|n| (1..=MAX_ENV_ATTEMPTS).contains(n))
            .ok_or_else(|| {
                invalid_value(
                    AWS_MAX_ATTEMPTS,
                    &v,
                    &format!("must be a whole number from 1 to {MAX_ENV_ATTEMPTS}"),
                )
            })?;
        env.max_attempts = Some(n);
    }
    if let Some(id) = text(AWS_SDK_UA_APP_ID)? {
        if id.chars().count() > MAX_APP_ID || !id.bytes().all(is_token_byte) {
            return Err(invalid_value(
                AWS_SDK_UA_APP_ID,
                &id,
                &format!(
                    "must be 1 to {MAX_APP_ID} letters, digits and !#$%&'*+-.^_`|~ (no spaces)"
                ),
            ));
        }
        env.user_agent_suffix = Some(format!("app/{id}"));
    }
    if let Some(path) = get(AWS_CA_BUNDLE) {
        env.ca_bundle = Some(read_ca_bundle(&path)?);
    }
    Ok(env)
}

/// Whether `b` may stand in an HTTP token (RFC 9110 `tchar`), as a User-Agent product does.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The file `AWS_CA_BUNDLE` names, at most [`MAX_CA_BUNDLE`] bytes.
fn read_ca_bundle(path: &OsStr) -> Result<CaBundle> {
    let shown_path = quoted(&path.to_string_lossy());
    let refuse = |why: String| {
        Error::invalid_config(format!("invalid {AWS_CA_BUNDLE}: {shown_path}: {why}"))
    };
    let file = std::fs::File::open(Path::new(path))
        .map_err(|e| refuse(format!("the file cannot be opened: {e}")))?;
    let mut pem = Vec::new();
    file.take(MAX_CA_BUNDLE + 1)
        .read_to_end(&mut pem)
        .map_err(|e| refuse(format!("the file cannot be read: {e}")))?;
    if pem.len() as u64 > MAX_CA_BUNDLE {
        return Err(refuse(format!(
            "the file is larger than {} MiB",
            MAX_CA_BUNDLE >> 20
        )));
    }
    // Checked here, so that the error names the variable and the file; the builder's
    // `root_certificates_pem` checks it again when the client is built.
    crate::net::tls::pem_roots(&pem).map_err(refuse)?;
    Ok(CaBundle { shown_path, pem })
}

/// `invalid NAME: why`, for a value not shown.
fn invalid(name: &str, why: &str) -> Error {
    Error::invalid_config(format!("invalid {name}: {why}"))
}

/// `invalid NAME: "value": why`, the value shown by the 64-character rule.
fn invalid_value(name: &str, value: &str, why: &str) -> Error {
    Error::invalid_config(format!("invalid {name}: {}: {why}", quoted(value)))
}

/// A self-signed CA certificate (P-256, made with openssl for these tests only).
#[cfg(test)]
pub(crate) const TEST_CA: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBqjCCAVGgAwIBAgIUOYSeUC2ab1lV3e5BarCRtfzKh9QwCgYIKoZIzj0EAwIw\n\
KjEoMCYGA1UEAwwfY29ubmVjdC1wYXJ0aWNpcGFudCBlbnYgdGVzdCBDQTAgFw0y\n\
NjExMjcwMTQ2MTJaGA8yMTI2MTEwMzAxNDYxMlowKjEoMCYGA1UEAwwfY29ubmVj\n\
dC1wYXJ0aWNpcGFudCBlbnYgdGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEH\n\
A0IABJqb7cdum4MVyO05tUM104EExGvi7zblE4KchbDOkGNjI3qidYRKCNF9w++b\n\
iTgP4QUyIvod9V0QLkjHONKrAVajUzBRMB0GA1UdDgQWBBQqvCSPr4AXgF918bIf\n\
g/JDE8c5MjAfBgNVHSMEGDAWgBQqvCSPr4AXgF918bIfg/JDE8c5MjAPBgNVHRMB\n\
Af8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIBb8ru69SWwzSg093upPhv45XAJf\n\
HxcZFMYYjrS/xnowAiAUwhexTXiS2IZnnxLq1QUMdoV+VZJOg2MfWWGEoHRTPw==\n\
-----END CERTIFICATE-----\n\
";

/// A lookup over `vars` alone, for the tests of what reads the environment.
#[cfg(test)]
pub(crate) fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| OsString::from(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn env(vars: &[(&str, &str)]) -> EnvConfig {
        read(lookup(vars)).unwrap()
    }

    fn refused(vars: &[(&str, &str)]) -> String {
        let e = read(lookup(vars)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        e.to_string()
    }

    #[test]
    fn nothing_set_is_nothing_defaulted() {
        assert_eq!(env(&[]), EnvConfig::default());
        assert_eq!(
            env(&[("HOME", "/root"), ("REGION", "us-east-1")]),
            EnvConfig::default()
        );
    }

    #[test]
    fn each_variable_alone() {
        assert_eq!(
            env(&[(AWS_REGION, "eu-west-1")]).region.as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            env(&[(AWS_DEFAULT_REGION, "eu-west-2")]).region.as_deref(),
            Some("eu-west-2")
        );
        assert_eq!(
            env(&[(AWS_ENDPOINT_URL_CONNECTPARTICIPANT, "http://127.0.0.1:1")]).endpoint_url,
            Some((
                "http://127.0.0.1:1".into(),
                AWS_ENDPOINT_URL_CONNECTPARTICIPANT
            ))
        );
        assert_eq!(
            env(&[(AWS_ENDPOINT_URL, "https://h")]).endpoint_url,
            Some(("https://h".into(), AWS_ENDPOINT_URL))
        );
        assert_eq!(
            env(&[(AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, "true")]),
            EnvConfig::default()
        );
        assert_eq!(env(&[(AWS_USE_FIPS_ENDPOINT, "true")]).fips, Some(true));
        assert_eq!(env(&[(AWS_USE_FIPS_ENDPOINT, "FALSE")]).fips, Some(false));
        assert_eq!(
            env(&[(AWS_USE_DUALSTACK_ENDPOINT, "True")]).dual_stack,
            Some(true)
        );
        assert_eq!(
            env(&[(AWS_USE_DUALSTACK_ENDPOINT, "false")]).dual_stack,
            Some(false)
        );
        assert_eq!(env(&[(AWS_MAX_ATTEMPTS, "1")]).max_attempts, Some(1));
        assert_eq!(env(&[(AWS_MAX_ATTEMPTS, "20")]).max_attempts, Some(20));
        assert_eq!(
            env(&[(AWS_SDK_UA_APP_ID, "my-bot_1.2")])
                .user_agent_suffix
                .as_deref(),
            Some("app/my-bot_1.2")
        );
    }

    #[test]
    fn region_pair_first_wins_both_checked() {
        let e = env(&[(AWS_REGION, "us-west-2"), (AWS_DEFAULT_REGION, "eu-west-1")]);
        assert_eq!(e.region.as_deref(), Some("us-west-2"));
        assert_eq!(
            refused(&[(AWS_REGION, "us-west-2"), (AWS_DEFAULT_REGION, "eu west")]),
            "invalid AWS_DEFAULT_REGION: \"eu west\": a region is letters, digits and inner \
             hyphens, 1 to 63 characters (like us-east-1)"
        );
        // An empty AWS_REGION is unset: the default region is used.
        let e = env(&[(AWS_REGION, ""), (AWS_DEFAULT_REGION, "eu-west-1")]);
        assert_eq!(e.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn endpoint_pair_service_specific_wins_both_checked() {
        let both = [
            (AWS_ENDPOINT_URL_CONNECTPARTICIPANT, "http://127.0.0.1:1"),
            (AWS_ENDPOINT_URL, "http://127.0.0.1:2"),
        ];
        assert_eq!(
            env(&both).endpoint_url,
            Some((
                "http://127.0.0.1:1".into(),
                AWS_ENDPOINT_URL_CONNECTPARTICIPANT
            ))
        );
        assert_eq!(
            refused(&[both[0], (AWS_ENDPOINT_URL, "ftp://h")]),
            "invalid AWS_ENDPOINT_URL: \"ftp://h\": it must start with https:// or http://"
        );
        // Empty: unset.
        assert_eq!(
            env(&[(AWS_ENDPOINT_URL_CONNECTPARTICIPANT, ""), both[1]]).endpoint_url,
            Some(("http://127.0.0.1:2".into(), AWS_ENDPOINT_URL))
        );
    }

    #[test]
    fn ignore_configured_endpoint_urls() {
        for url in [AWS_ENDPOINT_URL_CONNECTPARTICIPANT, AWS_ENDPOINT_URL] {
            for (ignore, used) in [
                ("true", false),
                ("TRUE", false),
                ("false", true),
                ("", true),
            ] {
                let e = env(&[
                    (url, "https://h"),
                    (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, ignore),
                ]);
                assert_eq!(e.endpoint_url.is_some(), used, "{url} {ignore}");
            }
            // Ignored means not read: not checked either.
            let e = env(&[
                (url, "ftp://h"),
                (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, "true"),
            ]);
            assert_eq!(e.endpoint_url, None);
        }
        assert_eq!(
            refused(&[(AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, "1")]),
            "invalid AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: \"1\": must be true or false"
        );
    }

    #[test]
    fn non_utf8_is_refused_without_being_shown() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            // Every variable read as text (the CA bundle is a path, tested on its own).
            for name in VARIABLES.into_iter().filter(|v| *v != AWS_CA_BUNDLE) {
                let get = |n: &str| (n == name).then(|| OsString::from_vec(vec![b'a', 0xff]));
                let e = read(get).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::InvalidConfig);
                assert_eq!(
                    e.to_string(),
                    format!("invalid {name}: it is not valid UTF-8")
                );
            }
        }
    }

    #[test]
    fn bad_booleans() {
        for name in [AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT] {
            for bad in ["1", "yes", "on", " true", "truee"] {
                assert_eq!(
                    refused(&[(name, bad)]),
                    format!("invalid {name}: {}: must be true or false", quoted(bad))
                );
            }
            assert_eq!(env(&[(name, "")]), EnvConfig::default());
        }
    }

    #[test]
    fn bad_max_attempts() {
        for bad in [
            "0",
            "x",
            "21",
            "+3",
            " 3",
            "3.0",
            "-1",
            "99999999999999999999",
        ] {
            assert_eq!(
                refused(&[(AWS_MAX_ATTEMPTS, bad)]),
                format!(
                    "invalid AWS_MAX_ATTEMPTS: {}: must be a whole number from 1 to 20",
                    quoted(bad)
                )
            );
        }
        let long = "9".repeat(65);
        assert_eq!(
            refused(&[(AWS_MAX_ATTEMPTS, &long)]),
            "invalid AWS_MAX_ATTEMPTS: (65 characters, not shown): must be a whole number \
             from 1 to 20"
        );
    }

    #[test]
    fn bad_app_ids() {
        let long = "a".repeat(MAX_APP_ID + 1);
        for bad in ["my app", "a/b", "bot\r\n", "é", "a;b", long.as_str()] {
            let m = refused(&[(AWS_SDK_UA_APP_ID, bad)]);
            assert_eq!(
                m,
                format!(
                    "invalid AWS_SDK_UA_APP_ID: {}: must be 1 to 50 letters, digits and \
                     !#$%&'*+-.^_`|~ (no spaces)",
                    quoted(bad)
                )
            );
        }
        let ok = "a".repeat(MAX_APP_ID);
        assert!(env(&[(AWS_SDK_UA_APP_ID, &ok)]).user_agent_suffix.is_some());
    }

    #[test]
    fn refused_endpoint_urls_never_show_user_info() {
        for name in [AWS_ENDPOINT_URL_CONNECTPARTICIPANT, AWS_ENDPOINT_URL] {
            let m = refused(&[(name, "https://user:hunter2@h")]);
            assert_eq!(
                m,
                format!("invalid {name}: \"https://[redacted]@h\": it cannot carry user info")
            );
            let m = refused(&[(name, "ftp://u:hunter2@h")]);
            assert!(!m.contains("hunter2"), "{m}");
            let token = "QVFJREFIaGJhc2U2NHRva2Vu".repeat(10);
            let m = refused(&[(name, &token)]);
            assert!(m.contains("(240 characters, not shown)"), "{m}");
        }
    }

    #[test]
    fn ca_bundle_is_read_or_refused() {
        let dir = std::env::temp_dir().join(format!("cp-env-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ca.pem");
        std::fs::write(&file, TEST_CA).unwrap();
        let path = file.to_str().unwrap();
        let ca = env(&[(AWS_CA_BUNDLE, path)]).ca_bundle.unwrap();
        assert_eq!(ca.pem, TEST_CA.as_bytes());
        assert_eq!(ca.shown_path, quoted(path));

        // Not PEM, or no certificate in it: refused here, naming the variable and the file.
        for (text, why) in [
            ("-----BEGIN CERTIFICATE-----\n", "a section has no END line"),
            (
                "",
                "no certificate found (no \"-----BEGIN CERTIFICATE-----\" section)",
            ),
        ] {
            std::fs::write(&file, text).unwrap();
            assert_eq!(
                refused(&[(AWS_CA_BUNDLE, path)]),
                format!("invalid AWS_CA_BUNDLE: {}: {why}", quoted(path))
            );
        }

        let missing = dir.join("missing.pem");
        let missing = missing.to_str().unwrap();
        let m = refused(&[(AWS_CA_BUNDLE, missing)]);
        assert!(
            m.starts_with(&format!(
                "invalid AWS_CA_BUNDLE: {}: the file cannot be opened: ",
                quoted(missing)
            )),
            "{m}"
        );
        let long = format!("/{}", "d".repeat(70));
        let m = refused(&[(AWS_CA_BUNDLE, &long)]);
        assert!(
            m.starts_with("invalid AWS_CA_BUNDLE: (71 characters, not shown): "),
            "{m}"
        );
        let m = refused(&[(AWS_CA_BUNDLE, dir.to_str().unwrap())]);
        assert!(m.starts_with("invalid AWS_CA_BUNDLE: "), "{m}");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(env(&[(AWS_CA_BUNDLE, "")]).ca_bundle, None);
    }
}
