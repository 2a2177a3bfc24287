//! Retries that follow what a reply proves (issue 10, point 2): a 429 was not processed and
//! is sent again whatever the method, honouring `Retry-After`; a request that never reached
//! the server (connection refused) is sent again whatever the method; a POST or DELETE whose
//! reply was lost is not, and says that its outcome is unknown. Always within the retry
//! count and the time budget. Against the simulated cloud and against httpmock.

// Both fixture modules: httpmock's (`common`) and the simulated cloud's, which embeds it.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use fake_common::{LONG, volumes_path};
use httpmock::prelude::*;
use infomaniak_block_storage::{
    CreateVolumeOptions, DeleteVolumeOptions, Error, InfomaniakVolumeClient, RetryPolicy,
};
use infomaniak_fake_cloud::{FakeCloud, Fault};
use serde_json::json;

fn retry(max_retries: u32, initial_ms: u64, max_total: Duration) -> RetryPolicy {
    let mut retry = RetryPolicy::default();
    retry.max_retries = max_retries;
    retry.initial_backoff = Duration::from_millis(initial_ms);
    retry.max_backoff = Duration::from_millis(initial_ms * 4);
    retry.max_total = max_total;
    retry
}

fn fake_client(cloud: &FakeCloud, policy: RetryPolicy) -> InfomaniakVolumeClient {
    let mut config = fake_common::config(cloud);
    config.retry = policy;
    InfomaniakVolumeClient::new(config).unwrap()
}

fn opts() -> CreateVolumeOptions {
    CreateVolumeOptions::default()
}

// ----- 429, simulated cloud --------------------------------------------------------------

#[test]
fn post_429_is_retried_after_retry_after_and_creates_once() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud, retry(3, 1, Duration::from_secs(10)));
    client.try_authenticate().unwrap();
    cloud.inject_fault(
        "POST",
        &volumes_path(),
        1,
        Fault::StatusWithRetryAfter(429, 1),
    );

    let started = Instant::now();
    let v = client.try_create_volume(1, "after-429", &opts()).unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(1),
        "Retry-After: 1 not honoured ({took:?})"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(cloud.requests_matching("POST", &volumes_path()), 2);
    assert_eq!(cloud.volume_ids(), vec![v.id.clone()], "exactly one volume");
    assert_eq!(cloud.auth_requests(), 1);
}

#[test]
fn delete_429_is_retried_and_deletes() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud, retry(3, 1, Duration::from_secs(10)));
    let v = fake_common::available_volume(&client, 1, "doomed", &opts());
    let path = format!("{}/{}", volumes_path(), v.id);
    cloud.inject_fault("DELETE", &path, 2, Fault::Status(429));

    client
        .try_delete_volume(&v.id, &DeleteVolumeOptions::default())
        .unwrap();
    assert_eq!(
        cloud.requests_matching("DELETE", &path),
        3,
        "two 429s, one 202"
    );
    client.try_wait_for_volume_deleted(&v.id, LONG).unwrap();
    assert!(cloud.volume_ids().is_empty());
}

#[test]
fn post_429_forever_stops_after_max_retries() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud, retry(3, 1, Duration::from_secs(10)));
    client.try_authenticate().unwrap();
    cloud.inject_fault("POST", &volumes_path(), 100, Fault::Status(429));
    match client.try_create_volume(1, "never", &opts()) {
        Err(Error::Api {
            status,
            code,
            retry_after,
            ..
        }) => {
            assert_eq!(status, 429);
            assert_eq!(code.as_deref(), Some("overLimit"));
            assert_eq!(retry_after, Some(0));
        }
        other => panic!("expected Api 429, got {other:?}"),
    }
    assert_eq!(
        cloud.requests_matching("POST", &volumes_path()),
        4,
        "1 + 3 retries"
    );
    assert!(cloud.volume_ids().is_empty());
    cloud.clear_faults();
}

/// A `Retry-After` that would take the call past `max_total` is not waited for: the 429 is
/// returned at once, with the wait the server asked for.
#[test]
fn retry_after_beyond_the_time_budget_is_not_waited_for() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud, retry(5, 1, Duration::from_secs(3)));
    client.try_authenticate().unwrap();
    cloud.inject_fault(
        "POST",
        &volumes_path(),
        10,
        Fault::StatusWithRetryAfter(429, 30),
    );
    let started = Instant::now();
    match client.try_create_volume(1, "later", &opts()) {
        Err(Error::Api {
            status,
            retry_after,
            ..
        }) => {
            assert_eq!(status, 429);
            assert_eq!(retry_after, Some(30));
        }
        other => panic!("expected Api 429, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(cloud.requests_matching("POST", &volumes_path()), 1);
    cloud.clear_faults();
}

/// `Retry-After: 1` with a 1.5 s budget: one retry fits, the second would not.
#[test]
fn the_time_budget_bounds_429_retries() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud, retry(10, 1, Duration::from_millis(1500)));
    client.try_authenticate().unwrap();
    cloud.inject_fault(
        "DELETE",
        &volumes_path(),
        10,
        Fault::StatusWithRetryAfter(429, 1),
    );
    let started = Instant::now();
    let result = client.try_delete_volume(
        "0b9f5c4e-0000-4000-8000-000000000001",
        &DeleteVolumeOptions::default(),
    );
    let took = started.elapsed();
    assert_eq!(
        result.as_ref().err().and_then(Error::status),
        Some(429),
        "{result:?}"
    );
    assert_eq!(cloud.requests_matching("DELETE", &volumes_path()), 2);
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(took < Duration::from_millis(2500), "{took:?}");
    cloud.clear_faults();
}

// ----- lost replies, simulated cloud -----------------------------------------------------

#[test]
fn post_whose_reply_is_lost_is_not_retried() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud, retry(3, 1, Duration::from_secs(10)));
    client.try_authenticate().unwrap();
    cloud.inject_fault("POST", &volumes_path(), 1, Fault::DropConnection);
    let err = client
        .try_create_volume(1, "lost", &opts())
        .expect_err("the reply was lost");
    let Error::Transport {
        outcome_unknown, ..
    } = &err
    else {
        panic!("expected Transport, got {err:?}")
    };
    assert!(*outcome_unknown, "{err}");
    assert!(err.is_outcome_unknown());
    assert!(err.to_string().contains("outcome is unknown"), "{err}");
    assert_eq!(cloud.requests_matching("POST", &volumes_path()), 1);
}

#[test]
fn delete_whose_reply_is_lost_is_not_retried() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud, retry(3, 1, Duration::from_secs(10)));
    let v = fake_common::available_volume(&client, 1, "x", &opts());
    let path = format!("{}/{}", volumes_path(), v.id);
    cloud.inject_fault("DELETE", &path, 1, Fault::DropConnection);
    let err = client
        .try_delete_volume(&v.id, &DeleteVolumeOptions::default())
        .expect_err("lost");
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(cloud.requests_matching("DELETE", &path), 1);
}

#[test]
fn get_whose_reply_is_lost_is_retried() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud, retry(3, 1, Duration::from_secs(10)));
    client.try_authenticate().unwrap();
    let detail = fake_common::volumes_detail_path();
    cloud.inject_fault("GET", &detail, 2, Fault::DropConnection);
    assert!(client.try_list_volumes().unwrap().is_empty());
    assert_eq!(cloud.requests_matching("GET", &detail), 3);
}

// ----- connection refused ----------------------------------------------------------------

/// Accepts on `port` after `delay` and forwards every connection to `target`.
fn late_forwarder(port: u16, delay: Duration, target: String) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        thread::sleep(delay);
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("rebind the closed port");
        for incoming in listener.incoming() {
            let Ok(client) = incoming else { return };
            let Ok(upstream) = TcpStream::connect(&target) else {
                return;
            };
            let pipe = |mut from: TcpStream, mut to: TcpStream| {
                thread::spawn(move || {
                    let mut buf = [0u8; 8192];
                    loop {
                        match from.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if to.write_all(&buf[..n]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = to.shutdown(Shutdown::Write);
                });
            };
            pipe(client.try_clone().unwrap(), upstream.try_clone().unwrap());
            pipe(upstream, client);
        }
    })
}

/// A POST to an endpoint that refuses connections is sent again (nothing reached the
/// server), and goes through once the endpoint is up: the volume is created exactly once.
#[test]
fn refused_post_is_retried_until_the_endpoint_is_up() {
    let cloud = fake_common::quick_cloud();
    let port = fake_common::closed_port();
    let mut config = fake_common::config(&cloud);
    config.block_storage_endpoint = Some(format!(
        "http://127.0.0.1:{port}/volume/v3/{}",
        FakeCloud::PROJECT_ID
    ));
    // Pauses of ~100, 200, 400, 400, 400 ms: the endpoint comes up after 150 ms.
    config.retry = retry(6, 100, Duration::from_secs(10));
    let client = InfomaniakVolumeClient::new(config).unwrap();
    client.try_authenticate().unwrap();
    let target = cloud.base_url().trim_start_matches("http://").to_string();
    let _forwarder = late_forwarder(port, Duration::from_millis(150), target);

    common::capture_logs();
    let v = client.try_create_volume(1, "patient", &opts()).unwrap();
    assert_eq!(cloud.volume_ids(), vec![v.id]);
    assert_eq!(cloud.requests_matching("POST", &volumes_path()), 1);
    let retries: Vec<String> = common::crate_logs(log::Level::Warn)
        .into_iter()
        .filter(|l| l.contains("POST") && l.contains("retry"))
        .collect();
    assert!(!retries.is_empty(), "the refused POST was retried");
    assert!(retries.len() <= 6, "{retries:?}");
}

/// Refused forever: exactly `max_retries` retries, then a transport error whose outcome is
/// known (nothing was sent).
#[test]
fn refused_post_stops_after_max_retries_with_a_known_outcome() {
    let cloud = fake_common::quick_cloud();
    let port = fake_common::closed_port();
    let mut config = fake_common::config(&cloud);
    config.block_storage_endpoint = Some(format!(
        "http://127.0.0.1:{port}/volume/v3/{}",
        FakeCloud::PROJECT_ID
    ));
    config.retry = retry(3, 1, Duration::from_secs(10));
    let client = InfomaniakVolumeClient::new(config).unwrap();
    client.try_authenticate().unwrap();

    common::capture_logs();
    let started = Instant::now();
    let err = client
        .try_create_volume(1, "refused", &opts())
        .expect_err("nothing listens");
    assert!(started.elapsed() < Duration::from_secs(5));
    let Error::Transport {
        outcome_unknown, ..
    } = &err
    else {
        panic!("expected Transport, got {err:?}")
    };
    assert!(!outcome_unknown, "{err}");
    let retries: Vec<String> = common::crate_logs(log::Level::Warn)
        .into_iter()
        .filter(|l| l.contains("POST") && l.contains("retry"))
        .collect();
    assert_eq!(retries.len(), 3, "{retries:?}");
    assert!(retries[2].contains("retry 3/3"), "{retries:?}");
    assert!(cloud.volume_ids().is_empty());
}

// ----- httpmock ------------------------------------------------------------------------------

fn mock_client(server: &MockServer, policy: RetryPolicy) -> InfomaniakVolumeClient {
    let mut config = common::config(server);
    config.retry = policy;
    InfomaniakVolumeClient::new(config).unwrap()
}

#[test]
fn httpmock_post_429_is_sent_max_retries_plus_one_times() {
    let server = common::server();
    let post = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{}/volumes", common::CINDER))
            .json_body_includes(r#"{"volume": {"size": 1, "name": "busy"}}"#);
        then.status(429)
            .header("Retry-After", "0")
            .header("x-openstack-request-id", common::REQUEST_ID)
            .json_body(
                json!({"overLimit": {"code": 429, "message": "Too many requests.",
                                           "retryAfter": "0"}}),
            );
    });
    let client = mock_client(&server, retry(2, 1, Duration::from_secs(5)));
    match client.try_create_volume(1, "busy", &opts()) {
        Err(Error::Api {
            status,
            code,
            message,
            request_id,
            retry_after,
            ..
        }) => {
            assert_eq!(status, 429);
            assert_eq!(code.as_deref(), Some("overLimit"));
            assert_eq!(message, "Too many requests.");
            assert_eq!(request_id.as_deref(), Some(common::REQUEST_ID));
            assert_eq!(retry_after, Some(0));
        }
        other => panic!("expected Api 429, got {other:?}"),
    }
    post.assert_calls(3);
}

#[test]
fn httpmock_delete_429_honours_retry_after() {
    let server = common::server();
    let id = "9d1c2b3a-0000-4000-8000-00000000abcd";
    let delete = server.mock(|when, then| {
        when.method(DELETE)
            .path(format!("{}/volumes/{id}", common::CINDER));
        then.status(429).header("Retry-After", "1");
    });
    let client = mock_client(&server, retry(1, 1, Duration::from_secs(5)));
    let started = Instant::now();
    let err = client
        .try_delete_volume(id, &DeleteVolumeOptions::default())
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.status(), Some(429), "{err:?}");
    delete.assert_calls(2);
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[test]
fn httpmock_post_503_is_not_retried_but_get_503_is() {
    let server = common::server();
    let post = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{}/volumes", common::CINDER));
        then.status(503);
    });
    let get = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER));
        then.status(503);
    });
    let client = mock_client(&server, retry(2, 1, Duration::from_secs(5)));
    assert_eq!(
        client
            .try_create_volume(1, "x", &opts())
            .unwrap_err()
            .status(),
        Some(503)
    );
    post.assert_calls(1);
    assert_eq!(client.try_list_volumes().unwrap_err().status(), Some(503));
    get.assert_calls(3);
}
