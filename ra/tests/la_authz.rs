//! The LAs answer pre-linkage value requests only from the RA: the CAMP
//! `SignedRaLaIndividualPreLinkageValueRequest` signed by a certificate with
//! the RA role chaining to the LA's trust store, generated within
//! `PLV_REQUEST_MAX_SKEW_SECS` of the LA's clock. Another authority's
//! signature, a stale request and unsigned bytes are refused, and a refused
//! request creates no linkage chain.

mod common;
mod http_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use http_support::{Db, Net};
use scms_ca::profile::Family;
use scms_la::service::{decode_plv_response, signed_plv_request, PLV_REQUEST_MAX_SKEW_SECS};
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
    for la in [&net.peers.la1, &net.peers.la2] {
        // The RA, now: the values, 2 i-periods x 3.
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
        let plv = decode_plv_response(&r.body).unwrap();
        assert_eq!(plv.values.len(), 6);
        assert_eq!((plv.values[0].i, plv.values[5].i), (40, 41));
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
    // Only the two accepted requests created chains.
    assert_eq!(chains(&net).await, before + 2);
    net.stop().await;
}
