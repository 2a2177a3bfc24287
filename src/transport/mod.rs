//! The only place that speaks HTTP. Each job has its own module: the agents and proxies
//! ([`agent`]), one exchange ([`exchange`]), Keystone tokens ([`session`], [`identity`]),
//! error replies ([`fault`]) and retries ([`retry`]). [`Transport::send`] puts them together.

mod agent;
mod exchange;
mod fault;
pub(crate) mod identity;
mod retry;
mod session;
mod token_cache;

use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use log::{debug, warn};
use serde::de::DeserializeOwned;
use serde_json::Value;
use ureq::http;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::microversion::{self, Api, Requirement, VersionState};

pub(crate) use exchange::Reply;
use exchange::{Outgoing, exchange};
pub(crate) use fault::{Subject, decode_fault};
use retry::{Jitter, retry_reason};
use session::{Session, Sessions};

/// Which service a request goes to, with what the client needs to know about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// Cinder v3.
    BlockStorage,
    /// Nova.
    Compute,
}

impl Service {
    /// The position of this service's entries in per-service arrays.
    fn index(self) -> usize {
        match self {
            Service::BlockStorage => 0,
            Service::Compute => 1,
        }
    }

    /// Catalog types under which the service may be registered, most specific first
    /// (service-types-authority: `block-storage` with its aliases).
    pub(crate) fn catalog_types(self) -> &'static [&'static str] {
        match self {
            Service::BlockStorage => &["block-storage", "volumev3", "volume", "block-store"],
            Service::Compute => &["compute"],
        }
    }

    fn api(self) -> Api {
        match self {
            Service::BlockStorage => Api::Volume,
            Service::Compute => Api::Compute,
        }
    }

    fn endpoint_override(self, config: &Config) -> Option<&str> {
        match self {
            Service::BlockStorage => config.block_storage_endpoint.as_deref(),
            Service::Compute => config.compute_endpoint.as_deref(),
        }
    }

    fn configured_microversion(self, config: &Config) -> &str {
        match self {
            Service::BlockStorage => &config.volume_microversion,
            Service::Compute => &config.compute_microversion,
        }
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

/// One request to a service, as data.
#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub service: Service,
    pub method: http::Method,
    /// Relative to the service endpoint; may carry a query string.
    pub path: String,
    pub body: Option<&'a Value>,
    /// What a 404 is about.
    pub subject: Option<Subject<'a>>,
    /// A microversion for this call only, instead of the client's.
    pub microversion: Option<&'a str>,
    /// What the call needs, checked again when a 406 lowers the version in use.
    pub requirement: Option<Requirement>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(service: Service, method: http::Method, path: impl Into<String>) -> Call<'a> {
        Call {
            service,
            method,
            path: path.into(),
            body: None,
            subject: None,
            microversion: None,
            requirement: None,
        }
    }

    pub(crate) fn get(service: Service, path: impl Into<String>) -> Call<'a> {
        Call::new(service, http::Method::GET, path)
    }

    pub(crate) fn body(mut self, body: &'a Value) -> Call<'a> {
        self.body = Some(body);
        self
    }

    pub(crate) fn about(mut self, resource: &'static str, id: &'a str) -> Call<'a> {
        self.subject = Some(Subject { resource, id });
        self
    }

    pub(crate) fn microversion(mut self, version: Option<&'a str>) -> Call<'a> {
        self.microversion = version;
        self
    }

    /// Marks the call as needing `requirement`: if a 406 makes the client fall back below
    /// it, the call is not sent again (it would not do what was asked) but fails with
    /// [`Error::Unsupported`].
    /// Of several requirements the highest counts.
    pub(crate) fn requires(mut self, requirement: Requirement) -> Call<'a> {
        if self
            .requirement
            .is_none_or(|held| held.needs < requirement.needs)
        {
            self.requirement = Some(requirement);
        }
        self
    }
}

thread_local! {
    /// The deadline of the waiter running on this thread, if any: no request it makes may
    /// outlive it.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `f` with every request it makes bounded by `deadline` (timeouts and retries alike).
pub(crate) fn with_deadline<T>(deadline: Instant, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(DEADLINE.with(|d| d.replace(Some(deadline))));
    f()
}

fn deadline() -> Option<Instant> {
    DEADLINE.with(Cell::get)
}

/// The HTTP layer shared by every operation.
pub(crate) struct Transport {
    config: Config,
    agents: agent::Agents,
    sessions: Sessions,
    versions: [VersionState; 2],
    jitter: Jitter,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.config)
            .field("authenticated", &self.sessions.authenticated())
            .finish()
    }
}

impl Transport {
    pub(crate) fn new(config: Config) -> Result<Transport> {
        config.validate()?;
        Ok(Transport {
            agents: agent::Agents::new(&config)?,
            sessions: Sessions::new(&config),
            versions: [Service::BlockStorage, Service::Compute].map(|service| {
                VersionState::new(service.api(), service.configured_microversion(&config))
            }),
            jitter: Jitter::new(),
            config,
        })
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    fn session(&self) -> Result<Arc<Session>> {
        self.sessions.get(&self.config, &self.agents)
    }

    /// Authenticates now, replacing any token held.
    pub(crate) fn reauthenticate(&self) -> Result<()> {
        self.sessions.renew(&self.config, &self.agents).map(|_| ())
    }

    /// The endpoint of a service, authenticating first if needed.
    pub(crate) fn endpoint(&self, service: Service) -> Result<String> {
        Ok(self.session()?.endpoint(service)?.to_string())
    }

    /// The project the token is scoped to, as Keystone reported it.
    pub(crate) fn project_id(&self) -> Result<String> {
        self.session()?.project_id.clone().ok_or_else(|| {
            Error::decode("Keystone token reply", "the token names no project", None)
        })
    }

    fn versions(&self, service: Service) -> &VersionState {
        &self.versions[service.index()]
    }

    /// The microversion sent to `service`: the configured one, capped at what the server
    /// serves once that is known. With `Config::negotiate_microversion`, Cinder's version
    /// document is read the first time.
    pub(crate) fn microversion(&self, service: Service) -> Result<String> {
        let state = self.versions(service);
        if service == Service::BlockStorage
            && self.config.negotiate_microversion
            && !state.settled()
        {
            self.discover_volume_versions(state)?;
        }
        Ok(state.current())
    }

    /// `Err(Error::Unsupported)` when the microversion in use for `service` is below what
    /// the operation needs.
    pub(crate) fn require(&self, service: Service, requirement: Requirement) -> Result<()> {
        self.microversion(service)?;
        self.versions(service).require(requirement)
    }

    /// True when the microversion in use for `service` is at least `version`.
    pub(crate) fn at_least(
        &self,
        service: Service,
        version: microversion::Microversion,
    ) -> Result<bool> {
        self.microversion(service)?;
        Ok(self.versions(service).at_least(version))
    }

    /// One `GET` of Cinder's version document. No lock is held while it is in flight; a
    /// failure is remembered for a while, and the configured version is sent meanwhile.
    fn discover_volume_versions(&self, state: &VersionState) -> Result<()> {
        let session = self.session()?;
        let endpoint = session.endpoint(Service::BlockStorage)?;
        // The version document lives at the `/v3/` root, above any project id.
        let root = microversion::version_root(endpoint);
        let outcome = exchange(
            &self.agents,
            self.config.max_body_bytes,
            &Outgoing {
                method: &http::Method::GET,
                url: &root,
                headers: &[("X-Auth-Token", session.token.expose())],
                body: None,
                timeout: deadline().map(|d| d.saturating_duration_since(Instant::now())),
            },
        );
        let range = match outcome {
            // Cinder answers 300 Multiple Choices on its root, with the same document.
            Ok(reply) if (200..=300).contains(&reply.status) => {
                microversion::parse_version_document(&reply.body)
            }
            Ok(reply) => {
                debug!("Cinder version document at {root}: HTTP {}", reply.status);
                None
            }
            Err(failure) => {
                debug!("Cinder version document at {root}: {}", failure.error);
                None
            }
        };
        match range {
            Some(range) => {
                state.learn(range);
            }
            None => {
                debug!(
                    "no usable Cinder version document; sending microversion {} as configured",
                    state.current()
                );
                state.discovery_failed();
            }
        }
        Ok(())
    }

    /// Sends an authenticated request and returns the reply of a 2xx answer.
    ///
    /// A 401 is answered once by authenticating again. A 406 that names the server's range
    /// makes the client fall back once to the highest version both sides support. A 429, or
    /// a request that provably never left, is sent again whatever the method; a GET that
    /// meets a lost reply or a 502, 503 or 504 likewise; all within the retry policy and any
    /// waiter's deadline. Any other non-2xx status becomes an [`Error`].
    pub(crate) fn send(&self, call: &Call<'_>) -> Result<Reply> {
        let body = match call.body {
            Some(value) => Some(serde_json::to_vec(value).map_err(|e| {
                Error::invalid("body", format!("cannot encode the request body: {e}"))
            })?),
            None => None,
        };
        let policy = self.config.retry;
        let started = Instant::now();
        let deadline = deadline();
        let mut attempt: u32 = 0;
        let mut reauthenticated = false;
        let mut fell_back = false;
        loop {
            let session = self.session()?;
            let url = format!("{}{}", session.endpoint(call.service)?, call.path);
            let version = match call.microversion {
                Some(version) => version.to_string(),
                None => self.microversion(call.service)?,
            };
            let version_header = format!("{} {version}", call.service.api().header_name());
            let headers = [
                ("X-Auth-Token", session.token.expose()),
                ("OpenStack-API-Version", version_header.as_str()),
            ];
            let timeout = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Error::Transport {
                            message: format!(
                                "{} {url}: not sent, the waiter's time is up",
                                call.method
                            ),
                            outcome_unknown: false,
                            source: None,
                        });
                    }
                    Some(left.min(self.config.request_timeout))
                }
                None => None,
            };
            let outcome = exchange(
                &self.agents,
                self.config.max_body_bytes,
                &Outgoing {
                    method: &call.method,
                    url: &url,
                    headers: &headers,
                    body: body.as_deref(),
                    timeout,
                },
            );

            if let Ok(reply) = &outcome {
                if reply.status == 401 && !reauthenticated {
                    debug!("{} {url} -> 401; authenticating again once", call.method);
                    self.sessions.invalidate(&session);
                    reauthenticated = true;
                    continue;
                }
                if reply.status == 406 && call.microversion.is_none() && !fell_back {
                    let (_, message) = decode_fault(&reply.body);
                    let range = message
                        .as_deref()
                        .and_then(microversion::parse_not_acceptable);
                    if let Some(range) = range {
                        fell_back = true;
                        if self.versions(call.service).learn(range) {
                            if let Some(requirement) = call.requirement {
                                self.versions(call.service).require(requirement)?;
                            }
                            continue;
                        }
                    }
                }
            }

            if let Some(reason) = retry_reason(&call.method, &outcome) {
                if attempt < policy.max_retries {
                    let backoff = policy.backoff(attempt, self.jitter.next());
                    let wait = reason.retry_after.map_or(backoff, |ra| ra.max(backoff));
                    let within_budget = started.elapsed().saturating_add(wait) <= policy.max_total;
                    let within_deadline = deadline
                        .is_none_or(|d| Instant::now().checked_add(wait).is_some_and(|t| t < d));
                    if within_budget && within_deadline {
                        attempt += 1;
                        warn!(
                            "{} {}: {}; retry {attempt}/{} in {} ms",
                            call.method,
                            call.path,
                            reason.why,
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
            return Err(fault::api_error(reply, call.subject));
        }
    }

    /// Sends `call` and decodes its JSON reply, naming `what` on failure.
    pub(crate) fn json<T: DeserializeOwned>(&self, call: &Call<'_>, what: &str) -> Result<T> {
        self.send(call)?.json(what)
    }
}

/// Time left before `deadline`, for a pause that must not outlast it.
pub(crate) fn time_left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}
