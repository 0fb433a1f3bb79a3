//! The customer's answers to interactive messages, as the reference clients send them: a
//! choice is sent as its title (`text/plain`), a list picker's paging button and a view's
//! action as an `interactive.response` JSON.

use serde_json::Value;

use super::{Carousel, Element, ListPicker, Panel, QuickReply, Template, TimePicker};
use crate::error::{Error, Result};
use crate::json::JsonObject;
use crate::ops::message::SendMessageRequest;

/// The `version` every documented template and answer carries.
const VERSION: &str = "1.0";

/// A list picker's paging buttons: answered with an [`InteractiveResponse`], not a title.
const PAGING_ACTIONS: [&str; 2] = ["SHOW_MORE", "PREVIOUS_OPTIONS"];

/// An `application/vnd.amazonaws.connect.message.interactive.response` answer: a list
/// picker's paging button (`SHOW_MORE`, `PREVIOUS_OPTIONS`), or a view's action. (A plain
/// choice is answered with its title: see [`ListPicker::answer`] and its siblings.)
///
/// Its content is written as the hosted chat interface writes it, member for member:
///
/// ```
/// use connect_participant::{InteractiveResponse, MessageContentType};
///
/// let request = InteractiveResponse::paging("SHOW_MORE")
///     .pre_index(-1)
///     .next_index(5)
///     .list_id("serviceList")
///     .reference_id("320435df-2e3c-47ea-9206-e64f81dd8e3c")
///     .to_request()?;
/// assert_eq!(request.content_type(), &MessageContentType::InteractiveResponse);
/// assert_eq!(
///     request.content(),
///     r#"{"version":"1.0","data":{"actionName":"SHOW_MORE","preIndex":-1,"nextIndex":5,"listId":"serviceList","templateType":"ListPicker","referenceId":"320435df-2e3c-47ea-9206-e64f81dd8e3c"},"action":"SHOW_MORE"}"#
/// );
/// # Ok::<(), connect_participant::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractiveResponse {
    action: String,
    template_type: String,
    shape: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `{"version","data":{"actionName",…,"templateType","referenceId"},"action"}`.
    Paging {
        reference_id: Option<String>,
        list_id: Option<String>,
        pre_index: Option<i64>,
        next_index: Option<i64>,
    },
    /// `{"action","data":<output>,"templateType","version"}`; the output as given.
    View { output: String },
}

impl InteractiveResponse {
    /// A list picker's paging button: `action` is its `actionDetail` (`SHOW_MORE` or
    /// `PREVIOUS_OPTIONS`); template type `ListPicker` unless
    /// [`template_type`](Self::template_type) says otherwise. The picker's `referenceId`,
    /// `listId`, `preIndex` and `nextIndex` go with it ([`ListPicker::answer`] copies
    /// them).
    pub fn paging(action: impl Into<String>) -> InteractiveResponse {
        InteractiveResponse {
            action: action.into(),
            template_type: "ListPicker".into(),
            shape: Shape::Paging {
                reference_id: None,
                list_id: None,
                pre_index: None,
                next_index: None,
            },
        }
    }

    /// A view's action (a `ViewResource` template, DescribeView's `Actions`): `output` is
    /// the view's output, a JSON object's text (`{}` for none).
    ///
    /// ```
    /// use connect_participant::InteractiveResponse;
    ///
    /// let answer = InteractiveResponse::view("Submit", r#"{"Name":"Jo"}"#).content()?;
    /// assert_eq!(
    ///     answer,
    ///     r#"{"action":"Submit","data":{"Name":"Jo"},"templateType":"ViewResource","version":"1.0"}"#
    /// );
    /// # Ok::<(), connect_participant::Error>(())
    /// ```
    pub fn view(action: impl Into<String>, output: impl Into<String>) -> InteractiveResponse {
        InteractiveResponse {
            action: action.into(),
            template_type: "ViewResource".into(),
            shape: Shape::View {
                output: output.into(),
            },
        }
    }

    /// Sets the `templateType` the answer names.
    #[must_use]
    pub fn template_type(mut self, template_type: impl Into<String>) -> InteractiveResponse {
        self.template_type = template_type.into();
        self
    }

    /// Sets the paged list's `referenceId` (a [`paging`](Self::paging) answer only).
    #[must_use]
    pub fn reference_id(mut self, id: impl Into<String>) -> InteractiveResponse {
        if let Shape::Paging { reference_id, .. } = &mut self.shape {
            *reference_id = Some(id.into());
        }
        self
    }

    /// Sets the paged list's `listId` (a [`paging`](Self::paging) answer only).
    #[must_use]
    pub fn list_id(mut self, id: impl Into<String>) -> InteractiveResponse {
        if let Shape::Paging { list_id, .. } = &mut self.shape {
            *list_id = Some(id.into());
        }
        self
    }

    /// Sets `preIndex` (a [`paging`](Self::paging) answer only).
    #[must_use]
    pub fn pre_index(mut self, index: i64) -> InteractiveResponse {
        if let Shape::Paging { pre_index, .. } = &mut self.shape {
            *pre_index = Some(index);
        }
        self
    }

    /// Sets `nextIndex` (a [`paging`](Self::paging) answer only).
    #[must_use]
    pub fn next_index(mut self, index: i64) -> InteractiveResponse {
        if let Shape::Paging { next_index, .. } = &mut self.shape {
            *next_index = Some(index);
        }
        self
    }

    /// The answer's JSON text, unchecked for size.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty action (the
    /// service refuses one), an empty template type, or a view's output that is not a
    /// JSON object.
    pub fn content(&self) -> Result<String> {
        if self.action.is_empty() {
            return Err(Error::invalid_input(
                "action",
                "empty, must be 1 or more characters",
            ));
        }
        if self.template_type.is_empty() {
            return Err(Error::invalid_input(
                "templateType",
                "empty, must be 1 or more characters",
            ));
        }
        let json = match &self.shape {
            Shape::Paging {
                reference_id,
                list_id,
                pre_index,
                next_index,
            } => {
                let data = JsonObject::new()
                    .string("actionName", &self.action)
                    .opt_i64("preIndex", *pre_index)
                    .opt_i64("nextIndex", *next_index)
                    .opt_string("listId", list_id.as_deref())
                    .string("templateType", &self.template_type)
                    .opt_string("referenceId", reference_id.as_deref());
                JsonObject::new()
                    .string("version", VERSION)
                    .opt_object("data", Some(data))
                    .string("action", &self.action)
            }
            Shape::View { output } => {
                let output = match serde_json::from_str::<Value>(output) {
                    Ok(v @ Value::Object(_)) => v,
                    _ => return Err(Error::invalid_input("output", "not a JSON object")),
                };
                JsonObject::new()
                    .string("action", &self.action)
                    .value("data", &output)
                    .string("templateType", &self.template_type)
                    .string("version", VERSION)
            }
        };
        // JsonObject writes UTF-8 only: its strings come from `&str`, escaped by serde_json.
        Ok(String::from_utf8_lossy(&json.finish()).into_owned())
    }

    /// The SendMessage request that sends this answer, checked against the service's
    /// limits before anything is sent.
    ///
    /// # Errors
    ///
    /// As [`content`](Self::content), and
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for content over
    /// [`MAX_MESSAGE_BYTES`](crate::MAX_MESSAGE_BYTES):
    /// `invalid Content: 16390 bytes of UTF-8, must be 1 to 16384`.
    pub fn to_request(&self) -> Result<SendMessageRequest> {
        checked(SendMessageRequest::interactive_response(self.content()?))
    }
}

/// `request`, once it meets the service's limits.
fn checked(request: SendMessageRequest) -> Result<SendMessageRequest> {
    request.validate()?;
    Ok(request)
}

/// The choice at `index`, or why not.
fn choice<T>(choices: &[T], index: usize) -> Result<&T> {
    choices.get(index).ok_or_else(|| {
        Error::invalid_input(
            "index",
            format_args!("{index}, the template has {} choices", choices.len()),
        )
    })
}

/// A choice answered with its title, as `text/plain`.
fn by_title(element: &Element) -> Result<SendMessageRequest> {
    let title = element
        .title
        .as_deref()
        .ok_or_else(|| Error::invalid_input("title", "the choice has none to answer with"))?;
    checked(SendMessageRequest::text(title))
}

impl ListPicker {
    /// The answer that picks `elements[index]`: its title as `text/plain`, or, for a
    /// paging button (`actionDetail` `SHOW_MORE` or `PREVIOUS_OPTIONS`), an
    /// [`InteractiveResponse::paging`] with this picker's `referenceId`, `listId`,
    /// `preIndex` and `nextIndex`, as the hosted chat interface answers.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an index past the
    /// choices, a choice without a title, or an answer over the service's limits.
    pub fn answer(&self, index: usize) -> Result<SendMessageRequest> {
        let element = choice(&self.elements, index)?;
        match element.action_detail.as_deref() {
            Some(action) if PAGING_ACTIONS.contains(&action) => {
                let mut r = InteractiveResponse::paging(action);
                r.shape = Shape::Paging {
                    reference_id: self.reference_id.clone(),
                    list_id: self.list_id.clone(),
                    pre_index: self.pre_index,
                    next_index: self.next_index,
                };
                r.to_request()
            }
            _ => by_title(element),
        }
    }
}

impl Panel {
    /// The answer that picks `elements[index]`: its title, as `text/plain`.
    ///
    /// # Errors
    ///
    /// As [`ListPicker::answer`].
    pub fn answer(&self, index: usize) -> Result<SendMessageRequest> {
        by_title(choice(&self.elements, index)?)
    }
}

impl QuickReply {
    /// The answer that picks `elements[index]`: its title, as `text/plain`.
    ///
    /// # Errors
    ///
    /// As [`ListPicker::answer`].
    pub fn answer(&self, index: usize) -> Result<SendMessageRequest> {
        by_title(choice(&self.elements, index)?)
    }
}

impl TimePicker {
    /// The answer that picks `timeslots[index]`: its `date` as sent, as `text/plain`.
    ///
    /// # Errors
    ///
    /// As [`ListPicker::answer`] (a slot without a date has nothing to answer with).
    pub fn answer(&self, index: usize) -> Result<SendMessageRequest> {
        let slot = choice(&self.timeslots, index)?;
        let date = slot
            .date
            .as_deref()
            .ok_or_else(|| Error::invalid_input("date", "the time slot has none"))?;
        checked(SendMessageRequest::text(date))
    }
}

impl Carousel {
    /// The answer that picks choice `choice` of panel `panel`: `text/plain` content
    /// `{"templateIdentifier":…,"listTitle":…,"selectionText":…}` (the panel's identifier
    /// and title, the choice's title), as the hosted chat interface answers.
    ///
    /// # Errors
    ///
    /// As [`ListPicker::answer`], also for a panel this crate keeps as JSON.
    pub fn answer(&self, panel: usize, choice_index: usize) -> Result<SendMessageRequest> {
        let message = choice(&self.elements, panel)?;
        let (title, elements) = match &message.template {
            Template::Panel(p) => (&p.title, &p.elements),
            Template::ListPicker(l) => (&l.title, &l.elements),
            _ => {
                return Err(Error::invalid_input(
                    "panel",
                    "not a panel or list picker, nothing to pick",
                ));
            }
        };
        let element = choice(elements, choice_index)?;
        let selection = element
            .title
            .as_deref()
            .ok_or_else(|| Error::invalid_input("title", "the choice has none to answer with"))?;
        let json = JsonObject::new()
            .opt_string("templateIdentifier", message.template_identifier.as_deref())
            .opt_string("listTitle", title.as_deref())
            .string("selectionText", selection)
            .finish();
        checked(SendMessageRequest::text(
            String::from_utf8_lossy(&json).into_owned(),
        ))
    }
}
