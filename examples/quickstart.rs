//! Quick start: join a chat and send real requests over HTTP to the bundled local emulator.
//!
//! Run with `cargo run --example quickstart` (this repository's dev-dependencies turn the
//! `emulator` feature on). Works offline. `examples/chat.rs` plays a whole chat.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{
    Participant, ParticipantToken, Receipts, SendEventRequest, SendMessageRequest,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The emulator listens on 127.0.0.1 on a free port and stops when dropped.
    let emulator = Emulator::start()?;
    println!("emulator listening on {}", emulator.endpoint_url());

    // Against AWS this would be `Client::builder().region("us-west-2").build()?`.
    let client = emulator.client_builder().build()?;
    // In production the participant token comes from StartChatContact. Here the emulator
    // starts a chat, in which its agent says hello.
    let chat = emulator.start_chat();
    let hello = emulator.agent_says(&chat.contact_id, "Hello! How can I help?", "text/plain")?;

    // CreateParticipantConnection: the connection token every other call needs.
    let me = Participant::connect(&client, ParticipantToken::new(chat.participant_token)?)?;
    println!(
        "connected    -> connection token until {}",
        me.connection_expiry()
            .map_or_else(|| "-".to_owned(), |t| t.to_string())
    );

    let out = me.send_event(&SendEventRequest::typing())?;
    println!(
        "typing       -> Id {} at {}",
        out.id.as_deref().unwrap_or("-"),
        out.absolute_time.as_ref().map_or("-", |t| t.as_str())
    );
    // Receipts go through `Receipts`: a read receipt says delivered too, so one call. This
    // program sends it now (no window); a long-running one keeps the 5 s window and
    // flushes when `due_in` says.
    let mut receipts = Receipts::for_participant(me.clone()).with_interval(Duration::ZERO);
    receipts.delivered(&hello)?;
    receipts.read(&hello)?;
    println!("receipts     -> {} call(s)", receipts.flush()?);
    let sent = me.send_message(&SendMessageRequest::text("Hi! Where is my order?"))?;
    println!(
        "message      -> Id {} at {}",
        sent.id.as_deref().unwrap_or("-"),
        sent.absolute_time.as_ref().map_or("-", |t| t.as_str())
    );

    // Bad input is refused before any byte is sent.
    let refused = me
        .send_message(&SendMessageRequest::text(""))
        .expect_err("an empty message is refused");
    println!("refused      -> {refused} (kind {:?})", refused.kind());

    println!(
        "the emulator answered {} requests over {} connection(s)",
        emulator.requests(),
        emulator.connections()
    );
    Ok(())
}
