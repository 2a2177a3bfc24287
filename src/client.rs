//! [`InfomaniakVolumeClient`]: every operation in its two faces.
//!
//! `try_<name>` does the work: validate, build, send, decode. The plain `<name>` is a one-line
//! wrapper that logs a failure through `log::error!` and returns the sentinel.

use std::fmt::Display;
use std::sync::Arc;
use std::time::{Duration, Instant};

use log::{error, warn};
use serde_json::Value;
use ureq::http::Method;

mod extras;

use crate::attachments::{self, AttachmentList, AttachmentReply, ServerAttachment};
use crate::backups::{self, Backup, BackupReply, BackupRestore, RestoreReply};
use crate::config::{Config, DEFAULT_AUTH_URL};
use crate::error::{Error, Result};
use crate::pagination::{self, PageDecoder, Pages};
use crate::query::ListOptions;
use crate::snapshots::{self, Snapshot, SnapshotReply};
use crate::transport::{Service, Subject, Transport};
use crate::validate;
use crate::volumes::{self, CreateVolumeOptions, Volume, VolumeReply};

/// A blocking client for Infomaniak Public Cloud block storage (or any OpenStack cloud).
///
/// Construction does no network I/O; the first call authenticates. The token is reused,
/// renewed before it expires and once after a 401. The client is `Send + Sync` and cheap to
/// clone: clones share the token and the connection pool.
///
/// Every operation has two faces: `list_volumes()` returns the value or a sentinel (empty
/// `Vec`, `None`, `false`) after logging one `error!` line; `try_list_volumes()` returns
/// `Result<_, Error>`.
#[derive(Debug, Clone)]
pub struct InfomaniakVolumeClient {
    transport: Arc<Transport>,
}

/// What a request is about, for [`Error::NotFound`].
fn subject<'a>(resource: &'static str, id: &'a str) -> Option<Subject<'a>> {
    Some(Subject { resource, id })
}

/// The plain face: the value, or `None` after one log line. `NotAttached` is a warning, as the
/// volume simply was not there to detach; everything else is an error.
fn logged<T>(operation: &str, target: impl Display, result: Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(err @ Error::NotAttached { .. }) => {
            warn!("{operation}({target}): {err}");
            None
        }
        Err(err) => {
            error!("{operation}({target}) failed: {err}");
            None
        }
    }
}

/// The plain face of a page iterator: pages until the last one or the first failure, which
/// is logged once.
fn logged_pages<T>(
    operation: &'static str,
    pages: Result<Pages<T>>,
) -> impl Iterator<Item = Vec<T>> {
    logged(operation, "", pages)
        .into_iter()
        .flatten()
        .map_while(move |page| logged(operation, "", page))
}

/// Cinder's default policy reserves force delete for admins: say so instead of a bare 403.
fn explain_force_delete(resource: &str, err: Error) -> Error {
    match err {
        Error::Api {
            status: 403,
            code,
            message,
            request_id,
            retry_after,
        } => Error::Api {
            status: 403,
            code,
            message: format!(
                "{message} (force delete of a {resource} is admin-only under Cinder's default \
                 policy, so project members get 403; delete without force once it is \
                 available or in error)"
            ),
            request_id,
            retry_after,
        },
        other => other,
    }
}

impl InfomaniakVolumeClient {
    /// A client for `config`. Checks the settings; sends nothing.
    pub fn new(config: Config) -> Result<InfomaniakVolumeClient> {
        Ok(InfomaniakVolumeClient {
            transport: Arc::new(Transport::new(config)?),
        })
    }

    /// A client configured from the environment; see [`Config::from_vars`] for the variables.
    pub fn from_env() -> Result<InfomaniakVolumeClient> {
        InfomaniakVolumeClient::new(Config::from_env()?)
    }

    /// A client for cloud `name` of `clouds.yaml`; see [`Config::from_cloud`].
    pub fn from_cloud(name: &str) -> Result<InfomaniakVolumeClient> {
        InfomaniakVolumeClient::new(Config::from_cloud(name)?)
    }

    /// A client with an application credential. `auth_url` defaults to Infomaniak pub1 and
    /// `region` to `dc3-a`.
    pub fn from_credentials(
        application_credential_id: &str,
        application_credential_secret: &str,
        auth_url: Option<&str>,
        region: Option<&str>,
    ) -> Result<InfomaniakVolumeClient> {
        let mut config = Config::application_credential(
            application_credential_id,
            application_credential_secret,
        );
        config.auth_url = auth_url.unwrap_or(DEFAULT_AUTH_URL).to_string();
        if let Some(region) = region {
            config.region = region.to_string();
        }
        InfomaniakVolumeClient::new(config)
    }

    /// The configuration in use (secrets redacted in its `Debug`).
    pub fn config(&self) -> &Config {
        self.transport.config()
    }

    // ----- connection -------------------------------------------------------------------

    /// Authenticates now (replacing any token held) and checks that the catalog has a block
    /// storage endpoint for the configured region and interface.
    pub fn try_authenticate(&self) -> Result<()> {
        self.transport.reauthenticate()?;
        self.transport.endpoint(Service::BlockStorage).map(|_| ())
    }

    /// Plain face of [`try_authenticate`](Self::try_authenticate): `true` when the credentials
    /// work and block storage is reachable through the catalog.
    pub fn validate_connection(&self) -> bool {
        logged("validate_connection", "", self.try_authenticate()).is_some()
    }

    // ----- volumes ----------------------------------------------------------------------

    /// Every volume of the project, following pagination to the last page.
    pub fn try_list_volumes(&self) -> Result<Vec<Volume>> {
        self.try_list_volumes_with(&ListOptions::default())
    }

    /// Plain face of [`try_list_volumes`](Self::try_list_volumes): empty on failure.
    pub fn list_volumes(&self) -> Vec<Volume> {
        logged("list_volumes", "", self.try_list_volumes()).unwrap_or_default()
    }

    /// The volumes matching `options`, every page.
    pub fn try_list_volumes_with(&self, options: &ListOptions) -> Result<Vec<Volume>> {
        pagination::collect_all(self.try_volume_pages(options)?)
    }

    /// Plain face of [`try_list_volumes_with`](Self::try_list_volumes_with): empty on failure.
    pub fn list_volumes_with(&self, options: &ListOptions) -> Vec<Volume> {
        logged("list_volumes_with", "", self.try_list_volumes_with(options)).unwrap_or_default()
    }

    /// A lazy iterator over the pages of volumes matching `options`: each step fetches one
    /// page, so a script can stop early on a very large project.
    pub fn try_volume_pages(&self, options: &ListOptions) -> Result<Pages<Volume>> {
        self.pages(options, "volume", volumes::LIST_PATH, volumes::decode_page)
    }

    /// Plain face of [`try_volume_pages`](Self::try_volume_pages): yields pages until the
    /// last one or the first failure, which is logged.
    pub fn volume_pages(&self, options: &ListOptions) -> impl Iterator<Item = Vec<Volume>> {
        logged_pages("volume_pages", self.try_volume_pages(options))
    }

    /// One volume by id. A missing volume is [`Error::NotFound`].
    pub fn try_get_volume(&self, volume_id: &str) -> Result<Volume> {
        validate::id("volume_id", volume_id)?;
        let reply: VolumeReply = self.transport.get_json(
            Service::BlockStorage,
            &volumes::path(volume_id),
            subject("volume", volume_id),
            "volume",
        )?;
        Ok(reply.volume)
    }

    /// Plain face of [`try_get_volume`](Self::try_get_volume): `None` on failure, also when the
    /// volume does not exist.
    pub fn get_volume(&self, volume_id: &str) -> Option<Volume> {
        logged("get_volume", volume_id, self.try_get_volume(volume_id))
    }

    /// Creates a volume of `size` GiB. The returned volume is usually still `creating`: wait
    /// with [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    pub fn try_create_volume(
        &self,
        size: u64,
        name: &str,
        options: &CreateVolumeOptions,
    ) -> Result<Volume> {
        validate::size("size", size)?;
        validate::text("name", name)?;
        validate::opt_description("description", options.description.as_deref())?;
        validate::opt_id("snapshot_id", options.snapshot_id.as_deref())?;
        validate::opt_id("source_volume_id", options.source_volume_id.as_deref())?;
        validate::opt_id("backup_id", options.backup_id.as_deref())?;
        if options.backup_id.is_some() {
            self.require("create a volume from a backup", extras::CREATE_FROM_BACKUP)?;
        }
        let body = volumes::create_body(size, name, options);
        let reply = self.transport.call(
            Service::BlockStorage,
            Method::POST,
            volumes::COLLECTION_PATH,
            Some(&body),
            None,
        )?;
        Ok(reply.json::<VolumeReply>("created volume")?.volume)
    }

    /// Plain face of [`try_create_volume`](Self::try_create_volume): `None` on failure.
    pub fn create_volume(
        &self,
        size: u64,
        name: &str,
        options: &CreateVolumeOptions,
    ) -> Option<Volume> {
        logged(
            "create_volume",
            name,
            self.try_create_volume(size, name, options),
        )
    }

    /// Deletes a volume (`DELETE /volumes/{id}`), or with `force` sends `os-force_delete`,
    /// which is admin-only under Cinder's default policy (project members get 403). Cinder
    /// answers 400 for a volume that is attached or has snapshots. Deletion is asynchronous:
    /// see [`try_wait_for_volume_deleted`](Self::try_wait_for_volume_deleted).
    pub fn try_delete_volume(&self, volume_id: &str, force: bool) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        self.delete_resource(
            "volume",
            volume_id,
            force,
            &volumes::path(volume_id),
            &volumes::action_path(volume_id),
        )
    }

    /// Plain face of [`try_delete_volume`](Self::try_delete_volume): `true` when Cinder
    /// accepted the deletion.
    pub fn delete_volume(&self, volume_id: &str, force: bool) -> bool {
        logged(
            "delete_volume",
            volume_id,
            self.try_delete_volume(volume_id, force),
        )
        .is_some()
    }

    /// Extends a volume to `new_size` GiB (`os-extend`). Cinder cannot shrink a volume; a size
    /// that is not larger is refused by Cinder with 400.
    pub fn try_extend_volume(&self, volume_id: &str, new_size: u64) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        validate::size("new_size", new_size)?;
        self.check_extend_allowed(volume_id)?;
        self.volume_action(volume_id, &volumes::extend_body(new_size))
    }

    /// Plain face of [`try_extend_volume`](Self::try_extend_volume).
    pub fn extend_volume(&self, volume_id: &str, new_size: u64) -> bool {
        logged(
            "extend_volume",
            format_args!("{volume_id}, {new_size} GiB"),
            self.try_extend_volume(volume_id, new_size),
        )
        .is_some()
    }

    fn volume_action(&self, volume_id: &str, body: &Value) -> Result<()> {
        self.transport.call(
            Service::BlockStorage,
            Method::POST,
            &volumes::action_path(volume_id),
            Some(body),
            subject("volume", volume_id),
        )?;
        Ok(())
    }

    // ----- attachments (Nova) -----------------------------------------------------------

    /// Attaches a volume to a server through Nova. `device` (e.g. `/dev/vdb`) is a hint that
    /// most hypervisors ignore; `None` lets Nova choose. Nova answers 200 with the attachment
    /// or, from microversion 2.101, 202 without a body: both are success. Attaching is
    /// asynchronous: the volume turns `in-use` shortly after.
    pub fn try_attach_volume(
        &self,
        volume_id: &str,
        instance_id: &str,
        device: Option<&str>,
    ) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        validate::id("instance_id", instance_id)?;
        if let Some(device) = device {
            if device.is_empty() {
                return Err(Error::invalid(
                    "device",
                    "is empty; pass None to let Nova choose",
                ));
            }
            validate::text("device", device)?;
        }
        self.transport.call(
            Service::Compute,
            Method::POST,
            &attachments::list_path(instance_id),
            Some(&attachments::attach_body(volume_id, device)),
            // A 404 may be the server or the volume: Nova's message says which, so the
            // error stays an `Error::Api` carrying it rather than naming one id.
            None,
        )?;
        Ok(())
    }

    /// Plain face of [`try_attach_volume`](Self::try_attach_volume).
    pub fn attach_volume(&self, volume_id: &str, instance_id: &str, device: Option<&str>) -> bool {
        logged(
            "attach_volume",
            format_args!("{volume_id} to {instance_id}"),
            self.try_attach_volume(volume_id, instance_id, device),
        )
        .is_some()
    }

    /// The volumes attached to a server, as Nova lists them.
    pub fn try_list_server_attachments(&self, instance_id: &str) -> Result<Vec<ServerAttachment>> {
        validate::id("instance_id", instance_id)?;
        let list: AttachmentList = self.transport.get_json(
            Service::Compute,
            &attachments::list_path(instance_id),
            Some(Subject {
                resource: "server",
                id: instance_id,
            }),
            "server volume attachments",
        )?;
        Ok(list.volume_attachments)
    }

    /// Plain face of [`try_list_server_attachments`](Self::try_list_server_attachments).
    pub fn list_server_attachments(&self, instance_id: &str) -> Vec<ServerAttachment> {
        logged(
            "list_server_attachments",
            instance_id,
            self.try_list_server_attachments(instance_id),
        )
        .unwrap_or_default()
    }

    /// The attachment of `volume_id` on server `instance_id` (volume first, like
    /// `attach_volume`). [`Error::NotFound`] when that volume is not attached to that server
    /// (or the server does not exist).
    pub fn try_get_server_attachment(
        &self,
        volume_id: &str,
        instance_id: &str,
    ) -> Result<ServerAttachment> {
        validate::id("instance_id", instance_id)?;
        validate::id("volume_id", volume_id)?;
        let reply: AttachmentReply = self.transport.get_json(
            Service::Compute,
            &attachments::path(instance_id, volume_id),
            Some(Subject {
                resource: "volume attachment",
                id: volume_id,
            }),
            "server volume attachment",
        )?;
        Ok(reply.volume_attachment)
    }

    /// Plain face of [`try_get_server_attachment`](Self::try_get_server_attachment).
    pub fn get_server_attachment(
        &self,
        volume_id: &str,
        instance_id: &str,
    ) -> Option<ServerAttachment> {
        logged(
            "get_server_attachment",
            format_args!("{volume_id} on {instance_id}"),
            self.try_get_server_attachment(volume_id, instance_id),
        )
    }

    /// Detaches a volume from a server: finds the attachment in Nova's list, then deletes it.
    /// A volume that is not attached to that server gives [`Error::NotAttached`] and nothing
    /// is sent after the list. Detaching is asynchronous: the volume turns `available` shortly
    /// after.
    pub fn try_detach_volume(&self, volume_id: &str, instance_id: &str) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        validate::id("instance_id", instance_id)?;
        let attached = self
            .try_list_server_attachments(instance_id)?
            .iter()
            .any(|a| a.volume_id == volume_id);
        if !attached {
            return Err(Error::NotAttached {
                volume_id: volume_id.to_string(),
                instance_id: instance_id.to_string(),
            });
        }
        self.transport.call(
            Service::Compute,
            Method::DELETE,
            &attachments::path(instance_id, volume_id),
            None,
            Some(Subject {
                resource: "volume attachment",
                id: volume_id,
            }),
        )?;
        Ok(())
    }

    /// Plain face of [`try_detach_volume`](Self::try_detach_volume): `false` with a warning
    /// when the volume is not attached to that server.
    pub fn detach_volume(&self, volume_id: &str, instance_id: &str) -> bool {
        logged(
            "detach_volume",
            format_args!("{volume_id} from {instance_id}"),
            self.try_detach_volume(volume_id, instance_id),
        )
        .is_some()
    }

    // ----- backups ----------------------------------------------------------------------

    /// Every backup of the project, following pagination to the last page.
    pub fn try_list_backups(&self) -> Result<Vec<Backup>> {
        self.try_list_backups_with(&ListOptions::default())
    }

    /// Plain face of [`try_list_backups`](Self::try_list_backups): empty on failure.
    pub fn list_backups(&self) -> Vec<Backup> {
        logged("list_backups", "", self.try_list_backups()).unwrap_or_default()
    }

    /// The backups matching `options`, every page.
    pub fn try_list_backups_with(&self, options: &ListOptions) -> Result<Vec<Backup>> {
        pagination::collect_all(self.try_backup_pages(options)?)
    }

    /// Plain face of [`try_list_backups_with`](Self::try_list_backups_with): empty on failure.
    pub fn list_backups_with(&self, options: &ListOptions) -> Vec<Backup> {
        logged("list_backups_with", "", self.try_list_backups_with(options)).unwrap_or_default()
    }

    /// A lazy iterator over the pages of backups matching `options`: each step fetches one
    /// page, so a script can stop early on a very large project.
    pub fn try_backup_pages(&self, options: &ListOptions) -> Result<Pages<Backup>> {
        self.pages(options, "backup", backups::LIST_PATH, backups::decode_page)
    }

    /// Plain face of [`try_backup_pages`](Self::try_backup_pages): yields pages until the
    /// last one or the first failure, which is logged.
    pub fn backup_pages(&self, options: &ListOptions) -> impl Iterator<Item = Vec<Backup>> {
        logged_pages("backup_pages", self.try_backup_pages(options))
    }

    /// One backup by id.
    pub fn try_get_backup(&self, backup_id: &str) -> Result<Backup> {
        validate::id("backup_id", backup_id)?;
        let reply: BackupReply = self.transport.get_json(
            Service::BlockStorage,
            &backups::path(backup_id),
            subject("backup", backup_id),
            "backup",
        )?;
        Ok(reply.backup)
    }

    /// Plain face of [`try_get_backup`](Self::try_get_backup).
    pub fn get_backup(&self, backup_id: &str) -> Option<Backup> {
        logged("get_backup", backup_id, self.try_get_backup(backup_id))
    }

    /// Backs a volume up. `incremental` builds on the volume's last backup; `force` allows an
    /// `in-use` volume.
    ///
    /// Cinder's reply holds only the backup's id and name, so the returned [`Backup`] has
    /// those two fields set and every other field at its default (`status` empty, `size` 0).
    /// Fetch it with [`try_get_backup`](Self::try_get_backup) or wait with
    /// [`try_wait_for_backup_status`](Self::try_wait_for_backup_status).
    pub fn try_create_backup(
        &self,
        volume_id: &str,
        name: &str,
        description: Option<&str>,
        incremental: bool,
        force: bool,
    ) -> Result<Backup> {
        validate::id("volume_id", volume_id)?;
        validate::text("name", name)?;
        validate::opt_description("description", description)?;
        let body = backups::create_body(volume_id, name, description, incremental, force);
        let reply = self.transport.call(
            Service::BlockStorage,
            Method::POST,
            backups::COLLECTION_PATH,
            Some(&body),
            // A 404 here means the volume does not exist.
            subject("volume", volume_id),
        )?;
        let mut backup = reply.json::<BackupReply>("created backup")?.backup;
        if backup.volume_id.is_empty() {
            backup.volume_id = volume_id.to_string();
        }
        Ok(backup)
    }

    /// Plain face of [`try_create_backup`](Self::try_create_backup).
    pub fn create_backup(
        &self,
        volume_id: &str,
        name: &str,
        description: Option<&str>,
        incremental: bool,
        force: bool,
    ) -> Option<Backup> {
        logged(
            "create_backup",
            format_args!("{volume_id}, {name}"),
            self.try_create_backup(volume_id, name, description, incremental, force),
        )
    }

    /// Restores a backup: onto `volume_id` (which must be `available` and at least as large as
    /// the backup), or into a new volume named `name` when `volume_id` is `None`.
    pub fn try_restore_backup(
        &self,
        backup_id: &str,
        volume_id: Option<&str>,
        name: Option<&str>,
    ) -> Result<BackupRestore> {
        validate::id("backup_id", backup_id)?;
        validate::opt_id("volume_id", volume_id)?;
        validate::opt_text("name", name)?;
        let reply = self.transport.call(
            Service::BlockStorage,
            Method::POST,
            &backups::restore_path(backup_id),
            Some(&backups::restore_body(volume_id, name)),
            // With a target volume a 404 may name either; Cinder's message says which.
            if volume_id.is_none() {
                subject("backup", backup_id)
            } else {
                None
            },
        )?;
        Ok(reply.json::<RestoreReply>("backup restore")?.restore)
    }

    /// Plain face of [`try_restore_backup`](Self::try_restore_backup).
    pub fn restore_backup(
        &self,
        backup_id: &str,
        volume_id: Option<&str>,
        name: Option<&str>,
    ) -> Option<BackupRestore> {
        logged(
            "restore_backup",
            backup_id,
            self.try_restore_backup(backup_id, volume_id, name),
        )
    }

    /// Deletes a backup, or with `force` sends `os-force_delete` (admin-only under Cinder's
    /// default policy: project members get 403). A backup with incremental children cannot be
    /// deleted (400).
    pub fn try_delete_backup(&self, backup_id: &str, force: bool) -> Result<()> {
        validate::id("backup_id", backup_id)?;
        self.delete_resource(
            "backup",
            backup_id,
            force,
            &backups::path(backup_id),
            &backups::action_path(backup_id),
        )
    }

    /// Plain face of [`try_delete_backup`](Self::try_delete_backup).
    pub fn delete_backup(&self, backup_id: &str, force: bool) -> bool {
        logged(
            "delete_backup",
            backup_id,
            self.try_delete_backup(backup_id, force),
        )
        .is_some()
    }

    // ----- snapshots --------------------------------------------------------------------

    /// Every snapshot of the project, following pagination to the last page.
    pub fn try_list_snapshots(&self) -> Result<Vec<Snapshot>> {
        self.try_list_snapshots_with(&ListOptions::default())
    }

    /// Plain face of [`try_list_snapshots`](Self::try_list_snapshots): empty on failure.
    pub fn list_snapshots(&self) -> Vec<Snapshot> {
        logged("list_snapshots", "", self.try_list_snapshots()).unwrap_or_default()
    }

    /// The snapshots matching `options`, every page.
    pub fn try_list_snapshots_with(&self, options: &ListOptions) -> Result<Vec<Snapshot>> {
        pagination::collect_all(self.try_snapshot_pages(options)?)
    }

    /// Plain face of [`try_list_snapshots_with`](Self::try_list_snapshots_with): empty on failure.
    pub fn list_snapshots_with(&self, options: &ListOptions) -> Vec<Snapshot> {
        logged(
            "list_snapshots_with",
            "",
            self.try_list_snapshots_with(options),
        )
        .unwrap_or_default()
    }

    /// A lazy iterator over the pages of snapshots matching `options`: each step fetches one
    /// page, so a script can stop early on a very large project.
    pub fn try_snapshot_pages(&self, options: &ListOptions) -> Result<Pages<Snapshot>> {
        self.pages(
            options,
            "snapshot",
            snapshots::LIST_PATH,
            snapshots::decode_page,
        )
    }

    /// Plain face of [`try_snapshot_pages`](Self::try_snapshot_pages): yields pages until the
    /// last one or the first failure, which is logged.
    pub fn snapshot_pages(&self, options: &ListOptions) -> impl Iterator<Item = Vec<Snapshot>> {
        logged_pages("snapshot_pages", self.try_snapshot_pages(options))
    }

    /// One snapshot by id.
    pub fn try_get_snapshot(&self, snapshot_id: &str) -> Result<Snapshot> {
        validate::id("snapshot_id", snapshot_id)?;
        let reply: SnapshotReply = self.transport.get_json(
            Service::BlockStorage,
            &snapshots::path(snapshot_id),
            subject("snapshot", snapshot_id),
            "snapshot",
        )?;
        Ok(reply.snapshot)
    }

    /// Plain face of [`try_get_snapshot`](Self::try_get_snapshot).
    pub fn get_snapshot(&self, snapshot_id: &str) -> Option<Snapshot> {
        logged(
            "get_snapshot",
            snapshot_id,
            self.try_get_snapshot(snapshot_id),
        )
    }

    /// Snapshots a volume. `force` is needed for an `in-use` volume below microversion 3.66
    /// and is sent only when true (3.66+ rejects `force: false`).
    pub fn try_create_snapshot(
        &self,
        volume_id: &str,
        name: &str,
        description: Option<&str>,
        force: bool,
    ) -> Result<Snapshot> {
        validate::id("volume_id", volume_id)?;
        validate::text("name", name)?;
        validate::opt_description("description", description)?;
        let body = snapshots::create_body(volume_id, name, description, force);
        let reply = self.transport.call(
            Service::BlockStorage,
            Method::POST,
            snapshots::COLLECTION_PATH,
            Some(&body),
            // A 404 here means the volume does not exist.
            subject("volume", volume_id),
        )?;
        Ok(reply.json::<SnapshotReply>("created snapshot")?.snapshot)
    }

    /// Plain face of [`try_create_snapshot`](Self::try_create_snapshot).
    pub fn create_snapshot(
        &self,
        volume_id: &str,
        name: &str,
        description: Option<&str>,
        force: bool,
    ) -> Option<Snapshot> {
        logged(
            "create_snapshot",
            format_args!("{volume_id}, {name}"),
            self.try_create_snapshot(volume_id, name, description, force),
        )
    }

    /// Deletes a snapshot, or with `force` sends `os-force_delete` (admin-only under Cinder's
    /// default policy: project members get 403).
    pub fn try_delete_snapshot(&self, snapshot_id: &str, force: bool) -> Result<()> {
        validate::id("snapshot_id", snapshot_id)?;
        self.delete_resource(
            "snapshot",
            snapshot_id,
            force,
            &snapshots::path(snapshot_id),
            &snapshots::action_path(snapshot_id),
        )
    }

    /// Plain face of [`try_delete_snapshot`](Self::try_delete_snapshot).
    pub fn delete_snapshot(&self, snapshot_id: &str, force: bool) -> bool {
        logged(
            "delete_snapshot",
            snapshot_id,
            self.try_delete_snapshot(snapshot_id, force),
        )
        .is_some()
    }

    // ----- waiters ----------------------------------------------------------------------

    /// Polls a volume until its status is `target` and returns it. Stops at once with
    /// [`Error::ResourceFailed`] when the volume enters an error state, and with
    /// [`Error::WaitTimeout`] (naming the last status seen) after `timeout`.
    pub fn try_wait_for_volume_status(
        &self,
        volume_id: &str,
        target: &str,
        timeout: Duration,
    ) -> Result<Volume> {
        self.try_wait_for_volume_status_with(volume_id, target, timeout, |_, _| {})
    }

    /// [`try_wait_for_volume_status`](Self::try_wait_for_volume_status) that calls `progress`
    /// with each status seen and the time elapsed.
    pub fn try_wait_for_volume_status_with(
        &self,
        volume_id: &str,
        target: &str,
        timeout: Duration,
        progress: impl FnMut(&str, Duration),
    ) -> Result<Volume> {
        self.wait_until("volume", volume_id, target, timeout, progress, || {
            self.try_get_volume(volume_id)
                .map(|v| (v.status.clone(), v))
        })
    }

    /// Plain face of [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    pub fn wait_for_volume_status(
        &self,
        volume_id: &str,
        target: &str,
        timeout: Duration,
    ) -> Option<Volume> {
        logged(
            "wait_for_volume_status",
            format_args!("{volume_id}, {target}"),
            self.try_wait_for_volume_status(volume_id, target, timeout),
        )
    }

    /// Polls a snapshot until its status is `target`; see
    /// [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    pub fn try_wait_for_snapshot_status(
        &self,
        snapshot_id: &str,
        target: &str,
        timeout: Duration,
    ) -> Result<Snapshot> {
        self.try_wait_for_snapshot_status_with(snapshot_id, target, timeout, |_, _| {})
    }

    /// [`try_wait_for_snapshot_status`](Self::try_wait_for_snapshot_status) with a progress
    /// callback.
    pub fn try_wait_for_snapshot_status_with(
        &self,
        snapshot_id: &str,
        target: &str,
        timeout: Duration,
        progress: impl FnMut(&str, Duration),
    ) -> Result<Snapshot> {
        self.wait_until("snapshot", snapshot_id, target, timeout, progress, || {
            self.try_get_snapshot(snapshot_id)
                .map(|s| (s.status.clone(), s))
        })
    }

    /// Plain face of [`try_wait_for_snapshot_status`](Self::try_wait_for_snapshot_status).
    pub fn wait_for_snapshot_status(
        &self,
        snapshot_id: &str,
        target: &str,
        timeout: Duration,
    ) -> Option<Snapshot> {
        logged(
            "wait_for_snapshot_status",
            format_args!("{snapshot_id}, {target}"),
            self.try_wait_for_snapshot_status(snapshot_id, target, timeout),
        )
    }

    /// Polls a backup until its status is `target`; see
    /// [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    pub fn try_wait_for_backup_status(
        &self,
        backup_id: &str,
        target: &str,
        timeout: Duration,
    ) -> Result<Backup> {
        self.try_wait_for_backup_status_with(backup_id, target, timeout, |_, _| {})
    }

    /// [`try_wait_for_backup_status`](Self::try_wait_for_backup_status) with a progress
    /// callback.
    pub fn try_wait_for_backup_status_with(
        &self,
        backup_id: &str,
        target: &str,
        timeout: Duration,
        progress: impl FnMut(&str, Duration),
    ) -> Result<Backup> {
        self.wait_until("backup", backup_id, target, timeout, progress, || {
            self.try_get_backup(backup_id)
                .map(|b| (b.status.clone(), b))
        })
    }

    /// Plain face of [`try_wait_for_backup_status`](Self::try_wait_for_backup_status).
    pub fn wait_for_backup_status(
        &self,
        backup_id: &str,
        target: &str,
        timeout: Duration,
    ) -> Option<Backup> {
        logged(
            "wait_for_backup_status",
            format_args!("{backup_id}, {target}"),
            self.try_wait_for_backup_status(backup_id, target, timeout),
        )
    }

    /// Polls until the volume is gone (404). Stops with [`Error::ResourceFailed`] on
    /// `error_deleting` and [`Error::WaitTimeout`] after `timeout`. Other error states do not
    /// end the wait: a volume deleted from `error` may show it for a moment.
    pub fn try_wait_for_volume_deleted(&self, volume_id: &str, timeout: Duration) -> Result<()> {
        self.wait_gone("volume", volume_id, timeout, || {
            self.try_get_volume(volume_id).map(|v| v.status)
        })
    }

    /// Plain face of [`try_wait_for_volume_deleted`](Self::try_wait_for_volume_deleted).
    pub fn wait_for_volume_deleted(&self, volume_id: &str, timeout: Duration) -> bool {
        logged(
            "wait_for_volume_deleted",
            volume_id,
            self.try_wait_for_volume_deleted(volume_id, timeout),
        )
        .is_some()
    }

    /// Polls until the snapshot is gone (404).
    pub fn try_wait_for_snapshot_deleted(
        &self,
        snapshot_id: &str,
        timeout: Duration,
    ) -> Result<()> {
        self.wait_gone("snapshot", snapshot_id, timeout, || {
            self.try_get_snapshot(snapshot_id).map(|s| s.status)
        })
    }

    /// Plain face of [`try_wait_for_snapshot_deleted`](Self::try_wait_for_snapshot_deleted).
    pub fn wait_for_snapshot_deleted(&self, snapshot_id: &str, timeout: Duration) -> bool {
        logged(
            "wait_for_snapshot_deleted",
            snapshot_id,
            self.try_wait_for_snapshot_deleted(snapshot_id, timeout),
        )
        .is_some()
    }

    /// Polls until the backup is gone (404).
    pub fn try_wait_for_backup_deleted(&self, backup_id: &str, timeout: Duration) -> Result<()> {
        self.wait_gone("backup", backup_id, timeout, || {
            self.try_get_backup(backup_id).map(|b| b.status)
        })
    }

    /// Plain face of [`try_wait_for_backup_deleted`](Self::try_wait_for_backup_deleted).
    pub fn wait_for_backup_deleted(&self, backup_id: &str, timeout: Duration) -> bool {
        logged(
            "wait_for_backup_deleted",
            backup_id,
            self.try_wait_for_backup_deleted(backup_id, timeout),
        )
        .is_some()
    }

    // ----- shared machinery -------------------------------------------------------------

    /// `DELETE {path}`, or with `force` the `os-force_delete` action, which Cinder's default
    /// policy reserves for admins.
    fn delete_resource(
        &self,
        resource: &'static str,
        id: &str,
        force: bool,
        path: &str,
        action_path: &str,
    ) -> Result<()> {
        let subject = Some(Subject { resource, id });
        if force {
            self.transport
                .call(
                    Service::BlockStorage,
                    Method::POST,
                    action_path,
                    Some(&volumes::force_delete_body()),
                    subject,
                )
                .map_err(|e| explain_force_delete(resource, e))?;
        } else {
            self.transport
                .call(Service::BlockStorage, Method::DELETE, path, None, subject)?;
        }
        Ok(())
    }

    /// The page iterator of a detailed Cinder listing.
    fn pages<T>(
        &self,
        options: &ListOptions,
        resource: &'static str,
        path: &'static str,
        decode: PageDecoder<T>,
    ) -> Result<Pages<T>> {
        validate::opt_id("marker", options.marker.as_deref())?;
        Ok(Pages::new(
            Arc::clone(&self.transport),
            path,
            format!("{resource} list page"),
            options.query(resource)?,
            decode,
        ))
    }

    /// Calls `step` with increasing pauses until it yields a value or `timeout` passes.
    /// `Ok(Err(waited))` means it timed out.
    fn poll<T>(
        &self,
        timeout: Duration,
        mut step: impl FnMut(Duration) -> Result<Option<T>>,
    ) -> Result<std::result::Result<T, Duration>> {
        let policy = self.config().wait;
        let started = Instant::now();
        let mut interval = policy.initial_interval;
        loop {
            if let Some(done) = step(started.elapsed())? {
                return Ok(Ok(done));
            }
            let elapsed = started.elapsed();
            if elapsed >= timeout {
                return Ok(Err(elapsed));
            }
            std::thread::sleep(interval.min(timeout - elapsed));
            let ceiling = policy.max_interval.max(policy.initial_interval);
            interval = Duration::try_from_secs_f64(interval.as_secs_f64() * policy.backoff)
                .unwrap_or(ceiling)
                .min(ceiling);
        }
    }

    fn wait_until<T>(
        &self,
        resource: &'static str,
        id: &str,
        target: &str,
        timeout: Duration,
        mut progress: impl FnMut(&str, Duration),
        fetch: impl Fn() -> Result<(String, T)>,
    ) -> Result<T> {
        // The id is validated by `fetch` under its own argument name (`volume_id`, ...).
        if target.is_empty() {
            return Err(Error::invalid("target", "is empty"));
        }
        let mut last = String::from("(never seen)");
        let outcome = self.poll(timeout, |elapsed| {
            let (status, value) = fetch()?;
            progress(&status, elapsed);
            if status == target {
                return Ok(Some(value));
            }
            if volumes::is_error_status(&status) {
                return Err(Error::ResourceFailed {
                    resource,
                    id: id.to_string(),
                    status,
                });
            }
            last = status;
            Ok(None)
        })?;
        outcome.map_err(|waited| Error::WaitTimeout {
            resource,
            id: id.to_string(),
            target: target.to_string(),
            last_status: last,
            waited,
        })
    }

    fn wait_gone(
        &self,
        resource: &'static str,
        id: &str,
        timeout: Duration,
        fetch: impl Fn() -> Result<String>,
    ) -> Result<()> {
        // The id is validated by `fetch` under its own argument name (`volume_id`, ...).
        let mut last = String::from("(never seen)");
        let outcome = self.poll(timeout, |_| match fetch() {
            Err(Error::NotFound { .. }) => Ok(Some(())),
            Err(other) => Err(other),
            // Only a failed deletion ends the wait: a volume deleted from `error` may
            // still show `error` for a moment.
            Ok(status) if status == "error_deleting" => Err(Error::ResourceFailed {
                resource,
                id: id.to_string(),
                status,
            }),
            Ok(status) => {
                last = status;
                Ok(None)
            }
        })?;
        outcome.map_err(|waited| Error::WaitTimeout {
            resource,
            id: id.to_string(),
            target: "deleted".to_string(),
            last_status: last,
            waited,
        })
    }
}
