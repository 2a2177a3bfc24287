//! Nova: routing, microversion negotiation, servers (read-only); volume
//! attachments live in [`attachments`], instance actions in [`actions`].

mod actions;
mod attachments;

use serde_json::{Value, json};

use crate::faults::{method_not_allowed, no_such_resource, not_found};
use crate::http::{Request, Response};
use crate::state::{Server, State};
use crate::{FakeCloud, Shared, keystone, microversion};

/// Negotiates the compute microversion (`OpenStack-API-Version: compute 2.N`
/// or the legacy `X-OpenStack-Nova-API-Version`; none → the minimum).
fn negotiate(shared: &Shared, req: &Request) -> Result<u32, Response> {
    let value =
        microversion::header_item(req, "compute", |i| i.starts_with("compute")).or_else(|| {
            req.header("x-openstack-nova-api-version")
                .map(|v| v.trim().to_string())
        });
    shared
        .config
        .compute_versions
        .negotiate(value.as_deref(), |v| {
            format!("Invalid API version request string {v}. Must be of format MajorNum.MinorNum.")
        })
}

/// Routes `/compute/...` (`rest` excludes `compute`).
pub(crate) fn route(shared: &Shared, req: &Request, base: &str, rest: &[&str]) -> Response {
    match rest {
        [] | ["v2.1"] if req.method == "GET" => {
            let range = shared.config.compute_versions;
            let v = json!({"id": "v2.1", "status": "CURRENT", "version": range.max_string(),
                           "min_version": range.min_string(), "updated": "2013-07-23T11:33:21Z",
                           "links": [{"rel": "self", "href": format!("{base}/v2.1/")}]});
            return if rest.is_empty() {
                Response::json(200, &json!({"versions": [v]}))
            } else {
                Response::json(200, &json!({ "version": v }))
            };
        }
        _ => {}
    }
    if rest.first() != Some(&"v2.1") {
        return no_such_resource();
    }
    let mut r = &rest[1..];
    if r.first()
        .is_some_and(|p| *p == FakeCloud::PROJECT_ID || *p == FakeCloud::OTHER_PROJECT_ID)
    {
        r = &r[1..];
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
        project,
    };
    let resp = match dispatch(&ctx, r) {
        Ok(r) | Err(r) => r,
    };
    resp.with_header("OpenStack-API-Version", format!("compute 2.{mv}"))
        .with_header("X-OpenStack-Nova-API-Version", format!("2.{mv}"))
        .with_header(
            "Vary",
            "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
        )
}

/// A handler's outcome: both arms are sent as they are.
type Res = Result<Response, Response>;

/// Per-request context.
struct Ctx<'a> {
    shared: &'a Shared,
    req: &'a Request,
    /// e.g. `http://127.0.0.1:PORT/compute` (or `/internal/compute`, `/dc4/compute`).
    base: &'a str,
    /// Microversion minor number (2.N).
    mv: u32,
    /// The token's project.
    project: String,
}

/// Server `id` of the request's project, or 404.
fn find_server<'s>(ctx: &Ctx, st: &'s State, id: &str) -> Result<&'s Server, Response> {
    st.servers
        .iter()
        .find(|s| s.id == id && s.project_id == ctx.project)
        .ok_or_else(|| not_found(&format!("Instance {id} could not be found.")))
}

fn dispatch(ctx: &Ctx, r: &[&str]) -> Res {
    let (shared, base) = (ctx.shared, ctx.base);
    let m = ctx.req.method.as_str();
    match (m, r) {
        ("GET", ["servers"]) | ("GET", ["servers", "detail"]) => {
            let st = shared.state();
            let detail = r.len() == 2;
            let servers: Vec<Value> = st
                .servers
                .iter()
                .filter(|s| s.project_id == ctx.project)
                .map(|s| {
                    let links = json!([{"rel": "self", "href": format!("{base}/v2.1/servers/{}", s.id)}]);
                    if detail {
                        json!({"id": s.id, "name": s.name, "status": "ACTIVE", "links": links,
                               "created": s.created, "tenant_id": s.project_id,
                               "user_id": FakeCloud::USER_ID, "OS-EXT-AZ:availability_zone": "nova"})
                    } else {
                        json!({"id": s.id, "name": s.name, "links": links})
                    }
                })
                .collect();
            Ok(Response::json(200, &json!({ "servers": servers })))
        }
        ("GET", ["servers", id]) => {
            let st = shared.state();
            let s = find_server(ctx, &st, id)?;
            let (name, created) = (s.name.clone(), s.created.clone());
            let volumes: Vec<Value> = st
                .volumes
                .iter()
                .filter(|v| v.attachments.iter().any(|a| a.server_id == *id))
                .map(|v| json!({"id": v.id}))
                .collect();
            Ok(Response::json(
                200,
                &json!({"server": {"id": id, "name": name, "status": "ACTIVE", "created": created,
                        "tenant_id": ctx.project, "user_id": FakeCloud::USER_ID,
                        "OS-EXT-AZ:availability_zone": "nova",
                        "os-extended-volumes:volumes_attached": volumes}}),
            ))
        }
        (_, ["servers", id, "os-volume_attachments", more @ ..]) => {
            attachments::dispatch(ctx, id, more)
        }
        (_, ["servers", id, "os-instance-actions", more @ ..]) => actions::dispatch(ctx, id, more),
        (_, ["servers"] | ["servers", _]) => Err(method_not_allowed()),
        _ => Err(no_such_resource()),
    }
}
