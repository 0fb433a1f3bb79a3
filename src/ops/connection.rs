//! CreateParticipantConnection: the participant token buys a connection token and a
//! WebSocket URL.

use crate::error::{Error, Result};
use crate::json::{BadAnswer, JsonObject, Members};
use crate::operation::Operation;
use crate::ops::open_enum;
use crate::time::Timestamp;
use crate::token::ParticipantToken;
use crate::token::{ConnectionToken, JoinToken, WebSocketUrl};

open_enum! {
    /// What CreateParticipantConnection is asked for (`Type`).
    ConnectionType {
        /// `WEBSOCKET`: a WebSocket URL to receive the chat on.
        Websocket = "WEBSOCKET",
        /// `CONNECTION_CREDENTIALS`: the connection token every other operation needs.
        ConnectionCredentials = "CONNECTION_CREDENTIALS",
        /// `WEBRTC_CONNECTION`: the WebRTC meeting of an in-app call.
        WebrtcConnection = "WEBRTC_CONNECTION",
    }
}

open_enum! {
    /// Whether a meeting feature is on (`MeetingFeatureStatus`).
    MeetingFeatureStatus {
        /// `AVAILABLE`.
        Available = "AVAILABLE",
        /// `UNAVAILABLE`.
        Unavailable = "UNAVAILABLE",
    }
}

/// One CreateParticipantConnection call's input (everything but the participant token).
///
/// The default is what Amazon's customer chat clients send (ChatJS, Android, iOS):
/// `{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"]}`.
///
/// ```
/// use connect_participant::{ConnectionType, CreateParticipantConnectionRequest};
///
/// let customer = CreateParticipantConnectionRequest::new();
/// assert_eq!(
///     customer.types(),
///     Some(&[ConnectionType::Websocket, ConnectionType::ConnectionCredentials][..])
/// );
/// // What ChatJS sends to acknowledge an agent's connection.
/// let ack = CreateParticipantConnectionRequest::new()
///     .without_types()
///     .with_connect_participant(true);
/// assert_eq!(ack.types(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateParticipantConnectionRequest {
    types: Option<Vec<ConnectionType>>,
    connect_participant: Option<bool>,
}

impl Default for CreateParticipantConnectionRequest {
    fn default() -> Self {
        CreateParticipantConnectionRequest {
            types: Some(vec![
                ConnectionType::Websocket,
                ConnectionType::ConnectionCredentials,
            ]),
            connect_participant: None,
        }
    }
}

impl CreateParticipantConnectionRequest {
    /// `WEBSOCKET` and `CONNECTION_CREDENTIALS`, no `ConnectParticipant`.
    pub fn new() -> CreateParticipantConnectionRequest {
        CreateParticipantConnectionRequest::default()
    }

    /// Asks for these connection types (`Type`, at least one), in this order.
    #[must_use]
    pub fn with_types<T: Into<ConnectionType>>(
        mut self,
        types: impl IntoIterator<Item = T>,
    ) -> CreateParticipantConnectionRequest {
        self.types = Some(types.into_iter().map(Into::into).collect());
        self
    }

    /// Leaves `Type` out (the member is optional).
    #[must_use]
    pub fn without_types(mut self) -> CreateParticipantConnectionRequest {
        self.types = None;
        self
    }

    /// Sets `ConnectParticipant`: mark the participant as connected (an agent in a chat
    /// without a WebSocket, or a customer using message streaming).
    #[must_use]
    pub fn with_connect_participant(
        mut self,
        connect_participant: bool,
    ) -> CreateParticipantConnectionRequest {
        self.connect_participant = Some(connect_participant);
        self
    }

    /// The `Type` member, if set.
    pub fn types(&self) -> Option<&[ConnectionType]> {
        self.types.as_deref()
    }

    /// The `ConnectParticipant` member, if set.
    pub fn connect_participant(&self) -> Option<bool> {
        self.connect_participant
    }

    /// Checks the members: `Type`, when present, holds at least one non-empty value.
    pub fn validate(&self) -> Result<()> {
        if let Some(types) = &self.types {
            if types.is_empty() {
                return Err(Error::invalid_input(
                    "Type",
                    "0 connection types, must be at least 1 (or leave Type out)",
                ));
            }
            if types.iter().any(|t| t.as_str().is_empty()) {
                return Err(Error::invalid_input("Type", "a connection type is empty"));
            }
        }
        Ok(())
    }

    /// The same request without `ConnectParticipant`: what a renewal sends.
    pub(crate) fn without_connect_participant(mut self) -> CreateParticipantConnectionRequest {
        self.connect_participant = None;
        self
    }

    /// Does it ask for a WebSocket URL?
    #[cfg(feature = "websocket")]
    pub(crate) fn asks_for_websocket(&self) -> bool {
        self.types
            .as_ref()
            .is_some_and(|t| t.contains(&ConnectionType::Websocket))
    }

    /// Does it ask for the connection token?
    pub(crate) fn asks_for_credentials(&self) -> bool {
        self.types
            .as_ref()
            .is_some_and(|t| t.contains(&ConnectionType::ConnectionCredentials))
    }
}

impl Operation for CreateParticipantConnectionRequest {
    type Output = CreateParticipantConnectionOutput;
    type Token = ParticipantToken;
    const NAME: &'static str = "CreateParticipantConnection";
    const PATH: &'static str = "/participant/connection";

    fn validate(&self) -> Result<()> {
        CreateParticipantConnectionRequest::validate(self)
    }

    fn body(&self, _: &str) -> Vec<u8> {
        JsonObject::new()
            .opt_bool("ConnectParticipant", self.connect_participant)
            .opt_strings(
                "Type",
                self.types
                    .as_ref()
                    .map(|t| t.iter().map(ConnectionType::as_str)),
            )
            .finish()
    }

    fn parse(mut answer: Members) -> Result<CreateParticipantConnectionOutput, BadAnswer> {
        let connection_credentials = match answer.object("ConnectionCredentials")? {
            None => None,
            Some(mut c) => Some(ConnectionCredentials {
                connection_token: match c.string("ConnectionToken")? {
                    None => None,
                    // Not shown: it is a secret even when it is unusable.
                    Some(t) => Some(ConnectionToken::new(t).map_err(|_| {
                        BadAnswer(
                            "member ConnectionCredentials.ConnectionToken is not 1 to 1000 \
                             visible ASCII characters"
                                .into(),
                        )
                    })?),
                },
                expiry: c.time("Expiry")?,
            }),
        };
        let websocket = match answer.object("Websocket")? {
            None => None,
            Some(mut w) => Some(Websocket {
                url: w.string("Url")?.map(WebSocketUrl::new),
                connection_expiry: w.time("ConnectionExpiry")?,
            }),
        };
        let webrtc_connection = match answer.object("WebRTCConnection")? {
            None => None,
            Some(w) => Some(read_webrtc(w)?),
        };
        Ok(CreateParticipantConnectionOutput {
            websocket,
            connection_credentials,
            webrtc_connection,
        })
    }
}

fn read_webrtc(mut w: Members) -> Result<WebRtcConnection, BadAnswer> {
    let attendee = match w.object("Attendee")? {
        None => None,
        Some(mut a) => Some(Attendee {
            attendee_id: a.string("AttendeeId")?,
            join_token: a.string("JoinToken")?.map(JoinToken::new),
        }),
    };
    let meeting = match w.object("Meeting")? {
        None => None,
        Some(mut m) => Some(WebRtcMeeting {
            media_placement: match m.object("MediaPlacement")? {
                None => None,
                Some(mut p) => Some(WebRtcMediaPlacement {
                    audio_host_url: p.string("AudioHostUrl")?,
                    audio_fallback_url: p.string("AudioFallbackUrl")?,
                    signaling_url: p.string("SignalingUrl")?,
                    event_ingestion_url: p.string("EventIngestionUrl")?,
                }),
            },
            meeting_features: match m.object("MeetingFeatures")? {
                None => None,
                Some(mut f) => Some(MeetingFeaturesConfiguration {
                    audio: match f.object("Audio")? {
                        None => None,
                        Some(mut a) => Some(AudioFeatures {
                            echo_reduction: a
                                .string("EchoReduction")?
                                .map(MeetingFeatureStatus::from),
                        }),
                    },
                }),
            },
            meeting_id: m.string("MeetingId")?,
        }),
    };
    Ok(WebRtcConnection { attendee, meeting })
}

/// The service's answer to CreateParticipantConnection: a member for each connection type
/// asked for (the service decides; every member is optional).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CreateParticipantConnectionOutput {
    /// `Websocket`: the URL to open, and until when it can be opened.
    pub websocket: Option<Websocket>,
    /// `ConnectionCredentials`: the connection token and its expiry.
    pub connection_credentials: Option<ConnectionCredentials>,
    /// `WebRTCConnection`: the meeting and attendee of an in-app call.
    pub webrtc_connection: Option<WebRtcConnection>,
}

/// `ConnectionCredentials`: the connection token and when it expires (about a day).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConnectionCredentials {
    /// `ConnectionToken`, ready to use.
    pub connection_token: Option<ConnectionToken>,
    /// `Expiry`.
    pub expiry: Option<Timestamp>,
}

/// `Websocket`: where to receive the chat. The URL is a secret (redacted in `Debug`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Websocket {
    /// `Url`.
    pub url: Option<WebSocketUrl>,
    /// `ConnectionExpiry`: the socket must be opened before then (about 100 s).
    pub connection_expiry: Option<Timestamp>,
}

/// `WebRTCConnection`, as the service gives it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WebRtcConnection {
    /// `Attendee`.
    pub attendee: Option<Attendee>,
    /// `Meeting`.
    pub meeting: Option<WebRtcMeeting>,
}

/// `Attendee` of a WebRTC meeting.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Attendee {
    /// `AttendeeId`.
    pub attendee_id: Option<String>,
    /// `JoinToken` (a secret, redacted in `Debug`).
    pub join_token: Option<JoinToken>,
}

/// `Meeting` of a WebRTC connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebRtcMeeting {
    /// `MediaPlacement`.
    pub media_placement: Option<WebRtcMediaPlacement>,
    /// `MeetingFeatures`.
    pub meeting_features: Option<MeetingFeaturesConfiguration>,
    /// `MeetingId`.
    pub meeting_id: Option<String>,
}

/// `MediaPlacement` of a WebRTC meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebRtcMediaPlacement {
    /// `AudioHostUrl`.
    pub audio_host_url: Option<String>,
    /// `AudioFallbackUrl`.
    pub audio_fallback_url: Option<String>,
    /// `SignalingUrl`.
    pub signaling_url: Option<String>,
    /// `EventIngestionUrl`.
    pub event_ingestion_url: Option<String>,
}

/// `MeetingFeatures` of a WebRTC meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MeetingFeaturesConfiguration {
    /// `Audio`.
    pub audio: Option<AudioFeatures>,
}

/// `Audio` features of a WebRTC meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AudioFeatures {
    /// `EchoReduction`.
    pub echo_reduction: Option<MeetingFeatureStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: &CreateParticipantConnectionRequest) -> String {
        String::from_utf8(Operation::body(r, "unused")).unwrap()
    }

    fn parse(json: &str) -> Result<CreateParticipantConnectionOutput, BadAnswer> {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        CreateParticipantConnectionRequest::parse(Members::root(v.as_object().unwrap().clone()))
    }

    #[test]
    fn bodies_are_what_the_official_clients_send() {
        let r = CreateParticipantConnectionRequest::new();
        assert_eq!(
            body(&r),
            r#"{"Type":["WEBSOCKET","CONNECTION_CREDENTIALS"]}"#
        );
        assert_eq!(
            body(&r.clone().without_types().with_connect_participant(true)),
            r#"{"ConnectParticipant":true}"#
        );
        assert_eq!(
            body(
                &r.clone()
                    .with_connect_participant(true)
                    .with_types(["WEBRTC_CONNECTION", "FUTURE"])
            ),
            r#"{"ConnectParticipant":true,"Type":["WEBRTC_CONNECTION","FUTURE"]}"#
        );
        assert_eq!(body(&r.without_types()), "{}");
    }

    #[test]
    fn empty_type_list_and_empty_values_are_refused() {
        let e = CreateParticipantConnectionRequest::new()
            .with_types(Vec::<ConnectionType>::new())
            .validate()
            .unwrap_err();
        assert_eq!(e.field(), Some("Type"));
        assert_eq!(
            e.to_string(),
            "invalid Type: 0 connection types, must be at least 1 (or leave Type out)"
        );
        let e = CreateParticipantConnectionRequest::new()
            .with_types([""])
            .validate()
            .unwrap_err();
        assert_eq!(e.to_string(), "invalid Type: a connection type is empty");
    }

    #[test]
    fn answer_is_read_with_secrets_redacted() {
        let out = parse(
            r#"{"ConnectionCredentials":{"ConnectionToken":"tok-1","Expiry":"2019-11-09T02:41:28.172Z"},
                "Websocket":{"ConnectionExpiry":"2019-11-08T02:43:08.172Z","Url":"wss://h/?t=secret"},
                "WebRTCConnection":{"Attendee":{"AttendeeId":"a","JoinToken":"jt-secret"},
                  "Meeting":{"MeetingId":"m","MediaPlacement":{"AudioHostUrl":"h","SignalingUrl":"s"},
                  "MeetingFeatures":{"Audio":{"EchoReduction":"AVAILABLE"}}}},
                "Future":{}}"#,
        )
        .unwrap();
        let c = out.connection_credentials.as_ref().unwrap();
        assert_eq!(
            c.connection_token.as_ref().unwrap().expose_secret(),
            "tok-1"
        );
        assert_eq!(
            c.expiry.as_ref().unwrap().as_str(),
            "2019-11-09T02:41:28.172Z"
        );
        let w = out.websocket.as_ref().unwrap();
        assert_eq!(w.url.as_ref().unwrap().expose_secret(), "wss://h/?t=secret");
        let rtc = out.webrtc_connection.as_ref().unwrap();
        let meeting = rtc.meeting.as_ref().unwrap();
        assert_eq!(meeting.meeting_id.as_deref(), Some("m"));
        assert_eq!(
            meeting
                .meeting_features
                .as_ref()
                .unwrap()
                .audio
                .as_ref()
                .unwrap()
                .echo_reduction,
            Some(MeetingFeatureStatus::Available)
        );
        let shown = format!("{out:?}{out:#?}");
        for secret in ["tok-1", "secret", "jt-secret"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    #[test]
    fn unusable_connection_token_is_a_bad_answer_that_does_not_show_it() {
        let e = parse(r#"{"ConnectionCredentials":{"ConnectionToken":"a b\r\n"}}"#).unwrap_err();
        assert_eq!(
            e.0,
            "member ConnectionCredentials.ConnectionToken is not 1 to 1000 visible ASCII \
             characters"
        );
        let out = parse(r#"{"ConnectionCredentials":null,"Websocket":{"Url":null}}"#).unwrap();
        assert!(out.connection_credentials.is_none());
        assert!(out.websocket.unwrap().url.is_none());
    }
}
