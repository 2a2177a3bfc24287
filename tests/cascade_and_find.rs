//! Issue 11, items 1 and 2: cascade delete (`DELETE /volumes/{id}?cascade=true`, Cinder 3.0;
//! `&force=true` beside it needs 3.23) and finding volumes, snapshots and backups by exact id,
//! else exact name (`GET /{resource}/detail?name=...`, Cinder 3.0), with `Error::Ambiguous`
//! listing the ids when several share the name and `Error::NotFound` when none matches.
//! Against httpmock (exact requests and every failure kind) and the simulated cloud.

// Both fixture modules: httpmock's (`common`, shared with `ops_common`) and the simulated
// cloud's, which embeds its own copy; the log capture used here is `common`'s.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;
mod ops_common;

use std::time::Duration;

use common::{client_at, server};
use httpmock::prelude::*;
use infomaniak_block_storage::{CreateSnapshotOptions, DeleteVolumeOptions, VolumeStatus};
use ops_common::*;
use serde_json::{Value, json};

fn volume(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "status": "available", "size": 1})
}

// ----- cascade delete (httpmock) ---------------------------------------------------------

/// Cinder 3.0: `DELETE /volumes/{id}?cascade=true`, nothing else in the query, no body.
#[test]
fn cascade_delete_sends_the_cascade_query() {
    let server = server();
    let delete = server.mock(|when, then| {
        query_is(
            cinder_call(when.method(DELETE).path(cinder(&format!("/volumes/{VOL}")))),
            "cascade=true",
        )
        .is_true(|req| req.body().is_empty());
        reply_accepted(then);
    });
    let client = common::client(&server);
    client
        .try_delete_volume(VOL, &DeleteVolumeOptions::default().cascade(true))
        .unwrap();
    assert!(client.delete_volume(VOL, &DeleteVolumeOptions::default().cascade(true)));
    delete.assert_calls(2);
}

/// Without cascade nothing is in the query (a plain delete is not a cascade).
#[test]
fn a_plain_delete_has_no_query() {
    let server = server();
    let delete = server.mock(|when, then| {
        no_query(cinder_call(
            when.method(DELETE).path(cinder(&format!("/volumes/{VOL}"))),
        ));
        reply_accepted(then);
    });
    let client = common::client(&server);
    client
        .try_delete_volume(VOL, &DeleteVolumeOptions::default())
        .unwrap();
    delete.assert_calls(1);
}

/// Cinder 3.23: `force` beside `cascade` goes in the same query, not as `os-force_delete`.
#[test]
fn cascade_with_force_sends_both_at_3_23_and_later() {
    let server = server();
    let delete = server.mock(|when, then| {
        query_is(
            cinder_call(when.method(DELETE).path(cinder(&format!("/volumes/{VOL}")))),
            "cascade=true&force=true",
        );
        reply_accepted(then);
    });
    let action = server.mock(|when, then| {
        when.method(POST)
            .path(cinder(&format!("/volumes/{VOL}/action")));
        reply_accepted(then);
    });
    let client = common::client(&server);
    client
        .try_delete_volume(
            VOL,
            &DeleteVolumeOptions::default().cascade(true).force(true),
        )
        .unwrap();
    delete.assert_calls(1);
    action.assert_calls(0);
}

/// Below 3.23 Cinder ignores `force` in the query: refused before sending.
#[test]
fn cascade_with_force_below_3_23_is_unsupported_before_sending() {
    let server = server();
    let mut any = server.mock(|when, then| {
        when.path_includes("/volume/");
        reply_accepted(then);
    });
    let client = client_at(&server, "3.22");
    let result = client.try_delete_volume(
        VOL,
        &DeleteVolumeOptions::default().cascade(true).force(true),
    );
    assert_unsupported(result, "Cinder", None, "3.23", "3.22");
    any.assert_calls(0);
    any.delete();
    // Cascade alone is fine at 3.22.
    let delete = server.mock(|when, then| {
        query_is(
            when.method(DELETE)
                .path(cinder(&format!("/volumes/{VOL}")))
                .header("OpenStack-API-Version", "volume 3.22"),
            "cascade=true",
        );
        reply_accepted(then);
    });
    client
        .try_delete_volume(VOL, &DeleteVolumeOptions::default().cascade(true))
        .unwrap();
    delete.assert_calls(1);
}

/// The failures of a cascade delete: 404 names the volume, 400 keeps Cinder's message, 403
/// (force) says it is admin-only; the plain face logs one line and returns false.
#[test]
fn cascade_delete_failures() {
    common::capture_logs();
    let server = server();
    let missing = mock_fault(
        &server,
        DELETE,
        cinder(&format!("/volumes/{VOL2}")),
        404,
        "itemNotFound",
        &format!("Volume {VOL2} could not be found."),
    );
    let busy_message = "Invalid volume: Volume status must be available or error or \
                        error_restoring or error_extending or error_managing and must not be \
                        migrating, attached, belong to a group, have snapshots, awaiting a \
                        transfer, or be disassociated from snapshots after volume transfer.";
    let busy = server.mock(|when, then| {
        query_is(
            when.method(DELETE).path(cinder(&format!("/volumes/{VOL}"))),
            "cascade=true",
        );
        reply_json(then, 400, fault("badRequest", 400, busy_message));
    });
    let client = common::client(&server);
    assert_not_found(
        client.try_delete_volume(VOL2, &DeleteVolumeOptions::default().cascade(true)),
        "volume",
        VOL2,
        &format!("Volume {VOL2} could not be found."),
        Some(common::REQUEST_ID),
    );
    assert_api(
        client.try_delete_volume(VOL, &DeleteVolumeOptions::default().cascade(true)),
        400,
        Some("badRequest"),
        busy_message,
        Some(common::REQUEST_ID),
        None,
    );
    plain_face_fails(
        || !client.delete_volume(VOL, &DeleteVolumeOptions::default().cascade(true)),
        &["delete_volume", VOL, "400", common::REQUEST_ID],
    );
    missing.assert_calls(1);
    busy.assert_calls(2);
}

// ----- find (httpmock) ---------------------------------------------------------------------

/// An exact id wins: one GET, no listing.
#[test]
fn find_volume_by_id_gets_it_and_never_lists() {
    let server = server();
    let get = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/volumes/{VOL}"))));
        reply_json(then, 200, json!({"volume": volume(VOL, "other-name")}));
    });
    let list = server.mock(|when, then| {
        when.method(GET).path(cinder("/volumes/detail"));
        reply_json(then, 200, json!({"volumes": [volume(VOL2, VOL)]}));
    });
    let client = common::client(&server);
    let found = client.try_find_volume(VOL).unwrap();
    assert_eq!(found.id, VOL);
    assert_eq!(found.name.as_deref(), Some("other-name"));
    assert_eq!(client.find_volume(VOL).unwrap().id, VOL);
    get.assert_calls(2);
    list.assert_calls(0);
}

/// Not an id: the name filter is sent, and only the exact name counts (a server doing
/// substring matching gives more than asked).
#[test]
fn find_volume_by_name_lists_with_the_name_filter_and_keeps_exact_matches() {
    let server = server();
    let get = mock_fault(
        &server,
        GET,
        cinder("/volumes/builds"),
        404,
        "itemNotFound",
        "Volume builds could not be found.",
    );
    let list = server.mock(|when, then| {
        query_is(
            cinder_call(when.method(GET).path(cinder("/volumes/detail"))),
            "name=builds",
        );
        reply_json(
            then,
            200,
            json!({"volumes": [volume(VOL2, "builds-old"), volume(VOL, "builds")]}),
        );
    });
    let client = common::client(&server);
    assert_eq!(client.try_find_volume("builds").unwrap().id, VOL);
    get.assert_calls(1);
    list.assert_calls(1);
}

/// A name that cannot be an id (a space, a slash) is not sent as a path: only the listing.
#[test]
fn a_name_that_cannot_be_an_id_is_only_listed() {
    let server = server();
    let any_get = server.mock(|when, then| {
        when.method(GET).path_includes("/volumes/my");
        reply_json(then, 500, fault("computeFault", 500, "must not be called"));
    });
    let list = server.mock(|when, then| {
        query_is(
            cinder_call(when.method(GET).path(cinder("/volumes/detail"))),
            "name=my%20data%2F1",
        );
        reply_json(then, 200, json!({"volumes": [volume(VOL, "my data/1")]}));
    });
    let client = common::client(&server);
    assert_eq!(client.try_find_volume("my data/1").unwrap().id, VOL);
    any_get.assert_calls(0);
    list.assert_calls(1);
}

#[test]
fn several_volumes_with_the_name_are_ambiguous_and_listed_by_id() {
    common::capture_logs();
    let server = server();
    mock_fault(
        &server,
        GET,
        cinder("/volumes/data"),
        404,
        "itemNotFound",
        "nope",
    );
    server.mock(|when, then| {
        when.method(GET).path(cinder("/volumes/detail"));
        reply_json(
            then,
            200,
            json!({"volumes": [volume(VOL, "data"), volume(VOL2, "data")]}),
        );
    });
    let client = common::client(&server);
    assert_ambiguous(
        client.try_find_volume("data"),
        "volume",
        "data",
        &[VOL, VOL2],
    );
    plain_face_fails(
        || client.find_volume("data").is_none(),
        &["find_volume", "data", VOL, VOL2],
    );
}

#[test]
fn no_volume_with_the_id_or_name_is_not_found() {
    common::capture_logs();
    let server = server();
    mock_fault(
        &server,
        GET,
        cinder("/volumes/ghost"),
        404,
        "itemNotFound",
        "nope",
    );
    server.mock(|when, then| {
        when.method(GET).path(cinder("/volumes/detail"));
        reply_json(then, 200, json!({"volumes": [volume(VOL, "ghost-2")]}));
    });
    let client = common::client(&server);
    assert_not_found(
        client.try_find_volume("ghost"),
        "volume",
        "ghost",
        "no volume has the id or the name `ghost`",
        None,
    );
    plain_face_fails(
        || client.find_volume("ghost").is_none(),
        &["find_volume", "ghost"],
    );
}

/// A failure other than 404 on the GET is the answer: the listing is not tried.
#[test]
fn a_server_error_on_the_get_is_not_turned_into_a_listing() {
    let server = server();
    let get = mock_fault(
        &server,
        GET,
        cinder(&format!("/volumes/{VOL}")),
        403,
        "forbidden",
        "Policy doesn't allow it.",
    );
    let list = server.mock(|when, then| {
        when.method(GET).path(cinder("/volumes/detail"));
        reply_json(then, 200, json!({"volumes": [volume(VOL2, VOL)]}));
    });
    let client = common::client(&server);
    assert_api(
        client.try_find_volume(VOL),
        403,
        Some("forbidden"),
        "Policy doesn't allow it.",
        Some(common::REQUEST_ID),
        None,
    );
    get.assert_calls(1);
    list.assert_calls(0);
}

/// A failing listing is the error.
#[test]
fn a_failing_listing_is_the_error() {
    let server = server();
    mock_fault(
        &server,
        GET,
        cinder("/volumes/data"),
        404,
        "itemNotFound",
        "nope",
    );
    mock_fault(
        &server,
        GET,
        cinder("/volumes/detail"),
        400,
        "badRequest",
        "Invalid filter keys: name",
    );
    let client = common::client(&server);
    assert_api(
        client.try_find_volume("data"),
        400,
        Some("badRequest"),
        "Invalid filter keys: name",
        Some(common::REQUEST_ID),
        None,
    );
}

#[test]
fn an_empty_name_is_refused_before_sending() {
    let server = server();
    let any = server.mock(|when, then| {
        when.path_includes("/volume/");
        reply_accepted(then);
    });
    let client = common::client(&server);
    for result in [
        client.try_find_volume("").map(|_| ()),
        client.try_find_snapshot("").map(|_| ()),
        client.try_find_backup("").map(|_| ()),
    ] {
        assert_invalid_argument(&result, "name_or_id");
    }
    any.assert_calls(0);
}

#[test]
fn find_snapshot_id_then_name_then_ambiguous_then_not_found() {
    let server = server();
    let snap = |id: &str, name: &str| json!({"id": id, "name": name, "status": "available", "size": 1, "volume_id": VOL});
    let by_id = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/snapshots/{SNAP}"))));
        reply_json(then, 200, json!({"snapshot": snap(SNAP, "n")}));
    });
    for name in ["nightly", "twice", "none"] {
        server.mock(move |when, then| {
            when.method(GET).path(cinder(&format!("/snapshots/{name}")));
            reply_json(then, 404, fault("itemNotFound", 404, "nope"));
        });
    }
    let lists = [
        (
            "name=nightly",
            json!({"snapshots": [snap(SNAP, "nightly")]}),
        ),
        (
            "name=twice",
            json!({"snapshots": [snap(SNAP, "twice"), snap("snap-2", "twice")]}),
        ),
        ("name=none", json!({"snapshots": []})),
    ]
    .map(|(query, body)| {
        server.mock(move |when, then| {
            query_is(
                cinder_call(when.method(GET).path(cinder("/snapshots/detail"))),
                query,
            );
            reply_json(then, 200, body);
        })
    });
    let client = common::client(&server);
    assert_eq!(
        client.try_find_snapshot(SNAP).unwrap().name.as_deref(),
        Some("n")
    );
    assert_eq!(client.try_find_snapshot("nightly").unwrap().id, SNAP);
    assert_ambiguous(
        client.try_find_snapshot("twice"),
        "snapshot",
        "twice",
        &[SNAP, "snap-2"],
    );
    assert!(client.try_find_snapshot("none").unwrap_err().is_not_found());
    assert!(client.find_snapshot("none").is_none());
    by_id.assert_calls(1);
    lists[0].assert_calls(1);
    lists[1].assert_calls(1);
    lists[2].assert_calls(2);
}

#[test]
fn find_backup_id_then_name_then_ambiguous_then_not_found() {
    let server = server();
    let bak = |id: &str, name: &str| json!({"id": id, "name": name, "status": "available", "size": 1, "volume_id": VOL});
    let by_id = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/backups/{BAK}"))));
        reply_json(then, 200, json!({"backup": bak(BAK, "n")}));
    });
    for name in ["daily", "twice", "none"] {
        server.mock(move |when, then| {
            when.method(GET).path(cinder(&format!("/backups/{name}")));
            reply_json(then, 404, fault("itemNotFound", 404, "nope"));
        });
    }
    let lists = [
        ("name=daily", json!({"backups": [bak(BAK, "daily")]})),
        (
            "name=twice",
            json!({"backups": [bak(BAK, "twice"), bak("bak-2", "twice")]}),
        ),
        ("name=none", json!({"backups": [bak(BAK, "none-at-all")]})),
    ]
    .map(|(query, body)| {
        server.mock(move |when, then| {
            query_is(
                cinder_call(when.method(GET).path(cinder("/backups/detail"))),
                query,
            );
            reply_json(then, 200, body);
        })
    });
    let client = common::client(&server);
    assert_eq!(
        client.try_find_backup(BAK).unwrap().name.as_deref(),
        Some("n")
    );
    assert_eq!(client.find_backup("daily").unwrap().id, BAK);
    assert_ambiguous(
        client.try_find_backup("twice"),
        "backup",
        "twice",
        &[BAK, "bak-2"],
    );
    assert!(client.try_find_backup("none").unwrap_err().is_not_found());
    by_id.assert_calls(1);
    for list in &lists {
        list.assert_calls(1);
    }
}

// ----- against the simulated cloud -----------------------------------------------------------

#[test]
fn fake_cloud_cascade_deletes_a_volume_with_its_snapshots() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "with-snapshots", &Default::default());
    let snapshot = fake_common::available_snapshot(
        &client,
        &volume.id,
        "s1",
        &CreateSnapshotOptions::default(),
    );
    // Without cascade: Cinder's 400.
    let refused = client.try_delete_volume(&volume.id, &DeleteVolumeOptions::default());
    assert_eq!(refused.unwrap_err().status(), Some(400));
    assert_eq!(
        cloud.volume_status(&volume.id).as_deref(),
        Some("available")
    );
    // With cascade: both go.
    client
        .try_delete_volume(&volume.id, &DeleteVolumeOptions::default().cascade(true))
        .unwrap();
    client
        .try_wait_for_volume_deleted(&volume.id, fake_common::LONG)
        .unwrap();
    client
        .try_wait_for_snapshot_deleted(&snapshot.id, fake_common::LONG)
        .unwrap();
    assert_eq!(cloud.snapshot_status(&snapshot.id), None);
    let deletes: Vec<_> = cloud
        .request_log()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 2);
    assert_eq!(deletes[1].query, "cascade=true");
    assert_eq!(
        deletes[1].path,
        format!("{}/{}", fake_common::volumes_path(), volume.id)
    );
}

#[test]
fn fake_cloud_member_cannot_force_a_cascade_delete() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    let volume = fake_common::available_volume(&client, 1, "v", &Default::default());
    let result = client.try_delete_volume(
        &volume.id,
        &DeleteVolumeOptions::default().cascade(true).force(true),
    );
    assert_eq!(result.unwrap_err().status(), Some(403));
    assert!(cloud.volume_status(&volume.id).is_some());
}

#[test]
fn fake_cloud_find_by_id_by_name_ambiguous_and_missing() {
    let cloud = FakeCloudFast::start();
    let client = fake_common::client(&cloud.0);
    let a = client
        .try_create_volume(1, "alpha", &Default::default())
        .unwrap();
    let b1 = client
        .try_create_volume(1, "beta", &Default::default())
        .unwrap();
    let b2 = client
        .try_create_volume(1, "beta", &Default::default())
        .unwrap();
    // A volume named after another's id: the id wins.
    client
        .try_create_volume(1, &a.id, &Default::default())
        .unwrap();
    assert_eq!(
        client.try_find_volume(&a.id).unwrap().name.as_deref(),
        Some("alpha")
    );
    assert_eq!(client.try_find_volume("alpha").unwrap().id, a.id);
    assert_ambiguous(
        client.try_find_volume("beta"),
        "volume",
        "beta",
        // Cinder lists newest first.
        &[b2.id.as_str(), b1.id.as_str()],
    );
    assert!(client.try_find_volume("gamma").unwrap_err().is_not_found());
    assert!(client.find_volume("gamma").is_none());

    // Snapshots and backups the same way.
    for v in [&a, &b1] {
        client
            .try_wait_for_volume_status(&v.id, VolumeStatus::Available, fake_common::LONG)
            .unwrap();
    }
    let s = client
        .try_create_snapshot(&a.id, "snap", &Default::default())
        .unwrap();
    assert_eq!(client.try_find_snapshot("snap").unwrap().id, s.id);
    assert_eq!(client.try_find_snapshot(&s.id).unwrap().id, s.id);
    assert!(client.try_find_snapshot("nope").unwrap_err().is_not_found());
    let k = client
        .try_create_backup(&b1.id, "bk", &Default::default())
        .unwrap();
    assert_eq!(client.try_find_backup("bk").unwrap().id, k.id);
    assert_eq!(client.try_find_backup(&k.id).unwrap().id, k.id);
    assert!(client.try_find_backup("nope").unwrap_err().is_not_found());
}

/// A cloud whose transitions are immediate.
struct FakeCloudFast(infomaniak_fake_cloud::FakeCloud);

impl FakeCloudFast {
    fn start() -> FakeCloudFast {
        FakeCloudFast(fake_common::cloud_with_delay(Duration::from_millis(5)))
    }
}

/// Matches on later pages count: two volumes named alike, one per page, are ambiguous.
#[test]
fn fake_cloud_find_follows_every_page_of_the_name_listing() {
    let cloud = infomaniak_fake_cloud::FakeCloud::builder()
        .transition_delay(Duration::from_millis(5))
        .page_size(1)
        .start();
    let client = fake_common::client(&cloud);
    let first = client
        .try_create_volume(1, "paged", &Default::default())
        .unwrap();
    assert_eq!(client.try_find_volume("paged").unwrap().id, first.id);
    let second = client
        .try_create_volume(1, "paged", &Default::default())
        .unwrap();
    assert_ambiguous(
        client.try_find_volume("paged"),
        "volume",
        "paged",
        &[second.id.as_str(), first.id.as_str()],
    );
    let listings = cloud
        .request_log()
        .into_iter()
        .filter(|r| r.path.ends_with("/volumes/detail"))
        .count();
    assert!(
        listings >= 3,
        "the second find read more than one page: {listings}"
    );
}
