//! Every operation on the wire: its exact request, its answer, and its refused limits.

use connect_participant::{
    CancelParticipantAuthenticationRequest, CompleteAttachmentUploadRequest, ConnectionType,
    ContentDisposition, CreateParticipantConnectionRequest, DescribeViewRequest,
    DisconnectParticipantRequest, Error, ErrorKind, GetAttachmentRequest,
    GetAuthenticationUrlRequest, GetTranscriptRequest, ItemType, MessageProcessingStatus,
    ParticipantRole, ScanDirection, SendMessageRequest, SortOrder, StartAttachmentUploadRequest,
    StartPosition, Timestamp,
};

use crate::support::scripted::{Action, Report, Scripted, closed_port, response};
use crate::support::{self, GENERATED_CLIENT_TOKEN, INVOCATION_ID, participant_token};

/// The whole first request to `path`, as ureq 3 lays it out with the default 3 attempts.
fn expected(path: &str, port: u16, bearer: &str, body: &str) -> String {
    support::wire::expected_at(path, port, bearer, INVOCATION_ID, body, 1, 3)
}

fn ok(body: &str) -> Action {
    Action::Respond(response(
        "200 OK",
        &["Content-Type: application/json", "x-amzn-RequestId: r-1"],
        body.as_bytes(),
    ))
}

/// Runs `call` against a server that answers `answer` once; returns the call's result and
/// the one request the server saw, as text, with the port.
fn exchange<T>(
    answer: &str,
    call: impl FnOnce(&connect_participant::Client) -> Result<T, Error>,
) -> (T, String, u16) {
    let server = Scripted::start(vec![ok(answer)]);
    let port = server.port();
    let out = call(&support::client(&server.url())).expect("the scripted answer is a success");
    let report = server.finish();
    (out, report.single().text(), port)
}

#[test]
fn send_message_request_and_answer() {
    let (out, got, port) = exchange(
        r#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z","Id":"msg-1","MessageMetadata":{"MessageProcessingStatus":"PROCESSING"}}"#,
        |c| {
            c.send_message(
                &support::token(),
                &SendMessageRequest::text("Hi \"you\" é\n"),
            )
        },
    );
    let body = format!(
        r#"{{"ClientToken":"{GENERATED_CLIENT_TOKEN}","Content":"Hi \"you\" é\n","ContentType":"text/plain"}}"#
    );
    assert_eq!(
        got,
        expected("/participant/message", port, "conn-token-1", &body)
    );
    assert_eq!(out.id.as_deref(), Some("msg-1"));
    assert_eq!(
        out.absolute_time.as_ref().map(Timestamp::as_str),
        Some("2019-11-08T02:41:28.172Z")
    );
    assert_eq!(
        out.message_metadata.unwrap().message_processing_status,
        Some(MessageProcessingStatus::Processing)
    );
}

#[test]
fn send_message_of_every_named_type_and_a_custom_one() {
    for (request, content_type) in [
        (SendMessageRequest::markdown("**b**"), "text/markdown"),
        (SendMessageRequest::json("{}"), "application/json"),
        (
            SendMessageRequest::interactive_response("{\"a\":1}"),
            "application/vnd.amazonaws.connect.message.interactive.response",
        ),
        (
            SendMessageRequest::new("application/x-custom", "x").with_client_token("mine"),
            "application/x-custom",
        ),
    ] {
        let (_, got, _) = exchange("{}", |c| c.send_message(&support::token(), &request));
        let token = request.client_token().unwrap_or(GENERATED_CLIENT_TOKEN);
        let content = serde_json::to_string(request.content()).unwrap();
        assert!(
            got.ends_with(&format!(
                r#"{{"ClientToken":"{token}","Content":{content},"ContentType":"{content_type}"}}"#
            )),
            "{got}"
        );
    }
}

#[test]
fn create_participant_connection_request_and_answer() {
    let answer = r#"{"ConnectionCredentials":{"ConnectionToken":"conn-new","Expiry":"2019-11-09T02:41:28.172Z"},
        "Websocket":{"ConnectionExpiry":"2019-11-08T02:43:08.172Z","Url":"wss://ws.example/connect?X-Amz-Signature=s3cret"}}"#;
    let (out, got, port) = exchange(answer, |c| {
        c.create_participant_connection(
            &participant_token(),
            &CreateParticipantConnectionRequest::new(),
        )
    });
    assert_eq!(
        got,
        expected(
            "/participant/connection",
            port,
            "part-token-1",
            r#"{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"]}"#
        )
    );
    let credentials = out.connection_credentials.as_ref().unwrap();
    assert_eq!(
        credentials
            .connection_token
            .as_ref()
            .unwrap()
            .expose_secret(),
        "conn-new"
    );
    assert_eq!(
        credentials.expiry.as_ref().map(Timestamp::as_str),
        Some("2019-11-09T02:41:28.172Z")
    );
    let ws = out.websocket.as_ref().unwrap();
    assert_eq!(
        ws.url.as_ref().unwrap().expose_secret(),
        "wss://ws.example/connect?X-Amz-Signature=s3cret"
    );
    let shown = format!("{out:?}");
    assert!(
        !shown.contains("conn-new") && !shown.contains("s3cret"),
        "{shown}"
    );
}

#[test]
fn create_participant_connection_bodies_of_the_agent_and_other_types() {
    for (request, body) in [
        (
            CreateParticipantConnectionRequest::new()
                .without_types()
                .with_connect_participant(true),
            r#"{"ConnectParticipant":true}"#,
        ),
        (
            CreateParticipantConnectionRequest::new()
                .with_types([ConnectionType::ConnectionCredentials])
                .with_connect_participant(false),
            r#"{"ConnectParticipant":false,"Type":["CONNECTION_CREDENTIALS"]}"#,
        ),
        (
            CreateParticipantConnectionRequest::new().with_types(["WEBRTC_CONNECTION", "NEXT"]),
            r#"{"Type":["WEBRTC_CONNECTION","NEXT"]}"#,
        ),
    ] {
        let (_, got, port) = exchange("{}", |c| {
            c.create_participant_connection(&participant_token(), &request)
        });
        assert_eq!(
            got,
            expected("/participant/connection", port, "part-token-1", body)
        );
    }
}

#[test]
fn disconnect_participant_request_and_both_empty_answers() {
    for answer in ["", "{}", " \r\n"] {
        let (out, got, port) = exchange(answer, |c| {
            c.disconnect_participant(&support::token(), &DisconnectParticipantRequest::new())
        });
        assert_eq!(
            got,
            expected(
                "/participant/disconnect",
                port,
                "conn-token-1",
                &format!(r#"{{"ClientToken":"{GENERATED_CLIENT_TOKEN}"}}"#)
            )
        );
        assert_eq!(out, Default::default());
    }
}

#[test]
fn get_transcript_request_and_answer() {
    let answer = r#"{"InitialContactId":"c-0","NextToken":"next-1","Transcript":[
        {"AbsoluteTime":"2019-11-08T02:41:28.172Z","Content":"hello","ContentType":"text/plain","Id":"i-1",
         "Type":"MESSAGE","ParticipantId":"p-1","DisplayName":"Jane","ParticipantRole":"CUSTOMER","ContactId":"c-0",
         "MessageMetadata":{"MessageId":"i-1","Receipts":[{"ReadTimestamp":"2019-11-08T02:41:29Z","RecipientParticipantId":"p-2"}]}},
        {"AbsoluteTime":"2019-11-08T02:41:30.000Z","Content":null,"ContentType":"application/vnd.amazonaws.connect.event.chat.ended","Id":"i-2","Type":"EVENT"}]}"#;
    let start = Timestamp::parse("2019-11-08T02:41:28.1Z").unwrap();
    let request = GetTranscriptRequest::new()
        .with_contact_id("c-0")
        .with_max_results(100)
        .with_next_token("prev")
        .with_scan_direction(ScanDirection::Forward)
        .with_sort_order(SortOrder::Ascending)
        .with_start_position(
            StartPosition::id("i-0")
                .with_absolute_time(start)
                .with_most_recent(3),
        );
    let (out, got, port) = exchange(answer, |c| c.get_transcript(&support::token(), &request));
    assert_eq!(
        got,
        expected(
            "/participant/transcript",
            port,
            "conn-token-1",
            r#"{"ContactId":"c-0","MaxResults":100,"NextToken":"prev","ScanDirection":"FORWARD","SortOrder":"ASCENDING","StartPosition":{"Id":"i-0","AbsoluteTime":"2019-11-08T02:41:28.1Z","MostRecent":3}}"#
        )
    );
    assert_eq!(out.initial_contact_id.as_deref(), Some("c-0"));
    assert_eq!(out.next_token.as_deref(), Some("next-1"));
    assert_eq!(out.transcript.len(), 2);
    let first = &out.transcript[0];
    assert_eq!(first.item_type, Some(ItemType::Message));
    assert_eq!(first.participant_role, Some(ParticipantRole::Customer));
    assert_eq!(first.display_name.as_deref(), Some("Jane"));
    let receipt = &first.message_metadata.as_ref().unwrap().receipts[0];
    assert_eq!(
        receipt.read_timestamp.as_ref().map(Timestamp::as_str),
        Some("2019-11-08T02:41:29Z")
    );
    assert!(out.transcript[1].is_chat_ended());
    assert_eq!(out.transcript[1].content, None);
}

/// The answer of page `n` of `pages` (0-based): one item, and a token unless it is last,
/// where the last page says `last` (absent, empty).
fn page(n: usize, pages: usize, last: Option<&str>) -> Action {
    let token = match (n + 1 < pages, last) {
        (true, _) => format!(r#","NextToken":"t{}""#, n + 1),
        (false, Some(t)) => format!(r#","NextToken":"{t}""#),
        (false, None) => String::new(),
    };
    ok(&format!(
        r#"{{"InitialContactId":"c","Transcript":[{{"Id":"i{n}","Type":"MESSAGE"}}]{token}}}"#
    ))
}

#[test]
fn transcript_pages_follow_next_token_and_stop_on_absent_or_empty() {
    for last in [None, Some("")] {
        let server = Scripted::start((0..4).map(|n| page(n, 4, last)).collect());
        let client = support::client(&server.url());
        let first = GetTranscriptRequest::new()
            .with_max_results(1)
            .with_sort_order(SortOrder::Ascending);
        let ids: Vec<String> = client
            .transcript_pages(&support::token(), first)
            .items()
            .map(|item| item.unwrap().id.unwrap())
            .collect();
        assert_eq!(ids, ["i0", "i1", "i2", "i3"], "{last:?}");
        let report = server.finish();
        assert_eq!(report.unscripted, 0);
        let bodies: Vec<String> = report.requests.iter().map(|r| r.body_text()).collect();
        assert_eq!(
            bodies,
            [
                r#"{"MaxResults":1,"SortOrder":"ASCENDING"}"#,
                r#"{"MaxResults":1,"NextToken":"t1","SortOrder":"ASCENDING"}"#,
                r#"{"MaxResults":1,"NextToken":"t2","SortOrder":"ASCENDING"}"#,
                r#"{"MaxResults":1,"NextToken":"t3","SortOrder":"ASCENDING"}"#,
            ]
        );
    }
}

#[test]
fn transcript_pages_stop_when_the_token_comes_back_unchanged() {
    // A server that always answers the same token would page forever.
    let server = Scripted::repeating(ok(r#"{"Transcript":[{"Id":"x"}],"NextToken":"same"}"#));
    let client = support::client(&server.url());
    let pages: Vec<_> = client
        .transcript_pages(&support::token(), GetTranscriptRequest::new())
        .collect();
    assert_eq!(pages.len(), 2);
    assert_eq!(server.finish().requests.len(), 2);
}

#[test]
fn a_failed_page_ends_the_pages_with_its_error() {
    let server = Scripted::start(vec![
        page(0, 3, None),
        Action::Respond(response(
            "403 Forbidden",
            &["x-amzn-ErrorType: AccessDeniedException"],
            br#"{"message":"Access denied"}"#,
        )),
    ]);
    let client = support::client(&server.url());
    let results: Vec<_> = client
        .transcript_pages(&support::token(), GetTranscriptRequest::new())
        .items()
        .collect();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id.as_deref(), Some("i0"));
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
    assert_eq!(
        e.to_string(),
        format!(
            "service error AccessDeniedException (HTTP 403): Access denied; {}",
            support::CONNECTION_DENIED
        )
    );
    assert_eq!(server.finish().requests.len(), 2);
}

#[test]
fn a_403_to_create_participant_connection_names_the_participant_token() {
    let server = Scripted::start(vec![Action::Respond(response(
        "403 Forbidden",
        &["x-amzn-ErrorType: AccessDeniedException"],
        br#"{"message":"Access denied"}"#,
    ))]);
    let e = support::client(&server.url())
        .create_participant_connection(
            &participant_token(),
            &CreateParticipantConnectionRequest::new(),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
    assert_eq!(
        e.to_string(),
        "service error AccessDeniedException (HTTP 403): Access denied; usual causes: the \
         participant token is unknown, the chat ended or this participant left it, the \
         endpoint's region is not the Amazon Connect instance's, or a connection token was \
         given for the participant token"
    );
    assert!(!e.is_retryable());
    server.finish();
}

#[test]
fn a_transcript_page_larger_than_1_mib_is_read_and_one_over_its_cap_is_refused() {
    // 100 items of 16,384 escaped control characters: the largest legal page is ~10 MiB.
    let content = "\\u0001".repeat(16384);
    let items: Vec<String> = (0..100)
        .map(|i| format!(r#"{{"Id":"i{i}","Content":"{content}"}}"#))
        .collect();
    let body = format!(r#"{{"Transcript":[{}]}}"#, items.join(","));
    assert!(body.len() > 9 * 1024 * 1024);
    let (out, _, _) = exchange(&body, |c| {
        c.get_transcript(&support::token(), &GetTranscriptRequest::new())
    });
    assert_eq!(out.transcript.len(), 100);
    assert_eq!(out.transcript[99].content.as_ref().unwrap().len(), 16384);

    let cap = usize::try_from(connect_participant::MAX_TRANSCRIPT_ANSWER).unwrap();
    let mut huge = br#"{"Transcript":[],"X":""#.to_vec();
    huge.resize(cap + 1, b'a');
    let server = Scripted::start(vec![Action::Respond(response("200 OK", &[], &huge))]);
    let e = support::client(&server.url())
        .get_transcript(&support::token(), &GetTranscriptRequest::new())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert_eq!(
        e.to_string(),
        format!(
            "the answer from {} is larger than {cap} bytes",
            server.url()
        )
    );
    server.finish();
}

/// A client for a port nothing listens on: any attempt to send would be a Transport error.
fn nowhere() -> connect_participant::Client {
    support::client(&format!("http://127.0.0.1:{}", closed_port()))
}

#[test]
fn every_limit_is_refused_before_a_connection_opens() {
    let c = nowhere();
    let t = support::token();
    let refusals: Vec<(Error, &str)> = vec![
        (
            c.send_message(&t, &SendMessageRequest::text(""))
                .unwrap_err(),
            "invalid Content: 0 bytes of UTF-8, must be 1 to 16384",
        ),
        (
            c.send_message(&t, &SendMessageRequest::text("é".repeat(8193)))
                .unwrap_err(),
            "invalid Content: 16386 bytes of UTF-8, must be 1 to 16384",
        ),
        (
            c.send_message(&t, &SendMessageRequest::new("x".repeat(101), "a"))
                .unwrap_err(),
            "invalid ContentType: 101 characters, must be 1 to 100",
        ),
        (
            c.send_message(
                &t,
                &SendMessageRequest::text("a").with_client_token("c".repeat(501)),
            )
            .unwrap_err(),
            "invalid ClientToken: 501 characters, must be 0 to 500",
        ),
        (
            c.disconnect_participant(
                &t,
                &DisconnectParticipantRequest::new().with_client_token("c".repeat(501)),
            )
            .unwrap_err(),
            "invalid ClientToken: 501 characters, must be 0 to 500",
        ),
        (
            c.create_participant_connection(
                &participant_token(),
                &CreateParticipantConnectionRequest::new().with_types(Vec::<ConnectionType>::new()),
            )
            .unwrap_err(),
            "invalid Type: 0 connection types, must be at least 1 (or leave Type out)",
        ),
        (
            c.get_transcript(&t, &GetTranscriptRequest::new().with_max_results(101))
                .unwrap_err(),
            "invalid MaxResults: 101, must be 0 to 100",
        ),
        (
            c.get_transcript(&t, &GetTranscriptRequest::new().with_next_token(""))
                .unwrap_err(),
            "invalid NextToken: 0 characters, must be 1 to 1000",
        ),
        (
            c.get_transcript(
                &t,
                &GetTranscriptRequest::new().with_contact_id("c".repeat(257)),
            )
            .unwrap_err(),
            "invalid ContactId: 257 characters, must be 1 to 256",
        ),
        (
            c.get_transcript(
                &t,
                &GetTranscriptRequest::new().with_start_position(StartPosition::most_recent(101)),
            )
            .unwrap_err(),
            "invalid StartPosition.MostRecent: 101, must be 0 to 100",
        ),
        (
            c.get_transcript(
                &t,
                &GetTranscriptRequest::new()
                    .with_start_position(StartPosition::id("i".repeat(257))),
            )
            .unwrap_err(),
            "invalid StartPosition.Id: 257 characters, must be 1 to 256",
        ),
    ];
    for (e, message) in refusals {
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?}");
        assert_eq!(e.attempts(), 0);
        assert_eq!(e.to_string(), message);
    }
    // The largest legal values are sent (here: fail to connect, which proves they passed).
    let e = c
        .send_message(&t, &SendMessageRequest::text("a".repeat(16384)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
}

#[test]
fn nothing_reaches_a_server_when_input_is_refused() {
    let server = Scripted::start(vec![]);
    let c = support::client(&server.url());
    c.send_message(&support::token(), &SendMessageRequest::text(""))
        .unwrap_err();
    c.get_transcript(
        &support::token(),
        &GetTranscriptRequest::new().with_max_results(101),
    )
    .unwrap_err();
    let report: Report = server.finish();
    assert_eq!(report.connections, 0);
    assert!(report.requests.is_empty());
}

const SESSION: &str = "8a8f6f3e-3b4e-4b6e-9d5c-0d8a7f4c2e11";

#[test]
fn start_attachment_upload_request_and_answer() {
    let (out, got, port) = exchange(
        r#"{"AttachmentId":"a9ac98ec","UploadMetadata":{"HeadersToInclude":{"Content-Length":"9","x-amz-acl":"bucket-owner-full-control"},"Url":"https://bucket.s3.amazonaws.com/up?X-Amz-Signature=s3cr3t","UrlExpiry":"2023-08-03T08:15:46Z"},"Unknown":1}"#,
        |c| {
            c.start_attachment_upload(
                &support::token(),
                &StartAttachmentUploadRequest::new("file.txt", "text/plain", 9),
            )
        },
    );
    let body = format!(
        r#"{{"AttachmentName":"file.txt","AttachmentSizeInBytes":9,"ClientToken":"{GENERATED_CLIENT_TOKEN}","ContentType":"text/plain"}}"#
    );
    assert_eq!(
        got,
        expected(
            "/participant/start-attachment-upload",
            port,
            "conn-token-1",
            &body
        )
    );
    assert_eq!(out.attachment_id.as_deref(), Some("a9ac98ec"));
    let meta = out.upload_metadata.unwrap();
    assert_eq!(
        meta.url.unwrap().expose_secret(),
        "https://bucket.s3.amazonaws.com/up?X-Amz-Signature=s3cr3t"
    );
    assert_eq!(meta.headers_to_include.len(), 2);
}

#[test]
fn complete_attachment_upload_request_and_empty_answers() {
    for answer in ["", "{}"] {
        let (_, got, port) = exchange(answer, |c| {
            c.complete_attachment_upload(
                &support::token(),
                &CompleteAttachmentUploadRequest::new("a9ac98ec"),
            )
        });
        let body =
            format!(r#"{{"AttachmentIds":["a9ac98ec"],"ClientToken":"{GENERATED_CLIENT_TOKEN}"}}"#);
        assert_eq!(
            got,
            expected(
                "/participant/complete-attachment-upload",
                port,
                "conn-token-1",
                &body
            )
        );
    }
}

#[test]
fn get_attachment_request_and_answer() {
    let (out, got, port) = exchange(
        r#"{"AttachmentSizeInBytes":1,"Url":"https://bucket/get?sig=s3cr3t","UrlExpiry":"2023-08-03T08:15:46Z"}"#,
        |c| {
            c.get_attachment(
                &support::token(),
                &GetAttachmentRequest::new("a9")
                    .with_url_expiry_in_seconds(60)
                    .with_url_content_disposition(ContentDisposition::Inline),
            )
        },
    );
    let body = r#"{"AttachmentId":"a9","UrlContentDisposition":"INLINE","UrlExpiryInSeconds":60}"#;
    assert_eq!(
        got,
        expected("/participant/attachment", port, "conn-token-1", body)
    );
    assert_eq!(out.attachment_size_in_bytes, 1);
    assert_eq!(format!("{:?}", out.url), "Some(PresignedUrl([redacted]))");
    // The model requires the size; a missing one reads as 0, as the Rust SDK reads it.
    let (out, _, _) = exchange(r#"{"Url":"u"}"#, |c| {
        c.get_attachment(&support::token(), &GetAttachmentRequest::new("a9"))
    });
    assert_eq!(out.attachment_size_in_bytes, 0);
}

#[test]
fn describe_view_is_a_get_of_the_token_as_one_segment() {
    let (out, got, port) = exchange(
        r#"{"View":{"Arn":"arn:aws:connect:v","Content":{"Actions":["Submit"],"InputSchema":"{}","Template":"{}"},"Id":"v1","Name":"Form","Version":2}}"#,
        |c| c.describe_view(&support::token(), &DescribeViewRequest::new("tok/en+=")),
    );
    assert_eq!(
        got,
        format!(
            "GET /participant/views/tok%2Fen%2B%3D HTTP/1.1\r\n\
             user-agent: connect-participant/{}\r\n\
             host: 127.0.0.1:{port}\r\n\
             x-amz-bearer: conn-token-1\r\n\
             amz-sdk-invocation-id: {INVOCATION_ID}\r\n\
             amz-sdk-request: attempt=1; max=3\r\n\
             \r\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    let view = out.view.unwrap();
    assert_eq!(view.name.as_deref(), Some("Form"));
    assert_eq!(view.version, Some(2));
}

#[test]
fn authentication_requests_and_answers() {
    let (out, got, port) = exchange(r#"{"AuthenticationUrl":"https://auth/x"}"#, |c| {
        c.get_authentication_url(
            &support::token(),
            &GetAuthenticationUrlRequest::new(SESSION, "https://me/back"),
        )
    });
    let body = format!(r#"{{"RedirectUri":"https://me/back","SessionId":"{SESSION}"}}"#);
    assert_eq!(
        got,
        expected(
            "/participant/authentication-url",
            port,
            "conn-token-1",
            &body
        )
    );
    assert_eq!(out.authentication_url.as_deref(), Some("https://auth/x"));
    let (_, got, port) = exchange("{}", |c| {
        c.cancel_participant_authentication(
            &support::token(),
            &CancelParticipantAuthenticationRequest::new(SESSION),
        )
    });
    let body = format!(r#"{{"SessionId":"{SESSION}"}}"#);
    assert_eq!(
        got,
        expected(
            "/participant/cancel-authentication",
            port,
            "conn-token-1",
            &body
        )
    );
}

#[test]
fn the_new_operations_limits_are_refused_before_a_connection_opens() {
    let c = nowhere();
    let t = support::token();
    let refusals: Vec<(Error, &str)> = vec![
        (
            c.start_attachment_upload(
                &t,
                &StartAttachmentUploadRequest::new("a.txt", "text/plain", 20_000_001),
            )
            .unwrap_err(),
            "invalid AttachmentSizeInBytes: 20000001 bytes, must be 1 to 20000000 (20 MB)",
        ),
        (
            c.start_attachment_upload(
                &t,
                &StartAttachmentUploadRequest::new("a.txt", "x".repeat(256), 1),
            )
            .unwrap_err(),
            "invalid ContentType: 256 characters, must be 1 to 255",
        ),
        (
            c.complete_attachment_upload(
                &t,
                &CompleteAttachmentUploadRequest::new("a").with_client_token(""),
            )
            .unwrap_err(),
            "invalid ClientToken: 0 characters, must be 1 to 500",
        ),
        (
            c.get_attachment(&t, &GetAttachmentRequest::new("i".repeat(257)))
                .unwrap_err(),
            "invalid AttachmentId: 257 characters, must be 1 to 256",
        ),
        (
            c.describe_view(&t, &DescribeViewRequest::new("v".repeat(1001)))
                .unwrap_err(),
            "invalid ViewToken: 1001 characters, must be 1 to 1000",
        ),
        (
            c.get_authentication_url(&t, &GetAuthenticationUrlRequest::new(SESSION, ""))
                .unwrap_err(),
            "invalid RedirectUri: 0 characters, must be 1 to 1024",
        ),
        (
            c.cancel_participant_authentication(
                &t,
                &CancelParticipantAuthenticationRequest::new("s".repeat(35)),
            )
            .unwrap_err(),
            "invalid SessionId: 35 characters, must be exactly 36",
        ),
    ];
    for (e, message) in refusals {
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?}");
        assert_eq!(e.attempts(), 0);
        assert_eq!(e.to_string(), message);
    }
}
