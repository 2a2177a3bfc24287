//! `ListOptions` query strings and the lazy `Pages` iterators, against httpmock, plus filtered
//! listing against the fake cloud.

// Both fixture modules: httpmock's (`common`) and the simulated cloud's (`fake_common`), which
// embeds its own copy of `common`.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::assert::{assert_invalid_argument, assert_invalid_argument_err};
use common::*;
use httpmock::Mock;
use httpmock::prelude::*;
use infomaniak_block_storage::{
    CreateVolumeOptions, Error, InfomaniakVolumeClient, ListOptions, VolumeStatus,
};
use infomaniak_fake_cloud::FakeCloud;
use log::Level;
use serde_json::{Value, json};

fn volume(id: &str) -> Value {
    json!({"id": id, "name": id, "status": "available", "size": 1})
}

/// A GET of `path` whose raw query string is exactly `query` (None = no query at all).
fn exact_get<'a>(
    server: &'a MockServer,
    path: &str,
    query: Option<&str>,
    reply: Value,
) -> Mock<'a> {
    let path = format!("{CINDER}{path}");
    let query = query.map(str::to_string);
    server.mock(move |when, then| {
        when.method(GET)
            .path(path.clone())
            .header("X-Auth-Token", TOKEN)
            .header("OpenStack-API-Version", MICROVERSION)
            .is_true(move |req| req.uri().query().map(str::to_string) == query);
        then.status(200).json_body(reply);
    })
}

fn all_filters() -> ListOptions {
    let mut metadata = BTreeMap::new();
    metadata.insert("env".to_string(), "prod".to_string());
    metadata.insert("team".to_string(), "a b".to_string());
    let mut options = ListOptions::default()
        .name("my vol/1")
        .status("available")
        .volume_id("vol-9")
        .sort("name:asc,created_at:desc")
        .page_size(50)
        .marker("m-1")
        .extra("with_count", "true");
    options.metadata = metadata;
    options
}

#[test]
fn volume_query_string_is_exact() {
    let (server, client) = setup();
    let list = exact_get(
        &server,
        "/volumes/detail",
        Some(
            "name=my%20vol%2F1&status=available\
             &metadata=%7B%22env%22%3A%22prod%22%2C%22team%22%3A%22a%20b%22%7D\
             &sort=name%3Aasc%2Ccreated_at%3Adesc&limit=50&marker=m-1&with_count=true",
        ),
        json!({"volumes": [volume("v1")]}),
    );
    let mut options = all_filters();
    options.volume_id = None;
    let got = client.try_list_volumes_with(&options).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, "v1");
    let plain = client.list_volumes_with(&options);
    assert_eq!(plain, got);
    list.assert_calls(2);
}

#[test]
fn default_options_send_no_query() {
    let (server, client) = setup();
    let list = exact_get(&server, "/volumes/detail", None, json!({"volumes": []}));
    assert_eq!(
        client.try_list_volumes_with(&ListOptions::default()),
        Ok(vec![])
    );
    assert_eq!(client.try_list_volumes(), Ok(vec![]));
    list.assert_calls(2);
}

#[test]
fn backup_and_snapshot_queries_carry_volume_id_and_metadata() {
    let (server, client) = setup();
    let expected = "name=my%20vol%2F1&status=available&volume_id=vol-9\
                    &metadata=%7B%22env%22%3A%22prod%22%2C%22team%22%3A%22a%20b%22%7D\
                    &sort=name%3Aasc%2Ccreated_at%3Adesc&limit=50&marker=m-1&with_count=true";
    // Backups: Cinder's default policy refuses a metadata filter to members, so the client
    // refuses it before sending; the other filters go on the wire.
    let without_metadata = "name=my%20vol%2F1&status=available&volume_id=vol-9\
                            &sort=name%3Aasc%2Ccreated_at%3Adesc&limit=50&marker=m-1&with_count=true";
    let mut backup_filters = all_filters();
    backup_filters.metadata.clear();
    let backups = exact_get(
        &server,
        "/backups/detail",
        Some(without_metadata),
        json!({"backups": [{"id": "b1", "status": "available", "size": 1, "volume_id": "vol-9"}]}),
    );
    let snapshots = exact_get(
        &server,
        "/snapshots/detail",
        Some(expected),
        json!({"snapshots": [{"id": "s1", "status": "available", "size": 1, "volume_id": "vol-9"}]}),
    );
    let refused = client.try_list_backups_with(&all_filters());
    assert_invalid_argument(&refused, "metadata");
    assert!(client.try_backup_pages(&all_filters()).is_err());
    assert_eq!(client.list_backups_with(&all_filters()), vec![]);
    backups.assert_calls(0);
    let b = client.try_list_backups_with(&backup_filters).unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].id, "b1");
    let s = client.try_list_snapshots_with(&all_filters()).unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].id, "s1");
    assert_eq!(client.list_backups_with(&backup_filters), b);
    assert_eq!(client.list_snapshots_with(&all_filters()), s);
    backups.assert_calls(2);
    snapshots.assert_calls(2);

    // volume_id only.
    let only = exact_get(
        &server,
        "/snapshots/detail",
        Some("volume_id=vol-1"),
        json!({"snapshots": []}),
    );
    let options = ListOptions::default().volume_id("vol-1");
    assert_eq!(client.try_list_snapshots_with(&options), Ok(vec![]));
    only.assert_calls(1);
}

#[test]
fn volume_listing_rejects_volume_id_before_any_request() {
    let (server, client) = setup();
    let list = server.mock(|when, then| {
        when.any_request();
        then.status(500);
    });
    let options = ListOptions::default().status("in-use").volume_id("vol-1");
    let result = client.try_list_volumes_with(&options);
    assert_eq!(
        assert_invalid_argument(&result, "volume_id"),
        "filters snapshots and backups, not volumes"
    );
    assert!(client.try_volume_pages(&options).is_err());
    assert_eq!(client.list_volumes_with(&options), vec![]);
    list.assert_calls(0);
}

/// Three pages: `limit=2`, then marker v2 (from the next link), then marker v4.
fn three_pages(server: &MockServer) -> (Mock<'_>, Mock<'_>, Mock<'_>) {
    let base = server.base_url();
    let first = exact_get(
        server,
        "/volumes/detail",
        Some("limit=2"),
        json!({"volumes": [volume("v1"), volume("v2")], "volumes_links": [
            {"rel": "next", "href": format!("{base}{CINDER}/volumes/detail?limit=2&marker=v2")}]}),
    );
    let second = exact_get(
        server,
        "/volumes/detail",
        Some("limit=2&marker=v2"),
        json!({"volumes": [volume("v3"), volume("v4")], "volumes_links": [
            {"rel": "next", "href": format!("http://internal.example:8776{CINDER}/volumes/detail?limit=2&marker=v4")}]}),
    );
    let third = exact_get(
        server,
        "/volumes/detail",
        Some("limit=2&marker=v4"),
        json!({"volumes": [volume("v5")]}),
    );
    (first, second, third)
}

fn limit_two() -> ListOptions {
    ListOptions::default().page_size(2)
}

#[test]
fn pages_are_fetched_lazily() {
    let (server, client) = setup();
    let (first, second, third) = three_pages(&server);
    let mut pages = client.try_volume_pages(&limit_two()).unwrap();
    first.assert_calls(0);
    let page = pages.next().unwrap().unwrap();
    assert_eq!(
        page.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        ["v1", "v2"]
    );
    drop(pages);
    first.assert_calls(1);
    second.assert_calls(0);
    third.assert_calls(0);

    // take(1) on the plain face as well.
    let taken: Vec<_> = client.volume_pages(&limit_two()).take(1).collect();
    assert_eq!(taken.len(), 1);
    first.assert_calls(2);
    second.assert_calls(0);
}

#[test]
fn pages_follow_next_links_to_the_end() {
    let (server, client) = setup();
    let (first, second, third) = three_pages(&server);
    let pages: Vec<Vec<String>> = client
        .try_volume_pages(&limit_two())
        .unwrap()
        .map(|p| p.unwrap().into_iter().map(|v| v.id).collect())
        .collect();
    assert_eq!(
        pages,
        vec![
            vec!["v1".to_string(), "v2".into()],
            vec!["v3".into(), "v4".into()],
            vec!["v5".into()]
        ]
    );
    let all = client.try_list_volumes_with(&limit_two()).unwrap();
    assert_eq!(
        all.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        ["v1", "v2", "v3", "v4", "v5"]
    );
    let plain: Vec<usize> = client.volume_pages(&limit_two()).map(|p| p.len()).collect();
    assert_eq!(plain, [2, 2, 1]);
    first.assert_calls(3);
    second.assert_calls(3);
    third.assert_calls(3);
}

fn failing_second_page(server: &MockServer) -> (Mock<'_>, Mock<'_>) {
    let base = server.base_url();
    let first = exact_get(
        server,
        "/volumes/detail",
        Some("limit=2"),
        json!({"volumes": [volume("v1"), volume("v2")], "volumes_links": [
            {"rel": "next", "href": format!("{base}{CINDER}/volumes/detail?limit=2&marker=v2")}]}),
    );
    let second = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{CINDER}/volumes/detail"))
            .query_param("marker", "v2");
        then.status(500)
            .header("x-openstack-request-id", REQUEST_ID)
            .json_body(json!({"computeFault": {"code": 500, "message": "Boom."}}));
    });
    (first, second)
}

#[test]
fn pages_yield_an_error_once_and_stop() {
    let (server, client) = setup();
    let (first, second) = failing_second_page(&server);
    let mut pages = client.try_volume_pages(&limit_two()).unwrap();
    assert_eq!(pages.next().unwrap().unwrap().len(), 2);
    let err = pages.next().unwrap().unwrap_err();
    let Error::Api {
        status,
        code,
        message,
        request_id,
        retry_after,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(status, 500);
    assert_eq!(code.as_deref(), Some("computeFault"));
    assert_eq!(message, "Boom.");
    assert_eq!(request_id.as_deref(), Some(REQUEST_ID));
    assert_eq!(retry_after, None);
    assert!(pages.next().is_none());
    assert!(pages.next().is_none());
    first.assert_calls(1);
    second.assert_calls(1);

    // The whole listing fails.
    let err = client.try_list_volumes_with(&limit_two()).unwrap_err();
    assert_eq!(err.status(), Some(500));
}

#[test]
fn plain_pages_stop_at_the_first_failure_and_log_once() {
    let (server, client) = setup();
    let (first, second) = failing_second_page(&server);
    let before = crate_logs(Level::Error).len();
    let pages: Vec<Vec<_>> = client.volume_pages(&limit_two()).collect();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].len(), 2);
    let lines = crate_logs(Level::Error);
    assert_eq!(lines.len(), before + 1, "{lines:#?}");
    let line = lines.last().unwrap();
    assert!(line.contains("volume_pages() failed"), "{line}");
    assert!(line.contains("500"), "{line}");
    first.assert_calls(1);
    second.assert_calls(1);

    // The plain listing returns an empty Vec and logs once.
    let before = crate_logs(Level::Error).len();
    assert!(client.list_volumes_with(&limit_two()).is_empty());
    assert_eq!(crate_logs(Level::Error).len(), before + 1);
}

#[test]
fn marker_is_validated_before_any_request() {
    capture_logs();
    let server = MockServer::start();
    let keystone = mock_keystone(&server);
    let client = client(&server);
    let options = ListOptions::default().marker("a/b");
    let err = client.try_volume_pages(&options).unwrap_err();
    assert_invalid_argument_err(&err, "marker");
    assert!(matches!(
        client.try_list_volumes_with(&options),
        Err(Error::InvalidArgument {
            argument: "marker",
            ..
        })
    ));
    assert!(matches!(
        client.try_backup_pages(&options),
        Err(Error::InvalidArgument {
            argument: "marker",
            ..
        })
    ));
    assert!(matches!(
        client.try_snapshot_pages(&options),
        Err(Error::InvalidArgument {
            argument: "marker",
            ..
        })
    ));
    let before = crate_logs(Level::Error).len();
    assert_eq!(client.volume_pages(&options).count(), 0);
    assert_eq!(crate_logs(Level::Error).len(), before + 1);
    keystone.assert_calls(0);
}

#[test]
fn a_repeated_next_link_ends_with_a_decode_error() {
    let (server, client) = setup();
    let base = server.base_url();
    let looping = exact_get(
        &server,
        "/volumes/detail",
        Some("limit=1"),
        json!({"volumes": [volume("v1")], "volumes_links": [
            {"rel": "next", "href": format!("{base}{CINDER}/volumes/detail?limit=1")}]}),
    );
    let options = ListOptions::default().page_size(1);
    let results: Vec<_> = client.try_volume_pages(&options).unwrap().collect();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert!(
        matches!(&results[1], Err(Error::Decode { .. })),
        "{:?}",
        results[1]
    );
    looping.assert_calls(1);
}

// ----- against the fake cloud ---------------------------------------------------------------

#[test]
fn filtered_listing_against_the_fake_cloud() {
    let cloud = FakeCloud::builder()
        .page_size(2)
        .transition_delay(Duration::ZERO)
        .start();
    let client = InfomaniakVolumeClient::new(fake_common::config(&cloud)).unwrap();
    let mut ids = Vec::new();
    for name in ["alpha", "beta", "alpha", "gamma", "alpha"] {
        let v = client
            .try_create_volume(1, name, &CreateVolumeOptions::default())
            .unwrap();
        ids.push(v.id);
    }
    for id in &ids {
        client
            .try_wait_for_volume_status(id, VolumeStatus::Available, Duration::from_secs(30))
            .unwrap();
    }
    cloud.force_volume_status(&ids[4], "error");

    let alpha = client
        .try_list_volumes_with(&ListOptions::default().name("alpha"))
        .unwrap();
    let mut got: Vec<_> = alpha.iter().map(|v| v.id.clone()).collect();
    got.sort();
    let mut want = vec![ids[0].clone(), ids[2].clone(), ids[4].clone()];
    want.sort();
    assert_eq!(got, want);
    assert!(alpha.iter().all(|v| v.name.as_deref() == Some("alpha")));

    let available_alpha =
        client.list_volumes_with(&ListOptions::default().name("alpha").status("available"));
    let mut got: Vec<_> = available_alpha.iter().map(|v| v.id.clone()).collect();
    got.sort();
    let mut want = vec![ids[0].clone(), ids[2].clone()];
    want.sort();
    assert_eq!(got, want);

    // Everything, across pages of two (the fake cloud caps pages at 2).
    let pages: Vec<usize> = client
        .volume_pages(&ListOptions::default())
        .map(|p| p.len())
        .collect();
    assert_eq!(pages.iter().sum::<usize>(), 5);
    assert!(pages.iter().all(|n| *n <= 2), "{pages:?}");

    // The filters went on the wire.
    let log = cloud.request_log();
    assert!(
        log.iter().any(
            |r| r.path.ends_with("/volumes/detail") && r.query == "name=alpha&status=available"
        )
    );
    assert!(
        log.iter()
            .any(|r| r.path.ends_with("/volumes/detail") && r.query == "name=alpha")
    );
}
