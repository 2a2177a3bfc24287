//! Cinder snapshots: CRUD, actions and metadata.

use serde_json::{Value, json};

use super::args::{
    body, description_arg, name_arg, opt_bool, opt_metadata, required_str, root, single_action,
    unknown_action,
};
use super::paging::{Item, list_response};
use super::volumes::find_volume;
use super::{Ctx, Res, USER_ID, metadata};
use crate::Operation;
use crate::faults::{bad, method_not_allowed, no_such_resource, not_found};
use crate::http::Response;
use crate::state::{SimpleNext, Snapshot, State};
use crate::util::now_cinder;

/// Routes `snapshots/...` (`r` excludes `snapshots`).
pub(super) fn dispatch(ctx: &Ctx, r: &[&str]) -> Res {
    match (ctx.req.method.as_str(), r) {
        ("GET", []) => list_snapshots(ctx, false),
        ("GET", ["detail"]) => list_snapshots(ctx, true),
        ("POST", []) => create_snapshot(ctx),
        ("GET", [id]) => {
            let st = ctx.shared.state();
            let s = find_snapshot(ctx, &st, id)?;
            Ok(Response::json(
                200,
                &json!({"snapshot": snapshot_json(ctx, s, true)}),
            ))
        }
        ("PUT", [id]) => update_snapshot(ctx, id),
        ("DELETE", [id]) => delete_snapshot(ctx, id),
        ("POST", [id, "action"]) => snapshot_action(ctx, id),
        (_, [id, "metadata"]) => metadata::collection(ctx, id, snapshot_metadata),
        (_, [id, "metadata", key]) => metadata::item(ctx, id, key, snapshot_metadata),
        (_, [] | [_] | [_, "action"]) => Err(method_not_allowed()),
        _ => Err(no_such_resource()),
    }
}

/// Snapshot `id` of the request's project, or 404.
pub(super) fn find_snapshot<'s>(
    ctx: &Ctx,
    st: &'s State,
    id: &str,
) -> Result<&'s Snapshot, Response> {
    st.snapshot(id)
        .filter(|s| s.project_id == ctx.project)
        .ok_or_else(|| snapshot_not_found(id))
}

fn snapshot_not_found(id: &str) -> Response {
    not_found(&format!("Snapshot {id} could not be found."))
}

/// The metadata map and `updated_at` of a snapshot, for [`metadata`].
fn snapshot_metadata<'s>(st: &'s mut State, project: &str, id: &str) -> metadata::Target<'s> {
    let s = st
        .snapshot_mut(id)
        .filter(|s| s.project_id == project)
        .ok_or_else(|| snapshot_not_found(id))?;
    Ok((&mut s.metadata, &mut s.updated_at))
}

fn snapshot_json(ctx: &Ctx, s: &Snapshot, detail: bool) -> Value {
    let mut o = json!({
        "created_at": s.created_at,
        "description": s.description,
        "id": s.id,
        "metadata": s.metadata,
        "name": s.name,
        "size": s.size,
        "status": s.status,
        "updated_at": s.updated_at,
        "volume_id": s.volume_id,
    });
    if detail {
        let progress = if s.status == "creating" { "0%" } else { "100%" };
        o["os-extended-snapshot-attributes:progress"] = json!(progress);
        o["os-extended-snapshot-attributes:project_id"] = json!(s.project_id);
    }
    if ctx.mv >= 14 {
        o["group_snapshot_id"] = Value::Null;
    }
    if ctx.mv >= 41 {
        o["user_id"] = json!(USER_ID);
    }
    if ctx.mv >= 65 {
        o["consumes_quota"] = json!(true);
    }
    o
}

fn list_snapshots(ctx: &Ctx, detail: bool) -> Res {
    let st = ctx.shared.state();
    let items = st
        .snapshots
        .iter()
        .filter(|s| s.project_id == ctx.project)
        .map(|s| {
            Item::new(s.seq, &s.id, snapshot_json(ctx, s, detail))
                .field("name", s.name.as_deref())
                .field("status", Some(&s.status))
                .field("volume_id", Some(&s.volume_id))
        })
        .collect();
    drop(st);
    list_response(ctx, "snapshots", items)
}

fn create_snapshot(ctx: &Ctx) -> Res {
    let b = body(ctx)?;
    let snap = root(&b, "snapshot")?;
    let volume_id = required_str(snap, "snapshot", "volume_id")?;
    let name = name_arg(snap)?.flatten();
    let description = description_arg(snap)?.flatten();
    let metadata = opt_metadata(snap)?;
    let force = opt_bool(snap, "force")?;
    if ctx.mv >= 66 && force == Some(false) {
        return Err(bad(
            "Since microversion 3.66, the 'force' flag is invalid for this request. For backward compatibility, however, when the 'force' flag is passed with a value evaluating to True, it is silently ignored.",
        ));
    }
    let mut st = ctx.shared.state();
    let v = find_volume(ctx, &st, &volume_id)?;
    let allowed =
        v.status == "available" || (v.status == "in-use" && (ctx.mv >= 66 || force == Some(true)));
    if !allowed {
        return Err(bad(&format!(
            "Invalid volume: Volume {} status must be available, but current status is: {}.",
            v.id, v.status
        )));
    }
    let size = v.size;
    let (seq, id) = st.new_id(2);
    let next = match st.take_failure(Operation::CreateSnapshot) {
        Some(reason) => SimpleNext::Fail(
            "error".into(),
            Operation::CreateSnapshot.reason_text(&reason),
            ctx.message(Operation::CreateSnapshot, &reason, &id),
        ),
        None => SimpleNext::Status("available".into()),
    };
    let s = Snapshot {
        seq,
        id,
        project_id: ctx.project.clone(),
        name,
        description,
        size,
        status: "creating".into(),
        pending: Some((ctx.delay(), next)),
        volume_id,
        metadata,
        created_at: now_cinder(),
        updated_at: None,
    };
    let out = snapshot_json(ctx, &s, true);
    st.snapshots.push(s);
    Ok(Response::json(202, &json!({ "snapshot": out })))
}

fn update_snapshot(ctx: &Ctx, id: &str) -> Res {
    let b = body(ctx)?;
    let upd = root(&b, "snapshot")?;
    let name = name_arg(upd)?;
    let description = description_arg(upd)?;
    let mut st = ctx.shared.state();
    find_snapshot(ctx, &st, id)?;
    let Some(s) = st.snapshot_mut(id) else {
        return Err(snapshot_not_found(id));
    };
    if let Some(n) = name {
        s.name = n;
    }
    if let Some(d) = description {
        s.description = d;
    }
    s.updated_at = Some(now_cinder());
    let s = s.clone();
    Ok(Response::json(
        200,
        &json!({"snapshot": snapshot_json(ctx, &s, true)}),
    ))
}

fn delete_snapshot(ctx: &Ctx, id: &str) -> Res {
    let mut st = ctx.shared.state();
    let s = find_snapshot(ctx, &st, id)?;
    if s.status != "available" && s.status != "error" {
        return Err(bad(
            "Invalid snapshot: Volume Snapshot status must be available or error and must not be part of a group.",
        ));
    }
    let due = ctx.delay();
    if let Some(s) = st.snapshot_mut(id) {
        s.status = "deleting".into();
        s.updated_at = Some(now_cinder());
        s.pending = Some((due, SimpleNext::Remove));
    }
    Ok(Response::empty(202))
}

fn snapshot_action(ctx: &Ctx, id: &str) -> Res {
    {
        let st = ctx.shared.state();
        find_snapshot(ctx, &st, id)?;
    }
    let (action, _) = single_action(ctx)?;
    Err(unknown_action("snapshot", &action))
}
