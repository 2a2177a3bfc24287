//! Which failures are worth sending again, and how long to wait before doing so.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use ureq::http;

use super::exchange::{Failure, Reply};
use crate::error::Error;

/// `Retry-After` as seconds or an HTTP date. Values beyond a day are taken as a day: the
/// retry budget is far smaller anyway, and no arithmetic on it may overflow.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    const DAY: u64 = 86_400;
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(DAY)));
    }
    let at = super::identity::parse_http_date(value)?;
    let wait = at
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    Some(wait.min(Duration::from_secs(DAY)))
}

/// Why an outcome may be sent again, with the wait the server asked for.
pub(crate) struct RetryReason {
    pub why: String,
    pub retry_after: Option<Duration>,
}

/// Whether `outcome` of a `method` request may be sent again, following what it proves:
/// a 429 was not processed, and a request that never left changed nothing, whatever the
/// method; a 502, 503 or 504 or a lost reply may be retried only for a GET, since a POST or
/// DELETE may have taken effect.
pub(crate) fn retry_reason(
    method: &http::Method,
    outcome: &std::result::Result<Reply, Failure>,
) -> Option<RetryReason> {
    let idempotent = *method == http::Method::GET;
    match outcome {
        Ok(reply) if reply.status == 429 => Some(RetryReason {
            why: "HTTP 429 Too Many Requests".into(),
            retry_after: reply.retry_after,
        }),
        Ok(reply) if idempotent && matches!(reply.status, 502..=504) => Some(RetryReason {
            why: format!("HTTP {}", reply.status),
            retry_after: reply.retry_after,
        }),
        Err(Failure {
            error: Error::Transport { message, .. },
            retryable: true,
            not_sent,
        }) if idempotent || *not_sent => Some(RetryReason {
            why: message.clone(),
            retry_after: None,
        }),
        _ => None,
    }
}

/// A source of jitter for backoffs: xorshift64, good enough to spread retries, no crate needed.
pub(crate) struct Jitter(AtomicU64);

impl Jitter {
    pub(crate) fn new() -> Jitter {
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15)
            | 1;
        Jitter(AtomicU64::new(seed))
    }

    /// Uniform in [0, 1).
    pub(crate) fn next(&self) -> f64 {
        let mut x = self.0.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.store(x, Ordering::Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}
