//! Snapshots many volumes at once: one client shared by a few threads
//! (`std::thread::scope`), each taking the next volume, creating its snapshot and waiting for
//! it to be available. Prints one line per snapshot and a summary; exits with status 1 if any
//! failed.
//!
//! ```text
//! IBS_EXAMPLE_SIMULATED=1 cargo run --example snapshot_many            # 8 volumes in a simulated cloud
//! cargo run --example snapshot_many                                    # every volume of your project
//! cargo run --example snapshot_many -- data logs --threads 2           # these volumes (names or ids)
//! ```
//!
//! With `IBS_EXAMPLE_SIMULATED=1` it starts a simulated cloud in-process and creates the
//! volumes to snapshot first (`--count`, 8 by default); otherwise it uses the environment's
//! credentials, like every program built on `InfomaniakVolumeClient::from_env`.
//!
//! One client is enough for every thread: it is `Send + Sync`, authenticates once (threads
//! that need a token while it is being fetched wait for that one request), and keeps one idle
//! connection per thread (`Config::max_idle_connections_per_host`, 16 by default).

use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use infomaniak_block_storage::{
    CreateSnapshotOptions, CreateVolumeOptions, Error, InfomaniakVolumeClient, SnapshotStatus,
    Volume, VolumeStatus,
};
use infomaniak_fake_cloud::FakeCloud;

#[derive(Parser)]
#[command(about = "Snapshot many volumes at once with one shared client")]
struct Args {
    /// Volumes to snapshot, by name or id; none: every available or in-use volume.
    volumes: Vec<String>,
    /// Threads sharing the client.
    #[arg(long, default_value_t = 4)]
    threads: usize,
    /// Snapshot names are `<prefix>-<volume name or id>`; default `snap-<unix time>`.
    #[arg(long)]
    prefix: Option<String>,
    /// Longest wait for one snapshot, in seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    /// With IBS_EXAMPLE_SIMULATED=1: how many volumes to create first.
    #[arg(long, default_value_t = 8)]
    count: usize,
}

/// The outcome for one volume.
struct Outcome {
    volume: String,
    result: Result<String, Error>,
    took: Duration,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let simulated = std::env::var("IBS_EXAMPLE_SIMULATED").as_deref() == Ok("1");
    // Kept alive until the end of main: dropping it stops the simulated cloud.
    let cloud = simulated.then(FakeCloud::start);
    let client = match &cloud {
        Some(cloud) => InfomaniakVolumeClient::from_credentials(
            FakeCloud::APP_CREDENTIAL_ID,
            FakeCloud::APP_CREDENTIAL_SECRET,
            Some(&cloud.auth_url()),
            None,
        ),
        None => InfomaniakVolumeClient::from_env(),
    };
    let result = client.and_then(|client| {
        if simulated {
            seed(&client, args.count)?;
        }
        let volumes = pick(&client, &args.volumes)?;
        Ok(snapshot_all(&client, &volumes, &args))
    });
    match result {
        Ok(outcomes) if outcomes.iter().all(|o| o.result.is_ok()) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The simulated cloud starts empty: create `count` volumes to snapshot.
fn seed(client: &InfomaniakVolumeClient, count: usize) -> Result<(), Error> {
    let mut ids = Vec::new();
    for i in 1..=count {
        let volume =
            client.try_create_volume(1, &format!("data-{i}"), &CreateVolumeOptions::default())?;
        ids.push(volume.id);
    }
    for id in ids {
        client.try_wait_for_volume_status(&id, VolumeStatus::Available, Duration::from_secs(60))?;
    }
    println!("simulated cloud: created {count} volumes to snapshot");
    Ok(())
}

/// The named volumes, or every volume that can be snapshotted.
fn pick(client: &InfomaniakVolumeClient, names: &[String]) -> Result<Vec<Volume>, Error> {
    if names.is_empty() {
        Ok(client
            .try_list_volumes()?
            .into_iter()
            .filter(|v| v.status == VolumeStatus::Available || v.status == VolumeStatus::InUse)
            .collect())
    } else {
        names.iter().map(|n| client.try_find_volume(n)).collect()
    }
}

fn snapshot_all(client: &InfomaniakVolumeClient, volumes: &[Volume], args: &Args) -> Vec<Outcome> {
    let prefix = args.prefix.clone().unwrap_or_else(|| {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        format!("snap-{}", now.as_secs())
    });
    let timeout = Duration::from_secs(args.timeout);
    let threads = args.threads.clamp(1, volumes.len().max(1));
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::with_capacity(volumes.len()));
    let started = Instant::now();

    std::thread::scope(|scope| {
        for _ in 0..threads {
            // Each thread borrows the same client, the list and the counter.
            scope.spawn(|| {
                while let Some(volume) = volumes.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let label = volume.name.clone().unwrap_or_else(|| volume.id.clone());
                    let began = Instant::now();
                    let result = client
                        .try_create_snapshot(
                            &volume.id,
                            &format!("{prefix}-{label}"),
                            &CreateSnapshotOptions::default()
                                .description("taken by examples/snapshot_many.rs"),
                        )
                        .and_then(|snapshot| {
                            client.try_wait_for_snapshot_status(
                                &snapshot.id,
                                SnapshotStatus::Available,
                                timeout,
                            )
                        })
                        .map(|snapshot| snapshot.id);
                    let outcome = Outcome {
                        volume: label,
                        result,
                        took: began.elapsed(),
                    };
                    print_line(&outcome);
                    outcomes.lock().unwrap().push(outcome);
                }
            });
        }
    });

    let outcomes = outcomes.into_inner().unwrap();
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    let sequential: Duration = outcomes.iter().map(|o| o.took).sum();
    println!(
        "{} snapshot(s) of {} volume(s), {failed} failed, in {:.1} s with {threads} thread(s) \
         (one after the other: {:.1} s)",
        outcomes.len() - failed,
        volumes.len(),
        started.elapsed().as_secs_f64(),
        sequential.as_secs_f64(),
    );
    outcomes
}

fn print_line(outcome: &Outcome) {
    match &outcome.result {
        Ok(id) => println!(
            "  ok    {:<24} {id}  {:.1} s",
            outcome.volume,
            outcome.took.as_secs_f64()
        ),
        Err(err) => println!("  FAIL  {:<24} {err}", outcome.volume),
    }
}
