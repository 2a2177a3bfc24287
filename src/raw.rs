//! The escape hatch: any request to the block-storage or compute endpoint, with the client's
//! token, retries, error decoding and microversion header, so that no operation this crate
//! does not wrap is a dead end.

use serde_json::Value;
use ureq::http::Method;

use crate::client::{InfomaniakVolumeClient, logged};
use crate::error::{Error, Result};
use crate::transport::{Call, Service};

/// Which service a raw request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiService {
    /// Cinder (the catalog's `block-storage` endpoint).
    BlockStorage,
    /// Nova (the catalog's `compute` endpoint).
    Compute,
}

/// A raw request: method, path below the endpoint (with any query), JSON body and an optional
/// microversion for this call only.
///
/// ```
/// use infomaniak_block_storage::{ApiService, RawRequest};
///
/// let request = RawRequest::get(ApiService::BlockStorage, "/volumes?limit=1").microversion("3.60");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RawRequest {
    /// The service.
    pub service: ApiService,
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The path below the endpoint, starting with `/`, with any query string.
    pub path: String,
    /// The JSON body.
    pub body: Option<Value>,
    /// A microversion for this call instead of the client's (e.g. `3.70`).
    pub microversion: Option<String>,
}

impl RawRequest {
    /// A request with `method` to `path`.
    pub fn new(service: ApiService, method: &str, path: impl Into<String>) -> RawRequest {
        RawRequest {
            service,
            method: method.to_ascii_uppercase(),
            path: path.into(),
            body: None,
            microversion: None,
        }
    }

    /// A `GET` of `path`.
    pub fn get(service: ApiService, path: impl Into<String>) -> RawRequest {
        RawRequest::new(service, "GET", path)
    }

    /// The JSON body.
    pub fn body(mut self, body: Value) -> RawRequest {
        self.body = Some(body);
        self
    }

    /// A microversion for this call only.
    pub fn microversion(mut self, version: impl Into<String>) -> RawRequest {
        self.microversion = Some(version.into());
        self
    }
}

/// The reply to a raw request that succeeded (2xx).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RawResponse {
    /// The HTTP status.
    pub status: u16,
    /// `x-openstack-request-id` (or `x-compute-request-id`).
    pub request_id: Option<String>,
    /// The body as JSON; `Value::Null` when empty.
    pub json: Value,
}

impl InfomaniakVolumeClient {
    /// Sends a raw request. Errors are decoded as for every operation (a 404 is
    /// [`Error::Api`] here, since the crate does not know what the path names).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::{ApiService, RawRequest};
    ///
    /// let reply = client.try_raw_request(&RawRequest::get(ApiService::BlockStorage, "/volumes"))?;
    /// assert_eq!(reply.status, 200);
    /// assert!(reply.json["volumes"].is_array());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] before sending for an unknown method, a path that does not
    /// start with a single `/` (so that it cannot name another origin), spaces or control
    /// characters in the path, or a malformed microversion; otherwise as any request,
    /// and [`Error::Decode`] for a non-JSON body.
    pub fn try_raw_request(&self, request: &RawRequest) -> Result<RawResponse> {
        let method = match request.method.as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            "HEAD" => Method::HEAD,
            other => {
                return Err(Error::invalid(
                    "method",
                    format!("`{other}` is not GET, POST, PUT, PATCH, DELETE or HEAD"),
                ));
            }
        };
        // The token goes only to the endpoint: a path may not name another origin.
        if !request.path.starts_with('/') || request.path.starts_with("//") {
            return Err(Error::invalid(
                "path",
                "must start with a single `/`, below the service endpoint",
            ));
        }
        if request.path.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::invalid(
                "path",
                "contains spaces or control characters",
            ));
        }
        if let Some(version) = &request.microversion {
            if crate::Microversion::parse(version).is_none() && version != "latest" {
                return Err(Error::invalid(
                    "microversion",
                    format!("`{version}` is not a microversion like 3.67"),
                ));
            }
        }
        let service = match request.service {
            ApiService::BlockStorage => Service::BlockStorage,
            ApiService::Compute => Service::Compute,
        };
        // The crate does not know what the path names: the not-found error names the path.
        let mut call = Call::new(service, method, request.path.clone())
            .microversion(request.microversion.as_deref())
            .about("resource", &request.path);
        if let Some(body) = &request.body {
            call = call.body(body);
        }
        let reply = self.transport.send(&call)?;
        let json = if reply.body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            reply.json("raw reply")?
        };
        Ok(RawResponse {
            status: reply.status,
            request_id: reply.request_id,
            json,
        })
    }

    /// Plain face of [`try_raw_request`](Self::try_raw_request).
    ///
    /// ```
    /// # let cloud = infomaniak_fake_cloud::FakeCloud::start();
    /// # let client = infomaniak_block_storage::InfomaniakVolumeClient::from_credentials(infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_ID, infomaniak_fake_cloud::FakeCloud::APP_CREDENTIAL_SECRET, Some(&cloud.auth_url()), None)?;
    /// use infomaniak_block_storage::{ApiService, RawRequest};
    /// let reply = client.raw_request(&RawRequest::get(ApiService::BlockStorage, "/limits"));
    /// assert!(reply.is_some());
    /// # Ok::<(), infomaniak_block_storage::Error>(())
    /// ```
    pub fn raw_request(&self, request: &RawRequest) -> Option<RawResponse> {
        logged(
            "raw_request",
            format_args!("{} {}", request.method, request.path),
            self.try_raw_request(request),
        )
    }
}
