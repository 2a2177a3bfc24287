//! The one error type of the crate.
//!
//! Every `try_*` method returns [`Error`]. It is an enum so that scripts can `match` on what went
//! wrong, and its `Display` is one line fit for a log: operation context, HTTP status, OpenStack
//! error code, message and request id. No variant ever carries a secret: the transport layer
//! builds messages from status lines and server error bodies, never from request headers or
//! request bodies.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The underlying error behind an [`Error`], reachable through [`std::error::Error::source`].
///
/// It is shared (cloning an [`Error`] is cheap) and compared by its text, so that errors stay
/// `PartialEq` for tests.
#[derive(Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    pub(crate) fn new(error: impl std::error::Error + Send + Sync + 'static) -> Cause {
        Cause(Arc::new(error))
    }

    /// The underlying error.
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Cause) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for Cause {}

/// Everything that can go wrong when talking to the cloud.
///
/// Match on the variant for the kind of failure; [`Error::status`], [`Error::request_id`] and
/// [`Error::is_not_found`] answer the common questions whatever the variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A setting is missing or contradicts another one. Nothing was sent.
    #[non_exhaustive]
    Config {
        /// What is wrong, naming the variable or field.
        message: String,
        /// The underlying error, e.g. the I/O error of reading a CA bundle.
        source: Option<Cause>,
    },
    /// An argument failed validation before any request was sent.
    #[non_exhaustive]
    InvalidArgument {
        /// The argument's name, as in the method signature.
        argument: &'static str,
        /// Why it was rejected.
        message: String,
    },
    /// Keystone refused the credentials or returned an unusable token.
    #[non_exhaustive]
    Auth {
        /// HTTP status from Keystone, when one was received.
        status: Option<u16>,
        /// Keystone's message (never the credentials).
        message: String,
        /// `x-openstack-request-id` of Keystone's reply, when present.
        request_id: Option<String>,
    },
    /// The service catalog holds no endpoint for a service in the chosen region and interface.
    #[non_exhaustive]
    EndpointNotFound {
        /// The service type looked for, e.g. `block-storage`.
        service: String,
        /// The region asked for.
        region: String,
        /// The interface asked for (`public`, `internal`, `admin`).
        interface: String,
    },
    /// The resource does not exist (HTTP 404).
    #[non_exhaustive]
    NotFound {
        /// What kind of resource, e.g. `volume`.
        resource: &'static str,
        /// The id that was asked for.
        id: String,
        /// The server's message.
        message: String,
        /// `x-openstack-request-id` of the reply, when present.
        request_id: Option<String>,
    },
    /// A `find_*` call matched several resources by name.
    #[non_exhaustive]
    Ambiguous {
        /// What kind of resource, e.g. `volume`.
        resource: &'static str,
        /// The name that was looked for.
        name: String,
        /// The ids of every resource with that name.
        ids: Vec<String>,
    },
    /// An attach did not happen: the volume went back to `available` (or to
    /// `error_attaching`) without an attachment to that server. Nova records the cause in the
    /// server's instance actions; `reason` holds it when it could be read.
    #[non_exhaustive]
    AttachFailed {
        /// The volume.
        volume_id: String,
        /// The server (instance) it was to be attached to.
        instance_id: String,
        /// The volume's status after the attempt.
        status: String,
        /// Why, from Nova's instance actions, when known.
        reason: Option<String>,
    },
    /// A detach did not happen: Nova rolled the volume back to `in-use` with this server's
    /// attachment, or it ended in `error_detaching`. `reason` holds Cinder's user message or
    /// Nova's instance action, when one could be read.
    #[non_exhaustive]
    DetachFailed {
        /// The volume.
        volume_id: String,
        /// The server (instance) it was to be detached from.
        instance_id: String,
        /// The volume's status after the attempt.
        status: String,
        /// Why, when known.
        reason: Option<String>,
    },
    /// `detach_volume` found no attachment of that volume on that server. Nothing was detached.
    #[non_exhaustive]
    NotAttached {
        /// The volume that was to be detached.
        volume_id: String,
        /// The server it was to be detached from.
        instance_id: String,
    },
    /// The service answered with an error status (other than 404 on a resource).
    #[non_exhaustive]
    Api {
        /// The HTTP status code.
        status: u16,
        /// OpenStack's fault name, e.g. `badRequest`, `forbidden`, `overLimit`, `computeFault`.
        code: Option<String>,
        /// The server's message, or the status reason when the body held none.
        message: String,
        /// `x-openstack-request-id` of the reply, when present.
        request_id: Option<String>,
        /// `Retry-After` in seconds, when the server sent one (Cinder sends `0` with quota errors).
        retry_after: Option<u64>,
    },
    /// The request did not get an HTTP answer: connection refused, DNS, TLS, timeout, reset.
    #[non_exhaustive]
    Transport {
        /// What failed, in words.
        message: String,
        /// True when the request may have reached the server, so a create or delete may have
        /// happened: check with a `get_*` before retrying. False when it surely was not sent
        /// (for example the connection was refused).
        outcome_unknown: bool,
        /// The HTTP client's error.
        source: Option<Cause>,
    },
    /// A reply could not be decoded.
    #[non_exhaustive]
    Decode {
        /// What was being decoded, e.g. `volume list page`.
        what: String,
        /// The decoder's message.
        message: String,
        /// `x-openstack-request-id` of the reply, when present.
        request_id: Option<String>,
        /// The JSON decoder's error, when there is one.
        source: Option<Cause>,
    },
    /// The operation needs a newer microversion than the one in use (the configured one, or
    /// the server's maximum once known). Nothing was sent for it.
    #[non_exhaustive]
    Unsupported {
        /// The API: `Cinder` or `Nova`.
        api: &'static str,
        /// What was asked, e.g. `create a volume from a backup`.
        feature: String,
        /// The microversion it needs, e.g. `3.47`.
        required: String,
        /// The microversion in use.
        available: String,
    },
    /// A waiter saw the resource enter an error state.
    #[non_exhaustive]
    ResourceFailed {
        /// What kind of resource, e.g. `volume`.
        resource: &'static str,
        /// Its id.
        id: String,
        /// The error status it entered, e.g. `error_extending`.
        status: String,
        /// Why, when the cloud says: the newest Cinder user message about the resource (for
        /// example `schedule allocate volume: Could not find any available weighted backend.`).
        reason: Option<String>,
    },
    /// A waiter gave up before the resource reached the wanted state.
    #[non_exhaustive]
    WaitTimeout {
        /// What kind of resource, e.g. `volume`.
        resource: &'static str,
        /// Its id.
        id: String,
        /// The status it was waited for (`deleted` for deletion waiters).
        target: String,
        /// The last status seen.
        last_status: String,
        /// How long the waiter waited.
        waited: Duration,
    },
}

impl Error {
    /// The HTTP status the server answered with, if the failure came from an HTTP reply.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::NotFound { .. } => Some(404),
            Error::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// The `x-openstack-request-id` of the failing reply, to quote to the cloud's support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. }
            | Error::NotFound { request_id, .. }
            | Error::Auth { request_id, .. }
            | Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// OpenStack's fault name (`badRequest`, `overLimit`, ...), for API errors.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => code.as_deref(),
            Error::NotFound { .. } => Some("itemNotFound"),
            _ => None,
        }
    }

    /// True when the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// True when the operation may or may not have taken effect (the reply was lost).
    ///
    /// A script that sees this after a create or delete should look the resource up before
    /// trying again.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                outcome_unknown: true,
                ..
            }
        )
    }

    pub(crate) fn invalid(argument: &'static str, message: impl Into<String>) -> Error {
        Error::InvalidArgument {
            argument,
            message: message.into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::Config {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn config_caused(
        message: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error::Config {
            message: message.into(),
            source: Some(Cause::new(cause)),
        }
    }

    pub(crate) fn decode(
        what: impl Into<String>,
        message: impl Into<String>,
        request_id: Option<String>,
    ) -> Error {
        Error::Decode {
            what: what.into(),
            message: message.into(),
            request_id,
            source: None,
        }
    }

    pub(crate) fn json(
        what: impl Into<String>,
        err: serde_json::Error,
        request_id: Option<String>,
    ) -> Error {
        Error::Decode {
            what: what.into(),
            message: err.to_string(),
            request_id,
            source: Some(Cause::new(err)),
        }
    }

    pub(crate) fn unsupported(
        api: &'static str,
        feature: impl Into<String>,
        required: impl fmt::Display,
        available: impl fmt::Display,
    ) -> Error {
        Error::Unsupported {
            api,
            feature: feature.into(),
            required: required.to_string(),
            available: available.to_string(),
        }
    }
}

fn write_request_id(f: &mut fmt::Formatter<'_>, request_id: &Option<String>) -> fmt::Result {
    match request_id {
        Some(id) => write!(f, " (request id {id})"),
        None => Ok(()),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config { message, .. } => write!(f, "configuration error: {message}"),
            Error::InvalidArgument { argument, message } => {
                write!(f, "invalid argument `{argument}`: {message}")
            }
            Error::Auth {
                status,
                message,
                request_id,
            } => {
                write!(f, "authentication failed")?;
                if let Some(status) = status {
                    write!(f, ": HTTP {status}")?;
                }
                write!(f, ": {message}")?;
                write_request_id(f, request_id)
            }
            Error::EndpointNotFound {
                service,
                region,
                interface,
            } => write!(
                f,
                "the service catalog has no {interface} endpoint for `{service}` in region `{region}`"
            ),
            Error::NotFound {
                resource,
                id,
                message,
                request_id,
            } => {
                write!(f, "{resource} {id} not found (HTTP 404): {message}")?;
                write_request_id(f, request_id)
            }
            Error::Ambiguous {
                resource,
                name,
                ids,
            } => write!(
                f,
                "{} {resource}s are named `{name}` ({}); use an id",
                ids.len(),
                ids.join(", ")
            ),
            Error::AttachFailed {
                volume_id,
                instance_id,
                status,
                reason,
            } => {
                write!(
                    f,
                    "attaching volume {volume_id} to server {instance_id} failed: the volume is `{status}` without that attachment"
                )?;
                match reason {
                    Some(reason) => write!(f, " ({reason})"),
                    None => Ok(()),
                }
            }
            Error::DetachFailed {
                volume_id,
                instance_id,
                status,
                reason,
            } => {
                write!(
                    f,
                    "detaching volume {volume_id} from server {instance_id} failed: the volume is `{status}` with that attachment"
                )?;
                match reason {
                    Some(reason) => write!(f, " ({reason})"),
                    None => Ok(()),
                }
            }
            Error::NotAttached {
                volume_id,
                instance_id,
            } => write!(
                f,
                "volume {volume_id} is not attached to server {instance_id}; nothing to detach"
            ),
            Error::Api {
                status,
                code,
                message,
                request_id,
                ..
            } => {
                write!(f, "HTTP {status}")?;
                if let Some(code) = code {
                    write!(f, " {code}")?;
                }
                write!(f, ": {message}")?;
                write_request_id(f, request_id)
            }
            Error::Transport {
                message,
                outcome_unknown,
                ..
            } => {
                write!(f, "transport error: {message}")?;
                if *outcome_unknown {
                    write!(
                        f,
                        " (the request may have reached the server: its outcome is unknown)"
                    )?;
                }
                Ok(())
            }
            Error::Decode {
                what,
                message,
                request_id,
                ..
            } => {
                write!(f, "could not decode {what}: {message}")?;
                write_request_id(f, request_id)
            }
            Error::Unsupported {
                api,
                feature,
                required,
                available,
            } => write!(
                f,
                "cannot {feature}: it needs {api} microversion {required}, and {available} is in use"
            ),
            Error::ResourceFailed {
                resource,
                id,
                status,
                reason,
            } => {
                write!(f, "{resource} {id} entered error state `{status}`")?;
                match reason {
                    Some(reason) => write!(f, ": {reason}"),
                    None => Ok(()),
                }
            }
            Error::WaitTimeout {
                resource,
                id,
                target,
                last_status,
                waited,
            } => write!(
                f,
                "timed out after {:.1}s waiting for {resource} {id} to become `{target}`; last status `{last_status}`",
                waited.as_secs_f64()
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Config { source, .. }
            | Error::Transport { source, .. }
            | Error::Decode { source, .. } => source.as_ref().map(|cause| {
                let inner: &(dyn std::error::Error + 'static) = cause.get();
                inner
            }),
            _ => None,
        }
    }
}

/// Shorthand for `Result<T, Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
