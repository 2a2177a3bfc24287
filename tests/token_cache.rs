//! Issue 11, item 9: the opt-in token cache across processes (`Config::token_cache =
//! TokenCache::Dir(..)`, or `INFOMANIAK_TOKEN_CACHE`). A second client — or a second process —
//! with the same auth settings reuses the cached token without asking Keystone; a 401 drops
//! the entry; a file or folder that others may read (0644, 0755), a symbolic link, junk or an
//! expired entry is ignored and the client authenticates; the file is named by a hash of the
//! public settings, never by a secret. Every folder is a fresh one under
//! `std::env::temp_dir()`: nothing depends on `XDG_CACHE_HOME` or the user's cache.
#![cfg(unix)]

mod common;
mod ops_common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::prelude::*;
use infomaniak_block_storage::{
    Config, Error, InfomaniakVolumeClient, ProxySetting, RetryPolicy, TokenCache,
};
use infomaniak_fake_cloud::FakeCloud;
use ops_common::*;
use serde_json::{Value, json};

/// A fresh, not yet existing folder under the temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let base = std::env::temp_dir().join(format!(
            "ibs-token-cache-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&base);
        TempDir(base)
    }

    /// The cache folder inside (created by the library with 0700).
    fn cache(&self) -> PathBuf {
        self.0.join("cache")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The only cache file in `dir`.
fn the_file(dir: &Path) -> PathBuf {
    let files = files_in(dir);
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

fn cached_token(dir: &Path) -> String {
    let entry: Value = serde_json::from_slice(&std::fs::read(the_file(dir)).unwrap()).unwrap();
    entry["token"].as_str().unwrap().to_string()
}

/// `GET /volumes/detail` answering 200 to every token.
fn volumes_ok(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(GET).path(cinder("/volumes/detail"));
        reply_json(then, 200, json!({"volumes": []}));
    })
}

fn cached_client(server: &MockServer, dir: &Path) -> InfomaniakVolumeClient {
    let mut config = common::config(server);
    config.token_cache = TokenCache::Dir(dir.to_path_buf());
    InfomaniakVolumeClient::new(config).unwrap()
}

#[test]
fn a_second_client_with_the_same_settings_reuses_the_token() {
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    let with_token_1 = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes/detail"))
            .header("X-Auth-Token", "token-1");
        reply_json(then, 200, json!({"volumes": []}));
    });
    let temp = TempDir::new("reuse");
    let dir = temp.cache();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    // The folder is created private, the file too.
    assert_eq!(mode(&dir), 0o700);
    let file = the_file(&dir);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(cached_token(&dir), "token-1");

    let second = cached_client(&server, &dir);
    second.try_list_volumes().unwrap();
    second.try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1, "no Keystone request");
    with_token_1.assert_calls(3);
}

/// Off (the default) writes nothing and shares nothing.
#[test]
fn without_the_cache_every_client_authenticates() {
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    volumes_ok(&server);
    for _ in 0..2 {
        let client = common::client(&server);
        assert_eq!(client.config().token_cache, TokenCache::Off);
        client.try_list_volumes().unwrap();
    }
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

/// The file is named by a hash of the public settings: no secret and no token in its name,
/// and other settings (another credential, region) use another file.
#[test]
fn the_file_name_holds_no_secret_and_depends_on_the_settings() {
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    volumes_ok(&server);
    let temp = TempDir::new("names");
    let dir = temp.cache();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    let file = the_file(&dir);
    let name = file.file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("token-") && name.ends_with(".json") && name.len() == 27,
        "{name}"
    );
    for secret in [common::APP_CRED_SECRET, common::APP_CRED_ID, "token-1"] {
        assert!(!name.contains(secret), "{name}");
    }
    // The file holds the token (it is the point) but never the credential's secret.
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(common::APP_CRED_SECRET), "{text}");

    // Another application credential: its own file, its own authentication.
    let mut config = common::config(&server);
    config.auth = Config::application_credential("other-cred", common::APP_CRED_SECRET).auth;
    config.token_cache = TokenCache::Dir(dir.clone());
    InfomaniakVolumeClient::new(config)
        .unwrap()
        .try_list_volumes()
        .unwrap();
    assert_eq!(files_in(&dir).len(), 2);
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    // The same credential with another secret shares the file name (the secret is not part
    // of it), so it reuses the token: the name alone cannot tell secrets apart.
    let mut config = common::config(&server);
    config.auth = Config::application_credential(common::APP_CRED_ID, "another-secret").auth;
    config.token_cache = TokenCache::Dir(dir.clone());
    InfomaniakVolumeClient::new(config)
        .unwrap()
        .try_list_volumes()
        .unwrap();
    assert_eq!(files_in(&dir).len(), 2);
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

/// A 401 drops the entry: when the cached token is refused and no new one can be had, the
/// file is gone, and the next client authenticates.
#[test]
fn a_401_drops_the_cached_entry() {
    let server = MockServer::start();
    let base = server.base_url();
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    // Keystone: token-1, then refuses once, then token-3.
    server.mock(move |when, then| {
        when.method(POST).path(common::AUTH_PATH);
        then.respond_with(move |_| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            if n == 2 {
                return dynamic_json(
                    401,
                    &json!({"error": {"code": 401, "title": "Unauthorized",
                                      "message": "The request you have made requires authentication."}}),
                );
            }
            common::token_response(&base, &format!("token-{n}"))
        });
    });
    let revoked = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes/detail"))
            .header("X-Auth-Token", "token-1");
        reply_json(
            then,
            401,
            json!({"error": {"code": 401, "title": "Unauthorized", "message": "revoked"}}),
        );
    });
    let fresh = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes/detail"))
            .header("X-Auth-Token", "token-3");
        reply_json(then, 200, json!({"volumes": []}));
    });
    let temp = TempDir::new("401");
    let dir = temp.cache();
    // Caches token-1 (authenticating only).
    cached_client(&server, &dir).try_authenticate().unwrap();
    assert_eq!(cached_token(&dir), "token-1");
    // Reuses token-1, meets the 401, drops the entry, cannot authenticate.
    let refused = cached_client(&server, &dir).try_list_volumes();
    assert!(matches!(refused, Err(Error::Auth { .. })), "{refused:?}");
    assert_eq!(files_in(&dir), Vec::<PathBuf>::new(), "the entry is gone");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    // The next client authenticates (token-3) and caches it.
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 3);
    assert_eq!(cached_token(&dir), "token-3");
    revoked.assert_calls(1);
    fresh.assert_calls(1);
}

/// A 401 answered by one new authentication replaces the entry: the next process gets the
/// new token, not the revoked one.
#[test]
fn a_401_then_a_new_token_replaces_the_entry() {
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes/detail"))
            .header("X-Auth-Token", "token-1");
        reply_json(
            then,
            401,
            json!({"error": {"code": 401, "title": "Unauthorized", "message": "revoked"}}),
        );
    });
    let with_token_2 = server.mock(|when, then| {
        when.method(GET)
            .path(cinder("/volumes/detail"))
            .header("X-Auth-Token", "token-2");
        reply_json(then, 200, json!({"volumes": []}));
    });
    let temp = TempDir::new("401-renew");
    let dir = temp.cache();
    cached_client(&server, &dir).try_authenticate().unwrap();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    assert_eq!(cached_token(&dir), "token-2");
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    with_token_2.assert_calls(2);
}

/// A file others may read (0644) or a folder others may enter (0755) is ignored, with a debug
/// line, and the client authenticates.
#[test]
fn a_cache_others_may_read_is_ignored() {
    common::capture_logs();
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    volumes_ok(&server);
    let temp = TempDir::new("modes");
    let dir = temp.cache();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    let file = the_file(&dir);
    assert_eq!(issued.load(Ordering::SeqCst), 1);

    set_mode(&file, 0o644);
    let before = log_mark(log::Level::Debug);
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "a 0644 file is not trusted"
    );
    let lines = logs_since(log::Level::Debug, before);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("token cache") && l.contains("ignored") && l.contains("644")),
        "{lines:#?}"
    );
    // The new entry was written private again.
    assert_eq!(mode(&the_file(&dir)), 0o600);
    assert_eq!(cached_token(&dir), "token-2");

    set_mode(&dir, 0o755);
    let before = log_mark(log::Level::Debug);
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(
        issued.load(Ordering::SeqCst),
        3,
        "a 0755 folder is not trusted"
    );
    let lines = logs_since(log::Level::Debug, before);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("token cache") && l.contains("755")),
        "{lines:#?}"
    );
    // Nor is anything written into it.
    assert_eq!(cached_token(&dir), "token-2");
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 4);

    // Private again: reused.
    set_mode(&dir, 0o700);
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 4);
}

/// Junk, an expired entry and a symbolic link are ignored: the client authenticates.
#[test]
fn junk_expired_entries_and_links_are_ignored() {
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    volumes_ok(&server);
    let temp = TempDir::new("junk");
    let dir = temp.cache();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    let file = the_file(&dir);

    std::fs::write(&file, b"{ not json").unwrap();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2, "junk");
    assert_eq!(cached_token(&dir), "token-2", "junk is replaced");

    let mut entry: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    entry["expires_at"] = json!(1_000_000_000); // 2001
    std::fs::write(&file, entry.to_string()).unwrap();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 3, "expired");

    // A link to a private file elsewhere is not followed.
    let elsewhere = temp.0.join("elsewhere.json");
    std::fs::copy(&file, &elsewhere).unwrap();
    set_mode(&elsewhere, 0o600);
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &file).unwrap();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 4, "symbolic link");
}

/// A folder that cannot be created (a file is in the way) is no error: the client works
/// without the cache.
#[test]
fn an_unusable_folder_falls_back_to_authenticating() {
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    volumes_ok(&server);
    let temp = TempDir::new("blocked");
    std::fs::create_dir_all(&temp.0).unwrap();
    let blocked = temp.0.join("cache");
    std::fs::write(&blocked, b"a file, not a folder").unwrap();
    for _ in 0..2 {
        cached_client(&server, &blocked).try_list_volumes().unwrap();
    }
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

/// `INFOMANIAK_TOKEN_CACHE`: a folder's absolute path, `1` for the user's cache folder, `0`
/// for none; anything else is a configuration error.
#[test]
fn the_environment_variable_sets_the_cache() {
    let vars = |cache: &'static str| {
        move |name: &str| match name {
            "INFOMANIAK_APP_CREDENTIAL_ID" => Some("id".to_string()),
            "INFOMANIAK_APP_CREDENTIAL_SECRET" => Some("secret".to_string()),
            "INFOMANIAK_TOKEN_CACHE" => Some(cache.to_string()),
            _ => None,
        }
    };
    let config = Config::from_vars(vars("/var/tmp/ibs-cache")).unwrap();
    assert_eq!(
        config.token_cache,
        TokenCache::Dir("/var/tmp/ibs-cache".into())
    );
    for on in ["1", "true", "on", "yes"] {
        assert_eq!(
            Config::from_vars(vars(on)).unwrap().token_cache,
            TokenCache::UserCacheDir,
            "{on}"
        );
    }
    for off in ["0", "false", "off", "no"] {
        assert_eq!(
            Config::from_vars(vars(off)).unwrap().token_cache,
            TokenCache::Off,
            "{off}"
        );
    }
    let unset = Config::from_vars(|name: &str| match name {
        "INFOMANIAK_APP_CREDENTIAL_ID" => Some("id".to_string()),
        "INFOMANIAK_APP_CREDENTIAL_SECRET" => Some("secret".to_string()),
        _ => None,
    })
    .unwrap();
    assert_eq!(unset.token_cache, TokenCache::Off);
    let bad = Config::from_vars(vars("relative/dir"));
    let Err(Error::Config { message, .. }) = &bad else {
        panic!("{bad:?}")
    };
    assert!(message.contains("INFOMANIAK_TOKEN_CACHE"), "{message}");
}

// ----- two processes -------------------------------------------------------------------------

/// In the child process: the auth URL to use.
const CHILD_AUTH_URL: &str = "IBS_TOKEN_CACHE_TEST_CHILD_AUTH_URL";

/// Run by the tests below in a child process (does nothing otherwise): a client configured
/// from the environment only (`INFOMANIAK_*`, including `INFOMANIAK_TOKEN_CACHE`) lists the
/// volumes once and prints the outcome.
#[test]
fn child_lists_volumes() {
    let Ok(auth_url) = std::env::var(CHILD_AUTH_URL) else {
        return;
    };
    let mut config = Config::from_env().unwrap();
    assert_eq!(config.auth_url, auth_url);
    config.retry = RetryPolicy::none();
    config.proxy = ProxySetting::Direct;
    let client = InfomaniakVolumeClient::new(config).unwrap();
    match client.try_list_volumes() {
        Ok(volumes) => println!("RESULT: ok {}", volumes.len()),
        Err(e) => println!("RESULT: {e}"),
    }
}

/// Runs [`child_lists_volumes`] with exactly these variables; returns its result line.
fn list_in_child(auth_url: &str, cache: Option<&Path>) -> String {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "child_lists_volumes",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .env(CHILD_AUTH_URL, auth_url)
        .env("INFOMANIAK_AUTH_URL", auth_url)
        .env("INFOMANIAK_APP_CREDENTIAL_ID", common::APP_CRED_ID)
        .env("INFOMANIAK_APP_CREDENTIAL_SECRET", common::APP_CRED_SECRET);
    if let Some(cache) = cache {
        command.env("INFOMANIAK_TOKEN_CACHE", cache);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    stdout
        .lines()
        .find_map(|line| line.split_once("RESULT: ").map(|(_, r)| r.to_string()))
        .unwrap_or_else(|| panic!("child printed no result:\n{stdout}\n{stderr}"))
}

/// Two processes in a row with `INFOMANIAK_TOKEN_CACHE` set to the same folder: the second
/// makes no Keystone request, only its one Cinder call.
#[test]
fn a_second_process_makes_no_keystone_request() {
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    let listing = volumes_ok(&server);
    let auth_url = server.url("/identity/v3");
    let temp = TempDir::new("processes");
    let dir = temp.cache();
    assert_eq!(list_in_child(&auth_url, Some(&dir)), "ok 0");
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&the_file(&dir)), 0o600);
    assert_eq!(list_in_child(&auth_url, Some(&dir)), "ok 0");
    assert_eq!(
        issued.load(Ordering::SeqCst),
        1,
        "the second process reused the token"
    );
    listing.assert_calls(2);
    // Without the variable, each process authenticates.
    assert_eq!(list_in_child(&auth_url, None), "ok 0");
    assert_eq!(list_in_child(&auth_url, None), "ok 0");
    assert_eq!(issued.load(Ordering::SeqCst), 3);
}

// ----- against the simulated cloud -----------------------------------------------------------

#[test]
fn fake_cloud_clients_share_the_token_and_a_revoked_one_is_replaced() {
    let cloud = FakeCloud::start();
    let temp = TempDir::new("fake");
    let dir = temp.cache();
    let client = || {
        let mut config = Config::application_credential(
            FakeCloud::APP_CREDENTIAL_ID,
            FakeCloud::APP_CREDENTIAL_SECRET,
        );
        config.auth_url = cloud.auth_url();
        config.proxy = ProxySetting::Direct;
        config.request_timeout = Duration::from_secs(10);
        config.token_cache = TokenCache::Dir(dir.clone());
        InfomaniakVolumeClient::new(config).unwrap()
    };
    client().try_list_volumes().unwrap();
    client().try_list_volumes().unwrap();
    client().try_list_snapshots().unwrap();
    assert_eq!(cloud.auth_requests(), 1);
    let first = cached_token(&dir);

    cloud.expire_all_tokens();
    client().try_list_volumes().unwrap();
    assert_eq!(
        cloud.auth_requests(),
        2,
        "the 401 made one new authentication"
    );
    let second = cached_token(&dir);
    assert_ne!(first, second);
    client().try_list_volumes().unwrap();
    assert_eq!(cloud.auth_requests(), 2);
    // Every Cinder request carried a cached or fresh token the cloud issued.
    let tokens: Vec<String> = cloud
        .request_log()
        .into_iter()
        .filter(|r| r.path.contains("/volume/"))
        .map(|r| r.header("x-auth-token").unwrap_or("").to_string())
        .collect();
    assert_eq!(
        tokens,
        [&first, &first, &first, &first, &second, &second].map(String::as_str)
    );
}

/// A cache file that belongs to another user is ignored, even when private (checked when
/// the tests run as root, who can give a file away; otherwise there is nothing to check).
#[test]
fn a_file_of_another_user_is_ignored() {
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    volumes_ok(&server);
    let temp = TempDir::new("owner");
    let dir = temp.cache();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    let file = the_file(&dir);
    let me = std::fs::metadata("/proc/self").map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid()
    });
    if me.ok() != Some(0) {
        eprintln!("not root: cannot give a file to another user; skipped");
        return;
    }
    std::os::unix::fs::chown(&file, Some(65534), None).unwrap();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "another user's file is not trusted"
    );
    // The folder of another user is not trusted either.
    std::os::unix::fs::chown(&dir, Some(65534), None).unwrap();
    cached_client(&server, &dir).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 3);
}

/// Password users are cached too (by user and project, never the password); a configured
/// token is already what the cache would keep, so nothing is written for it.
#[test]
fn password_users_are_cached_and_token_auth_is_not() {
    use infomaniak_block_storage::{Auth, Domain, Project, Secret, User};
    let server = MockServer::start();
    let (_, issued) = common::counting_keystone(&server);
    volumes_ok(&server);
    let temp = TempDir::new("auth-kinds");
    let dir = temp.cache();
    let password = "pa55-w0rd-value";
    let with_auth = |auth: Auth| {
        let mut config = common::config(&server);
        config.auth = Some(auth);
        config.token_cache = TokenCache::Dir(dir.clone());
        InfomaniakVolumeClient::new(config).unwrap()
    };
    let password_auth = || Auth::Password {
        user: User::Name {
            name: "alice".into(),
            domain: Domain::Name("Default".into()),
        },
        password: Secret::new(password),
        project: Project::Id(common::PROJECT.into()),
    };
    with_auth(password_auth()).try_list_volumes().unwrap();
    with_auth(password_auth()).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    let file = the_file(&dir);
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        !name.contains("alice") && !name.contains(password),
        "{name}"
    );
    assert!(!std::fs::read_to_string(&file).unwrap().contains(password));
    std::fs::remove_file(&file).unwrap();

    let token_auth = || Auth::Token {
        token: Secret::new("an-existing-token"),
        project: Project::Id(common::PROJECT.into()),
    };
    with_auth(token_auth()).try_list_volumes().unwrap();
    with_auth(token_auth()).try_list_volumes().unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 3, "token auth is not cached");
    assert_eq!(files_in(&dir), Vec::<PathBuf>::new());
}
