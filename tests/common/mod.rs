//! Shared test fixtures: a mock Keystone with a catalog pointing at the same httpmock server,
//! a client wired to it, the shared API samples, and a log capture.
#![allow(dead_code)]

pub mod assert;
pub mod tls_keystone;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use httpmock::prelude::*;
use httpmock::{HttpMockResponse, Mock};
use infomaniak_block_storage::{
    Auth, Config, InfomaniakVolumeClient, ProxySetting, RetryPolicy, Secret, WaitPolicy,
};
use serde_json::{Value, json};

pub const APP_CRED_ID: &str = "app-cred-id-42";
pub const APP_CRED_SECRET: &str = "S3CR3T-app-cred-value";
pub const TOKEN: &str = "gAAAAA-secret-token-value-1";
pub const PROJECT: &str = "proj-0123";
/// Cinder endpoint path in the mock catalog (public, dc3-a).
pub const CINDER: &str = "/volume/v3/proj-0123";
/// Nova endpoint path in the mock catalog (public, dc3-a).
pub const NOVA: &str = "/compute/v2.1";
pub const AUTH_PATH: &str = "/identity/v3/auth/tokens";
pub const MICROVERSION: &str = "volume 3.67";
pub const REQUEST_ID: &str = "req-5e9f6c1a-3b0e-4a1c-9b55-2f0c7b1d8a10";

/// A Keystone catalog whose endpoints all point at `base`, with public and internal endpoints
/// in dc3-a and public ones in dc4-a, distinguished by path prefix.
pub fn catalog(base: &str) -> Value {
    let ep = |interface: &str, region: &str, url: String| json!({"id": format!("{interface}-{region}"), "interface": interface, "region": region, "region_id": region, "url": url});
    json!([
        {"type": "identity", "name": "keystone", "id": "k", "endpoints": [
            ep("public", "dc3-a", format!("{base}/identity"))]},
        {"type": "volumev3", "name": "cinderv3", "id": "c", "endpoints": [
            ep("public", "dc3-a", format!("{base}{CINDER}")),
            ep("internal", "dc3-a", format!("{base}/internal{CINDER}")),
            ep("public", "dc4-a", format!("{base}/dc4{CINDER}"))]},
        {"type": "compute", "name": "nova", "id": "n", "endpoints": [
            ep("public", "dc3-a", format!("{base}{NOVA}")),
            ep("internal", "dc3-a", format!("{base}/internal{NOVA}")),
            ep("public", "dc4-a", format!("{base}/dc4{NOVA}"))]}
    ])
}

/// Keystone's request body for an application credential `id`/`secret`.
pub fn app_cred_body(id: &str, secret: &str) -> Value {
    json!({"auth": {"identity": {
        "methods": ["application_credential"],
        "application_credential": {"id": id, "secret": secret}
    }}})
}

/// The `Auth` of an application credential, as a `Config` holds it.
pub fn app_cred(id: &str, secret: &str) -> Option<Auth> {
    Some(Auth::ApplicationCredential {
        id: id.into(),
        secret: Secret::new(secret),
    })
}

/// Keystone's token reply body, expiring in an hour.
pub fn token_body(base: &str) -> Value {
    json!({"token": {
        "methods": ["application_credential"],
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2026-11-29T00:00:00.000000Z",
        "project": {"id": PROJECT, "name": "p", "domain": {"id": "default", "name": "Default"}},
        "user": {"id": "u", "name": "user", "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r", "name": "member"}],
        "catalog": catalog(base)
    }})
}

/// Mocks Keystone: any POST to the tokens URL returns [`TOKEN`] and the catalog.
pub fn mock_keystone(server: &MockServer) -> Mock<'_> {
    server.mock(|when, then| {
        when.method(POST).path(AUTH_PATH);
        then.status(201)
            .header("X-Subject-Token", TOKEN)
            .header("x-openstack-request-id", "req-keystone")
            .header("Content-Type", "application/json")
            .json_body(token_body(&server.base_url()));
    })
}

/// Keystone's 201 reply issuing `token` (and the catalog for `base`), for `respond_with`.
pub fn token_response(base: &str, token: &str) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(201)
        .header("X-Subject-Token", token)
        .header("Content-Type", "application/json")
        .body(token_body(base).to_string())
        .build()
}

/// A mock Keystone issuing `token-1`, `token-2`, ...: the mock and the count of tokens issued.
pub fn counting_keystone(server: &MockServer) -> (Mock<'_>, Arc<AtomicUsize>) {
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    let base = server.base_url();
    let keystone = server.mock(move |when, then| {
        when.method(POST).path(AUTH_PATH);
        then.respond_with(move |_| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            token_response(&base, &format!("token-{n}"))
        });
    });
    (keystone, issued)
}

/// Config for the mock server: application credential, no retry backoff worth waiting for,
/// fast waiters.
pub fn config(server: &MockServer) -> Config {
    let mut config = Config::application_credential(APP_CRED_ID, APP_CRED_SECRET);
    config.auth_url = server.url("/identity/v3");
    config.retry = fast_retry();
    config.wait = fast_wait();
    config.request_timeout = Duration::from_secs(5);
    // Loopback tests must not be sent to a proxy the environment may name.
    config.proxy = ProxySetting::Direct;
    config
}

/// Retries with no backoff worth waiting for.
pub fn fast_retry() -> RetryPolicy {
    let mut retry = RetryPolicy::default();
    retry.max_retries = 2;
    retry.initial_backoff = Duration::from_millis(1);
    retry.max_backoff = Duration::from_millis(5);
    retry.max_total = Duration::from_secs(5);
    retry
}

/// Waiters that poll every few milliseconds.
pub fn fast_wait() -> WaitPolicy {
    let mut wait = WaitPolicy::default();
    wait.initial_interval = Duration::from_millis(5);
    wait.max_interval = Duration::from_millis(20);
    wait.backoff = 1.5;
    wait
}

/// A client for the mock server (Keystone mocked separately with [`mock_keystone`]).
pub fn client(server: &MockServer) -> InfomaniakVolumeClient {
    InfomaniakVolumeClient::new(config(server)).expect("valid test config")
}

/// A mock server with Keystone mocked ([`mock_keystone`]).
pub fn server() -> MockServer {
    let server = MockServer::start();
    mock_keystone(&server);
    server
}

/// Log capture on, a mock server with Keystone mocked, and a [`client`] for it.
pub fn setup() -> (MockServer, InfomaniakVolumeClient) {
    capture_logs();
    let server = server();
    let client = client(&server);
    (server, client)
}

/// A client for the mock server configured with this Cinder microversion.
pub fn client_at(server: &MockServer, volume_microversion: &str) -> InfomaniakVolumeClient {
    let mut config = config(server);
    config.volume_microversion = volume_microversion.into();
    InfomaniakVolumeClient::new(config).unwrap()
}

/// A client for the mock server configured with this Nova microversion.
pub fn nova_client_at(server: &MockServer, compute_microversion: &str) -> InfomaniakVolumeClient {
    let mut config = config(server);
    config.compute_microversion = compute_microversion.into();
    InfomaniakVolumeClient::new(config).unwrap()
}

/// A client whose endpoint is a closed port on 127.0.0.1: every call fails to connect.
pub fn unreachable_client() -> InfomaniakVolumeClient {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let mut config = Config::application_credential(APP_CRED_ID, APP_CRED_SECRET);
    config.auth_url = format!("http://127.0.0.1:{port}/identity/v3");
    config.retry = RetryPolicy::none();
    config.proxy = ProxySetting::Direct;
    InfomaniakVolumeClient::new(config).expect("valid test config")
}

/// Reads an OpenStack API sample from `tests/fixtures/api-samples/` as JSON.
pub fn sample(path: &str) -> Value {
    let full = format!(
        "{}/tests/fixtures/api-samples/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Every log record of every crate at every level, tagged with the thread that logged it.
static LOGS: Mutex<Vec<(std::thread::ThreadId, log::Level, String)>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        LOGS.lock().unwrap_or_else(|p| p.into_inner()).push((
            std::thread::current().id(),
            record.level(),
            line,
        ));
    }
    fn flush(&self) {}
}

/// Installs the capturing logger (once per test binary) at trace level.
pub fn capture_logs() {
    INSTALL.call_once(|| {
        let _ = log::set_logger(&Capture);
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// The log lines this thread produced so far (tests run on their own threads).
pub fn logs_of_this_thread() -> Vec<(log::Level, String)> {
    let me = std::thread::current().id();
    LOGS.lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|(t, _, _)| *t == me)
        .map(|(_, level, line)| (*level, line.clone()))
        .collect()
}

/// Log lines of this thread at `level`, from this crate only.
pub fn crate_logs(level: log::Level) -> Vec<String> {
    logs_of_this_thread()
        .into_iter()
        .filter(|(l, line)| *l == level && line.contains("infomaniak_block_storage"))
        .map(|(_, line)| line)
        .collect()
}

/// Runs `f` and checks it logged exactly one error line from this crate; returns both.
#[track_caller]
pub fn one_error_line<T>(f: impl FnOnce() -> T) -> (T, String) {
    capture_logs();
    let before = crate_logs(log::Level::Error).len();
    let out = f();
    let after = crate_logs(log::Level::Error);
    assert_eq!(
        after.len(),
        before + 1,
        "expected one error line: {after:#?}"
    );
    (out, after.last().cloned().unwrap_or_default())
}

/// Runs `f` and checks it logged no error line.
#[track_caller]
pub fn no_error_line<T>(f: impl FnOnce() -> T) -> T {
    capture_logs();
    let before = crate_logs(log::Level::Error).len();
    let out = f();
    let after = crate_logs(log::Level::Error);
    assert_eq!(after.len(), before, "unexpected error line: {after:#?}");
    out
}

/// Log lines of this crate at `level` logged by this thread after `before` lines had been seen.
pub fn logs_since(level: log::Level, before: usize) -> Vec<String> {
    crate_logs(level).split_off(before)
}

/// How many lines this thread has logged at `level` so far.
pub fn log_mark(level: log::Level) -> usize {
    crate_logs(level).len()
}

/// Asserts that exactly one line was logged at `level` since `before` and that it contains every
/// needle; returns it.
pub fn one_line_with(level: log::Level, before: usize, needles: &[&str]) -> String {
    let lines = logs_since(level, before);
    assert_eq!(
        lines.len(),
        1,
        "expected exactly one {level} line, got {lines:#?}"
    );
    for needle in needles {
        assert!(
            lines[0].contains(needle),
            "{level} line {:?} lacks {needle:?}",
            lines[0]
        );
    }
    let mut lines = lines;
    lines.remove(0)
}

/// Runs a plain face that must fail: `sentinel` runs it and says whether it returned its
/// failure value (`false`, `None`, an empty list); it must, and exactly one error line must have
/// been logged meanwhile, containing every needle. Returns that line.
#[track_caller]
pub fn plain_face_fails(sentinel: impl FnOnce() -> bool, needles: &[&str]) -> String {
    capture_logs();
    let before = log_mark(log::Level::Error);
    assert!(
        sentinel(),
        "the plain face did not return its failure value: {needles:?}"
    );
    one_line_with(log::Level::Error, before, needles)
}
