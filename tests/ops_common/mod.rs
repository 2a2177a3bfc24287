//! Helpers for the operation tests (volumes, snapshots, backups, attachments, errors, samples):
//! request matchers for Cinder/Nova, reply builders, OpenStack fault bodies, log deltas, and
//! independent "oracles" that turn sample JSON into the expected public types by hand (not
//! through the crate's serde code), so that decoding is checked against the wire spec.
#![allow(dead_code)]

use std::collections::BTreeMap;

use httpmock::{HttpMockResponse, Then, When};
use infomaniak_block_storage::{Backup, ServerAttachment, Snapshot, Volume, VolumeAttachment};
use serde_json::{json, Value};

use crate::common;

pub const VOL: &str = "6edbc2f4-1507-44f8-ac0d-eed1d2608d38";
pub const VOL2: &str = "173f7b48-c4c1-4e70-9acc-086b39073506";
pub const SRV: &str = "4b293d31-ebd5-4a7f-be03-874b90021e54";
pub const BAK: &str = "2ef47aee-8844-490c-804d-2a8efe561c65";
pub const SNAP: &str = "b1323cda-8e4b-41c1-afc5-2fc791809c8c";
pub const VOLUME_MV: &str = "volume 3.67";
pub const COMPUTE_MV: &str = "compute 2.79";

/// Path on the mock server of a Cinder resource (`rel` starts with `/`).
pub fn cinder(rel: &str) -> String {
    format!("{}{rel}", common::CINDER)
}

/// Path on the mock server of a Nova resource.
pub fn nova(rel: &str) -> String {
    format!("{}{rel}", common::NOVA)
}

/// The headers every Cinder call must carry.
pub fn cinder_call(when: When) -> When {
    when.header("X-Auth-Token", common::TOKEN)
        .header("OpenStack-API-Version", VOLUME_MV)
        .header("Accept", "application/json")
}

/// The headers every Nova call must carry.
pub fn nova_call(when: When) -> When {
    when.header("X-Auth-Token", common::TOKEN)
        .header("OpenStack-API-Version", COMPUTE_MV)
        .header("Accept", "application/json")
}

/// The request has no query string at all.
pub fn no_query(when: When) -> When {
    when.is_true(|req| req.uri().query().is_none())
}

/// The request's query string is exactly `query`.
pub fn query_is(when: When, query: &'static str) -> When {
    when.is_true(move |req| req.uri().query() == Some(query))
}

/// The request carries a JSON body equal to `body` (exact match) with the JSON content type.
pub fn json_request(when: When, body: Value) -> When {
    when.header("Content-Type", "application/json")
        .json_body(body)
}

/// A JSON reply with `x-openstack-request-id`.
pub fn reply_json(then: Then, status: u16, body: Value) -> Then {
    then.status(status)
        .header("Content-Type", "application/json")
        .header("x-openstack-request-id", common::REQUEST_ID)
        .json_body(body)
}

/// A reply with a raw body and `x-openstack-request-id`.
pub fn reply_raw(then: Then, status: u16, body: &str) -> Then {
    then.status(status)
        .header("Content-Type", "application/json")
        .header("x-openstack-request-id", common::REQUEST_ID)
        .body(body)
}

/// An empty 202 (what Cinder and Nova send for accepted actions and deletes).
pub fn reply_accepted(then: Then) -> Then {
    then.status(202)
        .header("x-openstack-request-id", common::REQUEST_ID)
}

/// A Cinder/Nova fault body: `{"<key>": {"code": <status>, "message": "<message>"}}`.
pub fn fault(key: &str, status: u16, message: &str) -> Value {
    json!({ key: { "code": status, "message": message } })
}

/// A dynamic JSON response for `respond_with`.
pub fn dynamic_json(status: u16, body: &Value) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .header("x-openstack-request-id", common::REQUEST_ID)
        .body(body.to_string())
        .build()
}

/// Log lines of this crate at `level` logged by this thread after `before` lines had been seen.
pub fn logs_since(level: log::Level, before: usize) -> Vec<String> {
    common::crate_logs(level).split_off(before)
}

/// How many lines this thread has logged at `level` so far.
pub fn log_mark(level: log::Level) -> usize {
    common::crate_logs(level).len()
}

/// Asserts that exactly one line was logged at `level` since `before` and that it contains every
/// needle; returns it.
pub fn one_line_with(level: log::Level, before: usize, needles: &[&str]) -> String {
    let lines = logs_since(level, before);
    assert_eq!(
        lines.len(),
        1,
        "expected exactly one {level} line, got {lines:#?}"
    );
    for needle in needles {
        assert!(
            lines[0].contains(needle),
            "{level} line {:?} lacks {needle:?}",
            lines[0]
        );
    }
    let mut lines = lines;
    lines.remove(0)
}

// ----- oracles: the expected decoding, written from the wire spec -----------------------------

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn flag(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn meta(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The [`Volume`] a spec-following decoder makes of `v` (one volume object).
pub fn oracle_volume(v: &Value) -> Volume {
    Volume {
        id: text(v, "id").unwrap_or_default(),
        name: text(v, "name"),
        status: text(v, "status").unwrap_or_default(),
        size: v.get("size").and_then(Value::as_u64).unwrap_or(0),
        volume_type: text(v, "volume_type"),
        availability_zone: text(v, "availability_zone"),
        bootable: v.get("bootable").is_some_and(flag),
        encrypted: v.get("encrypted").is_some_and(flag),
        multiattach: v.get("multiattach").is_some_and(flag),
        attachments: v
            .get("attachments")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|a| VolumeAttachment {
                        attachment_id: text(a, "attachment_id"),
                        volume_id: text(a, "volume_id"),
                        server_id: text(a, "server_id"),
                        device: text(a, "device"),
                        host_name: text(a, "host_name"),
                        attached_at: text(a, "attached_at"),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        created_at: text(v, "created_at"),
        updated_at: text(v, "updated_at"),
        description: text(v, "description"),
        metadata: v.get("metadata").map(meta).unwrap_or_default(),
        snapshot_id: text(v, "snapshot_id"),
        source_volid: text(v, "source_volid"),
        backup_id: text(v, "backup_id"),
        user_id: text(v, "user_id"),
    }
}

/// The [`Snapshot`] a spec-following decoder makes of `v`.
pub fn oracle_snapshot(v: &Value) -> Snapshot {
    Snapshot {
        id: text(v, "id").unwrap_or_default(),
        name: text(v, "name"),
        status: text(v, "status").unwrap_or_default(),
        volume_id: text(v, "volume_id").unwrap_or_default(),
        size: v.get("size").and_then(Value::as_u64).unwrap_or(0),
        created_at: text(v, "created_at"),
        updated_at: text(v, "updated_at"),
        description: text(v, "description"),
        metadata: v.get("metadata").map(meta).unwrap_or_default(),
        progress: text(v, "os-extended-snapshot-attributes:progress"),
    }
}

/// The [`Backup`] a spec-following decoder makes of `v`.
pub fn oracle_backup(v: &Value) -> Backup {
    Backup {
        id: text(v, "id").unwrap_or_default(),
        name: text(v, "name"),
        status: text(v, "status").unwrap_or_default(),
        volume_id: text(v, "volume_id").unwrap_or_default(),
        snapshot_id: text(v, "snapshot_id"),
        size: v.get("size").and_then(Value::as_u64).unwrap_or(0),
        created_at: text(v, "created_at"),
        updated_at: text(v, "updated_at"),
        data_timestamp: text(v, "data_timestamp"),
        description: text(v, "description"),
        is_incremental: v.get("is_incremental").is_some_and(flag),
        has_dependent_backups: v.get("has_dependent_backups").is_some_and(flag),
        container: text(v, "container"),
        availability_zone: text(v, "availability_zone"),
        fail_reason: text(v, "fail_reason"),
        object_count: v.get("object_count").and_then(Value::as_u64).unwrap_or(0),
        metadata: v.get("metadata").map(meta).unwrap_or_default(),
    }
}

/// The [`ServerAttachment`] a spec-following decoder makes of `v`.
pub fn oracle_attachment(v: &Value) -> ServerAttachment {
    ServerAttachment {
        volume_id: text(v, "volumeId").unwrap_or_default(),
        server_id: text(v, "serverId"),
        device: text(v, "device"),
        id: text(v, "id"),
        attachment_id: text(v, "attachment_id"),
        tag: text(v, "tag"),
        delete_on_termination: v.get("delete_on_termination").is_some_and(flag),
    }
}
