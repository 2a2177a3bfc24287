//! Project-wide Cinder resources: volume types, availability zones, limits
//! and quota sets.

use serde_json::{Value, json};

use super::{Ctx, Res};
use crate::faults::{method_not_allowed, no_such_resource, not_found};
use crate::http::Response;

/// Volume types offered by the cloud: (id, name); the first is the default.
pub(super) const TYPES: [(&str, &str); 3] = [
    ("7c1f4f5e-0d1a-4b6e-9a51-000000000001", "CEPH_1_perf1"),
    ("7c1f4f5e-0d1a-4b6e-9a51-000000000002", "CEPH_1_perf2"),
    ("7c1f4f5e-0d1a-4b6e-9a51-000000000003", MULTIATTACH_TYPE),
];

/// The type whose volumes can be attached to several servers
/// (extra spec `multiattach="<is> True"`).
pub(super) const MULTIATTACH_TYPE: &str = "CEPH_1_multiattach";

pub(super) fn find_type(name_or_id: &str) -> Option<(&'static str, &'static str)> {
    TYPES
        .iter()
        .copied()
        .find(|(id, name)| *id == name_or_id || *name == name_or_id)
}

/// The type JSON (also embedded in `os-volume_upload_image` replies).
pub(super) fn type_json((id, name): (&str, &str)) -> Value {
    let extra_specs = if name == MULTIATTACH_TYPE {
        json!({"multiattach": "<is> True"})
    } else {
        json!({})
    };
    json!({"id": id, "name": name, "is_public": true, "extra_specs": extra_specs, "description": null,
           "os-volume-type-access:is_public": true, "qos_specs_id": null})
}

fn limits(ctx: &Ctx) -> Response {
    let st = ctx.shared.state();
    let p = &ctx.project;
    let (count, gb) = st.usage(p);
    let q = quota_limit;
    let backup_gb = st.backup_gigabytes(p);
    Response::json(
        200,
        &json!({"limits": {"rate": [], "absolute": {
            "totalSnapshotsUsed": st.snapshots.iter().filter(|s| s.project_id == *p).count(),
            "maxTotalBackups": -1,
            "maxTotalVolumeGigabytes": q(st.quota_gigabytes),
            "maxTotalSnapshots": -1,
            "maxTotalBackupGigabytes": -1,
            "totalBackupGigabytesUsed": backup_gb,
            "maxTotalVolumes": q(st.quota_volumes),
            "totalVolumesUsed": count,
            "totalBackupsUsed": st.backups.iter().filter(|b| b.project_id == *p).count(),
            "totalGigabytesUsed": gb
        }}}),
    )
}

fn quota_set(ctx: &Ctx, project: &str) -> Response {
    let st = ctx.shared.state();
    let (count, gb) = st.usage(project);
    let q = quota_limit;
    let usage = ctx.q_true("usage");
    let entry = |limit: i64, in_use: u64| {
        if usage {
            json!({"in_use": in_use, "limit": limit, "reserved": 0})
        } else {
            json!(limit)
        }
    };
    let backup_gb = st.backup_gigabytes(project);
    let snapshots = st.snapshots.iter().filter(|s| s.project_id == project);
    let backups = st.backups.iter().filter(|b| b.project_id == project);
    Response::json(
        200,
        &json!({"quota_set": {
            "id": project,
            "volumes": entry(q(st.quota_volumes), count),
            "gigabytes": entry(q(st.quota_gigabytes), gb),
            "snapshots": entry(-1, snapshots.count() as u64),
            "backups": entry(-1, backups.count() as u64),
            "backup_gigabytes": entry(-1, backup_gb),
            "per_volume_gigabytes": entry(-1, 0),
            "groups": entry(-1, 0),
        }}),
    )
}

/// Routes `types`, `os-availability-zone`, `limits` and `os-quota-sets`.
pub(super) fn dispatch(ctx: &Ctx, r: &[&str]) -> Res {
    match (ctx.req.method.as_str(), r) {
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
        (_, ["types"] | ["types", _] | ["os-availability-zone"] | ["limits"]) => {
            Err(method_not_allowed())
        }
        _ => Err(no_such_resource()),
    }
}

/// A quota as Cinder shows it: the limit, or -1 for unlimited.
fn quota_limit(q: Option<u64>) -> i64 {
    q.map(|n| n as i64).unwrap_or(-1)
}
