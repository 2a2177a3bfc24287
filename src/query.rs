//! List filters and query strings.

use std::collections::BTreeMap;

/// Filters, sorting and paging for the `*_with` listing calls and page iterators.
///
/// Every field is optional; `ListOptions::default()` lists everything. Filters are exact
/// matches applied by Cinder.
///
/// ```
/// use infomaniak_block_storage::ListOptions;
///
/// let options = ListOptions {
///     status: Some("available".into()),
///     sort: Some("created_at:desc".into()),
///     limit: Some(100),
///     ..Default::default()
/// };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListOptions {
    /// Only resources with this name.
    pub name: Option<String>,
    /// Only resources in this status.
    pub status: Option<String>,
    /// Only snapshots and backups of this volume (an error for volume listings).
    pub volume_id: Option<String>,
    /// Only resources whose metadata holds all these pairs.
    pub metadata: BTreeMap<String, String>,
    /// Sort keys, e.g. `name:asc,created_at:desc`.
    pub sort: Option<String>,
    /// Page size asked of the server (Cinder caps it, usually at 1000).
    pub limit: Option<u32>,
    /// Start after the resource with this id.
    pub marker: Option<String>,
    /// Other query parameters, sent as they are (encoded).
    pub extra: Vec<(String, String)>,
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl ListOptions {
    /// The query string (without `?`) for a listing of `resource`.
    pub(crate) fn query(&self, resource: &str) -> crate::Result<String> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Some(name) = &self.name {
            pairs.push(("name".into(), name.clone()));
        }
        if let Some(status) = &self.status {
            pairs.push(("status".into(), status.clone()));
        }
        if let Some(volume_id) = &self.volume_id {
            if resource == "volume" {
                return Err(crate::Error::invalid(
                    "volume_id",
                    "filters snapshots and backups, not volumes",
                ));
            }
            pairs.push(("volume_id".into(), volume_id.clone()));
        }
        if !self.metadata.is_empty() {
            let json = serde_json::to_string(&self.metadata).unwrap_or_default();
            pairs.push(("metadata".into(), json));
        }
        if let Some(sort) = &self.sort {
            pairs.push(("sort".into(), sort.clone()));
        }
        if let Some(limit) = self.limit {
            pairs.push(("limit".into(), limit.to_string()));
        }
        if let Some(marker) = &self.marker {
            pairs.push(("marker".into(), marker.clone()));
        }
        pairs.extend(self.extra.iter().cloned());
        Ok(pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_filters() {
        let mut options = ListOptions {
            name: Some("my vol/1".into()),
            status: Some("in-use".into()),
            volume_id: Some("v1".into()),
            sort: Some("name:asc".into()),
            limit: Some(50),
            marker: Some("m-1".into()),
            extra: vec![("all_tenants".into(), "0".into())],
            ..Default::default()
        };
        options.metadata.insert("env".into(), "prod".into());
        assert_eq!(
            options.query("backup").unwrap(),
            "name=my%20vol%2F1&status=in-use&volume_id=v1&metadata=%7B%22env%22%3A%22prod%22%7D&sort=name%3Aasc&limit=50&marker=m-1&all_tenants=0"
        );
        assert!(options.query("volume").is_err());
        options.volume_id = None;
        assert_eq!(
            options.query("volume").unwrap(),
            "name=my%20vol%2F1&status=in-use&metadata=%7B%22env%22%3A%22prod%22%7D&sort=name%3Aasc&limit=50&marker=m-1&all_tenants=0"
        );
        assert_eq!(ListOptions::default().query("volume").unwrap(), "");
        assert_eq!(encode("é"), "%C3%A9");
    }
}
