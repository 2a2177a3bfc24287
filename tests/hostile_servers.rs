//! A hostile or broken server cannot hurt the caller (issue 10, point 8), all on loopback:
//! redirects are not followed and the origin they name receives nothing (no token, no
//! secret); a pagination link naming another origin is followed on the trusted endpoint
//! only; a lying token lifetime or a clock far off does not make every call authenticate;
//! a body beyond `max_body_bytes` (even announcing 10 GB) is an error, not unbounded memory;
//! a server that stalls after its headers, trickles them, answers garbage or hangs up is
//! bounded by the timeouts; a 200 that is not JSON is a decode error with its request id.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use httpmock::prelude::*;
use infomaniak_block_storage::{
    CreateVolumeOptions, Error, InfomaniakVolumeClient, ListOptions, RetryPolicy,
};
use serde_json::{Value, json};

const VOLUME: &str = "7a6b5c4d-0000-4000-8000-00000000beef";

// ----- redirects -----------------------------------------------------------------------------

fn redirect_to(server: &MockServer, method: httpmock::Method, path: String, status: u16, to: &str) {
    let location = to.to_string();
    server.mock(move |when, then| {
        when.method(method).path(path);
        then.status(status).header("Location", location);
    });
}

#[test]
fn a_redirect_to_another_origin_is_not_followed_and_that_origin_gets_nothing() {
    let evil = MockServer::start();
    let catch_all = evil.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(json!({"volume": {"id": VOLUME}}));
    });
    let server = common::server();
    let client = common::client(&server);

    for (status, method, path) in [
        (302, GET, format!("{}/volumes/{VOLUME}", common::CINDER)),
        (307, POST, format!("{}/volumes", common::CINDER)),
        (308, DELETE, format!("{}/volumes/{VOLUME}", common::CINDER)),
    ] {
        redirect_to(
            &server,
            method,
            path,
            status,
            &evil.url(format!("/steal{}/volumes/{VOLUME}", common::CINDER)),
        );
    }
    let get = client.try_get_volume(VOLUME).unwrap_err();
    assert_eq!(get.status(), Some(302), "{get:?}");
    let post = client
        .try_create_volume(1, "x", &CreateVolumeOptions::default())
        .unwrap_err();
    assert_eq!(post.status(), Some(307), "{post:?}");
    let delete = client
        .try_delete_volume(VOLUME, &Default::default())
        .unwrap_err();
    assert_eq!(delete.status(), Some(308), "{delete:?}");
    catch_all.assert_calls(0);
}

/// Keystone itself answers 307 to another origin: the credential's secret is not sent there.
#[test]
fn a_keystone_redirect_does_not_carry_the_secret_elsewhere() {
    let evil = MockServer::start();
    let catch_all = evil.mock(|when, then| {
        when.any_request();
        then.status(201).header("X-Subject-Token", "stolen");
    });
    let server = MockServer::start();
    redirect_to(
        &server,
        POST,
        common::AUTH_PATH.to_string(),
        307,
        &evil.url(common::AUTH_PATH),
    );
    let client = common::client(&server);
    match client.try_list_volumes() {
        Err(Error::Auth { status, .. }) => assert_eq!(status, Some(307)),
        other => panic!("expected Auth 307, got {other:?}"),
    }
    catch_all.assert_calls(0);
}

// ----- pagination links ------------------------------------------------------------------------

#[test]
fn a_next_link_to_another_origin_is_fetched_from_the_trusted_endpoint() {
    let evil = MockServer::start();
    let catch_all = evil.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({"volumes": []}));
    });
    let server = common::server();
    let detail = format!("{}/volumes/detail", common::CINDER);
    let first = server.mock(|when, then| {
        when.method(GET)
            .path(detail.clone())
            .query_param_missing("marker");
        then.status(200).json_body(json!({
            "volumes": [{"id": VOLUME, "status": "available", "size": 1}],
            "volumes_links": [{"rel": "next",
                "href": evil.url(format!("{detail}?limit=1&marker={VOLUME}"))}]}));
    });
    let second = server.mock(|when, then| {
        when.method(GET)
            .path(detail.clone())
            .query_param("marker", VOLUME)
            .query_param("limit", "1")
            .header("X-Auth-Token", common::TOKEN);
        then.status(200).json_body(json!({"volumes": [
            {"id": "7a6b5c4d-0000-4000-8000-00000000cafe", "status": "available", "size": 2}]}));
    });
    let client = common::client(&server);
    let all = client.try_list_volumes().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].size, 2);
    first.assert_calls(1);
    second.assert_calls(1);
    catch_all.assert_calls(0);
}

/// A next link that names the same page again ends the listing with an error, not a loop.
#[test]
fn a_next_link_that_repeats_is_an_error_not_a_loop() {
    let server = common::server();
    let detail = format!("{}/volumes/detail", common::CINDER);
    let page = server.mock(|when, then| {
        when.method(GET).path(detail.clone());
        then.status(200).json_body(json!({
            "volumes": [{"id": VOLUME, "status": "available", "size": 1}],
            "volumes_links": [{"rel": "next",
                "href": server.url(format!("{detail}?marker={VOLUME}"))}]}));
    });
    let client = common::client(&server);
    let err = client.try_list_volumes().unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("twice"), "{err}");
    page.assert_calls(2);
}

// ----- lying tokens and far clocks ---------------------------------------------------------------

fn keystone_with<'a>(
    server: &'a MockServer,
    expires_at: Option<&str>,
    issued_at: Option<&str>,
) -> httpmock::Mock<'a> {
    let mut body = common::token_body(&server.base_url());
    let token = body["token"].as_object_mut().unwrap();
    match expires_at {
        Some(at) => token.insert("expires_at".into(), Value::from(at)),
        None => token.remove("expires_at"),
    };
    match issued_at {
        Some(at) => token.insert("issued_at".into(), Value::from(at)),
        None => token.remove("issued_at"),
    };
    server.mock(|when, then| {
        when.method(POST).path(common::AUTH_PATH);
        then.status(201)
            .header("X-Subject-Token", common::TOKEN)
            .json_body(body);
    })
}

fn ten_listings(expires_at: Option<&str>, issued_at: Option<&str>) -> usize {
    let server = MockServer::start();
    let keystone = keystone_with(&server, expires_at, issued_at);
    let list = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER));
        then.status(200).json_body(json!({"volumes": []}));
    });
    let client = common::client(&server);
    for _ in 0..10 {
        client.try_list_volumes().unwrap();
    }
    list.assert_calls(10);
    keystone.calls()
}

#[test]
fn a_token_issued_and_expiring_at_once_does_not_authenticate_every_call() {
    let at = "2026-12-02T06:00:00.000000Z";
    let auths = ten_listings(Some(at), Some(at));
    assert!(auths <= 3, "{auths} authentications for 10 calls");
}

#[test]
fn a_token_expired_before_it_was_issued_does_not_authenticate_every_call() {
    let auths = ten_listings(
        Some("2001-01-01T00:00:00.000000Z"),
        Some("2026-12-02T06:00:00.000000Z"),
    );
    assert!(auths <= 3, "{auths} authentications for 10 calls");
}

#[test]
fn a_token_expired_by_this_clock_without_issued_at_does_not_authenticate_every_call() {
    let auths = ten_listings(Some("2001-01-01T00:00:00.000000Z"), None);
    assert!(auths <= 3, "{auths} authentications for 10 calls");
}

/// Keystone's clock is 25 years behind: the hour it grants is an hour here too.
#[test]
fn a_keystone_clock_far_in_the_past_still_gives_an_hour() {
    let auths = ten_listings(
        Some("2001-01-01T01:00:00.000000Z"),
        Some("2001-01-01T00:00:00.000000Z"),
    );
    assert_eq!(auths, 1);
}

/// An expiry that is not a time is a broken Keystone: a decode error naming the field, not
/// a token used blindly.
#[test]
fn a_garbage_expiry_is_a_decode_error_naming_the_field() {
    let server = MockServer::start();
    keystone_with(&server, Some("not a date"), Some("yesterday"));
    let client = common::client(&server);
    let err = client.try_list_volumes().unwrap_err();
    let Error::Decode { what, message, .. } = &err else {
        panic!("expected Decode, got {err:?}")
    };
    assert!(what.contains("expires_at"), "{err:?}");
    assert!(message.contains("not a date"), "{err:?}");
}

// ----- raw servers: bodies, stalls, garbage -----------------------------------------------------

/// A raw TCP server on 127.0.0.1: each connection's request head is read, then `reply`
/// writes whatever it likes. Returns the base URL and a connection counter.
fn raw_server(reply: fn(&mut TcpStream)) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                loop {
                    line.clear();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) if line == "\r\n" => break,
                        Ok(_) => {}
                    }
                }
                reply(&mut stream);
            });
        }
    });
    (format!("http://{addr}"), connections)
}

/// A client whose Keystone is httpmock and whose Cinder is `base`, with `timeout` per
/// request and no retries unless asked.
fn raw_client(
    server: &MockServer,
    base: &str,
    timeout: Duration,
    retries: u32,
) -> InfomaniakVolumeClient {
    let mut config = common::config(server);
    config.block_storage_endpoint = Some(format!("{base}{}", common::CINDER));
    config.request_timeout = timeout;
    config.max_body_bytes = 64 * 1024;
    config.retry = if retries == 0 {
        RetryPolicy::none()
    } else {
        let mut retry = common::fast_retry();
        retry.max_retries = retries;
        retry
    };
    InfomaniakVolumeClient::new(config).unwrap()
}

fn endless(stream: &mut TcpStream) {
    let chunk = vec![b' '; 16 * 1024];
    while stream.write_all(&chunk).is_ok() {}
}

#[test]
fn a_body_announcing_ten_gigabytes_is_capped() {
    let (base, _) = raw_server(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{\"volumes\": [",
        );
        endless(s);
    });
    let server = common::server();
    let client = raw_client(&server, &base, Duration::from_secs(20), 0);
    let started = Instant::now();
    let err = client.try_list_volumes().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("max_body_bytes"), "{err}");
}

#[test]
fn an_endless_chunked_body_is_capped() {
    let (base, _) = raw_server(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        let chunk = format!("4000\r\n{}\r\n", " ".repeat(0x4000));
        while s.write_all(chunk.as_bytes()).is_ok() {}
    });
    let server = common::server();
    let client = raw_client(&server, &base, Duration::from_secs(20), 0);
    let err = client.try_get_volume(VOLUME).unwrap_err();
    assert!(err.to_string().contains("max_body_bytes"), "{err}");
}

#[test]
fn headers_then_a_stalled_body_time_out() {
    let (base, _) = raw_server(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"volume\": ",
        );
        thread::sleep(Duration::from_secs(20));
    });
    let server = common::server();
    let timeout = Duration::from_millis(800);
    let client = raw_client(&server, &base, timeout, 0);
    client.try_authenticate().unwrap();
    let started = Instant::now();
    let err = client.try_get_volume(VOLUME).unwrap_err();
    let took = started.elapsed();
    assert!(took < timeout + Duration::from_millis(1500), "{took:?}");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

/// Headers trickled one byte at a time, forever (slowloris in reverse).
#[test]
fn trickled_headers_time_out() {
    let (base, _) = raw_server(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\n");
        for _ in 0..400 {
            if s.write_all(b"X").is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
    });
    let server = common::server();
    let timeout = Duration::from_millis(800);
    let client = raw_client(&server, &base, timeout, 0);
    client.try_authenticate().unwrap();
    let started = Instant::now();
    let err = client.try_list_volumes().unwrap_err();
    let took = started.elapsed();
    assert!(took < timeout + Duration::from_millis(1500), "{took:?}");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[test]
fn garbage_instead_of_http_is_a_transport_error_retried_within_the_budget() {
    let (base, connections) = raw_server(|s| {
        let _ = s.write_all(b"\x00\xff\xfeSSH-2.0-OpenSSH_9.6\r\n\x16\x03\x01garbage\r\n\r\n");
    });
    let server = common::server();
    let client = raw_client(&server, &base, Duration::from_secs(5), 2);
    client.try_authenticate().unwrap();
    let started = Instant::now();
    let err = client.try_list_volumes().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    // A GET: one try and two retries, each on a fresh connection (a broken one is not kept).
    assert_eq!(connections.load(Ordering::SeqCst), 3);

    // A POST meeting garbage is not sent again.
    let before = connections.load(Ordering::SeqCst);
    let err = client
        .try_create_volume(1, "x", &CreateVolumeOptions::default())
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst) - before, 1);
}

#[test]
fn a_bad_status_line_is_a_transport_error() {
    let (base, _) = raw_server(|s| {
        let _ = s.write_all(b"HTTP/1.1 abc Whatever\r\nContent-Length: 2\r\n\r\n{}");
    });
    let server = common::server();
    let client = raw_client(&server, &base, Duration::from_secs(5), 0);
    let err = client.try_get_volume(VOLUME).unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[test]
fn a_server_that_hangs_up_without_answering_is_a_transport_error() {
    let (base, connections) = raw_server(|s| {
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    let server = common::server();
    let client = raw_client(&server, &base, Duration::from_secs(5), 1);
    client.try_authenticate().unwrap();
    let err = client.try_get_volume(VOLUME).unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 2, "one GET retry");
}

/// A body that is exactly the cap is fine; one byte more is not.
#[test]
fn the_body_cap_is_exact() {
    fn reply_of(len: usize) -> Vec<u8> {
        let mut body = br#"{"volumes": [], "pad": ""#.to_vec();
        let tail = br#""}"#;
        body.resize(len - tail.len(), b'x');
        body.extend_from_slice(tail);
        let mut out = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(&body);
        out
    }
    let (at_cap, _) = raw_server(|s| {
        let _ = s.write_all(&reply_of(64 * 1024));
        let mut sink = [0u8; 1];
        let _ = s.read(&mut sink);
    });
    let (over_cap, _) = raw_server(|s| {
        let _ = s.write_all(&reply_of(64 * 1024 + 1));
        let mut sink = [0u8; 1];
        let _ = s.read(&mut sink);
    });
    let server = common::server();
    let ok = raw_client(&server, &at_cap, Duration::from_secs(5), 0);
    assert!(ok.try_list_volumes().unwrap().is_empty());
    let too_big = raw_client(&server, &over_cap, Duration::from_secs(5), 0);
    let err = too_big.try_list_volumes().unwrap_err();
    assert!(err.to_string().contains("max_body_bytes"), "{err}");
}

// ----- bodies that are not what they say ---------------------------------------------------------

#[test]
fn a_200_that_is_not_json_is_a_decode_error_with_the_request_id() {
    let server = common::server();
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/{VOLUME}", common::CINDER));
        then.status(200)
            .header("Content-Type", "text/html")
            .header("x-openstack-request-id", common::REQUEST_ID)
            .body("<html><body>Welcome to nginx!</body></html>");
    });
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER));
        then.status(200)
            .header("x-openstack-request-id", common::REQUEST_ID)
            .json_body(json!({"volumes": "not a list"}));
    });
    let client = common::client(&server);
    for err in [
        client.try_get_volume(VOLUME).unwrap_err(),
        client
            .try_list_volumes_with(&ListOptions::default())
            .unwrap_err(),
    ] {
        let Error::Decode { request_id, .. } = &err else {
            panic!("expected Decode, got {err:?}")
        };
        assert_eq!(request_id.as_deref(), Some(common::REQUEST_ID), "{err:?}");
        assert!(err.to_string().contains(common::REQUEST_ID), "{err}");
    }
}

// ----- replies that could make the client loop ------------------------------------------------

/// A server that refuses every version with 406, even the one its message names: one
/// fallback, then the 406 is the answer. No loop.
#[test]
fn a_406_that_refuses_its_own_maximum_falls_back_once_only() {
    let server = common::server();
    let refusing = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER));
        then.status(406).json_body(json!({"computeFault": {"code": 406,
            "message": "Version 3.67 is not supported by the API. Minimum is 3.0 and maximum is 3.60."}}));
    });
    let client = common::client(&server);
    let err = client.try_list_volumes().unwrap_err();
    assert_eq!(err.status(), Some(406), "{err:?}");
    refusing.assert_calls(2);
}

/// A 406 that claims a maximum above the version sent cannot lower anything: it is the
/// answer, not a reason to resend.
#[test]
fn a_406_claiming_a_higher_maximum_is_not_resent() {
    let server = common::server();
    let refusing = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER));
        then.status(406).json_body(json!({"computeFault": {"code": 406,
            "message": "Version 3.67 is not supported by the API. Minimum is 3.0 and maximum is 3.99."}}));
    });
    let client = common::client(&server);
    assert_eq!(client.try_list_volumes().unwrap_err().status(), Some(406));
    refusing.assert_calls(1);
    assert_eq!(client.try_volume_microversion().unwrap(), "3.67");
}

/// A header line that never ends: an error, not a buffer growing without bound.
#[test]
fn an_endless_header_line_is_an_error() {
    let (base, _) = raw_server(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nX-Endless: ");
        endless(s);
    });
    let server = common::server();
    let client = raw_client(&server, &base, Duration::from_secs(10), 0);
    let started = Instant::now();
    let err = client.try_get_volume(VOLUME).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

/// A Cinder that answers 401 to every token: one renewal, then an error; the next call
/// tries once more, never a storm.
#[test]
fn a_cinder_that_rejects_every_token_costs_one_renewal_per_call() {
    let server = MockServer::start();
    let keystone = common::mock_keystone(&server);
    let cinder = server.mock(|when, then| {
        when.method(GET)
            .path(format!("{}/volumes/detail", common::CINDER));
        then.status(401)
            .json_body(json!({"error": {"code": 401, "title": "Unauthorized",
                                        "message": "The request you have made requires authentication."}}));
    });
    let client = common::client(&server);
    for _ in 0..3 {
        match client.try_list_volumes() {
            Err(Error::Auth { status, .. }) => assert_eq!(status, Some(401)),
            other => panic!("expected Auth 401, got {other:?}"),
        }
    }
    cinder.assert_calls(6);
    keystone.assert_calls(4);
}
