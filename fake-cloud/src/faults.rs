//! Every error body the cloud renders: the Cinder/Nova fault shape
//! `{"<key>":{"code":..,"message":..}}` and Keystone's `{"error":{..}}`.

use serde_json::{Value, json};

use crate::Shared;
use crate::http::Response;

/// Cinder/Nova fault body root key for a status.
pub(crate) fn fault_key(status: u16) -> &'static str {
    match status {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        409 => "conflictingRequest",
        413 | 429 => "overLimit",
        415 => "badMediaType",
        501 => "notImplemented",
        503 => "serviceUnavailable",
        _ => "computeFault",
    }
}

/// A Cinder/Nova fault response `{"<key>":{"code":..,"message":..}}`; 413 and
/// 429 carry `retryAfter` in the body and a `Retry-After` header.
pub(crate) fn fault(status: u16, message: &str) -> Response {
    fault_retry_after(status, message, 0)
}

/// Like [`fault`], with `retry_after` seconds for 413/429 (body `retryAfter`
/// and header `Retry-After`); other statuses ignore it.
pub(crate) fn fault_retry_after(status: u16, message: &str, retry_after: u64) -> Response {
    let mut inner = json!({"code": status, "message": message});
    let over_limit = status == 413 || status == 429;
    if over_limit {
        inner["retryAfter"] = json!(retry_after.to_string());
    }
    let mut body = serde_json::Map::new();
    body.insert(fault_key(status).to_string(), inner);
    let r = Response::json(status, &Value::Object(body));
    if over_limit {
        r.with_header("Retry-After", retry_after.to_string())
    } else {
        r
    }
}

/// 400 `badRequest`.
pub(crate) fn bad(msg: &str) -> Response {
    fault(400, msg)
}

/// 403 `forbidden` for an admin-only policy rule.
pub(crate) fn policy_forbids(rule: &str) -> Response {
    fault(
        403,
        &format!("Policy doesn't allow {rule} to be performed."),
    )
}

/// 404 `itemNotFound`.
pub(crate) fn not_found(msg: &str) -> Response {
    fault(404, msg)
}

/// 404 for an unknown URL.
pub(crate) fn no_such_resource() -> Response {
    not_found("The resource could not be found.")
}

/// 405 `badMethod`.
pub(crate) fn method_not_allowed() -> Response {
    fault(405, "The method is not allowed for the requested URL.")
}

/// 413 `overLimit` (Cinder quota errors, `Retry-After: 0`).
pub(crate) fn over_limit(msg: &str) -> Response {
    fault(413, msg)
}

fn keystone_title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        _ => crate::http::reason(status),
    }
}

/// Keystone error body `{"error":{"code","title","message"}}`.
pub(crate) fn keystone_error(status: u16, message: &str) -> Response {
    Response::json(
        status,
        &json!({"error": {"code": status, "title": keystone_title(status), "message": message}}),
    )
}

/// Keystone's 401 with `WWW-Authenticate` (also what keystonemiddleware answers
/// on Cinder/Nova for a missing/unknown/expired token).
pub(crate) fn keystone_unauthorized(shared: &Shared, message: &str) -> Response {
    keystone_error(401, message).with_header(
        "WWW-Authenticate",
        format!("Keystone uri=\"{}/identity/v3\"", shared.base_url),
    )
}

/// The 401 answered for missing/unknown/expired tokens (keystonemiddleware).
pub(crate) fn unauthorized(shared: &Shared) -> Response {
    keystone_unauthorized(shared, "The request you have made requires authentication.")
}
