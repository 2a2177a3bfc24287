//! Proxies from the standard environment variables are honoured, following curl:
//! `http_proxy` for `http://` URLs, `https_proxy` for `https://` URLs, `all_proxy` for both,
//! `no_proxy` to go direct, and loopback hosts are never proxied.
//!
//! The proxy variables are read from the process environment when a client is built. Rather
//! than changing this process's environment (unsafe in edition 2024, and racy with the other
//! tests of this binary), each such test runs [`child_authenticates`] in a child process
//! whose environment holds exactly the variables the test names: the machine's own proxy and
//! `OS_*` variables never get in. The proxy and the mock Keystone run in this process, on
//! 127.0.0.1, and the child reaches them through its proxy settings.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use httpmock::prelude::*;
use infomaniak_block_storage::{
    Config, Error, InfomaniakVolumeClient, ProxySetting, RetryPolicy, Secret,
};

/// In the child process: the auth URL to authenticate against.
const CHILD_AUTH_URL: &str = "IBS_PROXY_TEST_CHILD_AUTH_URL";
/// A proxy that never carries anything: nothing listens on port 9 (discard) of loopback, so
/// a request sent to it fails at once.
const DEAD_PROXY: &str = "http://127.0.0.1:9";
/// A name that resolves nowhere: only a proxy can carry a request to it.
const NOWHERE_HTTP: &str = "http://keystone.example.invalid/identity/v3";
const NOWHERE_HTTPS: &str = "https://keystone.example.invalid/identity/v3";

/// Run by the tests below in a child process (does nothing otherwise): builds a client with
/// the default `ProxySetting::FromEnvironment` for the auth URL in [`CHILD_AUTH_URL`],
/// authenticates once and prints the outcome.
#[test]
fn child_authenticates() {
    let Ok(auth_url) = std::env::var(CHILD_AUTH_URL) else {
        return;
    };
    let mut config = Config::application_credential(common::APP_CRED_ID, common::APP_CRED_SECRET);
    assert_eq!(config.proxy, ProxySetting::FromEnvironment);
    config.auth_url = auth_url;
    config.retry = RetryPolicy::none();
    config.connect_timeout = Duration::from_secs(3);
    config.request_timeout = Duration::from_secs(5);
    let client = InfomaniakVolumeClient::new(config).unwrap();
    match client.try_authenticate() {
        Ok(()) => println!("RESULT: ok"),
        Err(e) => println!("RESULT: {e:?} / {e}"),
    }
}

/// Runs [`child_authenticates`] against `auth_url` with exactly `env` as its environment;
/// returns its `RESULT:` line.
fn authenticate_in_child(auth_url: &str, env: &[(&str, &str)]) -> String {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_authenticates",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .env(CHILD_AUTH_URL, auth_url)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    stdout
        .lines()
        .find_map(|line| line.split_once("RESULT: ").map(|(_, result)| result))
        .unwrap_or_else(|| panic!("child printed no result:\n{stdout}\n{stderr}"))
        .to_string()
}

/// An HTTP proxy on 127.0.0.1 that reports the first line of every request it gets. With
/// `answer`, it accepts a CONNECT tunnel and answers the request inside as Keystone would;
/// otherwise it hangs up after reading the request.
fn recording_proxy(answer: bool) -> (String, mpsc::Receiver<String>) {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.local_addr().unwrap().port());
    let (seen, received) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for stream in proxy.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            // ureq tunnels through the proxy: CONNECT first, then the request inside.
            let (connect_line, _) = read_head(&mut reader);
            let _ = seen.send(connect_line);
            if !answer {
                continue;
            }
            stream
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .unwrap();
            let (request_line, length) = read_head(&mut reader);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = seen.send(request_line);
            let token = common::token_body("http://keystone.example.invalid").to_string();
            let reply = format!(
                "HTTP/1.1 201 Created\r\nX-Subject-Token: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{token}",
                common::TOKEN,
                token.len()
            );
            stream.write_all(reply.as_bytes()).unwrap();
        }
    });
    (proxy_url, received)
}

/// Reads a request line and headers; returns the line and the Content-Length.
fn read_head(reader: &mut impl BufRead) -> (String, usize) {
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap_or(0);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    (request_line.trim_end().to_string(), length)
}

/// Everything the proxy reported so far (the child has exited, so nothing more comes).
fn lines(received: &mpsc::Receiver<String>) -> Vec<String> {
    received.try_iter().collect()
}

/// A mock Keystone on 127.0.0.1 and its auth URL through `0.0.0.0`: an address that is not
/// loopback to the proxy rules (so a proxy applies to it) yet, on Linux, connects to this
/// machine — a request that reaches the mock went direct.
fn direct_keystone(server: &MockServer) -> (httpmock::Mock<'_>, String) {
    let keystone = common::mock_keystone(server);
    let url = format!("http://0.0.0.0:{}/identity/v3", server.port());
    (keystone, url)
}

#[test]
fn http_proxy_from_the_environment_carries_the_requests() {
    let (proxy_url, received) = recording_proxy(true);
    let result = authenticate_in_child(NOWHERE_HTTP, &[("HTTP_PROXY", &proxy_url)]);
    assert_eq!(result, "ok");
    assert_eq!(
        lines(&received),
        [
            "CONNECT keystone.example.invalid:80 HTTP/1.1",
            "POST /identity/v3/auth/tokens HTTP/1.1"
        ]
    );
}

#[test]
fn lower_case_http_proxy_wins_over_upper_case() {
    let (proxy_url, received) = recording_proxy(true);
    let result = authenticate_in_child(
        NOWHERE_HTTP,
        &[("http_proxy", &proxy_url), ("HTTP_PROXY", DEAD_PROXY)],
    );
    assert_eq!(result, "ok");
    assert_eq!(lines(&received).len(), 2);
}

#[test]
fn all_proxy_carries_http_requests_when_http_proxy_is_unset() {
    let (proxy_url, received) = recording_proxy(true);
    let result = authenticate_in_child(NOWHERE_HTTP, &[("ALL_PROXY", &proxy_url)]);
    assert_eq!(result, "ok");
    assert_eq!(
        lines(&received),
        [
            "CONNECT keystone.example.invalid:80 HTTP/1.1",
            "POST /identity/v3/auth/tokens HTTP/1.1"
        ]
    );
}

#[test]
fn https_proxy_carries_https_requests_and_http_proxy_does_not() {
    // The recording proxy hangs up after the CONNECT: the handshake fails, but the tunnel
    // was asked of the HTTPS proxy, not the HTTP one.
    let (proxy_url, received) = recording_proxy(false);
    let result = authenticate_in_child(
        NOWHERE_HTTPS,
        &[("HTTPS_PROXY", &proxy_url), ("HTTP_PROXY", DEAD_PROXY)],
    );
    assert!(result.starts_with("Transport"), "{result}");
    assert_eq!(
        lines(&received),
        ["CONNECT keystone.example.invalid:443 HTTP/1.1"]
    );
}

#[test]
fn https_proxy_alone_leaves_http_requests_direct() {
    let server = MockServer::start();
    let (keystone, auth_url) = direct_keystone(&server);
    let (proxy_url, received) = recording_proxy(false);
    let result = authenticate_in_child(&auth_url, &[("HTTPS_PROXY", &proxy_url)]);
    assert_eq!(result, "ok");
    keystone.assert_calls(1);
    assert_eq!(lines(&received), Vec::<String>::new());
}

#[test]
fn no_proxy_sends_matching_hosts_direct() {
    let server = MockServer::start();
    let (keystone, auth_url) = direct_keystone(&server);
    let port = server.port();

    // Control: without NO_PROXY, that host goes through the proxy.
    let (proxy_url, received) = recording_proxy(false);
    let result = authenticate_in_child(&auth_url, &[("HTTP_PROXY", &proxy_url)]);
    assert!(result.starts_with("Transport"), "{result}");
    assert_eq!(
        lines(&received),
        [format!("CONNECT 0.0.0.0:{port} HTTP/1.1")]
    );
    keystone.assert_calls(0);

    // An IP, a CIDR block, an IP with the right port, `*`; in either case.
    let with_port = format!("0.0.0.0:{port}");
    for (name, value) in [
        ("NO_PROXY", "keystone.example.org, 0.0.0.0"),
        ("no_proxy", "10.0.0.0/8,0.0.0.0/8"),
        ("NO_PROXY", with_port.as_str()),
        ("no_proxy", "*"),
    ] {
        let result = authenticate_in_child(&auth_url, &[("HTTP_PROXY", &proxy_url), (name, value)]);
        assert_eq!(result, "ok", "{name}={value}");
        assert_eq!(lines(&received), Vec::<String>::new(), "{name}={value}");
    }
    keystone.assert_calls(4);

    // An entry for another port does not match.
    let other_port = format!("0.0.0.0:{}", port.wrapping_add(1));
    let result = authenticate_in_child(
        &auth_url,
        &[("HTTP_PROXY", &proxy_url), ("NO_PROXY", &other_port)],
    );
    assert!(result.starts_with("Transport"), "{result}");
    assert_eq!(lines(&received).len(), 1);
    keystone.assert_calls(4);
}

#[test]
fn loopback_is_never_proxied_even_when_every_proxy_variable_is_set() {
    let server = MockServer::start();
    let keystone = common::mock_keystone(&server);
    let result = authenticate_in_child(
        &server.url("/identity/v3"),
        &[
            ("HTTP_PROXY", DEAD_PROXY),
            ("HTTPS_PROXY", DEAD_PROXY),
            ("ALL_PROXY", DEAD_PROXY),
            ("http_proxy", DEAD_PROXY),
        ],
    );
    assert_eq!(result, "ok");
    keystone.assert_calls(1);
}

#[test]
fn loopback_is_never_proxied_with_an_explicit_proxy_either() {
    let server = MockServer::start();
    let keystone = common::mock_keystone(&server);
    let mut config = common::config(&server);
    config.proxy = ProxySetting::Url(Secret::new(DEAD_PROXY));
    let client = InfomaniakVolumeClient::new(config).unwrap();
    assert_eq!(client.try_authenticate(), Ok(()));
    keystone.assert_calls(1);
}

#[test]
fn an_invalid_proxy_url_is_a_config_error_that_does_not_repeat_it() {
    let mut config = Config::application_credential("id", "secret");
    config.proxy = ProxySetting::Url(Secret::new("ftp://user:hunter2@proxy"));
    match InfomaniakVolumeClient::new(config.clone()) {
        Err(Error::Config { message, .. }) => {
            assert!(
                message.starts_with("proxy is not a valid proxy URL"),
                "{message}"
            );
            assert!(!message.contains("hunter2"), "{message}");
        }
        other => panic!("expected Config, got {other:?}"),
    }
    assert!(!format!("{config:?}").contains("hunter2"));
}
