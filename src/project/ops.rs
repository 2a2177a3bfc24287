//! The project information operations, in both faces.

use super::{
    AbsoluteLimits, AvailabilityZone, LimitsReply, QuotaReply, QuotaSet, TypeList, VolumeType,
    ZoneList,
};
use crate::client::{InfomaniakVolumeClient, logged};
use crate::error::Result;
use crate::transport::{Call, Service};
use crate::validate;

impl InfomaniakVolumeClient {
    /// The volume types this project may use.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// for volume_type in client.try_list_volume_types()? {
    ///     println!("{}", volume_type.name);
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As any request.
    pub fn try_list_volume_types(&self) -> Result<Vec<VolumeType>> {
        let call = Call::get(Service::BlockStorage, "/types");
        Ok(self
            .transport
            .json::<TypeList>(&call, "volume types")?
            .volume_types)
    }

    /// Plain face of [`try_list_volume_types`](Self::try_list_volume_types).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.list_volume_types().is_empty());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_volume_types(&self) -> Vec<VolumeType> {
        logged("list_volume_types", "", self.try_list_volume_types()).unwrap_or_default()
    }

    /// The availability zones of block storage.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let zones = client.try_list_availability_zones()?;
    /// assert!(zones.iter().any(|zone| zone.available));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As any request.
    pub fn try_list_availability_zones(&self) -> Result<Vec<AvailabilityZone>> {
        let call = Call::get(Service::BlockStorage, "/os-availability-zone");
        Ok(self
            .transport
            .json::<ZoneList>(&call, "availability zones")?
            .zones)
    }

    /// Plain face of [`try_list_availability_zones`](Self::try_list_availability_zones).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let zones = client.list_availability_zones();
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_availability_zones(&self) -> Vec<AvailabilityZone> {
        logged(
            "list_availability_zones",
            "",
            self.try_list_availability_zones(),
        )
        .unwrap_or_default()
    }

    /// The project's absolute limits and usage: what is left before a create gets 413.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let limits = client.try_get_limits()?;
    /// println!("{:?} more volumes", limits.volumes_left());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As any request.
    pub fn try_get_limits(&self) -> Result<AbsoluteLimits> {
        let call = Call::get(Service::BlockStorage, "/limits");
        Ok(self
            .transport
            .json::<LimitsReply>(&call, "limits")?
            .limits
            .absolute)
    }

    /// Plain face of [`try_get_limits`](Self::try_get_limits).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_limits().is_some());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn get_limits(&self) -> Option<AbsoluteLimits> {
        logged("get_limits", "", self.try_get_limits())
    }

    /// The project's quotas with usage, keyed by resource (`volumes`, `gigabytes`, ...).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let quotas = client.try_get_quotas()?;
    /// println!("{:?}", quotas.get("volumes"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As any request; [`crate::Error::Decode`] when the token names no project.
    pub fn try_get_quotas(&self) -> Result<QuotaSet> {
        let project_id = self.transport.project_id()?;
        validate::id("project_id", &project_id)?;
        let call = Call::get(
            Service::BlockStorage,
            format!("/os-quota-sets/{project_id}?usage=true"),
        );
        let reply: QuotaReply = self.transport.json(&call, "quota set")?;
        Ok(super::decode_quota_set(reply.quota_set))
    }

    /// Plain face of [`try_get_quotas`](Self::try_get_quotas).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_quotas().is_some());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn get_quotas(&self) -> Option<QuotaSet> {
        logged("get_quotas", "", self.try_get_quotas())
    }
}
