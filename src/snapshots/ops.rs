//! The snapshot operations, in both faces.

use std::collections::BTreeMap;
use std::time::Duration;

use ureq::http::Method;

use super::wire::{self, SnapshotReply};
use super::{
    CreateSnapshotOptions, DeleteSnapshotOptions, Snapshot, SnapshotStatus, UpdateSnapshot,
};
use crate::client::{InfomaniakVolumeClient, logged, logged_pages};
use crate::error::Result;
use crate::listing::{ListOptions, Listing};
use crate::pagination::{self, Pages};
use crate::transport::{Call, Service};
use crate::validate;
use crate::wait::{Step, known_target};

impl InfomaniakVolumeClient {
    /// Every snapshot of the project, following pagination to the last page.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// for snapshot in client.try_list_snapshots()? {
    ///     println!("{} of {} {}", snapshot.id, snapshot.volume_id, snapshot.status);
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As any request; a failure on any page fails the whole listing.
    pub fn try_list_snapshots(&self) -> Result<Vec<Snapshot>> {
        self.try_list_snapshots_with(&ListOptions::default())
    }

    /// Plain face of [`try_list_snapshots`](Self::try_list_snapshots): empty on failure.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let count = client.list_snapshots().len();
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_snapshots(&self) -> Vec<Snapshot> {
        logged("list_snapshots", "", self.try_list_snapshots()).unwrap_or_default()
    }

    /// The snapshots matching `options`, every page (or at most `options.max_items`).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::ListOptions;
    /// let of_volume = client.try_list_snapshots_with(&ListOptions::default().volume_id("6edbc2f4-1507-44f8-ac0d-eed1d2608d38"))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] for bad options; otherwise as
    /// [`try_list_snapshots`](Self::try_list_snapshots).
    pub fn try_list_snapshots_with(&self, options: &ListOptions) -> Result<Vec<Snapshot>> {
        pagination::collect_all(self.try_snapshot_pages(options)?)
    }

    /// Plain face of [`try_list_snapshots_with`](Self::try_list_snapshots_with).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let ready = client.list_snapshots_with(&infomaniak_block_storage::ListOptions::default().status("available"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_snapshots_with(&self, options: &ListOptions) -> Vec<Snapshot> {
        logged(
            "list_snapshots_with",
            "",
            self.try_list_snapshots_with(options),
        )
        .unwrap_or_default()
    }

    /// A lazy iterator over the pages of snapshots matching `options`.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// for page in client.try_snapshot_pages(&Default::default())? {
    ///     println!("{} snapshots", page?.len());
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] for bad options; each page may fail as a listing does.
    pub fn try_snapshot_pages(&self, options: &ListOptions) -> Result<Pages<Snapshot>> {
        self.pages(
            options,
            Listing::Snapshots,
            wire::LIST_PATH,
            "snapshot",
            wire::decode_page,
        )
    }

    /// Plain face of [`try_snapshot_pages`](Self::try_snapshot_pages).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let pages = client.snapshot_pages(&Default::default()).count();
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn snapshot_pages(&self, options: &ListOptions) -> impl Iterator<Item = Vec<Snapshot>> {
        logged_pages("snapshot_pages", self.try_snapshot_pages(options))
    }

    /// One snapshot by id.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_get_snapshot("no-such-snapshot").unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`] when there is no such snapshot.
    pub fn try_get_snapshot(&self, snapshot_id: &str) -> Result<Snapshot> {
        validate::id("snapshot_id", snapshot_id)?;
        let call = Call::get(Service::BlockStorage, wire::path(snapshot_id))
            .about("snapshot", snapshot_id);
        Ok(self
            .transport
            .json::<SnapshotReply>(&call, "snapshot")?
            .snapshot)
    }

    /// Plain face of [`try_get_snapshot`](Self::try_get_snapshot).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_snapshot("no-such-snapshot").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn get_snapshot(&self, snapshot_id: &str) -> Option<Snapshot> {
        logged(
            "get_snapshot",
            snapshot_id,
            self.try_get_snapshot(snapshot_id),
        )
    }

    /// Snapshots a volume.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{CreateSnapshotOptions, SnapshotStatus, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "data", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let snapshot = client.try_create_snapshot(&volume.id, "nightly", &CreateSnapshotOptions::default().metadata("kind", "nightly"))?;
    /// client.try_wait_for_snapshot_status(&snapshot.id, SnapshotStatus::Available, Duration::from_secs(60))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] before sending for a bad name, description or
    /// metadata key; [`crate::Error::NotFound`] naming the volume when it does not exist;
    /// [`crate::Error::Api`] with 400 for a volume in the wrong state, 413 over quota.
    pub fn try_create_snapshot(
        &self,
        volume_id: &str,
        name: &str,
        options: &CreateSnapshotOptions,
    ) -> Result<Snapshot> {
        validate::id("volume_id", volume_id)?;
        validate::text("name", name)?;
        validate::opt_description("description", options.description.as_deref())?;
        validate::metadata_keys(&options.metadata)?;
        let body = wire::create_body(volume_id, name, options);
        let call = Call::new(Service::BlockStorage, Method::POST, wire::COLLECTION_PATH)
            .body(&body)
            // A 404 here means the volume does not exist.
            .about("volume", volume_id);
        Ok(self
            .transport
            .json::<SnapshotReply>(&call, "created snapshot")?
            .snapshot)
    }

    /// Plain face of [`try_create_snapshot`](Self::try_create_snapshot).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.create_snapshot("no-such-volume", "nightly", &Default::default()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn create_snapshot(
        &self,
        volume_id: &str,
        name: &str,
        options: &CreateSnapshotOptions,
    ) -> Option<Snapshot> {
        logged(
            "create_snapshot",
            format_args!("{volume_id}, {name}"),
            self.try_create_snapshot(volume_id, name, options),
        )
    }

    /// Renames a snapshot or changes its description.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{UpdateSnapshot, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "data", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let snapshot = client.try_create_snapshot(&volume.id, "s", &Default::default())?;
    /// let snapshot = client.try_update_snapshot(&snapshot.id, &UpdateSnapshot::default().name("renamed"))?;
    /// assert_eq!(snapshot.name.as_deref(), Some("renamed"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] for a bad name or description;
    /// [`crate::Error::NotFound`].
    pub fn try_update_snapshot(
        &self,
        snapshot_id: &str,
        update: &UpdateSnapshot,
    ) -> Result<Snapshot> {
        validate::id("snapshot_id", snapshot_id)?;
        validate::opt_text("name", update.name.as_deref())?;
        validate::opt_description("description", update.description.as_deref())?;
        let body = wire::update_body(update);
        let call = Call::new(Service::BlockStorage, Method::PUT, wire::path(snapshot_id))
            .body(&body)
            .about("snapshot", snapshot_id);
        Ok(self
            .transport
            .json::<SnapshotReply>(&call, "updated snapshot")?
            .snapshot)
    }

    /// Plain face of [`try_update_snapshot`](Self::try_update_snapshot).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.update_snapshot("no-such-snapshot", &Default::default()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn update_snapshot(&self, snapshot_id: &str, update: &UpdateSnapshot) -> Option<Snapshot> {
        logged(
            "update_snapshot",
            snapshot_id,
            self.try_update_snapshot(snapshot_id, update),
        )
    }

    /// Deletes a snapshot, or with [`DeleteSnapshotOptions::force`] sends `os-force_delete`
    /// (admin-only under Cinder's default policy: project members get 403).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{SnapshotStatus, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "data", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let snapshot = client.try_create_snapshot(&volume.id, "s", &Default::default())?;
    /// client.try_wait_for_snapshot_status(&snapshot.id, SnapshotStatus::Available, Duration::from_secs(60))?;
    /// client.try_delete_snapshot(&snapshot.id, &Default::default())?;
    /// client.try_wait_for_snapshot_deleted(&snapshot.id, Duration::from_secs(60))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`]; [`crate::Error::Api`] with 400 for a snapshot that is not
    /// `available` or `error`, and 403 for a member's force delete.
    pub fn try_delete_snapshot(
        &self,
        snapshot_id: &str,
        options: &DeleteSnapshotOptions,
    ) -> Result<()> {
        validate::id("snapshot_id", snapshot_id)?;
        self.delete_resource(
            "snapshot",
            snapshot_id,
            options.force,
            &wire::path(snapshot_id),
            &wire::action_path(snapshot_id),
        )
    }

    /// Plain face of [`try_delete_snapshot`](Self::try_delete_snapshot).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.delete_snapshot("no-such-snapshot", &Default::default()));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn delete_snapshot(&self, snapshot_id: &str, options: &DeleteSnapshotOptions) -> bool {
        logged(
            "delete_snapshot",
            snapshot_id,
            self.try_delete_snapshot(snapshot_id, options),
        )
        .is_some()
    }

    /// A snapshot's metadata.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_get_snapshot_metadata("no-such-snapshot").unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`].
    pub fn try_get_snapshot_metadata(&self, snapshot_id: &str) -> Result<BTreeMap<String, String>> {
        validate::id("snapshot_id", snapshot_id)?;
        self.metadata_of("snapshot", snapshot_id, &wire::path(snapshot_id))
    }

    /// Plain face of [`try_get_snapshot_metadata`](Self::try_get_snapshot_metadata).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_snapshot_metadata("no-such-snapshot").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn get_snapshot_metadata(&self, snapshot_id: &str) -> Option<BTreeMap<String, String>> {
        logged(
            "get_snapshot_metadata",
            snapshot_id,
            self.try_get_snapshot_metadata(snapshot_id),
        )
    }

    /// Adds or changes snapshot metadata keys (others are kept) and returns the whole.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let metadata = std::collections::BTreeMap::from([("kind".to_string(), "nightly".to_string())]);
    /// assert!(client.try_set_snapshot_metadata("no-such-snapshot", &metadata).unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] for a bad key; [`crate::Error::NotFound`].
    pub fn try_set_snapshot_metadata(
        &self,
        snapshot_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>> {
        validate::id("snapshot_id", snapshot_id)?;
        self.merge_metadata("snapshot", snapshot_id, &wire::path(snapshot_id), metadata)
    }

    /// Plain face of [`try_set_snapshot_metadata`](Self::try_set_snapshot_metadata).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.set_snapshot_metadata("no-such-snapshot", &Default::default()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn set_snapshot_metadata(
        &self,
        snapshot_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Option<BTreeMap<String, String>> {
        logged(
            "set_snapshot_metadata",
            snapshot_id,
            self.try_set_snapshot_metadata(snapshot_id, metadata),
        )
    }

    /// Removes one key of a snapshot's metadata.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_delete_snapshot_metadata_key("no-such-snapshot", "kind").is_err());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidArgument`] for an empty key; [`crate::Error::NotFound`].
    pub fn try_delete_snapshot_metadata_key(&self, snapshot_id: &str, key: &str) -> Result<()> {
        validate::id("snapshot_id", snapshot_id)?;
        self.delete_metadata_key("snapshot", snapshot_id, &wire::path(snapshot_id), key)
    }

    /// Plain face of [`try_delete_snapshot_metadata_key`](Self::try_delete_snapshot_metadata_key).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.delete_snapshot_metadata_key("no-such-snapshot", "kind"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn delete_snapshot_metadata_key(&self, snapshot_id: &str, key: &str) -> bool {
        logged(
            "delete_snapshot_metadata_key",
            format_args!("{snapshot_id}, {key}"),
            self.try_delete_snapshot_metadata_key(snapshot_id, key),
        )
        .is_some()
    }

    /// Polls a snapshot until its status is `target`; see
    /// [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::SnapshotStatus;
    /// let waited = client.try_wait_for_snapshot_status("no-such-snapshot", SnapshotStatus::Available, Duration::from_secs(1));
    /// assert!(waited.unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ResourceFailed`], [`crate::Error::WaitTimeout`], and the errors of
    /// [`try_get_snapshot`](Self::try_get_snapshot).
    pub fn try_wait_for_snapshot_status(
        &self,
        snapshot_id: &str,
        target: SnapshotStatus,
        timeout: Duration,
    ) -> Result<Snapshot> {
        self.try_wait_for_snapshot_status_with(snapshot_id, target, timeout, |_, _| {})
    }

    /// [`try_wait_for_snapshot_status`](Self::try_wait_for_snapshot_status) with a progress
    /// callback.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::SnapshotStatus;
    /// let waited = client.try_wait_for_snapshot_status_with("no-such-snapshot", SnapshotStatus::Available, Duration::from_secs(1), |status, _| eprintln!("{status}"));
    /// assert!(waited.is_err());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`try_wait_for_snapshot_status`](Self::try_wait_for_snapshot_status).
    pub fn try_wait_for_snapshot_status_with(
        &self,
        snapshot_id: &str,
        target: SnapshotStatus,
        timeout: Duration,
        mut progress: impl FnMut(&str, Duration),
    ) -> Result<Snapshot> {
        validate::id("snapshot_id", snapshot_id)?;
        known_target(&target, target.is_known())?;
        self.wait("snapshot", snapshot_id, target.as_str(), timeout)
            .run(&mut progress, || {
                let snapshot = self.try_get_snapshot(snapshot_id)?;
                if snapshot.status == target {
                    return Ok(Step::done(snapshot.status.to_string(), snapshot));
                }
                if snapshot.status.is_error() {
                    return Err(self.resource_failed(
                        "snapshot",
                        snapshot_id,
                        snapshot.status.as_str(),
                    ));
                }
                Ok(Step::pending(snapshot.status.to_string()))
            })
    }

    /// Plain face of [`try_wait_for_snapshot_status`](Self::try_wait_for_snapshot_status).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::SnapshotStatus;
    /// assert!(client.wait_for_snapshot_status("no-such-snapshot", SnapshotStatus::Available, Duration::from_secs(1)).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn wait_for_snapshot_status(
        &self,
        snapshot_id: &str,
        target: SnapshotStatus,
        timeout: Duration,
    ) -> Option<Snapshot> {
        logged(
            "wait_for_snapshot_status",
            format_args!("{snapshot_id}, {target}"),
            self.try_wait_for_snapshot_status(snapshot_id, target.clone(), timeout),
        )
    }

    /// Polls until the snapshot is gone (404).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// client.try_wait_for_snapshot_deleted("no-such-snapshot", std::time::Duration::from_secs(5))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ResourceFailed`] on `error_deleting`, [`crate::Error::WaitTimeout`].
    pub fn try_wait_for_snapshot_deleted(
        &self,
        snapshot_id: &str,
        timeout: Duration,
    ) -> Result<()> {
        validate::id("snapshot_id", snapshot_id)?;
        self.wait_gone("snapshot", snapshot_id, timeout, || {
            self.try_get_snapshot(snapshot_id)
                .map(|s| s.status.to_string())
        })
    }

    /// Plain face of [`try_wait_for_snapshot_deleted`](Self::try_wait_for_snapshot_deleted).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.wait_for_snapshot_deleted("no-such-snapshot", std::time::Duration::from_secs(5)));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn wait_for_snapshot_deleted(&self, snapshot_id: &str, timeout: Duration) -> bool {
        logged(
            "wait_for_snapshot_deleted",
            snapshot_id,
            self.try_wait_for_snapshot_deleted(snapshot_id, timeout),
        )
        .is_some()
    }

    /// A snapshot by exact id, or else by exact name.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_find_snapshot("nightly").unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`] when none matches; [`crate::Error::Ambiguous`] when several
    /// snapshots have that name.
    pub fn try_find_snapshot(&self, name_or_id: &str) -> Result<Snapshot> {
        validate::required_text("name_or_id", name_or_id)?;
        self.find(
            "snapshot",
            name_or_id,
            |id| self.try_get_snapshot(id),
            |name| self.try_list_snapshots_with(&ListOptions::default().name(name)),
            |s| (s.id.as_str(), s.name.as_deref()),
        )
    }

    /// Plain face of [`try_find_snapshot`](Self::try_find_snapshot).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.find_snapshot("nightly").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn find_snapshot(&self, name_or_id: &str) -> Option<Snapshot> {
        logged(
            "find_snapshot",
            name_or_id,
            self.try_find_snapshot(name_or_id),
        )
    }
}
