//! Quick start: send real SendEvent requests over HTTP to the bundled local emulator.
//!
//! Run with `cargo run --example quickstart` (this repository's dev-dependencies turn the
//! `emulator` feature on). Works offline.

use connect_participant::SendEventRequest;
use connect_participant::emulator::Emulator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The emulator listens on 127.0.0.1 on a free port and stops when dropped.
    let emulator = Emulator::start()?;
    println!("emulator listening on {}", emulator.endpoint_url());

    // Against AWS this would be `Client::builder().region("us-west-2").build()?`.
    let client = emulator.client_builder().build()?;
    // In production: StartChatContact, then CreateParticipantConnection's
    // ConnectionCredentials.ConnectionToken. Here the emulator starts a chat, its agent
    // says hello, and it issues the customer a connection token.
    let chat = emulator.start_chat();
    let hello = emulator.agent_says(&chat.contact_id, "Hello! How can I help?", "text/plain")?;
    let token = emulator.connection_token_for(&chat.contact_id)?;

    let requests = [
        ("typing", SendEventRequest::typing()),
        ("delivered", SendEventRequest::delivered(&hello)),
        ("read", SendEventRequest::read(&hello)),
    ];
    for (name, request) in &requests {
        let out = client.send_event(&token, request)?;
        println!(
            "{name:<9} -> Id {} at {}",
            out.id.as_deref().unwrap_or("-"),
            out.absolute_time.as_ref().map_or("-", |t| t.as_str())
        );
    }

    // Bad input is refused before any byte is sent.
    let refused = client
        .send_event(&token, &SendEventRequest::read(""))
        .expect_err("an empty message id is refused");
    println!("refused   -> {refused} (kind {:?})", refused.kind());

    println!(
        "the emulator recorded {} events over {} connection(s)",
        emulator.events().len(),
        emulator.connections()
    );
    Ok(())
}
