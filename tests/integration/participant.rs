//! A `Participant`: connecting, renewing its connection token, and the end of its chat.
//!
//! The renewal runs on an injected clock; the end of a chat is seen as a 403 while
//! renewing; clones share one renewal.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_participant::{
    ConnectionType, CreateParticipantConnectionRequest, ErrorKind, Participant, ParticipantToken,
    SendEventRequest, SendMessageRequest,
};

use crate::support::scripted::{Action, Request, Scripted, response};
use crate::support::{self, participant_token};

/// 2019-11-09T02:41:28Z, the expiry the scripted answers give, in seconds.
const EXPIRY: u64 = 1_573_267_288;

/// A CreateParticipantConnection answer with this connection token and [`EXPIRY`] plus
/// `later` seconds.
fn connection(token: &str, later: u64) -> Action {
    let expiry = connect_participant::Timestamp::from_system_time(
        UNIX_EPOCH + Duration::from_secs(EXPIRY + later),
    );
    Action::Respond(response(
        "200 OK",
        &[],
        format!(
            r#"{{"ConnectionCredentials":{{"ConnectionToken":"{token}","Expiry":"{}"}},"Websocket":{{"Url":"wss://w/?sig=ws-secret","ConnectionExpiry":"{}"}}}}"#,
            expiry.as_str(),
            expiry.as_str()
        )
        .as_bytes(),
    ))
}

fn sent() -> Action {
    Action::Respond(response(
        "200 OK",
        &[],
        br#"{"Id":"m","AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#,
    ))
}

fn denied() -> Action {
    Action::Respond(response(
        "403 Forbidden",
        &["x-amzn-ErrorType: AccessDeniedException"],
        br#"{"message":"Access denied"}"#,
    ))
}

/// A clock the test sets, in seconds since the epoch.
#[derive(Clone)]
struct Clock(Arc<AtomicU64>);

impl Clock {
    fn at(secs: u64) -> Clock {
        Clock(Arc::new(AtomicU64::new(secs)))
    }

    fn set(&self, secs: u64) {
        self.0.store(secs, Ordering::SeqCst);
    }

    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::SeqCst))
    }
}

fn connect(server: &Scripted, clock: &Clock) -> Participant {
    let clock = clock.clone();
    Participant::builder(&support::client(&server.url()), participant_token())
        .clock(move || clock.now())
        .connect()
        .expect("the scripted connection answers")
}

fn path_and_bearer(r: &Request) -> (String, String) {
    let text = r.text();
    let path = text.split(' ').nth(1).unwrap().to_owned();
    let bearer = text
        .lines()
        .find_map(|l| l.strip_prefix("x-amz-bearer: "))
        .unwrap()
        .to_owned();
    (path, bearer)
}

#[test]
fn the_connection_token_is_renewed_60_s_before_expiry_and_not_sooner() {
    let server = Scripted::start(vec![
        connection("conn-1", 0),
        sent(),
        connection("conn-2", 86_400),
        sent(),
    ]);
    let clock = Clock::at(EXPIRY - 61);
    let me = connect(&server, &clock);
    me.send_message(&SendMessageRequest::text("before"))
        .unwrap();
    clock.set(EXPIRY - 60);
    me.send_message(&SendMessageRequest::text("after")).unwrap();
    assert_eq!(
        me.connection_expiry().unwrap().to_system_time(),
        Some(UNIX_EPOCH + Duration::from_secs(EXPIRY + 86_400))
    );
    let report = server.finish();
    let seen: Vec<(String, String)> = report.requests.iter().map(path_and_bearer).collect();
    let want = [
        ("/participant/connection", "part-token-1"),
        ("/participant/message", "conn-1"),
        ("/participant/connection", "part-token-1"),
        ("/participant/message", "conn-2"),
    ];
    assert_eq!(seen, want.map(|(p, b)| (p.to_owned(), b.to_owned())));
    // The renewal asks for what customer clients ask for, as the first call did.
    assert_eq!(
        report.requests[2].body_text(),
        r#"{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"]}"#
    );
}

#[test]
fn a_renewal_leaves_connect_participant_out() {
    let server = Scripted::start(vec![connection("conn-1", 0), connection("conn-2", 86_400)]);
    let clock = Clock::at(EXPIRY);
    let c = clock.clone();
    let me = Participant::builder(&support::client(&server.url()), participant_token())
        .connection_request(
            CreateParticipantConnectionRequest::new()
                .with_types([ConnectionType::ConnectionCredentials])
                .with_connect_participant(true),
        )
        .clock(move || c.now())
        .connect()
        .unwrap();
    let token = me.connection_token().unwrap();
    assert_eq!(token.expose_secret(), "conn-2");
    let report = server.finish();
    let bodies: Vec<String> = report.requests.iter().map(Request::body_text).collect();
    assert_eq!(
        bodies,
        [
            r#"{"ConnectParticipant":true,"Type":["CONNECTION_CREDENTIALS"]}"#,
            r#"{"Type":["CONNECTION_CREDENTIALS"]}"#
        ]
    );
}

#[test]
fn a_403_while_renewing_is_chat_ended_and_later_calls_send_nothing() {
    let server = Scripted::start(vec![connection("conn-1", 0), denied()]);
    let clock = Clock::at(EXPIRY - 30);
    let me = connect(&server, &clock);
    let e = me.send_event(&SendEventRequest::typing()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ChatEnded);
    assert_eq!(
        e.to_string(),
        "the chat has ended: CreateParticipantConnection answered 403 when the connection \
         token was renewed"
    );
    let source = std::error::Error::source(&e).unwrap().to_string();
    assert!(
        source.starts_with("service error AccessDeniedException (HTTP 403)"),
        "{source}"
    );
    for e in [
        me.send_message(&SendMessageRequest::text("hi"))
            .unwrap_err(),
        me.clone().connection_token().unwrap_err(),
        me.renew().unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::ChatEnded);
        assert_eq!(e.attempts(), 0);
        assert_eq!(
            e.to_string(),
            "the chat has ended: CreateParticipantConnection answered 403 when the connection \
             token was renewed, so nothing was sent"
        );
    }
    assert_eq!(server.finish().requests.len(), 2);
}

#[test]
fn other_failures_while_renewing_are_returned_and_the_next_call_tries_again() {
    let server = Scripted::start(vec![
        connection("conn-1", 0),
        Action::Respond(response(
            "400 Bad Request",
            &["x-amzn-ErrorType: ValidationException"],
            br#"{"message":"no"}"#,
        )),
        connection("conn-2", 86_400),
        sent(),
    ]);
    let clock = Clock::at(EXPIRY);
    let me = connect(&server, &clock);
    let e = me.send_message(&SendMessageRequest::text("a")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    me.send_message(&SendMessageRequest::text("b")).unwrap();
    let report = server.finish();
    assert_eq!(path_and_bearer(&report.requests[3]).1, "conn-2");
}

#[test]
fn clones_on_many_threads_share_one_renewal() {
    const THREADS: usize = 8;
    let mut script = vec![connection("conn-1", 0), connection("conn-2", 86_400)];
    script.extend((0..THREADS).map(|_| sent()));
    let server = Scripted::start(script);
    let clock = Clock::at(EXPIRY - 120);
    let me = connect(&server, &clock);
    clock.set(EXPIRY);
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let me = me.clone();
            std::thread::spawn(move || me.send_message(&SendMessageRequest::text(format!("{i}"))))
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    let report = server.finish();
    let seen: Vec<(String, String)> = report.requests.iter().map(path_and_bearer).collect();
    assert_eq!(
        seen.iter()
            .filter(|(p, _)| p == "/participant/connection")
            .count(),
        2
    );
    assert_eq!(
        seen.iter()
            .filter(|(p, b)| p == "/participant/message" && b == "conn-2")
            .count(),
        THREADS
    );
}

#[test]
fn renew_forces_a_new_connection_and_websocket_url() {
    let server = Scripted::start(vec![connection("conn-1", 0), connection("conn-2", 10)]);
    let clock = Clock::at(0);
    let me = connect(&server, &clock);
    assert_eq!(me.connection_token().unwrap().expose_secret(), "conn-1");
    me.renew().unwrap();
    assert_eq!(me.connection_token().unwrap().expose_secret(), "conn-2");
    let ws = me.websocket().unwrap();
    assert_eq!(ws.url.unwrap().expose_secret(), "wss://w/?sig=ws-secret");
    let shown = format!("{me:?}");
    for secret in ["part-token-1", "conn-1", "conn-2", "ws-secret"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert_eq!(server.finish().requests.len(), 2);
}

#[test]
fn a_token_without_expiry_is_never_renewed_on_time() {
    let server = Scripted::start(vec![
        Action::Respond(response(
            "200 OK",
            &[],
            br#"{"ConnectionCredentials":{"ConnectionToken":"conn-1"}}"#,
        )),
        sent(),
    ]);
    let clock = Clock::at(u64::from(u32::MAX));
    let me = connect(&server, &clock);
    me.send_message(&SendMessageRequest::text("a")).unwrap();
    assert_eq!(me.connection_expiry(), None);
    assert_eq!(server.finish().requests.len(), 2);
}

#[test]
fn connecting_needs_connection_credentials_asked_and_given() {
    let server = Scripted::start(vec![Action::Respond(response(
        "200 OK",
        &[],
        br#"{"Websocket":{"Url":"wss://w"}}"#,
    ))]);
    let client = support::client(&server.url());
    let e = Participant::builder(&client, participant_token())
        .connection_request(
            CreateParticipantConnectionRequest::new().with_types([ConnectionType::Websocket]),
        )
        .connect()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        e.to_string(),
        "invalid Type: a Participant needs CONNECTION_CREDENTIALS among the connection types"
    );
    let e = Participant::connect(&client, participant_token()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(
        e.to_string(),
        "the service answered CreateParticipantConnection without \
         ConnectionCredentials.ConnectionToken"
    );
    assert_eq!(server.finish().requests.len(), 1);
}

/// A participant whose clock is the emulator's, so that `advance_clock` moves both.
fn on_emulator(emulator: &Arc<connect_participant::emulator::Emulator>) -> (Participant, String) {
    let client = emulator.client_builder().build().unwrap();
    let chat = emulator.start_chat();
    let clock = Arc::clone(emulator);
    let me = Participant::builder(
        &client,
        ParticipantToken::new(chat.participant_token.clone()).unwrap(),
    )
    .clock(move || clock.now())
    .connect()
    .unwrap();
    (me, chat.contact_id.clone())
}

#[test]
fn against_the_emulator_a_day_later_the_token_is_renewed_and_the_old_one_refused() {
    let emulator = Arc::new(connect_participant::emulator::Emulator::start().unwrap());
    let (me, _) = on_emulator(&emulator);
    let first = me.connection_token().unwrap();
    me.send_message(&SendMessageRequest::text("today")).unwrap();
    emulator.advance_clock(Duration::from_secs(24 * 3600 - 30));
    me.send_message(&SendMessageRequest::text("tomorrow"))
        .unwrap();
    let second = me.connection_token().unwrap();
    assert_ne!(first.expose_secret(), second.expose_secret());
    // The emulator's clock passes the first token's expiry: only the new one works.
    emulator.advance_clock(Duration::from_secs(60));
    let client = emulator.client_builder().build().unwrap();
    let e = client
        .send_event(&first, &SendEventRequest::typing())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
    client
        .send_event(&second, &SendEventRequest::typing())
        .unwrap();
    let connects = emulator
        .seen_requests()
        .iter()
        .filter(|r| r.path == "/participant/connection")
        .count();
    assert_eq!(connects, 2);
}

#[test]
fn against_the_emulator_a_chat_ended_while_away_is_chat_ended() {
    let emulator = Arc::new(connect_participant::emulator::Emulator::start().unwrap());
    let (me, contact_id) = on_emulator(&emulator);
    emulator.end_chat(&contact_id).unwrap();
    // Before the renewal is due, the service's 403 is checked by a renewal, whose 403 says
    // the chat is over (one way to learn it, not AccessDenied here and ChatEnded
    // there).
    let e = me
        .send_message(&SendMessageRequest::text("hello?"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ChatEnded);
    let requests = emulator.requests();
    assert_eq!(
        me.get_transcript(&Default::default()).unwrap_err().kind(),
        ErrorKind::ChatEnded
    );
    assert_eq!(
        emulator.requests(),
        requests,
        "nothing is sent after the end"
    );
}

/// The paths of the requests the emulator saw from the `from`th on.
fn paths_since(emulator: &connect_participant::emulator::Emulator, from: usize) -> Vec<String> {
    emulator.seen_requests()[from..]
        .iter()
        .map(|r| r.path.clone())
        .collect()
}

#[test]
fn a_participant_on_the_emulators_client_follows_its_clock_unless_told_otherwise() {
    let emulator = connect_participant::emulator::Emulator::start().unwrap();
    let client = emulator.client_builder().build().unwrap();
    let token = |chat: &connect_participant::emulator::StartedChat| {
        ParticipantToken::new(chat.participant_token.clone()).unwrap()
    };
    let (chat, other) = (emulator.start_chat(), emulator.start_chat());
    // No clock given: the emulator's, from the client.
    let follows = Participant::connect(&client, token(&chat)).unwrap();
    // Told otherwise: the system clock.
    let own = Participant::builder(&client, token(&other))
        .clock(SystemTime::now)
        .connect()
        .unwrap();
    // 30 s before the tokens' expiry by the emulator's clock: within the renewal window.
    emulator.advance_clock(Duration::from_secs(24 * 3600 - 30));
    let from = emulator.seen_requests().len();
    follows
        .send_message(&SendMessageRequest::text("renewed first"))
        .unwrap();
    assert_eq!(
        paths_since(&emulator, from),
        ["/participant/connection", "/participant/message"]
    );
    let from = emulator.seen_requests().len();
    own.send_message(&SendMessageRequest::text("not yet by my clock"))
        .unwrap();
    assert_eq!(paths_since(&emulator, from), ["/participant/message"]);
}
