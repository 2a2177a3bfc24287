//! Checks run before any request leaves, so that bad input never reaches the cloud.

use crate::error::{Error, Result};

/// Longest name or description Cinder stores.
pub(crate) const MAX_TEXT_LEN: usize = 255;

/// An id goes into a URL path: it must be one safe path segment.
pub(crate) fn id(argument: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(argument, "is empty"));
    }
    if value.len() > 255 {
        return Err(Error::invalid(argument, "is longer than 255 bytes"));
    }
    if value == "." || value == ".." {
        return Err(Error::invalid(argument, format!("`{value}` is not an id")));
    }
    // Only printable ASCII without URL delimiters: real ids are UUIDs or similar, and anything
    // else could change which URL the request goes to.
    if let Some(bad) = value.chars().find(|c| {
        !c.is_ascii_graphic()
            || matches!(
                c,
                '/' | '\\'
                    | '?'
                    | '#'
                    | '%'
                    | '&'
                    | ';'
                    | '"'
                    | '<'
                    | '>'
                    | '`'
                    | '{'
                    | '}'
                    | '|'
                    | '^'
                    | '['
                    | ']'
            )
    }) {
        return Err(Error::invalid(
            argument,
            format!("contains {bad:?}, which is not allowed in an id"),
        ));
    }
    Ok(())
}

/// A size in GiB: at least 1, and small enough to be a real volume.
pub(crate) fn size(argument: &'static str, value: u64) -> Result<()> {
    if value == 0 {
        return Err(Error::invalid(argument, "must be at least 1 GiB"));
    }
    // Cinder stores sizes as a 32-bit int; anything larger is a typo, not a volume.
    if value > i32::MAX as u64 {
        return Err(Error::invalid(
            argument,
            format!(
                "{value} GiB is larger than Cinder accepts ({} GiB)",
                i32::MAX
            ),
        ));
    }
    Ok(())
}

/// A name (or other one-line text): at most 255 characters, no control characters.
pub(crate) fn text(argument: &'static str, value: &str) -> Result<()> {
    check_text(argument, value, false)
}

/// A description: like [`text`], but newlines and tabs are allowed.
pub(crate) fn description(argument: &'static str, value: &str) -> Result<()> {
    check_text(argument, value, true)
}

fn check_text(argument: &'static str, value: &str, multiline: bool) -> Result<()> {
    let count = value.chars().count();
    if count > MAX_TEXT_LEN {
        return Err(Error::invalid(
            argument,
            format!("is {count} characters long; Cinder accepts at most {MAX_TEXT_LEN}"),
        ));
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\t');
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(Error::invalid(argument, "contains control characters"));
    }
    Ok(())
}

/// A text that must not be empty, such as a type name or a name to look up.
pub(crate) fn required_text(argument: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(argument, "is empty"));
    }
    text(argument, value)
}

/// A metadata key: not empty, one line, and not `.` or `..`, which cannot be a URL path
/// segment (`.../metadata/..` is the resource itself to any URL normalizer on the way).
pub(crate) fn metadata_key(key: &str) -> Result<()> {
    required_text("key", key)?;
    if key == "." || key == ".." {
        return Err(Error::invalid(
            "key",
            format!("`{key}` cannot be a metadata key: in a URL it names the resource itself"),
        ));
    }
    Ok(())
}

/// Every key of a metadata map.
pub(crate) fn metadata_keys(metadata: &std::collections::BTreeMap<String, String>) -> Result<()> {
    metadata.keys().try_for_each(|key| metadata_key(key))
}

/// `url` with any `user:password@` replaced by `***@`, for messages and logs.
pub(crate) fn redact_url(url: &str) -> std::borrow::Cow<'_, str> {
    let Some(scheme_end) = url.find("://") else {
        return url.into();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    match url[authority_start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}***{}",
            &url[..authority_start],
            &url[authority_start + at..]
        )
        .into(),
        None => url.into(),
    }
}

/// Optional variant of [`description`].
pub(crate) fn opt_description(argument: &'static str, value: Option<&str>) -> Result<()> {
    value.map_or(Ok(()), |v| description(argument, v))
}

/// Optional variant of [`text`].
pub(crate) fn opt_text(argument: &'static str, value: Option<&str>) -> Result<()> {
    value.map_or(Ok(()), |v| text(argument, v))
}

/// Optional variant of [`id`].
pub(crate) fn opt_id(argument: &'static str, value: Option<&str>) -> Result<()> {
    value.map_or(Ok(()), |v| id(argument, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for good in ["6edbc2f4-1507-44f8-ac0d-eed1d2608d38", "a", "vol_1.2-x~"] {
            assert_eq!(id("volume_id", good), Ok(()), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a?b",
            "a#b",
            "a%2F",
            "a b",
            "a\tb",
            "a\nb",
            "é",
            "a\u{202e}b",
            "\u{0}",
            "a\\b",
            "／",
        ] {
            assert!(
                matches!(
                    id("volume_id", bad),
                    Err(Error::InvalidArgument {
                        argument: "volume_id",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
        assert!(id("volume_id", &"x".repeat(256)).is_err());
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            redact_url("https://user:pa55@keystone.example:5000/v3?x=1"),
            "https://***@keystone.example:5000/v3?x=1"
        );
        assert_eq!(redact_url("https://h/v3/a@b"), "https://h/v3/a@b");
        assert_eq!(redact_url("no scheme"), "no scheme");
    }

    #[test]
    fn sizes_and_text() {
        assert!(size("size", 0).is_err());
        assert!(size("size", u64::MAX).is_err());
        assert_eq!(size("size", 1), Ok(()));
        assert_eq!(text("name", &"é".repeat(255)), Ok(()));
        assert!(text("name", &"é".repeat(256)).is_err());
        assert!(text("name", "a\u{7}").is_err());
        assert!(text("name", "a\nb").is_err());
        assert_eq!(description("description", "a\nb\tc"), Ok(()));
        assert!(description("description", "a\u{7}").is_err());
    }
}
