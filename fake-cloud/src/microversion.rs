//! Microversion negotiation shared by Cinder (`volume 3.N`) and Nova
//! (`compute 2.N`).

use crate::faults::{bad, fault};
use crate::http::Request;
use crate::http::Response;

/// The microversions one service accepts: `major.min ..= major.max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) major: u32,
    pub(crate) min: u32,
    pub(crate) max: u32,
}

impl Range {
    /// `"3.0"` style rendering of the lowest version.
    pub(crate) fn min_string(&self) -> String {
        format!("{}.{}", self.major, self.min)
    }

    /// `"3.71"` style rendering of the highest version.
    pub(crate) fn max_string(&self) -> String {
        format!("{}.{}", self.major, self.max)
    }

    /// Negotiates the minor version for a requested `value` (`None` = no
    /// header = the minimum). `bad_format` renders the service's 400 message
    /// for an unparsable value.
    pub(crate) fn negotiate(
        &self,
        value: Option<&str>,
        bad_format: fn(&str) -> String,
    ) -> Result<u32, Response> {
        let Some(value) = value else {
            return Ok(self.min);
        };
        if value.eq_ignore_ascii_case("latest") {
            return Ok(self.max);
        }
        match parse(value) {
            Some((major, minor))
                if major == self.major && (self.min..=self.max).contains(&minor) =>
            {
                Ok(minor)
            }
            Some(_) => Err(fault(
                406,
                &format!(
                    "Version {value} is not supported by the API. Minimum is {} and maximum is {}.",
                    self.min_string(),
                    self.max_string()
                ),
            )),
            None => Err(bad(&bad_format(value))),
        }
    }
}

/// Parses `"3.60"` into `(3, 60)`.
pub(crate) fn parse(v: &str) -> Option<(u32, u32)> {
    let (a, b) = v.trim().split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// The version in the first `OpenStack-API-Version` item accepted by
/// `is_service`, with the `service` name stripped (`"volume 3.60"` → `"3.60"`).
pub(crate) fn header_item(
    req: &Request,
    service: &str,
    is_service: impl Fn(&str) -> bool,
) -> Option<String> {
    let header = req.header("openstack-api-version")?;
    header
        .split(',')
        .map(str::trim)
        .find(|i| is_service(i))
        .map(|i| i.trim_start_matches(service).trim().to_string())
}
