//! Throughput of one client shared by 1, 2, 4 and 8 threads, against a minimal loopback server
//! and against the `infomaniak-fake-cloud` simulator. Plain `std` timing, `harness = false`.
//!
//! ```text
//! cargo bench --bench threads              # full run
//! cargo bench --bench threads -- --quick   # fewer calls and runs (smoke run)
//! ```
//!
//! Each configuration shares one `InfomaniakVolumeClient` (behind an `Arc`) between `T`
//! threads that together make a fixed number of `try_get_volume` calls; a run's throughput is
//! calls / wall time, from the moment all threads are released to the moment the last one
//! ends. Reported: the median of the runs and their min … max, and the TCP connections the
//! server accepted from that client, warm-up included (the pool keeps up to
//! `max_idle_connections_per_host`, 16 by default, so 8 threads should open 8).
//!
//! The minimal server is std-only, like the one in `benches/client.rs`: one thread per
//! connection, HTTP/1.1 keep-alive, `TCP_NODELAY`, every reply serialized once at start-up.
//!
//! Without `--bench` (as `cargo test --all-targets` runs it, unoptimized) it only checks, with
//! no timing, that 8 threads on one client open at most 16 connections to each server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use infomaniak_block_storage::{
    CreateVolumeOptions, InfomaniakVolumeClient, ProxySetting, VolumeStatus,
};
use infomaniak_fake_cloud::FakeCloud;
use serde_json::json;

const THREADS: [usize; 4] = [1, 2, 4, 8];

// ----- the minimal loopback server -------------------------------------------------------

const PROJECT_ID: &str = "a6944d763bf64ee6a275f1263fae0352";
const VOLUME_ID: &str = "3c1e7d2a-1afc-4d19-bfa3-000000000001";
const APP_CRED_ID: &str = "bench-app-cred-id";
const APP_CRED_SECRET: &str = "bench-app-cred-secret";

struct MiniServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

fn replies(base: &str) -> (Vec<u8>, Vec<u8>) {
    let volume_url = format!("{base}/volume/v3/{PROJECT_ID}");
    let endpoint = json!({"id": "ep", "interface": "public", "region": "dc3-a",
                          "region_id": "dc3-a", "url": volume_url});
    let token = json!({"token": {
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2024-11-29T00:00:00.000000Z",
        "methods": ["application_credential"],
        "project": {"domain": {"id": "default", "name": "Default"}, "id": PROJECT_ID, "name": "PCP-BENCH"},
        "user": {"domain": {"id": "default", "name": "Default"}, "id": "u", "name": "bench"},
        "catalog": [{"type": "block-storage", "name": "cinderv3", "id": "s", "endpoints": [endpoint]}]
    }});
    // The full Cinder 3.67 shape, about 1.2 kB of JSON.
    let volume = json!({"volume": {
        "attachments": [], "availability_zone": "nova", "bootable": "false",
        "consistencygroup_id": null, "created_at": "2024-11-29T06:50:07.770785",
        "description": "benchmark volume", "encrypted": false, "id": VOLUME_ID,
        "links": [
            {"href": format!("{volume_url}/volumes/{VOLUME_ID}"), "rel": "self"},
            {"href": format!("{base}/volume/{PROJECT_ID}/volumes/{VOLUME_ID}"), "rel": "bookmark"}],
        "metadata": {"purpose": "benchmark"}, "migration_status": null, "multiattach": false,
        "name": "bench-volume", "os-vol-host-attr:host": null,
        "os-vol-mig-status-attr:migstat": null, "os-vol-mig-status-attr:name_id": null,
        "os-vol-tenant-attr:tenant_id": PROJECT_ID, "replication_status": null, "size": 10,
        "snapshot_id": null, "source_volid": null, "status": "available",
        "updated_at": "2024-11-29T06:51:12.123456", "user_id": "c853ca26e8ea47978a52ee124a013d0e",
        "volume_type": "CEPH_1_perf1", "group_id": null, "provider_id": null,
        "service_uuid": null, "shared_targets": true, "cluster_name": null,
        "volume_type_id": "5f1bd2a0-3f6b-4f5c-9d4e-0c7d3f1e6a11", "consumes_quota": true
    }});
    (
        serde_json::to_vec(&token).unwrap(),
        serde_json::to_vec(&volume).unwrap(),
    )
}

impl MiniServer {
    fn start() -> MiniServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let (token, volume) = replies(&format!("http://{addr}"));
        let bodies = Arc::new((token, volume));
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                let bodies = Arc::clone(&bodies);
                thread::spawn(move || {
                    let _ = serve(stream, &bodies.0, &bodies.1);
                });
            }
        });
        MiniServer { addr, connections }
    }

    fn auth_url(&self) -> String {
        format!("http://{}/identity/v3", self.addr)
    }
}

fn serve(stream: TcpStream, token: &[u8], volume: &[u8]) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut line = String::new();
    let mut out = Vec::with_capacity(4096);
    let volume_path = format!("/volume/v3/{PROJECT_ID}/volumes/{VOLUME_ID}");
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut content_length = 0usize;
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
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        if content_length > 0 {
            let mut body = vec![0u8; content_length];
            reader.read_exact(&mut body)?;
        }
        let (status, extra, body): (&str, &str, &[u8]) =
            if method == "POST" && target.ends_with("/auth/tokens") {
                (
                    "201 Created",
                    "X-Subject-Token: tok-benchmark-threads\r\n",
                    token,
                )
            } else if method == "GET" && target == volume_path {
                ("200 OK", "", volume)
            } else {
                (
                    "404 Not Found",
                    "",
                    br#"{"itemNotFound": {"code": 404, "message": "no"}}"#,
                )
            };
        out.clear();
        write!(
            out,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             x-openstack-request-id: req-00000000-0000-4000-8000-000000000000\r\n{extra}\r\n",
            body.len()
        )?;
        out.extend_from_slice(body);
        writer.write_all(&out)?;
    }
}

// ----- measuring -------------------------------------------------------------------------

fn client(auth_url: &str, id: &str, secret: &str) -> InfomaniakVolumeClient {
    let mut config = infomaniak_block_storage::Config::application_credential(id, secret);
    config.auth_url = auth_url.to_string();
    config.proxy = ProxySetting::Direct;
    InfomaniakVolumeClient::new(config).expect("client")
}

/// `threads` threads share `client` and make `total` calls between them; returns calls/s.
fn run(client: &Arc<InfomaniakVolumeClient>, volume_id: &str, threads: usize, total: usize) -> f64 {
    let per_thread = total / threads;
    let start = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (client, start, id) = (
                Arc::clone(client),
                Arc::clone(&start),
                volume_id.to_string(),
            );
            thread::spawn(move || {
                start.wait();
                for _ in 0..per_thread {
                    client.try_get_volume(&id).expect("get_volume");
                }
            })
        })
        .collect();
    start.wait();
    let t = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    (per_thread * threads) as f64 / t.elapsed().as_secs_f64()
}

struct Row {
    threads: usize,
    median: f64,
    min: f64,
    max: f64,
    connections: usize,
}

/// One configuration per thread count, each on a fresh client; `connections` reads the
/// server's accepted-connection counter.
fn measure(
    name: &str,
    make_client: &dyn Fn() -> InfomaniakVolumeClient,
    volume_id: &str,
    connections: &dyn Fn() -> usize,
    total: usize,
    runs: usize,
) -> Vec<Row> {
    println!("\n== {name}: {total} get_volume calls per run, {runs} runs ==");
    println!("   threads   calls/s median   (min … max)            TCP connections   vs 1 thread");
    let mut rows: Vec<Row> = Vec::new();
    for threads in THREADS {
        let before = connections();
        let client = Arc::new(make_client());
        // Warm-up: authenticate, and let every thread open its connection.
        run(&client, volume_id, threads, threads * 50);
        let mut samples: Vec<f64> = (0..runs)
            .map(|_| run(&client, volume_id, threads, total))
            .collect();
        let opened = connections() - before;
        samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let median = samples[samples.len() / 2];
        let row = Row {
            threads,
            median,
            min: samples[0],
            max: samples[samples.len() - 1],
            connections: opened,
        };
        let speedup = rows.first().map_or(1.0, |one| row.median / one.median);
        println!(
            "   {:>7}   {:>14.0}   ({:>7.0} … {:>7.0})   {:>15}   {:>10.2}×",
            row.threads, row.median, row.min, row.max, row.connections, speedup
        );
        rows.push(row);
    }
    rows
}

fn fake_cloud_volume(cloud: &FakeCloud) -> String {
    let c = client(
        &cloud.auth_url(),
        FakeCloud::APP_CREDENTIAL_ID,
        FakeCloud::APP_CREDENTIAL_SECRET,
    );
    let v = c
        .try_create_volume(1, "bench", &CreateVolumeOptions::default())
        .expect("create");
    c.try_wait_for_volume_status(&v.id, VolumeStatus::Available, Duration::from_secs(30))
        .expect("available");
    v.id
}

/// No timing: 8 threads × 20 calls on one client open at most 16 connections.
fn check_only() -> i32 {
    let mini = MiniServer::start();
    let c = Arc::new(client(&mini.auth_url(), APP_CRED_ID, APP_CRED_SECRET));
    run(&c, VOLUME_ID, 8, 160);
    let mini_conns = mini.connections.load(Ordering::SeqCst);

    let cloud = FakeCloud::builder()
        .transition_delay(Duration::from_millis(10))
        .start();
    let id = fake_cloud_volume(&cloud);
    let before = cloud.connections();
    let c = Arc::new(client(
        &cloud.auth_url(),
        FakeCloud::APP_CREDENTIAL_ID,
        FakeCloud::APP_CREDENTIAL_SECRET,
    ));
    run(&c, &id, 8, 160);
    let cloud_conns = cloud.connections() - before;
    println!(
        "not run by `cargo bench`: 8 threads x 20 calls opened {mini_conns} connection(s) to the \
         minimal server and {cloud_conns} to the fake cloud (at most 16 expected; no timings)"
    );
    if mini_conns <= 16 && cloud_conns <= 16 {
        0
    } else {
        1
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        std::process::exit(check_only());
    }
    let quick = args.iter().any(|a| a == "--quick");
    let (runs, mini_total, cloud_total) = if quick {
        (3, 2_000, 800)
    } else {
        (7, 8_000, 3_000)
    };
    println!(
        "one client shared by 1, 2, 4, 8 threads{} (release build, loopback 127.0.0.1, {} CPUs)",
        if quick { " --quick" } else { "" },
        thread::available_parallelism().map_or(0, |n| n.get())
    );

    let mini = MiniServer::start();
    let auth_url = mini.auth_url();
    measure(
        "minimal std server",
        &|| client(&auth_url, APP_CRED_ID, APP_CRED_SECRET),
        VOLUME_ID,
        &|| mini.connections.load(Ordering::SeqCst),
        mini_total,
        runs,
    );

    let cloud = FakeCloud::builder()
        .transition_delay(Duration::from_millis(10))
        .start();
    let id = fake_cloud_volume(&cloud);
    let cloud_auth = cloud.auth_url();
    measure(
        "infomaniak-fake-cloud",
        &|| {
            client(
                &cloud_auth,
                FakeCloud::APP_CREDENTIAL_ID,
                FakeCloud::APP_CREDENTIAL_SECRET,
            )
        },
        &id,
        &|| cloud.connections(),
        cloud_total,
        runs,
    );
}
