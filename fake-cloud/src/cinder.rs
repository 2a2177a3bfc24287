//! Cinder v3: volumes, snapshots, backups, metadata, types, zones, limits, quotas.

use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::http::{Request, Response};
use crate::state::{Backup, SimpleNext, Snapshot, State, Volume, VolumeNext};
use crate::util::{encode_component, now_cinder, parse_query};
use crate::{FakeCloud, Shared, fault, keystone};

/// Highest supported Cinder microversion minor (3.70).
pub(crate) const MAX_MINOR: u32 = 70;

/// Volume types offered by the cloud: (id, name).
pub(crate) const TYPES: [(&str, &str); 2] = [
    ("7c1f4f5e-0d1a-4b6e-9a51-000000000001", "CEPH_1_perf1"),
    ("7c1f4f5e-0d1a-4b6e-9a51-000000000002", "CEPH_1_perf2"),
];

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

type Res = Result<Response, Response>;

fn bad(msg: &str) -> Response {
    fault(400, msg)
}

fn not_found(msg: &str) -> Response {
    fault(404, msg)
}

fn over_limit(msg: &str) -> Response {
    fault(413, msg).with_header("Retry-After", "0")
}

fn method_not_allowed() -> Response {
    fault(405, "The method is not allowed for the requested URL.")
}

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
    fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }

    fn links(&self, collection: &str, id: &str) -> Value {
        let p = FakeCloud::PROJECT_ID;
        json!([
            {"href": format!("{}/v3/{p}/{collection}/{id}", self.base), "rel": "self"},
            {"href": format!("{}/{p}/{collection}/{id}", self.base), "rel": "bookmark"}
        ])
    }

    fn delay(&self) -> Instant {
        crate::util::instant_after(self.shared.config.transition_delay)
    }
}

fn version_doc(base: &str) -> Value {
    json!({"versions": [{
        "id": "v3.0",
        "links": [
            {"href": "https://docs.openstack.org/", "rel": "describedby", "type": "text/html"},
            {"href": format!("{base}/v3/"), "rel": "self"}
        ],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}],
        "min_version": "3.0",
        "status": "CURRENT",
        "updated": "2023-08-31T00:00:00Z",
        "version": format!("3.{MAX_MINOR}")
    }]})
}

/// Parses the `volume` microversion from `OpenStack-API-Version`.
fn microversion(req: &Request) -> Result<u32, Response> {
    let Some(header) = req.header("openstack-api-version") else {
        return Ok(0);
    };
    let Some(item) = header
        .split(',')
        .map(str::trim)
        .find(|i| i.contains("volume"))
    else {
        return Ok(0);
    };
    let value = item.trim_start_matches("volume").trim();
    if value.eq_ignore_ascii_case("latest") {
        return Ok(MAX_MINOR);
    }
    let parsed = value
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    match parsed {
        Some((3, minor)) if minor <= MAX_MINOR => Ok(minor),
        Some(_) => Err(fault(
            406,
            &format!(
                "Version {value} is not supported by the API. Minimum is 3.0 and maximum is 3.{MAX_MINOR}."
            ),
        )),
        None => Err(bad(&format!(
            "API Version String {value} is of invalid format. Must be of format MajorNum.MinorNum."
        ))),
    }
}

/// Routes `/volume/...` (`rest` excludes `volume`).
pub(crate) fn route(shared: &Shared, req: &Request, base: &str, rest: &[&str]) -> Response {
    match rest {
        [] => {
            return if req.method == "GET" {
                Response::json(300, &version_doc(base))
            } else {
                method_not_allowed()
            };
        }
        ["v3"] => {
            return if req.method == "GET" {
                Response::json(200, &version_doc(base))
            } else {
                method_not_allowed()
            };
        }
        _ => {}
    }
    if rest[0] != "v3" {
        return not_found("The resource could not be found.");
    }
    let mut r = &rest[1..];
    if r.first() == Some(&FakeCloud::PROJECT_ID) {
        r = &r[1..];
    } else if let Some(first) = r.first() {
        if !KNOWN_COLLECTIONS.contains(first) {
            // Some other project id, or an unknown resource.
            return not_found("The resource could not be found.");
        }
    }
    if let Err(resp) = keystone::check_token(shared, req) {
        return resp;
    }
    let mv = match microversion(req) {
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
    let m = ctx.req.method.as_str();
    match (m, r) {
        ("GET", ["volumes"]) => list_volumes(ctx, false),
        ("GET", ["volumes", "detail"]) => list_volumes(ctx, true),
        ("POST", ["volumes"]) => create_volume(ctx),
        ("GET", ["volumes", id]) => {
            let st = ctx.shared.state();
            let v = find_volume(&st, id)?;
            Ok(Response::json(
                200,
                &json!({"volume": volume_json(ctx, v, true)}),
            ))
        }
        ("PUT", ["volumes", id]) => update_volume(ctx, id),
        ("DELETE", ["volumes", id]) => delete_volume(ctx, id),
        ("POST", ["volumes", id, "action"]) => volume_action(ctx, id),
        (_, ["volumes", id, "metadata"]) => volume_metadata(ctx, id),
        (_, ["volumes", id, "metadata", key]) => volume_metadata_key(ctx, id, key),
        ("GET", ["snapshots"]) => list_snapshots(ctx, false),
        ("GET", ["snapshots", "detail"]) => list_snapshots(ctx, true),
        ("POST", ["snapshots"]) => create_snapshot(ctx),
        ("GET", ["snapshots", id]) => {
            let st = ctx.shared.state();
            let s = find_snapshot(&st, id)?;
            Ok(Response::json(
                200,
                &json!({"snapshot": snapshot_json(ctx, s, true)}),
            ))
        }
        ("PUT", ["snapshots", id]) => update_snapshot(ctx, id),
        ("DELETE", ["snapshots", id]) => delete_snapshot(ctx, id),
        ("POST", ["snapshots", id, "action"]) => snapshot_action(ctx, id),
        ("GET", ["backups"]) => list_backups(ctx, false),
        ("GET", ["backups", "detail"]) => list_backups(ctx, true),
        ("POST", ["backups"]) => create_backup(ctx),
        ("GET", ["backups", id]) => {
            let st = ctx.shared.state();
            let b = find_backup(&st, id)?;
            Ok(Response::json(
                200,
                &json!({"backup": backup_json(ctx, &st, b)}),
            ))
        }
        ("DELETE", ["backups", id]) => delete_backup(ctx, id),
        ("POST", ["backups", id, "restore"]) => restore_backup(ctx, id),
        ("POST", ["backups", id, "action"]) => backup_action(ctx, id),
        ("GET", ["types"]) => Ok(Response::json(
            200,
            &json!({"volume_types": TYPES.iter().map(|t| type_json(*t)).collect::<Vec<_>>()}),
        )),
        ("GET", ["types", id]) => match find_type(id) {
            Some(t) => Ok(Response::json(200, &json!({"volume_type": type_json(t)}))),
            None => Err(not_found(&format!("Volume type {id} could not be found."))),
        },
        ("GET", ["os-availability-zone"]) => Ok(Response::json(
            200,
            &json!({"availabilityZoneInfo": [{"zoneName": "nova", "zoneState": {"available": true}}]}),
        )),
        ("GET", ["limits"]) => Ok(limits(ctx)),
        ("GET", ["os-quota-sets", project]) | ("GET", ["os-quota-sets", project, "defaults"]) => {
            Ok(quota_set(ctx, project))
        }
        (
            _,
            ["volumes"]
            | ["volumes", _]
            | ["volumes", _, "action"]
            | ["snapshots"]
            | ["snapshots", _]
            | ["snapshots", _, "action"]
            | ["backups"]
            | ["backups", _]
            | ["backups", _, _]
            | ["types"]
            | ["types", _]
            | ["os-availability-zone"]
            | ["limits"],
        ) => Err(method_not_allowed()),
        _ => Err(not_found("The resource could not be found.")),
    }
}

// ---------------------------------------------------------------------------------------------
// Request-body helpers

fn body(ctx: &Ctx) -> Result<Value, Response> {
    if ctx.req.body.is_empty() {
        return Err(bad("Missing request body."));
    }
    serde_json::from_slice(&ctx.req.body).map_err(|_| bad("Malformed request body"))
}

fn root<'v>(v: &'v Value, key: &str) -> Result<&'v Map<String, Value>, Response> {
    v.get(key).and_then(Value::as_object).ok_or_else(|| {
        bad(&format!(
            "Missing required element '{key}' in request body."
        ))
    })
}

fn opt_string(obj: &Map<String, Value>, key: &str) -> Result<Option<Option<String>>, Response> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => {
            if s.chars().count() > 255 && key == "name" {
                return Err(bad(&format!(
                    "Invalid input for field/attribute {key}. Value: {s}. is too long"
                )));
            }
            Ok(Some(Some(s.clone())))
        }
        Some(other) => Err(bad(&format!(
            "Invalid input for field/attribute {key}. Value: {other}. {other} is not of type 'string'"
        ))),
    }
}

fn metadata_arg(v: &Value, key: &str) -> Result<Map<String, Value>, Response> {
    let Some(obj) = v.as_object() else {
        return Err(bad(&format!(
            "Invalid input for field/attribute {key}. Value: {v}. {v} is not of type 'object'"
        )));
    };
    for (k, val) in obj {
        if k.is_empty() || k.chars().count() > 255 {
            return Err(bad(&format!(
                "Invalid input for field/attribute {key}. Metadata keys must be 1 to 255 characters."
            )));
        }
        match val {
            Value::String(s) if s.chars().count() <= 255 => {}
            _ => {
                return Err(bad(&format!(
                    "Invalid input for field/attribute {key}. Value: {val}. Metadata values must be strings of at most 255 characters."
                )));
            }
        }
    }
    Ok(obj.clone())
}

/// Integer or digit string, at least 1.
fn positive_int(v: &Value, field: &str) -> Result<u64, Response> {
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<i64>().ok()
        }
        _ => None,
    };
    match n {
        Some(n) if n >= 1 => Ok(n as u64),
        Some(n) => Err(bad(&format!(
            "Invalid input for field/attribute {field}. Value: {n}. {n} is less than the minimum of 1"
        ))),
        None => Err(bad(&format!(
            "Invalid input for field/attribute {field}. Value: {v}. {v} is not of type 'integer', 'string'"
        ))),
    }
}

fn bool_arg(v: &Value, field: &str) -> Result<bool, Response> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" | "yes" | "y" | "on" => Ok(true),
            "false" | "f" | "0" | "no" | "n" | "off" => Ok(false),
            _ => Err(bad(&format!(
                "Invalid value '{s}' for {field}: not a boolean."
            ))),
        },
        other => Err(bad(&format!(
            "Invalid value '{other}' for {field}: not a boolean."
        ))),
    }
}

fn find_type(name_or_id: &str) -> Option<(&'static str, &'static str)> {
    TYPES
        .iter()
        .copied()
        .find(|(id, name)| *id == name_or_id || *name == name_or_id)
}

fn type_json((id, name): (&str, &str)) -> Value {
    json!({"id": id, "name": name, "is_public": true, "extra_specs": {}, "description": null,
           "os-volume-type-access:is_public": true, "qos_specs_id": null})
}

fn find_volume<'s>(st: &'s State, id: &str) -> Result<&'s Volume, Response> {
    st.volume(id)
        .ok_or_else(|| not_found(&format!("Volume {id} could not be found.")))
}

fn find_snapshot<'s>(st: &'s State, id: &str) -> Result<&'s Snapshot, Response> {
    st.snapshot(id)
        .ok_or_else(|| not_found(&format!("Snapshot {id} could not be found.")))
}

fn find_backup<'s>(st: &'s State, id: &str) -> Result<&'s Backup, Response> {
    st.backup(id)
        .ok_or_else(|| not_found(&format!("Backup {id} could not be found.")))
}

// ---------------------------------------------------------------------------------------------
// Pagination

struct Item {
    seq: u64,
    id: String,
    name: Option<String>,
    status: String,
    volume_id: Option<String>,
    json: Value,
}

fn list_response(ctx: &Ctx, key: &str, mut items: Vec<Item>) -> Res {
    // Newest first, stable.
    items.sort_by_key(|i| std::cmp::Reverse(i.seq));
    let limit = match ctx.q("limit") {
        None => None,
        Some(l) => match l.trim().parse::<i64>() {
            Ok(n) if n >= 0 => Some(n as usize),
            Ok(_) => return Err(bad("limit param must be positive")),
            Err(_) => return Err(bad("limit param must be an integer")),
        },
    };
    let offset = match ctx.q("offset") {
        None => 0,
        Some(o) => match o.trim().parse::<i64>() {
            Ok(n) if n >= 0 => n as usize,
            _ => {
                return Err(bad(&format!(
                    "Invalid value '{o}' for offset: must be a non-negative integer."
                )));
            }
        },
    };
    let marker_seq = match ctx.q("marker") {
        None => None,
        Some(m) => match items.iter().find(|i| i.id == m) {
            Some(i) => Some(i.seq),
            None => return Err(not_found(&format!("Marker {m} could not be found."))),
        },
    };
    let name = ctx.q("name").map(str::to_string);
    let status = ctx.q("status").map(str::to_string);
    let volume_id = ctx.q("volume_id").map(str::to_string);
    let filtered: Vec<Item> = items
        .into_iter()
        .filter(|i| {
            name.as_ref()
                .is_none_or(|n| i.name.as_deref() == Some(n.as_str()))
        })
        .filter(|i| {
            status
                .as_ref()
                .is_none_or(|s| i.status.eq_ignore_ascii_case(s))
        })
        .filter(|i| {
            volume_id
                .as_ref()
                .is_none_or(|v| i.volume_id.as_deref() == Some(v.as_str()))
        })
        .collect();
    let total = filtered.len();
    let effective = limit
        .unwrap_or(ctx.shared.config.page_size)
        .min(ctx.shared.config.page_size);
    let page: Vec<Item> = filtered
        .into_iter()
        .filter(|i| marker_seq.is_none_or(|m| i.seq < m))
        .skip(offset)
        .take(effective)
        .collect();
    let mut out = Map::new();
    let full = effective > 0 && page.len() == effective;
    if full {
        let last = page.last().map(|i| i.id.clone()).unwrap_or_default();
        let mut params: Vec<String> = ctx
            .query
            .iter()
            .filter(|(k, _, _)| k != "limit" && k != "marker")
            .map(|(_, _, raw)| raw.clone())
            .collect();
        params.push(format!("limit={effective}"));
        params.push(format!("marker={}", encode_component(&last)));
        let href = format!(
            "{}{}?{}",
            ctx.shared.base_url,
            ctx.req.path,
            params.join("&")
        );
        out.insert(
            format!("{key}_links"),
            json!([{"href": href, "rel": "next"}]),
        );
    }
    out.insert(
        key.to_string(),
        Value::Array(page.into_iter().map(|i| i.json).collect()),
    );
    if ctx.mv >= 45
        && ctx
            .q("with_count")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        out.insert("count".into(), json!(total));
    }
    Ok(Response::json(200, &Value::Object(out)))
}

// ---------------------------------------------------------------------------------------------
// Volumes

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
        o["os-vol-tenant-attr:tenant_id"] = json!(FakeCloud::PROJECT_ID);
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
        .map(|v| Item {
            seq: v.seq,
            id: v.id.clone(),
            name: v.name.clone(),
            status: v.status.clone(),
            volume_id: None,
            json: if detail {
                volume_json(ctx, v, true)
            } else {
                json!({"id": v.id, "links": ctx.links("volumes", &v.id), "name": v.name})
            },
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
    let metadata = match vol.get("metadata") {
        None | Some(Value::Null) => Map::new(),
        Some(m) => metadata_arg(m, "metadata")?,
    };
    let multiattach = match vol.get("multiattach") {
        None | Some(Value::Null) => false,
        Some(v) => bool_arg(v, "multiattach")?,
    };
    let bootable = matches!(vol.get("imageRef"), Some(Value::String(s)) if !s.is_empty());
    let snapshot_id = opt_string(vol, "snapshot_id")?.flatten();
    let source_volid = opt_string(vol, "source_volid")?.flatten();
    let backup_id = opt_string(vol, "backup_id")?.flatten();

    let mut st = ctx.shared.state();
    if let Some(sid) = &snapshot_id {
        let snap = find_snapshot(&st, sid)?;
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
        let v = find_volume(&st, src)?;
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
        let bk = find_backup(&st, bid)?;
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
    st.check_quota(1, size).map_err(|m| over_limit(&m))?;
    let (seq, id) = st.new_id(1);
    let v = Volume {
        seq,
        id,
        name,
        description,
        size,
        status: "creating".into(),
        pending: Some((ctx.delay(), VolumeNext::Status("available".into()))),
        volume_type: type_name,
        availability_zone: "nova".into(),
        bootable,
        readonly: false,
        multiattach,
        snapshot_id,
        source_volid,
        metadata,
        attachments: Vec::new(),
        created_at: now_cinder(),
        updated_at: None,
    };
    let out = volume_json(ctx, &v, false);
    st.volumes.push(v);
    Ok(Response::json(202, &json!({ "volume": out })))
}

fn update_volume(ctx: &Ctx, id: &str) -> Res {
    let b = body(ctx)?;
    let upd = root(&b, "volume")?;
    let name = match opt_string(upd, "name")? {
        Some(n) => Some(n),
        None => opt_string(upd, "display_name")?,
    };
    let description = match opt_string(upd, "description")? {
        Some(d) => Some(d),
        None => opt_string(upd, "display_description")?,
    };
    let metadata = match upd.get("metadata") {
        None => None,
        Some(m) => Some(metadata_arg(m, "metadata")?),
    };
    let mut st = ctx.shared.state();
    find_volume(&st, id)?;
    let Some(v) = st.volume_mut(id) else {
        return Err(not_found(&format!("Volume {id} could not be found.")));
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
    let cascade = ctx
        .q("cascade")
        .is_some_and(|c| c.eq_ignore_ascii_case("true"));
    let force = ctx
        .q("force")
        .is_some_and(|c| c.eq_ignore_ascii_case("true"));
    let mut st = ctx.shared.state();
    let v = find_volume(&st, id)?;
    if force && ctx.mv >= 23 {
        return Err(fault(
            403,
            "Policy doesn't allow volume:force_delete to be performed.",
        ));
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

fn single_action(ctx: &Ctx) -> Result<(String, Value), Response> {
    let b = body(ctx)?;
    let Some(obj) = b.as_object() else {
        return Err(bad("Malformed request body"));
    };
    if obj.len() != 1 {
        return Err(bad(
            "Invalid request body: exactly one action must be given.",
        ));
    }
    let Some((k, v)) = obj.iter().next() else {
        return Err(bad("Malformed request body"));
    };
    Ok((k.clone(), v.clone()))
}

fn volume_action(ctx: &Ctx, id: &str) -> Res {
    {
        let st = ctx.shared.state();
        find_volume(&st, id)?;
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
            let v = find_volume(&st, id)?;
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
            st.check_quota(0, delta).map_err(|m| over_limit(&m))?;
            let due = ctx.delay();
            if let Some(v) = st.volume_mut(id) {
                let prev = v.status.clone();
                v.status = "extending".into();
                v.pending = Some((due, VolumeNext::Resize(prev, new_size)));
            }
            Ok(Response::empty(202))
        }
        "os-force_delete" => Err(fault(
            403,
            "Policy doesn't allow volume_extension:volume_admin_actions:force_delete to be performed.",
        )),
        "os-reset_status" => Err(fault(
            403,
            "Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed.",
        )),
        "os-set_bootable" => {
            let Some(flag) = arg.get("bootable") else {
                return Err(bad("Must specify bootable in request."));
            };
            let flag = bool_arg(flag, "bootable")?;
            let mut st = ctx.shared.state();
            if let Some(v) = st.volume_mut(id) {
                v.bootable = flag;
                v.updated_at = Some(now_cinder());
            }
            Ok(Response::empty(200))
        }
        "os-update_readonly_flag" => {
            let Some(flag) = arg.get("readonly") else {
                return Err(bad("Must specify readonly in request."));
            };
            let flag = bool_arg(flag, "readonly")?;
            let mut st = ctx.shared.state();
            if let Some(v) = st.volume_mut(id) {
                v.readonly = flag;
                v.updated_at = Some(now_cinder());
            }
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
            let v = find_volume(&st, id)?;
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
            let v = find_volume(&st, id)?;
            if v.status != "available" {
                return Err(bad(&format!(
                    "Invalid volume: Cannot revert volume {id} to snapshot {snapshot_id}, volume status must be available, but current status is: {}.",
                    v.status
                )));
            }
            let s = find_snapshot(&st, snapshot_id)?;
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
        other => Err(bad(&format!("There is no such action: {other}"))),
    }
}

fn volume_metadata(ctx: &Ctx, id: &str) -> Res {
    let m = ctx.req.method.as_str();
    if !matches!(m, "GET" | "POST" | "PUT") {
        return Err(method_not_allowed());
    }
    let new = if m == "GET" {
        None
    } else {
        let b = body(ctx)?;
        let Some(md) = b.get("metadata") else {
            return Err(bad("Malformed request body: missing 'metadata'."));
        };
        Some(metadata_arg(md, "metadata")?)
    };
    let mut st = ctx.shared.state();
    find_volume(&st, id)?;
    let Some(v) = st.volume_mut(id) else {
        return Err(not_found(&format!("Volume {id} could not be found.")));
    };
    match (m, new) {
        ("POST", Some(new)) => {
            for (k, val) in new {
                v.metadata.insert(k, val);
            }
            v.updated_at = Some(now_cinder());
        }
        ("PUT", Some(new)) => {
            v.metadata = new;
            v.updated_at = Some(now_cinder());
        }
        _ => {}
    }
    Ok(Response::json(200, &json!({"metadata": v.metadata})))
}

fn volume_metadata_key(ctx: &Ctx, id: &str, key: &str) -> Res {
    let m = ctx.req.method.as_str();
    let new_value = if m == "PUT" {
        let b = body(ctx)?;
        let Some(meta) = b.get("meta").and_then(Value::as_object) else {
            return Err(bad("Malformed request body: missing 'meta'."));
        };
        if meta.len() > 1 {
            return Err(bad("Request body contains too many items"));
        }
        let Some((k, v)) = meta.iter().next() else {
            return Err(bad("Malformed request body"));
        };
        if k != key {
            return Err(bad("Request body and URI mismatch"));
        }
        let checked = metadata_arg(&json!({ k.clone(): v.clone() }), "meta")?;
        checked.get(k).cloned()
    } else if m == "GET" || m == "DELETE" {
        None
    } else {
        return Err(method_not_allowed());
    };
    let mut st = ctx.shared.state();
    find_volume(&st, id)?;
    let Some(v) = st.volume_mut(id) else {
        return Err(not_found(&format!("Volume {id} could not be found.")));
    };
    match m {
        "GET" => match v.metadata.get(key) {
            Some(val) => Ok(Response::json(200, &json!({"meta": { key: val }}))),
            None => Err(not_found("Metadata item was not found")),
        },
        "DELETE" => match v.metadata.remove(key) {
            Some(_) => {
                v.updated_at = Some(now_cinder());
                Ok(Response::empty(200))
            }
            None => Err(not_found("Metadata item was not found")),
        },
        _ => {
            let val = new_value.unwrap_or(Value::Null);
            v.metadata.insert(key.to_string(), val.clone());
            v.updated_at = Some(now_cinder());
            Ok(Response::json(200, &json!({"meta": { key: val }})))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots

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
        o["os-extended-snapshot-attributes:project_id"] = json!(FakeCloud::PROJECT_ID);
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
        .map(|s| Item {
            seq: s.seq,
            id: s.id.clone(),
            name: s.name.clone(),
            status: s.status.clone(),
            volume_id: Some(s.volume_id.clone()),
            json: snapshot_json(ctx, s, detail),
        })
        .collect();
    drop(st);
    list_response(ctx, "snapshots", items)
}

fn create_snapshot(ctx: &Ctx) -> Res {
    let b = body(ctx)?;
    let snap = root(&b, "snapshot")?;
    let Some(volume_id) = snap
        .get("volume_id")
        .and_then(Value::as_str)
        .map(String::from)
    else {
        return Err(bad(
            "Invalid input for field/attribute snapshot. 'volume_id' is a required property",
        ));
    };
    let name = match opt_string(snap, "name")? {
        Some(n) => n,
        None => opt_string(snap, "display_name")?.flatten(),
    };
    let description = match opt_string(snap, "description")? {
        Some(d) => d,
        None => opt_string(snap, "display_description")?.flatten(),
    };
    let metadata = match snap.get("metadata") {
        None | Some(Value::Null) => Map::new(),
        Some(m) => metadata_arg(m, "metadata")?,
    };
    let force = match snap.get("force") {
        None | Some(Value::Null) => None,
        Some(f) => Some(bool_arg(f, "force")?),
    };
    if ctx.mv >= 66 && force == Some(false) {
        return Err(bad(
            "Since microversion 3.66, the 'force' flag is invalid for this request. For backward compatibility, however, when the 'force' flag is passed with a value evaluating to True, it is silently ignored.",
        ));
    }
    let mut st = ctx.shared.state();
    let v = find_volume(&st, &volume_id)?;
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
    let s = Snapshot {
        seq,
        id,
        name,
        description,
        size,
        status: "creating".into(),
        pending: Some((ctx.delay(), SimpleNext::Status("available".into()))),
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
    let name = match opt_string(upd, "name")? {
        Some(n) => Some(n),
        None => opt_string(upd, "display_name")?,
    };
    let description = match opt_string(upd, "description")? {
        Some(d) => Some(d),
        None => opt_string(upd, "display_description")?,
    };
    let mut st = ctx.shared.state();
    find_snapshot(&st, id)?;
    let Some(s) = st.snapshots.iter_mut().find(|s| s.id == id) else {
        return Err(not_found(&format!("Snapshot {id} could not be found.")));
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
    let s = find_snapshot(&st, id)?;
    if s.status != "available" && s.status != "error" {
        return Err(bad(
            "Invalid snapshot: Volume Snapshot status must be available or error and must not be part of a group.",
        ));
    }
    let due = ctx.delay();
    if let Some(s) = st.snapshots.iter_mut().find(|s| s.id == id) {
        s.status = "deleting".into();
        s.updated_at = Some(now_cinder());
        s.pending = Some((due, SimpleNext::Remove));
    }
    Ok(Response::empty(202))
}

fn snapshot_action(ctx: &Ctx, id: &str) -> Res {
    {
        let st = ctx.shared.state();
        find_snapshot(&st, id)?;
    }
    let (action, _) = single_action(ctx)?;
    match action.as_str() {
        "os-force_delete" => Err(fault(
            403,
            "Policy doesn't allow volume_extension:snapshot_admin_actions:force_delete to be performed.",
        )),
        "os-reset_status" => Err(fault(
            403,
            "Policy doesn't allow volume_extension:snapshot_admin_actions:reset_status to be performed.",
        )),
        other => Err(bad(&format!("There is no such action: {other}"))),
    }
}

// ---------------------------------------------------------------------------------------------
// Backups

fn backup_json(ctx: &Ctx, st: &State, b: &Backup) -> Value {
    let has_dependent = st
        .backups
        .iter()
        .any(|o| o.parent_id.as_deref() == Some(b.id.as_str()));
    let mut o = json!({
        "availability_zone": null,
        "container": b.container,
        "created_at": b.created_at,
        "data_timestamp": b.data_timestamp,
        "description": b.description,
        "fail_reason": null,
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
        o["os-backup-project-attr:project_id"] = json!(FakeCloud::PROJECT_ID);
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
        .map(|b| Item {
            seq: b.seq,
            id: b.id.clone(),
            name: b.name.clone(),
            status: b.status.clone(),
            volume_id: Some(b.volume_id.clone()),
            json: if detail {
                backup_json(ctx, &st, b)
            } else {
                json!({"id": b.id, "links": ctx.links("backups", &b.id), "name": b.name})
            },
        })
        .collect();
    drop(st);
    list_response(ctx, "backups", items)
}

fn create_backup(ctx: &Ctx) -> Res {
    let b = body(ctx)?;
    let req = root(&b, "backup")?;
    let Some(volume_id) = req
        .get("volume_id")
        .and_then(Value::as_str)
        .map(String::from)
    else {
        return Err(bad(
            "Invalid input for field/attribute backup. 'volume_id' is a required property",
        ));
    };
    let name = opt_string(req, "name")?.flatten();
    let description = opt_string(req, "description")?.flatten();
    let container = opt_string(req, "container")?.flatten();
    let snapshot_id = opt_string(req, "snapshot_id")?.flatten();
    let incremental = match req.get("incremental") {
        None | Some(Value::Null) => false,
        Some(v) => bool_arg(v, "incremental")?,
    };
    let force = match req.get("force") {
        None | Some(Value::Null) => false,
        Some(v) => bool_arg(v, "force")?,
    };
    let metadata = match req.get("metadata") {
        Some(m) if !m.is_null() && ctx.mv >= 43 => metadata_arg(m, "metadata")?,
        _ => Map::new(),
    };
    let mut st = ctx.shared.state();
    let v = find_volume(&st, &volume_id)?;
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
        let s = find_snapshot(&st, sid)?;
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
    let bk = Backup {
        seq,
        id: id.clone(),
        name: name.clone(),
        description,
        size,
        status: "creating".into(),
        pending: Some((due, SimpleNext::Status("available".into()))),
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
    Ok(Response::json(
        202,
        &json!({"backup": {"id": id, "links": ctx.links("backups", &id), "name": name}}),
    ))
}

fn delete_backup(ctx: &Ctx, id: &str) -> Res {
    let mut st = ctx.shared.state();
    let b = find_backup(&st, id)?;
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
    if let Some(b) = st.backups.iter_mut().find(|b| b.id == id) {
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
    let bk = find_backup(&st, id)?;
    if bk.status != "available" {
        return Err(bad("Invalid backup: Backup status must be available"));
    }
    let backup_size = bk.size;
    let due = ctx.delay();
    let (vol_id, vol_name) = match volume_id {
        Some(vid) => {
            let v = find_volume(&st, &vid)?;
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
                v.pending = Some((due, VolumeNext::Status("available".into())));
            }
            (vid, vname)
        }
        None => {
            st.check_quota(1, backup_size).map_err(|m| over_limit(&m))?;
            let vname = Some(name.unwrap_or_else(|| format!("restore_backup_{id}")));
            let (seq, vid) = st.new_id(1);
            st.volumes.push(Volume {
                seq,
                id: vid.clone(),
                name: vname.clone(),
                description: None,
                size: backup_size,
                status: "restoring-backup".into(),
                pending: Some((due, VolumeNext::Status("available".into()))),
                volume_type: TYPES[0].1.into(),
                availability_zone: "nova".into(),
                bootable: false,
                readonly: false,
                multiattach: false,
                snapshot_id: None,
                source_volid: None,
                metadata: Map::new(),
                attachments: Vec::new(),
                created_at: now_cinder(),
                updated_at: None,
            });
            (vid, vname)
        }
    };
    if let Some(b) = st.backups.iter_mut().find(|b| b.id == id) {
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
        find_backup(&st, id)?;
    }
    let (action, _) = single_action(ctx)?;
    match action.as_str() {
        "os-force_delete" => Err(fault(
            403,
            "Policy doesn't allow volume_extension:backup_admin_actions:force_delete to be performed.",
        )),
        "os-reset_status" => Err(fault(
            403,
            "Policy doesn't allow volume_extension:backup_admin_actions:reset_status to be performed.",
        )),
        other => Err(bad(&format!("There is no such action: {other}"))),
    }
}

// ---------------------------------------------------------------------------------------------
// Limits and quotas

fn limits(ctx: &Ctx) -> Response {
    let st = ctx.shared.state();
    let (count, gb) = st.usage();
    let q = |o: Option<u64>| o.map(|n| n as i64).unwrap_or(-1);
    let backup_gb: u64 = st
        .backups
        .iter()
        .fold(0u64, |acc, b| acc.saturating_add(b.size));
    Response::json(
        200,
        &json!({"limits": {"rate": [], "absolute": {
            "totalSnapshotsUsed": st.snapshots.len(),
            "maxTotalBackups": -1,
            "maxTotalVolumeGigabytes": q(st.quota_gigabytes),
            "maxTotalSnapshots": -1,
            "maxTotalBackupGigabytes": -1,
            "totalBackupGigabytesUsed": backup_gb,
            "maxTotalVolumes": q(st.quota_volumes),
            "totalVolumesUsed": count,
            "totalBackupsUsed": st.backups.len(),
            "totalGigabytesUsed": gb
        }}}),
    )
}

fn quota_set(ctx: &Ctx, project: &str) -> Response {
    let st = ctx.shared.state();
    let (count, gb) = st.usage();
    let q = |o: Option<u64>| o.map(|n| n as i64).unwrap_or(-1);
    let usage = ctx
        .q("usage")
        .is_some_and(|u| u.eq_ignore_ascii_case("true"));
    let entry = |limit: i64, in_use: u64| {
        if usage {
            json!({"in_use": in_use, "limit": limit, "reserved": 0})
        } else {
            json!(limit)
        }
    };
    let backup_gb: u64 = st
        .backups
        .iter()
        .fold(0u64, |acc, b| acc.saturating_add(b.size));
    Response::json(
        200,
        &json!({"quota_set": {
            "id": project,
            "volumes": entry(q(st.quota_volumes), count),
            "gigabytes": entry(q(st.quota_gigabytes), gb),
            "snapshots": entry(-1, st.snapshots.len() as u64),
            "backups": entry(-1, st.backups.len() as u64),
            "backup_gigabytes": entry(-1, backup_gb),
            "per_volume_gigabytes": entry(-1, 0),
            "groups": entry(-1, 0),
        }}),
    )
}
