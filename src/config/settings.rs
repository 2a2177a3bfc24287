//! The one place where settings become a [`Config`]: from variables (`INFOMANIAK_*`, `OS_*`)
//! or from a `clouds.yaml` entry. Each source knows what the user called a setting, so that an
//! error names the variable, or the file, cloud and key, that needs fixing.

use std::path::PathBuf;

use log::debug;

use super::{
    Auth, Config, Domain, Interface, Project, Secret, TokenCache, User, normalize_auth_url,
};
use crate::error::{Error, Result};

/// Settings looked up by their openrc name (`OS_AUTH_URL`, ...), with where they came from.
pub(crate) struct Settings<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
    source: Source,
}

/// Where settings come from.
pub(crate) enum Source {
    /// Environment variables: a setting is called by its variable.
    Variables,
    /// A `clouds.yaml` entry: a setting is called by its key, and errors start with `label`
    /// (`cloud `x` in /path/clouds.yaml`).
    #[cfg_attr(not(feature = "clouds-yaml"), allow(dead_code))]
    CloudsYaml { label: String },
}

impl<'a> Settings<'a> {
    pub(crate) fn new(get: &'a dyn Fn(&str) -> Option<String>, source: Source) -> Settings<'a> {
        Settings { get, source }
    }

    /// The value of a setting; empty values count as unset.
    fn value(&self, name: &str) -> Option<String> {
        (self.get)(name).filter(|v| !v.trim().is_empty())
    }

    fn is_set(&self, name: &str) -> bool {
        self.value(name).is_some()
    }

    /// What the user calls setting `name`.
    fn name(&self, name: &str) -> String {
        match &self.source {
            Source::Variables => name.to_string(),
            #[cfg(feature = "clouds-yaml")]
            Source::CloudsYaml { .. } => super::clouds::key_for(name).to_string(),
            #[cfg(not(feature = "clouds-yaml"))]
            Source::CloudsYaml { .. } => name.to_string(),
        }
    }

    fn error(&self, message: impl Into<String>) -> Error {
        match &self.source {
            Source::Variables => Error::config(message),
            Source::CloudsYaml { label } => Error::config(format!("{label}: {}", message.into())),
        }
    }

    fn required(&self, name: &str, auth_type: &str) -> Result<String> {
        self.value(name).ok_or_else(|| {
            self.error(format!(
                "{} is required with {}={auth_type}",
                self.name(name),
                self.name("OS_AUTH_TYPE")
            ))
        })
    }
}

/// `Config::from_vars`: `INFOMANIAK_*` first, then `OS_CLOUD`, then the openrc variables.
pub(crate) fn from_vars(get: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
    let vars = Settings::new(get, Source::Variables);
    let token_cache = token_cache(&vars)?;
    let mut config = from_sources(&vars, get)?;
    config.token_cache = token_cache;
    Ok(config)
}

/// `INFOMANIAK_TOKEN_CACHE`: `1`/`true`/`on` for the user's cache folder, `0`/`false`/`off`
/// for none, or a folder's absolute path.
fn token_cache(vars: &Settings<'_>) -> Result<TokenCache> {
    let Some(value) = vars.value("INFOMANIAK_TOKEN_CACHE") else {
        return Ok(TokenCache::Off);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(TokenCache::UserCacheDir),
        "0" | "false" | "no" | "off" => Ok(TokenCache::Off),
        _ if value.starts_with('/') => Ok(TokenCache::Dir(PathBuf::from(value.trim()))),
        _ => Err(Error::config(format!(
            "INFOMANIAK_TOKEN_CACHE is `{value}`; expected 1, 0 or an absolute folder path"
        ))),
    }
}

fn from_sources(vars: &Settings<'_>, get: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
    let mut config = Config::default();
    tls(vars, &mut config)?;

    let ik_id = vars.value("INFOMANIAK_APP_CREDENTIAL_ID");
    let ik_secret = vars.value("INFOMANIAK_APP_CREDENTIAL_SECRET");
    match (ik_id, ik_secret) {
        (Some(id), Some(secret)) => {
            config.auth = Some(Auth::ApplicationCredential {
                id,
                secret: Secret::new(secret),
            });
            if let Some(url) = vars.value("INFOMANIAK_AUTH_URL") {
                config.auth_url = normalize_auth_url(&url);
            }
            if let Some(region) = vars.value("INFOMANIAK_REGION") {
                config.region = region;
            }
            return Ok(config);
        }
        (Some(_), None) => {
            return Err(Error::config(
                "INFOMANIAK_APP_CREDENTIAL_ID is set but INFOMANIAK_APP_CREDENTIAL_SECRET is not",
            ));
        }
        (None, Some(_)) => {
            return Err(Error::config(
                "INFOMANIAK_APP_CREDENTIAL_SECRET is set but INFOMANIAK_APP_CREDENTIAL_ID is not",
            ));
        }
        (None, None) => {}
    }

    if let Some(cloud) = vars.value("OS_CLOUD") {
        let mut from_file = from_cloud(&cloud, get)?;
        // Explicit TLS variables win over the file, as they do over the defaults.
        if config.ca_bundle.is_some() {
            from_file.ca_bundle = config.ca_bundle;
        }
        if vars.is_set("OS_INSECURE") {
            from_file.insecure = config.insecure;
        }
        return Ok(from_file);
    }

    if !vars.is_set("OS_AUTH_URL") {
        return Err(Error::config(
            "no credentials: set INFOMANIAK_APP_CREDENTIAL_ID and INFOMANIAK_APP_CREDENTIAL_SECRET, \
             or source an OpenStack openrc file (OS_AUTH_URL is not set)",
        ));
    }
    openrc(vars, config)
}

/// `Config::from_cloud`: the entry read by [`super::clouds`], through the same rules.
#[cfg(feature = "clouds-yaml")]
pub(crate) fn from_cloud(name: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
    let entry = super::clouds::load(name, var)?;
    let get = |key: &str| entry.vars.get(key).cloned();
    let settings = Settings::new(
        &get,
        Source::CloudsYaml {
            label: entry.label.clone(),
        },
    );
    if !settings.is_set("OS_AUTH_URL") {
        return Err(settings.error(format!("{} is missing", settings.name("OS_AUTH_URL"))));
    }
    let mut config = Config::default();
    tls(&settings, &mut config)?;
    let mut config = openrc(&settings, config)?;
    config.block_storage_endpoint = settings.value("BLOCK_STORAGE_ENDPOINT_OVERRIDE");
    config.compute_endpoint = settings.value("COMPUTE_ENDPOINT_OVERRIDE");
    config.validate().map_err(|e| match e {
        Error::Config { message, .. } => settings.error(message),
        other => other,
    })?;
    Ok(config)
}

#[cfg(not(feature = "clouds-yaml"))]
pub(crate) fn from_cloud(name: &str, _var: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
    Err(Error::config(format!(
        "cloud `{name}` requested (OS_CLOUD) but this build has no clouds.yaml support: \
         enable the `clouds-yaml` feature of infomaniak-block-storage"
    )))
}

/// `OS_CACERT` and `OS_INSECURE`.
fn tls(settings: &Settings<'_>, config: &mut Config) -> Result<()> {
    if let Some(path) = settings.value("OS_CACERT") {
        config.ca_bundle = Some(PathBuf::from(path));
    }
    if let Some(value) = settings.value("OS_INSECURE") {
        config.insecure = match value.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => {
                return Err(settings.error(format!(
                    "{} is `{value}`; expected true or false",
                    settings.name("OS_INSECURE")
                )));
            }
        };
    }
    Ok(())
}

/// The openrc settings: auth URL, region, interface, microversion and the credential.
fn openrc(s: &Settings<'_>, mut config: Config) -> Result<Config> {
    if let Some(url) = s.value("OS_AUTH_URL") {
        config.auth_url = normalize_auth_url(&url);
    }
    if let Some(region) = s.value("OS_REGION_NAME") {
        config.region = region;
    }
    let interface = s
        .value("OS_INTERFACE")
        .map(|v| ("OS_INTERFACE", v))
        .or_else(|| s.value("OS_ENDPOINT_TYPE").map(|v| ("OS_ENDPOINT_TYPE", v)));
    if let Some((name, interface)) = interface {
        config.interface = Interface::parse(&interface).ok_or_else(|| {
            s.error(format!(
                "{} is `{interface}`; expected public, internal or admin",
                s.name(name)
            ))
        })?;
    }
    if let Some(version) = s.value("OS_VOLUME_API_VERSION") {
        if version.contains('.') {
            config.volume_microversion = version;
        }
    }

    let has_app_cred =
        s.is_set("OS_APPLICATION_CREDENTIAL_ID") || s.is_set("OS_APPLICATION_CREDENTIAL_NAME");
    let auth_type = match s.value("OS_AUTH_TYPE") {
        Some(t) => t.to_ascii_lowercase().replace(['-', '_'], ""),
        None if has_app_cred => "v3applicationcredential".to_string(),
        None if s.is_set("OS_PASSWORD") => "password".to_string(),
        None if s.is_set("OS_TOKEN") => "token".to_string(),
        None => {
            return Err(s.error(format!(
                "{} is set but none of {}, {} or {} is",
                s.name("OS_AUTH_URL"),
                s.name("OS_APPLICATION_CREDENTIAL_ID"),
                s.name("OS_PASSWORD"),
                s.name("OS_TOKEN")
            )));
        }
    };

    let auth = match auth_type.as_str() {
        "v3applicationcredential" | "applicationcredential" => {
            let secret = Secret::new(s.required("OS_APPLICATION_CREDENTIAL_SECRET", &auth_type)?);
            match s.value("OS_APPLICATION_CREDENTIAL_ID") {
                Some(id) => {
                    // The credential carries its project and user, and Keystone answers 401
                    // to one sent with a scope: like keystoneauth, leave out what does not
                    // apply, such as the leftovers of a password openrc sourced before.
                    ignore(
                        s,
                        &auth_type,
                        &[PROJECT_SCOPE, USER, &["OS_PASSWORD", "OS_TOKEN"]],
                    );
                    Auth::ApplicationCredential { id, secret }
                }
                None => {
                    ignore(
                        s,
                        &auth_type,
                        &[PROJECT_SCOPE, &["OS_PASSWORD", "OS_TOKEN"]],
                    );
                    Auth::ApplicationCredentialName {
                        name: s.required("OS_APPLICATION_CREDENTIAL_NAME", &auth_type)?,
                        user: user(s, &auth_type)?,
                        secret,
                    }
                }
            }
        }
        "password" | "v3password" => {
            ignore(s, &auth_type, &[APPLICATION_CREDENTIAL, &["OS_TOKEN"]]);
            Auth::Password {
                user: user(s, &auth_type)?,
                password: Secret::new(s.required("OS_PASSWORD", &auth_type)?),
                project: project(s, &auth_type)?,
            }
        }
        "token" | "v3token" => {
            ignore(
                s,
                &auth_type,
                &[USER, APPLICATION_CREDENTIAL, &["OS_PASSWORD"]],
            );
            Auth::Token {
                token: Secret::new(s.required("OS_TOKEN", &auth_type)?),
                project: project(s, &auth_type)?,
            }
        }
        other => {
            return Err(s.error(format!(
                "{} `{other}` is not supported; use v3applicationcredential, password or token",
                s.name("OS_AUTH_TYPE")
            )));
        }
    };
    config.auth = Some(auth);
    Ok(config)
}

/// The settings that scope a token to a project.
const PROJECT_SCOPE: &[&str] = &[
    "OS_PROJECT_ID",
    "OS_PROJECT_NAME",
    "OS_TENANT_ID",
    "OS_TENANT_NAME",
    "OS_PROJECT_DOMAIN_ID",
    "OS_PROJECT_DOMAIN_NAME",
];
/// The settings that name a user.
const USER: &[&str] = &[
    "OS_USER_DOMAIN_ID",
    "OS_USER_DOMAIN_NAME",
    "OS_USERNAME",
    "OS_USER_ID",
];
/// The settings of an application credential.
const APPLICATION_CREDENTIAL: &[&str] = &[
    "OS_APPLICATION_CREDENTIAL_ID",
    "OS_APPLICATION_CREDENTIAL_NAME",
    "OS_APPLICATION_CREDENTIAL_SECRET",
];

/// Logs, at debug level, the settings that are set but do not apply to `auth_type`.
fn ignore(s: &Settings<'_>, auth_type: &str, groups: &[&[&str]]) {
    let ignored: Vec<String> = groups
        .iter()
        .flat_map(|group| group.iter())
        .filter(|name| s.is_set(name))
        .map(|name| s.name(name))
        .collect();
    if !ignored.is_empty() {
        debug!(
            "ignoring {} (not used with auth type {auth_type})",
            ignored.join(", ")
        );
    }
}

fn domain(s: &Settings<'_>, id_var: &str, name_var: &str) -> Result<Option<Domain>> {
    match (s.value(id_var), s.value(name_var)) {
        (Some(_), Some(_)) => Err(s.error(format!(
            "both {} and {} are set; set only one",
            s.name(id_var),
            s.name(name_var)
        ))),
        (Some(id), None) => Ok(Some(Domain::Id(id))),
        (None, Some(name)) => Ok(Some(Domain::Name(name))),
        (None, None) => Ok(None),
    }
}

fn user(s: &Settings<'_>, auth_type: &str) -> Result<User> {
    if let Some(id) = s.value("OS_USER_ID") {
        return Ok(User::Id(id));
    }
    let name = s.value("OS_USERNAME").ok_or_else(|| {
        s.error(format!(
            "{} or {} is required with {}={auth_type}",
            s.name("OS_USERNAME"),
            s.name("OS_USER_ID"),
            s.name("OS_AUTH_TYPE")
        ))
    })?;
    let domain = domain(s, "OS_USER_DOMAIN_ID", "OS_USER_DOMAIN_NAME")?.ok_or_else(|| {
        s.error(format!(
            "{} or {} is required with {}",
            s.name("OS_USER_DOMAIN_NAME"),
            s.name("OS_USER_DOMAIN_ID"),
            s.name("OS_USERNAME")
        ))
    })?;
    Ok(User::Name { name, domain })
}

fn project(s: &Settings<'_>, auth_type: &str) -> Result<Project> {
    if let Some(id) = s.value("OS_PROJECT_ID").or_else(|| s.value("OS_TENANT_ID")) {
        return Ok(Project::Id(id));
    }
    let name = s
        .value("OS_PROJECT_NAME")
        .or_else(|| s.value("OS_TENANT_NAME"))
        .ok_or_else(|| {
            s.error(format!(
                "{} or {} is required with {}={auth_type}",
                s.name("OS_PROJECT_ID"),
                s.name("OS_PROJECT_NAME"),
                s.name("OS_AUTH_TYPE")
            ))
        })?;
    let domain = domain(s, "OS_PROJECT_DOMAIN_ID", "OS_PROJECT_DOMAIN_NAME")?.ok_or_else(|| {
        s.error(format!(
            "{} or {} is required with {}",
            s.name("OS_PROJECT_DOMAIN_NAME"),
            s.name("OS_PROJECT_DOMAIN_ID"),
            s.name("OS_PROJECT_NAME")
        ))
    })?;
    Ok(Project::Name { name, domain })
}
