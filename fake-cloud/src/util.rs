//! Small helpers: time formatting, pseudo-random ids, URL decoding.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Lock-free pseudo-random generator (splitmix64 over an atomic counter).
#[derive(Debug)]
pub(crate) struct Rng {
    state: AtomicU64,
}

impl Rng {
    pub(crate) fn new() -> Rng {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x1234_5678);
        let addr = &nanos as *const u64 as u64;
        Rng {
            state: AtomicU64::new(nanos ^ addr.rotate_left(32)),
        }
    }

    pub(crate) fn next_u64(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A random UUID-v4-shaped string.
    pub(crate) fn uuid(&self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            (a as u16) & 0x0fff,
            8 + ((b >> 62) & 0x3),
            (b >> 48) as u16 & 0x0fff,
            b & 0xffff_ffff_ffff
        )
    }

    /// `req-<uuid>` as used by `x-openstack-request-id`.
    pub(crate) fn request_id(&self) -> String {
        format!("req-{}", self.uuid())
    }

    /// 32 hex characters.
    pub(crate) fn hex32(&self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }
}

/// Broken-down UTC time.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    micros: u32,
}

fn civil(t: SystemTime) -> Civil {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let secs = d.as_secs() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = if month <= 2 { y + 1 } else { y };
    Civil {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        minute: ((rem % 3600) / 60) as u32,
        second: (rem % 60) as u32,
        micros: d.subsec_micros(),
    }
}

/// Cinder style: `2018-11-28T06:25:15.288987` (no zone).
pub(crate) fn cinder_time(t: SystemTime) -> String {
    let c = civil(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.micros
    )
}

/// Keystone style: `2026-11-29T12:00:00.000000Z`.
pub(crate) fn keystone_time(t: SystemTime) -> String {
    let c = civil(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000000Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `Instant::now() + d`, saturating instead of panicking on overflow.
pub(crate) fn instant_after(d: Duration) -> std::time::Instant {
    let now = std::time::Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

/// `SystemTime::now() + d`, saturating instead of panicking on overflow.
pub(crate) fn system_after(d: Duration) -> SystemTime {
    let now = SystemTime::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

/// Cinder time for "now".
pub(crate) fn now_cinder() -> String {
    cinder_time(SystemTime::now())
}

/// Percent-decodes a URL component (`+` becomes a space when `plus` is set).
pub(crate) fn percent_decode(s: &str, plus: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        if b == b'+' && plus {
            out.push(b' ');
        } else {
            out.push(b);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses a query string into decoded `(key, value)` pairs, keeping the raw pair too.
pub(crate) fn parse_query(q: &str) -> Vec<(String, String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(k, true),
                percent_decode(v, true),
                p.to_string(),
            )
        })
        .collect()
}

/// Percent-encodes a query value.
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epoch_and_known_dates() {
        assert_eq!(cinder_time(UNIX_EPOCH), "1970-01-01T00:00:00.000000");
        let t = UNIX_EPOCH + Duration::from_secs(1_543_386_315) + Duration::from_micros(288_987);
        assert_eq!(cinder_time(t), "2018-11-28T06:25:15.288987");
        assert_eq!(keystone_time(t), "2018-11-28T06:25:15.000000Z");
    }

    #[test]
    fn decodes() {
        assert_eq!(percent_decode("a%20b+c", true), "a b c");
        assert_eq!(percent_decode("a%2", false), "a%2");
        assert_eq!(percent_decode("%zz%", false), "%zz%");
        let q = parse_query("limit=2&name=x%20y&flag");
        assert_eq!(q[1].1, "x y");
        assert_eq!(q[2].0, "flag");
    }

    #[test]
    fn uuids_look_right() {
        let r = Rng::new();
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(u, r.uuid());
    }
}
