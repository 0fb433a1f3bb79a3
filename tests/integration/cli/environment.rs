//! The AWS and proxy variables the binary reads, and the values it refuses.

use connect_participant::emulator::Emulator;

use super::{SECRET, Token, assert_success, code, run, run_env, stderr, stdout};

#[test]
fn aws_endpoint_url_from_the_environment_reaches_the_emulator() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let token = emulator.connection_token();
    let token = token.expose_secret();
    for var in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CONNECTPARTICIPANT"] {
        let out = run_env(&["typing"], Token::Env(token), &[(var, url.as_str())]);
        assert_success(&out);
    }
    assert_eq!(emulator.requests(), 2);
    // The service-specific variable wins over the general one.
    let out = run_env(
        &["typing"],
        Token::Env(token),
        &[
            ("AWS_ENDPOINT_URL_CONNECTPARTICIPANT", url.as_str()),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
        ],
    );
    assert_success(&out);
    // The command line wins over the environment.
    let out = run_env(
        &["--endpoint-url", &url, "typing"],
        Token::Env(token),
        &[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ],
    );
    assert_success(&out);
    assert_eq!(emulator.requests(), 4);
    // An app id goes into the User-Agent as app/<id>.
    let out = run_env(
        &["typing"],
        Token::Env(token),
        &[
            ("AWS_ENDPOINT_URL", url.as_str()),
            ("AWS_SDK_UA_APP_ID", "my-bot"),
        ],
    );
    assert_success(&out);
    let seen = emulator.seen_requests();
    let ua = seen.last().and_then(|r| r.header("user-agent")).unwrap();
    assert_eq!(
        ua,
        format!(
            "connect-participant/{} app/my-bot",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn a_malformed_aws_variable_exits_2_and_sends_nothing() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    for (var, value, message) in [
        (
            "AWS_MAX_ATTEMPTS",
            "x",
            "invalid AWS_MAX_ATTEMPTS: \"x\": must be a whole number from 1 to 20",
        ),
        (
            "AWS_USE_DUALSTACK_ENDPOINT",
            "yes",
            "invalid AWS_USE_DUALSTACK_ENDPOINT: \"yes\": must be true or false",
        ),
        (
            "AWS_ENDPOINT_URL",
            "http://user:hunter2@127.0.0.1:1",
            "invalid AWS_ENDPOINT_URL: \"http://[redacted]@127.0.0.1:1\": it cannot carry \
             user info",
        ),
    ] {
        let out = run_env(
            &["--endpoint-url", &url, "typing"],
            Token::Env(SECRET),
            &[(var, value)],
        );
        assert_eq!(code(&out), 2, "{var}: {out:?}");
        assert_eq!(stderr(&out), format!("error: {message}\n"), "{var}");
        assert!(stdout(&out).is_empty());
    }
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn a_socks_proxy_is_refused_naming_the_variable() {
    for var in ["ALL_PROXY", "https_proxy"] {
        let out = run_env(
            &["--region", "us-east-1", "typing"],
            Token::Env(SECRET),
            &[(var, "socks5://user:hunter2@127.0.0.1:1")],
        );
        assert_eq!(code(&out), 2, "{out:?}");
        assert_eq!(
            stderr(&out),
            format!(
                "error: unsupported {var}: \"socks5://[redacted]@127.0.0.1:1\": this client \
                 cannot use a SOCKS proxy; name an HTTP or HTTPS proxy, or the endpoint's \
                 host in NO_PROXY to connect directly\n"
            )
        );
    }
    // A loopback endpoint is never proxied, so a SOCKS proxy does not stand in its way.
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    let token = emulator.connection_token();
    let out = run_env(
        &["--endpoint-url", &url, "typing"],
        Token::Env(token.expose_secret()),
        &[("ALL_PROXY", "socks5://127.0.0.1:1")],
    );
    assert_success(&out);
}

#[test]
fn endpoint_with_fips_or_dual_stack_is_refused() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    for flag in ["--fips", "--dual-stack"] {
        let out = run(&["--endpoint", &url, flag, "typing"], Token::Env(SECRET));
        assert_eq!(code(&out), 2, "{out:?}");
        assert_eq!(
            stderr(&out),
            "error: a custom endpoint URL cannot be combined with FIPS or dual-stack\n"
        );
    }
    assert_eq!(emulator.requests(), 0);
}
