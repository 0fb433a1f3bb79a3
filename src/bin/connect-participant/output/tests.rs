//! What the program writes, exactly: each answer in both forms, lines that stay on one
//! line and free of control characters, and the shield's scrubbing.

use super::*;
use connect_participant::{ConnectionCredentials, ConnectionToken, Websocket};

#[test]
fn event_json_leaves_out_absent_members() {
    let mut out = SendEventOutput::default();
    assert_eq!(event_json(&out), "{}");
    assert_eq!(sent_line("typing", None, None), "sent typing");
    out.absolute_time = Timestamp::parse("2019-11-08T02:41:28.172Z").ok();
    assert_eq!(
        event_json(&out),
        r#"{"AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#
    );
    assert_eq!(
        sent_line("typing", None, out.absolute_time.as_ref()),
        "sent typing: at 2019-11-08T02:41:28.172Z"
    );
    out.id = Some("id-\"1\"\u{1b}[2J".into());
    assert_eq!(
        sent_line(
            "read receipt",
            out.id.as_deref(),
            out.absolute_time.as_ref()
        ),
        "sent read receipt: Id id-\"1\"\u{fffd}[2J at 2019-11-08T02:41:28.172Z"
    );
    assert_eq!(
        event_json(&out),
        r#"{"Id":"id-\"1\"\u001b[2J","AbsoluteTime":"2019-11-08T02:41:28.172Z"}"#
    );
}

fn connection(token: Option<&str>, url: bool) -> CreateParticipantConnectionOutput {
    let mut out = CreateParticipantConnectionOutput::default();
    if let Some(t) = token {
        let mut c = ConnectionCredentials::default();
        c.connection_token = Some(ConnectionToken::new(t).unwrap());
        c.expiry = Timestamp::parse("2019-11-09T02:41:28.172Z").ok();
        out.connection_credentials = Some(c);
    }
    if url {
        out.websocket = Some(Websocket::default());
    }
    out
}

#[test]
fn connection_output_prints_the_token_alone() {
    let out = connection(Some("conn-tok-1"), true);
    assert_eq!(
        connection_json(&out),
        r#"{"Websocket":{},"ConnectionCredentials":{"ConnectionToken":"conn-tok-1","Expiry":"2019-11-09T02:41:28.172Z"}}"#
    );
    let (printed, notes) = connection_human(&out);
    assert_eq!(printed.as_deref(), Some("conn-tok-1"));
    assert_eq!(
        notes,
        "printed the connection token (expires 2019-11-09T02:41:28.172Z): the other \
         commands read it from CONNECT_CONNECTION_TOKEN or standard input\n"
    );
    let (printed, notes) = connection_human(&connection(None, false));
    assert_eq!(printed, None);
    assert!(notes.starts_with("the service answered neither"), "{notes}");
    assert_eq!(connection_json(&connection(None, false)), "{}");
}

#[test]
fn attachment_answers_in_both_forms() {
    assert_eq!(
        uploaded_json("a-\"1\"", 3_000_000),
        r#"{"AttachmentId":"a-\"1\"","AttachmentSizeInBytes":3000000}"#
    );
    assert_eq!(
        uploaded_line("Report.pdf", "a-1\u{1b}[2J", 12),
        "uploaded Report.pdf: AttachmentId a-1\u{fffd}[2J, 12 bytes"
    );
    let mut out = GetAttachmentOutput::default();
    assert_eq!(attachment_json(&out), r#"{"AttachmentSizeInBytes":0}"#);
    assert_eq!(
        attachment_line(&out),
        "attachment of 0 bytes: the service gave no download URL"
    );
    out.url = Some(connect_participant::PresignedUrl::new(
        "https://s3/get?X-Amz-Signature=s3cr3t",
    ));
    out.url_expiry = Timestamp::parse("2019-11-08T02:46:28Z").ok();
    out.attachment_size_in_bytes = 48213;
    assert_eq!(
        attachment_json(&out),
        r#"{"Url":"https://s3/get?X-Amz-Signature=s3cr3t","UrlExpiry":"2019-11-08T02:46:28Z","AttachmentSizeInBytes":48213}"#
    );
    // The URL is a secret of sorts: only JSON shows it.
    let line = attachment_line(&out);
    assert_eq!(
        line,
        "attachment of 48213 bytes: download URL expires 2019-11-08T02:46:28Z"
    );
    assert!(ATTACHMENT_URL_NOTE.ends_with('\n') && !ATTACHMENT_URL_NOTE.contains("s3cr3t"));
    assert_eq!(
        saved_json(5, "out/a \"b\".pdf"),
        r#"{"AttachmentSizeInBytes":5,"OutputFile":"out/a \"b\".pdf"}"#
    );
    assert_eq!(saved_line(5, "out/a.pdf"), "saved 5 bytes to out/a.pdf");
}

#[test]
fn views_and_authentication_urls_in_both_forms() {
    use connect_participant::ViewContent;
    let mut out = DescribeViewOutput::default();
    assert_eq!(view_json(&out), "{}");
    let mut view = View::default();
    assert_eq!(view_lines(&view), Vec::<String>::new());
    view.id = Some("v1".into());
    view.arn = Some("arn:aws:connect:us-west-2:1:instance/i/view/v1".into());
    view.name = Some("Form\u{1b}".into());
    view.version = Some(3);
    let mut content = ViewContent::default();
    content.actions = vec!["Submit".into(), "Cancel".into()];
    content.input_schema = Some("{}".into());
    content.template = Some("{\n  \"Head\": \"Hi\"\n}".into());
    view.content = Some(content);
    out.view = Some(view.clone());
    assert_eq!(
        view_json(&out),
        r#"{"View":{"Id":"v1","Arn":"arn:aws:connect:us-west-2:1:instance/i/view/v1","Name":"Form\u001b","Version":3,"Content":{"InputSchema":"{}","Template":"{\n  \"Head\": \"Hi\"\n}","Actions":["Submit","Cancel"]}}}"#
    );
    assert_eq!(
        view_lines(&view),
        [
            "Id: v1",
            "Arn: arn:aws:connect:us-west-2:1:instance/i/view/v1",
            "Name: Form\u{fffd}",
            "Version: 3",
            "Actions: Submit, Cancel",
            "InputSchema: {}",
            "Template: {   \"Head\": \"Hi\" }",
        ]
    );
    let mut out = GetAuthenticationUrlOutput::default();
    assert_eq!(authentication_url_json(&out), "{}");
    out.authentication_url = Some("https://auth.example.com/login?s=1".into());
    assert_eq!(
        authentication_url_json(&out),
        r#"{"AuthenticationUrl":"https://auth.example.com/login?s=1"}"#
    );
}

#[test]
fn item_line_is_readable_and_safe() {
    let mut item = Item::default();
    assert_eq!(item_line(&item), "- - - [-]");
    assert_eq!(item_json(&item), "{}");
    item.absolute_time = Timestamp::parse("2019-11-08T02:41:28.172Z").ok();
    item.participant_role = Some("AGENT".into());
    item.display_name = Some("Ann\u{1b}[2J".into());
    item.content_type = Some("text/plain".into());
    item.content = Some(format!("line 1\nline\u{7}2 {}", "x".repeat(200)));
    let line = item_line(&item);
    assert!(
        line.starts_with(
            "2019-11-08T02:41:28.172Z AGENT Ann\u{fffd}[2J [text/plain] line 1 \
             line\u{fffd}2 xxx"
        ),
        "{line}"
    );
    assert!(line.ends_with('…'), "{line}");
    assert_eq!(
        line.chars().count(),
        "2019-11-08T02:41:28.172Z AGENT Ann\u{fffd}[2J [text/plain] "
            .chars()
            .count()
            + MAX_HUMAN_CONTENT
            + 1
    );
    item.unknown_members = vec![("Zeta".into(), "[1,{\"a\":null}]".into())];
    let json = item_json(&item);
    assert!(
        json.starts_with(
            "{\"AbsoluteTime\":\"2019-11-08T02:41:28.172Z\",\"Content\":\"line 1\\nline\\u00072 "
        ),
        "{json}"
    );
    assert!(
        json.ends_with(
            "\"ContentType\":\"text/plain\",\"DisplayName\":\"Ann\\u001b[2J\",\
             \"ParticipantRole\":\"AGENT\",\"Zeta\":[1,{\"a\":null}]}"
        ),
        "{json}"
    );
}

#[test]
fn watch_lines_name_the_event_and_hold_the_whole_item() {
    use connect_participant::{MessageMetadata, Receipt};
    let time = |t: &str| Timestamp::parse(t).ok();
    let mut item = Item::default();
    item.id = Some("m-1".into());
    item.item_type = Some("MESSAGE".into());
    item.content_type = Some("text/plain".into());
    item.content = Some("Hi \"there\"\n".into());
    item.participant_role = Some("AGENT".into());
    item.absolute_time = time("2019-11-08T02:41:28.172Z");
    assert_eq!(
        watch_json(&Event::Message(item.clone())),
        r#"{"Event":"message","Item":{"AbsoluteTime":"2019-11-08T02:41:28.172Z","Content":"Hi \"there\"\n","ContentType":"text/plain","Id":"m-1","Type":"MESSAGE","ParticipantRole":"AGENT"}}"#
    );
    assert_eq!(
        watch_json(&Event::Update(item.clone())),
        watch_json(&Event::Message(item.clone())).replace("\"message\"", "\"update\"")
    );
    // The end learnt without an item: the event alone.
    assert_eq!(watch_line("chat.ended", None), r#"{"Event":"chat.ended"}"#);
    // A receipt item: every member, receipts and streamed-chunk members included,
    // then the members this crate does not know.
    let mut receipt = Receipt::default();
    receipt.recipient_participant_id = Some("p-2".into());
    receipt.delivered_timestamp = time("2019-11-08T02:41:29Z");
    receipt.read_timestamp = time("2019-11-08T02:41:30Z");
    let mut meta = MessageMetadata::default();
    meta.message_id = Some("m-1".into());
    meta.receipts = vec![receipt];
    meta.message_completed = Some(false);
    meta.chunk_number = Some(2);
    let mut r = Item::default();
    r.id = Some("r-1".into());
    r.item_type = Some("MESSAGEMETADATA".into());
    r.message_metadata = Some(meta);
    r.contact_id = Some("c-1".into());
    r.unknown_members = vec![("Later".into(), r#"{"x":[1,true]}"#.into())];
    assert_eq!(
        watch_line("read", Some(&r)),
        r#"{"Event":"read","Item":{"Id":"r-1","Type":"MESSAGEMETADATA","MessageMetadata":{"MessageId":"m-1","Receipts":[{"DeliveredTimestamp":"2019-11-08T02:41:29Z","ReadTimestamp":"2019-11-08T02:41:30Z","RecipientParticipantId":"p-2"}],"MessageCompleted":false,"ChunkNumber":2},"ContactId":"c-1","Later":{"x":[1,true]}}}"#
    );
    // Each line is one JSON object on one line, whatever the content holds.
    for line in [
        watch_json(&Event::Typing(item.clone())),
        watch_line("read", Some(&r)),
    ] {
        assert!(!line.contains('\n'), "{line}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(v["Event"].is_string() && v["Item"].is_object(), "{line}");
    }
}

/// A realistic token: hundreds of base64 characters.
fn long_token() -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..300usize)
        .map(|i| char::from(alphabet[(i * 37 + i / 7) % 64]))
        .collect()
}

#[test]
fn output_is_scrubbed_of_both_tokens_and_foreign_text_of_long_arguments() {
    let token = long_token();
    let participant = "participant-token-0123456789".to_owned();
    let long_url = format!("http://127.0.0.1:1/{}", "p".repeat(MAX_SHOWN_CHARS));
    let args = vec!["--endpoint".to_owned(), long_url.clone()];
    let tokens = vec![
        (TokenKind::Connection, token.clone()),
        (TokenKind::Participant, participant.clone()),
    ];
    let shield = Shield::new(&tokens, &args);
    let text = format!("a {token} b {} c {participant}\n", &token[7..40]);
    assert_eq!(
        shield.own(&text),
        "a [redacted] b [redacted] c [redacted]\n"
    );
    let text = format!("the request to {long_url} failed; token {token}");
    assert_eq!(
        shield.foreign(&text),
        "the request to [redacted] failed; token [redacted]"
    );
    // This program's own text is not scrubbed of arguments.
    assert_eq!(shield.own(&long_url), long_url);
    // create-participant-connection's answer keeps the connection token it prints.
    let answer = format!("{token} {participant}");
    assert_eq!(
        shield.answer(Name::CreateParticipantConnection, &answer),
        format!("{token} [redacted]")
    );
    assert_eq!(
        shield.answer(Name::SendMessage, &answer),
        "[redacted] [redacted]"
    );
    // A tiny token is not looked for.
    let tiny = vec![(TokenKind::Connection, "abc".to_owned())];
    assert_eq!(Shield::new(&tiny, &[]).own("abc"), "abc");
}
