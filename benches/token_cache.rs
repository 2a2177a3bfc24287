//! The token cache across processes (`Config::token_cache`, `INFOMANIAK_TOKEN_CACHE`): two
//! processes in a row, each building a client and listing volumes once, against a minimal
//! std-only loopback server whose Keystone answers after 100 ms — the slow call a build script
//! pays in every process. With the cache the second process sends a single request (the
//! listing) and skips Keystone; without it, each process sends two.
//!
//! `cargo bench --bench token_cache` runs 15 rounds and prints medians; under `cargo test
//! --benches` (no `--bench` argument) it runs one round and only checks the request counts.
//! The bench binary re-runs itself as the child process (`--child <auth_url> <cache>`).
//! Everything runs on 127.0.0.1, in a fresh folder under the temp dir.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use infomaniak_block_storage::{
    Config, InfomaniakVolumeClient, ProxySetting, RetryPolicy, TokenCache,
};
use serde_json::json;

const KEYSTONE_DELAY: Duration = Duration::from_millis(100);
const PROJECT: &str = "a6944d763bf64ee6a275f1263fae0352";

// ----- the minimal loopback server -----------------------------------------------------------

struct Server {
    auth_url: String,
    auth_requests: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let token_body = token_body(&base).into_bytes();
        let auth_requests = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (auth, all) = (Arc::clone(&auth_requests), Arc::clone(&requests));
        std::thread::spawn(move || {
            let token_body = Arc::new(token_body);
            for stream in listener.incoming().flatten() {
                let (token_body, auth, all) =
                    (Arc::clone(&token_body), Arc::clone(&auth), Arc::clone(&all));
                std::thread::spawn(move || serve(stream, &token_body, &auth, &all));
            }
        });
        Server {
            auth_url: format!("{base}/identity/v3"),
            auth_requests,
            requests,
        }
    }

    fn counts(&self) -> (usize, usize) {
        (
            self.auth_requests.load(Ordering::SeqCst),
            self.requests.load(Ordering::SeqCst),
        )
    }
}

fn token_body(base: &str) -> String {
    let endpoint = |url: String| json!({"id": "e", "interface": "public", "region": "dc3-a", "region_id": "dc3-a", "url": url});
    json!({"token": {
        "methods": ["application_credential"],
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2026-01-01T00:00:00.000000Z",
        "project": {"id": PROJECT, "name": "PCP-BENCH", "domain": {"id": "default", "name": "Default"}},
        "user": {"id": "u", "name": "bench", "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r", "name": "member"}],
        "catalog": [
            {"type": "identity", "name": "keystone", "id": "k", "endpoints": [endpoint(format!("{base}/identity"))]},
            {"type": "block-storage", "name": "cinderv3", "id": "c", "endpoints": [endpoint(format!("{base}/volume/v3/{PROJECT}"))]},
            {"type": "compute", "name": "nova", "id": "n", "endpoints": [endpoint(format!("{base}/compute/v2.1"))]}
        ]
    }})
    .to_string()
}

/// HTTP/1.1 with keep-alive and `Content-Length` bodies.
fn serve(stream: TcpStream, token_body: &[u8], auth: &AtomicUsize, all: &AtomicUsize) {
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        let mut close = false;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end().to_ascii_lowercase();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            close |= line == "connection: close";
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        all.fetch_add(1, Ordering::SeqCst);
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let (status, extra, reply): (&str, &str, &[u8]) = if method == "POST"
            && path.ends_with("/auth/tokens")
        {
            auth.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(KEYSTONE_DELAY);
            (
                "201 Created",
                "X-Subject-Token: bench-token-0123456789\r\n",
                token_body,
            )
        } else if method == "GET"
            && path.starts_with(&format!("/volume/v3/{PROJECT}/volumes/detail"))
        {
            ("200 OK", "", br#"{"volumes": []}"#)
        } else {
            (
                "404 Not Found",
                "",
                br#"{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}"#,
            )
        };
        let head = format!(
            "HTTP/1.1 {status}\r\n{extra}x-openstack-request-id: req-bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            reply.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(reply).is_err() {
            return;
        }
        if close {
            return;
        }
    }
}

// ----- the child process ---------------------------------------------------------------------

/// Builds a client, lists the volumes once, exits 0 on success.
fn child(auth_url: &str, cache: &str) -> i32 {
    let mut config = Config::application_credential("bench-app-cred-id", "bench-app-cred-secret");
    config.auth_url = auth_url.to_string();
    config.proxy = ProxySetting::Direct;
    config.retry = RetryPolicy::none();
    config.token_cache = match cache {
        "off" => TokenCache::Off,
        dir => TokenCache::Dir(PathBuf::from(dir)),
    };
    let client = InfomaniakVolumeClient::new(config).expect("valid config");
    match client.try_list_volumes() {
        Ok(_) => 0,
        Err(e) => {
            eprintln!("child: {e}");
            1
        }
    }
}

/// One child process: its wall time, and the Keystone and total requests it made.
fn run_child(server: &Server, cache: &str) -> (Duration, usize, usize) {
    let (auth_before, all_before) = server.counts();
    let started = Instant::now();
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--child", &server.auth_url, cache])
        .env_clear()
        .status()
        .expect("spawn the child");
    let elapsed = started.elapsed();
    assert!(status.success(), "child failed: {status}");
    let (auth_after, all_after) = server.counts();
    (elapsed, auth_after - auth_before, all_after - all_before)
}

fn temp_cache(round: usize) -> PathBuf {
    std::env::temp_dir().join(format!(
        "ibs-token-cache-bench-{}-{round}",
        std::process::id()
    ))
}

fn median_ms(times: &mut [Duration]) -> (f64, f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, auth_url, cache] = args.as_slice() {
        if flag == "--child" {
            std::process::exit(child(auth_url, cache));
        }
    }
    let timed = args.iter().any(|a| a == "--bench");
    let rounds = if timed { 15 } else { 1 };
    let server = Server::start();
    let mut ok = true;
    // [first with cache, second with cache, first without, second without]
    let mut times: [Vec<Duration>; 4] = Default::default();
    let mut counts = [(0, 0); 4];
    for round in 0..rounds {
        let dir = temp_cache(round);
        let _ = std::fs::remove_dir_all(&dir);
        let cache = dir.to_str().unwrap().to_string();
        let runs = [
            run_child(&server, &cache),
            run_child(&server, &cache),
            run_child(&server, "off"),
            run_child(&server, "off"),
        ];
        let _ = std::fs::remove_dir_all(Path::new(&dir));
        for (i, (elapsed, auth, all)) in runs.into_iter().enumerate() {
            times[i].push(elapsed);
            if round > 0 && counts[i] != (auth, all) {
                ok = false;
            }
            counts[i] = (auth, all);
        }
    }
    let expected = [(1, 2), (0, 1), (1, 2), (1, 2)];
    ok &= counts == expected;
    println!(
        "token cache: two processes in a row, Keystone delay {} ms, {rounds} round(s)",
        KEYSTONE_DELAY.as_millis()
    );
    let labels = [
        "cache on,  1st process",
        "cache on,  2nd process",
        "cache off, 1st process",
        "cache off, 2nd process",
    ];
    for (i, label) in labels.iter().enumerate() {
        let (median, min, max) = median_ms(&mut times[i]);
        let (auth, all) = counts[i];
        if timed {
            println!(
                "   {label}: {median:7.1} ms median ({min:.1} … {max:.1}), {all} request(s), {auth} to Keystone"
            );
        } else {
            println!("   {label}: {all} request(s), {auth} to Keystone");
        }
    }
    println!(
        "   verdict: the 2nd process with the cache makes a single request: {}",
        if ok { "yes" } else { "NO" }
    );
    if !ok {
        eprintln!("expected (keystone, total) requests per process {expected:?}, got {counts:?}");
        std::process::exit(1);
    }
}
