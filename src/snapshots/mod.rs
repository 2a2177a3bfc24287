//! Cinder snapshots: the [`Snapshot`] type and its options, their wire shapes (`wire`) and
//! their operations (`ops`).

mod ops;
pub(crate) mod wire;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::de;
use crate::status::status_enum;

/// A Cinder snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Snapshot {
    /// The snapshot's UUID.
    #[serde(default, deserialize_with = "de::null_default")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its status: `creating`, `available`, `deleting`, `error`, ...
    #[serde(default)]
    pub status: SnapshotStatus,
    /// The volume it is a snapshot of.
    #[serde(default, deserialize_with = "de::null_default")]
    pub volume_id: String,
    /// Size in GiB (that of the volume when it was taken).
    #[serde(default, deserialize_with = "de::flexible_u64")]
    pub size: u64,
    /// Creation time (ISO-8601, UTC, no zone suffix).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last update time.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Key/value metadata.
    #[serde(default, deserialize_with = "de::metadata")]
    pub metadata: BTreeMap<String, String>,
    /// Progress while creating, e.g. `"100%"`.
    #[serde(default, rename = "os-extended-snapshot-attributes:progress")]
    pub progress: Option<String>,
    /// Every field of the reply that this type does not name, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Snapshot {
    /// True when the status is `error` or an `error_*`.
    pub fn is_error(&self) -> bool {
        self.status.is_error()
    }
}

status_enum! {
    /// A snapshot's status, as Cinder documents them; any other arrives as
    /// [`SnapshotStatus::Other`].
    ///
    /// ```
    /// use infomaniak_block_storage::SnapshotStatus;
    ///
    /// assert_eq!("available".parse::<SnapshotStatus>().unwrap(), SnapshotStatus::Available);
    /// ```
    SnapshotStatus {
        /// Being created.
        Creating => "creating",
        /// Ready.
        Available => "available",
        /// Being backed up.
        BackingUp => "backing-up",
        /// Being deleted.
        Deleting => "deleting",
        /// Failed.
        Error => "error",
        /// Deleted.
        Deleted => "deleted",
        /// Being unmanaged.
        Unmanaging => "unmanaging",
        /// A volume is being reverted to it.
        Restoring => "restoring",
        /// Deletion failed.
        ErrorDeleting => "error_deleting",
    }
}

/// Optional settings of `create_snapshot`.
///
/// ```
/// use infomaniak_block_storage::CreateSnapshotOptions;
///
/// let options = CreateSnapshotOptions::default().description("nightly").metadata("kind", "nightly");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CreateSnapshotOptions {
    /// Description.
    pub description: Option<String>,
    /// Snapshot an `in-use` volume below microversion 3.66 (sent only when true: from 3.66
    /// Cinder refuses `force: false` and needs no flag).
    pub force: bool,
    /// Key/value metadata.
    pub metadata: BTreeMap<String, String>,
}

impl CreateSnapshotOptions {
    /// Description.
    pub fn description(mut self, description: impl Into<String>) -> CreateSnapshotOptions {
        self.description = Some(description.into());
        self
    }

    /// Allow an `in-use` volume below microversion 3.66.
    pub fn force(mut self, force: bool) -> CreateSnapshotOptions {
        self.force = force;
        self
    }

    /// One metadata pair (may be called several times).
    pub fn metadata(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> CreateSnapshotOptions {
        self.metadata.insert(key.into(), value.into());
        self
    }
}

/// Optional settings of `delete_snapshot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DeleteSnapshotOptions {
    /// `os-force_delete`: admin-only under Cinder's default policy (members get 403).
    pub force: bool,
}

impl DeleteSnapshotOptions {
    /// Delete whatever the status (admin-only by default).
    pub fn force(mut self, force: bool) -> DeleteSnapshotOptions {
        self.force = force;
        self
    }
}

/// Changes to a snapshot; `None` fields are left as they are.
///
/// ```
/// use infomaniak_block_storage::UpdateSnapshot;
///
/// let update = UpdateSnapshot::default().name("before-upgrade");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UpdateSnapshot {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
}

impl UpdateSnapshot {
    /// New name.
    pub fn name(mut self, name: impl Into<String>) -> UpdateSnapshot {
        self.name = Some(name.into());
        self
    }

    /// New description.
    pub fn description(mut self, description: impl Into<String>) -> UpdateSnapshot {
        self.description = Some(description.into());
        self
    }
}
