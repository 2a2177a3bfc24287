//! Keystone tokens: authenticating, keeping the token with its catalog endpoints, renewing it
//! before it expires, and making sure that many threads needing a token send one request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use log::debug;
use ureq::http;

use super::Service;
use super::agent::Agents;
use super::exchange::{Outgoing, exchange};
use super::fault::{decode_fault, reason};
use super::identity::{self, TokenInfo};
use super::token_cache;
use crate::config::{Config, Secret};
use crate::error::{Error, Result};

/// Renew a token this long before Keystone says it expires, so that no call races the expiry.
const EXPIRY_MARGIN: Duration = Duration::from_secs(120);

/// A Keystone token with the endpoints of its catalog.
pub(crate) struct Session {
    pub token: Secret,
    /// When the token expires, on this machine's clock (Keystone's lifetime, measured from
    /// when the reply arrived, so a clock far from the server's cannot make it look expired).
    expires_at: Option<Instant>,
    /// How long before `expires_at` the token is renewed.
    margin: Duration,
    endpoints: [Result<String>; 2],
    pub project_id: Option<String>,
    generation: u64,
}

impl Session {
    fn fresh(&self) -> bool {
        match self.expires_at {
            None => true,
            Some(at) => Instant::now() + self.margin < at,
        }
    }

    /// The endpoint of `service`, or why there is none.
    pub(crate) fn endpoint(&self, service: Service) -> Result<&str> {
        match &self.endpoints[service.index()] {
            Ok(url) => Ok(url),
            Err(e) => Err(e.clone()),
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

/// The authentication side of a client.
pub(crate) struct Sessions {
    // Held while authenticating, so that threads needing a token wait for the one request in
    // flight instead of sending their own (single-flight).
    state: Mutex<AuthState>,
    generation: AtomicU64,
    /// The token cache file shared with other processes, when `Config::token_cache` is on.
    cache: Option<std::path::PathBuf>,
}

impl Sessions {
    pub(crate) fn new(config: &Config) -> Sessions {
        Sessions {
            state: Mutex::new(AuthState::default()),
            generation: AtomicU64::new(0),
            cache: token_cache::path(config),
        }
    }

    fn lock(&self) -> MutexGuard<'_, AuthState> {
        // A panic elsewhere while holding the lock leaves a usable state behind.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// True when a token is held (for `Debug`; never waits for an authentication in flight).
    pub(crate) fn authenticated(&self) -> Option<bool> {
        self.state.try_lock().map(|s| s.current.is_some()).ok()
    }

    /// A live session, authenticating when there is none or it is about to expire. Only one
    /// thread authenticates at a time; the others wait and reuse its token.
    pub(crate) fn get(&self, config: &Config, agents: &Agents) -> Result<Arc<Session>> {
        let asked = Instant::now();
        let mut guard = self.lock();
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
        if let Some(session) = self.cached(config) {
            let session = Arc::new(session);
            guard.current = Some(Arc::clone(&session));
            return Ok(session);
        }
        self.authenticate_into(&mut guard, config, agents)
    }

    /// A still-fresh session from the token cache, if it is on and holds one.
    fn cached(&self, config: &Config) -> Option<Session> {
        let entry = token_cache::load(self.cache.as_deref()?)?;
        let left = entry.time_left();
        let session = Session {
            token: Secret::new(entry.token),
            expires_at: left.map(|left| Instant::now() + left),
            margin: EXPIRY_MARGIN.min(left.unwrap_or(EXPIRY_MARGIN) / 4),
            endpoints: [
                (Service::BlockStorage, entry.block_storage),
                (Service::Compute, entry.compute),
            ]
            .map(|(service, url)| {
                url.ok_or_else(|| Error::EndpointNotFound {
                    service: service.catalog_types()[0].to_string(),
                    region: config.region.clone(),
                    interface: config.interface.as_str().to_string(),
                })
            }),
            project_id: entry.project_id,
            generation: self.generation.fetch_add(1, Ordering::Relaxed) + 1,
        };
        // Within the renewal margin it is as good as expired.
        if !session.fresh() {
            return None;
        }
        debug!(
            "reusing cached token {} from the token cache",
            super::token_fingerprint(session.token.expose())
        );
        Some(session)
    }

    fn remember(&self, session: &Session) {
        let Some(path) = self.cache.as_deref() else {
            return;
        };
        let expires_at = session.expires_at.map(|at| {
            let left = at.saturating_duration_since(Instant::now());
            (SystemTime::now() + left)
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
        let entry = token_cache::Entry {
            token: session.token.expose().to_string(),
            expires_at,
            block_storage: session.endpoints[0].as_ref().ok().cloned(),
            compute: session.endpoints[1].as_ref().ok().cloned(),
            project_id: session.project_id.clone(),
        };
        token_cache::store(path, &entry);
    }

    /// Authenticates now, replacing any token held.
    pub(crate) fn renew(&self, config: &Config, agents: &Agents) -> Result<Arc<Session>> {
        let mut guard = self.lock();
        self.authenticate_into(&mut guard, config, agents)
    }

    /// Forgets `stale` if it is still the current session, so the next call authenticates
    /// again. A session that another thread already replaced is left alone.
    pub(crate) fn invalidate(&self, stale: &Session) {
        let mut guard = self.lock();
        if guard
            .current
            .as_ref()
            .is_some_and(|current| current.generation == stale.generation)
        {
            guard.current = None;
            // Another process would only meet the same 401.
            if let Some(path) = self.cache.as_deref() {
                token_cache::remove(path);
            }
        }
    }

    fn authenticate_into(
        &self,
        state: &mut AuthState,
        config: &Config,
        agents: &Agents,
    ) -> Result<Arc<Session>> {
        match self.authenticate(config, agents) {
            Ok(session) => {
                self.remember(&session);
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

    fn authenticate(&self, config: &Config, agents: &Agents) -> Result<Session> {
        let auth = config
            .auth
            .as_ref()
            .ok_or_else(|| Error::config("no authentication method set (Config::auth is None)"))?;
        let url = identity::tokens_url(&config.auth_url);
        let body = serde_json::to_vec(&identity::token_request_body(auth))
            .map_err(|e| Error::config_caused("cannot encode the authentication request", e))?;
        let sent_at = SystemTime::now();
        let reply = exchange(
            agents,
            config.max_body_bytes,
            &Outgoing {
                method: &http::Method::POST,
                url: &url,
                headers: &[],
                body: Some(&body),
                timeout: None,
            },
        )
        .map_err(|e| match e.error {
            Error::Transport {
                message, source, ..
            } => Error::Transport {
                message: format!("authentication: {message}"),
                outcome_unknown: false,
                source,
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
        let endpoint = |service: Service| match service.endpoint_override(config) {
            Some(url) => Ok(url.trim_end_matches('/').to_string()),
            None => info.endpoint(service.catalog_types(), &config.region, config.interface),
        };
        let lifetime = lifetime(info.expires_at, info.issued_at, sent_at);
        let session = Session {
            endpoints: [endpoint(Service::BlockStorage), endpoint(Service::Compute)],
            token,
            project_id: info.project_id.clone(),
            expires_at: lifetime.map(|lifetime| Instant::now() + lifetime),
            // A quarter of a short token's life, so that it is used before it is renewed.
            margin: lifetime.map_or(EXPIRY_MARGIN, |l| EXPIRY_MARGIN.min(l / 4)),
            generation: self.generation.fetch_add(1, Ordering::Relaxed) + 1,
        };
        debug!(
            "authenticated with Keystone: token {} for project {}, block storage at {}",
            super::token_fingerprint(session.token.expose()),
            info.project_id.as_deref().unwrap_or("(unknown)"),
            session.endpoints[0].as_deref().unwrap_or("(none)")
        );
        Ok(session)
    }
}

/// How long a token lives. Keystone's `expires_at - issued_at` when both are given, so that a
/// clock far from the server's changes nothing; otherwise `expires_at` against this clock.
/// At least a second is assumed, so that a lying server cannot make every call authenticate
/// (a token that really is dead by then gets a 401, answered by one renewal).
fn lifetime(
    expires_at: Option<SystemTime>,
    issued_at: Option<SystemTime>,
    sent_at: SystemTime,
) -> Option<Duration> {
    const FLOOR: Duration = Duration::from_secs(1);
    let expires_at = expires_at?;
    let from = issued_at.unwrap_or(sent_at);
    let lifetime = expires_at.duration_since(from).unwrap_or(Duration::ZERO);
    Some(lifetime.max(FLOOR))
}
