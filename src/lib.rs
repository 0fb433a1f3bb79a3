//! A small, blocking client for the Amazon Connect Participant Service's SendEvent call.
//!
//! (Crate docs are filled in below.)

mod client;
mod content_type;
mod endpoint;
mod error;
mod event;
mod token;
mod wire;

pub use client::{Client, ClientBuilder, MAX_RESPONSE_BODY, send_event};
pub use content_type::{ContentType, UnknownContentType};
pub use endpoint::Endpoint;
pub use error::{Error, ErrorKind, Result};
pub use event::{MAX_CLIENT_TOKEN_CHARS, MAX_CONTENT_CHARS, SendEventOutput, SendEventRequest};
pub use token::ConnectionToken;
