//! The harness of the crash and database-fault tests: a data directory whose
//! roles listen on fixed ports (so a restarted process comes back where its
//! peers call it), `scms serve` processes killed with SIGKILL at random
//! moments and restarted, devices that enroll and provision over HTTP as a
//! real device does (the same request bytes again when no answer came), and
//! the consistency checks run on the database afterwards.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scms_asn1::ieee1609dot2::time::{time32_from_unix, time64_from_unix_micros};
use scms_asn1::ieee1609dot2::Certificate;
use scms_ca::profile::Family;
use scms_ca::store::Store;
use scms_crypto::suite::Curve;
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_sdk::http::{EcaClient, HttpError, RaClient};
use scms_sdk::provision::{Pseudonym, RequestParams};
use sqlx::Row;

use crate::serve_support::{free_port, init, s, try_http, Server, PASS};
use crate::vehicle;

/// Every role, as `scms serve --role` names them.
pub const ROLES: [&str; 8] = ["root", "eca", "aca", "ra", "la1", "la2", "ma", "crl"];

/// Pseudonym certificates per device (the RA's `certs_per_period`): small,
/// so that many devices go through in the test's time.
pub const J: u32 = 4;

/// One heavy test at a time: each starts several `scms serve` processes on
/// a 2-core machine, and the figures are durations.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// A small random generator (xorshift64*), seeded from the clock; the seed
/// is printed so that a failing run can be looked at again.
pub struct Rng(u64);

impl Rng {
    pub fn new(label: &str) -> Rng {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            | 1;
        println!("{label}: random seed {seed}");
        Rng(seed)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }

    /// A duration between `lo` and `hi` milliseconds.
    pub fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(lo + self.below(hi - lo + 1))
    }
}

/// A data directory (`scms init`) with every role on a fixed loopback port.
pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub ports: BTreeMap<&'static str, u16>,
    /// The database `scms serve` uses.
    pub database_url: String,
}

impl Cluster {
    /// `scms init` on SQLite.
    pub fn sqlite() -> Cluster {
        Cluster::new(&[], None)
    }

    /// `scms init --database-url URL`.
    pub fn postgres(url: &str) -> Cluster {
        Cluster::new(&["--database-url", url], Some(url))
    }

    fn new(args: &[&str], url: Option<&str>) -> Cluster {
        let mut ports = BTreeMap::new();
        // Request lines at info would be most of the log: warnings only.
        let mut toml = String::from("[serve]\nlog = \"warn\"\n[serve.listen]\n");
        for role in ROLES {
            let p = free_port();
            ports.insert(role, p);
            toml.push_str(&format!("{role} = \"127.0.0.1:{p}\"\n"));
        }
        // The RA releases at once and lets devices download at once.
        toml.push_str(&format!(
            "[ra]\nworker_period_ms = 50\nshuffle_min_devices = 1\nshuffle_max_wait_secs = 0\n\
             download_delay_secs = 0\nretry_secs = 1\ncerts_per_period = {J}\n"
        ));
        let dir = init(args, &toml);
        let database_url = match url {
            Some(u) => u.to_string(),
            None => format!("sqlite://{}?mode=rw", dir.path().join("scms.db").display()),
        };
        Cluster {
            dir,
            ports,
            database_url,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn url(&self, role: &str) -> String {
        format!("http://127.0.0.1:{}", self.ports[role])
    }

    fn log(&self) -> PathBuf {
        self.path().join("serve.log")
    }

    /// The last lines the servers logged (for failure messages).
    pub fn log_tail(&self) -> String {
        let t = std::fs::read_to_string(self.log()).unwrap_or_default();
        let lines: Vec<&str> = t.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// `scms serve --role R...`, its stderr appended to DIR/serve.log.
    pub fn serve(&self, roles: &[&str]) -> Server {
        self.serve_with_env(roles, &[])
    }

    /// [`Cluster::serve`] with `SCMS_*` variables (listen addresses, peers...).
    pub fn serve_with_env(&self, roles: &[&str], env: &[(&str, &str)]) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log())
            .expect("serve.log");
        let mut args = Vec::new();
        for r in roles {
            args.extend(["--role", r]);
        }
        Server::try_start_with_env(self.path(), &args, roles.len(), Stdio::from(log), env)
            .unwrap_or_else(|e| panic!("{e}\n{}", self.log_tail()))
    }

    /// Waits until `role` answers `/readyz` with 200; how long it took.
    pub fn ready(&self, role: &str, within: Duration) -> Duration {
        let t0 = Instant::now();
        loop {
            if let Ok((200, _, _)) = try_http(&self.url(role), "GET", "/readyz", b"") {
                return t0.elapsed();
            }
            assert!(
                t0.elapsed() < within,
                "{role} not ready within {within:?}\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The servers' log holds no PostgreSQL notice that a transaction was
    /// begun inside another or ended outside one: what sqlx leaves behind
    /// when a request's future is dropped in the middle of its database work
    /// (a connection back in the pool inside a transaction nobody ends).
    pub fn assert_no_stray_transactions(&self) {
        let log = std::fs::read_to_string(self.log()).unwrap_or_default();
        let stray: Vec<&str> = log
            .lines()
            .filter(|l| {
                l.contains("there is already a transaction in progress")
                    || l.contains("there is no transaction in progress")
            })
            .collect();
        assert!(stray.is_empty(), "{}", stray.join("\n"));
    }

    /// An authority certificate `scms init` exported.
    pub fn cert(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path().join("certs").join(format!("{name}.oer"))).expect("certificate")
    }

    /// The elector certificates (a device's trust before enrollment).
    pub fn electors(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(self.path().join("certs"))
            .expect("certs")
            .flatten()
        {
            let n = e.file_name().to_string_lossy().to_string();
            if n.starts_with("elector") && n.ends_with(".oer") {
                out.push(std::fs::read(e.path()).expect("elector"));
            }
        }
        assert!(!out.is_empty(), "scms init exports elector certificates");
        out
    }

    /// `scms audit verify` on the cluster's database: its output, exit 0 required.
    pub fn audit_verify(&self) -> String {
        let mut c = Command::new(env!("CARGO_BIN_EXE_scms"));
        c.args(["audit", "verify", "--data-dir", s(self.path())]);
        if !self.database_url.starts_with("sqlite:") {
            c.args(["--database-url", &self.database_url]);
        }
        let o = c.env(PASS.0, PASS.1).output().expect("scms audit verify");
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        out.trim().to_string()
    }
}

/// A role's process, killed with SIGKILL after a random time of serving and
/// restarted at once, `kills` times; afterwards the last one keeps running.
pub struct Killer {
    pub kills: usize,
    /// Time from the kill until the new process printed its address.
    pub restart: Vec<Duration>,
    pub server: Server,
}

impl Killer {
    /// `up` is the serving time before each kill (random in the range, ms).
    pub fn run(
        c: &Cluster,
        roles: &[&str],
        kills: usize,
        up: (u64, u64),
        rng: &mut Rng,
        stop: &AtomicBool,
    ) -> Killer {
        let mut server = c.serve(roles);
        let mut restart = Vec::with_capacity(kills);
        let mut n = 0;
        while n < kills && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(rng.millis(up.0, up.1));
            server.kill();
            n += 1;
            let t = Instant::now();
            server = c.serve(roles);
            restart.push(t.elapsed());
        }
        Killer {
            kills: n,
            restart,
            server,
        }
    }
}

/// `scms bench proxy`: a round-robin TCP proxy on a fixed loopback port in
/// front of `backends` (loopback ports), as a load balancer stands in front
/// of several processes; stopped when dropped.
pub struct Proxy {
    child: Child,
}

impl Proxy {
    pub fn start(port: u16, backends: &[u16]) -> Proxy {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_scms"));
        cmd.args(["bench", "proxy", "--listen", &format!("127.0.0.1:{port}")]);
        for b in backends {
            cmd.args(["--backend", &format!("http://127.0.0.1:{b}")]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("scms bench proxy");
        let mut line = String::new();
        let out = child.stdout.take().expect("stdout");
        BufReader::new(out)
            .read_line(&mut line)
            .expect("the proxy prints its address");
        assert_eq!(
            line.trim(),
            format!("proxy http://127.0.0.1:{port}"),
            "scms bench proxy"
        );
        Proxy { child }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Several RA+ACA `scms serve` processes ("nodes") on the cluster's one
/// (PostgreSQL) database, each on ports of its own, behind two round-robin
/// proxies ([`Proxy`]) that listen at the cluster's RA and ACA addresses:
/// devices, the other roles and the RA worker (node 0 only, as
/// docs/operator.md says to run it) reach whichever node is up.
pub struct Nodes<'c> {
    c: &'c Cluster,
    /// (RA port, ACA port) of each node.
    ports: Vec<(u16, u16)>,
    /// Each node's process; the lock is held while it is killed and restarted.
    servers: Vec<Mutex<Option<Server>>>,
    _proxies: [Proxy; 2],
}

impl<'c> Nodes<'c> {
    pub fn start(c: &'c Cluster, n: usize) -> Nodes<'c> {
        let ports: Vec<(u16, u16)> = (0..n).map(|_| (free_port(), free_port())).collect();
        let ra: Vec<u16> = ports.iter().map(|p| p.0).collect();
        let aca: Vec<u16> = ports.iter().map(|p| p.1).collect();
        let proxies = [
            Proxy::start(c.ports["ra"], &ra),
            Proxy::start(c.ports["aca"], &aca),
        ];
        let mut nodes = Nodes {
            c,
            ports,
            servers: Vec::new(),
            _proxies: proxies,
        };
        nodes.servers = (0..n).map(|k| Mutex::new(Some(nodes.serve(k)))).collect();
        nodes
    }

    pub fn len(&self) -> usize {
        self.ports.len()
    }

    /// Node `k`'s own address of `role` (`ra` or `aca`).
    pub fn url(&self, k: usize, role: &str) -> String {
        let (ra, aca) = self.ports[k];
        format!("http://127.0.0.1:{}", if role == "ra" { ra } else { aca })
    }

    /// Starts node `k`'s process.
    fn serve(&self, k: usize) -> Server {
        let (ra, aca) = self.ports[k];
        let (ra, aca) = (format!("127.0.0.1:{ra}"), format!("127.0.0.1:{aca}"));
        let (peer_ra, peer_aca) = (self.c.url("ra"), self.c.url("aca"));
        self.c.serve_with_env(
            &["ra", "aca"],
            &[
                ("SCMS_LISTEN_RA", &ra),
                ("SCMS_LISTEN_ACA", &aca),
                // The RA worker sends to every ACA through the proxy.
                ("SCMS_PEER_RA", &peer_ra),
                ("SCMS_PEER_ACA", &peer_aca),
                ("SCMS_RA_WORKER", if k == 0 { "true" } else { "false" }),
            ],
        )
    }

    /// Waits until every node's RA and ACA answer `/readyz` with 200.
    pub fn ready(&self, within: Duration) {
        for k in 0..self.len() {
            for role in ["ra", "aca"] {
                let url = self.url(k, role);
                let t0 = Instant::now();
                while !matches!(try_http(&url, "GET", "/readyz", b""), Ok((200, _, _))) {
                    assert!(
                        t0.elapsed() < within,
                        "node {k} {role} not ready within {within:?}\n{}",
                        self.c.log_tail()
                    );
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    /// SIGKILLs `kills` times a node chosen at random after a random time
    /// (`up`, ms) and restarts it at once; several threads may do this at
    /// the same time. Per kill: the node and the time from the kill until
    /// the new process printed its addresses.
    pub fn kill_at_random(
        &self,
        kills: usize,
        up: (u64, u64),
        rng: &mut Rng,
    ) -> Vec<(usize, Duration)> {
        let mut out = Vec::with_capacity(kills);
        for _ in 0..kills {
            std::thread::sleep(rng.millis(up.0, up.1));
            let k = rng.below(self.len() as u64) as usize;
            let mut slot = self.servers[k].lock().unwrap_or_else(|p| p.into_inner());
            if let Some(s) = slot.take() {
                s.kill();
            }
            let t = Instant::now();
            *slot = Some(self.serve(k));
            out.push((k, t.elapsed()));
        }
        out
    }

    /// Stops every node (SIGKILL).
    pub fn stop(&self) {
        for s in &self.servers {
            if let Some(s) = s.lock().unwrap_or_else(|p| p.into_inner()).take() {
                s.kill();
            }
        }
    }
}

/// What the devices saw: calls answered only after a repetition, by cause.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// No answer (connection refused or cut): the same bytes sent again.
    pub unanswered: usize,
    /// Answers by status other than 200 that were retried (408, 502, 503, 504).
    pub retried: BTreeMap<u16, usize>,
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.unanswered += o.unanswered;
        for (k, v) in &o.retried {
            *self.retried.entry(*k).or_default() += v;
        }
    }
}

/// Sends until an answer: while the service cannot be reached, restarts or
/// its database is down (no answer, 408, 502, 503, 504) the same bytes go
/// again; any other error is the device's failure.
pub fn until_answered(
    what: &str,
    tally: &mut Tally,
    within: Duration,
    call: impl Fn() -> Result<Vec<u8>, HttpError>,
) -> Result<Vec<u8>, String> {
    let t0 = Instant::now();
    loop {
        match call() {
            Ok(b) => return Ok(b),
            Err(HttpError::Transport(_)) => tally.unanswered += 1,
            Err(HttpError::NotReady { .. }) => *tally.retried.entry(503).or_default() += 1,
            Err(HttpError::Status { code, .. }) if matches!(code, 408 | 502 | 504) => {
                *tally.retried.entry(code).or_default() += 1
            }
            Err(e) => return Err(format!("{what}: {e}")),
        }
        if t0.elapsed() > within {
            return Err(format!("{what}: no answer within {within:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn now32() -> u32 {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    time32_from_unix(unix as i64)
}

pub fn now64() -> u64 {
    let us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_micros();
    time64_from_unix_micros(us as i64)
}

pub fn hid8(cert: &[u8]) -> [u8; 8] {
    let c: Certificate<'_> = scms_asn1::decode(cert).expect("certificate");
    scms_crypto::verify::certificate_hashed_id8(&c)
        .expect("HashedId8")
        .0
}

/// An enrolled device: its keys (the enrollment key under "e").
pub struct Device {
    pub keys: MemoryKeyStore,
    pub enrollment: Vec<u8>,
    /// SHA-256 of the enrollment request (the ECA's idempotency key).
    pub request_hash: [u8; 32],
    pub tally: Tally,
}

/// Enrolls a new device with the ECA, sending the same request again until
/// it is answered.
pub fn enroll(c: &Cluster, electors: &[Vec<u8>]) -> Result<Device, String> {
    let mut tally = Tally::default();
    let eca = EcaClient::with_timeout(&c.url("eca"), Duration::from_secs(20));
    // The ECA's chain (the trust bootstrap), asked again while the ECA restarts.
    let t0 = Instant::now();
    let mut trust = loop {
        match vehicle::bootstrap_trust(&eca, electors, &[]) {
            Ok(t) => break t,
            Err(e) if t0.elapsed() > Duration::from_secs(60) => return Err(e),
            Err(_) => {
                tally.unanswered += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    let keys = MemoryKeyStore::new();
    keys.generate("e", Curve::NistP256)
        .map_err(|e| e.to_string())?;
    let now = now32();
    let public = keys.public_key("e").map_err(|e| e.to_string())?;
    let tbs = vehicle::enrollment_tbs(Family::Us, &public, now)?;
    let request = scms_sdk::enroll::build_enrollment_request(&keys, "e", &tbs, now)
        .map_err(|e| e.to_string())?;
    let response = until_answered("ECA", &mut tally, Duration::from_secs(120), || {
        eca.enroll(&request)
    })?;
    let e =
        scms_sdk::enroll::process_enrollment_response(&mut trust, &keys, "e", &request, &response)
            .map_err(|e| format!("ECA response: {e}"))?;
    Ok(Device {
        keys,
        enrollment: e.certificate,
        request_hash: scms_ca::store::request_hash(&request),
        tally,
    })
}

/// A device's provisioning: the pseudonyms of its i-period.
pub struct Provisioned {
    pub pseudonyms: Vec<Pseudonym>,
    pub tally: Tally,
    pub took: Duration,
}

/// Provisioning as a device does it: the request (the same bytes again
/// until the RA acknowledges), then the download (asked again while not
/// ready or not reachable); every j of the i-period must arrive once.
pub fn provision(c: &Cluster, d: &Device) -> Result<Provisioned, String> {
    let t0 = Instant::now();
    let mut tally = Tally::default();
    let ra = RaClient::with_timeout(&c.url("ra"), Duration::from_secs(20));
    let (ra_cert, aca_cert) = (c.cert("ra"), c.cert("aca"));
    let now = now32();
    let params = RequestParams {
        psids: vec![32],
        start: now,
        hours: 168,
        explicit: false,
    };
    let (req, bytes) = vehicle::pseudonym_request(
        Family::Us,
        &ra_cert,
        &d.keys,
        "e",
        &d.enrollment,
        &params,
        now,
    )?;
    let ack = until_answered("RA", &mut tally, Duration::from_secs(120), || {
        ra.provision(&bytes)
    })?;
    let p = vehicle::accept_ack(req, &ack, &ra_cert, &params)?;
    let pseudonyms = vehicle::download(
        &p,
        &ra,
        &ra_cert,
        &aca_cert,
        &d.keys,
        "e",
        &d.enrollment,
        p.first_i,
        now32,
        Duration::from_secs(150),
        Duration::from_millis(250),
    )?;
    let js: BTreeSet<u32> = pseudonyms.iter().map(|p| p.j).collect();
    if pseudonyms.len() != J as usize || js.len() != J as usize {
        return Err(format!(
            "downloaded {} pseudonyms, j {js:?}, expected j 0..{J} once each",
            pseudonyms.len()
        ));
    }
    Ok(Provisioned {
        pseudonyms,
        tally,
        took: t0.elapsed(),
    })
}

/// Devices enrolling and provisioning on `workers` threads until `stop`:
/// per device its downloaded pseudonyms' HashedId8s.
pub struct Load {
    pub hid8s: Vec<Vec<[u8; 8]>>,
    pub tally: Tally,
    pub longest: Duration,
}

impl Load {
    /// What the devices did, for a test's report (`slots`: the certificates
    /// [`check_provisioning`] found).
    pub fn summary(&self, slots: usize) -> String {
        format!(
            "{} devices provisioned, {slots} certificates, one per slot, all downloaded; \
             device calls repeated: {} unanswered, {:?} by status; longest provisioning {:.1} s",
            self.hid8s.len(),
            self.tally.unanswered,
            self.tally.retried,
            self.longest.as_secs_f64(),
        )
    }
}

pub fn load(c: &Cluster, workers: usize, stop: Arc<AtomicBool>) -> Load {
    let electors = c.electors();
    let out = Mutex::new(Load {
        hid8s: Vec::new(),
        tally: Tally::default(),
        longest: Duration::ZERO,
    });
    std::thread::scope(|sc| {
        for _ in 0..workers {
            sc.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    let d = enroll(c, &electors)
                        .unwrap_or_else(|e| panic!("enrollment: {e}\n{}", c.log_tail()));
                    let p = provision(c, &d)
                        .unwrap_or_else(|e| panic!("provisioning: {e}\n{}", c.log_tail()));
                    let mut o = out.lock().expect("load");
                    o.hid8s
                        .push(p.pseudonyms.iter().map(|x| hid8(&x.certificate)).collect());
                    o.tally.add(&d.tally);
                    o.tally.add(&p.tally);
                    o.longest = o.longest.max(p.took);
                }
            });
        }
    });
    out.into_inner().expect("load")
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get(0)
        .expect("count")
}

/// The provisioning invariants after the run, on the database: nothing left
/// half done, one certificate per (device, i, j) slot, every stored response
/// there, and exactly the certificates the devices downloaded. The same
/// checks on SQLite and PostgreSQL (plain SQL through the store's `Any`
/// pool). Returns the number of slots.
pub async fn check_provisioning(store: &Store, devices: &[Vec<[u8; 8]>]) -> usize {
    let slots = devices.len() * J as usize;
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM ra_requests").await,
        devices.len() as i64,
        "every acknowledged request, once"
    );
    for (what, sql) in [
        (
            "requests not expanded",
            "SELECT COUNT(*) FROM ra_requests WHERE pending <> 0",
        ),
        ("queued items", "SELECT COUNT(*) FROM ra_queue"),
        ("requests in flight", "SELECT COUNT(*) FROM ra_in_flight"),
    ] {
        assert_eq!(count(store, sql).await, 0, "{what} left");
    }
    // Every request has all its responses stored.
    let rows = sqlx::query(
        "SELECT r.request_hash, COUNT(s.j) FROM ra_requests r \
         LEFT JOIN ra_responses s ON s.device = r.request_hash GROUP BY r.request_hash",
    )
    .fetch_all(store.pool())
    .await
    .expect("responses per request");
    for r in &rows {
        let n: i64 = r.try_get(1).expect("count");
        assert_eq!(n, i64::from(J), "stored responses of a request");
    }
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM ra_responses").await,
        slots as i64
    );
    // One certificate per slot: each slot's released request (HPCR) was
    // answered by exactly one stored certificate.
    let rows = sqlx::query(
        "SELECT h.device, h.i, h.j, COUNT(c.hashed_id8) FROM ra_hpcr h \
         LEFT JOIN aca_linkage a ON a.hpcr = h.hpcr \
         LEFT JOIN certificates c ON c.hashed_id8 = a.hashed_id8 \
         GROUP BY h.device, h.i, h.j",
    )
    .fetch_all(store.pool())
    .await
    .expect("certificates per slot");
    assert_eq!(rows.len(), slots, "slots released");
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM ra_hpcr").await,
        slots as i64,
        "one released request per slot"
    );
    for r in &rows {
        let (i, j): (i64, i64) = (r.try_get(1).expect("i"), r.try_get(2).expect("j"));
        let n: i64 = r.try_get(3).expect("count");
        assert_eq!(n, 1, "certificates for slot (i {i}, j {j})");
    }
    // One ACA idempotency record per slot: the record's key is the hash of
    // the RA's request, the slot's HPCR.
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM requests WHERE kind = 'aca-ra-cert-request'"
        )
        .await,
        slots as i64,
        "ACA idempotency records"
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM requests q JOIN ra_hpcr h ON h.hpcr = q.request_hash \
             WHERE q.kind = 'aca-ra-cert-request'"
        )
        .await,
        slots as i64,
        "ACA idempotency records of the released requests"
    );
    // The ACA issued exactly what the devices downloaded.
    let stored: BTreeSet<Vec<u8>> =
        sqlx::query("SELECT hashed_id8 FROM certificates WHERE role = 'pseudonym'")
            .fetch_all(store.pool())
            .await
            .expect("pseudonyms")
            .iter()
            .map(|r| r.try_get(0).expect("hashed_id8"))
            .collect();
    let got: BTreeSet<Vec<u8>> = devices.iter().flatten().map(|h| h.to_vec()).collect();
    assert_eq!(got.len(), slots, "no certificate downloaded twice");
    assert_eq!(stored.len(), slots, "pseudonym certificates issued");
    assert_eq!(stored, got, "issued = downloaded");
    slots
}

/// Connects to the cluster's database (blocking callers get a runtime).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

pub fn summary(d: &[Duration]) -> String {
    if d.is_empty() {
        return "-".into();
    }
    let mut v = d.to_vec();
    v.sort();
    let sum: Duration = v.iter().sum();
    format!(
        "mean {:.0} ms, max {:.0} ms",
        sum.as_secs_f64() * 1e3 / v.len() as f64,
        v[v.len() - 1].as_secs_f64() * 1e3
    )
}
