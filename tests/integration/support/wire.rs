//! The exact requests the client writes, as ureq 3 lays them out.
//!
//! What the scripted server must have read, byte for byte; `wire_bytes.rs` pins these
//! templates to literal bytes.

/// The whole first request to SendEvent for `body` with the default 3 attempts.
pub fn expected_request(port: u16, bearer: &str, invocation_id: &str, body: &str) -> String {
    expected_attempt(port, bearer, invocation_id, body, 1, 3)
}

/// The whole SendEvent request of attempt `attempt` of `max`: attempts differ in this
/// header alone.
pub fn expected_attempt(
    port: u16,
    bearer: &str,
    invocation_id: &str,
    body: &str,
    attempt: u32,
    max: u32,
) -> String {
    expected_at(
        "/participant/event",
        port,
        bearer,
        invocation_id,
        body,
        attempt,
        max,
    )
}

/// The whole request to the operation at `path`.
pub fn expected_at(
    path: &str,
    port: u16,
    bearer: &str,
    invocation_id: &str,
    body: &str,
    attempt: u32,
    max: u32,
) -> String {
    format!(
        "POST {path} HTTP/1.1\r\n\
         content-length: {}\r\n\
         user-agent: connect-participant/{}\r\n\
         host: 127.0.0.1:{port}\r\n\
         content-type: application/json\r\n\
         x-amz-bearer: {bearer}\r\n\
         amz-sdk-invocation-id: {invocation_id}\r\n\
         amz-sdk-request: attempt={attempt}; max={max}\r\n\
         \r\n\
         {body}",
        body.len(),
        env!("CARGO_PKG_VERSION"),
    )
}
