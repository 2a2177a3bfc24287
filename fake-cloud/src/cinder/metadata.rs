//! Resource metadata endpoints shared by volumes and snapshots:
//! `…/{id}/metadata` (`{"metadata":{..}}`) and `…/{id}/metadata/{key}`
//! (`{"meta":{k:v}}`).

use serde_json::{Map, Value, json};

use super::args::{body, metadata_arg};
use super::{Ctx, Res};
use crate::faults::{bad, method_not_allowed, not_found};
use crate::http::Response;
use crate::state::State;
use crate::util::now_cinder;

/// A resource's metadata map and its `updated_at`, or the 404 to answer.
pub(super) type Target<'s> = Result<(&'s mut Map<String, Value>, &'s mut Option<String>), Response>;

/// Finds the metadata of resource `id` (last argument) of a project (second
/// argument) in the state.
pub(super) type Find = for<'s> fn(&'s mut State, &str, &str) -> Target<'s>;

/// GET (show), POST (merge) and PUT (replace) `…/{id}/metadata`.
pub(super) fn collection(ctx: &Ctx, id: &str, find: Find) -> Res {
    let m = ctx.req.method.as_str();
    if !matches!(m, "GET" | "POST" | "PUT") {
        return Err(method_not_allowed());
    }
    let new = if m == "GET" {
        None
    } else {
        let b = body(ctx)?;
        let Some(md) = b.get("metadata") else {
            return Err(bad("Malformed request body: missing 'metadata'."));
        };
        Some(metadata_arg(md, "metadata")?)
    };
    let mut st = ctx.shared.state();
    let (metadata, updated_at) = find(&mut st, &ctx.project, id)?;
    match (m, new) {
        ("POST", Some(new)) => {
            for (k, val) in new {
                metadata.insert(k, val);
            }
            *updated_at = Some(now_cinder());
        }
        ("PUT", Some(new)) => {
            *metadata = new;
            *updated_at = Some(now_cinder());
        }
        _ => {}
    }
    Ok(Response::json(200, &json!({"metadata": metadata})))
}

/// GET, PUT and DELETE `…/{id}/metadata/{key}`.
pub(super) fn item(ctx: &Ctx, id: &str, key: &str, find: Find) -> Res {
    let m = ctx.req.method.as_str();
    let new_value = if m == "PUT" {
        let b = body(ctx)?;
        let Some(meta) = b.get("meta").and_then(Value::as_object) else {
            return Err(bad("Malformed request body: missing 'meta'."));
        };
        if meta.len() > 1 {
            return Err(bad("Request body contains too many items"));
        }
        let Some((k, v)) = meta.iter().next() else {
            return Err(bad("Malformed request body"));
        };
        if k != key {
            return Err(bad("Request body and URI mismatch"));
        }
        let checked = metadata_arg(&json!({ k.clone(): v.clone() }), "meta")?;
        checked.get(k).cloned()
    } else if m == "GET" || m == "DELETE" {
        None
    } else {
        return Err(method_not_allowed());
    };
    // Genuine Cinder 29 names the resource and the key.
    let owner = if ctx.req.path.contains("/snapshots/") {
        "Snapshot"
    } else {
        "Volume"
    };
    let no_key = || not_found(&format!("{owner} {id} has no metadata with key {key}."));
    let mut st = ctx.shared.state();
    let (metadata, updated_at) = find(&mut st, &ctx.project, id)?;
    match m {
        "GET" => match metadata.get(key) {
            Some(val) => Ok(Response::json(200, &json!({"meta": { key: val }}))),
            None => Err(no_key()),
        },
        "DELETE" => match metadata.remove(key) {
            Some(_) => {
                *updated_at = Some(now_cinder());
                Ok(Response::empty(200))
            }
            None => Err(no_key()),
        },
        _ => {
            let val = new_value.unwrap_or(Value::Null);
            metadata.insert(key.to_string(), val.clone());
            *updated_at = Some(now_cinder());
            Ok(Response::json(200, &json!({"meta": { key: val }})))
        }
    }
}
