//! The whole block-storage lifecycle in one run.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! By default it starts a simulated Infomaniak cloud on 127.0.0.1 and runs against it, whatever
//! the environment holds (no credential, `OS_*` variable or proxy setting is read): create a
//! volume, extend it, snapshot it, back it up (full, then incremental), restore the backup to a
//! new volume, attach a volume to a server and detach it, then delete everything it created.
//! Each step prints one line; a table shows what exists.
//!
//! With `--live` it uses the credentials of the environment (`INFOMANIAK_APP_CREDENTIAL_ID`/
//! `_SECRET`, an OpenStack openrc, or `OS_CLOUD` with clouds.yaml), lists your volumes,
//! snapshots and backups and changes nothing:
//!
//! ```text
//! cargo run --example quickstart -- --live
//! ```
//!
//! Add `--lifecycle` to run the lifecycle in your project too (it creates, then deletes, two
//! volumes of 2 GiB, a snapshot and two backups), and `--server <id>` to include attach/detach
//! with one of your servers.
//!
//! `RUST_LOG=infomaniak_block_storage=debug` shows every HTTP request, one line each (method,
//! URL, status, time, request id); `RUST_LOG=debug` adds ureq's connection details.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use infomaniak_block_storage::{
    AttachOptions, BackupStatus, Config, CreateBackupOptions, CreateSnapshotOptions,
    CreateVolumeOptions, DeleteBackupOptions, DeleteSnapshotOptions, DeleteVolumeOptions, Error,
    InfomaniakVolumeClient, ProxySetting, RestoreTarget, SnapshotStatus, Volume, VolumeStatus,
    WaitPolicy,
};
use infomaniak_fake_cloud::FakeCloud;

/// Distinct statuses in the order seen.
#[derive(Default)]
struct Trail(Vec<String>);

impl Trail {
    fn push(&mut self, status: &str) {
        if self.0.last().map(String::as_str) != Some(status) {
            self.0.push(status.to_string());
        }
    }
}

struct Run {
    client: InfomaniakVolumeClient,
    timeout: Duration,
    started: Instant,
}

impl Run {
    /// Runs one step, prints `what  id  status  elapsed`, and passes the result on.
    fn step<T>(
        &self,
        what: &str,
        f: impl FnOnce() -> Result<(String, String, T), Error>,
    ) -> Result<T, Error> {
        let started = Instant::now();
        match f() {
            Ok((id, status, value)) => {
                println!(
                    "  ok    {what:<31} {id:<37} {status:<34} {:>5.2}s",
                    started.elapsed().as_secs_f64()
                );
                Ok(value)
            }
            Err(err) => {
                println!(
                    "  FAIL  {what:<34} {err} ({:.2}s)",
                    started.elapsed().as_secs_f64()
                );
                Err(err)
            }
        }
    }

    /// Waits for a volume status and returns it with the statuses seen on the way,
    /// e.g. `creating → available`.
    fn volume_reaches(&self, id: &str, target: VolumeStatus) -> Result<(Volume, String), Error> {
        let mut seen = Trail::default();
        let v = self
            .client
            .try_wait_for_volume_status_with(id, target, self.timeout, |s, _| seen.push(s))?;
        Ok((v, seen.0.join(" → ")))
    }

    fn lifecycle(&self, server_id: Option<&str>, created: &mut Created) -> Result<(), Error> {
        let c = &self.client;
        let t = self.timeout;
        let options =
            CreateVolumeOptions::default().description("created by the quickstart example");

        let volume = self.step("create volume (1 GiB)", || {
            let v = c.try_create_volume(1, "quickstart-data", &options)?;
            created.volumes.push(v.id.clone());
            let (v, trail) = self.volume_reaches(&v.id, VolumeStatus::Available)?;
            Ok((v.id.clone(), trail, v))
        })?;
        let id = volume.id.as_str();

        self.step("extend volume to 2 GiB", || {
            c.try_extend_volume(id, 2)?;
            let (v, trail) = self.volume_reaches(id, VolumeStatus::Available)?;
            Ok((v.id, format!("{trail} ({} GiB)", v.size), ()))
        })?;

        self.step("snapshot volume", || {
            let s =
                c.try_create_snapshot(id, "quickstart-snap", &CreateSnapshotOptions::default())?;
            created.snapshots.push(s.id.clone());
            let mut seen = Trail::default();
            let s = c.try_wait_for_snapshot_status_with(
                &s.id,
                SnapshotStatus::Available,
                t,
                |st, _| seen.push(st),
            )?;
            Ok((s.id, seen.0.join(" → "), ()))
        })?;

        self.step("back up volume (full)", || {
            let b = c.try_create_backup(id, "quickstart-full", &CreateBackupOptions::default())?;
            created.backups.push(b.id.clone());
            let mut seen = Trail::default();
            let b =
                c.try_wait_for_backup_status_with(&b.id, BackupStatus::Available, t, |st, _| {
                    seen.push(st)
                })?;
            Ok((b.id, seen.0.join(" → "), ()))
        })?;

        let incremental = self.step("back up volume (incremental)", || {
            let b = c.try_create_backup(
                id,
                "quickstart-incr",
                &CreateBackupOptions::default().incremental(true),
            )?;
            created.backups.push(b.id.clone());
            let mut seen = Trail::default();
            let b =
                c.try_wait_for_backup_status_with(&b.id, BackupStatus::Available, t, |st, _| {
                    seen.push(st)
                })?;
            Ok((b.id.clone(), seen.0.join(" → "), b))
        })?;

        self.step("restore backup to a new volume", || {
            let r = c.try_restore_backup(
                &incremental.id,
                &RestoreTarget::new_volume("quickstart-restored"),
            )?;
            created.volumes.push(r.volume_id.clone());
            let (v, trail) = self.volume_reaches(&r.volume_id, VolumeStatus::Available)?;
            Ok((v.id, trail, ()))
        })?;

        match server_id {
            Some(server) => {
                self.step("attach volume to server", || {
                    c.try_attach_volume(id, server, &AttachOptions::default())?;
                    let (v, trail) = self.volume_reaches(id, VolumeStatus::InUse)?;
                    let device = v
                        .attachments
                        .first()
                        .and_then(|a| a.device.clone())
                        .unwrap_or_default();
                    Ok((v.id, format!("{trail} ({device})"), ()))
                })?;
                self.step("detach volume from server", || {
                    c.try_detach_volume(id, server)?;
                    let (v, trail) = self.volume_reaches(id, VolumeStatus::Available)?;
                    Ok((v.id, trail, ()))
                })?;
            }
            None => println!("  skip  attach/detach: no --server <id> given"),
        }

        print_tables(c);
        Ok(())
    }

    /// Deletes what the run created, newest first (incremental backups before their parent),
    /// and waits until each is gone.
    fn cleanup(&self, created: &Created) -> bool {
        let c = &self.client;
        let t = self.timeout;
        let mut ok = true;
        for id in created.backups.iter().rev() {
            ok &= self
                .step("delete backup", || {
                    c.try_delete_backup(id, &DeleteBackupOptions::default())?;
                    c.try_wait_for_backup_deleted(id, t)?;
                    Ok((id.clone(), "deleted".into(), ()))
                })
                .is_ok();
        }
        for id in created.snapshots.iter().rev() {
            ok &= self
                .step("delete snapshot", || {
                    c.try_delete_snapshot(id, &DeleteSnapshotOptions::default())?;
                    c.try_wait_for_snapshot_deleted(id, t)?;
                    Ok((id.clone(), "deleted".into(), ()))
                })
                .is_ok();
        }
        for id in created.volumes.iter().rev() {
            ok &= self
                .step("delete volume", || {
                    c.try_delete_volume(id, &DeleteVolumeOptions::default())?;
                    c.try_wait_for_volume_deleted(id, t)?;
                    Ok((id.clone(), "deleted".into(), ()))
                })
                .is_ok();
        }
        ok
    }
}

#[derive(Default)]
struct Created {
    volumes: Vec<String>,
    snapshots: Vec<String>,
    backups: Vec<String>,
}

fn print_tables(client: &InfomaniakVolumeClient) {
    // The plain faces: a failure is logged and shows as an empty table.
    let volumes = client.list_volumes();
    let snapshots = client.list_snapshots();
    let backups = client.list_backups();
    println!(
        "\n  {} volume(s), {} snapshot(s), {} backup(s)",
        volumes.len(),
        snapshots.len(),
        backups.len()
    );
    if volumes.is_empty() && snapshots.is_empty() && backups.is_empty() {
        println!();
        return;
    }
    println!(
        "  {:<8} {:<37} {:<20} {:>5}  {:<10} DETAIL",
        "KIND", "ID", "NAME", "SIZE", "STATUS"
    );
    let row =
        |kind: &str, id: &str, name: Option<&str>, size: u64, status: &str, detail: String| {
            println!(
                "  {kind:<8} {id:<37} {:<20} {size:>4}G  {status:<10} {detail}",
                name.unwrap_or("-")
            );
        };
    for v in &volumes {
        let detail = v.volume_type.clone().unwrap_or_default();
        row(
            "volume",
            &v.id,
            v.name.as_deref(),
            v.size,
            v.status.as_str(),
            detail,
        );
    }
    for s in &snapshots {
        let detail = format!("of volume {}", s.volume_id);
        row(
            "snapshot",
            &s.id,
            s.name.as_deref(),
            s.size,
            s.status.as_str(),
            detail,
        );
    }
    for b in &backups {
        let kind = if b.is_incremental {
            "incremental"
        } else {
            "full"
        };
        row(
            "backup",
            &b.id,
            b.name.as_deref(),
            b.size,
            b.status.as_str(),
            kind.to_string(),
        );
    }
    println!();
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let live = args.iter().any(|a| a == "--live");
    let lifecycle_flag = args.iter().any(|a| a == "--lifecycle");
    let server_arg = args
        .iter()
        .position(|a| a == "--server")
        .and_then(|i| args.get(i + 1).cloned());

    // Keep the simulated cloud alive for the whole run; it stops when dropped.
    let mut simulated: Option<FakeCloud> = None;
    let client = if live {
        match InfomaniakVolumeClient::from_env() {
            Ok(client) => client,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        let cloud = FakeCloud::start();
        println!(
            "Running against a simulated Infomaniak cloud at {} \
             (pass --live to use the credentials of your environment instead).",
            cloud.auth_url()
        );
        let mut config = Config::application_credential(
            FakeCloud::APP_CREDENTIAL_ID,
            FakeCloud::APP_CREDENTIAL_SECRET,
        );
        config.auth_url = cloud.auth_url();
        // The simulated cloud changes state in a fraction of a second: poll more often.
        let mut wait = WaitPolicy::default();
        wait.initial_interval = Duration::from_millis(100);
        config.wait = wait;
        // The simulated cloud is on this machine: no proxy of the environment applies.
        config.proxy = ProxySetting::Direct;
        let client = InfomaniakVolumeClient::new(config);
        simulated = Some(cloud);
        match client {
            Ok(client) => client,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        }
    };

    let run = Run {
        client,
        timeout: if simulated.is_some() {
            Duration::from_secs(30)
        } else {
            Duration::from_secs(900)
        },
        started: Instant::now(),
    };

    if let Err(err) = run.client.try_authenticate() {
        eprintln!("error: {err}");
        return ExitCode::FAILURE;
    }

    if simulated.is_none() && !lifecycle_flag {
        println!("Connected. Listing only; pass --lifecycle to create and delete test resources.");
        print_tables(&run.client);
        return ExitCode::SUCCESS;
    }

    let server_id = server_arg.or_else(|| simulated.as_ref().map(FakeCloud::server_id));
    let mut created = Created::default();
    println!("\nLifecycle:");
    let outcome = run.lifecycle(server_id.as_deref(), &mut created);
    println!("Cleanup:");
    let cleaned = run.cleanup(&created);
    print_tables(&run.client);
    println!(
        "{} in {:.1}s",
        if outcome.is_ok() && cleaned {
            "Done"
        } else {
            "FAILED"
        },
        run.started.elapsed().as_secs_f64()
    );
    if outcome.is_ok() && cleaned {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
