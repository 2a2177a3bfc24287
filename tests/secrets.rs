//! Secrets (application-credential secrets, passwords, tokens) never appear in a log line of any
//! crate at any level, in the `Debug` of the client or the config, or in any error.

mod common;

use common::*;
use httpmock::Mock;
use httpmock::prelude::*;
use infomaniak_block_storage::{
    Auth, Config, CreateVolumeOptions, Domain, Error, InfomaniakVolumeClient, Project, Secret, User,
};
use serde_json::{Value, json};

/// Longer than the 16-byte rows in which `ureq-proto` hex-dumps traffic at trace level, so a
/// match can only come from a line that holds the whole value.
const PASSWORD: &str = "Passw0rd-Kx93-never-log-this-value";
const INPUT_TOKEN: &str = "input-token-Qw77-never-log-this-value";

fn volume_json(id: &str) -> Value {
    json!({"id": id, "name": "v", "status": "available", "size": 1})
}

fn cinder_mocks(server: &MockServer) -> Vec<Mock<'_>> {
    let json_reply = |path: String, status: u16, body: Value| {
        server.mock(move |when, then| {
            when.method(GET).path(path).header("X-Auth-Token", TOKEN);
            then.status(status)
                .header("Content-Type", "application/json")
                .header("x-openstack-request-id", REQUEST_ID)
                .json_body(body);
        })
    };
    vec![
        json_reply(
            format!("{CINDER}/volumes/detail"),
            200,
            json!({"volumes": [volume_json("vol-ok")]}),
        ),
        json_reply(
            format!("{CINDER}/volumes/vol-ok"),
            200,
            json!({"volume": volume_json("vol-ok")}),
        ),
        json_reply(
            format!("{CINDER}/volumes/vol-500"),
            500,
            json!({"computeFault": {"code": 500, "message": "The server has either erred"}}),
        ),
        json_reply(
            format!("{CINDER}/volumes/vol-404"),
            404,
            json!({"itemNotFound": {"code": 404, "message": "Volume vol-404 could not be found."}}),
        ),
        json_reply(
            format!("{CINDER}/volumes/vol-503"),
            503,
            json!({"overLimit": {"code": 503, "message": "Service Unavailable"}}),
        ),
        json_reply(
            format!("{CINDER}/volumes/vol-401"),
            401,
            json!({"error": {"code": 401, "title": "Unauthorized",
                             "message": "The request you have made requires authentication."}}),
        ),
        server.mock(|when, then| {
            when.method(POST)
                .path(format!("{CINDER}/volumes"))
                .header("X-Auth-Token", TOKEN);
            then.status(500)
                .header("x-openstack-request-id", REQUEST_ID)
                .json_body(json!({"computeFault": {"code": 500, "message": "boom"}}));
        }),
    ]
}

fn closed_port_url(path: &str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}{path}")
}

fn client_with(config: Config) -> InfomaniakVolumeClient {
    InfomaniakVolumeClient::new(config).expect("valid config")
}

fn record_err(texts: &mut Vec<String>, err: &Error) {
    texts.push(err.to_string());
    texts.push(format!("{err:?}"));
}

/// Runs succeeding and failing calls with `auth`. Returns every text a user could see besides
/// the logs: the `Debug` of clients and configs and the `Display` and `Debug` of every error.
fn exercise(auth: Auth) -> Vec<String> {
    capture_logs();
    let mut texts = Vec::new();

    // A working cloud.
    let server = MockServer::start();
    let keystone = mock_keystone(&server);
    let _cinder = cinder_mocks(&server);
    let mut config = config(&server);
    config.auth = Some(auth.clone());
    let client = client_with(config.clone());

    let volumes = client.try_list_volumes().expect("list succeeds");
    assert_eq!(volumes.len(), 1);
    assert_eq!(client.list_volumes().len(), 1);
    assert_eq!(client.try_get_volume("vol-ok").unwrap().id, "vol-ok");
    assert!(client.validate_connection());

    let err = client.try_get_volume("vol-500").unwrap_err();
    assert_eq!(err.status(), Some(500), "{err:?}");
    record_err(&mut texts, &err);
    let err = client.try_get_volume("vol-404").unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    record_err(&mut texts, &err);
    let err = client.try_get_volume("vol-503").unwrap_err();
    assert_eq!(err.status(), Some(503), "{err:?}");
    record_err(&mut texts, &err);
    let err = client.try_get_volume("vol-401").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth {
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    record_err(&mut texts, &err);
    let err = client
        .try_create_volume(1, "new", &CreateVolumeOptions::default())
        .unwrap_err();
    assert_eq!(err.status(), Some(500), "{err:?}");
    record_err(&mut texts, &err);
    // Plain faces log their failures.
    assert_eq!(client.get_volume("vol-500"), None);
    assert_eq!(client.get_volume("vol-404"), None);
    assert_eq!(
        client.create_volume(1, "new", &CreateVolumeOptions::default()),
        None
    );
    assert!(!crate_logs(log::Level::Error).is_empty());
    // The first token, the one after validate_connection and the one after the 401.
    keystone.assert_calls(3);
    texts.push(format!("{client:?}"));
    texts.push(format!("{config:?}"));
    texts.push(format!("{:?}", client.config()));
    texts.push(format!("{auth:?}"));

    // Keystone refuses the credentials.
    let refusing = MockServer::start();
    let keystone_401 = refusing.mock(|when, then| {
        when.method(POST).path(AUTH_PATH);
        then.status(401)
            .header("x-openstack-request-id", "req-ks-401")
            .json_body(json!({"error": {"code": 401, "title": "Unauthorized",
                                       "message": "The request you have made requires authentication."}}));
    });
    let mut refused_config = common::config(&refusing);
    refused_config.auth = Some(auth.clone());
    let refused = client_with(refused_config);
    let err = refused.try_list_volumes().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth {
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    record_err(&mut texts, &err);
    assert!(refused.list_volumes().is_empty());
    assert!(!refused.validate_connection());
    keystone_401.assert_calls(3);
    texts.push(format!("{refused:?}"));

    // Cinder unreachable after a successful authentication.
    let mut down_config = config.clone();
    down_config.block_storage_endpoint = Some(closed_port_url("/volume/v3/p"));
    let down = client_with(down_config.clone());
    let err = down.try_list_volumes().unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    record_err(&mut texts, &err);
    let err = down
        .try_create_volume(1, "new", &CreateVolumeOptions::default())
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    record_err(&mut texts, &err);
    assert!(down.list_volumes().is_empty());
    texts.push(format!("{down:?}"));
    texts.push(format!("{down_config:?}"));

    // Keystone unreachable.
    let mut no_keystone = config.clone();
    no_keystone.auth_url = closed_port_url("/identity/v3");
    let unreachable = client_with(no_keystone);
    let err = unreachable.try_list_volumes().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                outcome_unknown: false,
                ..
            }
        ),
        "{err:?}"
    );
    record_err(&mut texts, &err);
    assert!(!unreachable.validate_connection());
    texts.push(format!("{unreachable:?}"));

    texts
}

/// Asserts that no log line of this thread and none of `texts` holds any of `secrets`, and that
/// the logs are not empty (so that the check means something).
fn assert_nothing_leaks(texts: &[String], secrets: &[&str]) {
    let logs = logs_of_this_thread();
    assert!(
        logs.iter().any(|(level, _)| *level == log::Level::Trace),
        "trace logging must be on for this test to mean anything"
    );
    assert!(logs.len() > 20, "{logs:#?}");
    for secret in secrets {
        for (level, line) in &logs {
            assert!(
                !line.contains(secret),
                "log line at {level} leaks a secret: {line}"
            );
        }
        for text in texts {
            assert!(!text.contains(secret), "text leaks a secret: {text}");
        }
    }
    // The Debug of clients and configs shows the secret was there, redacted.
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("InfomaniakVolumeClient") && t.contains("<redacted>")),
        "{texts:#?}"
    );
}

#[test]
fn application_credential_secret_and_token_never_leak() {
    let texts = exercise(Auth::ApplicationCredential {
        id: APP_CRED_ID.into(),
        secret: Secret::new(APP_CRED_SECRET),
    });
    assert_nothing_leaks(&texts, &[APP_CRED_SECRET, TOKEN]);
}

#[test]
fn password_and_token_never_leak() {
    let texts = exercise(Auth::Password {
        user: User::Name {
            name: "alice".into(),
            domain: Domain::Name("Default".into()),
        },
        password: Secret::new(PASSWORD),
        project: Project::Name {
            name: "PCP-ABC".into(),
            domain: Domain::Name("Default".into()),
        },
    });
    assert_nothing_leaks(&texts, &[PASSWORD, TOKEN]);
}

#[test]
fn input_token_and_issued_token_never_leak() {
    let texts = exercise(Auth::Token {
        token: Secret::new(INPUT_TOKEN),
        project: Project::Id(PROJECT.into()),
    });
    assert_nothing_leaks(&texts, &[INPUT_TOKEN, TOKEN]);
}

#[test]
fn debug_of_client_and_config_is_redacted() {
    let mut config = Config::application_credential(APP_CRED_ID, APP_CRED_SECRET);
    let client = InfomaniakVolumeClient::new(config.clone()).unwrap();
    let client_debug = format!("{client:?}");
    assert!(client_debug.contains("<redacted>"), "{client_debug}");
    assert!(client_debug.contains(APP_CRED_ID), "{client_debug}");
    assert!(!client_debug.contains(APP_CRED_SECRET), "{client_debug}");

    config.auth = Some(Auth::Password {
        user: User::Id("u".into()),
        password: Secret::new(PASSWORD),
        project: Project::Id("p".into()),
    });
    let config_debug = format!("{config:?}");
    assert!(config_debug.contains("<redacted>"), "{config_debug}");
    assert!(!config_debug.contains(PASSWORD), "{config_debug}");

    let secret = Secret::new(INPUT_TOKEN);
    assert_eq!(format!("{secret:?}"), "\"<redacted>\"");
    assert_eq!(secret.expose(), INPUT_TOKEN);
}

#[test]
fn secrets_from_the_environment_are_redacted_too() {
    let vars = [
        ("OS_AUTH_URL", "https://keystone.example.org/v3"),
        ("OS_USERNAME", "alice"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PASSWORD", PASSWORD),
        ("OS_PROJECT_ID", "p-1"),
    ];
    let config = Config::from_vars(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    })
    .unwrap();
    let text = format!("{config:?}");
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(text.contains("<redacted>"), "{text}");

    // A config error mentions variables, never their values.
    let err = Config::from_vars(|name| {
        (name == "INFOMANIAK_APP_CREDENTIAL_SECRET").then(|| APP_CRED_SECRET.to_string())
    })
    .unwrap_err();
    assert!(!err.to_string().contains(APP_CRED_SECRET), "{err}");
    assert!(!format!("{err:?}").contains(APP_CRED_SECRET), "{err:?}");
}

#[test]
fn debug_logging_records_each_request_without_secrets() {
    capture_logs();
    let server = MockServer::start();
    let _keystone = mock_keystone(&server);
    let _cinder = cinder_mocks(&server);

    assert_eq!(client(&server).list_volumes().len(), 1);

    let debug = crate_logs(log::Level::Debug);
    let list_url = server.url(format!("{CINDER}/volumes/detail"));
    let line = debug
        .iter()
        .find(|l| l.contains(&format!("GET {list_url} -> 200")))
        .unwrap_or_else(|| panic!("no request line for the list in {debug:#?}"));
    assert!(
        line.contains(&format!("(request id {REQUEST_ID})")),
        "{line}"
    );
    let auth_url = server.url(AUTH_PATH);
    assert!(
        debug
            .iter()
            .any(|l| l.contains(&format!("POST {auth_url} -> 201")) && l.contains("req-keystone")),
        "{debug:#?}"
    );
    for (_, line) in logs_of_this_thread() {
        assert!(!line.contains(TOKEN), "{line}");
        assert!(!line.contains(APP_CRED_SECRET), "{line}");
    }
}

#[test]
fn debug_logs_show_the_token_only_as_a_short_fingerprint() {
    capture_logs();
    let server = common::server();
    let _mocks = cinder_mocks(&server);
    let client = client(&server);
    client.try_list_volumes().unwrap();
    let lines = crate_logs(log::Level::Debug);
    let auth_line = lines
        .iter()
        .find(|line| line.contains("authenticated with Keystone: token "))
        .unwrap_or_else(|| panic!("no authentication line in {lines:?}"));
    let fingerprint = auth_line
        .split("token ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap();
    assert_eq!(fingerprint.len(), 8, "{auth_line}");
    assert!(
        fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
        "{auth_line}"
    );
    assert!(!auth_line.contains(TOKEN), "{auth_line}");
    assert!(
        auth_line.contains(&format!("for project {PROJECT}")),
        "{auth_line}"
    );
}
