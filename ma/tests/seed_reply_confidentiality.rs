//! The MA's linkage-seed request (`POST /v3/linkage-seed`) is a
//! `SecuredLSRequest`: signed by the MA, then encrypted to the encryption key
//! of the LA's certificate. On the wire the linkage chain identifier asked
//! about is not in the clear; the LA opens it with its key, then checks the
//! MA's signature, chain and role; a request not encrypted (400), encrypted
//! to another key or damaged (403), or signed by the RA (403) is refused.
//! The LA's answer is a `SecuredLSReply`: signed by the LA, then encrypted to
//! the encryption key of the MA certificate that signed the request. On the
//! wire the seed is not in the clear; the MA opens it with its key and checks
//! the LA's signature and role; an answer encrypted to another key, or not
//! encrypted, is refused. An LA certificate without an encryption key (an
//! older `scms init`): the LA answers 503, the MA does not start. Both
//! families (ECIES on P-256 with AES-CCM, SM2 with SM4-CCM).

use std::sync::Arc;

use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data};
use scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp;
use scms_ca::aca::{spdu_hash, TrustStore};
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::issue::{issue, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_ca::spdu::{
    hostname, open_scms_signed_encrypted, scms_signed, scms_signed_encrypted, verify_scms_signed,
};
use scms_ca::store::Store;
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_hsm::envelope::{decrypt_for_certificate, encrypt_to_certificate, Decryptor};
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_la::service::{LaInvestigation, LaService};
use scms_la::PlvRequest;
use scms_ma::{investigate, MaConfig, MaPeers, MaService};
use scms_ra::http::call;

/// 2026-01-01 00:00:00 UTC.
const NOW_UNIX: i64 = 1_767_225_600;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn la_role(s: &SecurityMgmtSsp) -> bool {
    matches!(s, SecurityMgmtSsp::La(_))
}

async fn run(family: Family) {
    let now = time32_from_unix(NOW_UNIX);
    let ks = MemoryKeyStore::new();
    let h = build(
        &ks,
        &HierarchyOptions::new(family, time32_from_unix(NOW_UNIX - 30 * 86_400)),
    )
    .unwrap();
    let cert = |r: &str| h.certificate(r).unwrap().to_vec();
    let (ma_cert, ma_label) = (cert("ma"), h.key_labels["ma"].clone());
    let ma_enc = format!("{ma_label}-enc");
    let (ra_cert, ra_enc) = (cert("ra"), format!("{}-enc", h.key_labels["ra"]));
    let (la1_cert, la1_enc) = (cert("la1"), format!("{}-enc", h.key_labels["la1"]));
    // An LA1 certificate as an older `scms init` issued it: no encryption key.
    let la1_old = {
        let profile = builtin(family, "la1").unwrap();
        let k = ks.generate("la1-old", profile.curve.curve()).unwrap();
        let key = scms_crypto::suite::PublicKey::from_sec1(k.curve, &k.public_key).unwrap();
        let mut params = IssueParams::new(
            &profile,
            SubjectId::Name("la1.old".into()),
            key,
            time32_from_unix(NOW_UNIX - 30 * 86_400),
        );
        params.craca_id = h.craca_id().unwrap();
        issue(&ks, &h.issuer_ref("ica").unwrap(), &params)
            .unwrap()
            .record
            .certificate
    };
    let ks: Arc<dyn KeyStore> = Arc::new(ks);
    let mut trust = TrustStore::new();
    trust.add_anchor(&cert("root")).unwrap();
    trust.add_ca(&cert("ica")).unwrap();

    // LA1 with investigation enabled, over HTTP, holding one chain.
    let epoch = builtin(family, "pseudonym")
        .unwrap()
        .iperiod_epoch_unix
        .unwrap();
    let week = 7 * 86_400u32;
    let i_now = u32::try_from((NOW_UNIX - epoch) / i64::from(week)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("la1.db"))
        .await
        .unwrap();
    let alg = match family {
        Family::Us => SymmAlgorithm::Aes128Ccm,
        Family::Cn => SymmAlgorithm::Sm4Ccm,
    };
    let la = Arc::new(
        LaService::open(
            LaId(1),
            alg,
            ks.clone(),
            "la1-seal",
            store,
            &cert("aca"),
            NOW_UNIX,
        )
        .await
        .unwrap()
        .with_investigation(LaInvestigation {
            certificate: la1_cert.clone(),
            key_label: h.key_labels["la1"].clone(),
            enc_key_label: la1_enc.clone(),
            trust: trust.clone(),
            iperiod_epoch_unix: epoch,
            iperiod_secs: week,
            clock: Arc::new(move || now),
            hostname: "la1".into(),
        }),
    );
    let plv = la
        .handle(
            &PlvRequest {
                chain: None,
                i_first: i_now,
                i_count: 2,
                j_count: 2,
            },
            NOW_UNIX,
        )
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let la_url = format!("http://{}", listener.local_addr().unwrap());
    let served = la.clone();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, scms_la::service::router(la)).await;
    });

    // The seed the LA holds for this i-period (its sealed chain, opened).
    let chains = served.chains().await.unwrap();
    assert_eq!(chains.len(), 1);
    let (_, rec) = &chains[0];
    let seed = *rec.seed.at(LaId(1), i_now - rec.first_i).as_bytes();

    // The MA asks over HTTP: its signed request, encrypted to LA1's
    // certificate (`SecuredLSRequest`).
    let scoped = investigate::seed_request(hostname("ma"), &plv.lci).unwrap();
    let request =
        scms_signed_encrypted(ks.as_ref(), &ma_label, &ma_cert, &scoped, &la1_cert).unwrap();
    let signed_request = scms_signed(ks.as_ref(), &ma_label, &ma_cert, &scoped).unwrap();
    // On the wire: encryptedData, and the linkage chain identifier asked
    // about is not in the clear ...
    let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(&request).unwrap();
    assert!(matches!(d.content, Ieee1609Dot2Content::EncryptedData(_)));
    assert!(plv.lci.len() >= 16, "{}", plv.lci.len());
    assert!(
        !contains(&request, &plv.lci),
        "{family:?}: the linkage chain identifier is on the wire"
    );
    // ... where the plain signed request carries it, as does the request
    // once LA1 opened it (the search finds it where it is).
    assert!(contains(&signed_request, &plv.lci));
    let opened_request =
        decrypt_for_certificate(Decryptor::Store(ks.as_ref(), &la1_enc), &la1_cert, &d).unwrap();
    assert!(contains(&opened_request, &plv.lci));
    let r = call(&la_url, "POST", "/v3/linkage-seed", &[], &request)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let wire = r.body;

    // On the wire: encryptedData, and no seed in the clear.
    let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(&wire).unwrap();
    assert!(matches!(d.content, Ieee1609Dot2Content::EncryptedData(_)));
    assert!(
        !contains(&wire, &seed),
        "{family:?}: the seed is on the wire"
    );
    // The search finds it where it is in the clear: inside, once decrypted.
    let inner = decrypt_for_certificate(Decryptor::Store(ks.as_ref(), &ma_enc), &ma_cert, &d)
        .unwrap()
        .to_vec();
    assert!(contains(&inner, &seed));

    // The MA opens it: the LA's signature and role, the seed of this request.
    let opened =
        open_scms_signed_encrypted(ks.as_ref(), &ma_enc, &ma_cert, &trust, &wire, now, la_role)
            .unwrap();
    let sm = family == Family::Cn;
    let (got, la_id) = investigate::seed_of(&opened.payload, spdu_hash(&request, sm)).unwrap();
    assert_eq!(got, seed);
    assert_eq!(la_id, LaId(1).to_bytes());
    assert_eq!(opened.signer, cert("la1"));

    // Refused: the MA's envelope opened with another key (the RA's) ...
    let e = open_scms_signed_encrypted(ks.as_ref(), &ra_enc, &ma_cert, &trust, &wire, now, la_role)
        .unwrap_err();
    assert!(e.to_string().contains("decryption"), "{e}");
    // ... the same signed reply encrypted to another certificate (the RA's) ...
    let to_ra = encrypt_to_certificate(&ra_cert, &inner).unwrap();
    assert!(
        decrypt_for_certificate(Decryptor::Store(ks.as_ref(), &ra_enc), &ra_cert, &{
            scms_asn1::decode::<Ieee1609Dot2Data<'_>>(&to_ra).unwrap()
        })
        .is_ok(),
        "the RA could open that one"
    );
    let e =
        open_scms_signed_encrypted(ks.as_ref(), &ma_enc, &ma_cert, &trust, &to_ra, now, la_role)
            .unwrap_err();
    assert!(e.to_string().contains("decryption"), "{e}");
    // ... and the signed reply without encryption (what the LA sent before).
    assert!(verify_scms_signed(&trust, &inner, now, la_role).is_ok());
    let e =
        open_scms_signed_encrypted(ks.as_ref(), &ma_enc, &ma_cert, &trust, &inner, now, la_role)
            .unwrap_err();
    assert!(e.to_string().contains("not encrypted"), "{e}");
    // An answer encrypted to the MA but signed by someone without the LA
    // role (the RA) is refused too.
    let by_ra = scms_ca::spdu::scms_signed_encrypted(
        ks.as_ref(),
        &h.key_labels["ra"],
        &ra_cert,
        &scms_asn1::decode::<scms_asn1::camp::protocol::ScopedLSReply<'_>>(&opened.payload)
            .unwrap(),
        &ma_cert,
    )
    .unwrap();
    assert!(open_scms_signed_encrypted(
        ks.as_ref(),
        &ma_enc,
        &ma_cert,
        &trust,
        &by_ra,
        now,
        la_role
    )
    .is_err());

    // The LA refuses, each with its status and reason: ...
    let post = |body: Vec<u8>| {
        let url = la_url.clone();
        async move {
            let r = call(&url, "POST", "/v3/linkage-seed", &[], &body)
                .await
                .unwrap();
            (r.status, r.text())
        }
    };
    // ... the plain signed request (what the MA sent before): 400 ...
    let (status, text) = post(signed_request.clone()).await;
    assert_eq!(status, 400, "{text}");
    assert!(
        text.starts_with("bad request: SPDU: not encrypted"),
        "{text}"
    );
    // ... the request encrypted to another LA's certificate (LA2's) or to the
    // RA's: 403 ...
    for other in [cert("la2"), ra_cert.clone()] {
        let to_other =
            scms_signed_encrypted(ks.as_ref(), &ma_label, &ma_cert, &scoped, &other).unwrap();
        let (status, text) = post(to_other).await;
        assert_eq!(status, 403, "{text}");
        assert!(
            text.contains("decryption: no recipient info names this recipient"),
            "{text}"
        );
    }
    // ... a damaged one (a ciphertext octet flipped: the tag fails): 403 ...
    let mut damaged = request.clone();
    let n = damaged.len();
    damaged[n - 20] ^= 0x01;
    let (status, text) = post(damaged).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("decryption"), "{text}");
    // ... one signed by the RA, encrypted to LA1: 403 (not an MA) ...
    let by_ra = scms_signed_encrypted(
        ks.as_ref(),
        &h.key_labels["ra"],
        &ra_cert,
        &scoped,
        &la1_cert,
    )
    .unwrap();
    let (status, text) = post(by_ra).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("SCMS role"), "{text}");
    // ... bytes that are no SPDU: 400.
    let (status, text) = post(b"\x03\x80\x00".to_vec()).await;
    assert_eq!(status, 400, "{text}");
    // ... and the accepted request's bytes again: 403, a replay. The
    // refusals consumed nothing: the same request signed again is answered.
    let (status, text) = post(request.clone()).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("replay refused"), "{text}");
    let again =
        scms_signed_encrypted(ks.as_ref(), &ma_label, &ma_cert, &scoped, &la1_cert).unwrap();
    let (status, text) = post(again).await;
    assert_eq!(status, 200, "{text}");

    // An LA whose certificate has no encryption key (an older `scms init`)
    // cannot be asked: it answers 503, naming what it lacks ...
    let old_dir = tempfile::tempdir().unwrap();
    let old = LaService::open(
        LaId(1),
        alg,
        ks.clone(),
        "la1-old-seal",
        Store::open_sqlite(&old_dir.path().join("la1-old.db"))
            .await
            .unwrap(),
        &cert("aca"),
        NOW_UNIX,
    )
    .await
    .unwrap()
    .with_investigation(LaInvestigation {
        certificate: la1_old.clone(),
        key_label: "la1-old".into(),
        enc_key_label: "la1-old-enc".into(),
        trust: trust.clone(),
        iperiod_epoch_unix: epoch,
        iperiod_secs: week,
        clock: Arc::new(move || now),
        hostname: "la1".into(),
    });
    let old_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let old_url = format!("http://{}", old_listener.local_addr().unwrap());
    let old_server = tokio::spawn(async move {
        let _ = axum::serve(old_listener, scms_la::service::router(Arc::new(old))).await;
    });
    for body in [signed_request.clone(), request.clone()] {
        let r = call(&old_url, "POST", "/v3/linkage-seed", &[], &body)
            .await
            .unwrap();
        assert_eq!(r.status, 503, "{}", r.text());
        assert!(r.text().contains("no encryption key"), "{}", r.text());
    }
    old_server.abort();
    // ... and an MA configured with that certificate refuses to start (it
    // never sends the linkage chain identifiers unencrypted), naming it.
    let ma_dir = tempfile::tempdir().unwrap();
    let unused = "http://127.0.0.1:9".to_string();
    let peers = |la1_certificate: Vec<u8>| MaPeers {
        aca: unused.clone(),
        ra: unused.clone(),
        la1: la_url.clone(),
        la2: unused.clone(),
        crl: unused.clone(),
        la1_certificate,
        la2_certificate: cert("la2"),
    };
    let mut ma_trust = trust.clone();
    ma_trust.add_ca(&cert("aca")).unwrap();
    let open_ma = |la1_certificate: Vec<u8>| {
        let (ks, store_path, trust) = (ks.clone(), ma_dir.path().join("ma.db"), ma_trust.clone());
        let (ma_cert, ma_label, ma_enc) = (ma_cert.clone(), ma_label.clone(), ma_enc.clone());
        let p = peers(la1_certificate);
        async move {
            MaService::open(
                MaConfig::new(ma_cert, ma_label, ma_enc, trust, epoch),
                ks,
                Store::open_sqlite(&store_path).await.unwrap(),
                Arc::new(move || now),
                p,
            )
            .await
        }
    };
    let e = open_ma(la1_old.clone()).await.err().expect("refused");
    let id =
        scms_crypto::verify::certificate_hashed_id8(&scms_asn1::decode(&la1_old).unwrap()).unwrap();
    let hex: String = id.0.iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        e.to_string().contains(&format!(
            "the LA1 certificate {hex} has no encryption key (encryptionKey)"
        )),
        "{e}"
    );
    // The RA's certificate (it has an encryption key) is no LA's either.
    let e = open_ma(ra_cert.clone()).await.err().expect("refused");
    assert!(e.to_string().contains("is not an LA certificate"), "{e}");
    assert!(open_ma(la1_cert.clone()).await.is_ok());

    server.abort();
}

#[tokio::test]
async fn us_seed_request_and_reply_are_signed_then_encrypted() {
    run(Family::Us).await;
}

#[tokio::test]
async fn cn_seed_request_and_reply_are_signed_then_encrypted() {
    run(Family::Cn).await;
}
