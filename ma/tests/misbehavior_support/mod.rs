//! The misbehavior side of the loopback SCMS of `ra/tests/http_support`:
//! the CRL generator and the MA as axum services, each on its own database.
#![allow(dead_code)]

use std::sync::Arc;

use scms_ca::aca::TrustStore;
use scms_ca::crl_service::{CrlService, CrlServiceConfig};
use scms_ma::{MaConfig, MaPeers, MaService};

use crate::http_support::{db, serve, Db, Net};
use crate::store_support::TestDb;

/// The MA and the CRL generator of a [`Net`] ([`start_misbehavior`]).
pub struct Misbehavior {
    pub ma: Arc<MaService>,
    pub ma_url: String,
    pub ma_cert: Vec<u8>,
    pub ma_db: TestDb,
    pub crl: Arc<CrlService>,
    pub crl_url: String,
    pub crl_db: TestDb,
}

/// Starts the CRL generator and the MA, each on its own database of
/// `kind`, with the MA's peers on `net`.
pub async fn start_misbehavior(net: &mut Net, kind: Db) -> Misbehavior {
    let epoch = net.ra_core.config.iperiod_epoch_unix;
    let mut ca_trust = TrustStore::new();
    ca_trust.add_anchor(&net.root).unwrap();
    ca_trust.add_ca(&net.ica).unwrap();
    let crl_db = db(kind).await;
    let crl = Arc::new(
        CrlService::open(
            CrlServiceConfig::new(
                net.h.certificate("crl").unwrap().to_vec(),
                net.h.key_labels["crl"].clone(),
                ca_trust,
                epoch,
            ),
            net.ks.clone(),
            crl_db.store.clone(),
            net.clock.clone(),
        )
        .await
        .unwrap(),
    );
    let (crl_url, t) = serve(scms_ca::crl_service::router(crl.clone())).await;
    net.tasks.push(t);
    let (ma, ma_db) = open_ma(net, kind, &crl_url, &net.peers.la1).await;
    let (ma_url, t) = serve(scms_ma::router(ma.clone())).await;
    net.tasks.push(t);
    Misbehavior {
        ma,
        ma_url,
        ma_cert: net.h.certificate("ma").unwrap().to_vec(),
        ma_db,
        crl,
        crl_url,
        crl_db,
    }
}

/// The MA's trust store: the root, the ICA and the ACA (reporters' pseudonym
/// certificates and the authorities' certificates chain there).
pub fn ma_trust(net: &Net) -> TrustStore {
    let mut t = TrustStore::new();
    t.add_anchor(&net.root).unwrap();
    t.add_ca(&net.ica).unwrap();
    t.add_ca(&net.ra_core.aca_certificate).unwrap();
    t
}

/// An MA on its own database of `kind`, with the peers of `net`, the CRL
/// generator at `crl_url` and LA1 at `la1_url` (LA1's certificate stays the
/// hierarchy's: a test may put something else at LA1's address).
pub async fn open_ma(
    net: &Net,
    kind: Db,
    crl_url: &str,
    la1_url: &str,
) -> (Arc<MaService>, TestDb) {
    let epoch = net.ra_core.config.iperiod_epoch_unix;
    let ma_label = net.h.key_labels["ma"].clone();
    let ma_db = db(kind).await;
    let ma = MaService::open(
        MaConfig::new(
            net.h.certificate("ma").unwrap().to_vec(),
            ma_label.clone(),
            format!("{ma_label}-enc"),
            ma_trust(net),
            epoch,
        ),
        net.ks.clone(),
        ma_db.store.clone(),
        net.clock.clone(),
        MaPeers {
            aca: net.peers.aca.clone(),
            ra: net.ra_url.clone(),
            la1: la1_url.to_string(),
            la2: net.peers.la2.clone(),
            crl: crl_url.to_string(),
            la1_certificate: net.h.certificate("la1").unwrap().to_vec(),
            la2_certificate: net.h.certificate("la2").unwrap().to_vec(),
        },
    )
    .await
    .unwrap();
    (Arc::new(ma), ma_db)
}
