//! The real ECA (`scms_ca::eca::router`) on 127.0.0.1:0 over a fresh SQLite
//! store, served from a background tokio runtime, and a minimal blocking
//! HTTP/1.1 client.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;

use scms_asn1::ieee1609dot2::{ToBeSignedCertificate, VerificationKeyIndicator};
use scms_ca::eca::{router, system_now, Eca, SuccessorFront};
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::issue::{to_be_signed, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_ca::store::{Batch, Store};
use scms_hsm::{KeyStore, MemoryKeyStore};

pub struct EcaServer {
    pub addr: SocketAddr,
    pub h: Hierarchy,
    _dir: tempfile::TempDir,
    _rt: tokio::runtime::Runtime,
}

impl EcaServer {
    pub fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let ks = MemoryKeyStore::new();
        // The hierarchy starts a minute ago, so the ECA issues "now".
        let opts = HierarchyOptions::new(Family::Us, system_now() - 60);
        let h = build(&ks, &opts).expect("hierarchy");
        let path = dir.path().join("scms.db");
        let addr = rt.block_on(async {
            let store = Store::open_sqlite(&path).await.expect("store");
            store
                .commit(&Batch::hierarchy(&h, &opts).expect("batch"), 1_767_225_600)
                .await
                .expect("commit");
            // Successor enrollment is encrypted to the RA certificate; the
            // ECA holds its keys (one key store, as `scms serve` runs them).
            let ra_label = h.key_labels["ra"].clone();
            let front = SuccessorFront {
                certificate: h.certificate("ra").expect("ra").to_vec(),
                enc_key_label: format!("{ra_label}-enc"),
                key_label: ra_label,
            };
            let eca = Eca::from_store(
                store,
                Arc::new(ks),
                builtin(Family::Us, "enrollment").expect("profile"),
            )
            .await
            .expect("eca")
            .with_successor_front(front);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(async move {
                let _ = axum::serve(listener, router(Arc::new(eca))).await;
            });
            addr
        });
        Self {
            addr,
            h,
            _dir: dir,
            _rt: rt,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn certificate(&self, role: &str) -> Vec<u8> {
        self.h.certificate(role).expect("role").to_vec()
    }

    pub fn electors(&self) -> Vec<Vec<u8>> {
        (1..=3)
            .map(|n| self.certificate(&format!("elector-{n}")))
            .collect()
    }
}

/// What a device asks for: the enrollment profile's permissions and region.
pub fn device_tbs(keys: &MemoryKeyStore, label: &str) -> ToBeSignedCertificate<'static> {
    let profile = builtin(Family::Us, "enrollment").expect("profile");
    let key = keys.public_key(label).expect("key");
    let params = IssueParams::new(&profile, SubjectId::None, key, system_now());
    let vki = VerificationKeyIndicator::VerificationKey(
        scms_crypto::wire::verification_key(&key).expect("vk"),
    );
    to_be_signed(&params, None, vki).expect("tbs")
}

/// (status, body) of one HTTP/1.1 exchange.
pub fn http(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("write");
    s.write_all(body).expect("write body");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut b = &body[..];
        while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
            let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).expect("hex").trim(), 16)
                .expect("size");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
            b = &b[eol + 4 + n..];
        }
        body = out;
    }
    (status, body)
}
