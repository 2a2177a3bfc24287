//! Nova `os-volume_attachments`: list, show, attach and detach.

use serde_json::{Value, json};

use super::{Ctx, Res, find_server};
use crate::faults::{bad, fault, method_not_allowed, no_such_resource, not_found};
use crate::http::Response;
use crate::state::{ActionEvent, AttachFailure, Attachment, InstanceAction, State, VolumeNext};
use crate::util::now_cinder;

/// Routes `servers/{id}/os-volume_attachments/...` (`r` is what follows).
pub(super) fn dispatch(ctx: &Ctx, server_id: &str, r: &[&str]) -> Res {
    let (shared, mv) = (ctx.shared, ctx.mv);
    let id = &server_id;
    match (ctx.req.method.as_str(), r) {
        ("GET", []) => {
            let st = shared.state();
            find_server(ctx, &st, id)?;
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
            find_server(ctx, &st, id)?;
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

/// The 400 Nova's schema gives for a body field newer than the request.
fn field_from(ctx: &Ctx, field: &str, min: u32) -> Result<(), crate::http::Response> {
    if ctx.mv >= min {
        Ok(())
    } else {
        Err(bad(&format!(
            "Invalid input for field/attribute volumeAttachment. Additional properties are not allowed ('{field}' was unexpected)"
        )))
    }
}

/// `tag` (2.49): a string of at most 60 characters without `/` or `,`.
fn tag_arg(ctx: &Ctx, v: Option<&Value>) -> Result<Option<String>, crate::http::Response> {
    let Some(v) = v else {
        return Ok(None);
    };
    field_from(ctx, "tag", 49)?;
    match v {
        Value::String(t) if t.chars().count() <= 60 && !t.contains('/') && !t.contains(',') => {
            Ok(Some(t.clone()))
        }
        other => Err(bad(&format!(
            "Invalid input for field/attribute tag. Value: {other}. Does not match pattern '^[^,/]*$' or is longer than 60 characters"
        ))),
    }
}

/// `delete_on_termination` (2.79): a boolean.
fn delete_on_termination_arg(ctx: &Ctx, v: Option<&Value>) -> Result<bool, crate::http::Response> {
    let Some(v) = v else {
        return Ok(false);
    };
    field_from(ctx, "delete_on_termination", 79)?;
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(bad(&format!(
            "Invalid input for field/attribute delete_on_termination. Value: {other}. {other} is not of type 'boolean'"
        ))),
    }
}

/// The first free `/dev/vdX` of a server (or the requested device).
fn pick_device(
    st: &State,
    server_id: &str,
    requested: Option<String>,
) -> Result<String, crate::http::Response> {
    let used: Vec<&str> = st
        .volumes
        .iter()
        .flat_map(|v| v.attachments.iter())
        .filter(|a| a.server_id == server_id)
        .map(|a| a.device.as_str())
        .collect();
    match requested {
        Some(d) if !used.contains(&d.as_str()) => Ok(d),
        Some(d) => Err(fault(
            409,
            &format!("The supplied device path ({d}) is in use."),
        )),
        None => Ok((b'b'..=b'z')
            .map(|c| format!("/dev/vd{}", c as char))
            .find(|c| !used.contains(&c.as_str()))
            .unwrap_or_else(|| "/dev/vdz".into())),
    }
}

/// Records an instance action with one event; a `running` event has no
/// result yet (it is settled when the transition completes).
fn record_action(
    st: &mut State,
    ctx: &Ctx,
    server_id: &str,
    action: &'static str,
    event: &'static str,
    running: bool,
) {
    let now = now_cinder();
    if let Some(server) = st.server_mut(server_id) {
        server.actions.push(InstanceAction {
            action,
            request_id: ctx.req.request_id.clone(),
            start_time: now.clone(),
            updated_at: now.clone(),
            message: None,
            events: vec![ActionEvent {
                event,
                start_time: now.clone(),
                finish_time: (!running).then(|| now.clone()),
                result: (!running).then(|| "Success".to_string()),
                details: None,
            }],
        });
    }
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
    let tag = tag_arg(ctx, att.get("tag"))?;
    let delete_on_termination = delete_on_termination_arg(ctx, att.get("delete_on_termination"))?;
    let mut st = shared.state();
    find_server(ctx, &st, server_id)?;
    let Some(v) = st
        .volume(&volume_id)
        .filter(|v| v.project_id == ctx.project)
    else {
        return Err(not_found(&format!(
            "Volume {volume_id} could not be found."
        )));
    };
    if v.multiattach && mv < 60 {
        return Err(bad(
            "Multiattach volumes are only supported starting with compute API version 2.60.",
        ));
    }
    // Genuine Nova 34's wording, naming the servers it is attached to.
    let attached_to: Vec<String> = v.attachments.iter().map(|a| a.server_id.clone()).collect();
    let already = || {
        bad(&format!(
            "Invalid volume: volume {volume_id} is already attached to instances: {}",
            attached_to.join(", ")
        ))
    };
    if v.attachments.iter().any(|a| a.server_id == server_id) {
        return Err(already());
    }
    let second = v.status == "in-use" && v.multiattach;
    if v.status == "in-use" && !v.multiattach {
        return Err(already());
    }
    if v.status != "available" && !second {
        return Err(bad(&format!(
            "Invalid volume: volume '{volume_id}' status must be 'available'. Currently in '{}'",
            v.status
        )));
    }
    let device = pick_device(&st, server_id, requested_device)?;
    let attachment = Attachment {
        attachment_id: shared.rng.uuid(),
        bdm_uuid: shared.rng.uuid(),
        server_id: server_id.to_string(),
        device,
        attached_at: now_cinder(),
        attached: false,
        tag,
        delete_on_termination,
    };
    let out = attachment_json(&attachment, &volume_id, mv, false);
    let d = shared.config.transition_delay;
    let failure = st.take_attach_failure(&volume_id);
    let failing = failure.is_some();
    // Genuine Nova: reserved (API) → attaching (compute) → in-use, or back
    // when the compute host cannot connect the volume.
    let (first, tail) = match failure {
        Some((reason, error_state)) => (
            "reserved",
            VolumeNext::Step(
                "attaching".into(),
                d,
                Box::new(VolumeNext::AttachFailed(AttachFailure {
                    server_id: server_id.to_string(),
                    request_id: req.request_id.clone(),
                    reason,
                    error_state,
                })),
            ),
        ),
        None => ("attaching", VolumeNext::Attached),
    };
    if let Some(v) = st.volume_mut(&volume_id) {
        v.attachments.push(attachment);
        if mv >= 101 {
            // Nova 2.101 answers before reserving: the volume still reads as
            // before for a third of the transition delay.
            let pre = crate::util::instant_after(d / 3);
            v.pending = Some((pre, VolumeNext::Step(first.into(), d, Box::new(tail))));
        } else {
            v.status = first.into();
            v.updated_at = Some(now_cinder());
            v.pending = Some((crate::util::instant_after(d), tail));
        }
    }
    record_action(
        &mut st,
        ctx,
        server_id,
        "attach_volume",
        "compute_attach_volume",
        failing,
    );
    if mv >= 101 {
        Ok(Response::empty(202))
    } else {
        Ok(Response::json(200, &json!({ "volumeAttachment": out })))
    }
}

fn detach(ctx: &Ctx, server_id: &str, volume_id: &str) -> Res {
    let shared = ctx.shared;
    let mut st = shared.state();
    find_server(ctx, &st, server_id)?;
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
    v.pending = Some((due, VolumeNext::Detached(server_id.to_string())));
    record_action(
        &mut st,
        ctx,
        server_id,
        "detach_volume",
        "compute_detach_volume",
        false,
    );
    Ok(Response::empty(202))
}
