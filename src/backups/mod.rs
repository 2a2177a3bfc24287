//! Cinder backups: the [`Backup`] type and its options, their wire shapes (`wire`) and their
//! operations (`ops`).

mod ops;
pub(crate) mod wire;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::de;
use crate::status::status_enum;

/// A Cinder backup.
///
/// The reply to a create holds only `id` and `name`; every other field then has its default
/// (empty `status`, `size` 0). Fetch the backup for the rest.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Backup {
    /// The backup's UUID.
    #[serde(default, deserialize_with = "de::null_default")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its status: `creating`, `available`, `restoring`, `deleting`, `error`, ...
    #[serde(default)]
    pub status: BackupStatus,
    /// The volume it backs up.
    #[serde(default, deserialize_with = "de::null_default")]
    pub volume_id: String,
    /// The snapshot it was taken from, if any.
    #[serde(default)]
    pub snapshot_id: Option<String>,
    /// Size in GiB.
    #[serde(default, deserialize_with = "de::flexible_u64")]
    pub size: u64,
    /// Creation time (ISO-8601, UTC, no zone suffix).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last update time.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// When the data was captured.
    #[serde(default)]
    pub data_timestamp: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether it is an incremental backup.
    #[serde(default, deserialize_with = "de::flexible_bool")]
    pub is_incremental: bool,
    /// Whether incremental backups depend on it (it cannot be deleted first).
    #[serde(default, deserialize_with = "de::flexible_bool")]
    pub has_dependent_backups: bool,
    /// The object-store container holding it.
    #[serde(default)]
    pub container: Option<String>,
    /// The availability zone.
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// Why it failed, when it did.
    #[serde(default)]
    pub fail_reason: Option<String>,
    /// Number of objects in the container.
    #[serde(default, deserialize_with = "de::null_default")]
    pub object_count: u64,
    /// Key/value metadata (Cinder 3.43+).
    #[serde(default, deserialize_with = "de::metadata")]
    pub metadata: BTreeMap<String, String>,
    /// Every field of the reply that this type does not name, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Backup {
    /// True when the status is `error` or an `error_*`.
    pub fn is_error(&self) -> bool {
        self.status.is_error()
    }
}

status_enum! {
    /// A backup's status, as Cinder documents them; any other arrives as
    /// [`BackupStatus::Other`].
    ///
    /// ```
    /// use infomaniak_block_storage::BackupStatus;
    ///
    /// assert_eq!("restoring".parse::<BackupStatus>().unwrap(), BackupStatus::Restoring);
    /// ```
    BackupStatus {
        /// Being created.
        Creating => "creating",
        /// Ready.
        Available => "available",
        /// Being deleted.
        Deleting => "deleting",
        /// Failed.
        Error => "error",
        /// Being restored.
        Restoring => "restoring",
        /// A restore failed.
        ErrorRestoring => "error_restoring",
        /// Deletion failed.
        ErrorDeleting => "error_deleting",
    }
}

/// The reply to a restore: which volume receives the data.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BackupRestore {
    /// The backup being restored.
    #[serde(default, deserialize_with = "de::null_default")]
    pub backup_id: String,
    /// The volume being written (new or existing).
    #[serde(default, deserialize_with = "de::null_default")]
    pub volume_id: String,
    /// That volume's name.
    #[serde(default)]
    pub volume_name: Option<String>,
    /// Every field of the reply that this type does not name, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Optional settings of `create_backup`.
///
/// ```
/// use infomaniak_block_storage::CreateBackupOptions;
///
/// let options = CreateBackupOptions::default().incremental(true).force(true).metadata("kind", "daily");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CreateBackupOptions {
    /// Description.
    pub description: Option<String>,
    /// Build on the volume's latest backup instead of copying everything.
    pub incremental: bool,
    /// Allow backing up an `in-use` volume.
    pub force: bool,
    /// Back up this snapshot of the volume instead of the volume itself.
    pub snapshot_id: Option<String>,
    /// The object-store container to write to.
    pub container: Option<String>,
    /// The availability zone of the backup (Cinder 3.51+).
    pub availability_zone: Option<String>,
    /// Key/value metadata (Cinder 3.43+).
    pub metadata: BTreeMap<String, String>,
}

impl CreateBackupOptions {
    /// Description.
    pub fn description(mut self, description: impl Into<String>) -> CreateBackupOptions {
        self.description = Some(description.into());
        self
    }

    /// Build on the volume's latest backup.
    pub fn incremental(mut self, incremental: bool) -> CreateBackupOptions {
        self.incremental = incremental;
        self
    }

    /// Allow an `in-use` volume.
    pub fn force(mut self, force: bool) -> CreateBackupOptions {
        self.force = force;
        self
    }

    /// Back up this snapshot.
    pub fn snapshot_id(mut self, snapshot_id: impl Into<String>) -> CreateBackupOptions {
        self.snapshot_id = Some(snapshot_id.into());
        self
    }

    /// The object-store container.
    pub fn container(mut self, container: impl Into<String>) -> CreateBackupOptions {
        self.container = Some(container.into());
        self
    }

    /// The availability zone (3.51+).
    pub fn availability_zone(mut self, zone: impl Into<String>) -> CreateBackupOptions {
        self.availability_zone = Some(zone.into());
        self
    }

    /// One metadata pair (3.43+; may be called several times).
    pub fn metadata(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> CreateBackupOptions {
        self.metadata.insert(key.into(), value.into());
        self
    }
}

/// Optional settings of `delete_backup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DeleteBackupOptions {
    /// `os-force_delete`: admin-only under Cinder's default policy (members get 403).
    pub force: bool,
}

impl DeleteBackupOptions {
    /// Delete whatever the status (admin-only by default).
    pub fn force(mut self, force: bool) -> DeleteBackupOptions {
        self.force = force;
        self
    }
}

/// Where `restore_backup` writes.
///
/// ```
/// use infomaniak_block_storage::RestoreTarget;
///
/// let fresh = RestoreTarget::new_volume("restored");
/// let onto = RestoreTarget::existing_volume("6edbc2f4-1507-44f8-ac0d-eed1d2608d38");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestoreTarget {
    /// A new volume of the backup's size, named `name` (Cinder picks a name when `None`).
    NewVolume {
        /// The new volume's name.
        name: Option<String>,
    },
    /// This existing volume, which must be `available` and at least as large as the backup.
    ExistingVolume {
        /// The volume's id.
        volume_id: String,
    },
}

impl RestoreTarget {
    /// A new volume named `name`.
    pub fn new_volume(name: impl Into<String>) -> RestoreTarget {
        RestoreTarget::NewVolume {
            name: Some(name.into()),
        }
    }

    /// The existing volume `volume_id`.
    pub fn existing_volume(volume_id: impl Into<String>) -> RestoreTarget {
        RestoreTarget::ExistingVolume {
            volume_id: volume_id.into(),
        }
    }
}

impl Default for RestoreTarget {
    /// A new volume named by Cinder.
    fn default() -> RestoreTarget {
        RestoreTarget::NewVolume { name: None }
    }
}

/// Changes to a backup (Cinder 3.9+, metadata 3.43+); `None` fields are left as they are.
///
/// ```
/// use infomaniak_block_storage::UpdateBackup;
///
/// let update = UpdateBackup::default().name("before-upgrade").description("keep");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UpdateBackup {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// Replacement metadata (3.43+).
    pub metadata: Option<BTreeMap<String, String>>,
}

impl UpdateBackup {
    /// New name.
    pub fn name(mut self, name: impl Into<String>) -> UpdateBackup {
        self.name = Some(name.into());
        self
    }

    /// New description.
    pub fn description(mut self, description: impl Into<String>) -> UpdateBackup {
        self.description = Some(description.into());
        self
    }

    /// Replacement metadata (3.43+).
    pub fn metadata(mut self, metadata: BTreeMap<String, String>) -> UpdateBackup {
        self.metadata = Some(metadata);
        self
    }
}
