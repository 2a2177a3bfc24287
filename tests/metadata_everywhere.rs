//! Issue 11, item 7: metadata everywhere it exists. Snapshot metadata (`GET`/`POST
//! /snapshots/{id}/metadata`, `DELETE .../metadata/{key}`, metadata at creation; Cinder 3.0),
//! backup metadata at creation and `PUT /backups/{id}` with name, description (3.9) and
//! metadata (3.43), and backups made from a snapshot (`snapshot_id`, 3.0), into a `container`
//! (3.0) and in an availability zone (3.51). Against httpmock and the simulated cloud.

// Both fixture modules: httpmock's (`common`, shared with `ops_common`) and the simulated
// cloud's, which embeds its own copy; the log capture used here is `common`'s.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;
mod ops_common;

use std::collections::BTreeMap;

use common::{client_at, server};
use httpmock::prelude::*;
use infomaniak_block_storage::{
    BackupStatus, CreateBackupOptions, CreateSnapshotOptions, Error, SnapshotStatus, UpdateBackup,
};
use ops_common::*;
use serde_json::json;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ----- snapshot metadata (httpmock) -----------------------------------------------------------

#[test]
fn snapshot_metadata_get_set_and_delete_a_key() {
    let server = server();
    let get = server.mock(|when, then| {
        no_query(cinder_call(
            when.method(GET)
                .path(cinder(&format!("/snapshots/{SNAP}/metadata"))),
        ));
        reply_json(then, 200, json!({"metadata": {"kind": "nightly"}}));
    });
    let set = server.mock(|when, then| {
        json_request(
            cinder_call(
                when.method(POST)
                    .path(cinder(&format!("/snapshots/{SNAP}/metadata"))),
            ),
            json!({"metadata": {"build id": "42", "owner": "ci"}}),
        );
        reply_json(
            then,
            200,
            json!({"metadata": {"kind": "nightly", "build id": "42", "owner": "ci"}}),
        );
    });
    // The key is one path segment, percent-encoded.
    let delete = server.mock(|when, then| {
        cinder_call(when.method(DELETE).path(cinder(&format!(
            "/snapshots/{SNAP}/metadata/build%20id%2F1"
        ))));
        then.status(200)
            .header("x-openstack-request-id", common::REQUEST_ID);
    });
    let client = common::client(&server);
    assert_eq!(
        client.try_get_snapshot_metadata(SNAP).unwrap(),
        map(&[("kind", "nightly")])
    );
    assert_eq!(
        client.get_snapshot_metadata(SNAP).unwrap(),
        map(&[("kind", "nightly")])
    );
    let merged = client
        .try_set_snapshot_metadata(SNAP, &map(&[("build id", "42"), ("owner", "ci")]))
        .unwrap();
    assert_eq!(
        merged,
        map(&[("kind", "nightly"), ("build id", "42"), ("owner", "ci")])
    );
    client
        .try_delete_snapshot_metadata_key(SNAP, "build id/1")
        .unwrap();
    assert!(client.delete_snapshot_metadata_key(SNAP, "build id/1"));
    get.assert_calls(2);
    set.assert_calls(1);
    delete.assert_calls(2);
}

#[test]
fn snapshot_metadata_failures() {
    common::capture_logs();
    let server = server();
    let missing = format!("Snapshot {SNAP} could not be found.");
    let get = mock_fault(
        &server,
        GET,
        cinder(&format!("/snapshots/{SNAP}/metadata")),
        404,
        "itemNotFound",
        &missing,
    );
    let no_key = mock_fault(
        &server,
        DELETE,
        cinder(&format!("/snapshots/{SNAP}/metadata/absent")),
        404,
        "itemNotFound",
        "Metadata key absent could not be found.",
    );
    let too_long = mock_fault(
        &server,
        POST,
        cinder(&format!("/snapshots/{SNAP}/metadata")),
        400,
        "badRequest",
        "Invalid input for field/attribute metadata.",
    );
    let client = common::client(&server);
    assert_not_found(
        client.try_get_snapshot_metadata(SNAP),
        "snapshot",
        SNAP,
        &missing,
        Some(common::REQUEST_ID),
    );
    assert_not_found(
        client.try_delete_snapshot_metadata_key(SNAP, "absent"),
        "metadata key",
        &format!("`absent` of snapshot {SNAP}"),
        "Metadata key absent could not be found.",
        Some(common::REQUEST_ID),
    );
    assert_api(
        client.try_set_snapshot_metadata(SNAP, &map(&[("k", "v")])),
        400,
        Some("badRequest"),
        "Invalid input for field/attribute metadata.",
        Some(common::REQUEST_ID),
        None,
    );
    plain_face_fails(
        || {
            client
                .set_snapshot_metadata(SNAP, &map(&[("k", "v")]))
                .is_none()
        },
        &["set_snapshot_metadata", SNAP, "400"],
    );
    plain_face_fails(
        || client.get_snapshot_metadata(SNAP).is_none(),
        &["get_snapshot_metadata", SNAP, "404"],
    );
    plain_face_fails(
        || !client.delete_snapshot_metadata_key(SNAP, "absent"),
        &["delete_snapshot_metadata_key", SNAP, "absent"],
    );
    get.assert_calls(2);
    no_key.assert_calls(2);
    too_long.assert_calls(2);
    // An empty key is refused before sending, in a set or a delete.
    for result in [
        client
            .try_set_snapshot_metadata(SNAP, &map(&[("", "v")]))
            .map(|_| ()),
        client.try_delete_snapshot_metadata_key(SNAP, ""),
        client.try_get_snapshot_metadata("a/b").map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(Error::InvalidArgument { .. })),
            "{result:?}"
        );
    }
    too_long.assert_calls(2);
    no_key.assert_calls(2);
}

#[test]
fn snapshot_metadata_at_creation() {
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(POST).path(cinder("/snapshots"))),
            json!({"snapshot": {"volume_id": VOL, "name": "nightly",
                                "metadata": {"kind": "nightly", "team": "ci"}}}),
        );
        reply_json(
            then,
            202,
            json!({"snapshot": {"id": SNAP, "volume_id": VOL, "name": "nightly",
                                "status": "creating", "size": 1,
                                "metadata": {"kind": "nightly", "team": "ci"}}}),
        );
    });
    let client = common::client(&server);
    let snapshot = client
        .try_create_snapshot(
            VOL,
            "nightly",
            &CreateSnapshotOptions::default()
                .metadata("kind", "nightly")
                .metadata("team", "ci"),
        )
        .unwrap();
    assert_eq!(
        snapshot.metadata,
        map(&[("kind", "nightly"), ("team", "ci")])
    );
    create.assert_calls(1);
    let empty_key = client.try_create_snapshot(
        VOL,
        "x",
        &CreateSnapshotOptions::default().metadata("", "v"),
    );
    assert!(
        matches!(empty_key, Err(Error::InvalidArgument { .. })),
        "{empty_key:?}"
    );
    create.assert_calls(1);
}

// ----- backups (httpmock) ---------------------------------------------------------------------

/// Every option at 3.67: from a snapshot, into a container, in a zone (3.51), with metadata
/// (3.43); `incremental` and `force` are always sent.
#[test]
fn backup_from_a_snapshot_in_a_container_and_zone_with_metadata() {
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(POST).path(cinder("/backups"))),
            json!({"backup": {
                "volume_id": VOL,
                "name": "weekly",
                "description": "from the snapshot",
                "incremental": false,
                "force": false,
                "snapshot_id": SNAP,
                "container": "backups-weekly",
                "availability_zone": "dc3-a-09",
                "metadata": {"retention": "30d"}
            }}),
        );
        reply_json(
            then,
            202,
            json!({"backup": {"id": BAK, "name": "weekly",
                "links": [], "metadata": {"retention": "30d"}}}),
        );
    });
    let client = common::client(&server);
    let backup = client
        .try_create_backup(
            VOL,
            "weekly",
            &CreateBackupOptions::default()
                .description("from the snapshot")
                .snapshot_id(SNAP)
                .container("backups-weekly")
                .availability_zone("dc3-a-09")
                .metadata("retention", "30d"),
        )
        .unwrap();
    assert_eq!(backup.id, BAK);
    // The create reply has no volume id: the client fills in the one it asked for.
    assert_eq!(backup.volume_id, VOL);
    assert_eq!(backup.metadata, map(&[("retention", "30d")]));
    create.assert_calls(1);
}

/// Metadata needs 3.43 and a zone 3.51: refused before sending below them; a snapshot and a
/// container need nothing (3.0).
#[test]
fn backup_options_below_their_microversion() {
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            when.method(POST)
                .path(cinder("/backups"))
                .header("OpenStack-API-Version", "volume 3.42"),
            json!({"backup": {"volume_id": VOL, "name": "b", "incremental": true,
                              "force": true, "snapshot_id": SNAP, "container": "c"}}),
        );
        reply_json(then, 202, json!({"backup": {"id": BAK, "name": "b"}}));
    });
    let client = client_at(&server, "3.42");
    assert_unsupported(
        client.try_create_backup(VOL, "b", &CreateBackupOptions::default().metadata("k", "v")),
        "Cinder",
        None,
        "3.43",
        "3.42",
    );
    assert_unsupported(
        client.try_create_backup(
            VOL,
            "b",
            &CreateBackupOptions::default().availability_zone("dc3-a-09"),
        ),
        "Cinder",
        None,
        "3.51",
        "3.42",
    );
    let at_3_50 = client_at(&server, "3.50");
    assert_unsupported(
        at_3_50.try_create_backup(
            VOL,
            "b",
            &CreateBackupOptions::default().availability_zone("dc3-a-09"),
        ),
        "Cinder",
        None,
        "3.51",
        "3.50",
    );
    create.assert_calls(0);
    client
        .try_create_backup(
            VOL,
            "b",
            &CreateBackupOptions::default()
                .incremental(true)
                .force(true)
                .snapshot_id(SNAP)
                .container("c"),
        )
        .unwrap();
    create.assert_calls(1);
}

#[test]
fn a_backup_of_a_snapshot_of_another_volume_is_cinders_400() {
    let server = server();
    let message = "Invalid snapshot: Snapshot b1323cda does not belong to volume 6edbc2f4.";
    mock_fault(
        &server,
        POST,
        cinder("/backups"),
        400,
        "badRequest",
        message,
    );
    let client = common::client(&server);
    assert_api(
        client.try_create_backup(VOL, "b", &CreateBackupOptions::default().snapshot_id(SNAP)),
        400,
        Some("badRequest"),
        message,
        Some(common::REQUEST_ID),
        None,
    );
    let bad_id =
        client.try_create_backup(VOL, "b", &CreateBackupOptions::default().snapshot_id("a/b"));
    assert_invalid_argument(&bad_id, "snapshot_id");
}

/// `PUT /backups/{id}` (3.9) with name, description and metadata (3.43); only what is set
/// is sent.
#[test]
fn update_backup_sends_what_is_set() {
    let server = server();
    let full = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(PUT).path(cinder(&format!("/backups/{BAK}")))),
            json!({"backup": {"name": "renamed", "description": "d",
                              "metadata": {"retention": "7d"}}}),
        );
        reply_json(
            then,
            200,
            json!({"backup": {"id": BAK, "name": "renamed", "description": "d",
                              "status": "available", "volume_id": VOL,
                              "metadata": {"retention": "7d"}}}),
        );
    });
    let name_only = server.mock(|when, then| {
        json_request(
            when.method(PUT)
                .path(cinder(&format!("/backups/{BAK}")))
                .header("OpenStack-API-Version", "volume 3.9"),
            json!({"backup": {"name": "n"}}),
        );
        reply_json(
            then,
            200,
            json!({"backup": {"id": BAK, "name": "n", "status": "available", "volume_id": VOL}}),
        );
    });
    let client = common::client(&server);
    let updated = client
        .try_update_backup(
            BAK,
            &UpdateBackup::default()
                .name("renamed")
                .description("d")
                .metadata(map(&[("retention", "7d")])),
        )
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("renamed"));
    assert_eq!(updated.description.as_deref(), Some("d"));
    assert_eq!(updated.metadata, map(&[("retention", "7d")]));
    assert_eq!(updated.status, BackupStatus::Available);
    let at_3_9 = client_at(&server, "3.9");
    assert_eq!(
        at_3_9
            .update_backup(BAK, &UpdateBackup::default().name("n"))
            .unwrap()
            .name
            .as_deref(),
        Some("n")
    );
    full.assert_calls(1);
    name_only.assert_calls(1);
}

#[test]
fn update_backup_below_3_9_or_metadata_below_3_43_is_unsupported() {
    let server = server();
    let any = server.mock(|when, then| {
        when.path_includes("/backups");
        reply_json(then, 200, json!({"backup": {"id": BAK}}));
    });
    assert_unsupported(
        client_at(&server, "3.8").try_update_backup(BAK, &UpdateBackup::default().name("n")),
        "Cinder",
        None,
        "3.9",
        "3.8",
    );
    assert_unsupported(
        client_at(&server, "3.42")
            .try_update_backup(BAK, &UpdateBackup::default().metadata(map(&[("k", "v")]))),
        "Cinder",
        None,
        "3.43",
        "3.42",
    );
    any.assert_calls(0);
}

#[test]
fn update_backup_failures() {
    common::capture_logs();
    let server = server();
    let missing = format!("Backup {BAK} could not be found.");
    let put = mock_fault(
        &server,
        PUT,
        cinder(&format!("/backups/{BAK}")),
        404,
        "itemNotFound",
        &missing,
    );
    let client = common::client(&server);
    assert_not_found(
        client.try_update_backup(BAK, &UpdateBackup::default().name("n")),
        "backup",
        BAK,
        &missing,
        Some(common::REQUEST_ID),
    );
    plain_face_fails(
        || {
            client
                .update_backup(BAK, &UpdateBackup::default().name("n"))
                .is_none()
        },
        &["update_backup", BAK, "404", common::REQUEST_ID],
    );
    put.assert_calls(2);
    let bad = client.try_update_backup(BAK, &UpdateBackup::default().metadata(map(&[("", "v")])));
    assert!(matches!(bad, Err(Error::InvalidArgument { .. })), "{bad:?}");
    put.assert_calls(2);
}

// ----- against the simulated cloud -----------------------------------------------------------

#[test]
fn fake_cloud_snapshot_metadata_round_trip() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "v", &Default::default());
    let snapshot = client
        .try_create_snapshot(
            &volume.id,
            "tagged",
            &CreateSnapshotOptions::default().metadata("kind", "nightly"),
        )
        .unwrap();
    assert_eq!(snapshot.metadata, map(&[("kind", "nightly")]));
    client
        .try_wait_for_snapshot_status(&snapshot.id, SnapshotStatus::Available, fake_common::LONG)
        .unwrap();
    assert_eq!(
        client.try_get_snapshot_metadata(&snapshot.id).unwrap(),
        map(&[("kind", "nightly")])
    );
    let merged = client
        .try_set_snapshot_metadata(&snapshot.id, &map(&[("owner", "ci"), ("kind", "weekly")]))
        .unwrap();
    assert_eq!(merged, map(&[("kind", "weekly"), ("owner", "ci")]));
    client
        .try_delete_snapshot_metadata_key(&snapshot.id, "kind")
        .unwrap();
    assert_eq!(
        client.try_get_snapshot(&snapshot.id).unwrap().metadata,
        map(&[("owner", "ci")])
    );
    assert!(
        client
            .try_delete_snapshot_metadata_key(&snapshot.id, "kind")
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        client
            .try_get_snapshot_metadata("no-such-snapshot")
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn fake_cloud_backup_of_a_snapshot_with_metadata_zone_and_update() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "v", &Default::default());
    let snapshot = fake_common::available_snapshot(&client, &volume.id, "s", &Default::default());
    let backup = client
        .try_create_backup(
            &volume.id,
            "from-snapshot",
            &CreateBackupOptions::default()
                .snapshot_id(&snapshot.id)
                .container("weekly")
                .availability_zone("nova")
                .metadata("retention", "30d"),
        )
        .unwrap();
    let backup = client
        .try_wait_for_backup_status(&backup.id, BackupStatus::Available, fake_common::LONG)
        .unwrap();
    assert_eq!(backup.snapshot_id.as_deref(), Some(snapshot.id.as_str()));
    assert_eq!(backup.container.as_deref(), Some("weekly"));
    assert_eq!(backup.availability_zone.as_deref(), Some("nova"));
    assert_eq!(backup.metadata, map(&[("retention", "30d")]));

    let updated = client
        .try_update_backup(
            &backup.id,
            &UpdateBackup::default()
                .name("renamed")
                .description("kept a month")
                .metadata(map(&[("retention", "31d"), ("owner", "ci")])),
        )
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("renamed"));
    let read = client.try_get_backup(&backup.id).unwrap();
    assert_eq!(read.name.as_deref(), Some("renamed"));
    assert_eq!(read.description.as_deref(), Some("kept a month"));
    assert_eq!(read.metadata, map(&[("owner", "ci"), ("retention", "31d")]));
    assert_eq!(client.try_find_backup("renamed").unwrap().id, backup.id);

    // The cloud's own rules: a snapshot of another volume is refused.
    let other = fake_common::available_volume(&client, 1, "other", &Default::default());
    let refused = client
        .try_create_backup(
            &other.id,
            "wrong",
            &CreateBackupOptions::default().snapshot_id(&snapshot.id),
        )
        .unwrap_err();
    assert_eq!(refused.status(), Some(400), "{refused}");
}

/// A Cinder that stops at 3.42, met first by a create with metadata (3.43): the 406 teaches
/// the client 3.42, and the create is `Unsupported` instead of being sent again at 3.42,
/// where Cinder would refuse (or drop) the metadata.
#[test]
fn fake_cloud_a_406_fallback_does_not_resend_backup_metadata() {
    let cloud = infomaniak_fake_cloud::FakeCloud::builder()
        .transition_delay(std::time::Duration::from_millis(20))
        .volume_microversion_range("3.0", "3.42")
        .start();
    let client = fake_common::client(&cloud);
    let result = client.try_create_backup(
        "6edbc2f4-1507-44f8-ac0d-eed1d2608d38",
        "b",
        &CreateBackupOptions::default().metadata("k", "v"),
    );
    assert_unsupported(result, "Cinder", None, "3.43", "3.42");
    let posts: Vec<_> = cloud
        .request_log()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/backups"))
        .map(|r| r.header("openstack-api-version").unwrap_or("").to_string())
        .collect();
    assert_eq!(posts, ["volume 3.67"], "only the refused attempt was sent");
    // The same for an update with metadata.
    let fresh = fake_common::client(&cloud);
    assert_unsupported(
        fresh.try_update_backup(BAK, &UpdateBackup::default().metadata(map(&[("k", "v")]))),
        "Cinder",
        None,
        "3.43",
        "3.42",
    );
    let puts = cloud
        .request_log()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(puts, 1);
}

/// A key of `.` or `..` cannot be a URL path segment: `DELETE .../metadata/..` is `DELETE
/// /volumes/{id}` (or `/snapshots/{id}`) to every URL normalizer between the client and
/// Cinder, which would delete the resource instead of a key. Refused before sending, for
/// volumes and snapshots, in a delete and in a set (a key that could never be deleted alone).
#[test]
fn dot_keys_are_refused_before_sending() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "v", &Default::default());
    let snapshot = client
        .try_create_snapshot(&volume.id, "s", &Default::default())
        .unwrap();
    let sent_before = cloud.request_log().len();
    for key in [".", ".."] {
        for result in [
            client.try_delete_volume_metadata_key(&volume.id, key),
            client.try_delete_snapshot_metadata_key(&snapshot.id, key),
            client
                .try_set_volume_metadata(&volume.id, &map(&[(key, "v")]))
                .map(|_| ()),
            client
                .try_set_snapshot_metadata(&snapshot.id, &map(&[(key, "v")]))
                .map(|_| ()),
        ] {
            assert!(
                matches!(
                    result,
                    Err(Error::InvalidArgument {
                        argument: "key",
                        ..
                    })
                ),
                "{key:?}: {result:?}"
            );
        }
        assert!(!client.delete_volume_metadata_key(&volume.id, key));
    }
    let sent: Vec<String> = fake_common::log_since(&cloud, sent_before)
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(sent, Vec::<String>::new(), "nothing may be sent");
    // Keys that merely hold dots are fine.
    client
        .try_set_volume_metadata(&volume.id, &map(&[("a.b", "1"), ("...", "2")]))
        .unwrap();
    client
        .try_delete_volume_metadata_key(&volume.id, "...")
        .unwrap();
    assert_eq!(
        client.try_get_volume_metadata(&volume.id).unwrap(),
        map(&[("a.b", "1")])
    );
}
