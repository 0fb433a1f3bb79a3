//! What a chat session needs beyond the calls: typing at the rate a chat needs, who is
//! typing, receipts as few as the reference clients send, their shared sender and clock, and, with the
//! `websocket` feature, the stream of the chat's events.

pub(crate) mod checkpoint;
pub mod content_types;
pub(crate) mod interactive;
pub(crate) mod journal;
pub(crate) mod receipts;
mod sender;
#[cfg(feature = "websocket")]
pub(crate) mod stream;
pub(crate) mod transcript;
pub(crate) mod typers;
pub(crate) mod typing;
