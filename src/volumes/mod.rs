//! Cinder volumes: the [`Volume`] type and its options ([`CreateVolumeOptions`],
//! [`DeleteVolumeOptions`], [`UpdateVolume`]), their wire shapes (`wire`) and their operations
//! (`ops`).

mod ops;
pub(crate) mod wire;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::de;
use crate::pagination::Link;
use crate::status::status_enum;

/// A Cinder volume, as returned by the show and detailed-list calls.
///
/// Decoding is lenient: unknown fields are ignored, `null` becomes the default, `bootable`
/// arrives as the string `"true"`/`"false"` (or a boolean) and is kept as a `bool`, and any
/// status string is kept as it is. `serde_json::to_value(&volume)` gives a plain JSON object
/// with `bootable` and `encrypted` as booleans.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Volume {
    /// The volume's UUID.
    #[serde(default, deserialize_with = "de::null_default")]
    pub id: String,
    /// Its name (Cinder allows none).
    #[serde(default)]
    pub name: Option<String>,
    /// Its status: `creating`, `available`, `in-use`, `extending`, `deleting`, `error`, ...
    #[serde(default)]
    pub status: VolumeStatus,
    /// Size in GiB.
    #[serde(default, deserialize_with = "de::flexible_u64")]
    pub size: u64,
    /// The volume type's name, e.g. `CEPH_1_perf1`.
    #[serde(default)]
    pub volume_type: Option<String>,
    /// The availability zone, e.g. `nova`.
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// Whether the volume can boot a server.
    #[serde(default, deserialize_with = "de::flexible_bool")]
    pub bootable: bool,
    /// Whether the volume is encrypted.
    #[serde(default, deserialize_with = "de::flexible_bool")]
    pub encrypted: bool,
    /// Whether the volume can be attached to several servers.
    #[serde(default, deserialize_with = "de::flexible_bool")]
    pub multiattach: bool,
    /// Where the volume is attached.
    #[serde(default, deserialize_with = "de::null_default")]
    pub attachments: Vec<VolumeAttachment>,
    /// Creation time as Cinder writes it (ISO-8601, UTC, no zone suffix).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last update time, same format.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Free-form description.
    #[serde(default)]
    pub description: Option<String>,
    /// Key/value metadata.
    #[serde(default, deserialize_with = "de::metadata")]
    pub metadata: BTreeMap<String, String>,
    /// The snapshot it was created from.
    #[serde(default)]
    pub snapshot_id: Option<String>,
    /// The volume it was cloned from.
    #[serde(default)]
    pub source_volid: Option<String>,
    /// The backup it was created from (Cinder 3.47+).
    #[serde(default)]
    pub backup_id: Option<String>,
    /// The user that created it.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The volume type's id (3.63+).
    #[serde(default)]
    pub volume_type_id: Option<String>,
    /// Migration status, when it is being migrated.
    #[serde(default)]
    pub migration_status: Option<String>,
    /// Replication status.
    #[serde(default)]
    pub replication_status: Option<String>,
    /// The volume's `self` and `bookmark` links.
    #[serde(default, deserialize_with = "de::null_default")]
    pub links: Vec<Link>,
    /// The project that owns it (`os-vol-tenant-attr:tenant_id`).
    #[serde(default, rename = "os-vol-tenant-attr:tenant_id")]
    pub tenant_id: Option<String>,
    /// The backend host, `host@backend#pool` (`os-vol-host-attr:host`; admins only).
    #[serde(default, rename = "os-vol-host-attr:host")]
    pub host: Option<String>,
    /// Migration state (`os-vol-mig-status-attr:migstat`; admins only).
    #[serde(default, rename = "os-vol-mig-status-attr:migstat")]
    pub migration_state: Option<String>,
    /// The volume id on the backend after a migration (`os-vol-mig-status-attr:name_id`).
    #[serde(default, rename = "os-vol-mig-status-attr:name_id")]
    pub migration_name_id: Option<String>,
    /// The consistency group.
    #[serde(default)]
    pub consistencygroup_id: Option<String>,
    /// The group (3.13+).
    #[serde(default)]
    pub group_id: Option<String>,
    /// The backend's id for it (3.21+, admins only).
    #[serde(default)]
    pub provider_id: Option<String>,
    /// The volume service that manages it (3.48+).
    #[serde(default)]
    pub service_uuid: Option<String>,
    /// Whether its backend shares targets between volumes (3.48+; `null` from 3.69 when unknown).
    #[serde(default, deserialize_with = "de::flexible_opt_bool")]
    pub shared_targets: Option<bool>,
    /// The cluster of its volume service (3.61+).
    #[serde(default)]
    pub cluster_name: Option<String>,
    /// The encryption key's id (3.64+, encrypted volumes only).
    #[serde(default)]
    pub encryption_key_id: Option<String>,
    /// Whether it counts against the quota (3.65+).
    #[serde(default, deserialize_with = "de::flexible_opt_bool")]
    pub consumes_quota: Option<bool>,
    /// The image's properties, for a volume created from an image.
    #[serde(default, deserialize_with = "de::metadata")]
    pub volume_image_metadata: BTreeMap<String, String>,
    /// Every field of the reply that this type does not name (fields of newer
    /// microversions, vendor extensions, ...), as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Volume {
    /// True when the status starts with `error` (`error`, `error_extending`, ...).
    pub fn is_error(&self) -> bool {
        self.status.is_error()
    }

    /// True when the volume is attached to server `server_id`.
    pub fn is_attached_to(&self, server_id: &str) -> bool {
        self.attachments
            .iter()
            .any(|a| a.server_id.as_deref() == Some(server_id))
    }
}

status_enum! {
    /// A volume's status, as Cinder documents them; any other arrives as
    /// [`VolumeStatus::Other`].
    ///
    /// ```
    /// use infomaniak_block_storage::VolumeStatus;
    ///
    /// assert_eq!("in-use".parse::<VolumeStatus>().unwrap(), VolumeStatus::InUse);
    /// assert_eq!(VolumeStatus::ErrorExtending.to_string(), "error_extending");
    /// assert!(VolumeStatus::ErrorExtending.is_error());
    /// assert_eq!(VolumeStatus::from("brand-new"), VolumeStatus::Other("brand-new".into()));
    /// ```
    VolumeStatus {
        /// Being created.
        Creating => "creating",
        /// Ready to attach.
        Available => "available",
        /// Reserved for an attachment that is starting.
        Reserved => "reserved",
        /// Being attached.
        Attaching => "attaching",
        /// Being detached.
        Detaching => "detaching",
        /// Attached to at least one server.
        InUse => "in-use",
        /// Locked by an admin operation.
        Maintenance => "maintenance",
        /// Being deleted.
        Deleting => "deleting",
        /// Offered to another project.
        AwaitingTransfer => "awaiting-transfer",
        /// Failed.
        Error => "error",
        /// Deletion failed.
        ErrorDeleting => "error_deleting",
        /// Attaching failed.
        ErrorAttaching => "error_attaching",
        /// Detaching failed.
        ErrorDetaching => "error_detaching",
        /// Being backed up.
        BackingUp => "backing-up",
        /// A backup is being restored onto it.
        RestoringBackup => "restoring-backup",
        /// A backup failed.
        ErrorBackingUp => "error_backing-up",
        /// A restore failed.
        ErrorRestoring => "error_restoring",
        /// Extending failed.
        ErrorExtending => "error_extending",
        /// An image is being written onto it.
        Downloading => "downloading",
        /// Being uploaded to an image.
        Uploading => "uploading",
        /// Changing type.
        Retyping => "retyping",
        /// Being extended.
        Extending => "extending",
    }
}

/// One attachment of a volume, as Cinder lists it in [`Volume::attachments`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VolumeAttachment {
    /// The Cinder attachment's UUID.
    #[serde(default)]
    pub attachment_id: Option<String>,
    /// The attached volume.
    #[serde(default)]
    pub volume_id: Option<String>,
    /// The server it is attached to.
    #[serde(default)]
    pub server_id: Option<String>,
    /// The device path on the server, e.g. `/dev/vdb`.
    #[serde(default)]
    pub device: Option<String>,
    /// The compute host (only shown to admins).
    #[serde(default)]
    pub host_name: Option<String>,
    /// When it was attached.
    #[serde(default)]
    pub attached_at: Option<String>,
    /// Every field of the reply that this type does not name (`id`, ...), as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Optional settings of `create_volume`. Every field defaults to "let Cinder decide".
///
/// ```
/// use infomaniak_block_storage::CreateVolumeOptions;
///
/// let options = CreateVolumeOptions::default()
///     .description("scratch space")
///     .volume_type("CEPH_1_perf1")
///     .metadata("team", "build");
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct CreateVolumeOptions {
    /// Description.
    pub description: Option<String>,
    /// Volume type name or id; Cinder's default type when `None`.
    pub volume_type: Option<String>,
    /// Availability zone.
    pub availability_zone: Option<String>,
    /// Create from this snapshot.
    pub snapshot_id: Option<String>,
    /// Create from this Glance image (sent as `imageRef`).
    pub image_id: Option<String>,
    /// Clone this volume (sent as `source_volid`).
    pub source_volume_id: Option<String>,
    /// Create from this backup (needs Cinder microversion 3.47 or later).
    pub backup_id: Option<String>,
    /// Key/value metadata.
    pub metadata: BTreeMap<String, String>,
    /// Allow attaching to several servers at once.
    pub multiattach: Option<bool>,
    /// Extra raw fields merged into the `volume` object, for options this type does not name
    /// (the Python client's `**kwargs`). They never override the named fields.
    pub extra: Map<String, Value>,
    /// Scheduler hints, sent beside `volume` as `OS-SCH-HNT:scheduler_hints` (e.g.
    /// `different_host`, `same_host`).
    pub scheduler_hints: Map<String, Value>,
}

impl CreateVolumeOptions {
    /// Description.
    pub fn description(mut self, description: impl Into<String>) -> CreateVolumeOptions {
        self.description = Some(description.into());
        self
    }

    /// Volume type name or id.
    pub fn volume_type(mut self, volume_type: impl Into<String>) -> CreateVolumeOptions {
        self.volume_type = Some(volume_type.into());
        self
    }

    /// Availability zone.
    pub fn availability_zone(mut self, zone: impl Into<String>) -> CreateVolumeOptions {
        self.availability_zone = Some(zone.into());
        self
    }

    /// Create from this snapshot.
    pub fn snapshot_id(mut self, snapshot_id: impl Into<String>) -> CreateVolumeOptions {
        self.snapshot_id = Some(snapshot_id.into());
        self
    }

    /// Create from this Glance image.
    pub fn image_id(mut self, image_id: impl Into<String>) -> CreateVolumeOptions {
        self.image_id = Some(image_id.into());
        self
    }

    /// Clone this volume.
    pub fn source_volume_id(mut self, volume_id: impl Into<String>) -> CreateVolumeOptions {
        self.source_volume_id = Some(volume_id.into());
        self
    }

    /// Create from this backup (Cinder 3.47+).
    pub fn backup_id(mut self, backup_id: impl Into<String>) -> CreateVolumeOptions {
        self.backup_id = Some(backup_id.into());
        self
    }

    /// One metadata pair (may be called several times).
    pub fn metadata(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> CreateVolumeOptions {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Allow attaching to several servers at once (the volume type must allow it too).
    pub fn multiattach(mut self, multiattach: bool) -> CreateVolumeOptions {
        self.multiattach = Some(multiattach);
        self
    }

    /// An extra raw field of the `volume` object.
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> CreateVolumeOptions {
        self.extra.insert(key.into(), value);
        self
    }

    /// A scheduler hint (`different_host`, `same_host`, ...).
    pub fn scheduler_hint(mut self, key: impl Into<String>, value: Value) -> CreateVolumeOptions {
        self.scheduler_hints.insert(key.into(), value);
        self
    }
}

/// Changes to a volume's name, description or metadata (`PUT /volumes/{id}`); `None` fields
/// are left as they are.
///
/// ```
/// use infomaniak_block_storage::UpdateVolume;
///
/// let update = UpdateVolume::default().name("renamed").description("kept for a week");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UpdateVolume {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// Replacement metadata (all keys; use `set_volume_metadata` to merge instead).
    pub metadata: Option<BTreeMap<String, String>>,
}

impl UpdateVolume {
    /// New name.
    pub fn name(mut self, name: impl Into<String>) -> UpdateVolume {
        self.name = Some(name.into());
        self
    }

    /// New description.
    pub fn description(mut self, description: impl Into<String>) -> UpdateVolume {
        self.description = Some(description.into());
        self
    }

    /// Replacement metadata (all keys).
    pub fn metadata(mut self, metadata: BTreeMap<String, String>) -> UpdateVolume {
        self.metadata = Some(metadata);
        self
    }
}

/// What Cinder may do when a retype needs the data moved to another backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MigrationPolicy {
    /// Fail the retype rather than move data (Cinder's default).
    #[default]
    Never,
    /// Move the data if needed.
    OnDemand,
}

impl MigrationPolicy {
    /// The name Cinder uses: `never` or `on-demand`.
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationPolicy::Never => "never",
            MigrationPolicy::OnDemand => "on-demand",
        }
    }
}

impl std::fmt::Display for MigrationPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MigrationPolicy {
    type Err = crate::Error;

    fn from_str(text: &str) -> crate::Result<MigrationPolicy> {
        match text {
            "never" => Ok(MigrationPolicy::Never),
            "on-demand" => Ok(MigrationPolicy::OnDemand),
            other => Err(crate::Error::invalid(
                "migration_policy",
                format!("`{other}` is not never or on-demand"),
            )),
        }
    }
}

/// Optional settings of `delete_volume`.
///
/// ```
/// use infomaniak_block_storage::DeleteVolumeOptions;
///
/// // Delete the volume together with its snapshots.
/// let options = DeleteVolumeOptions::default().cascade(true);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DeleteVolumeOptions {
    /// Delete whatever the volume's status (`os-force_delete`, or `force=true` with
    /// `cascade`, which needs microversion 3.23). Admin-only under Cinder's default policy:
    /// project members get 403.
    pub force: bool,
    /// Delete the volume's snapshots too (`?cascade=true`). Project members may do this;
    /// without it, a volume with snapshots gets 400.
    pub cascade: bool,
}

impl DeleteVolumeOptions {
    /// Delete whatever the status (admin-only by default).
    pub fn force(mut self, force: bool) -> DeleteVolumeOptions {
        self.force = force;
        self
    }

    /// Delete the volume's snapshots too.
    pub fn cascade(mut self, cascade: bool) -> DeleteVolumeOptions {
        self.cascade = cascade;
        self
    }
}

/// Optional settings of `upload_volume_to_image`.
///
/// ```
/// use infomaniak_block_storage::UploadImageOptions;
///
/// let options = UploadImageOptions::default().disk_format("qcow2").visibility("private");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UploadImageOptions {
    /// Upload an `in-use` volume.
    pub force: bool,
    /// The image's disk format (`raw`, `qcow2`, ...); Cinder's default when `None`.
    pub disk_format: Option<String>,
    /// The image's container format (`bare`, ...).
    pub container_format: Option<String>,
    /// `public`, `private`, `shared` or `community` (3.1+).
    pub visibility: Option<String>,
    /// Protect the image from deletion (3.1+).
    pub protected: Option<bool>,
}

impl UploadImageOptions {
    /// Upload an `in-use` volume.
    pub fn force(mut self, force: bool) -> UploadImageOptions {
        self.force = force;
        self
    }

    /// The disk format.
    pub fn disk_format(mut self, format: impl Into<String>) -> UploadImageOptions {
        self.disk_format = Some(format.into());
        self
    }

    /// The container format.
    pub fn container_format(mut self, format: impl Into<String>) -> UploadImageOptions {
        self.container_format = Some(format.into());
        self
    }

    /// The image's visibility (3.1+).
    pub fn visibility(mut self, visibility: impl Into<String>) -> UploadImageOptions {
        self.visibility = Some(visibility.into());
        self
    }

    /// Protect the image (3.1+).
    pub fn protected(mut self, protected: bool) -> UploadImageOptions {
        self.protected = Some(protected);
        self
    }
}

/// The reply to an upload: the image being written. The volume is `uploading` until the
/// upload ends, then back to its status before.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImageUpload {
    /// The new image's id.
    #[serde(default, deserialize_with = "de::null_default")]
    pub image_id: String,
    /// Its name.
    #[serde(default)]
    pub image_name: Option<String>,
    /// The volume's status as the upload starts (`uploading`).
    #[serde(default)]
    pub status: Option<String>,
    /// The image's disk format.
    #[serde(default)]
    pub disk_format: Option<String>,
    /// The image's container format.
    #[serde(default)]
    pub container_format: Option<String>,
    /// Every field of the reply that this type does not name, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
