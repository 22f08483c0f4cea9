//! `scms serve --config DIR/scms.toml [--role ROLE]...`: the authorities as
//! HTTP services, every role on its own address (all roles in one process
//! by default), each wrapped in the shared layer of [`layer`].
//!
//! `scms demo` starts the same services through [`start`].
//!
//! Exit codes: 0 after a graceful shutdown (SIGTERM or ctrl-c), 1 when a
//! role cannot start, 2 for configuration errors.

pub mod config;
pub mod conn;
pub mod layer;
pub mod roles;
pub mod routes;
mod tls;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use scms_ca::store::Store;
use scms_hsm::KeyStore;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use config::{Config, LogFormat, Role};
use layer::Limits;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The configuration file (a data directory's scms.toml).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The data directory (default: the directory of the configuration file).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Run only these roles (repeat the flag; default: every role).
    #[arg(long, value_enum, value_name = "ROLE")]
    pub role: Vec<Role>,
    /// Log lines as text or JSON (overrides serve.log_format and SCMS_LOG_FORMAT).
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormat>,
}

/// Installs the tracing subscriber (once per process).
pub fn init_logging(format: LogFormat, filter: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => b.json().flatten_event(true).try_init(),
        LogFormat::Text => b.with_ansi(false).try_init(),
    };
}

/// Every role, in start order.
pub fn available_roles() -> Vec<Role> {
    Role::ALL.to_vec()
}

/// Running services.
pub struct Running {
    /// Base URL of each role started here.
    pub urls: BTreeMap<Role, String>,
    shutdown: watch::Sender<bool>,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, lets requests in progress finish (at most `grace`),
    /// stops the background tasks.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.shutdown.send(true);
        for t in &self.tasks {
            t.abort();
        }
        let wait = async {
            for s in self.servers {
                let _ = s.await;
            }
        };
        if tokio::time::timeout(grace, wait).await.is_err() {
            tracing::warn!(target: "scms::serve", "requests still running after the grace period: stopped");
        }
    }
}

/// Binds every role of `roles`, builds them and serves them until
/// [`Running::shutdown`].
pub async fn start(
    cfg: &Config,
    roles: &[Role],
    keys: Arc<dyn KeyStore>,
    store: Store,
) -> Result<Running, String> {
    let tls = match &cfg.tls {
        Some((c, k)) => Some(tls::acceptor(c, k)?),
        None => None,
    };
    if let Some(ca) = &cfg.tls_peer_ca {
        let pem = std::fs::read(ca).map_err(|e| format!("tls_peer_ca {}: {e}", ca.display()))?;
        scms_ra::http::set_tls_roots(&pem).map_err(|e| format!("tls_peer_ca: {e}"))?;
    }
    // The authorities call each other at these addresses: HTTPS for the
    // roles served with TLS.
    let scheme_of = |role| {
        if tls.is_some() && tls::device_facing(role) {
            "https"
        } else {
            "http"
        }
    };
    let mut listeners = Vec::new();
    let mut peers = BTreeMap::new();
    for role in Role::ALL {
        if let Some(p) = cfg.peers.get(&role) {
            peers.insert(role, p.clone());
        } else if !roles.contains(&role) {
            peers.insert(role, format!("{}://{}", scheme_of(role), cfg.listen[&role]));
        }
    }
    let mut urls = BTreeMap::new();
    // Built in dependency order: a role that calls another at start (the ACA
    // the LAs, the MA the CRL signer) comes after it.
    let mut roles = roles.to_vec();
    roles.sort_by_key(|r| match r {
        Role::Crl => 0,
        Role::Ma => 2,
        _ => 1,
    });
    for &role in &roles {
        let addr: SocketAddr = cfg.listen[&role];
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("{}: cannot listen on {addr}: {e}", role.as_str()))?;
        let bound = l.local_addr().map_err(|e| e.to_string())?;
        let url = format!("{}://{bound}", scheme_of(role));
        urls.insert(role, url.clone());
        peers.entry(role).or_insert(url);
        listeners.push((role, l));
    }
    let ctx = roles::Context {
        family: cfg.family,
        keys,
        store,
        clock: Arc::new(scms_ca::eca::system_now),
        peers,
        ra: cfg.ra.clone(),
        profiles_dir: roles::profiles_dir(&cfg.data_dir),
    };
    let limits = Limits {
        body_limit: cfg.body_limit,
        request_timeout: cfg.request_timeout,
    };
    let (tx, rx) = watch::channel(false);
    let mut servers = Vec::new();
    let mut tasks = Vec::new();
    for (role, l) in listeners {
        let built = match roles::build(role, &ctx).await {
            Ok(b) => b,
            Err(e) => {
                let _ = tx.send(true);
                for t in tasks {
                    JoinHandle::abort(&t);
                }
                return Err(e);
            }
        };
        tasks.extend(built.tasks);
        let (app, _) = layer::app(built.service, limits);
        let stop = rx.clone();
        let server = match (&tls, tls::device_facing(role)) {
            (Some(acceptor), true) => {
                let l = tls::TlsListener::new(l, acceptor.clone());
                tokio::spawn(conn::serve(l, app, cfg.conn, stop))
            }
            _ => tokio::spawn(conn::serve(l, app, cfg.conn, stop)),
        };
        tracing::info!(target: "scms::serve", role = role.as_str(), url = %urls[&role], "serving");
        servers.push(server);
    }
    Ok(Running {
        urls,
        shutdown: tx,
        servers,
        tasks,
    })
}

/// SIGTERM or ctrl-c. The SIGTERM handler is installed when this is called,
/// not when the future is first polled: a supervisor that stops the process
/// right after it printed its addresses must not meet the default action.
pub fn termination() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn open_keys(cfg: &Config) -> Result<Box<dyn KeyStore>, String> {
    crate::init::open_key_store(
        &cfg.key_store,
        &cfg.data_dir,
        &cfg.pass_env,
        cfg.pkcs11_module.as_deref(),
        cfg.pkcs11_token.as_deref(),
        cfg.pkcs11_pin_env.as_deref(),
    )
    .map_err(|crate::init::Fail(_, m)| m)
}

pub fn run(args: ServeArgs) -> ExitCode {
    let mut cfg = match Config::load(&args.config, args.data_dir.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("scms serve: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(f) = args.log_format {
        cfg.log_format = f;
    }
    init_logging(cfg.log_format, &cfg.log);
    let mut roles = if args.role.is_empty() {
        available_roles()
    } else {
        args.role.clone()
    };
    roles.sort();
    roles.dedup();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("scms serve: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let r: Result<(), String> = rt.block_on(async {
        let keys: Arc<dyn KeyStore> = Arc::from(open_keys(&cfg)?);
        let store = Store::connect(&cfg.database_url)
            .await
            .map_err(|e| format!("database: {e}"))?;
        let stop = termination();
        let running = start(&cfg, &roles, keys, store.clone()).await?;
        for (role, url) in &running.urls {
            println!("{} {url}", role.as_str());
        }
        stop.await;
        tracing::info!(target: "scms::serve", "shutting down");
        running.shutdown(cfg.shutdown_grace).await;
        store.close().await;
        Ok(())
    });
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(target: "scms::serve", error = %e, "cannot serve");
            eprintln!("scms serve: {e}");
            ExitCode::from(1)
        }
    }
}
