//! Proxies from the standard environment variables are honoured. Only one test in this
//! binary touches the process environment.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use infomaniak_block_storage::{Config, InfomaniakVolumeClient, RetryPolicy};

#[test]
fn http_proxy_from_the_environment_carries_the_requests() {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.local_addr().unwrap().port());
    let (seen, received) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = proxy.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        // ureq tunnels through the proxy: CONNECT first, then the request inside the tunnel.
        let (connect_line, _) = read_head(&mut reader);
        stream
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .unwrap();
        let (request_line, length) = read_head(&mut reader);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        seen.send(connect_line).unwrap();
        seen.send(request_line).unwrap();
        let token = common::token_body("http://keystone.example.invalid").to_string();
        let reply = format!(
            "HTTP/1.1 201 Created\r\nX-Subject-Token: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{token}",
            common::TOKEN,
            token.len()
        );
        stream.write_all(reply.as_bytes()).unwrap();
    });

    // The only test in this binary: nothing else reads the environment concurrently.
    for name in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("HTTP_PROXY", &proxy_url);

    let mut config = Config::application_credential(common::APP_CRED_ID, common::APP_CRED_SECRET);
    // A name that resolves nowhere: only the proxy can carry this request.
    config.auth_url = "http://keystone.example.invalid/identity/v3".into();
    config.retry = RetryPolicy::none();
    let client = InfomaniakVolumeClient::new(config).unwrap();
    assert_eq!(client.try_authenticate(), Ok(()));
    assert_eq!(
        received.recv().unwrap(),
        "CONNECT keystone.example.invalid:80 HTTP/1.1"
    );
    assert_eq!(
        received.recv().unwrap(),
        "POST /identity/v3/auth/tokens HTTP/1.1"
    );
}

/// Reads a request line and headers; returns the line and the Content-Length.
fn read_head(reader: &mut impl BufRead) -> (String, usize) {
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
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

#[test]
fn an_invalid_proxy_url_is_a_config_error_that_does_not_repeat_it() {
    use infomaniak_block_storage::{Error, ProxySetting, Secret};
    let mut config = Config::application_credential("id", "secret");
    config.proxy = ProxySetting::Url(Secret::new("ftp://user:hunter2@proxy"));
    match InfomaniakVolumeClient::new(config.clone()) {
        Err(Error::Config { message }) => {
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
