//! Cinder user messages (`/messages`, microversion 3.3): what went wrong with
//! an asynchronous operation, posted when the simulation (or an injected
//! failure, see [`crate::FakeCloud::fail_next`]) drives a resource to an error
//! state.

use serde_json::{Value, json};

use super::paging::{Item, list_response};
use super::{Ctx, Res};
use crate::faults::{method_not_allowed, no_such_resource, not_found};
use crate::http::Response;
use crate::state::{Message, State};

/// Routes `messages/...` (`r` excludes `messages`); 404 below 3.3.
pub(super) fn dispatch(ctx: &Ctx, r: &[&str]) -> Res {
    ctx.require(3)?;
    match (ctx.req.method.as_str(), r) {
        ("GET", []) => {
            let st = ctx.shared.state();
            let items = st
                .messages
                .iter()
                .filter(|m| m.body.project_id == ctx.project)
                .map(|m| {
                    Item::new(m.seq, &m.id, message_json(ctx, m))
                        .field("resource_uuid", Some(&m.body.resource_uuid))
                        .field("resource_type", Some(m.body.resource_type))
                        .field("event_id", Some(&m.body.event_id))
                        .field("request_id", Some(&m.body.request_id))
                        .field("message_level", Some("ERROR"))
                })
                .collect();
            drop(st);
            list_response(ctx, "messages", items)
        }
        ("GET", [id]) => {
            let st = ctx.shared.state();
            let m = find_message(ctx, &st, id)?;
            Ok(Response::json(
                200,
                &json!({"message": message_json(ctx, m)}),
            ))
        }
        ("DELETE", [id]) => {
            let mut st = ctx.shared.state();
            find_message(ctx, &st, id)?;
            st.messages.retain(|m| m.id != *id);
            Ok(Response::empty(204))
        }
        (_, [] | [_]) => Err(method_not_allowed()),
        _ => Err(no_such_resource()),
    }
}

fn find_message<'s>(ctx: &Ctx, st: &'s State, id: &str) -> Result<&'s Message, Response> {
    st.messages
        .iter()
        .find(|m| m.id == id && m.body.project_id == ctx.project)
        .ok_or_else(|| not_found(&format!("Message {id} could not be found.")))
}

fn message_json(ctx: &Ctx, m: &Message) -> Value {
    json!({
        "id": m.id,
        "request_id": m.body.request_id,
        "links": ctx.links("messages", &m.id),
        "message_level": "ERROR",
        "event_id": m.body.event_id,
        "created_at": m.created_at,
        "guaranteed_until": m.guaranteed_until,
        "resource_uuid": m.body.resource_uuid,
        "resource_type": m.body.resource_type,
        "user_message": m.body.user_message,
    })
}
