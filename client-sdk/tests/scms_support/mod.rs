//! A whole SCMS on loopback over HTTP, on one hierarchy and the real clock,
//! for the device-side tests (the `scms device` command line, the C ABI):
//! the ECA (also answering successor enrollment, as the RA), LA1, LA2, the
//! ACA and the RA with its worker, each on its own SQLite file, served from a
//! background tokio runtime.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use scms_ca::aca::{Aca, TrustStore};
use scms_ca::aca_service::AcaService;
use scms_ca::eca::{system_now, Eca, SuccessorFront};
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::profile::{builtin, Family};
use scms_ca::store::{Batch, Store};
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_la::service::{LaInvestigation, LaService};
use scms_ra::service::{Clock, Peers, RaService};
use scms_ra::store::RaStore;
use scms_ra::{Ra, RaConfig};

pub async fn serve(router: axum::Router) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", l.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(l, router).await;
    });
    url
}

/// The running services: their URLs and the hierarchy's exported files
/// (`<role>.oer` and `ctl.oer`).
pub struct Scms {
    pub eca: String,
    pub ra: String,
    pub files: Vec<(String, Vec<u8>)>,
    pub rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Scms {
    pub fn start() -> Scms {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (eca, ra, files, dir) = rt.block_on(start());
        Scms {
            eca,
            ra,
            files,
            rt,
            _dir: dir,
        }
    }

    /// The exported certificate of `role`.
    pub fn certificate(&self, role: &str) -> Vec<u8> {
        let name = format!("{role}.oer");
        self.files
            .iter()
            .find(|(n, _)| *n == name)
            .expect("role")
            .1
            .clone()
    }

    /// One HTTP exchange with a service: (status, body).
    pub fn call(
        &self,
        base: &str,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        let r = self
            .rt
            .block_on(scms_ra::http::call(base, method, path, headers, body))
            .expect("HTTP");
        (r.status, r.body)
    }
}

async fn start() -> (String, String, Vec<(String, Vec<u8>)>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = system_now();
    let mem = MemoryKeyStore::new();
    // Started a month ago: the pseudonyms of the current i-period (which
    // began up to a week ago) must fit inside the ACA's validity.
    let opts = HierarchyOptions::new(Family::Us, now - 30 * 86_400);
    let h = build(&mem, &opts).expect("hierarchy");
    let ks: Arc<dyn KeyStore> = Arc::new(mem);
    let clock: Clock = Arc::new(system_now);
    let now_unix = scms_asn1::ieee1609dot2::time::unix_from_time32(now);
    let db = |name: &str| {
        let path = dir.path().join(name);
        async move { Store::open_sqlite(&path).await.expect("store") }
    };
    let cert = |role: &str| h.certificate(role).expect("role").to_vec();
    let label = |role: &str| h.key_labels[role].clone();

    // ECA, answering successor enrollment as the RA (same key store).
    let eca_db = db("eca.db").await;
    eca_db
        .commit(&Batch::hierarchy(&h, &opts).expect("batch"), now_unix)
        .await
        .expect("commit");
    let eca = Eca::from_store(
        eca_db,
        ks.clone(),
        builtin(Family::Us, "enrollment").expect("profile"),
    )
    .await
    .expect("eca")
    .with_successor_front(SuccessorFront {
        certificate: cert("ra"),
        key_label: label("ra"),
        enc_key_label: format!("{}-enc", label("ra")),
    });
    let eca_url = serve(scms_ca::eca::router(Arc::new(eca))).await;

    // LA1, LA2 and the ACA.
    let mut trust = TrustStore::new();
    trust.add_anchor(&cert("root")).expect("anchor");
    for role in ["ica", "eca"] {
        trust.add_ca(&cert(role)).expect("ca");
    }
    let pseudonym = builtin(Family::Us, "pseudonym").expect("profile");
    let epoch = pseudonym.iperiod_epoch_unix.expect("epoch");
    let mut las = Vec::new();
    for (n, name) in [(1u16, "la1"), (2, "la2")] {
        let la = LaService::open(
            LaId(n),
            SymmAlgorithm::Aes128Ccm,
            ks.clone(),
            &format!("{name}-seal"),
            db(&format!("{name}.db")).await,
            &cert("aca"),
            now_unix,
        )
        .await
        .expect("la")
        // Its certificate and trust: it answers only the RA's signed requests.
        .with_investigation(LaInvestigation {
            certificate: cert(name),
            key_label: label(name),
            enc_key_label: format!("{}-enc", label(name)),
            trust: trust.clone(),
            iperiod_epoch_unix: epoch,
            iperiod_secs: RaConfig::new(epoch).iperiod_secs,
            clock: clock.clone(),
            hostname: name.into(),
        });
        las.push(serve(scms_la::service::router(Arc::new(la))).await);
    }
    let aca = Arc::new(AcaService::new(
        Aca::new(
            cert("aca"),
            label("aca"),
            format!("{}-enc", label("aca")),
            pseudonym,
            trust.clone(),
        ),
        ks.clone(),
        db("aca.db").await,
        clock.clone(),
    ));
    for la in &las {
        let r = scms_ra::http::call(la, "GET", "/v1/aca-key", &[], &[])
            .await
            .expect("aca key");
        assert_eq!(r.status, 200);
        aca.accept_la_key(&r.body).await.expect("la key");
    }
    let aca_url = serve(scms_ca::aca_service::router(aca)).await;

    // The RA: one device is enough for a batch, released within a second.
    let mut config = RaConfig::new(epoch);
    config.shuffle.min_devices = 1;
    config.shuffle.max_wait_secs = 1;
    config.download_delay_secs = 1;
    config.retry_secs = 1;
    let ra = Ra {
        certificate: cert("ra"),
        key_label: label("ra"),
        enc_key_label: format!("{}-enc", label("ra")),
        aca_certificate: cert("aca"),
        trust,
        config,
    };
    let ra = Arc::new(
        RaService::open(
            ra,
            ks.clone(),
            RaStore::new(db("ra.db").await),
            clock,
            Peers {
                la1: las[0].clone(),
                la2: las[1].clone(),
                aca: aca_url,
            },
        )
        .await
        .expect("ra"),
    );
    let ra_url = serve(scms_ra::service::router(ra.clone())).await;
    ra.spawn_worker(Duration::from_millis(200));
    (eca_url, ra_url, h.export_files(), dir)
}
