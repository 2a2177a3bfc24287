//! Configuration from `INFOMANIAK_*` and `OS_*` variables (through `Config::from_vars`, never the
//! real process environment) and the checks `InfomaniakVolumeClient::new` makes before any I/O.

mod common;

use std::collections::HashMap;

use httpmock::prelude::*;
use infomaniak_block_storage::{
    Auth, Config, DEFAULT_AUTH_URL, DEFAULT_COMPUTE_MICROVERSION, DEFAULT_REGION,
    DEFAULT_VOLUME_MICROVERSION, Domain, Error, InfomaniakVolumeClient, Interface, Project, Secret,
    User,
};

// ----- helpers --------------------------------------------------------------------------

fn from(pairs: &[(&str, &str)]) -> Result<Config, Error> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_vars(|name| map.get(name).cloned())
}

/// The message of an `Error::Config`, failing the test on any other outcome.
fn config_error(pairs: &[(&str, &str)]) -> String {
    match from(pairs) {
        Err(Error::Config { message, .. }) => message,
        other => panic!("expected Error::Config for {pairs:?}, got {other:?}"),
    }
}

const OS_URL: &str = "https://keystone.example.org:5000/v3";

// ----- defaults ---------------------------------------------------------------------------

#[test]
fn defaults_are_infomaniak_pub1() {
    let config = Config::default();
    assert_eq!(
        DEFAULT_AUTH_URL,
        "https://api.pub1.infomaniak.cloud/identity/v3"
    );
    assert_eq!(DEFAULT_REGION, "dc3-a");
    assert_eq!(DEFAULT_VOLUME_MICROVERSION, "3.67");
    assert_eq!(DEFAULT_COMPUTE_MICROVERSION, "2.79");
    assert_eq!(config.auth_url, DEFAULT_AUTH_URL);
    assert_eq!(config.region, DEFAULT_REGION);
    assert_eq!(config.interface, Interface::Public);
    assert_eq!(config.volume_microversion, "3.67");
    assert_eq!(config.compute_microversion, "2.79");
    assert_eq!(config.auth, None);
    assert_eq!(config.block_storage_endpoint, None);
    assert_eq!(config.compute_endpoint, None);
}

#[test]
fn interface_parse_accepts_keystone_and_openrc_spellings() {
    assert_eq!(Interface::parse("public"), Some(Interface::Public));
    assert_eq!(Interface::parse("publicURL"), Some(Interface::Public));
    assert_eq!(Interface::parse(" Internal "), Some(Interface::Internal));
    assert_eq!(Interface::parse("internalURL"), Some(Interface::Internal));
    assert_eq!(Interface::parse("admin"), Some(Interface::Admin));
    assert_eq!(Interface::parse("adminurl"), Some(Interface::Admin));
    assert_eq!(Interface::parse("private"), None);
    assert_eq!(Interface::parse(""), None);
    assert_eq!(Interface::Internal.as_str(), "internal");
}

// ----- INFOMANIAK_* -------------------------------------------------------------------------

#[test]
fn infomaniak_vars_give_an_application_credential_with_defaults() {
    let config = from(&[
        ("INFOMANIAK_APP_CREDENTIAL_ID", "ik-id"),
        ("INFOMANIAK_APP_CREDENTIAL_SECRET", "ik-secret"),
    ])
    .unwrap();

    assert_eq!(config, Config::application_credential("ik-id", "ik-secret"));
    assert_eq!(config.auth, common::app_cred("ik-id", "ik-secret"));
    assert_eq!(
        config.auth_url,
        "https://api.pub1.infomaniak.cloud/identity/v3"
    );
    assert_eq!(config.region, "dc3-a");
    assert_eq!(config.interface, Interface::Public);
}

#[test]
fn infomaniak_auth_url_and_region_override_the_defaults() {
    let config = from(&[
        ("INFOMANIAK_APP_CREDENTIAL_ID", "ik-id"),
        ("INFOMANIAK_APP_CREDENTIAL_SECRET", "ik-secret"),
        (
            "INFOMANIAK_AUTH_URL",
            "https://api.pub2.infomaniak.cloud/identity/v3",
        ),
        ("INFOMANIAK_REGION", "dc4-a"),
    ])
    .unwrap();

    assert_eq!(config.auth, common::app_cred("ik-id", "ik-secret"));
    assert_eq!(
        config.auth_url,
        "https://api.pub2.infomaniak.cloud/identity/v3"
    );
    assert_eq!(config.region, "dc4-a");
}

#[test]
fn only_one_infomaniak_variable_names_the_missing_one() {
    let message = config_error(&[("INFOMANIAK_APP_CREDENTIAL_ID", "ik-id")]);
    assert_eq!(
        message,
        "INFOMANIAK_APP_CREDENTIAL_ID is set but INFOMANIAK_APP_CREDENTIAL_SECRET is not"
    );

    let message = config_error(&[("INFOMANIAK_APP_CREDENTIAL_SECRET", "ik-secret")]);
    assert_eq!(
        message,
        "INFOMANIAK_APP_CREDENTIAL_SECRET is set but INFOMANIAK_APP_CREDENTIAL_ID is not"
    );
    // The half-set pair is an error even when a complete openrc is present.
    let message = config_error(&[
        ("INFOMANIAK_APP_CREDENTIAL_ID", "ik-id"),
        ("OS_AUTH_URL", OS_URL),
        ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
    ]);
    assert!(
        message.contains("INFOMANIAK_APP_CREDENTIAL_SECRET"),
        "{message}"
    );
}

#[test]
fn infomaniak_vars_win_over_openrc() {
    let config = from(&[
        ("INFOMANIAK_APP_CREDENTIAL_ID", "ik-id"),
        ("INFOMANIAK_APP_CREDENTIAL_SECRET", "ik-secret"),
        ("OS_AUTH_URL", OS_URL),
        ("OS_AUTH_TYPE", "password"),
        ("OS_USERNAME", "alice"),
        ("OS_PASSWORD", "pw"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PROJECT_ID", "p-1"),
        ("OS_REGION_NAME", "RegionOne"),
        ("OS_INTERFACE", "internal"),
    ])
    .unwrap();

    assert_eq!(config, Config::application_credential("ik-id", "ik-secret"));
}

#[test]
fn nothing_set_names_both_ways_to_configure() {
    let message = config_error(&[]);
    assert!(
        message.contains("INFOMANIAK_APP_CREDENTIAL_ID"),
        "{message}"
    );
    assert!(message.contains("OS_AUTH_URL"), "{message}");
    let err = from(&[]).unwrap_err();
    assert!(
        err.to_string().starts_with("configuration error: "),
        "{err}"
    );
}

#[test]
fn empty_values_count_as_unset() {
    // Empty INFOMANIAK_* values fall through to the openrc.
    let config = from(&[
        ("INFOMANIAK_APP_CREDENTIAL_ID", ""),
        ("INFOMANIAK_APP_CREDENTIAL_SECRET", "  "),
        ("OS_AUTH_URL", OS_URL),
        ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
        ("OS_PROJECT_NAME", ""),
        ("OS_REGION_NAME", ""),
        ("OS_INTERFACE", ""),
    ])
    .unwrap();
    assert_eq!(config.auth, common::app_cred("os-id", "os-secret"));
    assert_eq!(config.region, "dc3-a");
    assert_eq!(config.interface, Interface::Public);

    // An empty OS_AUTH_URL is no openrc at all.
    let message = config_error(&[
        ("OS_AUTH_URL", ""),
        ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
    ]);
    assert!(message.contains("OS_AUTH_URL"), "{message}");

    // An empty OS_PASSWORD is a missing one.
    let message = config_error(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_AUTH_TYPE", "password"),
        ("OS_USERNAME", "alice"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PASSWORD", ""),
        ("OS_PROJECT_ID", "p-1"),
    ]);
    assert!(message.contains("OS_PASSWORD"), "{message}");
}

// ----- OS_* openrc ------------------------------------------------------------------------

#[test]
fn openrc_application_credential() {
    let config = from(&[
        ("OS_AUTH_TYPE", "v3applicationcredential"),
        (
            "OS_AUTH_URL",
            "https://api.pub2.infomaniak.cloud/identity/v3",
        ),
        ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
        ("OS_REGION_NAME", "dc4-a"),
        ("OS_INTERFACE", "public"),
        ("OS_IDENTITY_API_VERSION", "3"),
    ])
    .unwrap();

    let mut expected = Config::application_credential("os-id", "os-secret");
    expected.auth_url = "https://api.pub2.infomaniak.cloud/identity/v3".into();
    expected.region = "dc4-a".into();
    assert_eq!(config, expected);
}

#[test]
fn openrc_application_credential_is_inferred_without_auth_type() {
    let config = from(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
    ])
    .unwrap();
    assert_eq!(config.auth, common::app_cred("os-id", "os-secret"));
}

#[test]
fn openrc_application_credential_by_name_needs_a_user() {
    let config = from(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_AUTH_TYPE", "v3applicationcredential"),
        ("OS_APPLICATION_CREDENTIAL_NAME", "my-cred"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
        ("OS_USERNAME", "alice"),
        ("OS_USER_DOMAIN_ID", "default"),
    ])
    .unwrap();
    assert_eq!(
        config.auth,
        Some(Auth::ApplicationCredentialName {
            name: "my-cred".into(),
            user: User::Name {
                name: "alice".into(),
                domain: Domain::Id("default".into()),
            },
            secret: Secret::new("os-secret"),
        })
    );

    let message = config_error(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_APPLICATION_CREDENTIAL_NAME", "my-cred"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
    ]);
    assert!(message.contains("OS_USERNAME"), "{message}");
}

#[test]
fn openrc_application_credential_without_secret_names_it() {
    let message = config_error(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_AUTH_TYPE", "v3applicationcredential"),
        ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
    ]);
    assert_eq!(
        message,
        "OS_APPLICATION_CREDENTIAL_SECRET is required with OS_AUTH_TYPE=v3applicationcredential"
    );
}

/// Behaviour change: leftovers of a password openrc (project, domains, user name, password)
/// next to an application credential used to be an error; like keystoneauth, they are now
/// accepted and ignored (with a debug line), and no scope is sent to Keystone.
#[test]
fn openrc_project_with_application_credential_is_accepted_and_ignored() {
    common::capture_logs();
    for project_var in ["OS_PROJECT_NAME", "OS_PROJECT_ID"] {
        let config = from(&[
            ("OS_AUTH_URL", OS_URL),
            ("OS_AUTH_TYPE", "v3applicationcredential"),
            ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
            ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
            (project_var, "PCP-XYZ"),
            ("OS_PROJECT_DOMAIN_NAME", "Default"),
            ("OS_USER_DOMAIN_NAME", "Default"),
            ("OS_USERNAME", "PCU-ALICE"),
            ("OS_PASSWORD", "leftover-pa55-word"),
        ])
        .unwrap_or_else(|e| panic!("{project_var}: {e}"));
        assert_eq!(
            config.auth,
            common::app_cred("os-id", "os-secret"),
            "{project_var}"
        );

        let debug = common::crate_logs(log::Level::Debug);
        let ignored = debug
            .iter()
            .rev()
            .find(|line| line.contains("ignoring"))
            .unwrap_or_else(|| panic!("no debug line about ignored variables: {debug:#?}"));
        assert!(ignored.contains(project_var), "{ignored}");
        assert!(ignored.contains("OS_PASSWORD"), "{ignored}");
        assert!(!ignored.contains("leftover-pa55-word"), "{ignored}");

        // Keystone gets the bare application credential: no scope, no user.
        let server = MockServer::start();
        let keystone = server.mock(|when, then| {
            when.method(POST).path(common::AUTH_PATH).json_body(
                serde_json::json!({"auth": {"identity": {
                    "methods": ["application_credential"],
                    "application_credential": {"id": "os-id", "secret": "os-secret"}
                }}}),
            );
            then.status(201)
                .header("X-Subject-Token", common::TOKEN)
                .json_body(common::token_body(&server.base_url()));
        });
        let mut wired = common::config(&server);
        wired.auth = config.auth.clone();
        let client = InfomaniakVolumeClient::new(wired).unwrap();
        assert_eq!(client.try_authenticate(), Ok(()), "{project_var}");
        keystone.assert_calls(1);
    }
}

#[test]
fn openrc_password_with_user_and_project_names() {
    let config = from(&[
        ("OS_AUTH_URL", "https://api.pub1.infomaniak.cloud/identity"),
        ("OS_AUTH_TYPE", "password"),
        ("OS_USERNAME", "PCU-ALICE"),
        ("OS_PASSWORD", "pa55-word"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PROJECT_NAME", "PCP-ABC"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
        ("OS_REGION_NAME", "dc3-a"),
    ])
    .unwrap();

    let mut expected = Config::password(
        User::Name {
            name: "PCU-ALICE".into(),
            domain: Domain::Name("Default".into()),
        },
        "pa55-word",
        Project::Name {
            name: "PCP-ABC".into(),
            domain: Domain::Name("Default".into()),
        },
    );
    expected.auth_url = "https://api.pub1.infomaniak.cloud/identity/v3".into();
    assert_eq!(config, expected);
}

#[test]
fn openrc_password_with_user_id_and_project_id() {
    let config = from(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_USER_ID", "u-123"),
        ("OS_PASSWORD", "pa55-word"),
        ("OS_PROJECT_ID", "p-456"),
    ])
    .unwrap();
    assert_eq!(
        config.auth,
        Some(Auth::Password {
            user: User::Id("u-123".into()),
            password: Secret::new("pa55-word"),
            project: Project::Id("p-456".into()),
        })
    );
}

#[test]
fn openrc_password_with_domain_ids() {
    let config = from(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_AUTH_TYPE", "v3password"),
        ("OS_USERNAME", "alice"),
        ("OS_USER_DOMAIN_ID", "default"),
        ("OS_PASSWORD", "pa55-word"),
        ("OS_PROJECT_NAME", "PCP-ABC"),
        ("OS_PROJECT_DOMAIN_ID", "d-9"),
    ])
    .unwrap();
    assert_eq!(
        config.auth,
        Some(Auth::Password {
            user: User::Name {
                name: "alice".into(),
                domain: Domain::Id("default".into()),
            },
            password: Secret::new("pa55-word"),
            project: Project::Name {
                name: "PCP-ABC".into(),
                domain: Domain::Id("d-9".into()),
            },
        })
    );
}

#[test]
fn openrc_password_missing_pieces_are_named() {
    let base = [
        ("OS_AUTH_URL", OS_URL),
        ("OS_AUTH_TYPE", "password"),
        ("OS_USERNAME", "alice"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PASSWORD", "pw"),
        ("OS_PROJECT_NAME", "PCP-ABC"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
    ];
    let without = |name: &str| -> Vec<(&str, &str)> {
        base.iter().copied().filter(|(k, _)| *k != name).collect()
    };
    assert!(from(&base).is_ok());

    assert_eq!(
        config_error(&without("OS_PASSWORD")),
        "OS_PASSWORD is required with OS_AUTH_TYPE=password"
    );
    let message = config_error(&without("OS_USERNAME"));
    assert!(
        message.contains("OS_USERNAME") && message.contains("OS_USER_ID"),
        "{message}"
    );
    let message = config_error(&without("OS_USER_DOMAIN_NAME"));
    assert!(message.contains("OS_USER_DOMAIN_NAME"), "{message}");
    let message = config_error(&without("OS_PROJECT_NAME"));
    assert!(
        message.contains("OS_PROJECT_ID") && message.contains("OS_PROJECT_NAME"),
        "{message}"
    );
    let message = config_error(&without("OS_PROJECT_DOMAIN_NAME"));
    assert!(message.contains("OS_PROJECT_DOMAIN_NAME"), "{message}");
}

#[test]
fn openrc_without_any_credential_names_the_options() {
    let message = config_error(&[("OS_AUTH_URL", OS_URL), ("OS_USERNAME", "alice")]);
    assert!(message.contains("OS_PASSWORD"), "{message}");
    assert!(
        message.contains("OS_APPLICATION_CREDENTIAL_ID"),
        "{message}"
    );
    assert!(message.contains("OS_TOKEN"), "{message}");
}

#[test]
fn both_domain_id_and_name_are_contradictory() {
    let message = config_error(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_USERNAME", "alice"),
        ("OS_PASSWORD", "pw"),
        ("OS_USER_DOMAIN_ID", "default"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PROJECT_ID", "p-1"),
    ]);
    assert_eq!(
        message,
        "both OS_USER_DOMAIN_ID and OS_USER_DOMAIN_NAME are set; set only one"
    );

    let message = config_error(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_USER_ID", "u-1"),
        ("OS_PASSWORD", "pw"),
        ("OS_PROJECT_NAME", "PCP-ABC"),
        ("OS_PROJECT_DOMAIN_ID", "default"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
    ]);
    assert_eq!(
        message,
        "both OS_PROJECT_DOMAIN_ID and OS_PROJECT_DOMAIN_NAME are set; set only one"
    );
}

#[test]
fn openrc_token() {
    let config = from(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_AUTH_TYPE", "token"),
        ("OS_TOKEN", "tok-123"),
        ("OS_PROJECT_ID", "p-456"),
    ])
    .unwrap();
    assert_eq!(
        config.auth,
        Some(Auth::Token {
            token: Secret::new("tok-123"),
            project: Project::Id("p-456".into()),
        })
    );

    // Inferred from OS_TOKEN alone, with a project by name.
    let config = from(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_TOKEN", "tok-123"),
        ("OS_PROJECT_NAME", "PCP-ABC"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
    ])
    .unwrap();
    assert_eq!(
        config.auth,
        Some(Auth::Token {
            token: Secret::new("tok-123"),
            project: Project::Name {
                name: "PCP-ABC".into(),
                domain: Domain::Name("Default".into()),
            },
        })
    );

    assert_eq!(
        config_error(&[
            ("OS_AUTH_URL", OS_URL),
            ("OS_AUTH_TYPE", "v3token"),
            ("OS_PROJECT_ID", "p-456"),
        ]),
        "OS_TOKEN is required with OS_AUTH_TYPE=v3token"
    );
}

#[test]
fn openrc_region_and_interface() {
    let base = [
        ("OS_AUTH_URL", OS_URL),
        ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
        ("OS_REGION_NAME", "RegionOne"),
    ];
    for (value, expected) in [
        ("public", Interface::Public),
        ("internal", Interface::Internal),
        ("admin", Interface::Admin),
        ("INTERNAL", Interface::Internal),
    ] {
        let mut vars = base.to_vec();
        vars.push(("OS_INTERFACE", value));
        let config = from(&vars).unwrap();
        assert_eq!(config.interface, expected, "{value}");
        assert_eq!(config.region, "RegionOne");
    }

    // The old openrc spelling.
    let mut vars = base.to_vec();
    vars.push(("OS_ENDPOINT_TYPE", "internalURL"));
    assert_eq!(from(&vars).unwrap().interface, Interface::Internal);

    let mut vars = base.to_vec();
    vars.push(("OS_INTERFACE", "sideways"));
    let message = config_error(&vars);
    assert!(message.contains("OS_INTERFACE"), "{message}");
    assert!(message.contains("sideways"), "{message}");
}

#[test]
fn openrc_auth_url_is_normalised_to_v3() {
    for (given, expected) in [
        (
            "https://keystone.example.org:5000/v3",
            "https://keystone.example.org:5000/v3",
        ),
        (
            "https://keystone.example.org:5000/v3/",
            "https://keystone.example.org:5000/v3",
        ),
        (
            "https://keystone.example.org:5000",
            "https://keystone.example.org:5000/v3",
        ),
        (
            "https://keystone.example.org:5000/",
            "https://keystone.example.org:5000/v3",
        ),
        (
            "https://api.pub1.infomaniak.cloud/identity",
            "https://api.pub1.infomaniak.cloud/identity/v3",
        ),
    ] {
        let config = from(&[
            ("OS_AUTH_URL", given),
            ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
            ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
        ])
        .unwrap();
        assert_eq!(config.auth_url, expected, "{given}");
    }
}

#[test]
fn openrc_volume_api_version_sets_the_microversion() {
    let vars = |version: &'static str| {
        vec![
            ("OS_AUTH_URL", OS_URL),
            ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
            ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
            ("OS_VOLUME_API_VERSION", version),
        ]
    };
    assert_eq!(from(&vars("3.60")).unwrap().volume_microversion, "3.60");
    // A bare major version says nothing about the microversion.
    assert_eq!(from(&vars("3")).unwrap().volume_microversion, "3.67");
}

#[test]
fn unknown_auth_type_is_an_error() {
    let message = config_error(&[
        ("OS_AUTH_URL", OS_URL),
        ("OS_AUTH_TYPE", "v3oidcpassword"),
        ("OS_PASSWORD", "pw"),
    ]);
    assert!(message.contains("OS_AUTH_TYPE"), "{message}");
    assert!(message.contains("v3oidcpassword"), "{message}");
}

#[test]
fn auth_type_spellings_are_accepted() {
    for auth_type in [
        "v3applicationcredential",
        "v3_application_credential",
        "applicationcredential",
    ] {
        let config = from(&[
            ("OS_AUTH_URL", OS_URL),
            ("OS_AUTH_TYPE", auth_type),
            ("OS_APPLICATION_CREDENTIAL_ID", "os-id"),
            ("OS_APPLICATION_CREDENTIAL_SECRET", "os-secret"),
        ])
        .unwrap();
        assert_eq!(
            config.auth,
            common::app_cred("os-id", "os-secret"),
            "{auth_type}"
        );
    }
}

// ----- InfomaniakVolumeClient::new checks -------------------------------------------------

/// `new` with a config pointing at a mock server that answers everything: the client must be
/// refused with `Error::Config` and the server must see nothing.
fn rejected(change: impl FnOnce(&mut Config)) -> String {
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(500);
    });
    let mut config = common::config(&server);
    change(&mut config);
    let result = InfomaniakVolumeClient::new(config);
    any.assert_calls(0);
    match result {
        Err(Error::Config { message, .. }) => message,
        Ok(_) => panic!("expected Error::Config, got a client"),
        Err(other) => panic!("expected Error::Config, got {other:?}"),
    }
}

#[test]
fn new_sends_nothing_with_a_valid_config() {
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(500);
    });
    let client = InfomaniakVolumeClient::new(common::config(&server)).unwrap();
    assert_eq!(client.config(), &common::config(&server));
    any.assert_calls(0);
}

#[test]
fn new_rejects_bad_settings_before_any_io() {
    assert_eq!(
        rejected(|c| c.auth = Some(Auth::ApplicationCredential {
            id: "id".into(),
            secret: Secret::new(""),
        })),
        "application credential secret is empty"
    );
    assert_eq!(
        rejected(|c| c.auth = Some(Auth::ApplicationCredential {
            id: " ".into(),
            secret: Secret::new("s"),
        })),
        "application credential id is empty"
    );
    assert!(rejected(|c| c.auth = None).contains("Config::auth is None"));
    assert_eq!(
        rejected(|c| c.auth_url = "ftp://keystone.example.org/v3".into()),
        "auth_url `ftp://keystone.example.org/v3` is not an http:// or https:// URL"
    );
    assert!(rejected(|c| c.auth_url = "keystone.example.org/v3".into()).contains("auth_url"));
    assert_eq!(
        rejected(|c| c.volume_microversion = "3".into()),
        "volume_microversion `3` is not a microversion like 3.67"
    );
    assert!(rejected(|c| c.volume_microversion = "3.x".into()).contains("volume_microversion"));
    assert!(rejected(|c| c.volume_microversion = ".67".into()).contains("volume_microversion"));
    assert!(rejected(|c| c.compute_microversion = "v2.1".into()).contains("compute_microversion"));
    assert_eq!(rejected(|c| c.region = String::new()), "region is empty");
    assert_eq!(rejected(|c| c.region = "  ".into()), "region is empty");
    assert!(
        rejected(|c| c.block_storage_endpoint = Some("cinder:8776/v3".into()))
            .contains("block_storage_endpoint")
    );
    assert!(rejected(|c| c.compute_endpoint = Some("nova".into())).contains("compute_endpoint"));
    assert_eq!(rejected(|c| c.max_body_bytes = 0), "max_body_bytes is 0");
    assert_eq!(rejected(|c| c.max_pages = 0), "max_pages is 0");
    assert_eq!(
        rejected(|c| c.auth = Some(Auth::Password {
            user: User::Id("u".into()),
            password: Secret::new(""),
            project: Project::Id("p".into()),
        })),
        "password is empty"
    );
    assert_eq!(
        rejected(|c| c.auth = Some(Auth::Token {
            token: Secret::new(""),
            project: Project::Id("p".into()),
        })),
        "token is empty"
    );
}

#[test]
fn new_accepts_latest_microversion() {
    let mut config = Config::application_credential("id", "secret");
    config.volume_microversion = "latest".into();
    assert!(InfomaniakVolumeClient::new(config).is_ok());
}

#[test]
fn from_credentials_uses_infomaniak_defaults() {
    let client =
        InfomaniakVolumeClient::from_credentials("cred-id", "cred-secret", None, None).unwrap();
    assert_eq!(
        client.config(),
        &Config::application_credential("cred-id", "cred-secret")
    );
    assert_eq!(
        client.config().auth_url,
        "https://api.pub1.infomaniak.cloud/identity/v3"
    );
    assert_eq!(client.config().region, "dc3-a");

    let client = InfomaniakVolumeClient::from_credentials(
        "cred-id",
        "cred-secret",
        Some("https://api.pub2.infomaniak.cloud/identity/v3"),
        Some("dc4-a"),
    )
    .unwrap();
    assert_eq!(
        client.config().auth,
        common::app_cred("cred-id", "cred-secret")
    );
    assert_eq!(
        client.config().auth_url,
        "https://api.pub2.infomaniak.cloud/identity/v3"
    );
    assert_eq!(client.config().region, "dc4-a");
}

#[test]
fn from_credentials_rejects_bad_values() {
    for (id, secret, url, region) in [
        ("", "s", None, None),
        ("id", "", None, None),
        ("id", "s", Some("not-a-url"), None),
        ("id", "s", None, Some("")),
    ] {
        let result = InfomaniakVolumeClient::from_credentials(id, secret, url, region);
        assert!(
            matches!(result, Err(Error::Config { .. })),
            "{id:?} {secret:?} {url:?} {region:?}: {result:?}"
        );
    }
}
