//! Shared fixtures for the tests that run against the simulated cloud (`infomaniak-fake-cloud`):
//! a fast client configuration, request-log helpers and a log capture.
#![allow(dead_code)]

use std::time::Duration;

use infomaniak_block_storage::{
    Config, CreateSnapshotOptions, CreateVolumeOptions, InfomaniakVolumeClient, RetryPolicy,
    Snapshot, SnapshotStatus, Volume, VolumeStatus, WaitPolicy,
};
use infomaniak_fake_cloud::{FakeCloud, RecordedRequest};

/// Generous bound for waiters: the simulated cloud completes transitions in milliseconds, so
/// hitting this means a hang, not slowness.
pub const LONG: Duration = Duration::from_secs(30);

/// Path of the public dc3-a Cinder endpoint, as the fake cloud logs it.
pub fn cinder() -> String {
    format!("/volume/v3/{}", FakeCloud::PROJECT_ID)
}

/// `GET`/`POST` path of the volume collection.
pub fn volumes_path() -> String {
    format!("{}/volumes", cinder())
}

/// Path of the detailed volume listing.
pub fn volumes_detail_path() -> String {
    format!("{}/volumes/detail", cinder())
}

/// A fast retry policy: `max_retries` retries with millisecond backoffs.
pub fn fast_retry(max_retries: u32) -> RetryPolicy {
    let mut retry = RetryPolicy::default();
    retry.max_retries = max_retries;
    retry.initial_backoff = Duration::from_millis(2);
    retry.max_backoff = Duration::from_millis(5);
    retry.max_total = Duration::from_secs(20);
    retry
}

/// Application-credential config for `cloud` with fast waiters and fast retries.
pub fn config(cloud: &FakeCloud) -> Config {
    let mut config = Config::application_credential(
        FakeCloud::APP_CREDENTIAL_ID,
        FakeCloud::APP_CREDENTIAL_SECRET,
    );
    config.auth_url = cloud.auth_url();
    let mut wait = WaitPolicy::default();
    wait.initial_interval = Duration::from_millis(5);
    wait.max_interval = Duration::from_millis(20);
    wait.backoff = 1.5;
    config.wait = wait;
    config.retry = fast_retry(3);
    config.request_timeout = Duration::from_secs(10);
    config.connect_timeout = Duration::from_secs(5);
    // Loopback tests must not be sent to a proxy the environment may name.
    config.proxy = infomaniak_block_storage::ProxySetting::Direct;
    config
}

/// A client for `cloud` built from [`config`].
pub fn client(cloud: &FakeCloud) -> InfomaniakVolumeClient {
    InfomaniakVolumeClient::new(config(cloud)).expect("valid test config")
}

/// A fake cloud whose transitions take `delay`.
pub fn cloud_with_delay(delay: Duration) -> FakeCloud {
    FakeCloud::builder().transition_delay(delay).start()
}

/// A fake cloud whose transitions take 20 ms.
pub fn quick_cloud() -> FakeCloud {
    cloud_with_delay(Duration::from_millis(20))
}

/// Creates a volume and waits (up to [`LONG`]) until it is `available`; returns the volume as
/// the create call returned it.
#[track_caller]
pub fn available_volume(
    client: &InfomaniakVolumeClient,
    size: u64,
    name: &str,
    options: &CreateVolumeOptions,
) -> Volume {
    let volume = client.try_create_volume(size, name, options).unwrap();
    client
        .try_wait_for_volume_status(&volume.id, VolumeStatus::Available, LONG)
        .unwrap();
    volume
}

/// Creates a snapshot of `volume_id` and waits (up to [`LONG`]) until it is `available`;
/// returns the snapshot as the create call returned it.
#[track_caller]
pub fn available_snapshot(
    client: &InfomaniakVolumeClient,
    volume_id: &str,
    name: &str,
    options: &CreateSnapshotOptions,
) -> Snapshot {
    let snapshot = client
        .try_create_snapshot(volume_id, name, options)
        .unwrap();
    client
        .try_wait_for_snapshot_status(&snapshot.id, SnapshotStatus::Available, LONG)
        .unwrap();
    snapshot
}

/// Requests after index `from` of the log.
pub fn log_since(cloud: &FakeCloud, from: usize) -> Vec<RecordedRequest> {
    cloud.request_log().into_iter().skip(from).collect()
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

// ----- log capture: the same capture as the httpmock tests ---------------------------

#[path = "../common/mod.rs"]
mod common;

#[allow(unused_imports)] // not every test binary captures logs
pub use common::capture_logs;

/// Lines this thread logged at `level` from the library (tests each run on their own thread).
pub fn library_logs(level: log::Level) -> Vec<String> {
    common::crate_logs(level)
}
