//! Pseudonym provisioning end to end over HTTP on loopback, on SQLite and on
//! PostgreSQL: LA1, LA2, the ACA and the RA as axum services on their own
//! databases; three devices (original, unified and compact unified butterfly
//! keys) provision, the RA expands and releases (K = 3), then the RA service object is
//! restarted on the same database with requests in flight to the ACA; its
//! background worker finishes, the devices download (retrying on 503),
//! decrypt, reconstruct keys matching their certificates, sign a BSM that
//! verifies to the root. Privacy: the RA's tables hold no plaintext
//! pseudonym certificate, the LAs' no seed in clear.

mod common;
mod http_support;
// The PostgreSQL/SQLite test databases of the CA tests (one copy for both crates).
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::time::Duration;

use http_support::{download, provision, provision_with, Db, Net};
use scms_asn1::ieee1609dot2::Certificate;
use scms_ca::profile::Family;
use scms_crypto::verify::{certificate_hashed_id8, certificate_public_key};
use scms_hsm::MemoryKeyStore;
use scms_ra::http::call;
use scms_sdk::{Message, Signer, SigningIdentity, Verifier, VerifierConfig};
use sqlx::Row;

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

async fn all_blobs(pool: &sqlx::AnyPool, tables: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (t, cols) in tables {
        for row in sqlx::query(&format!("SELECT {cols} FROM {t}"))
            .fetch_all(pool)
            .await
            .unwrap()
        {
            for n in 0..row.len() {
                if let Ok(b) = row.try_get::<Vec<u8>, _>(n) {
                    out.extend_from_slice(&b);
                }
            }
        }
    }
    out
}

async fn run(family: Family, kind: Db) {
    let (mut net, mut devices) = Net::start(family, kind, 3, 3).await;

    // The RA certificate over HTTP.
    let r = call(&net.ra_url, "GET", "/v3/ra-certificate", &[], &[])
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, net.ra_core.certificate);

    // Bad input: 400 with one line.
    let r = call(
        &net.ra_url,
        "POST",
        "/v3/authorization-certificate",
        &[],
        b"junk",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.text().lines().count(), 1);

    let mut acks = Vec::new();
    for d in devices.iter_mut() {
        acks.push(provision(&net, d).await.0);
    }
    let i = u32::from(acks[0].first_i.unwrap());

    // Not ready yet: 503 + Retry-After.
    let dl = devices[0]
        .request
        .download_request(
            &devices[0].ks,
            "enrol",
            &devices[0].enrollment,
            &net.ra_core.certificate,
            i,
            net.now(),
        )
        .unwrap();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &dl);
    let r = call(
        &net.ra_url,
        "GET",
        "/v3/authorization-certificate",
        &[("Download-Req", &b64)],
        &[],
    )
    .await
    .unwrap();
    assert_eq!(r.status, 503);
    assert!(r.header("retry-after").is_some());

    // Expand and release (K = 3 devices): 60 requests in flight, persisted.
    assert_eq!(net.ra.expand().await.unwrap(), 3);
    assert_eq!(net.ra.release().await.unwrap(), 60);
    assert_eq!(net.ra.state().await.in_flight.len(), 60);

    // Restart the RA service object on the same database, with its worker.
    net.restart_ra().await;
    assert_eq!(
        net.ra.state().await.in_flight.len(),
        60,
        "nothing acknowledged is lost"
    );
    assert_eq!(net.ra.state().await.requests.len(), 3);
    net.start_worker(Duration::from_millis(100));

    let mut pseudonyms = Vec::new();
    let aca: Certificate<'_> = scms_asn1::decode(&net.ra_core.aca_certificate).unwrap();
    for d in &devices {
        let ps = download(&net, d, i, Duration::from_secs(120)).await;
        assert_eq!(ps.len(), 20);
        for (j, p) in ps.iter().enumerate() {
            assert_eq!(p.j as usize, j);
            let c: Certificate<'_> = scms_asn1::decode(&p.certificate).unwrap();
            assert!(!c.is_explicit());
            assert_eq!(
                p.key.public_key(),
                certificate_public_key(&c, Some(&aca)).unwrap()
            );
        }
        pseudonyms.extend(ps);
    }

    // The ACA committed 60 certificates (and the idempotency records).
    assert!(net.aca.store().certificate_count().await.unwrap() >= 60);

    // A BSM signed with a pseudonym verifies through the chain to the root.
    let p0 = &pseudonyms[0];
    let keys = MemoryKeyStore::new();
    keys.insert("p0", p0.key.clone()).unwrap();
    let mut signer = Signer::new(SigningIdentity::new(p0.certificate.clone(), "p0").unwrap());
    let t64 = (u64::from(net.now()) + 60) * 1_000_000;
    let msg = signer
        .sign(
            &keys,
            &Message {
                psid: 32,
                payload: b"basic safety message",
                generation_time: t64,
                generation_location: None,
                expiry_time: None,
                p2pcd_learning_request: None,
            },
        )
        .unwrap();
    let mut v = Verifier::new(VerifierConfig::default());
    v.store.add_trust_anchor(&net.root).unwrap();
    for c in [&net.ica[..], &net.ra_core.aca_certificate[..]] {
        v.store
            .add_certificate(&scms_asn1::decode(c).unwrap())
            .unwrap();
    }
    let ok = v.verify(&msg, t64).expect("BSM verifies to the root");
    assert_eq!(ok.payload, b"basic safety message");

    // Privacy: no plaintext pseudonym certificate in the RA's tables; no seed
    // in clear in the LAs'.
    let ra_bytes = all_blobs(
        net.ra_db.store.pool(),
        &[
            ("ra_requests", "request_hash, enrollment, record, ack"),
            ("ra_queue", "tbs_cert, linkage_info, cert_enc_key"),
            ("ra_in_flight", "spdu"),
            ("ra_responses", "response"),
        ],
    )
    .await;
    assert!(!ra_bytes.is_empty());
    for p in &pseudonyms {
        assert!(
            !contains(&ra_bytes, &p.certificate),
            "RA database: no plaintext pseudonym"
        );
    }
    for (la, db) in [(&net.la1, &net.dbs[0]), (&net.la2, &net.dbs[1])] {
        let chains = la.chains().await.unwrap();
        assert_eq!(chains.len(), 3);
        let la_bytes = all_blobs(
            db.store.pool(),
            &[
                ("la_chains", "chain_id, sealed"),
                ("la_aca_keys", "sealed_key, aca_message"),
            ],
        )
        .await;
        for (_, rec) in &chains {
            assert!(
                !contains(&la_bytes, rec.seed.as_bytes()),
                "LA database: no seed in clear"
            );
        }
        let key = la.authority().aca_key().unwrap();
        assert!(
            !contains(&la_bytes, key.as_bytes()),
            "LA database: no ACA key in clear"
        );
    }

    // The request policy over HTTP, each refusal a 4xx with a one-line reason.
    // The same i-period again: 409.
    let r = provision_with(&net, &mut devices[0], net.now(), 168).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("already provisioned"), "{}", r.text());
    // A blocklisted enrollment certificate: 403.
    let enrollment: Certificate<'_> = scms_asn1::decode(&devices[1].enrollment).unwrap();
    let id = certificate_hashed_id8(&enrollment).unwrap();
    net.ra.block(id.0).await.unwrap();
    let r = provision_with(&net, &mut devices[1], net.now() + 7 * 86_400, 168).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.text().lines().count(), 1);
    // Two requests per window: the next i-period is granted, a third request
    // is rate limited (429), before any other check. The blocklist survives
    // the restart (it is in the RA's database).
    net.ra_core.config.policy.max_requests_per_window = 2;
    net.restart_ra().await;
    let r = provision_with(&net, &mut devices[1], net.now() + 7 * 86_400, 168).await;
    assert_eq!(r.status, 403, "blocklisted after a restart: {}", r.text());
    let r = provision_with(&net, &mut devices[2], net.now() + 7 * 86_400, 168).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = provision_with(&net, &mut devices[2], net.now() + 7 * 86_400, 168).await;
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r.text().contains("rate limited"), "{}", r.text());
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn us_over_http_on_sqlite() {
    run(Family::Us, Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn us_over_http_on_postgres() {
    run(Family::Us, Db::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cn_over_http_on_sqlite() {
    run(Family::Cn, Db::Sqlite).await;
}
