//! GetTranscript's unit tests: bodies, limits, answers read leniently, and paging.

use super::*;

fn body(r: &GetTranscriptRequest) -> String {
    String::from_utf8(Operation::body(r, "unused")).unwrap()
}

fn parse(json: &str) -> Result<GetTranscriptOutput, BadAnswer> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    GetTranscriptRequest::parse(Members::root(v.as_object().unwrap().clone()))
}

#[test]
fn bodies_match_the_sdks() {
    assert_eq!(body(&GetTranscriptRequest::new()), "{}");
    let chatjs = GetTranscriptRequest::new()
        .with_max_results(15)
        .with_scan_direction(ScanDirection::Backward)
        .with_sort_order(SortOrder::Ascending)
        .with_start_position(StartPosition::default());
    assert_eq!(
        body(&chatjs),
        r#"{"MaxResults":15,"ScanDirection":"BACKWARD","SortOrder":"ASCENDING","StartPosition":{}}"#
    );
    let t = Timestamp::from_service("2019-11-08T02:41:28.1Z".into());
    let full = GetTranscriptRequest::new()
        .with_contact_id("c")
        .with_max_results(0)
        .with_next_token("n")
        .with_scan_direction(ScanDirection::Forward)
        .with_sort_order(SortOrder::Descending)
        .with_start_position(
            StartPosition::id("i")
                .with_absolute_time(t)
                .with_most_recent(1),
        );
    assert_eq!(
        body(&full),
        r#"{"ContactId":"c","MaxResults":0,"NextToken":"n","ScanDirection":"FORWARD","SortOrder":"DESCENDING","StartPosition":{"Id":"i","AbsoluteTime":"2019-11-08T02:41:28.1Z","MostRecent":1}}"#
    );
    // MostRecent 0 is the model's default, and the SDKs leave it out.
    assert_eq!(
        body(&GetTranscriptRequest::new().with_start_position(StartPosition::most_recent(0))),
        r#"{"StartPosition":{}}"#
    );
}

#[test]
fn every_limit_is_checked() {
    let ok = GetTranscriptRequest::new()
        .with_contact_id("c".repeat(256))
        .with_max_results(100)
        .with_next_token("n".repeat(1000))
        .with_start_position(StartPosition::id("i".repeat(256)).with_most_recent(100));
    ok.validate().unwrap();
    for (r, msg) in [
        (
            GetTranscriptRequest::new().with_contact_id(""),
            "invalid ContactId: 0 characters, must be 1 to 256",
        ),
        (
            GetTranscriptRequest::new().with_contact_id("c".repeat(257)),
            "invalid ContactId: 257 characters, must be 1 to 256",
        ),
        (
            GetTranscriptRequest::new().with_max_results(101),
            "invalid MaxResults: 101, must be 0 to 100",
        ),
        (
            GetTranscriptRequest::new().with_next_token(""),
            "invalid NextToken: 0 characters, must be 1 to 1000",
        ),
        (
            GetTranscriptRequest::new().with_next_token("n".repeat(1001)),
            "invalid NextToken: 1001 characters, must be 1 to 1000",
        ),
        (
            GetTranscriptRequest::new().with_start_position(StartPosition::id("")),
            "invalid StartPosition.Id: 0 characters, must be 1 to 256",
        ),
        (
            GetTranscriptRequest::new().with_start_position(StartPosition::most_recent(101)),
            "invalid StartPosition.MostRecent: 101, must be 0 to 100",
        ),
        (
            GetTranscriptRequest::new().with_start_position(StartPosition::absolute_time(
                Timestamp::from_service("x".repeat(101)),
            )),
            "invalid StartPosition.AbsoluteTime: 101 characters, must be 1 to 100",
        ),
    ] {
        assert_eq!(r.validate().unwrap_err().to_string(), msg);
    }
}

#[test]
fn enums_parse_strictly_and_list_their_values() {
    assert_eq!(
        "FORWARD".parse::<ScanDirection>().unwrap(),
        ScanDirection::Forward
    );
    let e = "forward".parse::<ScanDirection>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid ScanDirection: \"forward\", must be one of FORWARD, BACKWARD"
    );
    let e = "x".parse::<SortOrder>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid SortOrder: \"x\", must be one of DESCENDING, ASCENDING"
    );
}

#[test]
fn items_keep_every_member_nulls_and_unknowns() {
    let page = parse(
        r#"{"InitialContactId":"ic","NextToken":"","Transcript":[
          {"AbsoluteTime":"2021-08-20T01:40:17.153Z","Content":null,"ContentType":"application/vnd.amazonaws.connect.event.participant.joined","DisplayName":"a1","Id":"25d","ParticipantId":"8d3","ParticipantRole":"AGENT","Type":"EVENT","ContactId":"c1"},
          {"Id":"m","Type":"MESSAGE","Content":"hi","ContentType":"text/plain","ParticipantRole":"CUSTOM_BOT",
           "MessageMetadata":{"MessageId":"m","Receipts":[{"DeliveredTimestamp":"2024-07-14T23:41:28.735Z","RecipientParticipantId":"p"},{"ReadTimestamp":"2024-07-14T23:41:29Z"}],"MessageProcessingStatus":"FAILED"},
           "RelatedContactId":"old","InitialContactId":"ic","Future":{"a":[1]}},
          {"Type":"ATTACHMENT","ContentType":null,"Attachments":[{"AttachmentId":"a","AttachmentName":"f.txt","ContentType":"text/plain","Status":"APPROVED"},{"Status":"QUARANTINED"}]},
          {"Type":"MESSAGEMETADATA","ParticipantRole":"ROBOT"},
          null
        ]}"#,
    )
    .unwrap();
    assert_eq!(page.initial_contact_id.as_deref(), Some("ic"));
    assert_eq!(page.next_token.as_deref(), Some(""));
    assert_eq!(page.transcript.len(), 4);
    let joined = &page.transcript[0];
    assert_eq!(joined.content, None);
    assert_eq!(joined.item_type, Some(ItemType::Event));
    assert_eq!(joined.participant_role, Some(ParticipantRole::Agent));
    assert_eq!(joined.contact_id.as_deref(), Some("c1"));
    assert!(joined.unknown_members.is_empty());
    let m = &page.transcript[1];
    let meta = m.message_metadata.as_ref().unwrap();
    assert_eq!(meta.receipts.len(), 2);
    assert_eq!(
        meta.receipts[1].read_timestamp.as_ref().unwrap().as_str(),
        "2024-07-14T23:41:29Z"
    );
    assert_eq!(
        meta.message_processing_status,
        Some(MessageProcessingStatus::Failed)
    );
    assert_eq!(m.related_contact_id.as_deref(), Some("old"));
    assert_eq!(
        m.unknown_members,
        vec![
            ("Future".to_owned(), r#"{"a":[1]}"#.to_owned()),
            ("InitialContactId".to_owned(), r#""ic""#.to_owned())
        ]
    );
    let a = &page.transcript[2];
    assert_eq!(a.attachments[0].status, Some(ArtifactStatus::Approved));
    assert_eq!(
        a.attachments[1].status,
        Some(ArtifactStatus::Unknown("QUARANTINED".into()))
    );
    assert_eq!(
        page.transcript[3].item_type,
        Some(ItemType::MessageMetadata)
    );
    assert_eq!(
        page.transcript[3].participant_role,
        Some(ParticipantRole::Unknown("ROBOT".into()))
    );
}

#[test]
fn wrong_types_name_the_member() {
    let e = parse(r#"{"Transcript":[{"Id":"a"},{"Attachments":[{"Status":1}]}]}"#).unwrap_err();
    assert_eq!(
        e.0,
        "member Transcript[1].Attachments[0].Status is not a string"
    );
    let e = parse(r#"{"Transcript":{}}"#).unwrap_err();
    assert_eq!(e.0, "member Transcript is not a list");
    let e = parse(r#"{"Transcript":[7]}"#).unwrap_err();
    assert_eq!(e.0, "member Transcript[0] is not an object");
}

#[test]
fn pages_follow_next_token_and_stop_on_absent_empty_or_repeated() {
    for (last, pages) in [(None, 3), (Some(""), 3), (Some("t2"), 3)] {
        let mut sent = Vec::new();
        let fetched: Vec<_> = TranscriptPages::new(
            GetTranscriptRequest::new().with_max_results(1),
            |r: &GetTranscriptRequest| {
                sent.push(r.clone());
                let next = match r.next_token() {
                    None => Some("t1"),
                    Some("t1") => Some("t2"),
                    _ => last,
                };
                Ok(GetTranscriptOutput {
                    next_token: next.map(str::to_owned),
                    transcript: vec![Item::default()],
                    ..GetTranscriptOutput::default()
                })
            },
        )
        .collect();
        assert_eq!(fetched.len(), pages, "{last:?}");
        assert_eq!(
            sent[2],
            GetTranscriptRequest::new()
                .with_max_results(1)
                .with_next_token("t2")
        );
    }
}

#[test]
fn a_circle_of_tokens_ends_and_an_overlong_token_is_an_invalid_response() {
    // a -> b -> a: the second "a" was sent before, so the pages end there.
    let mut calls = 0;
    let pages: Vec<_> =
        TranscriptPages::new(GetTranscriptRequest::new(), |r: &GetTranscriptRequest| {
            calls += 1;
            let next = if r.next_token() == Some("a") {
                "b"
            } else {
                "a"
            };
            Ok(GetTranscriptOutput {
                next_token: Some(next.to_owned()),
                ..GetTranscriptOutput::default()
            })
        })
        .collect();
    assert_eq!(pages.len(), 3);
    assert_eq!(calls, 3);
    // The first request's own token counts as sent.
    let pages = TranscriptPages::new(
        GetTranscriptRequest::new().with_next_token("a"),
        |_: &GetTranscriptRequest| {
            Ok(GetTranscriptOutput {
                next_token: Some("a".to_owned()),
                ..GetTranscriptOutput::default()
            })
        },
    )
    .count();
    assert_eq!(pages, 1);
    let mut pages =
        TranscriptPages::new(GetTranscriptRequest::new(), |_: &GetTranscriptRequest| {
            Ok(GetTranscriptOutput {
                next_token: Some("t".repeat(1001)),
                ..GetTranscriptOutput::default()
            })
        });
    assert!(pages.next().unwrap().is_ok());
    let e = pages.next().unwrap().unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::InvalidResponse);
    assert_eq!(
        e.to_string(),
        "the service answered a NextToken of 1001 characters, which it could not take back \
         (1 to 1000); the pages end here"
    );
    assert!(pages.next().is_none());
}

#[test]
fn an_error_ends_the_pages_after_it_is_yielded() {
    let mut calls = 0;
    let mut items =
        TranscriptPages::new(GetTranscriptRequest::new(), |_: &GetTranscriptRequest| {
            calls += 1;
            if calls == 1 {
                Ok(GetTranscriptOutput {
                    next_token: Some("t".into()),
                    transcript: vec![Item::default(), Item::default()],
                    ..GetTranscriptOutput::default()
                })
            } else {
                Err(Error::invalid_config("boom"))
            }
        })
        .items();
    assert!(items.next().unwrap().is_ok());
    assert!(items.next().unwrap().is_ok());
    assert_eq!(items.next().unwrap().unwrap_err().to_string(), "boom");
    assert!(items.next().is_none());
    assert!(items.next().is_none());
}
