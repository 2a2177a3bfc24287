//! Nova `os-instance-actions`: what was done to a server (attach and detach
//! of volumes here) and whether it failed.

use serde_json::{Value, json};

use super::{Ctx, Res, find_server};
use crate::FakeCloud;
use crate::faults::{method_not_allowed, no_such_resource, not_found};
use crate::http::Response;
use crate::state::InstanceAction;

/// Routes `servers/{id}/os-instance-actions/...` (`r` is what follows).
pub(super) fn dispatch(ctx: &Ctx, server_id: &str, r: &[&str]) -> Res {
    match (ctx.req.method.as_str(), r) {
        ("GET", []) => {
            let st = ctx.shared.state();
            let server = find_server(ctx, &st, server_id)?;
            // Newest first, like Nova.
            let list: Vec<Value> = server
                .actions
                .iter()
                .rev()
                .map(|a| action_json(ctx, server_id, a))
                .collect();
            Ok(Response::json(200, &json!({ "instanceActions": list })))
        }
        ("GET", [request_id]) => {
            let st = ctx.shared.state();
            let server = find_server(ctx, &st, server_id)?;
            let Some(a) = server.actions.iter().find(|a| a.request_id == *request_id) else {
                return Err(not_found(&format!(
                    "Action for request_id {request_id} on instance {server_id} not found"
                )));
            };
            let mut o = action_json(ctx, server_id, a);
            // Non-admins see events from 2.51.
            if ctx.mv >= 51 {
                o["events"] = Value::Array(
                    a.events
                        .iter()
                        .map(|e| {
                            let mut ev = json!({"event": e.event, "start_time": e.start_time,
                                        "finish_time": e.finish_time, "result": e.result});
                            if ctx.mv >= 62 {
                                ev["hostId"] = json!(
                                    "7f1c3a4e9b2d5c6a8e0f1b2c3d4e5f60718293a4b5c6d7e8f9012345"
                                );
                            }
                            if ctx.mv >= 84 {
                                ev["details"] = json!(e.details);
                            }
                            ev
                        })
                        .collect(),
                );
            }
            Ok(Response::json(200, &json!({ "instanceAction": o })))
        }
        (_, [] | [_]) => Err(method_not_allowed()),
        _ => Err(no_such_resource()),
    }
}

fn action_json(ctx: &Ctx, server_id: &str, a: &InstanceAction) -> Value {
    let mut o = json!({
        "action": a.action,
        "instance_uuid": server_id,
        "message": a.message,
        "project_id": ctx.project,
        "request_id": a.request_id,
        "start_time": a.start_time,
        "user_id": FakeCloud::USER_ID,
    });
    if ctx.mv >= 58 {
        o["updated_at"] = json!(a.updated_at);
    }
    o
}
