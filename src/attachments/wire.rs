//! Attachments on the wire: request bodies, paths and reply envelopes.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{AttachOptions, ServerAttachment};
use crate::de;

/// `POST .../os-volume_attachments` body. `device` is left out when not given: Nova picks one
/// (and libvirt ignores a requested name anyway).
pub(crate) fn attach_body(volume_id: &str, options: &AttachOptions) -> Value {
    let mut attachment = json!({ "volumeId": volume_id });
    if let Some(device) = &options.device {
        attachment["device"] = json!(device);
    }
    if let Some(tag) = &options.tag {
        attachment["tag"] = json!(tag);
    }
    if let Some(delete) = options.delete_on_termination {
        attachment["delete_on_termination"] = json!(delete);
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
