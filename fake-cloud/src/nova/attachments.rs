//! Nova `os-volume_attachments`: list, show, attach and detach.

use serde_json::{Value, json};

use super::{Ctx, Res, server_exists};
use crate::faults::{bad, fault, method_not_allowed, no_such_resource, not_found};
use crate::http::Response;
use crate::state::{Attachment, VolumeNext};
use crate::util::now_cinder;

/// Routes `servers/{id}/os-volume_attachments/...` (`r` is what follows).
pub(super) fn dispatch(ctx: &Ctx, server_id: &str, r: &[&str]) -> Res {
    let (shared, mv) = (ctx.shared, ctx.mv);
    let id = &server_id;
    match (ctx.req.method.as_str(), r) {
        ("GET", []) => {
            let st = shared.state();
            server_exists(&st, id)?;
            let list: Vec<Value> = st
                .volumes
                .iter()
                .flat_map(|v| {
                    v.attachments
                        .iter()
                        .filter(|a| a.server_id == *id)
                        .map(move |a| attachment_json(a, &v.id, mv, true))
                })
                .collect();
            Ok(Response::json(200, &json!({ "volumeAttachments": list })))
        }
        ("POST", []) => attach(ctx, id),
        ("GET", [vid]) => {
            let st = shared.state();
            server_exists(&st, id)?;
            let att = st
                .volume(vid)
                .and_then(|v| v.attachments.iter().find(|a| a.server_id == *id));
            match att {
                Some(a) => Ok(Response::json(
                    200,
                    &json!({"volumeAttachment": attachment_json(a, vid, mv, true)}),
                )),
                None => Err(not_found(&format!(
                    "No volume Block Device Mapping with id {vid}."
                ))),
            }
        }
        ("DELETE", [vid]) => detach(ctx, id, vid),
        (_, [] | [_]) => Err(method_not_allowed()),
        _ => Err(no_such_resource()),
    }
}

fn attachment_json(a: &Attachment, volume_id: &str, mv: u32, list: bool) -> Value {
    let mut o = json!({"device": a.device, "serverId": a.server_id, "volumeId": volume_id});
    if list && mv >= 89 {
        o["attachment_id"] = json!(a.attachment_id);
        o["bdm_uuid"] = json!(a.bdm_uuid);
    } else {
        o["id"] = json!(volume_id);
    }
    if mv >= 70 {
        o["tag"] = json!(a.tag);
    }
    if mv >= 79 {
        o["delete_on_termination"] = json!(a.delete_on_termination);
    }
    o
}

fn attach(ctx: &Ctx, server_id: &str) -> Res {
    let (shared, req, mv) = (ctx.shared, ctx.req, ctx.mv);
    let body: Value =
        serde_json::from_slice(&req.body).map_err(|_| bad("Malformed request body"))?;
    let Some(att) = body.get("volumeAttachment").and_then(Value::as_object) else {
        return Err(bad(
            "Invalid input for field/attribute volumeAttachment. Value: None. None is not of type 'object'",
        ));
    };
    let Some(volume_id) = att
        .get("volumeId")
        .and_then(Value::as_str)
        .map(String::from)
    else {
        return Err(bad(
            "Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property",
        ));
    };
    let requested_device = match att.get("device") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.starts_with("/dev/") => Some(s.clone()),
        Some(other) => {
            return Err(bad(&format!(
                "Invalid input for field/attribute device. Value: {other}. Does not match pattern '(^/dev/x{{0,1}}[a-z]{{0,1}}d{{0,1}})([a-z]+)[0-9]*$'"
            )));
        }
    };
    let tag = att.get("tag").and_then(Value::as_str).map(String::from);
    let delete_on_termination = att
        .get("delete_on_termination")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut st = shared.state();
    server_exists(&st, server_id)?;
    let Some(v) = st.volume(&volume_id) else {
        return Err(not_found(&format!(
            "Volume {volume_id} could not be found."
        )));
    };
    if v.status != "available" {
        return Err(bad(&format!(
            "Invalid volume: volume '{volume_id}' status must be 'available'. Currently in '{}'",
            v.status
        )));
    }
    // Devices already used on this server.
    let used: Vec<String> = st
        .volumes
        .iter()
        .flat_map(|v| v.attachments.iter())
        .filter(|a| a.server_id == server_id)
        .map(|a| a.device.clone())
        .collect();
    let device = match requested_device {
        Some(d) if !used.contains(&d) => d,
        Some(d) => {
            return Err(fault(
                409,
                &format!("The supplied device path ({d}) is in use."),
            ));
        }
        None => {
            let mut dev = String::from("/dev/vdz");
            for c in b'b'..=b'z' {
                let candidate = format!("/dev/vd{}", c as char);
                if !used.contains(&candidate) {
                    dev = candidate;
                    break;
                }
            }
            dev
        }
    };
    let attachment = Attachment {
        attachment_id: shared.rng.uuid(),
        bdm_uuid: shared.rng.uuid(),
        server_id: server_id.to_string(),
        device: device.clone(),
        attached_at: now_cinder(),
        attached: false,
        tag,
        delete_on_termination,
    };
    let due = crate::util::instant_after(shared.config.transition_delay);
    let out = attachment_json(&attachment, &volume_id, mv, false);
    if let Some(v) = st.volume_mut(&volume_id) {
        v.status = "attaching".into();
        v.updated_at = Some(now_cinder());
        v.attachments.push(attachment);
        v.pending = Some((due, VolumeNext::Attached));
    }
    if mv >= 101 {
        Ok(Response::empty(202))
    } else {
        Ok(Response::json(200, &json!({ "volumeAttachment": out })))
    }
}

fn detach(ctx: &Ctx, server_id: &str, volume_id: &str) -> Res {
    let shared = ctx.shared;
    let mut st = shared.state();
    server_exists(&st, server_id)?;
    let attached_here = st
        .volume(volume_id)
        .map(|v| v.attachments.iter().any(|a| a.server_id == server_id))
        .unwrap_or(false);
    if !attached_here {
        return Err(not_found(&format!(
            "No volume Block Device Mapping with id {volume_id}."
        )));
    }
    let due = crate::util::instant_after(shared.config.transition_delay);
    let Some(v) = st.volume_mut(volume_id) else {
        return Err(not_found(&format!(
            "Volume {volume_id} could not be found."
        )));
    };
    if v.status != "in-use" {
        return Err(bad(&format!(
            "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach. Currently: status: '{}'",
            v.status
        )));
    }
    v.status = "detaching".into();
    v.updated_at = Some(now_cinder());
    v.pending = Some((due, VolumeNext::Detached));
    Ok(Response::empty(202))
}
