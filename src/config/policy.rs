//! How hard the client tries: [`RetryPolicy`] for failed requests, [`WaitPolicy`] for the
//! waiters' polling.

use std::time::Duration;

/// Which failed requests are sent again, and how often.
///
/// What a reply proves decides: a 429 Too Many Requests was not processed, and a request
/// that never left (connection refused, name not resolved) changed nothing, so both are sent
/// again whatever the method. A GET is also sent again after a lost reply or an HTTP 502, 503
/// or 504. A POST, PUT or DELETE whose reply was lost is never sent again: it may have taken
/// effect, and its error says the outcome is unknown. Cinder's 413 (quota exceeded) is never
/// retried: waiting does not free quota.
///
/// The pause is `initial_backoff × 2^n` (capped at `max_backoff`, with ±25% jitter, and at
/// least what a `Retry-After` header asks), while the whole call stays under `max_total`.
/// Set `max_retries` to 0 to turn retries off.
///
/// ```
/// use std::time::Duration;
/// use infomaniak_block_storage::RetryPolicy;
///
/// let mut retry = RetryPolicy::default();
/// retry.max_retries = 5;
/// retry.max_total = Duration::from_secs(60);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
