//! Backups on the wire: request bodies, paths and reply envelopes.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Backup, BackupRestore, CreateBackupOptions, RestoreTarget, UpdateBackup};
use crate::de;
use crate::error::Result;
use crate::pagination::Link;
use crate::transport::Reply;

/// `POST /backups` body.
pub(crate) fn create_body(volume_id: &str, name: &str, options: &CreateBackupOptions) -> Value {
    let mut backup = json!({
        "volume_id": volume_id,
        "name": name,
        "incremental": options.incremental,
        "force": options.force,
    });
    let optional = [
        ("description", &options.description),
        ("snapshot_id", &options.snapshot_id),
        ("container", &options.container),
        ("availability_zone", &options.availability_zone),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            backup[key] = json!(value);
        }
    }
    if !options.metadata.is_empty() {
        backup["metadata"] = json!(options.metadata);
    }
    json!({ "backup": backup })
}

/// `POST /backups/{id}/restore` body.
pub(crate) fn restore_body(target: &RestoreTarget) -> Value {
    let restore = match target {
        RestoreTarget::NewVolume { name: Some(name) } => json!({ "name": name }),
        RestoreTarget::NewVolume { name: None } => json!({}),
        RestoreTarget::ExistingVolume { volume_id } => json!({ "volume_id": volume_id }),
    };
    json!({ "restore": restore })
}

/// `PUT /backups/{id}` body.
pub(crate) fn update_body(update: &UpdateBackup) -> Value {
    let mut backup = json!({});
    if let Some(name) = &update.name {
        backup["name"] = json!(name);
    }
    if let Some(description) = &update.description {
        backup["description"] = json!(description);
    }
    if let Some(metadata) = &update.metadata {
        backup["metadata"] = json!(metadata);
    }
    json!({ "backup": backup })
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
