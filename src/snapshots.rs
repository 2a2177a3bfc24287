//! Cinder snapshots: the [`Snapshot`] type, request bodies and paths.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::de;
use crate::error::Result;
use crate::pagination::Link;
use crate::transport::Reply;

/// A Cinder snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// The snapshot's UUID.
    #[serde(default, deserialize_with = "de::null_default")]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its status: `creating`, `available`, `deleting`, `error`, ...
    #[serde(default, deserialize_with = "de::null_default")]
    pub status: String,
    /// The volume it is a snapshot of.
    #[serde(default, deserialize_with = "de::null_default")]
    pub volume_id: String,
    /// Size in GiB (that of the volume when it was taken).
    #[serde(default, deserialize_with = "de::flexible_u64")]
    pub size: u64,
    /// Creation time (ISO-8601, UTC, no zone suffix).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last update time.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Key/value metadata.
    #[serde(default, deserialize_with = "de::metadata")]
    pub metadata: BTreeMap<String, String>,
    /// Progress while creating, e.g. `"100%"`.
    #[serde(default, rename = "os-extended-snapshot-attributes:progress")]
    pub progress: Option<String>,
}

/// `POST /snapshots` body. `force` is sent only when true: from microversion 3.66 Cinder
/// rejects `force: false` and ignores `force: true`.
pub(crate) fn create_body(
    volume_id: &str,
    name: &str,
    description: Option<&str>,
    force: bool,
) -> Value {
    let mut snapshot = json!({ "volume_id": volume_id, "name": name });
    if let Some(description) = description {
        snapshot["description"] = json!(description);
    }
    if force {
        snapshot["force"] = json!(true);
    }
    json!({ "snapshot": snapshot })
}

/// `PUT /snapshots/{id}` body; `None` fields are left as they are.
pub(crate) fn update_body(name: Option<&str>, description: Option<&str>) -> Value {
    let mut snapshot = json!({});
    if let Some(name) = name {
        snapshot["name"] = json!(name);
    }
    if let Some(description) = description {
        snapshot["description"] = json!(description);
    }
    json!({ "snapshot": snapshot })
}

/// Path of the detailed list.
pub(crate) const LIST_PATH: &str = "/snapshots/detail";
/// Path of the collection (create).
pub(crate) const COLLECTION_PATH: &str = "/snapshots";

/// Path of one snapshot.
pub(crate) fn path(id: &str) -> String {
    format!("/snapshots/{id}")
}

/// Path of a snapshot's action endpoint.
pub(crate) fn action_path(id: &str) -> String {
    format!("/snapshots/{id}/action")
}

#[derive(Deserialize)]
pub(crate) struct SnapshotReply {
    pub snapshot: Snapshot,
}

/// Decodes one page of the detailed list.
pub(crate) fn decode_page(reply: &Reply, what: &str) -> Result<(Vec<Snapshot>, Vec<Link>)> {
    let page: SnapshotPage = reply.json(what)?;
    Ok((page.snapshots, page.snapshots_links))
}

#[derive(Deserialize)]
pub(crate) struct SnapshotPage {
    #[serde(default, deserialize_with = "de::null_default")]
    pub snapshots: Vec<Snapshot>,
    #[serde(
        default,
        alias = "snapshot_links",
        deserialize_with = "de::null_default"
    )]
    pub snapshots_links: Vec<Link>,
}
