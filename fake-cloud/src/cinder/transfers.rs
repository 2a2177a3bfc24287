//! Cinder volume transfers: `/volume-transfers` (3.55, with `no_snapshots`)
//! and the older `/os-volume-transfer`. A transfer moves a volume (and, unless
//! `no_snapshots`, its snapshots) to the project that accepts it with the
//! `auth_key` shown once at creation.

use serde_json::{Value, json};

use super::args::{body, opt_bool, opt_string, required_str, root};
use super::paging::{Item, list_response};
use super::volumes::find_volume;
use super::{Ctx, Res};
use crate::faults::{bad, method_not_allowed, no_such_resource, not_found, over_limit};
use crate::http::Response;
use crate::state::{State, Transfer};
use crate::util::now_cinder;

/// Routes `volume-transfers/...` or `os-volume-transfer/...` (`r` excludes
/// the collection).
pub(super) fn dispatch(ctx: &Ctx, r: &[&str]) -> Res {
    match (ctx.req.method.as_str(), r) {
        ("GET", []) => list(ctx, false),
        ("GET", ["detail"]) => list(ctx, true),
        ("POST", []) => create(ctx),
        ("GET", [id]) => {
            let st = ctx.shared.state();
            let t = find_transfer(ctx, &st, id)?;
            Ok(Response::json(200, &json!({"transfer": detail(ctx, t)})))
        }
        ("DELETE", [id]) => delete(ctx, id),
        ("POST", [id, "accept"]) => accept(ctx, id),
        (_, [] | [_] | [_, "accept"]) => Err(method_not_allowed()),
        _ => Err(no_such_resource()),
    }
}

/// The collection name as requested (used in links).
fn collection(ctx: &Ctx) -> &'static str {
    if ctx.req.path.contains("/os-volume-transfer") {
        "os-volume-transfer"
    } else {
        "volume-transfers"
    }
}

fn not_found_transfer(id: &str) -> Response {
    not_found(&format!("Transfer {id} could not be found."))
}

/// A transfer created by the request's project, or 404.
fn find_transfer<'s>(ctx: &Ctx, st: &'s State, id: &str) -> Result<&'s Transfer, Response> {
    st.transfers
        .iter()
        .find(|t| t.id == id && t.project_id == ctx.project)
        .ok_or_else(|| not_found_transfer(id))
}

fn summary(ctx: &Ctx, t: &Transfer) -> Value {
    json!({"id": t.id, "name": t.name, "volume_id": t.volume_id,
           "links": ctx.links(collection(ctx), &t.id)})
}

fn detail(ctx: &Ctx, t: &Transfer) -> Value {
    let mut o = summary(ctx, t);
    o["created_at"] = json!(t.created_at);
    if collection(ctx) == "volume-transfers" {
        o["no_snapshots"] = json!(t.no_snapshots);
    }
    o
}

fn list(ctx: &Ctx, with_detail: bool) -> Res {
    let st = ctx.shared.state();
    let items = st
        .transfers
        .iter()
        .filter(|t| t.project_id == ctx.project)
        .map(|t| {
            let json = if with_detail {
                detail(ctx, t)
            } else {
                summary(ctx, t)
            };
            Item::new(t.seq, &t.id, json)
                .field("name", t.name.as_deref())
                .field("volume_id", Some(&t.volume_id))
        })
        .collect();
    drop(st);
    list_response(ctx, "transfers", items)
}

fn create(ctx: &Ctx) -> Res {
    let b = body(ctx)?;
    let req = root(&b, "transfer")?;
    let volume_id = required_str(req, "transfer", "volume_id")?;
    let name = opt_string(req, "name")?.flatten();
    let no_snapshots = match opt_bool(req, "no_snapshots")? {
        None => false,
        Some(flag) if collection(ctx) == "volume-transfers" => flag,
        Some(_) => {
            return Err(bad(
                "Invalid input for field/attribute transfer. Additional properties are not allowed ('no_snapshots' was unexpected)",
            ));
        }
    };
    let mut st = ctx.shared.state();
    let v = find_volume(ctx, &st, &volume_id)?;
    if v.status != "available" {
        return Err(bad(&format!(
            "Invalid volume: Status of volume must be available, but current status is: {}.",
            v.status
        )));
    }
    if !no_snapshots
        && st
            .snapshots
            .iter()
            .any(|s| s.volume_id == volume_id && s.status != "available")
    {
        return Err(bad(
            "Invalid volume: Snapshots of the volume must be available to be transferred.",
        ));
    }
    let (seq, id) = st.new_id(5);
    let auth_key = format!("{:016x}", ctx.shared.rng.next_u64());
    let t = Transfer {
        seq,
        id,
        project_id: ctx.project.clone(),
        name,
        volume_id: volume_id.clone(),
        auth_key: auth_key.clone(),
        no_snapshots,
        created_at: now_cinder(),
    };
    let mut out = summary(ctx, &t);
    out["auth_key"] = json!(auth_key);
    out["created_at"] = json!(t.created_at);
    st.transfers.push(t);
    if let Some(v) = st.volume_mut(&volume_id) {
        v.status = "awaiting-transfer".into();
        v.updated_at = Some(now_cinder());
    }
    Ok(Response::json(202, &json!({ "transfer": out })))
}

fn delete(ctx: &Ctx, id: &str) -> Res {
    let mut st = ctx.shared.state();
    let volume_id = find_transfer(ctx, &st, id)?.volume_id.clone();
    st.transfers.retain(|t| t.id != id);
    if let Some(v) = st.volume_mut(&volume_id) {
        if v.status == "awaiting-transfer" {
            v.status = "available".into();
            v.updated_at = Some(now_cinder());
        }
    }
    Ok(Response::empty(202))
}

/// Accepts a transfer into the request's project (any project may accept
/// with the right key).
fn accept(ctx: &Ctx, id: &str) -> Res {
    let b = body(ctx)?;
    let req = root(&b, "accept")?;
    let auth_key = required_str(req, "accept", "auth_key")?;
    let mut st = ctx.shared.state();
    let Some(t) = st.transfers.iter().find(|t| t.id == id).cloned() else {
        return Err(not_found_transfer(id));
    };
    if t.auth_key != auth_key {
        return Err(bad(&format!(
            "Invalid auth key: Attempt to transfer {id} with invalid auth key."
        )));
    }
    let size = st.volume(&t.volume_id).map(|v| v.size).unwrap_or(0);
    st.check_quota(&ctx.project, 1, size)
        .map_err(|m| over_limit(&m))?;
    st.transfers.retain(|x| x.id != id);
    let now = now_cinder();
    if let Some(v) = st.volume_mut(&t.volume_id) {
        v.project_id = ctx.project.clone();
        v.status = "available".into();
        v.updated_at = Some(now.clone());
    }
    if !t.no_snapshots {
        for s in st
            .snapshots
            .iter_mut()
            .filter(|s| s.volume_id == t.volume_id)
        {
            s.project_id = ctx.project.clone();
            s.updated_at = Some(now.clone());
        }
    }
    Ok(Response::json(202, &json!({"transfer": summary(ctx, &t)})))
}
