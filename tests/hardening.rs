//! Hostile or broken replies and settings that once could panic or waste work: huge
//! `Retry-After`, oversized bodies, Cinder's 300 version document, unusable waiter settings.

mod common;

use std::time::Duration;

use common::*;
use httpmock::prelude::*;
use infomaniak_block_storage::{Config, Error, InfomaniakVolumeClient, WaitPolicy};
use serde_json::json;

#[test]
fn a_huge_retry_after_neither_panics_nor_waits() {
    let server = MockServer::start();
    mock_keystone(&server);
    let list = server.mock(|when, then| {
        when.method(GET).path(format!("{CINDER}/volumes/detail"));
        then.status(503)
            .header("Retry-After", "18446744073709551615")
            .json_body(json!({"serviceUnavailable": {"code": 503, "message": "busy"}}));
    });
    let client = client(&server);
    // The capped wait (a day) exceeds the retry budget, so the 503 is returned at once.
    assert_eq!(
        client.try_list_volumes(),
        Err(Error::Api {
            status: 503,
            code: Some("serviceUnavailable".into()),
            message: "busy".into(),
            request_id: None,
            retry_after: Some(86_400),
        })
    );
    list.assert_calls(1);
}

#[test]
fn an_oversized_reply_is_not_downloaded_again() {
    let server = MockServer::start();
    mock_keystone(&server);
    let volumes: Vec<_> = (0..50)
        .map(|i| json!({"id": format!("vol-{i:04}"), "status": "available", "size": 1, "name": "x".repeat(100)}))
        .collect();
    let list = server.mock(|when, then| {
        when.method(GET).path(format!("{CINDER}/volumes/detail"));
        then.status(200).json_body(json!({ "volumes": volumes }));
    });
    let mut config = config(&server);
    config.max_body_bytes = 4_000; // the token reply fits, the listing does not
    let client = InfomaniakVolumeClient::new(config).unwrap();
    match client.try_list_volumes() {
        Err(Error::Transport {
            message,
            outcome_unknown: false,
        }) => assert!(message.contains("max_body_bytes (4000 bytes)"), "{message}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    // Retries are on (2 in the test config), yet the deterministic failure is not retried.
    list.assert_calls(1);
}

#[test]
fn cinder_300_on_its_root_is_a_version_document() {
    let server = MockServer::start();
    mock_keystone(&server);
    let document = server.mock(|when, then| {
        when.method(GET).path("/volume/v3/");
        then.status(300)
            .json_body(sample("cinder/versions/versions-response.json"));
    });
    let mut config = config(&server);
    config.negotiate_microversion = true;
    config.volume_microversion = "3.80".into();
    let client = InfomaniakVolumeClient::new(config).unwrap();
    let version = client.try_volume_microversion().unwrap();
    let expected = sample("cinder/versions/versions-response.json")["versions"]
        .as_array()
        .and_then(|versions| {
            versions
                .iter()
                .find(|v| v["id"].as_str().is_some_and(|id| id.starts_with("v3")))
        })
        .and_then(|v| v["version"].as_str())
        .map(str::to_string)
        .unwrap();
    assert_eq!(version, expected);
    document.assert_calls(1);
}

#[test]
fn unusable_waiter_settings_are_rejected_before_any_request() {
    let base = || Config::application_credential("id", "secret");
    for (wait, needle) in [
        (
            WaitPolicy {
                initial_interval: Duration::ZERO,
                ..WaitPolicy::default()
            },
            "wait.initial_interval is 0",
        ),
        (
            WaitPolicy {
                backoff: f64::INFINITY,
                ..WaitPolicy::default()
            },
            "wait.backoff is inf",
        ),
        (
            WaitPolicy {
                backoff: 0.5,
                ..WaitPolicy::default()
            },
            "wait.backoff is 0.5",
        ),
        (
            WaitPolicy {
                backoff: f64::NAN,
                ..WaitPolicy::default()
            },
            "wait.backoff is NaN",
        ),
    ] {
        let mut config = base();
        config.wait = wait;
        match InfomaniakVolumeClient::new(config) {
            Err(Error::Config { message }) => assert!(message.starts_with(needle), "{message}"),
            other => panic!("expected Config error for {needle}, got {other:?}"),
        }
    }
}

#[test]
fn huge_retry_backoffs_do_not_overflow() {
    let server = MockServer::start();
    mock_keystone(&server);
    let list = server.mock(|when, then| {
        when.method(GET).path(format!("{CINDER}/volumes/detail"));
        then.status(503);
    });
    let mut config = config(&server);
    config.retry.initial_backoff = Duration::MAX;
    config.retry.max_backoff = Duration::MAX;
    config.retry.max_total = Duration::from_millis(50);
    let client = InfomaniakVolumeClient::new(config).unwrap();
    assert!(matches!(
        client.try_list_volumes(),
        Err(Error::Api { status: 503, .. })
    ));
    list.assert_calls(1);
}

#[test]
fn empty_names_in_credentials_are_config_errors() {
    use infomaniak_block_storage::{Auth, Domain, Project, Secret, User};
    let cases = [
        (
            Auth::ApplicationCredentialName {
                name: "cred".into(),
                user: User::Id("u".into()),
                secret: Secret::new(""),
            },
            "application credential secret is empty",
        ),
        (
            Auth::Password {
                user: User::Name {
                    name: "me".into(),
                    domain: Domain::Name(" ".into()),
                },
                password: Secret::new("pw"),
                project: Project::Id("p".into()),
            },
            "user domain name is empty",
        ),
        (
            Auth::Token {
                token: Secret::new("t"),
                project: Project::Name {
                    name: String::new(),
                    domain: Domain::Id("default".into()),
                },
            },
            "project name is empty",
        ),
    ];
    for (auth, expected) in cases {
        let mut config = Config::default();
        config.auth = Some(auth);
        assert_eq!(
            InfomaniakVolumeClient::new(config).unwrap_err(),
            Error::Config {
                message: expected.into()
            }
        );
    }
}
