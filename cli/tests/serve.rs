//! `scms serve` as an operator runs it, on a data directory from `scms init`:
//! every role answers the service layer (`/healthz`, `/readyz`, `/metrics`,
//! `/openapi.json`, `/docs`), every documented route is served, bodies over
//! the limit get 413 with a reason (declared and chunked), a role subset
//! starts only those roles, logs are JSON lines with `--log-format json`, and
//! SIGTERM ends the process cleanly.

#[path = "serve_support/mod.rs"]
mod serve_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serve_support::{http, init_data_dir, raw, s, text, wait_ready, Server, PASS};

/// A data directory with a hierarchy and a serving configuration on free ports.
fn data_dir() -> tempfile::TempDir {
    init_data_dir(
        &[],
        "[serve]\nbody_limit = 4096\n[ra]\nworker_period_ms = 100\n",
    )
}

#[test]
fn every_role_serves_the_layer_and_its_documented_routes() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[], 8);
    let roles: Vec<String> = server.urls.iter().map(|(r, _)| r.clone()).collect();
    assert_eq!(
        roles,
        ["root", "eca", "aca", "ra", "la1", "la2", "ma", "crl"]
    );
    for (role, base) in &server.urls {
        let (st, _, body) = http(base, "GET", "/healthz", b"");
        assert_eq!((st, text(&body).trim()), (200, "ok"), "{role}");
        wait_ready(base);

        let (st, h, body) = http(base, "GET", "/openapi.json", b"");
        assert_eq!(st, 200);
        assert!(h.contains("content-type: application/json"), "{h}");
        let doc: serde_json::Value = serde_json::from_slice(&body).expect("OpenAPI is JSON");
        assert_eq!(doc["openapi"], "3.0.3");
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.contains_key("/metrics"));
        let (st, _, docs) = http(base, "GET", "/docs", b"");
        assert_eq!(st, 200);
        let docs = text(&docs);
        // Every documented route is served: a wrong path would get the
        // fallback's 404, a wrong method 405 (a role's own 404, such as "no
        // CRL issued yet", is an answer).
        for (path, ops) in paths {
            assert!(
                docs.contains(&format!("<code>{path}</code>")),
                "{role} docs: {path}"
            );
            for method in ops.as_object().expect("operations").keys() {
                let (st, _, body) = http(base, &method.to_ascii_uppercase(), path, b"");
                assert!(
                    st != 405 && !text(&body).contains("no such endpoint"),
                    "{role} {method} {path}: {st} {}",
                    text(&body)
                );
            }
        }
        let (st, _, body) = http(base, "GET", "/no/such/thing", b"");
        assert_eq!(st, 404);
        assert!(text(&body).contains("/docs"));
    }
    // The role's own endpoints work through the layer.
    let (st, _, cert) = http(server.url("root"), "GET", "/v3/root-ca-certificate", b"");
    assert_eq!(st, 200);
    let root = std::fs::read(dir.path().join("certs/root.oer")).expect("root.oer");
    assert_eq!(cert, root);
    let (st, _, ctl) = http(server.url("root"), "GET", "/v3/ctl", b"");
    assert_eq!(st, 200);
    assert_eq!(
        ctl,
        std::fs::read(dir.path().join("certs/ctl.oer")).expect("ctl")
    );

    // Metrics: requests by route and status, latency, certificates, queues
    // (/healthz was asked twice: on its own and as a documented route).
    let eca = server.url("eca");
    let (st, h, m) = http(eca, "GET", "/metrics", b"");
    assert_eq!(st, 200);
    assert!(h.contains("text/plain; version=0.0.4"), "{h}");
    let m = text(&m);
    assert!(
        m.contains(
            "scms_http_requests_total{role=\"eca\",method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ),
        "{m}"
    );
    assert!(m.contains("scms_http_request_duration_seconds_bucket{role=\"eca\",method=\"GET\",route=\"/healthz\",le=\"+Inf\"} 2"), "{m}");
    assert!(
        m.contains("scms_certificates_issued_total{role=\"eca\",type=\"enrollment\"} 0"),
        "{m}"
    );
    let (_, _, m) = http(server.url("ra"), "GET", "/metrics", b"");
    assert!(
        text(&m).contains("scms_ra_queue_depth{role=\"ra\",queue=\"pending\"} 0"),
        "{}",
        text(&m)
    );
    let (_, _, m) = http(server.url("aca"), "GET", "/metrics", b"");
    assert!(text(&m).contains("type=\"pseudonym\"} 0"), "{}", text(&m));

    // Body limit (4096 here): declared, and chunked without a length.
    let (st, _, body) = http(eca, "POST", "/v3/enrollment-certificate", &[0u8; 5000]);
    assert_eq!(st, 413);
    assert!(text(&body).contains("limit of 4096"), "{}", text(&body));
    let mut chunked = Vec::new();
    for _ in 0..3 {
        chunked.extend_from_slice(b"800\r\n");
        chunked.extend_from_slice(&[0u8; 0x800]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (st, _, body) = raw(
        eca,
        b"POST /v3/enrollment-certificate HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
        &chunked,
    );
    assert_eq!(st, 413, "{}", text(&body));
    let (_, _, m) = http(eca, "GET", "/metrics", b"");
    assert!(
        text(&m).contains("route=\"/v3/enrollment-certificate\",status=\"413\"} 2"),
        "{}",
        text(&m)
    );
    // A malformed request under the limit: 400 with one line.
    let (st, _, body) = http(eca, "POST", "/v3/enrollment-certificate", b"junk");
    assert_eq!(st, 400);
    assert_eq!(text(&body).trim().lines().count(), 1);

    let (code, _) = server.terminate();
    assert_eq!(code, Some(0), "graceful shutdown exits 0");
}

#[test]
fn a_role_subset_with_json_logs() {
    let dir = data_dir();
    let server = Server::start(
        dir.path(),
        &["--role", "eca", "--role", "aca", "--log-format", "json"],
        2,
    );
    let roles: Vec<&str> = server.urls.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(roles, ["eca", "aca"]);
    wait_ready(server.url("eca"));
    // The ACA without its LAs is alive but not ready, and says why.
    let aca = server.url("aca").to_string();
    let (st, _, _) = http(&aca, "GET", "/healthz", b"");
    assert_eq!(st, 200);
    let (st, _, body) = http(&aca, "GET", "/readyz", b"");
    assert_eq!(st, 503);
    assert!(text(&body).contains("LA1"), "{}", text(&body));
    let (st, _, chain) = http(server.url("eca"), "GET", "/v3/ca-certificate", b"");
    assert_eq!(st, 200);
    assert!(!chain.is_empty());

    let (code, err) = server.terminate();
    assert_eq!(code, Some(0));
    let lines: Vec<serde_json::Value> = err
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["route"] == "/v3/ca-certificate"
            && l["status"] == 200
            && l["role"] == "eca"),
        "{err}"
    );
}

#[test]
fn unknown_configuration_keys_are_refused() {
    let dir = data_dir();
    let mut cfg = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join("scms.toml"))
        .expect("scms.toml");
    cfg.write_all(b"bodylimit = 3\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["serve", "--config", s(&dir.path().join("scms.toml"))])
        .env(PASS.0, PASS.1)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bodylimit"));
}

/// `openssl s_client` sends `request` to `addr`, trusting `ca`; its stdout.
fn tls_exchange(addr: &str, ca: &Path, request: &str) -> (bool, String) {
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            addr,
            "-quiet",
            "-verify_return_error",
        ])
        .args(["-verify_hostname", "localhost", "-CAfile", s(ca)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run openssl s_client");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("openssl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn tls_on_the_device_facing_roles() {
    let dir = data_dir();
    // A self-signed server certificate for localhost and 127.0.0.1 (the
    // address the authorities of one process call each other at), made by
    // OpenSSL, as docs/operator.md tells.
    let (cert, key) = (dir.path().join("tls.pem"), dir.path().join("tls.key"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-keyout", s(&key), "-out", s(&cert)])
        .output()
        .expect("openssl req");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = Server::start_with_env(
        dir.path(),
        &["--role", "ra", "--role", "aca"],
        2,
        &[("SCMS_TLS_CERT", s(&cert)), ("SCMS_TLS_KEY", s(&key))],
    );
    let url = |role: &str| server.url(role).to_string();
    let ra = url("ra");
    assert!(ra.starts_with("https://"), "{ra}");
    let addr = ra
        .trim_start_matches("https://")
        .replace("127.0.0.1", "localhost");
    let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let (ok, answer) = tls_exchange(&addr, &cert, request);
    assert!(ok, "TLS exchange with the RA failed: {answer}");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.trim_end().ends_with("ok"), "{answer}");
    // The RA's certificate over TLS: the same bytes a device gets.
    let (ok, answer) = tls_exchange(
        &addr,
        &cert,
        "GET /v3/ra-certificate HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert!(ok && answer.starts_with("HTTP/1.1 200"), "{answer}");
    // A client that does not trust the certificate is refused the handshake.
    let other = dir.path().join("other.pem");
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args([
            "-keyout",
            s(&dir.path().join("other.key")),
            "-out",
            s(&other),
        ])
        .output()
        .expect("openssl req");
    assert!(out.status.success());
    let (ok, _) = tls_exchange(&addr, &other, request);
    assert!(!ok, "a certificate the client does not trust was accepted");
    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut sock = TcpStream::connect(ra.trim_start_matches("https://")).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(10))).ok();
    sock.write_all(request.as_bytes()).expect("write");
    let mut buf = Vec::new();
    let _ = sock.read_to_end(&mut buf);
    assert!(!buf.starts_with(b"HTTP/1.1 200"), "{}", text(&buf));
    // The ACA, called only by the authorities, stays plain HTTP.
    let aca = url("aca");
    assert!(aca.starts_with("http://"), "{aca}");
    let (st, _, _) = http(&aca, "GET", "/healthz", b"");
    assert_eq!(st, 200);
}

/// Reads until the server closes the connection (or `limit` passes); what came.
fn read_until_closed(sock: &mut TcpStream, limit: Duration) -> (Vec<u8>, Duration) {
    sock.set_read_timeout(Some(limit)).ok();
    let t0 = Instant::now();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match sock.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if t0.elapsed() > limit {
            break;
        }
    }
    (buf, t0.elapsed())
}

#[test]
fn slow_idle_and_malformed_clients_are_cut_off() {
    let dir = init_data_dir(
        &[],
        "[serve]\nheader_timeout_ms = 1000\nrequest_timeout_ms = 1000\nmax_connections = 8\n",
    );
    let server = Server::start(dir.path(), &["--role", "eca"], 1);
    let base = server.url("eca").to_string();
    let addr = base.trim_start_matches("http://").to_string();
    wait_ready(&base);

    // Headers that never end (one byte at a time, then silence): closed
    // after the header timeout, without an answer to a request never made.
    let mut slow = TcpStream::connect(&addr).expect("connect");
    for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\n" {
        slow.write_all(&[*b]).expect("write");
    }
    let (got, took) = read_until_closed(&mut slow, Duration::from_secs(10));
    assert!(took < Duration::from_secs(5), "slow client held {took:?}");
    assert!(!got.starts_with(b"HTTP/1.1 200"), "{}", text(&got));

    // A connection that sends nothing is closed too.
    let mut idle = TcpStream::connect(&addr).expect("connect");
    let (_, took) = read_until_closed(&mut idle, Duration::from_secs(10));
    assert!(
        took < Duration::from_secs(5),
        "idle connection held {took:?}"
    );

    // A body that trickles in (complete headers announcing 1000 octets, two
    // of them, then silence): 408 once the request timeout is up.
    let mut trickle = TcpStream::connect(&addr).expect("connect");
    trickle
        .write_all(
            b"POST /v3/enrollment-certificate HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n\x03\x81",
        )
        .expect("write");
    let (got, took) = read_until_closed(&mut trickle, Duration::from_secs(10));
    assert!(got.starts_with(b"HTTP/1.1 408"), "{}", text(&got));
    assert!(took < Duration::from_secs(5), "slow body held {took:?}");

    // Malformed header line: 400.
    let (st, _, _) = raw(
        &base,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n",
        b"",
    );
    assert_eq!(st, 400);
    // Headers over the limit (16 KiB): 431.
    let big = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(32 * 1024)
    );
    let mut sock = TcpStream::connect(&addr).expect("connect");
    sock.write_all(big.as_bytes()).expect("write");
    let (got, _) = read_until_closed(&mut sock, Duration::from_secs(10));
    assert!(got.starts_with(b"HTTP/1.1 431"), "{}", text(&got));
    // Too many header fields: 431 as well.
    let mut many = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for i in 0..200 {
        many.push_str(&format!("X-{i}: v\r\n"));
    }
    many.push_str("Connection: close\r\n\r\n");
    let mut sock = TcpStream::connect(&addr).expect("connect");
    sock.write_all(many.as_bytes()).expect("write");
    let (got, _) = read_until_closed(&mut sock, Duration::from_secs(10));
    assert!(got.starts_with(b"HTTP/1.1 431"), "{}", text(&got));

    // Every connection slot (8) taken by silent clients: a real client
    // waits in the accept queue and is answered once their time is up.
    let hogs: Vec<TcpStream> = (0..8)
        .map(|_| TcpStream::connect(&addr).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let t0 = Instant::now();
    let (st, _, body) = http(&base, "GET", "/healthz", b"");
    assert_eq!(st, 200, "{}", text(&body));
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    drop(hogs);

    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
}

/// Row count of every table and the audit head of the data directory's
/// SQLite database, read with the sqlite3 tool (not our code).
fn db_snapshot(dir: &Path) -> String {
    let db = dir.join("scms.db");
    let sql = |q: &str| -> String {
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(q)
            .output()
            .expect("run sqlite3 (scripts/test.sh installs it)");
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let tables = sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    );
    assert!(tables.lines().count() > 10, "{tables}");
    let mut snap = String::new();
    for t in tables.lines() {
        snap.push_str(&format!(
            "{t} {}",
            sql(&format!("SELECT COUNT(*) FROM {t}"))
        ));
    }
    snap.push_str(&sql("SELECT seq, hex(head_hash) FROM audit_head"));
    snap
}

fn assert_reasoned_4xx(what: &str, st: u16, body: &[u8]) {
    let t = text(body);
    assert!((400..500).contains(&st), "{what}: {st} {t:?} is not a 4xx");
    assert!(
        !t.trim().is_empty() && t.trim().lines().count() == 1,
        "{what}: {st} needs a one-line reason, got {t:?}"
    );
}

#[test]
fn every_documented_post_refuses_hostile_bodies_and_changes_nothing() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[], 8);
    for (_, base) in &server.urls {
        wait_ready(base);
    }
    // The RA worker and the CRL signer write at start: let them settle.
    std::thread::sleep(Duration::from_millis(500));
    let before = db_snapshot(dir.path());
    let mut posts = 0;
    for (role, base) in &server.urls {
        let (_, _, body) = http(base, "GET", "/openapi.json", b"");
        let doc: serde_json::Value = serde_json::from_slice(&body).expect("OpenAPI is JSON");
        for (path, ops) in doc["paths"].as_object().expect("paths") {
            if ops.get("post").is_none() {
                continue;
            }
            posts += 1;
            let what = format!("{role} POST {path}");
            // Over the configured body limit (4096): 413 with a reason.
            let (st, _, body) = http(base, "POST", path, &[0x03; 4097]);
            assert_eq!(st, 413, "{what}: {}", text(&body));
            // A body that says it is something else than COER: 415.
            let (st, _, body) = raw(
                base,
                format!(
                    "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                     Content-Type: application/json\r\nContent-Length: 2\r\n\r\n"
                )
                .as_bytes(),
                b"{}",
            );
            assert_eq!(st, 415, "{what}: {}", text(&body));
            assert!(
                text(&body).contains("application/octet-stream"),
                "{}",
                text(&body)
            );
            for (kind, junk) in [
                ("junk", &b"\xff\xfe this is not COER at all"[..]),
                // Ieee1609Dot2Data, signedData, cut short.
                ("truncated COER", &[0x03, 0x81, 0x00, 0x40, 0x03, 0x80][..]),
                // A length prefix announcing far more than is sent.
                (
                    "long length",
                    &[0x03, 0x80, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00][..],
                ),
                ("empty", &[][..]),
            ] {
                let (st, _, body) = http(base, "POST", path, junk);
                assert_reasoned_4xx(&format!("{what} {kind}"), st, &body);
            }
        }
        // Junk in query strings of the GET routes that take one.
        for q in ["/v3/crl?series=zz", "/v3/ma-certificate?psid=not-hex"] {
            let (st, _, body) = http(base, "GET", q, b"");
            assert!(st != 500 && st < 500, "{role} {q}: {st} {}", text(&body));
        }
    }
    assert!(posts >= 9, "{posts} POST routes documented");
    assert_eq!(
        before,
        db_snapshot(dir.path()),
        "a refused request changed state"
    );
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
}

/// The allowlist of peers as `scms serve` configures it: an MA certificate
/// issued by the hierarchy's own ICA, with the MA role, is still not the MA of
/// this data directory, and the CRL signer refuses what it signs (403 naming
/// the allowlist); what the configured MA signs passes that check (the
/// payload, not CRL entries, then gets 400).
#[test]
fn a_second_ma_of_the_hierarchy_is_not_a_peer() {
    use scms_ca::issue::{IssueParams, IssuerRef, SubjectId};
    use scms_hsm::{KdfParams, KeyStore, SoftKeyStore};

    let dir = init_data_dir(&[], "");
    let server = Server::start(dir.path(), &["--role", "crl"], 1);
    let base = server.url("crl").to_string();
    wait_ready(&base);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let [root, ica, ma] = rt.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("scms.db").display());
        let store = scms_ca::store::Store::connect(&url).await.expect("db");
        let mut out = Vec::new();
        for name in ["root", "ica", "ma"] {
            out.push(store.authority(name).await.expect("db").expect(name));
        }
        <[_; 3]>::try_from(out).expect("three")
    });
    let ks = SoftKeyStore::open(
        dir.path().join("keys"),
        zeroize::Zeroizing::new(PASS.1.as_bytes().to_vec()),
        KdfParams::default(),
    )
    .expect("key store");
    let profile = scms_ca::profile::builtin(scms_ca::profile::Family::Us, "ma").expect("profile");
    let info = ks
        .generate("second-ma", scms_crypto::suite::Curve::NistP256)
        .expect("key");
    let key = scms_crypto::suite::PublicKey::from_sec1(info.curve, &info.public_key).expect("key");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let mut p = IssueParams::new(
        &profile,
        SubjectId::Name("second-ma.example".into()),
        key,
        scms_asn1::ieee1609dot2::time::time32_from_unix(now - 60),
    );
    p.craca_id = scms_crypto::verify::certificate_hashed_id3(
        &scms_asn1::decode(&root.certificate).expect("root"),
    )
    .expect("craca");
    let issuer = IssuerRef {
        certificate: &ica.certificate,
        key_label: &ica.key_label,
    };
    let second = scms_ca::issue::issue(&ks, &issuer, &p)
        .expect("issue")
        .record
        .certificate;
    let payload = scms_ma::investigate::hpcr_request(scms_ca::spdu::hostname("ma"), [0; 9]);
    let by_second = scms_ca::spdu::scms_signed(&ks, "second-ma", &second, &payload).expect("sign");
    let (st, _, body) = http(&base, "POST", "/v3/crl-entries", &by_second);
    assert_eq!(st, 403, "{}", text(&body));
    assert!(
        text(&body).contains("is not in the allowlist of peers"),
        "{}",
        text(&body)
    );
    let by_ma =
        scms_ca::spdu::scms_signed(&ks, &ma.key_label, &ma.certificate, &payload).expect("sign");
    let (st, _, body) = http(&base, "POST", "/v3/crl-entries", &by_ma);
    assert_eq!(st, 400, "{}", text(&body));
    assert!(!text(&body).contains("allowlist"), "{}", text(&body));
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
}
