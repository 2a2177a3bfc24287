//! Benchmarks of `infomaniak-block-storage` against local servers on 127.0.0.1.
//!
//! Plain `std` timing, no nightly, no criterion: `harness = false`.
//!
//! ```text
//! cargo bench --bench client                    # all four benchmarks
//! cargo bench --bench client -- --quick         # fewer repetitions (smoke run)
//! cargo bench --bench client -- per-call reuse  # only some of them
//! ```
//!
//! Benchmarks (see BENCHMARKS.md for the figures and what they mean):
//!
//! * `per-call`: `try_get_volume` through the client versus the same GET made with bare
//!   `ureq` (same agent settings, same headers, same body read and the same `serde_json`
//!   decode into `Volume`), against the minimal server below. A secondary line repeats it
//!   against the `infomaniak-fake-cloud` simulator.
//! * `listing`: `try_list_volumes` over 10,000 volumes in pages of 1,000: wall time and peak
//!   live heap (counting global allocator), versus decoding the very same page bytes with
//!   `serde_json` alone, and versus bare `ureq` + `serde_json`.
//! * `cold-start`: this binary re-run as a subprocess in `--cold-start` mode (process start →
//!   authenticate → list 100 volumes → exit), timed from spawn to exit, beside a `--noop` run
//!   (process start → exit) as the floor.
//! * `reuse`: 100 sequential calls: accepted TCP connections and Keystone requests, on the
//!   minimal server and on the fake cloud.
//!
//! Extra modes used by `benches/compare/run.sh`:
//!
//! * `--serve [--volumes N] [--page-size P]` – run the minimal server; prints
//!   `AUTH_URL=… VOLUME_ID=…` on one line, serves until killed.
//! * `--cold-start <auth_url> [expected]` – authenticate, list volumes, exit (1 if the count
//!   differs from `expected`).
//! * `--per-call <auth_url> <volume_id> [calls] [runs]` – prints one JSON line
//!   `{"per_call_us":[…]}`, one mean per run.
//! * `--noop` – exit at once.
//!
//! The minimal server is std-only: one thread per connection, HTTP/1.1 keep-alive,
//! `TCP_NODELAY`, every reply body serialized once at start-up and written with a single
//! `write_all`. Its cost per request is a few microseconds and the same for both sides of
//! every comparison. It does not check credentials (any application credential gets a token)
//! but does require an `X-Auth-Token` on Cinder requests.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use infomaniak_block_storage::{
    Config, CreateVolumeOptions, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_VOLUME_MICROVERSION, InfomaniakVolumeClient, Link, Volume,
    VolumeStatus,
};
use infomaniak_fake_cloud::FakeCloud;
use serde::Deserialize;
use serde_json::json;

// ----- counting allocator ------------------------------------------------------------------

/// Counts live heap bytes and their high-water mark, process-wide.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(n: usize) {
    LIVE.fetch_sub(n, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as it is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, which is `System`'s.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if p != ptr {
                // Moved: old and new blocks were both live for a moment. Count that.
                grew(new_size);
                shrank(layout.size());
            } else if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Starts a peak measurement: returns the live bytes now and resets the high-water mark.
fn peak_start() -> usize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

fn peak_since(base: usize) -> usize {
    PEAK.load(Ordering::Relaxed).saturating_sub(base)
}

// ----- statistics --------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Stats {
    median: f64,
    min: f64,
    max: f64,
    n: usize,
}

fn stats(samples: &[f64]) -> Stats {
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = s.len();
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    Stats {
        median,
        min: s[0],
        max: s[n - 1],
        n,
    }
}

impl Stats {
    fn show(&self, unit: &str, digits: usize) -> String {
        format!(
            "median {:>9.d$} {unit}  [min {:.d$} … max {:.d$}, spread ±{:.1}%, n={}]",
            self.median,
            self.min,
            self.max,
            (self.max - self.min) / 2.0 / self.median * 100.0,
            self.n,
            d = digits
        )
    }
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ----- the minimal loopback server ---------------------------------------------------------

const PROJECT_ID: &str = "a6944d763bf64ee6a275f1263fae0352";
const REGION: &str = "dc3-a";
const APP_CRED_ID: &str = "bench-app-cred-id";
const APP_CRED_SECRET: &str = "bench-app-cred-secret";

/// Every reply body, serialized once.
struct Replies {
    token: Vec<u8>,
    versions: Vec<u8>,
    version: Vec<u8>,
    /// `{"volume": …}` by id.
    volumes: HashMap<String, Vec<u8>>,
    /// Detailed-list pages, in order; the exact bytes sent.
    pages: Vec<Vec<u8>>,
    /// Page index by the `marker` query value ("" for the first page).
    page_by_marker: HashMap<String, usize>,
}

struct MiniServer {
    addr: SocketAddr,
    replies: Arc<Replies>,
    connections: Arc<AtomicUsize>,
    auth_requests: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    first_volume_id: String,
}

fn volume_json(base: &str, i: usize) -> serde_json::Value {
    let id = format!("{:08x}-1afc-4d19-bfa3-{:012x}", i as u32, i as u64);
    json!({
        "attachments": [],
        "availability_zone": "nova",
        "bootable": "false",
        "consistencygroup_id": null,
        "created_at": "2024-11-29T06:50:07.770785",
        "description": format!("benchmark volume number {i}"),
        "encrypted": false,
        "id": id,
        "links": [
            {"href": format!("{base}/volume/v3/{PROJECT_ID}/volumes/{id}"), "rel": "self"},
            {"href": format!("{base}/volume/{PROJECT_ID}/volumes/{id}"), "rel": "bookmark"}
        ],
        "metadata": {"purpose": "benchmark", "index": i.to_string()},
        "migration_status": null,
        "multiattach": false,
        "name": format!("bench-volume-{i:05}"),
        "os-vol-host-attr:host": null,
        "os-vol-mig-status-attr:migstat": null,
        "os-vol-mig-status-attr:name_id": null,
        "os-vol-tenant-attr:tenant_id": PROJECT_ID,
        "replication_status": null,
        "size": 10 + (i % 90),
        "snapshot_id": null,
        "source_volid": null,
        "status": "available",
        "updated_at": "2024-11-29T06:51:12.123456",
        "user_id": "c853ca26e8ea4797-8a52ee124a013d0e",
        "volume_type": "CEPH_1_perf1",
        "group_id": null,
        "provider_id": null,
        "service_uuid": null,
        "shared_targets": true,
        "cluster_name": null,
        "volume_type_id": "5f1bd2a0-3f6b-4f5c-9d4e-0c7d3f1e6a11",
        "consumes_quota": true
    })
}

fn build_replies(base: &str, n_volumes: usize, page_size: usize) -> (Replies, String) {
    let volume_url = format!("{base}/volume/v3/{PROJECT_ID}");
    let endpoint = |url: &str, iface: &str| json!({"id": format!("ep-{iface}"), "interface": iface, "region": REGION, "region_id": REGION, "url": url});
    let token = json!({"token": {
        "audit_ids": ["3T2dc1CGQxyJsHdDu1xkcw"],
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2024-11-29T00:00:00.000000Z",
        "is_domain": false,
        "methods": ["application_credential"],
        "application_credential": {"id": APP_CRED_ID, "name": "bench", "restricted": true},
        "project": {"domain": {"id": "default", "name": "Default"}, "id": PROJECT_ID, "name": "PCP-BENCH"},
        "roles": [{"id": "51cc68287d524c759f47c811e6463340", "name": "member"}],
        "user": {"domain": {"id": "default", "name": "Default"}, "id": "ee4dfb6e5540447cb3741905149d9b6e", "name": "bench"},
        "catalog": [
            {"type": "identity", "name": "keystone", "id": "s-identity",
             "endpoints": [endpoint(&format!("{base}/identity"), "public")]},
            {"type": "block-storage", "name": "cinderv3", "id": "s-block-storage",
             "endpoints": [endpoint(&volume_url, "public")]},
            {"type": "volumev3", "name": "cinderv3", "id": "s-volumev3",
             "endpoints": [endpoint(&volume_url, "public")]}
        ]
    }});
    let version_entry = json!({
        "id": "v3.0",
        "links": [
            {"href": "https://docs.openstack.org/", "rel": "describedby", "type": "text/html"},
            {"href": format!("{base}/volume/v3/"), "rel": "self"}
        ],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}],
        "min_version": "3.0",
        "status": "CURRENT",
        "updated": "2023-08-31T00:00:00Z",
        "version": "3.71"
    });
    let all: Vec<serde_json::Value> = (0..n_volumes).map(|i| volume_json(base, i)).collect();
    let mut volumes = HashMap::new();
    for v in &all {
        let id = v["id"].as_str().unwrap().to_string();
        volumes.insert(id, serde_json::to_vec(&json!({ "volume": v })).unwrap());
    }
    // Cinder puts a `next` link on every full page, so an exact multiple ends with an empty page.
    let mut pages = Vec::new();
    let mut page_by_marker = HashMap::new();
    let mut marker = String::new();
    let mut start = 0;
    loop {
        let end = (start + page_size).min(n_volumes);
        let items = &all[start..end];
        let full = items.len() == page_size;
        let links = if full {
            let last = items.last().unwrap()["id"].as_str().unwrap();
            vec![
                json!({"href": format!("{volume_url}/volumes/detail?limit={page_size}&marker={last}"), "rel": "next"}),
            ]
        } else {
            vec![]
        };
        page_by_marker.insert(marker.clone(), pages.len());
        pages.push(serde_json::to_vec(&json!({"volumes": items, "volumes_links": links})).unwrap());
        if !full {
            break;
        }
        marker = items.last().unwrap()["id"].as_str().unwrap().to_string();
        start = end;
    }
    let first = all
        .first()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .unwrap_or_default();
    (
        Replies {
            token: serde_json::to_vec(&token).unwrap(),
            versions: serde_json::to_vec(&json!({ "versions": [version_entry.clone()] })).unwrap(),
            version: serde_json::to_vec(&json!({ "version": version_entry })).unwrap(),
            volumes,
            pages,
            page_by_marker,
        },
        first,
    )
}

impl MiniServer {
    fn start(n_volumes: usize, page_size: usize) -> MiniServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let (replies, first_volume_id) =
            build_replies(&format!("http://{addr}"), n_volumes, page_size);
        let replies = Arc::new(replies);
        let connections = Arc::new(AtomicUsize::new(0));
        let auth_requests = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        {
            let (replies, connections, auth_requests, requests) = (
                replies.clone(),
                connections.clone(),
                auth_requests.clone(),
                requests.clone(),
            );
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (replies, auth_requests, requests) =
                        (replies.clone(), auth_requests.clone(), requests.clone());
                    std::thread::spawn(move || {
                        let _ = serve_connection(stream, &replies, &auth_requests, &requests);
                    });
                }
            });
        }
        MiniServer {
            addr,
            replies,
            connections,
            auth_requests,
            requests,
            first_volume_id,
        }
    }

    fn auth_url(&self) -> String {
        format!("http://{}/identity/v3", self.addr)
    }

    fn volume_base(&self) -> String {
        format!("http://{}/volume/v3/{PROJECT_ID}", self.addr)
    }
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn serve_connection(
    stream: TcpStream,
    replies: &Replies,
    auth_requests: &AtomicUsize,
    requests: &AtomicUsize,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut line = String::new();
    let mut out = Vec::with_capacity(4096);
    let log = std::env::var_os("BENCH_SERVER_LOG").is_some();
    let volumes_prefix = format!("/volume/v3/{PROJECT_ID}/volumes");
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut content_length = 0usize;
        let mut close = false;
        let mut has_token = false;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                } else if name.eq_ignore_ascii_case("x-auth-token") {
                    has_token = value.starts_with("tok-");
                }
            }
        }
        if content_length > 0 {
            let mut body = vec![0u8; content_length];
            reader.read_exact(&mut body)?;
        }
        let n = requests.fetch_add(1, Ordering::Relaxed);
        let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
        let not_found: &[u8] = br#"{"itemNotFound": {"code": 404, "message": "not found"}}"#;
        let unauthorized: &[u8] =
            br#"{"error": {"code": 401, "title": "Unauthorized", "message": "no token"}}"#;
        let mut extra = String::new();
        let (status, body): (&str, &[u8]) = if method == "POST" && path.ends_with("/auth/tokens") {
            let t = auth_requests.fetch_add(1, Ordering::SeqCst);
            extra = format!("X-Subject-Token: tok-{t:08}-benchmark-token\r\n");
            ("201 Created", &replies.token)
        } else if method != "GET" {
            ("405 Method Not Allowed", b"{}")
        } else if path == "/volume" || path == "/volume/" || path == "/" {
            ("300 Multiple Choices", &replies.versions)
        } else if path == "/volume/v3" || path == "/volume/v3/" {
            ("200 OK", &replies.version)
        } else if let Some(rest) = path.strip_prefix(volumes_prefix.as_str()) {
            if !has_token {
                ("401 Unauthorized", unauthorized)
            } else if rest == "/detail" || rest.is_empty() || rest == "/" {
                let marker = query_param(query, "marker").unwrap_or("");
                match replies.page_by_marker.get(marker) {
                    Some(&i) => ("200 OK", &replies.pages[i]),
                    None => (
                        "400 Bad Request",
                        br#"{"badRequest": {"code": 400, "message": "marker not found"}}"#,
                    ),
                }
            } else {
                match replies.volumes.get(rest.trim_start_matches('/')) {
                    Some(body) => ("200 OK", body.as_slice()),
                    None => ("404 Not Found", not_found),
                }
            }
        } else {
            ("404 Not Found", not_found)
        };
        if log {
            eprintln!("[server] {method} {target} -> {status}");
        }
        out.clear();
        write!(
            out,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             x-openstack-request-id: req-{n:08x}-0000-4000-8000-000000000000\r\n\
             OpenStack-API-Version: volume 3.67\r\n{extra}\r\n",
            body.len()
        )?;
        out.extend_from_slice(body);
        writer.write_all(&out)?;
        if close {
            return Ok(());
        }
    }
}

// ----- clients -----------------------------------------------------------------------------

/// Application credential accepted by the server at hand.
type Creds = (&'static str, &'static str);
const MINI_CREDS: Creds = (APP_CRED_ID, APP_CRED_SECRET);
const FAKE_CLOUD_CREDS: Creds = (
    FakeCloud::APP_CREDENTIAL_ID,
    FakeCloud::APP_CREDENTIAL_SECRET,
);

fn client_for(auth_url: &str) -> InfomaniakVolumeClient {
    client_with(auth_url, MINI_CREDS)
}

fn client_with(auth_url: &str, creds: Creds) -> InfomaniakVolumeClient {
    InfomaniakVolumeClient::from_credentials(creds.0, creds.1, Some(auth_url), Some(REGION))
        .expect("client")
}

#[derive(Deserialize)]
struct VolumeReply {
    #[allow(dead_code)]
    volume: Volume,
}

#[derive(Deserialize)]
struct VolumePage {
    #[serde(default)]
    volumes: Vec<Volume>,
    #[serde(default)]
    volumes_links: Vec<Link>,
}

/// The same request with bare ureq: the client's agent settings, headers, body cap and decode.
struct Bare {
    agent: ureq::Agent,
    token: String,
    volume_base: String,
    microversion: String,
}

impl Bare {
    fn connect(auth_url: &str, volume_base: &str, creds: Creds) -> Bare {
        let defaults = Config::default();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(ureq::tls::TlsConfig::builder().build())
            .http_status_as_error(false)
            .timeout_connect(Some(DEFAULT_CONNECT_TIMEOUT))
            .timeout_global(Some(DEFAULT_REQUEST_TIMEOUT))
            .user_agent(defaults.user_agent.as_str())
            .max_redirects(0)
            .build()
            .into();
        let body = serde_json::to_vec(&json!({"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": creds.0, "secret": creds.1}
        }}}))
        .unwrap();
        let response = agent
            .post(&format!("{auth_url}/auth/tokens"))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .send(&body[..])
            .expect("auth");
        let token = response
            .headers()
            .get("x-subject-token")
            .expect("X-Subject-Token")
            .to_str()
            .unwrap()
            .to_string();
        let _ = response.into_body().read_to_vec();
        Bare {
            agent,
            token,
            volume_base: volume_base.to_string(),
            microversion: format!("volume {DEFAULT_VOLUME_MICROVERSION}"),
        }
    }

    fn get_bytes(&self, path: &str) -> Vec<u8> {
        let request = ureq::http::Request::builder()
            .method(ureq::http::Method::GET)
            .uri(format!("{}{path}", self.volume_base))
            .header("Accept", "application/json")
            .header("X-Auth-Token", self.token.as_str())
            .header("OpenStack-API-Version", self.microversion.as_str())
            .body(())
            .unwrap();
        let response = self.agent.run(request).expect("GET");
        assert_eq!(response.status().as_u16(), 200);
        response
            .into_body()
            .with_config()
            .limit(DEFAULT_MAX_BODY_BYTES)
            .read_to_vec()
            .expect("body")
    }

    fn get_volume(&self, id: &str) -> Volume {
        let body = self.get_bytes(&format!("/volumes/{id}"));
        serde_json::from_slice::<VolumeReply>(&body)
            .expect("decode")
            .volume
    }

    fn list_volumes(&self) -> Vec<Volume> {
        let mut all = Vec::new();
        let mut query = String::new();
        loop {
            let path = if query.is_empty() {
                "/volumes/detail".to_string()
            } else {
                format!("/volumes/detail?{query}")
            };
            let page: VolumePage = serde_json::from_slice(&self.get_bytes(&path)).expect("page");
            let empty = page.volumes.is_empty();
            let mut items = page.volumes;
            all.append(&mut items);
            match page.volumes_links.iter().find(|l| l.rel == "next") {
                Some(next) if !empty => {
                    query = next
                        .href
                        .split_once('?')
                        .map(|(_, q)| q)
                        .unwrap_or("")
                        .to_string()
                }
                _ => return all,
            }
        }
    }
}

// ----- benchmarks --------------------------------------------------------------------------

struct Settings {
    quick: bool,
}

impl Settings {
    fn pick(&self, full: usize, quick: usize) -> usize {
        if self.quick { quick } else { full }
    }
}

/// Mean time per call in µs over `calls` calls.
fn per_call_us(calls: usize, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..calls {
        f();
    }
    t.elapsed().as_secs_f64() * 1e6 / calls as f64
}

struct PerCall {
    client: Stats,
    bare: Stats,
    paired_diff: Stats,
}

/// Client and bare ureq runs interleaved (ABBA order) so that drift hits both alike.
fn compare_per_call(
    auth_url: &str,
    volume_base: &str,
    creds: Creds,
    volume_id: &str,
    runs: usize,
    calls: usize,
) -> PerCall {
    let client = client_with(auth_url, creds);
    client.try_get_volume(volume_id).expect("client get_volume");
    let bare = Bare::connect(auth_url, volume_base, creds);
    assert_eq!(
        bare.get_volume(volume_id),
        client.try_get_volume(volume_id).unwrap()
    );
    // Warm-up.
    for _ in 0..calls.min(500) {
        client.try_get_volume(volume_id).unwrap();
        bare.get_volume(volume_id);
    }
    let (mut c, mut b, mut d) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let one_client = || {
            per_call_us(calls, || {
                std::hint::black_box(client.try_get_volume(volume_id).unwrap());
            })
        };
        let one_bare = || {
            per_call_us(calls, || {
                std::hint::black_box(bare.get_volume(volume_id));
            })
        };
        let (tc, tb) = if run % 2 == 0 {
            let tc = one_client();
            (tc, one_bare())
        } else {
            let tb = one_bare();
            (one_client(), tb)
        };
        c.push(tc);
        b.push(tb);
        d.push(tc - tb);
    }
    PerCall {
        client: stats(&c),
        bare: stats(&b),
        paired_diff: stats(&d),
    }
}

fn bench_per_call(s: &Settings, verdicts: &mut Vec<String>) {
    let runs = s.pick(15, 5);
    let calls = s.pick(2000, 300);
    println!("\n== 1. Per-call overhead: get_volume, client vs bare ureq ==");
    println!(
        "   {runs} runs x {calls} sequential calls each, keep-alive, after warm-up; per-call mean of each run"
    );
    let server = MiniServer::start(10, 1000);
    let r = compare_per_call(
        &server.auth_url(),
        &server.volume_base(),
        MINI_CREDS,
        &server.first_volume_id,
        runs,
        calls,
    );
    println!("   minimal std server:");
    println!("     client    {}", r.client.show("µs/call", 2));
    println!("     bare ureq {}", r.bare.show("µs/call", 2));
    let raw = raw_floor(&server, runs, calls);
    println!(
        "     raw TcpStream, no HTTP library, no decode (loopback floor) {}",
        raw.show("µs/call", 2)
    );
    let diff = r.client.median - r.bare.median;
    let pct = diff / r.bare.median * 100.0;
    println!(
        "     overhead  {diff:+.2} µs/call ({pct:+.1}%) on medians; paired per-run difference {}",
        r.paired_diff.show("µs", 2)
    );
    let met = pct < 10.0 || diff < 20.0;
    verdicts.push(format!(
        "per-call overhead {diff:+.2} µs ({pct:+.1}%) vs target <10% or <20 µs: {}",
        if met { "MET" } else { "MISSED" }
    ));

    // Same comparison against the fake cloud, whose per-request cost is higher (request log,
    // state lock, JSON built per reply), so the overhead is a smaller share.
    let cloud = FakeCloud::builder()
        .transition_delay(Duration::ZERO)
        .start();
    let setup = client_with(&cloud.auth_url(), FAKE_CLOUD_CREDS);
    let v = setup
        .try_create_volume(1, "bench", &CreateVolumeOptions::default())
        .expect("create on fake cloud");
    let runs_fc = s.pick(7, 3);
    let calls_fc = s.pick(1000, 200);
    let r = compare_per_call(
        &cloud.auth_url(),
        &cloud.block_storage_url(),
        FAKE_CLOUD_CREDS,
        &v.id,
        runs_fc,
        calls_fc,
    );
    println!("   infomaniak-fake-cloud ({runs_fc} runs x {calls_fc} calls):");
    println!("     client    {}", r.client.show("µs/call", 2));
    println!("     bare ureq {}", r.bare.show("µs/call", 2));
    let diff = r.client.median - r.bare.median;
    println!(
        "     overhead  {diff:+.2} µs/call ({:+.1}%) on medians",
        diff / r.bare.median * 100.0
    );
}

/// The same GET written by hand on one keep-alive `TcpStream`: the round trip through the
/// kernel and the server, without any HTTP library or JSON decode.
fn raw_floor(server: &MiniServer, runs: usize, calls: usize) -> Stats {
    let client = client_for(&server.auth_url());
    client.try_get_volume(&server.first_volume_id).unwrap();
    let token = "tok-raw";
    let request = format!(
        "GET /volume/v3/{PROJECT_ID}/volumes/{} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n\
         X-Auth-Token: {token}\r\nOpenStack-API-Version: volume 3.67\r\n\r\n",
        server.first_volume_id, server.addr
    );
    let stream = TcpStream::connect(server.addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut body = Vec::new();
    let mut one = || {
        writer.write_all(request.as_bytes()).unwrap();
        let mut len = 0;
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.trim().parse().unwrap();
            }
        }
        body.resize(len, 0);
        reader.read_exact(&mut body).unwrap();
    };
    for _ in 0..calls.min(500) {
        one();
    }
    let samples: Vec<f64> = (0..runs).map(|_| per_call_us(calls, &mut one)).collect();
    stats(&samples)
}

/// Heap bytes owned by a decoded volume list, computed from the values (cross-check of the
/// allocator's figure): Vec capacity × size_of::<Volume>() + string capacities + attachments
/// + metadata (BTreeMap nodes estimated at one 11-slot leaf per map of up to 11 entries).
fn estimate_decoded_bytes(volumes: &Vec<Volume>) -> usize {
    let s = |x: &String| x.capacity();
    let o = |x: &Option<String>| x.as_ref().map_or(0, |x| x.capacity());
    let leaf = 11 * 2 * std::mem::size_of::<String>() + 16;
    let mut total = volumes.capacity() * std::mem::size_of::<Volume>();
    for v in volumes {
        total += s(&v.id) + status_bytes(&v.status);
        total += [
            &v.name,
            &v.volume_type,
            &v.availability_zone,
            &v.created_at,
            &v.updated_at,
            &v.description,
            &v.snapshot_id,
            &v.source_volid,
            &v.backup_id,
            &v.user_id,
            &v.volume_type_id,
            &v.migration_status,
            &v.replication_status,
        ]
        .into_iter()
        .map(o)
        .sum::<usize>();
        total += v.attachments.capacity()
            * std::mem::size_of::<infomaniak_block_storage::VolumeAttachment>();
        if !v.metadata.is_empty() {
            total += v.metadata.len().div_ceil(11) * leaf;
            total += v.metadata.iter().map(|(k, x)| s(k) + s(x)).sum::<usize>();
        }
        total += map_bytes(&v.extra);
    }
    total
}

/// Heap bytes of a status: only a status the crate does not know owns a string.
fn status_bytes(status: &VolumeStatus) -> usize {
    match status {
        VolumeStatus::Other(text) => text.capacity(),
        _ => 0,
    }
}

/// Heap bytes of the unmodelled fields kept in `extra` (same leaf estimate as metadata).
fn map_bytes(map: &serde_json::Map<String, serde_json::Value>) -> usize {
    if map.is_empty() {
        return 0;
    }
    let leaf = 11 * (std::mem::size_of::<String>() + std::mem::size_of::<serde_json::Value>()) + 16;
    map.len().div_ceil(11) * leaf
        + map
            .iter()
            .map(|(k, v)| k.capacity() + value_bytes(v))
            .sum::<usize>()
}

/// Heap bytes owned by a JSON value (not counting the value itself).
fn value_bytes(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::String(text) => text.capacity(),
        serde_json::Value::Array(items) => {
            items.capacity() * std::mem::size_of::<serde_json::Value>()
                + items.iter().map(value_bytes).sum::<usize>()
        }
        serde_json::Value::Object(map) => map_bytes(map),
        _ => 0,
    }
}

fn bench_listing(s: &Settings, verdicts: &mut Vec<String>) {
    const N: usize = 10_000;
    const PAGE: usize = 1_000;
    let runs = s.pick(9, 3);
    println!("\n== 2. Large listing: list_volumes over {N} volumes, pages of {PAGE} ==");
    let server = MiniServer::start(N, PAGE);
    let bytes: usize = server.replies.pages.iter().map(Vec::len).sum();
    println!(
        "   {} pages, {:.2} MiB of JSON ({} bytes per volume on the wire); {runs} runs each",
        server.replies.pages.len(),
        mib(bytes),
        bytes / N
    );
    let client = client_for(&server.auth_url());
    client.try_get_volume(&server.first_volume_id).unwrap(); // authenticate, connect
    let bare = Bare::connect(&server.auth_url(), &server.volume_base(), MINI_CREDS);
    let pages = server.replies.pages.clone();

    let decode_only = || {
        let mut all: Vec<Volume> = Vec::new();
        for page in &pages {
            let p: VolumePage = serde_json::from_slice(page).unwrap();
            let mut items = p.volumes;
            all.append(&mut items);
            std::hint::black_box(&p.volumes_links);
        }
        all
    };

    // Warm-up, and the size of the decoded data.
    assert_eq!(client.try_list_volumes().unwrap().len(), N);
    assert_eq!(bare.list_volumes().len(), N);
    let before = LIVE.load(Ordering::Relaxed);
    let decoded = decode_only();
    let decoded_bytes = LIVE.load(Ordering::Relaxed) - before;
    let estimate = estimate_decoded_bytes(&decoded);
    assert_eq!(decoded, client.try_list_volumes().unwrap());
    drop(decoded);

    let (mut tc, mut pc, mut tb, mut pb, mut td, mut pd) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let base = peak_start();
        let t = Instant::now();
        let v = client.try_list_volumes().unwrap();
        tc.push(t.elapsed().as_secs_f64() * 1e3);
        pc.push(peak_since(base) as f64);
        assert_eq!(v.len(), N);
        drop(v);

        let base = peak_start();
        let t = Instant::now();
        let v = bare.list_volumes();
        tb.push(t.elapsed().as_secs_f64() * 1e3);
        pb.push(peak_since(base) as f64);
        drop(v);

        let base = peak_start();
        let t = Instant::now();
        let v = decode_only();
        td.push(t.elapsed().as_secs_f64() * 1e3);
        pd.push(peak_since(base) as f64);
        drop(v);
    }
    let (tc, tb, td) = (stats(&tc), stats(&tb), stats(&td));
    let (pc, pb, pd) = (stats(&pc), stats(&pb), stats(&pd));
    println!("   wall time");
    println!("     client list_volumes          {}", tc.show("ms", 2));
    println!("     bare ureq + serde_json       {}", tb.show("ms", 2));
    println!("     serde_json decode alone      {}", td.show("ms", 2));
    println!(
        "   decoded Vec<Volume>: {:.2} MiB live heap (allocator); estimate from the values {:.2} MiB",
        mib(decoded_bytes),
        mib(estimate)
    );
    println!("   peak live heap above the starting point (max over runs)");
    println!(
        "     client list_volumes          {:.2} MiB = {:.2}x decoded",
        mib(pc.max as usize),
        pc.max / decoded_bytes as f64
    );
    println!(
        "     bare ureq + serde_json       {:.2} MiB = {:.2}x decoded",
        mib(pb.max as usize),
        pb.max / decoded_bytes as f64
    );
    println!(
        "     serde_json decode alone      {:.2} MiB = {:.2}x decoded (input bytes not counted: already in memory)",
        mib(pd.max as usize),
        pd.max / decoded_bytes as f64
    );
    let time_ratio = tc.median / td.median;
    let mem_ratio = pc.max / decoded_bytes as f64;
    println!(
        "   client / decode-alone time: {time_ratio:.2}x; client / bare ureq time: {:.2}x",
        tc.median / tb.median
    );
    verdicts.push(format!(
        "listing time {:.1} ms = {time_ratio:.2}x serde_json alone vs target <2x: {}",
        tc.median,
        if time_ratio < 2.0 { "MET" } else { "MISSED" }
    ));
    verdicts.push(format!(
        "listing peak memory {:.1} MiB = {mem_ratio:.2}x decoded data vs target <3x: {}",
        mib(pc.max as usize),
        if mem_ratio < 3.0 { "MET" } else { "MISSED" }
    ));
}

fn time_process(args: &[&str]) -> f64 {
    let exe = std::env::current_exe().unwrap();
    let t = Instant::now();
    let status = Command::new(&exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .expect("spawn");
    let ms = t.elapsed().as_secs_f64() * 1e3;
    assert!(status.success(), "{args:?} failed: {status}");
    ms
}

fn bench_cold_start(s: &Settings, verdicts: &mut Vec<String>) {
    let runs = s.pick(30, 8);
    println!(
        "\n== 3. Cold start: spawn → authenticate → list 100 volumes → exit (whole process) =="
    );
    let server = MiniServer::start(100, 1000);
    let url = server.auth_url();
    let _ = time_process(&["--cold-start", &url, "100"]); // page cache warm-up
    let _ = time_process(&["--noop"]);
    let (mut cold, mut noop) = (vec![], vec![]);
    for _ in 0..runs {
        cold.push(time_process(&["--cold-start", &url, "100"]));
        noop.push(time_process(&["--noop"]));
    }
    let (cold, noop) = (stats(&cold), stats(&noop));
    println!("     auth + list 100 {}", cold.show("ms", 2));
    println!("     --noop (floor)  {}", noop.show("ms", 2));
    println!(
        "     work beyond process start/exit: {:.2} ms (median difference)",
        cold.median - noop.median
    );
    verdicts.push(format!(
        "cold start {:.2} ms median (process floor {:.2} ms); ratio to openstacksdk: see benches/compare/run.sh",
        cold.median, noop.median
    ));
}

fn bench_reuse(verdicts: &mut Vec<String>) {
    println!("\n== 4. Connection reuse: 100 sequential calls ==");
    let server = MiniServer::start(10, 1000);
    let client = client_for(&server.auth_url());
    for _ in 0..100 {
        client.try_get_volume(&server.first_volume_id).unwrap();
    }
    let (conns, auths, reqs) = (
        server.connections.load(Ordering::SeqCst),
        server.auth_requests.load(Ordering::SeqCst),
        server.requests.load(Ordering::SeqCst),
    );
    println!(
        "     minimal server: {reqs} requests, {conns} TCP connection(s), {auths} Keystone request(s)"
    );

    let cloud = FakeCloud::builder()
        .transition_delay(Duration::ZERO)
        .start();
    let client = client_with(&cloud.auth_url(), FAKE_CLOUD_CREDS);
    let v = client
        .try_create_volume(1, "reuse", &CreateVolumeOptions::default())
        .unwrap();
    for _ in 0..99 {
        client.try_get_volume(&v.id).unwrap();
    }
    println!(
        "     fake cloud (1 create + 99 get): {} requests, {} TCP connection(s), {} Keystone request(s)",
        cloud.requests(),
        cloud.connections(),
        cloud.auth_requests()
    );
    let met = conns == 1 && auths == 1 && cloud.connections() == 1 && cloud.auth_requests() == 1;
    verdicts.push(format!(
        "connection reuse: {conns} connection / {auths} auth (minimal server), {} / {} (fake cloud) vs target 1 / 1: {}",
        cloud.connections(),
        cloud.auth_requests(),
        if met { "MET" } else { "MISSED" }
    ));
}

// ----- subprocess modes --------------------------------------------------------------------

fn mode_cold_start(args: &[String]) -> i32 {
    let url = &args[0];
    let expected: Option<usize> = args.get(1).and_then(|n| n.parse().ok());
    let client = client_for(url);
    match client.try_list_volumes() {
        Ok(v) if expected.is_none_or(|n| n == v.len()) => {
            println!("{}", v.len());
            0
        }
        Ok(v) => {
            eprintln!("expected {expected:?} volumes, got {}", v.len());
            1
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn mode_per_call(args: &[String]) -> i32 {
    let url = &args[0];
    let id = &args[1];
    let calls: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(2000);
    let runs: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(10);
    let client = client_for(url);
    for _ in 0..calls.min(200) {
        client.try_get_volume(id).expect("get_volume");
    }
    let samples: Vec<String> = (0..runs)
        .map(|_| {
            per_call_us(calls, || {
                std::hint::black_box(client.try_get_volume(id).unwrap());
            })
        })
        .map(|us| format!("{us:.3}"))
        .collect();
    println!("{{\"per_call_us\":[{}]}}", samples.join(","));
    0
}

fn mode_serve(args: &[String]) -> i32 {
    let mut volumes = 100;
    let mut page = 1000;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--volumes" => volumes = it.next().and_then(|n| n.parse().ok()).unwrap_or(volumes),
            "--page-size" => page = it.next().and_then(|n| n.parse().ok()).unwrap_or(page),
            _ => {}
        }
    }
    let server = MiniServer::start(volumes, page);
    println!(
        "AUTH_URL={} VOLUME_ID={} APP_CRED_ID={APP_CRED_ID} APP_CRED_SECRET={APP_CRED_SECRET} REGION={REGION}",
        server.auth_url(),
        server.first_volume_id
    );
    std::io::stdout().flush().unwrap();
    loop {
        std::thread::park();
    }
}

fn main() {
    // `cargo bench` passes `--bench`; drop it.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let Some(first) = args.first() {
        let rest = &args[1..];
        let code = match first.as_str() {
            "--noop" => Some(0),
            "--cold-start" => Some(mode_cold_start(rest)),
            "--per-call" => Some(mode_per_call(rest)),
            "--serve" => Some(mode_serve(rest)),
            _ => None,
        };
        if let Some(code) = code {
            std::process::exit(code);
        }
    }
    // `cargo test --all-targets` runs this binary without `--bench` (and unoptimized): do only
    // the deterministic connection-reuse check there, no timing.
    if args.is_empty() && !std::env::args().any(|a| a == "--bench") {
        println!("not run by `cargo bench`: connection-reuse check only (no timings)");
        let mut verdicts = Vec::new();
        bench_reuse(&mut verdicts);
        let ok = verdicts.iter().all(|v| v.ends_with("MET"));
        std::process::exit(if ok { 0 } else { 1 });
    }
    let quick = args.iter().any(|a| a == "--quick");
    let selected: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let want = |name: &str| selected.is_empty() || selected.contains(&name);
    let s = Settings { quick };
    let mut verdicts = Vec::new();
    println!(
        "infomaniak-block-storage benchmarks{} (release build, loopback 127.0.0.1)",
        if quick { " --quick" } else { "" }
    );
    if want("per-call") {
        bench_per_call(&s, &mut verdicts);
    }
    if want("listing") {
        bench_listing(&s, &mut verdicts);
    }
    if want("cold-start") {
        bench_cold_start(&s, &mut verdicts);
    }
    if want("reuse") {
        bench_reuse(&mut verdicts);
    }
    println!("\n== Targets ==");
    for v in &verdicts {
        println!("   {v}");
    }
}
