//! Volumes on the wire: request bodies, paths and reply envelopes.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{CreateVolumeOptions, MigrationPolicy, UpdateVolume, Volume};
use crate::de;
use crate::error::Result;
use crate::pagination::Link;
use crate::transport::Reply;

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

/// `DELETE /volumes/{id}` with its query (`cascade`, and `force` beside it).
pub(crate) fn delete_path(id: &str, cascade: bool, force: bool) -> String {
    match (cascade, force) {
        (false, _) => path(id),
        (true, false) => format!("/volumes/{id}?cascade=true"),
        (true, true) => format!("/volumes/{id}?cascade=true&force=true"),
    }
}

/// `os-volume_upload_image` action body; `visibility` and `protected` only when set (3.1+).
pub(crate) fn upload_image_body(image_name: &str, options: &super::UploadImageOptions) -> Value {
    let mut upload = json!({ "image_name": image_name, "force": options.force });
    if let Some(format) = &options.disk_format {
        upload["disk_format"] = json!(format);
    }
    if let Some(format) = &options.container_format {
        upload["container_format"] = json!(format);
    }
    if let Some(visibility) = &options.visibility {
        upload["visibility"] = json!(visibility);
    }
    if let Some(protected) = options.protected {
        upload["protected"] = json!(protected);
    }
    json!({ "os-volume_upload_image": upload })
}

#[derive(Deserialize)]
pub(crate) struct UploadReply {
    #[serde(rename = "os-volume_upload_image")]
    pub upload: super::ImageUpload,
}
