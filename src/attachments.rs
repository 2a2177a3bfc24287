//! Nova volume attachments (`/servers/{id}/os-volume_attachments`): the [`ServerAttachment`]
//! type, request bodies and paths.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::de;

/// A volume attached to a server, as Nova reports it.
///
/// Up to compute microversion 2.88 Nova names the attachment by `id` (the volume id); from 2.89
/// it sends `attachment_id` and `bdm_uuid` instead. Both shapes decode.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServerAttachment {
    /// The volume's id.
    #[serde(rename = "volumeId", default, deserialize_with = "de::null_default")]
    pub volume_id: String,
    /// The server's id.
    #[serde(rename = "serverId", default)]
    pub server_id: Option<String>,
    /// The device path, e.g. `/dev/vdb`.
    #[serde(default)]
    pub device: Option<String>,
    /// The attachment id up to microversion 2.88 (equal to the volume id).
    #[serde(default)]
    pub id: Option<String>,
    /// The Cinder attachment's UUID (2.89+).
    #[serde(default)]
    pub attachment_id: Option<String>,
    /// The device tag (2.70+).
    #[serde(default)]
    pub tag: Option<String>,
    /// Whether Nova deletes the volume with the server (2.79+).
    #[serde(default, deserialize_with = "de::flexible_bool")]
    pub delete_on_termination: bool,
}

/// `POST .../os-volume_attachments` body. `device` is left out when not given: Nova picks one
/// (and libvirt ignores a requested name anyway).
pub(crate) fn attach_body(volume_id: &str, device: Option<&str>) -> Value {
    let mut attachment = json!({ "volumeId": volume_id });
    if let Some(device) = device {
        attachment["device"] = json!(device);
    }
    json!({ "volumeAttachment": attachment })
}

/// Path of a server's attachment list.
pub(crate) fn list_path(server_id: &str) -> String {
    format!("/servers/{server_id}/os-volume_attachments")
}

/// Path of one attachment.
pub(crate) fn path(server_id: &str, volume_id: &str) -> String {
    format!("/servers/{server_id}/os-volume_attachments/{volume_id}")
}

#[derive(Deserialize)]
pub(crate) struct AttachmentList {
    #[serde(
        rename = "volumeAttachments",
        default,
        deserialize_with = "de::null_default"
    )]
    pub volume_attachments: Vec<ServerAttachment>,
}

#[derive(Deserialize)]
pub(crate) struct AttachmentReply {
    #[serde(rename = "volumeAttachment")]
    pub volume_attachment: ServerAttachment,
}
