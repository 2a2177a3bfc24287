//! [`InfomaniakVolumeClient`]: construction, and the plain face shared by every operation.
//!
//! The operations live with their resources (`volumes`, `snapshots`, `backups`,
//! `attachments`, `project`). Each `try_<name>` does the work: validate, build, send, decode.
//! The plain `<name>` is a one-line wrapper that logs a failure and returns the sentinel.

use std::fmt::Display;
use std::sync::Arc;

use log::{error, warn};

use crate::config::{Config, DEFAULT_AUTH_URL};
use crate::error::{Error, Result};
use crate::listing::{ListOptions, Listing};
use crate::pagination::{PageDecoder, Pages};
use crate::transport::{Service, Transport};

/// A blocking client for Infomaniak Public Cloud block storage (or any OpenStack cloud).
///
/// Construction does no network I/O; the first call authenticates. The token is reused,
/// renewed before it expires and once after a 401. The client is `Send + Sync` and cheap to
/// clone: clones share the token and the connection pool, so one client serves many threads.
///
/// Every operation has two faces: `list_volumes()` returns the value or a sentinel (empty
/// `Vec`, `None`, `false`) after logging one `error!` line; `try_list_volumes()` returns
/// `Result<_, Error>`.
///
/// ```
/// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
/// # let (id, secret, auth_url) = (infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, cloud.auth_url());
/// use infomaniak_block_storage::InfomaniakVolumeClient;
///
/// let client = InfomaniakVolumeClient::from_credentials(id, secret, Some(&auth_url), None)?;
/// let worker = client.clone();
/// let listed = std::thread::spawn(move || worker.list_volumes().len()).join().unwrap();
/// assert_eq!(listed, client.try_list_volumes()?.len());
/// # Ok::<(), infomaniak_block_storage::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct InfomaniakVolumeClient {
    pub(crate) transport: Arc<Transport>,
}

/// The plain face: the value, or `None` after one log line. `NotAttached` is a warning, as the
/// volume simply was not there to detach; everything else is an error.
pub(crate) fn logged<T>(operation: &str, target: impl Display, result: Result<T>) -> Option<T> {
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
pub(crate) fn logged_pages<T>(
    operation: &'static str,
    pages: Result<Pages<T>>,
) -> impl Iterator<Item = Vec<T>> {
    logged(operation, "", pages)
        .into_iter()
        .flatten()
        .map_while(move |page| logged(operation, "", page))
}

impl InfomaniakVolumeClient {
    /// A client for `config`. Checks the settings; sends nothing.
    ///
    /// ```
    /// use infomaniak_block_storage::{Config, InfomaniakVolumeClient};
    ///
    /// let mut config = Config::application_credential("my-id", "my-secret");
    /// config.region = "dc4-a".into();
    /// let client = InfomaniakVolumeClient::new(config)?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a missing credential, a malformed URL or microversion, an
    /// unreadable CA bundle, or an invalid proxy URL.
    pub fn new(config: Config) -> Result<InfomaniakVolumeClient> {
        Ok(InfomaniakVolumeClient {
            transport: Arc::new(Transport::new(config)?),
        })
    }

    /// A client configured from the environment; see [`Config::from_vars`] for the variables.
    ///
    /// ```no_run
    /// let client = infomaniak_block_storage::InfomaniakVolumeClient::from_env()?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the variable that is missing or wrong.
    pub fn from_env() -> Result<InfomaniakVolumeClient> {
        InfomaniakVolumeClient::new(Config::from_env()?)
    }

    /// A client for cloud `name` of `clouds.yaml`; see [`Config::from_cloud`].
    ///
    /// ```no_run
    /// let client = infomaniak_block_storage::InfomaniakVolumeClient::from_cloud("infomaniak")?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the file, the cloud and the key that is missing or wrong.
    pub fn from_cloud(name: &str) -> Result<InfomaniakVolumeClient> {
        InfomaniakVolumeClient::new(Config::from_cloud(name)?)
    }

    /// A client with an application credential. `auth_url` defaults to Infomaniak pub1 and
    /// `region` to `dc3-a`.
    ///
    /// ```
    /// use infomaniak_block_storage::InfomaniakVolumeClient;
    ///
    /// let client = InfomaniakVolumeClient::from_credentials("my-id", "my-secret", None, Some("dc4-a"))?;
    /// assert_eq!(client.config().region, "dc4-a");
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an empty id or secret or a malformed URL.
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
    ///
    /// ```
    /// let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials("id", "secret", None, None)?;
    /// assert_eq!(client.config().region, "dc3-a");
    /// assert!(!format!("{:?}", client.config()).contains("secret\""));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn config(&self) -> &Config {
        self.transport.config()
    }

    /// Authenticates now (replacing any token held) and checks that the catalog has a block
    /// storage endpoint for the configured region and interface.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let (id, secret, auth_url) = (infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, cloud.auth_url());
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(id, secret, Some(&auth_url), None)?;
    /// client.try_authenticate()?;
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Auth`] when Keystone refuses the credentials, [`Error::EndpointNotFound`] when
    /// the catalog has no block storage in that region, [`Error::Transport`] when Keystone
    /// cannot be reached.
    pub fn try_authenticate(&self) -> Result<()> {
        self.transport.reauthenticate()?;
        self.transport.endpoint(Service::BlockStorage).map(|_| ())
    }

    /// Plain face of [`try_authenticate`](Self::try_authenticate): `true` when the credentials
    /// work and block storage is reachable through the catalog.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let (id, secret, auth_url) = (infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, cloud.auth_url());
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(id, secret, Some(&auth_url), None)?;
    /// assert!(client.authenticate());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn authenticate(&self) -> bool {
        logged("authenticate", "", self.try_authenticate()).is_some()
    }

    /// The same as [`authenticate`](Self::authenticate), under the name scripts ported from
    /// the Python client know.
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let (id, secret, auth_url) = (infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, cloud.auth_url());
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(id, secret, Some(&auth_url), None)?;
    /// assert!(client.validate_connection());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn validate_connection(&self) -> bool {
        logged("validate_connection", "", self.try_authenticate()).is_some()
    }

    /// The Cinder microversion this client sends now: the configured one, capped at the
    /// server's maximum once known (from a 406, or from the version document with
    /// `Config::negotiate_microversion`).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let (id, secret, auth_url) = (infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, cloud.auth_url());
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(id, secret, Some(&auth_url), None)?;
    /// assert_eq!(client.try_volume_microversion()?, "3.67");
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// With negotiation on, the errors of authenticating (the version document needs a token).
    pub fn try_volume_microversion(&self) -> Result<String> {
        self.transport.microversion(Service::BlockStorage)
    }

    /// Plain face of [`try_volume_microversion`](Self::try_volume_microversion).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let (id, secret, auth_url) = (infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, cloud.auth_url());
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(id, secret, Some(&auth_url), None)?;
    /// assert_eq!(client.volume_microversion().as_deref(), Some("3.67"));
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn volume_microversion(&self) -> Option<String> {
        logged("volume_microversion", "", self.try_volume_microversion())
    }

    /// The page iterator of a detailed Cinder listing.
    pub(crate) fn pages<T>(
        &self,
        options: &ListOptions,
        listing: Listing,
        path: &'static str,
        what: &str,
        decode: PageDecoder<T>,
    ) -> Result<Pages<T>> {
        options.check(listing)?;
        Ok(Pages::new(
            Arc::clone(&self.transport),
            path,
            format!("{what} list page"),
            options.query(),
            options.max_items,
            decode,
        ))
    }
}
