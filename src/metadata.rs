//! Key/value metadata, which volumes, snapshots and backups keep in the same shape:
//! `GET/POST {resource}/metadata` with `{"metadata": {...}}`, `DELETE .../metadata/{key}`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use ureq::http::Method;

use crate::client::InfomaniakVolumeClient;
use crate::de;
use crate::error::Result;
use crate::transport::{Call, Service};
use crate::validate;

/// Metadata request body.
pub(crate) fn body(metadata: &BTreeMap<String, String>) -> Value {
    json!({ "metadata": metadata })
}

/// `{"metadata": {...}}` replies.
#[derive(Deserialize)]
pub(crate) struct MetadataReply {
    #[serde(default, deserialize_with = "de::metadata")]
    pub metadata: BTreeMap<String, String>,
}

/// `{base}/metadata`.
fn path(base: &str) -> String {
    format!("{base}/metadata")
}

/// `{base}/metadata/{key}`, the key percent-encoded.
pub(crate) fn key_path(base: &str, key: &str) -> String {
    format!("{base}/metadata/{}", crate::listing::encode(key))
}

impl InfomaniakVolumeClient {
    /// The metadata of the resource at `base` (`/volumes/{id}`, ...).
    pub(crate) fn metadata_of(
        &self,
        resource: &'static str,
        id: &str,
        base: &str,
    ) -> Result<BTreeMap<String, String>> {
        let call = Call::get(Service::BlockStorage, path(base)).about(resource, id);
        let what = format!("{resource} metadata");
        Ok(self.transport.json::<MetadataReply>(&call, &what)?.metadata)
    }

    /// Merges `metadata` into the resource's, returning the whole.
    pub(crate) fn merge_metadata(
        &self,
        resource: &'static str,
        id: &str,
        base: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>> {
        validate::metadata_keys(metadata)?;
        let body = body(metadata);
        let call = Call::new(Service::BlockStorage, Method::POST, path(base))
            .body(&body)
            .about(resource, id);
        let what = format!("{resource} metadata");
        Ok(self.transport.json::<MetadataReply>(&call, &what)?.metadata)
    }

    /// Removes one key of the resource's metadata.
    pub(crate) fn delete_metadata_key(
        &self,
        resource: &'static str,
        id: &str,
        base: &str,
        key: &str,
    ) -> Result<()> {
        validate::metadata_key(key)?;
        // A 404 is the key, or the resource itself: the message says which.
        let what = format!("`{key}` of {resource} {id}");
        let call = Call::new(Service::BlockStorage, Method::DELETE, key_path(base, key))
            .about("metadata key", &what);
        self.transport.send(&call)?;
        Ok(())
    }
}
