//! Every answer of the corpus through its operation's parse path: served by a scripted
//! server on 127.0.0.1 as a 200 with that body, read by the client's call.

use connect_participant::{
    ArtifactStatus, CancelParticipantAuthenticationRequest, CompleteAttachmentUploadRequest,
    CreateParticipantConnectionRequest, DescribeViewRequest, DisconnectParticipantRequest,
    GetAttachmentRequest, GetAuthenticationUrlRequest, GetTranscriptOutput, GetTranscriptRequest,
    ItemType, MeetingFeatureStatus, MessageProcessingStatus, ParticipantRole, SendEventRequest,
    SendMessageRequest, StartAttachmentUploadRequest,
};

use super::files;

/// A session id of the right length (36 characters).
const SESSION: &str = "f7b5e2a2-2b4c-4a7e-9a53-5c1e1f0e3d11";
use crate::support;
use crate::support::scripted::{Action, Scripted, response};

/// A scripted server that answers one call with this body.
fn serving(body: &str) -> Scripted {
    Scripted::start(vec![Action::Respond(response(
        "200 OK",
        &["Content-Type: application/json", "x-amzn-RequestId: corpus"],
        body.as_bytes(),
    ))])
}

/// The answers of the corpus for one operation (file names start with it).
fn answers_for(operation: &str) -> Vec<(String, String)> {
    let found: Vec<_> = files("answers")
        .into_iter()
        .filter(|(name, _)| name.starts_with(&format!("{operation}-")))
        .collect();
    assert!(!found.is_empty(), "no answer for {operation}");
    found
}

fn transcript(body: &str) -> GetTranscriptOutput {
    let server = serving(body);
    let out = support::client(&server.url())
        .get_transcript(&support::token(), &GetTranscriptRequest::new())
        .unwrap();
    server.finish();
    out
}

#[test]
fn every_answer_file_names_an_operation_tested_here() {
    let operations = [
        "cancel-participant-authentication",
        "complete-attachment-upload",
        "create-participant-connection",
        "describe-view",
        "disconnect-participant",
        "get-attachment",
        "get-authentication-url",
        "get-transcript",
        "send-event",
        "send-message",
        "start-attachment-upload",
    ];
    for (name, _) in files("answers") {
        assert!(
            operations
                .iter()
                .any(|op| name.starts_with(&format!("{op}-"))),
            "{name}"
        );
    }
}

#[test]
fn get_transcript_answers_are_read() {
    let answers = answers_for("get-transcript");
    assert_eq!(answers.len(), 4);
    for (name, body) in answers {
        let out = transcript(&body);
        match name.as_str() {
            "get-transcript-chatjs-issue-28" => {
                assert_eq!(out.initial_contact_id.as_deref(), Some("..."));
                assert!(out.transcript.is_empty());
                // The service's last page: NextToken "" is read as it is (the pager
                // stops on it).
                assert_eq!(out.next_token.as_deref(), Some(""));
            }
            "get-transcript-chatjs-receipts-spec" => {
                let item = &out.transcript[0];
                assert_eq!(item.item_type, Some(ItemType::MessageMetadata));
                let meta = item.message_metadata.as_ref().unwrap();
                assert_eq!(meta.message_id.as_deref(), Some("messageIdABC"));
                let receipt = &meta.receipts[0];
                // ChatJS's fixture spells it DeliverTimestamp, which is not a member.
                assert_eq!(receipt.delivered_timestamp, None);
                assert_eq!(
                    receipt.read_timestamp.as_ref().map(|t| t.as_str()),
                    Some("2022-06-25T00:09:18.864Z")
                );
                assert_eq!(
                    receipt.recipient_participant_id.as_deref(),
                    Some("participantDEF")
                );
            }
            "get-transcript-chatjs-transcript-spec" => {
                assert_eq!(out.next_token.as_deref(), Some("token-123"));
                assert_eq!(out.initial_contact_id, None);
                let item = &out.transcript[0];
                assert_eq!(item.id.as_deref(), Some("msg-1"));
                assert_eq!(item.content.as_deref(), Some("Hello"));
                assert_eq!(item.content_type.as_deref(), Some("text/plain"));
            }
            "get-transcript-go-snapshot" => {
                assert_eq!(out.next_token.as_deref(), Some("__NextToken__"));
                assert_eq!(out.transcript.len(), 2);
                for item in &out.transcript {
                    assert_eq!(item.item_type, Some(ItemType::Typing));
                    assert_eq!(item.participant_role, Some(ParticipantRole::Agent));
                    assert_eq!(
                        item.related_contact_id.as_deref(),
                        Some("__RelatedContactId__")
                    );
                    assert_eq!(item.contact_id.as_deref(), Some("__ContactId__"));
                    assert_eq!(item.attachments.len(), 2);
                    assert_eq!(item.attachments[0].status, Some(ArtifactStatus::Approved));
                    let meta = item.message_metadata.as_ref().unwrap();
                    assert_eq!(meta.receipts.len(), 2);
                    assert_eq!(
                        meta.message_processing_status,
                        Some(MessageProcessingStatus::Processing)
                    );
                    assert!(
                        item.unknown_members.is_empty(),
                        "{:?}",
                        item.unknown_members
                    );
                }
            }
            other => panic!("no expectation for {other}"),
        }
    }
}

#[test]
fn send_message_and_send_event_answers_are_read() {
    for (name, body) in answers_for("send-message") {
        let server = serving(&body);
        let out = support::client(&server.url())
            .send_message(
                &support::token(),
                &SendMessageRequest::new("text/plain", "hi"),
            )
            .unwrap();
        server.finish();
        match name.as_str() {
            "send-message-chatjs-transcript-spec" => {
                assert_eq!(out.id.as_deref(), Some("real-id-123"));
                assert_eq!(
                    out.absolute_time.as_ref().map(|t| t.as_str()),
                    Some("2024-01-01T00:00:00.000Z")
                );
                assert_eq!(out.message_metadata, None);
            }
            "send-message-go-snapshot" => {
                assert_eq!(out.id.as_deref(), Some("__Id__"));
                let meta = out.message_metadata.unwrap();
                assert_eq!(
                    meta.message_processing_status,
                    Some(MessageProcessingStatus::Processing)
                );
            }
            other => panic!("no expectation for {other}"),
        }
    }
    for (name, body) in answers_for("send-event") {
        assert_eq!(name, "send-event-go-snapshot");
        let server = serving(&body);
        let out = support::client(&server.url())
            .send_event(&support::token(), &SendEventRequest::typing())
            .unwrap();
        server.finish();
        assert_eq!(out.id.as_deref(), Some("__Id__"));
        assert_eq!(
            out.absolute_time.as_ref().map(|t| t.as_str()),
            Some("__AbsoluteTime__")
        );
    }
}

#[test]
fn create_participant_connection_answers_are_read() {
    for (name, body) in answers_for("create-participant-connection") {
        assert_eq!(name, "create-participant-connection-go-snapshot");
        let server = serving(&body);
        let out = support::client(&server.url())
            .create_participant_connection(
                &support::participant_token(),
                &CreateParticipantConnectionRequest::new(),
            )
            .unwrap();
        server.finish();
        let credentials = out.connection_credentials.unwrap();
        assert_eq!(
            credentials.connection_token.unwrap().expose_secret(),
            "__ConnectionToken__"
        );
        assert_eq!(credentials.expiry.unwrap().as_str(), "__Expiry__");
        let websocket = out.websocket.unwrap();
        assert_eq!(websocket.url.unwrap().expose_secret(), "__Url__");
        assert_eq!(
            websocket.connection_expiry.unwrap().as_str(),
            "__ConnectionExpiry__"
        );
        let webrtc = out.webrtc_connection.unwrap();
        let attendee = webrtc.attendee.unwrap();
        assert_eq!(attendee.attendee_id.as_deref(), Some("__AttendeeId__"));
        assert_eq!(
            attendee.join_token.unwrap().expose_secret(),
            "__JoinToken__"
        );
        let meeting = webrtc.meeting.unwrap();
        assert_eq!(meeting.meeting_id.as_deref(), Some("__MeetingId__"));
        let placement = meeting.media_placement.unwrap();
        assert_eq!(placement.signaling_url.as_deref(), Some("__SignalingUrl__"));
        assert_eq!(
            meeting
                .meeting_features
                .unwrap()
                .audio
                .unwrap()
                .echo_reduction,
            Some(MeetingFeatureStatus::Available)
        );
    }
}

#[test]
fn attachment_answers_are_read() {
    for (name, body) in answers_for("start-attachment-upload") {
        let server = serving(&body);
        let request = StartAttachmentUploadRequest::new("file.txt", "text/plain", 9);
        let out = support::client(&server.url())
            .start_attachment_upload(&support::token(), &request)
            .unwrap();
        server.finish();
        let meta = out.upload_metadata.unwrap();
        match name.as_str() {
            "start-attachment-upload-go-snapshot" => {
                assert_eq!(out.attachment_id.as_deref(), Some("__AttachmentId__"));
                assert_eq!(meta.url.unwrap().expose_secret(), "__Url__");
                assert_eq!(
                    meta.headers_to_include,
                    [("key0".to_owned(), "__Value__".to_owned())]
                );
            }
            "start-attachment-upload-streams-issue-712" => {
                assert_eq!(
                    out.attachment_id.as_deref(),
                    Some("a9ac98ec-c936-4441-a124-9d7a88debfce")
                );
                assert_eq!(meta.url_expiry.unwrap().as_str(), "2023-08-03T08:15:46Z");
                assert_eq!(meta.headers_to_include.len(), 8);
                assert!(meta.headers_to_include.contains(&(
                    "Content-Disposition".to_owned(),
                    "attachment; filename=\"56102_file.txt\"".to_owned()
                )));
            }
            other => panic!("no expectation for {other}"),
        }
    }
    for (name, body) in answers_for("get-attachment") {
        assert_eq!(name, "get-attachment-go-snapshot");
        let server = serving(&body);
        let out = support::client(&server.url())
            .get_attachment(&support::token(), &GetAttachmentRequest::new("a-1"))
            .unwrap();
        server.finish();
        assert_eq!(out.attachment_size_in_bytes, 1);
        assert_eq!(out.url.unwrap().expose_secret(), "__Url__");
        assert_eq!(out.url_expiry.unwrap().as_str(), "__UrlExpiry__");
    }
}

#[test]
fn view_and_authentication_answers_are_read() {
    for (name, body) in answers_for("describe-view") {
        assert_eq!(name, "describe-view-go-snapshot");
        let server = serving(&body);
        let out = support::client(&server.url())
            .describe_view(&support::token(), &DescribeViewRequest::new("view-token"))
            .unwrap();
        server.finish();
        let view = out.view.unwrap();
        assert_eq!(view.arn.as_deref(), Some("__Arn__"));
        assert_eq!(view.version, Some(1));
        let content = view.content.unwrap();
        assert_eq!(content.actions, ["__Member__", "__Member__"]);
        assert_eq!(content.template.as_deref(), Some("__Template__"));
    }
    for (name, body) in answers_for("get-authentication-url") {
        assert_eq!(name, "get-authentication-url-go-snapshot");
        let server = serving(&body);
        let request = GetAuthenticationUrlRequest::new(SESSION, "https://example.com/back");
        let out = support::client(&server.url())
            .get_authentication_url(&support::token(), &request)
            .unwrap();
        server.finish();
        assert_eq!(
            out.authentication_url.as_deref(),
            Some("__AuthenticationUrl__")
        );
    }
}

#[test]
fn empty_answers_are_read() {
    for (_, body) in answers_for("disconnect-participant") {
        let server = serving(&body);
        support::client(&server.url())
            .disconnect_participant(&support::token(), &DisconnectParticipantRequest::new())
            .unwrap();
        server.finish();
    }
    for (_, body) in answers_for("complete-attachment-upload") {
        let server = serving(&body);
        support::client(&server.url())
            .complete_attachment_upload(
                &support::token(),
                &CompleteAttachmentUploadRequest::new("a-1"),
            )
            .unwrap();
        server.finish();
    }
    for (_, body) in answers_for("cancel-participant-authentication") {
        let server = serving(&body);
        support::client(&server.url())
            .cancel_participant_authentication(
                &support::token(),
                &CancelParticipantAuthenticationRequest::new(SESSION),
            )
            .unwrap();
        server.finish();
    }
}
