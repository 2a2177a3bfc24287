//! `volumes_cli`: a small command-line tool for the volumes of one project, as a team would
//! write it on top of this crate.
//!
//! ```text
//! cargo run --example volumes_cli -- list                      # volumes (or: list snapshots, list backups)
//! cargo run --example volumes_cli -- create data --size 10     # waits until it is available
//! cargo run --example volumes_cli -- show data                 # a name or an id
//! cargo run --example volumes_cli -- extend data 20
//! cargo run --example volumes_cli -- attach data <server-id>   # waits until it is in-use
//! cargo run --example volumes_cli -- detach data <server-id>
//! cargo run --example volumes_cli -- snapshot data data-before-upgrade
//! cargo run --example volumes_cli -- backup data data-nightly [--incremental]
//! cargo run --example volumes_cli -- restore data-nightly data-copy
//! cargo run --example volumes_cli -- delete data [--cascade]
//! cargo run --example volumes_cli -- --json list               # JSON instead of a table
//! ```
//!
//! Credentials come from the environment as for every program using
//! `InfomaniakVolumeClient::from_env`: `INFOMANIAK_APP_CREDENTIAL_ID`/`_SECRET`, an OpenStack
//! openrc (`OS_*`), or `OS_CLOUD` with `clouds.yaml`. To try it without an account, start the
//! simulated cloud in a process of its own (`target/debug/examples/simulated_cloud >
//! cloud.env &` after `cargo build --examples`) and source the variables it prints
//! (`. ./cloud.env`).
//!
//! Volumes, snapshots and backups are named by id or by name (an exact id wins, else an exact
//! name; several matches are an error listing their ids). Commands that start a change wait for
//! its end (`--no-wait` to return at once; `--timeout` bounds the wait). On failure it prints
//! the error, with OpenStack's request id when there is one, and exits with status 1 (2 for a
//! usage error).

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use infomaniak_block_storage::{
    AttachOptions, Backup, BackupStatus, CreateBackupOptions, CreateSnapshotOptions,
    CreateVolumeOptions, DeleteVolumeOptions, Error, InfomaniakVolumeClient, RestoreTarget,
    Snapshot, SnapshotStatus, Volume, VolumeStatus,
};
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    name = "volumes_cli",
    about = "Volumes, snapshots and backups of an Infomaniak (OpenStack) project"
)]
struct Cli {
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    /// Return as soon as a change is accepted, without waiting for its end.
    #[arg(long, global = true)]
    no_wait: bool,
    /// Longest wait for a change to end, in seconds.
    #[arg(long, global = true, default_value_t = 600, value_name = "SECONDS")]
    timeout: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List volumes (default), snapshots or backups.
    List {
        #[arg(value_enum, default_value_t = Kind::Volumes)]
        kind: Kind,
    },
    /// Show one volume.
    Show { volume: String },
    /// Create a volume and wait until it is available.
    Create {
        name: String,
        /// Size in GiB.
        #[arg(long, value_name = "GIB")]
        size: u64,
        /// Volume type, e.g. CEPH_1_perf1.
        #[arg(long = "type", value_name = "TYPE")]
        volume_type: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a volume.
    Delete {
        volume: String,
        /// Delete its snapshots with it.
        #[arg(long)]
        cascade: bool,
    },
    /// Grow a volume to a new size.
    Extend {
        volume: String,
        /// The new size in GiB.
        #[arg(value_name = "GIB")]
        size: u64,
    },
    /// Attach a volume to a server and wait until it is in use.
    Attach {
        volume: String,
        /// The server's id.
        server: String,
        /// Device name to ask for, e.g. /dev/vdb.
        #[arg(long)]
        device: Option<String>,
    },
    /// Detach a volume from a server and wait until it is available.
    Detach {
        volume: String,
        /// The server's id.
        server: String,
    },
    /// Snapshot a volume.
    Snapshot {
        volume: String,
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Back up a volume.
    Backup {
        volume: String,
        name: String,
        /// Only what changed since the last backup of this volume.
        #[arg(long)]
        incremental: bool,
    },
    /// Restore a backup to a new volume.
    Restore {
        backup: String,
        /// Name of the new volume.
        name: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Volumes,
    Snapshots,
    Backups,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = InfomaniakVolumeClient::from_env().and_then(|client| run(&client, &cli));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err, cli.json);
            ExitCode::FAILURE
        }
    }
}

/// The error on stderr: its one-line message (which names the request id when the server sent
/// one), and the request id on a line of its own for grepping.
fn report(err: &Error, json: bool) {
    if json {
        let body = json!({
            "error": err.to_string(),
            "status": err.status(),
            "request_id": err.request_id(),
        });
        eprintln!("{body}");
    } else {
        eprintln!("error: {err}");
        if let Some(id) = err.request_id() {
            eprintln!("request id: {id}");
        }
    }
}

fn run(client: &InfomaniakVolumeClient, cli: &Cli) -> Result<(), Error> {
    let timeout = Duration::from_secs(cli.timeout);
    let wait = !cli.no_wait;
    let out = Output { json: cli.json };
    match &cli.command {
        Command::List {
            kind: Kind::Volumes,
        } => out.volumes(&client.try_list_volumes()?),
        Command::List {
            kind: Kind::Snapshots,
        } => out.snapshots(&client.try_list_snapshots()?),
        Command::List {
            kind: Kind::Backups,
        } => out.backups(&client.try_list_backups()?),
        Command::Show { volume } => out.volume(&client.try_find_volume(volume)?),
        Command::Create {
            name,
            size,
            volume_type,
            description,
        } => {
            let mut options = CreateVolumeOptions::default();
            if let Some(volume_type) = volume_type {
                options = options.volume_type(volume_type.as_str());
            }
            if let Some(description) = description {
                options = options.description(description.as_str());
            }
            let mut volume = client.try_create_volume(*size, name, &options)?;
            if wait {
                volume = client.try_wait_for_volume_status(
                    &volume.id,
                    VolumeStatus::Available,
                    timeout,
                )?;
            }
            out.volume(&volume)
        }
        Command::Delete { volume, cascade } => {
            let volume = client.try_find_volume(volume)?;
            let options = DeleteVolumeOptions::default().cascade(*cascade);
            client.try_delete_volume(&volume.id, &options)?;
            if wait {
                client.try_wait_for_volume_deleted(&volume.id, timeout)?;
            }
            out.done("deleted", &volume.id, volume.name.as_deref())
        }
        Command::Extend { volume, size } => {
            let volume = client.try_find_volume(volume)?;
            client.try_extend_volume(&volume.id, *size)?;
            out.volume(&if wait {
                // An in-use volume goes back to in-use, any other to available.
                let target = if volume.status == VolumeStatus::InUse {
                    VolumeStatus::InUse
                } else {
                    VolumeStatus::Available
                };
                wait_for_size(client, &volume.id, target, *size, timeout)?
            } else {
                client.try_get_volume(&volume.id)?
            })
        }
        Command::Attach {
            volume,
            server,
            device,
        } => {
            let volume = client.try_find_volume(volume)?;
            let mut options = AttachOptions::default();
            if let Some(device) = device {
                options = options.device(device.as_str());
            }
            out.volume(&if wait {
                client.try_attach_volume_and_wait(&volume.id, server, &options, timeout)?
            } else {
                client.try_attach_volume(&volume.id, server, &options)?;
                client.try_get_volume(&volume.id)?
            })
        }
        Command::Detach { volume, server } => {
            let volume = client.try_find_volume(volume)?;
            out.volume(&if wait {
                client.try_detach_volume_and_wait(&volume.id, server, timeout)?
            } else {
                client.try_detach_volume(&volume.id, server)?;
                client.try_get_volume(&volume.id)?
            })
        }
        Command::Snapshot {
            volume,
            name,
            description,
        } => {
            let volume = client.try_find_volume(volume)?;
            let mut options = CreateSnapshotOptions::default();
            if let Some(description) = description {
                options = options.description(description.as_str());
            }
            let mut snapshot = client.try_create_snapshot(&volume.id, name, &options)?;
            if wait {
                snapshot = client.try_wait_for_snapshot_status(
                    &snapshot.id,
                    SnapshotStatus::Available,
                    timeout,
                )?;
            }
            out.snapshots(&[snapshot])
        }
        Command::Backup {
            volume,
            name,
            incremental,
        } => {
            let volume = client.try_find_volume(volume)?;
            let options = CreateBackupOptions::default().incremental(*incremental);
            let created = client.try_create_backup(&volume.id, name, &options)?;
            // Cinder's reply to a create holds only the id and name: read the rest.
            let backup = if wait {
                client.try_wait_for_backup_status(&created.id, BackupStatus::Available, timeout)?
            } else {
                client.try_get_backup(&created.id)?
            };
            out.backups(&[backup])
        }
        Command::Restore { backup, name } => {
            let backup = client.try_find_backup(backup)?;
            let restore =
                client.try_restore_backup(&backup.id, &RestoreTarget::new_volume(name))?;
            let volume = if wait {
                client.try_wait_for_volume_status(
                    &restore.volume_id,
                    VolumeStatus::Available,
                    timeout,
                )?
            } else {
                client.try_get_volume(&restore.volume_id)?
            };
            out.volume(&volume)
        }
    }
}

/// Waits until the volume has `size` GiB and `status`: right after an extend, Cinder may still
/// report the old size with the old status for a moment.
fn wait_for_size(
    client: &InfomaniakVolumeClient,
    id: &str,
    status: VolumeStatus,
    size: u64,
    timeout: Duration,
) -> Result<Volume, Error> {
    let started = std::time::Instant::now();
    loop {
        let volume = client.try_wait_for_volume_status(
            id,
            status.clone(),
            timeout.saturating_sub(started.elapsed()),
        )?;
        if volume.size >= size || started.elapsed() >= timeout {
            return Ok(volume);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Tables for people, JSON for programs.
struct Output {
    json: bool,
}

impl Output {
    fn print_json(&self, value: &impl serde::Serialize) -> Result<(), Error> {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("serializable")
        );
        Ok(())
    }

    fn volume(&self, volume: &Volume) -> Result<(), Error> {
        if self.json {
            return self.print_json(volume);
        }
        let attached: Vec<String> = volume
            .attachments
            .iter()
            .map(|a| {
                format!(
                    "{} on {}",
                    a.server_id.as_deref().unwrap_or("?"),
                    a.device.as_deref().unwrap_or("?")
                )
            })
            .collect();
        let rows = [
            ("id", volume.id.clone()),
            ("name", volume.name.clone().unwrap_or_default()),
            ("status", volume.status.to_string()),
            ("size", format!("{} GiB", volume.size)),
            ("type", volume.volume_type.clone().unwrap_or_default()),
            ("zone", volume.availability_zone.clone().unwrap_or_default()),
            ("bootable", volume.bootable.to_string()),
            ("attached to", attached.join(", ")),
            ("created", volume.created_at.clone().unwrap_or_default()),
        ];
        for (key, value) in rows {
            println!("{}", format!("{key:<12} {value}").trim_end());
        }
        Ok(())
    }

    fn volumes(&self, volumes: &[Volume]) -> Result<(), Error> {
        if self.json {
            return self.print_json(&volumes);
        }
        table(
            &["ID", "NAME", "STATUS", "SIZE", "TYPE", "ATTACHED TO"],
            volumes.iter().map(|v| {
                vec![
                    v.id.clone(),
                    v.name.clone().unwrap_or_default(),
                    v.status.to_string(),
                    format!("{}G", v.size),
                    v.volume_type.clone().unwrap_or_default(),
                    v.attachments
                        .iter()
                        .filter_map(|a| a.server_id.clone())
                        .collect::<Vec<_>>()
                        .join(","),
                ]
            }),
        );
        Ok(())
    }

    fn snapshots(&self, snapshots: &[Snapshot]) -> Result<(), Error> {
        if self.json {
            return self.print_json(&snapshots);
        }
        table(
            &["ID", "NAME", "STATUS", "SIZE", "VOLUME"],
            snapshots.iter().map(|s| {
                vec![
                    s.id.clone(),
                    s.name.clone().unwrap_or_default(),
                    s.status.to_string(),
                    format!("{}G", s.size),
                    s.volume_id.clone(),
                ]
            }),
        );
        Ok(())
    }

    fn backups(&self, backups: &[Backup]) -> Result<(), Error> {
        if self.json {
            return self.print_json(&backups);
        }
        table(
            &["ID", "NAME", "STATUS", "SIZE", "KIND", "VOLUME"],
            backups.iter().map(|b| {
                vec![
                    b.id.clone(),
                    b.name.clone().unwrap_or_default(),
                    b.status.to_string(),
                    format!("{}G", b.size),
                    if b.is_incremental {
                        "incremental"
                    } else {
                        "full"
                    }
                    .to_string(),
                    b.volume_id.clone(),
                ]
            }),
        );
        Ok(())
    }

    fn done(&self, what: &str, id: &str, name: Option<&str>) -> Result<(), Error> {
        if self.json {
            let body: Value = json!({ what: { "id": id, "name": name } });
            return self.print_json(&body);
        }
        match name {
            Some(name) => println!("{what} {id} ({name})"),
            None => println!("{what} {id}"),
        }
        Ok(())
    }
}

/// Left-aligned columns as wide as their widest cell.
fn table(headers: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> = rows.collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
}
