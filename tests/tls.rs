//! TLS settings: a custom CA bundle replaces the built-in roots, bad bundles are configuration
//! errors before anything is sent, and insecure mode warns on every client built with it.

mod common;

use common::tls_keystone::https_keystone;
use infomaniak_block_storage::{Config, Error, InfomaniakVolumeClient, ProxySetting};

fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("ibs-tls-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write temp file");
    path
}

fn config_with_bundle(path: std::path::PathBuf) -> Config {
    let mut config = Config::application_credential("id", "secret");
    config.ca_bundle = Some(path);
    // Hermetic: whatever proxy the machine's environment names is not used.
    config.proxy = ProxySetting::Direct;
    config
}

#[test]
fn missing_ca_bundle_is_a_config_error_naming_the_file() {
    let path = std::env::temp_dir().join("ibs-tls-does-not-exist.pem");
    let err = InfomaniakVolumeClient::new(config_with_bundle(path.clone())).unwrap_err();
    match &err {
        Error::Config { message, .. } => {
            assert!(message.starts_with("cannot read CA bundle"), "{message}");
            assert!(message.contains(&path.display().to_string()), "{message}");
        }
        other => panic!("expected Config, got {other:?}"),
    }
}

#[test]
fn ca_bundle_without_certificates_is_a_config_error() {
    let path = temp_file("empty.pem", b"this is not a certificate\n");
    let err = InfomaniakVolumeClient::new(config_with_bundle(path.clone())).unwrap_err();
    match &err {
        Error::Config { message, .. } => {
            assert_eq!(
                message,
                &format!("CA bundle {} holds no certificate", path.display())
            );
        }
        other => panic!("expected Config, got {other:?}"),
    }
}

#[test]
fn ca_bundle_with_a_broken_pem_block_is_a_config_error() {
    let path = temp_file(
        "broken.pem",
        b"-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
    );
    let err = InfomaniakVolumeClient::new(config_with_bundle(path.clone())).unwrap_err();
    match &err {
        Error::Config { message, .. } => {
            assert!(message.contains("is not valid PEM"), "{message}");
        }
        other => panic!("expected Config, got {other:?}"),
    }
}

#[test]
fn os_cacert_and_os_insecure_are_read_from_the_environment() {
    let vars = |name: &str| match name {
        "INFOMANIAK_APP_CREDENTIAL_ID" => Some("id".to_string()),
        "INFOMANIAK_APP_CREDENTIAL_SECRET" => Some("secret".to_string()),
        "OS_CACERT" => Some("/etc/ssl/my-ca.pem".to_string()),
        "OS_INSECURE" => Some("true".to_string()),
        _ => None,
    };
    let config = Config::from_vars(vars).unwrap();
    assert_eq!(
        config.ca_bundle.as_deref(),
        Some(std::path::Path::new("/etc/ssl/my-ca.pem"))
    );
    assert!(config.insecure);

    let bad = |name: &str| match name {
        "INFOMANIAK_APP_CREDENTIAL_ID" => Some("id".to_string()),
        "INFOMANIAK_APP_CREDENTIAL_SECRET" => Some("secret".to_string()),
        "OS_INSECURE" => Some("maybe".to_string()),
        _ => None,
    };
    match Config::from_vars(bad).unwrap_err() {
        Error::Config { message, .. } => {
            assert_eq!(message, "OS_INSECURE is `maybe`; expected true or false");
        }
        other => panic!("expected Config, got {other:?}"),
    }
}

#[test]
fn insecure_mode_warns_on_every_client_built() {
    common::capture_logs();
    let mut config = Config::application_credential("id", "secret");
    config.insecure = true;
    config.proxy = ProxySetting::Direct;
    InfomaniakVolumeClient::new(config.clone()).unwrap();
    InfomaniakVolumeClient::new(config).unwrap();
    let warnings: Vec<String> = common::crate_logs(log::Level::Warn)
        .into_iter()
        .filter(|line| line.contains("TLS certificate verification is OFF"))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");

    let mut secure = Config::application_credential("id", "secret");
    secure.proxy = ProxySetting::Direct;
    InfomaniakVolumeClient::new(secure).unwrap();
    let after: usize = common::crate_logs(log::Level::Warn)
        .iter()
        .filter(|line| line.contains("TLS certificate verification is OFF"))
        .count();
    assert_eq!(after, 2, "a verifying client must not warn");
}

// ----- real TLS handshakes against a Keystone on 127.0.0.1 with its own CA ---------------

fn https_config(auth_url: &str) -> Config {
    let mut config = Config::application_credential(common::APP_CRED_ID, common::APP_CRED_SECRET);
    config.auth_url = auth_url.to_string();
    config.retry = infomaniak_block_storage::RetryPolicy::none();
    config.request_timeout = std::time::Duration::from_secs(10);
    config.proxy = ProxySetting::Direct;
    config
}

#[test]
fn certificates_are_verified_by_default() {
    let (auth_url, _ca) = https_keystone("infomaniak-block-storage test CA");
    let client = InfomaniakVolumeClient::new(https_config(&auth_url)).unwrap();
    match client.try_authenticate() {
        Err(Error::Transport {
            message,
            outcome_unknown: false,
            ..
        }) => assert!(
            message.to_ascii_lowercase().contains("certificate")
                || message.to_ascii_lowercase().contains("issuer"),
            "{message}"
        ),
        other => panic!("an unknown CA must be refused, got {other:?}"),
    }
}

#[test]
fn a_ca_bundle_makes_a_private_ca_trusted() {
    let (auth_url, ca) = https_keystone("infomaniak-block-storage test CA");
    let mut config = https_config(&auth_url);
    config.ca_bundle = Some(temp_file("private-ca.pem", ca.as_bytes()));
    let client = InfomaniakVolumeClient::new(config).unwrap();
    assert_eq!(client.try_authenticate(), Ok(()));
}

#[test]
fn insecure_mode_skips_verification() {
    let (auth_url, _ca) = https_keystone("infomaniak-block-storage test CA");
    let mut config = https_config(&auth_url);
    config.insecure = true;
    let client = InfomaniakVolumeClient::new(config).unwrap();
    assert_eq!(client.try_authenticate(), Ok(()));
}
