//! The service's rules the emulator keeps beyond each member's limits.

use connect_participant::emulator::Emulator;
use serde_json::json;

use crate::support::content_type::{DELIVERED, READ, TYPING};
use crate::support::raw::{connect, op};

/// Read and delivered receipts are refused with 409 `ConflictException` while more than
/// two participants are in the chat: the crate's `Receipts` docs, after the API reference
/// ("Message receipts are not supported when there are more than two active participants
/// in the chat"). Those who left do not count.
#[test]
#[cfg(feature = "websocket")]
fn receipts_are_refused_with_409_while_more_than_two_participants_are_in_the_chat() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let hello = emulator
        .agent_says(&chat.contact_id, "Hello!", "text/plain")
        .unwrap();
    let token = connect(&emulator, &chat.participant_token);
    let receipt = |content_type: &str| {
        let body = json!({
            "Content": json!({"messageId": hello}).to_string(),
            "ContentType": content_type,
        });
        op(&emulator, "event", &token, &body)
    };
    // A customer and an agent: taken.
    assert_eq!(receipt(DELIVERED).status, 200);
    let bot = emulator
        .add_participant(&chat.contact_id, "CUSTOM_BOT", "Bot")
        .unwrap();
    let before = emulator.events().len();
    for kind in [DELIVERED, READ] {
        let a = receipt(kind);
        assert_eq!(a.status, 409, "{}", a.text());
        assert_eq!(a.header("x-amzn-errortype"), Some("ConflictException"));
        assert_eq!(
            a.text(),
            r#"{"message":"Receipts are not available: more than two participants or a supervisor barged in"}"#
        );
    }
    assert_eq!(emulator.events().len(), before);
    // Typing still goes.
    let typing = op(&emulator, "event", &token, &json!({"ContentType": TYPING}));
    assert_eq!(typing.status, 200, "{}", typing.text());
    // The bot leaves: two again, and receipts are taken.
    let bot_token = connect(&emulator, &bot);
    assert_eq!(
        op(&emulator, "disconnect", &bot_token, &json!({})).status,
        200
    );
    assert_eq!(receipt(READ).status, 200);
    assert_eq!(emulator.events().len(), before + 2);
}
