//! Keystone tokens: authenticating, keeping the token with its catalog endpoints, renewing it
//! before it expires, and making sure that many threads needing a token send one request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
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
    /// Not due for renewal.
    fn fresh(&self) -> bool {
        match self.expires_at {
            None => true,
            Some(at) => Instant::now()
                .checked_add(self.margin)
                .is_some_and(|t| t < at),
        }
    }

    /// Not expired: usable while another thread renews it.
    fn valid(&self) -> bool {
        self.expires_at.is_none_or(|at| Instant::now() < at)
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
    /// A thread is asking Keystone right now (without holding the lock).
    renewing: bool,
}

/// The authentication side of a client.
pub(crate) struct Sessions {
    // Never held across a request: one thread authenticates with `renewing` set, and the
    // others reuse the still-valid token meanwhile or wait on `renewed` (single flight).
    state: Mutex<AuthState>,
    renewed: Condvar,
    generation: AtomicU64,
    /// The token cache file shared with other processes, when `Config::token_cache` is on.
    cache: Option<token_cache::Slot>,
}

impl Sessions {
    pub(crate) fn new(config: &Config) -> Sessions {
        Sessions {
            state: Mutex::new(AuthState::default()),
            renewed: Condvar::new(),
            generation: AtomicU64::new(0),
            cache: token_cache::slot(config),
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
    /// thread authenticates at a time; the others use the current token while it is still
    /// valid, or wait for the new one.
    pub(crate) fn get(&self, config: &Config, agents: &Agents) -> Result<Arc<Session>> {
        let asked = Instant::now();
        let mut guard = self.lock();
        loop {
            if let Some(session) = guard.current.as_ref() {
                if session.fresh() || (guard.renewing && session.valid()) {
                    return Ok(Arc::clone(session));
                }
            }
            // Another thread's attempt failed while this one waited: share its answer.
            if let Some((at, error)) = guard.failure.as_ref() {
                if *at >= asked {
                    return Err(error.clone());
                }
            }
            if !guard.renewing {
                break;
            }
            guard = self
                .renewed
                .wait(guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        if guard.current.is_some() {
            debug!("token is about to expire; renewing it");
        } else if let Some(session) = self.cached(config) {
            let session = Arc::new(session);
            guard.current = Some(Arc::clone(&session));
            return Ok(session);
        }
        self.authenticate_unlocked(guard, config, agents)
    }

    /// Authenticates with `renewing` set and the lock released, then stores the outcome (the
    /// new session, or the failure) and wakes the threads that wait for it.
    fn authenticate_unlocked(
        &self,
        mut guard: MutexGuard<'_, AuthState>,
        config: &Config,
        agents: &Agents,
    ) -> Result<Arc<Session>> {
        /// Clears `renewing` even if authenticating panics, so that no thread waits for ever.
        struct Renewing<'a>(&'a Sessions);
        impl Drop for Renewing<'_> {
            fn drop(&mut self) {
                self.0.lock().renewing = false;
                self.0.renewed.notify_all();
            }
        }
        guard.renewing = true;
        drop(guard);
        let renewing = Renewing(self);
        let outcome = self.authenticate(config, agents);
        let mut guard = self.lock();
        let outcome = match outcome {
            Ok(session) => {
                self.remember(&session);
                let session = Arc::new(session);
                guard.current = Some(Arc::clone(&session));
                guard.failure = None;
                Ok(session)
            }
            Err(error) => {
                guard.failure = Some((Instant::now(), error.clone()));
                Err(error)
            }
        };
        drop(guard);
        drop(renewing);
        outcome
    }

    /// A still-fresh session from the token cache, if it is on and holds one.
    fn cached(&self, config: &Config) -> Option<Session> {
        let entry = token_cache::load(self.cache.as_ref()?)?;
        let left = entry.time_left();
        let session = Session {
            token: Secret::new(entry.token),
            expires_at: left.and_then(|left| Instant::now().checked_add(left)),
            margin: entry.renew_before.map_or_else(
                || EXPIRY_MARGIN.min(left.unwrap_or(EXPIRY_MARGIN) / 4),
                |secs| EXPIRY_MARGIN.min(Duration::from_secs(secs)),
            ),
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
        let Some(slot) = self.cache.as_ref() else {
            return;
        };
        let expires_at = session.expires_at.map(|at| {
            let left = at.saturating_duration_since(Instant::now());
            SystemTime::now()
                .checked_add(left)
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs())
        });
        let entry = token_cache::Entry {
            settings: slot.settings.clone(),
            token: session.token.expose().to_string(),
            expires_at,
            renew_before: Some(session.margin.as_secs()),
            block_storage: session.endpoints[0].as_ref().ok().cloned(),
            compute: session.endpoints[1].as_ref().ok().cloned(),
            project_id: session.project_id.clone(),
        };
        token_cache::store(&slot.path, &entry);
    }

    /// Authenticates now, replacing any token held (after any authentication in flight).
    pub(crate) fn renew(&self, config: &Config, agents: &Agents) -> Result<Arc<Session>> {
        let mut guard = self.lock();
        while guard.renewing {
            guard = self
                .renewed
                .wait(guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        self.authenticate_unlocked(guard, config, agents)
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
            if let Some(slot) = self.cache.as_ref() {
                token_cache::remove(&slot.path);
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
                // A waiter's deadline bounds its authentication too.
                timeout: super::deadline().map(|d| d.saturating_duration_since(Instant::now())),
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
            expires_at: lifetime.and_then(|lifetime| Instant::now().checked_add(lifetime)),
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
