//! Following `*_links` rel=next to the last page, lazily, within `Config::max_pages` and a
//! listing's `max_items`.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::transport::{Call, Reply, Service, Transport};

/// A link in an OpenStack reply (`self`, `bookmark`, `next`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Link {
    /// The URL.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub href: String,
    /// What the link is (`self`, `bookmark`, `next`).
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub rel: String,
}

/// The query of the `next` link, if any.
///
/// Only the query is kept: the link's host and scheme are what the server believes it is
/// called, which behind a TLS-terminating proxy is often `http://` or an internal name, and a
/// hostile server could name any host. The client sends the query to the endpoint it already
/// trusts, so the token never goes where a reply points.
pub(crate) fn next_query(links: &[Link]) -> Option<String> {
    let href = &links.iter().find(|l| l.rel == "next")?.href;
    let query = href.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    Some(query.to_string())
}

/// Decodes one page: its items and its links.
pub(crate) type PageDecoder<T> = fn(&Reply, &str) -> Result<(Vec<T>, Vec<Link>)>;

/// A lazy iterator over the pages of a Cinder listing: each `next()` fetches one page.
///
/// Yields `Ok(items)` per page and stops after the last page, or once the listing's
/// `max_items` are there. A failure is yielded once as `Err` and ends the iteration. A server
/// that sends the same next page twice, or more pages than `Config::max_pages`, ends it with
/// [`Error::Decode`] instead of looping.
pub struct Pages<T> {
    transport: Arc<Transport>,
    path: &'static str,
    what: String,
    decode: PageDecoder<T>,
    next: Option<String>,
    seen: HashSet<String>,
    fetched: usize,
    left: Option<usize>,
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("path", &self.path)
            .field("next", &self.next)
            .field("fetched", &self.fetched)
            .field("left", &self.left)
            .finish()
    }
}

impl<T> Pages<T> {
    pub(crate) fn new(
        transport: Arc<Transport>,
        path: &'static str,
        what: String,
        first_query: String,
        max_items: Option<usize>,
        decode: PageDecoder<T>,
    ) -> Pages<T> {
        Pages {
            transport,
            path,
            what,
            decode,
            next: (max_items != Some(0)).then_some(first_query),
            seen: HashSet::new(),
            fetched: 0,
            left: max_items,
        }
    }

    fn fail(&mut self, message: String) -> Option<Result<Vec<T>>> {
        self.next = None;
        Some(Err(Error::decode(self.what.clone(), message, None)))
    }
}

impl<T> Iterator for Pages<T> {
    type Item = Result<Vec<T>>;

    fn next(&mut self) -> Option<Result<Vec<T>>> {
        let query = self.next.take()?;
        if !self.seen.insert(query.clone()) {
            return self.fail(format!(
                "the server sent the same next page twice (`?{query}`); stopping instead of looping"
            ));
        }
        let max_pages = self.transport.config().max_pages;
        if self.fetched >= max_pages {
            return self.fail(format!(
                "reached the page cap of {max_pages} (Config::max_pages) with more pages to come"
            ));
        }
        self.fetched += 1;
        // A 404 on a listing means its marker names nothing.
        let marker = marker_of(&query);
        let mut call = Call::get(Service::BlockStorage, with_query(self.path, &query));
        if let Some(marker) = &marker {
            call = call.about("listing marker", marker);
        }
        let reply = match self.transport.send(&call) {
            Ok(reply) => reply,
            Err(err) => return Some(Err(err)),
        };
        let (mut items, links) = match (self.decode)(&reply, &self.what) {
            Ok(page) => page,
            Err(err) => return Some(Err(err)),
        };
        if let Some(left) = self.left.as_mut() {
            items.truncate(*left);
            *left -= items.len();
        }
        // A next link on an empty page would make some broken proxies loop for ever.
        if !items.is_empty() && self.left != Some(0) {
            self.next = next_query(&links);
        }
        Some(Ok(items))
    }
}

/// Fetches every page and concatenates the items; any failure fails the whole listing.
pub(crate) fn collect_all<T>(pages: Pages<T>) -> Result<Vec<T>> {
    let mut all = Vec::new();
    for page in pages {
        all.append(&mut page?);
    }
    Ok(all)
}

/// The `marker` parameter of a query, decoded.
fn marker_of(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let value = pair.strip_prefix("marker=")?;
        Some(
            percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned(),
        )
    })
}

/// `path` with `query` appended.
pub(crate) fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}
