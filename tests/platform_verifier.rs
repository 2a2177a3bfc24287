//! `TlsRoots::Platform` (feature `platform-verifier`): real TLS handshakes against a Keystone
//! on 127.0.0.1 whose certificate is issued by a CA made for the test.
//!
//! * Always (with the feature): the platform verifier refuses that unknown CA, as the Mozilla
//!   roots do; a `ca_bundle` still wins over it.
//! * Always: a child process whose OpenSSL-style trust store (`SSL_CERT_FILE`, which the
//!   platform verifier reads on Linux and the BSDs) holds the CA connects with
//!   `TlsRoots::Platform` and is refused with `TlsRoots::WebPki`: the client really is built
//!   with the operating system's store, and the default really ignores it.
//! * Only with `IBS_TEST_SYSTEM_TRUST_STORE=1`: the CA is installed in the system store the
//!   Debian way (`/usr/local/share/ca-certificates/` + `update-ca-certificates`) and removed
//!   afterwards. That changes the machine's trust store while it runs, so CI runs it inside a
//!   private mount namespace whose `/etc/ssl/certs` and `/usr/local/share/ca-certificates`
//!   are throwaway copies (see `.ci/run`); never set the variable elsewhere.
#![cfg(feature = "platform-verifier")]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::tls_keystone::https_keystone;
use infomaniak_block_storage::{Config, Error, InfomaniakVolumeClient, ProxySetting, TlsRoots};

/// Set in the child process: the auth URL of the parent's HTTPS Keystone.
const CHILD_AUTH_URL: &str = "IBS_PLATFORM_VERIFIER_CHILD_AUTH_URL";
/// Allows the test that changes the system trust store.
const ALLOW_SYSTEM_STORE: &str = "IBS_TEST_SYSTEM_TRUST_STORE";

fn config(auth_url: &str, roots: TlsRoots) -> Config {
    let mut config = Config::application_credential(common::APP_CRED_ID, common::APP_CRED_SECRET);
    config.auth_url = auth_url.to_string();
    config.tls_roots = roots;
    config.retry = infomaniak_block_storage::RetryPolicy::none();
    config.request_timeout = Duration::from_secs(10);
    config.proxy = ProxySetting::Direct;
    config
}

fn authenticate(auth_url: &str, roots: TlsRoots) -> Result<(), Error> {
    InfomaniakVolumeClient::new(config(auth_url, roots))
        .unwrap()
        .try_authenticate()
}

fn assert_refused(result: Result<(), Error>, what: &str) {
    match result {
        Err(Error::Transport {
            message,
            outcome_unknown: false,
            ..
        }) => {
            let lower = message.to_ascii_lowercase();
            assert!(
                lower.contains("certificate") || lower.contains("issuer"),
                "{what}: {message}"
            );
        }
        other => panic!("{what}: an unknown CA must be refused, got {other:?}"),
    }
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ibs-pv-{}-{name}", std::process::id()))
}

#[test]
fn the_platform_verifier_refuses_an_unknown_ca() {
    let (auth_url, _ca) = https_keystone("infomaniak-block-storage platform-verifier test CA");
    assert_refused(authenticate(&auth_url, TlsRoots::Platform), "platform");
    assert_refused(authenticate(&auth_url, TlsRoots::WebPki), "webpki");
}

#[test]
fn a_ca_bundle_wins_over_the_platform_store() {
    let (auth_url, ca) = https_keystone("infomaniak-block-storage platform-verifier test CA");
    let bundle = temp_path("bundle.pem");
    std::fs::write(&bundle, &ca).unwrap();
    let mut config = config(&auth_url, TlsRoots::Platform);
    config.ca_bundle = Some(bundle);
    let client = InfomaniakVolumeClient::new(config).unwrap();
    assert_eq!(client.try_authenticate(), Ok(()));
}

/// Runs this test binary again with the CA as the whole of the OpenSSL-style store, and
/// `child_trusts_the_store_it_was_given` checks both settings there. A child process, because
/// the platform verifier reads the process environment and tests share one process.
#[test]
#[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
fn the_platform_verifier_reads_the_os_store_and_webpki_does_not() {
    let (auth_url, ca) = https_keystone("infomaniak-block-storage platform-verifier test CA");
    let store = temp_path("store.pem");
    std::fs::write(&store, &ca).unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_trusts_the_store_it_was_given",
            "--nocapture",
        ])
        .env(CHILD_AUTH_URL, &auth_url)
        .env("SSL_CERT_FILE", &store)
        .env_remove("SSL_CERT_DIR")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("child: platform trusted the store, webpki refused"),
        "the child did not run its checks:\n{stdout}\n{stderr}"
    );
}

/// Does nothing unless started by the test above.
#[test]
fn child_trusts_the_store_it_was_given() {
    let Ok(auth_url) = std::env::var(CHILD_AUTH_URL) else {
        return;
    };
    assert_eq!(
        authenticate(&auth_url, TlsRoots::Platform),
        Ok(()),
        "TlsRoots::Platform must trust the CA of SSL_CERT_FILE"
    );
    assert_refused(authenticate(&auth_url, TlsRoots::WebPki), "webpki");
    println!("child: platform trusted the store, webpki refused");
}

/// Installs the CA in the system store for the duration of the test, the Debian way.
#[test]
#[cfg(target_os = "linux")]
fn a_ca_installed_in_the_system_store_is_trusted() {
    if std::env::var(ALLOW_SYSTEM_STORE).as_deref() != Ok("1") {
        eprintln!("skipped: set {ALLOW_SYSTEM_STORE}=1, inside a throwaway mount namespace");
        return;
    }
    // cargo itself sets these for the processes it starts, to the system's paths found the
    // way OpenSSL finds them (`/usr/lib/ssl/cert.pem`, a link into /etc/ssl/certs on Debian);
    // anything else would not be the system store.
    for var in ["SSL_CERT_FILE", "SSL_CERT_DIR"] {
        if let Some(value) = std::env::var_os(var) {
            let real = std::fs::canonicalize(&value).unwrap_or_default();
            assert!(
                real.starts_with("/etc/ssl/certs"),
                "{var} is {value:?}: unset it so that the system's own store is read"
            );
        }
    }

    /// Removes the CA again, whatever happens.
    struct Installed(PathBuf);
    impl Drop for Installed {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
            let _ = Command::new("update-ca-certificates")
                .arg("--fresh")
                .output();
        }
    }

    let (auth_url, ca) = https_keystone("infomaniak-block-storage platform-verifier test CA");
    // Before: unknown.
    assert_refused(
        authenticate(&auth_url, TlsRoots::Platform),
        "before install",
    );

    let path = PathBuf::from(format!(
        "/usr/local/share/ca-certificates/ibs-platform-verifier-test-{}.crt",
        std::process::id()
    ));
    std::fs::write(&path, &ca).unwrap();
    let installed = Installed(path);
    let status = Command::new("update-ca-certificates").output().unwrap();
    assert!(
        status.status.success(),
        "update-ca-certificates: {}",
        String::from_utf8_lossy(&status.stderr)
    );

    // A new client reads the store again when it first connects.
    assert_eq!(
        authenticate(&auth_url, TlsRoots::Platform),
        Ok(()),
        "TlsRoots::Platform must trust a CA installed with update-ca-certificates"
    );
    assert_refused(
        authenticate(&auth_url, TlsRoots::WebPki),
        "webpki after install",
    );
    drop(installed);
}
