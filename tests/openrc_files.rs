//! The openrc files of Horizon's "Download OpenStack RC file" (issue 10, point 5), through
//! `Config::from_vars` with their exact variable sets: the password user's file and the
//! application-credential user's file, and each with the other's leftovers (one file sourced
//! after the other in the same shell). Each is accepted, what does not apply is ignored with
//! a debug line naming it (as keystoneauth does), and Keystone receives exactly the right
//! body: a password with a project scope, or an application credential without any scope.

// Both fixture modules: httpmock's (`common`) and the simulated cloud's, which embeds it.
#![allow(clippy::duplicate_mod)]

mod common;
mod fake_common;

use std::collections::BTreeMap;

use httpmock::prelude::*;
use infomaniak_block_storage::{
    Auth, Config, Domain, InfomaniakVolumeClient, Interface, Project, ProxySetting, Secret, User,
};
use infomaniak_fake_cloud::FakeCloud;
use serde_json::{Value, json};

const PROJECT_ID: &str = "ac0ffee0123456789abcdef012345678";
const PROJECT_NAME: &str = "PCP-ABCD123";
const USERNAME: &str = "PCU-ABCD123";
const PASSWORD: &str = "pa55-w0rd-typed-at-the-prompt";
const APP_ID: &str = "4f1ea55e1f4d4c7e9f0a7a9b1c2d3e4f";
const APP_SECRET: &str = "sEcReT-of-the-application-credential";

type Vars = BTreeMap<&'static str, String>;

/// What Horizon's openrc for a password user exports (Keystone v3 template; `OS_TENANT_*` are
/// unset by the file, the password is read at its prompt).
fn horizon_password_openrc(auth_url: &str) -> Vars {
    BTreeMap::from([
        ("OS_AUTH_URL", auth_url.to_string()),
        ("OS_PROJECT_ID", PROJECT_ID.to_string()),
        ("OS_PROJECT_NAME", PROJECT_NAME.to_string()),
        ("OS_USER_DOMAIN_NAME", "Default".to_string()),
        ("OS_PROJECT_DOMAIN_ID", "default".to_string()),
        ("OS_USERNAME", USERNAME.to_string()),
        ("OS_PASSWORD", PASSWORD.to_string()),
        ("OS_REGION_NAME", "dc3-a".to_string()),
        ("OS_INTERFACE", "public".to_string()),
        ("OS_IDENTITY_API_VERSION", "3".to_string()),
    ])
}

/// What Horizon's openrc for an application credential exports.
fn horizon_app_cred_openrc(auth_url: &str) -> Vars {
    BTreeMap::from([
        ("OS_AUTH_TYPE", "v3applicationcredential".to_string()),
        ("OS_AUTH_URL", auth_url.to_string()),
        ("OS_IDENTITY_API_VERSION", "3".to_string()),
        ("OS_REGION_NAME", "dc3-a".to_string()),
        ("OS_INTERFACE", "public".to_string()),
        ("OS_APPLICATION_CREDENTIAL_ID", APP_ID.to_string()),
        ("OS_APPLICATION_CREDENTIAL_SECRET", APP_SECRET.to_string()),
    ])
}

/// `first` sourced, then `second`: the later file's exports win, the rest is left over.
fn sourced(first: Vars, second: Vars) -> Vars {
    let mut env = first;
    env.extend(second);
    env
}

fn config_of(vars: &Vars) -> Config {
    let mut config = Config::from_vars(|name| vars.get(name).cloned())
        .unwrap_or_else(|e| panic!("{vars:?} refused: {e}"));
    config.proxy = ProxySetting::Direct;
    config
}

fn password_body() -> Value {
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": USERNAME, "domain": {"name": "Default"}, "password": PASSWORD}}},
        "scope": {"project": {"id": PROJECT_ID}}
    }})
}

/// A Keystone that answers only a request whose body is exactly `body`.
fn keystone_expecting(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(POST)
            .path(common::AUTH_PATH)
            .header("content-type", "application/json")
            .json_body(body);
        then.status(201)
            .header("X-Subject-Token", common::TOKEN)
            .header("Content-Type", "application/json")
            .json_body(common::token_body(&server.base_url()));
    })
}

/// Authenticates `config` against a mock Keystone expecting `body` and checks one request
/// matched it (any other body gets httpmock's 404 and fails the authentication).
fn authenticates_with(server: &MockServer, config: Config, body: Value) {
    let keystone = keystone_expecting(server, body);
    let client = InfomaniakVolumeClient::new(config).unwrap();
    client
        .try_authenticate()
        .unwrap_or_else(|e| panic!("authentication: {e:?}"));
    keystone.assert_calls(1);
}

/// The debug line naming what was ignored; secrets never appear in the log.
fn ignored_line() -> String {
    let debug = common::crate_logs(log::Level::Debug);
    for line in common::logs_of_this_thread() {
        assert!(!line.1.contains(APP_SECRET), "{}", line.1);
        assert!(!line.1.contains(PASSWORD), "{}", line.1);
    }
    let lines: Vec<&String> = debug.iter().filter(|l| l.contains("ignoring")).collect();
    assert_eq!(lines.len(), 1, "{debug:?}");
    lines[0].clone()
}

fn auth_url(server: &MockServer) -> String {
    server.url("/identity/v3")
}

// ----- the two files as Horizon writes them ------------------------------------------------

#[test]
fn horizon_password_openrc_is_accepted_and_scoped_to_the_project() {
    let server = MockServer::start();
    common::capture_logs();
    let config = config_of(&horizon_password_openrc(&auth_url(&server)));
    assert_eq!(
        config.auth,
        Some(Auth::Password {
            user: User::Name {
                name: USERNAME.into(),
                domain: Domain::Name("Default".into()),
            },
            password: Secret::new(PASSWORD),
            project: Project::Id(PROJECT_ID.into()),
        })
    );
    assert_eq!(config.region, "dc3-a");
    assert_eq!(config.interface, Interface::Public);
    assert_eq!(config.auth_url, auth_url(&server));
    assert!(
        common::crate_logs(log::Level::Debug)
            .iter()
            .all(|l| !l.contains("ignoring")),
        "nothing to ignore in a clean password file"
    );
    authenticates_with(&server, config, password_body());
}

#[test]
fn horizon_app_cred_openrc_is_accepted_without_scope() {
    let server = MockServer::start();
    common::capture_logs();
    let config = config_of(&horizon_app_cred_openrc(&auth_url(&server)));
    assert_eq!(
        config.auth,
        Some(Auth::ApplicationCredential {
            id: APP_ID.into(),
            secret: Secret::new(APP_SECRET),
        })
    );
    assert_eq!(config.region, "dc3-a");
    assert_eq!(config.interface, Interface::Public);
    assert!(
        common::crate_logs(log::Level::Debug)
            .iter()
            .all(|l| !l.contains("ignoring"))
    );
    authenticates_with(&server, config, common::app_cred_body(APP_ID, APP_SECRET));
}

// ----- with the other's leftovers ------------------------------------------------------------

/// The password file, then the application-credential file: the project, domains, user
/// name and password are left over. Accepted, no scope sent, the leftovers named at debug.
#[test]
fn app_cred_openrc_over_password_leftovers_sends_no_scope() {
    let server = MockServer::start();
    common::capture_logs();
    let url = auth_url(&server);
    let vars = sourced(horizon_password_openrc(&url), horizon_app_cred_openrc(&url));
    let config = config_of(&vars);
    assert!(
        matches!(&config.auth, Some(Auth::ApplicationCredential { id, .. }) if id == APP_ID),
        "{:?}",
        config.auth
    );
    let line = ignored_line();
    assert!(
        line.contains(
            "ignoring OS_PROJECT_ID, OS_PROJECT_NAME, OS_PROJECT_DOMAIN_ID, \
             OS_USER_DOMAIN_NAME, OS_USERNAME, OS_PASSWORD"
        ),
        "{line}"
    );
    authenticates_with(&server, config, common::app_cred_body(APP_ID, APP_SECRET));
}

/// The application-credential file, then the password file: the password file does not set
/// `OS_AUTH_TYPE`, so `v3applicationcredential` is left over and, as for keystoneauth and
/// the `openstack` CLI, decides: the application credential is used, the password ignored.
#[test]
fn password_openrc_over_app_cred_leftovers_follows_the_left_over_auth_type() {
    let server = MockServer::start();
    common::capture_logs();
    let url = auth_url(&server);
    let vars = sourced(horizon_app_cred_openrc(&url), horizon_password_openrc(&url));
    assert_eq!(vars["OS_AUTH_TYPE"], "v3applicationcredential");
    let config = config_of(&vars);
    assert!(
        matches!(&config.auth, Some(Auth::ApplicationCredential { id, .. }) if id == APP_ID),
        "{:?}",
        config.auth
    );
    let line = ignored_line();
    assert!(line.contains("OS_PASSWORD"), "{line}");
    assert!(line.contains("OS_PROJECT_ID"), "{line}");
    authenticates_with(&server, config, common::app_cred_body(APP_ID, APP_SECRET));
}

/// The password file with application-credential leftovers and `OS_AUTH_TYPE=password`
/// (what a user sets to switch back): the password is used, scoped, and the application
/// credential variables are named as ignored.
#[test]
fn password_auth_type_over_app_cred_leftovers_sends_the_password() {
    let server = MockServer::start();
    common::capture_logs();
    let url = auth_url(&server);
    let mut vars = sourced(horizon_app_cred_openrc(&url), horizon_password_openrc(&url));
    vars.insert("OS_AUTH_TYPE", "password".into());
    let config = config_of(&vars);
    assert!(
        matches!(&config.auth, Some(Auth::Password { .. })),
        "{:?}",
        config.auth
    );
    let line = ignored_line();
    assert!(
        line.contains("ignoring OS_APPLICATION_CREDENTIAL_ID, OS_APPLICATION_CREDENTIAL_SECRET"),
        "{line}"
    );
    authenticates_with(&server, config, password_body());
}

// ----- the simulated cloud's Keystone, which refuses a scope with an app credential -----------

fn fake_vars(cloud: &FakeCloud) -> (Vars, Vars) {
    let password = BTreeMap::from([
        ("OS_AUTH_URL", cloud.auth_url()),
        ("OS_PROJECT_ID", FakeCloud::PROJECT_ID.to_string()),
        ("OS_PROJECT_NAME", FakeCloud::PROJECT_NAME.to_string()),
        ("OS_USER_DOMAIN_NAME", FakeCloud::USER_DOMAIN.to_string()),
        ("OS_PROJECT_DOMAIN_ID", "default".to_string()),
        ("OS_USERNAME", FakeCloud::USERNAME.to_string()),
        ("OS_PASSWORD", FakeCloud::PASSWORD.to_string()),
        ("OS_REGION_NAME", FakeCloud::REGION.to_string()),
        ("OS_INTERFACE", "public".to_string()),
        ("OS_IDENTITY_API_VERSION", "3".to_string()),
    ]);
    let app = BTreeMap::from([
        ("OS_AUTH_TYPE", "v3applicationcredential".to_string()),
        ("OS_AUTH_URL", cloud.auth_url()),
        ("OS_IDENTITY_API_VERSION", "3".to_string()),
        ("OS_REGION_NAME", FakeCloud::REGION.to_string()),
        ("OS_INTERFACE", "public".to_string()),
        (
            "OS_APPLICATION_CREDENTIAL_ID",
            FakeCloud::APP_CREDENTIAL_ID.to_string(),
        ),
        (
            "OS_APPLICATION_CREDENTIAL_SECRET",
            FakeCloud::APP_CREDENTIAL_SECRET.to_string(),
        ),
    ]);
    (password, app)
}

#[test]
fn every_horizon_combination_works_against_the_simulated_cloud() {
    let cloud = FakeCloud::start();
    let (password, app) = fake_vars(&cloud);
    let cases = [
        ("password", password.clone(), "password"),
        ("app cred", app.clone(), "application_credential"),
        (
            "password then app cred",
            sourced(password.clone(), app.clone()),
            "application_credential",
        ),
        (
            "app cred then password",
            sourced(app.clone(), password.clone()),
            "application_credential",
        ),
    ];
    for (what, vars, method) in cases {
        let before = cloud.request_log().len();
        let client = InfomaniakVolumeClient::new(config_of(&vars)).unwrap();
        assert!(
            client.try_list_volumes().is_ok(),
            "{what}: {:?}",
            client.try_list_volumes()
        );
        let log = fake_common::log_since(&cloud, before);
        let auths: Vec<_> = log
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/auth/tokens"))
            .collect();
        assert_eq!(auths.len(), 1, "{what}");
        let body = auths[0].body_json().unwrap();
        assert_eq!(
            body["auth"]["identity"]["methods"],
            json!([method]),
            "{what}"
        );
        let scoped = body["auth"].get("scope").is_some();
        assert_eq!(scoped, method == "password", "{what}: {body}");
    }
}
