//! Operations beyond the Python client's fourteen: volume updates and actions, metadata,
//! snapshot updates, project information, attach/detach that wait, and microversion checks.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ureq::http::Method;

use super::{logged, subject, InfomaniakVolumeClient};
use crate::config::Microversion;
use crate::error::{Error, Result};
use crate::project::{
    self, AbsoluteLimits, AvailabilityZone, LimitsReply, QuotaReply, QuotaSet, TypeList,
    VolumeType, ZoneList,
};
use crate::snapshots::{self, Snapshot, SnapshotReply};
use crate::transport::Service;
use crate::validate;
use crate::volumes::{self, MetadataReply, MigrationPolicy, UpdateVolume, Volume, VolumeReply};

/// Extending an `in-use` volume needs this microversion.
const EXTEND_IN_USE: Microversion = Microversion::new(3, 42);
/// Creating a volume from a backup needs this microversion.
pub(super) const CREATE_FROM_BACKUP: Microversion = Microversion::new(3, 47);
/// Reverting a volume to a snapshot needs this microversion.
const REVERT: Microversion = Microversion::new(3, 40);

fn metadata_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid("key", "is empty"));
    }
    validate::text("key", key)
}

impl InfomaniakVolumeClient {
    // ----- microversions ----------------------------------------------------------------

    /// The Cinder microversion this client sends: the configured one, or with
    /// `Config::negotiate_microversion` the lower of it and the server's maximum (asked once).
    pub fn try_volume_microversion(&self) -> Result<String> {
        self.transport.volume_microversion()
    }

    /// Plain face of [`try_volume_microversion`](Self::try_volume_microversion).
    pub fn volume_microversion(&self) -> Option<String> {
        logged("volume_microversion", "", self.try_volume_microversion())
    }

    /// `Err(Error::Unsupported)` when the microversion in use is known to be below `needed`.
    pub(super) fn require(&self, feature: &str, needed: Microversion) -> Result<()> {
        let in_use = self.transport.volume_microversion()?;
        match Microversion::parse(&in_use) {
            Some(version) if version < needed => Err(Error::Unsupported {
                feature: feature.to_string(),
                required: needed.to_string(),
                available: version.to_string(),
            }),
            // `latest` or at least `needed`: let the server decide.
            _ => Ok(()),
        }
    }

    /// Before 3.42 only an `available` volume can be extended; say so instead of a bare 400.
    pub(super) fn check_extend_allowed(&self, volume_id: &str) -> Result<()> {
        let in_use = self.transport.volume_microversion()?;
        if Microversion::parse(&in_use).is_none_or(|version| version >= EXTEND_IN_USE) {
            return Ok(());
        }
        let volume = self.try_get_volume(volume_id)?;
        if volume.status == "in-use" {
            self.require("extend an in-use volume", EXTEND_IN_USE)?;
        }
        Ok(())
    }

    // ----- volume updates and actions ---------------------------------------------------

    /// Changes a volume's name, description or metadata and returns the updated volume.
    pub fn try_update_volume(&self, volume_id: &str, update: &UpdateVolume) -> Result<Volume> {
        validate::id("volume_id", volume_id)?;
        validate::opt_text("name", update.name.as_deref())?;
        validate::opt_description("description", update.description.as_deref())?;
        let reply = self.transport.call(
            Service::BlockStorage,
            Method::PUT,
            &volumes::path(volume_id),
            Some(&volumes::update_body(update)),
            subject("volume", volume_id),
        )?;
        Ok(reply.json::<VolumeReply>("updated volume")?.volume)
    }

    /// Plain face of [`try_update_volume`](Self::try_update_volume).
    pub fn update_volume(&self, volume_id: &str, update: &UpdateVolume) -> Option<Volume> {
        logged(
            "update_volume",
            volume_id,
            self.try_update_volume(volume_id, update),
        )
    }

    /// Changes a volume's type (`os-retype`). With [`MigrationPolicy::Never`] Cinder refuses a
    /// retype that would move data to another backend.
    pub fn try_retype_volume(
        &self,
        volume_id: &str,
        new_type: &str,
        policy: MigrationPolicy,
    ) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        if new_type.is_empty() {
            return Err(Error::invalid("new_type", "is empty"));
        }
        validate::text("new_type", new_type)?;
        self.volume_action(volume_id, &volumes::retype_body(new_type, policy))
    }

    /// Plain face of [`try_retype_volume`](Self::try_retype_volume).
    pub fn retype_volume(&self, volume_id: &str, new_type: &str, policy: MigrationPolicy) -> bool {
        logged(
            "retype_volume",
            format_args!("{volume_id} to {new_type}"),
            self.try_retype_volume(volume_id, new_type, policy),
        )
        .is_some()
    }

    /// Marks a volume bootable or not (`os-set_bootable`).
    pub fn try_set_volume_bootable(&self, volume_id: &str, bootable: bool) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        self.volume_action(volume_id, &volumes::bootable_body(bootable))
    }

    /// Plain face of [`try_set_volume_bootable`](Self::try_set_volume_bootable).
    pub fn set_volume_bootable(&self, volume_id: &str, bootable: bool) -> bool {
        logged(
            "set_volume_bootable",
            volume_id,
            self.try_set_volume_bootable(volume_id, bootable),
        )
        .is_some()
    }

    /// Marks a volume read-only or read-write (`os-update_readonly_flag`).
    pub fn try_set_volume_readonly(&self, volume_id: &str, readonly: bool) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        self.volume_action(volume_id, &volumes::readonly_body(readonly))
    }

    /// Plain face of [`try_set_volume_readonly`](Self::try_set_volume_readonly).
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
    pub fn try_revert_volume_to_snapshot(&self, volume_id: &str, snapshot_id: &str) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        validate::id("snapshot_id", snapshot_id)?;
        self.require("revert a volume to a snapshot", REVERT)?;
        self.volume_action(volume_id, &volumes::revert_body(snapshot_id))
    }

    /// Plain face of [`try_revert_volume_to_snapshot`](Self::try_revert_volume_to_snapshot).
    pub fn revert_volume_to_snapshot(&self, volume_id: &str, snapshot_id: &str) -> bool {
        logged(
            "revert_volume_to_snapshot",
            format_args!("{volume_id} to {snapshot_id}"),
            self.try_revert_volume_to_snapshot(volume_id, snapshot_id),
        )
        .is_some()
    }

    // ----- volume metadata --------------------------------------------------------------

    /// A volume's metadata.
    pub fn try_get_volume_metadata(&self, volume_id: &str) -> Result<BTreeMap<String, String>> {
        validate::id("volume_id", volume_id)?;
        let reply: MetadataReply = self.transport.get_json(
            Service::BlockStorage,
            &volumes::metadata_path(volume_id),
            subject("volume", volume_id),
            "volume metadata",
        )?;
        Ok(reply.metadata)
    }

    /// Plain face of [`try_get_volume_metadata`](Self::try_get_volume_metadata).
    pub fn get_volume_metadata(&self, volume_id: &str) -> Option<BTreeMap<String, String>> {
        logged(
            "get_volume_metadata",
            volume_id,
            self.try_get_volume_metadata(volume_id),
        )
    }

    /// Adds or changes metadata keys (others are kept) and returns the whole metadata.
    pub fn try_set_volume_metadata(
        &self,
        volume_id: &str,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>> {
        validate::id("volume_id", volume_id)?;
        for key in metadata.keys() {
            metadata_key(key)?;
        }
        let reply = self.transport.call(
            Service::BlockStorage,
            Method::POST,
            &volumes::metadata_path(volume_id),
            Some(&volumes::metadata_body(metadata)),
            subject("volume", volume_id),
        )?;
        Ok(reply.json::<MetadataReply>("volume metadata")?.metadata)
    }

    /// Plain face of [`try_set_volume_metadata`](Self::try_set_volume_metadata).
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
    pub fn try_delete_volume_metadata_key(&self, volume_id: &str, key: &str) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        metadata_key(key)?;
        self.transport.call(
            Service::BlockStorage,
            Method::DELETE,
            &volumes::metadata_key_path(volume_id, key),
            None,
            subject("volume", volume_id),
        )?;
        Ok(())
    }

    /// Plain face of [`try_delete_volume_metadata_key`](Self::try_delete_volume_metadata_key).
    pub fn delete_volume_metadata_key(&self, volume_id: &str, key: &str) -> bool {
        logged(
            "delete_volume_metadata_key",
            format_args!("{volume_id}, {key}"),
            self.try_delete_volume_metadata_key(volume_id, key),
        )
        .is_some()
    }

    // ----- snapshots --------------------------------------------------------------------

    /// Renames a snapshot or changes its description; `None` leaves a field as it is.
    pub fn try_update_snapshot(
        &self,
        snapshot_id: &str,
        name: Option<&str>,
        description: Option<&str>,
    ) -> Result<Snapshot> {
        validate::id("snapshot_id", snapshot_id)?;
        validate::opt_text("name", name)?;
        validate::opt_description("description", description)?;
        let reply = self.transport.call(
            Service::BlockStorage,
            Method::PUT,
            &snapshots::path(snapshot_id),
            Some(&snapshots::update_body(name, description)),
            subject("snapshot", snapshot_id),
        )?;
        Ok(reply.json::<SnapshotReply>("updated snapshot")?.snapshot)
    }

    /// Plain face of [`try_update_snapshot`](Self::try_update_snapshot).
    pub fn update_snapshot(
        &self,
        snapshot_id: &str,
        name: Option<&str>,
        description: Option<&str>,
    ) -> Option<Snapshot> {
        logged(
            "update_snapshot",
            snapshot_id,
            self.try_update_snapshot(snapshot_id, name, description),
        )
    }

    // ----- project information ----------------------------------------------------------

    /// The volume types this project may use.
    pub fn try_list_volume_types(&self) -> Result<Vec<VolumeType>> {
        let list: TypeList =
            self.transport
                .get_json(Service::BlockStorage, "/types", None, "volume types")?;
        Ok(list.volume_types)
    }

    /// Plain face of [`try_list_volume_types`](Self::try_list_volume_types).
    pub fn list_volume_types(&self) -> Vec<VolumeType> {
        logged("list_volume_types", "", self.try_list_volume_types()).unwrap_or_default()
    }

    /// The availability zones of block storage.
    pub fn try_list_availability_zones(&self) -> Result<Vec<AvailabilityZone>> {
        let list: ZoneList = self.transport.get_json(
            Service::BlockStorage,
            "/os-availability-zone",
            None,
            "availability zones",
        )?;
        Ok(list.zones)
    }

    /// Plain face of [`try_list_availability_zones`](Self::try_list_availability_zones).
    pub fn list_availability_zones(&self) -> Vec<AvailabilityZone> {
        logged(
            "list_availability_zones",
            "",
            self.try_list_availability_zones(),
        )
        .unwrap_or_default()
    }

    /// The project's absolute limits and usage: what is left before a create gets 413.
    pub fn try_get_limits(&self) -> Result<AbsoluteLimits> {
        let reply: LimitsReply =
            self.transport
                .get_json(Service::BlockStorage, "/limits", None, "limits")?;
        Ok(reply.limits.absolute)
    }

    /// Plain face of [`try_get_limits`](Self::try_get_limits).
    pub fn get_limits(&self) -> Option<AbsoluteLimits> {
        logged("get_limits", "", self.try_get_limits())
    }

    /// The project's quotas with usage, keyed by resource (`volumes`, `gigabytes`, ...).
    pub fn try_get_quotas(&self) -> Result<QuotaSet> {
        let project_id = self.transport.project_id()?;
        validate::id("project_id", &project_id)?;
        let reply: QuotaReply = self.transport.get_json(
            Service::BlockStorage,
            &format!("/os-quota-sets/{project_id}?usage=true"),
            None,
            "quota set",
        )?;
        Ok(project::decode_quota_set(reply.quota_set))
    }

    /// Plain face of [`try_get_quotas`](Self::try_get_quotas).
    pub fn get_quotas(&self) -> Option<QuotaSet> {
        logged("get_quotas", "", self.try_get_quotas())
    }

    // ----- attach and detach that finish ------------------------------------------------

    /// Attaches a volume and waits until Cinder shows it `in-use`; returns the volume with
    /// its attachment. `timeout` covers the whole operation.
    pub fn try_attach_volume_and_wait(
        &self,
        volume_id: &str,
        instance_id: &str,
        device: Option<&str>,
        timeout: Duration,
    ) -> Result<Volume> {
        let started = Instant::now();
        self.try_attach_volume(volume_id, instance_id, device)?;
        self.try_wait_for_volume_status(
            volume_id,
            "in-use",
            timeout.saturating_sub(started.elapsed()),
        )
    }

    /// Plain face of [`try_attach_volume_and_wait`](Self::try_attach_volume_and_wait).
    pub fn attach_volume_and_wait(
        &self,
        volume_id: &str,
        instance_id: &str,
        device: Option<&str>,
        timeout: Duration,
    ) -> Option<Volume> {
        logged(
            "attach_volume_and_wait",
            format_args!("{volume_id} to {instance_id}"),
            self.try_attach_volume_and_wait(volume_id, instance_id, device, timeout),
        )
    }

    /// Detaches a volume and waits until Cinder shows it `available`.
    pub fn try_detach_volume_and_wait(
        &self,
        volume_id: &str,
        instance_id: &str,
        timeout: Duration,
    ) -> Result<Volume> {
        let started = Instant::now();
        self.try_detach_volume(volume_id, instance_id)?;
        self.try_wait_for_volume_status(
            volume_id,
            "available",
            timeout.saturating_sub(started.elapsed()),
        )
    }

    /// Plain face of [`try_detach_volume_and_wait`](Self::try_detach_volume_and_wait).
    pub fn detach_volume_and_wait(
        &self,
        volume_id: &str,
        instance_id: &str,
        timeout: Duration,
    ) -> Option<Volume> {
        logged(
            "detach_volume_and_wait",
            format_args!("{volume_id} from {instance_id}"),
            self.try_detach_volume_and_wait(volume_id, instance_id, timeout),
        )
    }
}
