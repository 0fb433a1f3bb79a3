//! Content types of the chat events that several topics send or expect.
//!
//! Spelled out rather than taken from the crate, so that a typo in the crate cannot hide.

pub const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
pub const DELIVERED: &str = "application/vnd.amazonaws.connect.event.message.delivered";
pub const READ: &str = "application/vnd.amazonaws.connect.event.message.read";
pub const JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";
pub const LEFT: &str = "application/vnd.amazonaws.connect.event.participant.left";
pub const INVITED: &str = "application/vnd.amazonaws.connect.event.participant.invited";
pub const AUTODISCONNECTION: &str =
    "application/vnd.amazonaws.connect.event.participant.autodisconnection";
pub const CHAT_ENDED: &str = "application/vnd.amazonaws.connect.event.chat.ended";
