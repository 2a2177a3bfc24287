//! Issue 11, item 6: why something failed. Cinder's user messages (`/messages`, microversion
//! 3.3; sorting and filtering by `resource_uuid` from 3.5): list (newest first, optionally
//! about one resource), show, delete; and the waiters, which on `error` or `error_*` fetch the
//! newest message about the resource and put its text into `Error::ResourceFailed.reason`.
//! Against httpmock and the simulated cloud, whose injected backend failures
//! (`FakeCloud::fail_next`) post genuine-looking messages.

// Both fixture modules: httpmock's (`common`, shared with `ops_common`) and the simulated
// cloud's, which embeds its own copy; the log capture used here is `common`'s.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;
mod ops_common;

use std::time::Duration;

use common::{client_at, server};
use httpmock::prelude::*;
use infomaniak_block_storage::{
    BackupStatus, Config, CreateBackupOptions, Error, InfomaniakVolumeClient, RestoreTarget,
    SnapshotStatus, VolumeStatus,
};
use infomaniak_fake_cloud::{FakeCloud, Operation};
use ops_common::*;
use serde_json::{Value, json};

const MESSAGE: &str = "c506cd4b-9048-43bc-97ef-0d7dec369b42";
const NO_BACKEND: &str = "schedule allocate volume: Could not find any available weighted backend.";

/// The api-ref's message (`message-show-response.json`).
fn message(id: &str, resource: &str, text: &str) -> Value {
    json!({
        "request_id": "req-c1216709-afba-4703-a1a3-22eda88f2f5a",
        "links": [{"href": "http://localhost:8776/v3/p/messages/c506cd4b", "rel": "self"}],
        "message_level": "ERROR",
        "event_id": "VOLUME_000002",
        "created_at": "2014-10-28T00:00:00-00:00",
        "guaranteed_until": "2014-10-28T00:00:00-00:00",
        "resource_uuid": resource,
        "id": id,
        "resource_type": "VOLUME",
        "user_message": text
    })
}

#[test]
fn list_sends_newest_first_and_the_resource_filter() {
    let server = server();
    let all = server.mock(|when, then| {
        query_is(
            cinder_call(when.method(GET).path(cinder("/messages"))),
            "sort=created_at:desc",
        );
        reply_json(
            then,
            200,
            json!({"messages": [message(MESSAGE, VOL, NO_BACKEND), message("m2", VOL2, "x")]}),
        );
    });
    let about = server.mock(|when, then| {
        query_is(
            cinder_call(when.method(GET).path(cinder("/messages"))),
            "sort=created_at:desc&resource_uuid=6edbc2f4-1507-44f8-ac0d-eed1d2608d38",
        );
        reply_json(
            then,
            200,
            json!({"messages": [message(MESSAGE, VOL, NO_BACKEND)]}),
        );
    });
    let client = common::client(&server);
    let messages = client.try_list_user_messages(None).unwrap();
    assert_eq!(messages.len(), 2);
    let m = &messages[0];
    assert_eq!(m.id, MESSAGE);
    assert_eq!(m.user_message, NO_BACKEND);
    assert_eq!(m.resource_type.as_deref(), Some("VOLUME"));
    assert_eq!(m.resource_uuid.as_deref(), Some(VOL));
    assert_eq!(m.event_id.as_deref(), Some("VOLUME_000002"));
    assert_eq!(m.message_level.as_deref(), Some("ERROR"));
    assert_eq!(m.created_at.as_deref(), Some("2014-10-28T00:00:00-00:00"));
    assert_eq!(
        m.guaranteed_until.as_deref(),
        Some("2014-10-28T00:00:00-00:00")
    );
    assert_eq!(
        m.request_id.as_deref(),
        Some("req-c1216709-afba-4703-a1a3-22eda88f2f5a")
    );
    assert!(m.extra.contains_key("links"));
    assert_eq!(messages[1].id, "m2");
    assert_eq!(client.list_user_messages(Some(VOL)).len(), 1);
    all.assert_calls(1);
    about.assert_calls(1);
}

#[test]
fn show_and_delete_one_message() {
    let server = server();
    let show = server.mock(|when, then| {
        no_query(cinder_call(
            when.method(GET)
                .path(cinder(&format!("/messages/{MESSAGE}"))),
        ));
        reply_json(
            then,
            200,
            json!({"message": message(MESSAGE, VOL, NO_BACKEND)}),
        );
    });
    let delete = server.mock(|when, then| {
        cinder_call(
            when.method(DELETE)
                .path(cinder(&format!("/messages/{MESSAGE}"))),
        );
        then.status(204)
            .header("x-openstack-request-id", common::REQUEST_ID);
    });
    let client = common::client(&server);
    let m = client.try_get_user_message(MESSAGE).unwrap();
    assert_eq!(m.user_message, NO_BACKEND);
    assert_eq!(client.get_user_message(MESSAGE).unwrap(), m);
    client.try_delete_user_message(MESSAGE).unwrap();
    assert!(client.delete_user_message(MESSAGE));
    show.assert_calls(2);
    delete.assert_calls(2);
}

#[test]
fn message_failures_and_the_plain_face() {
    common::capture_logs();
    let server = server();
    let text = "Message nope could not be found.";
    let show = mock_fault(
        &server,
        GET,
        cinder("/messages/nope"),
        404,
        "itemNotFound",
        text,
    );
    let delete = mock_fault(
        &server,
        DELETE,
        cinder("/messages/nope"),
        404,
        "itemNotFound",
        text,
    );
    let list = mock_fault(
        &server,
        GET,
        cinder("/messages"),
        500,
        "computeFault",
        "boom",
    );
    let client = common::client(&server);
    assert_not_found(
        client.try_get_user_message("nope"),
        "user message",
        "nope",
        text,
        Some(common::REQUEST_ID),
    );
    assert_not_found(
        client.try_delete_user_message("nope"),
        "user message",
        "nope",
        text,
        Some(common::REQUEST_ID),
    );
    assert_api(
        client.try_list_user_messages(None),
        500,
        Some("computeFault"),
        "boom",
        Some(common::REQUEST_ID),
        None,
    );
    plain_face_fails(
        || client.get_user_message("nope").is_none(),
        &["get_user_message(nope)", "404"],
    );
    plain_face_fails(
        || !client.delete_user_message("nope"),
        &["delete_user_message(nope)", "404"],
    );
    plain_face_fails(
        || client.list_user_messages(Some(VOL)).is_empty(),
        &["list_user_messages", VOL, "500"],
    );
    show.assert_calls(2);
    delete.assert_calls(2);
    // A 500 is not retried.
    list.assert_calls(2);
    for result in [
        client.try_get_user_message("a/b").map(|_| ()),
        client.try_delete_user_message("").map(|_| ()),
        client.try_list_user_messages(Some("a?b")).map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(Error::InvalidArgument { .. })),
            "{result:?}"
        );
    }
}

/// Messages need 3.3: below it every message operation is refused before sending.
#[test]
fn below_3_3_messages_are_unsupported() {
    let server = server();
    let any = server.mock(|when, then| {
        when.path_includes("/messages");
        reply_json(then, 200, json!({"messages": []}));
    });
    let client = client_at(&server, "3.2");
    for result in [
        client.try_list_user_messages(None).map(|_| ()),
        client.try_get_user_message(MESSAGE).map(|_| ()),
        client.try_delete_user_message(MESSAGE),
    ] {
        assert_unsupported(result, "Cinder", None, "3.3", "3.2");
    }
    any.assert_calls(0);
}

// ----- waiters -------------------------------------------------------------------------------

fn volume_in(server: &MockServer, status: &'static str) {
    server.mock(move |when, then| {
        when.method(GET).path(cinder(&format!("/volumes/{VOL}")));
        reply_json(
            then,
            200,
            json!({"volume": {"id": VOL, "status": status, "size": 1}}),
        );
    });
}

/// A volume in `error`: the waiter fetches the newest message about it (exact query) and the
/// error carries its text; Display appends it. A message about another resource (a server
/// that ignores the filter) is skipped.
#[test]
fn a_failed_volume_says_why() {
    common::capture_logs();
    let server = server();
    volume_in(&server, "error");
    let messages = server.mock(|when, then| {
        query_is(
            cinder_call(when.method(GET).path(cinder("/messages"))),
            "sort=created_at:desc&resource_uuid=6edbc2f4-1507-44f8-ac0d-eed1d2608d38",
        );
        reply_json(
            then,
            200,
            json!({"messages": [
                message("other", VOL2, "about another volume"),
                message(MESSAGE, VOL, NO_BACKEND),
                message("older", VOL, "an older message"),
            ]}),
        );
    });
    let client = common::client(&server);
    let result =
        client.try_wait_for_volume_status(VOL, VolumeStatus::Available, Duration::from_secs(5));
    let text = result.as_ref().unwrap_err().to_string();
    assert_resource_failed(result, "volume", VOL, "error", Some(NO_BACKEND));
    assert!(text.ends_with(&format!(": {NO_BACKEND}")), "{text}");
    plain_face_fails(
        || {
            client
                .wait_for_volume_status(VOL, VolumeStatus::Available, Duration::from_secs(5))
                .is_none()
        },
        &["wait_for_volume_status", VOL, "error", NO_BACKEND],
    );
    messages.assert_calls(2);
}

/// Every `error_*` status is a failure with a reason, e.g. `error_extending`.
#[test]
fn error_extending_is_a_failure_with_its_reason() {
    let server = server();
    volume_in(&server, "error_extending");
    server.mock(|when, then| {
        when.method(GET).path(cinder("/messages"));
        reply_json(
            then,
            200,
            json!({"messages": [message(MESSAGE, VOL, "extend volume: An unknown error occurred.")]}),
        );
    });
    let client = common::client(&server);
    assert_resource_failed(
        client.try_wait_for_volume_status(VOL, VolumeStatus::Available, Duration::from_secs(5)),
        "volume",
        VOL,
        "error_extending",
        Some("extend volume: An unknown error occurred."),
    );
}

/// The reason is best effort: no message, a failing or undecodable message list, or a
/// message with an empty text all give `reason: None` — the resource failed either way.
#[test]
fn without_a_readable_message_the_reason_is_none() {
    let replies: [(u16, Value); 4] = [
        (200, json!({"messages": []})),
        (500, fault("computeFault", 500, "boom")),
        (200, json!({"unexpected": true, "messages": "no"})),
        (200, json!({"messages": [message(MESSAGE, VOL, "")]})),
    ];
    for (status, body) in replies {
        let server = server();
        volume_in(&server, "error");
        let messages = server.mock(|when, then| {
            when.method(GET).path(cinder("/messages"));
            reply_json(then, status, body.clone());
        });
        let client = common::client(&server);
        assert_resource_failed(
            client.try_wait_for_volume_status(VOL, VolumeStatus::Available, Duration::from_secs(5)),
            "volume",
            VOL,
            "error",
            None,
        );
        messages.assert_calls(1);
    }
}

/// Below 3.3 there are no messages to read: the waiter does not ask.
#[test]
fn below_3_3_the_waiter_does_not_ask_for_messages() {
    let server = server();
    volume_in(&server, "error");
    let messages = server.mock(|when, then| {
        when.path_includes("/messages");
        reply_json(
            then,
            200,
            json!({"messages": [message(MESSAGE, VOL, NO_BACKEND)]}),
        );
    });
    let client = client_at(&server, "3.0");
    assert_resource_failed(
        client.try_wait_for_volume_status(VOL, VolumeStatus::Available, Duration::from_secs(5)),
        "volume",
        VOL,
        "error",
        None,
    );
    messages.assert_calls(0);
}

/// Snapshots say why too; backups fall back to their `fail_reason` when there is no message.
#[test]
fn snapshots_and_backups_say_why() {
    let server = server();
    server.mock(|when, then| {
        when.method(GET).path(cinder(&format!("/snapshots/{SNAP}")));
        reply_json(
            then,
            200,
            json!({"snapshot": {"id": SNAP, "status": "error", "volume_id": VOL, "size": 1}}),
        );
    });
    server.mock(|when, then| {
        query_is(
            when.method(GET).path(cinder("/messages")),
            "sort=created_at:desc&resource_uuid=b1323cda-8e4b-41c1-afc5-2fc791809c8c",
        );
        reply_json(
            then,
            200,
            json!({"messages": [message(MESSAGE, SNAP, "create snapshot: An unknown error occurred.")]}),
        );
    });
    server.mock(|when, then| {
        when.method(GET).path(cinder(&format!("/backups/{BAK}")));
        reply_json(
            then,
            200,
            json!({"backup": {"id": BAK, "status": "error", "volume_id": VOL, "size": 1,
                              "fail_reason": "Connection to swift failed"}}),
        );
    });
    server.mock(|when, then| {
        query_is(
            when.method(GET).path(cinder("/messages")),
            "sort=created_at:desc&resource_uuid=2ef47aee-8844-490c-804d-2a8efe561c65",
        );
        reply_json(then, 200, json!({"messages": []}));
    });
    let client = common::client(&server);
    assert_resource_failed(
        client.try_wait_for_snapshot_status(
            SNAP,
            SnapshotStatus::Available,
            Duration::from_secs(5),
        ),
        "snapshot",
        SNAP,
        "error",
        Some("create snapshot: An unknown error occurred."),
    );
    assert_resource_failed(
        client.try_wait_for_backup_status(BAK, BackupStatus::Available, Duration::from_secs(5)),
        "backup",
        BAK,
        "error",
        Some("Connection to swift failed"),
    );
}

// ----- against the simulated cloud -----------------------------------------------------------

fn failing_cloud() -> FakeCloud {
    fake_common::cloud_with_delay(Duration::from_millis(20))
}

/// The example: a create that the scheduler cannot place.
#[test]
fn fake_cloud_a_failed_create_reports_the_cloud_user_message() {
    common::capture_logs();
    let cloud = failing_cloud();
    let client = fake_common::client(&cloud);
    cloud.fail_next(Operation::CreateVolume, "");
    let volume = client
        .try_create_volume(1, "unlucky", &Default::default())
        .unwrap();
    let result =
        client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, fake_common::LONG);
    assert_resource_failed(result, "volume", &volume.id, "error", Some(NO_BACKEND));
    // The waiter asked exactly for this volume's messages, newest first.
    let asked = cloud
        .request_log()
        .into_iter()
        .find(|r| r.path.ends_with("/messages"))
        .unwrap();
    assert_eq!(
        asked.query,
        format!("sort=created_at:desc&resource_uuid={}", volume.id)
    );
    // The same message through the message API: list, show, delete.
    let messages = client.try_list_user_messages(Some(&volume.id)).unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].user_message, NO_BACKEND);
    assert_eq!(
        messages[0].event_id.as_deref(),
        Some("VOLUME_VOLUME_001_003")
    );
    assert_eq!(
        messages[0].resource_uuid.as_deref(),
        Some(volume.id.as_str())
    );
    let one = client.try_get_user_message(&messages[0].id).unwrap();
    assert_eq!(one.user_message, NO_BACKEND);
    client.try_delete_user_message(&messages[0].id).unwrap();
    assert!(
        client
            .try_get_user_message(&messages[0].id)
            .unwrap_err()
            .is_not_found()
    );
    // Now without a message: still a failure, without a reason.
    assert_resource_failed(
        client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, fake_common::LONG),
        "volume",
        &volume.id,
        "error",
        None,
    );
    // The plain face logs the reason.
    cloud.fail_next(
        Operation::CreateVolume,
        "Driver is not initialized at present.",
    );
    let second = client
        .try_create_volume(1, "unlucky-2", &Default::default())
        .unwrap();
    plain_face_fails(
        || {
            client
                .wait_for_volume_status(&second.id, VolumeStatus::Available, fake_common::LONG)
                .is_none()
        },
        &[
            "wait_for_volume_status",
            &second.id,
            "schedule allocate volume: Driver is not initialized at present.",
        ],
    );
}

#[test]
fn fake_cloud_failed_extend_snapshot_backup_and_restore_say_why() {
    let cloud = failing_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "v", &Default::default());

    cloud.fail_next(Operation::ExtendVolume, "disk on fire");
    client.try_extend_volume(&volume.id, 2).unwrap();
    assert_resource_failed(
        client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, fake_common::LONG),
        "volume",
        &volume.id,
        "error_extending",
        Some("extend volume: disk on fire"),
    );

    let volume = fake_common::available_volume(&client, 1, "v2", &Default::default());
    cloud.fail_next(Operation::CreateSnapshot, "");
    let snapshot = client
        .try_create_snapshot(&volume.id, "s", &Default::default())
        .unwrap();
    assert_resource_failed(
        client.try_wait_for_snapshot_status(
            &snapshot.id,
            SnapshotStatus::Available,
            fake_common::LONG,
        ),
        "snapshot",
        &snapshot.id,
        "error",
        Some("create snapshot: An unknown error occurred."),
    );

    cloud.fail_next(Operation::CreateBackup, "no space in the container");
    let backup = client
        .try_create_backup(&volume.id, "b", &CreateBackupOptions::default())
        .unwrap();
    assert_resource_failed(
        client.try_wait_for_backup_status(&backup.id, BackupStatus::Available, fake_common::LONG),
        "backup",
        &backup.id,
        "error",
        Some("create backup: no space in the container"),
    );

    client
        .try_wait_for_volume_status(&volume.id, VolumeStatus::Available, fake_common::LONG)
        .unwrap();
    let good = client
        .try_create_backup(&volume.id, "good", &CreateBackupOptions::default())
        .unwrap();
    client
        .try_wait_for_backup_status(&good.id, BackupStatus::Available, fake_common::LONG)
        .unwrap();
    cloud.fail_next(Operation::RestoreBackup, "");
    let restore = client
        .try_restore_backup(&good.id, &RestoreTarget::new_volume("restored"))
        .unwrap();
    let result = client.try_wait_for_volume_status(
        &restore.volume_id,
        VolumeStatus::Available,
        fake_common::LONG,
    );
    let Err(Error::ResourceFailed { status, reason, .. }) = &result else {
        panic!("{result:?}")
    };
    assert_eq!(status, "error_restoring");
    // Cinder posts a restore failure on the backup, not on the volume.
    let on_backup = client.try_list_user_messages(Some(&good.id)).unwrap();
    assert_eq!(on_backup.len(), 1);
    assert_eq!(
        on_backup[0].user_message,
        "restore backup: An unknown error occurred."
    );
    // So the restored volume's waiter has no message of its own to quote.
    assert_eq!(*reason, None);
}

/// Messages belong to a project: the other project neither lists nor shows them.
#[test]
fn fake_cloud_messages_are_per_project() {
    let cloud = failing_cloud();
    let client = fake_common::client(&cloud);
    cloud.fail_next(Operation::CreateVolume, "");
    let volume = client
        .try_create_volume(1, "unlucky", &Default::default())
        .unwrap();
    let _ =
        client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, fake_common::LONG);
    let mine = client.try_list_user_messages(None).unwrap();
    assert_eq!(mine.len(), 1);
    let mut config: Config = fake_common::config(&cloud);
    config.auth = Config::application_credential(
        FakeCloud::OTHER_APP_CREDENTIAL_ID,
        FakeCloud::OTHER_APP_CREDENTIAL_SECRET,
    )
    .auth;
    let other = InfomaniakVolumeClient::new(config).unwrap();
    assert!(other.try_list_user_messages(None).unwrap().is_empty());
    assert!(
        other
            .try_get_user_message(&mine[0].id)
            .unwrap_err()
            .is_not_found()
    );
}

/// `error_deleting` ends a deletion wait with the reason too.
#[test]
fn a_failed_deletion_says_why() {
    let server = server();
    volume_in(&server, "error_deleting");
    server.mock(|when, then| {
        when.method(GET).path(cinder("/messages"));
        reply_json(
            then,
            200,
            json!({"messages": [message(MESSAGE, VOL, "delete volume: An unknown error occurred.")]}),
        );
    });
    let client = common::client(&server);
    assert_resource_failed(
        client.try_wait_for_volume_deleted(VOL, Duration::from_secs(5)),
        "volume",
        VOL,
        "error_deleting",
        Some("delete volume: An unknown error occurred."),
    );
}
