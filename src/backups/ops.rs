//! The backup operations, in both faces.

use std::time::Duration;

use ureq::http::Method;

use super::wire::{self, BackupReply, RestoreReply};
use super::{
    Backup, BackupRestore, BackupStatus, CreateBackupOptions, DeleteBackupOptions, RestoreTarget,
    UpdateBackup,
};
use crate::client::{InfomaniakVolumeClient, logged, logged_pages};
use crate::error::Result;
use crate::listing::{ListOptions, Listing};
use crate::microversion::{self, Microversion, Requirement};
use crate::pagination::{self, Pages};
use crate::transport::{Call, Service};
use crate::validate;
use crate::wait::{Step, known_target};

/// Updating a backup.
const UPDATE: Requirement = Requirement {
    feature: "update a backup",
    needs: Microversion::new(3, 9),
};

impl InfomaniakVolumeClient {
    /// Every backup of the project, following pagination to the last page.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// for backup in client.try_list_backups()? {
    ///     println!("{} of {} {}", backup.id, backup.volume_id, backup.status);
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As any request; a failure on any page fails the whole listing.
    pub fn try_list_backups(&self) -> Result<Vec<Backup>> {
        self.try_list_backups_with(&ListOptions::default())
    }

    /// Plain face of [`try_list_backups`](Self::try_list_backups): empty on failure.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let count = client.list_backups().len();
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_backups(&self) -> Vec<Backup> {
        logged("list_backups", "", self.try_list_backups()).unwrap_or_default()
    }

    /// The backups matching `options`, every page (or at most `options.max_items`).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let ready = client.try_list_backups_with(&infomaniak_block_storage::ListOptions::default().status("available"))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] before sending for a metadata filter, which Cinder's
    /// default policy refuses to members on backups; otherwise as
    /// [`try_list_backups`](Self::try_list_backups).
    pub fn try_list_backups_with(&self, options: &ListOptions) -> Result<Vec<Backup>> {
        pagination::collect_all(self.try_backup_pages(options)?)
    }

    /// Plain face of [`try_list_backups_with`](Self::try_list_backups_with).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let ready = client.list_backups_with(&infomaniak_block_storage::ListOptions::default().status("available"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_backups_with(&self, options: &ListOptions) -> Vec<Backup> {
        logged("list_backups_with", "", self.try_list_backups_with(options)).unwrap_or_default()
    }

    /// A lazy iterator over the pages of backups matching `options`.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// for page in client.try_backup_pages(&Default::default())? {
    ///     println!("{} backups", page?.len());
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`try_list_backups_with`](Self::try_list_backups_with), page by page.
    pub fn try_backup_pages(&self, options: &ListOptions) -> Result<Pages<Backup>> {
        self.pages(
            options,
            Listing::Backups,
            wire::LIST_PATH,
            "backup",
            wire::decode_page,
        )
    }

    /// Plain face of [`try_backup_pages`](Self::try_backup_pages).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let pages = client.backup_pages(&Default::default()).count();
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn backup_pages(&self, options: &ListOptions) -> impl Iterator<Item = Vec<Backup>> {
        logged_pages("backup_pages", self.try_backup_pages(options))
    }

    /// One backup by id.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_get_backup("no-such-backup").unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`] when there is no such backup.
    pub fn try_get_backup(&self, backup_id: &str) -> Result<Backup> {
        validate::id("backup_id", backup_id)?;
        let call =
            Call::get(Service::BlockStorage, wire::path(backup_id)).about("backup", backup_id);
        Ok(self.transport.json::<BackupReply>(&call, "backup")?.backup)
    }

    /// Plain face of [`try_get_backup`](Self::try_get_backup).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_backup("no-such-backup").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn get_backup(&self, backup_id: &str) -> Option<Backup> {
        logged("get_backup", backup_id, self.try_get_backup(backup_id))
    }

    /// Backs a volume up.
    ///
    /// Cinder's reply holds only the backup's id and name, so the returned [`Backup`] has
    /// those (and the volume id) set and every other field at its default (`status` empty,
    /// `size` 0). Fetch it with [`try_get_backup`](Self::try_get_backup) or wait with
    /// [`try_wait_for_backup_status`](Self::try_wait_for_backup_status).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{BackupStatus, CreateBackupOptions, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "data", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let full = client.try_create_backup(&volume.id, "full", &CreateBackupOptions::default())?;
    /// client.try_wait_for_backup_status(&full.id, BackupStatus::Available, Duration::from_secs(60))?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let incremental = client.try_create_backup(&volume.id, "daily", &CreateBackupOptions::default().incremental(true))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] before sending for a bad name, description, id or
    /// metadata key; [`crate::Error::Unsupported`] for metadata below 3.43 or a zone below
    /// 3.51; [`crate::Error::NotFound`] naming the volume; [`crate::Error::Api`] with 400 for
    /// an `in-use` volume without force or an incremental backup without a full one, 413
    /// over quota.
    pub fn try_create_backup(
        &self,
        volume_id: &str,
        name: &str,
        options: &CreateBackupOptions,
    ) -> Result<Backup> {
        validate::id("volume_id", volume_id)?;
        validate::text("name", name)?;
        validate::opt_description("description", options.description.as_deref())?;
        validate::opt_id("snapshot_id", options.snapshot_id.as_deref())?;
        validate::opt_text("container", options.container.as_deref())?;
        validate::opt_text("availability_zone", options.availability_zone.as_deref())?;
        validate::metadata_keys(&options.metadata)?;
        if !options.metadata.is_empty() {
            self.transport
                .require(Service::BlockStorage, microversion::BACKUP_METADATA)?;
        }
        if options.availability_zone.is_some() {
            self.transport
                .require(Service::BlockStorage, microversion::BACKUP_ZONE)?;
        }
        let body = wire::create_body(volume_id, name, options);
        let mut call =
            Call::new(Service::BlockStorage, Method::POST, wire::COLLECTION_PATH).body(&body);
        // A 404 here is the volume, or the snapshot named in the options.
        let both;
        call = match &options.snapshot_id {
            Some(snapshot_id) => {
                both = format!("{volume_id}, {snapshot_id}");
                call.about("volume or snapshot", &both)
            }
            None => call.about("volume", volume_id),
        };
        // Resent below these after a 406, Cinder would drop the knob without a word.
        if !options.metadata.is_empty() {
            call = call.requires(microversion::BACKUP_METADATA);
        }
        if options.availability_zone.is_some() {
            call = call.requires(microversion::BACKUP_ZONE);
        }
        let mut backup = self
            .transport
            .json::<BackupReply>(&call, "created backup")?
            .backup;
        if backup.volume_id.is_empty() {
            backup.volume_id = volume_id.to_string();
        }
        Ok(backup)
    }

    /// Plain face of [`try_create_backup`](Self::try_create_backup).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.create_backup("no-such-volume", "daily", &Default::default()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn create_backup(
        &self,
        volume_id: &str,
        name: &str,
        options: &CreateBackupOptions,
    ) -> Option<Backup> {
        logged(
            "create_backup",
            format_args!("{volume_id}, {name}"),
            self.try_create_backup(volume_id, name, options),
        )
    }

    /// Restores a backup into a new volume or onto an existing one.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{BackupStatus, RestoreTarget, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "data", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let backup = client.try_create_backup(&volume.id, "full", &Default::default())?;
    /// client.try_wait_for_backup_status(&backup.id, BackupStatus::Available, Duration::from_secs(60))?;
    /// let restore = client.try_restore_backup(&backup.id, &RestoreTarget::new_volume("restored"))?;
    /// client.try_wait_for_volume_status(&restore.volume_id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] for a bad id or name; [`crate::Error::NotFound`]
    /// naming the backup (for a new volume); [`crate::Error::Api`] with 400 for a target that
    /// is not `available` or too small (a 404 there may name either, as Cinder's message
    /// says), 413 over quota.
    pub fn try_restore_backup(
        &self,
        backup_id: &str,
        target: &RestoreTarget,
    ) -> Result<BackupRestore> {
        validate::id("backup_id", backup_id)?;
        match target {
            RestoreTarget::NewVolume { name } => validate::opt_text("name", name.as_deref())?,
            RestoreTarget::ExistingVolume { volume_id } => validate::id("volume_id", volume_id)?,
        }
        let body = wire::restore_body(target);
        let mut call = Call::new(
            Service::BlockStorage,
            Method::POST,
            wire::restore_path(backup_id),
        )
        .body(&body);
        // With a target volume a 404 may be either: the error names both, and Cinder's
        // message says which.
        let both;
        call = match target {
            RestoreTarget::ExistingVolume { volume_id } => {
                both = format!("{backup_id}, {volume_id}");
                call.about("backup or volume", &both)
            }
            _ => call.about("backup", backup_id),
        };
        Ok(self
            .transport
            .json::<RestoreReply>(&call, "backup restore")?
            .restore)
    }

    /// Plain face of [`try_restore_backup`](Self::try_restore_backup).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.restore_backup("no-such-backup", &Default::default()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn restore_backup(&self, backup_id: &str, target: &RestoreTarget) -> Option<BackupRestore> {
        logged(
            "restore_backup",
            backup_id,
            self.try_restore_backup(backup_id, target),
        )
    }

    /// Changes a backup's name, description or metadata (Cinder 3.9+, metadata 3.43+).
    ///
    /// Cinder answers with the backup's summary (id, name, links): the returned [`Backup`]
    /// has those set and the other fields at their defaults, as after a create. Fetch it with
    /// [`try_get_backup`](Self::try_get_backup) for the rest.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::UpdateBackup;
    /// let updated = client.try_update_backup("no-such-backup", &UpdateBackup::default().name("x"));
    /// assert!(updated.unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] for bad text or keys; [`crate::Error::Unsupported`]
    /// below 3.9 (3.43 with metadata); [`crate::Error::NotFound`].
    pub fn try_update_backup(&self, backup_id: &str, update: &UpdateBackup) -> Result<Backup> {
        validate::id("backup_id", backup_id)?;
        validate::opt_text("name", update.name.as_deref())?;
        validate::opt_description("description", update.description.as_deref())?;
        self.transport.require(Service::BlockStorage, UPDATE)?;
        if let Some(metadata) = &update.metadata {
            validate::metadata_keys(metadata)?;
            self.transport
                .require(Service::BlockStorage, microversion::BACKUP_METADATA)?;
        }
        let body = wire::update_body(update);
        let mut call = Call::new(Service::BlockStorage, Method::PUT, wire::path(backup_id))
            .body(&body)
            .about("backup", backup_id)
            .requires(UPDATE);
        if update.metadata.is_some() {
            call = call.requires(microversion::BACKUP_METADATA);
        }
        Ok(self
            .transport
            .json::<BackupReply>(&call, "updated backup")?
            .backup)
    }

    /// Plain face of [`try_update_backup`](Self::try_update_backup).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.update_backup("no-such-backup", &Default::default()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn update_backup(&self, backup_id: &str, update: &UpdateBackup) -> Option<Backup> {
        logged(
            "update_backup",
            backup_id,
            self.try_update_backup(backup_id, update),
        )
    }

    /// Deletes a backup, or with [`DeleteBackupOptions::force`] sends `os-force_delete`
    /// (admin-only under Cinder's default policy: project members get 403). A backup with
    /// incremental children cannot be deleted (400).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_delete_backup("no-such-backup", &Default::default()).unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`]; [`crate::Error::Api`] with 400 for a backup with
    /// dependents or in the wrong state, 403 for a member's force delete.
    pub fn try_delete_backup(&self, backup_id: &str, options: &DeleteBackupOptions) -> Result<()> {
        validate::id("backup_id", backup_id)?;
        self.delete_resource(
            "backup",
            backup_id,
            options.force,
            &wire::path(backup_id),
            &wire::action_path(backup_id),
        )
    }

    /// Plain face of [`try_delete_backup`](Self::try_delete_backup).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.delete_backup("no-such-backup", &Default::default()));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn delete_backup(&self, backup_id: &str, options: &DeleteBackupOptions) -> bool {
        logged(
            "delete_backup",
            backup_id,
            self.try_delete_backup(backup_id, options),
        )
        .is_some()
    }

    /// Polls a backup until its status is `target`; see
    /// [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::BackupStatus;
    /// let waited = client.try_wait_for_backup_status("no-such-backup", BackupStatus::Available, Duration::from_secs(1));
    /// assert!(waited.unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ResourceFailed`] (with the backup's `fail_reason` or Cinder's user
    /// message), [`crate::Error::WaitTimeout`], and the errors of
    /// [`try_get_backup`](Self::try_get_backup).
    pub fn try_wait_for_backup_status(
        &self,
        backup_id: &str,
        target: BackupStatus,
        timeout: Duration,
    ) -> Result<Backup> {
        self.try_wait_for_backup_status_with(backup_id, target, timeout, |_, _| {})
    }

    /// [`try_wait_for_backup_status`](Self::try_wait_for_backup_status) with a progress
    /// callback.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::BackupStatus;
    /// let waited = client.try_wait_for_backup_status_with("no-such-backup", BackupStatus::Available, Duration::from_secs(1), |status, _| eprintln!("{status}"));
    /// assert!(waited.is_err());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`try_wait_for_backup_status`](Self::try_wait_for_backup_status).
    pub fn try_wait_for_backup_status_with(
        &self,
        backup_id: &str,
        target: BackupStatus,
        timeout: Duration,
        mut progress: impl FnMut(&str, Duration),
    ) -> Result<Backup> {
        validate::id("backup_id", backup_id)?;
        known_target(&target, target.is_known())?;
        self.wait("backup", backup_id, target.as_str(), timeout)
            .run(&mut progress, || {
                let backup = self.try_get_backup(backup_id)?;
                if backup.status == target {
                    return Ok(Step::done(backup.status.to_string(), backup));
                }
                if backup.status.is_error() {
                    let mut failed =
                        self.resource_failed("backup", backup_id, backup.status.as_str());
                    if let crate::Error::ResourceFailed { reason, .. } = &mut failed {
                        if reason.is_none() {
                            reason.clone_from(&backup.fail_reason);
                        }
                    }
                    return Err(failed);
                }
                Ok(Step::pending(backup.status.to_string()))
            })
    }

    /// Plain face of [`try_wait_for_backup_status`](Self::try_wait_for_backup_status).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::BackupStatus;
    /// assert!(client.wait_for_backup_status("no-such-backup", BackupStatus::Available, Duration::from_secs(1)).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn wait_for_backup_status(
        &self,
        backup_id: &str,
        target: BackupStatus,
        timeout: Duration,
    ) -> Option<Backup> {
        logged(
            "wait_for_backup_status",
            format_args!("{backup_id}, {target}"),
            self.try_wait_for_backup_status(backup_id, target.clone(), timeout),
        )
    }

    /// Polls until the backup is gone (404).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// client.try_wait_for_backup_deleted("no-such-backup", std::time::Duration::from_secs(5))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ResourceFailed`] on `error_deleting`, [`crate::Error::WaitTimeout`].
    pub fn try_wait_for_backup_deleted(&self, backup_id: &str, timeout: Duration) -> Result<()> {
        validate::id("backup_id", backup_id)?;
        self.wait_gone("backup", backup_id, timeout, || {
            self.try_get_backup(backup_id).map(|b| b.status.to_string())
        })
    }

    /// Plain face of [`try_wait_for_backup_deleted`](Self::try_wait_for_backup_deleted).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.wait_for_backup_deleted("no-such-backup", std::time::Duration::from_secs(5)));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn wait_for_backup_deleted(&self, backup_id: &str, timeout: Duration) -> bool {
        logged(
            "wait_for_backup_deleted",
            backup_id,
            self.try_wait_for_backup_deleted(backup_id, timeout),
        )
        .is_some()
    }

    /// A backup by exact id, or else by exact name.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_find_backup("daily").unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`] when none matches; [`crate::Error::Ambiguous`] when several
    /// backups have that name.
    pub fn try_find_backup(&self, name_or_id: &str) -> Result<Backup> {
        validate::required_text("name_or_id", name_or_id)?;
        self.find(
            "backup",
            name_or_id,
            |id| self.try_get_backup(id),
            |name| self.try_list_backups_with(&ListOptions::default().name(name)),
            |b| (b.id.as_str(), b.name.as_deref()),
        )
    }

    /// Plain face of [`try_find_backup`](Self::try_find_backup).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.find_backup("daily").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn find_backup(&self, name_or_id: &str) -> Option<Backup> {
        logged("find_backup", name_or_id, self.try_find_backup(name_or_id))
    }
}
