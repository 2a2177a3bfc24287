//! What a listing asks for: filters, sorting and paging ([`ListOptions`]), and the query
//! string they become.

use std::collections::BTreeMap;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{Error, Result};

/// Filters, sorting and paging for the listing calls and page iterators.
///
/// Every field is optional; `ListOptions::default()` lists everything. Filters are exact
/// matches applied by Cinder. Build it with the chainable setters:
///
/// ```
/// use infomaniak_block_storage::ListOptions;
///
/// let options = ListOptions::default()
///     .status("available")
///     .sort("created_at:desc")
///     .max_items(20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ListOptions {
    /// Only resources with this name.
    pub name: Option<String>,
    /// Only resources in this status.
    pub status: Option<String>,
    /// Only snapshots and backups of this volume (refused for volume listings).
    pub volume_id: Option<String>,
    /// Only resources whose metadata holds all these pairs. Cinder's default policy lets
    /// project members filter volumes and snapshots by metadata, not backups, so a backup
    /// listing refuses it before sending.
    pub metadata: BTreeMap<String, String>,
    /// Sort keys, e.g. `name:asc,created_at:desc`.
    pub sort: Option<String>,
    /// Items per page asked of the server (Cinder caps it, usually at 1000). This is not a
    /// total: every page is still fetched. Use [`max_items`](Self::max_items) for "at most N".
    pub page_size: Option<u32>,
    /// At most this many items in all: no page is fetched once they are there.
    pub max_items: Option<usize>,
    /// Start after the resource with this id.
    pub marker: Option<String>,
    /// Other query parameters, sent as they are (encoded).
    pub extra: Vec<(String, String)>,
}

impl ListOptions {
    /// Only resources with this name.
    pub fn name(mut self, name: impl Into<String>) -> ListOptions {
        self.name = Some(name.into());
        self
    }

    /// Only resources in this status.
    pub fn status(mut self, status: impl Into<String>) -> ListOptions {
        self.status = Some(status.into());
        self
    }

    /// Only snapshots or backups of this volume.
    pub fn volume_id(mut self, volume_id: impl Into<String>) -> ListOptions {
        self.volume_id = Some(volume_id.into());
        self
    }

    /// Only resources whose metadata has `key` = `value` (may be called several times).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> ListOptions {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Sort keys, e.g. `name:asc,created_at:desc`.
    pub fn sort(mut self, sort: impl Into<String>) -> ListOptions {
        self.sort = Some(sort.into());
        self
    }

    /// Items per page asked of the server.
    pub fn page_size(mut self, page_size: u32) -> ListOptions {
        self.page_size = Some(page_size);
        self
    }

    /// At most this many items in all.
    pub fn max_items(mut self, max_items: usize) -> ListOptions {
        self.max_items = Some(max_items);
        self
    }

    /// Start after the resource with this id.
    pub fn marker(mut self, marker: impl Into<String>) -> ListOptions {
        self.marker = Some(marker.into());
        self
    }

    /// Another query parameter, sent as it is (encoded).
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<String>) -> ListOptions {
        self.extra.push((key.into(), value.into()));
        self
    }
}

/// The listings, with the filters Cinder's default policy lets a project member use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listing {
    Volumes,
    Snapshots,
    Backups,
}

impl Listing {
    fn noun(self) -> &'static str {
        match self {
            Listing::Volumes => "volumes",
            Listing::Snapshots => "snapshots",
            Listing::Backups => "backups",
        }
    }
}

/// Everything but RFC 3986's unreserved characters.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY).to_string()
}

impl ListOptions {
    /// Checks the options for `listing` before anything is sent.
    pub(crate) fn check(&self, listing: Listing) -> Result<()> {
        crate::validate::opt_id("marker", self.marker.as_deref())?;
        if self.volume_id.is_some() && listing == Listing::Volumes {
            return Err(Error::invalid(
                "volume_id",
                "filters snapshots and backups, not volumes",
            ));
        }
        if !self.metadata.is_empty() && listing == Listing::Backups {
            return Err(Error::invalid(
                "metadata",
                format!(
                    "Cinder's default policy refuses a metadata filter on {} to project \
                     members (400); filter the listing's items instead",
                    listing.noun()
                ),
            ));
        }
        if self.page_size == Some(0) {
            return Err(Error::invalid("page_size", "is 0"));
        }
        Ok(())
    }

    /// The query string (without `?`) of the first page.
    pub(crate) fn query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(name) = &self.name {
            pairs.push(("name", name.clone()));
        }
        if let Some(status) = &self.status {
            pairs.push(("status", status.clone()));
        }
        if let Some(volume_id) = &self.volume_id {
            pairs.push(("volume_id", volume_id.clone()));
        }
        if !self.metadata.is_empty() {
            // A map of strings always encodes.
            let json = serde_json::to_string(&self.metadata).unwrap_or_default();
            pairs.push(("metadata", json));
        }
        if let Some(sort) = &self.sort {
            pairs.push(("sort", sort.clone()));
        }
        // Asking for more than will be kept would waste the server's time.
        let page = match (self.page_size, self.max_items) {
            (Some(size), Some(max)) => Some(u64::from(size).min(max as u64)),
            (Some(size), None) => Some(u64::from(size)),
            (None, _) => None,
        };
        if let Some(page) = page {
            pairs.push(("limit", page.to_string()));
        }
        if let Some(marker) = &self.marker {
            pairs.push(("marker", marker.clone()));
        }
        let mut query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        query.extend(
            self.extra
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v))),
        );
        query.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_filters() {
        let options = ListOptions::default()
            .name("my vol/1")
            .status("in-use")
            .volume_id("v1")
            .sort("name:asc")
            .page_size(50)
            .marker("m-1")
            .extra("all_tenants", "0")
            .metadata("env", "prod");
        assert_eq!(
            options.query(),
            "name=my%20vol%2F1&status=in-use&volume_id=v1&metadata=%7B%22env%22%3A%22prod%22%7D&sort=name%3Aasc&limit=50&marker=m-1&all_tenants=0"
        );
        assert!(options.check(Listing::Volumes).is_err());
        assert!(options.check(Listing::Backups).is_err());
        assert!(options.check(Listing::Snapshots).is_ok());
        assert_eq!(ListOptions::default().query(), "");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(
            ListOptions::default().page_size(50).max_items(7).query(),
            "limit=7"
        );
    }
}
