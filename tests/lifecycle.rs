//! The whole block-storage lifecycle through the library against the simulated cloud, each
//! waiter outcome, quotas, pagination, region/interface selection and password auth.

mod fake_common;

use std::time::{Duration, Instant};

use fake_common::*;
use infomaniak_block_storage::{
    AttachOptions, Auth, BackupStatus, CreateBackupOptions, CreateSnapshotOptions,
    CreateVolumeOptions, DeleteBackupOptions, DeleteSnapshotOptions, DeleteVolumeOptions, Domain,
    Error, InfomaniakVolumeClient, Interface, Project, RestoreTarget, Secret, SnapshotStatus, User,
    VolumeStatus,
};
use infomaniak_fake_cloud::FakeCloud;

fn opts() -> CreateVolumeOptions {
    CreateVolumeOptions::default()
}

/// Asserts an `Error::Api` with `status` and returns its message.
fn api_status(result: Result<(), Error>, status: u16, step: &str) -> String {
    match result {
        Err(Error::Api {
            status: got,
            message,
            ..
        }) if got == status => message,
        other => panic!("{step}: expected HTTP {status}, got {other:?}"),
    }
}

#[test]
fn full_lifecycle_asserts_every_state() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    let server = cloud.server_id();
    assert!(!server.is_empty());

    // Create → available.
    let created = c
        .try_create_volume(1, "lc-data", &opts())
        .expect("create volume");
    assert_eq!(created.status, "creating");
    let id = created.id.clone();
    let v = c
        .try_wait_for_volume_status(&id, VolumeStatus::Available, LONG)
        .expect("volume becomes available");
    assert_eq!(v.id, id);
    assert_eq!(v.status, "available");
    assert_eq!(v.size, 1);
    assert_eq!(v.name.as_deref(), Some("lc-data"));
    assert_eq!(v.volume_type.as_deref(), Some("CEPH_1_perf1"));
    assert_eq!(v.availability_zone.as_deref(), Some("nova"));
    assert!(!v.bootable);
    assert!(v.attachments.is_empty());

    // Extend → available at 2 GiB.
    c.try_extend_volume(&id, 2).expect("extend");
    let v = c
        .try_wait_for_volume_status(&id, VolumeStatus::Available, LONG)
        .expect("available after extend");
    assert_eq!(v.size, 2);
    assert_eq!(c.try_get_volume(&id).unwrap().size, 2);

    // Snapshot → available.
    let snap = c
        .try_create_snapshot(&id, "lc-snap", &CreateSnapshotOptions::default())
        .expect("snapshot");
    assert_eq!(snap.volume_id, id);
    let snap = c
        .try_wait_for_snapshot_status(&snap.id, SnapshotStatus::Available, LONG)
        .expect("snapshot available");
    assert_eq!(snap.status, "available");
    assert_eq!(snap.size, 2);
    c.try_wait_for_volume_status(&id, VolumeStatus::Available, LONG)
        .unwrap();

    // Full backup → available.
    let full = c
        .try_create_backup(&id, "lc-full", &CreateBackupOptions::default())
        .expect("full backup");
    assert_eq!(full.name.as_deref(), Some("lc-full"));
    let full = c
        .try_wait_for_backup_status(&full.id, BackupStatus::Available, LONG)
        .expect("full backup available");
    assert!(!full.is_incremental);
    assert_eq!(full.size, 2);
    assert_eq!(full.volume_id, id);
    c.try_wait_for_volume_status(&id, VolumeStatus::Available, LONG)
        .unwrap();

    // Incremental backup; its parent then has a dependent.
    let incr = c
        .try_create_backup(
            &id,
            "lc-incr",
            &CreateBackupOptions::default().incremental(true),
        )
        .expect("incremental backup");
    let incr = c
        .try_wait_for_backup_status(&incr.id, BackupStatus::Available, LONG)
        .expect("incremental available");
    assert!(incr.is_incremental);
    assert!(!incr.has_dependent_backups);
    let parent = c.try_get_backup(&full.id).unwrap();
    assert!(parent.has_dependent_backups);
    c.try_wait_for_volume_status(&id, VolumeStatus::Available, LONG)
        .unwrap();

    // Restore the incremental backup to a new volume.
    let restore = c
        .try_restore_backup(&incr.id, &RestoreTarget::new_volume("lc-restored"))
        .expect("restore to new volume");
    assert_eq!(restore.backup_id, incr.id);
    assert_ne!(restore.volume_id, id);
    let restored = c
        .try_wait_for_volume_status(&restore.volume_id, VolumeStatus::Available, LONG)
        .expect("restored volume available");
    assert_eq!(restored.size, 2);
    assert_eq!(restored.name.as_deref(), Some("lc-restored"));
    c.try_wait_for_backup_status(&incr.id, BackupStatus::Available, LONG)
        .expect("backup available after restore");

    // Restore onto an existing volume that is too small → 400.
    let small = fake_common::available_volume(&c, 1, "lc-small", &opts());
    match c.try_restore_backup(&incr.id, &RestoreTarget::existing_volume(&small.id)) {
        Err(Error::Api {
            status: 400,
            message,
            ..
        }) => assert!(message.contains("smaller"), "{message}"),
        other => panic!("restore onto a too-small volume: {other:?}"),
    }
    assert_eq!(c.try_get_volume(&small.id).unwrap().status, "available");

    // Attach → in-use.
    c.try_attach_volume(&id, &server, &AttachOptions::default())
        .expect("attach");
    let v = c
        .try_wait_for_volume_status(&id, VolumeStatus::InUse, LONG)
        .expect("in-use");
    assert_eq!(v.attachments.len(), 1);
    assert_eq!(v.attachments[0].server_id.as_deref(), Some(server.as_str()));
    let device = v.attachments[0].device.clone().expect("device reported");
    assert!(device.starts_with("/dev/"), "{device}");
    let listed = c
        .try_list_server_attachments(&server)
        .expect("list attachments");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].volume_id, id);
    assert_eq!(listed[0].device.as_deref(), Some(device.as_str()));

    // An attached volume cannot be deleted.
    api_status(
        c.try_delete_volume(&id, &DeleteVolumeOptions::default()),
        400,
        "delete attached",
    );
    assert_eq!(c.try_get_volume(&id).unwrap().status, "in-use");

    // Detach → available; a second detach is NotAttached.
    c.try_detach_volume(&id, &server).expect("detach");
    let v = c
        .try_wait_for_volume_status(&id, VolumeStatus::Available, LONG)
        .expect("available after detach");
    assert!(v.attachments.is_empty());
    assert!(c.try_list_server_attachments(&server).unwrap().is_empty());
    match c.try_detach_volume(&id, &server) {
        Err(Error::NotAttached {
            volume_id,
            instance_id,
            ..
        }) => {
            assert_eq!(volume_id, id);
            assert_eq!(instance_id, server);
        }
        other => panic!("second detach: {other:?}"),
    }
    assert!(!c.detach_volume(&id, &server));

    // A volume with a snapshot cannot be deleted; a backup with an incremental child neither.
    api_status(
        c.try_delete_volume(&id, &DeleteVolumeOptions::default()),
        400,
        "delete with snapshot",
    );
    let msg = api_status(
        c.try_delete_backup(&full.id, &DeleteBackupOptions::default()),
        400,
        "delete parent backup",
    );
    assert!(msg.contains("Incremental"), "{msg}");

    // Force delete is admin-only: 403 and the error says so.
    for (what, result) in [
        (
            "volume",
            c.try_delete_volume(&small.id, &DeleteVolumeOptions::default().force(true)),
        ),
        (
            "snapshot",
            c.try_delete_snapshot(&snap.id, &DeleteSnapshotOptions::default().force(true)),
        ),
        (
            "backup",
            c.try_delete_backup(&incr.id, &DeleteBackupOptions::default().force(true)),
        ),
    ] {
        let err = result.expect_err("force delete must fail for a project member");
        assert_eq!(err.status(), Some(403), "{what}: {err:?}");
        let text = err.to_string();
        assert!(text.contains("admin-only"), "{what}: {text}");
    }
    assert_eq!(c.try_get_volume(&small.id).unwrap().status, "available");

    // Delete in the right order and wait for each to go.
    c.try_delete_backup(&incr.id, &DeleteBackupOptions::default())
        .expect("delete incr");
    c.try_wait_for_backup_deleted(&incr.id, LONG)
        .expect("incr gone");
    c.try_delete_backup(&full.id, &DeleteBackupOptions::default())
        .expect("delete full");
    c.try_wait_for_backup_deleted(&full.id, LONG)
        .expect("full gone");
    c.try_delete_snapshot(&snap.id, &DeleteSnapshotOptions::default())
        .expect("delete snapshot");
    c.try_wait_for_snapshot_deleted(&snap.id, LONG)
        .expect("snapshot gone");
    for vol in [&id, &restore.volume_id, &small.id] {
        c.try_delete_volume(vol, &DeleteVolumeOptions::default())
            .expect("delete volume");
        c.try_wait_for_volume_deleted(vol, LONG)
            .expect("volume gone");
        assert!(c.try_get_volume(vol).unwrap_err().is_not_found());
    }
    assert!(c.try_list_volumes().unwrap().is_empty());
    assert!(c.try_list_snapshots().unwrap().is_empty());
    assert!(c.try_list_backups().unwrap().is_empty());
    assert!(cloud.volume_ids().is_empty());
    // One token served the whole run.
    assert_eq!(cloud.auth_requests(), 1);
}

#[test]
fn quota_exceeded_is_413_overlimit_sent_once() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    cloud.set_quota(Some(1), None);
    let first = c.try_create_volume(1, "q1", &opts()).expect("first fits");
    let before = cloud.requests_matching("POST", &volumes_path());
    assert_eq!(before, 1);
    match c.try_create_volume(1, "q2", &opts()) {
        Err(Error::Api {
            status,
            code,
            retry_after,
            ..
        }) => {
            assert_eq!(status, 413);
            assert_eq!(code.as_deref(), Some("overLimit"));
            assert_eq!(retry_after, Some(0));
        }
        other => panic!("second create over quota: {other:?}"),
    }
    // Exactly one POST for the refused create: 413 is not retried.
    assert_eq!(cloud.requests_matching("POST", &volumes_path()), 2);
    assert_eq!(cloud.volume_ids(), vec![first.id]);
    // Plain face: None.
    assert!(c.create_volume(1, "q3", &opts()).is_none());
    assert_eq!(cloud.requests_matching("POST", &volumes_path()), 3);
}

// ----- waiter outcomes ------------------------------------------------------------------

#[test]
fn waiter_reached_reports_progress() {
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(150));
    let c = client(&cloud);
    let v = c.try_create_volume(1, "w-reached", &opts()).unwrap();
    let mut seen: Vec<String> = Vec::new();
    let mut elapsed: Vec<Duration> = Vec::new();
    let got = c
        .try_wait_for_volume_status_with(&v.id, VolumeStatus::Available, LONG, |status, waited| {
            if seen.last().map(String::as_str) != Some(status) {
                seen.push(status.to_string());
            }
            elapsed.push(waited);
        })
        .expect("reached");
    assert_eq!(got.status, "available");
    assert_eq!(seen, vec!["creating".to_string(), "available".to_string()]);
    assert!(elapsed.len() >= 2);
    assert!(elapsed.windows(2).all(|w| w[0] <= w[1]), "{elapsed:?}");
}

#[test]
fn waiter_error_state_fails_at_once() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    let v = fake_common::available_volume(&c, 1, "w-error", &opts());
    cloud.force_volume_status(&v.id, "error_extending");
    let get_path = format!("{}/{}", volumes_path(), v.id);
    let gets_before = cloud.requests_matching("GET", &get_path);
    let started = Instant::now();
    match c.try_wait_for_volume_status(&v.id, VolumeStatus::Available, Duration::from_secs(60)) {
        Err(Error::ResourceFailed {
            resource,
            id,
            status,
            ..
        }) => {
            assert_eq!(resource, "volume");
            assert_eq!(id, v.id);
            assert_eq!(status, "error_extending");
        }
        other => panic!("expected ResourceFailed, got {other:?}"),
    }
    // Promptly: one poll, not the 60 s timeout.
    assert_eq!(cloud.requests_matching("GET", &get_path) - gets_before, 1);
    assert!(started.elapsed() < Duration::from_secs(30));
    // The plain face gives None.
    assert!(
        c.wait_for_volume_status(&v.id, VolumeStatus::Available, Duration::from_secs(60))
            .is_none()
    );
}

#[test]
fn waiter_timeout_names_last_status() {
    let cloud = fake_common::cloud_with_delay(Duration::from_secs(120));
    let c = client(&cloud);
    let v = c.try_create_volume(1, "w-timeout", &opts()).unwrap();
    let timeout = Duration::from_millis(200);
    match c.try_wait_for_volume_status(&v.id, VolumeStatus::Available, timeout) {
        Err(Error::WaitTimeout {
            resource,
            id,
            target,
            last_status,
            waited,
            ..
        }) => {
            assert_eq!(resource, "volume");
            assert_eq!(id, v.id);
            assert_eq!(target, "available");
            assert_eq!(last_status, "creating");
            assert!(waited >= timeout, "{waited:?}");
        }
        other => panic!("expected WaitTimeout, got {other:?}"),
    }
    // Polled more than once before giving up.
    let get_path = format!("{}/{}", volumes_path(), v.id);
    assert!(cloud.requests_matching("GET", &get_path) >= 2);
    // Plain face: None.
    assert!(
        c.wait_for_volume_status(&v.id, VolumeStatus::Available, timeout)
            .is_none()
    );
    // Deletion waiter on a volume that stays: timeout with target `deleted`.
    match c.try_wait_for_volume_deleted(&v.id, timeout) {
        Err(Error::WaitTimeout {
            target,
            last_status,
            ..
        }) => {
            assert_eq!(target, "deleted");
            assert_eq!(last_status, "creating");
        }
        other => panic!("expected WaitTimeout for deletion, got {other:?}"),
    }
    assert!(!c.wait_for_volume_deleted(&v.id, timeout));
}

#[test]
fn waiter_deleted_and_404_is_success() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    let v = c.try_create_volume(1, "w-deleted", &opts()).unwrap();
    assert!(
        c.wait_for_volume_status(&v.id, VolumeStatus::Available, LONG)
            .is_some()
    );
    c.try_delete_volume(&v.id, &DeleteVolumeOptions::default())
        .unwrap();
    c.try_wait_for_volume_deleted(&v.id, LONG)
        .expect("404 while waiting for deletion is success");
    assert!(cloud.volume_status(&v.id).is_none());
    // Already gone: the first poll's 404 ends the wait successfully.
    let get_path = format!("{}/{}", volumes_path(), v.id);
    let before = cloud.requests_matching("GET", &get_path);
    assert!(c.wait_for_volume_deleted(&v.id, LONG));
    assert_eq!(cloud.requests_matching("GET", &get_path) - before, 1);
    // Never existed: same.
    assert!(c.wait_for_volume_deleted("00000000-0000-4000-8000-000000000000", LONG));
    assert!(
        c.try_wait_for_snapshot_deleted("00000000-0000-4000-8000-000000000001", LONG)
            .is_ok()
    );
    assert!(
        c.try_wait_for_backup_deleted("00000000-0000-4000-8000-000000000002", LONG)
            .is_ok()
    );
    // Waiting for a status of a missing volume is NotFound, not success.
    assert!(
        c.try_wait_for_volume_status(&v.id, VolumeStatus::Available, LONG)
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn waiter_deleted_stops_on_error_deleting() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    let v = fake_common::available_volume(&c, 1, "w-err-del", &opts());
    cloud.force_volume_status(&v.id, "error_deleting");
    match c.try_wait_for_volume_deleted(&v.id, Duration::from_secs(60)) {
        Err(Error::ResourceFailed { status, id, .. }) => {
            assert_eq!(status, "error_deleting");
            assert_eq!(id, v.id);
        }
        other => panic!("expected ResourceFailed, got {other:?}"),
    }
    assert!(!c.wait_for_volume_deleted(&v.id, Duration::from_secs(60)));
}

// ----- pagination -----------------------------------------------------------------------

#[test]
fn listing_follows_pages_with_markers() {
    let cloud = FakeCloud::builder()
        .page_size(2)
        .transition_delay(Duration::ZERO)
        .start();
    let c = client(&cloud);
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            c.try_create_volume(1, &format!("p{i}"), &opts())
                .unwrap()
                .id,
        );
    }
    let start = cloud.request_log().len();
    let listed = c.try_list_volumes().expect("list");
    assert_eq!(listed.len(), 5);
    // Newest first, each volume exactly once.
    let listed_ids: Vec<String> = listed.iter().map(|v| v.id.clone()).collect();
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(listed_ids, expected);

    let pages: Vec<_> = log_since(&cloud, start)
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == volumes_detail_path())
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert_eq!(pages[0].query, "");
    assert_eq!(pages[1].query, format!("limit=2&marker={}", expected[1]));
    assert_eq!(pages[2].query, format!("limit=2&marker={}", expected[3]));
    // Nothing else was sent (no re-auth, no retries).
    assert_eq!(log_since(&cloud, start).len(), 3);

    // Exactly a multiple of the page size: the empty last page ends the listing.
    c.try_create_volume(1, "p5", &opts()).unwrap();
    let start = cloud.request_log().len();
    assert_eq!(c.try_list_volumes().unwrap().len(), 6);
    assert_eq!(
        log_since(&cloud, start)
            .iter()
            .filter(|r| r.path == volumes_detail_path())
            .count(),
        4
    );
}

// ----- regions, interfaces, password auth -----------------------------------------------

#[test]
fn region_dc4_uses_its_endpoints() {
    let cloud = quick_cloud();
    let mut config = config(&cloud);
    config.region = FakeCloud::SECOND_REGION.to_string();
    let c = InfomaniakVolumeClient::new(config).unwrap();
    let v = c.try_create_volume(1, "dc4", &opts()).unwrap();
    assert_eq!(c.try_list_volumes().unwrap().len(), 1);
    c.try_list_server_attachments(&cloud.server_id()).unwrap();
    let log = cloud.request_log();
    let service: Vec<_> = log
        .iter()
        .filter(|r| !r.path.starts_with("/identity/"))
        .collect();
    assert_eq!(service.len(), 3);
    assert_eq!(service[0].method, "POST");
    assert_eq!(
        service[0].path,
        format!("/dc4/volume/v3/{}/volumes", FakeCloud::PROJECT_ID)
    );
    assert!(
        service[1].path.starts_with("/dc4/volume/v3/"),
        "{:?}",
        service[1]
    );
    assert!(
        service[2].path.starts_with("/dc4/compute/v2.1/servers/"),
        "{:?}",
        service[2]
    );
    assert_eq!(cloud.requests_matching("*", &cinder()), 0);
    assert!(!v.id.is_empty());
}

#[test]
fn internal_interface_uses_internal_endpoints() {
    let cloud = quick_cloud();
    let mut config = config(&cloud);
    config.interface = Interface::Internal;
    let c = InfomaniakVolumeClient::new(config).unwrap();
    assert!(c.try_list_volumes().unwrap().is_empty());
    c.try_list_server_attachments(&cloud.server_id()).unwrap();
    assert_eq!(
        cloud.requests_matching(
            "GET",
            &format!(
                "/internal/volume/v3/{}/volumes/detail",
                FakeCloud::PROJECT_ID
            )
        ),
        1
    );
    assert_eq!(
        cloud.requests_matching("GET", "/internal/compute/v2.1/servers/"),
        1
    );
    assert_eq!(cloud.requests_matching("*", "/volume/"), 0);
    assert_eq!(cloud.requests_matching("*", "/compute/"), 0);
}

fn password_auth(password: &str) -> Auth {
    Auth::Password {
        user: User::Name {
            name: FakeCloud::USERNAME.to_string(),
            domain: Domain::Name(FakeCloud::USER_DOMAIN.to_string()),
        },
        password: Secret::new(password),
        project: Project::Id(FakeCloud::PROJECT_ID.to_string()),
    }
}

#[test]
fn password_auth_works_and_wrong_password_is_401() {
    let cloud = quick_cloud();
    let mut good = config(&cloud);
    good.auth = Some(password_auth(FakeCloud::PASSWORD));
    let c = InfomaniakVolumeClient::new(good).unwrap();
    c.try_authenticate().expect("password auth");
    let v = c.try_create_volume(1, "pw", &opts()).unwrap();
    assert_eq!(c.try_get_volume(&v.id).unwrap().name.as_deref(), Some("pw"));
    let auth = cloud
        .request_log()
        .into_iter()
        .find(|r| r.path == "/identity/v3/auth/tokens")
        .unwrap();
    let body = auth.body_json().unwrap();
    assert_eq!(body["auth"]["identity"]["methods"][0], "password");

    let mut bad = config(&cloud);
    bad.auth = Some(password_auth("not-the-password"));
    let c = InfomaniakVolumeClient::new(bad).unwrap();
    let auths_before = cloud.auth_requests();
    let service_before = cloud.requests_matching("*", &cinder());
    match c.try_list_volumes() {
        Err(Error::Auth {
            status, message, ..
        }) => {
            assert_eq!(status, Some(401));
            assert!(!message.contains("not-the-password"), "{message}");
        }
        other => panic!("wrong password: {other:?}"),
    }
    // One authentication attempt, nothing sent to Cinder.
    assert_eq!(cloud.auth_requests() - auths_before, 1);
    assert_eq!(cloud.requests_matching("*", &cinder()), service_before);
    assert!(c.list_volumes().is_empty());
    assert!(!c.validate_connection());
}
