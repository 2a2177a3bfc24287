//! `clouds.yaml` / `secure.yaml` through the public API: `Config::from_vars` with `OS_CLOUD`
//! and `OS_CLIENT_CONFIG_FILE` pointing at a temporary file, `Config::from_cloud`, and a
//! client built from such a file talking to the fake cloud. The real `~/.config` is never
//! read: `HOME` always points into the temporary directory.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use infomaniak_block_storage::{
    Auth, Config, CreateVolumeOptions, Domain, Error, InfomaniakVolumeClient, Interface, Project,
    User,
};
use infomaniak_fake_cloud::FakeCloud;

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "ibs-clouds-yaml-it-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The variables of a test: files in `dir`, HOME inside it, plus `extra`.
fn vars(dir: &TempDir, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = [
        ("OS_CLIENT_CONFIG_FILE", dir.path("clouds.yaml")),
        ("OS_CLIENT_SECURE_FILE", dir.path("secure.yaml")),
        ("HOME", dir.path("home")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.display().to_string()))
    .collect();
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    vars
}

fn from_vars(vars: &HashMap<String, String>) -> Result<Config, Error> {
    Config::from_vars(|name| vars.get(name).cloned())
}

fn config_message(err: Error) -> String {
    match err {
        Error::Config { message, .. } => message,
        other => panic!("expected Error::Config, got {other:?}"),
    }
}

const TWO_CLOUDS: &str = r#"
clouds:
  first:
    auth:
      auth_url: https://first.example.test/identity/v3
      application_credential_id: first-id
      application_credential_secret: first-secret
    auth_type: v3applicationcredential
    region_name: dc3-a
  second:
    auth:
      auth_url: https://second.example.test:5000/v3/
      application_credential_id: second-id
      application_credential_secret: second-secret
    region_name: dc4-a
    interface: internal
    volume_api_version: "3.60"
"#;

#[test]
fn os_cloud_selects_the_cloud() {
    let dir = TempDir::new("select");
    dir.write("clouds.yaml", TWO_CLOUDS);

    let config = from_vars(&vars(&dir, &[("OS_CLOUD", "first")])).unwrap();
    assert_eq!(config.auth, common::app_cred("first-id", "first-secret"));
    assert_eq!(config.auth_url, "https://first.example.test/identity/v3");
    assert_eq!(config.region, "dc3-a");
    assert_eq!(config.interface, Interface::Public);
    assert_eq!(config.volume_microversion, "3.67");
    assert!(!config.insecure);

    let config = from_vars(&vars(&dir, &[("OS_CLOUD", "second")])).unwrap();
    assert_eq!(config.auth, common::app_cred("second-id", "second-secret"));
    assert_eq!(config.auth_url, "https://second.example.test:5000/v3");
    assert_eq!(config.region, "dc4-a");
    assert_eq!(config.interface, Interface::Internal);
    assert_eq!(config.volume_microversion, "3.60");
}

#[test]
fn os_cloud_wins_over_other_os_variables() {
    let dir = TempDir::new("os-wins");
    dir.write("clouds.yaml", TWO_CLOUDS);
    let config = from_vars(&vars(
        &dir,
        &[
            ("OS_CLOUD", "first"),
            ("OS_AUTH_URL", "https://openrc.example.test/v3"),
            ("OS_APPLICATION_CREDENTIAL_ID", "openrc-id"),
            ("OS_APPLICATION_CREDENTIAL_SECRET", "openrc-secret"),
            ("OS_REGION_NAME", "elsewhere"),
        ],
    ))
    .unwrap();
    assert_eq!(config.auth, common::app_cred("first-id", "first-secret"));
    assert_eq!(config.auth_url, "https://first.example.test/identity/v3");
    assert_eq!(config.region, "dc3-a");
}

#[test]
fn infomaniak_variables_win_over_os_cloud() {
    let dir = TempDir::new("ik-wins");
    dir.write("clouds.yaml", TWO_CLOUDS);
    let config = from_vars(&vars(
        &dir,
        &[
            ("OS_CLOUD", "second"),
            ("INFOMANIAK_APP_CREDENTIAL_ID", "ik-id"),
            ("INFOMANIAK_APP_CREDENTIAL_SECRET", "ik-secret"),
        ],
    ))
    .unwrap();
    assert_eq!(config.auth, common::app_cred("ik-id", "ik-secret"));
    assert_eq!(config.auth_url, infomaniak_block_storage::DEFAULT_AUTH_URL);
    assert_eq!(config.region, "dc3-a");

    // Even when OS_CLOUD names a cloud that does not exist: the file is not consulted.
    let config = from_vars(&vars(
        &dir,
        &[
            ("OS_CLOUD", "missing"),
            ("INFOMANIAK_APP_CREDENTIAL_ID", "ik-id"),
            ("INFOMANIAK_APP_CREDENTIAL_SECRET", "ik-secret"),
        ],
    ))
    .unwrap();
    assert_eq!(config.auth, common::app_cred("ik-id", "ik-secret"));
}

#[test]
fn secure_yaml_is_merged() {
    let dir = TempDir::new("secure");
    dir.write(
        "clouds.yaml",
        r#"
clouds:
  pw:
    auth:
      auth_url: https://keystone.example.test/v3
      username: alice
      user_domain_name: Default
      project_name: PCP-XYZ
      project_domain_id: default
    region_name: dc3-a
"#,
    );
    // Without secure.yaml the password is missing, and the error says which key.
    let message = config_message(from_vars(&vars(&dir, &[("OS_CLOUD", "pw")])).unwrap_err());
    assert!(message.contains("auth.password"), "{message}");
    assert!(!message.contains("OS_PASSWORD"), "{message}");

    let secure = dir.write(
        "secure.yaml",
        "clouds:\n  pw:\n    auth:\n      password: hunter2\n",
    );
    let config = from_vars(&vars(&dir, &[("OS_CLOUD", "pw")])).unwrap();
    assert_eq!(
        config.auth,
        Some(Auth::Password {
            user: User::Name {
                name: "alice".into(),
                domain: Domain::Name("Default".into()),
            },
            password: "hunter2".into(),
            project: Project::Name {
                name: "PCP-XYZ".into(),
                domain: Domain::Id("default".into()),
            },
        })
    );
    assert_eq!(config.auth_url, "https://keystone.example.test/v3");
    // The secret stays out of Debug.
    let debug = format!("{config:?}");
    assert!(!debug.contains("hunter2"), "{debug}");

    // secure.yaml values win over clouds.yaml values.
    std::fs::write(
        &secure,
        "clouds:\n  pw:\n    region_name: dc4-a\n    auth:\n      password: hunter3\n",
    )
    .unwrap();
    let config = from_vars(&vars(&dir, &[("OS_CLOUD", "pw")])).unwrap();
    assert_eq!(config.region, "dc4-a");
    assert!(matches!(
        config.auth,
        Some(Auth::Password { ref password, .. }) if password.expose() == "hunter3"
    ));
}

#[test]
fn errors_name_the_file_the_cloud_and_the_key() {
    let dir = TempDir::new("errors");
    let file = dir.write(
        "clouds.yaml",
        r#"
clouds:
  nosecret:
    auth:
      auth_url: https://keystone.example.test/v3
      application_credential_id: abc
    auth_type: v3applicationcredential
  noauth:
    region_name: dc3-a
  badverify:
    auth:
      auth_url: https://keystone.example.test/v3
      application_credential_id: abc
      application_credential_secret: s
    verify: maybe
  scoped:
    auth:
      auth_url: https://keystone.example.test/v3
      application_credential_id: abc
      application_credential_secret: s
      project_id: p1
"#,
    );
    let file = file.display().to_string();

    let message = config_message(from_vars(&vars(&dir, &[("OS_CLOUD", "nosecret")])).unwrap_err());
    assert!(message.contains(&file), "{message}");
    assert!(message.contains("cloud `nosecret`"), "{message}");
    assert!(
        message.contains("auth.application_credential_secret"),
        "{message}"
    );
    assert!(!message.contains("OS_APPLICATION"), "{message}");

    let message = config_message(from_vars(&vars(&dir, &[("OS_CLOUD", "noauth")])).unwrap_err());
    assert!(message.contains(&file), "{message}");
    assert!(message.contains("cloud `noauth`"), "{message}");
    assert!(message.contains("auth.auth_url is missing"), "{message}");

    let message = config_message(from_vars(&vars(&dir, &[("OS_CLOUD", "badverify")])).unwrap_err());
    assert!(message.contains("cloud `badverify`"), "{message}");
    assert!(message.contains("`verify`"), "{message}");

    // Behaviour change: a project next to an application credential used to be an error
    // naming `auth.project_id`; like keystoneauth, it is now ignored (no scope is sent).
    let scoped = from_vars(&vars(&dir, &[("OS_CLOUD", "scoped")])).unwrap();
    assert_eq!(scoped.auth, common::app_cred("abc", "s"));

    let message = config_message(from_vars(&vars(&dir, &[("OS_CLOUD", "nope")])).unwrap_err());
    assert!(message.contains("no cloud `nope`"), "{message}");
    assert!(message.contains(&file), "{message}");
    for name in ["nosecret", "noauth", "badverify", "scoped"] {
        assert!(message.contains(name), "{message}");
    }

    let broken = TempDir::new("broken");
    let broken_file = broken.write("clouds.yaml", "clouds: [unclosed");
    let message = config_message(from_vars(&vars(&broken, &[("OS_CLOUD", "x")])).unwrap_err());
    assert!(message.contains("not valid YAML"), "{message}");
    assert!(
        message.contains(&broken_file.display().to_string()),
        "{message}"
    );
}

#[test]
fn no_clouds_yaml_anywhere() {
    let dir = TempDir::new("nofile");
    let message = config_message(from_vars(&vars(&dir, &[("OS_CLOUD", "x")])).unwrap_err());
    assert!(message.contains("cloud `x`"), "{message}");
    assert!(message.contains("no clouds.yaml found"), "{message}");
    assert!(
        message.contains(&dir.path("clouds.yaml").display().to_string()),
        "{message}"
    );
    // HOME points into the temporary directory, never at the real one.
    assert!(
        message.contains(
            &dir.path("home")
                .join(".config/openstack")
                .display()
                .to_string()
        ),
        "{message}"
    );
}

fn infomaniak_style(auth_url: &str) -> String {
    format!(
        r#"
clouds:
  infomaniak:
    auth:
      auth_url: {auth_url}
      application_credential_id: "{id}"
      application_credential_secret: "{secret}"
    auth_type: "v3applicationcredential"
    region_name: "dc3-a"
    interface: "public"
    identity_api_version: 3
    verify: false
"#,
        id = FakeCloud::APP_CREDENTIAL_ID,
        secret = FakeCloud::APP_CREDENTIAL_SECRET,
    )
}

#[test]
fn a_client_from_clouds_yaml_talks_to_the_fake_cloud() {
    common::capture_logs();
    let cloud = FakeCloud::builder()
        .transition_delay(std::time::Duration::ZERO)
        .start();
    let dir = TempDir::new("fake");
    dir.write("clouds.yaml", &infomaniak_style(&cloud.auth_url()));
    let config = from_vars(&vars(&dir, &[("OS_CLOUD", "infomaniak")])).unwrap();
    assert!(config.insecure, "verify: false sets insecure");
    assert_eq!(config.auth_url, cloud.auth_url());
    assert_eq!(config.region, "dc3-a");
    assert_eq!(config.interface, Interface::Public);
    assert_eq!(
        config.auth,
        common::app_cred(
            FakeCloud::APP_CREDENTIAL_ID,
            FakeCloud::APP_CREDENTIAL_SECRET
        )
    );

    let client = InfomaniakVolumeClient::new(config).unwrap();
    // Building an insecure client warns.
    let warnings = common::crate_logs(log::Level::Warn);
    assert!(
        warnings
            .iter()
            .any(|l| l.contains("TLS certificate verification is OFF")),
        "{warnings:#?}"
    );
    assert_eq!(client.try_list_volumes(), Ok(vec![]));
    let created = client
        .try_create_volume(1, "from-yaml", &CreateVolumeOptions::default())
        .unwrap();
    let listed = client.list_volumes();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);
    assert_eq!(listed[0].name.as_deref(), Some("from-yaml"));

    let auth = cloud
        .request_log()
        .into_iter()
        .find(|r| r.path == "/identity/v3/auth/tokens")
        .unwrap();
    let body = auth.body_json().unwrap();
    assert_eq!(
        body["auth"]["identity"]["application_credential"]["id"],
        FakeCloud::APP_CREDENTIAL_ID
    );
    assert!(body["auth"].get("scope").is_none());
}

#[test]
fn a_wrong_secret_in_clouds_yaml_is_an_auth_error() {
    let cloud = FakeCloud::start();
    let dir = TempDir::new("wrong");
    dir.write(
        "clouds.yaml",
        &infomaniak_style(&cloud.auth_url()).replace(FakeCloud::APP_CREDENTIAL_SECRET, "nope"),
    );
    let config = from_vars(&vars(&dir, &[("OS_CLOUD", "infomaniak")])).unwrap();
    let client = InfomaniakVolumeClient::new(config).unwrap();
    let err = client.try_list_volumes().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth {
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains(FakeCloud::APP_CREDENTIAL_SECRET));
}

/// Set (to the test's temporary directory) in the child process that
/// `from_cloud_uses_the_process_environment` runs.
const CHILD_DIR: &str = "IBS_CLOUDS_YAML_TEST_CHILD_DIR";

/// `Config::from_cloud` reads the process environment. Rather than changing this process's
/// environment (unsafe in edition 2024, and racy with the other tests), the test runs itself
/// in a child process whose environment is exactly HOME and both files, pointing into a
/// temporary directory: nothing of the machine's environment (`OS_*`, proxies) gets in.
#[test]
fn from_cloud_uses_the_process_environment() {
    let dir = TempDir::new("env");
    let file = dir.write("clouds.yaml", TWO_CLOUDS);
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "from_cloud_in_a_child_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .env(CHILD_DIR, &dir.0)
        .env("HOME", dir.path("home"))
        .env("OS_CLIENT_CONFIG_FILE", &file)
        .env("OS_CLIENT_SECURE_FILE", dir.path("secure.yaml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "child ran no test:\n{stdout}");
}

/// The body of `from_cloud_uses_the_process_environment`; does nothing unless run by it.
#[test]
fn from_cloud_in_a_child_process() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let dir = TempDir(PathBuf::from(dir));
    let file = dir.path("clouds.yaml");
    let config = Config::from_cloud("second").unwrap();
    assert_eq!(config.auth, common::app_cred("second-id", "second-secret"));
    assert_eq!(config.region, "dc4-a");
    let client = InfomaniakVolumeClient::from_cloud("first").unwrap();
    assert_eq!(
        client.config().auth,
        common::app_cred("first-id", "first-secret")
    );

    let message = config_message(Config::from_cloud("third").unwrap_err());
    assert!(message.contains("no cloud `third`"), "{message}");
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(message.contains("first, second"), "{message}");
    let err = InfomaniakVolumeClient::from_cloud("third").unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");

    dir.write(
        "clouds.yaml",
        "clouds:\n  half:\n    auth:\n      auth_url: https://k.example.test/v3\n      application_credential_id: x\n",
    );
    let message = config_message(Config::from_cloud("half").unwrap_err());
    assert!(message.contains("cloud `half`"), "{message}");
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(
        message.contains("auth.application_credential_secret"),
        "{message}"
    );

    std::fs::remove_file(&file).unwrap();
    let message = config_message(Config::from_cloud("half").unwrap_err());
    assert!(message.contains("no clouds.yaml found"), "{message}");
    assert!(
        message.contains(&dir.path("home").display().to_string()),
        "{message}"
    );
    // The parent removes the directory.
    std::mem::forget(dir);
}

#[test]
fn tls_variables_win_over_the_cloud_entry() {
    let dir = TempDir::new("tls-env");
    dir.write(
        "clouds.yaml",
        "clouds:\n  c:\n    auth:\n      auth_url: https://k.example.test/v3\n      application_credential_id: i\n      application_credential_secret: s\n    cacert: /from/file.pem\n    verify: false\n",
    );
    let from_file = from_vars(&vars(&dir, &[("OS_CLOUD", "c")])).unwrap();
    assert_eq!(
        from_file.ca_bundle.as_deref(),
        Some(std::path::Path::new("/from/file.pem"))
    );
    assert!(from_file.insecure);

    let overridden = from_vars(&vars(
        &dir,
        &[
            ("OS_CLOUD", "c"),
            ("OS_CACERT", "/from/env.pem"),
            ("OS_INSECURE", "false"),
        ],
    ))
    .unwrap();
    assert_eq!(
        overridden.ca_bundle.as_deref(),
        Some(std::path::Path::new("/from/env.pem"))
    );
    assert!(!overridden.insecure);
}
