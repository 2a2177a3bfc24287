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
    /// The public settings the file name hashes: a file of other settings (a hash
    /// collision, or a file copied by hand) is not taken.
    #[serde(default)]
    pub settings: String,
    pub token: String,
    /// Seconds since the Unix epoch; `None` when Keystone gave no expiry.
    pub expires_at: Option<u64>,
    /// How long before `expires_at` the token is renewed, from its whole lifetime (a
    /// quarter of it, at most two minutes): the next process renews on time too.
    #[serde(default)]
    pub renew_before: Option<u64>,
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

/// Where the cache of one set of settings lives: the file, and the settings it must hold.
pub(crate) struct Slot {
    pub path: PathBuf,
    pub settings: String,
}

/// The cache slot of `config`, or `None` when caching is off or has no usable folder.
pub(crate) fn slot(config: &Config) -> Option<Slot> {
    let dir = match &config.token_cache {
        TokenCache::Off => return None,
        TokenCache::UserCacheDir => user_cache_dir()?.join("infomaniak-block-storage"),
        TokenCache::Dir(dir) if dir.is_absolute() => dir.clone(),
        TokenCache::Dir(dir) => {
            debug!("token cache off: {} is not an absolute path", dir.display());
            return None;
        }
    };
    let settings = settings(config)?;
    Some(Slot {
        path: dir.join(format!("token-{:016x}.json", fnv(&settings))),
        settings,
    })
}

/// `$XDG_CACHE_HOME`, else `~/.cache` (`~/Library/Caches` on macOS). Relative values are
/// ignored, as the XDG specification says: a token must not land in the working folder.
fn user_cache_dir() -> Option<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|dir| dir.is_absolute())
    };
    if let Some(dir) = absolute("XDG_CACHE_HOME") {
        return Some(dir);
    }
    let Some(home) = absolute("HOME") else {
        debug!("token cache off: neither XDG_CACHE_HOME nor HOME is an absolute path");
        return None;
    };
    Some(if cfg!(target_os = "macos") {
        home.join("Library/Caches")
    } else {
        home.join(".cache")
    })
}

/// The public auth settings, one per line. `None` for auth kinds not worth caching.
fn settings(config: &Config) -> Option<String> {
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
    Some(format!(
        "{}\n{}\n{}\n{}\n{}\n{who}",
        config.auth_url,
        config.region,
        config.interface.as_str(),
        config.block_storage_endpoint.as_deref().unwrap_or(""),
        config.compute_endpoint.as_deref().unwrap_or(""),
    ))
}

/// FNV-1a, 64 bits: a file name, not a secret.
fn fnv(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Reads the entry of `slot`, or `None` (with a debug line saying why, unless it is simply
/// not there).
pub(crate) fn load(slot: &Slot) -> Option<Entry> {
    let path = slot.path.as_path();
    if std::fs::symlink_metadata(path).is_err() {
        return None;
    }
    let text = match private::read(path) {
        Ok(text) => text,
        Err(why) => {
            debug!("token cache {}: ignored, {why}", path.display());
            return None;
        }
    };
    match serde_json::from_slice::<Entry>(&text) {
        Ok(entry) if !entry.token.is_empty() && entry.settings == slot.settings => Some(entry),
        Ok(_) => {
            debug!(
                "token cache {}: ignored, it holds other settings or no token",
                path.display()
            );
            None
        }
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

    /// The effective uid of this process: the owner of `/proc/self` on Linux, elsewhere the
    /// owner of a file it creates.
    fn current_uid() -> Result<u32, String> {
        if let Ok(meta) = std::fs::metadata("/proc/self") {
            return Ok(meta.uid());
        }
        let probe = std::env::temp_dir().join(format!(
            ".infomaniak-block-storage-uid-{}",
            std::process::id()
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&probe)
            .map_err(|e| format!("the current user cannot be told: {e}"))?;
        let uid = file.metadata().map(|m| m.uid());
        drop(file);
        let _ = std::fs::remove_file(&probe);
        uid.map_err(|e| format!("the current user cannot be told: {e}"))
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

    /// Reads the file after checking the folder and the file, and that the file read is
    /// the one checked (same device and inode), so that it cannot be swapped in between.
    pub(super) fn read(path: &Path) -> Result<Vec<u8>, String> {
        use std::io::Read;
        let dir = path.parent().ok_or("the file has no folder")?;
        owned_and_private(dir, "its folder")?;
        owned_and_private(path, "the file")?;
        let checked = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
        let file = std::fs::File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
        let opened = file.metadata().map_err(|e| e.to_string())?;
        if (opened.dev(), opened.ino()) != (checked.dev(), checked.ino()) {
            return Err("the file changed while it was being opened".into());
        }
        let mut text = Vec::new();
        // An entry is a few hundred bytes; a huge file is not one.
        file.take(64 * 1024)
            .read_to_end(&mut text)
            .map_err(|e| format!("cannot read it: {e}"))?;
        Ok(text)
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

    pub(super) fn read(_: &Path) -> Result<Vec<u8>, String> {
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

    fn slot(path: PathBuf) -> Slot {
        Slot {
            path,
            settings: "s".into(),
        }
    }

    fn entry() -> Entry {
        Entry {
            settings: "s".into(),
            token: "tok".into(),
            expires_at: Some(4_000_000_000),
            renew_before: Some(120),
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
        let at = slot(path.clone());
        let meta = std::fs::metadata(&dir).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o700);
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let loaded = load(&at).unwrap();
        assert_eq!(loaded.token, "tok");
        assert_eq!(
            loaded.block_storage.as_deref(),
            Some("http://h/volume/v3/p")
        );
        // A file of other settings is not taken.
        let other = Slot {
            path: path.clone(),
            settings: "other".into(),
        };
        assert!(load(&other).is_none());
        remove(&path);
        assert!(load(&at).is_none());
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }

    #[test]
    fn files_others_may_read_are_ignored() {
        let dir = temp_dir("modes").join("cache");
        let path = dir.join("token-2.json");
        store(&path, &entry());
        let at = slot(path.clone());
        assert!(load(&at).is_some());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load(&at).is_none());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(load(&at).is_none());
        // A symbolic link to a private file is not followed.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let link = dir.join("token-3.json");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(load(&slot(link)).is_none());
        std::fs::write(dir.join("junk.json"), b"{").unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(
            dir.join("junk.json"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        assert!(load(&slot(dir.join("junk.json"))).is_none());
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }

    #[test]
    fn the_name_holds_no_secret() {
        let mut config = Config::application_credential("id-1", "the-secret");
        config.token_cache = TokenCache::Dir(PathBuf::from("/c"));
        let a = super::slot(&config).unwrap();
        assert!(!a.path.to_string_lossy().contains("the-secret"));
        assert!(!a.settings.contains("the-secret"));
        config.region = "dc4-a".into();
        assert_ne!(super::slot(&config).unwrap().path, a.path);
        config.token_cache = TokenCache::Dir(PathBuf::from("relative"));
        assert!(super::slot(&config).is_none());
        config.token_cache = TokenCache::Off;
        assert!(super::slot(&config).is_none());
    }
}
