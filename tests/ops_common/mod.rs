//! Helpers for the operation tests (volumes, snapshots, backups, attachments, errors, samples):
//! request matchers for Cinder/Nova, reply builders, OpenStack fault bodies, log deltas, and
//! independent "oracles" that turn sample JSON into the expected field values by hand (not
//! through the crate's serde code), so that decoding is checked against the wire spec, and
//! asserts for the (non-exhaustive) error variants that check every field.
#![allow(dead_code)]

use std::collections::BTreeMap;

use httpmock::{HttpMockResponse, Method, Mock, MockServer, Then, When};
use infomaniak_block_storage::{
    Backup, BackupRestore, BackupStatus, Link, ServerAttachment, Snapshot, SnapshotStatus, Volume,
    VolumeAttachment, VolumeStatus,
};
use serde_json::{Map, Value, json};

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

/// A mock answering `method path` (whatever the headers and query) with `status` and the
/// fault body [`fault`]`(key, status, message)`, as JSON with `x-openstack-request-id`.
pub fn mock_fault<'a>(
    server: &'a MockServer,
    method: Method,
    path: impl Into<String>,
    status: u16,
    key: &str,
    message: &str,
) -> Mock<'a> {
    let path = path.into();
    let body = fault(key, status, message);
    server.mock(move |when, then| {
        when.method(method).path(path);
        reply_json(then, status, body);
    })
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

#[allow(unused_imports)] // each test binary uses some of them
pub use crate::common::{log_mark, logs_since, one_line_with, plain_face_fails};

// ----- error asserts: every field of the variant is checked (shared with every binary) -------

#[allow(unused_imports)] // each test binary uses some of them
pub use crate::common::assert::{
    assert_ambiguous, assert_api, assert_invalid_argument, assert_invalid_argument_err,
    assert_not_attached, assert_not_found, assert_resource_failed, assert_unsupported,
};

// ----- oracles: the expected decoding, written from the wire spec -----------------------------
//
// The public types are `#[non_exhaustive]`, so tests cannot build them. Each oracle builds a
// test-side mirror (`Expected*`, every public field, `extra` included) by hand from the JSON,
// and the public type compares equal to its mirror field by field, so `assert_eq!(decoded,
// oracle_volume(&json))` (and on `Vec`s) works as before.

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

/// A boolean that may be absent or `null` (`None`).
fn opt_flag(v: &Value, key: &str) -> Option<bool> {
    v.get(key).filter(|value| !value.is_null()).map(flag)
}

/// The `links` of an object, built by hand from the JSON.
fn links(v: &Value) -> Vec<Link> {
    let Some(list) = v.get("links").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|l| {
            serde_json::from_value::<Link>(json!({
                "href": l.get("href").and_then(Value::as_str).unwrap_or(""),
                "rel": l.get("rel").and_then(Value::as_str).unwrap_or(""),
            }))
            .unwrap()
        })
        .collect()
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

/// The keys a [`Volume`] names; every other key of a volume object lands in `extra`.
pub const VOLUME_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "size",
    "volume_type",
    "availability_zone",
    "bootable",
    "encrypted",
    "multiattach",
    "attachments",
    "created_at",
    "updated_at",
    "description",
    "metadata",
    "snapshot_id",
    "source_volid",
    "backup_id",
    "user_id",
    "volume_type_id",
    "migration_status",
    "replication_status",
    "links",
    "os-vol-tenant-attr:tenant_id",
    "os-vol-host-attr:host",
    "os-vol-mig-status-attr:migstat",
    "os-vol-mig-status-attr:name_id",
    "consistencygroup_id",
    "group_id",
    "provider_id",
    "service_uuid",
    "shared_targets",
    "cluster_name",
    "encryption_key_id",
    "consumes_quota",
    "volume_image_metadata",
];

/// The keys a [`Snapshot`] names.
pub const SNAPSHOT_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "volume_id",
    "size",
    "created_at",
    "updated_at",
    "description",
    "metadata",
    "os-extended-snapshot-attributes:progress",
];

/// The keys a [`Backup`] names.
pub const BACKUP_FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "volume_id",
    "snapshot_id",
    "size",
    "created_at",
    "updated_at",
    "data_timestamp",
    "description",
    "is_incremental",
    "has_dependent_backups",
    "container",
    "availability_zone",
    "fail_reason",
    "object_count",
    "metadata",
];

/// The keys a [`ServerAttachment`] names.
pub const ATTACHMENT_FIELDS: &[&str] = &[
    "volumeId",
    "serverId",
    "device",
    "id",
    "attachment_id",
    "tag",
    "delete_on_termination",
];

/// The fields of object `v` that a type naming `named` keeps in `extra`, as sent.
pub fn extra_of(v: &Value, named: &[&str]) -> Map<String, Value> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !named.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Test-side mirror of [`VolumeAttachment`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedVolumeAttachment {
    pub attachment_id: Option<String>,
    pub volume_id: Option<String>,
    pub server_id: Option<String>,
    pub device: Option<String>,
    pub host_name: Option<String>,
    pub attached_at: Option<String>,
}

impl ExpectedVolumeAttachment {
    pub fn of(a: &VolumeAttachment) -> ExpectedVolumeAttachment {
        ExpectedVolumeAttachment {
            attachment_id: a.attachment_id.clone(),
            volume_id: a.volume_id.clone(),
            server_id: a.server_id.clone(),
            device: a.device.clone(),
            host_name: a.host_name.clone(),
            attached_at: a.attached_at.clone(),
        }
    }
}

impl PartialEq<ExpectedVolumeAttachment> for VolumeAttachment {
    fn eq(&self, other: &ExpectedVolumeAttachment) -> bool {
        ExpectedVolumeAttachment::of(self) == *other
    }
}

/// Test-side mirror of [`Volume`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedVolume {
    pub id: String,
    pub name: Option<String>,
    pub status: VolumeStatus,
    pub size: u64,
    pub volume_type: Option<String>,
    pub availability_zone: Option<String>,
    pub bootable: bool,
    pub encrypted: bool,
    pub multiattach: bool,
    pub attachments: Vec<ExpectedVolumeAttachment>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub snapshot_id: Option<String>,
    pub source_volid: Option<String>,
    pub backup_id: Option<String>,
    pub user_id: Option<String>,
    pub volume_type_id: Option<String>,
    pub migration_status: Option<String>,
    pub replication_status: Option<String>,
    pub links: Vec<Link>,
    pub tenant_id: Option<String>,
    pub host: Option<String>,
    pub migration_state: Option<String>,
    pub migration_name_id: Option<String>,
    pub consistencygroup_id: Option<String>,
    pub group_id: Option<String>,
    pub provider_id: Option<String>,
    pub service_uuid: Option<String>,
    pub shared_targets: Option<bool>,
    pub cluster_name: Option<String>,
    pub encryption_key_id: Option<String>,
    pub consumes_quota: Option<bool>,
    pub volume_image_metadata: BTreeMap<String, String>,
    pub extra: Map<String, Value>,
}

impl ExpectedVolume {
    pub fn of(v: &Volume) -> ExpectedVolume {
        ExpectedVolume {
            id: v.id.clone(),
            name: v.name.clone(),
            status: v.status.clone(),
            size: v.size,
            volume_type: v.volume_type.clone(),
            availability_zone: v.availability_zone.clone(),
            bootable: v.bootable,
            encrypted: v.encrypted,
            multiattach: v.multiattach,
            attachments: v
                .attachments
                .iter()
                .map(ExpectedVolumeAttachment::of)
                .collect(),
            created_at: v.created_at.clone(),
            updated_at: v.updated_at.clone(),
            description: v.description.clone(),
            metadata: v.metadata.clone(),
            snapshot_id: v.snapshot_id.clone(),
            source_volid: v.source_volid.clone(),
            backup_id: v.backup_id.clone(),
            user_id: v.user_id.clone(),
            volume_type_id: v.volume_type_id.clone(),
            migration_status: v.migration_status.clone(),
            replication_status: v.replication_status.clone(),
            links: v.links.clone(),
            tenant_id: v.tenant_id.clone(),
            host: v.host.clone(),
            migration_state: v.migration_state.clone(),
            migration_name_id: v.migration_name_id.clone(),
            consistencygroup_id: v.consistencygroup_id.clone(),
            group_id: v.group_id.clone(),
            provider_id: v.provider_id.clone(),
            service_uuid: v.service_uuid.clone(),
            shared_targets: v.shared_targets,
            cluster_name: v.cluster_name.clone(),
            encryption_key_id: v.encryption_key_id.clone(),
            consumes_quota: v.consumes_quota,
            volume_image_metadata: v.volume_image_metadata.clone(),
            extra: v.extra.clone(),
        }
    }
}

impl PartialEq<ExpectedVolume> for Volume {
    fn eq(&self, other: &ExpectedVolume) -> bool {
        ExpectedVolume::of(self) == *other
    }
}

/// Test-side mirror of [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedSnapshot {
    pub id: String,
    pub name: Option<String>,
    pub status: SnapshotStatus,
    pub volume_id: String,
    pub size: u64,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub progress: Option<String>,
    pub extra: Map<String, Value>,
}

impl ExpectedSnapshot {
    pub fn of(s: &Snapshot) -> ExpectedSnapshot {
        ExpectedSnapshot {
            id: s.id.clone(),
            name: s.name.clone(),
            status: s.status.clone(),
            volume_id: s.volume_id.clone(),
            size: s.size,
            created_at: s.created_at.clone(),
            updated_at: s.updated_at.clone(),
            description: s.description.clone(),
            metadata: s.metadata.clone(),
            progress: s.progress.clone(),
            extra: s.extra.clone(),
        }
    }
}

impl PartialEq<ExpectedSnapshot> for Snapshot {
    fn eq(&self, other: &ExpectedSnapshot) -> bool {
        ExpectedSnapshot::of(self) == *other
    }
}

/// Test-side mirror of [`Backup`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedBackup {
    pub id: String,
    pub name: Option<String>,
    pub status: BackupStatus,
    pub volume_id: String,
    pub snapshot_id: Option<String>,
    pub size: u64,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub data_timestamp: Option<String>,
    pub description: Option<String>,
    pub is_incremental: bool,
    pub has_dependent_backups: bool,
    pub container: Option<String>,
    pub availability_zone: Option<String>,
    pub fail_reason: Option<String>,
    pub object_count: u64,
    pub metadata: BTreeMap<String, String>,
    pub extra: Map<String, Value>,
}

impl ExpectedBackup {
    pub fn of(b: &Backup) -> ExpectedBackup {
        ExpectedBackup {
            id: b.id.clone(),
            name: b.name.clone(),
            status: b.status.clone(),
            volume_id: b.volume_id.clone(),
            snapshot_id: b.snapshot_id.clone(),
            size: b.size,
            created_at: b.created_at.clone(),
            updated_at: b.updated_at.clone(),
            data_timestamp: b.data_timestamp.clone(),
            description: b.description.clone(),
            is_incremental: b.is_incremental,
            has_dependent_backups: b.has_dependent_backups,
            container: b.container.clone(),
            availability_zone: b.availability_zone.clone(),
            fail_reason: b.fail_reason.clone(),
            object_count: b.object_count,
            metadata: b.metadata.clone(),
            extra: b.extra.clone(),
        }
    }
}

impl PartialEq<ExpectedBackup> for Backup {
    fn eq(&self, other: &ExpectedBackup) -> bool {
        ExpectedBackup::of(self) == *other
    }
}

/// Test-side mirror of [`BackupRestore`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedRestore {
    pub backup_id: String,
    pub volume_id: String,
    pub volume_name: Option<String>,
}

impl ExpectedRestore {
    pub fn new(backup_id: &str, volume_id: &str, volume_name: Option<&str>) -> ExpectedRestore {
        ExpectedRestore {
            backup_id: backup_id.into(),
            volume_id: volume_id.into(),
            volume_name: volume_name.map(str::to_string),
        }
    }
}

impl PartialEq<ExpectedRestore> for BackupRestore {
    fn eq(&self, other: &ExpectedRestore) -> bool {
        self.backup_id == other.backup_id
            && self.volume_id == other.volume_id
            && self.volume_name == other.volume_name
    }
}

/// Test-side mirror of [`ServerAttachment`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedAttachment {
    pub volume_id: String,
    pub server_id: Option<String>,
    pub device: Option<String>,
    pub id: Option<String>,
    pub attachment_id: Option<String>,
    pub tag: Option<String>,
    pub delete_on_termination: Option<bool>,
    pub extra: Map<String, Value>,
}

impl ExpectedAttachment {
    pub fn of(a: &ServerAttachment) -> ExpectedAttachment {
        ExpectedAttachment {
            volume_id: a.volume_id.clone(),
            server_id: a.server_id.clone(),
            device: a.device.clone(),
            id: a.id.clone(),
            attachment_id: a.attachment_id.clone(),
            tag: a.tag.clone(),
            delete_on_termination: a.delete_on_termination,
            extra: a.extra.clone(),
        }
    }
}

impl PartialEq<ExpectedAttachment> for ServerAttachment {
    fn eq(&self, other: &ExpectedAttachment) -> bool {
        ExpectedAttachment::of(self) == *other
    }
}

/// The [`Volume`] a spec-following decoder makes of `v` (one volume object).
pub fn oracle_volume(v: &Value) -> ExpectedVolume {
    ExpectedVolume {
        id: text(v, "id").unwrap_or_default(),
        name: text(v, "name"),
        status: VolumeStatus::from(text(v, "status").unwrap_or_default().as_str()),
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
                    .map(|a| ExpectedVolumeAttachment {
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
        volume_type_id: text(v, "volume_type_id"),
        migration_status: text(v, "migration_status"),
        replication_status: text(v, "replication_status"),
        links: links(v),
        tenant_id: text(v, "os-vol-tenant-attr:tenant_id"),
        host: text(v, "os-vol-host-attr:host"),
        migration_state: text(v, "os-vol-mig-status-attr:migstat"),
        migration_name_id: text(v, "os-vol-mig-status-attr:name_id"),
        consistencygroup_id: text(v, "consistencygroup_id"),
        group_id: text(v, "group_id"),
        provider_id: text(v, "provider_id"),
        service_uuid: text(v, "service_uuid"),
        shared_targets: opt_flag(v, "shared_targets"),
        cluster_name: text(v, "cluster_name"),
        encryption_key_id: text(v, "encryption_key_id"),
        consumes_quota: opt_flag(v, "consumes_quota"),
        volume_image_metadata: v.get("volume_image_metadata").map(meta).unwrap_or_default(),
        extra: extra_of(v, VOLUME_FIELDS),
    }
}

/// The [`Snapshot`] a spec-following decoder makes of `v`.
pub fn oracle_snapshot(v: &Value) -> ExpectedSnapshot {
    ExpectedSnapshot {
        id: text(v, "id").unwrap_or_default(),
        name: text(v, "name"),
        status: SnapshotStatus::from(text(v, "status").unwrap_or_default().as_str()),
        volume_id: text(v, "volume_id").unwrap_or_default(),
        size: v.get("size").and_then(Value::as_u64).unwrap_or(0),
        created_at: text(v, "created_at"),
        updated_at: text(v, "updated_at"),
        description: text(v, "description"),
        metadata: v.get("metadata").map(meta).unwrap_or_default(),
        progress: text(v, "os-extended-snapshot-attributes:progress"),
        extra: extra_of(v, SNAPSHOT_FIELDS),
    }
}

/// The [`Backup`] a spec-following decoder makes of `v`.
pub fn oracle_backup(v: &Value) -> ExpectedBackup {
    ExpectedBackup {
        id: text(v, "id").unwrap_or_default(),
        name: text(v, "name"),
        status: BackupStatus::from(text(v, "status").unwrap_or_default().as_str()),
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
        extra: extra_of(v, BACKUP_FIELDS),
    }
}

/// The [`ServerAttachment`] a spec-following decoder makes of `v`.
pub fn oracle_attachment(v: &Value) -> ExpectedAttachment {
    ExpectedAttachment {
        volume_id: text(v, "volumeId").unwrap_or_default(),
        server_id: text(v, "serverId"),
        device: text(v, "device"),
        id: text(v, "id"),
        attachment_id: text(v, "attachment_id"),
        tag: text(v, "tag"),
        delete_on_termination: v
            .get("delete_on_termination")
            .filter(|value| !value.is_null())
            .map(flag),
        extra: extra_of(v, ATTACHMENT_FIELDS),
    }
}
