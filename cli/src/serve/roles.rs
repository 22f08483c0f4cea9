//! Each role built from the database (authorities, certificates, profiles),
//! the key store and the configuration: its router, readiness, gauges and
//! background tasks. Nothing here keeps state that is not in the database
//! (the RA's copy of its state is reloaded where needed, see
//! `scms_ra::service`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use scms_ca::aca::{Aca, TrustStore};
use scms_ca::aca_service::AcaService;
use scms_ca::crl_service::{CrlService, CrlServiceConfig};
use scms_ca::eca::{Eca, SuccessorFront};
use scms_ca::profile::{builtin, Family, Profile};
use scms_ca::store::{Authority, Store};
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_hsm::KeyStore;
use scms_la::service::{LaInvestigation, LaService};
use scms_ma::{MaConfig, MaPeers, MaService};
use scms_ra::service::{Peers, RaService};
use scms_ra::store::RaStore;
use scms_ra::{Ra, RaConfig};
use tokio::task::JoinHandle;

use super::config::{RaSettings, Role};
use super::layer::{text, Gauge, RoleService};

/// The service clock (Time32, system time).
pub type Clock = Arc<dyn Fn() -> scms_asn1::ieee1609dot2::Time32 + Send + Sync>;

/// What every role is built from.
#[derive(Clone)]
pub struct Context {
    pub family: Family,
    pub keys: Arc<dyn KeyStore>,
    pub store: Store,
    pub clock: Clock,
    /// Base URL of each role (`http://HOST:PORT`).
    pub peers: BTreeMap<Role, String>,
    pub ra: RaSettings,
    /// Where `scms init` wrote the profiles (`DIR/profiles/<name>.toml`).
    pub profiles_dir: Option<std::path::PathBuf>,
}

/// A built role: the layer's input and the tasks to stop at shutdown.
pub struct Built {
    pub service: RoleService,
    pub tasks: Vec<JoinHandle<()>>,
}

fn symm(family: Family) -> SymmAlgorithm {
    match family {
        Family::Us => SymmAlgorithm::Aes128Ccm,
        Family::Cn => SymmAlgorithm::Sm4Ccm,
    }
}

impl Context {
    /// A profile: `DIR/profiles/<name>.toml` when `scms init` wrote one, else built in.
    pub fn profile(&self, name: &str) -> Result<Profile, String> {
        if let Some(dir) = &self.profiles_dir {
            let p = dir.join(format!("{name}.toml"));
            if p.exists() {
                let t = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                return Profile::from_toml(&t).map_err(|e| format!("{}: {e}", p.display()));
            }
        }
        builtin(self.family, name).map_err(|e| format!("profile {name}: {e}"))
    }

    pub async fn authority(&self, name: &str) -> Result<Authority, String> {
        self.store
            .authority(name)
            .await
            .map_err(|e| format!("database: {e}"))?
            .ok_or_else(|| format!("no {name} in the database: run scms init first"))
    }

    fn peer(&self, role: Role) -> Result<String, String> {
        self.peers
            .get(&role)
            .cloned()
            .ok_or_else(|| format!("no address for the {} (serve.peers)", role.as_str()))
    }

    /// Start of i-period 0 (Unix seconds): the pseudonym profile's epoch.
    fn iperiod_epoch(&self) -> Result<i64, String> {
        self.profile("pseudonym")?
            .iperiod_epoch_unix
            .ok_or_else(|| "the pseudonym profile has no iperiod-epoch-unix".to_string())
    }

    /// The trust of the ACA and the RA: the root, the ICA and the ECA.
    async fn trust(&self) -> Result<TrustStore, String> {
        let mut t = TrustStore::new();
        t.add_anchor(&self.authority("root").await?.certificate)
            .map_err(|e| format!("root: {e}"))?;
        for role in ["ica", "eca"] {
            t.add_ca(&self.authority(role).await?.certificate)
                .map_err(|e| format!("{role}: {e}"))?;
        }
        Ok(t)
    }

    /// [`Context::trust`] with the allowlist of the authorities that may sign
    /// the internal requests (or answers) this role receives; the endpoint's
    /// role check still applies on top.
    async fn trust_of_peers(&self, peers: &[&str]) -> Result<TrustStore, String> {
        let mut t = self.trust().await?;
        for name in peers {
            t.allow_peer(&self.authority(name).await?.certificate)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(t)
    }
}

fn octets(b: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream")],
        b,
    )
        .into_response()
}

/// Builds `role`.
pub async fn build(role: Role, ctx: &Context) -> Result<Built, String> {
    let store = ctx.store.clone();
    let mut tasks = Vec::new();
    let (router, ready, gauges, issues): (
        Router,
        Option<super::layer::ReadyCheck>,
        Option<super::layer::GaugeProbe>,
        &'static [&'static str],
    ) = match role {
        Role::Root => (root_router(ctx).await?, None, None, &[]),
        Role::Eca => {
            let mut eca =
                Eca::from_store(store.clone(), ctx.keys.clone(), ctx.profile("enrollment")?)
                    .await
                    .map_err(|e| format!("eca: {e}"))?;
            // Successor enrollment (1609.2.1) is addressed to the RA's
            // certificate: served here when this key store holds the RA's
            // keys (one `scms init` directory), else 503.
            if let Ok(ra) = ctx.authority("ra").await {
                let enc_key_label = format!("{}-enc", ra.key_label);
                if ctx.keys.public_key(&ra.key_label).is_ok()
                    && ctx.keys.public_key(&enc_key_label).is_ok()
                {
                    eca = eca.with_successor_front(SuccessorFront {
                        certificate: ra.certificate.clone(),
                        key_label: ra.key_label.clone(),
                        enc_key_label,
                    });
                }
            }
            (
                scms_ca::eca::router(Arc::new(eca)),
                None,
                None,
                &["enrollment"],
            )
        }
        Role::Aca => {
            let a = ctx.authority("aca").await?;
            let aca = Aca::new(
                a.certificate.clone(),
                a.key_label.clone(),
                format!("{}-enc", a.key_label),
                ctx.profile("pseudonym")?,
                // The RA's certificate requests, the MA's HPCR requests.
                ctx.trust_of_peers(&["ra", "ma"]).await?,
            );
            let svc = Arc::new(AcaService::new(
                aca,
                ctx.keys.clone(),
                store.clone(),
                ctx.clock.clone(),
            ));
            // The LAs' keys: fetched from each LA until both are held.
            let held = Arc::new(AtomicU8::new(0));
            let las = [ctx.peer(Role::La1)?, ctx.peer(Role::La2)?];
            tasks.push(tokio::spawn(fetch_la_keys(svc.clone(), las, held.clone())));
            let gate = held.clone();
            let ready: super::layer::ReadyCheck = Arc::new(move || {
                let held = held.load(Ordering::SeqCst);
                Box::pin(async move {
                    match held {
                        3 => Ok(()),
                        h => Err(format!(
                            "waiting for the key of {}",
                            if h & 1 == 0 { "LA1" } else { "LA2" }
                        )),
                    }
                })
            });
            // Until both keys are held a request would fail to open its
            // pre-linkage values (400): 503, the RA sends it again.
            let router = scms_ca::aca_service::router(svc).route_layer(axum::middleware::from_fn(
                move |req: axum::extract::Request, next: axum::middleware::Next| {
                    let held = gate.load(Ordering::SeqCst);
                    async move {
                        if held == 3 {
                            next.run(req).await
                        } else {
                            text(
                                StatusCode::SERVICE_UNAVAILABLE,
                                "not ready: waiting for the LA keys",
                            )
                        }
                    }
                },
            ));
            (router, Some(ready), None, &["pseudonym"])
        }
        Role::La1 | Role::La2 => {
            let (id, name) = if role == Role::La1 {
                (LaId(1), "la1")
            } else {
                (LaId(2), "la2")
            };
            let a = ctx.authority(name).await?;
            let aca = ctx.authority("aca").await?;
            let now = scms_asn1::ieee1609dot2::time::unix_from_time32((ctx.clock)());
            let la = LaService::open(
                id,
                symm(ctx.family),
                ctx.keys.clone(),
                &format!("{}-seal", a.key_label),
                store.clone(),
                &aca.certificate,
                now,
            )
            .await
            .map_err(|e| format!("{name}: {e}"))?
            // The MA's seed requests: answered for an MA chaining to the root.
            .with_investigation(LaInvestigation {
                certificate: a.certificate.clone(),
                key_label: a.key_label.clone(),
                // The MA's requests are encrypted to the certificate's key.
                enc_key_label: format!("{}-enc", a.key_label),
                // The RA's PLV requests, the MA's seed requests.
                trust: ctx.trust_of_peers(&["ra", "ma"]).await?,
                iperiod_epoch_unix: ctx.iperiod_epoch()?,
                iperiod_secs: 7 * 86_400,
                clock: ctx.clock.clone(),
                hostname: name.to_string(),
            });
            (scms_la::service::router(Arc::new(la)), None, None, &[])
        }
        Role::Ra => {
            let (svc, worker) = ra_service(ctx).await?;
            if let Some(period) = worker {
                tasks.push(tokio::spawn(ra_worker(svc.clone(), period)));
            }
            let probe = svc.clone();
            let gauges: super::layer::GaugeProbe = Arc::new(move || {
                let s = probe.clone();
                Box::pin(async move {
                    let d = s.queue_depths().await;
                    [
                        ("pending", d.pending),
                        ("shuffle", d.queued),
                        ("in_flight", d.in_flight),
                    ]
                    .into_iter()
                    .map(|(q, n)| Gauge {
                        name: "scms_ra_queue_depth",
                        help: "Work the RA holds: requests not expanded, certificate requests in the shuffle, requests at the ACA.",
                        labels: vec![("queue", q.to_string())],
                        value: n as f64,
                    })
                    .collect()
                })
            });
            (scms_ra::service::router(svc), None, Some(gauges), &[])
        }
        Role::Crl => {
            let a = ctx.authority("crl").await?;
            let mut trust = TrustStore::new();
            trust
                .add_anchor(&ctx.authority("root").await?.certificate)
                .map_err(|e| format!("root: {e}"))?;
            trust
                .add_ca(&ctx.authority("ica").await?.certificate)
                .map_err(|e| format!("ica: {e}"))?;
            // Only the MA sends CRL entries.
            trust
                .allow_peer(&ctx.authority("ma").await?.certificate)
                .map_err(|e| format!("ma: {e}"))?;
            let svc = CrlService::open(
                CrlServiceConfig::new(a.certificate, a.key_label, trust, ctx.iperiod_epoch()?),
                ctx.keys.clone(),
                store.clone(),
                ctx.clock.clone(),
            )
            .await
            .map_err(|e| format!("crl: {e}"))?;
            // Devices ask for the current CRL before anything is revoked (a
            // fresh hierarchy publishes empty ones at once), and for a new
            // one before `nextCrl`: re-issued an hour (or a quarter of the
            // period) ahead, checked every minute.
            let svc = Arc::new(svc);
            let margin = (svc.config().next_crl_secs / 4).min(3600);
            svc.refresh_due(margin)
                .await
                .map_err(|e| format!("crl: first CRLs: {e}"))?;
            tasks.push(tokio::spawn(crl_refresher(svc.clone(), margin)));
            (scms_ca::crl_service::router(svc), None, None, &[])
        }
        Role::Ma => {
            let a = ctx.authority("ma").await?;
            // Reporters' pseudonym certificates chain through the ACA.
            // The answers of the ACA, the RA and the LAs; the CRLs.
            let mut trust = ctx
                .trust_of_peers(&["aca", "ra", "la1", "la2", "crl"])
                .await?;
            trust
                .add_ca(&ctx.authority("aca").await?.certificate)
                .map_err(|e| format!("aca: {e}"))?;
            let svc = MaService::open(
                MaConfig::new(
                    a.certificate,
                    a.key_label.clone(),
                    format!("{}-enc", a.key_label),
                    trust,
                    ctx.iperiod_epoch()?,
                ),
                ctx.keys.clone(),
                store.clone(),
                ctx.clock.clone(),
                MaPeers {
                    aca: ctx.peer(Role::Aca)?,
                    ra: ctx.peer(Role::Ra)?,
                    la1: ctx.peer(Role::La1)?,
                    la2: ctx.peer(Role::La2)?,
                    crl: ctx.peer(Role::Crl)?,
                    // The seed requests are encrypted to these.
                    la1_certificate: ctx.authority("la1").await?.certificate,
                    la2_certificate: ctx.authority("la2").await?.certificate,
                },
            )
            .await
            .map_err(|e| format!("ma: {e}"))?;
            let svc = Arc::new(svc);
            // Revocations a crash or a failing peer interrupted.
            tasks.push(tokio::spawn(ma_resumer(
                svc.clone(),
                Duration::from_secs(1),
            )));
            (scms_ma::router(svc), None, None, &[])
        }
    };
    Ok(Built {
        service: RoleService {
            role,
            router,
            store,
            ready,
            gauges,
            issues,
        },
        tasks,
    })
}

/// The RA's worker ([`RaService::step`] every `period`), its failures
/// logged: everything is persisted, the next step retries.
async fn ra_worker(svc: Arc<RaService>, period: Duration) {
    loop {
        match svc.step().await {
            Ok(r) if r.failed > 0 => {
                tracing::warn!(target: "scms::ra", failed = r.failed, stored = r.stored, "ACA answers refused or missing")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(target: "scms::ra", error = %e, "worker step failed"),
        }
        tokio::time::sleep(period).await;
    }
}

/// The MA's interrupted revocations, finished every `period`.
async fn ma_resumer(svc: Arc<MaService>, period: Duration) {
    loop {
        match svc.resume_revocations().await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(target: "scms::ma", revocations = n, "interrupted revocations finished")
            }
            Err(e) => tracing::warn!(target: "scms::ma", error = %e, "revocation not finished yet"),
        }
        tokio::time::sleep(period).await;
    }
}

async fn fetch_la_keys(svc: Arc<AcaService>, las: [String; 2], held: Arc<AtomicU8>) {
    loop {
        for (n, base) in las.iter().enumerate() {
            let bit = 1u8 << n;
            if held.load(Ordering::SeqCst) & bit != 0 {
                continue;
            }
            match scms_ra::http::call(base, "GET", "/v1/aca-key", &[], &[]).await {
                Ok(r) if r.status == 200 => match svc.accept_la_key(&r.body).await {
                    Ok(_) => {
                        held.fetch_or(bit, Ordering::SeqCst);
                        tracing::info!(target: "scms::aca", la = n + 1, "LA key accepted");
                    }
                    Err(e) => {
                        tracing::warn!(target: "scms::aca", la = n + 1, error = %e, "LA key refused")
                    }
                },
                Ok(r) => {
                    tracing::warn!(target: "scms::aca", la = n + 1, status = r.status, "LA key: HTTP error")
                }
                Err(e) => {
                    tracing::debug!(target: "scms::aca", la = n + 1, error = %e, "LA not reachable yet")
                }
            }
        }
        if held.load(Ordering::SeqCst) == 3 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The RA service and its worker period (when this node runs the worker).
pub async fn ra_service(ctx: &Context) -> Result<(Arc<RaService>, Option<Duration>), String> {
    let a = ctx.authority("ra").await?;
    let aca = ctx.authority("aca").await?;
    let mut config = RaConfig::new(ctx.iperiod_epoch()?);
    let s = &ctx.ra;
    if let Some(v) = s.shuffle_min_devices {
        config.shuffle.min_devices = v;
    }
    if let Some(v) = s.shuffle_max_wait_secs {
        config.shuffle.max_wait_secs = v;
    }
    if let Some(v) = s.download_delay_secs {
        config.download_delay_secs = v;
    }
    if let Some(v) = s.retry_secs {
        config.retry_secs = v;
    }
    if let Some(v) = s.certs_per_period {
        config.policy.certs_per_period = v;
    }
    let ra = Ra {
        certificate: a.certificate.clone(),
        key_label: a.key_label.clone(),
        enc_key_label: format!("{}-enc", a.key_label),
        aca_certificate: aca.certificate.clone(),
        // Devices chain through the ECA; of the authorities only the MA
        // sends the RA requests (LCI, blacklist).
        trust: ctx.trust_of_peers(&["ma"]).await?,
        config,
    };
    let peers = Peers {
        la1: ctx.peer(Role::La1)?,
        la2: ctx.peer(Role::La2)?,
        aca: ctx.peer(Role::Aca)?,
    };
    let svc = RaService::open(
        ra,
        ctx.keys.clone(),
        RaStore::new(ctx.store.clone()),
        ctx.clock.clone(),
        peers,
    )
    .await
    .map_err(|e| format!("ra: {e}"))?
    .with_shared_database(s.shared_database);
    Ok((Arc::new(svc), s.worker.then_some(s.worker_period)))
}

struct RootState {
    store: Store,
    certificate: Vec<u8>,
}

async fn root_router(ctx: &Context) -> Result<Router, String> {
    let root = ctx.authority("root").await?;
    let st = Arc::new(RootState {
        store: ctx.store.clone(),
        certificate: root.certificate,
    });
    Ok(Router::new()
        .route("/v3/ctl", get(root_ctl))
        .route("/v3/root-ca-certificate", get(root_certificate))
        .with_state(st))
}

async fn root_ctl(State(s): State<Arc<RootState>>) -> Response {
    match s.store.latest_ctl().await {
        Ok(Some(c)) => octets(c.spdu),
        Ok(None) => text(StatusCode::SERVICE_UNAVAILABLE, "no CTL in the database"),
        Err(e) if e.is_unavailable() => text(StatusCode::SERVICE_UNAVAILABLE, format!("{e}")),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")),
    }
}

async fn root_certificate(State(s): State<Arc<RootState>>) -> Response {
    octets(s.certificate.clone())
}

/// The profiles directory of a data directory, when it has one.
pub fn profiles_dir(data_dir: &Path) -> Option<std::path::PathBuf> {
    let p = data_dir.join("profiles");
    p.is_dir().then_some(p)
}

/// Re-issues the CRLs that are due ([`CrlService::refresh_due`]) every minute.
async fn crl_refresher(svc: Arc<CrlService>, margin_secs: u32) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match svc.refresh_due(margin_secs).await {
            Ok(issued) => {
                for c in issued {
                    tracing::info!(target: "scms::crl", series = c.header.series, next_crl = c.header.next_crl, "CRL issued");
                }
            }
            Err(e) => {
                tracing::warn!(target: "scms::crl", error = %e, "CRL refresh failed; retrying in a minute")
            }
        }
    }
}
