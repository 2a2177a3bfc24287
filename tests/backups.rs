//! Backups: exact requests and decoded results of list/get/create/restore/delete (plain and
//! force), both spellings of the pagination key, and the backup waiters.

mod common;
mod ops_common;

use std::time::Duration;

use common::server;
use httpmock::prelude::*;
use infomaniak_block_storage::{
    Backup, BackupStatus, CreateBackupOptions, DeleteBackupOptions, Error, RestoreTarget,
};
use ops_common::*;
use serde_json::json;

#[test]
fn get_backup_decodes_the_show_samples() {
    for (file, id) in [
        (
            "cinder/backups/backup-show-response.json",
            "6a122f4b-d2f6-448f-aeb5-68bae5ff8358",
        ),
        (
            "cinder/backups/v3.56/backup-show-response.json",
            "3052c307-119e-4f78-960e-972078aa15a8",
        ),
    ] {
        let sample = common::sample(file);
        let server = server();
        let show = server.mock(|when, then| {
            cinder_call(no_query(
                when.method(GET).path(cinder(&format!("/backups/{id}"))),
            ));
            reply_json(then, 200, sample.clone());
        });
        let client = common::client(&server);
        let expected = oracle_backup(&sample["backup"]);
        assert_eq!(client.try_get_backup(id).unwrap(), expected, "{file}");
        assert_eq!(client.get_backup(id).unwrap(), expected, "{file}");
        show.assert_calls(2);
    }
    // Spelled out once, independently of the oracle.
    let sample = common::sample("cinder/backups/backup-show-response.json");
    let decoded: Backup = serde_json::from_value(sample["backup"].clone()).unwrap();
    assert_eq!(
        decoded,
        ExpectedBackup {
            id: "6a122f4b-d2f6-448f-aeb5-68bae5ff8358".into(),
            name: Some("backup001".into()),
            status: BackupStatus::Creating,
            volume_id: "49a784cf-b759-4594-acdf-5238ee50976b".into(),
            snapshot_id: None,
            size: 10,
            created_at: Some("2023-06-23T11:56:02.509831".into()),
            updated_at: Some("2023-06-23T11:56:02.512426".into()),
            data_timestamp: Some("2023-06-23T11:56:02.509831".into()),
            description: Some("Test backup".into()),
            is_incremental: false,
            has_dependent_backups: false,
            container: None,
            availability_zone: None,
            fail_reason: None,
            object_count: 0,
            metadata: Default::default(),
            // Every field the type does not name is kept as sent.
            extra: extra_of(&sample["backup"], BACKUP_FIELDS),
        }
    );
}

#[test]
fn list_backups_reads_the_detail_list() {
    let sample = common::sample("cinder/backups/v3.56/backups-list-detailed-response.json");
    let server = server();
    let list = server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/backups/detail"))));
        reply_json(then, 200, sample.clone());
    });
    let client = common::client(&server);
    let expected: Vec<ExpectedBackup> = sample["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(oracle_backup)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(client.try_list_backups().unwrap(), expected);
    assert_eq!(client.list_backups(), expected);
    list.assert_calls(2);
}

#[test]
fn list_backups_follows_backup_links_and_backups_links() {
    let server = server();
    // api-ref spelling on page 1, code spelling on page 2.
    let page1 = server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/backups/detail"))));
        reply_json(then, 200, json!({
            "backups": [{"id": "b1", "status": "available", "volume_id": VOL, "size": 1}],
            "backup_links": [{"rel": "next", "href": "https://other.example/v3/p/backups/detail?marker=b1"}]
        }));
    });
    let page2 = server.mock(|when, then| {
        cinder_call(query_is(when.method(GET).path(cinder("/backups/detail")), "marker=b1"));
        reply_json(then, 200, json!({
            "backups": [{"id": "b2", "status": "available", "volume_id": VOL, "size": 2, "is_incremental": true}],
            "backups_links": [{"rel": "next", "href": "http://10.0.0.1:8776/v3/p/backups/detail?marker=b2&limit=1"}]
        }));
    });
    let page3 = server.mock(|when, then| {
        cinder_call(query_is(when.method(GET).path(cinder("/backups/detail")), "marker=b2&limit=1"));
        reply_json(then, 200, json!({"backups": [{"id": "b3", "status": "error", "volume_id": VOL, "size": 3, "has_dependent_backups": true}]}));
    });
    let client = common::client(&server);
    let all = client.try_list_backups().unwrap();
    assert_eq!(
        all.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
        ["b1", "b2", "b3"]
    );
    assert!(!all[0].is_incremental && all[1].is_incremental);
    assert!(all[2].has_dependent_backups);
    page1.assert_calls(1);
    page2.assert_calls(1);
    page3.assert_calls(1);
}

#[test]
fn create_backup_sends_incremental_and_force_and_returns_the_minimal_reply() {
    let sample = common::sample("cinder/backups/backup-create-response.json");
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(no_query(when.method(POST).path(cinder("/backups")))),
            json!({"backup": {"volume_id": VOL, "name": "backup001", "description": "nightly", "incremental": true, "force": true}}),
        );
        reply_json(then, 202, sample.clone());
    });
    let client = common::client(&server);
    // Cinder answers with id, name and links only: the Backup has those (links in `extra`),
    // the volume id the client asked for, and every other field at its default.
    let expected = ExpectedBackup {
        id: "b1f41f9b-741e-4992-a246-b97de7e6e87e".into(),
        name: Some("backup001".into()),
        volume_id: VOL.into(),
        extra: extra_of(&sample["backup"], BACKUP_FIELDS),
        ..Default::default()
    };
    assert_eq!(expected.status, "");
    assert_eq!(expected.size, 0);
    let options = CreateBackupOptions::default()
        .description("nightly")
        .incremental(true)
        .force(true);
    assert_eq!(
        client
            .try_create_backup(VOL, "backup001", &options)
            .unwrap(),
        expected
    );
    assert_eq!(
        client.create_backup(VOL, "backup001", &options).unwrap(),
        expected
    );
    create.assert_calls(2);
}

#[test]
fn create_backup_sends_false_flags_explicitly() {
    let sample = common::sample("cinder/backups/v3.56/backup-create-response.json");
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(POST).path(cinder("/backups"))),
            json!({"backup": {"volume_id": VOL, "name": "full", "incremental": false, "force": false}}),
        );
        reply_json(then, 202, sample.clone());
    });
    let client = common::client(&server);
    let backup = client
        .try_create_backup(
            VOL,
            "full",
            &CreateBackupOptions::default()
                .incremental(false)
                .force(false),
        )
        .unwrap();
    assert_eq!(backup.id, sample["backup"]["id"].as_str().unwrap());
    assert_eq!(backup.volume_id, VOL);
    create.assert_calls(1);
}

#[test]
fn restore_backup_onto_a_volume_and_into_a_new_one() {
    let sample = common::sample("cinder/backup-restore-response.json");
    let server = server();
    let restore_to = server.mock(|when, then| {
        json_request(
            cinder_call(no_query(
                when.method(POST)
                    .path(cinder(&format!("/backups/{BAK}/restore"))),
            )),
            // backup-restore-request.json = {"restore": {"name": "vol-01", "volume_id": "64f5d2fb-..."}};
            // a restore onto an existing volume no longer sends a name (Cinder ignores it).
            json!({"restore": {"volume_id": "64f5d2fb-d836-4063-b7e2-544d5c1ff607"}}),
        );
        reply_json(then, 202, sample.clone());
    });
    let restore_new = server.mock(|when, then| {
        json_request(
            cinder_call(
                when.method(POST)
                    .path(cinder(&format!("/backups/{BAK}/restore"))),
            ),
            json!({"restore": {"name": "restored"}}),
        );
        reply_json(
            then,
            202,
            json!({"restore": {"backup_id": BAK, "volume_id": VOL2, "volume_name": "restored"}}),
        );
    });
    let restore_bare = server.mock(|when, then| {
        json_request(
            cinder_call(
                when.method(POST)
                    .path(cinder(&format!("/backups/{BAK}/restore"))),
            ),
            json!({"restore": {}}),
        );
        reply_json(
            then,
            202,
            json!({"restore": {"backup_id": BAK, "volume_id": VOL2, "volume_name": null}}),
        );
    });
    let client = common::client(&server);
    let expected = ExpectedRestore::new(
        "2ef47aee-8844-490c-804d-2a8efe561c65",
        "795114e8-7489-40be-a978-83797f2c1dd3",
        Some("volume01"),
    );
    // The sample request's volume id.
    let target_id = "64f5d2fb-d836-4063-b7e2-544d5c1ff607";
    assert_eq!(
        common::sample("cinder/backup-restore-request.json")["restore"]["volume_id"],
        json!(target_id)
    );
    let target = RestoreTarget::existing_volume(target_id);
    assert_eq!(client.try_restore_backup(BAK, &target).unwrap(), expected);
    assert_eq!(client.restore_backup(BAK, &target).unwrap(), expected);
    restore_to.assert_calls(2);
    assert_eq!(
        client
            .try_restore_backup(BAK, &RestoreTarget::new_volume("restored"))
            .unwrap(),
        ExpectedRestore::new(BAK, VOL2, Some("restored"))
    );
    restore_new.assert_calls(1);
    assert_eq!(
        client
            .try_restore_backup(BAK, &RestoreTarget::default())
            .unwrap(),
        ExpectedRestore::new(BAK, VOL2, None)
    );
    restore_bare.assert_calls(1);
}

#[test]
fn restore_backup_over_quota_is_413_and_not_retried() {
    let server = server();
    let restore = server.mock(|when, then| {
        cinder_call(
            when.method(POST)
                .path(cinder(&format!("/backups/{BAK}/restore"))),
        );
        then.status(413)
            .header("Retry-After", "0")
            .header("x-openstack-request-id", common::REQUEST_ID)
            .json_body(fault(
                "overLimit",
                413,
                "Maximum number of volumes allowed (10) exceeded",
            ));
    });
    let client = common::client(&server);
    assert_api(
        client.try_restore_backup(BAK, &RestoreTarget::default()),
        413,
        Some("overLimit"),
        "Maximum number of volumes allowed (10) exceeded",
        Some(common::REQUEST_ID),
        Some(0),
    );
    restore.assert_calls(1);
}

#[test]
fn delete_backup_plain_and_force() {
    let server = server();
    let delete = server.mock(|when, then| {
        cinder_call(no_query(
            when.method(DELETE).path(cinder(&format!("/backups/{BAK}"))),
        ));
        reply_accepted(then);
    });
    let force = server.mock(|when, then| {
        json_request(
            cinder_call(no_query(
                when.method(POST)
                    .path(cinder(&format!("/backups/{BAK}/action"))),
            )),
            common::sample("cinder/backup-force-delete-request.json"),
        );
        reply_accepted(then);
    });
    let client = common::client(&server);
    let plain = DeleteBackupOptions::default().force(false);
    let forced = DeleteBackupOptions::default().force(true);
    assert_eq!(client.try_delete_backup(BAK, &plain), Ok(()));
    assert!(client.delete_backup(BAK, &plain));
    assert_eq!(client.try_delete_backup(BAK, &forced), Ok(()));
    assert!(client.delete_backup(BAK, &forced));
    delete.assert_calls(2);
    force.assert_calls(2);
    assert_eq!(
        common::sample("cinder/backup-force-delete-request.json"),
        json!({"os-force_delete": {}})
    );
}

#[test]
fn force_delete_backup_forbidden_says_it_is_admin_only() {
    let server = server();
    server.mock(|when, then| {
        cinder_call(
            when.method(POST)
                .path(cinder(&format!("/backups/{BAK}/action"))),
        );
        reply_json(
            then,
            403,
            fault(
                "forbidden",
                403,
                "Policy doesn't allow backup:force_delete.",
            ),
        );
    });
    let client = common::client(&server);
    let err = client
        .try_delete_backup(BAK, &DeleteBackupOptions::default().force(true))
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 403, .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("force delete of a backup is admin-only"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("Policy doesn't allow backup:force_delete."),
        "{err}"
    );
}

#[test]
fn backup_waiters() {
    let server = server();
    let mut show = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/backups/{BAK}"))));
        reply_json(
            then,
            200,
            json!({"backup": {"id": BAK, "status": "available", "volume_id": VOL, "size": 1}}),
        );
    });
    let client = common::client(&server);
    let mut seen = Vec::new();
    let backup = client
        .try_wait_for_backup_status_with(
            BAK,
            BackupStatus::Available,
            Duration::from_secs(30),
            |s, _| seen.push(s.to_string()),
        )
        .unwrap();
    assert_eq!(
        (backup.id.as_str(), backup.status.as_str()),
        (BAK, "available")
    );
    assert_eq!(seen, ["available"]);
    show.delete();
    let mut failing = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/backups/{BAK}"))));
        reply_json(
            then,
            200,
            json!({"backup": {"id": BAK, "status": "error_deleting", "volume_id": VOL}}),
        );
    });
    // No user message is mocked and the backup has no fail_reason: no reason.
    assert_resource_failed(
        client.try_wait_for_backup_deleted(BAK, Duration::from_secs(30)),
        "backup",
        BAK,
        "error_deleting",
        None,
    );
    assert!(matches!(
        client.try_wait_for_backup_status(BAK, BackupStatus::Available, Duration::from_secs(30)),
        Err(Error::ResourceFailed {
            resource: "backup",
            ..
        })
    ));
    failing.delete();
    server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/backups/{BAK}"))));
        reply_json(
            then,
            404,
            fault("itemNotFound", 404, "Backup could not be found."),
        );
    });
    assert_eq!(
        client.try_wait_for_backup_deleted(BAK, Duration::from_secs(30)),
        Ok(())
    );
    assert!(client.wait_for_backup_deleted(BAK, Duration::from_secs(30)));
    assert_eq!(
        client.wait_for_backup_status(BAK, BackupStatus::Available, Duration::from_secs(30)),
        None
    );
}
