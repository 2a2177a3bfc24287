//! Waiting for a resource to reach a state: one polling loop for every resource, with a
//! growing interval ([`WaitPolicy`](crate::WaitPolicy)) and a deadline that every request it
//! makes respects, so that a waiter returns within its timeout plus one poll interval.

use std::time::{Duration, Instant};

use crate::config::WaitPolicy;
use crate::error::{Error, Result};
use crate::transport;

/// A wait target must be a status Cinder documents: a typo (`"avaliable".parse()`) would
/// otherwise poll until the timeout. Refused before anything is sent.
pub(crate) fn known_target(target: &impl std::fmt::Display, known: bool) -> Result<()> {
    if known {
        return Ok(());
    }
    let text = target.to_string();
    if text.trim().is_empty() {
        return Err(Error::invalid("target", "is empty"));
    }
    Err(Error::invalid(
        "target",
        format!("`{text}` is not a status Cinder documents; check its spelling"),
    ))
}

/// What one poll saw: the status, and the value when the wait is over.
pub(crate) struct Step<T> {
    pub status: String,
    pub done: Option<T>,
}

impl<T> Step<T> {
    pub(crate) fn done(status: impl Into<String>, value: T) -> Step<T> {
        Step {
            status: status.into(),
            done: Some(value),
        }
    }

    pub(crate) fn pending(status: impl Into<String>) -> Step<T> {
        Step {
            status: status.into(),
            done: None,
        }
    }
}

/// One wait: what is waited for, and for how long.
pub(crate) struct Wait<'a> {
    pub resource: &'static str,
    pub id: &'a str,
    /// The state waited for, for the timeout error (`available`, `deleted`, ...).
    pub target: String,
    pub timeout: Duration,
    pub policy: WaitPolicy,
}

impl Wait<'_> {
    /// Polls `step` until it is done, fails, or the timeout passes. `progress` sees each
    /// status and the time elapsed.
    pub(crate) fn run<T>(
        self,
        progress: &mut dyn FnMut(&str, Duration),
        mut step: impl FnMut() -> Result<Step<T>>,
    ) -> Result<T> {
        // A typo can become `Other("...")`, but an empty target can only be a mistake: it
        // would poll until the timeout. Refused before anything is sent.
        if self.target.trim().is_empty() {
            return Err(Error::invalid("target", "is empty"));
        }
        let started = Instant::now();
        // `Duration::MAX` means "wait for ever": a deadline a century away.
        let deadline = started
            .checked_add(self.timeout)
            .or_else(|| started.checked_add(Duration::from_secs(100 * 365 * 86_400)))
            .unwrap_or(started);
        let mut interval = self.policy.initial_interval;
        let mut last = String::from("(never seen)");
        loop {
            match transport::with_deadline(deadline, &mut step) {
                Ok(Step { status, done }) => {
                    progress(&status, started.elapsed());
                    if let Some(value) = done {
                        return Ok(value);
                    }
                    last = status;
                }
                // A request cut short by the deadline means the time is up, not that the
                // cloud failed.
                Err(Error::Transport { .. }) if Instant::now() >= deadline => {}
                Err(other) => return Err(other),
            }
            let left = transport::time_left(deadline);
            if left.is_zero() {
                return Err(Error::WaitTimeout {
                    resource: self.resource,
                    id: self.id.to_string(),
                    target: self.target,
                    last_status: last,
                    waited: started.elapsed(),
                });
            }
            std::thread::sleep(interval.min(left));
            let ceiling = self.policy.max_interval.max(self.policy.initial_interval);
            interval = Duration::try_from_secs_f64(interval.as_secs_f64() * self.policy.backoff)
                .unwrap_or(ceiling)
                .min(ceiling);
        }
    }
}

impl crate::client::InfomaniakVolumeClient {
    /// A wait on `resource` `id` for `target`, with the configured policy.
    pub(crate) fn wait<'a>(
        &self,
        resource: &'static str,
        id: &'a str,
        target: &str,
        timeout: Duration,
    ) -> Wait<'a> {
        Wait {
            resource,
            id,
            target: target.to_string(),
            timeout,
            policy: self.config().wait,
        }
    }

    /// The error of a resource seen in an error state, with Cinder's newest user message
    /// about it, when there is one, saying why.
    pub(crate) fn resource_failed(&self, resource: &'static str, id: &str, status: &str) -> Error {
        Error::ResourceFailed {
            resource,
            id: id.to_string(),
            status: status.to_string(),
            reason: self.failure_reason(id),
        }
    }

    /// Polls until `fetch` says the resource is gone (404). Only `error_deleting` ends the
    /// wait early: a resource deleted from `error` may still show `error` for a moment.
    pub(crate) fn wait_gone(
        &self,
        resource: &'static str,
        id: &str,
        timeout: Duration,
        fetch: impl Fn() -> Result<String>,
    ) -> Result<()> {
        self.wait(resource, id, "deleted", timeout)
            .run(&mut |_, _| {}, || match fetch() {
                Err(Error::NotFound { .. }) => Ok(Step::done("deleted", ())),
                Err(other) => Err(other),
                Ok(status) if status == "error_deleting" => {
                    Err(self.resource_failed(resource, id, &status))
                }
                Ok(status) => Ok(Step::pending(status)),
            })
    }
}
