//! Configuration: defaults, then an optional TOML file, then `SUNDIAL_*` environment variables.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::time::Duration;

use api::rate_limit::{Rate, RateLimitSettings, TrustedProxies};
use domain::{Role, TenantId};
use engine::email::SmtpTls;
use exec::python::AllowDegraded;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::secret::Secret;
use crate::server::HttpLimits;

/// Everything `sundial serve` needs to know.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds (`SUNDIAL_LISTEN`).
    pub listen: SocketAddr,
    /// Directory for the SQLite file and the generated secret (`SUNDIAL_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: `sundial.db` in the data directory (`SUNDIAL_DATABASE_URL`).
    pub database_url: Option<Secret>,
    /// A file holding the database URL (`SUNDIAL_DATABASE_URL_FILE`); read into `database_url`.
    pub database_url_file: Option<PathBuf>,
    /// HS256 secret for tokens; generated into the data directory when absent and no JWKS is
    /// configured (`SUNDIAL_JWT_SECRET`).
    pub jwt_secret: Option<Secret>,
    /// A file holding the HS256 secret (`SUNDIAL_JWT_SECRET_FILE`); read into `jwt_secret`.
    pub jwt_secret_file: Option<PathBuf>,
    /// The identity provider's JWKS URL, for RS256/ES256/EdDSA tokens (`SUNDIAL_JWT_JWKS_URL`).
    pub jwt_jwks_url: Option<String>,
    /// A JWKS file, re-read when it changes (`SUNDIAL_JWT_JWKS_FILE`).
    pub jwt_jwks_file: Option<PathBuf>,
    /// How often the JWKS URL is re-fetched (`SUNDIAL_JWT_JWKS_REFRESH_SECONDS`).
    pub jwt_jwks_refresh_seconds: u64,
    /// The only `iss` accepted, if set (`SUNDIAL_JWT_ISSUER`).
    pub jwt_issuer: Option<String>,
    /// The `aud` tokens must name, if set (`SUNDIAL_JWT_AUDIENCE`).
    pub jwt_audience: Option<String>,
    /// The claim holding the tenant id (`SUNDIAL_JWT_TENANT_CLAIM`).
    pub jwt_tenant_claim: String,
    /// The claim holding the roles (`SUNDIAL_JWT_ROLES_CLAIM`).
    pub jwt_roles_claim: String,
    /// The role of a token without roles (`SUNDIAL_JWT_DEFAULT_ROLE`).
    #[serde(with = "role")]
    pub jwt_default_role: Role,
    /// The longest a token may live, e.g. `24h` or seconds (`SUNDIAL_JWT_MAX_LIFETIME`).
    #[serde(with = "lifetime")]
    pub jwt_max_lifetime: Duration,
    /// Attempts executing at once on this node (`SUNDIAL_WORKERS`).
    pub workers: u32,
    /// This node's name in run leases; default `hostname-pid` (`SUNDIAL_NODE_ID`).
    pub node_id: Option<String>,
    /// CIDRs/hosts the egress guard lets through despite being private, e.g.
    /// `127.0.0.1/32:8080` for a loopback target in tests (`SUNDIAL_EGRESS_ALLOW`).
    pub egress_allow: Option<String>,
    /// A PEM bundle of CA certificates `api_call` trusts besides the public web roots, for
    /// internal HTTPS targets (`SUNDIAL_EGRESS_CA_FILE`).
    pub egress_ca_file: Option<PathBuf>,
    /// How long SIGTERM waits for running attempts before handing them back to the queue
    /// (`SUNDIAL_SHUTDOWN_GRACE_SECONDS`).
    pub shutdown_grace_seconds: u64,
    /// How long a claimed run stays leased without a heartbeat; a run whose node died is
    /// retried this long after its last heartbeat (`SUNDIAL_LEASE_SECONDS`, at least 3; heartbeats go every third of it).
    pub lease_seconds: u64,
    /// How many times a run whose node stopped mid-attempt (killed, crashed) is run again
    /// before it fails; these executions do not use up the task's retries
    /// (`SUNDIAL_MAX_RESCUES`).
    pub max_rescues: u32,
    /// Days finished runs and their logs are kept; 0 keeps them forever
    /// (`SUNDIAL_RUN_RETENTION_DAYS`).
    pub run_retention_days: u32,
    /// Versions of each task its history keeps, newest first; 0 keeps all
    /// (`SUNDIAL_TASK_VERSIONS_KEPT`).
    pub task_versions_kept: u32,
    /// Most bytes of stored log lines per tenant; past it the logs of the tenant's oldest
    /// finished runs are pruned; 0: no budget (`SUNDIAL_TENANT_LOG_BUDGET_BYTES`).
    pub tenant_log_budget_bytes: u64,
    /// Seconds between the maintenance leader's pruning passes (retention, log budget)
    /// (`SUNDIAL_PRUNE_INTERVAL_SECONDS`).
    pub prune_interval_seconds: u64,
    /// Seconds between the maintenance leader's checks of dead-man deadlines
    /// (`SUNDIAL_DEADLINE_CHECK_INTERVAL_SECONDS`).
    pub deadline_check_interval_seconds: u64,
    /// Seconds between the maintenance leader's looks for runs past a `run.slow` rule's
    /// threshold (`SUNDIAL_SLOW_RUN_CHECK_INTERVAL_SECONDS`).
    pub slow_run_check_interval_seconds: u64,
    /// Most live tasks one tenant may have; 0: no limit (`SUNDIAL_TENANT_MAX_TASKS`).
    pub tenant_max_tasks: u32,
    /// Most runs one tenant may have running at once across all nodes; 0: no limit; default
    /// half the workers (`SUNDIAL_TENANT_MAX_RUNNING`).
    pub tenant_max_running: Option<u32>,
    /// Worker slots kept for tenants running nothing; default 10 % of the workers, rounded up
    /// (`SUNDIAL_RESERVED_WORKERS`).
    pub reserved_workers: Option<u32>,
    /// Sandboxes kept for tenants running no python run (`SUNDIAL_RESERVED_SANDBOXES`).
    pub reserved_sandboxes: u32,
    /// Tenants' shares of the workers and sandboxes as `tenant=weight` pairs, comma-separated;
    /// a tenant not listed weighs 1 (`SUNDIAL_TENANT_WEIGHTS`).
    #[serde(with = "tenant_weights")]
    pub tenant_weights: HashMap<TenantId, u32>,
    /// Largest `timeout_seconds` a task may have, 1 to 86400 (`SUNDIAL_MAX_TIMEOUT_SECONDS`).
    #[serde(with = "max_timeout")]
    pub max_timeout_seconds: u32,
    /// Shortest time between two occurrences of a task, in seconds
    /// (`SUNDIAL_TENANT_MIN_INTERVAL_SECONDS`).
    pub tenant_min_interval_seconds: u64,
    /// Most log lines kept per attempt; then one "output truncated" line
    /// (`SUNDIAL_LOG_MAX_LINES`).
    pub log_max_lines: NonZeroU64,
    /// Most log bytes kept per attempt; a python script writing more is stopped
    /// (`SUNDIAL_LOG_MAX_BYTES`).
    pub log_max_bytes: NonZeroU64,
    /// Optional sandbox layers this host may run python tasks without: `landlock`, `cgroups`,
    /// or both comma-separated; empty: none (`SUNDIAL_SANDBOX_ALLOW_DEGRADED`).
    #[serde(with = "allow_degraded")]
    pub sandbox_allow_degraded: AllowDegraded,
    /// Requests per second one tenant may sustain, all its clients together
    /// (`SUNDIAL_RATE_LIMIT_PER_SECOND`).
    pub rate_limit_per_second: u32,
    /// Requests one tenant may send at once after a quiet period; 0 turns every rate limit
    /// off (`SUNDIAL_RATE_LIMIT_BURST`).
    pub rate_limit_burst: u32,
    /// Requests per second one client may sustain: a token's `sub` within its tenant, or an
    /// address sending requests without a valid token
    /// (`SUNDIAL_RATE_LIMIT_CLIENT_PER_SECOND`).
    pub rate_limit_client_per_second: u32,
    /// A client's burst; 0 turns the per-client limit off (`SUNDIAL_RATE_LIMIT_CLIENT_BURST`).
    pub rate_limit_client_burst: u32,
    /// Reverse proxies (CIDRs or addresses, comma-separated) whose `X-Forwarded-For` names
    /// the client's address for rate limits; empty: none (`SUNDIAL_TRUSTED_PROXIES`).
    #[serde(with = "trusted_proxies")]
    pub trusted_proxies: TrustedProxies,
    /// Seconds a client may take to send a request's headers, counted from the connection's
    /// opening or the request's first byte (`SUNDIAL_HTTP_HEADER_TIMEOUT_SECONDS`).
    pub http_header_timeout_seconds: u64,
    /// Seconds a kept-alive connection may wait for its next request
    /// (`SUNDIAL_HTTP_IDLE_TIMEOUT_SECONDS`).
    pub http_idle_timeout_seconds: u64,
    /// Seconds a client may take to send a request's body after its headers
    /// (`SUNDIAL_HTTP_BODY_TIMEOUT_SECONDS`).
    pub http_body_timeout_seconds: u64,
    /// Connections served at once; more wait until one closes
    /// (`SUNDIAL_HTTP_MAX_CONNECTIONS`).
    pub http_max_connections: u32,
    /// Address of the admin listener, serving `/metrics` and `/sandbox` (the sandbox probe's
    /// report) to operators; unset: off, and `/metrics` stays on the main listener
    /// (`SUNDIAL_ADMIN_LISTEN`).
    pub admin_listen: Option<SocketAddr>,
    /// The SMTP relay email notices go through; unset: email channels are refused
    /// (`SUNDIAL_SMTP_HOST`).
    pub smtp_host: Option<String>,
    /// The relay's port; default 587 for `starttls`, 465 for `tls`, 25 for `none`
    /// (`SUNDIAL_SMTP_PORT`).
    pub smtp_port: Option<u16>,
    /// How the relay connection is protected: `starttls`, `tls` or `none` (loopback relays and
    /// tests only) (`SUNDIAL_SMTP_TLS`).
    #[serde(with = "smtp_tls")]
    pub smtp_tls: SmtpTls,
    /// The user name to authenticate to the relay with (`SUNDIAL_SMTP_USERNAME`).
    pub smtp_username: Option<String>,
    /// Its password (`SUNDIAL_SMTP_PASSWORD`).
    pub smtp_password: Option<Secret>,
    /// A file holding the password (`SUNDIAL_SMTP_PASSWORD_FILE`); read into `smtp_password`.
    pub smtp_password_file: Option<PathBuf>,
    /// The address notices come from, e.g. `Sundial <sundial@example.com>` (`SUNDIAL_SMTP_FROM`).
    pub smtp_from: Option<String>,
    /// A PEM bundle of CA certificates the relay's certificate may chain to, besides the public
    /// web roots (`SUNDIAL_SMTP_CA_FILE`).
    pub smtp_ca_file: Option<PathBuf>,
    /// Most emails one tenant is sent per clock hour, across all nodes; 0: no cap
    /// (`SUNDIAL_NOTIFY_EMAIL_PER_TENANT_HOUR`).
    pub notify_email_per_tenant_hour: u32,
}

impl Default for Config {
    fn default() -> Self {
        let engine = engine::EngineConfig::default();
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            database_url_file: None,
            jwt_secret: None,
            jwt_secret_file: None,
            jwt_jwks_url: None,
            jwt_jwks_file: None,
            jwt_jwks_refresh_seconds: 300,
            jwt_issuer: None,
            jwt_audience: None,
            jwt_tenant_claim: "tenant_id".into(),
            jwt_roles_claim: "roles".into(),
            jwt_default_role: Role::Viewer,
            jwt_max_lifetime: api::auth::DEFAULT_MAX_LIFETIME,
            // The engine's own defaults, so the binary and the library cannot disagree.
            workers: engine.workers,
            node_id: None,
            egress_allow: None,
            egress_ca_file: None,
            shutdown_grace_seconds: 30,
            lease_seconds: engine.lease.as_secs(),
            max_rescues: engine.max_rescues,
            run_retention_days: engine.retention.map_or(0, |keep| {
                u32::try_from(keep.as_secs() / 86_400).unwrap_or(u32::MAX)
            }),
            task_versions_kept: store::DEFAULT_VERSIONS_KEPT,
            tenant_log_budget_bytes: engine.log_budget.unwrap_or(0),
            prune_interval_seconds: engine.prune_every.as_secs(),
            deadline_check_interval_seconds: engine.deadline_check_every.as_secs(),
            slow_run_check_interval_seconds: engine.slow_run_check_every.as_secs(),
            tenant_max_tasks: 100_000,
            tenant_max_running: None,
            reserved_workers: None,
            reserved_sandboxes: engine.share.reserved_sandboxes,
            tenant_weights: HashMap::new(),
            max_timeout_seconds: u32::try_from(engine.max_timeout.as_secs()).unwrap_or(u32::MAX),
            tenant_min_interval_seconds: 1,
            log_max_lines: nonzero(engine.log_limits.max_lines),
            log_max_bytes: nonzero(engine.log_limits.max_bytes),
            sandbox_allow_degraded: AllowDegraded::default(),
            rate_limit_per_second: 50,
            rate_limit_burst: 200,
            rate_limit_client_per_second: 50,
            rate_limit_client_burst: 200,
            trusted_proxies: TrustedProxies::default(),
            http_header_timeout_seconds: 10,
            http_idle_timeout_seconds: 60,
            http_body_timeout_seconds: 30,
            http_max_connections: 10_000,
            admin_listen: None,
            smtp_host: None,
            smtp_port: None,
            smtp_tls: SmtpTls::default(),
            smtp_username: None,
            smtp_password: None,
            smtp_password_file: None,
            smtp_from: None,
            smtp_ca_file: None,
            notify_email_per_tenant_hour: 100,
        }
    }
}

fn nonzero(n: u64) -> NonZeroU64 {
    NonZeroU64::new(n).unwrap_or(NonZeroU64::MIN)
}

/// A configuration that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A key is unknown or its value does not parse.
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    /// A secret is given both directly and as a file.
    #[error("{plain} and {file} are both set; set only one of them")]
    Both {
        /// The direct setting.
        plain: &'static str,
        /// Its `_FILE` variant.
        file: &'static str,
    },
    /// A `_FILE` setting names a file that cannot be read.
    #[error("{key}: cannot read {path}: {source}")]
    SecretFile {
        /// The `_FILE` setting.
        key: &'static str,
        /// The file it names.
        path: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
}

impl Config {
    /// Loads defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let mut config: Config = figment
            // SUNDIAL_LOG, SUNDIAL_LOG_FORMAT and SUNDIAL_CONFIG are read before the
            // configuration (logging, the file's path); every other SUNDIAL_* variable must be
            // a known key, so typos fail.
            .merge(Env::prefixed("SUNDIAL_").ignore(&["log", "log_format", "config"]))
            .extract()
            .map_err(|e| ConfigError::Invalid(Box::new(e)))?;
        config.jwt_secret = from_file(
            config.jwt_secret.take(),
            config.jwt_secret_file.take(),
            ("SUNDIAL_JWT_SECRET", "SUNDIAL_JWT_SECRET_FILE"),
        )?;
        config.database_url = from_file(
            config.database_url.take(),
            config.database_url_file.take(),
            ("SUNDIAL_DATABASE_URL", "SUNDIAL_DATABASE_URL_FILE"),
        )?;
        config.smtp_password = from_file(
            config.smtp_password.take(),
            config.smtp_password_file.take(),
            ("SUNDIAL_SMTP_PASSWORD", "SUNDIAL_SMTP_PASSWORD_FILE"),
        )?;
        Ok(config)
    }

    /// This node's lease owner name: the configured one, else `hostname-pid`.
    pub fn node_id(&self) -> String {
        self.node_id.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|h| h.trim().to_owned())
                .unwrap_or_else(|_| "sundial".into());
            format!("{host}-{}", std::process::id())
        })
    }

    /// The request rate limits.
    pub fn rate_limits(&self) -> RateLimitSettings {
        RateLimitSettings {
            tenant: Rate {
                per_second: self.rate_limit_per_second,
                burst: self.rate_limit_burst,
            },
            client: Rate {
                per_second: self.rate_limit_client_per_second,
                burst: self.rate_limit_client_burst,
            },
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }

    /// The HTTP server's timeouts and connection cap; `Err` names a setting that is 0.
    pub fn http_limits(&self) -> Result<HttpLimits, &'static str> {
        let seconds = |value: u64, key: &'static str| {
            (value > 0).then(|| Duration::from_secs(value)).ok_or(key)
        };
        Ok(HttpLimits {
            header_timeout: seconds(
                self.http_header_timeout_seconds,
                "SUNDIAL_HTTP_HEADER_TIMEOUT_SECONDS",
            )?,
            idle_timeout: seconds(
                self.http_idle_timeout_seconds,
                "SUNDIAL_HTTP_IDLE_TIMEOUT_SECONDS",
            )?,
            body_timeout: seconds(
                self.http_body_timeout_seconds,
                "SUNDIAL_HTTP_BODY_TIMEOUT_SECONDS",
            )?,
            max_connections: usize::try_from(self.http_max_connections)
                .ok()
                .filter(|&cap| cap > 0)
                .ok_or("SUNDIAL_HTTP_MAX_CONNECTIONS")?,
        })
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> Secret {
        self.database_url.clone().unwrap_or_else(|| {
            Secret::new(format!(
                "sqlite://{}",
                self.data_dir.join("sundial.db").display()
            ))
        })
    }
}

/// A secret given directly or as a `_FILE` setting (never both). The file's content is the
/// secret, without the line break editors and `echo` put at its end.
fn from_file(
    plain: Option<Secret>,
    file: Option<PathBuf>,
    (plain_key, file_key): (&'static str, &'static str),
) -> Result<Option<Secret>, ConfigError> {
    match (plain, file) {
        (Some(_), Some(_)) => Err(ConfigError::Both {
            plain: plain_key,
            file: file_key,
        }),
        (plain, None) => Ok(plain),
        (None, Some(path)) => {
            let text =
                std::fs::read_to_string(&path).map_err(|source| ConfigError::SecretFile {
                    key: file_key,
                    path: path.clone(),
                    source,
                })?;
            Ok(Some(Secret::new(text.trim_end_matches(['\n', '\r']))))
        }
    }
}

/// A duration such as `90` (seconds), `30m`, `24h` or `7d`.
pub fn parse_duration(raw: &str) -> Result<u64, String> {
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{raw:?} is not a duration like 30m, 1h or 7d"))?;
    let unit_seconds = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit {unit:?}; use s, m, h or d")),
    };
    number
        .checked_mul(unit_seconds)
        .filter(|&s| s > 0)
        .ok_or_else(|| format!("{raw:?} is not a positive duration"))
}

/// `SUNDIAL_JWT_DEFAULT_ROLE`: `admin`, `operator` or `viewer`.
mod role {
    use domain::Role;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Role, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(api::auth::role_name(*value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Role, D::Error> {
        let raw = String::deserialize(d)?;
        api::auth::parse_role(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "SUNDIAL_JWT_DEFAULT_ROLE must be admin, operator or viewer, not {raw:?}"
            ))
        })
    }
}

/// `SUNDIAL_JWT_MAX_LIFETIME`: seconds, or a duration with a unit.
mod lifetime {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(value.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Seconds(u64),
            Text(String),
        }
        let seconds = match Raw::deserialize(d)? {
            Raw::Seconds(0) => Err("0 is not a positive duration".to_owned()),
            Raw::Seconds(seconds) => Ok(seconds),
            Raw::Text(text) => super::parse_duration(&text),
        }
        .map_err(|why| serde::de::Error::custom(format!("SUNDIAL_JWT_MAX_LIFETIME: {why}")))?;
        Ok(Duration::from_secs(seconds))
    }
}

/// `SUNDIAL_MAX_TIMEOUT_SECONDS`: within the bounds every task's `timeout_seconds` has.
mod max_timeout {
    use domain::task::MAX_TIMEOUT_SECONDS;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &u32, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(*value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let seconds = u32::deserialize(d)?;
        if (1..=MAX_TIMEOUT_SECONDS).contains(&seconds) {
            Ok(seconds)
        } else {
            Err(serde::de::Error::custom(format!(
                "SUNDIAL_MAX_TIMEOUT_SECONDS must be from 1 to {MAX_TIMEOUT_SECONDS}, not {seconds}"
            )))
        }
    }
}

/// `SUNDIAL_TENANT_WEIGHTS`: `7=4,12=2`, parsed when the configuration is read.
mod tenant_weights {
    use std::collections::HashMap;

    use domain::TenantId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        value: &HashMap<TenantId, u32>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut pairs: Vec<_> = value.iter().map(|(t, w)| (t.get(), *w)).collect();
        pairs.sort_unstable();
        let text: Vec<String> = pairs.iter().map(|(t, w)| format!("{t}={w}")).collect();
        s.serialize_str(&text.join(","))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<HashMap<TenantId, u32>, D::Error> {
        let raw = String::deserialize(d)?;
        parse(&raw)
            .map_err(|why| serde::de::Error::custom(format!("SUNDIAL_TENANT_WEIGHTS: {why}")))
    }

    pub(super) fn parse(raw: &str) -> Result<HashMap<TenantId, u32>, String> {
        let mut weights = HashMap::new();
        for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (tenant, weight) = pair
                .split_once('=')
                .ok_or_else(|| format!("{pair:?} is not tenant=weight"))?;
            let tenant = tenant
                .trim()
                .parse()
                .ok()
                .and_then(TenantId::new)
                .ok_or_else(|| format!("{tenant:?} is not a tenant id (a positive integer)"))?;
            let weight = weight
                .trim()
                .parse()
                .ok()
                .filter(|w| (1..=1000).contains(w))
                .ok_or_else(|| format!("{weight:?} is not a weight from 1 to 1000"))?;
            if weights.insert(tenant, weight).is_some() {
                return Err(format!("tenant {} is listed twice", tenant.get()));
            }
        }
        Ok(weights)
    }
}

/// `SUNDIAL_SANDBOX_ALLOW_DEGRADED` travels as its comma-separated text and is parsed when the
/// configuration is read, so a bad value stops every command with the key's name.
mod allow_degraded {
    use exec::python::AllowDegraded;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &AllowDegraded, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.names().join(","))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AllowDegraded, D::Error> {
        let raw = String::deserialize(d)?;
        AllowDegraded::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// `SUNDIAL_SMTP_TLS`: `starttls`, `tls` or `none`.
mod smtp_tls {
    use engine::email::SmtpTls;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &SmtpTls, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SmtpTls, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse()
            .map_err(|why| serde::de::Error::custom(format!("SUNDIAL_SMTP_TLS: {why}")))
    }
}

/// `SUNDIAL_TRUSTED_PROXIES` travels as its comma-separated text, parsed when the
/// configuration is read.
mod trusted_proxies {
    use api::rate_limit::TrustedProxies;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &TrustedProxies, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.entries().collect::<Vec<_>>().join(","))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TrustedProxies, D::Error> {
        let raw = String::deserialize(d)?;
        TrustedProxies::parse(&raw)
            .map_err(|why| serde::de::Error::custom(format!("SUNDIAL_TRUSTED_PROXIES: {why}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)]
    fn the_timeout_maximum_is_within_every_task_s_bounds() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            assert_eq!(
                Config::load(None).expect("default").max_timeout_seconds,
                3600
            );
            jail.set_env("SUNDIAL_MAX_TIMEOUT_SECONDS", "86400");
            assert_eq!(
                Config::load(None).expect("the largest").max_timeout_seconds,
                86_400
            );
            for bad in ["0", "86401"] {
                jail.set_env("SUNDIAL_MAX_TIMEOUT_SECONDS", bad);
                let error = Config::load(None).expect_err(bad).to_string();
                assert!(error.contains("SUNDIAL_MAX_TIMEOUT_SECONDS"), "{error}");
            }
            jail.set_env("SUNDIAL_MAX_TIMEOUT_SECONDS", "60");
            jail.set_env("SUNDIAL_TENANT_WEIGHTS", "7=2");
            let config = Config::load(None).expect("weights from the environment");
            assert_eq!(config.tenant_weights[&TenantId::new(7).unwrap()], 2);
            Ok(())
        });
    }

    #[test]
    fn tenant_weights_parse_and_bad_pairs_say_why() {
        let weights = tenant_weights::parse(" 7=4, 12=1 ,").expect("valid");
        assert_eq!(weights.len(), 2);
        assert_eq!(weights[&TenantId::new(7).unwrap()], 4);
        assert!(tenant_weights::parse("").unwrap().is_empty());
        for (bad, says) in [
            ("7", "not tenant=weight"),
            ("0=2", "not a tenant id"),
            ("x=2", "not a tenant id"),
            ("7=0", "not a weight"),
            ("7=1001", "not a weight"),
            ("7=2,7=3", "listed twice"),
        ] {
            let error = tenant_weights::parse(bad).expect_err(bad);
            assert!(error.contains(says), "{bad}: {error}");
        }
    }

    #[test]
    // figment's Jail closure must return figment's own (large) error type.
    #[allow(clippy::result_large_err)]
    fn log_caps_are_read_and_zero_is_refused() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            let defaults = Config::load(None).expect("defaults");
            assert_eq!(
                (defaults.log_max_lines.get(), defaults.log_max_bytes.get()),
                (10_000, 1024 * 1024)
            );
            jail.set_env("SUNDIAL_LOG_MAX_LINES", "500");
            jail.set_env("SUNDIAL_LOG_MAX_BYTES", "65536");
            let config = Config::load(None).expect("caps");
            assert_eq!(
                (config.log_max_lines.get(), config.log_max_bytes.get()),
                (500, 65_536)
            );
            jail.set_env("SUNDIAL_LOG_MAX_LINES", "0");
            let error = Config::load(None).expect_err("a zero cap");
            assert!(error.to_string().contains("LOG_MAX_LINES"), "{error}");
            Ok(())
        });
    }

    #[test]
    // figment's Jail closure must return figment's own (large) error type.
    #[allow(clippy::result_large_err)]
    fn log_and_config_variables_are_not_configuration_keys_but_typos_fail() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.set_env("SUNDIAL_LOG", "debug");
            jail.set_env("SUNDIAL_LOG_FORMAT", "json");
            jail.set_env("SUNDIAL_CONFIG", "/nonexistent.toml");
            jail.set_env("SUNDIAL_LISTEN", "127.0.0.1:9999");
            let config = Config::load(None).expect("SUNDIAL_LOG and SUNDIAL_CONFIG are ignored");
            assert_eq!(config.listen.port(), 9999);
            jail.set_env("SUNDIAL_LISTN", "127.0.0.1:1");
            let error = Config::load(None).expect_err("a misspelt key is an error");
            assert!(error.to_string().contains("listn"), "{error}");
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn sandbox_allow_degraded_is_parsed_and_bad_values_name_the_key() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            let config = Config::load(None).expect("the default allows nothing");
            assert_eq!(config.sandbox_allow_degraded, AllowDegraded::default());
            jail.set_env("SUNDIAL_SANDBOX_ALLOW_DEGRADED", "");
            let config = Config::load(None).expect("empty allows nothing");
            assert_eq!(config.sandbox_allow_degraded, AllowDegraded::default());
            jail.set_env("SUNDIAL_SANDBOX_ALLOW_DEGRADED", "landlock,cgroups");
            let config = Config::load(None).expect("both soft layers");
            assert_eq!(
                config.sandbox_allow_degraded,
                AllowDegraded {
                    landlock: true,
                    cgroups: true
                }
            );
            jail.set_env("SUNDIAL_SANDBOX_ALLOW_DEGRADED", "cgroups");
            let config = Config::load(None).expect("one soft layer");
            assert!(
                config.sandbox_allow_degraded.cgroups && !config.sandbox_allow_degraded.landlock
            );
            for (bad, says) in [
                ("seccomp", "can never be degraded"),
                ("landlok", "unknown layer `landlok`"),
                ("landlock,,cgroups", "empty entry"),
            ] {
                jail.set_env("SUNDIAL_SANDBOX_ALLOW_DEGRADED", bad);
                let error = Config::load(None).expect_err(bad).to_string();
                assert!(
                    error.contains("SUNDIAL_SANDBOX_ALLOW_DEGRADED") && error.contains(says),
                    "{bad}: {error}"
                );
            }
            jail.create_file("sundial.toml", "sandbox_allow_degraded = \"landlock\"")?;
            jail.clear_env();
            let config = Config::load(Some(Path::new("sundial.toml"))).expect("from the file");
            assert!(
                config.sandbox_allow_degraded.landlock && !config.sandbox_allow_degraded.cgroups
            );
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn edge_settings_have_defaults_parse_and_name_bad_values() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            let config = Config::load(None).expect("defaults");
            let limits = config.http_limits().expect("positive defaults");
            assert_eq!(limits.header_timeout, Duration::from_secs(10));
            assert_eq!(limits.idle_timeout, Duration::from_secs(60));
            assert_eq!(limits.max_connections, 10_000);
            let rates = config.rate_limits();
            assert_eq!((rates.tenant.per_second, rates.tenant.burst), (50, 200));
            assert_eq!((rates.client.per_second, rates.client.burst), (50, 200));
            assert_eq!(config.admin_listen, None);
            jail.set_env("SUNDIAL_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7");
            jail.set_env("SUNDIAL_ADMIN_LISTEN", "127.0.0.1:9100");
            jail.set_env("SUNDIAL_HTTP_HEADER_TIMEOUT_SECONDS", "2");
            let config = Config::load(None).expect("set");
            assert_eq!(
                config.trusted_proxies.entries().collect::<Vec<_>>(),
                ["10.0.0.0/8", "192.0.2.7/32"]
            );
            assert_eq!(config.admin_listen, Some("127.0.0.1:9100".parse().unwrap()));
            assert_eq!(
                config.http_limits().unwrap().header_timeout,
                Duration::from_secs(2)
            );
            jail.set_env("SUNDIAL_HTTP_IDLE_TIMEOUT_SECONDS", "0");
            assert_eq!(
                Config::load(None).unwrap().http_limits(),
                Err("SUNDIAL_HTTP_IDLE_TIMEOUT_SECONDS")
            );
            jail.set_env("SUNDIAL_TRUSTED_PROXIES", "proxy.internal");
            let error = Config::load(None).expect_err("a name").to_string();
            assert!(
                error.contains("SUNDIAL_TRUSTED_PROXIES") && error.contains("proxy.internal"),
                "{error}"
            );
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn smtp_settings_have_defaults_parse_and_keep_the_password_secret() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            let config = Config::load(None).expect("defaults");
            assert_eq!(
                (
                    config.smtp_host,
                    config.smtp_tls,
                    config.notify_email_per_tenant_hour
                ),
                (None, SmtpTls::StartTls, 100)
            );
            jail.create_file("smtp-pw", "relay-pw-in-a-file\n")?;
            jail.set_env("SUNDIAL_SMTP_HOST", "smtp.example.com");
            jail.set_env("SUNDIAL_SMTP_TLS", "tls");
            jail.set_env("SUNDIAL_SMTP_PORT", "2465");
            jail.set_env("SUNDIAL_SMTP_USERNAME", "sundial");
            jail.set_env("SUNDIAL_SMTP_PASSWORD_FILE", "smtp-pw");
            jail.set_env("SUNDIAL_SMTP_FROM", "Sundial <sundial@example.com>");
            jail.set_env("SUNDIAL_NOTIFY_EMAIL_PER_TENANT_HOUR", "5");
            let config = Config::load(None).expect("set");
            assert_eq!(config.smtp_tls, SmtpTls::Tls);
            assert_eq!(config.smtp_port, Some(2465));
            assert_eq!(config.notify_email_per_tenant_hour, 5);
            assert_eq!(
                config.smtp_password.as_ref().map(Secret::expose),
                Some("relay-pw-in-a-file")
            );
            assert!(!format!("{config:?}").contains("relay-pw"));
            jail.set_env("SUNDIAL_SMTP_PASSWORD", "relay-pw-plain");
            let error = Config::load(None).expect_err("both").to_string();
            assert!(
                error.contains("SUNDIAL_SMTP_PASSWORD and SUNDIAL_SMTP_PASSWORD_FILE"),
                "{error}"
            );
            jail.clear_env();
            jail.set_env("SUNDIAL_SMTP_TLS", "ssl");
            let error = Config::load(None).expect_err("a bad mode").to_string();
            assert!(
                error.contains("SUNDIAL_SMTP_TLS") && error.contains("ssl"),
                "{error}"
            );
            Ok(())
        });
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90"), Ok(90));
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert!(parse_duration("0h").is_err());
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn token_settings_have_defaults_and_parse() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            let config = Config::load(None).expect("defaults");
            assert_eq!(config.jwt_default_role, Role::Viewer);
            assert_eq!(config.jwt_max_lifetime, Duration::from_secs(24 * 3600));
            assert_eq!(config.jwt_tenant_claim, "tenant_id");
            assert_eq!(config.jwt_roles_claim, "roles");
            jail.set_env("SUNDIAL_JWT_DEFAULT_ROLE", "operator");
            jail.set_env("SUNDIAL_JWT_MAX_LIFETIME", "2h");
            jail.set_env("SUNDIAL_JWT_ISSUER", "https://id.example.com/");
            jail.set_env("SUNDIAL_JWT_AUDIENCE", "sundial");
            let config = Config::load(None).expect("set");
            assert_eq!(config.jwt_default_role, Role::Operator);
            assert_eq!(config.jwt_max_lifetime, Duration::from_secs(7200));
            assert_eq!(
                config.jwt_issuer.as_deref(),
                Some("https://id.example.com/")
            );
            jail.set_env("SUNDIAL_JWT_MAX_LIFETIME", "600");
            let config = Config::load(None).expect("seconds");
            assert_eq!(config.jwt_max_lifetime, Duration::from_secs(600));
            for (key, bad) in [
                ("SUNDIAL_JWT_MAX_LIFETIME", "0"),
                ("SUNDIAL_JWT_MAX_LIFETIME", "1w"),
                ("SUNDIAL_JWT_DEFAULT_ROLE", "root"),
            ] {
                jail.set_env(key, bad);
                let error = Config::load(None).expect_err(bad).to_string();
                assert!(error.contains(key), "{bad}: {error}");
                jail.set_env(
                    key,
                    if key.ends_with("ROLE") {
                        "viewer"
                    } else {
                        "1h"
                    },
                );
            }
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn secrets_come_from_files_never_from_both_and_never_show() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.create_file("jwt", "s3cret-from-a-file-0123456789abcdef\n")?;
            jail.create_file("db", "postgres://u:pw-in-file@db/x\r\n")?;
            jail.set_env("SUNDIAL_JWT_SECRET_FILE", "jwt");
            jail.set_env("SUNDIAL_DATABASE_URL_FILE", "db");
            let config = Config::load(None).expect("from files");
            assert_eq!(
                config.jwt_secret.as_ref().map(Secret::expose),
                Some("s3cret-from-a-file-0123456789abcdef")
            );
            assert_eq!(
                config.database_url().expose(),
                "postgres://u:pw-in-file@db/x"
            );
            let debug = format!("{config:?}");
            assert!(
                !debug.contains("s3cret") && !debug.contains("pw-in-file"),
                "{debug}"
            );

            jail.set_env("SUNDIAL_JWT_SECRET", "s3cret-plain-0123456789abcdef0123");
            let error = Config::load(None).expect_err("both").to_string();
            assert!(
                error.contains("SUNDIAL_JWT_SECRET and SUNDIAL_JWT_SECRET_FILE"),
                "{error}"
            );
            assert!(!error.contains("s3cret"), "{error}");
            jail.clear_env();
            jail.set_env("SUNDIAL_DATABASE_URL_FILE", "db");
            jail.set_env("SUNDIAL_DATABASE_URL", "postgres://u:pw-plain@db/x");
            let error = Config::load(None).expect_err("both").to_string();
            assert!(
                error.contains("SUNDIAL_DATABASE_URL and SUNDIAL_DATABASE_URL_FILE"),
                "{error}"
            );

            jail.clear_env();
            jail.set_env("SUNDIAL_JWT_SECRET_FILE", "missing");
            let error = Config::load(None).expect_err("missing file").to_string();
            assert!(
                error.contains("SUNDIAL_JWT_SECRET_FILE") && error.contains("missing"),
                "{error}"
            );

            jail.clear_env();
            jail.set_env("SUNDIAL_JWT_SECRET", "12345678901234567890123456789012345");
            let config = Config::load(None).expect("a numeric secret is still a secret");
            assert!(!format!("{config:?}").contains("1234567890"));
            Ok(())
        });
    }
}
