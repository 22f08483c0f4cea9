//! The configuration of `scms serve`: the data directory's `scms.toml` (what
//! `scms init` wrote, plus optional `[serve]` and `[ra]` tables), then the
//! environment, then the command line. Every key is listed in
//! docs/operator.md ("Configuration reference").

use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A role `scms serve` can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Role {
    Root,
    Eca,
    Aca,
    Ra,
    La1,
    La2,
    Ma,
    Crl,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Root,
        Role::Eca,
        Role::Aca,
        Role::Ra,
        Role::La1,
        Role::La2,
        Role::Ma,
        Role::Crl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::Eca => "eca",
            Role::Aca => "aca",
            Role::Ra => "ra",
            Role::La1 => "la1",
            Role::La2 => "la2",
            Role::Ma => "ma",
            Role::Crl => "crl",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The default port: 8080 + the role's place in [`Role::ALL`].
    pub fn default_port(self) -> u16 {
        8080 + Role::ALL.iter().position(|r| *r == self).unwrap_or(0) as u16
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// `scms.toml` as written by `scms init`, plus the serving tables.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub family: Option<String>,
    pub key_store: Option<String>,
    pub database_url: Option<String>,
    /// Written by `scms init`; accepted, not used by `serve`.
    #[allow(dead_code)]
    pub electors: Option<usize>,
    /// Environment variable holding the soft store's passphrase.
    pub pass_env: Option<String>,
    pub pkcs11_module: Option<PathBuf>,
    pub pkcs11_token: Option<String>,
    pub pkcs11_pin_env: Option<String>,
    #[serde(default)]
    pub serve: ServeTable,
    #[serde(default)]
    pub ra: RaTable,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeTable {
    pub log_format: Option<LogFormat>,
    /// tracing filter (`info`, `scms=debug,tower=warn`...).
    pub log: Option<String>,
    pub body_limit: Option<usize>,
    pub request_timeout_ms: Option<u64>,
    /// Time for a client to send the request headers (also between requests
    /// on a kept-alive connection).
    pub header_timeout_ms: Option<u64>,
    /// Connections served at once per role; more wait in the accept queue.
    pub max_connections: Option<usize>,
    pub shutdown_grace_ms: Option<u64>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// PEM certificates trusted for `https://` peers (default: `tls_cert`).
    pub tls_peer_ca: Option<PathBuf>,
    /// Role -> `HOST:PORT` to listen on.
    #[serde(default)]
    pub listen: BTreeMap<String, String>,
    /// Role -> base URL the other roles call it at.
    #[serde(default)]
    pub peers: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaTable {
    pub worker: Option<bool>,
    pub worker_period_ms: Option<u64>,
    pub shuffle_min_devices: Option<usize>,
    pub shuffle_max_wait_secs: Option<u32>,
    pub download_delay_secs: Option<u32>,
    pub retry_secs: Option<u32>,
    pub certs_per_period: Option<u32>,
    pub shared_database: Option<bool>,
}

/// The resolved configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    pub family: scms_ca::profile::Family,
    /// `soft` or `pkcs11`.
    pub key_store: String,
    pub pass_env: String,
    pub pkcs11_module: Option<PathBuf>,
    pub pkcs11_token: Option<String>,
    pub pkcs11_pin_env: Option<String>,
    pub database_url: String,
    pub log_format: LogFormat,
    pub log: String,
    pub body_limit: usize,
    pub request_timeout: Duration,
    pub conn: super::conn::ConnLimits,
    pub shutdown_grace: Duration,
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Trusted for `https://` peers: `tls_peer_ca`, else `tls_cert`.
    pub tls_peer_ca: Option<PathBuf>,
    pub listen: BTreeMap<Role, SocketAddr>,
    pub peers: BTreeMap<Role, String>,
    pub ra: RaSettings,
}

/// The RA's operational settings.
#[derive(Clone, Debug)]
pub struct RaSettings {
    pub worker: bool,
    pub worker_period: Duration,
    pub shuffle_min_devices: Option<usize>,
    pub shuffle_max_wait_secs: Option<u32>,
    pub download_delay_secs: Option<u32>,
    pub retry_secs: Option<u32>,
    pub certs_per_period: Option<u32>,
    /// Reload the RA state from the database where another RA may have
    /// changed it (default: on PostgreSQL).
    pub shared_database: bool,
}

pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_GRACE_MS: u64 = 10_000;
pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Where a value came from when it is wrong.
fn bad(key: &str, why: impl std::fmt::Display) -> String {
    format!("configuration {key}: {why}")
}

/// Reads an environment variable; `None` when unset or empty.
fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Where `SCMS_*` values come from (the process environment, or none).
type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn parse_env<T: std::str::FromStr>(env: Env<'_>, name: &str) -> Result<Option<T>, String>
where
    T::Err: std::fmt::Display,
{
    env(name)
        .map(|v| v.parse::<T>().map_err(|e| bad(name, e)))
        .transpose()
}

fn parse_bool(name: &str, v: &str) -> Result<bool, String> {
    match v {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" => Ok(false),
        _ => Err(bad(name, "expected true or false")),
    }
}

/// The SQLite URL of a data directory (as `scms init` makes it).
pub fn sqlite_url(dir: &Path) -> Result<String, String> {
    crate::init::sqlite_url(dir).map_err(|crate::init::Fail(_, m)| m)
}

impl Config {
    /// Reads `path` (a data directory's `scms.toml`; the data directory is
    /// its parent unless `data_dir`), then applies the environment.
    pub fn load(path: &Path, data_dir: Option<&Path>) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file: FileConfig =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let dir = match data_dir {
            Some(d) => d.to_path_buf(),
            None => match process_env("SCMS_DATA_DIR") {
                Some(d) => PathBuf::from(d),
                None => path
                    .parent()
                    .map(Path::to_path_buf)
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or_else(|| PathBuf::from(".")),
            },
        };
        Config::resolve(file, dir)
    }

    /// Applies defaults and the process environment to a parsed file.
    pub fn resolve(file: FileConfig, data_dir: PathBuf) -> Result<Config, String> {
        Config::resolve_with(file, data_dir, &process_env)
    }

    /// Applies defaults and `env` (`SCMS_*` values) to a parsed file.
    pub fn resolve_with(
        file: FileConfig,
        data_dir: PathBuf,
        env: Env<'_>,
    ) -> Result<Config, String> {
        let family_name = file.family.as_deref().unwrap_or("us");
        let family = scms_ca::profile::Family::parse(family_name)
            .ok_or_else(|| bad("family", format!("{family_name:?}: expected us or cn")))?;
        let key_store = file.key_store.clone().unwrap_or_else(|| "soft".into());
        if key_store != "soft" && key_store != "pkcs11" {
            return Err(bad("key_store", format!("{key_store:?}: soft or pkcs11")));
        }
        let database_url = match env("SCMS_DATABASE_URL").or(file.database_url.clone()) {
            Some(u) => u,
            None => sqlite_url(&data_dir)?,
        };
        let s = &file.serve;
        let log_format = match env("SCMS_LOG_FORMAT") {
            Some(v) => match v.as_str() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                _ => return Err(bad("SCMS_LOG_FORMAT", "expected json or text")),
            },
            None => s.log_format.unwrap_or_default(),
        };
        let log = env("SCMS_LOG")
            .or(s.log.clone())
            .unwrap_or_else(|| "info".into());
        let body_limit = parse_env::<usize>(env, "SCMS_BODY_LIMIT")?
            .or(s.body_limit)
            .unwrap_or(DEFAULT_BODY_LIMIT);
        if body_limit == 0 {
            return Err(bad("body_limit", "must be positive"));
        }
        let timeout_ms = parse_env::<u64>(env, "SCMS_REQUEST_TIMEOUT_MS")?
            .or(s.request_timeout_ms)
            .unwrap_or(DEFAULT_TIMEOUT_MS);
        if timeout_ms == 0 {
            return Err(bad("request_timeout_ms", "must be positive"));
        }
        let header_timeout_ms = parse_env::<u64>(env, "SCMS_HEADER_TIMEOUT_MS")?
            .or(s.header_timeout_ms)
            .unwrap_or(DEFAULT_HEADER_TIMEOUT_MS);
        if header_timeout_ms == 0 {
            return Err(bad("header_timeout_ms", "must be positive"));
        }
        let max_connections = parse_env::<usize>(env, "SCMS_MAX_CONNECTIONS")?
            .or(s.max_connections)
            .unwrap_or(DEFAULT_MAX_CONNECTIONS);
        if max_connections == 0 {
            return Err(bad("max_connections", "must be positive"));
        }
        let grace_ms = parse_env::<u64>(env, "SCMS_SHUTDOWN_GRACE_MS")?
            .or(s.shutdown_grace_ms)
            .unwrap_or(DEFAULT_GRACE_MS);
        let tls_cert = env("SCMS_TLS_CERT")
            .map(PathBuf::from)
            .or(s.tls_cert.clone());
        let tls_key = env("SCMS_TLS_KEY").map(PathBuf::from).or(s.tls_key.clone());
        let tls = match (tls_cert, tls_key) {
            (Some(c), Some(k)) => Some((c, k)),
            (None, None) => None,
            _ => return Err(bad("tls_cert/tls_key", "give both or neither")),
        };
        let tls_peer_ca = env("SCMS_TLS_PEER_CA")
            .map(PathBuf::from)
            .or(s.tls_peer_ca.clone())
            .or_else(|| tls.as_ref().map(|(c, _)| c.clone()));
        for k in s.listen.keys().chain(s.peers.keys()) {
            if Role::parse(k).is_none() {
                return Err(bad(&format!("serve.listen/peers.{k}"), "no such role"));
            }
        }
        let mut listen = BTreeMap::new();
        let mut peers = BTreeMap::new();
        for role in Role::ALL {
            let up = role.as_str().to_ascii_uppercase();
            let name = format!("SCMS_LISTEN_{up}");
            let addr = env(&name)
                .or_else(|| s.listen.get(role.as_str()).cloned())
                .unwrap_or_else(|| format!("127.0.0.1:{}", role.default_port()));
            let addr: SocketAddr = addr
                .parse()
                .map_err(|e| bad(&format!("listen.{} ({name})", role.as_str()), e))?;
            listen.insert(role, addr);
            if let Some(p) = env(&format!("SCMS_PEER_{up}")).or(s.peers.get(role.as_str()).cloned())
            {
                peers.insert(role, p.trim_end_matches('/').to_string());
            }
        }
        let r = &file.ra;
        let worker = match env("SCMS_RA_WORKER") {
            Some(v) => parse_bool("SCMS_RA_WORKER", &v)?,
            None => r.worker.unwrap_or(true),
        };
        let shared_default = !database_url.starts_with("sqlite:");
        let shared_database = match env("SCMS_RA_SHARED_DATABASE") {
            Some(v) => parse_bool("SCMS_RA_SHARED_DATABASE", &v)?,
            None => r.shared_database.unwrap_or(shared_default),
        };
        Ok(Config {
            data_dir,
            family,
            key_store,
            pass_env: file.pass_env.unwrap_or_else(|| "SCMS_PASSPHRASE".into()),
            pkcs11_module: file.pkcs11_module,
            pkcs11_token: file.pkcs11_token,
            pkcs11_pin_env: file.pkcs11_pin_env,
            database_url,
            log_format,
            log,
            body_limit,
            request_timeout: Duration::from_millis(timeout_ms),
            conn: super::conn::ConnLimits {
                header_timeout: Duration::from_millis(header_timeout_ms),
                max_connections,
            },
            shutdown_grace: Duration::from_millis(grace_ms),
            tls,
            tls_peer_ca,
            listen,
            peers,
            ra: RaSettings {
                worker,
                worker_period: Duration::from_millis(r.worker_period_ms.unwrap_or(1000).max(10)),
                shuffle_min_devices: r.shuffle_min_devices,
                shuffle_max_wait_secs: r.shuffle_max_wait_secs,
                download_delay_secs: r.download_delay_secs,
                retry_secs: r.retry_secs,
                certs_per_period: r.certs_per_period,
                shared_database,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_file_parses_and_defaults_apply() {
        let f: FileConfig = toml::from_str(
            "family = \"cn\"\nkey_store = \"soft\"\nelectors = 3\n[serve]\nbody_limit = 1024\n[serve.listen]\nra = \"0.0.0.0:9000\"\n[ra]\nworker = false\n",
        )
        .expect("parses");
        let c = Config::resolve_with(f, PathBuf::from("/tmp/x"), &|_| None).expect("resolves");
        assert_eq!(c.family, scms_ca::profile::Family::Cn);
        assert_eq!(c.body_limit, 1024);
        assert_eq!(c.listen[&Role::Ra].port(), 9000);
        assert_eq!(c.listen[&Role::Eca].port(), 8081);
        assert!(!c.ra.worker);
        assert!(!c.ra.shared_database, "SQLite is one node");
        assert_eq!(c.database_url, "sqlite:///tmp/x/scms.db?mode=rwc");
    }

    #[test]
    fn typos_and_bad_values_are_refused() {
        assert!(toml::from_str::<FileConfig>("[serve]\nbody_limt = 1\n").is_err());
        let f: FileConfig = toml::from_str("[serve.listen]\nrra = \"127.0.0.1:1\"\n").unwrap();
        assert!(Config::resolve_with(f, PathBuf::from("/tmp"), &|_| None).is_err());
        let f: FileConfig = toml::from_str("[serve]\ntls_cert = \"/c.pem\"\n").unwrap();
        assert!(Config::resolve_with(f, PathBuf::from("/tmp"), &|_| None)
            .unwrap_err()
            .contains("both"));
        // The environment overrides the file.
        let f: FileConfig = toml::from_str("[serve]\nbody_limit = 1024\n").unwrap();
        let env = |k: &str| (k == "SCMS_BODY_LIMIT").then(|| "2048".to_string());
        let c = Config::resolve_with(f, PathBuf::from("/tmp"), &env).unwrap();
        assert_eq!(c.body_limit, 2048);
    }
}
