//! The shape shared by every resource status: an enum of the statuses Cinder documents, plus
//! `Other` for any status a newer cloud sends, kept as it came.

/// Defines a status enum with its text form, lenient serde, `FromStr`, `Display` and
/// comparison with strings.
macro_rules! status_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A status this version of the crate does not know, as the server sent it.
            Other(String),
        }

        impl $name {
            /// The status as Cinder writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )*
                    $name::Other(text) => text,
                }
            }

            /// True for Cinder's failure statuses: `error` and every `error_*`.
            pub fn is_error(&self) -> bool {
                let text = self.as_str();
                text == "error" || text.starts_with("error_")
            }

            /// True when the status is one that Cinder documents (not [`Self::Other`]).
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl Default for $name {
            /// An empty [`Self::Other`]: the server sent no status.
            fn default() -> $name {
                $name::Other(String::new())
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> $name {
                match text {
                    $( $text => $name::$variant, )*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            /// Never fails: an unknown status becomes [`Self::Other`].
            fn from_str(text: &str) -> Result<$name, Self::Err> {
                Ok($name::from(text))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            /// A string, or `null` (the empty [`Self::Other`]).
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text: Option<std::borrow::Cow<'de, str>> =
                    serde::Deserialize::deserialize(deserializer)?;
                Ok(text.map_or_else($name::default, |text| $name::from(&*text)))
            }
        }
    };
}

pub(crate) use status_enum;
