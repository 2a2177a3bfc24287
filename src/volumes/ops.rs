//! The volume operations, in both faces.

use std::collections::BTreeMap;
use std::time::Duration;

use ureq::http::Method;

use super::wire::{self, VolumeReply};
use super::{
    CreateVolumeOptions, DeleteVolumeOptions, ImageUpload, MigrationPolicy, UpdateVolume,
    UploadImageOptions, Volume, VolumeStatus,
};
use crate::client::{InfomaniakVolumeClient, logged, logged_pages};
use crate::error::Result;
// The docs link to its variants.
#[allow(unused_imports)]
use crate::error::Error;
use crate::listing::{ListOptions, Listing};
use crate::microversion::{self, Microversion};
use crate::pagination::{self, Pages};
use crate::transport::{Call, Service};
use crate::validate;
use crate::wait::{Step, known_target};

/// Visibility and protection of an uploaded image.
const UPLOAD_VISIBILITY: microversion::Requirement = microversion::Requirement {
    feature: "set an uploaded image's visibility or protection",
    needs: Microversion::new(3, 1),
};

/// `force` together with `cascade` goes as a query parameter, which Cinder reads from 3.23.
const FORCE_WITH_CASCADE: microversion::Requirement = microversion::Requirement {
    feature: "force-delete a volume with cascade",
    needs: Microversion::new(3, 23),
};

impl InfomaniakVolumeClient {
    /// Every volume of the project, following pagination to the last page.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// for volume in client.try_list_volumes()? {
    ///     println!("{} {:?} {} GiB {}", volume.id, volume.name, volume.size, volume.status);
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Auth`], [`Error::Transport`], [`Error::Api`] or [`Error::Decode`] as for any
    /// request; a failure on any page fails the whole listing.
    pub fn try_list_volumes(&self) -> Result<Vec<Volume>> {
        self.try_list_volumes_with(&ListOptions::default())
    }

    /// Plain face of [`try_list_volumes`](Self::try_list_volumes): empty on failure.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let count = client.list_volumes().len();
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_volumes(&self) -> Vec<Volume> {
        logged("list_volumes", "", self.try_list_volumes()).unwrap_or_default()
    }

    /// The volumes matching `options`, every page (or at most `options.max_items`).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::ListOptions;
    ///
    /// let newest = client.try_list_volumes_with(
    ///     &ListOptions::default().status("available").sort("created_at:desc").max_items(5),
    /// )?;
    /// assert!(newest.len() <= 5);
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] before sending for a filter volumes do not have
    /// (`volume_id`) or a bad marker; otherwise as [`try_list_volumes`](Self::try_list_volumes).
    pub fn try_list_volumes_with(&self, options: &ListOptions) -> Result<Vec<Volume>> {
        pagination::collect_all(self.try_volume_pages(options)?)
    }

    /// Plain face of [`try_list_volumes_with`](Self::try_list_volumes_with): empty on failure.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let in_use = client.list_volumes_with(&infomaniak_block_storage::ListOptions::default().status("in-use"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_volumes_with(&self, options: &ListOptions) -> Vec<Volume> {
        logged("list_volumes_with", "", self.try_list_volumes_with(options)).unwrap_or_default()
    }

    /// A lazy iterator over the pages of volumes matching `options`: each step fetches one
    /// page, so a script can stop early on a very large project.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::ListOptions;
    ///
    /// for page in client.try_volume_pages(&ListOptions::default().page_size(100))? {
    ///     for volume in page? {
    ///         println!("{}", volume.id);
    ///     }
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for bad options; each page may fail as a listing does.
    pub fn try_volume_pages(&self, options: &ListOptions) -> Result<Pages<Volume>> {
        self.pages(
            options,
            Listing::Volumes,
            wire::LIST_PATH,
            "volume",
            wire::decode_page,
        )
    }

    /// Plain face of [`try_volume_pages`](Self::try_volume_pages): yields pages until the
    /// last one or the first failure, which is logged.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let total: usize = client.volume_pages(&Default::default()).map(|page| page.len()).sum();
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn volume_pages(&self, options: &ListOptions) -> impl Iterator<Item = Vec<Volume>> {
        logged_pages("volume_pages", self.try_volume_pages(options))
    }

    /// One volume by id.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::Error;
    ///
    /// match client.try_get_volume("6edbc2f4-1507-44f8-ac0d-eed1d2608d38") {
    ///     Ok(volume) => println!("{}", volume.status),
    ///     Err(Error::NotFound { request_id, .. }) => println!("no such volume ({request_id:?})"),
    ///     Err(other) => return Err(other),
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such volume; [`Error::InvalidArgument`] before
    /// sending for an id that is not one URL path segment.
    pub fn try_get_volume(&self, volume_id: &str) -> Result<Volume> {
        validate::id("volume_id", volume_id)?;
        let call =
            Call::get(Service::BlockStorage, wire::path(volume_id)).about("volume", volume_id);
        let reply: VolumeReply = self.transport.json(&call, "volume")?;
        Ok(reply.volume)
    }

    /// Plain face of [`try_get_volume`](Self::try_get_volume): `None` on failure, also when the
    /// volume does not exist.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_volume("no-such-volume").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn get_volume(&self, volume_id: &str) -> Option<Volume> {
        logged("get_volume", volume_id, self.try_get_volume(volume_id))
    }

    /// Creates a volume of `size` GiB. The returned volume is usually still `creating`: wait
    /// with [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{CreateVolumeOptions, VolumeStatus};
    ///
    /// let options = CreateVolumeOptions::default().description("scratch").metadata("team", "ci");
    /// let volume = client.try_create_volume(10, "scratch", &options)?;
    /// let volume = client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// assert_eq!(volume.size, 10);
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] before sending for a size of 0 or above Cinder's limit, a
    /// name or description that is too long or has control characters, or a bad id in the
    /// options; [`Error::Unsupported`] for `backup_id` below microversion 3.47;
    /// [`Error::NotFound`] naming what the options name (a volume type, snapshot, source
    /// volume, backup or image that does not exist); [`Error::Api`] with status 413
    /// (`overLimit`) over quota, 400 for an availability zone that does not exist.
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
            self.transport
                .require(Service::BlockStorage, microversion::CREATE_FROM_BACKUP)?;
        }
        let body = wire::create_body(size, name, options);
        let mut call =
            Call::new(Service::BlockStorage, Method::POST, wire::COLLECTION_PATH).body(&body);
        if options.backup_id.is_some() {
            // Resent below 3.47, Cinder would ignore `backup_id` and create an empty volume.
            call = call.requires(microversion::CREATE_FROM_BACKUP);
        }
        // A 404 here is one of the resources the options name (Cinder's message says which).
        let named: Vec<&str> = [
            &options.volume_type,
            &options.snapshot_id,
            &options.source_volume_id,
            &options.backup_id,
            &options.image_id,
        ]
        .into_iter()
        .filter_map(|id| id.as_deref())
        .collect();
        let named = named.join(", ");
        if !named.is_empty() {
            call = call.about("resource named in the options", &named);
        }
        Ok(self
            .transport
            .json::<VolumeReply>(&call, "created volume")?
            .volume)
    }

    /// Plain face of [`try_create_volume`](Self::try_create_volume): `None` on failure.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let volume = client.create_volume(10, "scratch", &Default::default());
    /// assert!(volume.is_some());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
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

    /// Deletes a volume. With [`DeleteVolumeOptions::cascade`] its snapshots go too; with
    /// [`DeleteVolumeOptions::force`] Cinder deletes whatever the status (`os-force_delete`),
    /// which is admin-only under Cinder's default policy. Deletion is asynchronous: see
    /// [`try_wait_for_volume_deleted`](Self::try_wait_for_volume_deleted).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{DeleteVolumeOptions, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "temporary", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// client.try_delete_volume(&volume.id, &DeleteVolumeOptions::default().cascade(true))?;
    /// client.try_wait_for_volume_deleted(&volume.id, Duration::from_secs(60))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such volume; [`Error::Api`] with 400 for a volume
    /// that is attached, busy, or has snapshots (without cascade), and 403 for a member's
    /// force delete (the message says it is admin-only).
    pub fn try_delete_volume(&self, volume_id: &str, options: &DeleteVolumeOptions) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        if options.cascade {
            if options.force {
                self.transport
                    .require(Service::BlockStorage, FORCE_WITH_CASCADE)?;
            }
            let path = wire::delete_path(volume_id, true, options.force);
            let call =
                Call::new(Service::BlockStorage, Method::DELETE, path).about("volume", volume_id);
            return self
                .transport
                .send(&call)
                .map(|_| ())
                .map_err(|e| crate::actions::explain_force_delete("volume", e));
        }
        self.delete_resource(
            "volume",
            volume_id,
            options.force,
            &wire::path(volume_id),
            &wire::action_path(volume_id),
        )
    }

    /// Plain face of [`try_delete_volume`](Self::try_delete_volume): `true` when Cinder
    /// accepted the deletion.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// if !client.delete_volume("no-such-volume", &Default::default()) {
    ///     eprintln!("not deleted; the log says why");
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn delete_volume(&self, volume_id: &str, options: &DeleteVolumeOptions) -> bool {
        logged(
            "delete_volume",
            volume_id,
            self.try_delete_volume(volume_id, options),
        )
        .is_some()
    }

    /// Extends a volume to `new_size` GiB (`os-extend`). Cinder cannot shrink a volume. Below
    /// microversion 3.42 only an `available` volume can be extended.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::VolumeStatus;
    ///
    /// let volume = client.try_create_volume(1, "growing", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// client.try_extend_volume(&volume.id, 2)?;
    /// let volume = client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// assert_eq!(volume.size, 2);
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a size of 0; [`Error::Unsupported`] for an `in-use`
    /// volume below 3.42; [`Error::Api`] with 400 for a size that is not larger, 413 over
    /// quota; [`Error::NotFound`].
    pub fn try_extend_volume(&self, volume_id: &str, new_size: u64) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        validate::size("new_size", new_size)?;
        if !self
            .transport
            .at_least(Service::BlockStorage, microversion::EXTEND_IN_USE.needs)?
            && self.try_get_volume(volume_id)?.status == VolumeStatus::InUse
        {
            self.transport
                .require(Service::BlockStorage, microversion::EXTEND_IN_USE)?;
        }
        self.volume_action(volume_id, &wire::extend_body(new_size))
    }

    /// Plain face of [`try_extend_volume`](Self::try_extend_volume).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.extend_volume("no-such-volume", 20));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn extend_volume(&self, volume_id: &str, new_size: u64) -> bool {
        logged(
            "extend_volume",
            format_args!("{volume_id}, {new_size} GiB"),
            self.try_extend_volume(volume_id, new_size),
        )
        .is_some()
    }

    fn volume_action(&self, volume_id: &str, body: &serde_json::Value) -> Result<()> {
        self.action("volume", volume_id, &wire::action_path(volume_id), body)
    }

    /// Changes a volume's name, description or metadata and returns the updated volume.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::UpdateVolume;
    ///
    /// let volume = client.try_create_volume(1, "old name", &Default::default())?;
    /// let volume = client.try_update_volume(&volume.id, &UpdateVolume::default().name("new name"))?;
    /// assert_eq!(volume.name.as_deref(), Some("new name"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a name or description Cinder would refuse;
    /// [`Error::NotFound`].
    pub fn try_update_volume(&self, volume_id: &str, update: &UpdateVolume) -> Result<Volume> {
        validate::id("volume_id", volume_id)?;
        validate::opt_text("name", update.name.as_deref())?;
        validate::opt_description("description", update.description.as_deref())?;
        if let Some(metadata) = &update.metadata {
            validate::metadata_keys(metadata)?;
        }
        let body = wire::update_body(update);
        let call = Call::new(Service::BlockStorage, Method::PUT, wire::path(volume_id))
            .body(&body)
            .about("volume", volume_id);
        Ok(self
            .transport
            .json::<VolumeReply>(&call, "updated volume")?
            .volume)
    }

    /// Plain face of [`try_update_volume`](Self::try_update_volume).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let renamed = client.update_volume("no-such-volume", &infomaniak_block_storage::UpdateVolume::default().name("x"));
    /// assert!(renamed.is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn update_volume(&self, volume_id: &str, update: &UpdateVolume) -> Option<Volume> {
        logged(
            "update_volume",
            volume_id,
            self.try_update_volume(volume_id, update),
        )
    }

    /// Changes a volume's type (`os-retype`). With [`MigrationPolicy::Never`] Cinder refuses a
    /// retype that would move data to another backend.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{MigrationPolicy, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "retyped", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// client.try_retype_volume(&volume.id, "CEPH_1_perf2", MigrationPolicy::OnDemand)?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty type; [`Error::Api`] with 400 for an unknown
    /// type or a volume that is not `available` or `in-use`; [`Error::NotFound`].
    pub fn try_retype_volume(
        &self,
        volume_id: &str,
        new_type: &str,
        policy: MigrationPolicy,
    ) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        validate::required_text("new_type", new_type)?;
        self.volume_action(volume_id, &wire::retype_body(new_type, policy))
    }

    /// Plain face of [`try_retype_volume`](Self::try_retype_volume).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::MigrationPolicy;
    /// assert!(!client.retype_volume("no-such-volume", "CEPH_1_perf2", MigrationPolicy::Never));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn retype_volume(&self, volume_id: &str, new_type: &str, policy: MigrationPolicy) -> bool {
        logged(
            "retype_volume",
            format_args!("{volume_id} to {new_type}"),
            self.try_retype_volume(volume_id, new_type, policy),
        )
        .is_some()
    }

    /// Marks a volume bootable or not (`os-set_bootable`).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::VolumeStatus;
    ///
    /// let volume = client.try_create_volume(1, "boot", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// client.try_set_volume_bootable(&volume.id, true)?;
    /// assert!(client.try_get_volume(&volume.id)?.bootable);
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::Api`] as Cinder answers.
    pub fn try_set_volume_bootable(&self, volume_id: &str, bootable: bool) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        self.volume_action(volume_id, &wire::bootable_body(bootable))
    }

    /// Plain face of [`try_set_volume_bootable`](Self::try_set_volume_bootable).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.set_volume_bootable("no-such-volume", true));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn set_volume_bootable(&self, volume_id: &str, bootable: bool) -> bool {
        logged(
            "set_volume_bootable",
            volume_id,
            self.try_set_volume_bootable(volume_id, bootable),
        )
        .is_some()
    }

    /// Marks a volume read-only or read-write (`os-update_readonly_flag`).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::VolumeStatus;
    ///
    /// let volume = client.try_create_volume(1, "frozen", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// client.try_set_volume_readonly(&volume.id, true)?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::Api`] as Cinder answers.
    pub fn try_set_volume_readonly(&self, volume_id: &str, readonly: bool) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        self.volume_action(volume_id, &wire::readonly_body(readonly))
    }

    /// Plain face of [`try_set_volume_readonly`](Self::try_set_volume_readonly).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.set_volume_readonly("no-such-volume", true));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn set_volume_readonly(&self, volume_id: &str, readonly: bool) -> bool {
        logged(
            "set_volume_readonly",
            volume_id,
            self.try_set_volume_readonly(volume_id, readonly),
        )
        .is_some()
    }

    /// Reverts a volume to its latest snapshot (`revert`, microversion 3.40). Cinder only
    /// reverts to the most recent snapshot, and the volume must be `available`.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{SnapshotStatus, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "reverted", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let snapshot = client.try_create_snapshot(&volume.id, "before", &Default::default())?;
    /// client.try_wait_for_snapshot_status(&snapshot.id, SnapshotStatus::Available, Duration::from_secs(60))?;
    /// client.try_revert_volume_to_snapshot(&volume.id, &snapshot.id)?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] below microversion 3.40; [`Error::Api`] with 400 when the
    /// snapshot is not the latest or the volume is not `available`; [`Error::NotFound`].
    pub fn try_revert_volume_to_snapshot(&self, volume_id: &str, snapshot_id: &str) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        validate::id("snapshot_id", snapshot_id)?;
        self.transport
            .require(Service::BlockStorage, microversion::REVERT)?;
        self.volume_action(volume_id, &wire::revert_body(snapshot_id))
    }

    /// Plain face of [`try_revert_volume_to_snapshot`](Self::try_revert_volume_to_snapshot).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.revert_volume_to_snapshot("no-such-volume", "no-such-snapshot"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn revert_volume_to_snapshot(&self, volume_id: &str, snapshot_id: &str) -> bool {
        logged(
            "revert_volume_to_snapshot",
            format_args!("{volume_id} to {snapshot_id}"),
            self.try_revert_volume_to_snapshot(volume_id, snapshot_id),
        )
        .is_some()
    }

    /// A volume's metadata.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let volume = client.try_create_volume(1, "tagged", &infomaniak_block_storage::CreateVolumeOptions::default().metadata("team", "ci"))?;
    /// assert_eq!(client.try_get_volume_metadata(&volume.id)?["team"], "ci");
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`].
    pub fn try_get_volume_metadata(&self, volume_id: &str) -> Result<BTreeMap<String, String>> {
        validate::id("volume_id", volume_id)?;
        self.metadata_of("volume", volume_id, &wire::path(volume_id))
    }

    /// Plain face of [`try_get_volume_metadata`](Self::try_get_volume_metadata).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_volume_metadata("no-such-volume").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn get_volume_metadata(&self, volume_id: &str) -> Option<BTreeMap<String, String>> {
        logged(
            "get_volume_metadata",
            volume_id,
            self.try_get_volume_metadata(volume_id),
        )
    }

    /// Adds or changes metadata keys (others are kept) and returns the whole metadata.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::collections::BTreeMap;
    ///
    /// let volume = client.try_create_volume(1, "tagged", &Default::default())?;
    /// let metadata = BTreeMap::from([("owner".to_string(), "ops".to_string())]);
    /// let all = client.try_set_volume_metadata(&volume.id, &metadata)?;
    /// assert_eq!(all["owner"], "ops");
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty key or one with control characters;
    /// [`Error::NotFound`].
    pub fn try_set_volume_metadata(
        &self,
        volume_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>> {
        validate::id("volume_id", volume_id)?;
        self.merge_metadata("volume", volume_id, &wire::path(volume_id), metadata)
    }

    /// Plain face of [`try_set_volume_metadata`](Self::try_set_volume_metadata).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.set_volume_metadata("no-such-volume", &Default::default()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn set_volume_metadata(
        &self,
        volume_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Option<BTreeMap<String, String>> {
        logged(
            "set_volume_metadata",
            volume_id,
            self.try_set_volume_metadata(volume_id, metadata),
        )
    }

    /// Removes one metadata key.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let volume = client.try_create_volume(1, "tagged", &infomaniak_block_storage::CreateVolumeOptions::default().metadata("team", "ci"))?;
    /// client.try_delete_volume_metadata_key(&volume.id, "team")?;
    /// assert!(client.try_get_volume_metadata(&volume.id)?.is_empty());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty key; [`Error::NotFound`] for a missing volume
    /// or key.
    pub fn try_delete_volume_metadata_key(&self, volume_id: &str, key: &str) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        self.delete_metadata_key("volume", volume_id, &wire::path(volume_id), key)
    }

    /// Plain face of [`try_delete_volume_metadata_key`](Self::try_delete_volume_metadata_key).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.delete_volume_metadata_key("no-such-volume", "team"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn delete_volume_metadata_key(&self, volume_id: &str, key: &str) -> bool {
        logged(
            "delete_volume_metadata_key",
            format_args!("{volume_id}, {key}"),
            self.try_delete_volume_metadata_key(volume_id, key),
        )
        .is_some()
    }

    /// Polls a volume until its status is `target` and returns it. Stops at once with
    /// [`Error::ResourceFailed`] when the volume enters an error state (with Cinder's user
    /// message saying why, when there is one), and with [`Error::WaitTimeout`] (naming the
    /// last status seen) after `timeout`. Every poll's request is bounded by the time left.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::VolumeStatus;
    ///
    /// let volume = client.try_create_volume(1, "waited", &Default::default())?;
    /// let volume = client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// assert_eq!(volume.status, VolumeStatus::Available);
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ResourceFailed`], [`Error::WaitTimeout`], [`Error::NotFound`] when the volume
    /// disappears, and the errors of [`try_get_volume`](Self::try_get_volume).
    pub fn try_wait_for_volume_status(
        &self,
        volume_id: &str,
        target: VolumeStatus,
        timeout: Duration,
    ) -> Result<Volume> {
        self.try_wait_for_volume_status_with(volume_id, target, timeout, |_, _| {})
    }

    /// [`try_wait_for_volume_status`](Self::try_wait_for_volume_status) that calls `progress`
    /// with each status seen and the time elapsed.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::VolumeStatus;
    ///
    /// let volume = client.try_create_volume(1, "watched", &Default::default())?;
    /// client.try_wait_for_volume_status_with(&volume.id, VolumeStatus::Available, Duration::from_secs(60), |status, elapsed| {
    ///     eprintln!("{status} after {elapsed:?}");
    /// })?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    pub fn try_wait_for_volume_status_with(
        &self,
        volume_id: &str,
        target: VolumeStatus,
        timeout: Duration,
        mut progress: impl FnMut(&str, Duration),
    ) -> Result<Volume> {
        validate::id("volume_id", volume_id)?;
        known_target(&target, target.is_known())?;
        self.wait("volume", volume_id, target.as_str(), timeout)
            .run(&mut progress, || {
                let volume = self.try_get_volume(volume_id)?;
                if volume.status == target {
                    return Ok(Step::done(volume.status.to_string(), volume));
                }
                if volume.status.is_error() {
                    return Err(self.resource_failed("volume", volume_id, volume.status.as_str()));
                }
                Ok(Step::pending(volume.status.to_string()))
            })
    }

    /// Plain face of [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::VolumeStatus;
    ///
    /// if let Some(volume) = client.create_volume(1, "plain", &Default::default()) {
    ///     let ready = client.wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60));
    ///     assert!(ready.is_some());
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn wait_for_volume_status(
        &self,
        volume_id: &str,
        target: VolumeStatus,
        timeout: Duration,
    ) -> Option<Volume> {
        logged(
            "wait_for_volume_status",
            format_args!("{volume_id}, {target}"),
            self.try_wait_for_volume_status(volume_id, target.clone(), timeout),
        )
    }

    /// Polls until the volume is gone (404). Stops with [`Error::ResourceFailed`] on
    /// `error_deleting` and [`Error::WaitTimeout`] after `timeout`. Other error states do not
    /// end the wait: a volume deleted from `error` may show it for a moment.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::VolumeStatus;
    ///
    /// let volume = client.try_create_volume(1, "short-lived", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// client.try_delete_volume(&volume.id, &Default::default())?;
    /// client.try_wait_for_volume_deleted(&volume.id, Duration::from_secs(60))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ResourceFailed`], [`Error::WaitTimeout`], and the errors of
    /// [`try_get_volume`](Self::try_get_volume) other than [`Error::NotFound`].
    pub fn try_wait_for_volume_deleted(&self, volume_id: &str, timeout: Duration) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        self.wait_gone("volume", volume_id, timeout, || {
            self.try_get_volume(volume_id).map(|v| v.status.to_string())
        })
    }

    /// Plain face of [`try_wait_for_volume_deleted`](Self::try_wait_for_volume_deleted).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// // A volume that never existed is gone at once.
    /// assert!(client.wait_for_volume_deleted("no-such-volume", std::time::Duration::from_secs(5)));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn wait_for_volume_deleted(&self, volume_id: &str, timeout: Duration) -> bool {
        logged(
            "wait_for_volume_deleted",
            volume_id,
            self.try_wait_for_volume_deleted(volume_id, timeout),
        )
        .is_some()
    }

    /// A volume by exact id, or else by exact name.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let created = client.try_create_volume(1, "builds", &Default::default())?;
    /// let found = client.try_find_volume("builds")?;
    /// assert_eq!(found.id, created.id);
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when no volume has that id or name; [`Error::Ambiguous`] listing
    /// the ids when several volumes have that name.
    pub fn try_find_volume(&self, name_or_id: &str) -> Result<Volume> {
        validate::required_text("name_or_id", name_or_id)?;
        self.find(
            "volume",
            name_or_id,
            |id| self.try_get_volume(id),
            |name| self.try_list_volumes_with(&ListOptions::default().name(name)),
            |volume| (volume.id.as_str(), volume.name.as_deref()),
        )
    }

    /// Plain face of [`try_find_volume`](Self::try_find_volume).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.find_volume("no such volume").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn find_volume(&self, name_or_id: &str) -> Option<Volume> {
        logged("find_volume", name_or_id, self.try_find_volume(name_or_id))
    }

    /// Uploads a volume to a new Glance image (`os-volume_upload_image`) and returns the
    /// image's id. The volume is `uploading` until the upload ends: wait for it with
    /// [`try_wait_for_volume_status`](Self::try_wait_for_volume_status).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{UploadImageOptions, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "golden", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let upload = client.try_upload_volume_to_image(&volume.id, "golden-image", &UploadImageOptions::default().disk_format("qcow2"))?;
    /// println!("image {}", upload.image_id);
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty image name; [`Error::Unsupported`] for
    /// visibility or protection below 3.1; [`Error::NotFound`]; [`Error::Api`] with 400 for an
    /// `in-use` volume without force.
    pub fn try_upload_volume_to_image(
        &self,
        volume_id: &str,
        image_name: &str,
        options: &UploadImageOptions,
    ) -> Result<ImageUpload> {
        validate::id("volume_id", volume_id)?;
        validate::required_text("image_name", image_name)?;
        validate::opt_text("disk_format", options.disk_format.as_deref())?;
        validate::opt_text("container_format", options.container_format.as_deref())?;
        validate::opt_text("visibility", options.visibility.as_deref())?;
        if options.visibility.is_some() || options.protected.is_some() {
            self.transport
                .require(Service::BlockStorage, UPLOAD_VISIBILITY)?;
        }
        let body = wire::upload_image_body(image_name, options);
        let mut call = Call::new(
            Service::BlockStorage,
            Method::POST,
            wire::action_path(volume_id),
        )
        .body(&body)
        .about("volume", volume_id);
        if options.visibility.is_some() || options.protected.is_some() {
            // Resent below 3.1 after a 406, Cinder would ignore them.
            call = call.requires(UPLOAD_VISIBILITY);
        }
        Ok(self
            .transport
            .json::<wire::UploadReply>(&call, "image upload")?
            .upload)
    }

    /// Plain face of [`try_upload_volume_to_image`](Self::try_upload_volume_to_image).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.upload_volume_to_image("no-such-volume", "image", &Default::default()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn upload_volume_to_image(
        &self,
        volume_id: &str,
        image_name: &str,
        options: &UploadImageOptions,
    ) -> Option<ImageUpload> {
        logged(
            "upload_volume_to_image",
            format_args!("{volume_id} to {image_name}"),
            self.try_upload_volume_to_image(volume_id, image_name, options),
        )
    }
}
