//! Cinder v3: routing, microversion negotiation and the version document.
//! Each resource lives in its own module; request parsing ([`args`]),
//! pagination ([`paging`]) and metadata endpoints ([`metadata`]) are shared,
//! and every fault body comes from [`crate::faults`].

mod args;
mod backups;
mod metadata;
mod paging;
mod project;
mod snapshots;
mod volumes;

use std::time::Instant;

use serde_json::{Value, json};

use crate::faults::{method_not_allowed, no_such_resource};
use crate::http::{Request, Response};
use crate::microversion;
use crate::util::parse_query;
use crate::{FakeCloud, Shared, keystone};

/// Path segments that may directly follow `/v3/` (the project id is optional).
const KNOWN_COLLECTIONS: [&str; 8] = [
    "volumes",
    "snapshots",
    "backups",
    "types",
    "os-availability-zone",
    "limits",
    "os-quota-sets",
    "extensions",
];

const USER_ID: &str = FakeCloud::USER_ID;

/// A handler's outcome: both arms are sent as they are.
type Res = Result<Response, Response>;

/// Per-request context.
struct Ctx<'a> {
    shared: &'a Shared,
    req: &'a Request,
    /// e.g. `http://127.0.0.1:PORT/volume` (or `/internal/volume`, `/dc4/volume`).
    base: &'a str,
    /// Microversion minor number (3.N).
    mv: u32,
    query: Vec<(String, String, String)>,
}

impl Ctx<'_> {
    /// The decoded value of query parameter `key`.
    fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }

    /// Whether query parameter `key` is `true` (case-insensitive).
    fn q_true(&self, key: &str) -> bool {
        self.q(key).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `self` and `bookmark` links of a resource.
    fn links(&self, collection: &str, id: &str) -> Value {
        let p = FakeCloud::PROJECT_ID;
        json!([
            {"href": format!("{}/v3/{p}/{collection}/{id}", self.base), "rel": "self"},
            {"href": format!("{}/{p}/{collection}/{id}", self.base), "rel": "bookmark"}
        ])
    }

    /// When a transition started now completes.
    fn delay(&self) -> Instant {
        crate::util::instant_after(self.shared.config.transition_delay)
    }
}

fn version_doc(shared: &Shared, base: &str) -> Value {
    let range = shared.config.volume_versions;
    json!({"versions": [{
        "id": "v3.0",
        "links": [
            {"href": "https://docs.openstack.org/", "rel": "describedby", "type": "text/html"},
            {"href": format!("{base}/v3/"), "rel": "self"}
        ],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}],
        "min_version": range.min_string(),
        "status": "CURRENT",
        "updated": "2023-08-31T00:00:00Z",
        "version": range.max_string()
    }]})
}

/// Negotiates the `volume` microversion of `OpenStack-API-Version`.
fn negotiate(shared: &Shared, req: &Request) -> Result<u32, Response> {
    let value = microversion::header_item(req, "volume", |i| i.contains("volume"));
    shared
        .config
        .volume_versions
        .negotiate(value.as_deref(), |v| {
            format!(
                "API Version String {v} is of invalid format. Must be of format MajorNum.MinorNum."
            )
        })
}

/// Routes `/volume/...` (`rest` excludes `volume`).
pub(crate) fn route(shared: &Shared, req: &Request, base: &str, rest: &[&str]) -> Response {
    match rest {
        [] | ["v3"] => {
            return if req.method != "GET" {
                method_not_allowed()
            } else if rest.is_empty() {
                Response::json(300, &version_doc(shared, base))
            } else {
                Response::json(200, &version_doc(shared, base))
            };
        }
        _ => {}
    }
    if rest[0] != "v3" {
        return no_such_resource();
    }
    let mut r = &rest[1..];
    if r.first() == Some(&FakeCloud::PROJECT_ID) {
        r = &r[1..];
    } else if let Some(first) = r.first() {
        if !KNOWN_COLLECTIONS.contains(first) {
            // Some other project id, or an unknown resource.
            return no_such_resource();
        }
    }
    if let Err(resp) = keystone::check_token(shared, req) {
        return resp;
    }
    let mv = match negotiate(shared, req) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let ctx = Ctx {
        shared,
        req,
        base,
        mv,
        query: parse_query(&req.query),
    };
    let resp = match dispatch(&ctx, r) {
        Ok(r) | Err(r) => r,
    };
    resp.with_header("OpenStack-API-Version", format!("volume 3.{mv}"))
        .with_header("Vary", "OpenStack-API-Version")
}

fn dispatch(ctx: &Ctx, r: &[&str]) -> Res {
    match r.first() {
        Some(&"volumes") => volumes::dispatch(ctx, &r[1..]),
        Some(&"snapshots") => snapshots::dispatch(ctx, &r[1..]),
        Some(&"backups") => backups::dispatch(ctx, &r[1..]),
        _ => project::dispatch(ctx, r),
    }
}
