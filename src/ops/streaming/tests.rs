use super::*;
use crate::ErrorKind;
use crate::ops::transcript::ItemType;

/// The "Example SNS payload" of the Amazon Connect Administrator Guide, "Amazon SNS payload
/// used in message streaming", quoted as published:
/// <https://docs.aws.amazon.com/connect/latest/adminguide/sns-payload.html>
/// (source: awsdocs/amazon-connect-admin-guide, doc_source/sns-payload.md).
const AWS_EXAMPLE: &str = r#"{
  "Type" : "Notification",
  "MessageId" : "ccccccccc-cccc-cccc-cccc-ccccccccccccc",
  "TopicArn" : "arn:aws:sns:us-west-2:009969138378:connector-svc-test",
  "Message" :  "{\"AbsoluteTime\":\"2021-09-08T13:28:24.656Z\",\"Content\":\"help\",\"ContentType\":\"text/plain\",\"Id\":\"333333333-be0d-4a44-889d-d2a86fc06f0c\",\"Type\":\"MESSAGE\",\"ParticipantId\":\"bbbbbbbb-c562-4d95-b76c-dcbca8b4b5f7\",\"DisplayName\":\"Jane\",\"ParticipantRole\":\"CUSTOMER\",\"InitialContactId\":\"33333333-abc5-46db-9ad5-d772559ab556\",\"ContactId\":\"33333333-abc5-46db-9ad5-d772559ab556\"}",
  "Timestamp" : "2021-09-08T13:28:24.860Z",
  "SignatureVersion" : "1",
  "Signature" : "examplegggggg/1tEBYdiVDgJgBoJUniUFcArLFGfg5JCvpOr/v6LPCHiD7A0BWy8+ZOnGTmOjBMn80U9jSzYhKbHDbQHaNYTo9sRyQA31JtHHiIseQeMfTDpcaAXqfs8hdIXq4XZaJYqDFqosfbvh56VPh5QgmeHTltTc7eOZBUwnt/177eOTLTt2yB0ItMV3NAYuE1Tdxya1lLYZQUIMxETTVcRAZkDIu8TbRZC9a00q2RQVjXhDaU3k+tL+kk85syW/2ryjjkDYoUb+dyRGkqMy4aKA22UpfidOtdAZ/GGtXaXSKBqazZTEUuSEzt0duLtFntQiYJanU05gtDig==",
  "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-11111111111111111111111111111111.pem",
  "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:000000000000:connector-svc-test:22222222-aaaa-bbbb-cccc-333333333333",
  "MessageAttributes" : {
    "InitialContactId" : {"Type":"String","Value":"33333333-abc5-46db-9ad5-d772559ab556"},
    "MessageVisibility" : {"Type":"String","Value":"ALL"},
    "Type" : {"Type":"String","Value":"MESSAGE"},
    "AccountId" : {"Type":"String","Value":"999999999999"},
    "ContentType" : {"Type":"String","Value":"text/plain"},
    "InstanceId" : {"Type":"String","Value":"dddddddd-b64e-40c5-921b-109fd92499ae"},
    "ContactId" : {"Type":"String","Value":"33333333-abc5-46db-9ad5-d772559ab556"},
    "ParticipantRole" : {"Type":"String","Value":"CUSTOMER"}
  }
}"#;

/// The example's `Message`, unescaped: what raw message delivery posts.
const AWS_EXAMPLE_BODY: &str = r#"{"AbsoluteTime":"2021-09-08T13:28:24.656Z","Content":"help","ContentType":"text/plain","Id":"333333333-be0d-4a44-889d-d2a86fc06f0c","Type":"MESSAGE","ParticipantId":"bbbbbbbb-c562-4d95-b76c-dcbca8b4b5f7","DisplayName":"Jane","ParticipantRole":"CUSTOMER","InitialContactId":"33333333-abc5-46db-9ad5-d772559ab556","ContactId":"33333333-abc5-46db-9ad5-d772559ab556"}"#;

const INITIAL: &str = "33333333-abc5-46db-9ad5-d772559ab556";

/// A notification around `body` (a JSON object's text), with `visibility` if any.
fn notification(body: &str, visibility: Option<&str>) -> String {
    let mut n = serde_json::json!({
        "Type": "Notification",
        "MessageId": "n-1",
        "TopicArn": "arn:aws:sns:us-west-2:009969138378:connector-svc-test",
        "Message": body,
    });
    if let Some(v) = visibility {
        n["MessageAttributes"] =
            serde_json::json!({ "MessageVisibility": { "Type": "String", "Value": v } });
    }
    n.to_string()
}

fn invalid(payload: &str) -> (Option<&'static str>, String) {
    let e = StreamingMessage::parse(payload).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    (e.field(), e.to_string())
}

#[test]
fn the_published_example_reads_every_member_of_the_item_and_its_attributes() {
    let s = StreamingMessage::parse(AWS_EXAMPLE).unwrap();
    let item = &s.item;
    assert_eq!(
        item.absolute_time.as_ref().map(|t| t.as_str()),
        Some("2021-09-08T13:28:24.656Z")
    );
    assert_eq!(item.content.as_deref(), Some("help"));
    assert_eq!(item.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        item.id.as_deref(),
        Some("333333333-be0d-4a44-889d-d2a86fc06f0c")
    );
    assert_eq!(item.item_type, Some(ItemType::Message));
    assert_eq!(
        item.participant_id.as_deref(),
        Some("bbbbbbbb-c562-4d95-b76c-dcbca8b4b5f7")
    );
    assert_eq!(item.display_name.as_deref(), Some("Jane"));
    assert_eq!(item.participant_role, Some(ParticipantRole::Customer));
    assert_eq!(item.contact_id.as_deref(), Some(INITIAL));
    // InitialContactId is no member of the API model's Item: kept, as unknown members are.
    assert_eq!(
        item.unknown_members,
        vec![("InitialContactId".to_owned(), format!("\"{INITIAL}\""))]
    );
    assert_eq!(s.visibility, Some(MessageVisibility::All));
    assert_eq!(s.initial_contact_id.as_deref(), Some(INITIAL));
    assert_eq!(
        s.notification_id.as_deref(),
        Some("ccccccccc-cccc-cccc-cccc-ccccccccccccc")
    );
    // In the service's shape again, the unknown member after the known ones.
    assert_eq!(
        item.to_json(),
        r#"{"AbsoluteTime":"2021-09-08T13:28:24.656Z","Content":"help","ContentType":"text/plain","Id":"333333333-be0d-4a44-889d-d2a86fc06f0c","Type":"MESSAGE","ParticipantId":"bbbbbbbb-c562-4d95-b76c-dcbca8b4b5f7","DisplayName":"Jane","ParticipantRole":"CUSTOMER","ContactId":"33333333-abc5-46db-9ad5-d772559ab556","InitialContactId":"33333333-abc5-46db-9ad5-d772559ab556"}"#
    );
    // The guide's rule: the customer said it, so it goes to the agent only.
    assert!(s.forwards_to_agent());
    assert!(!s.forwards_to_customer());
}

#[test]
fn the_bare_body_of_raw_delivery_reads_to_the_same_item_without_attributes() {
    let whole = StreamingMessage::parse(AWS_EXAMPLE).unwrap();
    let bare = StreamingMessage::parse(AWS_EXAMPLE_BODY).unwrap();
    assert_eq!(bare.item, whole.item);
    assert_eq!(bare.initial_contact_id.as_deref(), Some(INITIAL));
    assert_eq!(bare.visibility, None);
    assert_eq!(bare.notification_id, None);
    assert_eq!(bare.item, Item::from_json(AWS_EXAMPLE_BODY).unwrap());
    assert!(!bare.forwards_to_agent() && !bare.forwards_to_customer());
}

#[test]
fn visibility_is_an_open_enum_and_the_guides_forwarding_rule_follows_it() {
    // (visibility, sender) -> (to the customer, to the agent)
    let cases = [
        (Some("CUSTOMER"), "AGENT", true, false),
        (Some("CUSTOMER"), "CUSTOMER", false, false),
        (Some("AGENT"), "CUSTOMER", false, true),
        (Some("AGENT"), "AGENT", false, false),
        (Some("ALL"), "SYSTEM", true, true),
        (Some("ALL"), "AGENT", true, false),
        (Some("SUPERVISOR"), "AGENT", false, false),
        (Some("all"), "AGENT", false, false),
        (None, "AGENT", false, false),
    ];
    for (visibility, role, customer, agent) in cases {
        let body = format!(r#"{{"ParticipantRole":"{role}","Type":"MESSAGE"}}"#);
        let s = StreamingMessage::parse(&notification(&body, visibility)).unwrap();
        assert_eq!(s.visibility, visibility.map(MessageVisibility::from));
        assert_eq!(s.forwards_to_customer(), customer, "{visibility:?} {role}");
        assert_eq!(s.forwards_to_agent(), agent, "{visibility:?} {role}");
    }
    let unknown = StreamingMessage::parse(&notification("{}", Some("SUPERVISOR"))).unwrap();
    assert_eq!(
        unknown.visibility,
        Some(MessageVisibility::Unknown("SUPERVISOR".into()))
    );
}

#[test]
fn initial_contact_id_comes_from_the_item_else_from_the_attribute() {
    let with_attribute = |body: &str| {
        serde_json::json!({
            "Type": "Notification",
            "Message": body,
            "MessageAttributes": {
                "InitialContactId": { "Type": "String", "Value": "from-attribute" },
                "Unrelated": { "Type": "Number", "Value": "7" },
            },
        })
        .to_string()
    };
    let s = StreamingMessage::parse(&with_attribute(r#"{"InitialContactId":"from-item"}"#));
    assert_eq!(s.unwrap().initial_contact_id.as_deref(), Some("from-item"));
    let s = StreamingMessage::parse(&with_attribute(r#"{"InitialContactId":null}"#));
    assert_eq!(
        s.unwrap().initial_contact_id.as_deref(),
        Some("from-attribute")
    );
    let s = StreamingMessage::parse(&notification("{}", None)).unwrap();
    assert_eq!(s.initial_contact_id, None);
    assert_eq!(s.item, Item::default());
}

#[test]
fn sns_messages_that_are_not_notifications_are_told_apart_and_carry_no_item() {
    // Built from the members of SNS's "HTTP/HTTPS subscription confirmation JSON format",
    // https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html,
    // its Message quoted as published.
    let confirmation = r#"{
      "Type" : "SubscriptionConfirmation",
      "MessageId" : "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
      "Token" : "2336412f37SECRETTOKEN",
      "TopicArn" : "arn:aws:sns:us-east-2:123456789012:MyTopic",
      "Message" : "You have chosen to subscribe to the topic arn:aws:sns:us-east-2:123456789012:MyTopic.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
      "SubscribeURL" : "https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-2:123456789012:MyTopic&Token=2336412f37SECRETTOKEN",
      "Timestamp" : "2012-04-26T20:45:04.751Z",
      "SignatureVersion" : "1",
      "Signature" : "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
      "SigningCertURL" : "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"
    }"#;
    let (field, message) = invalid(confirmation);
    assert_eq!(field, Some("SNS Type"));
    assert!(message.starts_with("invalid SNS Type: an SNS SubscriptionConfirmation, not a Notification: it carries no chat item"), "{message}");
    for secret in ["SECRETTOKEN", "ConfirmSubscription&", "You have chosen"] {
        assert!(!message.contains(secret), "{message}");
    }
    let unsubscribe = confirmation.replace(
        "\"SubscriptionConfirmation\"",
        "\"UnsubscribeConfirmation\"",
    );
    let (field, message) = invalid(&unsubscribe);
    assert_eq!(field, Some("SNS Type"));
    assert!(
        message.starts_with("invalid SNS Type: an SNS UnsubscribeConfirmation, not a Notification"),
        "{message}"
    );
    // Another type, or none, beside a Message: not a notification either.
    let (field, message) = invalid(r#"{"Type":"Weird","Message":"{}"}"#);
    assert_eq!(
        (field, message.as_str()),
        (
            Some("SNS Type"),
            "invalid SNS Type: \"Weird\", not Notification"
        )
    );
    let (field, message) = invalid(r#"{"Message":"{}","TopicArn":"t"}"#);
    assert_eq!(
        (field, message.as_str()),
        (
            Some("SNS Type"),
            "invalid SNS Type: absent, not Notification"
        )
    );
    let (field, message) = invalid(r#"{"Type":"notification","Message":"{}"}"#);
    assert_eq!(
        (field, message.as_str()),
        (
            Some("SNS Type"),
            "invalid SNS Type: \"notification\", not Notification"
        )
    );
    // SNS types are told apart from an item's Type even without the other members.
    let (field, _) = invalid(r#"{"Type":"SubscriptionConfirmation"}"#);
    assert_eq!(field, Some("SNS Type"));
}

#[test]
fn a_notification_of_any_other_message_is_refused_by_its_body() {
    // SNS's own example notification ("HTTP/HTTPS notification JSON format",
    // https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html): its Message is
    // text, not a chat item.
    let hello = r#"{"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324","TopicArn":"arn:aws:sns:us-west-2:123456789012:MyTopic","Subject":"My First Message","Message":"Hello world!","Timestamp":"2012-05-02T00:54:06.655Z","SignatureVersion":"1"}"#;
    let (field, message) = invalid(hello);
    assert_eq!(field, Some("SNS Message"));
    assert!(
        message.starts_with("invalid SNS Message: not JSON ("),
        "{message}"
    );
    assert!(!message.contains("Hello"), "{message}");
}

#[test]
fn hostile_payloads_are_refused_saying_what_and_where_never_echoing_content() {
    let secret = "s3cr3t-c0ntent";
    let cases: Vec<(String, &str, &str)> = vec![
        (String::new(), "streaming payload", "invalid streaming payload: not JSON (EOF while parsing a value at line 1 column 0)"),
        (format!("not json {secret}"), "streaming payload", "invalid streaming payload: not JSON (expected ident at line 1 column 2)"),
        (format!("[\"{secret}\"]"), "streaming payload", "invalid streaming payload: not a JSON object"),
        ("null".into(), "streaming payload", "invalid streaming payload: not a JSON object"),
        (format!("{{\"Content\":\"{secret}\"}} trailing"), "streaming payload", "invalid streaming payload: not JSON (trailing characters at line 1 column 30)"),
        (format!(r#"{{"Type":"Notification","Message":7,"Content":"{secret}"}}"#), "SNS notification", "invalid SNS notification: member Message is not a string"),
        (r#"{"Type":"Notification","Message":{"Content":"x"}}"#.into(), "SNS notification", "invalid SNS notification: member Message is not a string"),
        (r#"{"Type":"Notification","Message":null}"#.into(), "SNS notification", "invalid SNS notification: no Message: a notification carries the item there"),
        (r#"{"Type":"Notification","TopicArn":"t"}"#.into(), "SNS notification", "invalid SNS notification: no Message: a notification carries the item there"),
        (r#"{"Type":7,"Message":"{}"}"#.into(), "SNS notification", "invalid SNS notification: member Type is not a string"),
        (r#"{"Type":"Notification","MessageId":[],"Message":"{}"}"#.into(), "SNS notification", "invalid SNS notification: member MessageId is not a string"),
        (r#"{"Type":"Notification","Message":"{}","MessageAttributes":[]}"#.into(), "SNS notification", "invalid SNS notification: member MessageAttributes is not an object"),
        (r#"{"Type":"Notification","Message":"{}","MessageAttributes":{"MessageVisibility":"ALL"}}"#.into(), "SNS notification", "invalid SNS notification: member MessageAttributes.MessageVisibility is not an object"),
        (r#"{"Type":"Notification","Message":"{}","MessageAttributes":{"MessageVisibility":{"Value":1}}}"#.into(), "SNS notification", "invalid SNS notification: member MessageAttributes.MessageVisibility.Value is not a string"),
        (notification(&format!("{secret} not json"), None), "SNS Message", "invalid SNS Message: not JSON (expected value at line 1 column 1)"),
        (notification(&format!("[\"{secret}\"]"), None), "SNS Message", "invalid SNS Message: not a JSON object"),
        (notification("", None), "SNS Message", "invalid SNS Message: not JSON (EOF while parsing a value at line 1 column 0)"),
        (notification(&format!(r#"{{"Content":["{secret}"]}}"#), None), "SNS Message", "invalid SNS Message: member Content is not a string"),
        (notification(r#"{"InitialContactId":{"x":1}}"#, None), "SNS Message", "invalid SNS Message: member InitialContactId is not a string"),
        (notification(r#"{"MessageMetadata":{"Receipts":[{"ReadTimestamp":5}]}}"#, None), "SNS Message", "invalid SNS Message: member MessageMetadata.Receipts[0].ReadTimestamp is not a string"),
        (format!(r#"{{"Content":"{secret}","Id":5}}"#), "SNS Message", "invalid SNS Message: member Id is not a string"),
    ];
    for (payload, field, message) in cases {
        let (f, m) = invalid(&payload);
        assert_eq!((f, m.as_str()), (Some(field), message), "{payload}");
        assert!(!m.contains(secret), "{m}");
    }
}

#[test]
fn nesting_deep_enough_to_blow_a_stack_is_refused_not_followed() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let (field, message) = invalid(&deep);
    assert_eq!(field, Some("streaming payload"));
    assert!(message.contains("recursion limit exceeded"), "{message}");
    // The same inside the Message string, and inside an item member kept as unknown.
    let (field, message) = invalid(&notification(&deep, None));
    assert_eq!(field, Some("SNS Message"));
    assert!(message.contains("recursion limit exceeded"), "{message}");
    let inner = format!(
        r#"{{"Later":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (field, _) = invalid(&notification(&inner, None));
    assert_eq!(field, Some("SNS Message"));
    // Garbage that nests within the limit is kept as it came, as unknown members are.
    let odd = r#"{"Later":{"a":[1,{"b":[null,true,"x"]}]},"Type":"EVENT"}"#;
    let s = StreamingMessage::parse(&notification(odd, Some("AGENT"))).unwrap();
    assert_eq!(
        s.item.unknown_members,
        vec![(
            "Later".to_owned(),
            r#"{"a":[1,{"b":[null,true,"x"]}]}"#.to_owned()
        )]
    );
}

#[test]
fn a_payload_over_the_limit_is_refused_by_its_size_before_it_is_read() {
    let padding = |n: usize| {
        let open = r#"{"Content":""#;
        let close = r#""}"#;
        format!("{open}{}{close}", "a".repeat(n - open.len() - close.len()))
    };
    let at_limit = padding(MAX_STREAMING_PAYLOAD);
    assert_eq!(at_limit.len(), MAX_STREAMING_PAYLOAD);
    let s = StreamingMessage::parse(&at_limit).unwrap();
    assert_eq!(
        s.item.content.map(|c| c.len()),
        Some(MAX_STREAMING_PAYLOAD - 14)
    );
    let over = padding(MAX_STREAMING_PAYLOAD + 1);
    let (field, message) = invalid(&over);
    assert_eq!(field, Some("streaming payload"));
    assert_eq!(
        message,
        "invalid streaming payload: 262145 bytes, more than the 262144 an SNS message holds"
    );
    // Refused by size even when it is not JSON at all.
    let (_, message) = invalid(&"x".repeat(10 * MAX_STREAMING_PAYLOAD));
    assert!(message.contains("2621440 bytes"), "{message}");
}

#[cfg(feature = "websocket")]
#[test]
fn events_are_the_streams_for_messages_events_receipts_and_the_end() {
    use crate::Event;
    use crate::chat::content_types as ct;

    let events = |body: &str| {
        StreamingMessage::parse(&notification(body, Some("ALL")))
            .unwrap()
            .events()
    };
    let message = events(AWS_EXAMPLE_BODY);
    let [Event::Message(item)] = message.as_slice() else {
        panic!("one message")
    };
    assert_eq!(item.content.as_deref(), Some("help"));
    let typing = format!(r#"{{"Type":"EVENT","ContentType":"{}"}}"#, ct::TYPING);
    assert!(matches!(events(&typing).as_slice(), [Event::Typing(_)]));
    let ended = format!(r#"{{"Type":"EVENT","ContentType":"{}"}}"#, ct::CHAT_ENDED);
    assert!(matches!(events(&ended).as_slice(), [Event::ChatEnded(end)] if end.item.is_some()));
    let joined = format!(
        r#"{{"Type":"EVENT","ContentType":"{}"}}"#,
        ct::PARTICIPANT_JOINED
    );
    assert!(matches!(
        events(&joined).as_slice(),
        [Event::ParticipantJoined(_)]
    ));
    let receipts = r#"{"Type":"MESSAGEMETADATA","MessageMetadata":{"MessageId":"m-1","Receipts":[
        {"DeliveredTimestamp":"2021-09-08T13:28:25.000Z","RecipientParticipantId":"a"},
        {"ReadTimestamp":"2021-09-08T13:28:26.000Z","RecipientParticipantId":"b"}]}}"#;
    let got = events(receipts);
    let [Event::Delivered(d), Event::Read(r)] = got.as_slice() else {
        panic!("{got:?}")
    };
    assert_eq!(
        (d.message_id.as_deref(), d.recipient.as_deref()),
        (Some("m-1"), Some("a"))
    );
    assert_eq!(
        (r.message_id.as_deref(), r.recipient.as_deref()),
        (Some("m-1"), Some("b"))
    );
    let unknown = r#"{"Type":"SOMETHING_NEW","ContentType":"application/x-new"}"#;
    assert!(matches!(events(unknown).as_slice(), [Event::Other(_)]));
}
