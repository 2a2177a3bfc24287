//! Following `*_links` rel=next to the last page.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A link in an OpenStack reply (`self`, `bookmark`, `next`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
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
/// called, which behind a TLS-terminating proxy is often `http://` or an internal name. The
/// client sends the query to the endpoint it already trusts.
pub(crate) fn next_query(links: &[Link]) -> Option<String> {
    let href = &links.iter().find(|l| l.rel == "next")?.href;
    let query = href.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    Some(query.to_string())
}

/// Fetches pages until one has no `next` link. `fetch` gets the query of the page to fetch
/// (empty for the first) and returns its items and its links.
pub(crate) fn collect<T>(
    what: &str,
    max_pages: usize,
    mut fetch: impl FnMut(&str) -> Result<(Vec<T>, Vec<Link>)>,
) -> Result<Vec<T>> {
    let mut all = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut query = String::new();
    for _ in 0..max_pages {
        let (mut items, links) = fetch(&query)?;
        let empty_page = items.is_empty();
        all.append(&mut items);
        match next_query(&links) {
            None => return Ok(all),
            // A next link on an empty page would loop for ever on some broken proxies.
            Some(_) if empty_page => return Ok(all),
            Some(next) => {
                if !seen.insert(next.clone()) || next == query {
                    return Err(Error::Decode {
                        what: what.to_string(),
                        message: format!(
                            "the server sent the same next page twice (`?{next}`); stopping instead of looping"
                        ),
                        request_id: None,
                    });
                }
                query = next;
            }
        }
    }
    Err(Error::Decode {
        what: what.to_string(),
        message: format!("more than {max_pages} pages (Config::max_pages); stopping"),
        request_id: None,
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
