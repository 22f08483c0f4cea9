//! `scms serve` as an operator runs it, on a data directory from `scms init`:
//! every role answers the service layer (`/healthz`, `/readyz`, `/metrics`,
//! `/openapi.json`, `/docs`), every documented route is served, bodies over
//! the limit get 413 with a reason (declared and chunked), a role subset
//! starts only those roles, logs are JSON lines with `--log-format json`, and
//! SIGTERM ends the process cleanly.

#[path = "serve_support/mod.rs"]
mod serve_support;

use std::io::Write;
use std::process::Command;

use serve_support::{http, raw, s, text, wait_ready, Server, PASS};

/// A data directory with a hierarchy and a serving configuration on free ports.
fn data_dir() -> tempfile::TempDir {
    let mut extra = String::from("[serve]\nbody_limit = 4096\n[serve.listen]\n");
    for role in ["root", "eca", "aca", "ra", "la1", "la2", "ma", "crl"] {
        extra.push_str(&format!("{role} = \"127.0.0.1:0\"\n"));
    }
    extra.push_str("[ra]\nworker_period_ms = 100\n");
    serve_support::init(&[], &extra)
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
