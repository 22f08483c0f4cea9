//! The LAs answer pre-linkage value requests only from the RA: the CAMP
//! `SignedRaLaIndividualPreLinkageValueRequest` signed by a certificate with
//! the RA role chaining to the LA's trust store, generated within
//! `PLV_REQUEST_MAX_SKEW_SECS` of the LA's clock. Another authority's
//! signature, a stale request and unsigned bytes are refused, and a refused
//! request creates no linkage chain.
//!
//! Every LA error has one status (`scms_la::service`'s `status`, over the
//! typed `LaError`): 400 malformed, 403 refused signer or freshness, 404
//! investigation not enabled, 503 not configured, 500 a stored record that
//! does not open.

mod common;
mod http_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::sync::Arc;

use http_support::{serve, Db, Net};
use scms_ca::aca::TrustStore;
use scms_ca::profile::Family;
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_la::service::{
    decode_plv_response, signed_plv_request, LaInvestigation, LaService, PLV_REQUEST_MAX_SKEW_SECS,
};
use scms_la::PlvRequest;
use scms_ra::http::call;

const REQ: PlvRequest = PlvRequest {
    chain: None,
    i_first: 40,
    i_count: 2,
    j_count: 3,
};

async fn chains(net: &Net) -> i64 {
    let mut n = 0;
    for db in &net.dbs {
        if let Ok(row) = sqlx::query("SELECT COUNT(*) FROM la_chains")
            .fetch_one(db.store.pool())
            .await
        {
            n += sqlx::Row::try_get::<i64, _>(&row, 0).unwrap();
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_ra_gets_pre_linkage_values() {
    let (net, _devices) = Net::start(Family::Us, Db::Sqlite, 1, 1).await;
    let now_us = u64::from(net.now()) * 1_000_000;
    let sign = |role: &str, t: u64| {
        let label = if role == "ra" {
            net.ra_core.key_label.clone()
        } else {
            net.h.key_labels[role].clone()
        };
        let cert = net.h.certificate(role).unwrap().to_vec();
        signed_plv_request(net.ks.as_ref(), &label, &cert, &REQ, t).unwrap()
    };
    let before = chains(&net).await;
    // One signed request to both LAs, as the RA sends it.
    let ra_request = sign("ra", now_us);
    for la in [&net.peers.la1, &net.peers.la2] {
        // The RA, now: the values, 2 i-periods x 3.
        let r = call(la, "POST", "/v1/pre-linkage-values", &[], &ra_request)
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        let plv = decode_plv_response(&r.body).unwrap();
        assert_eq!(plv.values.len(), 6);
        assert_eq!((plv.values[0].i, plv.values[5].i), (40, 41));
        // The same bytes again, within the freshness window: a replay, 403;
        // the same request signed again is answered.
        let r = call(la, "POST", "/v1/pre-linkage-values", &[], &ra_request)
            .await
            .unwrap();
        assert_eq!(r.status, 403, "{}", r.text());
        assert!(r.text().contains("replay"), "{}", r.text());
        let r = call(
            la,
            "POST",
            "/v1/pre-linkage-values",
            &[],
            &sign("ra", now_us),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        // Other authorities (valid certificates, wrong role): 403.
        for role in ["ma", "eca", "aca"] {
            let r = call(
                la,
                "POST",
                "/v1/pre-linkage-values",
                &[],
                &sign(role, now_us),
            )
            .await
            .unwrap();
            assert_eq!(r.status, 403, "{role}: {}", r.text());
            assert!(r.text().contains("role"), "{}", r.text());
        }
        // The RA, but stale (a replay of an old request) or from the future: 403.
        let skew = u64::from(PLV_REQUEST_MAX_SKEW_SECS + 60) * 1_000_000;
        for t in [now_us - skew, now_us + skew] {
            let r = call(la, "POST", "/v1/pre-linkage-values", &[], &sign("ra", t))
                .await
                .unwrap();
            assert_eq!(r.status, 403, "{}", r.text());
            assert!(r.text().contains("stale"), "{}", r.text());
        }
        // A signature that does not verify: 403.
        let mut forged = sign("ra", now_us);
        let n = forged.len();
        forged[n - 5] ^= 0x40;
        let r = call(la, "POST", "/v1/pre-linkage-values", &[], &forged)
            .await
            .unwrap();
        assert_eq!(r.status, 403, "{}", r.text());
        // Unsigned bytes: 400.
        let r = call(la, "POST", "/v1/pre-linkage-values", &[], &[0, 0, 0, 0, 40])
            .await
            .unwrap();
        assert_eq!(r.status, 400, "{}", r.text());
    }
    // Only the four accepted requests created chains.
    assert_eq!(chains(&net).await, before + 4);
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_la_error_has_its_status_and_reason() {
    let (net, _devices) = Net::start(Family::Us, Db::Sqlite, 1, 1).await;
    let now_us = u64::from(net.now()) * 1_000_000;
    let ra_signed = signed_plv_request(
        net.ks.as_ref(),
        &net.ra_core.key_label,
        &net.ra_core.certificate,
        &REQ,
        now_us,
    )
    .unwrap();
    let ma_label = net.h.key_labels["ma"].clone();
    let ma_cert = net.h.certificate("ma").unwrap().to_vec();
    // The MA's `SecuredLSRequest`: signed, then encrypted to LA1's certificate.
    let la1_cert = net.h.certificate("la1").unwrap().to_vec();
    let seed_request = |lci: &[u8], label: &str, cert: &[u8]| {
        scms_ca::spdu::scms_signed_encrypted(
            net.ks.as_ref(),
            label,
            cert,
            &scms_ma_request(lci),
            &la1_cert,
        )
        .unwrap()
    };
    let la1 = &net.peers.la1;

    // A chain of LA1, and the MA asks for its seed: 200.
    let r = call(la1, "POST", "/v1/pre-linkage-values", &[], &ra_signed)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let lci = decode_plv_response(&r.body).unwrap().lci;
    let by_ma = seed_request(&lci, &ma_label, &ma_cert);
    let r = call(la1, "POST", "/v3/linkage-seed", &[], &by_ma)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    // 403: the same bytes again (a replay).
    let r = call(la1, "POST", "/v3/linkage-seed", &[], &by_ma)
        .await
        .unwrap();
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("replay refused"), "{}", r.text());

    // 400: not an SPDU, or the MA's signed request not encrypted; 403:
    // encrypted to another LA (LA2), or signed by the RA (not an MA).
    let r = call(la1, "POST", "/v3/linkage-seed", &[], b"\x03\x80\x00")
        .await
        .unwrap();
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().starts_with("bad request: SPDU: "), "{}", r.text());
    let plain =
        scms_ca::spdu::scms_signed(net.ks.as_ref(), &ma_label, &ma_cert, &scms_ma_request(&lci))
            .unwrap();
    let r = call(la1, "POST", "/v3/linkage-seed", &[], &plain)
        .await
        .unwrap();
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.text().starts_with("bad request: SPDU: not encrypted"),
        "{}",
        r.text()
    );
    let to_la2 = scms_ca::spdu::scms_signed_encrypted(
        net.ks.as_ref(),
        &ma_label,
        &ma_cert,
        &scms_ma_request(&lci),
        net.h.certificate("la2").unwrap(),
    )
    .unwrap();
    let r = call(la1, "POST", "/v3/linkage-seed", &[], &to_la2)
        .await
        .unwrap();
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.text().contains("no recipient info names this recipient"),
        "{}",
        r.text()
    );
    let by_ra = seed_request(&lci, &net.ra_core.key_label, &net.ra_core.certificate);
    let r = call(la1, "POST", "/v3/linkage-seed", &[], &by_ra)
        .await
        .unwrap();
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("SCMS role"), "{}", r.text());

    // 500: the chain's sealed record in LA1's database does not open.
    sqlx::query("UPDATE la_chains SET sealed = $1")
        .bind(vec![0u8, 1, 2])
        .execute(net.dbs[0].store.pool())
        .await
        .unwrap();
    let again = seed_request(&lci, &ma_label, &ma_cert);
    let r = call(la1, "POST", "/v3/linkage-seed", &[], &again)
        .await
        .unwrap();
    assert_eq!(r.status, 500, "{}", r.text());
    assert!(
        r.text().contains("stored sealed record is corrupt"),
        "{}",
        r.text()
    );

    // An LA without investigation: 404 for seeds, 503 for PLVs (no trust
    // store to check the RA with).
    let dir = tempfile::tempdir().unwrap();
    let bare = extra_la(&net, 3, dir.path()).await;
    let (bare_url, task) = serve(scms_la::service::router(Arc::new(bare))).await;
    let r = call(&bare_url, "POST", "/v3/linkage-seed", &[], &by_ma)
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.text().trim()),
        (404, "investigation not enabled")
    );
    let r = call(&bare_url, "POST", "/v1/pre-linkage-values", &[], &ra_signed)
        .await
        .unwrap();
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(r.text().starts_with("not configured: "), "{}", r.text());

    // An LA whose allowlist of peers names only the MA (as `scms serve`
    // configures an LA, but without the RA): the RA's request, valid chain
    // and RA role, gets 403 naming the allowlist.
    let mut ma_only = TrustStore::new();
    ma_only.add_anchor(&net.root).unwrap();
    ma_only.add_ca(&net.ica).unwrap();
    ma_only.allow_peer(&ma_cert).unwrap();
    let strict = extra_la(&net, 4, dir.path())
        .await
        .with_investigation(LaInvestigation {
            certificate: la1_cert.clone(),
            key_label: net.h.key_labels["la1"].clone(),
            enc_key_label: format!("{}-enc", net.h.key_labels["la1"]),
            trust: ma_only,
            iperiod_epoch_unix: net.ra_core.config.iperiod_epoch_unix,
            iperiod_secs: net.ra_core.config.iperiod_secs,
            clock: net.clock.clone(),
            hostname: "la4".into(),
        });
    let (strict_url, strict_task) = serve(scms_la::service::router(Arc::new(strict))).await;
    let r = call(
        &strict_url,
        "POST",
        "/v1/pre-linkage-values",
        &[],
        &ra_signed,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.text().contains("is not in the allowlist of peers"),
        "{}",
        r.text()
    );
    strict_task.abort();

    task.abort();
    net.stop().await;
}

/// An LA without investigation, on its own SQLite file in `dir`.
async fn extra_la(net: &Net, id: u16, dir: &std::path::Path) -> LaService {
    LaService::open(
        LaId(id),
        SymmAlgorithm::Aes128Ccm,
        net.ks.clone(),
        &format!("la{id}-seal"),
        scms_ca::store::Store::open_sqlite(&dir.join(format!("la{id}.db")))
            .await
            .unwrap(),
        &net.ra_core.aca_certificate,
        common::NOW_UNIX,
    )
    .await
    .unwrap()
}

/// The MA's `ScopedLSRequest` for one linkage chain identifier (COER).
fn scms_ma_request(lci: &[u8]) -> scms_asn1::camp::protocol::ScopedLSRequest<'_> {
    use scms_asn1::camp::la_ma::{
        LaMaInterfacePDU, MaLaLinkageSeedRequestMsg, ToBeSignedLSRequestMsg,
    };
    use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent, ScopedLSRequest};
    ScopedLSRequest(ScmsPDU {
        version: 1,
        content: ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageSeedRequest(
            MaLaLinkageSeedRequestMsg {
                version: 1,
                tbs: ToBeSignedLSRequestMsg {
                    ma_id: scms_ca::spdu::hostname("ma"),
                    lci: vec![scms_asn1::decode(lci).unwrap()],
                    unknown_extensions: Default::default(),
                },
                signatures: Vec::new(),
            },
        )),
    })
}
