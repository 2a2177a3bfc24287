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
use crate::microversion::{Microversion, Requirement};
use crate::transport::{Call, Service};
use crate::validate;

/// `/volume-transfers` and `no_snapshots` need this; below it, `/os-volume-transfer`.
const VOLUME_TRANSFERS: Microversion = Microversion::new(3, 55);

/// The requirement a call to `/volume-transfers` carries, so that a 406 fallback below 3.55
/// does not send it to a path that Cinder does not have there.
const VOLUME_TRANSFERS_PATH: Requirement = Requirement {
    feature: "use /volume-transfers",
    needs: VOLUME_TRANSFERS,
};

impl InfomaniakVolumeClient {
    /// Runs `send` with the transfers path for the version in use; when a 406 lowers the
    /// version below 3.55 on the way, runs it once more with the older path.
    fn with_transfers_path<T>(
        &self,
        send: impl Fn(&'static str, Option<Requirement>) -> Result<T>,
    ) -> Result<T> {
        let modern = |client: &Self| {
            client
                .transport
                .at_least(Service::BlockStorage, VOLUME_TRANSFERS)
        };
        if !modern(self)? {
            return send("/os-volume-transfer", None);
        }
        match send("/volume-transfers", Some(VOLUME_TRANSFERS_PATH)) {
            Err(Error::Unsupported { .. }) if !modern(self)? => send("/os-volume-transfer", None),
            other => other,
        }
    }

    /// Applies the path's requirement, if any, to `call`.
    fn transfer_call<'a>(call: Call<'a>, requirement: Option<Requirement>) -> Call<'a> {
        match requirement {
            Some(requirement) => call.requires(requirement),
            None => call,
        }
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
        let reply: CreatedReply = self.with_transfers_path(|path, requirement| {
            let mut call = Call::new(Service::BlockStorage, Method::POST, path)
                .body(&body)
                // A 404 here means the volume does not exist.
                .about("volume", volume_id);
            call = Self::transfer_call(call, requirement);
            // `no_snapshots` is only understood at /volume-transfers: never resent below.
            if options.no_snapshots {
                let requirement = Requirement {
                    feature: "transfer a volume without its snapshots",
                    needs: VOLUME_TRANSFERS,
                };
                // Checked now too: the retry at /os-volume-transfer after a 406 runs this
                // again, at the lower version, and no 406 would stop it there.
                self.transport.require(Service::BlockStorage, requirement)?;
                call = call.requires(requirement);
            }
            self.transport.json(&call, "created volume transfer")
        })?;
        if reply.transfer.auth_key.is_empty() {
            return Err(Error::decode(
                "created volume transfer",
                "the reply holds no auth_key, without which the transfer cannot be accepted",
                None,
            ));
        }
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
        let list: TransferList = self.with_transfers_path(|path, requirement| {
            let call = Call::get(Service::BlockStorage, format!("{path}/detail"));
            self.transport
                .json(&Self::transfer_call(call, requirement), "volume transfers")
        })?;
        Ok(list.transfers)
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
        let reply: TransferReply = self.with_transfers_path(|path, requirement| {
            let call = Call::get(Service::BlockStorage, format!("{path}/{transfer_id}"))
                .about("volume transfer", transfer_id);
            self.transport
                .json(&Self::transfer_call(call, requirement), "volume transfer")
        })?;
        Ok(reply.transfer)
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
        let body = json!({ "accept": { "auth_key": auth_key.expose() } });
        let reply: TransferReply = self.with_transfers_path(|path, requirement| {
            let call = Call::new(
                Service::BlockStorage,
                Method::POST,
                format!("{path}/{transfer_id}/accept"),
            )
            .body(&body)
            .about("volume transfer", transfer_id);
            self.transport.json(
                &Self::transfer_call(call, requirement),
                "accepted volume transfer",
            )
        })?;
        Ok(reply.transfer)
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
        self.with_transfers_path(|path, requirement| {
            let call = Call::new(
                Service::BlockStorage,
                Method::DELETE,
                format!("{path}/{transfer_id}"),
            )
            .about("volume transfer", transfer_id);
            self.transport.send(&Self::transfer_call(call, requirement))
        })?;
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
