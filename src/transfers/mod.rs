//! Cinder volume transfers: moving a volume to another project. The giving project creates a
//! transfer and hands its id and `auth_key` to the receiving project, which accepts it.
//! Cinder serves them at `/volume-transfers` from microversion 3.55 (with `no_snapshots`) and
//! at `/os-volume-transfer` below; the client picks by the version in use.

mod ops;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::Secret;

/// A volume transfer, as listed or shown (without its key).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VolumeTransfer {
    /// The transfer's id.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The volume being transferred.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub volume_id: String,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Every field of the reply that this type does not name (`links`, and from 3.57
    /// `accepted`, `source_project_id`, `destination_project_id`), as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A transfer just created: the transfer and the key the receiving project needs to accept
/// it. The key is a [`Secret`]: it never shows in `Debug`, logs or errors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedTransfer {
    /// The transfer.
    pub transfer: VolumeTransfer,
    /// The key that accepts it; hand it to the receiving project over a safe channel.
    pub auth_key: Secret,
}

/// Optional settings of `create_volume_transfer`.
///
/// ```
/// use infomaniak_block_storage::CreateTransferOptions;
///
/// let options = CreateTransferOptions::default().name("to-staging").no_snapshots(true);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CreateTransferOptions {
    /// The transfer's name.
    pub name: Option<String>,
    /// Transfer the volume without its snapshots (3.55+).
    pub no_snapshots: bool,
}

impl CreateTransferOptions {
    /// The transfer's name.
    pub fn name(mut self, name: impl Into<String>) -> CreateTransferOptions {
        self.name = Some(name.into());
        self
    }

    /// Leave the volume's snapshots behind (3.55+).
    pub fn no_snapshots(mut self, no_snapshots: bool) -> CreateTransferOptions {
        self.no_snapshots = no_snapshots;
        self
    }
}

/// The create reply: the transfer with its `auth_key`.
#[derive(Deserialize)]
pub(crate) struct CreatedReply {
    pub transfer: CreatedBody,
}

#[derive(Deserialize)]
pub(crate) struct CreatedBody {
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub auth_key: String,
    #[serde(flatten)]
    pub transfer: VolumeTransfer,
}

#[derive(Deserialize)]
pub(crate) struct TransferReply {
    pub transfer: VolumeTransfer,
}

#[derive(Deserialize)]
pub(crate) struct TransferList {
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub transfers: Vec<VolumeTransfer>,
}
