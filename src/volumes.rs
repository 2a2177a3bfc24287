//! Cinder volumes: the [`Volume`] type, create options, request bodies and paths.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::de;
use crate::error::Result;
use crate::pagination::Link;
use crate::transport::Reply;

/// A Cinder volume, as returned by the show and detailed-list calls.
///
/// Decoding is lenient: unknown fields are ignored, `null` becomes the default, `bootable`
/// arrives as the string `"true"`/`"false"` (or a boolean) and is kept as a `bool`, and any
/// status string is kept as it is. `serde_json::to_value(&volume)` gives a plain JSON object
/// with `bootable` and `encrypted` as booleans.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Volume {
    /// The volume's UUID.
    #[serde(default, deserialize_with = "de::null_default")]
    pub id: String,
    /// Its name (Cinder allows none).
    #[serde(default)]
    pub name: Option<String>,
    /// Its status: `creating`, `available`, `in-use`, `extending`, `deleting`, `error`, ...
    #[serde(default, deserialize_with = "de::null_default")]
    pub status: String,
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
}

impl Volume {
    /// True when the status starts with `error` (`error`, `error_extending`, ...).
    pub fn is_error(&self) -> bool {
        is_error_status(&self.status)
    }
}

/// True for Cinder's failure statuses: `error` and every `error_*`.
pub(crate) fn is_error_status(status: &str) -> bool {
    status == "error" || status.starts_with("error_")
}

/// One attachment of a volume, as Cinder lists it in [`Volume::attachments`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
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
}

/// Optional settings of `create_volume`. Every field defaults to "let Cinder decide".
///
/// ```
/// use infomaniak_block_storage::CreateVolumeOptions;
///
/// let options = CreateVolumeOptions {
///     description: Some("scratch space".into()),
///     volume_type: Some("CEPH_1_perf1".into()),
///     ..Default::default()
/// };
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
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

/// `POST /volumes` body.
pub(crate) fn create_body(size: u64, name: &str, options: &CreateVolumeOptions) -> Value {
    let mut volume = options.extra.clone();
    let mut set = |key: &str, value: Value| {
        volume.insert(key.to_string(), value);
    };
    set("size", json!(size));
    set("name", json!(name));
    let optional = [
        ("description", &options.description),
        ("volume_type", &options.volume_type),
        ("availability_zone", &options.availability_zone),
        ("snapshot_id", &options.snapshot_id),
        ("imageRef", &options.image_id),
        ("source_volid", &options.source_volume_id),
        ("backup_id", &options.backup_id),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            set(key, json!(value));
        }
    }
    if !options.metadata.is_empty() {
        set("metadata", json!(options.metadata));
    }
    if let Some(multiattach) = options.multiattach {
        set("multiattach", json!(multiattach));
    }
    let mut body = json!({ "volume": volume });
    if !options.scheduler_hints.is_empty() {
        body["OS-SCH-HNT:scheduler_hints"] = Value::Object(options.scheduler_hints.clone());
    }
    body
}

/// `os-extend` action body.
pub(crate) fn extend_body(new_size: u64) -> Value {
    json!({ "os-extend": { "new_size": new_size } })
}

/// `os-force_delete` action body (shared by volumes, snapshots and backups).
pub(crate) fn force_delete_body() -> Value {
    json!({ "os-force_delete": {} })
}

/// Changes to a volume's name, description or metadata (`PUT /volumes/{id}`); `None` fields
/// are left as they are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateVolume {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// Replacement metadata (all keys; use `set_volume_metadata` to merge instead).
    pub metadata: Option<BTreeMap<String, String>>,
}

/// What Cinder may do when a retype needs the data moved to another backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MigrationPolicy {
    /// Fail the retype rather than move data (Cinder's default).
    #[default]
    Never,
    /// Move the data if needed.
    OnDemand,
}

impl MigrationPolicy {
    fn as_str(self) -> &'static str {
        match self {
            MigrationPolicy::Never => "never",
            MigrationPolicy::OnDemand => "on-demand",
        }
    }
}

/// `PUT /volumes/{id}` body.
pub(crate) fn update_body(update: &UpdateVolume) -> Value {
    let mut volume = Map::new();
    if let Some(name) = &update.name {
        volume.insert("name".into(), json!(name));
    }
    if let Some(description) = &update.description {
        volume.insert("description".into(), json!(description));
    }
    if let Some(metadata) = &update.metadata {
        volume.insert("metadata".into(), json!(metadata));
    }
    json!({ "volume": volume })
}

/// `os-retype` action body.
pub(crate) fn retype_body(new_type: &str, policy: MigrationPolicy) -> Value {
    json!({ "os-retype": { "new_type": new_type, "migration_policy": policy.as_str() } })
}

/// `os-set_bootable` action body (a JSON boolean, although replies carry a string).
pub(crate) fn bootable_body(bootable: bool) -> Value {
    json!({ "os-set_bootable": { "bootable": bootable } })
}

/// `os-update_readonly_flag` action body.
pub(crate) fn readonly_body(readonly: bool) -> Value {
    json!({ "os-update_readonly_flag": { "readonly": readonly } })
}

/// `revert` action body (microversion 3.40).
pub(crate) fn revert_body(snapshot_id: &str) -> Value {
    json!({ "revert": { "snapshot_id": snapshot_id } })
}

/// Metadata request body (`POST`/`PUT /volumes/{id}/metadata`).
pub(crate) fn metadata_body(metadata: &BTreeMap<String, String>) -> Value {
    json!({ "metadata": metadata })
}

/// Path of a volume's metadata.
pub(crate) fn metadata_path(id: &str) -> String {
    format!("/volumes/{id}/metadata")
}

/// Path of one metadata key (the key is percent-encoded).
pub(crate) fn metadata_key_path(id: &str, key: &str) -> String {
    format!("/volumes/{id}/metadata/{}", crate::query::encode(key))
}

#[derive(Deserialize)]
pub(crate) struct MetadataReply {
    #[serde(default, deserialize_with = "de::metadata")]
    pub metadata: BTreeMap<String, String>,
}

/// Path of the detailed list.
pub(crate) const LIST_PATH: &str = "/volumes/detail";
/// Path of the collection (create).
pub(crate) const COLLECTION_PATH: &str = "/volumes";

/// Path of one volume.
pub(crate) fn path(id: &str) -> String {
    format!("/volumes/{id}")
}

/// Path of a volume's action endpoint.
pub(crate) fn action_path(id: &str) -> String {
    format!("/volumes/{id}/action")
}

#[derive(Deserialize)]
pub(crate) struct VolumeReply {
    pub volume: Volume,
}

/// Decodes one page of the detailed list.
pub(crate) fn decode_page(reply: &Reply, what: &str) -> Result<(Vec<Volume>, Vec<Link>)> {
    let page: VolumePage = reply.json(what)?;
    Ok((page.volumes, page.volumes_links))
}

#[derive(Deserialize)]
pub(crate) struct VolumePage {
    #[serde(default, deserialize_with = "de::null_default")]
    pub volumes: Vec<Volume>,
    #[serde(default, alias = "volume_links", deserialize_with = "de::null_default")]
    pub volumes_links: Vec<Link>,
}
