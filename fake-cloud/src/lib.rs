//! # infomaniak-fake-cloud
//!
//! An in-process, simulated **Infomaniak Public Cloud** for tests and examples:
//! OpenStack **Keystone v3** authentication, **Cinder v3** block storage
//! (volumes, snapshots, backups, metadata, user messages, volume transfers,
//! upload to image, quotas, limits, types, availability zones) and **Nova**
//! volume attachments (`os-volume_attachments`, `os-instance-actions`).
//!
//! [`FakeCloud::start`] binds `127.0.0.1` on a free port (never any other
//! interface) and serves HTTP/1.1 from a background thread (one thread per
//! connection, keep-alive, `Content-Length` bodies; chunked request bodies are
//! rejected with 411). Dropping the [`FakeCloud`] stops the server.
//!
//! ## Credentials
//!
//! * application credential: [`FakeCloud::APP_CREDENTIAL_ID`] +
//!   [`FakeCloud::APP_CREDENTIAL_SECRET`] (or [`FakeCloud::APP_CREDENTIAL_NAME`] +
//!   secret + `user{id}`); sending a `scope` together with an application
//!   credential is rejected with 401, like real Keystone.
//! * a second application credential, [`FakeCloud::OTHER_APP_CREDENTIAL_ID`] +
//!   [`FakeCloud::OTHER_APP_CREDENTIAL_SECRET`], scoped to a second project
//!   [`FakeCloud::OTHER_PROJECT_ID`] ([`FakeCloud::OTHER_PROJECT_NAME`]), e.g.
//!   to accept a volume transfer; see [`FakeCloud::other_block_storage_url`].
//! * password: [`FakeCloud::USERNAME`] / [`FakeCloud::PASSWORD`] in domain
//!   [`FakeCloud::USER_DOMAIN`] (`{"name":"Default"}` or `{"id":"default"}`), or
//!   user id [`FakeCloud::USER_ID`]; scope the project by id
//!   ([`FakeCloud::PROJECT_ID`]) or by name ([`FakeCloud::PROJECT_NAME`]) + domain.
//!   Without `scope` the token is scoped to the user's default project, as
//!   Keystone does for users with a default project; a scope naming another
//!   project, a domain or the system → 401.
//! * token: `{"methods":["token"],"token":{"id":"<issued token>"}}` (keeps
//!   the project of the token it is based on).
//!
//! `POST {auth_url}/auth/tokens` answers 201 with the token in `X-Subject-Token`.
//!
//! ## Catalog
//!
//! `{p}` is the token's project ([`FakeCloud::PROJECT_ID`], or
//! [`FakeCloud::OTHER_PROJECT_ID`] for the second credential).
//!
//! | type | name | interface | region | URL |
//! |---|---|---|---|---|
//! | `block-storage` and `volumev3` | `cinderv3` | public | `dc3-a` | `{base}/volume/v3/{p}` |
//! | | | internal | `dc3-a` | `{base}/internal/volume/v3/{p}` |
//! | | | public | `dc4-a` | `{base}/dc4/volume/v3/{p}` |
//! | `compute` | `nova` | public | `dc3-a` | `{base}/compute/v2.1` |
//! | | | internal | `dc3-a` | `{base}/internal/compute/v2.1` |
//! | | | public | `dc4-a` | `{base}/dc4/compute/v2.1` |
//! | `identity` | `keystone` | public, internal | `dc3-a` | `{base}/identity/v3` |
//!
//! All prefixes are served identically from one shared state, so tests can tell
//! which endpoint a client chose by looking at [`FakeCloud::request_log`].
//!
//! ## Rules enforced
//!
//! * every Cinder/Nova request needs a live `X-Auth-Token` (else 401);
//!   [`FakeCloud::expire_all_tokens`] invalidates all issued tokens;
//! * resources belong to the project that created them: the other project
//!   gets 404 for them and does not list them; a Cinder URL naming another
//!   project than the token's → 400 `Malformed request url`;
//! * microversions: Cinder 3.0..=3.71 (`OpenStack-API-Version: volume 3.N`,
//!   echoed back with `Vary`), Nova 2.1..=2.101 (`compute 2.N` or the legacy
//!   `X-OpenStack-Nova-API-Version`), both configurable
//!   ([`FakeCloudBuilder::volume_microversion_range`],
//!   [`FakeCloudBuilder::compute_microversion_range`]); `latest` = the
//!   maximum, no header = the minimum, out of range → 406 `computeFault`
//!   `"Version 3.99 is not supported by the API. Minimum is 3.0 and maximum
//!   is 3.71."`, malformed → 400; the version documents (`GET /volume/`,
//!   `/volume/v3/`, `/compute/`, `/compute/v2.1`) report the range; fields,
//!   parameters and resources appear at the versions genuine services add
//!   them (a resource or method that does not exist yet → 404, a body field
//!   that does not exist yet → 400);
//! * volume types `CEPH_1_perf1` (default), `CEPH_1_perf2` and
//!   `CEPH_1_multiattach` (extra spec `multiattach="<is> True"`; its volumes
//!   have `multiattach: true`), availability zone `nova`;
//! * status machines taking [`FakeCloudBuilder::transition_delay`]
//!   (`creating` → `available`, `deleting` → gone, `extending`, `retyping`,
//!   `reverting`, `backing-up`, `restoring-backup`, `uploading`, `attaching`
//!   → `in-use`, `detaching` → `available` or, for a multiattach volume
//!   still attached elsewhere, `in-use`; `awaiting-transfer` until a transfer
//!   is accepted or deleted);
//! * Nova attach: 200 with the attachment body up to 2.100, 202 without body
//!   from 2.101 (then the volume still reads as before for a third of the
//!   transition delay); a volume attached anywhere → 400 `already attached`
//!   unless it is multiattach and the request is at 2.60 or later (a
//!   multiattach volume below 2.60 → 400 `Multiattach volumes are only
//!   supported starting with compute API version 2.60.`); `tag` from 2.49
//!   and `delete_on_termination` from 2.79 (else 400), shown from 2.70 and
//!   2.79; attach and detach are recorded as `os-instance-actions`;
//! * Cinder preconditions (delete only when available/error and without
//!   snapshots unless `cascade=true`, extend must grow, snapshot `force`
//!   rules by microversion, incremental backups need a parent, a backup's
//!   snapshot must belong to its volume, restore target size, upload of an
//!   `in-use` volume needs `force`, transfer `auth_key`, …), admin-only
//!   actions (`os-force_delete`, `os-reset_status`, `force=true` on delete
//!   from 3.23) → 403;
//! * quotas ([`FakeCloud::set_quota`], per project) → 413 `overLimit` +
//!   `Retry-After: 0`;
//! * Cinder pagination (`limit`, `marker`, `offset`, `sort`, `*_links` only
//!   on full pages, `osapi_max_limit` = [`FakeCloudBuilder::page_size`],
//!   `with_count` from 3.45);
//! * error bodies in Cinder/Nova fault shape (`itemNotFound`, `badRequest`, …)
//!   and Keystone shape (`{"error":{...}}`) on the identity side.
//!
//! ## Fault injection
//!
//! [`FakeCloud::inject_fault`] makes the next N requests matching a method and
//! path prefix fail with a status ([`Fault::Status`], or
//! [`Fault::StatusWithRetryAfter`] for a chosen `Retry-After`), stall
//! ([`Fault::Delay`]), return truncated JSON ([`Fault::MalformedJson`]) or lose
//! the connection ([`Fault::DropConnection`]).
//!
//! Backend failures are simulated too: [`FakeCloud::fail_next`] makes the
//! next create/extend/snapshot/backup/restore/upload ([`Operation`]) end in
//! an error status with a Cinder user message (`GET /messages`, 3.3);
//! [`FakeCloud::fail_next_attach`] makes the next attach of a volume roll
//! back to `available` with an `Error` instance action, like genuine Nova
//! (or, with [`FakeCloud::fail_next_attach_with_error_state`], end in
//! `error_attaching`).
//!
//! Counters ([`FakeCloud::requests`], [`FakeCloud::auth_requests`],
//! [`FakeCloud::connections`]) and the full [`FakeCloud::request_log`] let
//! tests assert on what a client sent.
//!
//! ## Example
//!
//! ```
//! use std::io::{Read, Write};
//! use infomaniak_fake_cloud::FakeCloud;
//!
//! let cloud = FakeCloud::start();
//! let body = format!(
//!     r#"{{"auth":{{"identity":{{"methods":["application_credential"],
//!        "application_credential":{{"id":"{}","secret":"{}"}}}}}}}}"#,
//!     FakeCloud::APP_CREDENTIAL_ID,
//!     FakeCloud::APP_CREDENTIAL_SECRET
//! );
//! let addr = cloud.base_url().trim_start_matches("http://").to_string();
//! let mut s = std::net::TcpStream::connect(&addr).unwrap();
//! write!(
//!     s,
//!     "POST /identity/v3/auth/tokens HTTP/1.1\r\nHost: {addr}\r\n\
//!      Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
//!     body.len()
//! )
//! .unwrap();
//! let mut reply = String::new();
//! s.read_to_string(&mut reply).unwrap();
//! assert!(reply.starts_with("HTTP/1.1 201"));
//! assert!(reply.to_ascii_lowercase().contains("x-subject-token: "));
//! assert_eq!(cloud.auth_requests(), 1);
//! ```
#![deny(missing_docs)]

mod cinder;
mod faults;
mod http;
mod keystone;
mod microversion;
mod nova;
mod operation;
mod state;
mod util;

use std::fmt;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::http::{Request, Response};
use crate::state::State;
use crate::util::Rng;

pub use crate::operation::Operation;

/// A fault to inject into upcoming requests, see [`FakeCloud::inject_fault`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status and a fault body of the matching root key
    /// (`computeFault` for 500/502/504, `serviceUnavailable` for 503,
    /// `overLimit` for 413/429, …; Keystone's `{"error":{..}}` shape on
    /// `/identity`). 413 and 429 carry `Retry-After: 0` (header, and
    /// `retryAfter` in the body). No state changes.
    Status(u16),
    /// Like [`Fault::Status`], with `Retry-After: <seconds>` (header, and
    /// `retryAfter` in a 413/429 `overLimit` body). The header is sent
    /// whatever the status, e.g. for a 503 during maintenance.
    StatusWithRetryAfter(u16, u64),
    /// Sleep this long before handling the request normally (lets a client
    /// timeout fire).
    Delay(Duration),
    /// Answer 200 with a truncated JSON body (`{"volumes": [`).
    MalformedJson,
    /// Close the socket without answering.
    DropConnection,
}

/// One request as received by the fake cloud, see [`FakeCloud::request_log`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `"GET"`.
    pub method: String,
    /// Request path without the query string (not percent-decoded).
    pub path: String,
    /// Raw query string without the leading `?` (empty when absent).
    pub query: String,
    /// Headers in arrival order; names are lower-cased.
    pub headers: Vec<(String, String)>,
    /// Raw request body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// First value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as (lossy) UTF-8 text.
    pub fn body_string(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Configuration shared by all connection threads.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) page_size: usize,
    pub(crate) token_lifetime: Duration,
    pub(crate) transition_delay: Duration,
    pub(crate) volume_versions: microversion::Range,
    pub(crate) compute_versions: microversion::Range,
}

#[derive(Debug)]
struct FaultRule {
    method: String,
    prefix: String,
    remaining: usize,
    fault: Fault,
}

/// State shared between the handle and the server threads.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) stop: AtomicBool,
    pub(crate) base_url: String,
    pub(crate) config: Config,
    pub(crate) rng: Rng,
    pub(crate) state: Mutex<State>,
    requests: AtomicUsize,
    auth_requests: AtomicUsize,
    connections: AtomicUsize,
    log: Mutex<Vec<RecordedRequest>>,
    faults: Mutex<Vec<FaultRule>>,
}

/// Locks a mutex, recovering from poisoning.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Locks the cloud state and applies due status transitions.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        let mut st = lock(&self.state);
        st.tick(Instant::now());
        st
    }

    fn take_fault(&self, method: &str, path: &str) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let idx = faults.iter().position(|r| {
            r.remaining > 0
                && (r.method == "*" || r.method.eq_ignore_ascii_case(method))
                && path.starts_with(&r.prefix)
        })?;
        let rule = &mut faults[idx];
        rule.remaining -= 1;
        let fault = rule.fault.clone();
        if rule.remaining == 0 {
            faults.remove(idx);
        }
        Some(fault)
    }
}

/// The builder for a [`FakeCloud`]; obtain it with [`FakeCloud::builder`].
#[derive(Debug, Clone)]
pub struct FakeCloudBuilder {
    config: Config,
}

impl Default for FakeCloudBuilder {
    fn default() -> Self {
        FakeCloudBuilder {
            config: Config {
                page_size: 1000,
                token_lifetime: Duration::from_secs(3600),
                transition_delay: Duration::from_millis(300),
                volume_versions: microversion::Range {
                    major: 3,
                    min: 0,
                    max: 71,
                },
                compute_versions: microversion::Range {
                    major: 2,
                    min: 1,
                    max: 101,
                },
            },
        }
    }
}

impl FakeCloudBuilder {
    /// Cinder's `osapi_max_limit`: the largest page a list returns (default 1000;
    /// 0 is treated as 1).
    pub fn page_size(mut self, n: usize) -> Self {
        self.config.page_size = n.max(1);
        self
    }

    /// How long issued tokens stay valid (default one hour).
    pub fn token_lifetime(mut self, d: Duration) -> Self {
        self.config.token_lifetime = d;
        self
    }

    /// How long a status transition (`creating` → `available`, …) takes
    /// (default 300 ms; [`Duration::ZERO`] = completes by the next read).
    pub fn transition_delay(mut self, d: Duration) -> Self {
        self.config.transition_delay = d;
        self
    }

    /// The Cinder microversions served, e.g. `("3.0", "3.60")` for an older
    /// cloud or `("3.0", "3.0")` for one without microversions (default
    /// `3.0`–`3.71`, genuine Cinder 2024.1 and later). Requests outside the
    /// range get 406 `computeFault` `"Version 3.N is not supported by the
    /// API. Minimum is <min> and maximum is <max>."`, `latest` means `max`,
    /// and the version documents (`GET /volume/`, `GET /volume/v3/`) report
    /// the range.
    ///
    /// # Panics
    ///
    /// Panics unless both are `3.N` and `min <= max`.
    pub fn volume_microversion_range(mut self, min: &str, max: &str) -> Self {
        self.config.volume_versions = parse_range(3, min, max);
        self
    }

    /// The compute microversions served (default `2.1`–`2.101`), e.g.
    /// `("2.1", "2.88")`; same rules as
    /// [`volume_microversion_range`](Self::volume_microversion_range).
    ///
    /// # Panics
    ///
    /// Panics unless both are `2.N` and `min <= max`.
    pub fn compute_microversion_range(mut self, min: &str, max: &str) -> Self {
        self.config.compute_versions = parse_range(2, min, max);
        self
    }

    /// Binds `127.0.0.1:0` and starts serving.
    ///
    /// # Panics
    ///
    /// Panics if no loopback port can be bound or the thread cannot be spawned
    /// (a broken test environment, not bad input).
    pub fn start(self) -> FakeCloud {
        let listener =
            TcpListener::bind("127.0.0.1:0").expect("fake cloud: cannot bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("fake cloud: listener has no local address");
        let base_url = format!("http://127.0.0.1:{}", addr.port());
        let rng = Rng::new();
        let state = State::new(&rng);
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            base_url,
            config: self.config,
            rng,
            state: Mutex::new(state),
            requests: AtomicUsize::new(0),
            auth_requests: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name(format!("fake-cloud-accept-{}", addr.port()))
            .spawn(move || accept_loop(accept_shared, listener))
            .expect("fake cloud: cannot spawn accept thread");
        FakeCloud {
            shared,
            addr,
            accept_thread: Some(handle),
        }
    }
}

fn parse_range(major: u32, min: &str, max: &str) -> microversion::Range {
    let minor = |v: &str| match microversion::parse(v) {
        Some((m, n)) if m == major => n,
        _ => panic!("fake cloud: microversion {v:?} is not of the form {major}.N"),
    };
    let (min, max) = (minor(min), minor(max));
    assert!(
        min <= max,
        "fake cloud: microversion range {major}.{min}..{major}.{max} is empty"
    );
    microversion::Range { major, min, max }
}

fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
        };
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let conn_shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("fake-cloud-conn".into())
            .spawn(move || http::serve_connection(conn_shared, stream));
        if spawned.is_err() {
            // Out of threads: the stream was moved into the failed closure and is dropped.
            continue;
        }
    }
}

/// A running simulated Infomaniak Public Cloud on `127.0.0.1`.
///
/// Stops serving (the accept thread exits and the port is released) when
/// dropped; open keep-alive connections are closed within ~100 ms.
pub struct FakeCloud {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept_thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for FakeCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeCloud")
            .field("base_url", &self.shared.base_url)
            .field("config", &self.shared.config)
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

impl Drop for FakeCloud {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the thread sees the stop flag.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if let Some(h) = self.accept_thread.take() {
            if woke {
                let _ = h.join();
            }
        }
    }
}

impl FakeCloud {
    /// Application credential id accepted by Keystone.
    pub const APP_CREDENTIAL_ID: &'static str = "fake-app-cred-id";
    /// Secret of the application credential.
    pub const APP_CREDENTIAL_SECRET: &'static str = "fake-app-cred-secret";
    /// Name of the application credential (usable with `user{id}` + secret).
    pub const APP_CREDENTIAL_NAME: &'static str = "fake-app-cred";
    /// User name for password authentication.
    pub const USERNAME: &'static str = "fake-user";
    /// Password for password authentication.
    pub const PASSWORD: &'static str = "fake-password";
    /// User id (password auth by id, app-credential by name).
    pub const USER_ID: &'static str = "f4a4e2a1b0c34d6e8f9a0b1c2d3e4f50";
    /// The user's domain name (its id is `"default"`).
    pub const USER_DOMAIN: &'static str = "Default";
    /// The project id (also in the block-storage URL).
    pub const PROJECT_ID: &'static str = "0f1e2d3c4b5a49687766554433221100";
    /// The project name.
    pub const PROJECT_NAME: &'static str = "PCP-FAKE01";
    /// The default region.
    pub const REGION: &'static str = "dc3-a";
    /// The second region present in the catalog.
    pub const SECOND_REGION: &'static str = "dc4-a";
    /// Id of a second application credential, of the same user, scoped to
    /// [`FakeCloud::OTHER_PROJECT_ID`] (e.g. to accept a volume transfer in
    /// another project). Its token's catalog points at URLs carrying that
    /// project id.
    pub const OTHER_APP_CREDENTIAL_ID: &'static str = "fake-other-app-cred-id";
    /// Secret of [`FakeCloud::OTHER_APP_CREDENTIAL_ID`].
    pub const OTHER_APP_CREDENTIAL_SECRET: &'static str = "fake-other-app-cred-secret";
    /// The second project's id (in its block-storage URLs).
    pub const OTHER_PROJECT_ID: &'static str = "a0b1c2d3e4f5461788990011aabbccdd";
    /// The second project's name.
    pub const OTHER_PROJECT_NAME: &'static str = "PCP-FAKE02";

    /// Starts a cloud with default settings (`FakeCloud::builder().start()`).
    pub fn start() -> FakeCloud {
        FakeCloud::builder().start()
    }

    /// A builder to tune page size, token lifetime, transition delay and the
    /// microversion ranges.
    pub fn builder() -> FakeCloudBuilder {
        FakeCloudBuilder::default()
    }

    /// Keystone URL: `http://127.0.0.1:PORT/identity/v3`.
    pub fn auth_url(&self) -> String {
        format!("{}/identity/v3", self.shared.base_url)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The TCP port the cloud listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Public block-storage endpoint of region `dc3-a`:
    /// `http://127.0.0.1:PORT/volume/v3/<PROJECT_ID>`.
    pub fn block_storage_url(&self) -> String {
        format!("{}/volume/v3/{}", self.shared.base_url, Self::PROJECT_ID)
    }

    /// Public block-storage endpoint of region `dc3-a` for the second project:
    /// `http://127.0.0.1:PORT/volume/v3/<OTHER_PROJECT_ID>` (needs a token of
    /// [`FakeCloud::OTHER_APP_CREDENTIAL_ID`]).
    pub fn other_block_storage_url(&self) -> String {
        format!(
            "{}/volume/v3/{}",
            self.shared.base_url,
            Self::OTHER_PROJECT_ID
        )
    }

    /// Public compute endpoint of region `dc3-a`: `http://127.0.0.1:PORT/compute/v2.1`.
    pub fn compute_url(&self) -> String {
        format!("{}/compute/v2.1", self.shared.base_url)
    }

    /// Id of the pre-created `ACTIVE` server.
    pub fn server_id(&self) -> String {
        lock(&self.shared.state)
            .servers
            .first()
            .map(|s| s.id.clone())
            .unwrap_or_default()
    }

    /// Creates another `ACTIVE` server and returns its id.
    pub fn add_server(&self, name: &str) -> String {
        let mut st = lock(&self.shared.state);
        st.add_server(name)
    }

    /// Number of `POST …/auth/tokens` requests received.
    pub fn auth_requests(&self) -> usize {
        self.shared.auth_requests.load(Ordering::SeqCst)
    }

    /// Number of HTTP requests received (including authentication).
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Number of TCP connections accepted.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Number of logged requests with this method (`"*"` = any) whose path
    /// (without query) starts with `path_prefix`.
    pub fn requests_matching(&self, method: &str, path_prefix: &str) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|r| {
                (method == "*" || r.method.eq_ignore_ascii_case(method))
                    && r.path.starts_with(path_prefix)
            })
            .count()
    }

    /// Every request received so far, oldest first.
    pub fn request_log(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Makes the next `times` requests matching `method` (`"*"` = any) and
    /// `path_prefix` (matched against the path without query) suffer `fault`.
    /// Faults are checked before authentication and state handling; rules are
    /// consulted in the order they were injected.
    pub fn inject_fault(&self, method: &str, path_prefix: &str, times: usize, fault: Fault) {
        if times == 0 {
            return;
        }
        lock(&self.shared.faults).push(FaultRule {
            method: method.to_string(),
            prefix: path_prefix.to_string(),
            remaining: times,
            fault,
        });
    }

    /// Removes all pending injected faults.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Invalidates every token issued so far: they now answer 401.
    pub fn expire_all_tokens(&self) {
        lock(&self.shared.state).expire_all_tokens();
    }

    /// Sets the quota for the number of volumes and total gigabytes (`None` =
    /// unlimited, the default); it applies to each project separately.
    /// Creating, extending, restoring into a new volume or accepting a
    /// transfer beyond it → 413 `overLimit` with `Retry-After: 0`.
    pub fn set_quota(&self, volumes: Option<u64>, gigabytes: Option<u64>) {
        let mut st = lock(&self.shared.state);
        st.quota_volumes = volumes;
        st.quota_gigabytes = gigabytes;
    }

    /// Current status of a volume (after applying due transitions), or `None`
    /// if it does not exist.
    pub fn volume_status(&self, id: &str) -> Option<String> {
        self.shared.state().volume(id).map(|v| v.status.clone())
    }

    /// Forces a volume into `status` (e.g. `"error"`), cancelling any pending
    /// transition. Does nothing if the volume does not exist.
    pub fn force_volume_status(&self, id: &str, status: &str) {
        let mut st = self.shared.state();
        if let Some(v) = st.volume_mut(id) {
            v.status = status.to_string();
            v.pending = None;
        }
    }

    /// Ids of all existing volumes, oldest first.
    pub fn volume_ids(&self) -> Vec<String> {
        self.shared
            .state()
            .volumes
            .iter()
            .map(|v| v.id.clone())
            .collect()
    }

    /// Current status of a snapshot, or `None` if it does not exist.
    pub fn snapshot_status(&self, id: &str) -> Option<String> {
        self.shared
            .state()
            .snapshots
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.status.clone())
    }

    /// Current status of a backup, or `None` if it does not exist.
    pub fn backup_status(&self, id: &str) -> Option<String> {
        self.shared
            .state()
            .backups
            .iter()
            .find(|b| b.id == id)
            .map(|b| b.status.clone())
    }

    /// The project a volume belongs to ([`FakeCloud::PROJECT_ID`] unless it
    /// was transferred), or `None` if it does not exist.
    pub fn volume_project(&self, id: &str) -> Option<String> {
        self.shared.state().volume(id).map(|v| v.project_id.clone())
    }

    /// Makes the next `op` (in any project) fail the way a backend failure
    /// does: the request is accepted as usual, then after the transition
    /// delay the resource ends in an error status (see [`Operation`] for
    /// which) and a Cinder user message (`GET /messages`, 3.3) with
    /// `user_message` `"<action>: <reason>"` is posted for it. An empty
    /// `reason` uses Cinder's default detail for the operation, e.g.
    /// `"schedule allocate volume: Could not find any available weighted
    /// backend."` (event id `VOLUME_VOLUME_001_003`). Calls queue up: two
    /// calls fail the next two such operations.
    pub fn fail_next(&self, op: Operation, reason: &str) {
        lock(&self.shared.state)
            .failures
            .push((op, reason.to_string()));
    }

    /// Makes the next Nova attach of volume `volume_id` fail on the compute
    /// host, as genuine Nova does when the backend refuses the connection:
    /// the attach call itself succeeds (200, or 202 from 2.101), the volume
    /// goes `reserved` → `attaching` → back to `available` (or `in-use` when
    /// other attachments remain) with no attachment for that server — never
    /// `error_attaching` — and the server's `os-instance-actions` get an
    /// `attach_volume` action with `message: "Error"` whose
    /// `compute_attach_volume` event has `result: "Error"` and (2.84)
    /// `details: reason`.
    pub fn fail_next_attach(&self, volume_id: &str, reason: &str) {
        lock(&self.shared.state).attach_failures.push((
            volume_id.to_string(),
            reason.to_string(),
            false,
        ));
    }

    /// Like [`FakeCloud::fail_next_attach`], but the volume ends in
    /// `error_attaching` (what older clouds did) and a Cinder user message
    /// (`attach volume: <reason>`, event `VOLUME_VOLUME_002_001`) is posted.
    pub fn fail_next_attach_with_error_state(&self, volume_id: &str, reason: &str) {
        lock(&self.shared.state).attach_failures.push((
            volume_id.to_string(),
            reason.to_string(),
            true,
        ));
    }
}

/// Entry point for every parsed request (called from connection threads).
pub(crate) fn handle(shared: &Shared, mut req: Request) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    if req.method.eq_ignore_ascii_case("POST")
        && req.path.trim_end_matches('/').ends_with("/auth/tokens")
    {
        shared.auth_requests.fetch_add(1, Ordering::SeqCst);
    }
    lock(&shared.log).push(RecordedRequest {
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        headers: req.headers.clone(),
        body: req.body.clone(),
    });
    let request_id = shared.rng.request_id();
    req.request_id = request_id.clone();
    let mut resp = match shared.take_fault(&req.method, &req.path) {
        Some(Fault::DropConnection) => {
            let mut r = Response::empty(0);
            r.drop_connection = true;
            return r;
        }
        Some(Fault::MalformedJson) => {
            let mut r = Response::empty(200);
            r.headers
                .push(("Content-Type".into(), "application/json".into()));
            r.body = b"{\"volumes\": [".to_vec();
            r
        }
        Some(Fault::Status(s)) => injected_status(&req, s, 0),
        Some(Fault::StatusWithRetryAfter(s, secs)) => injected_status(&req, s, secs),
        Some(Fault::Delay(d)) => {
            std::thread::sleep(d);
            route(shared, &req)
        }
        None => route(shared, &req),
    };
    if !resp.has_header("x-openstack-request-id") {
        resp.headers
            .push(("x-openstack-request-id".into(), request_id.clone()));
    }
    // Genuine Cinder sends both headers too, with the same id.
    if (req.path.contains("/compute/") || req.path.contains("/volume/"))
        && !resp.has_header("x-compute-request-id")
    {
        resp.headers
            .push(("x-compute-request-id".into(), request_id));
    }
    resp
}

fn injected_status(req: &Request, status: u16, retry_after: u64) -> Response {
    let r = if req.path.starts_with("/identity") {
        faults::keystone_error(status, "Injected fault.")
    } else {
        faults::fault_retry_after(
            status,
            &format!("Injected fault: HTTP {status}."),
            retry_after,
        )
    };
    if r.has_header("retry-after") || (retry_after == 0 && status != 413 && status != 429) {
        r
    } else {
        r.with_header("Retry-After", retry_after.to_string())
    }
}

/// Splits a path into percent-decoded, non-empty segments.
pub(crate) fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| util::percent_decode(s, false))
        .collect()
}

fn route(shared: &Shared, req: &Request) -> Response {
    let segs = segments(&req.path);
    let s: Vec<&str> = segs.iter().map(|x| x.as_str()).collect();
    // Optional endpoint-flavour prefix ("internal" interface or second region).
    let (prefix, rest): (&str, &[&str]) = match s.first() {
        Some(&"internal") => ("/internal", &s[1..]),
        Some(&"dc4") => ("/dc4", &s[1..]),
        _ => ("", &s[..]),
    };
    match rest.first() {
        Some(&"identity") if prefix.is_empty() => keystone::route(shared, req, &rest[1..]),
        Some(&"volume") => {
            let base = format!("{}{}/volume", shared.base_url, prefix);
            cinder::route(shared, req, &base, &rest[1..])
        }
        Some(&"compute") => {
            let base = format!("{}{}/compute", shared.base_url, prefix);
            nova::route(shared, req, &base, &rest[1..])
        }
        _ => faults::no_such_resource(),
    }
}
