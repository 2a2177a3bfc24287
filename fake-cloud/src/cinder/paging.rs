//! Cinder list pagination: filters, `limit`/`marker`/`offset`, `*_links` on
//! full pages and `count` (3.45).

use serde_json::{Map, Value, json};

use super::{Ctx, Res};
use crate::faults::{bad, not_found};
use crate::http::Response;
use crate::util::encode_component;

/// One listed resource: what the list can filter and sort by, and its JSON.
pub(super) struct Item {
    /// Creation order (lists are newest first unless sorted otherwise).
    seq: u64,
    id: String,
    /// Filterable/sortable values, e.g. `("status", Some("available"))`.
    fields: Vec<(&'static str, Option<String>)>,
    json: Value,
}

impl Item {
    /// An item with no filterable fields yet.
    pub(super) fn new(seq: u64, id: &str, json: Value) -> Item {
        Item {
            seq,
            id: id.to_string(),
            fields: Vec::new(),
            json,
        }
    }

    /// Adds a field the list can be filtered (`?key=value`; `status`
    /// case-insensitively) and sorted (`sort=key[:asc|desc]`) by.
    pub(super) fn field(mut self, key: &'static str, value: Option<&str>) -> Item {
        self.fields.push((key, value.map(str::to_string)));
        self
    }

    fn value(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.as_deref())
    }

    fn matches(&self, ctx: &Ctx) -> bool {
        self.fields.iter().all(|(k, v)| match ctx.q(k) {
            None => true,
            Some(want) if *k == "status" => {
                v.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(want))
            }
            Some(want) => v.as_deref() == Some(want),
        })
    }
}

/// The `sort` (or `sort_key`/`sort_dir`) keys: (key, descending).
fn sort_keys(ctx: &Ctx) -> Vec<(String, bool)> {
    if let Some(sort) = ctx.q("sort") {
        return sort
            .split(',')
            .filter(|k| !k.is_empty())
            .map(|k| {
                let (key, dir) = k.split_once(':').unwrap_or((k, "desc"));
                (
                    key.trim().to_string(),
                    !dir.trim().eq_ignore_ascii_case("asc"),
                )
            })
            .collect();
    }
    let desc = !ctx
        .q("sort_dir")
        .is_some_and(|d| d.eq_ignore_ascii_case("asc"));
    vec![(ctx.q("sort_key").unwrap_or("created_at").to_string(), desc)]
}

fn sort(ctx: &Ctx, items: &mut [Item]) {
    let keys = sort_keys(ctx);
    items.sort_by(|a, b| {
        for (key, desc) in &keys {
            let ord = match key.as_str() {
                "created_at" => a.seq.cmp(&b.seq),
                "id" => a.id.cmp(&b.id),
                k => a.value(k).cmp(&b.value(k)),
            };
            let ord = if *desc { ord.reverse() } else { ord };
            if ord.is_ne() {
                return ord;
            }
        }
        b.seq.cmp(&a.seq)
    });
}

/// Renders a list: filters by the items' fields, sorts, pages with
/// `limit`/`marker`/`offset`, adds `<key>_links` on a full page and
/// `count` (3.45, `with_count=true`).
/// Query parameters of any listing: paging and sorting.
const PAGING: &[&str] = &[
    "limit",
    "marker",
    "offset",
    "sort",
    "sort_key",
    "sort_dir",
    "with_count",
];

/// The filters Cinder's default `resource_filters.json` lets a project member use; genuine
/// Cinder answers any other with 400.
fn allowed_filters(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "volumes" => &[
            "name",
            "status",
            "metadata",
            "bootable",
            "migration_status",
            "availability_zone",
            "group_id",
            "size",
            "created_at",
            "updated_at",
        ],
        "backups" => &["name", "status", "volume_id"],
        "snapshots" => &[
            "name",
            "status",
            "volume_id",
            "metadata",
            "availability_zone",
        ],
        _ => return None,
    })
}

pub(super) fn list_response(ctx: &Ctx, key: &str, mut items: Vec<Item>) -> Res {
    if let Some(allowed) = allowed_filters(key) {
        let invalid: Vec<&str> = ctx
            .query
            .iter()
            .map(|(k, _, _)| k.as_str())
            .filter(|k| !PAGING.contains(k) && !allowed.contains(k))
            .collect();
        if !invalid.is_empty() {
            return Err(bad(&format!(
                "Invalid filters {} are found in query options.",
                invalid.join(",")
            )));
        }
    }
    sort(ctx, &mut items);
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
    let after_marker = match ctx.q("marker") {
        None => 0,
        Some(m) => match items.iter().position(|i| i.id == m) {
            Some(p) => p + 1,
            None => return Err(not_found(&format!("Marker {m} could not be found."))),
        },
    };
    let total = items.iter().filter(|i| i.matches(ctx)).count();
    let filtered: Vec<Item> = items
        .into_iter()
        .skip(after_marker)
        .filter(|i| i.matches(ctx))
        .collect();
    let effective = limit
        .unwrap_or(ctx.shared.config.page_size)
        .min(ctx.shared.config.page_size);
    let page: Vec<Item> = filtered.into_iter().skip(offset).take(effective).collect();
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
