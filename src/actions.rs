//! What Cinder's volumes, snapshots and backups share: deletion, force deletion through their
//! `action` endpoint, and why a member's force delete gets 403.

use serde_json::{Value, json};
use ureq::http::Method;

use crate::client::InfomaniakVolumeClient;
use crate::error::{Error, Result};
use crate::transport::{Call, Service};

/// `os-force_delete` action body.
pub(crate) fn force_delete_body() -> Value {
    json!({ "os-force_delete": {} })
}

/// Cinder's default policy reserves force delete for admins: say so instead of a bare 403.
pub(crate) fn explain_force_delete(resource: &str, err: Error) -> Error {
    match err {
        Error::Api {
            status: 403,
            code,
            message,
            request_id,
            retry_after,
        } => Error::Api {
            status: 403,
            code,
            message: format!(
                "{message} (force delete of a {resource} is admin-only under Cinder's default \
                 policy, so project members get 403; delete without force once it is \
                 available or in error)"
            ),
            request_id,
            retry_after,
        },
        other => other,
    }
}

impl InfomaniakVolumeClient {
    /// `DELETE {path}`, or with `force` the `os-force_delete` action on `action_path`.
    pub(crate) fn delete_resource(
        &self,
        resource: &'static str,
        id: &str,
        force: bool,
        path: &str,
        action_path: &str,
    ) -> Result<()> {
        if force {
            let body = force_delete_body();
            let call = Call::new(Service::BlockStorage, Method::POST, action_path)
                .body(&body)
                .about(resource, id);
            self.transport
                .send(&call)
                .map_err(|e| explain_force_delete(resource, e))?;
        } else {
            let call = Call::new(Service::BlockStorage, Method::DELETE, path).about(resource, id);
            self.transport.send(&call)?;
        }
        Ok(())
    }

    /// `POST {action_path}` with one action body, about `resource` `id`.
    pub(crate) fn action(
        &self,
        resource: &'static str,
        id: &str,
        action_path: &str,
        body: &Value,
    ) -> Result<()> {
        let call = Call::new(Service::BlockStorage, Method::POST, action_path)
            .body(body)
            .about(resource, id);
        self.transport.send(&call)?;
        Ok(())
    }
}
