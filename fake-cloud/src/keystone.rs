//! Keystone v3: token issuing/validation and the service catalog.

use std::time::{Instant, SystemTime};

use serde_json::{Value, json};

use crate::http::{Request, Response};
use crate::state::Token;
use crate::util::{instant_after, keystone_time, system_after};
use crate::{FakeCloud, Shared, lock};

const AUTH_MESSAGE: &str = "The request you have made requires authentication.";

use crate::faults::{keystone_error as error, keystone_unauthorized as unauthorized};

fn bad_request(message: &str) -> Response {
    error(400, message)
}

/// Routes `/identity/...` (`rest` excludes `identity`).
pub(crate) fn route(shared: &Shared, req: &Request, rest: &[&str]) -> Response {
    let auth_url = format!("{}/identity/v3", shared.base_url);
    let version = json!({
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": format!("{auth_url}/")}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]
    });
    match (req.method.as_str(), rest) {
        ("GET", []) => Response::json(300, &json!({"versions": {"values": [version]}})),
        ("GET", ["v3"]) => Response::json(200, &json!({ "version": version })),
        ("POST", ["v3", "auth", "tokens"]) => issue(shared, req),
        ("GET" | "HEAD", ["v3", "auth", "tokens"]) => validate(shared, req),
        ("DELETE", ["v3", "auth", "tokens"]) => revoke(shared, req),
        ("GET", ["v3", "auth", "catalog"]) => {
            let project = match check_token(shared, req) {
                Ok(p) => p,
                Err(r) => return r,
            };
            Response::json(
                200,
                &json!({"catalog": catalog(&shared.base_url, &project),
                        "links": {"self": format!("{auth_url}/auth/catalog"), "previous": null, "next": null}}),
            )
        }
        ("GET", ["v3", "auth", "projects"]) => {
            let project = match check_token(shared, req) {
                Ok(p) => p,
                Err(r) => return r,
            };
            Response::json(
                200,
                &json!({"projects": [project_json(&project)],
                        "links": {"self": format!("{auth_url}/auth/projects"), "previous": null, "next": null}}),
            )
        }
        (_, ["v3", "auth", "tokens"]) => {
            error(405, "The method is not allowed for the requested URL.")
        }
        _ => error(404, "The resource could not be found."),
    }
}

/// Validates the `X-Auth-Token` of a Cinder/Nova request; `Ok` carries the
/// token's project id.
pub(crate) fn check_token(shared: &Shared, req: &Request) -> Result<String, Response> {
    let Some(token) = req.header("x-auth-token") else {
        return Err(crate::faults::unauthorized(shared));
    };
    let st = lock(&shared.state);
    match st.tokens.get(token.trim()) {
        Some(t) if !t.revoked && t.expires > Instant::now() && t.project_scoped => {
            Ok(t.project_id.clone())
        }
        _ => Err(crate::faults::unauthorized(shared)),
    }
}

fn live_token(shared: &Shared, id: &str) -> Option<Token> {
    let st = lock(&shared.state);
    st.tokens
        .get(id)
        .filter(|t| !t.revoked && t.expires > Instant::now())
        .cloned()
}

fn domain_json() -> Value {
    json!({"id": "default", "name": FakeCloud::USER_DOMAIN})
}

/// The name of one of the two projects.
fn project_name(id: &str) -> &'static str {
    if id == FakeCloud::OTHER_PROJECT_ID {
        FakeCloud::OTHER_PROJECT_NAME
    } else {
        FakeCloud::PROJECT_NAME
    }
}

fn project_json(id: &str) -> Value {
    json!({"id": id, "name": project_name(id), "domain": domain_json(),
           "domain_id": "default", "enabled": true, "is_domain": false, "parent_id": "default",
           "description": "", "links": {"self": "" }})
}

fn domain_matches(d: Option<&Value>) -> bool {
    match d {
        Some(d) => {
            let by_id = d.get("id").and_then(Value::as_str);
            let by_name = d.get("name").and_then(Value::as_str);
            match (by_id, by_name) {
                (Some(id), _) => id == "default",
                (None, Some(name)) => name == FakeCloud::USER_DOMAIN,
                _ => false,
            }
        }
        None => false,
    }
}

/// Checks a `user` object (by id, or by name + domain). `Err` = response to send.
fn user_matches(user: &Value) -> Result<bool, Response> {
    if let Some(id) = user.get("id").and_then(Value::as_str) {
        return Ok(id == FakeCloud::USER_ID);
    }
    match user.get("name").and_then(Value::as_str) {
        Some(name) => {
            if user.get("domain").is_none() {
                return Err(bad_request(
                    "Expecting to find domain in user. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
                ));
            }
            Ok(name == FakeCloud::USERNAME && domain_matches(user.get("domain")))
        }
        None => Err(bad_request("Expecting to find id or name in user.")),
    }
}

enum Outcome {
    /// Authenticated; `app_cred` = an application credential was involved,
    /// `project` = the project it implies (none for a password).
    Ok {
        app_cred: bool,
        project: Option<String>,
    },
    Fail(Response),
}

fn check_method(shared: &Shared, method: &str, identity: &Value) -> Outcome {
    let section = match identity.get(method) {
        Some(s) if s.is_object() => s,
        _ => {
            return Outcome::Fail(bad_request(&format!(
                "Expecting to find {method} in identity."
            )));
        }
    };
    match method {
        "password" => {
            let Some(user) = section.get("user").filter(|u| u.is_object()) else {
                return Outcome::Fail(bad_request("Expecting to find user in password."));
            };
            let matches = match user_matches(user) {
                Ok(m) => m,
                Err(r) => return Outcome::Fail(r),
            };
            let pw_ok = user.get("password").and_then(Value::as_str) == Some(FakeCloud::PASSWORD);
            if matches && pw_ok {
                Outcome::Ok {
                    app_cred: false,
                    project: None,
                }
            } else {
                Outcome::Fail(unauthorized(shared, AUTH_MESSAGE))
            }
        }
        "application_credential" => {
            let secret = section.get("secret").and_then(Value::as_str);
            if section.get("id").and_then(Value::as_str) == Some(FakeCloud::OTHER_APP_CREDENTIAL_ID)
            {
                return if secret == Some(FakeCloud::OTHER_APP_CREDENTIAL_SECRET) {
                    Outcome::Ok {
                        app_cred: true,
                        project: Some(FakeCloud::OTHER_PROJECT_ID.to_string()),
                    }
                } else {
                    Outcome::Fail(unauthorized(shared, AUTH_MESSAGE))
                };
            }
            let secret_ok = secret == Some(FakeCloud::APP_CREDENTIAL_SECRET);
            let id_ok = if let Some(id) = section.get("id").and_then(Value::as_str) {
                id == FakeCloud::APP_CREDENTIAL_ID
            } else if let Some(name) = section.get("name").and_then(Value::as_str) {
                let Some(user) = section.get("user").filter(|u| u.is_object()) else {
                    return Outcome::Fail(bad_request(
                        "Could not find user for application credential: a user is required when the credential is identified by name.",
                    ));
                };
                match user_matches(user) {
                    Ok(m) => m && name == FakeCloud::APP_CREDENTIAL_NAME,
                    Err(r) => return Outcome::Fail(r),
                }
            } else {
                return Outcome::Fail(bad_request(
                    "Expecting to find id or name in application_credential.",
                ));
            };
            if id_ok && secret_ok {
                Outcome::Ok {
                    app_cred: true,
                    project: Some(FakeCloud::PROJECT_ID.to_string()),
                }
            } else {
                Outcome::Fail(unauthorized(shared, AUTH_MESSAGE))
            }
        }
        "token" => {
            let Some(id) = section.get("id").and_then(Value::as_str) else {
                return Outcome::Fail(bad_request("Expecting to find id in token."));
            };
            match live_token(shared, id) {
                Some(t) => Outcome::Ok {
                    app_cred: t.app_cred,
                    project: Some(t.project_id),
                },
                None => Outcome::Fail(unauthorized(shared, AUTH_MESSAGE)),
            }
        }
        _ => Outcome::Fail(unauthorized(shared, AUTH_MESSAGE)),
    }
}

/// Checks an explicit `scope`; Ok(()) when it names our project.
fn check_scope(shared: &Shared, scope: &Value) -> Result<(), Response> {
    let Some(obj) = scope.as_object() else {
        return Err(bad_request(
            "Invalid input for field 'scope': not an object.",
        ));
    };
    if obj.len() != 1 {
        return Err(bad_request(
            "Invalid input for field 'scope': exactly one of project, domain or system is required.",
        ));
    }
    if let Some(project) = obj.get("project") {
        let ok = if let Some(id) = project.get("id").and_then(Value::as_str) {
            id == FakeCloud::PROJECT_ID
        } else if let Some(name) = project.get("name").and_then(Value::as_str) {
            if project.get("domain").is_none() {
                return Err(bad_request("Expecting to find domain in project."));
            }
            name == FakeCloud::PROJECT_NAME && domain_matches(project.get("domain"))
        } else {
            return Err(bad_request("Expecting to find id or name in project."));
        };
        if ok {
            return Ok(());
        }
    }
    // Unknown project, or domain/system scope (the user has no such roles).
    Err(unauthorized(shared, AUTH_MESSAGE))
}

/// Builds the service catalog pointing at this server.
pub(crate) fn catalog(base: &str, p: &str) -> Value {
    let ep = |id: &str, interface: &str, region: &str, url: String| json!({"id": id, "interface": interface, "region": region, "region_id": region, "url": url});
    let volume_eps = |tag: &str| {
        json!([
            ep(
                &format!("{tag}-pub-dc3"),
                "public",
                "dc3-a",
                format!("{base}/volume/v3/{p}")
            ),
            ep(
                &format!("{tag}-int-dc3"),
                "internal",
                "dc3-a",
                format!("{base}/internal/volume/v3/{p}")
            ),
            ep(
                &format!("{tag}-pub-dc4"),
                "public",
                "dc4-a",
                format!("{base}/dc4/volume/v3/{p}")
            ),
        ])
    };
    json!([
        {"type": "block-storage", "name": "cinderv3", "id": "svc-block-storage", "endpoints": volume_eps("bs")},
        {"type": "volumev3", "name": "cinderv3", "id": "svc-volumev3", "endpoints": volume_eps("v3")},
        {"type": "compute", "name": "nova", "id": "svc-compute", "endpoints": [
            ep("nova-pub-dc3", "public", "dc3-a", format!("{base}/compute/v2.1")),
            ep("nova-int-dc3", "internal", "dc3-a", format!("{base}/internal/compute/v2.1")),
            ep("nova-pub-dc4", "public", "dc4-a", format!("{base}/dc4/compute/v2.1")),
        ]},
        {"type": "identity", "name": "keystone", "id": "svc-identity", "endpoints": [
            ep("ks-pub-dc3", "public", "dc3-a", format!("{base}/identity/v3")),
            ep("ks-int-dc3", "internal", "dc3-a", format!("{base}/identity/v3")),
        ]},
    ])
}

fn token_body(shared: &Shared, t: &Token, with_catalog: bool) -> Value {
    let mut token = json!({
        "methods": t.methods,
        "user": {"id": FakeCloud::USER_ID, "name": FakeCloud::USERNAME, "domain": domain_json(),
                 "password_expires_at": null},
        "audit_ids": [format!("{:022x}", shared.rng.next_u64() as u128 * 7919)],
        "issued_at": t.issued_at,
        "expires_at": t.expires_at,
        "is_domain": false,
        "project": {"id": t.project_id, "name": project_name(&t.project_id), "domain": domain_json()},
        "roles": [
            {"id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "member"},
            {"id": "3e6ab8c9a0b14e6db4a1c2d3e4f5a6b7", "name": "reader"}
        ],
    });
    if t.app_cred {
        token["application_credential"] = if t.project_id == FakeCloud::OTHER_PROJECT_ID {
            json!({"id": FakeCloud::OTHER_APP_CREDENTIAL_ID, "name": "fake-other-app-cred", "restricted": true})
        } else {
            json!({"id": FakeCloud::APP_CREDENTIAL_ID, "name": FakeCloud::APP_CREDENTIAL_NAME, "restricted": true})
        };
    }
    if with_catalog {
        token["catalog"] = catalog(&shared.base_url, &t.project_id);
    }
    json!({ "token": token })
}

fn wants_catalog(req: &Request) -> bool {
    !req.query
        .split('&')
        .any(|p| p == "nocatalog" || p.starts_with("nocatalog="))
}

fn issue(shared: &Shared, req: &Request) -> Response {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(_) => {
            return bad_request(
                "The request you have made is malformed: the body is not valid JSON.",
            );
        }
    };
    let Some(auth) = body.get("auth").filter(|a| a.is_object()) else {
        return bad_request("Expecting to find auth in request body.");
    };
    let Some(identity) = auth.get("identity").filter(|a| a.is_object()) else {
        return bad_request("Expecting to find identity in auth.");
    };
    let methods: Vec<String> = match identity.get("methods").and_then(Value::as_array) {
        Some(m) if !m.is_empty() => {
            let names: Vec<String> = m
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
            if names.len() != m.len() {
                return bad_request(
                    "Invalid input for field 'identity/methods': not a list of strings.",
                );
            }
            names
        }
        _ => return bad_request("Expecting to find methods in identity."),
    };
    let mut app_cred = false;
    let mut project = None;
    for m in &methods {
        match check_method(shared, m, identity) {
            Outcome::Ok {
                app_cred: a,
                project: p,
            } => {
                app_cred |= a;
                project = project.or(p);
            }
            Outcome::Fail(r) => return r,
        }
    }
    if let Some(scope) = auth.get("scope").filter(|s| !s.is_null()) {
        if methods.iter().any(|m| m == "application_credential") {
            return unauthorized(
                shared,
                "Error authenticating with application credential: Application credentials cannot request a scope.",
            );
        }
        if let Err(r) = check_scope(shared, scope) {
            return r;
        }
    }
    // Without scope the token is scoped to the user's default project (which
    // is the only project), like Keystone does for users with a default project.
    let now = SystemTime::now();
    let lifetime = shared.config.token_lifetime;
    let token = Token {
        expires: instant_after(lifetime),
        expires_at: keystone_time(system_after(lifetime)),
        issued_at: keystone_time(now),
        methods: methods.clone(),
        project_scoped: true,
        app_cred,
        revoked: false,
        project_id: project.unwrap_or_else(|| FakeCloud::PROJECT_ID.to_string()),
    };
    let id = {
        let mut st = lock(&shared.state);
        st.token_counter += 1;
        let id = format!("gAAAAA{:06}{}", st.token_counter, shared.rng.hex32());
        st.tokens.insert(id.clone(), token.clone());
        id
    };
    Response::json(201, &token_body(shared, &token, wants_catalog(req)))
        .with_header("X-Subject-Token", id)
        .with_header("Vary", "X-Auth-Token")
}

fn validate(shared: &Shared, req: &Request) -> Response {
    let caller_ok = req
        .header("x-auth-token")
        .map(|t| live_token(shared, t.trim()).is_some())
        .unwrap_or(false);
    if !caller_ok {
        return unauthorized(shared, AUTH_MESSAGE);
    }
    let Some(subject) = req.header("x-subject-token") else {
        return bad_request("Expecting to find X-Subject-Token in request headers.");
    };
    match live_token(shared, subject.trim()) {
        Some(t) => {
            let mut r = Response::json(200, &token_body(shared, &t, wants_catalog(req)))
                .with_header("X-Subject-Token", subject.trim().to_string());
            if req.method == "HEAD" {
                r.body.clear();
            }
            r
        }
        None => error(404, "Could not find token."),
    }
}

fn revoke(shared: &Shared, req: &Request) -> Response {
    let caller_ok = req
        .header("x-auth-token")
        .map(|t| live_token(shared, t.trim()).is_some())
        .unwrap_or(false);
    if !caller_ok {
        return unauthorized(shared, AUTH_MESSAGE);
    }
    let Some(subject) = req.header("x-subject-token") else {
        return bad_request("Expecting to find X-Subject-Token in request headers.");
    };
    let mut st = lock(&shared.state);
    match st.tokens.get_mut(subject.trim()) {
        Some(t) if !t.revoked => {
            t.revoked = true;
            Response::empty(204)
        }
        _ => error(404, "Could not find token."),
    }
}
