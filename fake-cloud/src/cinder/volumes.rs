//! Cinder volumes: CRUD, actions and metadata.

use serde_json::{Value, json};

use super::args::{
    body, description_arg, metadata_arg, name_arg, opt_bool, opt_metadata, opt_string,
    positive_int, required_bool, root, single_action, unknown_action,
};
use super::backups::find_backup;
use super::paging::{Item, list_response};
use super::project::{MULTIATTACH_TYPE, TYPES, find_type, type_json};
use super::snapshots::find_snapshot;
use super::{Ctx, Res, USER_ID, metadata};
use crate::Operation;
use crate::faults::{
    bad, method_not_allowed, no_such_resource, not_found, over_limit, policy_forbids,
};
use crate::http::Response;
use crate::state::{SimpleNext, State, Volume, VolumeNext};
use crate::util::now_cinder;

/// Routes `volumes/...` (`r` excludes `volumes`).
pub(super) fn dispatch(ctx: &Ctx, r: &[&str]) -> Res {
    match (ctx.req.method.as_str(), r) {
        ("GET", []) => list_volumes(ctx, false),
        ("GET", ["detail"]) => list_volumes(ctx, true),
        ("POST", []) => create_volume(ctx),
        ("GET", [id]) => {
            let st = ctx.shared.state();
            let v = find_volume(ctx, &st, id)?;
            Ok(Response::json(
                200,
                &json!({"volume": volume_json(ctx, v, true)}),
            ))
        }
        ("PUT", [id]) => update_volume(ctx, id),
        ("DELETE", [id]) => delete_volume(ctx, id),
        ("POST", [id, "action"]) => volume_action(ctx, id),
        (_, [id, "metadata"]) => metadata::collection(ctx, id, volume_metadata),
        (_, [id, "metadata", key]) => metadata::item(ctx, id, key, volume_metadata),
        (_, [] | [_] | [_, "action"]) => Err(method_not_allowed()),
        _ => Err(no_such_resource()),
    }
}

/// Volume `id` of the request's project, or 404.
pub(super) fn find_volume<'s>(ctx: &Ctx, st: &'s State, id: &str) -> Result<&'s Volume, Response> {
    st.volume(id)
        .filter(|v| v.project_id == ctx.project)
        .ok_or_else(|| volume_not_found(id))
}

fn volume_not_found(id: &str) -> Response {
    not_found(&format!("Volume {id} could not be found."))
}

fn volume_json(ctx: &Ctx, v: &Volume, detail: bool) -> Value {
    let attachments: Vec<Value> = v
        .attachments
        .iter()
        .filter(|a| a.attached)
        .map(|a| {
            json!({"id": v.id, "attachment_id": a.attachment_id, "volume_id": v.id,
                   "server_id": a.server_id, "host_name": null, "device": a.device,
                   "attached_at": a.attached_at})
        })
        .collect();
    let type_id = find_type(&v.volume_type).map(|t| t.0).unwrap_or("");
    let mut o = json!({
        "attachments": attachments,
        "availability_zone": v.availability_zone,
        "bootable": if v.bootable { "true" } else { "false" },
        "consistencygroup_id": null,
        "created_at": v.created_at,
        "description": v.description,
        "encrypted": false,
        "id": v.id,
        "links": ctx.links("volumes", &v.id),
        "metadata": v.metadata,
        "migration_status": null,
        "multiattach": v.multiattach,
        "name": v.name,
        "replication_status": null,
        "size": v.size,
        "snapshot_id": v.snapshot_id,
        "source_volid": v.source_volid,
        "status": v.status,
        "updated_at": v.updated_at,
        "user_id": USER_ID,
        "volume_type": v.volume_type,
    });
    if detail {
        o["os-vol-host-attr:host"] = Value::Null;
        o["os-vol-mig-status-attr:migstat"] = Value::Null;
        o["os-vol-mig-status-attr:name_id"] = Value::Null;
        o["os-vol-tenant-attr:tenant_id"] = json!(v.project_id);
    }
    if ctx.mv >= 13 {
        o["group_id"] = Value::Null;
    }
    if ctx.mv >= 21 {
        o["provider_id"] = Value::Null;
    }
    if ctx.mv >= 48 {
        o["service_uuid"] = Value::Null;
        o["shared_targets"] = json!(false);
    }
    if ctx.mv >= 61 {
        o["cluster_name"] = Value::Null;
    }
    if ctx.mv >= 63 {
        o["volume_type_id"] = json!(type_id);
    }
    if ctx.mv >= 65 {
        o["consumes_quota"] = json!(true);
    }
    o
}

fn list_volumes(ctx: &Ctx, detail: bool) -> Res {
    let st = ctx.shared.state();
    let items = st
        .volumes
        .iter()
        .filter(|v| v.project_id == ctx.project)
        .map(|v| {
            let json = if detail {
                volume_json(ctx, v, true)
            } else {
                json!({"id": v.id, "links": ctx.links("volumes", &v.id), "name": v.name})
            };
            Item::new(v.seq, &v.id, json)
                .field("name", v.name.as_deref())
                .field("status", Some(&v.status))
        })
        .collect();
    drop(st);
    list_response(ctx, "volumes", items)
}

fn create_volume(ctx: &Ctx) -> Res {
    let b = body(ctx)?;
    let vol = root(&b, "volume")?;
    let mut size = match vol.get("size") {
        None | Some(Value::Null) => None,
        Some(v) => Some(positive_int(v, "size")?),
    };
    let name = opt_string(vol, "name")?.flatten();
    let description = opt_string(vol, "description")?.flatten();
    let type_name = match opt_string(vol, "volume_type")?.flatten() {
        None => TYPES[0].1.to_string(),
        Some(t) => match find_type(&t) {
            Some((_, n)) => n.to_string(),
            None => {
                return Err(not_found(&format!(
                    "Volume type with name {t} could not be found."
                )));
            }
        },
    };
    if let Some(Some(az)) = opt_string(vol, "availability_zone")? {
        if az != "nova" {
            return Err(bad(&format!(
                "Invalid input received: Availability zone '{az}' is invalid."
            )));
        }
    }
    let metadata = opt_metadata(vol)?;
    let multiattach =
        opt_bool(vol, "multiattach")?.unwrap_or(false) || type_name == MULTIATTACH_TYPE;
    let bootable = matches!(vol.get("imageRef"), Some(Value::String(s)) if !s.is_empty());
    let snapshot_id = opt_string(vol, "snapshot_id")?.flatten();
    let source_volid = opt_string(vol, "source_volid")?.flatten();
    let backup_id = opt_string(vol, "backup_id")?.flatten();

    let mut st = ctx.shared.state();
    if let Some(sid) = &snapshot_id {
        let snap = find_snapshot(ctx, &st, sid)?;
        if snap.status != "available" {
            return Err(bad(
                "Invalid snapshot: Originating snapshot status must be one of 'available' values",
            ));
        }
        let s = *size.get_or_insert(snap.size);
        if s < snap.size {
            return Err(bad(&format!(
                "Invalid input received: Volume size '{s}'GB cannot be smaller than the snapshot size {}GB. They must be >= original snapshot size.",
                snap.size
            )));
        }
    }
    if let Some(src) = &source_volid {
        let v = find_volume(ctx, &st, src)?;
        if v.status != "available" && v.status != "in-use" {
            return Err(bad(&format!(
                "Invalid volume: Source volume status must be available or in-use, but current status is: {}.",
                v.status
            )));
        }
        let s = *size.get_or_insert(v.size);
        if s < v.size {
            return Err(bad(&format!(
                "Invalid input received: Volume size '{s}'GB cannot be smaller than original volume size {}GB. They must be >= original volume size.",
                v.size
            )));
        }
    }
    if let Some(bid) = &backup_id {
        let bk = find_backup(ctx, &st, bid)?;
        if bk.status != "available" {
            return Err(bad(&format!(
                "Invalid backup: Backup status must be available, but current status is: {}.",
                bk.status
            )));
        }
        let s = *size.get_or_insert(bk.size);
        if s < bk.size {
            return Err(bad(&format!(
                "Invalid input received: Volume size '{s}'GB cannot be smaller than the backup size {}GB.",
                bk.size
            )));
        }
    }
    let Some(size) = size else {
        return Err(bad(
            "Invalid input for field/attribute size. Value: None. None is not of type 'integer', 'string'",
        ));
    };
    st.check_quota(&ctx.project, 1, size)
        .map_err(|m| over_limit(&m))?;
    let new_id = st.new_id(1);
    let next = match st.take_failure(Operation::CreateVolume) {
        Some(reason) => VolumeNext::Fail(
            "error".into(),
            Some(ctx.message(Operation::CreateVolume, &reason, &new_id.1)),
        ),
        None => VolumeNext::Status("available".into()),
    };
    let mut v = Volume::new(
        new_id,
        &ctx.project,
        size,
        "creating",
        Some((ctx.delay(), next)),
    );
    v.name = name;
    v.description = description;
    v.volume_type = type_name;
    v.bootable = bootable;
    v.multiattach = multiattach;
    v.snapshot_id = snapshot_id;
    v.source_volid = source_volid;
    v.metadata = metadata;
    let out = volume_json(ctx, &v, false);
    st.volumes.push(v);
    Ok(Response::json(202, &json!({ "volume": out })))
}

fn update_volume(ctx: &Ctx, id: &str) -> Res {
    let b = body(ctx)?;
    let upd = root(&b, "volume")?;
    let name = name_arg(upd)?;
    let description = description_arg(upd)?;
    let metadata = match upd.get("metadata") {
        None => None,
        Some(m) => Some(metadata_arg(m, "metadata")?),
    };
    let mut st = ctx.shared.state();
    find_volume(ctx, &st, id)?;
    let Some(v) = st.volume_mut(id) else {
        return Err(volume_not_found(id));
    };
    if let Some(n) = name {
        v.name = n;
    }
    if let Some(d) = description {
        v.description = d;
    }
    if let Some(m) = metadata {
        v.metadata = m;
    }
    v.updated_at = Some(now_cinder());
    let v = v.clone();
    Ok(Response::json(
        200,
        &json!({"volume": volume_json(ctx, &v, true)}),
    ))
}

const DELETE_MSG: &str = "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots or be disassociated from snapshots after volume transfer.";

fn delete_volume(ctx: &Ctx, id: &str) -> Res {
    let cascade = ctx.q_true("cascade");
    let force = ctx.q_true("force");
    let mut st = ctx.shared.state();
    let v = find_volume(ctx, &st, id)?;
    if force && ctx.mv >= 23 {
        return Err(policy_forbids("volume:force_delete"));
    }
    let ok_status = [
        "available",
        "error",
        "error_restoring",
        "error_extending",
        "error_managing",
    ];
    let has_snapshots = st.snapshots.iter().any(|s| s.volume_id == id);
    if !ok_status.contains(&v.status.as_str())
        || !v.attachments.is_empty()
        || (has_snapshots && !cascade)
    {
        return Err(bad(DELETE_MSG));
    }
    if has_snapshots
        && st
            .snapshots
            .iter()
            .any(|s| s.volume_id == id && s.status != "available" && s.status != "error")
    {
        return Err(bad(DELETE_MSG));
    }
    let due = ctx.delay();
    for s in st.snapshots.iter_mut().filter(|s| s.volume_id == id) {
        s.status = "deleting".into();
        s.pending = Some((due, SimpleNext::Remove));
    }
    if let Some(v) = st.volume_mut(id) {
        v.status = "deleting".into();
        v.updated_at = Some(now_cinder());
        v.pending = Some((due, VolumeNext::Remove));
    }
    Ok(Response::empty(202))
}

fn volume_action(ctx: &Ctx, id: &str) -> Res {
    {
        let st = ctx.shared.state();
        find_volume(ctx, &st, id)?;
    }
    let (action, arg) = single_action(ctx)?;
    match action.as_str() {
        "os-extend" => {
            let Some(ns) = arg.get("new_size") else {
                return Err(bad(
                    "Invalid input for field/attribute os-extend. 'new_size' is a required property",
                ));
            };
            let new_size = positive_int(ns, "new_size")?;
            let mut st = ctx.shared.state();
            let v = find_volume(ctx, &st, id)?;
            let allowed = v.status == "available" || (v.status == "in-use" && ctx.mv >= 42);
            if !allowed {
                let expected = if ctx.mv >= 42 {
                    "'available' or 'in-use'"
                } else {
                    "'available'"
                };
                return Err(bad(&format!(
                    "Invalid volume: Volume status must be {expected} to extend, currently {}.",
                    v.status
                )));
            }
            if new_size <= v.size {
                return Err(bad(&format!(
                    "New size for extend must be greater than current size. (current: {}, extended: {new_size}).",
                    v.size
                )));
            }
            let delta = new_size - v.size;
            st.check_quota(&ctx.project, 0, delta)
                .map_err(|m| over_limit(&m))?;
            let due = ctx.delay();
            let failure = st.take_failure(Operation::ExtendVolume);
            if let Some(v) = st.volume_mut(id) {
                let prev = v.status.clone();
                let next = match failure {
                    Some(reason) => VolumeNext::Fail(
                        "error_extending".into(),
                        Some(ctx.message(Operation::ExtendVolume, &reason, id)),
                    ),
                    None => VolumeNext::Resize(prev, new_size),
                };
                v.status = "extending".into();
                v.pending = Some((due, next));
            }
            Ok(Response::empty(202))
        }
        "os-set_bootable" => {
            let flag = required_bool(&arg, "bootable")?;
            update(ctx, id, |v| v.bootable = flag);
            Ok(Response::empty(200))
        }
        "os-update_readonly_flag" => {
            let flag = required_bool(&arg, "readonly")?;
            update(ctx, id, |v| v.readonly = flag);
            Ok(Response::empty(202))
        }
        "os-retype" => {
            let Some(new_type) = arg.get("new_type").and_then(Value::as_str) else {
                return Err(bad("New volume type must be specified."));
            };
            if let Some(p) = arg.get("migration_policy").filter(|p| !p.is_null()) {
                if p.as_str() != Some("never") && p.as_str() != Some("on-demand") {
                    return Err(bad(&format!(
                        "Invalid input for field/attribute migration_policy. Value: {p}. {p} is not one of ['on-demand', 'never']"
                    )));
                }
            }
            let Some((_, type_name)) = find_type(new_type) else {
                return Err(not_found(&format!(
                    "Volume type with name {new_type} could not be found."
                )));
            };
            let mut st = ctx.shared.state();
            let v = find_volume(ctx, &st, id)?;
            if v.status != "available" && v.status != "in-use" {
                return Err(bad(&format!(
                    "Invalid volume: Volume status must be available or in-use, but current status is: {}.",
                    v.status
                )));
            }
            if v.volume_type == type_name {
                return Err(bad(
                    "Invalid input received: Retype requires a different volume type.",
                ));
            }
            let due = ctx.delay();
            if let Some(v) = st.volume_mut(id) {
                let prev = v.status.clone();
                v.volume_type = type_name.to_string();
                v.multiattach = type_name == MULTIATTACH_TYPE;
                v.status = "retyping".into();
                v.pending = Some((due, VolumeNext::Status(prev)));
            }
            Ok(Response::empty(202))
        }
        // Revert to the volume's latest snapshot (microversion 3.40).
        "revert" if ctx.mv >= 40 => {
            let Some(snapshot_id) = arg.get("snapshot_id").and_then(Value::as_str) else {
                return Err(bad(
                    "Invalid input for field/attribute revert. 'snapshot_id' is a required property",
                ));
            };
            let mut st = ctx.shared.state();
            let v = find_volume(ctx, &st, id)?;
            if v.status != "available" {
                return Err(bad(&format!(
                    "Invalid volume: Cannot revert volume {id} to snapshot {snapshot_id}, volume status must be available, but current status is: {}.",
                    v.status
                )));
            }
            let s = find_snapshot(ctx, &st, snapshot_id)?;
            let latest = st
                .snapshots
                .iter()
                .filter(|x| x.volume_id == id)
                .max_by_key(|x| x.seq)
                .map(|x| x.id.clone());
            if s.volume_id != id || latest.as_deref() != Some(snapshot_id) {
                return Err(bad(&format!(
                    "Invalid snapshot: Cannot revert volume {id} to snapshot {snapshot_id}, it is not the volume's latest snapshot."
                )));
            }
            if s.status != "available" {
                return Err(bad(&format!(
                    "Invalid snapshot: Snapshot {snapshot_id} status must be available, but current status is: {}.",
                    s.status
                )));
            }
            let due = ctx.delay();
            if let Some(v) = st.volume_mut(id) {
                v.status = "reverting".into();
                v.pending = Some((due, VolumeNext::Status("available".into())));
            }
            Ok(Response::empty(202))
        }
        "os-volume_upload_image" => upload_to_image(ctx, id, &arg),
        other => Err(unknown_action("volume", other)),
    }
}

/// The metadata map and `updated_at` of a volume, for [`metadata`].
fn volume_metadata<'s>(st: &'s mut State, project: &str, id: &str) -> metadata::Target<'s> {
    let v = st
        .volume_mut(id)
        .filter(|v| v.project_id == project)
        .ok_or_else(|| volume_not_found(id))?;
    Ok((&mut v.metadata, &mut v.updated_at))
}

/// Applies `change` to volume `id` (if it exists) and touches `updated_at`.
fn update(ctx: &Ctx, id: &str, change: impl FnOnce(&mut Volume)) {
    let mut st = ctx.shared.state();
    if let Some(v) = st.volume_mut(id) {
        change(v);
        v.updated_at = Some(now_cinder());
    }
}

const DISK_FORMATS: [&str; 7] = ["raw", "vmdk", "vdi", "qcow2", "vhd", "vhdx", "ploop"];
const CONTAINER_FORMATS: [&str; 2] = ["bare", "compressed"];
const VISIBILITIES: [&str; 4] = ["public", "private", "shared", "community"];

/// `os-volume_upload_image`: the volume goes `uploading` → back to its
/// status; an `in-use` volume needs `force`.
fn upload_to_image(ctx: &Ctx, id: &str, arg: &Value) -> Res {
    let Some(params) = arg.as_object() else {
        return Err(bad("No image_name was specified in request."));
    };
    let image_name = match params.get("image_name") {
        Some(Value::String(n)) if !n.is_empty() => n.clone(),
        _ => return Err(bad("No image_name was specified in request.")),
    };
    let force = opt_bool(params, "force")?.unwrap_or(false);
    let one_of = |key: &str, allowed: &[&str], default: &str, what: &str| match params.get(key) {
        None | Some(Value::Null) => Ok(default.to_string()),
        Some(Value::String(v)) if allowed.contains(&v.as_str()) => Ok(v.clone()),
        Some(v) => Err(bad(&format!(
            "Invalid {what} '{}' is specified. Allowed {what}s are {}.",
            v.as_str().unwrap_or(&v.to_string()),
            allowed.join(", ")
        ))),
    };
    let disk_format = one_of("disk_format", &DISK_FORMATS, "raw", "disk-format")?;
    let container_format = one_of(
        "container_format",
        &CONTAINER_FORMATS,
        "bare",
        "container-format",
    )?;
    let (visibility, protected) = if ctx.mv >= 1 {
        (
            Some(one_of(
                "visibility",
                &VISIBILITIES,
                "private",
                "visibility",
            )?),
            Some(opt_bool(params, "protected")?.unwrap_or(false)),
        )
    } else {
        (None, None)
    };
    let mut st = ctx.shared.state();
    let v = find_volume(ctx, &st, id)?;
    let allowed = v.status == "available" || (v.status == "in-use" && force);
    if !allowed {
        let need = if v.status == "in-use" {
            "available, or in-use with force"
        } else {
            "available or in-use"
        };
        return Err(bad(&format!(
            "Invalid volume: Volume {id} status must be {need} to upload to an image, but the current status is: {}.",
            v.status
        )));
    }
    let type_value = find_type(&v.volume_type).map(type_json);
    let (size, description, prev) = (v.size, v.description.clone(), v.status.clone());
    let due = ctx.delay();
    let image_id = ctx.shared.rng.uuid();
    let failure = st.take_failure(Operation::UploadImage);
    let next = match failure {
        Some(reason) => {
            VolumeNext::Fail(prev, Some(ctx.message(Operation::UploadImage, &reason, id)))
        }
        None => VolumeNext::Status(prev),
    };
    let now = now_cinder();
    if let Some(v) = st.volume_mut(id) {
        v.status = "uploading".into();
        v.updated_at = Some(now.clone());
        v.pending = Some((due, next));
    }
    let mut out = json!({
        "id": id, "updated_at": now, "status": "uploading",
        "display_description": description, "size": size, "volume_type": type_value,
        "image_id": image_id, "container_format": container_format,
        "disk_format": disk_format, "image_name": image_name,
    });
    if let (Some(vis), Some(prot)) = (visibility, protected) {
        out["visibility"] = json!(vis);
        out["protected"] = json!(prot);
    }
    Ok(Response::json(
        202,
        &json!({ "os-volume_upload_image": out }),
    ))
}
