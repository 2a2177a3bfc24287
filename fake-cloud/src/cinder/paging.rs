//! Cinder list pagination: filters, `limit`/`marker`/`offset`, `*_links` on
//! full pages and `count` (3.45).

use serde_json::{Map, Value, json};

use super::{Ctx, Res};
use crate::faults::{bad, not_found};
use crate::http::Response;
use crate::util::encode_component;

pub(super) struct Item {
    /// Creation order (lists are newest first).
    pub(super) seq: u64,
    pub(super) id: String,
    pub(super) name: Option<String>,
    pub(super) status: String,
    pub(super) volume_id: Option<String>,
    pub(super) json: Value,
}

pub(super) fn list_response(ctx: &Ctx, key: &str, mut items: Vec<Item>) -> Res {
    // Newest first, stable.
    items.sort_by_key(|i| std::cmp::Reverse(i.seq));
    let limit = match ctx.q("limit") {
        None => None,
        Some(l) => match l.trim().parse::<i64>() {
            Ok(n) if n >= 0 => Some(n as usize),
            Ok(_) => return Err(bad("limit param must be positive")),
            Err(_) => return Err(bad("limit param must be an integer")),
        },
    };
    let offset = match ctx.q("offset") {
        None => 0,
        Some(o) => match o.trim().parse::<i64>() {
            Ok(n) if n >= 0 => n as usize,
            _ => {
                return Err(bad(&format!(
                    "Invalid value '{o}' for offset: must be a non-negative integer."
                )));
            }
        },
    };
    let marker_seq = match ctx.q("marker") {
        None => None,
        Some(m) => match items.iter().find(|i| i.id == m) {
            Some(i) => Some(i.seq),
            None => return Err(not_found(&format!("Marker {m} could not be found."))),
        },
    };
    let name = ctx.q("name").map(str::to_string);
    let status = ctx.q("status").map(str::to_string);
    let volume_id = ctx.q("volume_id").map(str::to_string);
    let filtered: Vec<Item> = items
        .into_iter()
        .filter(|i| {
            name.as_ref()
                .is_none_or(|n| i.name.as_deref() == Some(n.as_str()))
        })
        .filter(|i| {
            status
                .as_ref()
                .is_none_or(|s| i.status.eq_ignore_ascii_case(s))
        })
        .filter(|i| {
            volume_id
                .as_ref()
                .is_none_or(|v| i.volume_id.as_deref() == Some(v.as_str()))
        })
        .collect();
    let total = filtered.len();
    let effective = limit
        .unwrap_or(ctx.shared.config.page_size)
        .min(ctx.shared.config.page_size);
    let page: Vec<Item> = filtered
        .into_iter()
        .filter(|i| marker_seq.is_none_or(|m| i.seq < m))
        .skip(offset)
        .take(effective)
        .collect();
    let mut out = Map::new();
    let full = effective > 0 && page.len() == effective;
    if full {
        let last = page.last().map(|i| i.id.clone()).unwrap_or_default();
        let mut params: Vec<String> = ctx
            .query
            .iter()
            .filter(|(k, _, _)| k != "limit" && k != "marker")
            .map(|(_, _, raw)| raw.clone())
            .collect();
        params.push(format!("limit={effective}"));
        params.push(format!("marker={}", encode_component(&last)));
        let href = format!(
            "{}{}?{}",
            ctx.shared.base_url,
            ctx.req.path,
            params.join("&")
        );
        out.insert(
            format!("{key}_links"),
            json!([{"href": href, "rel": "next"}]),
        );
    }
    out.insert(
        key.to_string(),
        Value::Array(page.into_iter().map(|i| i.json).collect()),
    );
    if ctx.mv >= 45 && ctx.q_true("with_count") {
        out.insert("count".into(), json!(total));
    }
    Ok(Response::json(200, &Value::Object(out)))
}
