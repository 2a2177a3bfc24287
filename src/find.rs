//! Finding a resource by what a script was given: an exact id wins, otherwise an exact name.

use crate::client::InfomaniakVolumeClient;
use crate::error::{Error, Result};

impl InfomaniakVolumeClient {
    /// `get(name_or_id)` when it names a resource by id; otherwise the one resource whose
    /// name is exactly `name_or_id` among `list(name_or_id)`.
    pub(crate) fn find<T>(
        &self,
        resource: &'static str,
        name_or_id: &str,
        get: impl FnOnce(&str) -> Result<T>,
        list: impl FnOnce(&str) -> Result<Vec<T>>,
        key: impl Fn(&T) -> (&str, Option<&str>),
    ) -> Result<T> {
        // A name may hold characters an id may not: then it cannot be an id.
        if crate::validate::id("name_or_id", name_or_id).is_ok() {
            match get(name_or_id) {
                Ok(found) => return Ok(found),
                Err(Error::NotFound { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        let mut matches: Vec<T> = list(name_or_id)?
            .into_iter()
            .filter(|item| key(item).1 == Some(name_or_id))
            .collect();
        match matches.len() {
            0 => Err(Error::NotFound {
                resource,
                id: name_or_id.to_string(),
                message: format!("no {resource} has the id or the name `{name_or_id}`"),
                request_id: None,
            }),
            1 => Ok(matches.remove(0)),
            _ => Err(Error::Ambiguous {
                resource,
                name: name_or_id.to_string(),
                ids: matches.iter().map(|m| key(m).0.to_string()).collect(),
            }),
        }
    }
}
