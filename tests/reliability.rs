//! Reliability against the simulated cloud: re-authentication (also under concurrency),
//! proactive token renewal, retries, timeouts, body caps, malformed replies and connection reuse.

mod fake_common;

use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use fake_common::*;
use infomaniak_block_storage::{CreateVolumeOptions, Error, InfomaniakVolumeClient, RetryPolicy};
use infomaniak_fake_cloud::{FakeCloud, Fault};

fn opts() -> CreateVolumeOptions {
    CreateVolumeOptions::default()
}

fn client_with(
    cloud: &FakeCloud,
    edit: impl FnOnce(&mut infomaniak_block_storage::Config),
) -> InfomaniakVolumeClient {
    let mut config = config(cloud);
    edit(&mut config);
    InfomaniakVolumeClient::new(config).expect("valid config")
}

const AUTH_PATH: &str = "/identity/v3/auth/tokens";

// ----- authentication -------------------------------------------------------------------

/// 8 threads share one client and make 200 calls in 5 phases; between phases (when no call
/// is in flight) every token is revoked. Each revocation must cost exactly one authentication
/// (single-flight), and no call may fail.
#[test]
fn concurrent_calls_reauthenticate_once_per_expiry() {
    const THREADS: usize = 8;
    const PHASES: usize = 5;
    const CALLS_PER_THREAD_PER_PHASE: usize = 5; // 8 × 5 × 5 = 200 calls
    let cloud = fake_common::cloud_with_delay(Duration::from_millis(5));
    let c = client(&cloud);
    let seed = c
        .try_create_volume(1, "seed", &opts())
        .expect("seed volume");
    assert_eq!(cloud.auth_requests(), 1);
    let service_before = cloud.requests_matching("*", &cinder());

    let barrier = Barrier::new(THREADS + 1);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let calls = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (c, barrier, failures, calls, seed) = (&c, &barrier, &failures, &calls, &seed.id);
            s.spawn(move || {
                for phase in 0..PHASES {
                    barrier.wait(); // start of phase
                    for i in 0..CALLS_PER_THREAD_PER_PHASE {
                        let n = t + i + phase;
                        let outcome = match n % 3 {
                            0 => c.try_list_volumes().map(|_| ()),
                            1 => c.try_get_volume(seed).map(|_| ()),
                            _ => c
                                .try_create_volume(1, &format!("t{t}-p{phase}-{i}"), &opts())
                                .map(|_| ()),
                        };
                        calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        if let Err(e) = outcome {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("thread {t} phase {phase} call {i}: {e}"));
                        }
                    }
                    barrier.wait(); // end of phase
                }
            });
        }
        for phase in 0..PHASES {
            barrier.wait(); // workers start
            barrier.wait(); // workers done, nothing in flight
            if phase + 1 < PHASES {
                cloud.expire_all_tokens();
            }
        }
    });

    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} calls failed: {failures:#?}",
        failures.len()
    );
    assert_eq!(calls.into_inner(), 200);
    let expiries = PHASES - 1;
    assert_eq!(
        cloud.auth_requests(),
        1 + expiries,
        "exactly one authentication per expiry"
    );
    // Every expiry was noticed by at least one 401 (re-sent request), at most one per thread.
    let service = cloud.requests_matching("*", &cinder()) - service_before;
    let resent = service - 200;
    assert!(
        (expiries..=expiries * THREADS).contains(&resent),
        "{resent} requests re-sent after 401"
    );
}

/// A token is renewed before a call once less than a quarter of its life (at most 120 s) is
/// left, so no request ever meets a 401; until then it is reused.
#[test]
fn short_lived_token_is_renewed_before_use() {
    // A 60 s token is used for 45 s: five calls, one authentication (the margin is a quarter
    // of the lifetime, not the 120 s that would renew it before every call).
    let cloud = FakeCloud::builder()
        .token_lifetime(Duration::from_secs(60))
        .transition_delay(Duration::ZERO)
        .start();
    let c = client(&cloud);
    let v = c.try_create_volume(1, "reuse", &opts()).unwrap();
    for _ in 0..4 {
        c.try_get_volume(&v.id).expect("get");
    }
    assert_eq!(cloud.auth_requests(), 1);
    assert_eq!(cloud.requests_matching("*", &cinder()), 5);

    // A 1 s token is renewed once 750 ms have passed: sleeping 800 ms before each call makes
    // every call authenticate first.
    let cloud = FakeCloud::builder()
        .token_lifetime(Duration::from_secs(1))
        .transition_delay(Duration::ZERO)
        .start();
    let c = client(&cloud);
    let v = c.try_create_volume(1, "renew", &opts()).unwrap();
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(800));
        c.try_get_volume(&v.id).expect("get");
    }
    // One authentication per call (renewed proactively) ...
    assert_eq!(cloud.auth_requests(), 5);
    // ... and exactly one service request per call: none was answered 401 and re-sent.
    assert_eq!(cloud.requests_matching("*", &cinder()), 5);
    let log = cloud.request_log();
    assert_eq!(log.len(), 10);
    // Strict alternation auth → call shows renewal happened before each request.
    for pair in log.chunks(2) {
        assert_eq!(pair[0].path, AUTH_PATH);
        assert!(pair[1].path.starts_with(&cinder()), "{:?}", pair[1]);
    }
}

#[test]
fn one_401_costs_one_authentication() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    assert!(c.try_list_volumes().unwrap().is_empty());
    assert_eq!(cloud.auth_requests(), 1);

    // Revoked tokens: the next call re-authenticates once and succeeds.
    cloud.expire_all_tokens();
    let gets = cloud.requests_matching("GET", &volumes_detail_path());
    assert!(c.try_list_volumes().unwrap().is_empty());
    assert_eq!(cloud.auth_requests(), 2);
    assert_eq!(
        cloud.requests_matching("GET", &volumes_detail_path()) - gets,
        2
    );

    // An injected 401 on one request: same.
    cloud.inject_fault("GET", &volumes_detail_path(), 1, Fault::Status(401));
    assert!(c.try_list_volumes().unwrap().is_empty());
    assert_eq!(cloud.auth_requests(), 3);

    // A 401 that persists after the fresh token is an Auth error, not a loop.
    cloud.inject_fault("GET", &volumes_detail_path(), 100, Fault::Status(401));
    let gets = cloud.requests_matching("GET", &volumes_detail_path());
    match c.try_list_volumes() {
        Err(Error::Auth { status, .. }) => assert_eq!(status, Some(401)),
        other => panic!("expected Auth 401, got {other:?}"),
    }
    assert_eq!(cloud.auth_requests(), 4);
    assert_eq!(
        cloud.requests_matching("GET", &volumes_detail_path()) - gets,
        2
    );
    cloud.clear_faults();
}

#[test]
fn keystone_failing_after_expiry_is_an_error_not_a_loop() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    c.try_list_volumes().unwrap();
    assert_eq!(cloud.auth_requests(), 1);
    cloud.expire_all_tokens();
    cloud.inject_fault("POST", AUTH_PATH, 1000, Fault::Status(500));
    let started = Instant::now();
    let err = c.try_list_volumes().expect_err("Keystone is down");
    assert!(started.elapsed() < Duration::from_secs(20), "hung");
    match &err {
        Error::Auth { status, .. } => assert_eq!(*status, Some(500)),
        other => panic!("expected Auth 500, got {other:?}"),
    }
    assert_eq!(cloud.auth_requests(), 2, "one attempt, no loop");
    // Each further call tries once more, still bounded.
    assert!(
        c.try_get_volume("00000000-0000-4000-8000-000000000000")
            .is_err()
    );
    assert_eq!(cloud.auth_requests(), 3);
    // Keystone back: the client recovers.
    cloud.clear_faults();
    assert!(c.try_list_volumes().unwrap().is_empty());
    assert_eq!(cloud.auth_requests(), 4);
}

// ----- retries --------------------------------------------------------------------------

#[test]
fn get_retries_503_then_succeeds_with_warnings() {
    capture_logs();
    let cloud = quick_cloud();
    let c = client(&cloud);
    cloud.inject_fault("GET", &volumes_detail_path(), 2, Fault::Status(503));
    assert!(c.try_list_volumes().expect("third try succeeds").is_empty());
    assert_eq!(cloud.requests_matching("GET", &volumes_detail_path()), 3);
    let warns = library_logs(log::Level::Warn);
    assert_eq!(warns.len(), 2, "{warns:#?}");
    assert!(
        warns[0].contains("HTTP 503") && warns[0].contains("retry 1/3"),
        "{}",
        warns[0]
    );
    assert!(
        warns[1].contains("HTTP 503") && warns[1].contains("retry 2/3"),
        "{}",
        warns[1]
    );
    assert!(library_logs(log::Level::Error).is_empty());
}

#[test]
fn get_503_forever_gives_up_after_max_retries() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    assert_eq!(c.config().retry.max_retries, 3);
    cloud.inject_fault("GET", &volumes_detail_path(), 1000, Fault::Status(503));
    match c.try_list_volumes() {
        Err(Error::Api { status, code, .. }) => {
            assert_eq!(status, 503);
            assert_eq!(code.as_deref(), Some("serviceUnavailable"));
        }
        other => panic!("expected Api 503, got {other:?}"),
    }
    assert_eq!(
        cloud.requests_matching("GET", &volumes_detail_path()),
        1 + 3
    );

    // Retries off: exactly one attempt.
    let c = client_with(&cloud, |cfg| cfg.retry = RetryPolicy::none());
    let before = cloud.requests_matching("GET", &volumes_detail_path());
    assert_eq!(c.try_list_volumes().unwrap_err().status(), Some(503));
    assert_eq!(
        cloud.requests_matching("GET", &volumes_detail_path()) - before,
        1
    );
    cloud.clear_faults();
}

#[test]
fn get_dropped_connection_is_retried() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    let v = c.try_create_volume(1, "drop", &opts()).unwrap();
    let path = format!("{}/{}", volumes_path(), v.id);
    cloud.inject_fault("GET", &path, 1, Fault::DropConnection);
    let got = c
        .try_get_volume(&v.id)
        .expect("retried after the dropped connection");
    assert_eq!(got.id, v.id);
    assert_eq!(cloud.requests_matching("GET", &path), 2);

    // Without retries the dropped GET is a transport error (a GET's outcome never matters).
    let c = client_with(&cloud, |cfg| cfg.retry = RetryPolicy::none());
    cloud.inject_fault("GET", &path, 1, Fault::DropConnection);
    match c.try_get_volume(&v.id) {
        Err(Error::Transport {
            outcome_unknown, ..
        }) => assert!(!outcome_unknown),
        other => panic!("expected Transport, got {other:?}"),
    }
}

#[test]
fn post_is_never_retried_on_503() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    c.try_authenticate().unwrap();
    cloud.inject_fault("POST", &volumes_path(), 5, Fault::Status(503));
    match c.try_create_volume(1, "no-retry", &opts()) {
        Err(Error::Api { status, .. }) => assert_eq!(status, 503),
        other => panic!("expected Api 503, got {other:?}"),
    }
    assert_eq!(cloud.requests_matching("POST", &volumes_path()), 1);
    assert!(cloud.volume_ids().is_empty());
    cloud.clear_faults();
}

#[test]
fn post_dropped_connection_has_unknown_outcome() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    c.try_authenticate().unwrap();
    cloud.inject_fault("POST", &volumes_path(), 1, Fault::DropConnection);
    let err = c
        .try_create_volume(1, "lost-reply", &opts())
        .expect_err("dropped");
    match &err {
        Error::Transport {
            outcome_unknown, ..
        } => assert!(*outcome_unknown),
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(err.is_outcome_unknown());
    assert!(err.to_string().contains("outcome is unknown"), "{err}");
    assert_eq!(cloud.requests_matching("POST", &volumes_path()), 1);
}

#[test]
fn connection_refused_has_known_outcome() {
    let cloud = quick_cloud();
    let port = closed_port();
    // Keystone works; the catalog is overridden with a block storage endpoint nobody serves.
    let c = client_with(&cloud, |cfg| {
        cfg.block_storage_endpoint = Some(format!(
            "http://127.0.0.1:{port}/volume/v3/{}",
            FakeCloud::PROJECT_ID
        ));
        cfg.retry = RetryPolicy::none();
    });
    let err = c
        .try_create_volume(1, "refused", &opts())
        .expect_err("refused");
    match &err {
        Error::Transport {
            outcome_unknown, ..
        } => assert!(!outcome_unknown, "{err}"),
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(!err.is_outcome_unknown());
    assert!(cloud.volume_ids().is_empty());

    // Keystone itself unreachable: a transport error, outcome known.
    let c = client_with(&cloud, |cfg| {
        cfg.auth_url = format!("http://127.0.0.1:{port}/identity/v3");
    });
    match c.try_list_volumes() {
        Err(Error::Transport {
            outcome_unknown, ..
        }) => assert!(!outcome_unknown),
        other => panic!("expected Transport, got {other:?}"),
    }
}

#[test]
fn status_413_is_never_retried() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    cloud.inject_fault("GET", &volumes_detail_path(), 10, Fault::Status(413));
    match c.try_list_volumes() {
        Err(Error::Api {
            status,
            code,
            retry_after,
            ..
        }) => {
            assert_eq!(status, 413);
            assert_eq!(code.as_deref(), Some("overLimit"));
            assert_eq!(retry_after, Some(0));
        }
        other => panic!("expected Api 413, got {other:?}"),
    }
    assert_eq!(cloud.requests_matching("GET", &volumes_detail_path()), 1);
    cloud.clear_faults();
}

// ----- timeouts, caps, malformed replies ------------------------------------------------

#[test]
fn stalled_reply_times_out_instead_of_hanging() {
    let cloud = quick_cloud();
    let c = client_with(&cloud, |cfg| {
        cfg.request_timeout = Duration::from_millis(300);
        cfg.retry = RetryPolicy::none();
    });
    c.try_authenticate().unwrap();
    cloud.inject_fault(
        "GET",
        &volumes_detail_path(),
        1,
        Fault::Delay(Duration::from_secs(3)),
    );
    let started = Instant::now();
    let err = c.try_list_volumes().expect_err("timed out");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "waited for the stalled reply"
    );
    match &err {
        Error::Transport {
            message,
            outcome_unknown,
            ..
        } => {
            assert!(message.contains("timed out"), "{message}");
            assert!(!outcome_unknown);
        }
        other => panic!("expected Transport timeout, got {other:?}"),
    }
    assert_eq!(cloud.requests_matching("GET", &volumes_detail_path()), 1);

    // With retries on, the stalled GET is retried and the second try succeeds.
    let c = client_with(&cloud, |cfg| {
        cfg.request_timeout = Duration::from_millis(300)
    });
    cloud.inject_fault(
        "GET",
        &volumes_detail_path(),
        1,
        Fault::Delay(Duration::from_secs(3)),
    );
    assert!(c.try_list_volumes().expect("retried").is_empty());
    assert_eq!(cloud.requests_matching("GET", &volumes_detail_path()), 3);
}

#[test]
fn oversized_reply_is_an_error_naming_max_body_bytes() {
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::ZERO)
        .start();
    let seeder = client(&cloud);
    for i in 0..20 {
        seeder
            .try_create_volume(1, &format!("bulk-volume-with-a-longish-name-{i}"), &opts())
            .unwrap();
    }
    assert_eq!(seeder.try_list_volumes().unwrap().len(), 20);

    let c = client_with(&cloud, |cfg| cfg.max_body_bytes = 8_000);
    // The token reply fits: the failure below is the listing's.
    c.try_authenticate().expect("token reply under the cap");
    let one = c.try_get_volume(&cloud.volume_ids()[0]);
    assert!(one.is_ok(), "{one:?}");
    let err = c.try_list_volumes().expect_err("listing over the cap");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("max_body_bytes"), "{err}");
    assert!(c.list_volumes().is_empty());
}

#[test]
fn malformed_json_is_a_decode_error() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    cloud.inject_fault("GET", &volumes_detail_path(), 1, Fault::MalformedJson);
    match c.try_list_volumes() {
        Err(Error::Decode {
            what, request_id, ..
        }) => {
            assert!(what.contains("volume"), "{what}");
            assert!(request_id.is_some());
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    // A 200 with a bad body is not retried.
    assert_eq!(cloud.requests_matching("GET", &volumes_detail_path()), 1);
    // The next call is fine.
    assert!(c.try_list_volumes().unwrap().is_empty());
}

// ----- connection reuse -----------------------------------------------------------------

#[test]
fn sequential_calls_reuse_one_connection_and_token() {
    let cloud = quick_cloud();
    let c = client(&cloud);
    let v = c.try_create_volume(1, "reuse", &opts()).unwrap();
    for i in 0..19 {
        if i % 2 == 0 {
            c.try_get_volume(&v.id).unwrap();
        } else {
            c.try_list_volumes().unwrap();
        }
    }
    assert_eq!(cloud.requests_matching("*", &cinder()), 20);
    assert_eq!(cloud.auth_requests(), 1);
    let connections = cloud.connections();
    assert!(
        (1..=2).contains(&connections),
        "{connections} connections for 21 requests"
    );
}
