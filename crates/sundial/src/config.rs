//! Configuration: defaults, then an optional TOML file, then `SUNDIAL_*` environment variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use exec::python::AllowDegraded;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Everything `sundial serve` needs to know.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds (`SUNDIAL_LISTEN`).
    pub listen: SocketAddr,
    /// Directory for the SQLite file and the generated secret (`SUNDIAL_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: `sundial.db` in the data directory (`SUNDIAL_DATABASE_URL`).
    pub database_url: Option<String>,
    /// HS256 secret for tokens; generated into the data directory when absent (`SUNDIAL_JWT_SECRET`).
    pub jwt_secret: Option<String>,
    /// Attempts executing at once on this node (`SUNDIAL_WORKERS`).
    pub workers: u32,
    /// This node's name in run leases; default `hostname-pid` (`SUNDIAL_NODE_ID`).
    pub node_id: Option<String>,
    /// CIDRs/hosts the egress guard lets through despite being private, e.g.
    /// `127.0.0.1/32:8080` for a loopback target in tests (`SUNDIAL_EGRESS_ALLOW`).
    pub egress_allow: Option<String>,
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
    /// Most live tasks one tenant may have; 0: no limit (`SUNDIAL_TENANT_MAX_TASKS`).
    pub tenant_max_tasks: u32,
    /// Most runs one tenant may have running at once across all nodes; 0: no limit
    /// (`SUNDIAL_TENANT_MAX_RUNNING`).
    pub tenant_max_running: u32,
    /// Shortest time between two occurrences of a task, in seconds
    /// (`SUNDIAL_TENANT_MIN_INTERVAL_SECONDS`).
    pub tenant_min_interval_seconds: u64,
    /// Optional sandbox layers this host may run python tasks without: `landlock`, `cgroups`,
    /// or both comma-separated; empty: none (`SUNDIAL_SANDBOX_ALLOW_DEGRADED`).
    #[serde(with = "allow_degraded")]
    pub sandbox_allow_degraded: AllowDegraded,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            jwt_secret: None,
            workers: 64,
            node_id: None,
            egress_allow: None,
            shutdown_grace_seconds: 30,
            lease_seconds: 30,
            max_rescues: 3,
            run_retention_days: 30,
            tenant_max_tasks: 100_000,
            tenant_max_running: 100,
            tenant_min_interval_seconds: 1,
            sandbox_allow_degraded: AllowDegraded::default(),
        }
    }
}

/// A configuration that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Loads defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment
            // SUNDIAL_LOG and SUNDIAL_CONFIG are read before the configuration (logging, the
            // file's path); every other SUNDIAL_* variable must be a known key, so typos fail.
            .merge(Env::prefixed("SUNDIAL_").ignore(&["log", "config"]))
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
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

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("sundial.db").display()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // figment's Jail closure must return figment's own (large) error type.
    #[allow(clippy::result_large_err)]
    fn log_and_config_variables_are_not_configuration_keys_but_typos_fail() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            jail.set_env("SUNDIAL_LOG", "debug");
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
}
