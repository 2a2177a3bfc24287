//! Keystone v3: the token request body, the token reply and the endpoint map from its catalog.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::{Auth, Domain, Interface, Project, User};
use crate::error::{Error, Result};

/// The path of the token request below the auth URL.
/// Keystone v3 is the only identity API spoken, so a URL given without its `/v3` (as
/// `https://host/identity` or `https://host:5000`) gets it added.
pub(crate) fn tokens_url(auth_url: &str) -> String {
    let base = auth_url.trim_end_matches('/');
    if base.ends_with("/v3") {
        format!("{base}/auth/tokens")
    } else {
        format!("{base}/v3/auth/tokens")
    }
}

fn domain_json(domain: &Domain) -> Value {
    match domain {
        Domain::Id(id) => json!({ "id": id }),
        Domain::Name(name) => json!({ "name": name }),
    }
}

fn user_json(user: &User) -> Value {
    match user {
        User::Id(id) => json!({ "id": id }),
        User::Name { name, domain } => json!({ "name": name, "domain": domain_json(domain) }),
    }
}

fn project_scope(project: &Project) -> Value {
    let project = match project {
        Project::Id(id) => json!({ "id": id }),
        Project::Name { name, domain } => json!({ "name": name, "domain": domain_json(domain) }),
    };
    json!({ "project": project })
}

/// The body of `POST /v3/auth/tokens`. It holds the secret: it goes on the wire and nowhere else.
pub(crate) fn token_request_body(auth: &Auth) -> Value {
    match auth {
        // No scope: Keystone answers 401 to an application credential that carries one.
        Auth::ApplicationCredential { id, secret } => json!({
            "auth": { "identity": {
                "methods": ["application_credential"],
                "application_credential": { "id": id, "secret": secret.expose() }
            }}
        }),
        Auth::ApplicationCredentialName { name, user, secret } => json!({
            "auth": { "identity": {
                "methods": ["application_credential"],
                "application_credential": {
                    "name": name, "user": user_json(user), "secret": secret.expose()
                }
            }}
        }),
        Auth::Password {
            user,
            password,
            project,
        } => {
            let mut user = user_json(user);
            if let Some(map) = user.as_object_mut() {
                map.insert("password".into(), Value::String(password.expose().into()));
            }
            json!({
                "auth": {
                    "identity": { "methods": ["password"], "password": { "user": user } },
                    "scope": project_scope(project)
                }
            })
        }
        Auth::Token { token, project } => json!({
            "auth": {
                "identity": { "methods": ["token"], "token": { "id": token.expose() } },
                "scope": project_scope(project)
            }
        }),
    }
}

#[derive(Deserialize)]
struct TokenReply {
    token: TokenBody,
}

#[derive(Deserialize)]
struct TokenBody {
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    issued_at: Option<String>,
    #[serde(default)]
    catalog: Option<Vec<CatalogService>>,
    #[serde(default)]
    project: Option<IdOnly>,
}

#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct CatalogService {
    #[serde(rename = "type", default)]
    service_type: Option<String>,
    #[serde(default)]
    endpoints: Option<Vec<CatalogEndpoint>>,
}

#[derive(Debug, Clone, Deserialize)]
struct CatalogEndpoint {
    #[serde(default)]
    interface: Option<String>,
    #[serde(default)]
    region_id: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// What a successful authentication yields, minus the token itself.
#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub expires_at: Option<SystemTime>,
    pub issued_at: Option<SystemTime>,
    pub project_id: Option<String>,
    catalog: Vec<CatalogService>,
}

/// Decodes Keystone's token reply body.
pub(crate) fn parse_token_reply(body: &[u8], request_id: Option<&str>) -> Result<TokenInfo> {
    let reply: TokenReply = serde_json::from_slice(body)
        .map_err(|e| Error::json("Keystone token reply", e, request_id.map(str::to_string)))?;
    let expires_at = match reply.token.expires_at.as_deref() {
        None => None,
        Some(text) => Some(parse_iso8601(text).ok_or_else(|| {
            Error::decode(
                "Keystone token expires_at",
                format!("`{text}` is not an ISO-8601 time"),
                request_id.map(str::to_string),
            )
        })?),
    };
    Ok(TokenInfo {
        expires_at,
        // Only used to measure the lifetime: an unreadable one is as good as none.
        issued_at: reply.token.issued_at.as_deref().and_then(parse_iso8601),
        project_id: reply.token.project.and_then(|p| p.id),
        catalog: reply.token.catalog.unwrap_or_default(),
    })
}

impl TokenInfo {
    /// The endpoint of the first service type in `types` with an endpoint of that interface in
    /// that region.
    pub(crate) fn endpoint(
        &self,
        types: &[&str],
        region: &str,
        interface: Interface,
    ) -> Result<String> {
        for wanted in types {
            let services = self
                .catalog
                .iter()
                .filter(|s| s.service_type.as_deref() == Some(*wanted));
            for service in services {
                let endpoints = service.endpoints.iter().flatten();
                for endpoint in endpoints {
                    let region_matches =
                        endpoint.region_id.as_deref().or(endpoint.region.as_deref())
                            == Some(region);
                    let interface_matches =
                        endpoint.interface.as_deref().and_then(Interface::parse) == Some(interface);
                    if region_matches && interface_matches {
                        if let Some(url) = endpoint.url.as_deref().filter(|u| !u.is_empty()) {
                            return Ok(url.trim_end_matches('/').to_string());
                        }
                    }
                }
            }
        }
        Err(Error::EndpointNotFound {
            service: types.first().copied().unwrap_or_default().to_string(),
            region: region.to_string(),
            interface: interface.as_str().to_string(),
        })
    }
}

/// Parses `2026-11-29T12:00:00.000000Z`, `...+00:00` and zone-less forms (taken as UTC).
pub(crate) fn parse_iso8601(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', ' '])?;
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    // Bounded so that no arithmetic below can overflow, whatever a server sends.
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Split off the zone: `Z`, `+hh:mm`, `-hh:mm` or nothing.
    let (clock, offset_secs) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0i64)
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let (clock, zone) = rest.split_at(pos);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = zone.get(1..)?;
        let (h, m) = zone.split_once(':').unwrap_or((zone, "0"));
        let h: i64 = h.parse().ok()?;
        let m: i64 = m.parse().ok()?;
        if !(0..=23).contains(&h) || !(0..=59).contains(&m) {
            return None;
        }
        (clock, sign * (h * 3600 + m * 60))
    } else {
        (rest, 0)
    };
    let mut hms = clock.splitn(3, ':');
    let hour: i64 = hms.next()?.parse().ok()?;
    let minute: i64 = hms.next()?.parse().ok()?;
    let seconds_text = hms.next().unwrap_or("0");
    let (whole, fraction) = seconds_text.split_once('.').unwrap_or((seconds_text, ""));
    let second: i64 = whole.parse().ok()?;
    if !(0..=23).contains(&hour) || !(0..=59).contains(&minute) || !(0..=60).contains(&second) {
        return None;
    }
    let nanos: u32 = if fraction.is_empty() {
        0
    } else {
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: String = fraction
            .chars()
            .chain("000000000".chars())
            .take(9)
            .collect();
        digits.parse().ok()?
    };
    let days = days_from_civil(year, month, day);
    let secs = days
        .checked_mul(86_400)?
        .checked_add(hour * 3600 + minute * 60 + second)?
        .checked_sub(offset_secs)?;
    let secs = u64::try_from(secs).ok()?;
    UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

/// Parses an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), as sent in `Retry-After`.
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let mut parts = text.split_whitespace();
    let _weekday = parts.next()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let clock = parts.next()?;
    if parts.next()? != "GMT" {
        return None;
    }
    parse_iso8601(&format!("{year:04}-{month:02}-{day:02}T{clock}Z"))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keystone_times() {
        let t = parse_iso8601("2015-11-09T01:42:57.527363Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap(),
            Duration::new(1_447_033_377, 527_363_000)
        );
        let plus = parse_iso8601("2015-11-09T02:42:57+01:00").unwrap();
        assert_eq!(
            plus.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_447_033_377
        );
        let bare = parse_iso8601("1970-01-01T00:00:00").unwrap();
        assert_eq!(bare, UNIX_EPOCH);
        assert_eq!(
            parse_iso8601("2024-02-29T00:00:00Z")
                .unwrap()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
            1_709_164_800
        );
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT")
                .unwrap()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
            784_111_777
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37"), None);
        assert_eq!(
            parse_http_date("Sun, 06 Nov 99999999999999 08:49:37 GMT"),
            None
        );
        for bad in [
            "9223372036854775807-01-01T00:00:00Z",
            "2015-11-09T01:42:57+9999999999999999:00",
            "2015-11-09T01:42:57+01:99",
            "2015-11-09T-1:42:57Z",
            "",
            "nonsense",
            "2015-13-01T00:00:00Z",
            "2015-11-09T25:00:00Z",
            "2015-11-09",
            "1969-01-01T00:00:00Z",
            "2015-11-09T01:42:57.x5Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }
}
