//! An opt-in cache of Keystone tokens across processes, for build scripts and small tools
//! that start many short-lived processes: authenticating is often the slowest call they make.
//!
//! One file per set of auth settings, named by a hash of the public settings (auth URL,
//! region, interface, credential id or user and project), never by a secret. The folder is
//! created with mode 0700 and files with 0600; a folder or file that is not the current
//! user's, or that others may read, is ignored. Any problem falls back to authenticating,
//! with a debug line. A 401 drops the entry.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use log::debug;
use serde::{Deserialize, Serialize};

use crate::config::{Auth, Config, Domain, Project, TokenCache, User};

/// What is kept of a session: the token, its end on the wall clock, and the catalog's
/// endpoints.
#[derive(Serialize, Deserialize)]
pub(crate) struct Entry {
    pub token: String,
    /// Seconds since the Unix epoch; `None` when Keystone gave no expiry.
    pub expires_at: Option<u64>,
    pub block_storage: Option<String>,
    pub compute: Option<String>,
    pub project_id: Option<String>,
}

impl Entry {
    /// Time left before the token expires, on this clock.
    pub(crate) fn time_left(&self) -> Option<Duration> {
        let at = UNIX_EPOCH.checked_add(Duration::from_secs(self.expires_at?))?;
        Some(
            at.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO),
        )
    }
}

/// The cache file of `config`, or `None` when caching is off or has no usable folder.
pub(crate) fn path(config: &Config) -> Option<PathBuf> {
    let dir = match &config.token_cache {
        TokenCache::Off => return None,
        TokenCache::UserCacheDir => user_cache_dir()?.join("infomaniak-block-storage"),
        TokenCache::Dir(dir) => dir.clone(),
    };
    Some(dir.join(format!("token-{:016x}.json", key(config)?)))
}

/// `$XDG_CACHE_HOME`, else `~/.cache` (`~/Library/Caches` on macOS).
fn user_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let home = PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?);
    Some(if cfg!(target_os = "macos") {
        home.join("Library/Caches")
    } else {
        home.join(".cache")
    })
}

/// FNV-1a (64 bits) of the public auth settings. `None` for auth kinds not worth caching.
fn key(config: &Config) -> Option<u64> {
    let domain = |d: &Domain| match d {
        Domain::Id(id) => format!("id:{id}"),
        Domain::Name(name) => format!("name:{name}"),
    };
    let user = |u: &User| match u {
        User::Id(id) => format!("id:{id}"),
        User::Name { name, domain: d } => format!("name:{name}@{}", domain(d)),
    };
    let project = |p: &Project| match p {
        Project::Id(id) => format!("id:{id}"),
        Project::Name { name, domain: d } => format!("name:{name}@{}", domain(d)),
    };
    let who = match config.auth.as_ref()? {
        Auth::ApplicationCredential { id, .. } => format!("appcred:{id}"),
        Auth::ApplicationCredentialName { name, user: u, .. } => {
            format!("appcred-name:{name}:{}", user(u))
        }
        Auth::Password {
            user: u,
            project: p,
            ..
        } => format!("password:{}:{}", user(u), project(p)),
        // A token is already what the cache would keep.
        Auth::Token { .. } => return None,
    };
    let text = format!(
        "{}\n{}\n{}\n{}\n{}\n{who}",
        config.auth_url,
        config.region,
        config.interface.as_str(),
        config.block_storage_endpoint.as_deref().unwrap_or(""),
        config.compute_endpoint.as_deref().unwrap_or(""),
    );
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Some(hash)
}

/// Reads the entry at `path`, or `None` (with a debug line saying why, unless it is simply
/// not there).
pub(crate) fn load(path: &Path) -> Option<Entry> {
    if !path.exists() {
        return None;
    }
    if let Err(why) = private::check(path) {
        debug!("token cache {}: ignored, {why}", path.display());
        return None;
    }
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) => {
            debug!("token cache {}: cannot read it: {e}", path.display());
            return None;
        }
    };
    match serde_json::from_slice::<Entry>(&text) {
        Ok(entry) if !entry.token.is_empty() => Some(entry),
        Ok(_) => None,
        Err(e) => {
            debug!("token cache {}: not a cache entry: {e}", path.display());
            None
        }
    }
}

/// Writes `entry` at `path` (the folder with mode 0700, the file with 0600, through a
/// temporary file so that a reader never sees half of it).
pub(crate) fn store(path: &Path, entry: &Entry) {
    if let Err(e) = private::write(path, entry) {
        debug!("token cache {}: not written: {e}", path.display());
    }
}

/// Removes the entry at `path`, if any.
pub(crate) fn remove(path: &Path) {
    if path.exists() {
        if let Err(e) = std::fs::remove_file(path) {
            debug!("token cache {}: not removed: {e}", path.display());
        }
    }
}

#[cfg(unix)]
mod private {
    use std::fs::{DirBuilder, OpenOptions};
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
    use std::path::Path;

    use super::Entry;

    /// The effective uid of this process: the owner of `/proc/self` on Linux.
    fn current_uid() -> Result<u32, String> {
        std::fs::metadata("/proc/self")
            .map(|m| m.uid())
            .map_err(|_| "the current user cannot be told (no /proc/self)".to_string())
    }

    fn owned_and_private(path: &Path, what: &str) -> Result<(), String> {
        let meta = std::fs::symlink_metadata(path).map_err(|e| format!("{what}: {e}"))?;
        if meta.file_type().is_symlink() {
            return Err(format!("{what} is a symbolic link"));
        }
        if meta.uid() != current_uid()? {
            return Err(format!("{what} belongs to another user"));
        }
        if meta.mode() & 0o077 != 0 {
            return Err(format!(
                "{what} may be read by others (mode {:o})",
                meta.mode() & 0o777
            ));
        }
        Ok(())
    }

    pub(super) fn check(path: &Path) -> Result<(), String> {
        let dir = path.parent().ok_or("the file has no folder")?;
        owned_and_private(dir, "its folder")?;
        owned_and_private(path, "the file")
    }

    pub(super) fn write(path: &Path, entry: &Entry) -> Result<(), String> {
        let dir = path.parent().ok_or("the file has no folder")?;
        if !dir.exists() {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| format!("cannot create the folder: {e}"))?;
        }
        owned_and_private(dir, "its folder")?;
        let body = serde_json::to_vec(entry).map_err(|e| e.to_string())?;
        let temp = dir.join(format!(
            ".{}.{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("token"),
            std::process::id()
        ));
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .map_err(|e| format!("cannot create {}: {e}", temp.display()))?;
        let written = file.write_all(&body).and_then(|()| file.sync_all());
        drop(file);
        if let Err(e) = written.and_then(|()| std::fs::rename(&temp, path)) {
            let _ = std::fs::remove_file(&temp);
            return Err(e.to_string());
        }
        Ok(())
    }
}

#[cfg(not(unix))]
mod private {
    use std::path::Path;

    use super::Entry;

    pub(super) fn check(_: &Path) -> Result<(), String> {
        Err("file ownership cannot be checked on this platform".into())
    }

    pub(super) fn write(_: &Path, _: &Entry) -> Result<(), String> {
        Err("file ownership cannot be checked on this platform".into())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "ibs-token-cache-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn entry() -> Entry {
        Entry {
            token: "tok".into(),
            expires_at: Some(4_000_000_000),
            block_storage: Some("http://h/volume/v3/p".into()),
            compute: None,
            project_id: Some("p".into()),
        }
    }

    #[test]
    fn round_trip_with_private_modes() {
        let dir = temp_dir("round-trip").join("cache");
        let path = dir.join("token-1.json");
        store(&path, &entry());
        let meta = std::fs::metadata(&dir).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o700);
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.token, "tok");
        assert_eq!(
            loaded.block_storage.as_deref(),
            Some("http://h/volume/v3/p")
        );
        remove(&path);
        assert!(load(&path).is_none());
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }

    #[test]
    fn files_others_may_read_are_ignored() {
        let dir = temp_dir("modes").join("cache");
        let path = dir.join("token-2.json");
        store(&path, &entry());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load(&path).is_none());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(load(&path).is_none());
        std::fs::write(dir.join("junk.json"), b"{").unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(
            dir.join("junk.json"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        assert!(load(&dir.join("junk.json")).is_none());
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }

    #[test]
    fn the_name_holds_no_secret() {
        let mut config = Config::application_credential("id-1", "the-secret");
        config.token_cache = TokenCache::Dir(PathBuf::from("/c"));
        let a = path(&config).unwrap();
        assert!(!a.to_string_lossy().contains("the-secret"));
        config.region = "dc4-a".into();
        assert_ne!(path(&config).unwrap(), a);
        config.token_cache = TokenCache::Off;
        assert_eq!(path(&config), None);
    }
}
