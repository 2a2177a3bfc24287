//! The `ureq` agents: TLS, timeouts, the connection pool, and which proxy carries a request.
//!
//! Proxies follow the conventions of curl, Python requests and Go: `http_proxy` for `http://`
//! URLs, `https_proxy` for `https://` URLs, `all_proxy` for both (each in lower or upper case,
//! lower case first: an upper-case `HTTP_PROXY` counts, as in requests and Go, though curl
//! ignores it), and
//! `no_proxy` naming hosts to reach directly: `*`, a domain and its subdomains (`example.com`
//! or `.example.com`), an IP address or a CIDR block (`10.0.0.0/8`), optionally with a port.
//! Loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) are always reached directly, as Go's
//! `net/http` does: a proxy elsewhere cannot reach a service on this machine.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use log::{debug, warn};

use crate::config::{Config, ProxySetting, Secret, TlsRoots};
use crate::error::{Error, Result};

/// The proxy variables of the environment, read once when the client is built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ProxyEnv {
    http: Option<Secret>,
    https: Option<Secret>,
    no_proxy: Vec<String>,
}

impl ProxyEnv {
    /// Reads `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy` (either case) via `var`.
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> ProxyEnv {
        let get = |name: &str| {
            var(name)
                .or_else(|| var(&name.to_ascii_uppercase()))
                .filter(|v| !v.trim().is_empty())
        };
        let all = get("all_proxy");
        ProxyEnv {
            http: get("http_proxy").or_else(|| all.clone()).map(Secret::new),
            https: get("https_proxy").or(all).map(Secret::new),
            no_proxy: get("no_proxy")
                .map(|list| {
                    list.split(',')
                        .map(|entry| entry.trim().to_ascii_lowercase())
                        .filter(|entry| !entry.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The proxy for `url`, or `None` to connect directly.
    pub(crate) fn proxy_for(&self, url: &str) -> Option<&Secret> {
        let (scheme, host, port) = split_url(url)?;
        // An entry with a port names the URL's port, or its scheme's default.
        let port = port.or(match scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        });
        if is_loopback(&host) || self.bypassed(&host, port) {
            return None;
        }
        match scheme.as_str() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }
    }

    fn bypassed(&self, host: &str, port: Option<u16>) -> bool {
        self.no_proxy
            .iter()
            .any(|entry| no_proxy_matches(entry, host, port))
    }
}

/// `(scheme, host, port)` of an absolute URL; IPv6 hosts lose their brackets.
fn split_url(url: &str) -> Option<(String, String, Option<u16>)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(port) => Some(port.parse().ok()?),
        None => None,
    };
    // `example.com.` is `example.com`.
    Some((
        scheme.to_ascii_lowercase(),
        host.trim_end_matches('.').to_ascii_lowercase(),
        port,
    ))
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// One `no_proxy` entry against a host: `*`, a domain suffix, an IP, or a CIDR block, each
/// optionally with `:port`.
fn no_proxy_matches(entry: &str, host: &str, port: Option<u16>) -> bool {
    if entry == "*" {
        return true;
    }
    let (pattern, entry_port) = split_entry_port(entry);
    if let (Some(wanted), Some(port)) = (entry_port, port) {
        if wanted != port {
            return false;
        }
    }
    if let Some((network, bits)) = pattern.split_once('/') {
        let (Ok(network), Ok(bits), Ok(ip)) = (
            network.parse::<IpAddr>(),
            bits.parse::<u32>(),
            host.parse::<IpAddr>(),
        ) else {
            return false;
        };
        return in_cidr(ip, network, bits);
    }
    if let (Ok(entry_ip), Ok(ip)) = (pattern.parse::<IpAddr>(), host.parse::<IpAddr>()) {
        return entry_ip == ip;
    }
    let domain = pattern
        .trim_start_matches("*.")
        .trim_start_matches('.')
        .trim_end_matches('.');
    !domain.is_empty()
        && (host == domain
            || host
                .strip_suffix(domain)
                .is_some_and(|prefix| prefix.ends_with('.')))
}

fn split_entry_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(v6) = entry.strip_prefix('[') {
        if let Some((host, after)) = v6.split_once(']') {
            return (host, after.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    // A bare IPv6 address has several colons and no port.
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => match port.parse() {
            Ok(port) => (host, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

fn in_cidr(ip: IpAddr, network: IpAddr, bits: u32) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// Certificate verification on by default against the Mozilla roots (or the operating
/// system's verifier with `TlsRoots::Platform`); a custom CA bundle replaces either; insecure
/// mode turns verification off and says so on every client built.
fn tls_config(config: &Config) -> Result<ureq::tls::TlsConfig> {
    let mut builder = ureq::tls::TlsConfig::builder();
    if let Some(path) = &config.ca_bundle {
        let pem = std::fs::read(path).map_err(|e| {
            Error::config_caused(format!("cannot read CA bundle {}: {e}", path.display()), e)
        })?;
        let mut certs = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(cert)) => certs.push(cert),
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::config(format!(
                        "CA bundle {} is not valid PEM: {e}",
                        path.display()
                    )));
                }
            }
        }
        if certs.is_empty() {
            return Err(Error::config(format!(
                "CA bundle {} holds no certificate",
                path.display()
            )));
        }
        builder = builder.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
    } else {
        match config.tls_roots {
            TlsRoots::WebPki => builder = builder.root_certs(ureq::tls::RootCerts::WebPki),
            #[cfg(feature = "platform-verifier")]
            TlsRoots::Platform => {
                debug!("TLS roots: the operating system's verifier and trust store");
                builder = builder.root_certs(ureq::tls::RootCerts::PlatformVerifier);
            }
        }
    }
    if config.insecure {
        warn!(
            "TLS certificate verification is OFF (Config::insecure / OS_INSECURE): \
             anyone on the network path can read your token"
        );
        builder = builder.disable_verification(true);
    }
    Ok(builder.build())
}

/// Where requests go through: directly, or through one of the proxies the settings name.
enum Route {
    /// `Config::proxy` is `Direct`.
    Direct,
    /// One proxy for everything (`Config::proxy` is `Url`), except loopback hosts.
    Fixed(Secret),
    /// Per URL, from the environment read when the client was built.
    Environment(ProxyEnv),
}

/// The agents of a client: one per proxy in use, each with its own pool. Most clients only
/// ever build the direct one, or one proxied one.
pub(crate) struct Agents {
    tls: ureq::tls::TlsConfig,
    config: Config,
    route: Route,
    built: Mutex<HashMap<Option<String>, ureq::Agent>>,
}

impl Agents {
    pub(crate) fn new(config: &Config) -> Result<Agents> {
        Agents::with_env(config, |name| std::env::var(name).ok())
    }

    pub(crate) fn with_env(
        config: &Config,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Agents> {
        let tls = tls_config(config)?;
        let route = match &config.proxy {
            ProxySetting::FromEnvironment => Route::Environment(ProxyEnv::from_vars(var)),
            ProxySetting::Direct => Route::Direct,
            ProxySetting::Url(url) => {
                // Checked now, so that a bad URL fails at construction. The error does not
                // repeat it: proxy URLs often hold credentials.
                ureq::Proxy::new(url.expose()).map_err(|_| {
                    Error::config(
                        "proxy is not a valid proxy URL (http://, https://, socks4://, socks5://)",
                    )
                })?;
                Route::Fixed(url.clone())
            }
        };
        let agents = Agents {
            tls,
            config: config.clone(),
            route,
            built: Mutex::new(HashMap::new()),
        };
        // Proxy URLs from the environment are checked up front too, naming the variable.
        if let Route::Environment(env) = &agents.route {
            for (name, proxy) in [("http_proxy", &env.http), ("https_proxy", &env.https)] {
                if let Some(proxy) = proxy {
                    if ureq::Proxy::new(proxy.expose()).is_err() {
                        return Err(Error::config(format!(
                            "{name} (or {}) is not a valid proxy URL",
                            name.to_ascii_uppercase()
                        )));
                    }
                }
            }
        }
        Ok(agents)
    }

    fn proxy_for(&self, url: &str) -> Option<&Secret> {
        match &self.route {
            Route::Direct => None,
            Route::Fixed(proxy) => match split_url(url) {
                Some((_, host, _)) if is_loopback(&host) => None,
                _ => Some(proxy),
            },
            Route::Environment(env) => env.proxy_for(url),
        }
    }

    /// The agent that carries a request to `url`.
    pub(crate) fn for_url(&self, url: &str) -> Result<ureq::Agent> {
        let proxy = self.proxy_for(url).cloned();
        let key = proxy.as_ref().map(|p| p.expose().to_string());
        let mut built = self
            .built
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(agent) = built.get(&key) {
            return Ok(agent.clone());
        }
        let ureq_proxy = match &proxy {
            None => None,
            Some(url) => Some(
                ureq::Proxy::new(url.expose())
                    .map_err(|_| Error::config("proxy is not a valid proxy URL"))?,
            ),
        };
        debug!(
            "new connection pool ({})",
            if proxy.is_some() {
                "through a proxy"
            } else {
                "direct"
            }
        );
        let per_host = self.config.max_idle_connections_per_host;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(self.tls.clone())
            .proxy(ureq_proxy)
            .http_status_as_error(false)
            .timeout_connect(Some(self.config.connect_timeout))
            .timeout_global(Some(self.config.request_timeout))
            .user_agent(self.config.user_agent.as_str())
            .max_redirects(0)
            .max_idle_connections_per_host(per_host)
            .max_idle_connections(per_host.saturating_mul(4))
            .build()
            .into();
        built.insert(key, agent.clone());
        Ok(agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyEnv::from_vars(|name| map.get(name).cloned())
    }

    fn proxy(env: &ProxyEnv, url: &str) -> Option<String> {
        env.proxy_for(url).map(|p| p.expose().to_string())
    }

    #[test]
    fn curl_conventions() {
        let e = env(&[
            ("HTTPS_PROXY", "http://secure:3128"),
            ("http_proxy", "http://plain:3128"),
        ]);
        assert_eq!(
            proxy(&e, "https://api.example/v3").as_deref(),
            Some("http://secure:3128")
        );
        assert_eq!(
            proxy(&e, "http://api.example/v3").as_deref(),
            Some("http://plain:3128")
        );

        let only_https = env(&[("HTTPS_PROXY", "http://secure:3128")]);
        assert_eq!(proxy(&only_https, "http://api.example/"), None);

        let all = env(&[
            ("ALL_PROXY", "socks5://s:1080"),
            ("https_proxy", "http://h:1"),
        ]);
        assert_eq!(proxy(&all, "http://a/").as_deref(), Some("socks5://s:1080"));
        assert_eq!(proxy(&all, "https://a/").as_deref(), Some("http://h:1"));
    }

    #[test]
    fn loopback_is_never_proxied() {
        let e = env(&[("ALL_PROXY", "http://127.0.0.1:9")]);
        for url in [
            "http://127.0.0.1:5000/v3",
            "http://127.3.2.1/",
            "https://localhost:8776/v3",
            "http://[::1]:80/",
            "http://api.localhost/",
        ] {
            assert_eq!(proxy(&e, url), None, "{url}");
        }
        assert!(proxy(&e, "http://10.1.2.3/").is_some());
    }

    #[test]
    fn no_proxy_entries() {
        let e = env(&[
            ("https_proxy", "http://p:1"),
            (
                "NO_PROXY",
                "internal.example, .corp.example,10.0.0.0/8,192.168.1.7, api.x:8443,fd00::/8",
            ),
        ]);
        for direct in [
            "https://internal.example/",
            "https://a.internal.example/",
            "https://corp.example/",
            "https://b.corp.example:443/",
            "https://10.20.30.40/",
            "https://192.168.1.7/",
            "https://api.x:8443/",
            "https://internal.example./",
            "https://[fd12::1]/",
        ] {
            assert_eq!(proxy(&e, direct), None, "{direct}");
        }
        for proxied in [
            "https://notinternal.example/",
            "https://example/",
            "https://11.0.0.1/",
            "https://192.168.1.8/",
            "https://api.x:443/",
            // `api.x:8443` names port 8443 only, not https's default.
            "https://api.x/",
            "https://[fe80::1]/",
        ] {
            assert!(proxy(&e, proxied).is_some(), "{proxied}");
        }
        let star = env(&[("https_proxy", "http://p:1"), ("no_proxy", "*")]);
        assert_eq!(proxy(&star, "https://anything/"), None);
    }
}
