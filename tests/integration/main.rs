//! The integration test binary: the client, emulator and CLI against 127.0.0.1 sockets.
//!
//! Each topic is a module of its own; what topics share is in `support`, and a topic
//! imports nothing from another.

mod support;

mod attachments;
mod chat;
mod cli;
mod corpus;
mod emulator_attachments;
mod emulator_bounds;
mod emulator_chat;
mod emulator_events;
mod emulator_forgetting;
mod emulator_out_of_order;
mod emulator_persistent;
mod emulator_tests;
mod emulator_websocket;
mod errors;
mod extra_headers;
mod faults;
mod hints;
mod journal;
mod kept_transcript;
mod limits;
mod logging;
mod operations;
mod participant;
mod participant_end;
mod participant_identity;
mod participant_logs;
mod receipts;
mod responses;
mod resume;
mod scripted;
mod security;
mod sessions;
mod stream;
mod stream_hostile;
mod stream_order;
mod stream_setup;
mod stream_state;
mod tls;
mod typers;
mod wire_bytes;
