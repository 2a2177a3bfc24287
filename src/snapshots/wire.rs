//! Snapshots on the wire: request bodies, paths and reply envelopes.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{CreateSnapshotOptions, Snapshot, UpdateSnapshot};
use crate::de;
use crate::error::Result;
use crate::pagination::Link;
use crate::transport::Reply;

/// `POST /snapshots` body. `force` is sent only when true: from microversion 3.66 Cinder
/// rejects `force: false` and ignores `force: true`.
pub(crate) fn create_body(volume_id: &str, name: &str, options: &CreateSnapshotOptions) -> Value {
    let mut snapshot = json!({ "volume_id": volume_id, "name": name });
    if let Some(description) = &options.description {
        snapshot["description"] = json!(description);
    }
    if options.force {
        snapshot["force"] = json!(true);
    }
    if !options.metadata.is_empty() {
        snapshot["metadata"] = json!(options.metadata);
    }
    json!({ "snapshot": snapshot })
}

/// `PUT /snapshots/{id}` body; `None` fields are left as they are.
pub(crate) fn update_body(update: &UpdateSnapshot) -> Value {
    let mut snapshot = json!({});
    if let Some(name) = &update.name {
        snapshot["name"] = json!(name);
    }
    if let Some(description) = &update.description {
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
