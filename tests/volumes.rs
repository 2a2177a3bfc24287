//! Volumes: exact requests and decoded results of list/get/create/delete/extend, force delete,
//! quota errors, pagination, retries and the volume waiters.

mod common;
mod ops_common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::server;
use httpmock::prelude::*;
use infomaniak_block_storage::{
    CreateVolumeOptions, DeleteVolumeOptions, Error, Volume, VolumeStatus,
};
use log::Level;
use ops_common::*;
use serde_json::{Value, json};

#[test]
fn get_volume_decodes_the_v3_65_and_v3_69_show_samples() {
    for file in [
        "cinder/volumes/v3.65/volume-show-response.json",
        "cinder/volumes/v3.69/volume-show-response.json",
    ] {
        let sample = common::sample(file);
        let id = "f7223234-1afc-4d19-bfa3-d19deb6235ef";
        let server = server();
        let show = server.mock(|when, then| {
            cinder_call(no_query(
                when.method(GET).path(cinder(&format!("/volumes/{id}"))),
            ));
            reply_json(then, 200, sample.clone());
        });
        let client = common::client(&server);
        let expected = ExpectedVolume {
            id: id.into(),
            name: None,
            status: VolumeStatus::Creating,
            size: 10,
            volume_type: Some("__DEFAULT__".into()),
            availability_zone: Some("nova".into()),
            bootable: false,
            encrypted: false,
            multiattach: false,
            attachments: vec![],
            created_at: Some("2018-11-29T06:50:07.770785".into()),
            updated_at: None,
            description: None,
            metadata: Default::default(),
            snapshot_id: None,
            source_volid: None,
            backup_id: None,
            user_id: Some("c853ca26-e8ea-4797-8a52-ee124a013d0e".into()),
            volume_type_id: Some("5fed9d7c-401d-46e2-8e80-f30c70cb7e1d".into()),
            migration_status: None,
            replication_status: None,
            // Every field the type does not name is kept as sent.
            extra: extra_of(&sample["volume"], VOLUME_FIELDS),
            // The fields of later microversions and admin attributes, from the sample.
            ..oracle_volume(&sample["volume"])
        };
        assert_eq!(client.try_get_volume(id).unwrap(), expected, "{file}");
        assert_eq!(client.get_volume(id).unwrap(), expected, "{file}");
        show.assert_calls(2);
    }
}

#[test]
fn list_volumes_reads_the_detail_list() {
    let sample = common::sample("cinder/volumes/v3.65/volumes-list-detailed-response.json");
    let server = server();
    let list = server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/volumes/detail"))));
        reply_json(then, 200, sample.clone());
    });
    let client = common::client(&server);
    let expected: Vec<ExpectedVolume> = sample["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(oracle_volume)
        .collect();
    assert_eq!(expected.len(), 1);
    assert_eq!(expected[0].id, "cb49b381-9012-40cb-b8ee-80c19a4801b5");
    assert_eq!(client.try_list_volumes().unwrap(), expected);
    assert_eq!(client.list_volumes(), expected);
    list.assert_calls(2);
}

#[test]
fn list_volumes_of_an_empty_project_is_empty_without_error() {
    common::capture_logs();
    let server = server();
    server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/volumes/detail"))));
        reply_json(then, 200, json!({"volumes": []}));
    });
    let client = common::client(&server);
    let before = log_mark(Level::Error);
    assert_eq!(client.try_list_volumes().unwrap(), Vec::<Volume>::new());
    assert_eq!(client.list_volumes(), Vec::<Volume>::new());
    assert_eq!(logs_since(Level::Error, before), Vec::<String>::new());
}

#[test]
fn create_volume_minimal_body() {
    let sample = common::sample("cinder/volumes/v3.65/volume-create-response.json");
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(no_query(when.method(POST).path(cinder("/volumes")))),
            json!({"volume": {"size": 10, "name": "scratch"}}),
        );
        reply_json(then, 202, sample.clone());
    });
    let client = common::client(&server);
    let expected = oracle_volume(&sample["volume"]);
    assert_eq!(expected.id, "2b955850-f177-45f7-9f49-ecb2c256d161");
    assert_eq!(expected.status, "creating");
    let options = CreateVolumeOptions::default();
    assert_eq!(
        client.try_create_volume(10, "scratch", &options).unwrap(),
        expected
    );
    assert_eq!(
        client.create_volume(10, "scratch", &options).unwrap(),
        expected
    );
    create.assert_calls(2);
}

#[test]
fn create_volume_sends_every_option_and_extras_never_override_named_fields() {
    let sample = common::sample("cinder/volumes/v3.69/volume-create-response.json");
    let server = server();
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(POST).path(cinder("/volumes"))),
            json!({"volume": {
                "size": 20,
                "name": "data",
                "description": "scratch space",
                "volume_type": "CEPH_1_perf1",
                "availability_zone": "dc3-a-09",
                "snapshot_id": "snap-1",
                "imageRef": "img-1",
                "source_volid": "src-1",
                "backup_id": "bak-1",
                "metadata": {"env": "test", "team": "ops"},
                "multiattach": true,
                "consistencygroup_id": "cg-1",
                "scheduler_hint_like": {"a": [1, 2]}
            },
            "OS-SCH-HNT:scheduler_hints": {"different_host": ["vol-a"]}}),
        );
        reply_json(then, 202, sample.clone());
    });
    let client = common::client(&server);
    let options = CreateVolumeOptions::default()
        .description("scratch space")
        .volume_type("CEPH_1_perf1")
        .availability_zone("dc3-a-09")
        .snapshot_id("snap-1")
        .image_id("img-1")
        .source_volume_id("src-1")
        .backup_id("bak-1")
        .metadata("env", "test")
        .metadata("team", "ops")
        .multiattach(true)
        // Named fields win over raw extras with the same key.
        .extra("size", json!(999))
        .extra("name", json!("evil"))
        .extra("imageRef", json!("evil-image"))
        .extra("multiattach", json!(false))
        // Unknown keys are passed through.
        .extra("consistencygroup_id", json!("cg-1"))
        .extra("scheduler_hint_like", json!({"a": [1, 2]}))
        .scheduler_hint("different_host", json!(["vol-a"]));
    let volume = client.try_create_volume(20, "data", &options).unwrap();
    assert_eq!(volume, oracle_volume(&sample["volume"]));
    create.assert_calls(1);
}

#[test]
fn create_volume_over_quota_is_api_413_with_retry_after_and_is_not_retried() {
    common::capture_logs();
    let server = server();
    let message = "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested 5000G, quota is 1000G and 10G has been consumed.";
    let create = server.mock(|when, then| {
        json_request(
            cinder_call(when.method(POST).path(cinder("/volumes"))),
            json!({"volume": {"size": 5000, "name": "huge"}}),
        );
        then.status(413)
            .header("Content-Type", "application/json")
            .header("Retry-After", "0")
            .header("x-openstack-request-id", common::REQUEST_ID)
            .json_body(json!({"overLimit": {"code": 413, "message": message, "retryAfter": "0"}}));
    });
    let client = common::client(&server);
    let options = CreateVolumeOptions::default();
    assert_api(
        client.try_create_volume(5000, "huge", &options),
        413,
        Some("overLimit"),
        message,
        Some(common::REQUEST_ID),
        Some(0),
    );
    create.assert_calls(1);
    let before = log_mark(Level::Error);
    assert_eq!(client.create_volume(5000, "huge", &options), None);
    one_line_with(
        Level::Error,
        before,
        &[
            "create_volume",
            "huge",
            "HTTP 413",
            "overLimit",
            message,
            common::REQUEST_ID,
        ],
    );
    create.assert_calls(2);
}

#[test]
fn delete_volume_sends_delete_without_query() {
    let server = server();
    let delete = server.mock(|when, then| {
        cinder_call(no_query(
            when.method(DELETE).path(cinder(&format!("/volumes/{VOL}"))),
        ));
        reply_accepted(then);
    });
    let action = server.mock(|when, then| {
        when.method(POST)
            .path(cinder(&format!("/volumes/{VOL}/action")));
        reply_accepted(then);
    });
    let client = common::client(&server);
    let plain = DeleteVolumeOptions::default();
    assert_eq!(client.try_delete_volume(VOL, &plain), Ok(()));
    assert!(client.delete_volume(VOL, &plain));
    delete.assert_calls(2);
    action.assert_calls(0);
}

#[test]
fn force_delete_volume_posts_os_force_delete() {
    let server = server();
    let action = server.mock(|when, then| {
        json_request(
            cinder_call(no_query(
                when.method(POST)
                    .path(cinder(&format!("/volumes/{VOL}/action"))),
            )),
            common::sample("cinder/volume-force-delete-request.json"),
        );
        reply_accepted(then);
    });
    let delete = server.mock(|when, then| {
        when.method(DELETE);
        reply_accepted(then);
    });
    let client = common::client(&server);
    let force = DeleteVolumeOptions::default().force(true);
    assert_eq!(client.try_delete_volume(VOL, &force), Ok(()));
    assert!(client.delete_volume(VOL, &force));
    action.assert_calls(2);
    delete.assert_calls(0);
    // The shared sample is exactly the body the client sends.
    assert_eq!(
        common::sample("cinder/volume-force-delete-request.json"),
        json!({"os-force_delete": {}})
    );
}

#[test]
fn force_delete_volume_forbidden_says_it_is_admin_only() {
    common::capture_logs();
    let server = server();
    let policy =
        "Policy doesn't allow volume_extension:volume_admin_actions:force_delete to be performed.";
    server.mock(|when, then| {
        json_request(
            cinder_call(
                when.method(POST)
                    .path(cinder(&format!("/volumes/{VOL}/action"))),
            ),
            json!({"os-force_delete": {}}),
        );
        reply_json(then, 403, fault("forbidden", 403, policy));
    });
    let client = common::client(&server);
    let force = DeleteVolumeOptions::default().force(true);
    let err = client.try_delete_volume(VOL, &force).unwrap_err();
    match &err {
        Error::Api {
            status: 403,
            code,
            message,
            request_id,
            retry_after: None,
            ..
        } => {
            assert_eq!(code.as_deref(), Some("forbidden"));
            assert!(message.starts_with(policy), "{message}");
            assert!(message.contains("admin-only"), "{message}");
            assert_eq!(request_id.as_deref(), Some(common::REQUEST_ID));
        }
        other => panic!("expected Api 403, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.starts_with("HTTP 403 forbidden: "), "{shown}");
    assert!(
        shown.contains("force delete of a volume is admin-only"),
        "{shown}"
    );
    plain_face_fails(
        || !client.delete_volume(VOL, &force),
        &[
            "delete_volume",
            VOL,
            "HTTP 403",
            "admin-only",
            common::REQUEST_ID,
        ],
    );
}

#[test]
fn plain_delete_forbidden_is_not_explained_as_force_delete() {
    let server = server();
    server.mock(|when, then| {
        cinder_call(when.method(DELETE).path(cinder(&format!("/volumes/{VOL}"))));
        reply_json(then, 403, fault("forbidden", 403, "Access denied."));
    });
    let client = common::client(&server);
    assert_api(
        client.try_delete_volume(VOL, &DeleteVolumeOptions::default()),
        403,
        Some("forbidden"),
        "Access denied.",
        Some(common::REQUEST_ID),
        None,
    );
}

#[test]
fn extend_volume_posts_os_extend() {
    let server = server();
    let extend = server.mock(|when, then| {
        json_request(
            cinder_call(no_query(
                when.method(POST)
                    .path(cinder(&format!("/volumes/{VOL}/action"))),
            )),
            json!({"os-extend": {"new_size": 20}}),
        );
        reply_accepted(then);
    });
    let client = common::client(&server);
    assert_eq!(client.try_extend_volume(VOL, 20), Ok(()));
    assert!(client.extend_volume(VOL, 20));
    extend.assert_calls(2);
    // The request body has the shape of the upstream sample (which extends to 3 GiB).
    assert_eq!(
        common::sample("cinder/volume-extend-request.json"),
        json!({"os-extend": {"new_size": 3}})
    );
}

// ----- pagination -------------------------------------------------------------------------

fn volume(id: &str) -> Value {
    json!({"id": id, "name": format!("vol-{id}"), "status": "available", "size": 1, "bootable": "false"})
}

#[test]
fn list_volumes_follows_next_links_with_only_their_query() {
    let server = server();
    // The next hrefs name another host and scheme: only their query may be used.
    let page1 = server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/volumes/detail"))));
        reply_json(then, 200, json!({
            "volumes": [volume("a"), volume("b")],
            "volumes_links": [{"rel": "next", "href": "http://cinder.internal.example:8776/v3/proj-0123/volumes/detail?limit=2&marker=b"}]
        }));
    });
    let page2 = server.mock(|when, then| {
        cinder_call(query_is(
            when.method(GET).path(cinder("/volumes/detail")),
            "limit=2&marker=b",
        ));
        reply_json(then, 200, json!({
            "volumes": [volume("c"), volume("d")],
            "volumes_links": [{"rel": "next", "href": "https://elsewhere.example/x/y/volumes/detail?limit=2&marker=d#frag"}]
        }));
    });
    let page3 = server.mock(|when, then| {
        cinder_call(query_is(
            when.method(GET).path(cinder("/volumes/detail")),
            "limit=2&marker=d",
        ));
        reply_json(then, 200, json!({"volumes": [volume("e")]}));
    });
    let client = common::client(&server);
    let ids: Vec<String> = client
        .try_list_volumes()
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(client.list_volumes().len(), 5);
    page1.assert_calls(2);
    page2.assert_calls(2);
    page3.assert_calls(2);
}

#[test]
fn list_volumes_stops_when_the_server_repeats_its_next_link() {
    let server = server();
    let pages = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder("/volumes/detail")));
        reply_json(
            then,
            200,
            json!({
                "volumes": [volume("a")],
                "volumes_links": [{"rel": "next", "href": "http://x/volumes/detail?marker=a"}]
            }),
        );
    });
    let client = common::client(&server);
    match client.try_list_volumes() {
        Err(Error::Decode { what, message, .. }) => {
            assert_eq!(what, "volume list page");
            assert!(message.contains("marker=a"), "{message}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    // First page, then the `?marker=a` page that points at itself.
    pages.assert_calls(2);
    assert_eq!(client.list_volumes(), Vec::<Volume>::new());
}

#[test]
fn list_volumes_stops_on_a_cycle_of_next_links() {
    let server = server();
    server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/volumes/detail"))));
        reply_json(
            then,
            200,
            json!({"volumes": [volume("a")],
            "volumes_links": [{"rel": "next", "href": "http://x/v?marker=a"}]}),
        );
    });
    let second = server.mock(|when, then| {
        cinder_call(query_is(
            when.method(GET).path(cinder("/volumes/detail")),
            "marker=a",
        ));
        reply_json(
            then,
            200,
            json!({"volumes": [volume("b")],
            "volumes_links": [{"rel": "next", "href": "http://x/v?marker=b"}]}),
        );
    });
    let third = server.mock(|when, then| {
        cinder_call(query_is(
            when.method(GET).path(cinder("/volumes/detail")),
            "marker=b",
        ));
        reply_json(
            then,
            200,
            json!({"volumes": [volume("c")],
            "volumes_links": [{"rel": "next", "href": "http://x/v?marker=a"}]}),
        );
    });
    let client = common::client(&server);
    assert!(matches!(
        client.try_list_volumes(),
        Err(Error::Decode { ref what, .. }) if what == "volume list page"
    ));
    second.assert_calls(1);
    third.assert_calls(1);
}

#[test]
fn list_volumes_stops_at_an_empty_page_even_with_a_next_link() {
    let server = server();
    let page1 = server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/volumes/detail"))));
        reply_json(
            then,
            200,
            json!({
                "volumes": [],
                "volumes_links": [{"rel": "next", "href": "http://x/volumes/detail?marker=z"}]
            }),
        );
    });
    let page2 = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes/detail"))
            .query_param_exists("marker");
        reply_json(then, 200, json!({"volumes": [volume("z")]}));
    });
    let client = common::client(&server);
    assert_eq!(client.try_list_volumes().unwrap(), Vec::<Volume>::new());
    page1.assert_calls(1);
    page2.assert_calls(0);
}

#[test]
fn list_volumes_ignores_links_that_are_not_next() {
    let sample = common::sample("cinder/v2/volumes-list-detailed-response.json");
    let server = server();
    let mut body = sample.clone();
    body["volumes_links"][0]["rel"] = json!("self");
    let list = server.mock(|when, then| {
        cinder_call(no_query(when.method(GET).path(cinder("/volumes/detail"))));
        reply_json(then, 200, body);
    });
    let client = common::client(&server);
    let volumes = client.try_list_volumes().unwrap();
    let expected: Vec<ExpectedVolume> = sample["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(oracle_volume)
        .collect();
    assert_eq!(volumes, expected);
    list.assert_calls(1);
}

// ----- retries ----------------------------------------------------------------------------

#[test]
fn get_is_retried_after_a_503() {
    let server = server();
    let unavailable = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/volumes/{VOL}"))));
        reply_json(then, 503, fault("serviceUnavailable", 503, "try later")).up_to_n_times(1);
    });
    let ok = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/volumes/{VOL}"))));
        reply_json(then, 200, json!({"volume": volume(VOL)}));
    });
    let client = common::client(&server);
    let got = client.try_get_volume(VOL).unwrap();
    assert_eq!(got, oracle_volume(&volume(VOL)));
    unavailable.assert_calls(1);
    ok.assert_calls(1);
}

#[test]
fn a_persistent_503_on_get_is_tried_one_plus_max_retries_times() {
    common::capture_logs();
    let server = server();
    let unavailable = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder("/volumes/detail")));
        reply_json(
            then,
            503,
            fault("serviceUnavailable", 503, "Service Unavailable"),
        );
    });
    let client = common::client(&server);
    assert_eq!(client.config().retry.max_retries, 2);
    let before_warn = log_mark(Level::Warn);
    assert_api(
        client.try_list_volumes(),
        503,
        Some("serviceUnavailable"),
        "Service Unavailable",
        Some(common::REQUEST_ID),
        None,
    );
    unavailable.assert_calls(3);
    let warns = logs_since(Level::Warn, before_warn);
    assert_eq!(warns.len(), 2, "{warns:#?}");
    assert!(
        warns[0].contains("retry 1/2") && warns[1].contains("retry 2/2"),
        "{warns:#?}"
    );
}

#[test]
fn post_and_delete_on_503_are_sent_exactly_once() {
    let server = server();
    let create = server.mock(|when, then| {
        cinder_call(when.method(POST).path(cinder("/volumes")));
        reply_json(then, 503, fault("serviceUnavailable", 503, "busy"));
    });
    let delete = server.mock(|when, then| {
        cinder_call(when.method(DELETE).path(cinder(&format!("/volumes/{VOL}"))));
        reply_json(then, 503, fault("serviceUnavailable", 503, "busy"));
    });
    let client = common::client(&server);
    assert!(matches!(
        client.try_create_volume(1, "x", &CreateVolumeOptions::default()),
        Err(Error::Api { status: 503, .. })
    ));
    assert!(matches!(
        client.try_delete_volume(VOL, &DeleteVolumeOptions::default()),
        Err(Error::Api { status: 503, .. })
    ));
    create.assert_calls(1);
    delete.assert_calls(1);
}

// ----- waiters ----------------------------------------------------------------------------

/// A volume show mock whose status walks through `statuses` (staying on the last one), or a
/// 404 once they are exhausted when `then_gone`.
fn status_sequence<'a>(
    server: &'a MockServer,
    statuses: &'static [&'static str],
    then_gone: bool,
) -> httpmock::Mock<'a> {
    let calls = Arc::new(AtomicUsize::new(0));
    server.mock(move |when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/volumes/{VOL}"))));
        then.respond_with(move |_| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            match statuses.get(n) {
                Some(status) => {
                    let mut v = volume(VOL);
                    v["status"] = json!(status);
                    dynamic_json(200, &json!({ "volume": v }))
                }
                None if then_gone => dynamic_json(404, &fault("itemNotFound", 404, "gone")),
                None => {
                    let mut v = volume(VOL);
                    v["status"] = json!(statuses[statuses.len() - 1]);
                    dynamic_json(200, &json!({ "volume": v }))
                }
            }
        });
    })
}

#[test]
fn wait_for_volume_status_reaches_available_and_reports_progress() {
    let server = server();
    let show = status_sequence(&server, &["creating", "creating", "available"], false);
    let client = common::client(&server);
    let seen = Mutex::new(Vec::new());
    let volume = client
        .try_wait_for_volume_status_with(
            VOL,
            VolumeStatus::Available,
            Duration::from_secs(30),
            |s, _| seen.lock().unwrap().push(s.to_string()),
        )
        .unwrap();
    assert_eq!(volume.status, "available");
    assert_eq!(volume.id, VOL);
    assert_eq!(*seen.lock().unwrap(), ["creating", "creating", "available"]);
    show.assert_calls(3);
}

#[test]
fn wait_for_volume_status_stops_on_an_error_state() {
    let server = server();
    let show = status_sequence(&server, &["extending", "error_extending"], false);
    let client = common::client(&server);
    // No user message is mocked: the lookup of the reason gets httpmock's 404, so no reason.
    assert_resource_failed(
        client.try_wait_for_volume_status(VOL, VolumeStatus::Available, Duration::from_secs(30)),
        "volume",
        VOL,
        "error_extending",
        None,
    );
    show.assert_calls(2);
}

#[test]
fn wait_for_volume_status_times_out_with_the_last_status() {
    common::capture_logs();
    let server = server();
    status_sequence(&server, &["creating"], false);
    let client = common::client(&server);
    let timeout = Duration::from_millis(60);
    match client.try_wait_for_volume_status(VOL, VolumeStatus::Available, timeout) {
        Err(Error::WaitTimeout {
            resource,
            id,
            target,
            last_status,
            waited,
            ..
        }) => {
            assert_eq!(
                (resource, id.as_str(), target.as_str()),
                ("volume", VOL, "available")
            );
            assert_eq!(last_status, "creating");
            assert!(waited >= timeout);
        }
        other => panic!("expected WaitTimeout, got {other:?}"),
    }
    let before = log_mark(Level::Error);
    assert_eq!(
        client.wait_for_volume_status(VOL, VolumeStatus::Available, timeout),
        None
    );
    one_line_with(
        Level::Error,
        before,
        &[
            "wait_for_volume_status",
            VOL,
            "timed out",
            "last status `creating`",
        ],
    );
}

#[test]
fn wait_for_volume_status_passes_not_found_through() {
    let server = server();
    server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/volumes/{VOL}"))));
        reply_json(
            then,
            404,
            fault("itemNotFound", 404, "Volume could not be found."),
        );
    });
    let client = common::client(&server);
    assert!(
        client
            .try_wait_for_volume_status(VOL, VolumeStatus::Available, Duration::from_secs(30))
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn wait_for_volume_deleted_ends_on_404() {
    let server = server();
    let show = status_sequence(&server, &["deleting", "deleting"], true);
    let client = common::client(&server);
    assert_eq!(
        client.try_wait_for_volume_deleted(VOL, Duration::from_secs(30)),
        Ok(())
    );
    show.assert_calls(3);
}

#[test]
fn wait_for_volume_deleted_of_an_absent_volume_is_immediately_ok() {
    let server = server();
    let show = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder(&format!("/volumes/{VOL}"))));
        reply_json(
            then,
            404,
            fault("itemNotFound", 404, "Volume could not be found."),
        );
    });
    let client = common::client(&server);
    assert_eq!(
        client.try_wait_for_volume_deleted(VOL, Duration::from_secs(30)),
        Ok(())
    );
    assert!(client.wait_for_volume_deleted(VOL, Duration::from_secs(30)));
    show.assert_calls(2);
}

#[test]
fn wait_for_volume_deleted_stops_on_error_deleting() {
    let server = server();
    status_sequence(&server, &["deleting", "error_deleting"], false);
    let client = common::client(&server);
    assert_resource_failed(
        client.try_wait_for_volume_deleted(VOL, Duration::from_secs(30)),
        "volume",
        VOL,
        "error_deleting",
        None,
    );
    assert!(!client.wait_for_volume_deleted(VOL, Duration::from_secs(30)));
}

#[test]
fn wait_for_volume_deleted_waits_through_a_plain_error_status() {
    // A volume deleted from `error` may still show it for a moment: only `error_deleting`
    // ends the wait.
    let server = server();
    status_sequence(&server, &["error", "deleting"], true);
    let client = common::client(&server);
    assert_eq!(
        client.try_wait_for_volume_deleted(VOL, Duration::from_secs(30)),
        Ok(())
    );
}

#[test]
fn wait_for_volume_deleted_times_out_while_deleting() {
    let server = server();
    status_sequence(&server, &["deleting"], false);
    let client = common::client(&server);
    match client.try_wait_for_volume_deleted(VOL, Duration::from_millis(50)) {
        Err(Error::WaitTimeout {
            resource: "volume",
            target,
            last_status,
            ..
        }) => {
            assert_eq!(target, "deleted");
            assert_eq!(last_status, "deleting");
        }
        other => panic!("expected WaitTimeout, got {other:?}"),
    }
}
