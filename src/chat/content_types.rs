//! The `ContentType` values of the Participant Service's chat items: every event of its
//! catalogue, and the interactive messages.
//!
//! Content types are open-ended: the service may add some, and an item of a type not
//! named here is still read, as any other. The names are the ones Amazon's own chat
//! clients (amazon-connect-chatjs's `constants.js`, the Android SDK's `ContentType`)
//! compare against.
//!
//! ```
//! use connect_participant::content_type;
//!
//! assert_eq!(
//!     content_type::AUTHENTICATION_SUCCEEDED,
//!     "application/vnd.amazonaws.connect.event.authentication.succeeded"
//! );
//! assert!(content_type::EVENTS.contains(&content_type::PARTICIPANT_INVITED));
//! ```

/// Someone is typing. Not kept in the transcript.
pub const TYPING: &str = "application/vnd.amazonaws.connect.event.typing";
/// A delivered receipt, as sent with SendEvent.
pub const MESSAGE_DELIVERED: &str = "application/vnd.amazonaws.connect.event.message.delivered";
/// A read receipt, as sent with SendEvent.
pub const MESSAGE_READ: &str = "application/vnd.amazonaws.connect.event.message.read";
/// Receipts as the other participants receive them (`Type: MESSAGEMETADATA`).
pub const MESSAGE_METADATA: &str = "application/vnd.amazonaws.connect.event.message.metadata";
/// The legacy connection acknowledgement (its SendEvent path retired on 2024-12-31).
pub const CONNECTION_ACKNOWLEDGED: &str =
    "application/vnd.amazonaws.connect.event.connection.acknowledged";
/// A participant joined.
pub const PARTICIPANT_JOINED: &str = "application/vnd.amazonaws.connect.event.participant.joined";
/// A participant left.
pub const PARTICIPANT_LEFT: &str = "application/vnd.amazonaws.connect.event.participant.left";
/// A participant was invited (a multi-party chat).
pub const PARTICIPANT_INVITED: &str = "application/vnd.amazonaws.connect.event.participant.invited";
/// A participant's idle timer fired.
pub const PARTICIPANT_IDLE: &str = "application/vnd.amazonaws.connect.event.participant.idle";
/// An idle participant came back.
pub const PARTICIPANT_RETURNED: &str =
    "application/vnd.amazonaws.connect.event.participant.returned";
/// A participant was disconnected for being idle.
pub const PARTICIPANT_AUTODISCONNECTION: &str =
    "application/vnd.amazonaws.connect.event.participant.autodisconnection";
/// A participant became active (named by the reference clients, handled by none).
pub const PARTICIPANT_ACTIVE: &str = "application/vnd.amazonaws.connect.event.participant.active";
/// A participant became inactive (named by the reference clients, handled by none).
pub const PARTICIPANT_INACTIVE: &str =
    "application/vnd.amazonaws.connect.event.participant.inactive";
/// A participant's display name changed.
pub const PARTICIPANT_DISPLAYNAME_UPDATED: &str =
    "application/vnd.amazonaws.connect.event.participant.displayname.updated";
/// The chat is over.
pub const CHAT_ENDED: &str = crate::ops::transcript::CHAT_ENDED_CONTENT_TYPE;
/// A persistent chat was rehydrated from a past contact.
pub const CHAT_REHYDRATED: &str = "application/vnd.amazonaws.connect.event.chat.rehydrated";
/// The chat was transferred.
pub const TRANSFER_SUCCEEDED: &str = "application/vnd.amazonaws.connect.event.transfer.succeeded";
/// A transfer failed.
pub const TRANSFER_FAILED: &str = "application/vnd.amazonaws.connect.event.transfer.failed";
/// An Authenticate Customer block started; `Content` is `{"SessionId":"…"}`, for
/// GetAuthenticationUrl within a minute.
pub const AUTHENTICATION_INITIATED: &str =
    "application/vnd.amazonaws.connect.event.authentication.initiated";
/// The customer signed in. (ChatJS's README says `…authentication.success`; its constants
/// and the Android SDK's say `succeeded`, which is what is compared.)
pub const AUTHENTICATION_SUCCEEDED: &str =
    "application/vnd.amazonaws.connect.event.authentication.succeeded";
/// The sign-in failed.
pub const AUTHENTICATION_FAILED: &str =
    "application/vnd.amazonaws.connect.event.authentication.failed";
/// The sign-in timed out.
pub const AUTHENTICATION_TIMEOUT: &str =
    "application/vnd.amazonaws.connect.event.authentication.timeout";
/// The sign-in session expired.
pub const AUTHENTICATION_EXPIRED: &str =
    "application/vnd.amazonaws.connect.event.authentication.expired";
/// The sign-in was cancelled (CancelParticipantAuthentication; note the double `l`).
pub const AUTHENTICATION_CANCELLED: &str =
    "application/vnd.amazonaws.connect.event.authentication.cancelled";
/// A workflow was cancelled (ChatJS 5.0.0).
pub const WORKFLOW_CANCELLED: &str = "application/vnd.amazonaws.connect.event.workflow.cancelled";
/// An interactive message from a bot or flow (`Type: MESSAGE`): a list picker, time
/// picker, panel, quick reply or carousel; see
/// [`InteractiveMessage`](crate::InteractiveMessage).
pub const INTERACTIVE: &str = "application/vnd.amazonaws.connect.message.interactive";
/// The customer's answer to an interactive message; see
/// [`InteractiveResponse`](crate::InteractiveResponse).
pub const INTERACTIVE_RESPONSE: &str =
    "application/vnd.amazonaws.connect.message.interactive.response";

/// Every event content type of the service's catalogue, in the order above: what a
/// program may see in `EVENT` and `MESSAGEMETADATA` items.
pub const EVENTS: [&str; 25] = [
    TYPING,
    MESSAGE_DELIVERED,
    MESSAGE_READ,
    MESSAGE_METADATA,
    CONNECTION_ACKNOWLEDGED,
    PARTICIPANT_JOINED,
    PARTICIPANT_LEFT,
    PARTICIPANT_INVITED,
    PARTICIPANT_IDLE,
    PARTICIPANT_RETURNED,
    PARTICIPANT_AUTODISCONNECTION,
    PARTICIPANT_ACTIVE,
    PARTICIPANT_INACTIVE,
    PARTICIPANT_DISPLAYNAME_UPDATED,
    CHAT_ENDED,
    CHAT_REHYDRATED,
    TRANSFER_SUCCEEDED,
    TRANSFER_FAILED,
    AUTHENTICATION_INITIATED,
    AUTHENTICATION_SUCCEEDED,
    AUTHENTICATION_FAILED,
    AUTHENTICATION_TIMEOUT,
    AUTHENTICATION_EXPIRED,
    AUTHENTICATION_CANCELLED,
    WORKFLOW_CANCELLED,
];
