//! Bad input at scale: generated and mutated responses fed to the response parser and the
//! retry rules, and generated inputs fed to every validation, checking that nothing panics
//! and that every refusal is a typed error that agrees with an independent oracle.
//!
//! A quick run is part of `cargo test`. The full counts (1,000,000 responses, 200,000
//! inputs) are one command:
//!
//! ```sh
//! cargo test --release --lib generated_inputs -- --ignored
//! ```
//!
//! The generator is a seeded SplitMix64, so a failure names a seed and case that replay
//! exactly.

use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::operation::Operation;
use crate::retry;
use crate::token::ConnectionToken;
use crate::wire;
use crate::{
    ContentType, CreateParticipantConnectionRequest, GetTranscriptRequest, MAX_CLIENT_TOKEN_CHARS,
    MAX_CONTENT_CHARS, SendEventRequest, SendMessageRequest,
};

const QUICK_RESPONSES: u64 = 100_000;
const QUICK_INPUTS: u64 = 20_000;
const FULL_RESPONSES: u64 = 1_000_000;
const FULL_INPUTS: u64 = 200_000;

/// SplitMix64: tiny, fast, and good enough to spread cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A string of `len` characters from a mix that stresses headers, JSON and counting.
    fn string(&mut self, len: usize) -> String {
        const SPECIAL: &[char] = &[
            '"', '\\', '\r', '\n', '\0', '\t', ' ', '\u{7f}', '\u{1b}', 'é', '😀', '\u{202e}',
            '\u{feff}', '#', ':', '/', '@', '.', '-', '{', '}', '[', ']',
        ];
        (0..len)
            .map(|_| match self.below(10) {
                0..=5 => (b'!' + self.below(94) as u8) as char,
                6 | 7 => *self.pick(SPECIAL),
                8 => char::from_u32(self.below(0x11_0000) as u32).unwrap_or('?'),
                _ => (b'a' + self.below(26) as u8) as char,
            })
            .collect()
    }

    /// A length that often sits on or next to one of `limits`.
    fn length(&mut self, limits: &[usize]) -> usize {
        if self.chance(20) {
            let l = *self.pick(limits);
            (l + self.below(3)).saturating_sub(1)
        } else {
            self.below(40)
        }
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

const STATUSES: &[u16] = &[
    0, 1, 100, 199, 200, 201, 202, 204, 206, 299, 300, 301, 302, 304, 307, 308, 399, 400, 401, 403,
    404, 408, 409, 413, 429, 499, 500, 501, 502, 503, 504, 505, 599, 600, 999, 65535,
];

const HEADER_NAMES: &[&str] = &[
    "x-amzn-errortype",
    "X-Amzn-ErrorType",
    "x-amzn-RequestId",
    "x-amz-request-id",
    "x-amz-retry-after",
    "content-type",
];

const SEED_BODIES: &[&str] = &[
    r#"{"Id":"abc","AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#,
    r#"{"message":"Rate exceeded"}"#,
    r#"{"code":"aws.foo#ThrottlingException:http://x","Message":"m"}"#,
    r#"{"__type":"com.amazonaws.connectparticipant#ConflictException","errorMessage":"e"}"#,
    r#"{"Id":null,"AbsoluteTime":7,"Extra":[1,2,{"a":"b"}]}"#,
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    "",
    "   \n",
    "[]",
    "null",
    r#""just a string""#,
    r#"{"message":"\ud800 lone surrogate"}"#,
];

/// One generated response: status, headers, body.
fn generate_response(rng: &mut Rng) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let status = if rng.chance(80) {
        *rng.pick(STATUSES)
    } else {
        rng.next() as u16
    };
    let headers = (0..rng.below(4))
        .map(|_| {
            let name = (*rng.pick(HEADER_NAMES)).to_owned();
            let value = match rng.below(4) {
                0 => (*rng.pick(&["ThrottlingException", "ns#ValidationException:x", ""])).into(),
                1 => rng.next().to_string(),
                _ => {
                    let len = rng.length(&[0, 1, 300]);
                    rng.string(len)
                }
            };
            (name, value)
        })
        .collect();
    let mut body = match rng.below(5) {
        0 => {
            let len = rng.below(200);
            rng.bytes(len)
        }
        1 => {
            // Deep nesting must hit serde_json's recursion limit, not the stack.
            let depth = 1 + rng.below(5000);
            let mut b = "[".repeat(depth).into_bytes();
            if rng.chance(50) {
                b.extend("]".repeat(depth).bytes());
            }
            b
        }
        _ => rng.pick(SEED_BODIES).as_bytes().to_vec(),
    };
    // Mutate: flip, insert, delete and truncate bytes.
    for _ in 0..rng.below(4) {
        if body.is_empty() {
            break;
        }
        let at = rng.below(body.len());
        match rng.below(4) {
            0 => body[at] ^= 1 << rng.below(8),
            1 => body.insert(at, rng.next() as u8),
            2 => {
                body.remove(at);
            }
            _ => body.truncate(at),
        }
    }
    (status, headers, body)
}

/// Feeds `count` generated responses through parsing and the retry rules.
fn check_responses(seed: u64, count: u64) {
    let mut rng = Rng(seed);
    for case in 0..count {
        let (status, headers, body) = generate_response(&mut rng);
        let lookup = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        // Every operation's reader takes any answer without panicking.
        let _ = wire::parse_response(status, lookup, &body, SendMessageRequest::parse);
        let _ = wire::parse_response(status, lookup, &body, GetTranscriptRequest::parse);
        let _ = wire::parse_response(
            status,
            lookup,
            &body,
            CreateParticipantConnectionRequest::parse,
        );
        let result = wire::parse_response(status, lookup, &body, SendEventRequest::parse);
        let ctx = || format!("seed {seed} case {case}: status {status} body {body:?}");
        match result {
            Ok(_) => assert!((200..300).contains(&status), "{}", ctx()),
            Err(e) => {
                assert_eq!(e.status(), Some(status), "{}", ctx());
                let expected_kinds: &[ErrorKind] = if (200..300).contains(&status) {
                    &[ErrorKind::InvalidResponse]
                } else {
                    &[
                        ErrorKind::Validation,
                        ErrorKind::AccessDenied,
                        ErrorKind::Conflict,
                        ErrorKind::Throttling,
                        ErrorKind::InternalServer,
                        ErrorKind::UnknownService,
                        ErrorKind::UnexpectedStatus,
                        ErrorKind::Redirect,
                    ]
                };
                assert!(expected_kinds.contains(&e.kind()), "{e:?} {}", ctx());
                if let Some(t) = e.service_error_type() {
                    assert!(!t.is_empty() && !t.contains(':'), "{t:?} {}", ctx());
                }
                let shown = e.to_string();
                assert!(!shown.chars().any(char::is_control), "{shown:?} {}", ctx());
                // The retry rules must take any error and any header.
                let class = e.retry_class();
                let retry_after = lookup("x-amz-retry-after").and_then(retry::parse_retry_after);
                let delay = retry::backoff(class, 1 + rng.below(30) as u32, 0.999, retry_after);
                assert!(delay <= std::time::Duration::from_secs(25), "{delay:?}");
            }
        }
    }
}

/// Is `s` what the service accepts as a connection token (the oracle, written apart from
/// the code under test)?
fn token_ok(s: &str) -> bool {
    (1..=1000).contains(&s.len()) && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

fn region_ok(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn assert_refusal(e: &Error, field: &str, ctx: &dyn Fn() -> String) {
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?} {}", ctx());
    assert_eq!(e.field(), Some(field), "{e:?} {}", ctx());
    assert_eq!(e.attempts(), 0);
    assert!(!e.to_string().is_empty());
}

/// Feeds `count` generated inputs to every validation.
fn check_inputs(seed: u64, count: u64) {
    let mut rng = Rng(seed);
    for case in 0..count {
        // Connection tokens.
        let len = rng.length(&[0, 1, 1000]);
        let raw = if rng.chance(50) {
            "A".repeat(len)
        } else {
            rng.string(len)
        };
        let ctx = || format!("seed {seed} case {case}");
        match ConnectionToken::new(raw.as_str()) {
            Ok(t) => {
                assert!(token_ok(&raw), "accepted {raw:?} {}", ctx());
                assert_eq!(t.expose_secret(), raw);
            }
            Err(e) => {
                assert!(!token_ok(&raw), "refused {raw:?} {}", ctx());
                assert_refusal(&e, "ConnectionToken", &ctx);
                if raw.len() >= 6 {
                    assert!(!format!("{e}{e:?}").contains(&raw), "{}", ctx());
                }
            }
        }

        // Content types.
        let ct = if rng.chance(30) {
            rng.pick(&ContentType::ALL).as_str().to_owned()
        } else {
            let len = rng.length(&[100]);
            rng.string(len)
        };
        match ct.parse::<ContentType>() {
            Ok(t) => assert_eq!(t.as_str(), ct),
            Err(e) => {
                assert!(!ContentType::ALL.iter().any(|t| t.as_str() == ct));
                assert_refusal(&e.into(), "ContentType", &ctx);
            }
        }

        // Requests: content, client token, receipts.
        let content_type = *rng.pick(&ContentType::ALL);
        let mut request = SendEventRequest::new(content_type);
        let message_id = {
            let len = rng.length(&[0, 1]);
            rng.string(len)
        };
        if content_type.is_receipt() && rng.chance(70) {
            request = match content_type {
                ContentType::MessageRead => SendEventRequest::read(&message_id),
                _ => SendEventRequest::delivered(&message_id),
            };
        } else if rng.chance(60) {
            let len = rng.length(&[0, 1, MAX_CONTENT_CHARS]);
            request = request.with_content(rng.string(len));
        }
        if rng.chance(50) {
            let len = rng.length(&[0, MAX_CLIENT_TOKEN_CHARS]);
            request = request.with_client_token(rng.string(len));
        }
        match request.validate() {
            Ok(()) => {
                let content_chars = request.content().map(|c| c.chars().count());
                assert!(content_chars.is_none_or(|n| (1..=MAX_CONTENT_CHARS).contains(&n)));
                let token_chars = request.client_token().map(|c| c.chars().count());
                assert!(token_chars.is_none_or(|n| n <= MAX_CLIENT_TOKEN_CHARS));
                // The body is JSON that gives back exactly what was set.
                let body: serde_json::Value =
                    serde_json::from_slice(&Operation::body(&request, "generated"))
                        .expect("body is JSON");
                assert_eq!(body["ContentType"], content_type.as_str());
                assert_eq!(body["Content"].as_str(), request.content());
                assert_eq!(
                    body["ClientToken"].as_str(),
                    Some(request.client_token().unwrap_or("generated"))
                );
                if content_type.is_receipt() {
                    let inner: serde_json::Value =
                        serde_json::from_str(request.content().unwrap()).unwrap();
                    assert!(inner["messageId"].as_str().is_some_and(|m| !m.is_empty()));
                }
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?} {}", ctx());
                assert!(
                    matches!(e.field(), Some("Content" | "ClientToken" | "messageId")),
                    "{e:?}"
                );
            }
        }

        // Regions and endpoint URLs.
        let region = if rng.chance(50) {
            format!(
                "{}-{}-{}",
                rng.pick(&["us", "cn", "us-gov", "eu-isoe", "zz"]),
                "east",
                rng.below(9)
            )
        } else {
            let len = rng.length(&[0, 63]);
            rng.string(len)
        };
        match Endpoint::resolve(
            &region,
            crate::EndpointVariant::new(rng.chance(50), rng.chance(50)),
        ) {
            Ok(e) => {
                assert!(region_ok(&region), "accepted {region:?}");
                assert!(e.url().starts_with("https://participant.connect"));
                assert!(e.url().contains(&format!(".{region}.")));
            }
            Err(e) => {
                assert!(!region_ok(&region), "refused {region:?}");
                assert_eq!(e.kind(), ErrorKind::InvalidConfig);
            }
        }
        let url = format!(
            "{}{}",
            rng.pick(&["http://", "https://", "HTTPS://", "ftp://", ""]),
            {
                let len = rng.length(&[0, 1]);
                rng.string(len)
            }
        );
        if let Err(e) = Endpoint::from_url(&url) {
            assert_eq!(e.kind(), ErrorKind::InvalidConfig);
        } else {
            assert!(url.bytes().all(|b| b.is_ascii_graphic()), "{url:?}");
            // What the endpoint check accepts, the HTTP layer must accept too.
            let client = crate::Client::builder().endpoint_url(&url).build();
            assert!(client.is_ok(), "{url:?}: {client:?}");
        }
    }
}

#[test]
fn generated_responses_quick() {
    check_responses(1, QUICK_RESPONSES);
}

#[test]
fn generated_inputs_quick() {
    check_inputs(2, QUICK_INPUTS);
}

#[test]
#[ignore = "full count: cargo test --release --lib generated_inputs -- --ignored"]
fn generated_responses_full() {
    check_responses(0x5eed, FULL_RESPONSES);
}

#[test]
#[ignore = "full count: cargo test --release --lib generated_inputs -- --ignored"]
fn generated_inputs_full() {
    check_inputs(0xfeed, FULL_INPUTS);
}
