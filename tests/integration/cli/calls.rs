//! send-message, create-participant-connection and disconnect-participant.

use connect_participant::emulator::Emulator;
use connect_participant::{ConnectionToken, GetTranscriptRequest};
use serde_json::Value;

use super::{
    SECRET, Token, assert_refused, assert_success, assert_usage_error, body, code, run, send_with,
    stderr, stdout,
};
use crate::support::scripted::{Action, Scripted, response};
use crate::support::{CONNECTION_DENIED, assert_uuid_v4};

#[test]
fn send_message_sends_what_the_aws_cli_sends() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let out = send_with(
        &emulator,
        &token,
        &[
            "send-message",
            "--content",
            "Hello \"you\" é",
            "--content-type",
            "text/markdown",
            "--client-token",
            "m-ct-1",
        ],
    );
    assert_success(&out);
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/participant/message");
    assert_eq!(
        body(&seen[0]),
        r#"{"ClientToken":"m-ct-1","Content":"Hello \"you\" é","ContentType":"text/markdown"}"#
    );
    // The message is in the transcript under the Id printed.
    let client = emulator.client_builder().build().unwrap();
    let page = client
        .get_transcript(&token, &GetTranscriptRequest::new())
        .unwrap();
    let message = page
        .transcript
        .iter()
        .find(|i| i.content.as_deref() == Some("Hello \"you\" é"))
        .expect("the message in the transcript");
    assert_eq!(
        stdout(&out),
        format!(
            "sent message: Id {} at {}\n",
            message.id.as_deref().unwrap(),
            message.absolute_time.as_ref().unwrap().as_str()
        )
    );

    // Without --content-type: text/plain; without --client-token: a new UUID v4.
    let out = send_with(
        &emulator,
        &token,
        &["send-message", "--content=--hi", "--output", "json"],
    );
    assert_success(&out);
    let seen = emulator.seen_requests();
    let sent: Value = serde_json::from_slice(&seen[2].body).unwrap();
    assert_eq!(sent.as_object().unwrap().len(), 3, "{sent}");
    assert_eq!(sent["Content"], "--hi");
    assert_eq!(sent["ContentType"], "text/plain");
    assert_uuid_v4(sent["ClientToken"].as_str().unwrap());
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        stdout(&out),
        format!(
            "{{\n    \"Id\": \"{}\",\n    \"AbsoluteTime\": \"{}\"\n}}\n",
            printed["Id"].as_str().unwrap(),
            printed["AbsoluteTime"].as_str().unwrap()
        )
    );
}

#[test]
fn create_participant_connection_prints_the_new_connection_token_alone() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let url = emulator.endpoint_url();
    let out = run(
        &["--endpoint-url", &url, "create-participant-connection"],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // What the customer clients send when no --type is given.
    let seen = emulator.seen_requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/participant/connection");
    assert_eq!(
        body(&seen[0]),
        r#"{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"]}"#
    );
    // Standard output: the token alone, ready for $(...).
    let printed = stdout(&out);
    assert_eq!(printed.lines().count(), 1, "{printed}");
    let token = printed.trim_end_matches('\n');
    assert!(token.len() > 16 && !token.contains(' '), "{printed}");
    let err = stderr(&out);
    assert!(
        err.starts_with("printed the connection token (expires ")
            && err.contains(
                "): the other commands read it from CONNECT_CONNECTION_TOKEN or standard \
                 input\nthe WebSocket URL (expires "
            )
            && err.ends_with(") is not printed; --output json shows it\n"),
        "{err}"
    );

    // As `export CONNECT_CONNECTION_TOKEN=$(...)` uses it: the next command works, and
    // neither token shows in what it prints.
    let next = run(
        &["--endpoint-url", &url, "send-message", "--content", "hi"],
        Token::BothEnv(&chat.participant_token, token),
    );
    assert_success(&next);
    assert!(stdout(&next).starts_with("sent message: Id "));
}

#[test]
fn create_participant_connection_json_has_the_services_members() {
    let emulator = Emulator::start().unwrap();
    let chat = emulator.start_chat();
    let url = emulator.endpoint_url();
    // Piped on standard input this time, with a connection token in its variable that
    // this command does not use (and must not print).
    let out = run(
        &[
            "--endpoint",
            &url,
            "create-participant-connection",
            "--type",
            "CONNECTION_CREDENTIALS",
            "WEBSOCKET",
            "--connect-participant",
            "--output",
            "json",
        ],
        Token::StdinAndConnectionEnv(
            &format!("{}\n", chat.participant_token),
            emulator.connection_token().expose_secret(),
        ),
    );
    assert_success(&out);
    let seen = emulator.seen_requests();
    assert_eq!(
        body(&seen[0]),
        r#"{"ConnectParticipant":true,"Type":["CONNECTION_CREDENTIALS","WEBSOCKET"]}"#
    );
    let text = stdout(&out);
    let json: Value = serde_json::from_str(&text).unwrap();
    let at = |a: &str, b: &str| json[a][b].as_str().unwrap().to_owned();
    // The AWS CLI's document: the service's member order, four spaces a level.
    assert_eq!(
        text,
        format!(
            "{{\n    \"Websocket\": {{\n        \"Url\": \"{}\",\n        \
             \"ConnectionExpiry\": \"{}\"\n    }},\n    \"ConnectionCredentials\": {{\n        \
             \"ConnectionToken\": \"{}\",\n        \"Expiry\": \"{}\"\n    }}\n}}\n",
            at("Websocket", "Url"),
            at("Websocket", "ConnectionExpiry"),
            at("ConnectionCredentials", "ConnectionToken"),
            at("ConnectionCredentials", "Expiry"),
        )
    );
    assert!(at("Websocket", "Url").starts_with("ws://"), "{text}");
    // The token printed is one the emulator takes.
    let token = ConnectionToken::new(
        json["ConnectionCredentials"]["ConnectionToken"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let client = emulator.client_builder().build().unwrap();
    client
        .send_event(&token, &connect_participant::SendEventRequest::typing())
        .unwrap();
}

#[test]
fn create_participant_connection_needs_the_participant_token() {
    let emulator = Emulator::start().unwrap();
    let url = emulator.endpoint_url();
    // A connection token in its variable is not a participant token.
    let out = run(
        &["--endpoint", &url, "create-participant-connection"],
        Token::Env(SECRET),
    );
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: create-participant-connection needs the participant token (from StartChatContact), and \
         CONNECT_PARTICIPANT_TOKEN is unset: the connection token found in \
         CONNECT_CONNECTION_TOKEN cannot serve; set CONNECT_PARTICIPANT_TOKEN or pipe the \
         participant token on standard input\n"
    );
    // One pasted into an argument is refused unshown, as the connection token is.
    let chat = emulator.start_chat();
    let out = run(
        &[
            "--endpoint",
            &url,
            "create-participant-connection",
            "--type",
            &chat.participant_token,
        ],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: the argument of --type holds the participant token; it was neither sent nor \
         shown\n"
    );
    // --participant-token is refused whatever it holds.
    let out = run(
        &[
            "--endpoint",
            &url,
            "create-participant-connection",
            "--participant-token=x",
        ],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_usage_error(
        &out,
        "the participant token is not taken from the command line, because arguments are \
         visible to every user of the machine (ps, /proc); set CONNECT_PARTICIPANT_TOKEN or \
         pipe it on standard input",
    );
    // An ended chat's participant token: the service's 403, exit 3.
    emulator.end_chat(&chat.contact_id).unwrap();
    let out = run(
        &["--endpoint", &url, "create-participant-connection"],
        Token::ParticipantEnv(&chat.participant_token),
    );
    assert_refused(&out, "AccessDeniedException", 403);
    assert_eq!(emulator.seen_requests().len(), 1);
}

#[test]
fn a_websocket_url_with_terminal_escapes_is_printed_defused() {
    let server = Scripted::start(vec![Action::Respond(response(
        "200 OK",
        &[],
        br#"{"Websocket":{"Url":"wss://x/\u001b[2J\u202eevil\u0007"}}"#,
    ))]);
    let url = server.url();
    let out = run(
        &[
            "--endpoint-url",
            &url,
            "create-participant-connection",
            "--type",
            "WEBSOCKET",
        ],
        Token::ParticipantEnv(SECRET),
    );
    assert_eq!(code(&out), 0, "{out:?}");
    assert_eq!(stdout(&out), "wss://x/\u{fffd}[2J\u{fffd}evil\u{fffd}\n");
    assert_eq!(
        stderr(&out),
        "printed the WebSocket URL; the service gave no connection token (ask for it with \
         --type CONNECTION_CREDENTIALS)\n"
    );
    server.finish();
}

#[test]
fn disconnect_participant_sends_its_client_token_then_the_token_is_refused() {
    let emulator = Emulator::start().unwrap();
    let token = emulator.connection_token();
    let out = send_with(
        &emulator,
        &token,
        &["disconnect-participant", "--client-token", "bye-1"],
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "disconnected\n");
    let seen = emulator.seen_requests();
    assert_eq!(seen[0].path, "/participant/disconnect");
    assert_eq!(body(&seen[0]), r#"{"ClientToken":"bye-1"}"#);
    // The same call again (a retry with the same client token) is answered as the first.
    let again = send_with(
        &emulator,
        &token,
        &["disconnect-participant", "--client-token=bye-1", "--json"],
    );
    assert_success(&again);
    // The answer is empty: as the AWS CLI, --json prints nothing.
    assert_eq!(stdout(&again), "");
    // Now the token is refused: exit 3, and the library's message says what usually
    // causes a 403.
    let out = send_with(&emulator, &token, &["typing"]);
    assert_refused(&out, "AccessDeniedException", 403);
    assert!(stderr(&out).contains(CONNECTION_DENIED), "{}", stderr(&out));
    // Without --client-token: a new UUID v4.
    let other = emulator.connection_token();
    assert_success(&send_with(&emulator, &other, &["disconnect-participant"]));
    let seen = emulator.seen_requests();
    let sent: Value = serde_json::from_slice(&seen.last().unwrap().body).unwrap();
    assert_eq!(sent.as_object().unwrap().len(), 1);
    assert_uuid_v4(sent["ClientToken"].as_str().unwrap());
}
