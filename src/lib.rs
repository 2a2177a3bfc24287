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
//! ```no_run
//! use std::time::Duration;
//! use infomaniak_block_storage::{CreateVolumeOptions, Error, InfomaniakVolumeClient};
//!
//! fn main() -> Result<(), Error> {
//!     // INFOMANIAK_APP_CREDENTIAL_ID / _SECRET, or an OpenStack openrc (OS_*).
//!     let client = InfomaniakVolumeClient::from_env()?;
//!
//!     // Plain face: no `?`, failures are logged and give a sentinel.
//!     for volume in client.list_volumes() {
//!         println!("{} {:?} {} GiB {}", volume.id, volume.name, volume.size, volume.status);
//!     }
//!
//!     // `try_` face: typed errors.
//!     let volume = client.try_create_volume(10, "scratch", &CreateVolumeOptions::default())?;
//!     let volume = client.try_wait_for_volume_status(&volume.id, "available", Duration::from_secs(300))?;
//!     client.try_extend_volume(&volume.id, 20)?;
//!     client.try_wait_for_volume_status(&volume.id, "available", Duration::from_secs(300))?;
//!
//!     match client.try_get_volume("no-such-volume") {
//!         Err(Error::NotFound { request_id, .. }) => println!("gone (request {request_id:?})"),
//!         other => println!("{other:?}"),
//!     }
//!
//!     if !client.delete_volume(&volume.id, false) {
//!         eprintln!("delete failed; see the log");
//!     }
//!     Ok(())
//! }
//! ```
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
//! `delete_*(id, true)` sends Cinder's `os-force_delete` action, which Cinder's default policy
//! reserves for admins: a project member gets HTTP 403, and the error says so.
//!
//! [Infomaniak Public Cloud]: https://www.infomaniak.com/en/hosting/public-cloud

#![deny(missing_docs)]
#![forbid(unsafe_code)]

// The README's Rust examples are compiled as doctests, so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod attachments;
mod backups;
mod client;
#[cfg(feature = "clouds-yaml")]
mod clouds;
mod config;
mod de;
mod error;
#[cfg(test)]
mod hostile_tests;
mod identity;
mod pagination;
mod project;
mod query;
mod snapshots;
mod transport;
mod validate;
mod volumes;

pub use attachments::ServerAttachment;
pub use backups::{Backup, BackupRestore};
pub use client::InfomaniakVolumeClient;
pub use config::{
    Auth, Config, Domain, Interface, Microversion, Project, ProxySetting, RetryPolicy, Secret,
    User, WaitPolicy, DEFAULT_AUTH_URL, DEFAULT_COMPUTE_MICROVERSION, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PAGES, DEFAULT_REGION, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_VOLUME_MICROVERSION,
};
pub use error::{Error, Result};
pub use pagination::{Link, Pages};
pub use project::{AbsoluteLimits, AvailabilityZone, QuotaSet, QuotaUsage, VolumeType};
pub use query::ListOptions;
pub use snapshots::Snapshot;
pub use volumes::{CreateVolumeOptions, MigrationPolicy, UpdateVolume, Volume, VolumeAttachment};
