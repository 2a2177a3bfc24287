//! Snapshots: exact requests and decoded results of list/get/create/delete (plain and force),
//! `force` sent only when true, pagination and the snapshot waiters.

mod common;
mod ops_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::server;
use httpmock::prelude::*;
use infomaniak_block_storage::{
    CreateSnapshotOptions, DeleteSnapshotOptions, Error, SnapshotStatus,
};
use ops_common::*;
use serde_json::json;

#[test]
fn get_snapshot_decodes_the_v3_65_show_sample() {
    let sample = common::sample("cinder/snapshots/v3.65/snapshot-show-response.json");
    let id = "4a584cae-e4ce-429b-9154-d4c9eb8fda4c";
    let server = server();
    let show = server.mock(|when, then| {
        cinder_call(no_query(
            when.method(GET).path(cinder(&format!("/snapshots/{id}"))),
        ));
        reply_json(then, 200, sample.clone());
    });
    let client = common::client(&server);
    let expected = ExpectedSnapshot {
        id: id.into(),
        name: Some("snap-001".into()),
        status: SnapshotStatus::Creating,
        volume_id: "b72c48f1-64b7-4cd8-9745-b12e0be82d37".into(),
        size: 10,
        created_at: Some("2019-03-12T04:42:00.809352".into()),
        updated_at: None,
        description: Some("Daily backup".into()),
        metadata: [("key".to_string(), "v3".to_string())]
            .into_iter()
            .collect(),
        progress: Some("0%".into()),
        // Every field the type does not name is kept as sent.
        extra: extra_of(&sample["snapshot"], SNAPSHOT_FIELDS),
    };
    assert_eq!(client.try_get_snapshot(id).unwrap(), expected);
    assert_eq!(client.get_snapshot(id).unwrap(), expected);
    show.assert_calls(2);
}

#[test]
fn list_snapshots_reads_the_detail_list() {
    let sample = common::sample("cinder/snapshots/v3.65/snapshots-list-detailed-response.json");
    let server = server();
    let list = server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/snapshots/detail"))));
        reply_json(then, 200, sample.clone());
    });
    let client = common::client(&server);
    let expected: Vec<ExpectedSnapshot> = sample["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(oracle_snapshot)
        .collect();
    assert_eq!(expected[0].id, "d0083dc5-8795-4c1a-bc9c-74f70006c205");
    assert_eq!(client.try_list_snapshots().unwrap(), expected);
    assert_eq!(client.list_snapshots(), expected);
    list.assert_calls(2);
}

#[test]
fn list_snapshots_follows_snapshots_links() {
    let v2 = common::sample("cinder/v2/snapshots-list-response.json");
    let server = server();
    // Page 1 is the upstream v2 sample, whose next href names another host and `/snapshots`.
    let page1 = server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/snapshots/detail"))));
        reply_json(then, 200, v2.clone());
    });
    let page2 = server.mock(|when, then| {
        cinder_call(query_is(
            when.method(GET).path(cinder("/snapshots/detail")),
            "limit=1&marker=2e0cd28e-d7a2-4cdb-87e6-cd37c417c06d",
        ));
        reply_json(
            then,
            200,
            json!({
                "snapshots": [{"id": "s2", "status": "available", "volume_id": VOL, "size": 3}],
                "snapshot_links": [{"rel": "next", "href": "http://x/snapshots/detail?marker=s2"}]
            }),
        );
    });
    let page3 = server.mock(|when, then| {
        cinder_call(query_is(
            when.method(GET).path(cinder("/snapshots/detail")),
            "marker=s2",
        ));
        reply_json(
            then,
            200,
            json!({"snapshots": [{"id": "s3", "status": "error", "volume_id": VOL, "size": 4}]}),
        );
    });
    let client = common::client(&server);
    let all = client.try_list_snapshots().unwrap();
    assert_eq!(
        all.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["b1323cda-8e4b-41c1-afc5-2fc791809c8c", "s2", "s3"]
    );
    assert_eq!(all[0], oracle_snapshot(&v2["snapshots"][0]));
    assert_eq!(all[2].status, "error");
    page1.assert_calls(1);
    page2.assert_calls(1);
    page3.assert_calls(1);
}

#[test]
fn create_snapshot_omits_force_when_false() {
    let sample = common::sample("cinder/snapshots/v3.65/snapshot-create-response.json");
    let server = server();
    // json_body is an exact match: a `force` key (even false) would not match.
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(no_query(when.method(POST).path(cinder("/snapshots")))),
            json!({"snapshot": {"volume_id": VOL, "name": "snap-001", "description": "Daily backup"}}),
        );
        reply_json(then, 202, sample.clone());
    });
    let client = common::client(&server);
    let expected = oracle_snapshot(&sample["snapshot"]);
    assert_eq!(expected.id, "b36476e5-d18b-47f9-ac69-4818cb43ee21");
    let options = CreateSnapshotOptions::default()
        .description("Daily backup")
        .force(false);
    assert_eq!(
        client
            .try_create_snapshot(VOL, "snap-001", &options)
            .unwrap(),
        expected
    );
    assert_eq!(
        client.create_snapshot(VOL, "snap-001", &options).unwrap(),
        expected
    );
    create.assert_calls(2);
}

#[test]
fn create_snapshot_sends_force_true() {
    let sample = common::sample("cinder/snapshots/snapshot-create-response.json");
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(POST).path(cinder("/snapshots"))),
            json!({"snapshot": {"volume_id": VOL, "name": "in-use-snap", "force": true}}),
        );
        reply_json(then, 202, sample.clone());
    });
    let client = common::client(&server);
    assert_eq!(
        client
            .try_create_snapshot(
                VOL,
                "in-use-snap",
                &CreateSnapshotOptions::default().force(true)
            )
            .unwrap(),
        oracle_snapshot(&sample["snapshot"])
    );
    create.assert_calls(1);
}

#[test]
fn delete_snapshot_plain_and_force() {
    let server = server();
    let delete = server.mock(|when, then| {
        cinder_call(no_query(
            when.method(DELETE)
                .path(cinder(&format!("/snapshots/{SNAP}"))),
        ));
        reply_accepted(then);
    });
    let force = server.mock(|when, then| {
        json_request(
            cinder_call(no_query(
                when.method(POST)
                    .path(cinder(&format!("/snapshots/{SNAP}/action"))),
            )),
            common::sample("cinder/snapshot-force-delete-request.json"),
        );
        reply_accepted(then);
    });
    let client = common::client(&server);
    let plain = DeleteSnapshotOptions::default().force(false);
    assert_eq!(client.try_delete_snapshot(SNAP, &plain), Ok(()));
    assert!(client.delete_snapshot(SNAP, &plain));
    delete.assert_calls(2);
    force.assert_calls(0);
    let forced = DeleteSnapshotOptions::default().force(true);
    assert_eq!(client.try_delete_snapshot(SNAP, &forced), Ok(()));
    assert!(client.delete_snapshot(SNAP, &forced));
    force.assert_calls(2);
    delete.assert_calls(2);
}

#[test]
fn force_delete_snapshot_forbidden_says_it_is_admin_only() {
    let server = server();
    server.mock(|when, then| {
        cinder_call(
            when.method(POST)
                .path(cinder(&format!("/snapshots/{SNAP}/action"))),
        );
        reply_json(
            then,
            403,
            fault("forbidden", 403, "Policy doesn't allow it."),
        );
    });
    let client = common::client(&server);
    let err = client
        .try_delete_snapshot(SNAP, &DeleteSnapshotOptions::default().force(true))
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.code(), Some("forbidden"));
    assert_eq!(err.request_id(), Some(common::REQUEST_ID));
    assert!(
        err.to_string()
            .contains("force delete of a snapshot is admin-only"),
        "{err}"
    );
}

#[test]
fn snapshot_waiters() {
    let server = server();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let show = server.mock(move |when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/snapshots/{SNAP}"))));
        then.respond_with(move |_| {
            let status = match counter.fetch_add(1, Ordering::SeqCst) {
                0 => "creating",
                _ => "available",
            };
            dynamic_json(
                200,
                &json!({"snapshot": {"id": SNAP, "status": status, "volume_id": VOL, "size": 1}}),
            )
        });
    });
    let client = common::client(&server);
    let mut seen = Vec::new();
    let snap = client
        .try_wait_for_snapshot_status_with(
            SNAP,
            SnapshotStatus::Available,
            Duration::from_secs(30),
            |s, _| seen.push(s.to_string()),
        )
        .unwrap();
    assert_eq!(snap.status, "available");
    assert_eq!(seen, ["creating", "available"]);
    show.assert_calls(2);
    // Still `available`: waiting for deletion times out naming it.
    match client.try_wait_for_snapshot_deleted(SNAP, Duration::from_millis(40)) {
        Err(Error::WaitTimeout {
            resource: "snapshot",
            target,
            last_status,
            ..
        }) => assert_eq!(
            (target.as_str(), last_status.as_str()),
            ("deleted", "available")
        ),
        other => panic!("expected WaitTimeout, got {other:?}"),
    }
}

#[test]
fn snapshot_waiters_error_and_gone() {
    let server = server();
    let mut failing = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/snapshots/{SNAP}"))));
        reply_json(
            then,
            200,
            json!({"snapshot": {"id": SNAP, "status": "error", "volume_id": VOL}}),
        );
    });
    let client = common::client(&server);
    // No user message is mocked: the lookup of the reason gets httpmock's 404, so no reason.
    assert_resource_failed(
        client.try_wait_for_snapshot_status(
            SNAP,
            SnapshotStatus::Available,
            Duration::from_secs(30),
        ),
        "snapshot",
        SNAP,
        "error",
        None,
    );
    assert_eq!(
        client.wait_for_snapshot_status(SNAP, SnapshotStatus::Available, Duration::from_secs(30)),
        None
    );
    failing.delete();
    server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/snapshots/{SNAP}"))));
        reply_json(
            then,
            404,
            fault("itemNotFound", 404, "Snapshot could not be found."),
        );
    });
    assert_eq!(
        client.try_wait_for_snapshot_deleted(SNAP, Duration::from_secs(30)),
        Ok(())
    );
    assert!(client.wait_for_snapshot_deleted(SNAP, Duration::from_secs(30)));
}
