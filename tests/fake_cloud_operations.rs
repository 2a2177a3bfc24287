//! The operations beyond the basic fourteen, end to end against the simulated cloud
//! (`infomaniak-fake-cloud`): state changes, what went on the wire, both faces.

// Both fixture modules: the simulated cloud's (`fake_common`, which embeds its own copy of
// `common`) and `common`, whose log capture and asserts are used here.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::assert::assert_unsupported;
use common::{capture_logs, one_error_line};
use fake_common::{LONG, cinder, config};
use infomaniak_block_storage::{
    AttachOptions, CreateSnapshotOptions, CreateVolumeOptions, Error, InfomaniakVolumeClient,
    MigrationPolicy, UpdateSnapshot, UpdateVolume, Volume, VolumeStatus,
};
use infomaniak_fake_cloud::{FakeCloud, RecordedRequest};
use serde_json::json;

fn start() -> (FakeCloud, InfomaniakVolumeClient) {
    capture_logs();
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    (cloud, client)
}

fn new_volume(client: &InfomaniakVolumeClient, size: u64, name: &str) -> Volume {
    let v = client
        .try_create_volume(size, name, &CreateVolumeOptions::default())
        .unwrap();
    client
        .try_wait_for_volume_status(&v.id, VolumeStatus::Available, LONG)
        .unwrap()
}

/// The requests logged since `from` with this method whose path ends with `suffix`.
fn sent(cloud: &FakeCloud, from: usize, method: &str, suffix: &str) -> Vec<RecordedRequest> {
    cloud.request_log()[from..]
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(suffix))
        .cloned()
        .collect()
}

#[test]
fn update_volume_and_metadata_round_trip() {
    let (cloud, client) = start();
    let v = new_volume(&client, 1, "before");
    let mark = cloud.request_log().len();
    let updated = client
        .try_update_volume(
            &v.id,
            &UpdateVolume::default()
                .name("after")
                .description("described"),
        )
        .unwrap();
    assert_eq!(updated.id, v.id);
    assert_eq!(updated.name.as_deref(), Some("after"));
    assert_eq!(updated.description.as_deref(), Some("described"));
    let puts = sent(&cloud, mark, "PUT", &format!("/volumes/{}", v.id));
    assert_eq!(puts.len(), 1);
    assert_eq!(
        puts[0].body_json(),
        Some(json!({"volume": {"name": "after", "description": "described"}}))
    );
    assert_eq!(puts[0].header("openstack-api-version"), Some("volume 3.67"));

    let mut first = BTreeMap::new();
    first.insert("a b".to_string(), "1".to_string());
    first.insert("env".to_string(), "dev".to_string());
    assert_eq!(
        client.try_set_volume_metadata(&v.id, &first).unwrap(),
        first
    );
    let mut second = BTreeMap::new();
    second.insert("env".to_string(), "prod".to_string());
    second.insert("team".to_string(), "ops".to_string());
    let merged = client.set_volume_metadata(&v.id, &second).unwrap();
    let mut expected = first.clone();
    expected.extend(second.clone());
    assert_eq!(merged, expected, "POST merges");
    assert_eq!(client.get_volume_metadata(&v.id), Some(expected.clone()));

    let mark = cloud.request_log().len();
    assert_eq!(client.try_delete_volume_metadata_key(&v.id, "a b"), Ok(()));
    let deletes = sent(&cloud, mark, "DELETE", "/metadata/a%20b");
    assert_eq!(deletes.len(), 1);
    assert_eq!(
        deletes[0].path,
        format!("{}/volumes/{}/metadata/a%20b", cinder(), v.id)
    );
    expected.remove("a b");
    assert_eq!(client.try_get_volume_metadata(&v.id).unwrap(), expected);

    // The key is gone now: 404, naming the key.
    assert!(matches!(
        client.try_delete_volume_metadata_key(&v.id, "a b"),
        Err(Error::NotFound {
            resource: "metadata key",
            ..
        })
    ));
    let (ok, line) = one_error_line(|| client.delete_volume_metadata_key(&v.id, "a b"));
    assert!(!ok);
    assert!(line.contains("delete_volume_metadata_key"), "{line}");

    // Unknown volume.
    assert!(matches!(
        client.try_update_volume("no-such-volume", &UpdateVolume::default()),
        Err(Error::NotFound {
            resource: "volume",
            ..
        })
    ));
    let (none, _) = one_error_line(|| client.get_volume_metadata("no-such-volume"));
    assert_eq!(none, None);
}

#[test]
fn retype_changes_the_type() {
    let (cloud, client) = start();
    let v = new_volume(&client, 1, "typed");
    assert_eq!(v.volume_type.as_deref(), Some("CEPH_1_perf1"));
    let mark = cloud.request_log().len();
    assert_eq!(
        client.try_retype_volume(&v.id, "CEPH_1_perf2", MigrationPolicy::OnDemand),
        Ok(())
    );
    let actions = sent(&cloud, mark, "POST", "/action");
    assert_eq!(
        actions[0].body_json(),
        Some(json!({"os-retype": {"new_type": "CEPH_1_perf2", "migration_policy": "on-demand"}}))
    );
    let v = client
        .try_wait_for_volume_status(&v.id, VolumeStatus::Available, LONG)
        .unwrap();
    assert_eq!(v.volume_type.as_deref(), Some("CEPH_1_perf2"));

    // Same type again: 400.
    let err = client
        .try_retype_volume(&v.id, "CEPH_1_perf2", MigrationPolicy::Never)
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("badRequest"));
    let (ok, _) =
        one_error_line(|| client.retype_volume(&v.id, "CEPH_1_perf2", MigrationPolicy::Never));
    assert!(!ok);
}

#[test]
fn bootable_and_readonly_flags() {
    let (cloud, client) = start();
    let v = new_volume(&client, 1, "flags");
    assert!(!v.bootable);
    let mark = cloud.request_log().len();
    assert_eq!(client.try_set_volume_bootable(&v.id, true), Ok(()));
    assert!(client.get_volume(&v.id).unwrap().bootable);
    assert!(client.set_volume_bootable(&v.id, false));
    assert!(!client.get_volume(&v.id).unwrap().bootable);
    assert_eq!(client.try_set_volume_readonly(&v.id, true), Ok(()));
    assert!(client.set_volume_readonly(&v.id, false));
    let bodies: Vec<_> = sent(&cloud, mark, "POST", "/action")
        .iter()
        .map(|r| r.body_json().unwrap())
        .collect();
    assert_eq!(
        bodies,
        vec![
            json!({"os-set_bootable": {"bootable": true}}),
            json!({"os-set_bootable": {"bootable": false}}),
            json!({"os-update_readonly_flag": {"readonly": true}}),
            json!({"os-update_readonly_flag": {"readonly": false}}),
        ]
    );

    assert!(matches!(
        client.try_set_volume_bootable("no-such-volume", true),
        Err(Error::NotFound { .. })
    ));
    let (ok, _) = one_error_line(|| client.set_volume_readonly("no-such-volume", true));
    assert!(!ok);
}

#[test]
fn revert_to_the_latest_snapshot_only() {
    let (cloud, client) = start();
    let v = new_volume(&client, 1, "revertible");
    let older =
        fake_common::available_snapshot(&client, &v.id, "older", &CreateSnapshotOptions::default());
    let latest = fake_common::available_snapshot(
        &client,
        &v.id,
        "latest",
        &CreateSnapshotOptions::default(),
    );

    // Not the latest snapshot: 400 from the cloud, both faces.
    let err = client
        .try_revert_volume_to_snapshot(&v.id, &older.id)
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    assert_eq!(err.code(), Some("badRequest"));
    let (ok, line) = one_error_line(|| client.revert_volume_to_snapshot(&v.id, &older.id));
    assert!(!ok);
    assert!(line.contains("revert_volume_to_snapshot"), "{line}");

    let mark = cloud.request_log().len();
    assert_eq!(
        client.try_revert_volume_to_snapshot(&v.id, &latest.id),
        Ok(())
    );
    let actions = sent(&cloud, mark, "POST", &format!("/volumes/{}/action", v.id));
    assert_eq!(actions.len(), 1);
    assert_eq!(
        actions[0].body_json(),
        Some(json!({"revert": {"snapshot_id": latest.id}}))
    );
    assert_eq!(
        actions[0].header("openstack-api-version"),
        Some("volume 3.67")
    );
    let v = client
        .try_wait_for_volume_status(&v.id, VolumeStatus::Available, LONG)
        .unwrap();

    // The volume must be available.
    cloud.force_volume_status(&v.id, "in-use");
    let err = client
        .try_revert_volume_to_snapshot(&v.id, &latest.id)
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    cloud.force_volume_status(&v.id, "available");

    // Unknown snapshot: 404.
    let err = client
        .try_revert_volume_to_snapshot(&v.id, "no-such-snapshot")
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err:?}");

    // Below 3.40 the client refuses before sending anything.
    let mut old = config(&cloud);
    old.volume_microversion = "3.39".into();
    let old = InfomaniakVolumeClient::new(old).unwrap();
    let mark = cloud.request_log().len();
    let result = old.try_revert_volume_to_snapshot(&v.id, &latest.id);
    assert_unsupported(
        result,
        "Cinder",
        Some("revert a volume to a snapshot"),
        "3.40",
        "3.39",
    );
    assert_eq!(cloud.request_log().len(), mark);
}

#[test]
fn update_snapshot_against_the_cloud() {
    let (cloud, client) = start();
    let v = new_volume(&client, 1, "snapped");
    let s = client
        .try_create_snapshot(&v.id, "first", &CreateSnapshotOptions::default())
        .unwrap();
    let mark = cloud.request_log().len();
    let renamed = client
        .try_update_snapshot(&s.id, &UpdateSnapshot::default().name("second"))
        .unwrap();
    assert_eq!(renamed.id, s.id);
    assert_eq!(renamed.name.as_deref(), Some("second"));
    let puts = sent(&cloud, mark, "PUT", &format!("/snapshots/{}", s.id));
    assert_eq!(
        puts[0].body_json(),
        Some(json!({"snapshot": {"name": "second"}}))
    );
    let described = client
        .update_snapshot(&s.id, &UpdateSnapshot::default().description("words"))
        .unwrap();
    assert_eq!(described.name.as_deref(), Some("second"));
    assert_eq!(described.description.as_deref(), Some("words"));
    assert_eq!(
        client.get_snapshot(&s.id).unwrap().description.as_deref(),
        Some("words")
    );

    assert!(matches!(
        client.try_update_snapshot("no-such-snapshot", &UpdateSnapshot::default().name("x")),
        Err(Error::NotFound {
            resource: "snapshot",
            ..
        })
    ));
    let (none, _) = one_error_line(|| {
        client.update_snapshot("no-such-snapshot", &UpdateSnapshot::default().name("x"))
    });
    assert_eq!(none, None);
}

#[test]
fn project_information() {
    let (cloud, client) = start();
    let types = client.try_list_volume_types().unwrap();
    assert_eq!(
        types.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["CEPH_1_perf1", "CEPH_1_perf2", "CEPH_1_multiattach"]
    );
    assert_eq!(client.list_volume_types(), types);
    let zones = client.list_availability_zones();
    assert_eq!(zones.len(), 1);
    assert_eq!(zones[0].name, "nova");
    assert!(zones[0].available);

    // Unlimited by default.
    let limits = client.try_get_limits().unwrap();
    assert_eq!(limits.max_total_volumes, Some(-1));
    assert_eq!(limits.volumes_left(), None);
    assert_eq!(limits.gigabytes_left(), None);

    cloud.set_quota(Some(5), Some(100));
    new_volume(&client, 10, "counted");
    let limits = client.get_limits().unwrap();
    assert_eq!(limits.total_volumes_used, Some(1));
    assert_eq!(limits.volumes_left(), Some(4));
    assert_eq!(limits.gigabytes_left(), Some(90));

    let mark = cloud.request_log().len();
    let quotas = client.try_get_quotas().unwrap();
    let quota_gets = sent(
        &cloud,
        mark,
        "GET",
        &format!("/os-quota-sets/{}", FakeCloud::PROJECT_ID),
    );
    assert_eq!(quota_gets.len(), 1);
    assert_eq!(quota_gets[0].query, "usage=true");
    assert!(!quotas.contains_key("id"));
    assert_eq!(quotas["volumes"].limit, 5);
    assert_eq!(quotas["volumes"].in_use, 1);
    assert_eq!(quotas["gigabytes"].limit, 100);
    assert_eq!(quotas["gigabytes"].in_use, 10);
    assert_eq!(quotas["snapshots"].limit, -1);
    assert_eq!(client.get_quotas(), Some(quotas));

    // Failures: an injected 500 on each.
    cloud.inject_fault(
        "GET",
        &format!("{}/limits", cinder()),
        2,
        infomaniak_fake_cloud::Fault::Status(500),
    );
    assert_eq!(client.try_get_limits().unwrap_err().status(), Some(500));
    let (none, _) = one_error_line(|| client.get_limits());
    assert_eq!(none, None);
    cloud.inject_fault(
        "GET",
        &format!("{}/types", cinder()),
        1,
        infomaniak_fake_cloud::Fault::Status(500),
    );
    let (empty, _) = one_error_line(|| client.list_volume_types());
    assert!(empty.is_empty());
}

#[test]
fn attach_and_detach_that_wait() {
    let (cloud, client) = start();
    let server = cloud.server_id();
    let v = new_volume(&client, 1, "disk");
    let attached = client
        .try_attach_volume_and_wait(&v.id, &server, &AttachOptions::default(), LONG)
        .unwrap();
    assert_eq!(attached.id, v.id);
    assert_eq!(attached.status, "in-use");
    assert_eq!(attached.attachments.len(), 1);
    assert_eq!(
        attached.attachments[0].server_id.as_deref(),
        Some(server.as_str())
    );
    assert_eq!(cloud.volume_status(&v.id).as_deref(), Some("in-use"));

    let detached = client
        .try_detach_volume_and_wait(&v.id, &server, LONG)
        .unwrap();
    assert_eq!(detached.status, "available");
    assert!(detached.attachments.is_empty());

    // Plain faces.
    let again = client
        .attach_volume_and_wait(&v.id, &server, &AttachOptions::default(), LONG)
        .unwrap();
    assert_eq!(again.status, "in-use");
    let free = client.detach_volume_and_wait(&v.id, &server, LONG).unwrap();
    assert_eq!(free.status, "available");

    // Unknown server: Nova's 404, both faces, nothing attached.
    let err = client
        .try_attach_volume_and_wait(&v.id, "no-such-server", &AttachOptions::default(), LONG)
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err:?}");
    let (none, line) = one_error_line(|| {
        client.attach_volume_and_wait(&v.id, "no-such-server", &AttachOptions::default(), LONG)
    });
    assert_eq!(none, None);
    assert!(line.contains("attach_volume_and_wait"), "{line}");
    assert_eq!(cloud.volume_status(&v.id).as_deref(), Some("available"));

    // Detaching what is not attached.
    let err = client
        .try_detach_volume_and_wait(&v.id, &server, LONG)
        .unwrap_err();
    assert!(matches!(err, Error::NotAttached { .. }), "{err:?}");
}

#[test]
fn negotiation_against_the_fake_cloud() {
    let (cloud, _) = start();
    let mut cfg = config(&cloud);
    cfg.negotiate_microversion = true;
    let client = InfomaniakVolumeClient::new(cfg).unwrap();
    assert_eq!(client.try_volume_microversion(), Ok("3.67".to_string()));
    client.try_list_volumes().unwrap();
    client.try_list_volume_types().unwrap();
    let log = cloud.request_log();
    let docs: Vec<_> = log.iter().filter(|r| r.path == "/volume/v3/").collect();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].method, "GET");
    assert!(
        log.iter()
            .filter(|r| r.path.starts_with(&cinder()))
            .all(|r| r.header("openstack-api-version") == Some("volume 3.67"))
    );

    // Configured above a cloud serving up to 3.70: lowered to it.
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::from_millis(20))
        .volume_microversion_range("3.0", "3.70")
        .start();
    let mut cfg = config(&cloud);
    cfg.negotiate_microversion = true;
    cfg.volume_microversion = "3.71".into();
    let client = InfomaniakVolumeClient::new(cfg).unwrap();
    assert_eq!(client.volume_microversion(), Some("3.70".to_string()));
    let mark = cloud.request_log().len();
    client.try_list_volumes().unwrap();
    let lists = sent(&cloud, mark, "GET", "/volumes/detail");
    assert_eq!(
        lists[0].header("openstack-api-version"),
        Some("volume 3.70")
    );
}
