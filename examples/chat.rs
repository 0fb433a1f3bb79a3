//! A whole chat, as a customer plays it, against the bundled emulator: start, connect,
//! typing, a message, the agent's answer, a read receipt, the transcript, leaving, and the
//! calls after the end refused with a message that says why.
//!
//! Run with `cargo run --example chat`. Works offline.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use connect_participant::emulator::Emulator;
use connect_participant::{
    DisconnectParticipantRequest, ErrorKind, GetTranscriptRequest, Participant, ParticipantToken,
    Receipts, SendMessageRequest, SortOrder, TypingThrottle,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start()?;
    // Against AWS: `Client::builder().region("us-west-2").build()?`.
    let client = emulator.client_builder().build()?;

    // 1. The business starts the chat (Amazon Connect's StartChatContact) and hands the
    //    customer its participant token.
    let chat = emulator.start_chat();
    let token = ParticipantToken::new(chat.participant_token.clone())?;

    // 2. Connect: CreateParticipantConnection gives the connection token, which the
    //    Participant renews 60 s before it expires.
    let me = Participant::connect(&client, token)?;
    println!(
        "connected to contact {}; connection token valid until {}",
        chat.contact_id,
        me.connection_expiry()
            .map_or_else(|| "-".to_owned(), |t| t.to_string())
    );

    // 3. Typing, at most once per 10 s however fast the keys come.
    let mut typing = TypingThrottle::for_participant(me.clone());
    for _keystroke in 0..12 {
        typing.typing()?;
    }

    // 4. The message.
    let sent = me.send_message(&SendMessageRequest::text("Hi! My order has not arrived."))?;
    typing.reset();
    println!("sent message {}", sent.id.as_deref().unwrap_or("-"));

    // 5. The agent answers (in the emulator, the test speaks for the agent).
    let answer = emulator.agent_says(
        &chat.contact_id,
        "Sorry to hear that. Let me check your order.",
        "text/plain",
    )?;

    // 6. The customer reads it: one read receipt, sent now (no 5 s window in this short
    //    chat; a long-running program flushes when `due_in` says).
    let mut receipts = Receipts::for_participant(me.clone()).with_interval(Duration::ZERO);
    receipts.read(&answer)?;
    receipts.flush()?;

    // 7. The transcript, two items per page: the pager follows NextToken. Without a start
    //    position the service pages backwards from the newest item (each page in the
    //    sort order asked for), so the items are put in time order here.
    let pages = GetTranscriptRequest::new()
        .with_sort_order(SortOrder::Ascending)
        .with_max_results(2);
    let mut items = me
        .transcript_pages(pages)
        .items()
        .collect::<Result<Vec<_>, _>>()?;
    items.sort_by(|a, b| a.absolute_time.cmp(&b.absolute_time));
    for item in items {
        let receipts = item
            .message_metadata
            .as_ref()
            .map_or(0, |m| m.receipts.len());
        println!(
            "  {} {:<8} {:<9} {}{}",
            item.absolute_time.as_ref().map_or("-", |t| t.as_str()),
            item.participant_role.as_ref().map_or("-", |r| r.as_str()),
            item.display_name.as_deref().unwrap_or("-"),
            item.content
                .as_deref()
                .or(item.content_type.as_deref())
                .unwrap_or("-"),
            if receipts > 0 { "  (read)" } else { "" }
        );
    }

    // 8. Leave.
    me.disconnect(&DisconnectParticipantRequest::new())?;
    println!("disconnected");

    // 9. A call after leaving fails without sending anything, told apart from the end of
    //    the chat (which goes on for the agent).
    let refused = me
        .send_message(&SendMessageRequest::text("Still there?"))
        .expect_err("a participant who left is refused");
    assert_eq!(refused.kind(), ErrorKind::Left);
    println!("after leaving: {refused}");

    // 10. Another chat ends while its customer is away. When the connection token is next
    //     renewed, the service answers 403: the chat has ended, and the Participant says so.
    let other = emulator.start_chat();
    let seconds_ahead = Arc::new(AtomicU64::new(0));
    let ahead = Arc::clone(&seconds_ahead);
    let away = Participant::builder(&client, ParticipantToken::new(other.participant_token)?)
        .clock(move || SystemTime::now() + Duration::from_secs(ahead.load(Ordering::SeqCst)))
        .connect()?;
    emulator.end_chat(&other.contact_id)?;
    seconds_ahead.store(24 * 3600, Ordering::SeqCst); // a day later: time to renew
    let ended = away
        .send_message(&SendMessageRequest::text("Hello?"))
        .expect_err("the chat has ended");
    assert_eq!(ended.kind(), ErrorKind::ChatEnded);
    println!("a day later: {ended}");
    Ok(())
}
