//! `get-transcript`: the transcript's items, one line each, page after page.

use connect_participant::{ConnectionToken, GetTranscriptRequest, Item};

use super::{Call, Failure};
use crate::output;

/// The most transcript pages `get-transcript` follows: 1,000,000 items at the largest page
/// size, far beyond a chat, and still an end against a server that never stops paging.
const MAX_PAGES: usize = 10_000;

/// Prints the transcript: every page, or with `paginate` false the one the request asks
/// for, its `NextToken` (if any) in a note.
pub(super) fn get_transcript(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &GetTranscriptRequest,
    paginate: bool,
) -> Result<(), Failure> {
    if paginate {
        every_page(call, token, request)
    } else {
        one_page(call, token, request)
    }
}

/// One item's line, as `--output` asks.
fn line(json: bool, item: &Item) -> String {
    if json {
        output::item_json(item)
    } else {
        output::item_line(item)
    }
}

/// Printed page by page as they come: a long transcript shows at once, and a failure on a
/// later page keeps what was read before it. A server that answers a new NextToken forever
/// is stopped by the page bound.
fn every_page(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &GetTranscriptRequest,
) -> Result<(), Failure> {
    let json = call.json;
    let pages = call.client.transcript_pages(token, request.clone());
    let mut answer = call.answer();
    for (n, page) in pages.enumerate() {
        if n == MAX_PAGES {
            return Err(Failure::Answer(
                "stopped after 10000 pages: the service kept answering a new NextToken".into(),
            ));
        }
        let page = page?;
        if !page
            .transcript
            .iter()
            .all(|item| answer.line(&line(json, item)))
        {
            break;
        }
    }
    Ok(())
}

fn one_page(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &GetTranscriptRequest,
) -> Result<(), Failure> {
    let page = call.client.get_transcript(token, request)?;
    let json = call.json;
    let mut answer = call.answer();
    for item in &page.transcript {
        if !answer.line(&line(json, item)) {
            break;
        }
    }
    if let Some(next) = page.next_token.as_deref().filter(|t| !t.is_empty()) {
        answer.note(&format!(
            "more items: continue with --next-token {}\n",
            connect_participant::__cli::printable(next, 1000)
        ));
    }
    Ok(())
}
