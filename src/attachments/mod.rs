//! Nova volume attachments (`/servers/{id}/os-volume_attachments`): the [`ServerAttachment`]
//! type and [`AttachOptions`], their wire shapes (`wire`) and the attach and detach operations
//! (`ops`), including waiters that follow one server's attachment.

mod ops;
pub(crate) mod wire;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::de;

/// A volume attached to a server, as Nova reports it.
///
/// Up to compute microversion 2.88 Nova names the attachment by `id` (the volume id); from 2.89
/// it sends `attachment_id` and `bdm_uuid` instead. Both shapes decode.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// `None` below compute 2.79, where Nova does not say.
    #[serde(default, deserialize_with = "de::flexible_opt_bool")]
    pub delete_on_termination: Option<bool>,
    /// Every field of the reply that this type does not name (`bdm_uuid`, ...), as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Optional settings of `attach_volume`.
///
/// ```
/// use infomaniak_block_storage::AttachOptions;
///
/// let options = AttachOptions::default().tag("data").delete_on_termination(true);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AttachOptions {
    /// A device name hint such as `/dev/vdb`; most hypervisors ignore it. `None` lets Nova
    /// choose.
    pub device: Option<String>,
    /// A tag for the device, seen by the guest in its metadata (compute 2.49+).
    pub tag: Option<String>,
    /// Delete the volume when the server is deleted (compute 2.79+).
    pub delete_on_termination: Option<bool>,
}

impl AttachOptions {
    /// A device name hint.
    pub fn device(mut self, device: impl Into<String>) -> AttachOptions {
        self.device = Some(device.into());
        self
    }

    /// A device tag (compute 2.49+).
    pub fn tag(mut self, tag: impl Into<String>) -> AttachOptions {
        self.tag = Some(tag.into());
        self
    }

    /// Delete the volume with the server (compute 2.79+).
    pub fn delete_on_termination(mut self, delete: bool) -> AttachOptions {
        self.delete_on_termination = Some(delete);
        self
    }
}
