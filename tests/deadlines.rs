//! Deadlines that hold (issue 10, point 7): a waiter returns within its timeout plus one poll
//! interval, because each poll's request is bounded by the time left, even when the server
//! stalls far longer than the timeout and the request timeout is longer still. These tests
//! measure upper bounds only, generous enough for a loaded 2-core machine.

// Both fixture modules: httpmock's (`common`) and the simulated cloud's, which embeds it.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;

use std::time::{Duration, Instant};

use fake_common::cinder;
use httpmock::prelude::*;
use infomaniak_block_storage::{
    AttachOptions, CreateVolumeOptions, Error, InfomaniakVolumeClient, VolumeStatus, WaitPolicy,
};
use infomaniak_fake_cloud::{FakeCloud, Fault};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(1);
const INTERVAL: Duration = Duration::from_millis(200);
/// Scheduling slack on a shared 2-core machine.
const SLACK: Duration = Duration::from_millis(1500);
/// How long the server stalls: far beyond the waiter's timeout.
const STALL: Duration = Duration::from_secs(6);

fn wait_policy() -> WaitPolicy {
    let mut wait = WaitPolicy::default();
    wait.initial_interval = INTERVAL;
    wait.max_interval = INTERVAL;
    wait.backoff = 1.0;
    wait
}

fn bound() -> Duration {
    TIMEOUT + INTERVAL + SLACK
}

fn fake_client(cloud: &FakeCloud) -> InfomaniakVolumeClient {
    let mut config = fake_common::config(cloud);
    config.wait = wait_policy();
    // Longer than the stall: only the waiter's deadline can cut the request short.
    config.request_timeout = Duration::from_secs(30);
    InfomaniakVolumeClient::new(config).unwrap()
}

fn expect_timeout<T: std::fmt::Debug>(result: Result<T, Error>, took: Duration) {
    assert!(
        took < bound(),
        "returned after {took:?}, bound {:?}",
        bound()
    );
    match result {
        Err(Error::WaitTimeout { waited, .. }) => {
            assert!(waited < bound(), "{waited:?}");
        }
        other => panic!("expected WaitTimeout, got {other:?}"),
    }
}

fn available_volume(client: &InfomaniakVolumeClient) -> String {
    let v = fake_common::available_volume(client, 1, "slow", &CreateVolumeOptions::default());
    v.id
}

#[test]
fn a_waiter_whose_poll_stalls_returns_at_its_deadline() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud);
    let id = available_volume(&client);
    let path = format!("{}/volumes/{id}", cinder());
    // Every poll stalls; the volume never becomes `in-use` anyway.
    cloud.inject_fault("GET", &path, 100, Fault::Delay(STALL));

    let started = Instant::now();
    let result = client.try_wait_for_volume_status(&id, VolumeStatus::InUse, TIMEOUT);
    expect_timeout(result, started.elapsed());
    cloud.clear_faults();
}

/// The first polls answer, then the server stalls mid-wait.
#[test]
fn a_server_that_stalls_mid_wait_cannot_stretch_the_deadline() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud);
    let id = available_volume(&client);
    let path = format!("{}/volumes/{id}", cinder());
    let mark = cloud.requests_matching("GET", &path);
    let started = Instant::now();
    let result = std::thread::scope(|s| {
        let waiter =
            s.spawn(|| client.try_wait_for_volume_status(&id, VolumeStatus::InUse, TIMEOUT));
        // Let two polls through, then stall every later one.
        while cloud.requests_matching("GET", &path) < mark + 2 {
            std::thread::sleep(Duration::from_millis(5));
        }
        cloud.inject_fault("GET", &path, 100, Fault::Delay(STALL));
        waiter.join().unwrap()
    });
    expect_timeout(result, started.elapsed());
    cloud.clear_faults();
}

#[test]
fn a_deletion_waiter_whose_poll_stalls_returns_at_its_deadline() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud);
    let id = available_volume(&client);
    cloud.inject_fault(
        "GET",
        &format!("{}/volumes/{id}", cinder()),
        100,
        Fault::Delay(STALL),
    );
    let started = Instant::now();
    let result = client.try_wait_for_volume_deleted(&id, TIMEOUT);
    expect_timeout(result, started.elapsed());
    cloud.clear_faults();
}

/// A waiter's first poll must authenticate, and Keystone stalls: that request is bounded by
/// the deadline too.
#[test]
fn a_stalled_keystone_cannot_stretch_a_waiters_deadline() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path(common::AUTH_PATH);
        then.status(201)
            .header("X-Subject-Token", common::TOKEN)
            .json_body(common::token_body(&server.base_url()))
            .delay(STALL);
    });
    let mut config = common::config(&server);
    config.wait = wait_policy();
    config.request_timeout = Duration::from_secs(30);
    let client = InfomaniakVolumeClient::new(config).unwrap();
    let started = Instant::now();
    let result = client.try_wait_for_volume_status(
        "0e5c1f2a-0000-4000-8000-000000000001",
        VolumeStatus::Available,
        TIMEOUT,
    );
    let took = started.elapsed();
    assert!(took < bound(), "returned after {took:?}: {result:?}");
    assert!(result.is_err(), "{result:?}");
}

/// httpmock: the volume GET stalls; the retry policy would send it again, but not past the
/// deadline.
#[test]
fn httpmock_stalled_poll_with_retries_returns_at_the_deadline() {
    let server = common::server();
    let id = "0e5c1f2a-0000-4000-8000-000000000002";
    let get = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/{id}", common::CINDER));
        then.status(200)
            .json_body(json!({"volume": {"id": id, "status": "creating", "size": 1}}))
            .delay(STALL);
    });
    let mut config = common::config(&server);
    config.wait = wait_policy();
    config.request_timeout = Duration::from_secs(30);
    config.retry.max_retries = 5;
    let client = InfomaniakVolumeClient::new(config).unwrap();
    client.try_authenticate().unwrap();
    let started = Instant::now();
    let result = client.try_wait_for_volume_status(id, VolumeStatus::Available, TIMEOUT);
    expect_timeout(result, started.elapsed());
    // One poll, cut short at the deadline; no retry after it.
    assert_eq!(get.calls(), 1);
}

/// `timeout` of attach-and-wait covers the whole operation, the attach request included.
#[test]
fn attach_and_wait_is_bounded_even_when_the_attach_request_stalls() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud);
    let id = available_volume(&client);
    let server = cloud.server_id();
    cloud.inject_fault(
        "POST",
        &format!("/compute/v2.1/servers/{server}/os-volume_attachments"),
        1,
        Fault::Delay(STALL),
    );
    let started = Instant::now();
    let result =
        client.try_attach_volume_and_wait(&id, &server, &AttachOptions::default(), TIMEOUT);
    let took = started.elapsed();
    assert!(took < bound(), "returned after {took:?}: {result:?}");
    match result {
        // Cut short while the attach was in flight: it may or may not have happened.
        Err(Error::Transport {
            outcome_unknown, ..
        }) => assert!(outcome_unknown),
        Err(Error::WaitTimeout { .. }) => {}
        other => panic!("expected a timeout, got {other:?}"),
    }
}

/// Polls that answer at once: the waiter gives up within its timeout plus one interval.
#[test]
fn a_responsive_waiter_times_out_on_time() {
    let cloud = fake_common::quick_cloud();
    let client = fake_client(&cloud);
    let id = available_volume(&client);
    let path = format!("{}/volumes/{id}", cinder());
    let before = cloud.requests_matching("GET", &path);
    let started = Instant::now();
    let result = client.try_wait_for_volume_status(&id, VolumeStatus::InUse, TIMEOUT);
    let took = started.elapsed();
    expect_timeout(result, took);
    assert!(took >= TIMEOUT, "gave up early: {took:?}");
    let polls = cloud.requests_matching("GET", &path) - before;
    // One poll per 200 ms interval over 1 s: about 6.
    assert!((3..=8).contains(&polls), "{polls} polls");
}
