//! Issue 11, item 3: the raw request escape hatch (`try_raw_request` / `raw_request`). Any
//! method, path, query and JSON body to the block-storage or compute endpoint, with the
//! client's token, retries, error decoding, request id and microversion header — overridable
//! for one call — and the refusals made before anything is sent. Against httpmock and the
//! simulated cloud.

// Both fixture modules: httpmock's (`common`, shared with `ops_common`) and the simulated
// cloud's, which embeds its own copy; the log capture used here is `common`'s.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;
mod ops_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::server;
use httpmock::prelude::*;
use infomaniak_block_storage::{ApiService, Error, RawRequest};
use ops_common::*;
use serde_json::json;

#[test]
fn a_get_with_a_query_goes_below_the_cinder_endpoint_with_the_client_headers() {
    let server = server();
    let get = server.mock(|when, then| {
        query_is(
            cinder_call(when.method(GET).path(cinder("/volumes"))),
            "limit=1&sort=name:asc",
        );
        reply_json(then, 200, json!({"volumes": [{"id": VOL}]}));
    });
    let client = common::client(&server);
    let reply = client
        .try_raw_request(&RawRequest::get(
            ApiService::BlockStorage,
            "/volumes?limit=1&sort=name:asc",
        ))
        .unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.request_id.as_deref(), Some(common::REQUEST_ID));
    assert_eq!(reply.json, json!({"volumes": [{"id": VOL}]}));
    get.assert_calls(1);
}

/// Nova 2.79 (the configured compute version) and the JSON body as given; an empty 202 is
/// `Value::Null`. The method may be given in lower case.
#[test]
fn a_post_to_nova_carries_the_json_body_and_the_compute_header() {
    let server = server();
    let body = json!({"volumeAttachment": {"volumeId": VOL, "tag": "data"}});
    let post = server.mock(|when, then| {
        json_request(
            nova_call(
                when.method(POST)
                    .path(nova(&format!("/servers/{SRV}/os-volume_attachments"))),
            ),
            body.clone(),
        );
        then.status(202)
            .header("x-compute-request-id", "req-compute-1");
    });
    let client = common::client(&server);
    let request = RawRequest::new(
        ApiService::Compute,
        "post",
        format!("/servers/{SRV}/os-volume_attachments"),
    )
    .body(body.clone());
    let reply = client.try_raw_request(&request).unwrap();
    assert_eq!(reply.status, 202);
    assert_eq!(reply.request_id.as_deref(), Some("req-compute-1"));
    assert_eq!(reply.json, serde_json::Value::Null);
    post.assert_calls(1);
}

#[test]
fn the_microversion_can_be_overridden_for_one_call_only() {
    let server = server();
    let at_3_71 = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes/summary"))
            .header("OpenStack-API-Version", "volume 3.71");
        reply_json(then, 200, json!({"volume-summary": {"total_count": 0}}));
    });
    let at_latest = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/limits"))
            .header("OpenStack-API-Version", "volume latest");
        reply_json(then, 200, json!({"limits": {}}));
    });
    let nova_2_96 = server.mock(|when, then| {
        when.method(GET)
            .path(nova("/servers/detail"))
            .header("OpenStack-API-Version", "compute 2.96");
        reply_json(then, 200, json!({"servers": []}));
    });
    let default = server.mock(|when, then| {
        cinder_call(when.method(GET).path(cinder("/volumes/summary")));
        reply_json(then, 200, json!({"volume-summary": {"total_count": 1}}));
    });
    let client = common::client(&server);
    let summary = RawRequest::get(ApiService::BlockStorage, "/volumes/summary");
    let reply = client
        .try_raw_request(&summary.clone().microversion("3.71"))
        .unwrap();
    assert_eq!(reply.json["volume-summary"]["total_count"], 0);
    client
        .try_raw_request(
            &RawRequest::get(ApiService::BlockStorage, "/limits").microversion("latest"),
        )
        .unwrap();
    client
        .try_raw_request(
            &RawRequest::get(ApiService::Compute, "/servers/detail").microversion("2.96"),
        )
        .unwrap();
    // The next call is back at the client's version.
    let reply = client.try_raw_request(&summary).unwrap();
    assert_eq!(reply.json["volume-summary"]["total_count"], 1);
    assert_eq!(client.try_volume_microversion().unwrap(), "3.67");
    at_3_71.assert_calls(1);
    at_latest.assert_calls(1);
    nova_2_96.assert_calls(1);
    default.assert_calls(1);
}

/// The same token as every operation, and a 401 is answered by one new authentication.
#[test]
fn a_raw_request_reauthenticates_once_on_401() {
    let server = MockServer::start();
    let (keystone, _issued) = common::counting_keystone(&server);
    let stale = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes"))
            .header("X-Auth-Token", "token-1");
        reply_json(
            then,
            401,
            json!({"error": {"code": 401, "title": "Unauthorized", "message": "expired"}}),
        );
    });
    let fresh = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes"))
            .header("X-Auth-Token", "token-2");
        reply_json(then, 200, json!({"volumes": []}));
    });
    let client = common::client(&server);
    let reply = client
        .try_raw_request(&RawRequest::get(ApiService::BlockStorage, "/volumes"))
        .unwrap();
    assert_eq!(reply.json, json!({"volumes": []}));
    keystone.assert_calls(2);
    stale.assert_calls(1);
    fresh.assert_calls(1);
}

/// A GET meeting a 503 is sent again within the retry policy.
#[test]
fn a_raw_get_is_retried_after_a_503() {
    let server = server();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    let mock = server.mock(move |when, then| {
        when.method(GET).path(cinder("/types"));
        then.respond_with(move |_| {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                dynamic_json(503, &fault("serviceUnavailable", 503, "busy"))
            } else {
                dynamic_json(200, &json!({"volume_types": []}))
            }
        });
    });
    let client = common::client(&server);
    let reply = client
        .try_raw_request(&RawRequest::get(ApiService::BlockStorage, "/types"))
        .unwrap();
    assert_eq!(reply.status, 200);
    mock.assert_calls(2);
}

/// A POST meeting a 503 is not sent again (its outcome is unknown); 503 persisting on a GET
/// ends as the decoded error after the retries.
#[test]
fn errors_are_decoded_as_for_every_operation() {
    let server = server();
    let post = mock_fault(
        &server,
        POST,
        cinder("/volumes"),
        503,
        "serviceUnavailable",
        "busy",
    );
    let missing = mock_fault(
        &server,
        GET,
        cinder("/group_types/nope"),
        404,
        "itemNotFound",
        "Group type nope could not be found.",
    );
    let not_json = server.mock(|when, then| {
        when.method(GET).path(cinder("/os-services"));
        reply_raw(then, 200, "<html>oops</html>");
    });
    let client = common::client(&server);
    let create = RawRequest::new(ApiService::BlockStorage, "POST", "/volumes")
        .body(json!({"volume": {"size": 1}}));
    assert_api(
        client.try_raw_request(&create),
        503,
        Some("serviceUnavailable"),
        "busy",
        Some(common::REQUEST_ID),
        None,
    );
    post.assert_calls(1);
    // A 404 is the not-found error, as everywhere; it names the path, since the crate does
    // not know what the path names.
    let result = client.try_raw_request(&RawRequest::get(
        ApiService::BlockStorage,
        "/group_types/nope",
    ));
    let Err(Error::NotFound {
        resource,
        id,
        message,
        request_id,
        ..
    }) = &result
    else {
        panic!("{result:?}")
    };
    assert_eq!(*resource, "resource");
    assert_eq!(id, "/group_types/nope");
    assert_eq!(message, "Group type nope could not be found.");
    assert_eq!(request_id.as_deref(), Some(common::REQUEST_ID));
    missing.assert_calls(1);
    let result = client.try_raw_request(&RawRequest::get(ApiService::BlockStorage, "/os-services"));
    let Err(Error::Decode { request_id, .. }) = &result else {
        panic!("{result:?}")
    };
    assert_eq!(request_id.as_deref(), Some(common::REQUEST_ID));
    not_json.assert_calls(1);
}

/// Refused before anything is sent — not even authentication: a path that could name another
/// origin (`//host`, a scheme, no leading `/`), spaces or control characters, an unknown
/// method, a malformed microversion.
#[test]
fn bad_requests_are_refused_before_sending() {
    let server = MockServer::start();
    let keystone = common::mock_keystone(&server);
    let anything = server.mock(|when, then| {
        when.path_includes("/");
        then.status(200);
    });
    let client = common::client(&server);
    let cases = [
        (
            RawRequest::get(ApiService::BlockStorage, "//evil.example/volumes"),
            "path",
        ),
        (RawRequest::get(ApiService::Compute, "//"), "path"),
        (RawRequest::get(ApiService::BlockStorage, "volumes"), "path"),
        (RawRequest::get(ApiService::BlockStorage, ""), "path"),
        (
            RawRequest::get(ApiService::BlockStorage, "http://evil.example/"),
            "path",
        ),
        (
            RawRequest::get(ApiService::BlockStorage, "/volumes detail"),
            "path",
        ),
        (
            RawRequest::get(ApiService::BlockStorage, "/volumes\r\nX-Evil: 1"),
            "path",
        ),
        (
            RawRequest::new(ApiService::BlockStorage, "TRACE", "/volumes"),
            "method",
        ),
        (
            RawRequest::new(ApiService::BlockStorage, "GET /x", "/volumes"),
            "method",
        ),
        (
            RawRequest::new(ApiService::Compute, "", "/servers"),
            "method",
        ),
        (
            RawRequest::get(ApiService::BlockStorage, "/volumes").microversion("3.x"),
            "microversion",
        ),
        (
            RawRequest::get(ApiService::BlockStorage, "/volumes").microversion("3.67\r\nX: y"),
            "microversion",
        ),
    ];
    for (request, expected) in cases {
        let result = client.try_raw_request(&request);
        let Err(Error::InvalidArgument { argument, .. }) = &result else {
            panic!("{request:?}: {result:?}")
        };
        assert_eq!(*argument, expected, "{request:?}");
    }
    keystone.assert_calls(0);
    anything.assert_calls(0);
}

#[test]
fn the_plain_face_returns_none_and_logs_one_line() {
    common::capture_logs();
    let server = server();
    mock_fault(
        &server,
        DELETE,
        cinder("/qos-specs/q1"),
        403,
        "forbidden",
        "Policy doesn't allow it.",
    );
    server.mock(|when, then| {
        when.method(GET).path(cinder("/extensions"));
        reply_json(then, 200, json!({"extensions": []}));
    });
    let client = common::client(&server);
    let before = log_mark(log::Level::Error);
    let reply = client.raw_request(&RawRequest::new(
        ApiService::BlockStorage,
        "DELETE",
        "/qos-specs/q1",
    ));
    assert_eq!(reply, None);
    one_line_with(
        log::Level::Error,
        before,
        &[
            "raw_request",
            "DELETE /qos-specs/q1",
            "403",
            common::REQUEST_ID,
        ],
    );
    plain_face_fails(
        || {
            client
                .raw_request(&RawRequest::get(ApiService::BlockStorage, "//x"))
                .is_none()
        },
        &["raw_request", "path"],
    );
    let reply = client
        .raw_request(&RawRequest::get(ApiService::BlockStorage, "/extensions"))
        .unwrap();
    assert_eq!(reply.json, json!({"extensions": []}));
}

// ----- against the simulated cloud -----------------------------------------------------------

#[test]
fn fake_cloud_raw_requests_create_read_and_fail_like_operations() {
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    // An operation the crate wraps, sent raw, is seen by the typed face.
    let created = client
        .try_raw_request(
            &RawRequest::new(ApiService::BlockStorage, "POST", "/volumes")
                .body(json!({"volume": {"size": 1, "name": "raw"}})),
        )
        .unwrap();
    assert_eq!(created.status, 202);
    assert!(
        created
            .request_id
            .as_deref()
            .is_some_and(|id| id.starts_with("req-"))
    );
    let id = created.json["volume"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        client.try_get_volume(&id).unwrap().name.as_deref(),
        Some("raw")
    );

    // The override reaches the wire; a version out of range is the cloud's 406, decoded, and
    // not negotiated away (the caller asked for that version).
    let from = cloud.request_log().len();
    client
        .try_raw_request(
            &RawRequest::get(ApiService::BlockStorage, "/volumes/detail").microversion("3.60"),
        )
        .unwrap();
    let result = client.try_raw_request(
        &RawRequest::get(ApiService::BlockStorage, "/volumes/detail").microversion("3.99"),
    );
    assert_eq!(result.unwrap_err().status(), Some(406));
    let sent: Vec<_> = fake_common::log_since(&cloud, from)
        .iter()
        .map(|r| r.header("openstack-api-version").unwrap_or("").to_string())
        .collect();
    assert_eq!(sent, ["volume 3.60", "volume 3.99"]);

    // Nova, below the compute endpoint.
    let reply = client
        .try_raw_request(&RawRequest::get(
            ApiService::Compute,
            format!("/servers/{}/os-volume_attachments", cloud.server_id()),
        ))
        .unwrap();
    assert_eq!(reply.json, json!({"volumeAttachments": []}));
    let last = cloud.request_log().pop().unwrap();
    assert_eq!(
        last.path,
        format!(
            "/compute/v2.1/servers/{}/os-volume_attachments",
            cloud.server_id()
        )
    );
    assert_eq!(last.header("openstack-api-version"), Some("compute 2.79"));
    assert_eq!(cloud.auth_requests(), 1, "one token for every raw request");
}

/// The retry rules of every operation: a GET whose reply is lost is sent again; a POST whose
/// reply is lost is not (its outcome is unknown, and the error says so); a 429 is sent again
/// whatever the method.
#[test]
fn fake_cloud_raw_requests_follow_the_retry_rules() {
    use infomaniak_fake_cloud::Fault;
    let cloud = fake_common::quick_cloud();
    let client = fake_common::client(&cloud);
    client.try_authenticate().unwrap();
    let volumes = fake_common::volumes_path();

    cloud.inject_fault("GET", &volumes, 1, Fault::DropConnection);
    let reply = client
        .try_raw_request(&RawRequest::get(ApiService::BlockStorage, "/volumes"))
        .unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(cloud.requests_matching("GET", &volumes), 2);

    cloud.inject_fault("POST", &volumes, 1, Fault::DropConnection);
    let create = RawRequest::new(ApiService::BlockStorage, "POST", "/volumes")
        .body(json!({"volume": {"size": 1, "name": "lost"}}));
    let lost = client.try_raw_request(&create).unwrap_err();
    assert!(lost.is_outcome_unknown(), "{lost:?}");
    assert_eq!(cloud.requests_matching("POST", &volumes), 1);

    cloud.inject_fault("POST", &volumes, 1, Fault::StatusWithRetryAfter(429, 0));
    let reply = client.try_raw_request(&create).unwrap();
    assert_eq!(reply.status, 202);
    assert_eq!(cloud.requests_matching("POST", &volumes), 3);
    assert_eq!(
        cloud.volume_ids().len(),
        1,
        "the 429 created nothing, the retry one volume"
    );
}
