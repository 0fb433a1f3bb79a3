//! What a participant's calls and renewals log when the service refuses them:
//! the error's kind, status, type and request id, never the message the service wrote,
//! which may quote what was sent (docs/logging.md).

use connect_participant::{ErrorKind, Participant, SendEventRequest, SendMessageRequest};

use crate::support::logs::{self, Captured};
use crate::support::scripted::{Action, Scripted, response};
use crate::support::{self, participant_token};

/// What every refusal's message holds: no record may.
const QUOTED: &str = "quoted-s3cr3t";

fn refusal(status: &str, error_type: &str, n: u32) -> Action {
    Action::Respond(response(
        status,
        &[
            &format!("x-amzn-ErrorType: {error_type}"),
            &format!("x-amzn-RequestId: r-{n}"),
        ],
        format!(r#"{{"message":"{QUOTED} {n}"}}"#).as_bytes(),
    ))
}

fn connection() -> Action {
    Action::Respond(response(
        "200 OK",
        &[],
        br#"{"ConnectionCredentials":{"ConnectionToken":"conn-1"}}"#,
    ))
}

fn has(records: &[Captured], target: &str, text: &str) -> bool {
    let me = std::thread::current().id();
    records
        .iter()
        .any(|r| r.thread == me && r.target == target && r.args.contains(text))
}

#[test]
fn refused_calls_and_renewals_log_no_service_message() {
    let (server_500, denied) = ("500 Internal Server Error", "403 Forbidden");
    let server = Scripted::start(vec![
        connection(),
        // SendMessage: a 500 retried, then a 403, checked by a renewal that fails with
        // 500s until the attempts run out: the 403 is returned.
        refusal(server_500, "InternalServerException", 1),
        refusal(denied, "AccessDeniedException", 2),
        refusal(server_500, "InternalServerException", 3),
        refusal(server_500, "InternalServerException", 4),
        refusal(server_500, "InternalServerException", 5),
        // SendEvent: a 403, and the renewal refused: the chat has ended.
        refusal(denied, "AccessDeniedException", 6),
        refusal(denied, "AccessDeniedException", 7),
    ]);
    let me = Participant::connect(&support::client(&server.url()), participant_token()).unwrap();
    let (kinds, capture) = logs::capture(|| {
        let sent = me.send_message(&SendMessageRequest::text("hi"));
        let typed = me.send_event(&SendEventRequest::typing());
        [sent.map(drop), typed.map(drop)].map(|r| r.unwrap_err().kind())
    });
    assert_eq!(kinds, [ErrorKind::AccessDenied, ErrorKind::ChatEnded]);
    assert_eq!(server.finish().requests.len(), 8);
    assert_eq!(capture.overflow, 0);
    for r in capture.records.iter().chain(&capture.others) {
        // Which record, not what it says.
        assert!(
            !r.whole().contains(QUOTED),
            "a {} record of {} holds the service's message",
            r.level,
            r.target
        );
    }
    let participant = "connect_participant::participant";
    for (target, text) in [
        (
            "connect_participant::call",
            "SendMessage: attempt 1 failed: internal server error (HTTP 500, \
             InternalServerException, request id r-1); retrying in ",
        ),
        (
            participant,
            "could not renew the connection token (SendMessage answered 403): internal server \
             error (HTTP 500, InternalServerException, request id r-5)",
        ),
        (
            participant,
            "CreateParticipantConnection refused the renewal (SendEvent answered 403): access \
             denied (HTTP 403, AccessDeniedException, request id r-7)",
        ),
    ] {
        assert!(
            has(&capture.records, target, text),
            "no {target} record with {text:?}: {:#?}",
            capture.records
        );
    }
}
