//! Two RA+ACA `scms serve` processes on one PostgreSQL database behind one
//! address each (`scms bench proxy`, round robin per connection), the other
//! roles in a third process: devices enroll and provision through the RA
//! address, the requests land on both RA processes, the RA worker (first
//! process only) sends through the ACA address to both ACAs, every device
//! downloads all its certificates and none is issued twice.

#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sqlx::Row;

const PASS: (&str, &str) = ("SCMS_TEST_PASS", "correct horse battery staple");
const DEVICES: usize = 6;
const PER_PERIOD: usize = 20;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A child process killed when dropped, and its stdout lines.
struct Proc {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Proc {
    fn start(args: &[&str], env: &[(String, String)]) -> Proc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scms"))
            .args(args)
            .env(PASS.0, PASS.1)
            .env_remove("SCMS_DATABASE_URL")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run scms");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Proc { child, lines: rx }
    }

    /// The next `n` lines, split at the first space (`ROLE URL`, `proxy URL`).
    fn pairs(&self, n: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|_| {
                let l = self
                    .lines
                    .recv_timeout(Duration::from_secs(60))
                    .expect("the process prints its addresses");
                let (a, b) = l.split_once(' ').expect("NAME URL");
                (a.to_string(), b.to_string())
            })
            .collect()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn url(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} not started"))
        .1
        .clone()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn get(base: &str, path: &str) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match rt.block_on(scms_ra::http::call(base, "GET", path, &[], &[])) {
        Ok(r) => (r.status, r.text()),
        Err(e) => (0, e.to_string()),
    }
}

fn wait_ready(base: &str) {
    let t0 = Instant::now();
    loop {
        let (st, body) = get(base, "/readyz");
        if st == 200 {
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "{base}: {st} {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The value of the metric line starting with `prefix` (0 when absent).
fn metric(base: &str, prefix: &str) -> f64 {
    let (st, m) = get(base, "/metrics");
    assert_eq!(st, 200, "{m}");
    m.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|v| v.trim().parse().expect("a number"))
        .unwrap_or(0.0)
}

/// The listen variables of every role: free ports unless given.
fn listen_env(given: &[(&str, u16)]) -> Vec<(String, String)> {
    ["root", "eca", "aca", "ra", "la1", "la2", "ma", "crl"]
        .iter()
        .map(|r| {
            let port = given.iter().find(|(g, _)| g == r).map_or(0, |(_, p)| *p);
            (
                format!("SCMS_LISTEN_{}", r.to_ascii_uppercase()),
                format!("127.0.0.1:{port}"),
            )
        })
        .collect()
}

fn scenario(dir: &Path, db_url: &str) {
    let o = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["init", "--data-dir", s(dir), "--pass-env", PASS.0])
        .args(["--database-url", db_url])
        .env(PASS.0, PASS.1)
        .output()
        .expect("scms init");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut cfg = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("scms.toml"))
        .expect("scms.toml");
    cfg.write_all(
        b"pass_env = \"SCMS_TEST_PASS\"\n[ra]\nworker_period_ms = 100\nshuffle_min_devices = 2\n\
          shuffle_max_wait_secs = 1\ndownload_delay_secs = 0\nretry_secs = 1\n",
    )
    .expect("write");
    let config = dir.join("scms.toml");

    // The RA and ACA ports are chosen first: the proxies need them.
    let ports: Vec<(u16, u16)> = (0..2).map(|_| (free_port(), free_port())).collect();
    let backends = |pick: fn(&(u16, u16)) -> u16| -> Vec<String> {
        let mut a = vec!["bench".to_string(), "proxy".to_string()];
        for p in &ports {
            a.push("--backend".into());
            a.push(format!("http://127.0.0.1:{}", pick(p)));
        }
        a
    };
    let ra_args = backends(|p| p.0);
    let ra_proxy = Proc::start(&ra_args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let ra_url = ra_proxy.pairs(1)[0].1.clone();
    let aca_args = backends(|p| p.1);
    let aca_proxy = Proc::start(
        &aca_args.iter().map(String::as_str).collect::<Vec<_>>(),
        &[],
    );
    let aca_url = aca_proxy.pairs(1)[0].1.clone();

    let mut env = listen_env(&[]);
    env.push(("SCMS_PEER_RA".into(), ra_url.clone()));
    env.push(("SCMS_PEER_ACA".into(), aca_url.clone()));
    let core = Proc::start(
        &[
            "serve",
            "--config",
            s(&config),
            "--role",
            "root",
            "--role",
            "eca",
            "--role",
            "la1",
            "--role",
            "la2",
            "--role",
            "ma",
            "--role",
            "crl",
        ],
        &env,
    );
    let core_urls = core.pairs(6);
    let mut nodes = Vec::new();
    for (k, (ra_port, aca_port)) in ports.iter().enumerate() {
        let mut env = listen_env(&[("ra", *ra_port), ("aca", *aca_port)]);
        for role in ["la1", "la2", "ma", "crl"] {
            env.push((
                format!("SCMS_PEER_{}", role.to_ascii_uppercase()),
                url(&core_urls, role),
            ));
        }
        env.push(("SCMS_PEER_ACA".into(), aca_url.clone()));
        env.push(("SCMS_RA_WORKER".into(), (k == 0).to_string()));
        let p = Proc::start(
            &[
                "serve",
                "--config",
                s(&config),
                "--role",
                "ra",
                "--role",
                "aca",
            ],
            &env,
        );
        let urls = p.pairs(2);
        nodes.push((p, url(&urls, "ra"), url(&urls, "aca")));
    }
    let eca = url(&core_urls, "eca");
    wait_ready(&eca);
    for (_, ra, aca) in &nodes {
        wait_ready(ra);
        wait_ready(aca);
    }

    // Devices at once, each its own process (its own connections).
    let threads: Vec<_> = (0..DEVICES)
        .map(|n| {
            let (dir, eca, ra) = (dir.to_path_buf(), eca.clone(), ra_url.clone());
            std::thread::spawn(move || {
                let n = n.to_string();
                for args in [
                    vec!["device", "enroll", "--eca", &eca],
                    vec!["device", "provision", "--ra", &ra, "--wait", "40"],
                ] {
                    let o = Command::new(env!("CARGO_BIN_EXE_scms"))
                        .args(&args)
                        .args(["--data-dir", s(&dir), "--device", &n])
                        .output()
                        .expect("scms device");
                    assert!(
                        o.status.success(),
                        "device {n} {}: {}{}",
                        args[1],
                        String::from_utf8_lossy(&o.stdout),
                        String::from_utf8_lossy(&o.stderr)
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("device thread");
    }

    // Every device has all its certificates, and no two are the same.
    let mut all = BTreeSet::new();
    for n in 0..DEVICES {
        let p = dir.join(format!("devices/{n}/pseudonyms"));
        let certs: Vec<Vec<u8>> = std::fs::read_dir(&p)
            .expect("pseudonyms")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "oer"))
            .map(|p| std::fs::read(p).expect("certificate"))
            .collect();
        assert_eq!(certs.len(), PER_PERIOD, "device {n}");
        all.extend(certs);
    }
    assert_eq!(all.len(), DEVICES * PER_PERIOD, "a certificate twice");

    // Both RA processes took provisioning requests, both ACAs signed some;
    // the certificates are counted in the database (below).
    let post = "scms_http_requests_total{role=\"ra\",method=\"POST\",route=\"/v3/authorization-certificate\",status=\"200\"} ";
    let aca_post = "scms_http_requests_total{role=\"aca\",method=\"POST\",route=\"/v3/ra-aca-cert-request\",status=\"200\"} ";
    let mut answered = 0.0;
    for (k, (_, ra, aca)) in nodes.iter().enumerate() {
        assert!(metric(ra, post) >= 1.0, "RA process {k} got no request");
        let n = metric(aca, aca_post);
        assert!(n >= 1.0, "ACA process {k} answered nothing");
        answered += n;
    }
    assert!(answered as usize >= DEVICES * PER_PERIOD);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_ra_aca_processes_behind_one_address_on_postgres() {
    let db = store_support::postgres().await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let url = db.url.clone();
    let d = dir.clone();
    tokio::task::spawn_blocking(move || scenario(&d, &url))
        .await
        .expect("scenario");

    // The database agrees: one certificate per (request, i, j), nothing left over.
    let count = |sql: &'static str| {
        let pool = db.store.pool().clone();
        async move {
            let r = sqlx::query(sql).fetch_one(&pool).await.expect(sql);
            r.try_get::<i64, _>(0).expect("count")
        }
    };
    let n = (DEVICES * PER_PERIOD) as i64;
    assert_eq!(
        count("SELECT COUNT(*) FROM certificates WHERE role = 'pseudonym'").await,
        n
    );
    assert_eq!(count("SELECT COUNT(*) FROM ra_responses").await, n);
    assert_eq!(
        count("SELECT COUNT(DISTINCT device) FROM ra_responses").await,
        DEVICES as i64
    );
    assert_eq!(count("SELECT COUNT(*) FROM ra_in_flight").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM ra_queue").await, 0);
    db.cleanup().await;
}
