//! Every upstream Cinder and Nova sample decodes into the public types, field by field as the
//! wire spec says; serialization gives plain JSON; decoding tolerates nulls, keeps unknown
//! fields in `extra` and keeps unknown statuses.

mod common;
mod ops_common;

use std::path::{Path, PathBuf};

use infomaniak_block_storage::{
    Backup, BackupRestore, ServerAttachment, Snapshot, Volume, VolumeStatus,
};
use ops_common::*;
use serde_json::{Value, json};

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/api-samples")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
}

fn rel(path: &Path) -> String {
    path.strip_prefix(samples_dir())
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn list<T>(value: &Value, one: impl Fn(&Value) -> T) -> Vec<T> {
    value.as_array().expect("a list").iter().map(one).collect()
}

#[test]
fn every_cinder_volume_snapshot_and_backup_sample_decodes() {
    let base = samples_dir().join("cinder");
    let mut files = Vec::new();
    for dir in ["volumes", "snapshots", "backups", "v2"] {
        json_files(&base.join(dir), &mut files);
    }
    files.push(base.join("backup-restore-response.json"));
    let mut decoded = 0;
    let mut skipped = Vec::new();
    for path in &files {
        let name = rel(path);
        let sample = common::sample(&name);
        let mut hit = false;
        for (key, value) in sample.as_object().expect("object") {
            match key.as_str() {
                "volume" => {
                    let v: Volume = serde_json::from_value(value.clone())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(v, oracle_volume(value), "{name}");
                    hit = true;
                }
                "volumes" => {
                    let v: Vec<Volume> = serde_json::from_value(value.clone())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert!(!v.is_empty(), "{name}");
                    assert_eq!(v, list(value, oracle_volume), "{name}");
                    hit = true;
                }
                "snapshot" => {
                    let s: Snapshot = serde_json::from_value(value.clone())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(s, oracle_snapshot(value), "{name}");
                    hit = true;
                }
                "snapshots" => {
                    let s: Vec<Snapshot> = serde_json::from_value(value.clone())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert!(!s.is_empty(), "{name}");
                    assert_eq!(s, list(value, oracle_snapshot), "{name}");
                    hit = true;
                }
                "backup" => {
                    let b: Backup = serde_json::from_value(value.clone())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(b, oracle_backup(value), "{name}");
                    hit = true;
                }
                "backups" => {
                    let b: Vec<Backup> = serde_json::from_value(value.clone())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert!(!b.is_empty(), "{name}");
                    assert_eq!(b, list(value, oracle_backup), "{name}");
                    hit = true;
                }
                "restore" => {
                    let r: BackupRestore = serde_json::from_value(value.clone())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(
                        r,
                        ExpectedRestore::new(
                            "2ef47aee-8844-490c-804d-2a8efe561c65",
                            "795114e8-7489-40be-a978-83797f2c1dd3",
                            Some("volume01"),
                        )
                    );
                    hit = true;
                }
                // Not resources: pagination, counts, scheduler hints, metadata calls, summary.
                "volumes_links"
                | "snapshots_links"
                | "count"
                | "OS-SCH-HNT:scheduler_hints"
                | "metadata"
                | "meta"
                | "volume-summary" => {}
                other => panic!("{name}: unexpected root key {other}"),
            }
        }
        if hit {
            decoded += 1;
        } else {
            skipped.push(name);
        }
    }
    // 8 volume metadata samples and the volume summary hold no resource.
    assert_eq!(skipped.len(), 9, "{skipped:#?}");
    assert!(
        skipped
            .iter()
            .all(|s| s.contains("metadata") || s.contains("summary")),
        "{skipped:#?}"
    );
    assert_eq!(decoded, 36, "every resource sample must be decoded");
}

#[test]
fn v2_detailed_list_keeps_booleans_and_attachments() {
    let sample = common::sample("cinder/v2/volumes-list-detailed-response.json");
    let volumes: Vec<Volume> = serde_json::from_value(sample["volumes"].clone()).unwrap();
    assert_eq!(volumes.len(), 2);
    let attached = &volumes[0];
    assert_eq!(attached.id, VOL);
    assert_eq!(attached.status, "in-use");
    assert_eq!(attached.size, 2);
    assert!(!attached.bootable); // "false"
    assert!(!attached.encrypted);
    assert!(attached.multiattach);
    assert_eq!(attached.volume_type.as_deref(), Some("lvmdriver-1"));
    assert_eq!(
        attached.attachments,
        vec![ExpectedVolumeAttachment {
            attachment_id: Some("3b4db356-253d-4fab-bfa0-e3626c0b8405".into()),
            volume_id: Some(VOL.into()),
            server_id: Some("f4fda93b-06e0-4743-8117-bc8bcecd651b".into()),
            device: Some("/dev/vdb".into()),
            host_name: None,
            attached_at: None,
        }]
    );
    // metadata values that are not strings are kept as their JSON text
    assert_eq!(
        attached.metadata.get("readonly").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        attached.metadata.get("attached_mode").map(String::as_str),
        Some("rw")
    );
    let image = &volumes[1];
    assert_eq!(image.id, VOL2);
    assert!(image.bootable); // "true"
    assert_eq!(image.description.as_deref(), Some(""));
    assert!(image.attachments.is_empty());
}

#[test]
fn backup_samples_keep_the_incremental_flags() {
    for file in [
        "cinder/backups/backup-show-response.json",
        "cinder/backups/v3.56/backup-show-response.json",
    ] {
        let b: Backup = serde_json::from_value(common::sample(file)["backup"].clone()).unwrap();
        assert!(!b.is_incremental && !b.has_dependent_backups, "{file}");
        assert_eq!((b.size, b.status.as_str()), (10, "creating"), "{file}");
    }
    // No upstream sample has them true; the same fields as Cinder sends them when they are.
    let b: Backup = serde_json::from_value(json!({
        "id": "x", "is_incremental": true, "has_dependent_backups": true,
        "object_count": 22, "size": 5, "status": "available", "volume_id": VOL
    }))
    .unwrap();
    assert!(b.is_incremental && b.has_dependent_backups);
    assert_eq!(b.object_count, 22);
}

#[test]
fn every_nova_attachment_sample_decodes() {
    let mut files = Vec::new();
    json_files(&samples_dir().join("nova"), &mut files);
    let mut decoded = 0;
    for path in &files {
        let name = rel(path);
        if name.ends_with("-req.json") {
            continue;
        }
        let sample = common::sample(&name);
        if let Some(one) = sample.get("volumeAttachment") {
            let a: ServerAttachment =
                serde_json::from_value(one.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(a, oracle_attachment(one), "{name}");
            assert_eq!(
                a.volume_id, "a07f71dc-8151-4e7d-a0cc-cd24a3f11113",
                "{name}"
            );
            decoded += 1;
        } else if let Some(many) = sample.get("volumeAttachments") {
            let a: Vec<ServerAttachment> =
                serde_json::from_value(many.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(a.len(), 2, "{name}");
            assert_eq!(a, list(many, oracle_attachment), "{name}");
            decoded += 1;
        } else {
            panic!("{name}: no attachment in the sample");
        }
    }
    // 4 attach responses/details at 2.1, 2.79, 2.89, 2.101 minus the absent 2.101 attach
    // response, and 4 lists.
    assert_eq!(decoded, 11);
    // 2.89+: no `id`, an `attachment_id`.
    let a: ServerAttachment = serde_json::from_value(
        common::sample("nova/v2.89/volume-attachment-detail-resp.json")["volumeAttachment"].clone(),
    )
    .unwrap();
    assert_eq!(a.id, None);
    assert_eq!(
        a.attachment_id.as_deref(),
        Some("721a5c82-5ebc-4c6a-8339-3d33d8d027ed")
    );
    assert_eq!(a.delete_on_termination, Some(true));
    assert_eq!(a.tag.as_deref(), Some("foo"));
}

#[test]
fn a_volume_serializes_to_plain_json_with_the_spec_keys() {
    let sample = common::sample("cinder/v2/volumes-list-detailed-response.json");
    let volume: Volume = serde_json::from_value(sample["volumes"][1].clone()).unwrap();
    let out = serde_json::to_value(&volume).unwrap();
    for key in [
        "id",
        "name",
        "status",
        "size",
        "volume_type",
        "availability_zone",
        "bootable",
        "encrypted",
        "attachments",
        "created_at",
    ] {
        assert!(out.get(key).is_some(), "missing {key} in {out}");
    }
    assert_eq!(out["bootable"], json!(true));
    assert_eq!(out["encrypted"], json!(false));
    assert_eq!(out["size"], json!(1));
    assert_eq!(out["id"], json!(VOL2));
    assert_eq!(out["name"], json!("test-volume"));
    assert_eq!(out["availability_zone"], json!("nova"));
    assert_eq!(out["attachments"], json!([]));
    assert_eq!(out["created_at"], json!("2015-11-29T02:25:18.000000"));
    // and it reads back to the same value
    let back: Volume = serde_json::from_value(out).unwrap();
    assert_eq!(back, volume);
    let attached: Volume = serde_json::from_value(sample["volumes"][0].clone()).unwrap();
    let out = serde_json::to_value(&attached).unwrap();
    assert_eq!(out["bootable"], json!(false));
    assert_eq!(
        out["attachments"][0]["server_id"],
        json!("f4fda93b-06e0-4743-8117-bc8bcecd651b")
    );
}

#[test]
fn null_fields_decode_to_defaults() {
    let all_null = json!({
        "id": null, "name": null, "status": null, "size": null, "volume_type": null,
        "availability_zone": null, "bootable": null, "encrypted": null, "multiattach": null,
        "attachments": null, "created_at": null, "updated_at": null, "description": null,
        "metadata": null, "snapshot_id": null, "source_volid": null, "backup_id": null,
        "user_id": null
    });
    assert_eq!(
        serde_json::from_value::<Volume>(all_null).unwrap(),
        Volume::default()
    );
    assert_eq!(
        serde_json::from_value::<Volume>(json!({})).unwrap(),
        Volume::default()
    );
    let snapshot = json!({"id": null, "name": null, "status": null, "volume_id": null, "size": null,
        "metadata": null, "os-extended-snapshot-attributes:progress": null});
    assert_eq!(
        serde_json::from_value::<Snapshot>(snapshot).unwrap(),
        Snapshot::default()
    );
    let backup = json!({"id": null, "status": null, "volume_id": null, "size": null,
        "is_incremental": null, "has_dependent_backups": null, "object_count": null, "metadata": null});
    assert_eq!(
        serde_json::from_value::<Backup>(backup).unwrap(),
        Backup::default()
    );
    let attachment =
        json!({"volumeId": null, "serverId": null, "device": null, "delete_on_termination": null});
    assert_eq!(
        serde_json::from_value::<ServerAttachment>(attachment).unwrap(),
        ServerAttachment::default()
    );
}

#[test]
fn unknown_fields_are_kept_in_extra_and_unknown_statuses_kept() {
    let v: Volume = serde_json::from_value(json!({
        "id": VOL, "status": "awaiting-transfer-v99", "size": "40",
        "brand_new_field": {"nested": [1, 2, 3]}, "os-vol-host-attr:host": "h@b#p",
        "bootable": "True", "encrypted": "false"
    }))
    .unwrap();
    assert_eq!(v.status, "awaiting-transfer-v99");
    assert_eq!(
        v.status,
        VolumeStatus::Other("awaiting-transfer-v99".into())
    );
    // Unknown fields are not lost: they are kept, as sent, in `extra`.
    assert_eq!(v.extra["brand_new_field"], json!({"nested": [1, 2, 3]}));
    assert_eq!(v.extra.len(), 1);
    // Documented admin attributes have fields of their own.
    assert_eq!(v.host.as_deref(), Some("h@b#p"));
    assert!(!v.is_error());
    assert_eq!(v.size, 40);
    assert!(v.bootable);
    assert!(!v.encrypted);
    let failed: Volume = serde_json::from_value(json!({"status": "error_restoring"})).unwrap();
    assert!(failed.is_error());
    let s: Snapshot =
        serde_json::from_value(json!({"id": SNAP, "status": "unmanaging", "future": true}))
            .unwrap();
    assert_eq!(s.status, "unmanaging");
    assert_eq!(s.extra["future"], json!(true));
    // A size that is not a number is a decode error, not a silent 0.
    assert!(serde_json::from_value::<Volume>(json!({"size": "ten"})).is_err());
}
