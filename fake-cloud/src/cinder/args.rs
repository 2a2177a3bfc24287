//! Request-body parsing for Cinder: the JSON body, its root element and typed
//! fields, with Cinder's validation messages.

use serde_json::{Map, Value};

use super::Ctx;
use crate::faults::{bad, policy_forbids};
use crate::http::Response;

pub(super) fn body(ctx: &Ctx) -> Result<Value, Response> {
    if ctx.req.body.is_empty() {
        return Err(bad("Missing request body."));
    }
    serde_json::from_slice(&ctx.req.body).map_err(|_| bad("Malformed request body"))
}

pub(super) fn root<'v>(v: &'v Value, key: &str) -> Result<&'v Map<String, Value>, Response> {
    v.get(key).and_then(Value::as_object).ok_or_else(|| {
        bad(&format!(
            "Missing required element '{key}' in request body."
        ))
    })
}

pub(super) fn opt_string(
    obj: &Map<String, Value>,
    key: &str,
) -> Result<Option<Option<String>>, Response> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => {
            if s.chars().count() > 255 && key == "name" {
                return Err(bad(&format!(
                    "Invalid input for field/attribute {key}. Value: {s}. is too long"
                )));
            }
            Ok(Some(Some(s.clone())))
        }
        Some(other) => Err(bad(&format!(
            "Invalid input for field/attribute {key}. Value: {other}. {other} is not of type 'string'"
        ))),
    }
}

pub(super) fn metadata_arg(v: &Value, key: &str) -> Result<Map<String, Value>, Response> {
    let Some(obj) = v.as_object() else {
        return Err(bad(&format!(
            "Invalid input for field/attribute {key}. Value: {v}. {v} is not of type 'object'"
        )));
    };
    for (k, val) in obj {
        if k.is_empty() || k.chars().count() > 255 {
            return Err(bad(&format!(
                "Invalid input for field/attribute {key}. Metadata keys must be 1 to 255 characters."
            )));
        }
        match val {
            Value::String(s) if s.chars().count() <= 255 => {}
            _ => {
                return Err(bad(&format!(
                    "Invalid input for field/attribute {key}. Value: {val}. Metadata values must be strings of at most 255 characters."
                )));
            }
        }
    }
    Ok(obj.clone())
}

/// Integer or digit string, at least 1.
pub(super) fn positive_int(v: &Value, field: &str) -> Result<u64, Response> {
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<i64>().ok()
        }
        _ => None,
    };
    match n {
        Some(n) if n >= 1 => Ok(n as u64),
        Some(n) => Err(bad(&format!(
            "Invalid input for field/attribute {field}. Value: {n}. {n} is less than the minimum of 1"
        ))),
        None => Err(bad(&format!(
            "Invalid input for field/attribute {field}. Value: {v}. {v} is not of type 'integer', 'string'"
        ))),
    }
}

pub(super) fn bool_arg(v: &Value, field: &str) -> Result<bool, Response> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" | "yes" | "y" | "on" => Ok(true),
            "false" | "f" | "0" | "no" | "n" | "off" => Ok(false),
            _ => Err(bad(&format!(
                "Invalid value '{s}' for {field}: not a boolean."
            ))),
        },
        other => Err(bad(&format!(
            "Invalid value '{other}' for {field}: not a boolean."
        ))),
    }
}

pub(super) fn single_action(ctx: &Ctx) -> Result<(String, Value), Response> {
    let b = body(ctx)?;
    let Some(obj) = b.as_object() else {
        return Err(bad("Malformed request body"));
    };
    if obj.len() != 1 {
        return Err(bad(
            "Invalid request body: exactly one action must be given.",
        ));
    }
    let Some((k, v)) = obj.iter().next() else {
        return Err(bad("Malformed request body"));
    };
    Ok((k.clone(), v.clone()))
}

/// `name` (or the legacy `display_name`) of an update/create body.
pub(super) fn name_arg(obj: &Map<String, Value>) -> Result<Option<Option<String>>, Response> {
    match opt_string(obj, "name")? {
        Some(n) => Ok(Some(n)),
        None => opt_string(obj, "display_name"),
    }
}

/// `description` (or the legacy `display_description`) of an update/create body.
pub(super) fn description_arg(
    obj: &Map<String, Value>,
) -> Result<Option<Option<String>>, Response> {
    match opt_string(obj, "description")? {
        Some(d) => Ok(Some(d)),
        None => opt_string(obj, "display_description"),
    }
}

/// An optional boolean field (`None` when absent or null).
pub(super) fn opt_bool(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, Response> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => bool_arg(v, key).map(Some),
    }
}

/// An optional metadata object (empty when absent or null).
pub(super) fn opt_metadata(obj: &Map<String, Value>) -> Result<Map<String, Value>, Response> {
    match obj.get("metadata") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(m) => metadata_arg(m, "metadata"),
    }
}

/// The answer to an action this cloud does not perform for a member:
/// the admin-only `os-force_delete`/`os-reset_status` of a `resource`
/// (`"volume"`, `"snapshot"`, `"backup"`) → 403, anything else → 400.
pub(super) fn unknown_action(resource: &str, action: &str) -> Response {
    match action {
        "os-force_delete" | "os-reset_status" => policy_forbids(&format!(
            "volume_extension:{resource}_admin_actions:{}",
            action.trim_start_matches("os-")
        )),
        other => bad(&format!("There is no such action: {other}")),
    }
}

/// A required boolean action argument `key` (`"Must specify {key} in request."`).
pub(super) fn required_bool(arg: &Value, key: &str) -> Result<bool, Response> {
    match arg.get(key) {
        Some(v) => bool_arg(v, key),
        None => Err(bad(&format!("Must specify {key} in request."))),
    }
}

/// A required string field `key` of the `root_key` element.
pub(super) fn required_str(
    obj: &Map<String, Value>,
    root_key: &str,
    key: &str,
) -> Result<String, Response> {
    match obj.get(key).and_then(Value::as_str) {
        Some(s) => Ok(s.to_string()),
        None => Err(bad(&format!(
            "Invalid input for field/attribute {root_key}. '{key}' is a required property"
        ))),
    }
}
