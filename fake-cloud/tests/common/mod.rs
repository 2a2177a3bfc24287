//! Raw-HTTP helpers shared by the fake cloud's integration tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use infomaniak_fake_cloud::FakeCloud;
use serde_json::{Value, json};

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("bad json {e}: {}", self.body))
    }
}

pub fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<Resp> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "closed",
        ));
    }
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    Ok(Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

pub fn raw_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> String {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    req
}

pub fn connect(url: &str) -> TcpStream {
    let rest = url.trim_start_matches("http://");
    let host = &rest[..rest.find('/').unwrap_or(rest.len())];
    let s = TcpStream::connect(host).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

pub fn try_send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<Resp> {
    let mut s = connect(url);
    let mut h: Vec<(&str, &str)> = headers.to_vec();
    h.push(("Connection", "close"));
    s.write_all(raw_request(method, url, &h, body).as_bytes())?;
    let mut reader = BufReader::new(s);
    read_response(&mut reader)
}

pub fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Resp {
    try_send(method, url, headers, body).expect("request failed")
}

pub fn app_cred_body() -> String {
    json!({"auth": {"identity": {"methods": ["application_credential"],
        "application_credential": {"id": FakeCloud::APP_CREDENTIAL_ID, "secret": FakeCloud::APP_CREDENTIAL_SECRET}}}})
    .to_string()
}

pub fn token(cloud: &FakeCloud) -> String {
    let r = send(
        "POST",
        &format!("{}/auth/tokens", cloud.auth_url()),
        &[],
        Some(&app_cred_body()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.header("x-subject-token")
        .expect("token header")
        .to_string()
}

pub struct Client<'a> {
    pub cloud: &'a FakeCloud,
    pub token: String,
    pub version: String,
    /// Block-storage endpoint the relative paths of `call` go to.
    pub base: String,
}

impl<'a> Client<'a> {
    pub fn new(cloud: &'a FakeCloud) -> Client<'a> {
        Client {
            cloud,
            token: token(cloud),
            version: "volume 3.60".into(),
            base: cloud.block_storage_url(),
        }
    }

    /// A client of the second project (`OTHER_APP_CREDENTIAL_ID`).
    pub fn other(cloud: &'a FakeCloud) -> Client<'a> {
        let r = app_cred_auth(
            cloud,
            FakeCloud::OTHER_APP_CREDENTIAL_ID,
            FakeCloud::OTHER_APP_CREDENTIAL_SECRET,
        );
        assert_eq!(r.status, 201, "{}", r.body);
        Client {
            cloud,
            token: r.header("x-subject-token").unwrap().to_string(),
            version: "volume 3.60".into(),
            base: cloud.other_block_storage_url(),
        }
    }

    /// `POST path` with a JSON body.
    pub fn post(&self, path: &str, body: Value) -> Resp {
        self.call("POST", path, Some(body))
    }

    /// The same client at another volume microversion.
    pub fn at(&self, version: &str) -> Client<'a> {
        Client {
            cloud: self.cloud,
            token: self.token.clone(),
            version: format!("volume {version}"),
            base: self.base.clone(),
        }
    }
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let b = body.map(|b| b.to_string());
        send(
            method,
            &url,
            &[
                ("X-Auth-Token", &self.token),
                ("OpenStack-API-Version", &self.version),
            ],
            b.as_deref(),
        )
    }
    pub fn nova(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        version: Option<&str>,
    ) -> Resp {
        let url = format!("{}{path}", self.cloud.compute_url());
        let b = body.map(|b| b.to_string());
        let mut h = vec![("X-Auth-Token", self.token.as_str())];
        if let Some(v) = version {
            h.push(("OpenStack-API-Version", v));
        }
        send(method, &url, &h, b.as_deref())
    }
    pub fn create_volume(&self, size: u64, name: &str) -> String {
        let r = self.call(
            "POST",
            "/volumes",
            Some(json!({"volume": {"size": size, "name": name}})),
        );
        assert_eq!(r.status, 202, "{}", r.body);
        r.json()["volume"]["id"].as_str().unwrap().to_string()
    }
}

pub fn instant_cloud() -> FakeCloud {
    FakeCloud::builder()
        .transition_delay(Duration::ZERO)
        .start()
}

pub fn wait_status(c: &Client, path: &str, key: &str, want: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = c.call("GET", path, None);
        let v = r.json();
        if v[key]["status"] == want {
            return v;
        }
        assert!(Instant::now() < deadline, "timeout waiting for {want}: {v}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Polls `GET path` until `pick(json)` is true (5 s at most).
pub fn wait_until(c: &Client, path: &str, pick: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let v = c.call("GET", path, None).json();
        if pick(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "timeout polling {path}: {v}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Polls the fake's own view of a volume until it has status `want`.
pub fn wait_volume(cloud: &FakeCloud, id: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while cloud.volume_status(id).as_deref() != Some(want) {
        assert!(
            Instant::now() < deadline,
            "volume {id} is {:?}, want {want}",
            cloud.volume_status(id)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `POST /auth/tokens` with an application credential.
pub fn app_cred_auth(cloud: &FakeCloud, id: &str, secret: &str) -> Resp {
    let body = json!({"auth": {"identity": {"methods": ["application_credential"],
        "application_credential": {"id": id, "secret": secret}}}});
    send(
        "POST",
        &format!("{}/auth/tokens", cloud.auth_url()),
        &[],
        Some(&body.to_string()),
    )
}
