//! `scms bench load`: simulated devices against running services. Each
//! worker thread plays one new device after another, with the device code of
//! [`crate::vehicle`]: enroll with the ECA, ask the RA for pseudonyms
//! (`POST /v3/authorization-certificate`), download every i-period
//! (`GET /v3/authorization-certificate`, polled while the RA answers 503) and
//! fetch the CRL (`GET /v3/crl`). Every RA exchange opens a new connection
//! (as vehicles do, hours apart), so a load balancer spreads them.
//!
//! Either at URLs (`--eca`, `--ra` repeated for several RA nodes, taken in
//! turn, `--crl`), or `--ra-processes N`: the services are started here from
//! `DIR/scms.toml` as `scms serve` processes, one for root, ECA, LAs, MA and
//! CRL, and N with the RA and the ACA, each group behind a round-robin proxy
//! ([`super::proxy`]) on one address; the RA worker runs in the first RA
//! process only. On SQLite (one node) a single process runs every role.
//! See docs/performance.md ("Load").

use std::cell::RefCell;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use clap::Args;
use scms_ca::eca::system_now;
use scms_ca::profile::Family;
use scms_crypto::suite::SecretKey;
use scms_hsm::MemoryKeyStore;
use scms_sdk::http::{EcaClient, HttpError, RaClient};
use scms_sdk::provision::RequestParams;

use super::proxy::{self, Backends};
use crate::serve::config::{Config, Role};
use crate::vehicle::{self, RaTransport};

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// The data directory of `scms init` (its certs/ give the devices their
    /// trust, the RA and the ACA certificates; with --ra-processes, its
    /// scms.toml configures the services started).
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// The ECA's base URL (running services).
    #[arg(long, value_name = "URL")]
    pub eca: Option<String>,
    /// An RA base URL (repeat for several RA nodes: requests go to each in turn).
    #[arg(long = "ra", value_name = "URL")]
    pub ra: Vec<String>,
    /// The CRL generator's base URL.
    #[arg(long, value_name = "URL")]
    pub crl: Option<String>,
    /// Start the services here with N RA+ACA processes behind one address
    /// (instead of --eca/--ra/--crl; on SQLite: one process, every role).
    #[arg(long, value_name = "N")]
    pub ra_processes: Option<usize>,
    /// How long to start new devices.
    #[arg(long, default_value_t = 60.0)]
    pub seconds: f64,
    /// Devices under way at once (one thread each).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Stop after this many devices (then --seconds is only an upper bound).
    #[arg(long, value_name = "N")]
    pub devices: Option<usize>,
    /// Hours of pseudonyms each device asks for (168 per i-period).
    #[arg(long, default_value_t = 168)]
    pub hours: u16,
    /// CRL downloads per device.
    #[arg(long, default_value_t = 1)]
    pub crl_per_device: u32,
    /// Longest wait for a batch (seconds) before the download counts as an error.
    #[arg(long, default_value_t = 120)]
    pub download_wait: u64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Timeout of each HTTP exchange.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Longest pause between two download attempts.
const POLL: Duration = Duration::from_millis(250);
const LABEL: &str = "enrollment";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Enroll,
    Provision,
    Download,
    Crl,
}

const KINDS: [Kind; 4] = [Kind::Provision, Kind::Download, Kind::Crl, Kind::Enroll];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Enroll => "enroll",
            Kind::Provision => "provision",
            Kind::Download => "download",
            Kind::Crl => "crl",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// 503 (download not ready) or 404 (no CRL issued yet): an answer, not an error.
    Waiting,
    Error,
}

#[derive(Clone, Copy)]
struct Sample {
    /// Seconds since the start when the answer came.
    at: f64,
    ms: f64,
    outcome: Outcome,
}

#[derive(Default)]
struct Stats {
    samples: [Vec<Sample>; 4],
    /// The first error messages.
    messages: Vec<String>,
    /// Failures that were not an HTTP error (an answer the device refused).
    other_errors: u64,
    devices: u64,
    certificates: u64,
    /// Seconds from the RA's ack to the last i-period downloaded, per device.
    ready_s: Vec<f64>,
    /// An HTTP error happened during the current device.
    http_error_now: bool,
}

impl Stats {
    fn record(&mut self, kind: Kind, start: Instant, t0: Instant, outcome: Outcome) {
        let now = Instant::now();
        self.samples[kind.index()].push(Sample {
            at: now.duration_since(start).as_secs_f64(),
            ms: now.duration_since(t0).as_secs_f64() * 1e3,
            outcome,
        });
        if outcome == Outcome::Error {
            self.http_error_now = true;
        }
    }
    fn message(&mut self, m: String) {
        if self.messages.len() < 10 {
            self.messages.push(m);
        }
    }
    fn merge(&mut self, o: Stats) {
        for (a, b) in self.samples.iter_mut().zip(o.samples) {
            a.extend(b);
        }
        for m in o.messages {
            self.message(m);
        }
        self.other_errors += o.other_errors;
        self.devices += o.devices;
        self.certificates += o.certificates;
        self.ready_s.extend(o.ready_s);
    }
}

/// What every worker shares.
struct Plan {
    family: Family,
    eca: String,
    ras: Vec<String>,
    crl: String,
    ra_certificate: Vec<u8>,
    aca_certificate: Vec<u8>,
    anchors: Vec<Vec<u8>>,
    start: Instant,
    deadline: Instant,
    devices: Option<usize>,
    started: AtomicUsize,
    next_ra: AtomicUsize,
    hours: u16,
    crl_per_device: u32,
    download_wait: Duration,
}

/// The RA as the devices reach it here: a new connection per exchange, the
/// RA URLs in turn, every exchange timed.
struct TimedRa<'a> {
    plan: &'a Plan,
    stats: &'a RefCell<Stats>,
}

impl TimedRa<'_> {
    fn exchange(
        &self,
        kind: Kind,
        f: impl FnOnce(&RaClient) -> Result<Vec<u8>, HttpError>,
    ) -> Result<Vec<u8>, HttpError> {
        let n = self.plan.next_ra.fetch_add(1, Ordering::Relaxed) % self.plan.ras.len();
        let client = RaClient::with_timeout(&self.plan.ras[n], TIMEOUT);
        let t0 = Instant::now();
        let r = f(&client);
        let outcome = match &r {
            Ok(_) => Outcome::Ok,
            Err(HttpError::NotReady { .. }) if kind == Kind::Download => Outcome::Waiting,
            Err(_) => Outcome::Error,
        };
        let mut s = self.stats.borrow_mut();
        s.record(kind, self.plan.start, t0, outcome);
        if let (Outcome::Error, Err(e)) = (outcome, &r) {
            s.message(format!("{}: {e}", kind.name()));
        }
        r
    }
}

impl RaTransport for TimedRa<'_> {
    fn provision(&self, request: &[u8]) -> Result<Vec<u8>, HttpError> {
        self.exchange(Kind::Provision, |c| c.provision(request))
    }
    fn download(&self, request: &[u8]) -> Result<Vec<u8>, HttpError> {
        self.exchange(Kind::Download, |c| c.download(request))
    }
}

/// One device from enrollment to its CRL.
fn one_device(
    plan: &Plan,
    stats: &RefCell<Stats>,
    eca: &EcaClient,
    rt: &tokio::runtime::Runtime,
) -> Result<(), String> {
    let keys = MemoryKeyStore::new();
    let key = SecretKey::generate(
        vehicle::curve(plan.family),
        &mut scms_crypto::suite::os_rng(),
    )
    .map_err(|e| e.to_string())?;
    keys.insert(LABEL, key).map_err(|e| e.to_string())?;
    let mut trust = vehicle::bootstrap_trust(eca, &[], &plan.anchors)?;
    let t0 = Instant::now();
    let enrolled = vehicle::enroll(plan.family, eca, &mut trust, &keys, LABEL, system_now());
    stats.borrow_mut().record(
        Kind::Enroll,
        plan.start,
        t0,
        if enrolled.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Error
        },
    );
    let enrollment = enrolled?;
    let ra = TimedRa { plan, stats };
    let now = system_now();
    let params = RequestParams {
        psids: vec![crate::demo::fleet::BSM_PSID],
        start: now,
        hours: plan.hours,
        explicit: false,
    };
    let p = vehicle::request_pseudonyms(
        plan.family,
        &ra,
        &plan.ra_certificate,
        &keys,
        LABEL,
        &enrollment,
        &params,
        now,
    )?;
    let asked = Instant::now();
    let mut got = 0u64;
    for i in p.first_i..p.first_i + p.i_count {
        let pseudonyms = vehicle::download(
            &p,
            &ra,
            &plan.ra_certificate,
            &plan.aca_certificate,
            &keys,
            LABEL,
            &enrollment,
            i,
            system_now,
            plan.download_wait,
            POLL,
        )?;
        if pseudonyms.is_empty() {
            return Err(format!("i-period {i}: an empty batch"));
        }
        got += pseudonyms.len() as u64;
    }
    {
        let mut s = stats.borrow_mut();
        s.devices += 1;
        s.certificates += got;
        s.ready_s.push(asked.elapsed().as_secs_f64());
    }
    for _ in 0..plan.crl_per_device {
        let t0 = Instant::now();
        let r = rt.block_on(scms_ra::http::call(&plan.crl, "GET", "/v3/crl", &[], &[]));
        let outcome = match &r {
            Ok(a) if a.status == 200 => Outcome::Ok,
            Ok(a) if a.status == 404 => Outcome::Waiting,
            _ => Outcome::Error,
        };
        let mut s = stats.borrow_mut();
        s.record(Kind::Crl, plan.start, t0, outcome);
        match r {
            Ok(a) if outcome == Outcome::Error => {
                s.message(format!("crl: HTTP {}: {}", a.status, a.text()))
            }
            Err(e) => s.message(format!("crl: {e}")),
            _ => {}
        }
    }
    Ok(())
}

fn worker(plan: &Plan) -> Stats {
    let stats = RefCell::new(Stats::default());
    let eca = EcaClient::with_timeout(&plan.eca, TIMEOUT);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let mut s = stats.into_inner();
            s.other_errors += 1;
            s.message(format!("runtime: {e}"));
            return s;
        }
    };
    loop {
        if Instant::now() >= plan.deadline {
            break;
        }
        if let Some(n) = plan.devices {
            if plan.started.fetch_add(1, Ordering::Relaxed) >= n {
                break;
            }
        }
        stats.borrow_mut().http_error_now = false;
        if let Err(e) = one_device(plan, &stats, &eca, &rt) {
            let mut s = stats.borrow_mut();
            if !s.http_error_now {
                s.other_errors += 1;
                s.message(format!("device: {e}"));
            }
        }
    }
    stats.into_inner()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

/// One kind's figures over the measured window.
struct KindReport {
    kind: Kind,
    requests: usize,
    per_s: f64,
    ok: usize,
    waiting: usize,
    errors: usize,
    p50_ms: f64,
    p99_ms: f64,
}

struct Report {
    window_s: f64,
    drain_s: f64,
    concurrency: usize,
    ra_processes: Option<usize>,
    kinds: Vec<KindReport>,
    errors: u64,
    devices: u64,
    certificates: u64,
    ready_p50_s: f64,
    ready_p99_s: f64,
    messages: Vec<String>,
    ra_connections: Vec<u64>,
    aca_connections: Vec<u64>,
    logs: Option<PathBuf>,
}

fn report(stats: &Stats, window_s: f64, drain_s: f64, args: &LoadArgs) -> Report {
    let mut kinds = Vec::new();
    let mut errors = stats.other_errors;
    for kind in KINDS {
        let all = &stats.samples[kind.index()];
        // Errors count whenever they happen; rates and latencies over the window.
        let errs_all = all.iter().filter(|s| s.outcome == Outcome::Error).count();
        errors += errs_all as u64;
        let inside: Vec<&Sample> = all.iter().filter(|s| s.at <= window_s).collect();
        let mut ms: Vec<f64> = inside.iter().map(|s| s.ms).collect();
        ms.sort_by(f64::total_cmp);
        kinds.push(KindReport {
            kind,
            requests: inside.len(),
            per_s: inside.len() as f64 / window_s.max(1e-9),
            ok: inside.iter().filter(|s| s.outcome == Outcome::Ok).count(),
            waiting: inside
                .iter()
                .filter(|s| s.outcome == Outcome::Waiting)
                .count(),
            errors: errs_all,
            p50_ms: percentile(&ms, 0.5),
            p99_ms: percentile(&ms, 0.99),
        });
    }
    let mut ready = stats.ready_s.clone();
    ready.sort_by(f64::total_cmp);
    Report {
        window_s,
        drain_s,
        concurrency: args.concurrency,
        ra_processes: args.ra_processes,
        kinds,
        errors,
        devices: stats.devices,
        certificates: stats.certificates,
        ready_p50_s: percentile(&ready, 0.5),
        ready_p99_s: percentile(&ready, 0.99),
        messages: stats.messages.clone(),
        ra_connections: Vec::new(),
        aca_connections: Vec::new(),
        logs: None,
    }
}

impl Report {
    fn to_json(&self) -> serde_json::Value {
        let kinds: serde_json::Map<String, serde_json::Value> = self
            .kinds
            .iter()
            .map(|k| {
                (
                    k.kind.name().to_string(),
                    serde_json::json!({
                        "requests": k.requests,
                        "per_s": k.per_s,
                        "ok": k.ok,
                        "waiting": k.waiting,
                        "errors": k.errors,
                        "p50_ms": k.p50_ms,
                        "p99_ms": k.p99_ms,
                    }),
                )
            })
            .collect();
        serde_json::json!({
            "seconds": self.window_s,
            "drain_seconds": self.drain_s,
            "concurrency": self.concurrency,
            "ra_processes": self.ra_processes,
            "kinds": kinds,
            "errors": self.errors,
            "error_messages": self.messages,
            "devices": self.devices,
            "certificates": self.certificates,
            "ready_p50_s": self.ready_p50_s,
            "ready_p99_s": self.ready_p99_s,
            "ra_connections": self.ra_connections,
            "aca_connections": self.aca_connections,
            "logs": self.logs.as_ref().map(|p| p.display().to_string()),
        })
    }

    fn to_table(&self) -> String {
        let mut out = format!(
            "{:.0} s measured ({:.1} s to finish the devices under way), {} devices at once{}\n\n",
            self.window_s,
            self.drain_s,
            self.concurrency,
            self.ra_processes
                .map(|n| format!(", {n} RA+ACA process(es)"))
                .unwrap_or_default()
        );
        out.push_str(&format!(
            "{:<10} {:>9} {:>9} {:>9} {:>9} {:>7} {:>9} {:>9}\n",
            "kind", "requests", "per s", "ok", "waiting", "errors", "p50 ms", "p99 ms"
        ));
        for k in &self.kinds {
            out.push_str(&format!(
                "{:<10} {:>9} {:>9.1} {:>9} {:>9} {:>7} {:>9.1} {:>9.1}\n",
                k.kind.name(),
                k.requests,
                k.per_s,
                k.ok,
                k.waiting,
                k.errors,
                k.p50_ms,
                k.p99_ms
            ));
        }
        out.push_str(&format!(
            "\ndevices provisioned: {} ({} certificates); ack to certificates: p50 {:.2} s, p99 {:.2} s\nerrors: {}\n",
            self.devices, self.certificates, self.ready_p50_s, self.ready_p99_s, self.errors
        ));
        for m in &self.messages {
            out.push_str(&format!("  {m}\n"));
        }
        if !self.ra_connections.is_empty() {
            out.push_str(&format!(
                "connections per RA process: {:?}, per ACA process: {:?}\n",
                self.ra_connections, self.aca_connections
            ));
        }
        if let Some(l) = &self.logs {
            out.push_str(&format!("service logs: {}\n", l.display()));
        }
        out
    }
}

/// The services started by `--ra-processes`: stopped (SIGTERM) when dropped.
struct Cluster {
    children: Vec<(String, Child)>,
    rt: tokio::runtime::Runtime,
    ra: Arc<Backends>,
    aca: Arc<Backends>,
    eca_url: String,
    ra_url: String,
    crl_url: String,
    logs: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for (_, c) in self.children.iter_mut().rev() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
        }
        for (_, c) in self.children.iter_mut().rev() {
            let t0 = Instant::now();
            while t0.elapsed() < Duration::from_secs(15) {
                if matches!(c.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

const ROLE_ENV: [Role; 8] = Role::ALL;

/// Starts `scms serve` with `roles` and `env`; the `ROLE URL` lines it prints.
fn spawn_serve(
    cluster: &mut Cluster,
    dir: &Path,
    name: &str,
    roles: &[Role],
    env: &[(String, String)],
) -> Result<Vec<(String, String)>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("scms executable: {e}"))?;
    let log_path = cluster.logs.join(format!("{name}.log"));
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let mut cmd = Command::new(exe);
    cmd.arg("serve")
        .arg("--config")
        .arg(dir.join("scms.toml"))
        .arg("--data-dir")
        .arg(dir);
    for r in roles {
        cmd.args(["--role", r.as_str()]);
    }
    // Every role on a free port unless told: no clash with other processes.
    for r in ROLE_ENV {
        cmd.env(
            format!("SCMS_LISTEN_{}", r.as_str().to_ascii_uppercase()),
            "127.0.0.1:0",
        );
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(|e| format!("scms serve: {e}"))?;
    let stdout = child.stdout.take();
    cluster.children.push((name.to_string(), child));
    let stdout = stdout.ok_or("scms serve: no stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut urls = Vec::new();
    while urls.len() < roles.len() {
        let line = rx.recv_timeout(Duration::from_secs(60)).map_err(|_| {
            format!(
                "{name}: scms serve did not start (see {})",
                log_path.display()
            )
        })?;
        if let Some((r, u)) = line.split_once(' ') {
            urls.push((r.to_string(), u.to_string()));
        }
    }
    Ok(urls)
}

fn url_of(urls: &[(String, String)], role: Role) -> Result<&str, String> {
    urls.iter()
        .find(|(r, _)| r == role.as_str())
        .map(|(_, u)| u.as_str())
        .ok_or_else(|| format!("{} not started", role.as_str()))
}

fn start_cluster(dir: &Path, n: usize) -> Result<Cluster, String> {
    let cfg = Config::load(&dir.join("scms.toml"), Some(dir))?;
    if n == 0 {
        return Err("--ra-processes must be at least 1".into());
    }
    let sqlite = cfg.database_url.starts_with("sqlite:");
    if n > 1 && sqlite {
        return Err(
            "several RA processes need a shared database (PostgreSQL); SQLite is one node".into(),
        );
    }
    if cfg.ra.download_delay_secs.unwrap_or(3600) > 60 {
        eprintln!(
            "scms bench load: warning: [ra] download_delay_secs is over a minute: downloads wait for it (see docs/performance.md)"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let (ra_l, aca_l) = rt
        .block_on(async {
            let a = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let b = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            Ok::<_, std::io::Error>((a, b))
        })
        .map_err(|e| format!("proxy: {e}"))?;
    let ra_url = format!("http://{}", ra_l.local_addr().map_err(|e| e.to_string())?);
    let aca_url = format!("http://{}", aca_l.local_addr().map_err(|e| e.to_string())?);
    let ra = Arc::new(Backends::default());
    let aca = Arc::new(Backends::default());
    rt.spawn(proxy::serve(ra_l, ra.clone()));
    rt.spawn(proxy::serve(aca_l, aca.clone()));
    let logs = dir.join("bench-load");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let mut cluster = Cluster {
        children: Vec::new(),
        rt,
        ra,
        aca,
        eca_url: String::new(),
        ra_url: ra_url.clone(),
        crl_url: String::new(),
        logs,
    };
    // SQLite is one node: every role in one process (as operators run it),
    // its RA and ACA still behind the proxies.
    let core_roles: &[Role] = if sqlite {
        &Role::ALL
    } else {
        &[
            Role::Root,
            Role::Eca,
            Role::La1,
            Role::La2,
            Role::Ma,
            Role::Crl,
        ]
    };
    let core = spawn_serve(
        &mut cluster,
        dir,
        if sqlite { "all" } else { "core" },
        core_roles,
        &[
            ("SCMS_PEER_RA".into(), ra_url.clone()),
            ("SCMS_PEER_ACA".into(), aca_url.clone()),
        ],
    )?;
    cluster.eca_url = url_of(&core, Role::Eca)?.to_string();
    cluster.crl_url = url_of(&core, Role::Crl)?.to_string();
    let mut ready = vec![cluster.eca_url.clone()];
    if sqlite {
        for (role, b) in [(Role::Ra, &cluster.ra), (Role::Aca, &cluster.aca)] {
            let u = url_of(&core, role)?;
            b.add(proxy::socket_of(u)?);
            ready.push(u.to_string());
        }
    }
    let separate = if sqlite { 0 } else { n };
    for k in 0..separate {
        let env = [
            (
                "SCMS_PEER_LA1".into(),
                url_of(&core, Role::La1)?.to_string(),
            ),
            (
                "SCMS_PEER_LA2".into(),
                url_of(&core, Role::La2)?.to_string(),
            ),
            ("SCMS_PEER_CRL".into(), cluster.crl_url.clone()),
            ("SCMS_PEER_MA".into(), url_of(&core, Role::Ma)?.to_string()),
            // The RA worker sends to every ACA through the proxy.
            ("SCMS_PEER_ACA".into(), aca_url.clone()),
            ("SCMS_RA_WORKER".into(), (k == 0).to_string()),
        ];
        let urls = spawn_serve(
            &mut cluster,
            dir,
            &format!("ra-aca-{}", k + 1),
            &[Role::Aca, Role::Ra],
            &env,
        )?;
        for role in [Role::Ra, Role::Aca] {
            let u = url_of(&urls, role)?;
            let b = if role == Role::Ra {
                &cluster.ra
            } else {
                &cluster.aca
            };
            b.add(proxy::socket_of(u)?);
            ready.push(u.to_string());
        }
    }
    for u in &ready {
        wait_ready(&cluster.rt, u)?;
    }
    Ok(cluster)
}

fn wait_ready(rt: &tokio::runtime::Runtime, base: &str) -> Result<(), String> {
    let t0 = Instant::now();
    loop {
        let r = rt.block_on(scms_ra::http::call(base, "GET", "/readyz", &[], &[]));
        match r {
            Ok(a) if a.status == 200 => return Ok(()),
            r if t0.elapsed() > Duration::from_secs(60) => {
                let why = match r {
                    Ok(a) => a.text(),
                    Err(e) => e.to_string(),
                };
                return Err(format!("{base} not ready after 60 s: {why}"));
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs the load; the report (table or JSON) and the number of errors.
pub fn run(args: LoadArgs) -> Result<(String, u64), String> {
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        return Err("--seconds must be a positive number".into());
    }
    if args.concurrency == 0 {
        return Err("--concurrency must be at least 1".into());
    }
    let cfg = Config::load(&args.data_dir.join("scms.toml"), Some(&args.data_dir))?;
    let certs = args.data_dir.join("certs");
    let (_, anchors) = crate::device::trust_files(&certs)?;
    let cluster = match args.ra_processes {
        Some(n) => {
            if args.eca.is_some() || !args.ra.is_empty() || args.crl.is_some() {
                return Err("give either --ra-processes or --eca/--ra/--crl".into());
            }
            Some(start_cluster(&args.data_dir, n)?)
        }
        None => None,
    };
    let (eca, ras, crl) = match &cluster {
        Some(c) => (c.eca_url.clone(), vec![c.ra_url.clone()], c.crl_url.clone()),
        None => match (&args.eca, &args.crl) {
            (Some(e), Some(c)) if !args.ra.is_empty() => (e.clone(), args.ra.clone(), c.clone()),
            _ => return Err("--eca, --ra and --crl are needed (or --ra-processes)".into()),
        },
    };
    let start = Instant::now();
    let plan = Plan {
        family: cfg.family,
        eca,
        ras,
        crl,
        ra_certificate: read(&certs.join("ra.oer"))?,
        aca_certificate: read(&certs.join("aca.oer"))?,
        anchors,
        start,
        deadline: start + Duration::from_secs_f64(args.seconds),
        devices: args.devices,
        started: AtomicUsize::new(0),
        next_ra: AtomicUsize::new(0),
        hours: args.hours,
        crl_per_device: args.crl_per_device,
        download_wait: Duration::from_secs(args.download_wait),
    };
    let mut stats = Stats::default();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..args.concurrency)
            .map(|_| s.spawn(|| worker(&plan)))
            .collect();
        for h in handles {
            match h.join() {
                Ok(st) => stats.merge(st),
                Err(_) => {
                    stats.other_errors += 1;
                    stats.message("a worker thread panicked".into());
                }
            }
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    // With --devices the run may end before --seconds.
    let window = elapsed.min(args.seconds);
    let mut r = report(&stats, window, (elapsed - window).max(0.0), &args);
    if let Some(c) = &cluster {
        r.ra_connections = c.ra.counts();
        r.aca_connections = c.aca.counts();
        r.logs = Some(c.logs.clone());
    }
    drop(cluster);
    let text = if args.json {
        r.to_json().to_string()
    } else {
        r.to_table()
    };
    Ok((text, r.errors))
}
