//! The end of a chat, as a `Participant`'s calls learn it: a 403 checked once by
//! a renewal (refused: `ChatEnded`, its source the call's 403; accepted: the call made once
//! more), leaving (`Left`), and nothing sent afterwards by the participant, its clones or
//! the helpers built on it: the emulator counts the requests.

use std::error::Error as _;
use std::io::{Cursor, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use connect_participant::emulator::{Emulator, StartedChat};
use connect_participant::{
    ErrorKind, GetTranscriptRequest, Participant, ParticipantToken, Receipts, SendEventRequest,
    SendMessageRequest, TypingThrottle, UploadAttachmentRequest,
};

use crate::support::scripted::{Action, Request, Scripted, read_request, response};
use crate::support::server::Server;
use crate::support::{self, CONNECTION_DENIED, participant_token};

/// How long the gated service waits for a request or the test's go: a bound, not a
/// synchronization.
const PATIENCE: Duration = Duration::from_secs(10);

fn customer(emulator: &Emulator) -> (Participant, StartedChat) {
    let client = emulator.client_builder().build().unwrap();
    let chat = emulator.start_chat();
    let token = ParticipantToken::new(chat.participant_token.clone()).unwrap();
    (Participant::connect(&client, token).unwrap(), chat)
}

fn paths_since(emulator: &Emulator, from: usize) -> Vec<String> {
    emulator.seen_requests()[from..]
        .iter()
        .map(|r| r.path.clone())
        .collect()
}

/// Every call a participant and its helpers make, each expected to fail with `kind` and
/// `message` (receipts: to send nothing, quietly) without a request reaching the emulator.
fn nothing_is_sent(
    emulator: &Emulator,
    me: &Participant,
    agent_message: &str,
    kind: ErrorKind,
    message: &str,
) {
    let before = emulator.requests();
    let clone = me.clone();
    let mut typing = TypingThrottle::for_participant(me.clone());
    let mut receipts = Receipts::for_participant(me.clone());
    receipts.read(agent_message).unwrap();
    let errors = [
        (
            "send_message",
            me.send_message(&SendMessageRequest::text("hi")).map(drop),
        ),
        (
            "send_event",
            me.send_event(&SendEventRequest::typing()).map(drop),
        ),
        (
            "get_transcript",
            me.get_transcript(&GetTranscriptRequest::new()).map(drop),
        ),
        (
            "clone",
            clone
                .send_message(&SendMessageRequest::text("hi"))
                .map(drop),
        ),
        ("typing", typing.typing().map(drop)),
        ("renew", me.renew()),
    ];
    for (what, result) in errors {
        let e = result.expect_err(what);
        assert_eq!(e.kind(), kind, "{what}: {e}");
        assert_eq!(e.to_string(), message, "{what}");
        assert_eq!(e.attempts(), 0, "{what}");
    }
    // Receipts stop quietly once the participant's calls are over: a bot reading the last
    // messages after the end has nothing to report.
    assert_eq!(receipts.flush().unwrap(), 0);
    let upload = me.upload_attachment(
        &UploadAttachmentRequest::new("a.txt"),
        Cursor::new(b"abc".to_vec()),
    );
    assert_eq!(upload.unwrap_err().kind(), kind);
    assert_eq!(emulator.requests(), before, "nothing is sent after the end");
}

#[test]
fn a_403_then_a_refused_renewal_is_chat_ended_and_then_nothing_is_sent() {
    let emulator = Emulator::start().unwrap();
    let (me, chat) = customer(&emulator);
    let agent = emulator
        .agent_says(&chat.contact_id, "anything else?", "text/plain")
        .unwrap();
    emulator.end_chat(&chat.contact_id).unwrap();
    let from = emulator.seen_requests().len();
    let e = me
        .send_message(&SendMessageRequest::text("hello?"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ChatEnded);
    assert_eq!(
        e.to_string(),
        "the chat has ended: SendMessage answered 403, and so did \
         CreateParticipantConnection when the connection token was renewed to check"
    );
    // Its source is the call's own 403 (a connection token's causes), not the renewal's.
    let source = e.source().unwrap().to_string();
    assert!(
        source.starts_with("service error AccessDeniedException (HTTP 403)"),
        "{source}"
    );
    assert!(source.ends_with(CONNECTION_DENIED), "{source}");
    assert_eq!(
        paths_since(&emulator, from),
        ["/participant/message", "/participant/connection"]
    );
    assert!(me.has_ended() && !me.has_left());
    nothing_is_sent(
        &emulator,
        &me,
        &agent,
        ErrorKind::ChatEnded,
        "the chat has ended: CreateParticipantConnection answered 403 when the connection \
         token was renewed, so nothing was sent",
    );
}

#[test]
fn a_revoked_token_is_renewed_and_the_call_made_once_more() {
    let emulator = Emulator::start().unwrap();
    let (me, chat) = customer(&emulator);
    let first = me.connection_token().unwrap();
    emulator.revoke_token(&first);
    let from = emulator.seen_requests().len();
    let sent = me
        .send_message(&SendMessageRequest::text("still here"))
        .unwrap();
    assert_eq!(
        paths_since(&emulator, from),
        [
            "/participant/message",
            "/participant/connection",
            "/participant/message"
        ]
    );
    assert_ne!(
        me.connection_token().unwrap().expose_secret(),
        first.expose_secret()
    );
    // Sent once: the refused attempt was not recorded.
    let transcript = me.get_transcript(&GetTranscriptRequest::new()).unwrap();
    let mine: Vec<_> = transcript
        .transcript
        .iter()
        .filter(|i| i.content.as_deref() == Some("still here"))
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, sent.id);
    assert!(!me.has_ended());
    // The chat goes on: a later call needs no renewal.
    let from = emulator.seen_requests().len();
    me.send_event(&SendEventRequest::typing()).unwrap();
    assert_eq!(paths_since(&emulator, from), ["/participant/event"]);
    drop(chat);
}

#[test]
fn after_disconnect_calls_are_left_and_nothing_is_sent() {
    let emulator = Emulator::start().unwrap();
    let (me, chat) = customer(&emulator);
    let agent = emulator
        .agent_says(&chat.contact_id, "bye", "text/plain")
        .unwrap();
    me.disconnect(&Default::default()).unwrap();
    assert!(me.has_left() && !me.has_ended());
    nothing_is_sent(
        &emulator,
        &me,
        &agent,
        ErrorKind::Left,
        "this participant has left the chat: its DisconnectParticipant succeeded, so nothing \
         was sent",
    );
    let e = me.disconnect(&Default::default()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Left);
}

// The exact answers of a scripted service, for what the emulator cannot stage: a 403 that
// survives an accepted renewal.

/// CreateParticipantConnection's 200, with the connection token `token`.
fn connection_answer(token: &str) -> Vec<u8> {
    ok(&format!(
        r#"{{"ConnectionCredentials":{{"ConnectionToken":"{token}"}}}}"#
    ))
}

/// A 403 `AccessDeniedException`, as the service refuses a token.
fn denied_answer() -> Vec<u8> {
    response(
        "403 Forbidden",
        &[
            "x-amzn-ErrorType: AccessDeniedException",
            "x-amzn-RequestId: r-403",
        ],
        br#"{"message":"Access denied"}"#,
    )
}

fn connection(token: &str) -> Action {
    Action::Respond(connection_answer(token))
}

fn denied() -> Action {
    Action::Respond(denied_answer())
}

fn bearer(r: &Request) -> String {
    r.text()
        .lines()
        .find_map(|l| l.strip_prefix("x-amz-bearer: "))
        .unwrap()
        .to_owned()
}

#[test]
fn a_second_403_after_an_accepted_renewal_is_returned_as_it_is() {
    let server = Scripted::start(vec![
        connection("conn-1"),
        denied(),
        connection("conn-2"),
        denied(),
    ]);
    let client = support::client(&server.url());
    let me = Participant::connect(&client, participant_token()).unwrap();
    let e = me.send_event(&SendEventRequest::typing()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
    assert_eq!(
        e.to_string(),
        format!(
            "service error AccessDeniedException (HTTP 403): Access denied (request id \
             r-403); {CONNECTION_DENIED}"
        )
    );
    assert!(!me.has_ended());
    let report = server.finish();
    let bearers: Vec<String> = report.requests.iter().map(bearer).collect();
    assert_eq!(
        bearers,
        ["part-token-1", "conn-1", "part-token-1", "conn-2"]
    );
}

/// The (path, bearer) of each request a test server got.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A service that reports each request as (path, bearer) and answers it with what
/// `answer` gives for its path and bearer (which may wait for the test's go).
fn recording_service(
    name: &'static str,
    answer: impl Fn(&str, &str) -> Vec<u8> + Send + Sync + 'static,
) -> (Server<()>, Seen) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    let server = Server::start(name, 16, move |_, mut stream, _| {
        let _ = stream.set_read_timeout(Some(PATIENCE));
        let mut buf = Vec::new();
        for _ in 0..16 {
            let Ok(bytes) = read_request(&mut stream, &mut buf) else {
                return;
            };
            let r = Request {
                connection: 0,
                bytes,
            };
            let (path, token) = (r.text().split(' ').nth(1).unwrap().to_owned(), bearer(&r));
            kept.lock().unwrap().push((path.clone(), token.clone()));
            let _ = stream.write_all(&answer(&path, &token));
        }
    });
    (server, seen)
}

/// A 200 with `body`.
fn ok(body: &str) -> Vec<u8> {
    response("200 OK", &[], body.as_bytes())
}

const SENT: &str = r#"{"Id":"m-1","AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#;

/// A service whose first SendMessage answer (to `conn-1`) waits for the test's go, then is
/// a 403; CreateParticipantConnection gives `conn-1`, `conn-2`, ...; other calls succeed.
/// Each request is reported as (path, bearer).
fn gated_service(arrived: mpsc::Sender<()>, go: mpsc::Receiver<()>) -> (Server<()>, Seen) {
    let connections = AtomicUsize::new(0);
    let go = Mutex::new(go);
    let arrived = Mutex::new(arrived);
    recording_service("gated", move |path, token| match (path, token) {
        ("/participant/connection", _) => {
            let n = connections.fetch_add(1, Ordering::SeqCst) + 1;
            connection_answer(&format!("conn-{n}"))
        }
        ("/participant/message", "conn-1") => {
            arrived.lock().unwrap().send(()).unwrap();
            go.lock().unwrap().recv_timeout(PATIENCE).unwrap();
            denied_answer()
        }
        _ => ok(SENT),
    })
}

#[test]
fn a_renewal_another_clone_made_while_the_call_ran_counts() {
    let (arrived_tx, arrived) = mpsc::channel();
    let (go, go_rx) = mpsc::channel();
    let (server, seen) = gated_service(arrived_tx, go_rx);
    let url = format!("http://127.0.0.1:{}", server.port());
    let me = Participant::connect(&support::client(&url), participant_token()).unwrap();
    let other = me.clone();
    let sending = std::thread::spawn(move || me.send_message(&SendMessageRequest::text("a")));
    // The call is at the service, answer held back: the other clone renews meanwhile.
    arrived.recv_timeout(PATIENCE).unwrap();
    other.renew().unwrap();
    go.send(()).unwrap();
    let sent = sending.join().unwrap().unwrap();
    assert_eq!(sent.id.as_deref(), Some("m-1"));
    server.finish();
    let seen = seen.lock().unwrap().clone();
    // One renewal (the other clone's), not two: the 403 was met with the newer token.
    let want = [
        ("/participant/connection", "part-token-1"),
        ("/participant/message", "conn-1"),
        ("/participant/connection", "part-token-1"),
        ("/participant/message", "conn-2"),
    ];
    assert_eq!(seen, want.map(|(p, b)| (p.to_owned(), b.to_owned())));
}

/// How a [`held_renewal_service`] answers the renewal it holds.
#[derive(Clone, Copy)]
enum Renewal {
    /// 200, with the connection token `conn-2`.
    Accepted,
    /// 403: the chat is over for this participant.
    Refused,
}

/// A service whose second CreateParticipantConnection (the first renewal) is reported on
/// `arrived` and answered as `renewal` only once the test says go; the first gives
/// `conn-1`, DisconnectParticipant and every other call succeed. Each request is reported
/// as (path, bearer).
fn held_renewal_service(
    renewal: Renewal,
    arrived: mpsc::Sender<()>,
    go: mpsc::Receiver<()>,
) -> (Server<()>, Seen) {
    let connections = AtomicUsize::new(0);
    let go = Mutex::new(go);
    let arrived = Mutex::new(arrived);
    recording_service("held-renewal", move |path, _| match path {
        "/participant/connection" => {
            if connections.fetch_add(1, Ordering::SeqCst) == 0 {
                return connection_answer("conn-1");
            }
            arrived.lock().unwrap().send(()).unwrap();
            go.lock().unwrap().recv_timeout(PATIENCE).unwrap();
            match renewal {
                Renewal::Accepted => connection_answer("conn-2"),
                Renewal::Refused => denied_answer(),
            }
        }
        "/participant/disconnect" => ok("{}"),
        _ => ok(SENT),
    })
}

/// `renew()` on one clone, its answer held until another clone's `disconnect()` has
/// succeeded; then the renewal is answered `renewal`. What the renewal returned, the
/// participant, and the requests the service saw.
fn renewal_answered_after_a_disconnect(
    renewal: Renewal,
) -> (
    connect_participant::Result<()>,
    Participant,
    Vec<(String, String)>,
) {
    let (arrived_tx, arrived) = mpsc::channel();
    let (go, go_rx) = mpsc::channel();
    let (server, seen) = held_renewal_service(renewal, arrived_tx, go_rx);
    let url = format!("http://127.0.0.1:{}", server.port());
    let me = Participant::connect(&support::client(&url), participant_token()).unwrap();
    let renewing = {
        let me = me.clone();
        std::thread::spawn(move || me.renew())
    };
    arrived.recv_timeout(PATIENCE).unwrap();
    me.disconnect(&Default::default()).unwrap();
    assert!(me.has_left());
    go.send(()).unwrap();
    let renewed = renewing.join().unwrap();
    // Nothing is sent after the end, whatever the renewal said.
    let e = me
        .send_message(&SendMessageRequest::text("still here?"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Left);
    assert_eq!(e.attempts(), 0);
    server.finish();
    let seen = seen.lock().unwrap().clone();
    let want = [
        ("/participant/connection", "part-token-1"),
        ("/participant/connection", "part-token-1"),
        ("/participant/disconnect", "conn-1"),
    ];
    assert_eq!(seen, want.map(|(p, b)| (p.to_owned(), b.to_owned())));
    (renewed, me, seen)
}

#[test]
fn a_renewal_accepted_after_the_participant_left_does_not_bring_it_back() {
    let (renewed, me, _) = renewal_answered_after_a_disconnect(Renewal::Accepted);
    let e = renewed.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Left);
    assert_eq!(
        e.to_string(),
        "this participant has left the chat: its DisconnectParticipant succeeded; the renewal \
         answered meanwhile was not kept"
    );
    assert!(me.has_left() && !me.has_ended());
}

#[test]
fn a_renewal_refused_after_the_participant_left_is_left() {
    let (renewed, me, _) = renewal_answered_after_a_disconnect(Renewal::Refused);
    let e = renewed.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Left);
    assert_eq!(
        e.to_string(),
        "this participant has left the chat: its DisconnectParticipant succeeded; \
         CreateParticipantConnection then answered 403 to the renewal"
    );
    let source = e.source().unwrap().to_string();
    assert!(
        source.starts_with("service error AccessDeniedException (HTTP 403)"),
        "{source}"
    );
    assert!(me.has_left() && !me.has_ended());
    assert_eq!(me.renew().unwrap_err().kind(), ErrorKind::Left);
}

/// A client whose random source gives other bytes at each draw, so each call generates
/// another client token: one sent twice was kept, not drawn again.
fn drawing_client(url: &str) -> connect_participant::Client {
    let draws = std::sync::atomic::AtomicU8::new(0);
    connect_participant::Client::builder()
        .endpoint_url(url)
        .random_source(move |buf| {
            buf.fill(draws.fetch_add(1, Ordering::SeqCst));
            Ok(())
        })
        .sleep_fn(|_| {})
        .build()
        .unwrap()
}

/// The `ClientToken` of a request's JSON body.
fn client_token(r: &Request) -> String {
    let body: serde_json::Value = serde_json::from_str(&r.body_text()).unwrap();
    body["ClientToken"].as_str().unwrap().to_owned()
}

#[test]
fn the_call_made_again_after_a_403_and_a_renewal_keeps_its_client_token() {
    type Call = fn(&Participant) -> connect_participant::Result<()>;
    let calls: [(&str, Call); 5] = [
        ("/participant/message", |me| {
            me.send_message(&SendMessageRequest::text("once")).map(drop)
        }),
        ("/participant/event", |me| {
            me.send_event(&SendEventRequest::typing()).map(drop)
        }),
        ("/participant/start-attachment-upload", |me| {
            let r =
                connect_participant::StartAttachmentUploadRequest::new("a.txt", "text/plain", 3);
            me.start_attachment_upload(&r).map(drop)
        }),
        ("/participant/complete-attachment-upload", |me| {
            let r = connect_participant::CompleteAttachmentUploadRequest::new("att-1");
            me.complete_attachment_upload(&r).map(drop)
        }),
        ("/participant/disconnect", |me| {
            me.disconnect(&Default::default()).map(drop)
        }),
    ];
    for (path, call) in calls {
        let server = Scripted::start(vec![
            connection("conn-1"),
            denied(),
            connection("conn-2"),
            Action::Respond(response("200 OK", &[], b"{}")),
        ]);
        let me = Participant::connect(&drawing_client(&server.url()), participant_token()).unwrap();
        call(&me).unwrap();
        let report = server.finish();
        let paths: Vec<String> = report
            .requests
            .iter()
            .map(|r| r.text().split(' ').nth(1).unwrap().to_owned())
            .collect();
        let want = [
            "/participant/connection",
            path,
            "/participant/connection",
            path,
        ];
        assert_eq!(paths, want, "{path}");
        let (first, again) = (&report.requests[1], &report.requests[3]);
        assert_eq!(bearer(again), "conn-2", "{path}");
        assert_eq!(client_token(again), client_token(first), "{path}");
    }
}
