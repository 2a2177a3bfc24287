//! Nova: servers (read-only) and `os-volume_attachments`.

use serde_json::{Value, json};

use crate::http::{Request, Response};
use crate::state::{Attachment, State, VolumeNext};
use crate::util::now_cinder;
use crate::{FakeCloud, Shared, fault, keystone};

/// Highest supported compute microversion minor (2.101).
const MAX_MINOR: u32 = 101;

fn bad(msg: &str) -> Response {
    fault(400, msg)
}

fn not_found(msg: &str) -> Response {
    fault(404, msg)
}

/// Parses the compute microversion (`None` header → 2.1).
fn microversion(req: &Request) -> Result<u32, Response> {
    let value = req
        .header("openstack-api-version")
        .and_then(|h| {
            h.split(',')
                .map(str::trim)
                .find(|i| i.starts_with("compute"))
                .map(|i| i.trim_start_matches("compute").trim().to_string())
        })
        .or_else(|| {
            req.header("x-openstack-nova-api-version")
                .map(|v| v.trim().to_string())
        });
    let Some(value) = value else {
        return Ok(1);
    };
    if value.eq_ignore_ascii_case("latest") {
        return Ok(MAX_MINOR);
    }
    let parsed = value
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    match parsed {
        Some((2, minor)) if (1..=MAX_MINOR).contains(&minor) => Ok(minor),
        Some(_) => Err(fault(
            406,
            &format!(
                "Version {value} is not supported by the API. Minimum is 2.1 and maximum is 2.{MAX_MINOR}."
            ),
        )),
        None => Err(bad(&format!(
            "Invalid API version request string {value}. Must be of format MajorNum.MinorNum."
        ))),
    }
}

/// Routes `/compute/...` (`rest` excludes `compute`).
pub(crate) fn route(shared: &Shared, req: &Request, base: &str, rest: &[&str]) -> Response {
    match rest {
        [] | ["v2.1"] if req.method == "GET" => {
            let v = json!({"id": "v2.1", "status": "CURRENT", "version": format!("2.{MAX_MINOR}"),
                           "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
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
        return not_found("The resource could not be found.");
    }
    let mut r = &rest[1..];
    if r.first() == Some(&FakeCloud::PROJECT_ID) {
        r = &r[1..];
    }
    if let Err(resp) = keystone::check_token(shared, req) {
        return resp;
    }
    let mv = match microversion(req) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let resp = match dispatch(shared, req, base, mv, r) {
        Ok(r) | Err(r) => r,
    };
    resp.with_header("OpenStack-API-Version", format!("compute 2.{mv}"))
        .with_header("X-OpenStack-Nova-API-Version", format!("2.{mv}"))
        .with_header(
            "Vary",
            "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
        )
}

type Res = Result<Response, Response>;

fn server_exists(st: &State, id: &str) -> Result<(), Response> {
    if st.servers.iter().any(|s| s.id == id) {
        Ok(())
    } else {
        Err(not_found(&format!("Instance {id} could not be found.")))
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

fn dispatch(shared: &Shared, req: &Request, base: &str, mv: u32, r: &[&str]) -> Res {
    let m = req.method.as_str();
    match (m, r) {
        ("GET", ["servers"]) | ("GET", ["servers", "detail"]) => {
            let st = shared.state();
            let detail = r.len() == 2;
            let servers: Vec<Value> = st
                .servers
                .iter()
                .map(|s| {
                    let links = json!([{"rel": "self", "href": format!("{base}/v2.1/servers/{}", s.id)}]);
                    if detail {
                        json!({"id": s.id, "name": s.name, "status": "ACTIVE", "links": links,
                               "created": s.created, "tenant_id": FakeCloud::PROJECT_ID,
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
            server_exists(&st, id)?;
            let s = st.servers.iter().find(|s| s.id == *id);
            let (name, created) = s
                .map(|s| (s.name.clone(), s.created.clone()))
                .unwrap_or_default();
            let volumes: Vec<Value> = st
                .volumes
                .iter()
                .filter(|v| v.attachments.iter().any(|a| a.server_id == *id))
                .map(|v| json!({"id": v.id}))
                .collect();
            Ok(Response::json(
                200,
                &json!({"server": {"id": id, "name": name, "status": "ACTIVE", "created": created,
                        "tenant_id": FakeCloud::PROJECT_ID, "user_id": FakeCloud::USER_ID,
                        "OS-EXT-AZ:availability_zone": "nova",
                        "os-extended-volumes:volumes_attached": volumes}}),
            ))
        }
        ("GET", ["servers", id, "os-volume_attachments"]) => {
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
        ("POST", ["servers", id, "os-volume_attachments"]) => attach(shared, req, mv, id),
        ("GET", ["servers", id, "os-volume_attachments", vid]) => {
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
        ("DELETE", ["servers", id, "os-volume_attachments", vid]) => detach(shared, id, vid),
        (
            _,
            ["servers"]
            | ["servers", _]
            | ["servers", _, "os-volume_attachments"]
            | ["servers", _, "os-volume_attachments", _],
        ) => Err(fault(
            405,
            "The method is not allowed for the requested URL.",
        )),
        _ => Err(not_found("The resource could not be found.")),
    }
}

fn attach(shared: &Shared, req: &Request, mv: u32, server_id: &str) -> Res {
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

fn detach(shared: &Shared, server_id: &str, volume_id: &str) -> Res {
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
