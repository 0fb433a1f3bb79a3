//! How a participant's calls end, how it learnt it, and the errors that say so.

use crate::error::Error;

/// Why a participant's calls are over, and how it learnt it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    /// The chat ended (`chat.ended`, or a renewal refused with 403).
    Chat(Learnt),
    /// This participant left the chat (its own disconnect, or the service's).
    Left(Learnt),
}

/// How a participant learnt that its calls are over: its errors say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Learnt {
    /// CreateParticipantConnection answered 403 to a renewal.
    Renewal,
    /// A chat stream saw it.
    Stream,
    /// Its own DisconnectParticipant succeeded.
    Disconnect,
}

/// Why the participant's calls are over, and how it learnt it.
pub(super) fn why_over(end: End) -> &'static str {
    match end {
        End::Chat(Learnt::Renewal) => {
            "the chat has ended: CreateParticipantConnection answered 403 when the connection \
             token was renewed"
        }
        End::Chat(_) => "the chat has ended: a chat stream saw chat.ended",
        End::Left(Learnt::Disconnect) => {
            "this participant has left the chat: its DisconnectParticipant succeeded"
        }
        End::Left(_) => {
            "this participant has left the chat: a chat stream saw the service disconnect it"
        }
    }
}

/// The error for `end`, with this message.
pub(super) fn end_error(end: End, message: String) -> Error {
    match end {
        End::Chat(_) => Error::chat_ended(message),
        End::Left(_) => Error::left(message),
    }
}

/// The error of a call made once the participant's chat is over, sent nowhere.
pub(super) fn over(end: End) -> Error {
    end_error(end, format!("{}, so nothing was sent", why_over(end)))
}

/// The error of operation `op`, answered 403, once the check of that 403 found the
/// participant's calls over.
pub(super) fn after_403(end: End, op: &str) -> Error {
    let message = match end {
        End::Chat(Learnt::Renewal) => format!(
            "the chat has ended: {op} answered 403, and so did CreateParticipantConnection \
             when the connection token was renewed to check"
        ),
        end => format!("{}; {op} answered 403", why_over(end)),
    };
    end_error(end, message)
}
