//! The calls whose answer is a line or a few: `create-participant-connection`, the
//! messages and events, `disconnect-participant`, the views and the sign-in sessions.

use connect_participant::{
    CancelParticipantAuthenticationRequest, ConnectionToken, CreateParticipantConnectionRequest,
    DescribeViewRequest, DisconnectParticipantRequest, GetAuthenticationUrlRequest,
    ParticipantToken, SendEventRequest, SendMessageRequest,
};

use super::{Call, Failure};
use crate::output;

/// `create-participant-connection`: for people, the connection token alone on standard
/// output (so that `$(...)` captures it) and notes on standard error; else the JSON answer.
pub(super) fn create_participant_connection(
    call: &mut Call<'_, '_>,
    token: &ParticipantToken,
    request: &CreateParticipantConnectionRequest,
) -> Result<(), Failure> {
    let out = call.client.create_participant_connection(token, request)?;
    let json = call.json;
    let mut answer = call.answer();
    if json {
        answer.document(&output::connection_json(&out));
    } else {
        let (printed, notes) = output::connection_human(&out);
        if let Some(p) = printed {
            answer.line(&p);
        }
        answer.note(&notes);
    }
    Ok(())
}

pub(super) fn send_message(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &SendMessageRequest,
) -> Result<(), Failure> {
    let out = call.client.send_message(token, request)?;
    if call.json {
        call.answer().document(&output::message_json(&out));
    } else {
        let line = output::sent_line("message", out.id.as_deref(), out.absolute_time.as_ref());
        call.answer().line(&line);
    }
    Ok(())
}

/// `send-event` and its short forms, whose line names what was sent.
pub(super) fn send_event(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &SendEventRequest,
) -> Result<(), Failure> {
    let out = call.client.send_event(token, request)?;
    if call.json {
        call.answer().document(&output::event_json(&out));
    } else {
        let label = output::event_label(call.name, request.content_type().as_str());
        let line = output::sent_line(&label, out.id.as_deref(), out.absolute_time.as_ref());
        call.answer().line(&line);
    }
    Ok(())
}

pub(super) fn disconnect_participant(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &DisconnectParticipantRequest,
) -> Result<(), Failure> {
    call.client.disconnect_participant(token, request)?;
    // The answer is empty: with --output json, nothing is printed, as the AWS CLI prints
    // nothing.
    if !call.json {
        call.answer().line("disconnected");
    }
    Ok(())
}

/// `describe-view`: for people, one line per member of the view, which the answer must
/// hold.
pub(super) fn describe_view(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &DescribeViewRequest,
) -> Result<(), Failure> {
    let out = call.client.describe_view(token, request)?;
    let json = call.json;
    let mut answer = call.answer();
    if json {
        answer.document(&output::view_json(&out));
        return Ok(());
    }
    let Some(view) = &out.view else {
        return Err(Failure::Answer(
            "the service answered DescribeView without a View".into(),
        ));
    };
    for line in output::view_lines(view) {
        if !answer.line(&line) {
            break;
        }
    }
    Ok(())
}

/// `get-authentication-url`: for people, the URL alone on its line, which the answer must
/// hold.
pub(super) fn get_authentication_url(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &GetAuthenticationUrlRequest,
) -> Result<(), Failure> {
    let out = call.client.get_authentication_url(token, request)?;
    if call.json {
        call.answer()
            .document(&output::authentication_url_json(&out));
        return Ok(());
    }
    let Some(url) = &out.authentication_url else {
        return Err(Failure::Answer(
            "the service answered GetAuthenticationUrl without an AuthenticationUrl".into(),
        ));
    };
    call.answer()
        .line(&connect_participant::__cli::printable(url, usize::MAX));
    Ok(())
}

pub(super) fn cancel_participant_authentication(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &CancelParticipantAuthenticationRequest,
) -> Result<(), Failure> {
    call.client
        .cancel_participant_authentication(token, request)?;
    // An empty answer: nothing with --output json, as the AWS CLI.
    if !call.json {
        call.answer().line("cancelled");
    }
    Ok(())
}
