//! The only place that speaks HTTP: the `ureq` agent, Keystone tokens and their renewal, the
//! headers every call carries, retries, size caps and OpenStack error decoding.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use log::{debug, warn};
use serde::de::DeserializeOwned;
use serde_json::Value;
use ureq::http;

use crate::config::{Config, ProxySetting, Secret};
use crate::error::{Error, Result};
use crate::identity::{self, TokenInfo};

/// Renew a token this long before Keystone says it expires, so that no call races the expiry.
const EXPIRY_MARGIN: Duration = Duration::from_secs(120);

/// Which service a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    BlockStorage,
    Compute,
}

/// What a request is about, so that a 404 becomes [`Error::NotFound`] naming it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    pub resource: &'static str,
    pub id: &'a str,
}

/// One HTTP reply, already read and capped.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
    subject_token: Option<Secret>,
    pub body: Vec<u8>,
}

impl Reply {
    /// Decodes the body as JSON into `T`, naming `what` on failure.
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode {
            what: what.to_string(),
            message: e.to_string(),
            request_id: self.request_id.clone(),
        })
    }
}

/// A Keystone token with the endpoints of its catalog.
struct Session {
    token: Secret,
    expires_at: Option<SystemTime>,
    block_storage: Result<String>,
    compute: Result<String>,
    project_id: Option<String>,
    generation: u64,
}

impl Session {
    fn fresh(&self) -> bool {
        match self.expires_at {
            None => true,
            Some(at) => SystemTime::now() + EXPIRY_MARGIN < at,
        }
    }
}

/// The token held, and the last authentication failure so that threads that waited for it
/// share it instead of each asking Keystone again.
#[derive(Default)]
struct AuthState {
    current: Option<Arc<Session>>,
    failure: Option<(Instant, Error)>,
}

/// The HTTP layer shared by every operation.
pub(crate) struct Transport {
    agent: ureq::Agent,
    config: Config,
    // Held while authenticating, so that threads needing a token wait for the one request in
    // flight instead of sending their own (single-flight).
    session: Mutex<AuthState>,
    generation: AtomicU64,
    jitter: AtomicU64,
    // The Cinder microversion sent, once known (negotiated or parsed from the config).
    volume_version: Mutex<Option<String>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.config)
            // try_lock: formatting must not wait for an authentication in flight.
            .field(
                "authenticated",
                &self.session.try_lock().map(|s| s.current.is_some()).ok(),
            )
            .finish()
    }
}

/// A short, stable fingerprint of a token for debug logs: enough to tell two tokens apart,
/// useless to an attacker.
pub(crate) fn token_fingerprint(token: &str) -> String {
    // FNV-1a, 32 bits.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in token.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("{hash:08x}")
}

fn header_str(response: &http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `Retry-After` as seconds or an HTTP date. Values beyond a day are taken as a day: the
/// retry budget is far smaller anyway, and no arithmetic on it may overflow.
fn parse_retry_after(value: &str) -> Option<Duration> {
    const DAY: u64 = 86_400;
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(DAY)));
    }
    let at = crate::identity::parse_http_date(value)?;
    let wait = at
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    Some(wait.min(Duration::from_secs(DAY)))
}

/// A failed exchange: the error, and whether sending the same GET again could help.
#[derive(Debug)]
pub(crate) struct Failure {
    error: Error,
    retryable: bool,
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Error {
        failure.error
    }
}

/// Maps a ureq failure to [`Error::Transport`], telling whether the request may have arrived
/// and whether trying again could help (not for an oversized body, TLS or a bad URL).
fn transport_error(err: ureq::Error, method: &http::Method, url: &str, max_body: u64) -> Failure {
    use ureq::Error as E;
    let retryable = matches!(
        err,
        E::Io(_)
            | E::Timeout(_)
            | E::HostNotFound
            | E::ConnectionFailed
            | E::Protocol(_)
            | E::BodyStalled
    );
    let not_sent = matches!(
        err,
        E::HostNotFound
            | E::ConnectionFailed
            | E::BadUri(_)
            | E::Http(_)
            | E::InvalidProxyUrl
            | E::ConnectProxyFailed(_)
            | E::Tls(_)
            | E::Pem(_)
            | E::Rustls(_)
            | E::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve)
    ) || matches!(
        // ureq reports a refused connect as an io error, not ConnectionFailed.
        &err,
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused
    );
    let message = match &err {
        E::BodyExceedsLimit(_) => format!(
            "{method} {url}: the reply body is larger than max_body_bytes ({max_body} bytes)"
        ),
        E::Timeout(kind) => format!("{method} {url}: timed out ({kind:?})"),
        E::ConnectionFailed => format!("{method} {url}: connection failed"),
        E::HostNotFound => format!("{method} {url}: host not found"),
        other => format!("{method} {url}: {other}"),
    };
    Failure {
        error: Error::Transport {
            message,
            // A GET changes nothing, so whether it arrived does not matter to the caller.
            outcome_unknown: !not_sent && *method != http::Method::GET,
        },
        retryable,
    }
}

/// Decodes an OpenStack fault body: `{"itemNotFound": {"code": 404, "message": "..."}}` from
/// Cinder and Nova, `{"error": {"code": 401, "title": "...", "message": "..."}}` from Keystone.
/// Anything else yields no code and the body's first line as the message.
pub(crate) fn decode_fault(body: &[u8]) -> (Option<String>, Option<String>) {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        for (key, value) in &map {
            if let Some(inner) = value.as_object() {
                let message = inner
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if message.is_some() || inner.contains_key("code") {
                    let code = if key == "error" {
                        inner
                            .get("title")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    } else {
                        Some(key.clone())
                    };
                    return (code, message);
                }
            }
        }
        if let Some(message) = map.get("message").and_then(Value::as_str) {
            return (None, Some(message.to_string()));
        }
        return (None, None);
    }
    let text = String::from_utf8_lossy(body);
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    (None, first.map(|l| l.chars().take(200).collect()))
}

/// The `/v3/` root of a Cinder endpoint, above any project id: the first path segment that is
/// exactly `v3` (`https://h/volume/v3/p` → `https://h/volume/v3/`). Neither a host such as
/// `v3.example` nor a segment such as `/v3-gateway` counts. Without one, the endpoint itself.
fn version_root(endpoint: &str) -> String {
    let endpoint = endpoint.trim_end_matches('/');
    let path_start = endpoint
        .find("://")
        .map(|scheme| scheme + 3)
        .and_then(|host| endpoint[host..].find('/').map(|slash| host + slash))
        .unwrap_or(endpoint.len());
    let (origin, path) = endpoint.split_at(path_start);
    let mut root = origin.to_string();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        root.push('/');
        root.push_str(segment);
        if segment == "v3" {
            return format!("{root}/");
        }
    }
    format!("{endpoint}/")
}

/// The maximum microversion of the v3 API in `{"versions": [...]}` or `{"version": {...}}`.
pub(crate) fn parse_version_document(body: &[u8]) -> Option<crate::config::Microversion> {
    let doc: Value = serde_json::from_slice(body).ok()?;
    let entries: Vec<&Value> = match (doc.get("versions"), doc.get("version")) {
        (Some(Value::Array(list)), _) => list.iter().collect(),
        (_, Some(single @ Value::Object(_))) => vec![single],
        _ => return None,
    };
    entries
        .into_iter()
        .filter(|v| {
            v.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.starts_with("v3"))
        })
        .find_map(|v| {
            let max = v.get("version").and_then(Value::as_str).unwrap_or("");
            // A Cinder without microversions reports an empty maximum: that is 3.0.
            if max.is_empty() {
                Some(crate::config::Microversion::new(3, 0))
            } else {
                crate::config::Microversion::parse(max)
            }
        })
}

fn reason(status: u16) -> String {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unexpected status")
        .to_string()
}

/// Certificate verification on by default against the Mozilla roots; a custom CA bundle
/// replaces them; insecure mode turns verification off and says so on every client built.
fn tls_config(config: &Config) -> Result<ureq::tls::TlsConfig> {
    let mut builder = ureq::tls::TlsConfig::builder();
    if let Some(path) = &config.ca_bundle {
        let pem = std::fs::read(path)
            .map_err(|e| Error::config(format!("cannot read CA bundle {}: {e}", path.display())))?;
        let mut certs = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(cert)) => certs.push(cert),
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::config(format!(
                        "CA bundle {} is not valid PEM: {e}",
                        path.display()
                    )))
                }
            }
        }
        if certs.is_empty() {
            return Err(Error::config(format!(
                "CA bundle {} holds no certificate",
                path.display()
            )));
        }
        builder = builder.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
    }
    if config.insecure {
        warn!(
            "TLS certificate verification is OFF (Config::insecure / OS_INSECURE): \
             anyone on the network path can read your token"
        );
        builder = builder.disable_verification(true);
    }
    Ok(builder.build())
}

impl Transport {
    pub(crate) fn new(config: Config) -> Result<Transport> {
        config.validate()?;
        let tls = tls_config(&config)?;
        let proxy = match &config.proxy {
            ProxySetting::FromEnvironment => ureq::Proxy::try_from_env(),
            ProxySetting::Direct => None,
            // The URL may hold credentials: the error does not repeat it.
            ProxySetting::Url(url) => Some(ureq::Proxy::new(url.expose()).map_err(|_| {
                Error::config(
                    "proxy is not a valid proxy URL (http://, https://, socks4://, socks5://)",
                )
            })?),
        };
        let agent_config = ureq::Agent::config_builder()
            .tls_config(tls)
            .proxy(proxy)
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.request_timeout))
            .user_agent(config.user_agent.as_str())
            .max_redirects(0)
            .build();
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15)
            | 1;
        Ok(Transport {
            agent: agent_config.into(),
            config,
            session: Mutex::new(AuthState::default()),
            generation: AtomicU64::new(0),
            jitter: AtomicU64::new(seed),
            volume_version: Mutex::new(None),
        })
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    fn lock_session(&self) -> MutexGuard<'_, AuthState> {
        // A panic elsewhere while holding the lock leaves a usable Option behind.
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sends one request and reads the reply. No auth, no retries, no status handling.
    fn exchange(
        &self,
        method: &http::Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> std::result::Result<Reply, Failure> {
        let mut builder = http::Request::builder()
            .method(method.clone())
            .uri(url)
            .header("Accept", "application/json");
        if body.is_some() {
            builder = builder.header("Content-Type", "application/json");
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(body.map(<[u8]>::to_vec).unwrap_or_default())
            .map_err(|e| Failure {
                error: Error::InvalidArgument {
                    argument: "url",
                    message: format!("cannot build a request to {url}: {e}"),
                },
                retryable: false,
            })?;
        let started = Instant::now();
        let max = self.config.max_body_bytes;
        let response = self.agent.run(request).map_err(|e| {
            let failure = transport_error(e, method, url, max);
            debug!(
                "{method} {url} -> failed after {} ms: {}",
                started.elapsed().as_millis(),
                failure.error
            );
            failure
        })?;
        let status = response.status().as_u16();
        let request_id = header_str(&response, "x-openstack-request-id")
            .or_else(|| header_str(&response, "x-compute-request-id"));
        let retry_after = header_str(&response, "retry-after").and_then(|v| parse_retry_after(&v));
        let subject_token = header_str(&response, "x-subject-token").map(Secret::new);
        let body = response
            .into_body()
            .with_config()
            .limit(max)
            .read_to_vec()
            .map_err(|e| transport_error(e, method, url, max))?;
        debug!(
            "{method} {url} -> {status} in {} ms{}",
            started.elapsed().as_millis(),
            request_id
                .as_deref()
                .map(|id| format!(" (request id {id})"))
                .unwrap_or_default()
        );
        Ok(Reply {
            status,
            request_id,
            retry_after,
            subject_token,
            body,
        })
    }

    /// Returns a live session, authenticating when there is none or it is about to expire.
    /// Only one thread authenticates at a time; the others wait and reuse its token.
    fn session(&self) -> Result<Arc<Session>> {
        let asked = Instant::now();
        let mut guard = self.lock_session();
        if let Some(session) = guard.current.as_ref() {
            if session.fresh() {
                return Ok(Arc::clone(session));
            }
            debug!("token is about to expire; renewing it");
        }
        // Another thread's attempt failed while this one waited: share its answer.
        if let Some((at, error)) = guard.failure.as_ref() {
            if *at >= asked {
                return Err(error.clone());
            }
        }
        self.authenticate_into(&mut guard)
    }

    /// Authenticates and stores the outcome: the new session, or the failure.
    fn authenticate_into(&self, state: &mut AuthState) -> Result<Arc<Session>> {
        match self.authenticate() {
            Ok(session) => {
                let session = Arc::new(session);
                state.current = Some(Arc::clone(&session));
                state.failure = None;
                Ok(session)
            }
            Err(error) => {
                state.failure = Some((Instant::now(), error.clone()));
                Err(error)
            }
        }
    }

    /// Forgets `stale` if it is still the current session, so the next call authenticates
    /// again. A session that another thread already replaced is left alone.
    fn invalidate(&self, stale: &Session) {
        let mut guard = self.lock_session();
        if guard
            .current
            .as_ref()
            .is_some_and(|current| current.generation == stale.generation)
        {
            guard.current = None;
        }
    }

    /// Authenticates now, replacing any token held.
    pub(crate) fn reauthenticate(&self) -> Result<()> {
        let mut guard = self.lock_session();
        self.authenticate_into(&mut guard).map(|_| ())
    }

    fn authenticate(&self) -> Result<Session> {
        let auth =
            self.config.auth.as_ref().ok_or_else(|| {
                Error::config("no authentication method set (Config::auth is None)")
            })?;
        let url = identity::tokens_url(&self.config.auth_url);
        let body = serde_json::to_vec(&identity::token_request_body(auth))
            .map_err(|e| Error::config(format!("cannot encode the authentication request: {e}")))?;
        let reply = self
            .exchange(&http::Method::POST, &url, &[], Some(&body))
            .map_err(|e| match e.error {
                Error::Transport { message, .. } => Error::Transport {
                    message: format!("authentication: {message}"),
                    outcome_unknown: false,
                },
                other => other,
            })?;
        if !(200..300).contains(&reply.status) {
            let (_, message) = decode_fault(&reply.body);
            return Err(Error::Auth {
                status: Some(reply.status),
                message: message.unwrap_or_else(|| reason(reply.status)),
                request_id: reply.request_id,
            });
        }
        let token = reply
            .subject_token
            .clone()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::Auth {
                status: Some(reply.status),
                message: "Keystone's reply has no X-Subject-Token header".into(),
                request_id: reply.request_id.clone(),
            })?;
        let info: TokenInfo =
            identity::parse_token_reply(&reply.body, reply.request_id.as_deref())?;
        let endpoint = |override_url: &Option<String>, types: &[&str]| match override_url {
            Some(url) => Ok(url.trim_end_matches('/').to_string()),
            None => info.endpoint(types, &self.config.region, self.config.interface),
        };
        let session = Session {
            block_storage: endpoint(
                &self.config.block_storage_endpoint,
                identity::BLOCK_STORAGE_TYPES,
            ),
            compute: endpoint(&self.config.compute_endpoint, identity::COMPUTE_TYPES),
            token,
            project_id: info.project_id.clone(),
            expires_at: info.expires_at,
            generation: self.generation.fetch_add(1, Ordering::Relaxed) + 1,
        };
        debug!(
            "authenticated with Keystone: token {} for project {}, block storage at {}",
            token_fingerprint(session.token.expose()),
            info.project_id.as_deref().unwrap_or("(unknown)"),
            session.block_storage.as_deref().unwrap_or("(none)")
        );
        Ok(session)
    }

    /// The endpoint of a service, authenticating first if needed.
    pub(crate) fn endpoint(&self, service: Service) -> Result<String> {
        let session = self.session()?;
        match service {
            Service::BlockStorage => session.block_storage.clone(),
            Service::Compute => session.compute.clone(),
        }
    }

    /// The project the token is scoped to, as Keystone reported it.
    pub(crate) fn project_id(&self) -> Result<String> {
        self.session()?
            .project_id
            .clone()
            .ok_or_else(|| Error::Decode {
                what: "Keystone token reply".into(),
                message: "the token names no project".into(),
                request_id: None,
            })
    }

    /// The Cinder microversion sent with every request: the configured one, or with
    /// negotiation on, the lower of it and the server's maximum (asked once).
    pub(crate) fn volume_microversion(&self) -> Result<String> {
        let configured = self.config.volume_microversion.clone();
        if !self.config.negotiate_microversion {
            return Ok(configured);
        }
        let mut cached = self
            .volume_version
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(version) = cached.as_ref() {
            return Ok(version.clone());
        }
        let session = self.session()?;
        let endpoint = session.block_storage.clone()?;
        // The version document lives at the `/v3/` root, above any project id.
        let root = version_root(&endpoint);
        let reply = self.exchange(
            &http::Method::GET,
            &root,
            &[("X-Auth-Token", session.token.expose())],
            None,
        )?;
        // Cinder answers 300 Multiple Choices on its root, with the same document.
        if !(200..=300).contains(&reply.status) {
            let (code, message) = decode_fault(&reply.body);
            return Err(Error::Api {
                status: reply.status,
                code,
                message: message.unwrap_or_else(|| reason(reply.status)),
                request_id: reply.request_id,
                retry_after: None,
            });
        }
        let server_max = parse_version_document(&reply.body).ok_or_else(|| Error::Decode {
            what: "Cinder version document".into(),
            message: format!("no v3 version with a maximum microversion at {root}"),
            request_id: reply.request_id.clone(),
        })?;
        let chosen = match crate::config::Microversion::parse(&configured) {
            Some(mine) if mine <= server_max => mine,
            _ => server_max,
        };
        debug!("Cinder serves up to {server_max}; using microversion {chosen}");
        let chosen = chosen.to_string();
        *cached = Some(chosen.clone());
        Ok(chosen)
    }

    fn next_jitter(&self) -> f64 {
        // xorshift64: good enough to spread retries, no crate needed.
        let mut x = self.jitter.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter.store(x, Ordering::Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Sends an authenticated request to a service and returns the reply of a 2xx answer.
    ///
    /// `path` is relative to the service endpoint and may carry a query string. A 401 is
    /// answered once by authenticating again; a GET that meets a connection error, 502, 503 or
    /// 504 is retried with backoff as the retry policy allows. Any other non-2xx status becomes
    /// an [`Error`].
    pub(crate) fn call(
        &self,
        service: Service,
        method: http::Method,
        path: &str,
        body: Option<&Value>,
        subject: Option<Subject<'_>>,
    ) -> Result<Reply> {
        let body = match body {
            Some(value) => Some(serde_json::to_vec(value).map_err(|e| {
                Error::invalid("body", format!("cannot encode the request body: {e}"))
            })?),
            None => None,
        };
        let policy = self.config.retry;
        let retryable = method == http::Method::GET;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut reauthenticated = false;
        loop {
            let session = self.session()?;
            let base = match service {
                Service::BlockStorage => session.block_storage.clone()?,
                Service::Compute => session.compute.clone()?,
            };
            let url = format!("{base}{path}");
            let microversion = match service {
                Service::BlockStorage => format!("volume {}", self.volume_microversion()?),
                Service::Compute => format!("compute {}", self.config.compute_microversion),
            };
            let headers = [
                ("X-Auth-Token", session.token.expose()),
                ("OpenStack-API-Version", microversion.as_str()),
            ];
            let outcome = self.exchange(&method, &url, &headers, body.as_deref());

            let retry_reason = match &outcome {
                Ok(reply) if reply.status == 401 && !reauthenticated => {
                    debug!("{method} {url} -> 401; authenticating again once");
                    self.invalidate(&session);
                    reauthenticated = true;
                    continue;
                }
                Ok(reply) if matches!(reply.status, 502..=504) => {
                    Some((format!("HTTP {}", reply.status), reply.retry_after))
                }
                Err(Failure {
                    error: Error::Transport { message, .. },
                    retryable: true,
                }) => Some((message.clone(), None)),
                _ => None,
            };
            if let Some((why, retry_after)) = retry_reason {
                if retryable && attempt < policy.max_retries {
                    let backoff = policy.backoff(attempt, self.next_jitter());
                    let wait = retry_after.map_or(backoff, |ra| ra.max(backoff));
                    if started.elapsed().saturating_add(wait) <= policy.max_total {
                        attempt += 1;
                        warn!(
                            "{method} {path}: {why}; retry {attempt}/{} in {} ms",
                            policy.max_retries,
                            wait.as_millis()
                        );
                        std::thread::sleep(wait);
                        continue;
                    }
                }
            }

            let reply = outcome.map_err(Error::from)?;
            if (200..300).contains(&reply.status) {
                return Ok(reply);
            }
            let (code, message) = decode_fault(&reply.body);
            let message = message.unwrap_or_else(|| reason(reply.status));
            return Err(match (reply.status, subject) {
                (401, _) => Error::Auth {
                    status: Some(401),
                    message: format!("{message} (rejected again after a fresh token)"),
                    request_id: reply.request_id,
                },
                (404, Some(subject)) => Error::NotFound {
                    resource: subject.resource,
                    id: subject.id.to_string(),
                    message,
                    request_id: reply.request_id,
                },
                (status, _) => Error::Api {
                    status,
                    code,
                    message,
                    request_id: reply.request_id,
                    retry_after: reply.retry_after.map(|d| d.as_secs()),
                },
            });
        }
    }

    /// GETs and decodes a JSON reply.
    pub(crate) fn get_json<T: DeserializeOwned>(
        &self,
        service: Service,
        path: &str,
        subject: Option<Subject<'_>>,
        what: &str,
    ) -> Result<T> {
        self.call(service, http::Method::GET, path, None, subject)?
            .json(what)
    }
}
