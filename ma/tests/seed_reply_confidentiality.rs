//! The LA's answer to the MA's linkage-seed request (`POST /v3/linkage-seed`)
//! is a `SecuredLSReply`: signed by the LA, then encrypted to the encryption
//! key of the MA certificate that signed the request. On the wire the seed
//! is not in the clear; the MA opens it with its key and checks the LA's
//! signature and role; an answer encrypted to another key, or not encrypted,
//! is refused. Both families (ECIES on P-256 with AES-CCM, SM2 with SM4-CCM).

use std::sync::Arc;

use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data};
use scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp;
use scms_ca::aca::{spdu_hash, TrustStore};
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::profile::{builtin, Family};
use scms_ca::spdu::{hostname, open_scms_signed_encrypted, scms_signed, verify_scms_signed};
use scms_ca::store::Store;
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::linkage::LaId;
use scms_hsm::envelope::{decrypt_for_certificate, encrypt_to_certificate, Decryptor};
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_la::service::{LaInvestigation, LaService};
use scms_la::PlvRequest;
use scms_ma::investigate;
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
            certificate: cert("la1"),
            key_label: h.key_labels["la1"].clone(),
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

    // The MA asks over HTTP.
    let request = scms_signed(
        ks.as_ref(),
        &ma_label,
        &ma_cert,
        &investigate::seed_request(hostname("ma"), &plv.lci).unwrap(),
    )
    .unwrap();
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
    assert!(e.to_string().contains("decryption"), "{e}");
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

    server.abort();
}

#[tokio::test]
async fn us_seed_reply_is_signed_then_encrypted_to_the_ma() {
    run(Family::Us).await;
}

#[tokio::test]
async fn cn_seed_reply_is_signed_then_encrypted_to_the_ma() {
    run(Family::Cn).await;
}
