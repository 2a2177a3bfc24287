//! Cinder user messages (`/messages`, microversion 3.3): why an asynchronous operation failed,
//! in words meant for the project's users. Waiters read the newest one about a resource that
//! fails, so that the error says why.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ureq::http::Method;

use crate::client::{InfomaniakVolumeClient, logged};
use crate::error::Result;
use crate::listing::encode;
use crate::microversion::{Microversion, Requirement};
use crate::transport::{Call, Service};
use crate::validate;

/// User messages need this microversion.
const MESSAGES: Requirement = Requirement {
    feature: "read user messages",
    needs: Microversion::new(3, 3),
};

/// One user message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserMessage {
    /// The message's id.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub id: String,
    /// What happened, e.g. `schedule allocate volume: Could not find any available weighted
    /// backend.`
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub user_message: String,
    /// The kind of resource: `VOLUME`, `SNAPSHOT`, `BACKUP`, ...
    #[serde(default)]
    pub resource_type: Option<String>,
    /// The resource it is about.
    #[serde(default)]
    pub resource_uuid: Option<String>,
    /// The event, e.g. `VOLUME_000002`.
    #[serde(default)]
    pub event_id: Option<String>,
    /// `ERROR`, ...
    #[serde(default)]
    pub message_level: Option<String>,
    /// When it was written.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Until when Cinder keeps it.
    #[serde(default)]
    pub guaranteed_until: Option<String>,
    /// The request that failed.
    #[serde(default)]
    pub request_id: Option<String>,
    /// Every field of the reply that this type does not name, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct MessageList {
    #[serde(default, deserialize_with = "crate::de::null_default")]
    messages: Vec<UserMessage>,
}

#[derive(Deserialize)]
struct MessageReply {
    message: UserMessage,
}

impl InfomaniakVolumeClient {
    /// The user messages about one resource (`Some(id)`) or about all (`None`), newest first.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// for message in client.try_list_user_messages(None)? {
    ///     println!("{:?}: {}", message.resource_uuid, message.user_message);
    /// }
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::Unsupported`] below microversion 3.3; as any request.
    pub fn try_list_user_messages(&self, resource_id: Option<&str>) -> Result<Vec<UserMessage>> {
        validate::opt_id("resource_id", resource_id)?;
        self.transport.require(Service::BlockStorage, MESSAGES)?;
        let mut path = String::from("/messages?sort=created_at:desc");
        if let Some(id) = resource_id {
            path.push_str("&resource_uuid=");
            path.push_str(&encode(id));
        }
        let call = Call::get(Service::BlockStorage, path);
        Ok(self
            .transport
            .json::<MessageList>(&call, "user messages")?
            .messages)
    }

    /// Plain face of [`try_list_user_messages`](Self::try_list_user_messages).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// let messages = client.list_user_messages(None);
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn list_user_messages(&self, resource_id: Option<&str>) -> Vec<UserMessage> {
        logged(
            "list_user_messages",
            resource_id.unwrap_or(""),
            self.try_list_user_messages(resource_id),
        )
        .unwrap_or_default()
    }

    /// One user message.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_get_user_message("no-such-message").is_err());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`]; [`crate::Error::Unsupported`] below 3.3.
    pub fn try_get_user_message(&self, message_id: &str) -> Result<UserMessage> {
        validate::id("message_id", message_id)?;
        self.transport.require(Service::BlockStorage, MESSAGES)?;
        let call = Call::get(Service::BlockStorage, format!("/messages/{message_id}"))
            .about("user message", message_id);
        Ok(self
            .transport
            .json::<MessageReply>(&call, "user message")?
            .message)
    }

    /// Plain face of [`try_get_user_message`](Self::try_get_user_message).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.get_user_message("no-such-message").is_none());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn get_user_message(&self, message_id: &str) -> Option<UserMessage> {
        logged(
            "get_user_message",
            message_id,
            self.try_get_user_message(message_id),
        )
    }

    /// Deletes a user message.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(client.try_delete_user_message("no-such-message").is_err());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotFound`]; [`crate::Error::Unsupported`] below 3.3.
    pub fn try_delete_user_message(&self, message_id: &str) -> Result<()> {
        validate::id("message_id", message_id)?;
        self.transport.require(Service::BlockStorage, MESSAGES)?;
        let call = Call::new(
            Service::BlockStorage,
            Method::DELETE,
            format!("/messages/{message_id}"),
        )
        .about("user message", message_id);
        self.transport.send(&call)?;
        Ok(())
    }

    /// Plain face of [`try_delete_user_message`](Self::try_delete_user_message).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// assert!(!client.delete_user_message("no-such-message"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn delete_user_message(&self, message_id: &str) -> bool {
        logged(
            "delete_user_message",
            message_id,
            self.try_delete_user_message(message_id),
        )
        .is_some()
    }

    /// The newest user message about a resource, for a waiter's error. Anything that goes
    /// wrong reading it gives `None`: the resource failed either way.
    pub(crate) fn failure_reason(&self, resource_id: &str) -> Option<String> {
        let messages = self.try_list_user_messages(Some(resource_id)).ok()?;
        messages
            .into_iter()
            .find(|m| m.resource_uuid.as_deref() == Some(resource_id))
            .map(|m| m.user_message)
            .filter(|m| !m.is_empty())
    }
}
