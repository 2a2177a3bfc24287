//! Cinder backups: the [`Backup`] and [`BackupRestore`] types, request bodies and paths.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::de;
use crate::error::Result;
use crate::pagination::Link;
use crate::transport::Reply;

/// A Cinder backup.
///
/// The reply to a create holds only `id` and `name`; every other field then has its default
/// (empty `status`, `size` 0). Fetch the backup for the rest.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Backup {
    /// The backup's UUID.
    #[serde(default, deserialize_with = "de::null_default")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its status: `creating`, `available`, `restoring`, `deleting`, `error`, ...
    #[serde(default, deserialize_with = "de::null_default")]
    pub status: String,
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
}

/// The reply to a restore: which volume receives the data.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
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
}

/// `POST /backups` body.
pub(crate) fn create_body(
    volume_id: &str,
    name: &str,
    description: Option<&str>,
    incremental: bool,
    force: bool,
) -> Value {
    let mut backup = json!({
        "volume_id": volume_id,
        "name": name,
        "incremental": incremental,
        "force": force,
    });
    if let Some(description) = description {
        backup["description"] = json!(description);
    }
    json!({ "backup": backup })
}

/// `POST /backups/{id}/restore` body.
pub(crate) fn restore_body(volume_id: Option<&str>, name: Option<&str>) -> Value {
    let mut restore = json!({});
    if let Some(volume_id) = volume_id {
        restore["volume_id"] = json!(volume_id);
    }
    if let Some(name) = name {
        restore["name"] = json!(name);
    }
    json!({ "restore": restore })
}

/// Path of the detailed list.
pub(crate) const LIST_PATH: &str = "/backups/detail";
/// Path of the collection (create).
pub(crate) const COLLECTION_PATH: &str = "/backups";

/// Path of one backup.
pub(crate) fn path(id: &str) -> String {
    format!("/backups/{id}")
}

/// Path of a backup's action endpoint.
pub(crate) fn action_path(id: &str) -> String {
    format!("/backups/{id}/action")
}

/// Path of a backup's restore endpoint.
pub(crate) fn restore_path(id: &str) -> String {
    format!("/backups/{id}/restore")
}

#[derive(Deserialize)]
pub(crate) struct BackupReply {
    pub backup: Backup,
}

#[derive(Deserialize)]
pub(crate) struct RestoreReply {
    pub restore: BackupRestore,
}

/// Decodes one page of the detailed list.
pub(crate) fn decode_page(reply: &Reply, what: &str) -> Result<(Vec<Backup>, Vec<Link>)> {
    let page: BackupPage = reply.json(what)?;
    Ok((page.backups, page.backups_links))
}

#[derive(Deserialize)]
pub(crate) struct BackupPage {
    #[serde(default, deserialize_with = "de::null_default")]
    pub backups: Vec<Backup>,
    // The code emits `backups_links`, the api-ref documents `backup_links`: accept both.
    #[serde(default, alias = "backup_links", deserialize_with = "de::null_default")]
    pub backups_links: Vec<Link>,
}
