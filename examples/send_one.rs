//! Sends one typing event: the smallest useful program on this crate, whose release binary
//! size `benches/footprint.sh` reports.
//!
//! ```sh
//! CONNECT_CONNECTION_TOKEN=... cargo run --release --example send_one -- us-west-2
//! CONNECT_CONNECTION_TOKEN=... cargo run --release --example send_one -- http://127.0.0.1:8080
//! ```

use std::process::ExitCode;

use connect_participant::{Client, ConnectionToken, SendEventRequest};

fn main() -> ExitCode {
    let Some(target) = std::env::args().nth(1) else {
        eprintln!("usage: send_one <region | endpoint URL>  (token in CONNECT_CONNECTION_TOKEN)");
        return ExitCode::from(2);
    };
    let builder = if target.contains("://") {
        Client::builder().endpoint_url(target)
    } else {
        Client::builder().region(target)
    };
    let result = (|| {
        let token =
            ConnectionToken::new(std::env::var("CONNECT_CONNECTION_TOKEN").unwrap_or_default())?;
        builder
            .build()?
            .send_event(&token, &SendEventRequest::typing())
    })();
    match result {
        Ok(out) => {
            println!("sent: Id {:?} at {:?}", out.id, out.absolute_time);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
