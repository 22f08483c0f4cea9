//! Our authorities as the HTTP services `scms serve` will host, each on its
//! own SQLite database, the way `ra/tests/http_support` wires them: LA1, LA2
//! and the ACA on their own loopback ports (the RA's peers), and one public
//! port with the ECA's, the RA's, the CRL generator's and the MA's /v3/ routes
//! (the MA investigating through the RA, ACA and LAs, revoking through the CRL
//! generator: `scms_conformance::scms::start_crl_and_ma`). The RA's worker runs
//! batches every 200 ms (shuffle K = 1, download ready after a second).

use std::sync::Arc;

use scms_asn1::ieee1609dot2::time::unix_from_time32;
use scms_ca::aca::{Aca, TrustStore};
use scms_ca::aca_service::AcaService;
use scms_ca::eca::{system_now, Eca};
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

/// The running services; dropping it stops them (their runtime ends).
pub struct Services {
    pub url: String,
    _rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

async fn serve(router: axum::Router) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(l, router).await;
    });
    url
}

pub fn start(family: Family) -> Services {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = rt.block_on(start_in(family, dir.path()));
    Services {
        url,
        _rt: rt,
        _dir: dir,
    }
}

async fn store(dir: &std::path::Path, name: &str) -> Store {
    Store::open_sqlite(&dir.join(format!("{name}.db")))
        .await
        .unwrap()
}

async fn start_in(family: Family, dir: &std::path::Path) -> String {
    let mem = MemoryKeyStore::new();
    let t0 = system_now() - 30 * 86_400;
    let opts = HierarchyOptions::new(family, t0);
    let h = build(&mem, &opts).unwrap();
    let ks: Arc<dyn KeyStore> = Arc::new(mem);
    let cert = |role: &str| h.certificate(role).unwrap().to_vec();
    let clock: Clock = Arc::new(system_now);
    let now_unix = unix_from_time32(system_now());

    // ECA, on the hierarchy's database.
    let eca_store = store(dir, "eca").await;
    eca_store
        .commit(&Batch::hierarchy(&h, &opts).unwrap(), unix_from_time32(t0))
        .await
        .unwrap();
    let eca = Eca::from_store(
        eca_store,
        ks.clone(),
        builtin(family, "enrollment").unwrap(),
    )
    .await
    .unwrap();

    // LA1, LA2 and the ACA, the RA's peers.
    let alg = match family {
        Family::Us => SymmAlgorithm::Aes128Ccm,
        Family::Cn => SymmAlgorithm::Sm4Ccm,
    };
    let aca_cert = cert("aca");
    let mut trust = TrustStore::new();
    trust.add_anchor(&cert("root")).unwrap();
    for role in ["ica", "eca"] {
        trust.add_ca(&cert(role)).unwrap();
    }
    let profile = builtin(family, "pseudonym").unwrap();
    let epoch = profile.iperiod_epoch_unix.unwrap();
    let mut las = Vec::new();
    for (id, name) in [(1u16, "la1"), (2, "la2")] {
        // Answers the MA's linkage-seed requests (investigation).
        let la = LaService::open(
            LaId(id),
            alg,
            ks.clone(),
            &format!("{name}-seal"),
            store(dir, name).await,
            &aca_cert,
            now_unix,
        )
        .await
        .unwrap()
        .with_investigation(LaInvestigation {
            certificate: cert(name),
            key_label: h.key_labels[name].clone(),
            enc_key_label: format!("{}-enc", h.key_labels[name]),
            trust: trust.clone(),
            iperiod_epoch_unix: epoch,
            iperiod_secs: RaConfig::new(epoch).iperiod_secs,
            clock: clock.clone(),
            hostname: name.into(),
        });
        las.push(serve(scms_la::service::router(Arc::new(la))).await);
    }
    let aca = Aca::new(
        aca_cert.clone(),
        h.key_labels["aca"].clone(),
        format!("{}-enc", h.key_labels["aca"]),
        profile,
        trust.clone(),
    );
    let acas = Arc::new(AcaService::new(
        aca,
        ks.clone(),
        store(dir, "aca").await,
        clock.clone(),
    ));
    for u in &las {
        let r = scms_ra::http::call(u, "GET", "/v1/aca-key", &[], &[])
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        acas.accept_la_key(&r.body).await.unwrap();
    }
    let aca_url = serve(scms_ca::aca_service::router(acas)).await;

    // The RA, its worker, and the public port.
    let mut config = RaConfig::new(epoch);
    config.shuffle.min_devices = 1;
    config.shuffle.max_wait_secs = 1;
    config.download_delay_secs = 1;
    config.retry_secs = 1;
    config.policy.certs_per_period = 5;
    let ra = Ra {
        certificate: cert("ra"),
        key_label: h.key_labels["ra"].clone(),
        enc_key_label: format!("{}-enc", h.key_labels["ra"]),
        aca_certificate: aca_cert,
        trust,
        config,
    };
    let ra_service = Arc::new(
        RaService::open(
            ra,
            ks.clone(),
            RaStore::new(store(dir, "ra").await),
            clock,
            Peers {
                la1: las[0].clone(),
                la2: las[1].clone(),
                aca: aca_url.clone(),
            },
        )
        .await
        .unwrap(),
    );
    ra_service
        .clone()
        .spawn_worker(std::time::Duration::from_millis(200));

    // The CRL generator and the MA, the RA, ACA and LAs as its peers.
    let ra_url = scms_conformance::scms::serve_router(scms_ra::service::router(ra_service.clone()))
        .await
        .unwrap();
    let crl_ma = scms_conformance::scms::start_crl_and_ma(
        ks.clone(),
        &h,
        epoch,
        5,
        scms_conformance::scms::MaAuthorities {
            aca: aca_url,
            ra: ra_url,
            la1: las[0].clone(),
            la2: las[1].clone(),
        },
        dir,
    )
    .await
    .unwrap();
    let public = scms_ca::eca::router(Arc::new(eca))
        .merge(scms_ra::service::router(ra_service))
        .merge(scms_ca::crl_service::router(crl_ma.crl))
        .merge(scms_ma::router(crl_ma.ma));
    serve(public).await
}
