//! The failure matrix: every operation, both faces, against 404 / 400 / 500 / malformed JSON /
//! an unreachable cloud; and bad input rejected before anything is sent.

mod common;
mod ops_common;

use std::time::Duration;

use common::assert::{assert_api_err, assert_not_found_err};
use httpmock::Then;
use httpmock::prelude::*;
use infomaniak_block_storage::{
    AttachOptions, BackupStatus, CreateBackupOptions, CreateSnapshotOptions, CreateVolumeOptions,
    DeleteBackupOptions, DeleteSnapshotOptions, DeleteVolumeOptions, Error, InfomaniakVolumeClient,
    RestoreTarget, SnapshotStatus, VolumeStatus,
};
use log::Level;
use ops_common::*;
use serde_json::{Value, json};

type Client = InfomaniakVolumeClient;

/// One operation as the matrix sees it.
struct Op {
    /// The plain method's name, as it appears in the log line.
    name: &'static str,
    /// What identifies the call in the log line (its id, or the name for creates).
    log_id: &'static str,
    method: &'static str,
    path: String,
    compute: bool,
    /// Exact JSON body the request must carry.
    body: Option<Value>,
    /// `Some((resource, id))` when a 404 becomes `Error::NotFound`; `None` when it is an
    /// `Error::Api` 404 (lists and volume create have no single subject).
    not_found: Option<(&'static str, &'static str)>,
    /// `Some(what)` when the operation decodes the 2xx body (then a malformed one is
    /// `Error::Decode { what, .. }`); `None` when it ignores the body.
    decodes: Option<&'static str>,
    /// Mocks the operation needs before the failing step (detach's attachment list).
    pre: Option<fn(&MockServer)>,
    run: fn(&Client) -> Result<(), Error>,
    /// Calls the plain face; true when it returned its sentinel (empty, None, false).
    plain_sentinel: fn(&Client) -> bool,
}

fn attached_list(server: &MockServer) {
    server.mock(|when, then| {
        nova_call(no_query(
            when.method(GET)
                .path(nova(&format!("/servers/{SRV}/os-volume_attachments"))),
        ));
        reply_json(
            then,
            200,
            json!({"volumeAttachments": [{"device": "/dev/vdb", "id": VOL, "serverId": SRV, "volumeId": VOL}]}),
        );
    });
}

fn ops() -> Vec<Op> {
    let volume = Some(("volume", VOL));
    let backup = Some(("backup", BAK));
    let snapshot = Some(("snapshot", SNAP));
    let attachments_path = nova(&format!("/servers/{SRV}/os-volume_attachments"));
    vec![
        Op {
            name: "list_volumes",
            log_id: "",
            method: "GET",
            path: cinder("/volumes/detail"),
            compute: false,
            body: None,
            not_found: None,
            decodes: Some("volume list page"),
            pre: None,
            run: |c| c.try_list_volumes().map(drop),
            plain_sentinel: |c| c.list_volumes().is_empty(),
        },
        Op {
            name: "get_volume",
            log_id: VOL,
            method: "GET",
            path: cinder(&format!("/volumes/{VOL}")),
            compute: false,
            body: None,
            not_found: volume,
            decodes: Some("volume"),
            pre: None,
            run: |c| c.try_get_volume(VOL).map(drop),
            plain_sentinel: |c| c.get_volume(VOL).is_none(),
        },
        Op {
            name: "create_volume",
            log_id: "vol-a",
            method: "POST",
            path: cinder("/volumes"),
            compute: false,
            body: Some(json!({"volume": {"size": 10, "name": "vol-a"}})),
            not_found: None,
            decodes: Some("created volume"),
            pre: None,
            run: |c| {
                c.try_create_volume(10, "vol-a", &CreateVolumeOptions::default())
                    .map(drop)
            },
            plain_sentinel: |c| {
                c.create_volume(10, "vol-a", &CreateVolumeOptions::default())
                    .is_none()
            },
        },
        Op {
            name: "delete_volume",
            log_id: VOL,
            method: "DELETE",
            path: cinder(&format!("/volumes/{VOL}")),
            compute: false,
            body: None,
            not_found: volume,
            decodes: None,
            pre: None,
            run: |c| c.try_delete_volume(VOL, &DeleteVolumeOptions::default()),
            plain_sentinel: |c| !c.delete_volume(VOL, &DeleteVolumeOptions::default()),
        },
        Op {
            name: "delete_volume",
            log_id: VOL,
            method: "POST",
            path: cinder(&format!("/volumes/{VOL}/action")),
            compute: false,
            body: Some(json!({"os-force_delete": {}})),
            not_found: volume,
            decodes: None,
            pre: None,
            run: |c| c.try_delete_volume(VOL, &DeleteVolumeOptions::default().force(true)),
            plain_sentinel: |c| !c.delete_volume(VOL, &DeleteVolumeOptions::default().force(true)),
        },
        Op {
            name: "extend_volume",
            log_id: VOL,
            method: "POST",
            path: cinder(&format!("/volumes/{VOL}/action")),
            compute: false,
            body: Some(json!({"os-extend": {"new_size": 20}})),
            not_found: volume,
            decodes: None,
            pre: None,
            run: |c| c.try_extend_volume(VOL, 20),
            plain_sentinel: |c| !c.extend_volume(VOL, 20),
        },
        Op {
            name: "attach_volume",
            log_id: VOL,
            method: "POST",
            path: attachments_path.clone(),
            compute: true,
            body: Some(json!({"volumeAttachment": {"volumeId": VOL}})),
            // A 404 may be the server or the volume: the error names both, Nova's message
            // says which.
            not_found: Some((
                "volume or server",
                "6edbc2f4-1507-44f8-ac0d-eed1d2608d38, 4b293d31-ebd5-4a7f-be03-874b90021e54",
            )),
            decodes: None,
            pre: None,
            run: |c| c.try_attach_volume(VOL, SRV, &AttachOptions::default()),
            plain_sentinel: |c| !c.attach_volume(VOL, SRV, &AttachOptions::default()),
        },
        Op {
            // detach fails while listing the server's attachments
            name: "detach_volume",
            log_id: VOL,
            method: "GET",
            path: attachments_path.clone(),
            compute: true,
            body: None,
            not_found: Some(("server", SRV)),
            decodes: Some("server volume attachments"),
            pre: None,
            run: |c| c.try_detach_volume(VOL, SRV),
            plain_sentinel: |c| !c.detach_volume(VOL, SRV),
        },
        Op {
            // detach fails on the DELETE after finding the attachment
            name: "detach_volume",
            log_id: VOL,
            method: "DELETE",
            path: format!("{attachments_path}/{VOL}"),
            compute: true,
            body: None,
            not_found: Some(("volume attachment", VOL)),
            decodes: None,
            pre: Some(attached_list),
            run: |c| c.try_detach_volume(VOL, SRV),
            plain_sentinel: |c| !c.detach_volume(VOL, SRV),
        },
        Op {
            name: "list_server_attachments",
            log_id: SRV,
            method: "GET",
            path: attachments_path.clone(),
            compute: true,
            body: None,
            not_found: Some(("server", SRV)),
            decodes: Some("server volume attachments"),
            pre: None,
            run: |c| c.try_list_server_attachments(SRV).map(drop),
            plain_sentinel: |c| c.list_server_attachments(SRV).is_empty(),
        },
        Op {
            name: "get_server_attachment",
            log_id: VOL,
            method: "GET",
            path: format!("{attachments_path}/{VOL}"),
            compute: true,
            body: None,
            not_found: Some(("volume attachment", VOL)),
            decodes: Some("server volume attachment"),
            pre: None,
            run: |c| c.try_get_server_attachment(VOL, SRV).map(drop),
            plain_sentinel: |c| c.get_server_attachment(VOL, SRV).is_none(),
        },
        Op {
            name: "list_backups",
            log_id: "",
            method: "GET",
            path: cinder("/backups/detail"),
            compute: false,
            body: None,
            not_found: None,
            decodes: Some("backup list page"),
            pre: None,
            run: |c| c.try_list_backups().map(drop),
            plain_sentinel: |c| c.list_backups().is_empty(),
        },
        Op {
            name: "get_backup",
            log_id: BAK,
            method: "GET",
            path: cinder(&format!("/backups/{BAK}")),
            compute: false,
            body: None,
            not_found: backup,
            decodes: Some("backup"),
            pre: None,
            run: |c| c.try_get_backup(BAK).map(drop),
            plain_sentinel: |c| c.get_backup(BAK).is_none(),
        },
        Op {
            name: "create_backup",
            log_id: VOL,
            method: "POST",
            path: cinder("/backups"),
            compute: false,
            body: Some(
                json!({"backup": {"volume_id": VOL, "name": "bak-a", "incremental": false, "force": false}}),
            ),
            // A 404 on create means the volume to back up does not exist.
            not_found: volume,
            decodes: Some("created backup"),
            pre: None,
            run: |c| {
                c.try_create_backup(VOL, "bak-a", &CreateBackupOptions::default())
                    .map(drop)
            },
            plain_sentinel: |c| {
                c.create_backup(VOL, "bak-a", &CreateBackupOptions::default())
                    .is_none()
            },
        },
        Op {
            name: "restore_backup",
            log_id: BAK,
            method: "POST",
            path: cinder(&format!("/backups/{BAK}/restore")),
            compute: false,
            body: Some(json!({"restore": {"volume_id": VOL}})),
            // With a target volume a 404 may be the backup or the volume: both are named.
            not_found: Some((
                "backup or volume",
                "2ef47aee-8844-490c-804d-2a8efe561c65, 6edbc2f4-1507-44f8-ac0d-eed1d2608d38",
            )),
            decodes: Some("backup restore"),
            pre: None,
            run: |c| {
                c.try_restore_backup(BAK, &RestoreTarget::existing_volume(VOL))
                    .map(drop)
            },
            plain_sentinel: |c| {
                c.restore_backup(BAK, &RestoreTarget::existing_volume(VOL))
                    .is_none()
            },
        },
        Op {
            name: "delete_backup",
            log_id: BAK,
            method: "DELETE",
            path: cinder(&format!("/backups/{BAK}")),
            compute: false,
            body: None,
            not_found: backup,
            decodes: None,
            pre: None,
            run: |c| c.try_delete_backup(BAK, &DeleteBackupOptions::default()),
            plain_sentinel: |c| !c.delete_backup(BAK, &DeleteBackupOptions::default()),
        },
        Op {
            name: "delete_backup",
            log_id: BAK,
            method: "POST",
            path: cinder(&format!("/backups/{BAK}/action")),
            compute: false,
            body: Some(json!({"os-force_delete": {}})),
            not_found: backup,
            decodes: None,
            pre: None,
            run: |c| c.try_delete_backup(BAK, &DeleteBackupOptions::default().force(true)),
            plain_sentinel: |c| !c.delete_backup(BAK, &DeleteBackupOptions::default().force(true)),
        },
        Op {
            name: "list_snapshots",
            log_id: "",
            method: "GET",
            path: cinder("/snapshots/detail"),
            compute: false,
            body: None,
            not_found: None,
            decodes: Some("snapshot list page"),
            pre: None,
            run: |c| c.try_list_snapshots().map(drop),
            plain_sentinel: |c| c.list_snapshots().is_empty(),
        },
        Op {
            name: "get_snapshot",
            log_id: SNAP,
            method: "GET",
            path: cinder(&format!("/snapshots/{SNAP}")),
            compute: false,
            body: None,
            not_found: snapshot,
            decodes: Some("snapshot"),
            pre: None,
            run: |c| c.try_get_snapshot(SNAP).map(drop),
            plain_sentinel: |c| c.get_snapshot(SNAP).is_none(),
        },
        Op {
            name: "create_snapshot",
            log_id: VOL,
            method: "POST",
            path: cinder("/snapshots"),
            compute: false,
            body: Some(json!({"snapshot": {"volume_id": VOL, "name": "snap-a"}})),
            // A 404 on create means the volume to snapshot does not exist.
            not_found: volume,
            decodes: Some("created snapshot"),
            pre: None,
            run: |c| {
                c.try_create_snapshot(VOL, "snap-a", &CreateSnapshotOptions::default())
                    .map(drop)
            },
            plain_sentinel: |c| {
                c.create_snapshot(VOL, "snap-a", &CreateSnapshotOptions::default())
                    .is_none()
            },
        },
        Op {
            name: "delete_snapshot",
            log_id: SNAP,
            method: "DELETE",
            path: cinder(&format!("/snapshots/{SNAP}")),
            compute: false,
            body: None,
            not_found: snapshot,
            decodes: None,
            pre: None,
            run: |c| c.try_delete_snapshot(SNAP, &DeleteSnapshotOptions::default()),
            plain_sentinel: |c| !c.delete_snapshot(SNAP, &DeleteSnapshotOptions::default()),
        },
        Op {
            name: "delete_snapshot",
            log_id: SNAP,
            method: "POST",
            path: cinder(&format!("/snapshots/{SNAP}/action")),
            compute: false,
            body: Some(json!({"os-force_delete": {}})),
            not_found: snapshot,
            decodes: None,
            pre: None,
            run: |c| c.try_delete_snapshot(SNAP, &DeleteSnapshotOptions::default().force(true)),
            plain_sentinel: |c| {
                !c.delete_snapshot(SNAP, &DeleteSnapshotOptions::default().force(true))
            },
        },
    ]
}

/// Mocks `op`'s failing step with exact method, path, headers, query and body, answering with
/// `reply`; runs both faces and returns the `try_` error and the plain face's single log line.
/// The mock must have been called exactly twice (once per face: no retries).
fn run_failure(op: &Op, reply: impl Fn(Then) -> Then) -> (Result<(), Error>, bool, String) {
    let server = common::server();
    if let Some(pre) = op.pre {
        pre(&server);
    }
    let mock = server.mock(|when, then| {
        let when = when.method(op.method).path(op.path.clone());
        let when = no_query(if op.compute {
            nova_call(when)
        } else {
            cinder_call(when)
        });
        if let Some(body) = &op.body {
            json_request(when, body.clone());
        }
        reply(then);
    });
    let client = common::client(&server);
    let result = (op.run)(&client);
    let before_error = log_mark(Level::Error);
    let sentinel = (op.plain_sentinel)(&client);
    let errors = logs_since(Level::Error, before_error);
    mock.assert_calls(2);
    let line = if errors.len() == 1 {
        errors[0].clone()
    } else {
        assert!(
            errors.is_empty(),
            "{}: several error lines {errors:#?}",
            op.name
        );
        String::new()
    };
    (result, sentinel, line)
}

fn assert_logged(op: &Op, line: &str, needles: &[&str]) {
    assert!(
        !line.is_empty(),
        "{}: plain face logged no error line",
        op.name
    );
    for needle in [op.name, op.log_id].iter().chain(needles) {
        assert!(
            line.contains(needle),
            "{}: {line:?} lacks {needle:?}",
            op.name
        );
    }
}

#[test]
fn not_found_on_every_operation() {
    common::capture_logs();
    for op in ops() {
        let message = format!("{} target could not be found.", op.name);
        let (result, sentinel, line) = run_failure(&op, |then| {
            reply_json(then, 404, fault("itemNotFound", 404, &message))
        });
        let err = result.expect_err(op.name);
        let context = format!("{} ({:?} {})", op.name, op.method, op.path);
        match op.not_found {
            Some((resource, id)) => assert_not_found_err(
                &err,
                resource,
                id,
                &message,
                Some(common::REQUEST_ID),
                &context,
            ),
            None => assert_api_err(
                &err,
                404,
                Some("itemNotFound"),
                &message,
                Some(common::REQUEST_ID),
                None,
                &context,
            ),
        }
        assert_eq!(err.status(), Some(404));
        assert_eq!(err.code(), Some("itemNotFound"));
        assert_eq!(err.is_not_found(), op.not_found.is_some(), "{}", op.name);
        assert!(
            sentinel,
            "{}: plain face did not return its sentinel",
            op.name
        );
        assert_logged(&op, &line, &["404", &message, common::REQUEST_ID]);
    }
}

#[test]
fn bad_request_on_every_operation() {
    common::capture_logs();
    for op in ops() {
        let message = format!("Invalid input for {}: bad field.", op.name);
        let (result, sentinel, line) = run_failure(&op, |then| {
            reply_json(then, 400, fault("badRequest", 400, &message))
        });
        assert_api_err(
            &result.expect_err(op.name),
            400,
            Some("badRequest"),
            &message,
            Some(common::REQUEST_ID),
            None,
            &format!("{} ({:?} {})", op.name, op.method, op.path),
        );
        assert!(sentinel, "{}", op.name);
        assert_logged(
            &op,
            &line,
            &["HTTP 400", "badRequest", &message, common::REQUEST_ID],
        );
    }
}

#[test]
fn server_error_on_every_operation_is_not_retried() {
    common::capture_logs();
    for op in ops() {
        let message =
            "The server has either erred or is incapable of performing the requested operation.";
        let (result, sentinel, line) = run_failure(&op, |then| {
            reply_json(then, 500, fault("computeFault", 500, message))
        });
        assert_api_err(
            &result.expect_err(op.name),
            500,
            Some("computeFault"),
            message,
            Some(common::REQUEST_ID),
            None,
            op.name,
        );
        assert!(sentinel, "{}", op.name);
        assert_logged(
            &op,
            &line,
            &["HTTP 500", "computeFault", message, common::REQUEST_ID],
        );
    }
}

#[test]
fn malformed_json_on_success_is_a_decode_error_where_the_body_is_read() {
    common::capture_logs();
    let garbage = "{\"volume\": {\"id\": \"trunc";
    for op in ops() {
        let status = if op.method == "GET" { 200 } else { 202 };
        let (result, sentinel, line) = run_failure(&op, |then| reply_raw(then, status, garbage));
        match op.decodes {
            Some(what) => {
                match result {
                    Err(Error::Decode {
                        what: got_what,
                        message,
                        request_id,
                        ..
                    }) => {
                        assert_eq!(got_what, what, "{}", op.name);
                        assert!(!message.is_empty());
                        assert_eq!(request_id.as_deref(), Some(common::REQUEST_ID));
                    }
                    other => panic!("{}: expected Decode, got {other:?}", op.name),
                }
                assert!(sentinel, "{}", op.name);
                assert_logged(&op, &line, &["could not decode", what, common::REQUEST_ID]);
            }
            None => {
                // Deletes, actions and attach never read the body of an accepted request.
                assert_eq!(result, Ok(()), "{}", op.name);
                assert!(!sentinel, "{}: plain face failed", op.name);
                assert_eq!(line, "", "{}: unexpected error log", op.name);
            }
        }
    }
}

#[test]
fn unreachable_cloud_is_a_transport_error_on_every_operation() {
    common::capture_logs();
    let client = common::unreachable_client();
    for op in ops() {
        match (op.run)(&client) {
            Err(Error::Transport {
                message,
                outcome_unknown,
                ..
            }) => {
                // Authentication is the first request; nothing else can have been sent.
                assert!(message.contains("authentication"), "{}: {message}", op.name);
                assert!(!outcome_unknown, "{}", op.name);
            }
            other => panic!("{}: expected Transport, got {other:?}", op.name),
        }
        plain_face_fails(
            || (op.plain_sentinel)(&client),
            &[op.name, op.log_id, "transport error"],
        );
    }
}

// ----- bad input --------------------------------------------------------------------------

const BAD_IDS: [&str; 9] = ["", "a/b", "..", ".", "a?b", "a%2F", "a b", "a\nb", "é"];

type Call = Box<dyn Fn(&Client) -> Result<(), Error>>;

fn bad_id_calls(bad: &'static str) -> Vec<(&'static str, &'static str, Call)> {
    let t = Duration::from_millis(50);
    let opts = |f: fn(&mut CreateVolumeOptions, String)| {
        let mut o = CreateVolumeOptions::default();
        f(&mut o, bad.to_string());
        o
    };
    vec![
        (
            "get_volume",
            "volume_id",
            Box::new(move |c: &Client| c.try_get_volume(bad).map(drop)),
        ),
        (
            "delete_volume",
            "volume_id",
            Box::new(move |c: &Client| c.try_delete_volume(bad, &DeleteVolumeOptions::default())),
        ),
        (
            "delete_volume force",
            "volume_id",
            Box::new(move |c: &Client| {
                c.try_delete_volume(bad, &DeleteVolumeOptions::default().force(true))
            }),
        ),
        (
            "extend_volume",
            "volume_id",
            Box::new(move |c: &Client| c.try_extend_volume(bad, 20)),
        ),
        (
            "attach_volume",
            "volume_id",
            Box::new(move |c: &Client| c.try_attach_volume(bad, SRV, &AttachOptions::default())),
        ),
        (
            "attach_volume",
            "instance_id",
            Box::new(move |c: &Client| c.try_attach_volume(VOL, bad, &AttachOptions::default())),
        ),
        (
            "detach_volume",
            "volume_id",
            Box::new(move |c: &Client| c.try_detach_volume(bad, SRV)),
        ),
        (
            "detach_volume",
            "instance_id",
            Box::new(move |c: &Client| c.try_detach_volume(VOL, bad)),
        ),
        (
            "list_server_attachments",
            "instance_id",
            Box::new(move |c: &Client| c.try_list_server_attachments(bad).map(drop)),
        ),
        (
            "get_server_attachment",
            "instance_id",
            Box::new(move |c: &Client| c.try_get_server_attachment(VOL, bad).map(drop)),
        ),
        (
            "get_server_attachment",
            "volume_id",
            Box::new(move |c: &Client| c.try_get_server_attachment(bad, SRV).map(drop)),
        ),
        (
            "get_backup",
            "backup_id",
            Box::new(move |c: &Client| c.try_get_backup(bad).map(drop)),
        ),
        (
            "create_backup",
            "volume_id",
            Box::new(move |c: &Client| {
                c.try_create_backup(bad, "b", &CreateBackupOptions::default())
                    .map(drop)
            }),
        ),
        (
            "restore_backup",
            "backup_id",
            Box::new(move |c: &Client| {
                c.try_restore_backup(bad, &RestoreTarget::default())
                    .map(drop)
            }),
        ),
        (
            "restore_backup",
            "volume_id",
            Box::new(move |c: &Client| {
                c.try_restore_backup(BAK, &RestoreTarget::existing_volume(bad))
                    .map(drop)
            }),
        ),
        (
            "delete_backup",
            "backup_id",
            Box::new(move |c: &Client| c.try_delete_backup(bad, &DeleteBackupOptions::default())),
        ),
        (
            "delete_backup force",
            "backup_id",
            Box::new(move |c: &Client| {
                c.try_delete_backup(bad, &DeleteBackupOptions::default().force(true))
            }),
        ),
        (
            "get_snapshot",
            "snapshot_id",
            Box::new(move |c: &Client| c.try_get_snapshot(bad).map(drop)),
        ),
        (
            "create_snapshot",
            "volume_id",
            Box::new(move |c: &Client| {
                c.try_create_snapshot(bad, "s", &CreateSnapshotOptions::default())
                    .map(drop)
            }),
        ),
        (
            "delete_snapshot",
            "snapshot_id",
            Box::new(move |c: &Client| {
                c.try_delete_snapshot(bad, &DeleteSnapshotOptions::default())
            }),
        ),
        (
            "delete_snapshot force",
            "snapshot_id",
            Box::new(move |c: &Client| {
                c.try_delete_snapshot(bad, &DeleteSnapshotOptions::default().force(true))
            }),
        ),
        ("create_volume from snapshot", "snapshot_id", {
            let o = opts(|o, v| o.snapshot_id = Some(v));
            Box::new(move |c: &Client| c.try_create_volume(1, "v", &o).map(drop))
        }),
        ("create_volume from volume", "source_volume_id", {
            let o = opts(|o, v| o.source_volume_id = Some(v));
            Box::new(move |c: &Client| c.try_create_volume(1, "v", &o).map(drop))
        }),
        ("create_volume from backup", "backup_id", {
            let o = opts(|o, v| o.backup_id = Some(v));
            Box::new(move |c: &Client| c.try_create_volume(1, "v", &o).map(drop))
        }),
        (
            "wait_for_volume_status",
            "volume_id",
            Box::new(move |c: &Client| {
                c.try_wait_for_volume_status(bad, VolumeStatus::Available, t)
                    .map(drop)
            }),
        ),
        (
            "wait_for_volume_deleted",
            "volume_id",
            Box::new(move |c: &Client| c.try_wait_for_volume_deleted(bad, t)),
        ),
        (
            "wait_for_snapshot_status",
            "snapshot_id",
            Box::new(move |c: &Client| {
                c.try_wait_for_snapshot_status(bad, SnapshotStatus::Available, t)
                    .map(drop)
            }),
        ),
        (
            "wait_for_snapshot_deleted",
            "snapshot_id",
            Box::new(move |c: &Client| c.try_wait_for_snapshot_deleted(bad, t)),
        ),
        (
            "wait_for_backup_status",
            "backup_id",
            Box::new(move |c: &Client| {
                c.try_wait_for_backup_status(bad, BackupStatus::Available, t)
                    .map(drop)
            }),
        ),
        (
            "wait_for_backup_deleted",
            "backup_id",
            Box::new(move |c: &Client| c.try_wait_for_backup_deleted(bad, t)),
        ),
    ]
}

/// A server where every request (Keystone included) is caught: it must see none.
fn catch_all(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|_when, then| {
        then.status(500);
    })
}

#[test]
fn bad_ids_are_rejected_before_any_request() {
    let server = MockServer::start();
    let anything = catch_all(&server);
    let client = common::client(&server);
    let mut checked = 0;
    for bad in BAD_IDS {
        for (label, argument, call) in bad_id_calls(bad) {
            match call(&client) {
                Err(Error::InvalidArgument {
                    argument: got,
                    message,
                    ..
                }) => {
                    assert_eq!(got, argument, "{label}({bad:?})");
                    assert!(!message.is_empty());
                }
                other => panic!("{label}({bad:?}): expected InvalidArgument, got {other:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, BAD_IDS.len() * 30);
    anything.assert_calls(0);
}

#[test]
fn bad_ids_on_the_plain_face_give_the_sentinel_and_one_error_line() {
    common::capture_logs();
    let server = MockServer::start();
    let anything = catch_all(&server);
    let client = common::client(&server);
    type Check<'a> = (&'static str, Box<dyn Fn() -> bool + 'a>);
    let checks: Vec<Check<'_>> = vec![
        (
            "get_volume",
            Box::new(|| client.get_volume("a/b").is_none()),
        ),
        (
            "delete_volume",
            Box::new(|| !client.delete_volume("a/b", &DeleteVolumeOptions::default().force(true))),
        ),
        (
            "extend_volume",
            Box::new(|| !client.extend_volume("a/b", 2)),
        ),
        (
            "attach_volume",
            Box::new(|| !client.attach_volume(VOL, "a/b", &AttachOptions::default())),
        ),
        (
            "detach_volume",
            Box::new(|| !client.detach_volume(VOL, "a/b")),
        ),
        (
            "list_server_attachments",
            Box::new(|| client.list_server_attachments("a/b").is_empty()),
        ),
        (
            "get_server_attachment",
            Box::new(|| client.get_server_attachment("a/b", VOL).is_none()),
        ),
        (
            "get_backup",
            Box::new(|| client.get_backup("a/b").is_none()),
        ),
        (
            "create_backup",
            Box::new(|| {
                client
                    .create_backup(
                        "a/b",
                        "n",
                        &CreateBackupOptions::default().incremental(true).force(true),
                    )
                    .is_none()
            }),
        ),
        (
            "restore_backup",
            Box::new(|| {
                client
                    .restore_backup("a/b", &RestoreTarget::default())
                    .is_none()
            }),
        ),
        (
            "delete_backup",
            Box::new(|| !client.delete_backup("a/b", &DeleteBackupOptions::default())),
        ),
        (
            "get_snapshot",
            Box::new(|| client.get_snapshot("a/b").is_none()),
        ),
        (
            "create_snapshot",
            Box::new(|| {
                client
                    .create_snapshot("a/b", "n", &CreateSnapshotOptions::default().force(true))
                    .is_none()
            }),
        ),
        (
            "delete_snapshot",
            Box::new(|| !client.delete_snapshot("a/b", &DeleteSnapshotOptions::default())),
        ),
        (
            "create_volume",
            Box::new(|| {
                client
                    .create_volume(0, "n", &CreateVolumeOptions::default())
                    .is_none()
            }),
        ),
    ];
    for (name, check) in checks {
        plain_face_fails(check, &[name, "invalid argument"]);
    }
    anything.assert_calls(0);
}

#[test]
fn bad_sizes_and_names_are_rejected_before_any_request() {
    let server = MockServer::start();
    let anything = catch_all(&server);
    let client = common::client(&server);
    let long = "n".repeat(256);
    let none = CreateVolumeOptions::default();
    let described = CreateVolumeOptions::default().description("d".repeat(256));
    let cases: Vec<(&str, &str, Result<(), Error>)> = vec![
        (
            "create_volume size 0",
            "size",
            client.try_create_volume(0, "v", &none).map(drop),
        ),
        (
            "create_volume size max",
            "size",
            client.try_create_volume(u64::MAX, "v", &none).map(drop),
        ),
        (
            "create_volume size > i32",
            "size",
            client
                .try_create_volume(i32::MAX as u64 + 1, "v", &none)
                .map(drop),
        ),
        (
            "extend_volume 0",
            "new_size",
            client.try_extend_volume(VOL, 0),
        ),
        (
            "extend_volume max",
            "new_size",
            client.try_extend_volume(VOL, u64::MAX),
        ),
        (
            "create_volume name 256",
            "name",
            client.try_create_volume(1, &long, &none).map(drop),
        ),
        (
            "create_volume name control char",
            "name",
            client.try_create_volume(1, "a\u{7}b", &none).map(drop),
        ),
        (
            "create_volume description 256",
            "description",
            client.try_create_volume(1, "v", &described).map(drop),
        ),
        (
            "create_snapshot name 256",
            "name",
            client
                .try_create_snapshot(VOL, &long, &CreateSnapshotOptions::default())
                .map(drop),
        ),
        (
            "create_snapshot description 256",
            "description",
            client
                .try_create_snapshot(
                    VOL,
                    "s",
                    &CreateSnapshotOptions::default().description("d".repeat(256)),
                )
                .map(drop),
        ),
        (
            "create_backup name 256",
            "name",
            client
                .try_create_backup(VOL, &long, &CreateBackupOptions::default())
                .map(drop),
        ),
        (
            "restore_backup name 256",
            "name",
            client
                .try_restore_backup(BAK, &RestoreTarget::new_volume(long.as_str()))
                .map(drop),
        ),
        (
            "attach_volume empty device",
            "device",
            client.try_attach_volume(VOL, SRV, &AttachOptions::default().device("")),
        ),
        // The waiters' target is a typed status now (`VolumeStatus`), so the old "empty
        // target" case (`try_wait_for_volume_status(VOL, "", ..)`) has no equivalent.
    ];
    for (label, argument, result) in cases {
        match result {
            Err(Error::InvalidArgument { argument: got, .. }) => {
                assert_eq!(got, argument, "{label}")
            }
            other => panic!("{label}: expected InvalidArgument, got {other:?}"),
        }
    }
    anything.assert_calls(0);
}

#[test]
fn limits_are_inclusive_a_255_character_name_and_size_1_are_sent() {
    let server = common::server();
    let name = "é".repeat(255);
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(POST).path(cinder("/volumes"))),
            json!({"volume": {"size": 1, "name": name.clone()}}),
        );
        reply_json(
            then,
            202,
            json!({"volume": {"id": VOL, "name": name.clone(), "size": 1, "status": "creating"}}),
        );
    });
    let client = common::client(&server);
    let volume = client
        .try_create_volume(1, &name, &CreateVolumeOptions::default())
        .unwrap();
    assert_eq!(volume.name.as_deref(), Some(name.as_str()));
    assert_eq!(volume.size, 1);
    create.assert_calls(1);
}

#[test]
fn errors_describe_themselves_in_one_line() {
    // Error variants are non-exhaustive: each one is obtained from the client.
    let server = common::server();
    server.mock(|when, then| {
        when.method(GET).path(cinder(&format!("/volumes/{VOL}")));
        then.status(404)
            .header("Content-Type", "application/json")
            .header("x-openstack-request-id", common::REQUEST_ID)
            .json_body(
                json!({"itemNotFound": {"code": 404, "message": "Volume could not be found."}}),
            );
    });
    server.mock(|when, then| {
        when.method(POST).path(cinder("/volumes"));
        then.status(413)
            .header("Content-Type", "application/json")
            .header("Retry-After", "0")
            .json_body(json!({"overLimit": {"code": 413, "message": "quota exceeded"}}));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path(nova(&format!("/servers/{SRV}/os-volume_attachments")));
        then.status(200)
            .header("Content-Type", "application/json")
            .json_body(json!({"volumeAttachments": []}));
    });
    let client = common::client(&server);

    let not_found = client.try_get_volume(VOL).unwrap_err();
    assert_not_found_err(
        &not_found,
        "volume",
        VOL,
        "Volume could not be found.",
        Some(common::REQUEST_ID),
        "get_volume",
    );
    assert_eq!(
        not_found.to_string(),
        format!(
            "volume {VOL} not found (HTTP 404): Volume could not be found. (request id {})",
            common::REQUEST_ID
        )
    );
    let api = client
        .try_create_volume(10, "v", &CreateVolumeOptions::default())
        .unwrap_err();
    assert_api_err(
        &api,
        413,
        Some("overLimit"),
        "quota exceeded",
        None,
        Some(0),
        "create_volume",
    );
    assert_eq!(api.to_string(), "HTTP 413 overLimit: quota exceeded");
    assert_eq!(api.status(), Some(413));
    assert_eq!(api.code(), Some("overLimit"));
    assert_eq!(api.request_id(), None);
    let not_attached = client.try_detach_volume(VOL, SRV).unwrap_err();
    match &not_attached {
        Error::NotAttached {
            volume_id,
            instance_id,
            ..
        } => {
            assert_eq!(volume_id, VOL);
            assert_eq!(instance_id, SRV);
        }
        other => panic!("expected NotAttached, got {other:?}"),
    }
    assert_eq!(
        not_attached.to_string(),
        format!("volume {VOL} is not attached to server {SRV}; nothing to detach")
    );
    assert!(!not_attached.to_string().contains('\n'));
}
