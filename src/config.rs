//! Settings and where they come from: code, `INFOMANIAK_*` variables or OpenStack `OS_*` openrc
//! variables.
//!
//! [`Config::default`] is Infomaniak Public Cloud: the pub1 Keystone, region `dc3-a`, the public
//! interface. Change any field to point at another region (`dc4-a` on pub2) or at any OpenStack
//! cloud.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};

/// Keystone of Infomaniak Public Cloud pub1.
pub const DEFAULT_AUTH_URL: &str = "https://api.pub1.infomaniak.cloud/identity/v3";
/// The default Infomaniak region (pub1).
pub const DEFAULT_REGION: &str = "dc3-a";
/// The Cinder microversion sent by default.
///
/// 3.67 is served by every Cinder release since Yoga (Infomaniak reports 3.70 as its maximum)
/// and covers all the crate uses: extending in-use volumes (3.42), creating from a backup
/// (3.47), URLs with or without the project id (3.67). It is above 3.66, so a snapshot of an
/// in-use volume needs no `force` flag and the crate never sends `force: false`.
pub const DEFAULT_VOLUME_MICROVERSION: &str = "3.67";
/// The Nova microversion sent by default for attachment calls.
///
/// 2.79 (Nova Train and later) reports `delete_on_termination`, and its attach reply carries
/// a body and its listing an `id`, as up to 2.100 and 2.88 respectively. Replies of later
/// versions (202 without a body, `attachment_id`) are handled too.
pub const DEFAULT_COMPUTE_MICROVERSION: &str = "2.79";
/// Default time allowed to open a TCP (and TLS) connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one whole HTTP exchange, including reading the reply.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on the size of one reply body (8 MiB, ~8,000 detailed volumes).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 8 * 1024 * 1024;
/// Default cap on the number of pages one listing follows.
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// A secret string: password, application-credential secret or token.
///
/// Its `Debug` prints `"<redacted>"` and it has no `Display`, so it cannot leak into a log line
/// or an error by accident. It redacts; it does not wipe memory on drop.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself. Only the request that needs it should call this.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

/// A Keystone domain, by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    /// The domain's id, e.g. `default`.
    Id(String),
    /// The domain's name, e.g. `Default`.
    Name(String),
}

/// A Keystone user, by id or by name within a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum User {
    /// The user's id.
    Id(String),
    /// The user's name and its domain.
    Name {
        /// The user name.
        name: String,
        /// The domain the user belongs to.
        domain: Domain,
    },
}

/// A Keystone project, by id or by name within a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    /// The project's id.
    Id(String),
    /// The project's name and its domain.
    Name {
        /// The project name.
        name: String,
        /// The domain the project belongs to.
        domain: Domain,
    },
}

/// How the client proves who it is to Keystone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// An application credential (Infomaniak's recommended method). It carries its own project,
    /// so no scope is sent: Keystone answers 401 to an application credential with a scope.
    ApplicationCredential {
        /// The credential's id.
        id: String,
        /// The credential's secret.
        secret: Secret,
    },
    /// An application credential named within a user's credentials.
    ApplicationCredentialName {
        /// The credential's name.
        name: String,
        /// The user that owns it.
        user: User,
        /// The credential's secret.
        secret: Secret,
    },
    /// A user's password, scoped to a project.
    Password {
        /// The user.
        user: User,
        /// The user's password.
        password: Secret,
        /// The project the token is scoped to.
        project: Project,
    },
    /// An existing Keystone token, exchanged for a project-scoped one with a catalog.
    Token {
        /// The token.
        token: Secret,
        /// The project to scope to.
        project: Project,
    },
}

/// The endpoint interface taken from the service catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interface {
    /// The public endpoints (the only ones reachable from outside a cloud).
    #[default]
    Public,
    /// The internal endpoints.
    Internal,
    /// The admin endpoints.
    Admin,
}

impl Interface {
    /// The name Keystone uses.
    pub fn as_str(&self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }

    /// Parses `public`, `internal` or `admin` (also `publicURL` and friends from old openrc files).
    pub fn parse(value: &str) -> Option<Interface> {
        match value.trim().to_ascii_lowercase().trim_end_matches("url") {
            "public" => Some(Interface::Public),
            "internal" => Some(Interface::Internal),
            "admin" => Some(Interface::Admin),
            _ => None,
        }
    }
}

/// Everything the client needs to know. Start from [`Config::default`] or
/// [`Config::application_credential`] and change what differs.
///
/// ```
/// use std::time::Duration;
/// use infomaniak_block_storage::{Config, InfomaniakVolumeClient};
///
/// let mut config = Config::application_credential("my-id", "my-secret");
/// config.region = "dc4-a".into();
/// config.auth_url = "https://api.pub2.infomaniak.cloud/identity/v3".into();
/// config.request_timeout = Duration::from_secs(30);
/// let client = InfomaniakVolumeClient::new(config)?; // no network I/O yet
/// # Ok::<(), infomaniak_block_storage::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// Keystone v3 URL, ending in `/v3` (a trailing slash is ignored).
    pub auth_url: String,
    /// How to authenticate. `None` makes [`crate::InfomaniakVolumeClient::new`] fail.
    pub auth: Option<Auth>,
    /// Region whose endpoints are taken from the catalog.
    pub region: String,
    /// Interface whose endpoints are taken from the catalog.
    pub interface: Interface,
    /// Use this Cinder URL instead of the catalog's (e.g. `https://host/volume/v3/<project>`).
    pub block_storage_endpoint: Option<String>,
    /// Use this Nova URL instead of the catalog's.
    pub compute_endpoint: Option<String>,
    /// Cinder microversion sent as `OpenStack-API-Version: volume <this>`.
    pub volume_microversion: String,
    /// Nova microversion sent as `OpenStack-API-Version: compute <this>`.
    pub compute_microversion: String,
    /// Ask Cinder for its maximum microversion (one `GET` of its version document, once per
    /// client) and send the lower of it and `volume_microversion`. Off by default: the
    /// default microversion is served by every supported Cinder, and it saves a request.
    pub negotiate_microversion: bool,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for one whole request and its reply.
    pub request_timeout: Duration,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Largest reply body accepted, in bytes. A larger one is an error, never unbounded memory.
    pub max_body_bytes: u64,
    /// Most pages one listing follows before giving up with an error.
    pub max_pages: usize,
    /// How waiters poll; see [`WaitPolicy`].
    pub wait: WaitPolicy,
    /// Which failed requests are sent again; see [`RetryPolicy`].
    pub retry: RetryPolicy,
    /// A PEM file of CA certificates to trust instead of the built-in Mozilla roots (for a
    /// private cloud with its own CA). `OS_CACERT` sets it.
    pub ca_bundle: Option<PathBuf>,
    /// Skip TLS certificate verification. Dangerous: anyone on the path can read the token.
    /// Every client built with it logs a warning. `OS_INSECURE=true` sets it.
    pub insecure: bool,
    /// Which HTTP proxy to use; from the environment by default.
    pub proxy: ProxySetting,
}

/// Which HTTP proxy carries the requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProxySetting {
    /// `ALL_PROXY`, `HTTPS_PROXY` or `HTTP_PROXY` (upper or lower case), minus the hosts in
    /// `NO_PROXY`; no proxy when none is set.
    #[default]
    FromEnvironment,
    /// Connect directly, whatever the environment says.
    Direct,
    /// This proxy, e.g. `http://proxy.example:3128` or `socks5://127.0.0.1:1080`. It is a
    /// [`Secret`] because proxy URLs often carry credentials.
    Url(Secret),
}

/// Which requests are sent again after a failure, and how often.
///
/// Only GET requests are retried, on a connection error or an HTTP 502, 503 or 504, waiting
/// `initial_backoff × 2^n` (capped at `max_backoff`, with ±25% jitter, and at least what a
/// `Retry-After` header asks) between tries, while the whole call stays under `max_total`.
/// POST, PUT and DELETE are never retried: a create whose reply was lost may have happened.
/// Cinder's 413 (quota exceeded) is never retried either: waiting does not free quota.
/// Set `max_retries` to 0 to turn retries off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most retries of one GET (default 3).
    pub max_retries: u32,
    /// First pause (default 250 ms).
    pub initial_backoff: Duration,
    /// Longest pause (default 5 s).
    pub max_backoff: Duration,
    /// Longest total time spent on one call including its retries (default 30 s).
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            max_total: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The pause before retry number `attempt + 1`; `jitter` is uniform in [0, 1).
    pub(crate) fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max_backoff);
        let factor = 0.75 + jitter.clamp(0.0, 1.0) * 0.5;
        Duration::try_from_secs_f64(base.as_secs_f64() * factor).unwrap_or(base)
    }
}

/// How the `wait_for_*` methods poll: the first interval, growing by `backoff` each time up to
/// `max_interval`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitPolicy {
    /// Pause before the second poll.
    pub initial_interval: Duration,
    /// Longest pause between polls.
    pub max_interval: Duration,
    /// Factor by which the pause grows after each poll (1.0 = fixed interval).
    pub backoff: f64,
}

impl Default for WaitPolicy {
    fn default() -> WaitPolicy {
        WaitPolicy {
            initial_interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(10),
            backoff: 1.5,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            auth_url: DEFAULT_AUTH_URL.to_string(),
            auth: None,
            region: DEFAULT_REGION.to_string(),
            interface: Interface::Public,
            block_storage_endpoint: None,
            compute_endpoint: None,
            volume_microversion: DEFAULT_VOLUME_MICROVERSION.to_string(),
            compute_microversion: DEFAULT_COMPUTE_MICROVERSION.to_string(),
            negotiate_microversion: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            user_agent: concat!("infomaniak-block-storage/", env!("CARGO_PKG_VERSION")).to_string(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
            wait: WaitPolicy::default(),
            retry: RetryPolicy::default(),
            ca_bundle: None,
            insecure: false,
            proxy: ProxySetting::FromEnvironment,
        }
    }
}

impl Config {
    /// Infomaniak defaults with an application credential.
    pub fn application_credential(id: &str, secret: &str) -> Config {
        Config {
            auth: Some(Auth::ApplicationCredential {
                id: id.to_string(),
                secret: Secret::new(secret),
            }),
            ..Config::default()
        }
    }

    /// Infomaniak defaults with password auth scoped to a project.
    pub fn password(user: User, password: &str, project: Project) -> Config {
        Config {
            auth: Some(Auth::Password {
                user,
                password: Secret::new(password),
                project,
            }),
            ..Config::default()
        }
    }

    /// Reads the configuration from the process environment; see [`Config::from_vars`].
    pub fn from_env() -> Result<Config> {
        let vars: HashMap<String, String> = std::env::vars().collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    /// Reads the configuration from variables looked up by `get`.
    ///
    /// `INFOMANIAK_APP_CREDENTIAL_ID` and `INFOMANIAK_APP_CREDENTIAL_SECRET` (with the optional
    /// `INFOMANIAK_AUTH_URL` and `INFOMANIAK_REGION`) win when set. Otherwise the OpenStack openrc
    /// variables are read; `OS_CLOUD` names a cloud of `clouds.yaml` (see
    /// [`Config::from_cloud`]) and wins over the other `OS_*` variables; otherwise `OS_AUTH_URL`, `OS_AUTH_TYPE` (`v3applicationcredential`, `password`
    /// or `token`), `OS_APPLICATION_CREDENTIAL_ID`/`_NAME`/`_SECRET`, `OS_USERNAME`,
    /// `OS_USER_ID`, `OS_PASSWORD`, `OS_TOKEN`, `OS_USER_DOMAIN_NAME`/`_ID`, `OS_PROJECT_ID`,
    /// `OS_PROJECT_NAME`, `OS_PROJECT_DOMAIN_NAME`/`_ID`, `OS_REGION_NAME`, `OS_INTERFACE`,
    /// `OS_VOLUME_API_VERSION` (a `3.N` value sets the microversion). `OS_CACERT` and
    /// `OS_INSECURE` apply to every source, and win over a `clouds.yaml` entry. Empty values count as
    /// unset. Missing or contradictory settings give [`Error::Config`] naming the variable.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let mut config = Config::default();

        if let Some(path) = var("OS_CACERT") {
            config.ca_bundle = Some(PathBuf::from(path));
        }
        if let Some(value) = var("OS_INSECURE") {
            config.insecure = match value.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => {
                    return Err(Error::config(format!(
                        "OS_INSECURE is `{value}`; expected true or false"
                    )))
                }
            };
        }

        let ik_id = var("INFOMANIAK_APP_CREDENTIAL_ID");
        let ik_secret = var("INFOMANIAK_APP_CREDENTIAL_SECRET");
        match (ik_id, ik_secret) {
            (Some(id), Some(secret)) => {
                config.auth = Some(Auth::ApplicationCredential {
                    id,
                    secret: Secret::new(secret),
                });
                if let Some(url) = var("INFOMANIAK_AUTH_URL") {
                    config.auth_url = normalize_auth_url(&url);
                }
                if let Some(region) = var("INFOMANIAK_REGION") {
                    config.region = region;
                }
                return Ok(config);
            }
            (Some(_), None) => return Err(Error::config(
                "INFOMANIAK_APP_CREDENTIAL_ID is set but INFOMANIAK_APP_CREDENTIAL_SECRET is not",
            )),
            (None, Some(_)) => return Err(Error::config(
                "INFOMANIAK_APP_CREDENTIAL_SECRET is set but INFOMANIAK_APP_CREDENTIAL_ID is not",
            )),
            (None, None) => {}
        }

        if let Some(cloud) = var("OS_CLOUD") {
            let mut from_file = Config::from_cloud_with(&cloud, &var)?;
            // Explicit TLS variables win over the file, as they do over the defaults.
            if config.ca_bundle.is_some() {
                from_file.ca_bundle = config.ca_bundle;
            }
            if var("OS_INSECURE").is_some() {
                from_file.insecure = config.insecure;
            }
            return Ok(from_file);
        }

        let Some(auth_url) = var("OS_AUTH_URL") else {
            return Err(Error::config(
                "no credentials: set INFOMANIAK_APP_CREDENTIAL_ID and INFOMANIAK_APP_CREDENTIAL_SECRET, \
                 or source an OpenStack openrc file (OS_AUTH_URL is not set)",
            ));
        };
        config.auth_url = normalize_auth_url(&auth_url);
        if let Some(region) = var("OS_REGION_NAME") {
            config.region = region;
        }
        let interface = var("OS_INTERFACE")
            .map(|v| ("OS_INTERFACE", v))
            .or_else(|| var("OS_ENDPOINT_TYPE").map(|v| ("OS_ENDPOINT_TYPE", v)));
        if let Some((name, interface)) = interface {
            config.interface = Interface::parse(&interface).ok_or_else(|| {
                Error::config(format!(
                    "{name} is `{interface}`; expected public, internal or admin"
                ))
            })?;
        }
        if let Some(version) = var("OS_VOLUME_API_VERSION") {
            if version.contains('.') {
                config.volume_microversion = version;
            }
        }

        let has_app_cred = var("OS_APPLICATION_CREDENTIAL_ID").is_some()
            || var("OS_APPLICATION_CREDENTIAL_NAME").is_some();
        let auth_type = match var("OS_AUTH_TYPE") {
            Some(t) => t.to_ascii_lowercase().replace(['-', '_'], ""),
            None if has_app_cred => "v3applicationcredential".to_string(),
            None if var("OS_PASSWORD").is_some() => "password".to_string(),
            None if var("OS_TOKEN").is_some() => "token".to_string(),
            None => {
                return Err(Error::config(
                    "OS_AUTH_URL is set but none of OS_APPLICATION_CREDENTIAL_ID, OS_PASSWORD or OS_TOKEN is",
                ))
            }
        };
        let required = |name: &str| {
            var(name).ok_or_else(|| {
                Error::config(format!("{name} is required with OS_AUTH_TYPE={auth_type}"))
            })
        };

        config.auth = Some(match auth_type.as_str() {
            "v3applicationcredential" | "applicationcredential" => {
                let secret = Secret::new(required("OS_APPLICATION_CREDENTIAL_SECRET")?);
                if var("OS_PROJECT_ID").is_some() || var("OS_PROJECT_NAME").is_some() {
                    return Err(Error::config(
                        "OS_PROJECT_ID/OS_PROJECT_NAME must not be set with an application credential: \
                         the credential carries its project and Keystone rejects a scope (unset them)",
                    ));
                }
                match var("OS_APPLICATION_CREDENTIAL_ID") {
                    Some(id) => Auth::ApplicationCredential { id, secret },
                    None => Auth::ApplicationCredentialName {
                        name: required("OS_APPLICATION_CREDENTIAL_NAME")?,
                        user: user_from_vars(&var, &auth_type)?,
                        secret,
                    },
                }
            }
            "password" | "v3password" => Auth::Password {
                user: user_from_vars(&var, &auth_type)?,
                password: Secret::new(required("OS_PASSWORD")?),
                project: project_from_vars(&var, &auth_type)?,
            },
            "token" | "v3token" => Auth::Token {
                token: Secret::new(required("OS_TOKEN")?),
                project: project_from_vars(&var, &auth_type)?,
            },
            other => {
                return Err(Error::config(format!(
                    "OS_AUTH_TYPE `{other}` is not supported; use v3applicationcredential, password or token"
                )))
            }
        });
        Ok(config)
    }

    /// Reads cloud `name` from `clouds.yaml`, with `secure.yaml` merged over it.
    ///
    /// Files are looked for in the standard order: `OS_CLIENT_CONFIG_FILE`, `./clouds.yaml`,
    /// `~/.config/openstack/clouds.yaml`, `/etc/openstack/clouds.yaml` (and `.yml`), and
    /// `secure.yaml` likewise (`OS_CLIENT_SECURE_FILE` first). Auth types
    /// `v3applicationcredential`, `password` and `token`; `region_name` (or the first of
    /// `regions`), `interface`, `cacert`, `verify`, `block_storage_endpoint_override` and
    /// `compute_endpoint_override` are read. Errors name the file, the cloud and the key.
    /// Needs the `clouds-yaml` feature (on by default).
    pub fn from_cloud(name: &str) -> Result<Config> {
        Config::from_cloud_with(name, &|var: &str| std::env::var(var).ok())
    }

    #[cfg(feature = "clouds-yaml")]
    fn from_cloud_with(name: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        crate::clouds::load(name, var)
    }

    #[cfg(not(feature = "clouds-yaml"))]
    fn from_cloud_with(name: &str, _var: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        Err(Error::config(format!(
            "cloud `{name}` requested (OS_CLOUD) but this build has no clouds.yaml support: \
             enable the `clouds-yaml` feature of infomaniak-block-storage"
        )))
    }

    /// Checks the settings that can be checked without the network.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.auth.is_none() {
            return Err(Error::config(
                "no authentication method set (Config::auth is None)",
            ));
        }
        check_url("auth_url", &self.auth_url)?;
        if let Some(url) = &self.block_storage_endpoint {
            check_url("block_storage_endpoint", url)?;
        }
        if let Some(url) = &self.compute_endpoint {
            check_url("compute_endpoint", url)?;
        }
        if self.region.trim().is_empty() {
            return Err(Error::config("region is empty"));
        }
        check_microversion("volume_microversion", &self.volume_microversion)?;
        check_microversion("compute_microversion", &self.compute_microversion)?;
        match &self.auth {
            Some(Auth::ApplicationCredential { id, secret }) => {
                if id.trim().is_empty() {
                    return Err(Error::config("application credential id is empty"));
                }
                if secret.is_empty() {
                    return Err(Error::config("application credential secret is empty"));
                }
            }
            Some(Auth::ApplicationCredentialName { name, user, secret }) => {
                if name.trim().is_empty() {
                    return Err(Error::config("application credential name is empty"));
                }
                if secret.is_empty() {
                    return Err(Error::config("application credential secret is empty"));
                }
                check_user(user)?;
            }
            Some(Auth::Password {
                user,
                password,
                project,
            }) => {
                if password.is_empty() {
                    return Err(Error::config("password is empty"));
                }
                check_user(user)?;
                check_project(project)?;
            }
            Some(Auth::Token { token, project }) => {
                if token.is_empty() {
                    return Err(Error::config("token is empty"));
                }
                check_project(project)?;
            }
            _ => {}
        }
        if self.max_body_bytes == 0 {
            return Err(Error::config("max_body_bytes is 0"));
        }
        if self.max_pages == 0 {
            return Err(Error::config("max_pages is 0"));
        }
        if self.wait.initial_interval.is_zero() {
            return Err(Error::config(
                "wait.initial_interval is 0: waiters would poll without pause",
            ));
        }
        if !(1.0..=10.0).contains(&self.wait.backoff) {
            return Err(Error::config(format!(
                "wait.backoff is {}; use a factor from 1.0 (fixed interval) to 10.0",
                self.wait.backoff
            )));
        }
        Ok(())
    }
}

fn check_domain(what: &str, domain: &Domain) -> Result<()> {
    let (kind, value) = match domain {
        Domain::Id(id) => ("id", id),
        Domain::Name(name) => ("name", name),
    };
    if value.trim().is_empty() {
        return Err(Error::config(format!("{what} domain {kind} is empty")));
    }
    Ok(())
}

fn check_user(user: &User) -> Result<()> {
    match user {
        User::Id(id) if id.trim().is_empty() => Err(Error::config("user id is empty")),
        User::Name { name, .. } if name.trim().is_empty() => {
            Err(Error::config("user name is empty"))
        }
        User::Name { domain, .. } => check_domain("user", domain),
        User::Id(_) => Ok(()),
    }
}

fn check_project(project: &Project) -> Result<()> {
    match project {
        Project::Id(id) if id.trim().is_empty() => Err(Error::config("project id is empty")),
        Project::Name { name, .. } if name.trim().is_empty() => {
            Err(Error::config("project name is empty"))
        }
        Project::Name { domain, .. } => check_domain("project", domain),
        Project::Id(_) => Ok(()),
    }
}

fn check_url(field: &str, url: &str) -> Result<()> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(Error::config(format!(
            "{field} `{url}` is not an http:// or https:// URL"
        )))
    }
}

/// A Cinder or Nova microversion such as `3.67`, ordered numerically (`3.9 < 3.10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Microversion {
    /// The major version (3 for Cinder v3).
    pub major: u32,
    /// The minor version.
    pub minor: u32,
}

impl Microversion {
    /// `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Microversion {
        Microversion { major, minor }
    }

    /// Parses `3.67`; `None` for anything else (including `latest`).
    pub fn parse(text: &str) -> Option<Microversion> {
        let (major, minor) = text.trim().split_once('.')?;
        Some(Microversion {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

fn check_microversion(field: &str, value: &str) -> Result<()> {
    let ok = match value.split_once('.') {
        Some((major, minor)) => {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        }
        None => value == "latest",
    };
    if ok {
        Ok(())
    } else {
        Err(Error::config(format!(
            "{field} `{value}` is not a microversion like 3.67"
        )))
    }
}

/// openrc files often carry `.../v3/` or a bare host; Keystone v3 is always what we speak.
fn normalize_auth_url(url: &str) -> String {
    let trimmed = url.trim().trim_end_matches('/');
    if trimmed.ends_with("/v3") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/v3")
    }
}

fn domain_from_vars(
    var: &impl Fn(&str) -> Option<String>,
    id_var: &str,
    name_var: &str,
) -> Result<Option<Domain>> {
    match (var(id_var), var(name_var)) {
        (Some(_), Some(_)) => Err(Error::config(format!(
            "both {id_var} and {name_var} are set; set only one"
        ))),
        (Some(id), None) => Ok(Some(Domain::Id(id))),
        (None, Some(name)) => Ok(Some(Domain::Name(name))),
        (None, None) => Ok(None),
    }
}

fn user_from_vars(var: &impl Fn(&str) -> Option<String>, auth_type: &str) -> Result<User> {
    if let Some(id) = var("OS_USER_ID") {
        return Ok(User::Id(id));
    }
    let name = var("OS_USERNAME").ok_or_else(|| {
        Error::config(format!(
            "OS_USERNAME or OS_USER_ID is required with OS_AUTH_TYPE={auth_type}"
        ))
    })?;
    let domain =
        domain_from_vars(var, "OS_USER_DOMAIN_ID", "OS_USER_DOMAIN_NAME")?.ok_or_else(|| {
            Error::config("OS_USER_DOMAIN_NAME or OS_USER_DOMAIN_ID is required with OS_USERNAME")
        })?;
    Ok(User::Name { name, domain })
}

fn project_from_vars(var: &impl Fn(&str) -> Option<String>, auth_type: &str) -> Result<Project> {
    if let Some(id) = var("OS_PROJECT_ID").or_else(|| var("OS_TENANT_ID")) {
        return Ok(Project::Id(id));
    }
    let name = var("OS_PROJECT_NAME")
        .or_else(|| var("OS_TENANT_NAME"))
        .ok_or_else(|| {
            Error::config(format!(
                "OS_PROJECT_ID or OS_PROJECT_NAME is required with OS_AUTH_TYPE={auth_type}"
            ))
        })?;
    let domain = domain_from_vars(var, "OS_PROJECT_DOMAIN_ID", "OS_PROJECT_DOMAIN_NAME")?
        .ok_or_else(|| {
            Error::config(
                "OS_PROJECT_DOMAIN_NAME or OS_PROJECT_DOMAIN_ID is required with OS_PROJECT_NAME",
            )
        })?;
    Ok(Project::Name { name, domain })
}
