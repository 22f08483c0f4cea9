//! Issue 6, done when: over HTTP on loopback (SQLite and PostgreSQL), a device
//! misbehaves, two others report it, the MA revokes after investigating
//! across the ACA, the RA and both LAs, the CRL generator publishes the CRL,
//! a verifier applying it rejects the culprit's pseudonyms of the current and
//! the next i-period and accepts everyone else's, and the RA refuses the
//! culprit's next provisioning request.

#[path = "../../ra/tests/common/mod.rs"]
mod common;
#[path = "../../ra/tests/http_support/mod.rs"]
mod http_support;
#[path = "misbehavior_support/mod.rs"]
mod misbehavior_support;
#[path = "report_support/mod.rs"]
mod report_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::time::{Duration, Instant};

use http_support::{download, provision_with, Db, Net};
use report_support::{bsm, report};
use scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp;
use scms_ca::profile::Family;
use scms_ma::Decision;
use scms_ra::http::call;
use scms_sdk::provision::Pseudonym;
use scms_sdk::verify::{Rejection, Verifier, VerifierConfig};

async fn audit_kinds(store: &scms_ca::store::Store) -> Vec<String> {
    store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

async fn run(kind: Db) {
    let t0 = Instant::now();
    let (mut net, mut devices) = Net::start(Family::Us, kind, 4, 3).await;
    let i = net.ra_core.config.iperiod_of(net.now()).unwrap();

    // The CRL generator and the MA, each on its own database.
    let misbehavior_support::Misbehavior {
        ma,
        ma_url,
        ma_cert,
        ma_db,
        crl_url,
        crl_db,
        ..
    } = misbehavior_support::start_misbehavior(&mut net, kind).await;

    // The MA certificate for BSMs; not for a PSID it does not handle.
    let r = call(&ma_url, "GET", "/v3/ma-certificate?psid=20", &[], &[])
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body, ma_cert);
    let r = call(&ma_url, "GET", "/v3/ma-certificate?psid=87", &[], &[])
        .await
        .unwrap();
    assert_eq!(r.status, 404, "{}", r.text());

    // Three devices provision two i-periods each (the fourth stays new).
    let now = net.now();
    for d in devices.iter_mut().take(3) {
        let a = provision_with(&net, d, now, 336).await;
        assert_eq!(a.status, 200, "{}", a.text());
        d.request
            .process_ack(&a.body, &net.ra_core.certificate)
            .unwrap();
    }
    net.start_worker(Duration::from_millis(50));
    let mut ps: Vec<[Vec<Pseudonym>; 2]> = Vec::new();
    for d in &devices[..3] {
        let cur = download(&net, d, i, Duration::from_secs(120)).await;
        let next = download(&net, d, i + 1, Duration::from_secs(120)).await;
        assert_eq!((cur.len(), next.len()), (20, 20));
        ps.push([cur, next]);
    }
    let provisioned = t0.elapsed();

    // The culprit claims to move 200 m in one second.
    let t64 = u64::from(net.now()) * 1_000_000;
    let culprit = &ps[0][0][0];
    let evidence = vec![
        bsm(culprit, "c", t64, 0.0),
        bsm(culprit, "c", t64 + 1_000_000, 200.0),
    ];

    // First reporter: accepted, below the threshold: nothing unmasked.
    let r1 = report(&ps[1][0][0], &ma_cert, evidence.clone(), t64 + 1_500_000);
    let out = ma.handle_report(&r1).await.unwrap();
    assert_eq!(out.findings, vec!["implausible-speed"]);
    assert_eq!(out.decision, Decision::Pending { reporters: 1 });
    // The same report again (over HTTP): merged, still one reporter.
    let r = call(&ma_url, "POST", "/v3/misbehavior-report", &[], &r1)
        .await
        .unwrap();
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(ma.reporters(&out.target).await.unwrap(), 1);
    assert!(!audit_kinds(ma.store())
        .await
        .contains(&"ma-investigation".to_string()));
    let r = call(&crl_url, "GET", "/v3/crl", &[], &[]).await.unwrap();
    assert_eq!(r.status, 404, "no CRL before a decision");
    assert!(net.ra.state().await.requests.len() == 3);

    // Garbage and a report encrypted to someone else are refused with a reason.
    let r = call(&ma_url, "POST", "/v3/misbehavior-report", &[], b"\x03\x80")
        .await
        .unwrap();
    assert_eq!(r.status, 400, "{}", r.text());

    let r2 = report(&ps[2][0][0], &ma_cert, evidence.clone(), t64 + 1_700_000);
    an_answer_signed_by_the_other_la_is_refused(&net, kind, &crl_url, [&r1, &r2]).await;

    // A second device reports: two distinct reporters, the MA revokes.
    let r = call(&ma_url, "POST", "/v3/misbehavior-report", &[], &r2)
        .await
        .unwrap();
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(
        ma.decision_of(&out.target).await.unwrap().as_deref(),
        Some("revoked")
    );
    let kinds = audit_kinds(ma.store()).await;
    for k in ["ma-report", "ma-decision", "ma-investigation"] {
        assert!(kinds.contains(&k.to_string()), "{k} logged: {kinds:?}");
    }
    let steps: Vec<String> = ma
        .store()
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "ma-investigation")
        .map(|e| {
            let v: serde_json::Value = serde_json::from_str(&e.details).unwrap();
            v["step"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        steps,
        [
            "aca-hpcr",
            "ra-lci",
            "la-seed",
            "la-seed",
            "seed-check",
            "ra-blacklist",
            "crl",
            "revocation"
        ]
    );
    assert!(ma
        .store()
        .verify_audit_chain()
        .await
        .unwrap()
        .broken
        .is_none());

    // The CRL is published; a verifier applies it.
    let r = call(&crl_url, "GET", "/v3/crl", &[], &[]).await.unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let mut v = Verifier::new(VerifierConfig::default());
    v.store.add_trust_anchor(&net.root).unwrap();
    for c in [&net.ica[..], &net.ra_core.aca_certificate[..]] {
        v.store
            .add_certificate(&scms_asn1::decode(c).unwrap())
            .unwrap();
    }
    let applied = v.apply_crl(&r.body, t64, i as u16).unwrap();
    assert_eq!(applied.linkage_entries, 1);

    // The culprit's pseudonyms of this i-period and the next are rejected,
    // everyone else's accepted.
    let next64 = u64::from(net.ra_core.config.iperiod_start(i + 1)) * 1_000_000 + 3_600_000_000;
    let mut n = 0u64;
    for (dev, periods) in ps.iter().enumerate() {
        for (k, list) in periods.iter().enumerate() {
            let base = if k == 0 { t64 } else { next64 };
            for p in list.iter().step_by(7) {
                n += 1;
                let t = base + 2_000_000 + n * 1000;
                let m = bsm(p, "x", t, 0.0);
                let got = v.verify(&m, t);
                if dev == 0 {
                    assert_eq!(
                        got,
                        Err(Rejection::RevokedByLinkage),
                        "culprit i+{k} j={}",
                        p.j
                    );
                } else {
                    assert!(got.is_ok(), "device {dev} i+{k} j={}: {got:?}", p.j);
                }
            }
        }
    }

    // The RA refuses the culprit's next provisioning request (blocklisted,
    // checked before anything else); a device that is not blocked may ask.
    let a = provision_with(&net, &mut devices[0], net.now(), 168).await;
    assert_eq!(a.status, 403, "{}", a.text());
    assert!(a.text().contains("blocklisted"), "{}", a.text());
    let a = provision_with(&net, &mut devices[3], net.now(), 168).await;
    assert_eq!(a.status, 200, "{}", a.text());

    // A revoked pseudonym can no longer report.
    let other = vec![bsm(&ps[1][0][3], "o", t64 + 5_000_000, 0.0)];
    let r = call(
        &ma_url,
        "POST",
        "/v3/misbehavior-report",
        &[],
        &report(&ps[0][0][1], &ma_cert, other, t64 + 6_000_000),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 403, "{}", r.text());

    // Only an MA may ask the authorities: a request signed by the RA is refused.
    let by_ra = scms_ca::spdu::scms_signed(
        net.ks.as_ref(),
        &net.ra_core.key_label,
        &net.ra_core.certificate,
        &scms_ma::investigate::hpcr_request(scms_ca::spdu::hostname("ra"), [0; 9]),
    )
    .unwrap();
    // To the LAs it goes as the MA's does: encrypted to the LA's certificate.
    let by_ra_to = |la: &str| {
        scms_ca::spdu::scms_signed_encrypted(
            net.ks.as_ref(),
            &net.ra_core.key_label,
            &net.ra_core.certificate,
            &scms_ma::investigate::hpcr_request(scms_ca::spdu::hostname("ra"), [0; 9]),
            net.h.certificate(la).unwrap(),
        )
        .unwrap()
    };
    let (to_la1, to_la2) = (by_ra_to("la1"), by_ra_to("la2"));
    for (base, path, by_ra) in [
        (&net.peers.aca, "/v3/ma-hpcr", &by_ra),
        (&net.peers.la1, "/v3/linkage-seed", &to_la1),
        (&net.peers.la2, "/v3/linkage-seed", &to_la2),
        (&net.ra_url, "/v3/ma-lci", &by_ra),
        (&net.ra_url, "/v3/ma-blacklist", &by_ra),
        (&crl_url, "/v3/crl-entries", &by_ra),
    ] {
        let r = call(base, "POST", path, &[], by_ra).await.unwrap();
        assert_eq!(r.status, 403, "{path}: {}", r.text());
        let r = call(base, "POST", path, &[], b"garbage").await.unwrap();
        assert!(r.status == 400 || r.status == 403, "{path}: {}", r.status);
    }
    replays_are_refused(&net, &ma, &ma_cert, &crl_url).await;

    eprintln!(
        "{kind:?}: provisioned 3 devices x 40 in {:?}, whole test {:?}",
        provisioned,
        t0.elapsed()
    );
    crl_db.cleanup().await;
    ma_db.cleanup().await;
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misbehavior_to_revocation_sqlite() {
    run(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misbehavior_to_revocation_postgres() {
    run(Db::Postgres).await;
}

/// The MA asks LA1 for a seed with a request encrypted to LA1's certificate;
/// the answer must be signed by that certificate. Here something at LA1's
/// address holds LA1's decryption key and LA2's signing key: it has the real
/// LA1 answer, opens it (with the MA's key, to build the case) and signs the
/// same reply (the right seed, the right request hash) with LA2's key. A
/// second MA, with LA1 at that address, is given the two reports: it refuses
/// the seed, names both certificates and does not revoke.
async fn an_answer_signed_by_the_other_la_is_refused(
    net: &Net,
    kind: Db,
    crl_url: &str,
    reports: [&[u8]; 2],
) {
    let la1 = net.peers.la1.clone();
    let ks = net.ks.clone();
    let (ma_cert, la2_cert) = (
        net.h.certificate("ma").unwrap().to_vec(),
        net.h.certificate("la2").unwrap().to_vec(),
    );
    let (ma_enc, la2_label) = (
        format!("{}-enc", net.h.key_labels["ma"]),
        net.h.key_labels["la2"].clone(),
    );
    let (trust, clock) = (misbehavior_support::ma_trust(net), net.clock.clone());
    let impostor = axum::Router::new().route(
        "/v3/linkage-seed",
        axum::routing::post(move |body: axum::body::Bytes| async move {
            let real = call(&la1, "POST", "/v3/linkage-seed", &[], &body)
                .await
                .unwrap();
            assert_eq!(real.status, 200, "{}", real.text());
            let opened = scms_ca::spdu::open_scms_signed_encrypted(
                ks.as_ref(),
                &ma_enc,
                &ma_cert,
                &trust,
                &real.body,
                clock(),
                |s| matches!(s, SecurityMgmtSsp::La(_)),
            )
            .unwrap();
            let reply: scms_asn1::camp::protocol::ScopedLSReply<'_> =
                scms_asn1::decode(&opened.payload).unwrap();
            scms_ca::spdu::scms_signed_encrypted(
                ks.as_ref(),
                &la2_label,
                &la2_cert,
                &reply,
                &ma_cert,
            )
            .unwrap()
        }),
    );
    let (impostor_url, task) = http_support::serve(impostor).await;
    let (ma, db) = misbehavior_support::open_ma(net, kind, crl_url, &impostor_url).await;
    let out = ma.handle_report(reports[0]).await.unwrap();
    assert_eq!(out.decision, Decision::Pending { reporters: 1 });
    let e = ma.handle_report(reports[1]).await.unwrap_err().to_string();
    let id = |c: &[u8]| {
        let c: scms_asn1::ieee1609dot2::Certificate<'_> = scms_asn1::decode(c).unwrap();
        let h = scms_crypto::verify::certificate_hashed_id8(&c).unwrap();
        h.0.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let (la1_id, la2_id) = (
        id(net.h.certificate("la1").unwrap()),
        id(net.h.certificate("la2").unwrap()),
    );
    assert!(
        e.contains(&format!(
            "answer signed by {la2_id}, not by LA1's certificate {la1_id}"
        )),
        "{e}"
    );
    assert_eq!(
        ma.decision_of(&out.target).await.unwrap().as_deref(),
        Some("revoking"),
        "decided, not done: resumed later"
    );
    task.abort();
    db.cleanup().await;
}

/// `scoped` signed by the MA (each call signs afresh: other bytes).
fn by_ma<T: scms_asn1::Encode>(net: &Net, ma_cert: &[u8], scoped: &T) -> Vec<u8> {
    scms_ca::spdu::scms_signed(net.ks.as_ref(), &net.h.key_labels["ma"], ma_cert, scoped).unwrap()
}

/// Every authority refuses an MA request it has accepted when the same bytes
/// come again (a replay: 403 naming it), and answers the same request signed
/// again. The requests are those of the investigation: the culprit's HPCR at
/// the ACA and the RA, its chain identifier at LA1 and LA2, a CRL entry.
async fn replays_are_refused(net: &Net, ma: &scms_ma::MaService, ma_cert: &[u8], crl_url: &str) {
    let ma_id = || scms_ca::spdu::hostname("ma");
    let details = ma
        .store()
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "ma-investigation")
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.details).unwrap())
        .find(|d| d["step"] == "aca-hpcr")
        .expect("the investigation logged the HPCR");
    let hex_of = |k: &str| -> Vec<u8> {
        let h = details[k].as_str().unwrap();
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    };
    let hpcr: [u8; 32] = hex_of("hpcr").try_into().unwrap();
    let lv: [u8; 9] = hex_of("linkage_value").try_into().unwrap();

    // The culprit's chain identifiers, from the RA.
    let hpcr_request = scms_ma::investigate::hpcr_request(ma_id(), lv);
    let lci_request = scms_ma::investigate::lci_request(ma_id(), hpcr);
    let blacklist_request = scms_ma::investigate::blacklist_request(ma_id(), hpcr);
    let lci = by_ma(net, ma_cert, &lci_request);
    let r = call(&net.ra_url, "POST", "/v3/ma-lci", &[], &lci)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let answer: scms_asn1::ieee1609dot2::Ieee1609Dot2Data<'_> = scms_asn1::decode(&r.body).unwrap();
    let payload = scms_asn1::camp::base_types::scms_signed_payload(
        &answer,
        &scms_asn1::camp::base_types::SCMS_SIGNED_PROFILE,
    )
    .unwrap();
    let chains =
        scms_ma::investigate::chains_of(payload, &hpcr, scms_ca::aca::spdu_hash(&lci, false))
            .unwrap();

    let now = net.now();
    let crl_entry = scms_ca::crl::crl_contents(
        &scms_ca::crl::CrlHeader {
            series: scms_asn1::camp::base_types::EE_NON_PSEUDONYM_CRL_SERIES,
            craca: [0; 8],
            issue_date: now,
            next_crl: now + 1,
            priority: None,
        },
        &scms_ca::crl::CrlBody::Hash {
            delta: true,
            crl_serial: 0,
            entries: vec![scms_ca::crl::hash_entry(net.h.certificate("la1").unwrap()).unwrap()],
        },
    );
    let to_la = |la: &str, lci: &[u8]| {
        scms_ca::spdu::scms_signed_encrypted(
            net.ks.as_ref(),
            &net.h.key_labels["ma"],
            ma_cert,
            &scms_ma::investigate::seed_request(ma_id(), lci).unwrap(),
            net.h.certificate(la).unwrap(),
        )
        .unwrap()
    };
    type Sign<'a> = Box<dyn Fn() -> Vec<u8> + 'a>;
    let requests: Vec<(&str, &str, Sign)> = vec![
        (
            &net.peers.aca,
            "/v3/ma-hpcr",
            Box::new(|| by_ma(net, ma_cert, &hpcr_request)),
        ),
        (
            &net.ra_url,
            "/v3/ma-lci",
            Box::new(|| by_ma(net, ma_cert, &lci_request)),
        ),
        (
            &net.ra_url,
            "/v3/ma-blacklist",
            Box::new(|| by_ma(net, ma_cert, &blacklist_request)),
        ),
        (
            &net.peers.la1,
            "/v3/linkage-seed",
            Box::new(|| to_la("la1", &chains.la1_lci)),
        ),
        (
            &net.peers.la2,
            "/v3/linkage-seed",
            Box::new(|| to_la("la2", &chains.la2_lci)),
        ),
        (
            crl_url,
            "/v3/crl-entries",
            Box::new(|| by_ma(net, ma_cert, &crl_entry)),
        ),
    ];
    for (base, path, sign) in &requests {
        let first = sign();
        let r = call(base, "POST", path, &[], &first).await.unwrap();
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let r = call(base, "POST", path, &[], &first).await.unwrap();
        assert_eq!(r.status, 403, "{path}: {}", r.text());
        assert!(r.text().contains("replay"), "{path}: {}", r.text());
        let again = sign();
        assert_ne!(again, first, "{path}: signing is hedged");
        let r = call(base, "POST", path, &[], &again).await.unwrap();
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    // The RA's answer to the first LCI request was given once.
    let r = call(&net.ra_url, "POST", "/v3/ma-lci", &[], &lci)
        .await
        .unwrap();
    assert_eq!(r.status, 403, "{}", r.text());
}
