//! Interactive messages (`application/vnd.amazonaws.connect.message.interactive`): the
//! templates a bot or flow sends (list picker, time picker, panel, quick reply, carousel),
//! read into types, and the customer's answers to them.
//!
//! The shapes are those of the Amazon Connect administrator guide ("Add Amazon Lex
//! interactive messages for customers in chat") as the Android SDK's models and the
//! hosted chat interface read them. Reading is lenient as everywhere in this crate: a
//! member that is absent or `null` is `None`, members this crate does not know are
//! ignored, and only a member of the wrong JSON type, content that is not a JSON object,
//! or one without a `templateType` makes the reader fail. A template this crate does not
//! know (`ViewResource`, one added later) is kept whole, never an error.

mod response;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

use crate::chat::content_types::INTERACTIVE;
use crate::error::{Error, Result};
use crate::json::{BadAnswer, Members};
use crate::ops::transcript::Item;

pub use response::InteractiveResponse;

/// An interactive message's content, read.
///
/// ```
/// use connect_participant::{InteractiveMessage, Template};
///
/// let content = r#"{"templateType":"QuickReply","version":"1.0","data":{"content":
///     {"title":"How was your chat?","elements":[{"title":"Good"},{"title":"Bad"}]}}}"#;
/// let message = InteractiveMessage::parse(content)?;
/// let Template::QuickReply(quick) = &message.template else { panic!() };
/// assert_eq!(quick.title.as_deref(), Some("How was your chat?"));
/// assert_eq!(quick.elements[1].title.as_deref(), Some("Bad"));
/// // The customer answers with the choice's title, as the reference clients do.
/// let answer = quick.answer(1)?;
/// assert_eq!(answer.content(), "Bad");
/// # Ok::<(), connect_participant::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InteractiveMessage {
    /// `templateType`: `ListPicker`, `TimePicker`, `Panel`, `QuickReply`, `Carousel`, or
    /// another the [`template`](Self::template) keeps as JSON.
    pub template_type: String,
    /// `version`, `1.0` in every documented template.
    pub version: Option<String>,
    /// `templateIdentifier`: names a carousel's panels, which the answer repeats.
    pub template_identifier: Option<String>,
    /// The template's members.
    pub template: Template,
}

/// The members of an interactive message's template.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Template {
    /// `ListPicker`: up to six choices, each with its own image.
    ListPicker(ListPicker),
    /// `TimePicker`: time slots to pick from.
    TimePicker(TimePicker),
    /// `Panel`: a question with up to ten choices.
    Panel(Panel),
    /// `QuickReply`: short answers shown as buttons.
    QuickReply(QuickReply),
    /// `Carousel`: panels (or list pickers) side by side.
    Carousel(Carousel),
    /// A template this crate does not read (`ViewResource`, a template added later, a
    /// carousel inside a carousel): the whole content as compact JSON text, its members
    /// in alphabetical order.
    Other(String),
}

/// An image of a template or of one of its choices (`imageType`, `imageData`,
/// `imageDescription`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Image {
    /// `imageType`, `URL` in the documented templates.
    pub image_type: Option<String>,
    /// `imageData`: the image's URL.
    pub data: Option<String>,
    /// `imageDescription`: its alternative text.
    pub description: Option<String>,
}

/// One choice of a list picker, panel or quick reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Element {
    /// `title`: what is shown, and what the answer says.
    pub title: Option<String>,
    /// `subtitle`.
    pub subtitle: Option<String>,
    /// Its image, if it has one.
    pub image: Option<Image>,
    /// `actionDetail`: `SHOW_MORE` or `PREVIOUS_OPTIONS` for a list picker's paging
    /// buttons, which are answered with an [`InteractiveResponse`] instead of a title.
    pub action_detail: Option<String>,
}

/// What the chat shows once the customer chose (`data.replyMessage`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplyMessage {
    /// `title`.
    pub title: Option<String>,
    /// `subtitle`.
    pub subtitle: Option<String>,
    /// Its image, if it has one.
    pub image: Option<Image>,
}

/// A `ListPicker` template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListPicker {
    /// `title`.
    pub title: Option<String>,
    /// `subtitle`.
    pub subtitle: Option<String>,
    /// The picker's image, if it has one.
    pub image: Option<Image>,
    /// `elements`: the choices, paging buttons included.
    pub elements: Vec<Element>,
    /// `data.replyMessage`.
    pub reply_message: Option<ReplyMessage>,
    /// `referenceId`: the paged list's session, for paging buttons.
    pub reference_id: Option<String>,
    /// `listId`: the paged list's data source, for paging buttons.
    pub list_id: Option<String>,
    /// `preIndex`: where the previous page starts (-1: none).
    pub pre_index: Option<i64>,
    /// `nextIndex`: where the next page starts.
    pub next_index: Option<i64>,
}

/// A `Panel` template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Panel {
    /// `title`.
    pub title: Option<String>,
    /// `subtitle`.
    pub subtitle: Option<String>,
    /// The panel's image, if it has one.
    pub image: Option<Image>,
    /// `elements`: the choices.
    pub elements: Vec<Element>,
    /// `data.replyMessage`.
    pub reply_message: Option<ReplyMessage>,
}

/// A `QuickReply` template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuickReply {
    /// `title`.
    pub title: Option<String>,
    /// `subtitle`.
    pub subtitle: Option<String>,
    /// `elements`: the choices.
    pub elements: Vec<Element>,
    /// `data.replyMessage`.
    pub reply_message: Option<ReplyMessage>,
}

/// A `TimePicker` template.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TimePicker {
    /// `title`.
    pub title: Option<String>,
    /// `subtitle`.
    pub subtitle: Option<String>,
    /// `timeZoneOffset`: minutes from UTC of the times shown.
    pub time_zone_offset: Option<i64>,
    /// `location`: where the appointment is.
    pub location: Option<Location>,
    /// `timeslots`: the times to pick from.
    pub timeslots: Vec<TimeSlot>,
    /// `data.replyMessage`.
    pub reply_message: Option<ReplyMessage>,
}

/// A time picker's `location`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Location {
    /// `latitude`.
    pub latitude: Option<f64>,
    /// `longitude`.
    pub longitude: Option<f64>,
    /// `title`.
    pub title: Option<String>,
    /// `radius`.
    pub radius: Option<i64>,
}

/// One of a time picker's `timeslots`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimeSlot {
    /// `date`: the start, as sent (ISO 8601, `2026-12-07T10:00+00:00`, say); the answer
    /// repeats it.
    pub date: Option<String>,
    /// `duration`: minutes.
    pub duration: Option<i64>,
}

/// A `Carousel` template: panels (or list pickers), each an interactive message of its own
/// with its [`template_identifier`](InteractiveMessage::template_identifier).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Carousel {
    /// `title`.
    pub title: Option<String>,
    /// `elements`: the panels. A carousel inside one is kept as
    /// [`Template::Other`].
    pub elements: Vec<InteractiveMessage>,
}

/// The templates this crate reads; any other is kept as JSON.
const KNOWN: [&str; 5] = [
    "ListPicker",
    "TimePicker",
    "Panel",
    "QuickReply",
    "Carousel",
];

impl InteractiveMessage {
    /// Reads an interactive message's `Content`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidResponse`](crate::ErrorKind::InvalidResponse) for content that
    /// is not a JSON object, has no string `templateType`, lacks the `data.content` object
    /// of a template this crate reads, or has a member of the wrong JSON type. The message
    /// names the member, never the content.
    pub fn parse(content: &str) -> Result<InteractiveMessage> {
        let value: Value =
            serde_json::from_str(content).map_err(|e| invalid(format_args!("not JSON ({e})")))?;
        let Value::Object(map) = value else {
            return Err(invalid("not a JSON object"));
        };
        read_message(map, false).map_err(|BadAnswer(why)| invalid(why))
    }
}

impl Item {
    /// This item's interactive message, if it is one
    /// (`ContentType: application/vnd.amazonaws.connect.message.interactive`): `None` for
    /// any other item, an error for one whose content cannot be read (see
    /// [`InteractiveMessage::parse`]; no content at all reads as empty).
    pub fn interactive(&self) -> Option<Result<InteractiveMessage>> {
        if self.content_type.as_deref() != Some(INTERACTIVE) {
            return None;
        }
        Some(InteractiveMessage::parse(
            self.content.as_deref().unwrap_or(""),
        ))
    }
}

fn invalid(why: impl std::fmt::Display) -> Error {
    Error::new_invalid_response(format!("invalid interactive message: {why}"))
}

/// One message (or a carousel's panel, `nested`) from its JSON object.
fn read_message(map: Map<String, Value>, nested: bool) -> Result<InteractiveMessage, BadAnswer> {
    let template_type = match map.get("templateType") {
        Some(Value::String(t)) => t.clone(),
        Some(v) if !v.is_null() => {
            return Err(BadAnswer("member templateType is not a string".into()));
        }
        _ => return Err(BadAnswer("member templateType is missing".into())),
    };
    let reads = KNOWN.contains(&template_type.as_str()) && !(nested && template_type == "Carousel");
    if !reads {
        let mut m = Members::root(map.clone());
        return Ok(InteractiveMessage {
            template_type,
            version: m.string("version")?,
            template_identifier: m.string("templateIdentifier")?,
            template: Template::Other(Value::Object(map).to_string()),
        });
    }
    let mut m = Members::root(map);
    let version = m.string("version")?;
    let template_identifier = m.string("templateIdentifier")?;
    let mut data = m
        .object("data")?
        .ok_or_else(|| BadAnswer("member data is missing".into()))?;
    let reply_message = data.object("replyMessage")?.map(read_reply).transpose()?;
    let content = data
        .object("content")?
        .ok_or_else(|| BadAnswer("member data.content is missing".into()))?;
    let template = match template_type.as_str() {
        "ListPicker" => Template::ListPicker(read_list_picker(content, reply_message)?),
        "TimePicker" => Template::TimePicker(read_time_picker(content, reply_message)?),
        "Panel" => Template::Panel(read_panel(content, reply_message)?),
        "QuickReply" => Template::QuickReply(read_quick_reply(content, reply_message)?),
        _ => Template::Carousel(read_carousel(content)?),
    };
    Ok(InteractiveMessage {
        template_type,
        version,
        template_identifier,
        template,
    })
}

/// The image members of an object, if it has any.
fn read_image(m: &mut Members) -> Result<Option<Image>, BadAnswer> {
    let image = Image {
        image_type: m.string("imageType")?,
        data: m.string("imageData")?,
        description: m.string("imageDescription")?,
    };
    let any = image.image_type.is_some() || image.data.is_some() || image.description.is_some();
    Ok(any.then_some(image))
}

fn read_element(mut m: Members) -> Result<Element, BadAnswer> {
    Ok(Element {
        title: m.string("title")?,
        subtitle: m.string("subtitle")?,
        image: read_image(&mut m)?,
        action_detail: m.string("actionDetail")?,
    })
}

fn read_reply(mut m: Members) -> Result<ReplyMessage, BadAnswer> {
    Ok(ReplyMessage {
        title: m.string("title")?,
        subtitle: m.string("subtitle")?,
        image: read_image(&mut m)?,
    })
}

fn read_list_picker(
    mut m: Members,
    reply_message: Option<ReplyMessage>,
) -> Result<ListPicker, BadAnswer> {
    Ok(ListPicker {
        title: m.string("title")?,
        subtitle: m.string("subtitle")?,
        image: read_image(&mut m)?,
        elements: m.list("elements", read_element)?,
        reply_message,
        reference_id: m.string("referenceId")?,
        list_id: m.string("listId")?,
        pre_index: m.integer("preIndex")?,
        next_index: m.integer("nextIndex")?,
    })
}

fn read_panel(mut m: Members, reply_message: Option<ReplyMessage>) -> Result<Panel, BadAnswer> {
    Ok(Panel {
        title: m.string("title")?,
        subtitle: m.string("subtitle")?,
        image: read_image(&mut m)?,
        elements: m.list("elements", read_element)?,
        reply_message,
    })
}

fn read_quick_reply(
    mut m: Members,
    reply_message: Option<ReplyMessage>,
) -> Result<QuickReply, BadAnswer> {
    Ok(QuickReply {
        title: m.string("title")?,
        subtitle: m.string("subtitle")?,
        elements: m.list("elements", read_element)?,
        reply_message,
    })
}

fn read_time_picker(
    mut m: Members,
    reply_message: Option<ReplyMessage>,
) -> Result<TimePicker, BadAnswer> {
    let location = match m.object("location")? {
        Some(mut l) => Some(Location {
            latitude: l.number("latitude")?,
            longitude: l.number("longitude")?,
            title: l.string("title")?,
            radius: l.integer("radius")?,
        }),
        None => None,
    };
    Ok(TimePicker {
        title: m.string("title")?,
        subtitle: m.string("subtitle")?,
        time_zone_offset: m.integer("timeZoneOffset")?,
        location,
        timeslots: m.list("timeslots", |mut s| {
            Ok(TimeSlot {
                date: s.string("date")?,
                duration: s.integer("duration")?,
            })
        })?,
        reply_message,
    })
}

fn read_carousel(mut m: Members) -> Result<Carousel, BadAnswer> {
    let title = m.string("title")?;
    let mut n = 0;
    let elements = m.list("elements", |panel| {
        let i = n;
        n += 1;
        read_message(panel.into_map(), true)
            .map_err(|BadAnswer(why)| BadAnswer(format!("in data.content.elements[{i}]: {why}")))
    })?;
    Ok(Carousel { title, elements })
}
