//! OpenStack `clouds.yaml` and `secure.yaml` (feature `clouds-yaml`, on by default).
//!
//! A cloud entry is read into the openrc settings it stands for, with a label naming the file
//! and the cloud; `settings` turns them into a `Config` by the same rules as variables, and
//! calls each setting by its key in the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::error::{Error, Result};

/// `clouds.yaml` key (under `auth:` or at the top of the cloud) → openrc variable.
const AUTH_KEYS: &[(&str, &str)] = &[
    ("auth_url", "OS_AUTH_URL"),
    ("application_credential_id", "OS_APPLICATION_CREDENTIAL_ID"),
    (
        "application_credential_name",
        "OS_APPLICATION_CREDENTIAL_NAME",
    ),
    (
        "application_credential_secret",
        "OS_APPLICATION_CREDENTIAL_SECRET",
    ),
    ("username", "OS_USERNAME"),
    ("user_id", "OS_USER_ID"),
    ("password", "OS_PASSWORD"),
    ("token", "OS_TOKEN"),
    ("user_domain_name", "OS_USER_DOMAIN_NAME"),
    ("user_domain_id", "OS_USER_DOMAIN_ID"),
    ("project_id", "OS_PROJECT_ID"),
    ("project_name", "OS_PROJECT_NAME"),
    ("project_domain_name", "OS_PROJECT_DOMAIN_NAME"),
    ("project_domain_id", "OS_PROJECT_DOMAIN_ID"),
];

/// Top-level keys of a cloud entry → openrc variable.
const CLOUD_KEYS: &[(&str, &str)] = &[
    ("auth_type", "OS_AUTH_TYPE"),
    ("region_name", "OS_REGION_NAME"),
    ("interface", "OS_INTERFACE"),
    ("cacert", "OS_CACERT"),
    ("volume_api_version", "OS_VOLUME_API_VERSION"),
];

/// Where `clouds.yaml` is looked for, in order: `OS_CLIENT_CONFIG_FILE`, the current
/// directory, `~/.config/openstack/`, `/etc/openstack/`.
fn candidates(var: &dyn Fn(&str) -> Option<String>, explicit: &str, stem: &str) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(file) = var(explicit) {
        paths.push(PathBuf::from(file));
    }
    let mut dirs = vec![PathBuf::from(".")];
    if let Some(home) = var("HOME") {
        dirs.push(Path::new(&home).join(".config/openstack"));
    }
    dirs.push(PathBuf::from("/etc/openstack"));
    for dir in dirs {
        for ext in ["yaml", "yml"] {
            paths.push(dir.join(format!("{stem}.{ext}")));
        }
    }
    paths
}

fn first_existing(paths: &[PathBuf]) -> Option<&PathBuf> {
    paths.iter().find(|p| p.is_file())
}

fn parse(path: &Path, text: &str) -> Result<Yaml> {
    let docs = YamlLoader::load_from_str(text)
        .map_err(|e| Error::config(format!("{}: not valid YAML: {e}", path.display())))?;
    Ok(docs.into_iter().next().unwrap_or(Yaml::Null))
}

fn read(path: &Path) -> Result<Yaml> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::config_caused(format!("cannot read {}: {e}", path.display()), e))?;
    parse(path, &text)
}

/// `secure` merged over `base`, key by key, recursively (openstacksdk's rule).
fn merge(base: &Yaml, secure: &Yaml) -> Yaml {
    match (base, secure) {
        (Yaml::Hash(b), Yaml::Hash(s)) => {
            let mut out = b.clone();
            for (key, value) in s {
                let merged = match b.get(key) {
                    Some(existing) => merge(existing, value),
                    None => value.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Yaml::Hash(out)
        }
        (_, Yaml::Null | Yaml::BadValue) => base.clone(),
        (_, other) => other.clone(),
    }
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The `OS_*` variables a cloud entry stands for.
fn cloud_vars(cloud: &Yaml, label: &str) -> Result<HashMap<String, String>> {
    let Yaml::Hash(entry) = cloud else {
        return Err(Error::config(format!("{label} is not a mapping")));
    };
    let get = |key: &str| entry.get(&Yaml::String(key.to_string()));
    let mut vars = HashMap::new();
    let auth = get("auth");
    for (key, var) in AUTH_KEYS {
        let value = auth
            .map(|a| &a[*key])
            .and_then(scalar)
            .or_else(|| get(key).and_then(scalar));
        if let Some(value) = value {
            vars.insert(var.to_string(), value);
        }
    }
    for (key, var) in CLOUD_KEYS {
        if let Some(value) = get(key).and_then(scalar) {
            vars.insert(var.to_string(), value);
        }
    }
    // `regions:` may list several; the first is the default, like openstacksdk.
    if !vars.contains_key("OS_REGION_NAME") {
        if let Some(Yaml::Array(regions)) = get("regions") {
            let first = regions.first().and_then(|r| match r {
                Yaml::Hash(h) => h.get(&Yaml::String("name".into())).and_then(scalar),
                other => scalar(other),
            });
            if let Some(region) = first {
                vars.insert("OS_REGION_NAME".into(), region);
            }
        }
    }
    if let Some(verify) = get("verify") {
        let insecure = match verify {
            Yaml::Boolean(b) => !b,
            other => match scalar(other)
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("false" | "no" | "0") => true,
                Some("true" | "yes" | "1") => false,
                _ => {
                    return Err(Error::config(format!(
                        "{label}: `verify` must be true or false"
                    )));
                }
            },
        };
        vars.insert("OS_INSECURE".into(), insecure.to_string());
    }
    if let Some(url) = get("block_storage_endpoint_override")
        .or_else(|| get("volume_endpoint_override"))
        .and_then(scalar)
    {
        vars.insert("BLOCK_STORAGE_ENDPOINT_OVERRIDE".into(), url);
    }
    if let Some(url) = get("compute_endpoint_override").and_then(scalar) {
        vars.insert("COMPUTE_ENDPOINT_OVERRIDE".into(), url);
    }
    Ok(vars)
}

/// The `clouds.yaml` key of an openrc setting, for errors.
pub(crate) fn key_for(var: &str) -> String {
    if let Some((key, _)) = AUTH_KEYS.iter().find(|(_, v)| *v == var) {
        return format!("auth.{key}");
    }
    if let Some((key, _)) = CLOUD_KEYS.iter().find(|(_, v)| *v == var) {
        return (*key).to_string();
    }
    match var {
        "OS_INSECURE" => "verify".into(),
        "BLOCK_STORAGE_ENDPOINT_OVERRIDE" => "block_storage_endpoint_override".into(),
        "COMPUTE_ENDPOINT_OVERRIDE" => "compute_endpoint_override".into(),
        other => other.to_string(),
    }
}

/// A cloud entry: its settings by openrc name, and a label naming the cloud and its files.
pub(crate) struct CloudEntry {
    pub label: String,
    pub vars: HashMap<String, String>,
}

/// Reads cloud `name`, looking files up with `var` (for `HOME`, `OS_CLIENT_CONFIG_FILE`,
/// `OS_CLIENT_SECURE_FILE`).
pub(crate) fn load(name: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<CloudEntry> {
    let clouds_paths = candidates(var, "OS_CLIENT_CONFIG_FILE", "clouds");
    let Some(clouds_path) = first_existing(&clouds_paths) else {
        let looked: Vec<String> = clouds_paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(Error::config(format!(
            "cloud `{name}` requested but no clouds.yaml found (looked in {})",
            looked.join(", ")
        )));
    };
    let clouds = read(clouds_path)?;
    let secure_paths = candidates(var, "OS_CLIENT_SECURE_FILE", "secure");
    let secure = match first_existing(&secure_paths) {
        Some(path) => Some((path, read(path)?)),
        None => None,
    };
    let key = Yaml::String(name.to_string());
    let base = &clouds["clouds"];
    let entry = match base {
        Yaml::Hash(h) => h.get(&key),
        _ => None,
    };
    let secure_entry = secure.as_ref().and_then(|(_, s)| match &s["clouds"] {
        Yaml::Hash(h) => h.get(&key).cloned(),
        _ => None,
    });
    let label = match &secure {
        Some((path, _)) if secure_entry.is_some() => format!(
            "cloud `{name}` in {} (with {})",
            clouds_path.display(),
            path.display()
        ),
        _ => format!("cloud `{name}` in {}", clouds_path.display()),
    };
    let cloud = match (entry, secure_entry) {
        (Some(entry), Some(secure)) => merge(entry, &secure),
        (Some(entry), None) => entry.clone(),
        (None, _) => {
            let known: Vec<String> = match base {
                Yaml::Hash(h) => h.keys().filter_map(scalar).collect(),
                _ => Vec::new(),
            };
            return Err(Error::config(format!(
                "no cloud `{name}` in {} (it has: {})",
                clouds_path.display(),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
    };
    let vars = cloud_vars(&cloud, &label)?;
    Ok(CloudEntry { label, vars })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Auth, Config, Domain, Interface, Project, User};

    struct Dir(PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn dir(tag: &str) -> Dir {
        let path = std::env::temp_dir().join(format!(
            "ibs-clouds-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Dir(path)
    }

    fn with_files(
        tag: &str,
        clouds: &str,
        secure: Option<&str>,
        name: &str,
    ) -> (Dir, Result<Config>) {
        let d = dir(tag);
        let clouds_path = d.0.join("clouds.yaml");
        std::fs::write(&clouds_path, clouds).unwrap();
        let secure_path = d.0.join("secure.yaml");
        if let Some(secure) = secure {
            std::fs::write(&secure_path, secure).unwrap();
        }
        let home = d.0.join("no-home");
        let vars: HashMap<String, String> = [
            ("OS_CLIENT_CONFIG_FILE", clouds_path.display().to_string()),
            ("OS_CLIENT_SECURE_FILE", secure_path.display().to_string()),
            ("HOME", home.display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let result = crate::config::settings::from_cloud(name, &|v| vars.get(v).cloned());
        (d, result)
    }

    const INFOMANIAK: &str = r#"
clouds:
  infomaniak:
    auth:
      auth_url: https://api.pub1.infomaniak.cloud/identity/v3
      application_credential_id: "abc123"
      application_credential_secret: "s3cret"
    auth_type: v3applicationcredential
    region_name: dc3-a
    interface: public
    identity_api_version: 3
  pw:
    auth:
      auth_url: https://keystone.example.test:5000/v3/
      username: alice
      project_name: PCP-ABC
      user_domain_name: Default
      project_domain_name: Default
    region_name: dc4-a
    interface: internal
    verify: false
    cacert: /etc/ssl/private-ca.pem
    block_storage_endpoint_override: https://cinder.example.test/v3/p
"#;

    #[test]
    fn application_credential_cloud() {
        let (_d, config) = with_files("appcred", INFOMANIAK, None, "infomaniak");
        let config = config.unwrap();
        assert_eq!(
            config.auth,
            Some(Auth::ApplicationCredential {
                id: "abc123".into(),
                secret: "s3cret".into()
            })
        );
        assert_eq!(
            config.auth_url,
            "https://api.pub1.infomaniak.cloud/identity/v3"
        );
        assert_eq!(config.region, "dc3-a");
        assert_eq!(config.interface, Interface::Public);
        assert!(!config.insecure);
    }

    #[test]
    fn password_cloud_with_secure_yaml() {
        let secure = "clouds:\n  pw:\n    auth:\n      password: hunter2\n";
        let (_d, config) = with_files("pw", INFOMANIAK, Some(secure), "pw");
        let config = config.unwrap();
        assert_eq!(
            config.auth,
            Some(Auth::Password {
                user: User::Name {
                    name: "alice".into(),
                    domain: Domain::Name("Default".into())
                },
                password: "hunter2".into(),
                project: Project::Name {
                    name: "PCP-ABC".into(),
                    domain: Domain::Name("Default".into())
                },
            })
        );
        assert_eq!(config.auth_url, "https://keystone.example.test:5000/v3");
        assert_eq!(config.region, "dc4-a");
        assert_eq!(config.interface, Interface::Internal);
        assert!(config.insecure);
        assert_eq!(
            config.ca_bundle,
            Some(PathBuf::from("/etc/ssl/private-ca.pem"))
        );
        assert_eq!(
            config.block_storage_endpoint.as_deref(),
            Some("https://cinder.example.test/v3/p")
        );
    }

    #[test]
    fn errors_name_file_cloud_and_key() {
        let (d, err) = with_files("missing", INFOMANIAK, None, "pw");
        let message = err.unwrap_err().to_string();
        assert!(message.contains("cloud `pw`"), "{message}");
        assert!(
            message.contains(&d.0.join("clouds.yaml").display().to_string()),
            "{message}"
        );
        assert!(message.contains("auth.password"), "{message}");
        assert!(!message.contains("OS_PASSWORD"), "{message}");

        let (_d, err) = with_files("unknown", INFOMANIAK, None, "nope");
        let message = err.unwrap_err().to_string();
        assert!(message.contains("no cloud `nope`"), "{message}");
        assert!(message.contains("infomaniak, pw"), "{message}");

        let (_d, err) = with_files("badyaml", "clouds: [unclosed", None, "x");
        assert!(err.unwrap_err().to_string().contains("not valid YAML"));

        let (_d, err) = with_files("noauth", "clouds:\n  x:\n    region_name: a\n", None, "x");
        assert!(
            err.unwrap_err()
                .to_string()
                .contains("auth.auth_url is missing")
        );
    }

    #[test]
    fn no_file_anywhere() {
        let d = dir("none");
        let home = d.0.display().to_string();
        let missing = d.0.join("nope.yaml").display().to_string();
        let err = crate::config::settings::from_cloud("x", &|v| match v {
            "HOME" => Some(home.clone()),
            "OS_CLIENT_CONFIG_FILE" => Some(missing.clone()),
            _ => None,
        })
        .unwrap_err();
        assert!(err.to_string().contains("no clouds.yaml found"), "{err}");
    }

    #[test]
    fn hostile_yaml_does_not_panic() {
        for text in [
            "",
            "~",
            "clouds: 3",
            "clouds:\n  x: [1, 2]",
            "clouds:\n  x:\n    auth: 7\n",
            "clouds:\n  x:\n    auth:\n      auth_url: [a]\n",
            "&a [*a]",
            "clouds: {x: {auth: {auth_url: 'http://h/v3', token: t, project_id: p}, regions: [{name: r1}, r2]}}",
        ] {
            let _ = with_files("hostile", text, None, "x");
        }
        let (_d, config) = with_files(
            "regions",
            "clouds: {x: {auth: {auth_url: 'http://h/v3', token: t, project_id: p}, regions: [{name: r1}, r2]}}",
            None,
            "x",
        );
        assert_eq!(config.unwrap().region, "r1");
    }
}
