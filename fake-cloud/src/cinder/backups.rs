//! Cinder backups: create (full/incremental), show/list, delete, restore and
//! admin actions.

use serde_json::{Map, Value, json};

use super::args::{
    body, description_arg, metadata_arg, name_arg, opt_bool, opt_string, required_str, root,
    single_action, unknown_action,
};
use super::paging::{Item, list_response};
use super::snapshots::find_snapshot;
use super::volumes::find_volume;
use super::{Ctx, Res, USER_ID};
use crate::Operation;
use crate::faults::{bad, method_not_allowed, no_such_resource, not_found, over_limit};
use crate::http::Response;
use crate::state::{Backup, SimpleNext, State, Volume, VolumeNext};
use crate::util::now_cinder;

/// Routes `backups/...` (`r` excludes `backups`).
pub(super) fn dispatch(ctx: &Ctx, r: &[&str]) -> Res {
    match (ctx.req.method.as_str(), r) {
        ("GET", []) => list_backups(ctx, false),
        ("GET", ["detail"]) => list_backups(ctx, true),
        ("POST", []) => create_backup(ctx),
        ("GET", [id]) => {
            let st = ctx.shared.state();
            let b = find_backup(ctx, &st, id)?;
            Ok(Response::json(
                200,
                &json!({"backup": backup_json(ctx, &st, b)}),
            ))
        }
        ("PUT", [id]) => {
            ctx.require(9)?;
            update_backup(ctx, id)
        }
        ("DELETE", [id]) => delete_backup(ctx, id),
        ("POST", [id, "restore"]) => restore_backup(ctx, id),
        ("POST", [id, "action"]) => backup_action(ctx, id),
        (_, [] | [_] | [_, _]) => Err(method_not_allowed()),
        _ => Err(no_such_resource()),
    }
}

/// Backup `id` of the request's project, or 404.
pub(super) fn find_backup<'s>(ctx: &Ctx, st: &'s State, id: &str) -> Result<&'s Backup, Response> {
    st.backup(id)
        .filter(|b| b.project_id == ctx.project)
        .ok_or_else(|| not_found(&format!("Backup {id} could not be found.")))
}

/// The short form of create and update replies (genuine Cinder adds no
/// `metadata` here, only in show/detail).
fn backup_summary(ctx: &Ctx, id: &str, name: &Option<String>) -> Value {
    json!({"id": id, "links": ctx.links("backups", id), "name": name})
}

fn backup_json(ctx: &Ctx, st: &State, b: &Backup) -> Value {
    let has_dependent = st
        .backups
        .iter()
        .any(|o| o.parent_id.as_deref() == Some(b.id.as_str()));
    let mut o = json!({
        "availability_zone": b.availability_zone,
        "container": b.container,
        "created_at": b.created_at,
        "data_timestamp": b.data_timestamp,
        "description": b.description,
        "fail_reason": b.fail_reason,
        "has_dependent_backups": has_dependent,
        "id": b.id,
        "is_incremental": b.parent_id.is_some(),
        "links": ctx.links("backups", &b.id),
        "name": b.name,
        "object_count": b.object_count,
        "size": b.size,
        "snapshot_id": b.snapshot_id,
        "status": b.status,
        "updated_at": b.updated_at,
        "volume_id": b.volume_id,
    });
    if ctx.mv >= 18 {
        o["os-backup-project-attr:project_id"] = json!(b.project_id);
    }
    if ctx.mv >= 43 {
        o["metadata"] = Value::Object(b.metadata.clone());
    }
    if ctx.mv >= 56 {
        o["user_id"] = json!(USER_ID);
    }
    o
}

fn list_backups(ctx: &Ctx, detail: bool) -> Res {
    let st = ctx.shared.state();
    let items = st
        .backups
        .iter()
        .filter(|b| b.project_id == ctx.project)
        .map(|b| {
            let json = if detail {
                backup_json(ctx, &st, b)
            } else {
                backup_summary(ctx, &b.id, &b.name)
            };
            Item::new(b.seq, &b.id, json)
                .field("name", b.name.as_deref())
                .field("status", Some(&b.status))
                .field("volume_id", Some(&b.volume_id))
        })
        .collect();
    drop(st);
    list_response(ctx, "backups", items)
}

fn create_backup(ctx: &Ctx) -> Res {
    let b = body(ctx)?;
    let req = root(&b, "backup")?;
    let volume_id = required_str(req, "backup", "volume_id")?;
    let name = opt_string(req, "name")?.flatten();
    let description = opt_string(req, "description")?.flatten();
    let container = opt_string(req, "container")?.flatten();
    let snapshot_id = opt_string(req, "snapshot_id")?.flatten();
    let incremental = opt_bool(req, "incremental")?.unwrap_or(false);
    let force = opt_bool(req, "force")?.unwrap_or(false);
    let metadata = match req.get("metadata") {
        Some(m) if !m.is_null() && ctx.mv >= 43 => metadata_arg(m, "metadata")?,
        _ => Map::new(),
    };
    let availability_zone = match opt_string(req, "availability_zone")?.flatten() {
        None => None,
        Some(az) => {
            ctx.field_from("availability_zone", 51)?;
            if az != "nova" {
                return Err(bad(&format!(
                    "Invalid input received: Availability zone '{az}' is invalid."
                )));
            }
            Some(az)
        }
    };
    let mut st = ctx.shared.state();
    let v = find_volume(ctx, &st, &volume_id)?;
    let ok = v.status == "available" || (v.status == "in-use" && force);
    if !ok {
        let msg = if v.status == "in-use" {
            "Invalid volume: Volume to be backed up must be available but the current status is \"in-use\".".to_string()
        } else {
            format!(
                "Invalid volume: Volume to be backed up must be available or in-use, but the current status is \"{}\".",
                v.status
            )
        };
        return Err(bad(&msg));
    }
    let size = v.size;
    if let Some(sid) = &snapshot_id {
        let s = find_snapshot(ctx, &st, sid)?;
        if s.volume_id != volume_id {
            return Err(bad(
                "Invalid snapshot: The snapshot does not belong to the volume.",
            ));
        }
    }
    let parent_id = if incremental {
        match st
            .backups
            .iter()
            .filter(|b| b.volume_id == volume_id && b.status == "available")
            .max_by_key(|b| b.seq)
        {
            Some(p) => Some(p.id.clone()),
            None => {
                return Err(bad(
                    "Invalid backup: No backups available to do an incremental backup.",
                ));
            }
        }
    } else {
        None
    };
    let due = ctx.delay();
    if let Some(v) = st.volume_mut(&volume_id) {
        let prev = v.status.clone();
        v.status = "backing-up".into();
        v.pending = Some((due, VolumeNext::Status(prev)));
    }
    let (seq, id) = st.new_id(3);
    let now = now_cinder();
    let next = match st.take_failure(Operation::CreateBackup) {
        Some(reason) => SimpleNext::Fail(
            "error".into(),
            Operation::CreateBackup.reason_text(&reason),
            ctx.message(Operation::CreateBackup, &reason, &id),
        ),
        None => SimpleNext::Status("available".into()),
    };
    let out = backup_summary(ctx, &id, &name);
    let bk = Backup {
        seq,
        id,
        project_id: ctx.project.clone(),
        availability_zone,
        fail_reason: None,
        name,
        description,
        size,
        status: "creating".into(),
        pending: Some((due, next)),
        volume_id,
        snapshot_id,
        container,
        parent_id,
        metadata,
        object_count: 0,
        created_at: now.clone(),
        updated_at: Some(now.clone()),
        data_timestamp: now,
    };
    st.backups.push(bk);
    Ok(Response::json(202, &json!({ "backup": out })))
}

/// `PUT /backups/{id}` (3.9): name, description and (3.43) metadata.
fn update_backup(ctx: &Ctx, id: &str) -> Res {
    let b = body(ctx)?;
    let upd = root(&b, "backup")?;
    let name = name_arg(upd)?;
    let description = description_arg(upd)?;
    let metadata = match upd.get("metadata") {
        None => None,
        Some(m) => {
            ctx.field_from("metadata", 43)?;
            Some(metadata_arg(m, "metadata")?)
        }
    };
    let mut st = ctx.shared.state();
    find_backup(ctx, &st, id)?;
    let Some(bk) = st.backup_mut(id) else {
        return Err(not_found(&format!("Backup {id} could not be found.")));
    };
    if let Some(n) = name {
        bk.name = n;
    }
    if let Some(d) = description {
        bk.description = d;
    }
    if let Some(m) = metadata {
        bk.metadata = m;
    }
    bk.updated_at = Some(now_cinder());
    let out = backup_summary(ctx, id, &bk.name);
    Ok(Response::json(200, &json!({ "backup": out })))
}

fn delete_backup(ctx: &Ctx, id: &str) -> Res {
    let mut st = ctx.shared.state();
    let b = find_backup(ctx, &st, id)?;
    if st
        .backups
        .iter()
        .any(|o| o.parent_id.as_deref() == Some(id))
    {
        return Err(bad(
            "Invalid backup: Incremental backups exist for this backup.",
        ));
    }
    if b.status != "available" && b.status != "error" {
        return Err(bad(
            "Invalid backup: Backup status must be available or error",
        ));
    }
    let due = ctx.delay();
    if let Some(b) = st.backup_mut(id) {
        b.status = "deleting".into();
        b.updated_at = Some(now_cinder());
        b.pending = Some((due, SimpleNext::Remove));
    }
    Ok(Response::empty(202))
}

fn restore_backup(ctx: &Ctx, id: &str) -> Res {
    let b = body(ctx)?;
    let req = root(&b, "restore")?;
    let volume_id = opt_string(req, "volume_id")?.flatten();
    let name = opt_string(req, "name")?.flatten();
    let mut st = ctx.shared.state();
    let bk = find_backup(ctx, &st, id)?;
    if bk.status != "available" {
        return Err(bad("Invalid backup: Backup status must be available"));
    }
    let backup_size = bk.size;
    let due = ctx.delay();
    let restored = match st.take_failure(Operation::RestoreBackup) {
        Some(reason) => VolumeNext::Fail(
            "error_restoring".into(),
            Some(ctx.message(Operation::RestoreBackup, &reason, id)),
        ),
        None => VolumeNext::Status("available".into()),
    };
    let (vol_id, vol_name) = match volume_id {
        Some(vid) => {
            let v = find_volume(ctx, &st, &vid)?;
            if v.status != "available" {
                return Err(bad(&format!(
                    "Invalid volume: Volume to be restored to must be available, but current status is \"{}\".",
                    v.status
                )));
            }
            if v.size < backup_size {
                return Err(bad(&format!(
                    "Invalid volume: volume size {} is smaller than backup size {backup_size}.",
                    v.size
                )));
            }
            let vname = v.name.clone();
            if let Some(v) = st.volume_mut(&vid) {
                v.status = "restoring-backup".into();
                v.pending = Some((due, restored));
            }
            (vid, vname)
        }
        None => {
            st.check_quota(&ctx.project, 1, backup_size)
                .map_err(|m| over_limit(&m))?;
            let vname = Some(name.unwrap_or_else(|| format!("restore_backup_{id}")));
            let new_id = st.new_id(1);
            let vid = new_id.1.clone();
            let mut v = Volume::new(
                new_id,
                &ctx.project,
                backup_size,
                "restoring-backup",
                Some((due, restored)),
            );
            v.name = vname.clone();
            st.volumes.push(v);
            (vid, vname)
        }
    };
    if let Some(b) = st.backup_mut(id) {
        b.status = "restoring".into();
        b.updated_at = Some(now_cinder());
        b.pending = Some((due, SimpleNext::Status("available".into())));
    }
    Ok(Response::json(
        202,
        &json!({"restore": {"backup_id": id, "volume_id": vol_id, "volume_name": vol_name}}),
    ))
}

fn backup_action(ctx: &Ctx, id: &str) -> Res {
    {
        let st = ctx.shared.state();
        find_backup(ctx, &st, id)?;
    }
    let (action, _) = single_action(ctx)?;
    Err(unknown_action("backup", &action))
}
