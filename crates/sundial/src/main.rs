//! `sundial`: serve the API, apply migrations, mint tokens, print the OpenAPI document.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use api::auth::{Jwks, JwksOptions, JwksSource, MintError, TokenPolicy};
use api::{AppState, Auth, TenantQuotas};
use clap::{Parser, Subcommand};
use domain::{Clock, Metrics, Role, SystemClock, TenantId};
use engine::{Engine, EngineConfig, NotifyConfig, TaskExecutors};
use exec::LogLimits;
use exec::api_call::ApiCallExecutor;
use exec::egress::{EgressClient, EgressPolicy};
use store::{EngineStore, FairShare, Store};
use tracing_subscriber::EnvFilter;

mod admin;
mod backup;
mod client;
mod config;
mod console;
mod email;
mod files;
mod notices;
mod sandbox;
mod secret;
mod server;

use config::{Config, parse_duration};
use secret::Secret;

#[derive(Debug, Parser)]
#[command(name = "sundial", version, about = "Multi-tenant scheduled tasks")]
struct Cli {
    /// A TOML configuration file; `SUNDIAL_*` environment variables override it.
    #[arg(long, global = true, env = "SUNDIAL_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print a signed token for a tenant.
    Token {
        /// The tenant the token is scoped to.
        #[arg(long)]
        tenant: i64,
        /// admin, operator or viewer (written into the token's roles claim).
        #[arg(long, default_value = "admin", value_parser = parse_role)]
        role: Role,
        /// Lifetime, e.g. 30m, 1h, 7d; at most SUNDIAL_JWT_MAX_LIFETIME.
        #[arg(long, default_value = "1h", value_parser = parse_duration)]
        ttl: u64,
        /// The subject recorded as the actor of changes.
        #[arg(long, default_value = "cli")]
        sub: String,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Copy the SQLite database into a new file, consistently, while the service runs
    /// (PostgreSQL: use pg_dump).
    Backup {
        /// The new file; an existing one is never overwritten.
        file: PathBuf,
    },
    /// A client of a running server's task API, for scripts and GitOps.
    Tasks {
        #[command(flatten)]
        connection: client::Connection,
        #[command(subcommand)]
        command: client::TasksCommand,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    api::auth::parse_role(raw).ok_or_else(|| "expected admin, operator or viewer".into())
}

/// A failure that ends the process with a message instead of a panic.
#[derive(Debug, thiserror::Error)]
enum Fatal {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("cannot read or create the token secret: {0}")]
    Secret(std::io::Error),
    #[error("{0}; set SUNDIAL_JWT_SECRET to a longer value, or unset it to have one generated")]
    Auth(#[from] api::auth::AuthError),
    #[error("SUNDIAL_JWT_JWKS_URL and SUNDIAL_JWT_JWKS_FILE are both set; set only one of them")]
    JwksBoth,
    #[error("{0}")]
    Jwks(#[from] api::auth::JwksError),
    #[error(
        "no token secret: with SUNDIAL_JWT_JWKS_URL or SUNDIAL_JWT_JWKS_FILE, tokens come from the \
         identity provider; set SUNDIAL_JWT_SECRET (or _FILE) to mint tokens here as well"
    )]
    NoSecretToMint,
    #[error("{0}")]
    Mint(#[from] MintError),
    #[error("database: {0}")]
    Store(#[from] store::StoreError),
    #[error("unsupported database URL {0:?} (password hidden): use sqlite://PATH or postgres://…")]
    DatabaseUrl(String),
    #[error("invalid SUNDIAL_EGRESS_ALLOW: {0}")]
    EgressAllow(String),
    #[error("SUNDIAL_LEASE_SECONDS must be at least 3 (three heartbeats per lease), not {0}")]
    Lease(u64),
    #[error("egress client: {0}")]
    EgressClient(exec::egress::RootCertificateError),
    #[error("SUNDIAL_EGRESS_CA_FILE {0}: {1}")]
    EgressCa(PathBuf, String),
    #[error("{0}")]
    Email(#[from] email::EmailSetupError),
    #[error("backup: {0}")]
    Backup(#[from] backup::BackupError),
    #[error("{0}")]
    Client(#[from] client::ClientError),
    #[error("engine: {0}")]
    Engine(#[from] engine::EngineError),
    #[error("cannot serve on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
    #[error("tenant ids are positive integers")]
    Tenant,
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(PathBuf, std::io::Error),
    #[error("cannot make the SQLite database owner-only: {0}")]
    DatabaseFiles(std::io::Error),
    #[error("{0} must be at least 1")]
    Zero(&'static str),
}

/// One database seen through both of its interfaces.
struct Stores {
    tasks: Arc<dyn Store>,
    engine: Arc<dyn EngineStore>,
}

/// Opens the configured database, creating the data directory that holds the default SQLite
/// file (both owner-only).
async fn open_configured_store(config: &Config) -> Result<Stores, Fatal> {
    files::private_dir(&config.data_dir).map_err(|e| Fatal::DataDir(config.data_dir.clone(), e))?;
    open_store(&config.database_url(), config.task_versions_kept).await
}

async fn open_store(url: &Secret, versions_kept: u32) -> Result<Stores, Fatal> {
    let url = url.expose();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = Arc::new(
            store::PostgresStore::connect(url)
                .await?
                .keep_versions(versions_kept),
        );
        Ok(Stores {
            tasks: store.clone(),
            engine: store,
        })
    } else if url.starts_with("sqlite:") {
        files::private_sqlite(url).map_err(Fatal::DatabaseFiles)?;
        let store = Arc::new(
            store::SqliteStore::connect(url)
                .await?
                .keep_versions(versions_kept),
        );
        Ok(Stores {
            tasks: store.clone(),
            engine: store,
        })
    } else {
        Err(Fatal::DatabaseUrl(redact_url(url)))
    }
}

/// The HS256 secret: the configured one, or one generated into the data directory — unless the
/// deployment verifies its identity provider's tokens, where an unasked-for secret that can
/// mint any tenant's tokens would only be a liability.
fn token_secret(config: &Config) -> Result<Option<(Vec<u8>, secret::Origin)>, Fatal> {
    if config.jwt_secret.is_none() && jwks_source(config)?.is_some() {
        return Ok(None);
    }
    secret::load_or_generate(config.jwt_secret.as_ref(), &config.data_dir)
        .map(Some)
        .map_err(Fatal::Secret)
}

fn jwks_source(config: &Config) -> Result<Option<JwksSource>, Fatal> {
    match (&config.jwt_jwks_url, &config.jwt_jwks_file) {
        (Some(_), Some(_)) => Err(Fatal::JwksBoth),
        (Some(url), None) => Ok(Some(JwksSource::Url(url.clone()))),
        (None, Some(path)) => Ok(Some(JwksSource::File(path.clone()))),
        (None, None) => Ok(None),
    }
}

fn token_policy(config: &Config) -> TokenPolicy {
    TokenPolicy {
        issuer: config.jwt_issuer.clone(),
        audience: config.jwt_audience.clone(),
        tenant_claim: config.jwt_tenant_claim.clone(),
        roles_claim: config.jwt_roles_claim.clone(),
        default_role: config.jwt_default_role,
        max_lifetime: config.jwt_max_lifetime,
    }
}

/// The authenticator of `serve`: the secret and, when configured, the JWKS (loaded now, so a
/// wrong URL or file stops start-up), and whether the secret was generated.
async fn serving_auth(config: &Config) -> Result<(Auth, Option<secret::Origin>), Fatal> {
    let secret = token_secret(config)?;
    let jwks = match jwks_source(config)? {
        Some(source) => {
            let options = JwksOptions {
                refresh: Duration::from_secs(config.jwt_jwks_refresh_seconds.max(1)),
                ..JwksOptions::default()
            };
            let jwks = Jwks::load(source.clone(), options).await?;
            tracing::info!(%source, keys = jwks.key_count().await, "JWKS loaded");
            Some(jwks)
        }
        None => None,
    };
    let auth = Auth::new(
        secret.as_ref().map(|(secret, _)| secret.as_slice()),
        jwks,
        token_policy(config),
        Arc::new(SystemClock),
    )?;
    Ok((auth, secret.map(|(_, origin)| origin)))
}

/// The authenticator of `sundial token`: the secret alone.
fn minting_auth(config: &Config) -> Result<Auth, Fatal> {
    let (secret, _) = token_secret(config)?.ok_or(Fatal::NoSecretToMint)?;
    Ok(Auth::new(
        Some(&secret),
        None,
        token_policy(config),
        Arc::new(SystemClock),
    )?)
}

/// How the workers and sandboxes are shared: the defaults for their sizes, with what the
/// operator set instead.
fn fair_share(config: &Config, workers: u32, sandboxes: u32) -> FairShare {
    let defaults = FairShare::defaults_for(workers, sandboxes);
    FairShare {
        per_tenant: match config.tenant_max_running {
            None => defaults.per_tenant,
            Some(0) => None,
            Some(cap) => Some(cap),
        },
        reserved_workers: config.reserved_workers.unwrap_or(defaults.reserved_workers),
        reserved_sandboxes: config.reserved_sandboxes,
        weights: config.tenant_weights.clone(),
    }
}

fn now_seconds() -> u64 {
    jiff::Timestamp::now().as_second().max(0) as u64
}

async fn serve(config: Config) -> Result<(), Fatal> {
    let (auth, origin) = serving_auth(&config).await?;
    let url = config.database_url();
    let stores = open_configured_store(&config).await?;
    let egress = EgressPolicy::from_allow_list(config.egress_allow.as_deref().unwrap_or(""))
        .map_err(|e| Fatal::EgressAllow(e.to_string()))?;
    if config.lease_seconds < 3 {
        return Err(Fatal::Lease(config.lease_seconds));
    }
    let lease = Duration::from_secs(config.lease_seconds);
    let log_limits = LogLimits {
        max_lines: config.log_max_lines.get(),
        max_bytes: config.log_max_bytes.get(),
    };
    let http_limits = config
        .http_limits()
        .map_err(Fatal::Zero)?
        .fit_to_open_file_limit();
    let python = sandbox::python_executor(config.sandbox_allow_degraded, log_limits).await;
    let sandbox_health = Arc::new(sandbox::health(python.probe_report()));
    let probe = Arc::new(python.probe_report().clone());
    let sandboxes = u32::try_from(python.config().max_sandboxes).unwrap_or(u32::MAX);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let metrics = Arc::new(Metrics::for_build(env!("CARGO_PKG_VERSION")));
    // As many idle connections per destination as attempts may call it at once: a burst of
    // calls to one target then reuses its connections instead of opening one per call.
    let egress_limits = exec::egress::Limits {
        pool_max_idle_per_host: config.workers as usize,
        ..exec::egress::Limits::default()
    };
    let mut client = EgressClient::builder(egress.clone())
        .limits(egress_limits)
        .metrics(metrics.clone());
    if let Some(path) = &config.egress_ca_file {
        // Trust only: which addresses may be called is still the egress policy's decision.
        let pem = std::fs::read(path).map_err(|e| Fatal::EgressCa(path.clone(), e.to_string()))?;
        client = client
            .add_root_certificates_pem(&pem)
            .map_err(|e| Fatal::EgressCa(path.clone(), e.to_string()))?;
    }
    let client = client.build().map_err(Fatal::EgressClient)?;
    let notify_client = client.clone();
    let executors = TaskExecutors::new(ApiCallExecutor::with_client(client), python)
        .with_tenant_settings(stores.tasks.clone(), clock.clone());
    let email = email::email_config(&config)?;
    let email_relay = email.is_some();
    let notify = NotifyConfig {
        client: notify_client,
        poll: Duration::from_secs(1),
        tenant_lists: Some(executors.clone()),
        email,
    };
    // Before the engine fires anything: an occurrence the corrected rules moved must not fire
    // at its old instant. A failed scan is reported, not fatal: it only informs and corrects.
    match notices::scan(
        stores.tasks.as_ref(),
        clock.now(),
        config.max_timeout_seconds,
    )
    .await
    {
        Ok(report) => tracing::info!(
            scanned = report.scanned,
            skipped = report.skipped,
            flagged = report.flagged,
            moved = report.moved,
            "schedule notice scan done"
        ),
        Err(error) => tracing::error!(%error, "schedule notice scan failed; tasks not flagged"),
    }
    let workers = config.workers.max(1);
    let share = fair_share(&config, workers, sandboxes);
    let engine = Engine::start(
        EngineConfig {
            node_id: config.node_id(),
            workers,
            sandboxes,
            share,
            max_timeout: Duration::from_secs(u64::from(config.max_timeout_seconds)),
            lease,
            // Three heartbeats per lease, so one slow write does not cost the lease.
            heartbeat_every: lease / 3,
            max_rescues: config.max_rescues,
            retention: (config.run_retention_days > 0)
                .then(|| Duration::from_secs(u64::from(config.run_retention_days) * 24 * 3600)),
            log_budget: (config.tenant_log_budget_bytes > 0)
                .then_some(config.tenant_log_budget_bytes),
            prune_every: Duration::from_secs(config.prune_interval_seconds.max(1)),
            deadline_check_every: Duration::from_secs(
                config.deadline_check_interval_seconds.max(1),
            ),
            slow_run_check_every: Duration::from_secs(
                config.slow_run_check_interval_seconds.max(1),
            ),
            log_limits,
            metrics: metrics.clone(),
            notify: Some(notify),
            ..EngineConfig::default()
        },
        stores.engine.clone(),
        Arc::new(executors),
        clock.clone(),
    );
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| Fatal::Listen(config.listen, e))?;
    let local = listener
        .local_addr()
        .map_err(|e| Fatal::Listen(config.listen, e))?;
    let admin_listener = match config.admin_listen {
        Some(address) => {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .map_err(|e| Fatal::Listen(address, e))?;
            let local = listener
                .local_addr()
                .map_err(|e| Fatal::Listen(address, e))?;
            tracing::info!(%local, "admin listener serving /metrics and /sandbox");
            Some(listener)
        }
        None => None,
    };
    tracing::info!(%local, database = %redact_url(url.expose()), "sundial serving");
    if origin == Some(secret::Origin::Generated) {
        let tenant = TenantId::new(1).ok_or(Fatal::Tenant)?;
        let ttl = config.jwt_max_lifetime.as_secs().min(12 * 3600);
        let token = auth.mint(tenant, "console", Role::Admin, now_seconds(), ttl)?;
        println!(
            "Development mode: a token secret was generated in {}.",
            config.data_dir.display()
        );
        println!(
            "Console for tenant 1 (valid {} min): http://{local}/#token={token}",
            ttl / 60
        );
        println!("API docs: http://{local}/api/docs");
    }
    let state = AppState {
        store: stores.tasks,
        auth,
        clock,
        wake: engine.wakeup(),
        liveness: engine.liveness(),
        sandbox: sandbox_health.clone(),
        egress: Arc::new(egress),
        metrics: metrics.clone(),
        quotas: TenantQuotas {
            max_tasks: (config.tenant_max_tasks > 0).then_some(config.tenant_max_tasks),
            min_interval_seconds: config.tenant_min_interval_seconds.max(1),
            max_timeout_seconds: config.max_timeout_seconds.max(1),
        },
        rate_limits: api::RateLimits::start(config.rate_limits()),
        public_metrics: admin_listener.is_none(),
        run_retention: (config.run_retention_days > 0)
            .then(|| Duration::from_secs(u64::from(config.run_retention_days) * 24 * 3600)),
        email_relay,
    };
    let app = api::with_security_headers(api::with_request_ids(
        console::router().merge(api::app(state)),
    ));
    let stopping = stop_on_signal();
    let admin = admin_listener.map(|listener| {
        let admin = admin::router(admin::Admin {
            metrics,
            sandbox: sandbox_health,
            probe,
        });
        tokio::spawn(server::serve(
            listener,
            api::with_security_headers(admin),
            http_limits,
            stopped(stopping.clone()),
        ))
    });
    server::serve(listener, app, http_limits, stopped(stopping)).await;
    if let Some(admin) = admin {
        let _ = admin.await;
    }
    // The HTTP server has stopped taking requests; now stop claiming and let running attempts
    // finish within the grace, handing the rest back to the queue.
    let grace = Duration::from_secs(config.shutdown_grace_seconds);
    let report = engine.shutdown(grace).await?;
    tracing::info!(
        finished = report.finished,
        released = report.released,
        "engine stopped"
    );
    Ok(())
}

/// The URL without its password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://…@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Turns true on SIGTERM or Ctrl-C; every listener stops on it.
fn stop_on_signal() -> tokio::sync::watch::Receiver<bool> {
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    stopping
}

async fn stopped(mut stopping: tokio::sync::watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after it said stop.
    let _ = stopping.wait_for(|stop| *stop).await;
}

async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler cannot fail on Unix");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    tracing::info!("shutting down");
}

async fn run(cli: Cli) -> Result<(), Fatal> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        // The document is the same whatever the deployment: it needs no configuration, so a
        // stray SUNDIAL_* variable cannot stop a client generator or a CI check.
        let doc =
            serde_json::to_string_pretty(&api::openapi()).expect("the OpenAPI document serializes");
        println!("{doc}");
        return Ok(());
    }
    if let Command::Tasks {
        connection,
        command,
    } = command
    {
        // A client of another process: the server's configuration is not this one's.
        return Ok(client::run(connection, command).await?);
    }
    let config = Config::load(cli.config.as_deref())?;
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            open_configured_store(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Token {
            tenant,
            role,
            ttl,
            sub,
        } => {
            let tenant = TenantId::new(tenant).ok_or(Fatal::Tenant)?;
            let auth = minting_auth(&config)?;
            println!("{}", auth.mint(tenant, &sub, role, now_seconds(), ttl)?);
            Ok(())
        }
        Command::Backup { file } => {
            backup::backup(config.database_url().expose(), &file).await?;
            println!("backed up to {}", file.display());
            Ok(())
        }
        Command::Openapi | Command::Tasks { .. } => {
            unreachable!("answered before the configuration is read")
        }
    }
}

/// How log lines are written: `SUNDIAL_LOG_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    /// One human-readable line per event (the default).
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl LogFormat {
    /// Read before the configuration, as logging starts first.
    fn parse(value: Option<std::ffi::OsString>) -> Result<Self, String> {
        let Some(value) = value else {
            return Ok(LogFormat::Text);
        };
        match value.to_str() {
            Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            _ => Err(format!(
                "SUNDIAL_LOG_FORMAT must be `text` or `json`, not `{}`",
                value.to_string_lossy()
            )),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let format = match LogFormat::parse(std::env::var_os("SUNDIAL_LOG_FORMAT")) {
        Ok(format) => format,
        Err(error) => {
            eprintln!("sundial: {error}");
            return ExitCode::FAILURE;
        }
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("SUNDIAL_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sundial: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_format_is_text_json_or_an_error_naming_the_variable() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("text".into())), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json".into())), Ok(LogFormat::Json));
        let error = LogFormat::parse(Some("JSON ".into())).unwrap_err();
        assert_eq!(
            error,
            "SUNDIAL_LOG_FORMAT must be `text` or `json`, not `JSON `"
        );
    }

    #[test]
    fn database_passwords_stay_out_of_logs() {
        assert_eq!(
            redact_url("postgres://u:secret@db:5432/x"),
            "postgres://…@db:5432/x"
        );
        assert_eq!(
            redact_url("sqlite://./data/sundial.db"),
            "sqlite://./data/sundial.db"
        );
    }
}
