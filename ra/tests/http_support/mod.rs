//! The whole SCMS over HTTP on loopback for the tests and benches: LA1, LA2,
//! the ACA and the RA as axum services, each on its own database (SQLite
//! files or PostgreSQL databases), and simulated devices speaking HTTP.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::Time32;
use scms_ca::aca::Aca;
use scms_ca::aca_service::AcaService;
use scms_ca::hierarchy::Hierarchy;
use scms_ca::profile::Family;
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_hsm::KeyStore;
use scms_la::service::{LaInvestigation, LaService};
use scms_ra::http::call;
use scms_ra::service::{Clock, Peers, RaService};
use scms_ra::store::RaStore;
use scms_ra::Ra;
use scms_sdk::provision::{Ack, Pseudonym};
use tokio::task::JoinHandle;

use crate::common::{Device, World, NOW_UNIX};
use crate::store_support::{self, TestDb};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub async fn db(kind: Db) -> TestDb {
    match kind {
        Db::Sqlite => store_support::sqlite().await,
        Db::Postgres => store_support::postgres().await,
    }
}

/// Serves `router` on a free loopback port: `http://127.0.0.1:PORT`.
pub async fn serve(router: axum::Router) -> (String, JoinHandle<()>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let h = tokio::spawn(async move {
        let _ = axum::serve(l, router).await;
    });
    (url, h)
}

/// The simulated time: 2026-01-01 plus the real seconds elapsed.
pub fn clock() -> Clock {
    let start = Instant::now();
    Arc::new(move || time32_from_unix(NOW_UNIX + start.elapsed().as_secs() as i64))
}

pub struct Net {
    pub family: Family,
    /// The hierarchy (MA and CRL signer certificates and key labels).
    pub h: Hierarchy,
    pub ks: Arc<dyn KeyStore>,
    pub ra_core: Ra,
    pub root: Vec<u8>,
    pub ica: Vec<u8>,
    pub clock: Clock,
    pub peers: Peers,
    pub ra_url: String,
    pub ra: Arc<RaService>,
    pub la1: Arc<LaService>,
    pub la2: Arc<LaService>,
    pub aca: Arc<AcaService>,
    pub ra_db: TestDb,
    pub dbs: Vec<TestDb>,
    pub tasks: Vec<JoinHandle<()>>,
    ra_tasks: Vec<JoinHandle<()>>,
}

impl Net {
    /// Builds the hierarchy and `n` devices (original, unified and compact
    /// unified butterfly keys in turn), starts LA1, LA2, the ACA and the RA.
    pub async fn start(family: Family, kind: Db, n: usize, k: usize) -> (Net, Vec<Device>) {
        Self::start_with_clock(family, kind, n, k, clock()).await
    }

    /// [`Net::start`] with the services on `clock` (the endpoint fuzzers
    /// stop time, so that the requests they build stay fresh).
    pub async fn start_with_clock(
        family: Family,
        kind: Db,
        n: usize,
        k: usize,
        clock: Clock,
    ) -> (Net, Vec<Device>) {
        let w = World::new(family);
        let devices: Vec<Device> = (0..n)
            .map(|x| {
                let kind = [
                    scms_sdk::provision::ButterflyKind::Original,
                    scms_sdk::provision::ButterflyKind::Unified,
                    scms_sdk::provision::ButterflyKind::CompactUnified,
                ][x % 3];
                Device::new(&w, kind)
            })
            .collect();
        let World {
            ks, h, mut ra, aca, ..
        } = w;
        let ks: Arc<dyn KeyStore> = Arc::new(ks);
        let alg = match family {
            Family::Us => SymmAlgorithm::Aes128Ccm,
            Family::Cn => SymmAlgorithm::Sm4Ccm,
        };
        let mut tasks = Vec::new();
        let (d1, d2, d3, ra_db) = (
            db(kind).await,
            db(kind).await,
            db(kind).await,
            db(kind).await,
        );
        let la1 = Arc::new(
            LaService::open(
                LaId(1),
                alg,
                ks.clone(),
                "la1-seal",
                d1.store.clone(),
                &aca.certificate,
                NOW_UNIX,
            )
            .await
            .unwrap()
            .with_investigation(LaInvestigation {
                certificate: h.certificate("la1").unwrap().to_vec(),
                key_label: h.key_labels["la1"].clone(),
                enc_key_label: format!("{}-enc", h.key_labels["la1"]),
                trust: aca.trust.clone(),
                iperiod_epoch_unix: ra.config.iperiod_epoch_unix,
                iperiod_secs: ra.config.iperiod_secs,
                clock: clock.clone(),
                hostname: "la1".into(),
            }),
        );
        let la2 = Arc::new(
            LaService::open(
                LaId(2),
                alg,
                ks.clone(),
                "la2-seal",
                d2.store.clone(),
                &aca.certificate,
                NOW_UNIX,
            )
            .await
            .unwrap()
            .with_investigation(LaInvestigation {
                certificate: h.certificate("la2").unwrap().to_vec(),
                key_label: h.key_labels["la2"].clone(),
                enc_key_label: format!("{}-enc", h.key_labels["la2"]),
                trust: aca.trust.clone(),
                iperiod_epoch_unix: ra.config.iperiod_epoch_unix,
                iperiod_secs: ra.config.iperiod_secs,
                clock: clock.clone(),
                hostname: "la2".into(),
            }),
        );
        let (la1_url, t) = serve(scms_la::service::router(la1.clone())).await;
        tasks.push(t);
        let (la2_url, t) = serve(scms_la::service::router(la2.clone())).await;
        tasks.push(t);
        let fresh = Aca::new(
            aca.certificate.clone(),
            aca.key_label.clone(),
            aca.enc_key_label.clone(),
            aca.profile.clone(),
            aca.trust.clone(),
        );
        let acas = Arc::new(AcaService::new(
            fresh,
            ks.clone(),
            d3.store.clone(),
            clock.clone(),
        ));
        for u in [&la1_url, &la2_url] {
            let r = call(u, "GET", "/v1/aca-key", &[], &[]).await.unwrap();
            assert_eq!(r.status, 200);
            acas.accept_la_key(&r.body).await.unwrap();
        }
        let (aca_url, t) = serve(scms_ca::aca_service::router(acas.clone())).await;
        tasks.push(t);
        ra.config.shuffle.min_devices = k;
        ra.config.shuffle.max_wait_secs = 1;
        ra.config.download_delay_secs = 1;
        ra.config.retry_secs = 1;
        let peers = Peers {
            la1: la1_url,
            la2: la2_url,
            aca: aca_url,
        };
        let ra_service = Arc::new(
            RaService::open(
                ra.clone(),
                ks.clone(),
                RaStore::new(ra_db.store.clone()),
                clock.clone(),
                peers.clone(),
            )
            .await
            .unwrap(),
        );
        let (ra_url, t) = serve(scms_ra::service::router(ra_service.clone())).await;
        let net = Net {
            family,
            ks,
            ra_core: ra,
            root: h.certificate("root").unwrap().to_vec(),
            ica: h.certificate("ica").unwrap().to_vec(),
            clock,
            peers,
            ra_url,
            ra: ra_service,
            la1,
            la2,
            aca: acas,
            ra_db,
            dbs: vec![d1, d2, d3],
            tasks,
            ra_tasks: vec![t],
            h,
        };
        (net, devices)
    }

    pub fn now(&self) -> Time32 {
        (self.clock)()
    }

    /// Starts the RA's background worker.
    pub fn start_worker(&mut self, period: Duration) {
        let t = self.ra.clone().spawn_worker(period);
        self.ra_tasks.push(t);
    }

    /// Stops the RA (server and worker) and opens a new RA service object on
    /// the same database, served on a new port.
    pub async fn restart_ra(&mut self) {
        for t in self.ra_tasks.drain(..) {
            t.abort();
            let _ = t.await;
        }
        let ra = Arc::new(
            RaService::open(
                self.ra_core.clone(),
                self.ks.clone(),
                RaStore::new(self.ra_db.store.clone()),
                self.clock.clone(),
                self.peers.clone(),
            )
            .await
            .unwrap(),
        );
        let (url, t) = serve(scms_ra::service::router(ra.clone())).await;
        self.ra = ra;
        self.ra_url = url;
        self.ra_tasks.push(t);
    }

    pub async fn stop(self) {
        for t in self.tasks.into_iter().chain(self.ra_tasks) {
            t.abort();
        }
        self.ra_db.cleanup().await;
        for d in self.dbs {
            d.cleanup().await;
        }
    }
}

/// The device's `POST /v3/authorization-certificate`; the ack and the latency.
pub async fn provision(net: &Net, d: &mut Device) -> (Ack, Duration) {
    let r = provision_with(net, d, net.now(), 168).await;
    assert_eq!(r.status, 200, "{}", r.text());
    (
        d.request
            .process_ack(&r.body, &net.ra_core.certificate)
            .unwrap(),
        r.latency,
    )
}

/// What the RA answered to a provisioning request, and how fast.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub latency: Duration,
    text: String,
}

impl Answer {
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// `POST /v3/authorization-certificate` for `hours` from `start`, whatever the answer.
pub async fn provision_with(net: &Net, d: &mut Device, start: Time32, hours: u16) -> Answer {
    let params = scms_sdk::provision::RequestParams {
        psids: vec![32, 38],
        start,
        hours,
        explicit: false,
    };
    let req = d
        .request
        .build_request(
            &d.ks,
            "enrol",
            &d.enrollment,
            &net.ra_core.certificate,
            &params,
            net.now(),
        )
        .unwrap();
    let t0 = Instant::now();
    let r = call(
        &net.ra_url,
        "POST",
        "/v3/authorization-certificate",
        &[],
        &req,
    )
    .await
    .unwrap();
    Answer {
        status: r.status,
        latency: t0.elapsed(),
        text: r.text(),
        body: r.body,
    }
}

/// `GET /v3/authorization-certificate` until it is ready (503 + Retry-After
/// meanwhile); the pseudonyms, decrypted and reconstructed.
pub async fn download(net: &Net, d: &Device, i: u32, deadline: Duration) -> Vec<Pseudonym> {
    let t0 = Instant::now();
    loop {
        let dl = d
            .request
            .download_request(
                &d.ks,
                "enrol",
                &d.enrollment,
                &net.ra_core.certificate,
                i,
                net.now(),
            )
            .unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&dl);
        let r = call(
            &net.ra_url,
            "GET",
            "/v3/authorization-certificate",
            &[("Download-Req", &b64)],
            &[],
        )
        .await
        .unwrap();
        match r.status {
            200 => {
                assert_eq!(r.header("content-type"), Some("application/zip"));
                return d
                    .request
                    .process_download(&r.body, &net.ra_core.aca_certificate, i)
                    .unwrap();
            }
            503 => {
                let secs: u64 = r
                    .header("retry-after")
                    .and_then(|v| v.parse().ok())
                    .unwrap();
                assert!(secs >= 1);
                assert!(t0.elapsed() < deadline, "download not ready in time");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            s => panic!("download: HTTP {s}: {}", r.text()),
        }
    }
}
