//! GetTranscript: a page of the chat's kept transcript (or of a past contact's, in a
//! persistent chat), from a start position or a NextToken, in either direction and order.

use serde_json::{Map, Value, json};

use crate::emulator::chat::{Direction, Item, Start};
use crate::emulator::http::{Reply, Request};
use crate::emulator::protocol::{
    MAX_ID, bearer, body, chars_within, denied, enum_value, integer, item_json, ok, serialization,
    string, validation,
};
use crate::emulator::service::Service;

/// `NextToken`: 1 to 1000 characters.
const MAX_NEXT_TOKEN: usize = 1000;
/// `Instant`: 1 to 100 characters.
const MAX_INSTANT: usize = 100;
/// `MaxResults` and `MostRecent`: 0 to 100.
const MAX_RESULTS: u64 = 100;
/// GetTranscript's page size when `MaxResults` is absent (or 0).
const DEFAULT_MAX_RESULTS: usize = 10;

/// GetTranscript's members, checked.
struct Input {
    contact: Option<String>,
    max_results: Option<u64>,
    next_token: Option<String>,
    direction: Option<Direction>,
    ascending: bool,
    start: Start,
}

pub(in crate::emulator) fn handle(service: &Service, request: &Request) -> Result<Reply, Reply> {
    let token = bearer(request, "connectionToken")?;
    let input = read_input(request)?;

    let state = service.lock();
    let (contact_id, _) = Service::connected(&state, token)?;
    let Some(chat) = state.chats.chat(&contact_id) else {
        return Err(denied());
    };
    // `ContactId`: the token's contact (its whole transcript, as without it), or a past
    // contact of its chain (a persistent chat's), whose rehydrated items alone are read.
    // Any other contact's transcript is not this participant's to read.
    let past_of = match input.contact.as_deref() {
        Some(c) if c != contact_id => {
            if !chat.holds_past_of(c) {
                return Err(denied());
            }
            Some(c)
        }
        _ => None,
    };
    // The defaults the service documents: BACKWARD without a StartPosition, FORWARD
    // with one (an empty `{}` counts as none). Either way the scan starts at the newest
    // item unless told otherwise.
    let (start, direction) = match &input.next_token {
        Some(t) => match chat.parse_next_token(t) {
            Some((d, seq)) => (Start::Seq(seq), d),
            None => {
                return Err(validation(
                    "1 validation error detected: Value at 'nextToken' failed to satisfy \
                     constraint: Member must be a NextToken this chat's GetTranscript gave",
                ));
            }
        },
        None => {
            let d = input.direction.unwrap_or(if input.start == Start::Newest {
                Direction::Backward
            } else {
                Direction::Forward
            });
            (input.start, d)
        }
    };
    // 0 is what SDKs send for "not set" (Go omits it; the shape's default is 0).
    let max = match input.max_results {
        None | Some(0) => DEFAULT_MAX_RESULTS,
        Some(n) => n as usize,
    };
    let keep = |i: &Item| past_of.is_none_or(|c| i.is_from(c));
    let Ok(page) = chat.scan_where(&start, direction, max, keep) else {
        return Err(validation(
            "1 validation error detected: Value at 'startPosition.id' failed to satisfy \
             constraint: Member must be the Id of an item in this transcript",
        ));
    };
    let mut items = page.items;
    if input.ascending {
        items.sort_by_key(|i| i.seq);
    } else {
        items.sort_by_key(|i| std::cmp::Reverse(i.seq));
    }
    let mut out = Map::new();
    out.insert("InitialContactId".into(), json!(chat.contact_id));
    out.insert(
        "Transcript".into(),
        Value::Array(items.iter().map(|i| item_json(chat, i)).collect()),
    );
    match page.next {
        Some(next) => {
            out.insert("NextToken".into(), json!(next));
        }
        None if service.settings.empty_next_token_on_last_page => {
            out.insert("NextToken".into(), json!(""));
        }
        None => {}
    }
    Ok(ok(&Value::Object(out)))
}

/// Reads and checks the body's members, in the model's order.
fn read_input(request: &Request) -> Result<Input, Reply> {
    let map = body(request)?;
    let contact = string(&map, "ContactId")?;
    if let Some(c) = &contact {
        chars_within(c, "contactId", 1, MAX_ID)?;
    }
    let max_results = integer(&map, "MaxResults", "maxResults", MAX_RESULTS)?;
    let next_token = string(&map, "NextToken")?;
    if let Some(t) = &next_token {
        chars_within(t, "nextToken", 1, MAX_NEXT_TOKEN)?;
    }
    let scan = string(&map, "ScanDirection")?;
    let direction = match scan.as_deref() {
        None => None,
        Some("FORWARD") => Some(Direction::Forward),
        Some("BACKWARD") => Some(Direction::Backward),
        Some(other) => {
            return Err(enum_value("scanDirection", other, &["FORWARD", "BACKWARD"]));
        }
    };
    let ascending = match string(&map, "SortOrder")?.as_deref() {
        None | Some("DESCENDING") => false,
        Some("ASCENDING") => true,
        Some(other) => {
            return Err(enum_value("sortOrder", other, &["DESCENDING", "ASCENDING"]));
        }
    };
    let start = match map.get("StartPosition") {
        None | Some(Value::Null) => Start::Newest,
        Some(Value::Object(p)) => start_position(p)?,
        Some(_) => return Err(serialization("StartPosition must be an object")),
    };
    Ok(Input {
        contact,
        max_results,
        next_token,
        direction,
        ascending,
        start,
    })
}

/// Reads `StartPosition`: `Id`, then `AbsoluteTime`, then `MostRecent` (the first set
/// wins; the model does not say whether they combine). An empty one is none.
fn start_position(p: &Map<String, Value>) -> Result<Start, Reply> {
    let id = string(p, "Id")?;
    let time = string(p, "AbsoluteTime")?;
    let most_recent = integer(p, "MostRecent", "startPosition.mostRecent", MAX_RESULTS)?;
    if let Some(id) = &id {
        chars_within(id, "startPosition.id", 1, MAX_ID)?;
    }
    let time = match time {
        Some(t) => {
            chars_within(&t, "startPosition.absoluteTime", 1, MAX_INSTANT)?;
            let parsed = crate::Timestamp::parse(&t)
                .ok()
                .and_then(|t| t.to_system_time());
            let Some(at) = parsed else {
                return Err(validation(format!(
                    "1 validation error detected: Value '{t}' at 'startPosition.absoluteTime' \
                     failed to satisfy constraint: Member must be an ISO 8601 time such as \
                     2019-11-08T02:41:28.172Z"
                )));
            };
            Some(at)
        }
        None => None,
    };
    Ok(match (id, time, most_recent) {
        (Some(id), _, _) => Start::Id(id),
        (None, Some(at), _) => Start::Time(at),
        (None, None, Some(n)) if n > 0 => Start::MostRecent(n as usize),
        _ => Start::Newest,
    })
}
