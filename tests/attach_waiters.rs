//! Attach and detach waiters that follow one server's attachment (issue 10, point 1):
//! single- and multi-attach volumes, failed attaches that fail fast with `Error::AttachFailed`
//! (rolled back to `available`, or left in `error_attaching`), Nova 2.101's 202 after which
//! the volume still reads `available` for a moment, and detaching one of two attachments.
//! Against the simulated cloud and against httpmock.

// Both fixture modules: httpmock's (`common`) and the simulated cloud's, which embeds it.
#![allow(clippy::duplicate_mod)]

mod fake_common;

mod common;

use std::time::{Duration, Instant};

use fake_common::{LONG, cinder};
use httpmock::prelude::*;
use infomaniak_block_storage::{
    AttachOptions, CreateVolumeOptions, Error, InfomaniakVolumeClient, Volume, VolumeStatus,
};
use infomaniak_fake_cloud::FakeCloud;
use serde_json::json;

/// A failed attach must be reported long before this: it is the timeout given to waiters
/// that are expected to fail fast.
const FAIL_FAST_BOUND: Duration = Duration::from_secs(10);

fn client_at(cloud: &FakeCloud, compute_microversion: &str) -> InfomaniakVolumeClient {
    let mut config = fake_common::config(cloud);
    config.compute_microversion = compute_microversion.to_string();
    InfomaniakVolumeClient::new(config).unwrap()
}

fn available_volume(client: &InfomaniakVolumeClient, name: &str, multiattach: bool) -> Volume {
    let options = if multiattach {
        CreateVolumeOptions::default().volume_type("CEPH_1_multiattach")
    } else {
        CreateVolumeOptions::default()
    };
    let v = client.try_create_volume(1, name, &options).unwrap();
    let v = client
        .try_wait_for_volume_status(&v.id, VolumeStatus::Available, LONG)
        .unwrap();
    assert_eq!(v.multiattach, multiattach);
    v
}

fn attached_servers(volume: &Volume) -> Vec<String> {
    let mut servers: Vec<String> = volume
        .attachments
        .iter()
        .filter_map(|a| a.server_id.clone())
        .collect();
    servers.sort();
    servers
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// `POST …/os-volume_attachments` requests logged by the cloud for `server`.
fn attach_posts(cloud: &FakeCloud, server: &str) -> usize {
    cloud.requests_matching(
        "POST",
        &format!("/compute/v2.1/servers/{server}/os-volume_attachments"),
    )
}

// ----- simulated cloud -------------------------------------------------------------------

#[test]
fn single_attach_then_detach_follow_the_server() {
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(40));
    let client = client_at(&cloud, "2.79");
    let server = cloud.server_id();
    let v = available_volume(&client, "single", false);

    let attached = client
        .try_attach_volume_and_wait(&v.id, &server, &AttachOptions::default(), LONG)
        .unwrap();
    assert_eq!(attached.status, VolumeStatus::InUse);
    assert_eq!(attached_servers(&attached), vec![server.clone()]);
    assert_eq!(cloud.volume_status(&v.id).as_deref(), Some("in-use"));
    assert_eq!(attach_posts(&cloud, &server), 1);
    let listed = client.try_list_server_attachments(&server).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].volume_id, v.id);

    let detached = client
        .try_detach_volume_and_wait(&v.id, &server, LONG)
        .unwrap();
    assert_eq!(detached.status, VolumeStatus::Available);
    assert!(detached.attachments.is_empty());
    assert_eq!(cloud.volume_status(&v.id).as_deref(), Some("available"));
    assert!(
        client
            .try_list_server_attachments(&server)
            .unwrap()
            .is_empty()
    );
}

/// The second attach of a multi-attach volume finds it `in-use` already (through the first
/// server): the waiter must wait for the second server's own attachment, not return at once.
#[test]
fn multiattach_second_attach_waits_for_its_own_attachment() {
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(80));
    let client = client_at(&cloud, "2.79");
    let first = cloud.server_id();
    let second = cloud.add_server("second");
    let v = available_volume(&client, "shared", true);

    let after_first = client
        .try_attach_volume_and_wait(&v.id, &first, &AttachOptions::default(), LONG)
        .unwrap();
    assert_eq!(after_first.status, VolumeStatus::InUse);
    assert_eq!(attached_servers(&after_first), vec![first.clone()]);

    let after_second = client
        .try_attach_volume_and_wait(&v.id, &second, &AttachOptions::default(), LONG)
        .unwrap();
    assert_eq!(after_second.status, VolumeStatus::InUse);
    assert!(after_second.is_attached_to(&second), "{after_second:?}");
    assert!(after_second.is_attached_to(&first), "{after_second:?}");
    assert_eq!(
        attached_servers(&after_second),
        sorted(vec![first.clone(), second.clone()])
    );
    assert_eq!(attach_posts(&cloud, &second), 1);
    // Nova lists it on both servers.
    for server in [&first, &second] {
        let listed = client.try_list_server_attachments(server).unwrap();
        assert_eq!(listed.len(), 1, "{server}");
        assert_eq!(listed[0].volume_id, v.id);
    }
}

/// Detaching one of two attachments never makes the volume `available`: the waiter returns
/// once that server's attachment is gone, with the volume still `in-use` through the other.
#[test]
fn detach_one_of_two_attachments_returns_with_the_volume_in_use() {
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(40));
    let client = client_at(&cloud, "2.79");
    let first = cloud.server_id();
    let second = cloud.add_server("second");
    let v = available_volume(&client, "shared", true);
    for server in [&first, &second] {
        client
            .try_attach_volume_and_wait(&v.id, server, &AttachOptions::default(), LONG)
            .unwrap();
    }

    let started = Instant::now();
    let timeout = Duration::from_secs(20);
    let after = client
        .try_detach_volume_and_wait(&v.id, &first, timeout)
        .unwrap();
    assert!(
        started.elapsed() < timeout / 2,
        "returned after {:?}",
        started.elapsed()
    );
    assert_eq!(after.status, VolumeStatus::InUse);
    assert_eq!(attached_servers(&after), vec![second.clone()]);
    assert!(!after.is_attached_to(&first));
    assert_eq!(cloud.volume_status(&v.id).as_deref(), Some("in-use"));
    assert!(
        client
            .try_list_server_attachments(&first)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        client.try_list_server_attachments(&second).unwrap().len(),
        1
    );
    assert_eq!(
        cloud.requests_matching(
            "DELETE",
            &format!(
                "/compute/v2.1/servers/{first}/os-volume_attachments/{}",
                v.id
            )
        ),
        1
    );

    // The last one makes it available.
    let last = client
        .try_detach_volume_and_wait(&v.id, &second, LONG)
        .unwrap();
    assert_eq!(last.status, VolumeStatus::Available);
    assert!(last.attachments.is_empty());
}

fn expect_attach_failed(
    result: Result<Volume, Error>,
    volume: &str,
    server: &str,
    status: &str,
) -> Option<String> {
    let err = match result {
        Err(err) => err,
        Ok(v) => panic!("attach reported success: {v:?}"),
    };
    let text = err.to_string();
    assert!(text.contains(volume), "{text}");
    assert!(text.contains(server), "{text}");
    let Error::AttachFailed {
        volume_id,
        instance_id: server_id,
        status: seen,
        reason,
        ..
    } = err
    else {
        panic!("expected AttachFailed, got {err:?}")
    };
    assert_eq!(volume_id, volume);
    assert_eq!(server_id, server);
    assert_eq!(seen, status);
    reason
}

/// Nova rolls a volume whose connection failed back to `available`, without an attachment:
/// the waiter fails at once instead of polling until its timeout.
#[test]
fn attach_rolled_back_to_available_fails_fast() {
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(50));
    let client = client_at(&cloud, "2.79");
    let server = cloud.server_id();
    let v = available_volume(&client, "doomed", false);
    cloud.fail_next_attach(&v.id, "Connection to the Ceph cluster timed out");

    let started = Instant::now();
    let result = client.try_attach_volume_and_wait(&v.id, &server, &AttachOptions::default(), LONG);
    let took = started.elapsed();
    let reason = expect_attach_failed(result, &v.id, &server, "available");
    assert!(took < FAIL_FAST_BOUND, "took {took:?}");
    // Nova's instance action names the failed event (its details need 2.84).
    assert_eq!(reason.as_deref(), Some("compute_attach_volume: Error"));
    assert_eq!(cloud.volume_status(&v.id).as_deref(), Some("available"));
    assert_eq!(
        attach_posts(&cloud, &server),
        1,
        "a failed attach is not retried"
    );
    assert!(
        client
            .try_list_server_attachments(&server)
            .unwrap()
            .is_empty()
    );

    // The volume is usable: the next attach works.
    let v = client
        .try_attach_volume_and_wait(&v.id, &server, &AttachOptions::default(), LONG)
        .unwrap();
    assert!(v.is_attached_to(&server));
}

#[test]
fn attach_ending_in_error_attaching_fails_fast() {
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(50));
    let client = client_at(&cloud, "2.79");
    let server = cloud.server_id();
    let v = available_volume(&client, "doomed", false);
    cloud.fail_next_attach_with_error_state(&v.id, "iSCSI login failed");

    let started = Instant::now();
    let result = client.try_attach_volume_and_wait(&v.id, &server, &AttachOptions::default(), LONG);
    let took = started.elapsed();
    let reason = expect_attach_failed(result, &v.id, &server, "error_attaching");
    assert!(took < FAIL_FAST_BOUND, "took {took:?}");
    // Cinder's user message about the volume says why (`attach volume: <reason>`); without
    // it, Nova's failed instance action.
    let reason = reason.expect("a reason");
    assert!(
        reason == "attach volume: iSCSI login failed",
        "Cinder's user message should win over Nova's generic one: {reason}"
    );
    assert_eq!(
        cloud.volume_status(&v.id).as_deref(),
        Some("error_attaching")
    );
}

/// From compute 2.101 Nova answers 202 before it reserves the volume, which still reads
/// `available` for a moment: that is not a failed attach.
#[test]
fn compute_2_101_volume_still_available_after_the_202_is_not_a_failure() {
    // The volume reads `available` for a third of this after the 202.
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(450));
    let client = client_at(&cloud, "2.101");
    let server = cloud.server_id();
    let v = available_volume(&client, "late", false);
    let mark = cloud.request_log().len();

    let attached = client
        .try_attach_volume_and_wait(&v.id, &server, &AttachOptions::default(), LONG)
        .unwrap();
    assert_eq!(attached.status, VolumeStatus::InUse);
    assert_eq!(attached_servers(&attached), vec![server.clone()]);

    let log = fake_common::log_since(&cloud, mark);
    let post = log
        .iter()
        .position(|r| r.method == "POST" && r.path.ends_with("/os-volume_attachments"))
        .expect("attach sent");
    assert_eq!(
        log[post].header("openstack-api-version"),
        Some("compute 2.101")
    );
    // The waiter polled the volume while it still read `available` (150 ms at a 5-20 ms
    // interval) and then while it attached.
    let volume_path = format!("{}/volumes/{}", cinder(), v.id);
    let polls = log[post..]
        .iter()
        .filter(|r| r.method == "GET" && r.path == volume_path)
        .count();
    assert!(polls >= 5, "{polls} polls");
}

/// A failed attach at 2.101: `available` (before reserving), `reserved`, `attaching`, and
/// back to `available` fails as soon as it is back, not after the grace for the 202.
#[test]
fn compute_2_101_failed_attach_still_fails_fast() {
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(60));
    let client = client_at(&cloud, "2.101");
    let server = cloud.server_id();
    let v = available_volume(&client, "doomed", false);
    cloud.fail_next_attach(&v.id, "no path to the volume");
    let started = Instant::now();
    let result = client.try_attach_volume_and_wait(&v.id, &server, &AttachOptions::default(), LONG);
    let took = started.elapsed();
    let reason = expect_attach_failed(result, &v.id, &server, "available");
    assert!(took < FAIL_FAST_BOUND, "took {took:?}");
    // From 2.84 Nova tells non-admins the event's details.
    assert_eq!(
        reason.as_deref(),
        Some("compute_attach_volume: Error: no path to the volume")
    );
}

/// The second attach of a multi-attach volume fails on the compute host: the volume goes
/// back to `in-use` through the first server only. That is a failure too, not a success and
/// not a wait until the timeout.
#[test]
fn failed_second_attach_of_a_multiattach_volume_fails_fast() {
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(50));
    let client = client_at(&cloud, "2.79");
    let first = cloud.server_id();
    let second = cloud.add_server("second");
    let v = available_volume(&client, "shared", true);
    client
        .try_attach_volume_and_wait(&v.id, &first, &AttachOptions::default(), LONG)
        .unwrap();
    cloud.fail_next_attach(&v.id, "host cannot reach the cluster");

    let started = Instant::now();
    let timeout = Duration::from_secs(20);
    let result =
        client.try_attach_volume_and_wait(&v.id, &second, &AttachOptions::default(), timeout);
    let took = started.elapsed();
    expect_attach_failed(result, &v.id, &second, "in-use");
    assert!(took < timeout / 2, "took {took:?}");
    assert_eq!(cloud.volume_status(&v.id).as_deref(), Some("in-use"));
    assert!(
        client
            .try_list_server_attachments(&second)
            .unwrap()
            .is_empty()
    );
    assert_eq!(client.try_list_server_attachments(&first).unwrap().len(), 1);
}

// ----- httpmock ----------------------------------------------------------------------------

const VOLUME: &str = "5e0c3f4a-9a9b-4c57-8f3e-6b5a1d1e2f30";
const SERVER: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const OTHER_SERVER: &str = "ffffeeee-dddd-4ccc-bbbb-aaaa99998888";

fn volume_body(status: &str, servers: &[&str]) -> serde_json::Value {
    let attachments: Vec<_> = servers
        .iter()
        .map(|s| {
            json!({"id": VOLUME, "attachment_id": format!("att-{s}"), "volume_id": VOLUME,
                   "server_id": s, "host_name": null, "device": "/dev/vdb",
                   "attached_at": "2026-11-29T10:00:00.000000"})
        })
        .collect();
    json!({"volume": {"id": VOLUME, "status": status, "size": 1, "multiattach": true,
                      "attachments": attachments}})
}

fn mock_attach_post<'a>(server: &'a MockServer, instance: &str) -> httpmock::Mock<'a> {
    let path = format!("{}/servers/{instance}/os-volume_attachments", common::NOVA);
    server.mock(|when, then| {
        when.method(POST).path(path);
        then.status(200)
            .header("Content-Type", "application/json")
            .json_body(
                json!({"volumeAttachment": {"id": VOLUME, "volumeId": VOLUME,
                "serverId": instance, "device": "/dev/vdc"}}),
            );
    })
}

fn mock_volume<'a>(server: &'a MockServer, status: &str, servers: &[&str]) -> httpmock::Mock<'a> {
    let body = volume_body(status, servers);
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/{VOLUME}", common::CINDER));
        then.status(200)
            .header("Content-Type", "application/json")
            .json_body(body);
    })
}

/// The volume is `in-use` through another server only, and stays so: the waiter must not
/// take that for this server's attachment.
#[test]
fn in_use_through_another_server_is_not_this_servers_attachment() {
    let server = common::server();
    let post = mock_attach_post(&server, SERVER);
    let get = mock_volume(&server, "in-use", &[OTHER_SERVER]);
    let client = common::client(&server);

    let timeout = Duration::from_millis(400);
    let result =
        client.try_attach_volume_and_wait(VOLUME, SERVER, &AttachOptions::default(), timeout);
    match result {
        Err(Error::WaitTimeout {
            resource,
            id,
            last_status,
            ..
        }) => {
            assert_eq!(resource, "volume");
            assert_eq!(id, VOLUME);
            assert_eq!(last_status, "in-use");
        }
        other => panic!("expected WaitTimeout, got {other:?}"),
    }
    post.assert_calls(1);
    assert!(get.calls() >= 3, "{} polls", get.calls());
}

/// `error_attaching`: AttachFailed at the first poll, with the reason read from Nova's
/// instance actions (the last line of the failed event's traceback).
#[test]
fn error_attaching_is_attach_failed_with_novas_reason() {
    let server = common::server();
    let post = mock_attach_post(&server, SERVER);
    let get = mock_volume(&server, "error_attaching", &[]);
    let actions = server.mock(|when, then| {
        when.method(GET).path(format!(
            "{}/servers/{SERVER}/os-instance-actions",
            common::NOVA
        ));
        then.status(200).json_body(json!({"instanceActions": [
            {"action": "attach_volume", "instance_uuid": SERVER, "message": "Error",
             "request_id": "req-11112222-3333-4444-5555-666677778888"},
            {"action": "create", "instance_uuid": SERVER, "message": null,
             "request_id": "req-00000000-0000-4000-8000-000000000000"}
        ]}));
    });
    let detail = server.mock(|when, then| {
        when.method(GET).path(format!(
            "{}/servers/{SERVER}/os-instance-actions/req-11112222-3333-4444-5555-666677778888",
            common::NOVA
        ));
        then.status(200).json_body(json!({"instanceAction": {
            "action": "attach_volume", "message": "Error",
            "events": [{"event": "compute_attach_volume", "result": "Error",
                        "traceback": "Traceback (most recent call last):\n  File \"x\"\nVolumeAttachFailed: rbd map failed\n"}]
        }}));
    });
    let client = common::client(&server);

    let started = Instant::now();
    let result = client.try_attach_volume_and_wait(VOLUME, SERVER, &AttachOptions::default(), LONG);
    assert!(started.elapsed() < FAIL_FAST_BOUND);
    let reason = expect_attach_failed(result, VOLUME, SERVER, "error_attaching");
    assert_eq!(
        reason.as_deref(),
        Some("compute_attach_volume: Error: VolumeAttachFailed: rbd map failed")
    );
    post.assert_calls(1);
    get.assert_calls(1);
    actions.assert_calls(1);
    detail.assert_calls(1);
}

/// Detach of one server's attachment from a volume another server keeps `in-use`.
#[test]
fn detach_waiter_returns_when_only_other_attachments_remain() {
    let server = common::server();
    let list = server.mock(|when, then| {
        when.method(GET).path(format!(
            "{}/servers/{SERVER}/os-volume_attachments",
            common::NOVA
        ));
        then.status(200).json_body(json!({"volumeAttachments": [
            {"id": VOLUME, "volumeId": VOLUME, "serverId": SERVER, "device": "/dev/vdb"}]}));
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE).path(format!(
            "{}/servers/{SERVER}/os-volume_attachments/{VOLUME}",
            common::NOVA
        ));
        then.status(202);
    });
    let get = mock_volume(&server, "in-use", &[OTHER_SERVER]);
    let client = common::client(&server);

    let started = Instant::now();
    let v = client
        .try_detach_volume_and_wait(VOLUME, SERVER, Duration::from_secs(20))
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(v.status, VolumeStatus::InUse);
    assert_eq!(attached_servers(&v), vec![OTHER_SERVER.to_string()]);
    list.assert_calls(1);
    delete.assert_calls(1);
    get.assert_calls(1);
}

/// Still attached to this server and `in-use`: detaching has not happened yet, so the
/// waiter keeps polling (and times out here), even though other attachments exist.
#[test]
fn detach_waiter_waits_while_this_servers_attachment_remains() {
    let server = common::server();
    server.mock(|when, then| {
        when.method(GET).path(format!(
            "{}/servers/{SERVER}/os-volume_attachments",
            common::NOVA
        ));
        then.status(200).json_body(json!({"volumeAttachments": [
            {"id": VOLUME, "volumeId": VOLUME, "serverId": SERVER, "device": "/dev/vdb"}]}));
    });
    server.mock(|when, then| {
        when.method(DELETE).path(format!(
            "{}/servers/{SERVER}/os-volume_attachments/{VOLUME}",
            common::NOVA
        ));
        then.status(202);
    });
    let get = mock_volume(&server, "in-use", &[OTHER_SERVER, SERVER]);
    let client = common::client(&server);
    match client.try_detach_volume_and_wait(VOLUME, SERVER, Duration::from_millis(300)) {
        Err(Error::WaitTimeout {
            target,
            last_status,
            ..
        }) => {
            assert_eq!(target, "detached");
            assert_eq!(last_status, "in-use");
        }
        other => panic!("expected WaitTimeout, got {other:?}"),
    }
    assert!(get.calls() >= 3);
}

/// A detach that Nova rolls back (`detaching`, then `in-use` again with this server's
/// attachment) fails fast with `Error::DetachFailed`, with Nova's instance action as reason.
#[test]
fn rolled_back_detach_is_detach_failed() {
    let server = common::server();
    server.mock(|when, then| {
        when.method(GET).path(format!(
            "{}/servers/{SERVER}/os-volume_attachments",
            common::NOVA
        ));
        then.status(200).json_body(json!({"volumeAttachments": [
            {"id": VOLUME, "volumeId": VOLUME, "serverId": SERVER, "device": "/dev/vdb"}]}));
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE).path(format!(
            "{}/servers/{SERVER}/os-volume_attachments/{VOLUME}",
            common::NOVA
        ));
        then.status(202);
    });
    server.mock(|when, then| {
        when.method(GET).path(format!(
            "{}/servers/{SERVER}/os-instance-actions",
            common::NOVA
        ));
        then.status(200).json_body(json!({"instanceActions": [
            {"action": "detach_volume", "instance_uuid": SERVER, "message": "Error",
             "request_id": "req-99990000-0000-4000-8000-000000000000"}]}));
    });
    let mut detaching = mock_volume(&server, "detaching", &[SERVER]);
    let client = common::client(&server);
    let started = Instant::now();
    let result = std::thread::scope(|scope| {
        let server = &server;
        scope.spawn(move || {
            // Let the waiter see `detaching` first, then roll the volume back.
            while detaching.calls() < 1 {
                std::thread::sleep(Duration::from_millis(2));
            }
            detaching.delete();
            mock_volume(server, "in-use", &[SERVER]);
        });
        client.try_detach_volume_and_wait(VOLUME, SERVER, LONG)
    });
    let Err(Error::DetachFailed {
        volume_id,
        instance_id,
        status,
        reason,
        ..
    }) = &result
    else {
        panic!("expected DetachFailed, got {result:?}")
    };
    assert!(started.elapsed() < FAIL_FAST_BOUND);
    assert_eq!(volume_id, VOLUME);
    assert_eq!(instance_id, SERVER);
    assert_eq!(status, "in-use");
    // No instance-action detail is mocked: the action's own message.
    assert_eq!(reason.as_deref(), Some("detach_volume: Error"));
    let text = result.unwrap_err().to_string();
    assert!(text.contains(VOLUME) && text.contains(SERVER), "{text}");
    delete.assert_calls(1);
}
