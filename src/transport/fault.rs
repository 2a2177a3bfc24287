//! OpenStack error replies turned into [`Error`]: one mapping for every service, so that a 404
//! means the same thing whether Cinder or Nova sent it.

use serde_json::Value;
use ureq::http;

use super::exchange::Reply;
use crate::error::Error;

/// What a request is about, so that a 404 becomes [`Error::NotFound`] naming it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    pub resource: &'static str,
    pub id: &'a str,
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

/// The reason phrase of a status, for replies without a message.
pub(crate) fn reason(status: u16) -> String {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unexpected status")
        .to_string()
}

/// The error for a non-2xx reply of Cinder or Nova.
pub(crate) fn api_error(reply: Reply, subject: Option<Subject<'_>>) -> Error {
    let (code, message) = decode_fault(&reply.body);
    let message = message.unwrap_or_else(|| reason(reply.status));
    match (reply.status, subject) {
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
    }
}
