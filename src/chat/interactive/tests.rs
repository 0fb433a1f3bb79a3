//! Unit tests of the interactive readers and answers: every template as the documentation
//! and the hosted chat interface show it, unknown templates, malformed and huge content,
//! and the answers' exact bytes and limits.

use super::*;
use crate::ErrorKind;
use crate::ops::message::{MessageContentType, SendMessageRequest};

/// The administrator guide's list picker, with the chat interface's paging members.
const LIST_PICKER: &str = r#"{"templateType":"ListPicker","version":"1.0","data":{
  "replyMessage":{"title":"Thanks for selecting!","subtitle":"Produce selected","imageType":"URL",
    "imageData":"https://example.com/fruit.jpg","imageDescription":"Select a produce to buy"},
  "content":{"title":"What produce would you like to buy?","subtitle":"Tap to select option",
    "imageType":"URL","imageData":"https://example.com/fruit.jpg",
    "imageDescription":"Select a produce to buy","listId":"serviceList",
    "referenceId":"320435df-2e3c-47ea-9206-e64f81dd8e3c","preIndex":-1,"nextIndex":5,
    "elements":[
      {"title":"Apple","subtitle":"$1.00","imageType":"URL","imageData":"https://example.com/apple.jpg"},
      {"title":"Show more","actionDetail":"SHOW_MORE"},
      {"subtitle":"no title"}]}}}"#;

const TIME_PICKER: &str = r#"{"templateType":"TimePicker","version":"1.0","data":{
  "replyMessage":{"title":"Thanks for selecting","subtitle":"Appointment selected"},
  "content":{"title":"Schedule appointment","subtitle":"Tap to select option",
    "timeZoneOffset":-450,
    "location":{"latitude":47.616299,"longitude":-122.4311,"title":"Oscar","radius":1},
    "timeslots":[{"date":"2026-12-07T10:00+00:00","duration":60},
                 {"date":"2026-12-08T10:00+00:00","duration":30}]}}}"#;

const PANEL: &str = r#"{"templateType":"Panel","version":"1.0","data":{
  "replyMessage":{"title":"Thanks for selecting!"},
  "content":{"title":"How can I help you?","subtitle":"Tap to select option",
    "imageType":"URL","imageData":"https://example.com/help.jpg","imageDescription":"Help",
    "elements":[{"title":"Check self-service options"},{"title":"Talk to an agent"}]}}}"#;

const QUICK_REPLY: &str = r#"{"templateType":"QuickReply","version":"1.0","data":{
  "replyMessage":{"title":"Thanks for selecting!"},
  "content":{"title":"Which department?",
    "elements":[{"title":"Billing"},{"title":"Cancellation"},{"title":"New service"}]}}}"#;

const CAROUSEL: &str = r#"{"templateType":"Carousel","version":"1.0","data":{"content":{
  "title":"View our popular destinations","elements":[
    {"templateIdentifier":"template0","templateType":"Panel","version":"1.0","data":{
      "content":{"title":"California","imageType":"URL","imageData":"https://example.com/ca.jpg",
        "elements":[{"title":"Book hotel"},{"title":"Book flight"}]}}},
    {"templateIdentifier":"template1","templateType":"Carousel","version":"1.0","data":{}}]}}}"#;

fn parse(content: &str) -> InteractiveMessage {
    InteractiveMessage::parse(content).unwrap_or_else(|e| panic!("{e}: {content}"))
}

fn image(data: &str) -> Option<Image> {
    Some(Image {
        image_type: Some("URL".into()),
        data: Some(data.into()),
        description: None,
    })
}

fn element(title: &str) -> Element {
    Element {
        title: Some(title.into()),
        subtitle: None,
        image: None,
        action_detail: None,
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.into())
}

#[test]
fn a_list_picker_is_read_whole() {
    let m = parse(LIST_PICKER);
    assert_eq!(m.template_type, "ListPicker");
    assert_eq!(m.version.as_deref(), Some("1.0"));
    let Template::ListPicker(lp) = m.template else {
        panic!("{:?}", m.template)
    };
    let expected = ListPicker {
        title: some("What produce would you like to buy?"),
        subtitle: some("Tap to select option"),
        image: Some(Image {
            description: some("Select a produce to buy"),
            ..image("https://example.com/fruit.jpg").unwrap()
        }),
        elements: vec![
            Element {
                subtitle: some("$1.00"),
                image: image("https://example.com/apple.jpg"),
                ..element("Apple")
            },
            Element {
                action_detail: some("SHOW_MORE"),
                ..element("Show more")
            },
            Element {
                title: None,
                subtitle: some("no title"),
                ..element("")
            },
        ],
        reply_message: Some(ReplyMessage {
            title: some("Thanks for selecting!"),
            subtitle: some("Produce selected"),
            image: Some(Image {
                description: some("Select a produce to buy"),
                ..image("https://example.com/fruit.jpg").unwrap()
            }),
        }),
        reference_id: some("320435df-2e3c-47ea-9206-e64f81dd8e3c"),
        list_id: some("serviceList"),
        pre_index: Some(-1),
        next_index: Some(5),
    };
    assert_eq!(lp, expected);
}

#[test]
fn a_time_picker_panel_quick_reply_and_carousel_are_read() {
    let Template::TimePicker(tp) = parse(TIME_PICKER).template else {
        panic!()
    };
    assert_eq!(tp.title.as_deref(), Some("Schedule appointment"));
    assert_eq!(tp.time_zone_offset, Some(-450));
    let location = tp.location.as_ref().unwrap();
    assert_eq!(location.latitude, Some(47.616299));
    assert_eq!(location.longitude, Some(-122.4311));
    assert_eq!(location.title.as_deref(), Some("Oscar"));
    assert_eq!(location.radius, Some(1));
    assert_eq!(
        tp.timeslots,
        [
            TimeSlot {
                date: some("2026-12-07T10:00+00:00"),
                duration: Some(60)
            },
            TimeSlot {
                date: some("2026-12-08T10:00+00:00"),
                duration: Some(30)
            },
        ]
    );
    assert_eq!(
        tp.reply_message.unwrap().subtitle.as_deref(),
        Some("Appointment selected")
    );

    let Template::Panel(p) = parse(PANEL).template else {
        panic!()
    };
    assert_eq!(p.title.as_deref(), Some("How can I help you?"));
    assert_eq!(p.image.unwrap().description.as_deref(), Some("Help"));
    assert_eq!(
        p.elements,
        [
            element("Check self-service options"),
            element("Talk to an agent")
        ]
    );

    let Template::QuickReply(q) = parse(QUICK_REPLY).template else {
        panic!()
    };
    assert_eq!(q.title.as_deref(), Some("Which department?"));
    assert_eq!(q.subtitle, None);
    assert_eq!(q.elements.len(), 3);
    assert_eq!(q.elements[2], element("New service"));

    let Template::Carousel(c) = parse(CAROUSEL).template else {
        panic!()
    };
    assert_eq!(c.title.as_deref(), Some("View our popular destinations"));
    assert_eq!(c.elements.len(), 2);
    assert_eq!(
        c.elements[0].template_identifier.as_deref(),
        Some("template0")
    );
    let Template::Panel(panel) = &c.elements[0].template else {
        panic!()
    };
    assert_eq!(panel.elements[1], element("Book flight"));
    // A carousel in a carousel is not read: kept whole, as JSON.
    assert_eq!(
        c.elements[1].template,
        Template::Other(
            r#"{"data":{},"templateIdentifier":"template1","templateType":"Carousel","version":"1.0"}"#
                .into()
        )
    );
}

#[test]
fn unknown_templates_are_kept_as_json_never_an_error() {
    let view = r#"{"templateType":"ViewResource","version":"1.0","data":{"content":{"viewId":"detail","viewToken":"t"}}}"#;
    let m = parse(view);
    assert_eq!(m.template_type, "ViewResource");
    assert_eq!(m.version.as_deref(), Some("1.0"));
    assert_eq!(
        m.template,
        Template::Other(
            r#"{"data":{"content":{"viewId":"detail","viewToken":"t"}},"templateType":"ViewResource","version":"1.0"}"#
                .into()
        )
    );
    // Whatever its members, even ones a known template could not have.
    let m = parse(r#"{"templateType":"NewThing","data":7}"#);
    assert_eq!(
        m.template,
        Template::Other(r#"{"data":7,"templateType":"NewThing"}"#.into())
    );
    // Null and unknown members of a known template are absent and ignored.
    let m = parse(
        r#"{"templateType":"QuickReply","version":null,"extra":[1],"data":{"content":{"title":null,"x":{},"elements":[null,{"title":"A","y":1}]}}}"#,
    );
    let Template::QuickReply(q) = m.template else {
        panic!()
    };
    assert_eq!(m.version, None);
    assert_eq!(q.title, None);
    assert_eq!(q.elements, [element("A")]);
}

#[test]
fn malformed_content_is_an_error_that_names_the_member_not_the_content() {
    let cases = [
        (
            "",
            "not JSON (EOF while parsing a value at line 1 column 0)",
        ),
        (
            "secret text",
            "not JSON (expected value at line 1 column 1)",
        ),
        ("[1,2]", "not a JSON object"),
        ("\"ListPicker\"", "not a JSON object"),
        ("{}", "member templateType is missing"),
        (r#"{"templateType":null}"#, "member templateType is missing"),
        (
            r#"{"templateType":1}"#,
            "member templateType is not a string",
        ),
        (r#"{"templateType":"Panel"}"#, "member data is missing"),
        (
            r#"{"templateType":"Panel","data":[]}"#,
            "member data is not an object",
        ),
        (
            r#"{"templateType":"Panel","data":{}}"#,
            "member data.content is missing",
        ),
        (
            r#"{"templateType":"Panel","version":1,"data":{"content":{}}}"#,
            "member version is not a string",
        ),
        (
            r#"{"templateType":"Panel","data":{"content":{"title":["secret"]}}}"#,
            "member data.content.title is not a string",
        ),
        (
            r#"{"templateType":"ListPicker","data":{"content":{"elements":{"title":"x"}}}}"#,
            "member data.content.elements is not a list",
        ),
        (
            r#"{"templateType":"ListPicker","data":{"content":{"elements":[{"title":"x"},"secret"]}}}"#,
            "member data.content.elements[1] is not an object",
        ),
        (
            r#"{"templateType":"ListPicker","data":{"content":{"preIndex":1.5}}}"#,
            "member data.content.preIndex is not a whole number",
        ),
        (
            r#"{"templateType":"TimePicker","data":{"content":{"location":{"latitude":"north"}}}}"#,
            "member data.content.location.latitude is not a number",
        ),
        (
            r#"{"templateType":"TimePicker","data":{"content":{"timeslots":[{"duration":"1h"}]}}}"#,
            "member data.content.timeslots[0].duration is not a whole number",
        ),
        (
            r#"{"templateType":"QuickReply","data":{"replyMessage":"secret","content":{}}}"#,
            "member data.replyMessage is not an object",
        ),
        (
            r#"{"templateType":"Carousel","data":{"content":{"elements":[{"templateType":"Panel","data":{}}]}}}"#,
            "in data.content.elements[0]: member data.content is missing",
        ),
    ];
    for (content, why) in cases {
        let err = InteractiveMessage::parse(content).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{content}");
        assert_eq!(
            err.to_string(),
            format!("invalid interactive message: {why}"),
            "{content}"
        );
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}

#[test]
fn huge_values_are_read_or_refused_without_a_panic() {
    // A title of 1 MB is read as it is: the size of what arrives is the stream's bound.
    let title = "é".repeat(500_000);
    let content = format!(
        r#"{{"templateType":"QuickReply","data":{{"content":{{"title":"{title}","elements":[]}}}}}}"#
    );
    let Template::QuickReply(q) = parse(&content).template else {
        panic!()
    };
    assert_eq!(q.title.as_deref(), Some(title.as_str()));
    // Ten thousand choices.
    let elements = vec![r#"{"title":"x"}"#; 10_000].join(",");
    let content =
        format!(r#"{{"templateType":"Panel","data":{{"content":{{"elements":[{elements}]}}}}}}"#);
    let Template::Panel(p) = parse(&content).template else {
        panic!()
    };
    assert_eq!(p.elements.len(), 10_000);
    // Numbers beyond i64 and f64, and nesting beyond serde_json's limit, are errors.
    let cases = [
        (
            r#"{"templateType":"ListPicker","data":{"content":{"nextIndex":99999999999999999999}}}"#
                .to_owned(),
            "invalid interactive message: member data.content.nextIndex is not a whole number",
        ),
        (
            r#"{"templateType":"TimePicker","data":{"content":{"location":{"radius":-9223372036854775809}}}}"#
                .to_owned(),
            "invalid interactive message: member data.content.location.radius is not a whole number",
        ),
        (
            r#"{"templateType":"TimePicker","data":{"content":{"location":{"latitude":1e400}}}}"#
                .to_owned(),
            "invalid interactive message: not JSON (number out of range at line 1 column 76)",
        ),
        (
            format!(r#"{{"templateType":"X","data":{}{}}}"#, "[".repeat(200), "]".repeat(200)),
            "invalid interactive message: not JSON (recursion limit exceeded at line 1 column 154)",
        ),
    ];
    for (content, message) in cases {
        let err = InteractiveMessage::parse(&content).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    // The largest i64 and the smallest are whole numbers still.
    let content = r#"{"templateType":"ListPicker","data":{"content":{"preIndex":-9223372036854775808,"nextIndex":9223372036854775807}}}"#;
    let Template::ListPicker(lp) = parse(content).template else {
        panic!()
    };
    assert_eq!(
        (lp.pre_index, lp.next_index),
        (Some(i64::MIN), Some(i64::MAX))
    );
}

#[test]
fn an_item_reads_its_interactive_message_and_only_an_interactive_one() {
    let mut item = Item {
        content_type: Some(INTERACTIVE.into()),
        content: Some(QUICK_REPLY.into()),
        ..Item::default()
    };
    let m = item.interactive().unwrap().unwrap();
    assert_eq!(m.template_type, "QuickReply");
    item.content = None;
    let err = item.interactive().unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid interactive message: not JSON (EOF while parsing a value at line 1 column 0)"
    );
    for other in [
        Some("text/plain"),
        Some("application/vnd.amazonaws.connect.message.interactive.response"),
        None,
    ] {
        item.content_type = other.map(str::to_owned);
        item.content = Some(QUICK_REPLY.into());
        assert!(item.interactive().is_none(), "{other:?}");
    }
}

#[test]
fn choices_are_answered_with_their_title_as_the_reference_clients_answer() {
    let text = |r: SendMessageRequest| {
        assert_eq!(r.content_type(), &MessageContentType::TextPlain);
        r.content().to_owned()
    };
    let Template::QuickReply(q) = parse(QUICK_REPLY).template else {
        panic!()
    };
    assert_eq!(text(q.answer(1).unwrap()), "Cancellation");
    let Template::Panel(p) = parse(PANEL).template else {
        panic!()
    };
    assert_eq!(text(p.answer(1).unwrap()), "Talk to an agent");
    let Template::TimePicker(tp) = parse(TIME_PICKER).template else {
        panic!()
    };
    assert_eq!(text(tp.answer(0).unwrap()), "2026-12-07T10:00+00:00");
    let Template::ListPicker(lp) = parse(LIST_PICKER).template else {
        panic!()
    };
    assert_eq!(text(lp.answer(0).unwrap()), "Apple");
    let Template::Carousel(c) = parse(CAROUSEL).template else {
        panic!()
    };
    assert_eq!(
        text(c.answer(0, 1).unwrap()),
        r#"{"templateIdentifier":"template0","listTitle":"California","selectionText":"Book flight"}"#
    );

    // A paging button is an interactive response with the picker's paging members, byte
    // for byte the hosted chat interface's.
    let r = lp.answer(1).unwrap();
    assert_eq!(r.content_type(), &MessageContentType::InteractiveResponse);
    assert_eq!(
        r.content(),
        r#"{"version":"1.0","data":{"actionName":"SHOW_MORE","preIndex":-1,"nextIndex":5,"listId":"serviceList","templateType":"ListPicker","referenceId":"320435df-2e3c-47ea-9206-e64f81dd8e3c"},"action":"SHOW_MORE"}"#
    );

    let refusals = [
        (q.answer(3), "invalid index: 3, the template has 3 choices"),
        (
            lp.answer(2),
            "invalid title: the choice has none to answer with",
        ),
        (
            c.answer(1, 0),
            "invalid panel: not a panel or list picker, nothing to pick",
        ),
        (
            c.answer(2, 0),
            "invalid index: 2, the template has 2 choices",
        ),
        (
            c.answer(0, 2),
            "invalid index: 2, the template has 2 choices",
        ),
        (
            tp.answer(usize::MAX),
            &format!("invalid index: {}, the template has 2 choices", usize::MAX),
        ),
    ];
    for (answer, message) in refusals {
        let err = answer.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn interactive_responses_are_checked_against_the_service_limits_before_sending() {
    let r = InteractiveResponse::paging("PREVIOUS_OPTIONS")
        .template_type("ListPicker")
        .to_request()
        .unwrap();
    assert_eq!(
        r.content(),
        r#"{"version":"1.0","data":{"actionName":"PREVIOUS_OPTIONS","templateType":"ListPicker"},"action":"PREVIOUS_OPTIONS"}"#
    );
    // A view's action: its output as given, compact.
    let view = InteractiveResponse::view("Submit", r#"{ "b": [1, "é\""], "a": {} }"#);
    assert_eq!(
        view.to_request().unwrap().content(),
        r#"{"action":"Submit","data":{"a":{},"b":[1,"é\""]},"templateType":"ViewResource","version":"1.0"}"#
    );
    // Paging members mean nothing to a view's answer.
    assert_eq!(
        view.clone()
            .reference_id("r")
            .pre_index(1)
            .content()
            .unwrap(),
        view.content().unwrap()
    );

    // The largest content that fits, and one byte more.
    let base = r#"{"action":"","data":{},"templateType":"ViewResource","version":"1.0"}"#.len();
    let fits = "a".repeat(16384 - base);
    assert_eq!(
        InteractiveResponse::view(fits.as_str(), "{}")
            .to_request()
            .unwrap()
            .content()
            .len(),
        16384
    );
    let over = format!("{fits}a");
    let err = InteractiveResponse::view(over, "{}")
        .to_request()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.field(), Some("Content"));
    assert_eq!(
        err.to_string(),
        "invalid Content: 16385 bytes of UTF-8, must be 1 to 16384"
    );

    let refusals = [
        (
            InteractiveResponse::paging(""),
            "invalid action: empty, must be 1 or more characters",
        ),
        (
            InteractiveResponse::paging("SHOW_MORE").template_type(""),
            "invalid templateType: empty, must be 1 or more characters",
        ),
        (
            InteractiveResponse::view("Submit", "[1]"),
            "invalid output: not a JSON object",
        ),
        (
            InteractiveResponse::view("Submit", "{"),
            "invalid output: not a JSON object",
        ),
    ];
    for (response, message) in refusals {
        let err = response.to_request().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.to_string(), message);
    }
}
