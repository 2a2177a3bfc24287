//! Everything about microversions: the [`Microversion`] type, what each operation needs, the
//! servers' version documents and 406 replies, and the version each service is spoken at.
//!
//! The configured version is sent optimistically. A server that refuses it with 406 names its
//! range; the client then falls back once to the highest version both sides support, remembers
//! it, and sends the request again. With `Config::negotiate_microversion` the Cinder version
//! document is read up front instead. No lock is held across a request.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use log::debug;
use serde_json::Value;

use crate::error::{Error, Result};

/// A Cinder or Nova microversion such as `3.67`, ordered numerically (`3.9 < 3.10`).
///
/// ```
/// use infomaniak_block_storage::Microversion;
///
/// let version: Microversion = "3.67".parse()?;
/// assert_eq!(version, Microversion::new(3, 67));
/// assert!(Microversion::new(3, 9) < Microversion::new(3, 10));
/// assert_eq!(version.to_string(), "3.67");
/// # Ok::<(), infomaniak_block_storage::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Microversion {
    /// The major version (3 for Cinder v3, 2 for Nova v2.1).
    pub major: u32,
    /// The minor version.
    pub minor: u32,
}

impl Microversion {
    /// `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Microversion {
        Microversion { major, minor }
    }

    /// Parses `3.67`; `None` for anything else (including `latest`).
    pub fn parse(text: &str) -> Option<Microversion> {
        let (major, minor) = text.trim().split_once('.')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(major) || !digits(minor) {
            return None;
        }
        Some(Microversion {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Microversion {
    type Err = Error;

    fn from_str(text: &str) -> Result<Microversion> {
        Microversion::parse(text).ok_or_else(|| {
            Error::invalid(
                "microversion",
                format!("`{text}` is not a microversion like 3.67"),
            )
        })
    }
}

/// What an operation needs of a service, checked before anything is sent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Requirement {
    /// What the operation does, for the error: `revert a volume to a snapshot`.
    pub feature: &'static str,
    /// The lowest microversion that has it.
    pub needs: Microversion,
}

const fn cinder(feature: &'static str, minor: u32) -> Requirement {
    Requirement {
        feature,
        needs: Microversion::new(3, minor),
    }
}

const fn nova(feature: &'static str, minor: u32) -> Requirement {
    Requirement {
        feature,
        needs: Microversion::new(2, minor),
    }
}

/// Extending an `in-use` volume.
pub(crate) const EXTEND_IN_USE: Requirement = cinder("extend an in-use volume", 42);
/// Creating a volume from a backup.
pub(crate) const CREATE_FROM_BACKUP: Requirement = cinder("create a volume from a backup", 47);
/// Reverting a volume to its latest snapshot.
pub(crate) const REVERT: Requirement = cinder("revert a volume to a snapshot", 40);
/// Backup metadata.
pub(crate) const BACKUP_METADATA: Requirement = cinder("set backup metadata", 43);
/// Choosing the availability zone of a backup.
pub(crate) const BACKUP_ZONE: Requirement = cinder("choose a backup's availability zone", 51);
/// Attaching a volume with a device tag.
pub(crate) const ATTACH_TAG: Requirement = nova("attach a volume with a tag", 49);
/// Attaching a volume with `delete_on_termination`.
pub(crate) const ATTACH_DELETE_ON_TERMINATION: Requirement =
    nova("attach a volume with delete_on_termination", 79);

/// The two microversioned services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Volume,
    Compute,
}

impl Api {
    /// The name in `OpenStack-API-Version: <name> <version>`.
    pub(crate) fn header_name(self) -> &'static str {
        match self {
            Api::Volume => "volume",
            Api::Compute => "compute",
        }
    }

    /// The service's name in errors.
    pub(crate) fn display_name(self) -> &'static str {
        match self {
            Api::Volume => "Cinder",
            Api::Compute => "Nova",
        }
    }
}

/// The range a server serves, from its version document or a 406 reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServerRange {
    pub min: Microversion,
    pub max: Microversion,
}

/// The maximum microversion of the v3 API in `{"versions": [...]}` or `{"version": {...}}`.
pub(crate) fn parse_version_document(body: &[u8]) -> Option<ServerRange> {
    let doc: Value = serde_json::from_slice(body).ok()?;
    let entries: Vec<&Value> = match (doc.get("versions"), doc.get("version")) {
        (Some(Value::Array(list)), _) => list.iter().collect(),
        (_, Some(single @ Value::Object(_))) => vec![single],
        _ => return None,
    };
    entries
        .into_iter()
        .filter(|v| {
            v.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.starts_with("v3"))
        })
        .find_map(|v| {
            let text = |key: &str| v.get(key).and_then(Value::as_str).unwrap_or("");
            // A Cinder without microversions reports empty versions: that is 3.0.
            let floor = Microversion::new(3, 0);
            let max = match text("version") {
                "" => floor,
                max => Microversion::parse(max)?,
            };
            let min = Microversion::parse(text("min_version")).unwrap_or(floor);
            Some(ServerRange { min, max })
        })
}

/// The range named by a 406 reply: `Version 3.99 is not supported by the API. Minimum is 3.0
/// and maximum is 3.71.` (Cinder and Nova word it the same way).
pub(crate) fn parse_not_acceptable(message: &str) -> Option<ServerRange> {
    let after = |marker: &str| -> Option<Microversion> {
        let start = message.find(marker)? + marker.len();
        let rest = &message[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        Microversion::parse(rest[..end].trim_end_matches('.'))
    };
    Some(ServerRange {
        min: after("Minimum is ")?,
        max: after("maximum is ")?,
    })
}

/// The `/v3/` root of a Cinder endpoint, above any project id: the first path segment that is
/// exactly `v3` (`https://h/volume/v3/p` → `https://h/volume/v3/`). Neither a host such as
/// `v3.example` nor a segment such as `/v3-gateway` counts. Without one, the endpoint itself.
pub(crate) fn version_root(endpoint: &str) -> String {
    let endpoint = endpoint.trim_end_matches('/');
    let path_start = endpoint
        .find("://")
        .map(|scheme| scheme + 3)
        .and_then(|host| endpoint[host..].find('/').map(|slash| host + slash))
        .unwrap_or(endpoint.len());
    let (origin, path) = endpoint.split_at(path_start);
    let mut root = origin.to_string();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        root.push('/');
        root.push_str(segment);
        if segment == "v3" {
            return format!("{root}/");
        }
    }
    format!("{endpoint}/")
}

/// How long a failed version discovery is remembered before it is tried again.
const DISCOVERY_RETRY_AFTER: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct Known {
    /// What the server serves, once seen (version document or 406).
    range: Option<ServerRange>,
    /// When discovery last failed.
    discovery_failed_at: Option<Instant>,
}

/// The version one service is spoken at: the configured one until the server says otherwise.
#[derive(Debug)]
pub(crate) struct VersionState {
    api: Api,
    configured: String,
    known: Mutex<Known>,
}

impl VersionState {
    pub(crate) fn new(api: Api, configured: &str) -> VersionState {
        VersionState {
            api,
            configured: configured.to_string(),
            known: Mutex::new(Known::default()),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The version to send now: the configured one, capped at the server's maximum once known.
    pub(crate) fn current(&self) -> String {
        let Some(range) = self.known().range else {
            return self.configured.clone();
        };
        match Microversion::parse(&self.configured) {
            Some(mine) if mine <= range.max => mine.to_string(),
            // `latest`, or above what the server has: its maximum.
            _ => range.max.to_string(),
        }
    }

    /// True when the server's range is known (or discovery failed a moment ago), so that
    /// discovery need not be asked.
    pub(crate) fn settled(&self) -> bool {
        let known = self.known();
        known.range.is_some()
            || known
                .discovery_failed_at
                .is_some_and(|at| at.elapsed() < DISCOVERY_RETRY_AFTER)
    }

    /// Records the server's range; true when this changes the version sent.
    pub(crate) fn learn(&self, range: ServerRange) -> bool {
        let before = self.current();
        self.known().range = Some(range);
        let after = self.current();
        if before != after {
            debug!(
                "{} serves {} to {}; using microversion {after} instead of {before}",
                self.api.display_name(),
                range.min,
                range.max
            );
        }
        before != after
    }

    /// Records a failed discovery, so that it is not asked again at once by every call.
    pub(crate) fn discovery_failed(&self) {
        self.known().discovery_failed_at = Some(Instant::now());
    }

    /// `Err(Error::Unsupported)` when the version in use is below what `requirement` needs.
    pub(crate) fn require(&self, requirement: Requirement) -> Result<()> {
        match Microversion::parse(&self.current()) {
            Some(in_use) if in_use < requirement.needs => Err(Error::unsupported(
                self.api.display_name(),
                requirement.feature,
                requirement.needs,
                in_use,
            )),
            // `latest` or at least what is needed: let the server decide.
            _ => Ok(()),
        }
    }

    /// True when the version in use is at least `version` (`latest` counts as new enough).
    pub(crate) fn at_least(&self, version: Microversion) -> bool {
        Microversion::parse(&self.current()).is_none_or(|in_use| in_use >= version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_406_of_a_genuine_cinder() {
        let range = parse_not_acceptable(
            "Version 3.99 is not supported by the API. Minimum is 3.0 and maximum is 3.71.",
        );
        assert_eq!(
            range,
            Some(ServerRange {
                min: Microversion::new(3, 0),
                max: Microversion::new(3, 71)
            })
        );
        assert_eq!(parse_not_acceptable("Version 3.99 is not supported"), None);
        assert_eq!(parse_not_acceptable("Minimum is x and maximum is y."), None);
    }

    #[test]
    fn falls_back_to_the_server_maximum_once_known() {
        let state = VersionState::new(Api::Volume, "3.67");
        assert_eq!(state.current(), "3.67");
        assert!(state.learn(ServerRange {
            min: Microversion::new(3, 0),
            max: Microversion::new(3, 45)
        }));
        assert_eq!(state.current(), "3.45");
        assert!(state.require(REVERT).is_ok());
        assert!(matches!(
            state.require(CREATE_FROM_BACKUP),
            Err(Error::Unsupported { .. })
        ));
        // A server above what is configured changes nothing.
        let state = VersionState::new(Api::Volume, "3.67");
        assert!(!state.learn(ServerRange {
            min: Microversion::new(3, 0),
            max: Microversion::new(3, 71)
        }));
        assert_eq!(state.current(), "3.67");
    }

    #[test]
    fn microversion_text() {
        assert_eq!(Microversion::parse("3.9"), Some(Microversion::new(3, 9)));
        for bad in ["3", "3.", ".3", "3.x", "latest", "+3.1", "3.-1", ""] {
            assert_eq!(Microversion::parse(bad), None, "{bad}");
            assert!(bad.parse::<Microversion>().is_err());
        }
    }
}
