//! Cinder v3: routing, microversion negotiation and the version document.
//! Each resource lives in its own module; request parsing ([`args`]),
//! pagination ([`paging`]) and metadata endpoints ([`metadata`]) are shared,
//! and every fault body comes from [`crate::faults`].

mod args;
mod backups;
mod messages;
mod metadata;
mod paging;
mod project;
mod snapshots;
mod transfers;
mod volumes;

use std::time::Instant;

use serde_json::{Value, json};

use crate::faults::{method_not_allowed, no_such_resource};
use crate::http::{Request, Response};
use crate::microversion;
use crate::util::parse_query;
use crate::{FakeCloud, Shared, keystone};

/// Path segments that may directly follow `/v3/` (the project id is optional).
const KNOWN_COLLECTIONS: [&str; 11] = [
    "volumes",
    "messages",
    "volume-transfers",
    "os-volume-transfer",
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
    /// The project of the token (and of the URL, when it names one).
    project: String,
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
        let p = &self.project;
        json!([
            {"href": format!("{}/v3/{p}/{collection}/{id}", self.base), "rel": "self"},
            {"href": format!("{}/{p}/{collection}/{id}", self.base), "rel": "bookmark"}
        ])
    }

    /// When a transition started now completes.
    fn delay(&self) -> Instant {
        crate::util::instant_after(self.shared.config.transition_delay)
    }

    /// 404 unless the request's microversion is at least 3.`min` (how Cinder
    /// answers for a resource or method that does not exist at a version).
    fn require(&self, min: u32) -> Result<(), Response> {
        if self.mv >= min {
            Ok(())
        } else {
            Err(no_such_resource())
        }
    }

    /// 400 for a body field that only exists from 3.`min` (Cinder's schema
    /// rejects unknown properties).
    fn field_from(&self, field: &str, min: u32) -> Result<(), Response> {
        if self.mv >= min {
            Ok(())
        } else {
            Err(crate::faults::bad(&format!(
                "Invalid input for field/attribute {field}. Additional properties are not allowed ('{field}' was unexpected)"
            )))
        }
    }

    /// A user message about `resource_uuid` for a failed `op`, in this
    /// request's project and with its request id.
    fn message(
        &self,
        op: crate::Operation,
        reason: &str,
        resource_uuid: &str,
    ) -> crate::state::NewMessage {
        let (resource_type, event_id, user_message) = op.message(reason);
        crate::state::NewMessage {
            project_id: self.project.clone(),
            request_id: self.req.request_id.clone(),
            resource_type,
            resource_uuid: resource_uuid.to_string(),
            event_id,
            user_message,
        }
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
    let mut url_project = None;
    if let Some(first) = r.first().filter(|f| is_project(f)) {
        url_project = Some(*first);
        r = &r[1..];
    } else if let Some(first) = r.first() {
        if !KNOWN_COLLECTIONS.contains(first) {
            // Some other project id, or an unknown resource.
            return no_such_resource();
        }
    }
    let project = match keystone::check_token(shared, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
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
        project,
    };
    let resp = if url_project.is_some_and(|p| p != ctx.project) {
        // cinder/api/openstack/wsgi.py: the URL names another project.
        crate::faults::bad("Malformed request url")
    } else {
        match dispatch(&ctx, r) {
            Ok(r) | Err(r) => r,
        }
    };
    resp.with_header("OpenStack-API-Version", format!("volume 3.{mv}"))
        .with_header("Vary", "OpenStack-API-Version")
}

fn dispatch(ctx: &Ctx, r: &[&str]) -> Res {
    match r.first() {
        Some(&"volumes") => volumes::dispatch(ctx, &r[1..]),
        Some(&"snapshots") => snapshots::dispatch(ctx, &r[1..]),
        Some(&"backups") => backups::dispatch(ctx, &r[1..]),
        Some(&"messages") => messages::dispatch(ctx, &r[1..]),
        Some(&"volume-transfers") => {
            ctx.require(55)?;
            transfers::dispatch(ctx, &r[1..])
        }
        Some(&"os-volume-transfer") => transfers::dispatch(ctx, &r[1..]),
        _ => project::dispatch(ctx, r),
    }
}

/// Whether a path segment is one of the cloud's project ids.
fn is_project(segment: &str) -> bool {
    segment == FakeCloud::PROJECT_ID || segment == FakeCloud::OTHER_PROJECT_ID
}
