//! A connection pool sized for threads (issue 10, point 3): 8 threads × 200 calls on one
//! shared client open at most 16 TCP connections to the simulated cloud (they once opened
//! 168), authenticate once, and every call succeeds. The pool size is configurable.

mod fake_common;

use std::sync::Arc;
use std::thread;

use infomaniak_block_storage::{
    CreateVolumeOptions, DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST, InfomaniakVolumeClient,
};
use infomaniak_fake_cloud::FakeCloud;

const THREADS: usize = 8;
const CALLS: usize = 200;

fn hammer(client: &Arc<InfomaniakVolumeClient>, volume_id: &str) -> usize {
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let client = Arc::clone(client);
            let id = volume_id.to_string();
            thread::spawn(move || {
                let mut ok = 0;
                for i in 0..CALLS {
                    // Alternate a GET of one volume with a listing, like a busy tool.
                    let done = if (i + t) % 2 == 0 {
                        client.try_get_volume(&id).map(|v| v.id == id)
                    } else {
                        client.try_list_volumes().map(|l| l.len() == 1)
                    };
                    match done {
                        Ok(true) => ok += 1,
                        other => panic!("thread {t} call {i}: {other:?}"),
                    }
                }
                ok
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}

fn setup(cloud: &FakeCloud, idle: Option<usize>) -> (Arc<InfomaniakVolumeClient>, String) {
    let mut config = fake_common::config(cloud);
    if let Some(idle) = idle {
        config.max_idle_connections_per_host = idle;
    }
    let client = InfomaniakVolumeClient::new(config).unwrap();
    let v = fake_common::available_volume(&client, 1, "shared", &CreateVolumeOptions::default());
    (Arc::new(client), v.id)
}

#[test]
fn eight_threads_share_at_most_sixteen_connections() {
    assert_eq!(DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST, 16);
    let cloud = fake_common::quick_cloud();
    let (client, id) = setup(&cloud, None);
    assert_eq!(client.config().max_idle_connections_per_host, 16);
    let before = cloud.requests();

    assert_eq!(hammer(&client, &id), THREADS * CALLS);

    assert_eq!(
        cloud.requests() - before,
        THREADS * CALLS,
        "no retries needed"
    );
    assert_eq!(cloud.auth_requests(), 1, "one token for all threads");
    let connections = cloud.connections();
    assert!(
        connections <= 16,
        "{connections} TCP connections for {THREADS} threads"
    );
    // Every thread had one of its own at some point: the calls ran concurrently.
    assert!(connections >= 2, "{connections}");
}

/// The setting is what the pool uses: with 2 idle connections kept for 8 threads, threads
/// close and reopen connections all the time.
#[test]
fn a_small_pool_makes_threads_reconnect() {
    let cloud = fake_common::quick_cloud();
    let (client, id) = setup(&cloud, Some(2));
    assert_eq!(hammer(&client, &id), THREADS * CALLS);
    let connections = cloud.connections();
    assert!(
        connections > 16,
        "{connections} connections with 2 idle kept"
    );
}

/// 0 would open a connection per request: refused before anything is sent.
#[test]
fn no_idle_connection_at_all_is_a_config_error() {
    let cloud = fake_common::quick_cloud();
    let mut config = fake_common::config(&cloud);
    config.max_idle_connections_per_host = 0;
    match InfomaniakVolumeClient::new(config) {
        Err(infomaniak_block_storage::Error::Config { message, .. }) => {
            assert!(
                message.contains("max_idle_connections_per_host"),
                "{message}"
            )
        }
        other => panic!("expected a config error, got {other:?}"),
    }
    assert_eq!(cloud.requests(), 0);
}

/// Sequential calls on the default pool share one connection.
#[test]
fn sequential_calls_share_one_connection() {
    let cloud = fake_common::quick_cloud();
    let (client, id) = setup(&cloud, None);
    let before = cloud.connections();
    for _ in 0..50 {
        client.try_get_volume(&id).unwrap();
    }
    assert!(cloud.connections() - before <= 1);
}
