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
    let server = common::server();
    let list = server.mock(|when, then| {
        when.method(GET).path(format!("{CINDER}/volumes/detail"));
        then.status(503)
            .header("Retry-After", "18446744073709551615")
            .json_body(json!({"serviceUnavailable": {"code": 503, "message": "busy"}}));
    });
    let client = client(&server);
    // The capped wait (a day) exceeds the retry budget, so the 503 is returned at once.
    let result = client.try_list_volumes();
    let Err(Error::Api {
        status,
        code,
        message,
        request_id,
        retry_after,
        ..
    }) = result
    else {
        panic!("{result:?}")
    };
    assert_eq!(status, 503);
    assert_eq!(code.as_deref(), Some("serviceUnavailable"));
    assert_eq!(message, "busy");
    assert_eq!(request_id, None);
    assert_eq!(retry_after, Some(86_400));
    list.assert_calls(1);
}

#[test]
fn an_oversized_reply_is_not_downloaded_again() {
    let server = common::server();
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
            ..
        }) => assert!(message.contains("max_body_bytes (4000 bytes)"), "{message}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    // Retries are on (2 in the test config), yet the deterministic failure is not retried.
    list.assert_calls(1);
}

#[test]
fn cinder_300_on_its_root_is_a_version_document() {
    let server = common::server();
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
    let wait = |edit: fn(&mut WaitPolicy)| {
        let mut wait = WaitPolicy::default();
        edit(&mut wait);
        wait
    };
    for (wait, needle) in [
        (
            wait(|w| w.initial_interval = Duration::ZERO),
            "wait.initial_interval is 0",
        ),
        (wait(|w| w.backoff = f64::INFINITY), "wait.backoff is inf"),
        (wait(|w| w.backoff = 0.5), "wait.backoff is 0.5"),
        (wait(|w| w.backoff = f64::NAN), "wait.backoff is NaN"),
    ] {
        let mut config = base();
        config.wait = wait;
        match InfomaniakVolumeClient::new(config) {
            Err(Error::Config { message, .. }) => assert!(message.starts_with(needle), "{message}"),
            other => panic!("expected Config error for {needle}, got {other:?}"),
        }
    }
}

/// A volume listing that always answers 503 without a body.
fn always_503_listing(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(GET).path(format!("{CINDER}/volumes/detail"));
        then.status(503);
    })
}

#[test]
fn huge_retry_backoffs_do_not_overflow() {
    let server = common::server();
    let list = always_503_listing(&server);
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
        let err = InfomaniakVolumeClient::new(config).unwrap_err();
        let Error::Config {
            message, source, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(message, expected);
        assert!(source.is_none(), "{err:?}");
    }
}

#[test]
fn an_empty_subject_token_is_an_auth_error() {
    let server = MockServer::start();
    let keystone = server.mock(|when, then| {
        when.method(POST).path(AUTH_PATH);
        then.status(201)
            .header("X-Subject-Token", "")
            .json_body(token_body(&server.base_url()));
    });
    let client = client(&server);
    let result = client.try_authenticate();
    let Err(Error::Auth {
        status,
        message,
        request_id,
        ..
    }) = result
    else {
        panic!("{result:?}")
    };
    assert_eq!(status, Some(201));
    assert_eq!(message, "Keystone's reply has no X-Subject-Token header");
    assert_eq!(request_id, None);
    keystone.assert_calls(1);
}

#[test]
fn a_keystone_shaped_error_from_a_service_keeps_its_title_as_code() {
    let server = common::server();
    server.mock(|when, then| {
        when.method(GET).path(format!("{CINDER}/volumes/detail"));
        then.status(403).json_body(json!({"error": {
            "code": 403, "title": "Forbidden", "message": "You are not authorized."
        }}));
    });
    let client = client(&server);
    let result = client.try_list_volumes();
    let Err(Error::Api {
        status,
        code,
        message,
        request_id,
        retry_after,
        ..
    }) = result
    else {
        panic!("{result:?}")
    };
    assert_eq!(status, 403);
    assert_eq!(code.as_deref(), Some("Forbidden"));
    assert_eq!(message, "You are not authorized.");
    assert_eq!(request_id, None);
    assert_eq!(retry_after, None);
}

#[test]
fn retry_after_as_an_http_date_is_honoured_and_capped() {
    let server = common::server();
    server.mock(|when, then| {
        when.method(GET).path(format!("{CINDER}/volumes/detail"));
        then.status(503)
            .header("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT")
            .json_body(json!({"serviceUnavailable": {"code": 503, "message": "busy"}}));
    });
    server.mock(|when, then| {
        when.method(GET).path(format!("{CINDER}/snapshots/detail"));
        then.status(503)
            .header("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")
            .json_body(json!({"serviceUnavailable": {"code": 503, "message": "busy"}}));
    });
    let mut config = config(&server);
    config.retry = infomaniak_block_storage::RetryPolicy::none();
    let client = InfomaniakVolumeClient::new(config).unwrap();
    // A date far ahead is a day at most; a date in the past means now.
    assert!(matches!(
        client.try_list_volumes(),
        Err(Error::Api {
            retry_after: Some(86_400),
            ..
        })
    ));
    assert!(matches!(
        client.try_list_snapshots(),
        Err(Error::Api {
            retry_after: Some(0),
            ..
        })
    ));
}

#[test]
fn max_pages_is_an_exact_bound() {
    let server = common::server();
    let base = server.base_url();
    let page = |id: &str, next: Option<&str>| {
        let mut body = json!({"volumes": [{"id": id, "status": "available", "size": 1}]});
        if let Some(marker) = next {
            body["volumes_links"] = json!([{"rel": "next",
                "href": format!("{base}{CINDER}/volumes/detail?marker={marker}")}]);
        }
        body
    };
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("{CINDER}/volumes/detail"))
            .query_param_missing("marker");
        then.status(200).json_body(page("v1", Some("v1")));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("{CINDER}/volumes/detail"))
            .query_param("marker", "v1");
        then.status(200).json_body(page("v2", None));
    });
    let mut config = config(&server);
    config.max_pages = 2;
    let two = InfomaniakVolumeClient::new(config.clone()).unwrap();
    let ids: Vec<String> = two
        .try_list_volumes()
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(ids, ["v1", "v2"]);

    config.max_pages = 1;
    let one = InfomaniakVolumeClient::new(config).unwrap();
    match one.try_list_volumes() {
        Err(Error::Decode { message, .. }) => {
            assert_eq!(
                message,
                "reached the page cap of 1 (Config::max_pages) with more pages to come"
            )
        }
        other => panic!("expected the page cap, got {other:?}"),
    }
}

#[test]
fn the_retry_budget_bounds_the_number_of_retries() {
    let server = common::server();
    let list = always_503_listing(&server);
    let mut config = config(&server);
    config.retry = infomaniak_block_storage::RetryPolicy::default();
    config.retry.max_retries = 10;
    config.retry.initial_backoff = Duration::from_millis(100);
    config.retry.max_backoff = Duration::from_millis(100);
    config.retry.max_total = Duration::from_millis(300);
    let client = InfomaniakVolumeClient::new(config).unwrap();
    assert!(matches!(
        client.try_list_volumes(),
        Err(Error::Api { status: 503, .. })
    ));
    // Pauses of 75 to 125 ms fit a 300 ms budget two to four times, far below max_retries.
    let calls = list.calls();
    assert!((2..=5).contains(&calls), "{calls} calls");
}
