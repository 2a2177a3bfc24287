//! A deliberately small HTTP/1.1 server: one thread per connection, keep-alive,
//! `Content-Length` request bodies only.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::Shared;

/// Largest accepted request head (request line + headers).
const MAX_HEAD: usize = 64 * 1024;
/// Largest accepted request body.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A parsed HTTP request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// Raw path, without the query string (not percent-decoded).
    pub(crate) path: String,
    /// Raw query string without `?` (empty when absent).
    pub(crate) query: String,
    /// Headers with lower-cased names, in arrival order.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// Whether the connection should stay open afterwards.
    pub(crate) keep_alive: bool,
    /// The `x-openstack-request-id` this request will be answered with.
    pub(crate) request_id: String,
}

impl Request {
    /// First header value with that (case-insensitive) name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response to write back.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// Close the socket without writing anything.
    pub(crate) drop_connection: bool,
}

impl Response {
    /// A response with a JSON body.
    pub(crate) fn json(status: u16, value: &serde_json::Value) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: value.to_string().into_bytes(),
            drop_connection: false,
        }
    }

    /// A response without a body.
    pub(crate) fn empty(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            drop_connection: false,
        }
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Whether a header of that name was set.
    pub(crate) fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    }
}

/// Standard reason phrases.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        300 => "Multiple Choices",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

enum Parsed {
    /// A full request and how many buffer bytes it used.
    Complete(Box<Request>, usize),
    /// More bytes needed; `expect_continue` is set once the head is complete
    /// and the client asked for `100 Continue`.
    Incomplete { expect_continue: bool },
    /// Unrecoverable protocol error: answer with this status and close.
    Error(u16, &'static str),
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

fn parse(buf: &[u8]) -> Parsed {
    let head_end = match find_head_end(buf) {
        Some(e) => e,
        None => {
            if buf.len() > MAX_HEAD {
                return Parsed::Error(431, "request head too large");
            }
            return Parsed::Incomplete {
                expect_continue: false,
            };
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end - 4]);
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ').filter(|p| !p.is_empty());
    let (method, target, version) = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v)) => (m.to_string(), t.to_string(), v.to_string()),
        _ => return Parsed::Error(400, "malformed request line"),
    };
    if !version.starts_with("HTTP/1.") {
        return Parsed::Error(400, "unsupported HTTP version");
    }
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        match line.split_once(':') {
            Some((k, v)) => headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string())),
            None => return Parsed::Error(400, "malformed header line"),
        }
    }
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    if let Some(te) = get("transfer-encoding") {
        if !te.eq_ignore_ascii_case("identity") {
            return Parsed::Error(
                411,
                "chunked request bodies are not supported; send Content-Length",
            );
        }
    }
    let content_length = match get("content-length") {
        None => 0,
        Some(v) => match v.parse::<usize>() {
            Ok(n) => n,
            Err(_) => return Parsed::Error(400, "invalid Content-Length"),
        },
    };
    if content_length > MAX_BODY {
        return Parsed::Error(413, "request body too large");
    }
    if buf.len() < head_end + content_length {
        let expect_continue = get("expect")
            .map(|v| v.eq_ignore_ascii_case("100-continue"))
            .unwrap_or(false);
        return Parsed::Incomplete { expect_continue };
    }
    let connection = get("connection").map(|v| v.to_ascii_lowercase());
    let keep_alive = match connection.as_deref() {
        Some(c) if c.contains("close") => false,
        Some(c) if c.contains("keep-alive") => true,
        _ => version == "HTTP/1.1",
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    // Absolute-form targets ("http://host/path") are reduced to the path.
    let path = if let Some(rest) = path.strip_prefix("http://") {
        match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".to_string(),
        }
    } else {
        path
    };
    let body = buf[head_end..head_end + content_length].to_vec();
    Parsed::Complete(
        Box::new(Request {
            method,
            path,
            query,
            headers,
            body,
            keep_alive,
            request_id: String::new(),
        }),
        head_end + content_length,
    )
}

fn write_response(
    stream: &mut TcpStream,
    resp: &Response,
    keep_alive: bool,
) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        out.push_str(k);
        out.push_str(": ");
        out.push_str(v);
        out.push_str("\r\n");
    }
    out.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    if !keep_alive {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&resp.body);
    stream.write_all(&bytes)?;
    stream.flush()
}

/// Serves one TCP connection until it is closed, a protocol error occurs,
/// or the cloud is stopped.
pub(crate) fn serve_connection(shared: Arc<Shared>, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let mut continue_sent = false;
    loop {
        match parse(&buf) {
            Parsed::Complete(req, used) => {
                buf.drain(..used);
                continue_sent = false;
                let keep_alive = req.keep_alive;
                let resp = crate::handle(&shared, *req);
                if resp.drop_connection {
                    let _ = stream.shutdown(Shutdown::Both);
                    return;
                }
                if write_response(&mut stream, &resp, keep_alive).is_err() || !keep_alive {
                    let _ = stream.shutdown(Shutdown::Both);
                    return;
                }
                continue;
            }
            Parsed::Error(status, msg) => {
                let body = serde_json::json!({"badRequest": {"code": status, "message": msg}});
                let resp = Response::json(status, &body);
                let _ = write_response(&mut stream, &resp, false);
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Parsed::Incomplete { expect_continue } => {
                if expect_continue && !continue_sent {
                    continue_sent = true;
                    if stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
                        return;
                    }
                }
            }
        }
        if shared.stop.load(Ordering::SeqCst) {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_requests() {
        let raw = b"POST /a/b?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}rest";
        match parse(raw) {
            Parsed::Complete(r, used) => {
                assert_eq!(r.method, "POST");
                assert_eq!(r.path, "/a/b");
                assert_eq!(r.query, "x=1");
                assert_eq!(r.body, b"{}");
                assert!(r.keep_alive);
                assert_eq!(used, raw.len() - 4);
            }
            _ => panic!("expected complete"),
        }
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\n"),
            Parsed::Incomplete { .. }
        ));
        assert!(matches!(parse(b"garbage\r\n\r\n"), Parsed::Error(400, _)));
        assert!(matches!(
            parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Parsed::Error(411, _)
        ));
        assert!(matches!(
            parse(b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"),
            Parsed::Error(400, _)
        ));
    }
}
