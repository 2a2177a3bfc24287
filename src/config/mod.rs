//! The client's settings ([`Config`]) and where they come from: code, `INFOMANIAK_*` or
//! OpenStack `OS_*` openrc variables, or `clouds.yaml`.
//!
//! [`Config::default`] is Infomaniak Public Cloud: the pub1 Keystone, region `dc3-a`, the public
//! interface. Change any field to point at another region (`dc4-a` on pub2) or at any OpenStack
//! cloud.

mod auth;
#[cfg(feature = "clouds-yaml")]
mod clouds;
mod policy;
mod secret;
mod settings;

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};

pub use auth::{Auth, Domain, Interface, Project, User};
pub use policy::{RetryPolicy, WaitPolicy};
pub use secret::Secret;

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
/// Default number of idle connections kept per host: enough for 16 threads sharing a client.
pub const DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST: usize = 16;

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
    /// Ask Cinder for its range (one `GET` of its version document, once per client) before
    /// the first request, and send the lower of its maximum and `volume_microversion`. Off by
    /// default: the configured version is sent optimistically, and a server that refuses it
    /// with 406 names its range, to which the client falls back once and for good.
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
    /// Which certificate authorities a server's certificate is checked against: the Mozilla
    /// roots built into the crate (default), or also the operating system's store
    /// ([`TlsRoots`]). [`Config::ca_bundle`], when set, wins over this.
    pub tls_roots: TlsRoots,
    /// A PEM file of CA certificates to trust instead of the built-in Mozilla roots (for a
    /// private cloud with its own CA). `OS_CACERT` sets it.
    pub ca_bundle: Option<PathBuf>,
    /// Skip TLS certificate verification. Dangerous: anyone on the path can read the token.
    /// Every client built with it logs a warning. `OS_INSECURE=true` sets it.
    pub insecure: bool,
    /// Which HTTP proxy to use; from the environment by default (see [`ProxySetting`]).
    pub proxy: ProxySetting,
    /// Keep the Keystone token in a per-user cache file, so that the next process with the
    /// same settings reuses it instead of authenticating; off by default. See [`TokenCache`].
    /// `INFOMANIAK_TOKEN_CACHE=1` (or a folder path) sets it.
    pub token_cache: TokenCache,
    /// Idle connections kept open per host for reuse. Threads sharing a client each hold one
    /// while a request is in flight, so this is about the number of threads.
    pub max_idle_connections_per_host: usize,
}

/// Where tokens are cached across processes, if anywhere.
///
/// Build scripts and small tools start many processes, and each one would otherwise ask
/// Keystone for a token (about 370 ms on a genuine Keystone). The cache file is named by a
/// hash of the public auth settings (never a secret), lives in a folder of mode 0700 with mode
/// 0600, and is ignored unless it belongs to the current user and nobody else may read it. A
/// 401 drops the entry; any problem falls back to authenticating, with a debug line. Unix only
/// (elsewhere the setting does nothing).
///
/// ```
/// use infomaniak_block_storage::{Config, TokenCache};
///
/// let mut config = Config::application_credential("my-id", "my-secret");
/// config.token_cache = TokenCache::UserCacheDir;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenCache {
    /// No cache: every process authenticates.
    #[default]
    Off,
    /// `$XDG_CACHE_HOME/infomaniak-block-storage/` (or `~/.cache/...`, `~/Library/Caches/...`).
    UserCacheDir,
    /// This folder.
    Dir(PathBuf),
}

/// The certificate authorities that TLS connections trust, unless [`Config::ca_bundle`] names
/// a bundle (which then replaces them).
///
/// The default, [`TlsRoots::WebPki`], is the Mozilla root program compiled into the crate: the
/// same on every machine, and what Infomaniak's public endpoints need. Choose
/// `TlsRoots::Platform` (feature `platform-verifier`) when the machine's own trust store must
/// be honoured: a company that inspects TLS installs its private root in the operating system
/// (Windows, macOS, or `/usr/local/share/ca-certificates` + `update-ca-certificates` on Debian),
/// and every connection then carries a certificate that only that store trusts. A private
/// cloud with its own CA is better served by [`Config::ca_bundle`], which trusts that CA alone.
///
/// ```
/// # #[cfg(feature = "platform-verifier")] {
/// use infomaniak_block_storage::{Config, TlsRoots};
///
/// let mut config = Config::application_credential("my-id", "my-secret");
/// config.tls_roots = TlsRoots::Platform;
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TlsRoots {
    /// The Mozilla roots built into the crate (`webpki-roots`); the operating system's store is
    /// not read.
    #[default]
    WebPki,
    /// The operating system's verifier and trust store (`rustls-platform-verifier`): the
    /// certificate store and its policies on Windows and macOS, and on Linux the roots OpenSSL
    /// would use (`SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else the distribution's bundle,
    /// e.g. `/etc/ssl/certs/ca-certificates.crt`), read when the first connection is made. With
    /// no certificate there, every TLS connection fails with [`Error::Transport`].
    #[cfg(feature = "platform-verifier")]
    #[cfg_attr(docsrs, doc(cfg(feature = "platform-verifier")))]
    Platform,
}

/// Which HTTP proxy carries the requests.
///
/// Loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) are always reached directly.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProxySetting {
    /// The conventions of curl, Python requests and Go, read when the client is built: `https_proxy` for `https://` URLs,
    /// `http_proxy` for `http://` URLs, `all_proxy` for both (lower or upper case, lower case
    /// first), and `no_proxy`: a comma-separated list of `*`, domains (matching their
    /// subdomains too, with or without a leading dot), IP addresses and CIDR blocks
    /// (`10.0.0.0/8`), each optionally with `:port`. No proxy when none is set.
    #[default]
    FromEnvironment,
    /// Connect directly, whatever the environment says.
    Direct,
    /// This proxy, e.g. `http://proxy.example:3128` or `socks5://127.0.0.1:1080`. It is a
    /// [`Secret`] because proxy URLs often carry credentials.
    Url(Secret),
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
            tls_roots: TlsRoots::WebPki,
            ca_bundle: None,
            insecure: false,
            proxy: ProxySetting::FromEnvironment,
            max_idle_connections_per_host: DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST,
            token_cache: TokenCache::Off,
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
        // One variable at a time: `std::env::vars()` panics on a variable that is not UTF-8.
        Config::from_vars(|name| std::env::var(name).ok())
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
        settings::from_vars(&get)
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

    fn from_cloud_with(name: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        settings::from_cloud(name, var)
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
        if let Some(auth) = &self.auth {
            auth.validate()?;
        }
        if self.max_body_bytes == 0 {
            return Err(Error::config("max_body_bytes is 0"));
        }
        if self.max_pages == 0 {
            return Err(Error::config("max_pages is 0"));
        }
        if self.max_idle_connections_per_host == 0 {
            return Err(Error::config(
                "max_idle_connections_per_host is 0: every request would open a new connection",
            ));
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

fn check_url(field: &str, url: &str) -> Result<()> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(Error::config(format!(
            "{field} `{}` is not an http:// or https:// URL",
            crate::validate::redact_url(url)
        )))
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
pub(crate) fn normalize_auth_url(url: &str) -> String {
    let trimmed = url.trim().trim_end_matches('/');
    if trimmed.ends_with("/v3") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/v3")
    }
}
