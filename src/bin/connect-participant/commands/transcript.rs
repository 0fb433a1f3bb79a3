//! `get-transcript`: the transcript's items, page after page. For people, one line each,
//! printed as the pages come; with `--output json`, the AWS CLI's one document.

use connect_participant::{ConnectionToken, GetTranscriptRequest, Item};

use super::{Call, Failure};
use crate::output;

/// The most transcript pages `get-transcript` follows: 1,000,000 items at the largest page
/// size, far beyond a chat, and still an end against a server that never stops paging.
const MAX_PAGES: usize = 10_000;

/// Prints the transcript: every page, or with `paginate` false the one the request asks
/// for (for people, its `NextToken`, if any, in a note; as JSON, inside the document).
pub(super) fn get_transcript(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &GetTranscriptRequest,
    paginate: bool,
) -> Result<(), Failure> {
    match (paginate, call.json) {
        (true, false) => every_page(call, token, request),
        (true, true) => joined_pages(call, token, request),
        (false, _) => one_page(call, token, request),
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
    let pages = call.client.transcript_pages(token, request.clone());
    let mut answer = call.answer();
    for (n, page) in pages.enumerate() {
        if n == MAX_PAGES {
            return Err(too_many_pages());
        }
        let page = page?;
        if !page
            .transcript
            .iter()
            .all(|item| answer.line(&output::item_line(item)))
        {
            break;
        }
    }
    Ok(())
}

fn too_many_pages() -> Failure {
    Failure::Answer("stopped after 10000 pages: the service kept answering a new NextToken".into())
}

/// `--output json`: every page read first, then one document, as the AWS CLI's answer
/// for one page would be with every page's items in `Transcript`, and no `NextToken`.
/// `InitialContactId` is the first page's that has one. A failure on any page prints
/// nothing: half a document would read as a whole transcript.
fn joined_pages(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &GetTranscriptRequest,
) -> Result<(), Failure> {
    let pages = call.client.transcript_pages(token, request.clone());
    let mut initial_contact_id = None;
    let mut items: Vec<Item> = Vec::new();
    for (n, page) in pages.enumerate() {
        if n == MAX_PAGES {
            return Err(too_many_pages());
        }
        let page = page?;
        initial_contact_id = initial_contact_id.or(page.initial_contact_id);
        items.extend(page.transcript);
    }
    let json = output::transcript_json(initial_contact_id.as_deref(), &items, None);
    call.answer().document(&json);
    Ok(())
}

fn one_page(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &GetTranscriptRequest,
) -> Result<(), Failure> {
    let page = call.client.get_transcript(token, request)?;
    if call.json {
        let json = output::transcript_json(
            page.initial_contact_id.as_deref(),
            &page.transcript,
            page.next_token.as_deref(),
        );
        call.answer().document(&json);
        return Ok(());
    }
    let mut answer = call.answer();
    for item in &page.transcript {
        if !answer.line(&output::item_line(item)) {
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
