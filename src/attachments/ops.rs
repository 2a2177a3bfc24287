//! Attaching and detaching volumes through Nova, in both faces.

use std::time::{Duration, Instant};

use ureq::http::Method;

use super::wire::{self, AttachmentList, AttachmentReply};
use super::{AttachOptions, ServerAttachment};
use crate::client::{InfomaniakVolumeClient, logged};
use crate::error::{Error, Result};
use crate::microversion;
use crate::transport::{Call, Service};
use crate::validate;
use crate::volumes::{Volume, VolumeStatus};
use crate::wait::Step;

/// How long a volume may still read `available` after an accepted attach before the attach
/// counts as failed: at compute 2.101 the attach starts in the background, a moment later.
const ATTACH_GRACE: Duration = Duration::from_secs(3);

impl InfomaniakVolumeClient {
    /// Attaches a volume to a server through Nova. Nova answers 200 with the attachment or,
    /// from microversion 2.101, 202 without a body: both are success. Attaching is
    /// asynchronous: see [`try_attach_volume_and_wait`](Self::try_attach_volume_and_wait).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::{AttachOptions, VolumeStatus};
    ///
    /// let volume = client.try_create_volume(1, "data", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// client.try_attach_volume(&volume.id, &cloud.server_id(), &AttachOptions::default())?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for a bad id or an empty device; [`Error::Unsupported`] for
    /// `tag` below compute 2.49 or `delete_on_termination` below 2.79; [`Error::Api`] with 400
    /// for a volume already attached (unless it is multi-attach) or not `available`, and 404
    /// for a missing server or volume (Nova's message says which).
    pub fn try_attach_volume(
        &self,
        volume_id: &str,
        instance_id: &str,
        options: &AttachOptions,
    ) -> Result<()> {
        validate::id("volume_id", volume_id)?;
        validate::id("instance_id", instance_id)?;
        if let Some(device) = &options.device {
            if device.is_empty() {
                return Err(Error::invalid(
                    "device",
                    "is empty; pass None to let Nova choose",
                ));
            }
            validate::text("device", device)?;
        }
        let mut requirement = None;
        if let Some(tag) = &options.tag {
            validate::required_text("tag", tag)?;
            self.transport
                .require(Service::Compute, microversion::ATTACH_TAG)?;
            requirement = Some(microversion::ATTACH_TAG);
        }
        if options.delete_on_termination.is_some() {
            self.transport
                .require(Service::Compute, microversion::ATTACH_DELETE_ON_TERMINATION)?;
            requirement = Some(microversion::ATTACH_DELETE_ON_TERMINATION);
        }
        let body = wire::attach_body(volume_id, options);
        // A 404 may be the server or the volume: the error names both, and Nova's message
        // says which.
        let both = format!("{volume_id}, {instance_id}");
        let mut call = Call::new(Service::Compute, Method::POST, wire::list_path(instance_id))
            .body(&body)
            .about("volume or server", &both);
        if let Some(requirement) = requirement {
            call = call.requires(requirement);
        }
        self.transport.send(&call)?;
        Ok(())
    }

    /// Plain face of [`try_attach_volume`](Self::try_attach_volume).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.attach_volume("no-such-volume", &cloud.server_id(), &Default::default()));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn attach_volume(
        &self,
        volume_id: &str,
        instance_id: &str,
        options: &AttachOptions,
    ) -> bool {
        logged(
            "attach_volume",
            format_args!("{volume_id} to {instance_id}"),
            self.try_attach_volume(volume_id, instance_id, options),
        )
        .is_some()
    }

    /// The volumes attached to a server, as Nova lists them.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// for attachment in client.try_list_server_attachments(&cloud.server_id())? {
    ///     println!("{} at {:?}", attachment.volume_id, attachment.device);
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] naming the server when it does not exist.
    pub fn try_list_server_attachments(&self, instance_id: &str) -> Result<Vec<ServerAttachment>> {
        validate::id("instance_id", instance_id)?;
        let call =
            Call::get(Service::Compute, wire::list_path(instance_id)).about("server", instance_id);
        let list: AttachmentList = self.transport.json(&call, "server volume attachments")?;
        Ok(list.volume_attachments)
    }

    /// Plain face of [`try_list_server_attachments`](Self::try_list_server_attachments).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.list_server_attachments("no-such-server").is_empty());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_server_attachments(&self, instance_id: &str) -> Vec<ServerAttachment> {
        logged(
            "list_server_attachments",
            instance_id,
            self.try_list_server_attachments(instance_id),
        )
        .unwrap_or_default()
    }

    /// The attachment of `volume_id` on server `instance_id` (volume first, like
    /// `attach_volume`).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let missing = client.try_get_server_attachment("no-such-volume", &cloud.server_id());
    /// assert!(missing.unwrap_err().is_not_found());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when that volume is not attached to that server (or the server does
    /// not exist).
    pub fn try_get_server_attachment(
        &self,
        volume_id: &str,
        instance_id: &str,
    ) -> Result<ServerAttachment> {
        validate::id("instance_id", instance_id)?;
        validate::id("volume_id", volume_id)?;
        let call = Call::get(Service::Compute, wire::path(instance_id, volume_id))
            .about("volume attachment", volume_id);
        let reply: AttachmentReply = self.transport.json(&call, "server volume attachment")?;
        Ok(reply.volume_attachment)
    }

    /// Plain face of [`try_get_server_attachment`](Self::try_get_server_attachment).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_server_attachment("no-such-volume", &cloud.server_id()).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
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
    /// Detaching is asynchronous: see
    /// [`try_detach_volume_and_wait`](Self::try_detach_volume_and_wait).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::Error;
    /// match client.try_detach_volume("no-such-volume", &cloud.server_id()) {
    ///     Err(Error::NotAttached { .. }) => println!("nothing to detach"),
    ///     other => println!("{other:?}"),
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotAttached`] when the volume is not attached to that server (nothing is sent
    /// after the list); [`Error::NotFound`] for a missing server.
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
        let call = Call::new(
            Service::Compute,
            Method::DELETE,
            wire::path(instance_id, volume_id),
        )
        .about("volume attachment", volume_id);
        self.transport.send(&call)?;
        Ok(())
    }

    /// Plain face of [`try_detach_volume`](Self::try_detach_volume): `false` with a warning
    /// when the volume is not attached to that server.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.detach_volume("no-such-volume", &cloud.server_id()));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn detach_volume(&self, volume_id: &str, instance_id: &str) -> bool {
        logged(
            "detach_volume",
            format_args!("{volume_id} from {instance_id}"),
            self.try_detach_volume(volume_id, instance_id),
        )
        .is_some()
    }

    /// Attaches a volume and waits until this server's attachment shows on the volume and
    /// the volume is `in-use`, for single- and multi-attach volumes alike; returns the volume.
    /// `timeout` covers the whole operation.
    ///
    /// A failed attach fails fast: Nova rolls a volume whose connection failed back to
    /// `available` (or an older Nova leaves it in `error_attaching`), and the waiter then
    /// returns [`Error::AttachFailed`] naming the volume and the server.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// use infomaniak_block_storage::VolumeStatus;
    ///
    /// let volume = client.try_create_volume(1, "data", &Default::default())?;
    /// client.try_wait_for_volume_status(&volume.id, VolumeStatus::Available, Duration::from_secs(60))?;
    /// let server = cloud.server_id();
    /// let volume = client.try_attach_volume_and_wait(&volume.id, &server, &Default::default(), Duration::from_secs(60))?;
    /// assert!(volume.is_attached_to(&server));
    /// client.try_detach_volume_and_wait(&volume.id, &server, Duration::from_secs(60))?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`try_attach_volume`](Self::try_attach_volume), [`Error::AttachFailed`],
    /// [`Error::WaitTimeout`].
    pub fn try_attach_volume_and_wait(
        &self,
        volume_id: &str,
        instance_id: &str,
        options: &AttachOptions,
        timeout: Duration,
    ) -> Result<Volume> {
        let started = Instant::now();
        // The POST counts against the timeout too.
        match started.checked_add(timeout) {
            Some(deadline) => crate::transport::with_deadline(deadline, || {
                self.try_attach_volume(volume_id, instance_id, options)
            })?,
            None => self.try_attach_volume(volume_id, instance_id, options)?,
        }
        // The grace runs from Nova's answer: a slow answer must not eat it.
        let posted = Instant::now();
        let mut left_available = false;
        self.wait(
            "volume",
            volume_id,
            "in-use",
            timeout.saturating_sub(started.elapsed()),
        )
        .run(&mut |_, _| {}, || {
            let volume = self.try_get_volume(volume_id)?;
            let attached = volume.is_attached_to(instance_id);
            let status = volume.status.clone();
            if attached && status == VolumeStatus::InUse {
                return Ok(Step::done(status.to_string(), volume));
            }
            let failed = match &status {
                VolumeStatus::ErrorAttaching => true,
                VolumeStatus::Available => left_available || posted.elapsed() > ATTACH_GRACE,
                // Another server's attachment keeps it in-use; only this one counts. Back at
                // in-use without it after attaching: the attach of a multi-attach volume failed.
                VolumeStatus::InUse => left_available,
                _ => {
                    left_available = true;
                    false
                }
            };
            if failed || status.is_error() {
                return Err(Error::AttachFailed {
                    volume_id: volume_id.to_string(),
                    instance_id: instance_id.to_string(),
                    status: status.to_string(),
                    // Left in error_attaching, Cinder's user message about the volume is the
                    // precise one; Nova's instance action says why otherwise.
                    reason: (status == VolumeStatus::ErrorAttaching)
                        .then(|| self.failure_reason(volume_id))
                        .flatten()
                        .or_else(|| self.instance_action_failure(instance_id, "attach_volume")),
                });
            }
            Ok(Step::pending(status.to_string()))
        })
    }

    /// Plain face of [`try_attach_volume_and_wait`](Self::try_attach_volume_and_wait).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// assert!(client.attach_volume_and_wait("no-such-volume", &cloud.server_id(), &Default::default(), Duration::from_secs(5)).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn attach_volume_and_wait(
        &self,
        volume_id: &str,
        instance_id: &str,
        options: &AttachOptions,
        timeout: Duration,
    ) -> Option<Volume> {
        logged(
            "attach_volume_and_wait",
            format_args!("{volume_id} to {instance_id}"),
            self.try_attach_volume_and_wait(volume_id, instance_id, options, timeout),
        )
    }

    /// Detaches a volume and waits until this server's attachment is gone: the volume is
    /// `available`, or still `in-use` through other servers' attachments (multi-attach). A
    /// detach that Nova rolls back fails fast with [`Error::DetachFailed`].
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// let detached = client.try_detach_volume_and_wait("no-such-volume", &cloud.server_id(), Duration::from_secs(5));
    /// assert!(detached.is_err());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`try_detach_volume`](Self::try_detach_volume),
    /// [`Error::DetachFailed`] when Nova rolls the detach back (the volume returns to `in-use`
    /// with this server's attachment after `detaching`) or it ends in `error_detaching`,
    /// [`Error::ResourceFailed`] on another error status, [`Error::WaitTimeout`].
    pub fn try_detach_volume_and_wait(
        &self,
        volume_id: &str,
        instance_id: &str,
        timeout: Duration,
    ) -> Result<Volume> {
        let started = Instant::now();
        self.try_detach_volume(volume_id, instance_id)?;
        self.wait(
            "volume",
            volume_id,
            "detached",
            timeout.saturating_sub(started.elapsed()),
        )
        .run(&mut |_, _| {}, {
            let mut seen_detaching = false;
            move || {
                let volume = self.try_get_volume(volume_id)?;
                let status = volume.status.clone();
                let gone = !volume.is_attached_to(instance_id);
                let settled = status == VolumeStatus::Available
                    || (status == VolumeStatus::InUse && !volume.attachments.is_empty());
                if gone && settled {
                    return Ok(Step::done(status.to_string(), volume));
                }
                // Back to in-use with this server's attachment after detaching: Nova rolled
                // the detach back. error_detaching: it failed where it stood.
                let rolled_back = seen_detaching && status == VolumeStatus::InUse && !gone;
                if rolled_back || status == VolumeStatus::ErrorDetaching {
                    return Err(Error::DetachFailed {
                        volume_id: volume_id.to_string(),
                        instance_id: instance_id.to_string(),
                        status: status.to_string(),
                        reason: self
                            .failure_reason(volume_id)
                            .or_else(|| self.instance_action_failure(instance_id, "detach_volume")),
                    });
                }
                if status.is_error() {
                    return Err(self.resource_failed("volume", volume_id, status.as_str()));
                }
                seen_detaching |= status == VolumeStatus::Detaching;
                Ok(Step::pending(status.to_string()))
            }
        })
    }

    /// Plain face of [`try_detach_volume_and_wait`](Self::try_detach_volume_and_wait).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use std::time::Duration;
    /// assert!(client.detach_volume_and_wait("no-such-volume", &cloud.server_id(), Duration::from_secs(5)).is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
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

    /// The message of the newest failed `wanted` instance action (`attach_volume`,
    /// `detach_volume`) of a server, if Nova tells. Failing to read it is not an error: the
    /// operation failed either way.
    fn instance_action_failure(&self, instance_id: &str, wanted: &str) -> Option<String> {
        let call = Call::get(
            Service::Compute,
            format!("/servers/{instance_id}/os-instance-actions"),
        );
        let actions: serde_json::Value = self.transport.json(&call, "instance actions").ok()?;
        let action = actions
            .get("instanceActions")?
            .as_array()?
            .iter()
            .find(|a| a.get("action").and_then(|v| v.as_str()) == Some(wanted))?;
        let request_id = action.get("request_id").and_then(|v| v.as_str());
        let detail = request_id.and_then(|id| {
            validate::id("request_id", id).ok()?;
            let call = Call::get(
                Service::Compute,
                format!("/servers/{instance_id}/os-instance-actions/{id}"),
            );
            let detail: serde_json::Value = self.transport.json(&call, "instance action").ok()?;
            let events = detail.get("instanceAction")?.get("events")?.as_array()?;
            events.iter().find_map(|e| {
                let result = e.get("result").and_then(|v| v.as_str())?;
                (result != "Success").then(|| {
                    let event = e.get("event").and_then(|v| v.as_str()).unwrap_or("attach");
                    let trace = e.get("traceback").and_then(|v| v.as_str()).unwrap_or("");
                    // `details` (2.84+) is what Nova tells non-admins; the traceback is
                    // admin-only.
                    let details = e.get("details").and_then(|v| v.as_str()).map(str::trim);
                    let last = details
                        .filter(|d| !d.is_empty())
                        .or_else(|| trace.lines().rev().map(str::trim).find(|l| !l.is_empty()));
                    match last {
                        Some(line) => format!("{event}: {result}: {line}"),
                        None => format!("{event}: {result}"),
                    }
                })
            })
        });
        detail.or_else(|| {
            action
                .get("message")
                .and_then(|v| v.as_str())
                .map(|m| format!("{wanted}: {m}"))
        })
    }
}
