//! A blocking client for block storage on [Infomaniak Public Cloud] — volumes, snapshots,
//! backups, and attaching volumes to servers — for programs with no async runtime.
//!
//! Infomaniak Public Cloud is OpenStack: this crate speaks Keystone v3, Cinder v3 and Nova's
//! `os-volume_attachments` over [`ureq`], so it works on any OpenStack cloud by changing the
//! [`Config`].
//!
//! # Two faces for every operation
//!
//! Each operation exists twice, over one code path:
//!
//! * the plain method (`list_volumes`, `get_volume`, `delete_volume`, ...) never fails loudly:
//!   on any error it logs one line through the [`log`] crate (operation, id, HTTP status,
//!   OpenStack message, request id) and returns a sentinel — an empty `Vec`, `None` or
//!   `false`. Scripts need no `?`.
//! * `try_<name>` returns `Result<T, Error>`; [`Error`] is an enum to match on
//!   ([`Error::NotFound`], [`Error::Api`] with status, code, message and request id,
//!   [`Error::Transport`], ...). The plain method is a one-line wrapper over it.
//!
//! # Example
//!
//! ```
//! # let cloud = infomaniak_fake_cloud::FakeCloud::start();
//! # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
//! use std::time::Duration;
//! use infomaniak_block_storage::{CreateVolumeOptions, DeleteVolumeOptions, Error, VolumeStatus};
//!
//! // In a real program: InfomaniakVolumeClient::from_env()?, which reads
//! // INFOMANIAK_APP_CREDENTIAL_ID / _SECRET or an OpenStack openrc (OS_*).
//!
//! // Plain face: no `?`, failures are logged and give a sentinel.
//! for volume in client.list_volumes() {
//!     println!("{} {:?} {} GiB {}", volume.id, volume.name, volume.size, volume.status);
//! }
//!
//! // `try_` face: typed errors.
//! let volume = client.try_create_volume(10, "scratch", &CreateVolumeOptions::default())?;
//! let volume = client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(300))?;
//! client.try_extend_volume(&volume.id, 20)?;
//! client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(300))?;
//!
//! match client.try_get_volume("no-such-volume") {
//!     Err(Error::NotFound { request_id, .. }) => println!("gone (request {request_id:?})"),
//!     other => println!("{other:?}"),
//! }
//!
//! if !client.delete_volume(&volume.id, &DeleteVolumeOptions::default()) {
//!     eprintln!("delete failed; see the log");
//! }
//! # Ok::<(), infomaniak_block_storage::Error>(())
//! ```
//!
//! # The Python client's operations
//!
//! The fourteen operations of the Python client keep their names and required arguments;
//! their optional knobs are option types with `Default` and chainable setters, so that a new
//! knob never breaks a caller.
//!
//! | Python | Rust (plain face; `try_` for the `Result`) |
//! |---|---|
//! | `list_volumes()` | [`list_volumes()`](InfomaniakVolumeClient::list_volumes) |
//! | `get_volume(volume_id)` | [`get_volume(id)`](InfomaniakVolumeClient::get_volume) |
//! | `create_volume(size, name, description, volume_type, availability_zone, snapshot_id, image_id, **kwargs)` | [`create_volume(size, name, &CreateVolumeOptions)`](InfomaniakVolumeClient::create_volume) |
//! | `delete_volume(volume_id, force=False)` | [`delete_volume(id, &DeleteVolumeOptions)`](InfomaniakVolumeClient::delete_volume) (`force`, `cascade`) |
//! | `extend_volume(volume_id, new_size)` | [`extend_volume(id, new_size)`](InfomaniakVolumeClient::extend_volume) |
//! | `attach_volume(volume_id, instance_id, device=None)` | [`attach_volume(id, instance_id, &AttachOptions)`](InfomaniakVolumeClient::attach_volume) (`device`, `tag`, `delete_on_termination`) |
//! | `detach_volume(volume_id, instance_id)` | [`detach_volume(id, instance_id)`](InfomaniakVolumeClient::detach_volume) |
//! | `list_backups()` | [`list_backups()`](InfomaniakVolumeClient::list_backups) |
//! | `create_backup(volume_id, name, description, incremental, force)` | [`create_backup(volume_id, name, &CreateBackupOptions)`](InfomaniakVolumeClient::create_backup) |
//! | `restore_backup(backup_id, volume_id, name)` | [`restore_backup(id, &RestoreTarget)`](InfomaniakVolumeClient::restore_backup) (new volume with a name, or an existing volume) |
//! | `delete_backup(backup_id, force)` | [`delete_backup(id, &DeleteBackupOptions)`](InfomaniakVolumeClient::delete_backup) |
//! | `list_snapshots()` | [`list_snapshots()`](InfomaniakVolumeClient::list_snapshots) |
//! | `create_snapshot(volume_id, name, description, force)` | [`create_snapshot(volume_id, name, &CreateSnapshotOptions)`](InfomaniakVolumeClient::create_snapshot) |
//! | `delete_snapshot(snapshot_id, force)` | [`delete_snapshot(id, &DeleteSnapshotOptions)`](InfomaniakVolumeClient::delete_snapshot) |
//!
//! Waiters take typed targets ([`VolumeStatus`], [`SnapshotStatus`], [`BackupStatus`]), so a
//! typo cannot wait until the timeout.
//!
//! # Configuration
//!
//! [`Config::default`] is Infomaniak pub1: auth URL `https://api.pub1.infomaniak.cloud/identity/v3`,
//! region `dc3-a`, public interface, application credentials. [`InfomaniakVolumeClient::from_env`]
//! reads `INFOMANIAK_*` variables or the standard `OS_*` openrc variables
//! ([`Config::from_vars`] lists them). Building a client sends nothing; the first call
//! authenticates, and the token is reused and renewed by itself.
//!
//! # Secrets
//!
//! Passwords, application-credential secrets and tokens are held in [`Secret`], whose `Debug`
//! prints `"<redacted>"`. They appear in no log line, no `Debug` output and no error message.
//!
//! # Force delete
//!
//! `force` in the delete options sends Cinder's `os-force_delete` action, which Cinder's
//! default policy reserves for admins: a project member gets HTTP 403, and the error says so.
//!
//! [Infomaniak Public Cloud]: https://www.infomaniak.com/en/hosting/public-cloud

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's Rust examples are compiled as doctests, so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod actions;
mod attachments;
mod backups;
mod client;
mod config;
mod de;
mod error;
mod find;
#[cfg(test)]
mod hostile_tests;
mod listing;
mod messages;
mod metadata;
mod microversion;
mod pagination;
mod project;
mod raw;
mod snapshots;
mod status;
mod transfers;
mod transport;
mod validate;
mod volumes;
mod wait;

pub use attachments::{AttachOptions, ServerAttachment};
pub use backups::{
    Backup, BackupRestore, BackupStatus, CreateBackupOptions, DeleteBackupOptions, RestoreTarget,
    UpdateBackup,
};
pub use client::InfomaniakVolumeClient;
pub use config::{
    Auth, Config, DEFAULT_AUTH_URL, DEFAULT_COMPUTE_MICROVERSION, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST, DEFAULT_MAX_PAGES,
    DEFAULT_REGION, DEFAULT_REQUEST_TIMEOUT, DEFAULT_VOLUME_MICROVERSION, Domain, Interface,
    Project, ProxySetting, RetryPolicy, Secret, TlsRoots, TokenCache, User, WaitPolicy,
};
pub use error::{Cause, Error, Result};
pub use listing::ListOptions;
pub use messages::UserMessage;
pub use microversion::Microversion;
pub use pagination::{Link, Pages};
pub use project::{AbsoluteLimits, AvailabilityZone, QuotaSet, QuotaUsage, VolumeType};
pub use raw::{ApiService, RawRequest, RawResponse};
pub use snapshots::{
    CreateSnapshotOptions, DeleteSnapshotOptions, Snapshot, SnapshotStatus, UpdateSnapshot,
};
pub use transfers::{CreateTransferOptions, CreatedTransfer, VolumeTransfer};
pub use volumes::{
    CreateVolumeOptions, DeleteVolumeOptions, ImageUpload, MigrationPolicy, UpdateVolume,
    UploadImageOptions, Volume, VolumeAttachment, VolumeStatus,
};
