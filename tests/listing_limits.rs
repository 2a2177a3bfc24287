//! Listing that says what it does (issue 10, point 6): `max_items` is "at most N in all" and
//! stops fetching pages once they are there, `page_size` is only the page size (sent as
//! `limit`), the page iterator fetches a page only when asked, and filters Cinder's default
//! policy refuses to project members (metadata on backups) are refused before sending.

// Both fixture modules: httpmock's (`common`) and the simulated cloud's, which embeds it.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;

use common::assert::assert_invalid_argument_err;
use std::time::Duration;

use fake_common::volumes_detail_path;
use httpmock::prelude::*;
use infomaniak_block_storage::{CreateVolumeOptions, Error, InfomaniakVolumeClient, ListOptions};
use infomaniak_fake_cloud::FakeCloud;
use serde_json::json;

/// A cloud with `n` available volumes named `v0`..; `page` is its `osapi_max_limit`.
fn cloud_with_volumes(n: usize, page: usize) -> (FakeCloud, InfomaniakVolumeClient) {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::ZERO)
        .page_size(page)
        .start();
    let client = fake_common::client(&cloud);
    for i in 0..n {
        fake_common::available_volume(
            &client,
            1,
            &format!("v{i}"),
            &CreateVolumeOptions::default(),
        );
    }
    (cloud, client)
}

/// Queries of the detailed volume listings sent since `from`.
fn listing_queries(cloud: &FakeCloud, from: usize) -> Vec<String> {
    fake_common::log_since(cloud, from)
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == volumes_detail_path())
        .map(|r| r.query)
        .collect()
}

fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

#[test]
fn page_size_is_a_page_size_not_a_total() {
    let (cloud, client) = cloud_with_volumes(7, 1000);
    let mark = cloud.request_log().len();
    let all = client
        .try_list_volumes_with(&ListOptions::default().page_size(2))
        .unwrap();
    assert_eq!(all.len(), 7, "every page is fetched");
    let queries = listing_queries(&cloud, mark);
    assert_eq!(queries.len(), 4, "{queries:?}");
    assert_eq!(queries[0], "limit=2");
    for q in &queries[1..] {
        assert_eq!(query_value(q, "limit"), Some("2"), "{q}");
        assert!(query_value(q, "marker").is_some(), "{q}");
    }
}

#[test]
fn max_items_stops_fetching_once_there() {
    let (cloud, client) = cloud_with_volumes(7, 1000);
    let mark = cloud.request_log().len();
    let some = client
        .try_list_volumes_with(&ListOptions::default().page_size(2).max_items(3))
        .unwrap();
    assert_eq!(some.len(), 3);
    let queries = listing_queries(&cloud, mark);
    assert_eq!(queries.len(), 2, "two pages of 2 hold 3 items: {queries:?}");
    assert_eq!(queries[0], "limit=2");

    // The names are the first three in Cinder's order, without duplicates.
    let mut names: Vec<_> = some.iter().filter_map(|v| v.name.clone()).collect();
    names.dedup();
    assert_eq!(names.len(), 3);
}

#[test]
fn max_items_below_the_page_size_asks_for_just_that_many() {
    let (cloud, client) = cloud_with_volumes(5, 1000);
    let mark = cloud.request_log().len();
    let two = client
        .try_list_volumes_with(&ListOptions::default().page_size(50).max_items(2))
        .unwrap();
    assert_eq!(two.len(), 2);
    // The page of 2 is full, so it carries a next link: not followed.
    assert_eq!(listing_queries(&cloud, mark), vec!["limit=2".to_string()]);
}

/// Without `page_size`, the server's own page size (`osapi_max_limit`, 2 here) applies and
/// no `limit` is sent; `max_items` still stops after the page that completes it.
#[test]
fn max_items_without_page_size_sends_no_limit() {
    let (cloud, client) = cloud_with_volumes(6, 2);
    let mark = cloud.request_log().len();
    let three = client
        .try_list_volumes_with(&ListOptions::default().max_items(3))
        .unwrap();
    assert_eq!(three.len(), 3);
    let queries = listing_queries(&cloud, mark);
    assert_eq!(queries.len(), 2, "{queries:?}");
    assert_eq!(queries[0], "");
    // Without max_items, all 3 full pages and the empty last one.
    let mark = cloud.request_log().len();
    assert_eq!(client.try_list_volumes().unwrap().len(), 6);
    assert_eq!(listing_queries(&cloud, mark).len(), 4);
}

#[test]
fn max_items_zero_sends_nothing() {
    let (cloud, client) = cloud_with_volumes(1, 1000);
    let before = cloud.requests();
    let none = client
        .try_list_volumes_with(&ListOptions::default().max_items(0))
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(cloud.requests(), before);
}

/// The page iterator fetches one page per `next()`: a caller that stops stops the fetching.
#[test]
fn the_page_iterator_fetches_only_what_is_asked() {
    let (cloud, client) = cloud_with_volumes(7, 1000);
    let mark = cloud.request_log().len();
    let mut pages = client
        .try_volume_pages(&ListOptions::default().page_size(3))
        .unwrap();
    assert!(
        listing_queries(&cloud, mark).is_empty(),
        "nothing until asked"
    );
    let first = pages.next().unwrap().unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(listing_queries(&cloud, mark).len(), 1);
    let second = pages.next().unwrap().unwrap();
    assert_eq!(second.len(), 3);
    drop(pages);
    assert_eq!(listing_queries(&cloud, mark).len(), 2);
}

// ----- filters refused before sending --------------------------------------------------------

#[test]
fn metadata_filter_on_backups_is_refused_before_sending() {
    let server = MockServer::start();
    let keystone = common::mock_keystone(&server);
    let any = server.mock(|when, then| {
        when.path_prefix("/volume");
        then.status(200).json_body(json!({"backups": []}));
    });
    let client = common::client(&server);
    let options = ListOptions::default().metadata("env", "prod");
    match client.try_list_backups_with(&options) {
        Err(Error::InvalidArgument {
            argument, message, ..
        }) => {
            assert_eq!(argument, "metadata");
            assert!(message.contains("backups"), "{message}");
            assert!(message.contains("policy"), "{message}");
        }
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    assert!(client.try_backup_pages(&options).is_err());
    // The plain face logs and returns nothing; still nothing sent.
    assert!(client.list_backups_with(&options).is_empty());
    keystone.assert_calls(0);
    any.assert_calls(0);
}

#[test]
fn metadata_filter_on_volumes_and_snapshots_is_sent() {
    let server = common::server();
    let volumes = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER))
            .query_param("metadata", r#"{"env":"prod"}"#)
            .query_param("limit", "25");
        then.status(200).json_body(json!({"volumes": []}));
    });
    let snapshots = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/snapshots/detail", common::CINDER))
            .query_param("metadata", r#"{"env":"prod"}"#);
        then.status(200).json_body(json!({"snapshots": []}));
    });
    let client = common::client(&server);
    let options = ListOptions::default().metadata("env", "prod").page_size(25);
    assert!(client.try_list_volumes_with(&options).unwrap().is_empty());
    assert!(
        client
            .try_list_snapshots_with(&ListOptions::default().metadata("env", "prod"))
            .unwrap()
            .is_empty()
    );
    volumes.assert_calls(1);
    snapshots.assert_calls(1);
}

#[test]
fn volume_id_filter_on_volumes_is_refused_before_sending() {
    let cloud = FakeCloud::start();
    let client = fake_common::client(&cloud);
    let err = client
        .try_list_volumes_with(&ListOptions::default().volume_id("x"))
        .unwrap_err();
    assert_invalid_argument_err(&err, "volume_id");
    let err = client
        .try_list_backups_with(&ListOptions::default().metadata("a", "b"))
        .unwrap_err();
    assert_invalid_argument_err(&err, "metadata");
    assert_eq!(cloud.requests(), 0);
}

/// httpmock: `max_items` over pages of a server that always has more.
#[test]
fn httpmock_max_items_stops_on_an_endless_listing() {
    let server = common::server();
    let base = server.base_url();
    let page = |i: usize| {
        json!({"volumes": [
            {"id": format!("00000000-0000-4000-8000-00000000000{i}"), "status": "available", "size": 1},
            {"id": format!("00000000-0000-4000-8000-00000000001{i}"), "status": "available", "size": 1}],
          "volumes_links": [{"rel": "next",
            "href": format!("{base}{}/volumes/detail?limit=2&marker=m{}", common::CINDER, i + 1)}]})
    };
    let first = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER))
            .query_param("limit", "2")
            .query_param_missing("marker");
        then.status(200).json_body(page(0));
    });
    let more = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER))
            .query_param_exists("marker");
        then.status(200).json_body(page(1));
    });
    let client = common::client(&server);
    let five = client
        .try_list_volumes_with(&ListOptions::default().page_size(2).max_items(5))
        .unwrap();
    assert_eq!(five.len(), 5);
    first.assert_calls(1);
    // 2 + 2 + 1 of the third page, then no fourth request although a next link follows.
    more.assert_calls(2);
}
