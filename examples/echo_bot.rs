//! An echo bot: it joins a chat with its participant token, listens on the chat's
//! WebSocket, and answers every customer message with its echo until the chat ends.
//!
//! `cargo run --example echo_bot --features websocket` starts the bundled emulator, adds
//! the bot to a chat there, plays the customer's side of a short chat, and prints what the
//! bot saw and said. Works offline.
//!
//! With `CONNECT_PARTICIPANT_TOKEN` (the bot's participant token, from StartChatContact or
//! the contact flow that added it) and `AWS_REGION` set, it joins that real chat instead,
//! and runs until the chat ends.

use std::time::Duration;

use connect_participant::emulator::Emulator;
use connect_participant::{
    Client, ClientBuilder, Connection, Event, Next, Participant, ParticipantRole, ParticipantToken,
    Receipts, Result, SendEventRequest, SendMessageRequest,
};

/// Sends the receipts that are due. A refusal is printed, not fatal: receipts are a
/// courtesy, and `Receipts` turns itself off where the chat does not take them (409).
fn flush(receipts: &mut Receipts) {
    if let Err(e) = receipts.flush() {
        println!("bot: receipts: {e}");
    }
}

/// The bot itself: each customer message is marked read, answered after a typing
/// indicator, and the bot stops when the chat ends.
fn run_bot(client: &Client, token: ParticipantToken) -> Result<()> {
    let bot = Participant::connect(client, token)?;
    // Read receipts as Amazon's chat clients send them: at most one per 5 s, for the newest
    // message, and none once the service says the chat has no receipts (409: an agent, a
    // customer and a bot are more than two participants).
    let mut receipts = Receipts::for_participant(bot.clone());
    // The stream holds its own clone of the participant: `bot` sends while it reads.
    let mut stream = bot.stream()?;
    loop {
        // A receipt waiting for its window is sent when the window opens, even if nothing
        // else happens in the chat by then.
        let wait = receipts.due_in().unwrap_or(Duration::from_secs(60));
        let event = match stream.next_timeout(wait)? {
            Next::Event(event) => event,
            Next::TimedOut => {
                flush(&mut receipts);
                continue;
            }
            Next::Ended => break,
            _ => continue,
        };
        match event {
            Event::Message(item) if item.participant_role == Some(ParticipantRole::Customer) => {
                receipts.read_item(&item)?;
                flush(&mut receipts);
                let text = item.content.unwrap_or_default();
                println!("bot saw:  {text:?}");
                bot.send_event(&SendEventRequest::typing())?;
                let reply = format!("You said: {text}");
                bot.send_message(&SendMessageRequest::text(reply.as_str()))?;
                println!("bot said: {reply:?}");
            }
            Event::Connection(Connection::Lost(lost)) => {
                println!("bot: reconnecting ({})", lost.reason);
            }
            Event::Connection(Connection::Restored(back)) => {
                println!("bot: back, {} missed", back.missed);
            }
            Event::Connection(Connection::Broken(e)) => return Err(e),
            Event::ChatEnded(_) => {
                println!("bot: the chat has ended");
                break;
            }
            Event::Left(_) => {
                println!("bot: it left the chat");
                break;
            }
            _ => {}
        }
    }
    Ok(())
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    if let Ok(token) = std::env::var("CONNECT_PARTICIPANT_TOKEN") {
        // A real chat: the region and any endpoint settings from the AWS variables.
        let client = ClientBuilder::from_env()?.build()?;
        return Ok(run_bot(&client, ParticipantToken::new(token)?)?);
    }
    demo()
}

/// The bot in a chat on the emulator, the customer played here.
fn demo() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start()?;
    let client = emulator.client_builder().build()?;
    let chat = emulator.start_chat();
    // What a contact flow does when it brings a custom bot into the chat.
    let bot_token = emulator.add_participant(&chat.contact_id, "CUSTOM_BOT", "EchoBot")?;
    let bot_client = client.clone();
    let bot = std::thread::spawn(move || run_bot(&bot_client, ParticipantToken::new(bot_token)?));

    let customer = Participant::connect(
        &client,
        ParticipantToken::new(chat.participant_token.clone())?,
    )?;
    let mut replies = customer.stream()?;
    // Both sockets subscribed: the bot hears everything from here on.
    if !emulator.wait_for_websockets(&chat.contact_id, 2, Duration::from_secs(10)) {
        return Err("the bot did not connect within 10 s".into());
    }
    for line in ["Hello!", "Where is my order?", "Thanks, bye"] {
        customer.send_message(&SendMessageRequest::text(line))?;
        // Wait for the bot's answer to this line.
        loop {
            match replies.next().ok_or("the customer's stream ended")?? {
                Event::Message(item)
                    if item.participant_role == Some(ParticipantRole::CustomBot) =>
                {
                    println!("customer got: {:?}", item.content.unwrap_or_default());
                    break;
                }
                _ => {}
            }
        }
    }
    emulator.end_chat(&chat.contact_id)?;
    bot.join().map_err(|_| "the bot panicked")??;
    Ok(())
}
