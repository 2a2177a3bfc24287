//! One HTTP exchange: send a request, read the reply within the size cap, and tell whether a
//! failure proves that the request never left.

use std::time::{Duration, Instant};

use log::debug;
use serde::de::DeserializeOwned;
use ureq::http;

use super::agent::Agents;
use super::retry::parse_retry_after;
use crate::config::Secret;
use crate::error::{Cause, Error, Result};

/// One HTTP reply, already read and capped.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
    pub subject_token: Option<Secret>,
    pub body: Vec<u8>,
}

impl Reply {
    /// Decodes the body as JSON into `T`, naming `what` on failure.
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        serde_json::from_slice(&self.body)
            .map_err(|e| Error::json(what, e, self.request_id.clone()))
    }
}

/// A failed exchange: the error, whether sending it again could help, and whether the request
/// provably never reached the server.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub retryable: bool,
    pub not_sent: bool,
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Error {
        failure.error
    }
}

/// Maps a ureq failure to [`Error::Transport`].
fn transport_error(err: ureq::Error, method: &http::Method, url: &str, max_body: u64) -> Failure {
    use ureq::Error as E;
    let url = crate::validate::redact_url(url);
    let retryable = matches!(
        err,
        E::Io(_)
            | E::Timeout(_)
            | E::HostNotFound
            | E::ConnectionFailed
            | E::Protocol(_)
            | E::BodyStalled
    );
    // Only failures that happen before a byte of the request is written count: name
    // resolution, connecting (ureq reports a refused connect as an io error), a bad URL,
    // and TLS or proxy setup, which come before the request itself.
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
            source: Some(Cause::new(err)),
        },
        retryable,
        not_sent,
    }
}

fn header_str(response: &http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// What one exchange sends.
pub(crate) struct Outgoing<'a> {
    pub method: &'a http::Method,
    pub url: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: Option<&'a [u8]>,
    /// A timeout shorter than the configured one, for a waiter's last poll.
    pub timeout: Option<Duration>,
}

/// Sends one request and reads the reply. No auth, no retries, no status handling.
pub(crate) fn exchange(
    agents: &Agents,
    max_body: u64,
    out: &Outgoing<'_>,
) -> std::result::Result<Reply, Failure> {
    let Outgoing {
        method,
        url,
        headers,
        body,
        timeout,
    } = *out;
    let not_built = |message: String| Failure {
        error: Error::invalid("url", message),
        retryable: false,
        not_sent: true,
    };
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
        .map_err(|e| not_built(format!("cannot build a request to {url}: {e}")))?;
    let agent = agents.for_url(url).map_err(|error| Failure {
        error,
        retryable: false,
        not_sent: true,
    })?;
    let request = match timeout {
        Some(limit) => agent
            .configure_request(request)
            .timeout_global(Some(limit))
            .build(),
        None => request,
    };
    let started = Instant::now();
    let shown = crate::validate::redact_url(url);
    let response = agent.run(request).map_err(|e| {
        let failure = transport_error(e, method, url, max_body);
        debug!(
            "{method} {shown} -> failed after {} ms: {}",
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
        .limit(max_body)
        .read_to_vec()
        .map_err(|e| transport_error(e, method, url, max_body))?;
    debug!(
        "{method} {shown} -> {status} in {} ms{}",
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
