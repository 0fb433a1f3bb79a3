//! The operations, one file each: its facts (path, method, which token), inputs and their
//! limits, body and answer. Pure, no IO. Adding an operation is one file here, one
//! `Client` method, one `Participant` method and one re-export in `lib.rs`.

pub(crate) mod attachment;
pub(crate) mod auth;
pub(crate) mod cancel_participant_authentication;
pub(crate) mod complete_attachment_upload;
pub(crate) mod connection;
pub(crate) mod content_type;
pub(crate) mod disconnect;
pub(crate) mod event;
pub(crate) mod get_attachment;
pub(crate) mod get_authentication_url;
pub(crate) mod message;
pub(crate) mod start_attachment_upload;
pub(crate) mod streaming;
pub(crate) mod transcript;
pub(crate) mod view;

/// An enum of the service's that may gain values: the known ones as variants, any other
/// kept as `Unknown` with its text, so that an answer naming a new value is read, not
/// refused.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this crate does not know, kept as given. Parsing never makes one of
            /// a known value.
            Unknown(String),
        }

        impl $name {
            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match $name::from(s.as_str()) {
                    $name::Unknown(_) => $name::Unknown(s),
                    known => known,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// An enum of the service's with a fixed set of values, sent only: parsing another value
/// is an error that lists the allowed ones.
macro_rules! closed_enum {
    (
        $(#[$meta:meta])*
        $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The value as it goes on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)*
                    other => Err(crate::error::Error::invalid_input(
                        $what,
                        format_args!(
                            "{}, must be one of {}",
                            crate::redact::quoted(other),
                            [$($wire),*].join(", ")
                        ),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use {closed_enum, open_enum};
