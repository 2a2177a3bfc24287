//! The transfer operations, in both faces.

use serde_json::json;
use ureq::http::Method;

use super::{
    CreateTransferOptions, CreatedReply, CreatedTransfer, TransferList, TransferReply,
    VolumeTransfer,
};
use crate::client::{InfomaniakVolumeClient, logged};
use crate::config::Secret;
use crate::error::{Error, Result};
use crate::microversion::Microversion;
use crate::transport::{Call, Service};
use crate::validate;

/// `/volume-transfers` and `no_snapshots` need this; below it, `/os-volume-transfer`.
const VOLUME_TRANSFERS: Microversion = Microversion::new(3, 55);

impl InfomaniakVolumeClient {
    fn transfers_path(&self) -> Result<&'static str> {
        Ok(
            if self
                .transport
                .at_least(Service::BlockStorage, VOLUME_TRANSFERS)?
            {
                "/volume-transfers"
            } else {
                "/os-volume-transfer"
            },
        )
    }

    /// Offers a volume to another project. The volume goes `awaiting-transfer` until the
    /// transfer is accepted or deleted. Returns the transfer and its `auth_key`.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{CreateTransferOptions, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "moving", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let created = client.try_create_volume_transfer(&volume.id, &CreateTransferOptions::default().name("to-staging"))?;
    /// // Hand `created.transfer.id` and `created.auth_key.expose()` to the receiving project.
    /// client.try_delete_volume_transfer(&created.transfer.id)?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a bad id or name; [`Error::Unsupported`] for
    /// `no_snapshots` below 3.55; [`Error::NotFound`] naming the volume; [`Error::Api`] with
    /// 400 for a volume that is not `available`.
    pub fn try_create_volume_transfer(
        &self,
        volume_id: &str,
        options: &CreateTransferOptions,
    ) -> Result<CreatedTransfer> {
        validate::id("volume_id", volume_id)?;
        validate::opt_text("name", options.name.as_deref())?;
        if options.no_snapshots
            && !self
                .transport
                .at_least(Service::BlockStorage, VOLUME_TRANSFERS)?
        {
            return Err(Error::unsupported(
                "Cinder",
                "transfer a volume without its snapshots",
                VOLUME_TRANSFERS,
                self.transport.microversion(Service::BlockStorage)?,
            ));
        }
        let mut transfer = json!({ "volume_id": volume_id });
        if let Some(name) = &options.name {
            transfer["name"] = json!(name);
        }
        if options.no_snapshots {
            transfer["no_snapshots"] = json!(true);
        }
        let body = json!({ "transfer": transfer });
        let call = Call::new(Service::BlockStorage, Method::POST, self.transfers_path()?)
            .body(&body)
            // A 404 here means the volume does not exist.
            .about("volume", volume_id);
        let reply: CreatedReply = self.transport.json(&call, "created volume transfer")?;
        Ok(CreatedTransfer {
            transfer: reply.transfer.transfer,
            auth_key: Secret::new(reply.transfer.auth_key),
        })
    }

    /// Plain face of [`try_create_volume_transfer`](Self::try_create_volume_transfer).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.create_volume_transfer("no-such-volume", &Default::default()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn create_volume_transfer(
        &self,
        volume_id: &str,
        options: &CreateTransferOptions,
    ) -> Option<CreatedTransfer> {
        logged(
            "create_volume_transfer",
            volume_id,
            self.try_create_volume_transfer(volume_id, options),
        )
    }

    /// The project's transfers (with their details).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// for transfer in client.try_list_volume_transfers()? {
    ///     println!("{} {:?} of {}", transfer.id, transfer.name, transfer.volume_id);
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As any request.
    pub fn try_list_volume_transfers(&self) -> Result<Vec<VolumeTransfer>> {
        let path = format!("{}/detail", self.transfers_path()?);
        let call = Call::get(Service::BlockStorage, path);
        Ok(self
            .transport
            .json::<TransferList>(&call, "volume transfers")?
            .transfers)
    }

    /// Plain face of [`try_list_volume_transfers`](Self::try_list_volume_transfers).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let transfers = client.list_volume_transfers();
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_volume_transfers(&self) -> Vec<VolumeTransfer> {
        logged(
            "list_volume_transfers",
            "",
            self.try_list_volume_transfers(),
        )
        .unwrap_or_default()
    }

    /// One transfer (without its key).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_get_volume_transfer("no-such-transfer").unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`].
    pub fn try_get_volume_transfer(&self, transfer_id: &str) -> Result<VolumeTransfer> {
        validate::id("transfer_id", transfer_id)?;
        let path = format!("{}/{transfer_id}", self.transfers_path()?);
        let call = Call::get(Service::BlockStorage, path).about("volume transfer", transfer_id);
        Ok(self
            .transport
            .json::<TransferReply>(&call, "volume transfer")?
            .transfer)
    }

    /// Plain face of [`try_get_volume_transfer`](Self::try_get_volume_transfer).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_volume_transfer("no-such-transfer").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn get_volume_transfer(&self, transfer_id: &str) -> Option<VolumeTransfer> {
        logged(
            "get_volume_transfer",
            transfer_id,
            self.try_get_volume_transfer(transfer_id),
        )
    }

    /// Accepts a transfer into this client's project: the volume becomes this project's.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::Secret;
    /// let accepted = client.try_accept_volume_transfer("no-such-transfer", &Secret::new("key"));
    /// assert!(accepted.unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`]; [`Error::Api`] with 400 for a wrong key, 413 when the volume does
    /// not fit this project's quota. The key never appears in the error.
    pub fn try_accept_volume_transfer(
        &self,
        transfer_id: &str,
        auth_key: &Secret,
    ) -> Result<VolumeTransfer> {
        validate::id("transfer_id", transfer_id)?;
        if auth_key.is_empty() {
            return Err(Error::invalid("auth_key", "is empty"));
        }
        let path = format!("{}/{transfer_id}/accept", self.transfers_path()?);
        let body = json!({ "accept": { "auth_key": auth_key.expose() } });
        let call = Call::new(Service::BlockStorage, Method::POST, path)
            .body(&body)
            .about("volume transfer", transfer_id);
        Ok(self
            .transport
            .json::<TransferReply>(&call, "accepted volume transfer")?
            .transfer)
    }

    /// Plain face of [`try_accept_volume_transfer`](Self::try_accept_volume_transfer).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::Secret;
    /// assert!(client.accept_volume_transfer("no-such-transfer", &Secret::new("key")).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn accept_volume_transfer(
        &self,
        transfer_id: &str,
        auth_key: &Secret,
    ) -> Option<VolumeTransfer> {
        logged(
            "accept_volume_transfer",
            transfer_id,
            self.try_accept_volume_transfer(transfer_id, auth_key),
        )
    }

    /// Deletes a transfer; the volume goes back to `available` in its project.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_delete_volume_transfer("no-such-transfer").unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`].
    pub fn try_delete_volume_transfer(&self, transfer_id: &str) -> Result<()> {
        validate::id("transfer_id", transfer_id)?;
        let path = format!("{}/{transfer_id}", self.transfers_path()?);
        let call = Call::new(Service::BlockStorage, Method::DELETE, path)
            .about("volume transfer", transfer_id);
        self.transport.send(&call)?;
        Ok(())
    }

    /// Plain face of [`try_delete_volume_transfer`](Self::try_delete_volume_transfer).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.delete_volume_transfer("no-such-transfer"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn delete_volume_transfer(&self, transfer_id: &str) -> bool {
        logged(
            "delete_volume_transfer",
            transfer_id,
            self.try_delete_volume_transfer(transfer_id),
        )
        .is_some()
    }
}
