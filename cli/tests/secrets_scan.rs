//! No private key material in what an operator or a client sees: `scms serve`
//! (JSON logs at debug level) with three devices enrolling, provisioning and
//! signing through `scms device`, hostile requests to every documented route
//! of every role, a refused second provisioning, then `/metrics`, `/readyz`
//! and `/healthz` of every role. Everything captured (logs, the devices'
//! output, error answers, metrics) is searched for every secret the run
//! knows: the devices' exported enrollment and pseudonym private keys, the key
//! store's passphrase and every authority private key in it, the LAs'
//! linkage seeds and the key each LA shares with the ACA (unsealed from the
//! database), and the butterfly expansion keys the RA stored — as lower and
//! upper case hex, base64 and a Rust byte-array debug print.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use scms_ca::store::Store;
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_hsm::{KdfParams, KeyStore, SoftKeyStore};
use sqlx::Row;
use zeroize::Zeroizing;

const PASS: (&str, &str) = ("SCMS_TEST_PASS", "correct horse battery staple");
const DEVICES: usize = 3;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn scms(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(args)
        .env(PASS.0, PASS.1)
        .output()
        .expect("run scms")
}

/// Everything seen, in one string.
#[derive(Default)]
struct Seen(String);

impl Seen {
    fn output(&mut self, what: &str, o: &std::process::Output) {
        self.0.push_str(&format!("\n--- {what}\n"));
        self.0.push_str(&String::from_utf8_lossy(&o.stdout));
        self.0.push_str(&String::from_utf8_lossy(&o.stderr));
    }
}

fn call(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match rt.block_on(scms_ra::http::call(base, method, path, headers, body)) {
        Ok(r) => format!(
            "{} {:?} {}",
            r.status,
            r.headers,
            String::from_utf8_lossy(&r.body)
        ),
        Err(e) => e.to_string(),
    }
}

struct Server {
    child: Child,
    urls: Vec<(String, String)>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(config: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scms"))
            .args(["serve", "--config", s(config), "--log-format", "json"])
            .env(PASS.0, PASS.1)
            .env("SCMS_LOG", "debug")
            .env_remove("SCMS_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("scms serve");
        let mut err = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let urls = (0..8)
            .map(|_| {
                let l = rx
                    .recv_timeout(Duration::from_secs(60))
                    .expect("scms serve prints its roles");
                let (r, u) = l.split_once(' ').expect("ROLE URL");
                (r.to_string(), u.to_string())
            })
            .collect();
        Server {
            child,
            urls,
            stderr,
        }
    }

    fn url(&self, role: &str) -> String {
        self.urls
            .iter()
            .find(|(r, _)| r == role)
            .expect("role")
            .1
            .clone()
    }

    /// SIGTERM, wait, and the whole stderr.
    fn stop(mut self) -> String {
        let st = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(st.success());
        let t0 = Instant::now();
        while self.child.try_wait().expect("wait").is_none() {
            assert!(t0.elapsed() < Duration::from_secs(20), "no exit");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(200));
        let out = self.stderr.lock().expect("stderr").clone();
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Every secret of the run: (what, bytes).
async fn secrets(dir: &Path) -> Vec<(String, Zeroizing<Vec<u8>>)> {
    let mut out: Vec<(String, Zeroizing<Vec<u8>>)> = Vec::new();
    // The devices' exported keys.
    for n in 0..DEVICES {
        let d = dir.join(format!("devices/{n}"));
        let mut files = vec![d.join("enrollment.key")];
        for e in std::fs::read_dir(d.join("pseudonyms"))
            .expect("pseudonyms")
            .flatten()
        {
            if e.path().extension().is_some_and(|x| x == "key") {
                files.push(e.path());
            }
        }
        for f in files {
            let text = Zeroizing::new(std::fs::read_to_string(&f).expect("key file"));
            out.push((f.display().to_string(), Zeroizing::new(unhex(&text))));
        }
    }
    // The key store: its passphrase and every key in it.
    out.push((
        "passphrase".into(),
        Zeroizing::new(PASS.1.as_bytes().to_vec()),
    ));
    for e in std::fs::read_dir(dir.join("keys")).expect("keys").flatten() {
        let p = e.path();
        let Some(label) = p.file_stem().and_then(|l| l.to_str()) else {
            continue;
        };
        if p.extension().is_none_or(|x| x != "key") {
            continue;
        }
        let bytes = std::fs::read(&p).expect("key file");
        let key = scms_hsm::soft::unseal(label, &bytes, PASS.1.as_bytes()).expect("unseal");
        out.push((format!("key store {label}"), key.to_be_bytes()));
    }
    // The LAs' chains and ACA keys, unsealed from the database.
    let url = format!("sqlite://{}", dir.join("scms.db").display());
    let store = Store::connect(&url).await.expect("database");
    let ks: Arc<dyn KeyStore> = Arc::new(
        SoftKeyStore::open(
            dir.join("keys"),
            Zeroizing::new(PASS.1.as_bytes().to_vec()),
            KdfParams::default(),
        )
        .expect("key store"),
    );
    let aca = store
        .authority("aca")
        .await
        .expect("db")
        .expect("aca")
        .certificate;
    let mut seeds = 0;
    for (id, name) in [(1u16, "la1"), (2, "la2")] {
        let a = store.authority(name).await.expect("db").expect("la");
        let la = scms_la::service::LaService::open(
            LaId(id),
            SymmAlgorithm::Aes128Ccm,
            ks.clone(),
            &format!("{}-seal", a.key_label),
            store.clone(),
            &aca,
            0,
        )
        .await
        .expect("open the LA");
        let k = la.authority().aca_key().expect("ACA key");
        out.push((
            format!("{name} ACA key"),
            Zeroizing::new(k.as_bytes().to_vec()),
        ));
        for (chain, rec) in la.chains().await.expect("chains") {
            seeds += 1;
            out.push((
                format!("{name} seed of chain {}", hex(&chain.0)),
                Zeroizing::new(rec.seed.as_bytes().to_vec()),
            ));
        }
    }
    assert!(seeds >= 2 * DEVICES, "{seeds} linkage seeds");
    // The butterfly expansion keys the RA keeps.
    let rows = sqlx::query("SELECT record FROM ra_requests")
        .fetch_all(store.pool())
        .await
        .expect("requests");
    assert_eq!(rows.len(), DEVICES);
    for r in rows {
        let rec = scms_ra::store::decode_record(&r.try_get::<Vec<u8>, _>(0).expect("record"))
            .expect("decode");
        match rec.butterfly {
            scms_ra::Butterfly::Original {
                signing_expansion,
                encryption_expansion,
                ..
            } => {
                for k in [signing_expansion, encryption_expansion] {
                    out.push((
                        "expansion key".into(),
                        Zeroizing::new(k.as_bytes().to_vec()),
                    ));
                }
            }
            scms_ra::Butterfly::Unified { expansion, .. } => out.push((
                "expansion key".into(),
                Zeroizing::new(expansion.as_bytes().to_vec()),
            )),
        }
    }
    store.close().await;
    out
}

/// The forms a secret could leak in.
fn forms(b: &[u8]) -> Vec<String> {
    let h = hex(b);
    vec![
        h.clone(),
        h.to_ascii_uppercase(),
        scms_sdk::http::base64(b),
        format!("{b:?}"),
        String::from_utf8_lossy(b).into_owned(),
    ]
    .into_iter()
    .filter(|f| f.len() >= 12)
    .collect()
}

fn run(dir: &Path) -> String {
    let o = scms(&["init", "--data-dir", s(dir), "--pass-env", PASS.0]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut cfg = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("scms.toml"))
        .expect("scms.toml");
    let mut extra = String::from("pass_env = \"SCMS_TEST_PASS\"\n[serve.listen]\n");
    for role in ["root", "eca", "aca", "ra", "la1", "la2", "ma", "crl"] {
        extra.push_str(&format!("{role} = \"127.0.0.1:0\"\n"));
    }
    extra.push_str(
        "[ra]\nworker_period_ms = 100\nshuffle_min_devices = 1\nshuffle_max_wait_secs = 1\n\
         download_delay_secs = 0\nretry_secs = 1\n",
    );
    cfg.write_all(extra.as_bytes()).expect("write");
    let server = Server::start(&dir.join("scms.toml"));
    let mut seen = Seen::default();
    let t0 = Instant::now();
    for (_, u) in &server.urls {
        while !call(u, "GET", "/readyz", &[], &[]).starts_with("200") {
            assert!(t0.elapsed() < Duration::from_secs(30), "{u} not ready");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let (eca, ra) = (server.url("eca"), server.url("ra"));
    for n in 0..DEVICES {
        let n = n.to_string();
        let common = ["--data-dir", s(dir), "--device", &n];
        for (what, args) in [
            ("enroll", vec!["device", "enroll", "--eca", &eca]),
            ("provision", vec!["device", "provision", "--ra", &ra]),
            (
                "sign",
                vec!["device", "sign", "--psid", "32", "--payload", "0102"],
            ),
        ] {
            let o = scms(&[args.as_slice(), &common[..]].concat());
            assert!(
                o.status.success(),
                "device {n} {what}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            seen.output(&format!("device {n} {what}"), &o);
        }
    }
    // A refused request: the same device again.
    let o = scms(&[
        "device",
        "provision",
        "--ra",
        &ra,
        "--data-dir",
        s(dir),
        "--device",
        "0",
    ]);
    assert!(!o.status.success());
    seen.output("second provisioning", &o);
    // Hostile input on every documented route of every role.
    for (role, base) in &server.urls {
        let doc = call(base, "GET", "/openapi.json", &[], &[]);
        let json = doc.split_once(' ').map(|x| x.1).unwrap_or_default();
        let json = &json[json.find('{').unwrap_or(0)..];
        let doc: serde_json::Value = serde_json::from_str(json).expect("OpenAPI");
        for (path, ops) in doc["paths"].as_object().expect("paths") {
            for method in ops.as_object().expect("ops").keys() {
                let m = method.to_ascii_uppercase();
                let bodies: [&[u8]; 3] = [b"", b"\x30\x82junk", &[0xa5; 300]];
                for body in bodies {
                    let a = call(base, &m, path, &[("Download-Req", "AAAA")], body);
                    seen.0.push_str(&format!("\n--- {role} {m} {path}\n{a}"));
                }
            }
        }
        for path in ["/metrics", "/readyz", "/healthz"] {
            let a = call(base, "GET", path, &[], &[]);
            seen.0.push_str(&format!("\n--- {role} {path}\n{a}"));
        }
    }
    let logs = server.stop();
    assert!(
        logs.contains("/v3/authorization-certificate"),
        "the logs show the requests"
    );
    seen.0.push_str("\n--- scms serve stderr\n");
    seen.0.push_str(&logs);
    seen.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_logs_errors_or_metrics() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let d = dir.clone();
    let seen = tokio::task::spawn_blocking(move || run(&d))
        .await
        .expect("run");
    assert!(
        seen.contains("scms_http_requests_total"),
        "metrics captured"
    );
    let secrets = secrets(&dir).await;
    // 3 enrollment keys, 60 pseudonym keys, the passphrase, the authority
    // keys, 2 ACA keys, the seeds, the expansion keys.
    assert!(secrets.len() > 3 + 60 + 1 + 10, "{}", secrets.len());
    let mut leaks = Vec::new();
    for (what, bytes) in &secrets {
        for f in forms(bytes) {
            if seen.contains(&f) {
                leaks.push(format!("{what} as {f}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked: {leaks:#?}");
}
