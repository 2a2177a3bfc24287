//! Keystone authentication: request bodies, token reuse and renewal, 401 handling, catalog
//! endpoint selection, connection checks and concurrency.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use httpmock::Mock;
use httpmock::prelude::*;
use infomaniak_block_storage::{
    AttachOptions, Auth, Config, Domain, Error, InfomaniakVolumeClient, Interface, Project,
    RetryPolicy, Secret, User,
};
use serde_json::{Value, json};

const TOKEN_B: &str = "gAAAAA-second-token-value-2";
const KEYSTONE_401: &str = "The request you have made requires authentication.";
const LIST: &str = "/volumes/detail";

// ----- helpers --------------------------------------------------------------------------

/// A token reply body with the given `expires_at` and catalog.
fn token_reply(expires_at: Value, catalog: Value) -> Value {
    json!({"token": {
        "methods": ["application_credential"],
        "expires_at": expires_at,
        "issued_at": "2026-11-29T00:00:00.000000Z",
        "project": {"id": PROJECT, "name": "p", "domain": {"id": "default", "name": "Default"}},
        "user": {"id": "u", "name": "user", "domain": {"id": "default", "name": "Default"}},
        "catalog": catalog
    }})
}

/// Keystone answering every token request with `token` and `body`.
fn keystone_with<'a>(server: &'a MockServer, token: &str, body: Value) -> Mock<'a> {
    let token = token.to_string();
    server.mock(move |when, then| {
        when.method(POST).path(AUTH_PATH);
        then.status(201)
            .header("X-Subject-Token", token)
            .header("x-openstack-request-id", "req-keystone")
            .header("Content-Type", "application/json")
            .json_body(body);
    })
}

/// Keystone answering with a catalog made only of `services`.
fn keystone_catalog<'a>(server: &'a MockServer, services: Value) -> Mock<'a> {
    keystone_with(
        server,
        TOKEN,
        token_reply(json!("2099-01-01T00:00:00.000000Z"), services),
    )
}

fn endpoint(interface: &str, region: &str, url: String) -> Value {
    json!({"id": format!("{interface}-{region}"), "interface": interface, "region": region,
           "region_id": region, "url": url})
}

fn volume_json(id: &str) -> Value {
    json!({"id": id, "name": format!("name-{id}"), "status": "available", "size": 10,
           "bootable": "false", "attachments": [], "metadata": {}})
}

/// Cinder's detailed volume list at `prefix`, answered only for `token`.
fn cinder_list<'a>(server: &'a MockServer, prefix: &str, token: &str, volume_id: &str) -> Mock<'a> {
    let path = format!("{prefix}{LIST}");
    let token = token.to_string();
    let body = json!({"volumes": [volume_json(volume_id)]});
    server.mock(move |when, then| {
        when.method(GET)
            .path(path)
            .header("X-Auth-Token", token)
            .header("OpenStack-API-Version", MICROVERSION);
        then.status(200)
            .header("Content-Type", "application/json")
            .header("x-openstack-request-id", REQUEST_ID)
            .json_body(body);
    })
}

/// Cinder rejecting `token` with keystonemiddleware's 401.
fn cinder_401<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let token = token.to_string();
    server.mock(move |when, then| {
        when.method(GET)
            .path(format!("{CINDER}{LIST}"))
            .header("X-Auth-Token", token);
        then.status(401)
            .header("Content-Type", "application/json")
            .header("x-openstack-request-id", "req-cinder-401")
            .json_body(json!({"error": {"code": 401, "title": "Unauthorized",
                                       "message": KEYSTONE_401}}));
    })
}

/// Asserts that `err` is `Error::Auth` with exactly these fields.
#[track_caller]
fn assert_auth_error(err: &Error, status: Option<u16>, message: &str, request_id: Option<&str>) {
    match err {
        Error::Auth {
            status: got_status,
            message: got_message,
            request_id: got_request_id,
            ..
        } => {
            assert_eq!(*got_status, status, "{err:?}");
            assert_eq!(got_message, message, "{err:?}");
            assert_eq!(got_request_id.as_deref(), request_id, "{err:?}");
        }
        other => panic!("expected Error::Auth, got {other:?}"),
    }
}

/// Asserts that `err` is `Error::EndpointNotFound` with exactly these fields.
#[track_caller]
fn assert_endpoint_not_found(err: &Error, service: &str, region: &str, interface: &str) {
    match err {
        Error::EndpointNotFound {
            service: got_service,
            region: got_region,
            interface: got_interface,
            ..
        } => {
            assert_eq!(got_service, service, "{err:?}");
            assert_eq!(got_region, region, "{err:?}");
            assert_eq!(got_interface, interface, "{err:?}");
        }
        other => panic!("expected Error::EndpointNotFound, got {other:?}"),
    }
}

fn ids(volumes: &[infomaniak_block_storage::Volume]) -> Vec<String> {
    volumes.iter().map(|v| v.id.clone()).collect()
}

/// `t` as Keystone writes it: `YYYY-MM-DDTHH:MM:SS.000000Z`.
fn iso8601(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000000Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[test]
fn iso8601_helper_is_right() {
    assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
    assert_eq!(
        iso8601(UNIX_EPOCH + Duration::from_secs(1_709_164_800 + 3_723)),
        "2024-02-29T01:02:03.000000Z"
    );
}

// ----- request bodies -------------------------------------------------------------------

#[test]
fn application_credential_body_has_no_scope_and_token_goes_to_cinder() {
    let server = MockServer::start();
    let keystone = server.mock(|when, then| {
        when.method(POST)
            .path(AUTH_PATH)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header_missing("X-Auth-Token")
            .json_body(common::app_cred_body(APP_CRED_ID, APP_CRED_SECRET));
        then.status(201)
            .header("X-Subject-Token", TOKEN)
            .header("Content-Type", "application/json")
            .json_body(token_body(&server.base_url()));
    });
    let cinder = cinder_list(&server, CINDER, TOKEN, "vol-1");

    let volumes = client(&server).try_list_volumes().expect("list succeeds");

    assert_eq!(ids(&volumes), vec!["vol-1"]);
    assert_eq!(volumes[0].name.as_deref(), Some("name-vol-1"));
    keystone.assert_calls(1);
    cinder.assert_calls(1);
}

#[test]
fn application_credential_by_name_sends_user_and_no_scope() {
    let server = MockServer::start();
    let keystone = server.mock(|when, then| {
        when.method(POST)
            .path(AUTH_PATH)
            .json_body(json!({"auth": {"identity": {
                "methods": ["application_credential"],
                "application_credential": {
                    "name": "my-cred",
                    "user": {"name": "alice", "domain": {"id": "default"}},
                    "secret": APP_CRED_SECRET
                }
            }}}));
        then.status(201)
            .header("X-Subject-Token", TOKEN)
            .json_body(token_body(&server.base_url()));
    });
    let cinder = cinder_list(&server, CINDER, TOKEN, "vol-1");
    let mut config = config(&server);
    config.auth = Some(Auth::ApplicationCredentialName {
        name: "my-cred".into(),
        user: User::Name {
            name: "alice".into(),
            domain: Domain::Id("default".into()),
        },
        secret: Secret::new(APP_CRED_SECRET),
    });

    let volumes = InfomaniakVolumeClient::new(config)
        .unwrap()
        .try_list_volumes()
        .unwrap();

    assert_eq!(ids(&volumes), vec!["vol-1"]);
    keystone.assert_calls(1);
    cinder.assert_calls(1);
}

/// Runs one list call with `auth` against a Keystone that only answers `expected_body`.
fn assert_auth_body(auth: Auth, expected_body: Value) {
    let server = MockServer::start();
    let keystone = server.mock(|when, then| {
        when.method(POST)
            .path(AUTH_PATH)
            .header("Content-Type", "application/json")
            .json_body(expected_body);
        then.status(201)
            .header("X-Subject-Token", TOKEN)
            .json_body(token_body(&server.base_url()));
    });
    let cinder = cinder_list(&server, CINDER, TOKEN, "vol-1");
    let mut config = config(&server);
    config.auth = Some(auth);

    let result = InfomaniakVolumeClient::new(config)
        .unwrap()
        .try_list_volumes();

    assert_eq!(ids(&result.expect("list succeeds")), vec!["vol-1"]);
    keystone.assert_calls(1);
    cinder.assert_calls(1);
}

#[test]
fn password_by_user_name_and_project_name_sends_project_scope() {
    assert_auth_body(
        Auth::Password {
            user: User::Name {
                name: "alice".into(),
                domain: Domain::Name("Default".into()),
            },
            password: Secret::new("pa55-word"),
            project: Project::Name {
                name: "PCP-ABC".into(),
                domain: Domain::Name("Default".into()),
            },
        },
        json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "alice", "domain": {"name": "Default"}, "password": "pa55-word"}}},
            "scope": {"project": {"name": "PCP-ABC", "domain": {"name": "Default"}}}
        }}),
    );
}

#[test]
fn password_by_user_id_and_project_id_sends_ids() {
    assert_auth_body(
        Auth::Password {
            user: User::Id("u-123".into()),
            password: Secret::new("pa55-word"),
            project: Project::Id("p-456".into()),
        },
        json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "id": "u-123", "password": "pa55-word"}}},
            "scope": {"project": {"id": "p-456"}}
        }}),
    );
}

#[test]
fn password_with_domain_ids_sends_domain_ids() {
    assert_auth_body(
        Auth::Password {
            user: User::Name {
                name: "alice".into(),
                domain: Domain::Id("default".into()),
            },
            password: Secret::new("pa55-word"),
            project: Project::Name {
                name: "PCP-ABC".into(),
                domain: Domain::Id("d-1".into()),
            },
        },
        json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "alice", "domain": {"id": "default"}, "password": "pa55-word"}}},
            "scope": {"project": {"name": "PCP-ABC", "domain": {"id": "d-1"}}}
        }}),
    );
}

#[test]
fn token_method_sends_token_id_and_project_scope() {
    assert_auth_body(
        Auth::Token {
            token: Secret::new("old-token-xyz"),
            project: Project::Id("p-456".into()),
        },
        json!({"auth": {
            "identity": {"methods": ["token"], "token": {"id": "old-token-xyz"}},
            "scope": {"project": {"id": "p-456"}}
        }}),
    );
    assert_auth_body(
        Auth::Token {
            token: Secret::new("old-token-xyz"),
            project: Project::Name {
                name: "PCP-ABC".into(),
                domain: Domain::Name("Default".into()),
            },
        },
        json!({"auth": {
            "identity": {"methods": ["token"], "token": {"id": "old-token-xyz"}},
            "scope": {"project": {"name": "PCP-ABC", "domain": {"name": "Default"}}}
        }}),
    );
}

#[test]
fn auth_url_with_trailing_slash_posts_to_the_same_tokens_url() {
    let server = MockServer::start();
    let keystone = mock_keystone(&server);
    let cinder = cinder_list(&server, CINDER, TOKEN, "vol-1");
    let mut config = config(&server);
    config.auth_url = server.url("/identity/v3/");

    let volumes = InfomaniakVolumeClient::new(config)
        .unwrap()
        .try_list_volumes()
        .unwrap();

    assert_eq!(ids(&volumes), vec!["vol-1"]);
    keystone.assert_calls(1);
    cinder.assert_calls(1);
}

// ----- token reuse and renewal ----------------------------------------------------------

#[test]
fn token_is_reused_across_calls() {
    let server = MockServer::start();
    let keystone = mock_keystone(&server);
    let cinder = cinder_list(&server, CINDER, TOKEN, "vol-1");
    let client = client(&server);

    for _ in 0..5 {
        assert_eq!(ids(&client.try_list_volumes().unwrap()), vec!["vol-1"]);
    }

    keystone.assert_calls(1);
    cinder.assert_calls(5);
}

/// Counts auth calls across two list calls when Keystone sets `expires_at`, issued at
/// 2026-11-29 (`token_reply`), back to back.
fn auth_calls_for_two_lists(expires_at: Value) -> usize {
    auth_calls_for_two_lists_issued(
        expires_at,
        json!("2026-11-29T00:00:00.000000Z"),
        Duration::ZERO,
    )
}

/// Counts auth calls across two list calls, `pause` apart, when Keystone's token says
/// `issued_at` and `expires_at`.
fn auth_calls_for_two_lists_issued(expires_at: Value, issued_at: Value, pause: Duration) -> usize {
    let server = MockServer::start();
    let mut reply = token_reply(expires_at, catalog(&server.base_url()));
    reply["token"]["issued_at"] = issued_at;
    let keystone = keystone_with(&server, TOKEN, reply);
    let cinder = cinder_list(&server, CINDER, TOKEN, "vol-1");
    let client = client(&server);

    assert_eq!(ids(&client.try_list_volumes().unwrap()), vec!["vol-1"]);
    std::thread::sleep(pause);
    assert_eq!(ids(&client.try_list_volumes().unwrap()), vec!["vol-1"]);
    cinder.assert_calls(2);
    keystone.calls()
}

// The token's lifetime is Keystone's `expires_at - issued_at`, counted from when the reply
// arrived (so a clock far from Keystone's changes nothing), with a floor of one second; it is
// renewed when less than min(2 minutes, a quarter of its lifetime) is left.

#[test]
fn expired_token_is_renewed_before_the_next_call() {
    // Expired before it was issued: the one-second floor applies, so a call right after
    // reuses it (no authentication storm) and one a second later renews it.
    assert_eq!(
        auth_calls_for_two_lists(json!("2001-01-01T00:00:00.000000Z")),
        1
    );
    assert_eq!(
        auth_calls_for_two_lists_issued(
            json!("2001-01-01T00:00:00.000000Z"),
            json!("2026-11-29T00:00:00.000000Z"),
            Duration::from_millis(1100),
        ),
        2
    );
}

#[test]
fn token_expiring_within_two_minutes_is_renewed() {
    // A one-second token (renewed in its last quarter), dated on a clock far in the past.
    let calls = |pause| {
        auth_calls_for_two_lists_issued(
            json!("2001-01-01T00:00:01.000000Z"),
            json!("2001-01-01T00:00:00.000000Z"),
            pause,
        )
    };
    assert_eq!(calls(Duration::ZERO), 1);
    assert_eq!(calls(Duration::from_millis(850)), 2);
}

#[test]
fn token_valid_for_an_hour_or_without_expiry_is_reused() {
    let later = iso8601(SystemTime::now() + Duration::from_secs(3600));
    assert_eq!(auth_calls_for_two_lists(json!(later)), 1);
    // `expires_at: null` means the token never expires.
    assert_eq!(auth_calls_for_two_lists(Value::Null), 1);
    // An hour-long token is reused even when this machine's clock says its `expires_at` is
    // long gone: only Keystone's own `expires_at - issued_at` counts.
    assert_eq!(
        auth_calls_for_two_lists_issued(
            json!("2001-01-01T01:00:00.000000Z"),
            json!("2001-01-01T00:00:00.000000Z"),
            Duration::ZERO,
        ),
        1
    );
}

// ----- 401 from the service -------------------------------------------------------------

#[test]
fn cinder_401_twice_gives_auth_error_after_exactly_one_reauthentication() {
    let server = MockServer::start();
    let keystone = mock_keystone(&server);
    let cinder = cinder_401(&server, TOKEN);
    let client = client(&server);

    let err = client.try_list_volumes().unwrap_err();

    assert_auth_error(
        &err,
        Some(401),
        &format!("{KEYSTONE_401} (rejected again after a fresh token)"),
        Some("req-cinder-401"),
    );
    keystone.assert_calls(2);
    cinder.assert_calls(2);
}

#[test]
fn cinder_401_renews_the_token_and_the_call_succeeds() {
    let server = MockServer::start();
    let body = token_body(&server.base_url());
    let mut keystone_a = keystone_with(&server, TOKEN, body.clone());
    let mut cinder_ok_a = cinder_list(&server, CINDER, TOKEN, "vol-a");
    let client = client(&server);

    assert_eq!(ids(&client.try_list_volumes().unwrap()), vec!["vol-a"]);
    keystone_a.assert_calls(1);
    cinder_ok_a.assert_calls(1);

    // Token A is revoked: Cinder now rejects it and Keystone hands out B.
    keystone_a.delete();
    cinder_ok_a.delete();
    let cinder_401_a = cinder_401(&server, TOKEN);
    let keystone_b = keystone_with(&server, TOKEN_B, body);
    let cinder_ok_b = cinder_list(&server, CINDER, TOKEN_B, "vol-b");

    assert_eq!(ids(&client.try_list_volumes().unwrap()), vec!["vol-b"]);
    cinder_401_a.assert_calls(1);
    keystone_b.assert_calls(1);
    cinder_ok_b.assert_calls(1);

    // B is kept for the next call.
    assert_eq!(ids(&client.try_list_volumes().unwrap()), vec!["vol-b"]);
    keystone_b.assert_calls(1);
    cinder_ok_b.assert_calls(2);
    cinder_401_a.assert_calls(1);
}

#[test]
fn cinder_401_on_a_post_resends_the_same_body_with_the_new_token() {
    let server = MockServer::start();
    let body = token_body(&server.base_url());
    // First token request gets A, every later one B.
    let keystone_a = server.mock(|when, then| {
        when.method(POST).path(AUTH_PATH);
        then.status(201)
            .header("X-Subject-Token", TOKEN)
            .json_body(body.clone())
            .up_to_n_times(1);
    });
    let keystone_b = keystone_with(&server, TOKEN_B, body);
    let create_body = json!({"volume": {"size": 10, "name": "scratch"}});
    let rejected = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{CINDER}/volumes"))
            .header("X-Auth-Token", TOKEN)
            .json_body(create_body.clone());
        then.status(401).json_body(
            json!({"error": {"code": 401, "title": "Unauthorized", "message": KEYSTONE_401}}),
        );
    });
    let accepted = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{CINDER}/volumes"))
            .header("X-Auth-Token", TOKEN_B)
            .header("OpenStack-API-Version", MICROVERSION)
            .json_body(create_body.clone());
        then.status(202)
            .json_body(json!({"volume": volume_json("vol-new")}));
    });

    let volume = client(&server)
        .try_create_volume(10, "scratch", &Default::default())
        .expect("created after one renewal");

    assert_eq!(volume.id, "vol-new");
    keystone_a.assert_calls(1);
    keystone_b.assert_calls(1);
    rejected.assert_calls(1);
    accepted.assert_calls(1);
}

// ----- Keystone failures ----------------------------------------------------------------

fn keystone_401(server: &MockServer) -> Mock<'_> {
    server.mock(|when, then| {
        when.method(POST).path(AUTH_PATH);
        then.status(401)
            .header("Content-Type", "application/json")
            .header("x-openstack-request-id", "req-ks-401")
            .json_body(json!({"error": {"code": 401, "title": "Unauthorized",
                                       "message": KEYSTONE_401}}));
    })
}

#[test]
fn keystone_401_is_an_auth_error_with_keystones_message() {
    let server = MockServer::start();
    let keystone = keystone_401(&server);
    let cinder = cinder_list(&server, CINDER, TOKEN, "vol-1");

    let err = client(&server).try_list_volumes().unwrap_err();

    assert_auth_error(&err, Some(401), KEYSTONE_401, Some("req-ks-401"));
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.request_id(), Some("req-ks-401"));
    assert_eq!(
        err.to_string(),
        format!("authentication failed: HTTP 401: {KEYSTONE_401} (request id req-ks-401)")
    );
    // Keystone's 401 is final: no second try, nothing sent to Cinder.
    keystone.assert_calls(1);
    cinder.assert_calls(0);
}

#[test]
fn keystone_401_on_the_plain_face_gives_empty_vec_and_one_error_line() {
    capture_logs();
    let server = MockServer::start();
    let keystone = keystone_401(&server);

    let volumes = client(&server).list_volumes();

    assert!(volumes.is_empty());
    let errors = crate_logs(log::Level::Error);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("list_volumes"), "{}", errors[0]);
    assert!(errors[0].contains("HTTP 401"), "{}", errors[0]);
    assert!(errors[0].contains(KEYSTONE_401), "{}", errors[0]);
    assert!(errors[0].contains("req-ks-401"), "{}", errors[0]);
    keystone.assert_calls(1);
}

#[test]
fn keystone_reply_without_subject_token_is_an_auth_error() {
    let server = MockServer::start();
    let keystone = server.mock(|when, then| {
        when.method(POST).path(AUTH_PATH);
        then.status(201)
            .header("x-openstack-request-id", "req-keystone")
            .json_body(token_body(&server.base_url()));
    });

    let err = client(&server).try_list_volumes().unwrap_err();

    assert_auth_error(
        &err,
        Some(201),
        "Keystone's reply has no X-Subject-Token header",
        Some("req-keystone"),
    );
    keystone.assert_calls(1);
}

#[test]
fn malformed_token_reply_is_a_decode_error() {
    let server = MockServer::start();
    let keystone = server.mock(|when, then| {
        when.method(POST).path(AUTH_PATH);
        then.status(201)
            .header("X-Subject-Token", TOKEN)
            .header("x-openstack-request-id", "req-keystone")
            .body("{\"token\": not json");
    });

    let err = client(&server).try_list_volumes().unwrap_err();

    match &err {
        Error::Decode {
            what, request_id, ..
        } => {
            assert_eq!(what, "Keystone token reply");
            assert_eq!(request_id.as_deref(), Some("req-keystone"));
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    keystone.assert_calls(1);
}

#[test]
fn unparseable_expiry_is_a_decode_error() {
    let server = MockServer::start();
    let _keystone = keystone_with(
        &server,
        TOKEN,
        token_reply(json!("tomorrow"), catalog(&server.base_url())),
    );

    let err = client(&server).try_list_volumes().unwrap_err();

    match &err {
        Error::Decode {
            what,
            message,
            request_id,
            ..
        } => {
            assert_eq!(what, "Keystone token expires_at");
            assert_eq!(message, "`tomorrow` is not an ISO-8601 time");
            assert_eq!(request_id.as_deref(), Some("req-keystone"));
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[test]
fn keystone_unreachable_is_a_transport_error_with_known_outcome() {
    let client = unreachable_client();

    let err = client.try_list_volumes().unwrap_err();
    match &err {
        Error::Transport {
            message,
            outcome_unknown,
            ..
        } => {
            assert!(!outcome_unknown);
            assert!(
                message.starts_with("authentication: POST http://127.0.0.1:"),
                "{message}"
            );
            assert!(message.contains("/identity/v3/auth/tokens"), "{message}");
        }
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(!err.is_outcome_unknown());

    // A create that never got past authentication surely did not happen.
    let err = client
        .try_create_volume(1, "x", &Default::default())
        .unwrap_err();
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
}

// ----- catalog selection ----------------------------------------------------------------

fn list_with(config: Config) -> Result<Vec<String>, Error> {
    InfomaniakVolumeClient::new(config)
        .unwrap()
        .try_list_volumes()
        .map(|v| ids(&v))
}

#[test]
fn default_config_picks_public_dc3a_endpoint() {
    let server = MockServer::start();
    let _keystone = mock_keystone(&server);
    let public = cinder_list(&server, CINDER, TOKEN, "public");
    let internal = cinder_list(&server, &format!("/internal{CINDER}"), TOKEN, "internal");
    let dc4 = cinder_list(&server, &format!("/dc4{CINDER}"), TOKEN, "dc4");

    assert_eq!(list_with(config(&server)).unwrap(), vec!["public"]);
    public.assert_calls(1);
    internal.assert_calls(0);
    dc4.assert_calls(0);
}

#[test]
fn region_dc4a_picks_the_dc4_endpoint() {
    let server = MockServer::start();
    let _keystone = mock_keystone(&server);
    let public = cinder_list(&server, CINDER, TOKEN, "public");
    let dc4 = cinder_list(&server, &format!("/dc4{CINDER}"), TOKEN, "dc4");
    let mut config = config(&server);
    config.region = "dc4-a".into();

    assert_eq!(list_with(config).unwrap(), vec!["dc4"]);
    dc4.assert_calls(1);
    public.assert_calls(0);
}

#[test]
fn internal_interface_picks_the_internal_endpoint() {
    let server = MockServer::start();
    let _keystone = mock_keystone(&server);
    let public = cinder_list(&server, CINDER, TOKEN, "public");
    let internal = cinder_list(&server, &format!("/internal{CINDER}"), TOKEN, "internal");
    let mut config = config(&server);
    config.interface = Interface::Internal;

    assert_eq!(list_with(config).unwrap(), vec!["internal"]);
    internal.assert_calls(1);
    public.assert_calls(0);
}

#[test]
fn region_or_interface_missing_from_catalog_is_endpoint_not_found() {
    let server = MockServer::start();
    let keystone = mock_keystone(&server);
    let any_cinder = server.mock(|when, then| {
        when.method(GET).path_includes("/volumes");
        then.status(200).json_body(json!({"volumes": []}));
    });

    let mut config = config(&server);
    config.region = "dc9-z".into();
    assert_endpoint_not_found(
        &list_with(config).unwrap_err(),
        "block-storage",
        "dc9-z",
        "public",
    );

    let mut config = common::config(&server);
    config.region = "dc4-a".into();
    config.interface = Interface::Admin;
    let err = list_with(config).unwrap_err();
    assert_endpoint_not_found(&err, "block-storage", "dc4-a", "admin");
    assert_eq!(
        err.to_string(),
        "the service catalog has no admin endpoint for `block-storage` in region `dc4-a`"
    );
    keystone.assert_calls(2);
    any_cinder.assert_calls(0);
}

#[test]
fn catalog_without_compute_serves_volumes_but_attach_is_endpoint_not_found() {
    let server = MockServer::start();
    let base = server.base_url();
    let keystone = keystone_catalog(
        &server,
        json!([{"type": "volumev3", "endpoints": [endpoint("public", "dc3-a", format!("{base}{CINDER}"))]}]),
    );
    let cinder = cinder_list(&server, CINDER, TOKEN, "vol-1");
    let nova = server.mock(|when, then| {
        when.path_includes("os-volume_attachments");
        then.status(200).json_body(json!({"volumeAttachment": {}}));
    });
    let client = client(&server);

    assert_eq!(ids(&client.try_list_volumes().unwrap()), vec!["vol-1"]);
    assert_endpoint_not_found(
        &client
            .try_attach_volume("vol-1", "srv-1", &AttachOptions::default())
            .unwrap_err(),
        "compute",
        "dc3-a",
        "public",
    );
    keystone.assert_calls(1);
    cinder.assert_calls(1);
    nova.assert_calls(0);
}

#[test]
fn block_storage_endpoint_override_wins_over_the_catalog() {
    let server = MockServer::start();
    let base = server.base_url();
    // The catalog has no block storage at all: only the override can work.
    let keystone = keystone_catalog(
        &server,
        json!([{"type": "compute", "endpoints": [endpoint("public", "dc3-a", format!("{base}{NOVA}"))]}]),
    );
    let overridden = cinder_list(&server, "/custom/volume/v3/p", TOKEN, "custom");
    let catalog_cinder = cinder_list(&server, CINDER, TOKEN, "catalog");
    let mut config = config(&server);
    config.block_storage_endpoint = Some(server.url("/custom/volume/v3/p/"));

    assert_eq!(list_with(config).unwrap(), vec!["custom"]);
    keystone.assert_calls(1);
    overridden.assert_calls(1);
    catalog_cinder.assert_calls(0);
}

#[test]
fn block_storage_service_type_is_preferred_over_aliases() {
    let server = MockServer::start();
    let base = server.base_url();
    // `volumev3` comes first in the catalog, yet `block-storage` is the canonical type.
    let _keystone = keystone_catalog(
        &server,
        json!([
            {"type": "volumev3", "endpoints": [endpoint("public", "dc3-a", format!("{base}/v3alias"))]},
            {"type": "block-storage", "endpoints": [endpoint("public", "dc3-a", format!("{base}/canonical"))]}
        ]),
    );
    let alias = cinder_list(&server, "/v3alias", TOKEN, "alias");
    let canonical = cinder_list(&server, "/canonical", TOKEN, "canonical");

    assert_eq!(list_with(config(&server)).unwrap(), vec!["canonical"]);
    canonical.assert_calls(1);
    alias.assert_calls(0);
}

#[test]
fn volume_service_type_alias_is_accepted_and_volumev2_is_not() {
    let server = MockServer::start();
    let base = server.base_url();
    let _keystone = keystone_catalog(
        &server,
        json!([
            {"type": "volumev2", "endpoints": [endpoint("public", "dc3-a", format!("{base}/v2"))]},
            {"type": "volume", "endpoints": [endpoint("public", "dc3-a", format!("{base}/vol"))]}
        ]),
    );
    let v2 = cinder_list(&server, "/v2", TOKEN, "v2");
    let volume = cinder_list(&server, "/vol", TOKEN, "volume");
    assert_eq!(list_with(config(&server)).unwrap(), vec!["volume"]);
    volume.assert_calls(1);
    v2.assert_calls(0);

    let server = MockServer::start();
    let base = server.base_url();
    let _keystone = keystone_catalog(
        &server,
        json!([{"type": "volumev2", "endpoints": [endpoint("public", "dc3-a", format!("{base}/v2"))]}]),
    );
    assert_endpoint_not_found(
        &list_with(config(&server)).unwrap_err(),
        "block-storage",
        "dc3-a",
        "public",
    );
}

#[test]
fn endpoint_with_only_legacy_region_field_matches() {
    let server = MockServer::start();
    let base = server.base_url();
    let _keystone = keystone_catalog(
        &server,
        json!([{"type": "volumev3", "endpoints": [
            {"interface": "public", "region": "dc3-a", "url": format!("{base}/legacy/")}
        ]}]),
    );
    let legacy = cinder_list(&server, "/legacy", TOKEN, "legacy");

    assert_eq!(list_with(config(&server)).unwrap(), vec!["legacy"]);
    legacy.assert_calls(1);
}

// ----- try_authenticate / validate_connection -------------------------------------------

#[test]
fn try_authenticate_and_validate_connection_with_good_credentials() {
    let server = MockServer::start();
    let keystone = server.mock(|when, then| {
        when.method(POST)
            .path(AUTH_PATH)
            .json_body(common::app_cred_body(APP_CRED_ID, APP_CRED_SECRET));
        then.status(201)
            .header("X-Subject-Token", TOKEN)
            .json_body(token_body(&server.base_url()));
    });
    let client = client(&server);

    assert_eq!(client.try_authenticate(), Ok(()));
    assert_eq!(client.try_authenticate(), Ok(()));
    // Each check authenticates again even though a token is held.
    keystone.assert_calls(2);
    assert!(client.validate_connection());
    keystone.assert_calls(3);
}

#[test]
fn try_authenticate_replaces_the_token_in_use() {
    let server = MockServer::start();
    let body = token_body(&server.base_url());
    let keystone_a = server.mock(|when, then| {
        when.method(POST).path(AUTH_PATH);
        then.status(201)
            .header("X-Subject-Token", TOKEN)
            .json_body(body.clone())
            .up_to_n_times(1);
    });
    let keystone_b = keystone_with(&server, TOKEN_B, body);
    let cinder_a = cinder_list(&server, CINDER, TOKEN, "vol-a");
    let cinder_b = cinder_list(&server, CINDER, TOKEN_B, "vol-b");
    let client = client(&server);

    assert_eq!(ids(&client.try_list_volumes().unwrap()), vec!["vol-a"]);
    client.try_authenticate().unwrap();
    assert_eq!(ids(&client.try_list_volumes().unwrap()), vec!["vol-b"]);

    keystone_a.assert_calls(1);
    keystone_b.assert_calls(1);
    cinder_a.assert_calls(1);
    cinder_b.assert_calls(1);
}

#[test]
fn validate_connection_is_false_with_bad_credentials() {
    capture_logs();
    let server = MockServer::start();
    let keystone = keystone_401(&server);
    let client = client(&server);

    assert!(!client.validate_connection());
    assert_auth_error(
        &client.try_authenticate().unwrap_err(),
        Some(401),
        KEYSTONE_401,
        Some("req-ks-401"),
    );
    keystone.assert_calls(2);
    let errors = crate_logs(log::Level::Error);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("validate_connection"), "{}", errors[0]);
    assert!(errors[0].contains(KEYSTONE_401), "{}", errors[0]);
}

#[test]
fn try_authenticate_fails_when_the_catalog_lacks_block_storage() {
    let server = MockServer::start();
    let _keystone = mock_keystone(&server);
    let mut config = config(&server);
    config.region = "dc9-z".into();
    let client = InfomaniakVolumeClient::new(config).unwrap();

    assert_endpoint_not_found(
        &client.try_authenticate().unwrap_err(),
        "block-storage",
        "dc9-z",
        "public",
    );
    assert!(!client.validate_connection());
}

#[test]
fn validate_connection_is_false_when_keystone_is_unreachable() {
    let client = unreachable_client();
    assert!(!client.validate_connection());
    assert!(matches!(
        client.try_authenticate(),
        Err(Error::Transport {
            outcome_unknown: false,
            ..
        })
    ));
}

// ----- concurrency ----------------------------------------------------------------------

#[test]
fn client_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<InfomaniakVolumeClient>();
    assert_traits::<Error>();
    assert_traits::<Config>();
}

#[test]
fn threads_sharing_a_client_authenticate_once() {
    let server = MockServer::start();
    let keystone = mock_keystone(&server);
    let cinder = cinder_list(&server, CINDER, TOKEN, "vol-1");
    let mut config = config(&server);
    config.retry = RetryPolicy::none();
    let client = InfomaniakVolumeClient::new(config).unwrap();

    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let client = client.clone();
                scope.spawn(move || {
                    (0..10)
                        .map(|_| ids(&client.try_list_volumes().unwrap()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            let results = handle.join().expect("thread panicked");
            assert_eq!(results.len(), 10);
            assert!(results.iter().all(|r| r == &vec!["vol-1".to_string()]));
        }
    });

    keystone.assert_calls(1);
    cinder.assert_calls(80);
}

#[test]
fn threads_waiting_on_a_failing_authentication_share_its_error() {
    let server = MockServer::start();
    let keystone = server.mock(|when, then| {
        when.method(POST).path(AUTH_PATH);
        // Slow enough that all threads are waiting while the one attempt is in flight.
        then.status(401)
            .delay(Duration::from_millis(400))
            .json_body(json!({"error": {"code": 401, "title": "Unauthorized", "message": "bad credentials"}}));
    });
    let client = client(&server);
    let barrier = std::sync::Barrier::new(8);
    let errors: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    client.try_list_volumes()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for result in errors {
        assert!(
            matches!(&result, Err(Error::Auth { status: Some(401), message, .. }) if message == "bad credentials"),
            "{result:?}"
        );
    }
    keystone.assert_calls(1);
}
