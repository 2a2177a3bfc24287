//! Who the client is to Keystone: [`Auth`] with its [`User`], [`Project`] and [`Domain`], and
//! the catalog [`Interface`] it takes endpoints from.

use std::fmt;
use std::str::FromStr;

use super::Secret;
use crate::error::{Error, Result};

/// A Keystone domain, by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    /// The domain's id, e.g. `default`.
    Id(String),
    /// The domain's name, e.g. `Default`.
    Name(String),
}

/// A Keystone user, by id or by name within a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum User {
    /// The user's id.
    Id(String),
    /// The user's name and its domain.
    Name {
        /// The user name.
        name: String,
        /// The domain the user belongs to.
        domain: Domain,
    },
}

/// A Keystone project, by id or by name within a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    /// The project's id.
    Id(String),
    /// The project's name and its domain.
    Name {
        /// The project name.
        name: String,
        /// The domain the project belongs to.
        domain: Domain,
    },
}

/// How the client proves who it is to Keystone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// An application credential (Infomaniak's recommended method). It carries its own project,
    /// so no scope is sent: Keystone answers 401 to an application credential with a scope.
    ApplicationCredential {
        /// The credential's id.
        id: String,
        /// The credential's secret.
        secret: Secret,
    },
    /// An application credential named within a user's credentials.
    ApplicationCredentialName {
        /// The credential's name.
        name: String,
        /// The user that owns it.
        user: User,
        /// The credential's secret.
        secret: Secret,
    },
    /// A user's password, scoped to a project.
    Password {
        /// The user.
        user: User,
        /// The user's password.
        password: Secret,
        /// The project the token is scoped to.
        project: Project,
    },
    /// An existing Keystone token, exchanged for a project-scoped one with a catalog.
    Token {
        /// The token.
        token: Secret,
        /// The project to scope to.
        project: Project,
    },
}

/// The endpoint interface taken from the service catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interface {
    /// The public endpoints (the only ones reachable from outside a cloud).
    #[default]
    Public,
    /// The internal endpoints.
    Internal,
    /// The admin endpoints.
    Admin,
}

impl Interface {
    /// The name Keystone uses.
    pub fn as_str(&self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }

    /// Parses `public`, `internal` or `admin` (also `publicURL` and friends from old openrc
    /// files); `None` for anything else.
    pub fn parse(value: &str) -> Option<Interface> {
        match value.trim().to_ascii_lowercase().trim_end_matches("url") {
            "public" => Some(Interface::Public),
            "internal" => Some(Interface::Internal),
            "admin" => Some(Interface::Admin),
            _ => None,
        }
    }
}

impl fmt::Display for Interface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Interface {
    type Err = Error;

    fn from_str(value: &str) -> Result<Interface> {
        Interface::parse(value).ok_or_else(|| {
            Error::invalid(
                "interface",
                format!("`{value}` is not public, internal or admin"),
            )
        })
    }
}

impl Auth {
    /// Checks what can be checked without Keystone: nothing empty.
    pub(crate) fn validate(&self) -> Result<()> {
        match self {
            Auth::ApplicationCredential { id, secret } => {
                if id.trim().is_empty() {
                    return Err(Error::config("application credential id is empty"));
                }
                if secret.is_empty() {
                    return Err(Error::config("application credential secret is empty"));
                }
            }
            Auth::ApplicationCredentialName { name, user, secret } => {
                if name.trim().is_empty() {
                    return Err(Error::config("application credential name is empty"));
                }
                if secret.is_empty() {
                    return Err(Error::config("application credential secret is empty"));
                }
                check_user(user)?;
            }
            Auth::Password {
                user,
                password,
                project,
            } => {
                if password.is_empty() {
                    return Err(Error::config("password is empty"));
                }
                check_user(user)?;
                check_project(project)?;
            }
            Auth::Token { token, project } => {
                if token.is_empty() {
                    return Err(Error::config("token is empty"));
                }
                check_project(project)?;
            }
        }
        Ok(())
    }
}

fn check_domain(what: &str, domain: &Domain) -> Result<()> {
    let (kind, value) = match domain {
        Domain::Id(id) => ("id", id),
        Domain::Name(name) => ("name", name),
    };
    if value.trim().is_empty() {
        return Err(Error::config(format!("{what} domain {kind} is empty")));
    }
    Ok(())
}

fn check_user(user: &User) -> Result<()> {
    match user {
        User::Id(id) if id.trim().is_empty() => Err(Error::config("user id is empty")),
        User::Name { name, .. } if name.trim().is_empty() => {
            Err(Error::config("user name is empty"))
        }
        User::Name { domain, .. } => check_domain("user", domain),
        User::Id(_) => Ok(()),
    }
}

fn check_project(project: &Project) -> Result<()> {
    match project {
        Project::Id(id) if id.trim().is_empty() => Err(Error::config("project id is empty")),
        Project::Name { name, .. } if name.trim().is_empty() => {
            Err(Error::config("project name is empty"))
        }
        Project::Name { domain, .. } => check_domain("project", domain),
        Project::Id(_) => Ok(()),
    }
}
