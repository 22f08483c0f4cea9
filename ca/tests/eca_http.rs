//! The ECA over real HTTP on loopback: a device builds and signs its
//! `EeEcaCertRequestSpdu`, gets an `EcaEeCertResponseSpdu`, and bad requests get
//! 400 with a reason. Idempotency on SQLite and PostgreSQL.

mod store_support;

use std::sync::Arc;

use scms_asn1::codec::{decode, encode, Octets, Spanned};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateType, HashAlgorithm, Ieee1609Dot2Content, Ieee1609Dot2Data,
    SignerIdentifier, SubjectPermissions, VerificationKeyIndicator,
};
use scms_asn1::ieee1609dot2dot1::eca_ee::{EcaEeInterfacePdu, EeEcaCertRequest};
use scms_asn1::ieee1609dot2dot1::protocol::{
    CertificateChainSpdu, EcaEeCertResponseSpdu, ScmsPdu, ScmsPduContent, ScopedCertificateRequest,
    SignedCertificateRequest,
};
use scms_ca::eca::{handle_enrollment, router, system_now, Eca, MAX_REQUEST};
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::issue::{to_be_signed, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_ca::store::{Batch, Store};
use scms_crypto::signing_input::{ecdsa_signing_digest, sm2_signing_digest, SigningInputHashes};
use scms_crypto::suite::{os_rng, Curve, SecretKey};
use scms_crypto::verify::{certificate_public_key, verify_certificate, verify_signed_data};
use scms_crypto::wire;
use scms_hsm::MemoryKeyStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NOW_UNIX: i64 = 1_767_225_600;

struct Setup {
    eca: Arc<Eca>,
    h: Hierarchy,
    _db: store_support::TestDb,
}

async fn setup(db: store_support::TestDb, family: Family) -> Setup {
    let ks = MemoryKeyStore::new();
    // The hierarchy starts a minute ago, so the ECA issues "now".
    let opts = HierarchyOptions::new(family, system_now() - 60);
    let h = build(&ks, &opts).expect("hierarchy");
    db.store
        .commit(&Batch::hierarchy(&h, &opts).expect("batch"), NOW_UNIX)
        .await
        .expect("commit hierarchy");
    let eca = Eca::from_store(
        db.store.clone(),
        Arc::new(ks),
        builtin(family, "enrollment").expect("profile"),
    )
    .await
    .expect("eca");
    Setup {
        eca: Arc::new(eca),
        h,
        _db: db,
    }
}

/// What a device puts in `tbsCert`: the enrollment profile's
/// certRequestPermissions and region, its key, the 1609.2.1 constraints.
fn device_request(family: Family, key: &SecretKey, widen: bool) -> EeEcaCertRequest<'static> {
    let profile = builtin(family, "enrollment").expect("profile");
    let params = IssueParams::new(&profile, SubjectId::None, key.public_key(), system_now());
    let vki = VerificationKeyIndicator::VerificationKey(
        wire::verification_key(&key.public_key()).expect("vk"),
    );
    let mut tbs = to_be_signed(&params, None, vki).expect("tbs");
    tbs.craca_id = [0; 3];
    tbs.crl_series = 0;
    tbs.app_permissions = None;
    tbs.cert_issue_permissions = None;
    if widen {
        // Ask for every PSID where the profile grants a few.
        let mut perms = tbs
            .cert_request_permissions
            .clone()
            .expect("request permissions");
        perms[0].subject_permissions = SubjectPermissions::All;
        tbs.cert_request_permissions = Some(perms);
    }
    EeEcaCertRequest {
        version: 2,
        generation_time: system_now(),
        r#type: CertificateType::Explicit,
        tbs_cert: tbs,
        canonical_id: None,
        unknown_extensions: Default::default(),
    }
}

/// Signs a request: `self` with the requested key, or by an enrollment
/// certificate (successor enrollment).
fn signed_request(
    req: EeEcaCertRequest<'_>,
    key: &SecretKey,
    signer_cert: Option<&[u8]>,
) -> Vec<u8> {
    let scoped = ScopedCertificateRequest(ScmsPdu::new(ScmsPduContent::EcaEe(
        EcaEeInterfacePdu::EeEcaCertRequest(req),
    )));
    let tbs = encode(&scoped).expect("tbs");
    let curve = key.curve();
    let digest = if curve.is_sm2() {
        sm2_signing_digest(&key.public_key(), &tbs, signer_cert.unwrap_or(&[])).expect("digest")
    } else {
        ecdsa_signing_digest(SigningInputHashes::for_data(curve), &tbs, signer_cert)
    };
    let sig = key
        .sign_digest(digest.as_bytes(), &mut os_rng())
        .expect("sign");
    let signer = match signer_cert {
        None => SignerIdentifier::SelfSigned,
        Some(c) => SignerIdentifier::Certificate(vec![decode::<Certificate<'_>>(c).expect("cert")]),
    };
    let scr = SignedCertificateRequest {
        hash_algorithm_id: if curve.is_sm2() {
            HashAlgorithm::Sm3
        } else {
            HashAlgorithm::Sha256
        },
        tbs_request: Spanned::new(scoped),
        signer,
        signature: wire::signature(curve, &sig).expect("wire sig"),
    };
    let data = Ieee1609Dot2Data::new(Ieee1609Dot2Content::SignedCertificateRequest(Octets::from(
        encode(&scr).expect("scr"),
    )));
    encode(&data).expect("data")
}

async fn serve(eca: Arc<Eca>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, router(eca)).await.expect("serve");
    });
    addr
}

/// A minimal HTTP/1.1 client: (status, content-type, body).
async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.expect("write");
    // The server may answer (413) before reading a large body.
    let _ = s.write_all(body).await;
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw).await;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let ctype = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, ctype, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).expect("hex").trim(), 16)
            .expect("size");
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 4 + n..];
    }
    out
}

/// Checks a response: ECA-signed, requestHash, chain, the certificate issued
/// by the ECA for the device key. Returns the certificate.
fn check_response(h: &Hierarchy, request: &[u8], response: &[u8], device: &SecretKey) -> Vec<u8> {
    let spdu: EcaEeCertResponseSpdu<'_> = decode(response).expect("response decodes");
    let eca: Certificate<'_> = decode(h.certificate("eca").expect("eca")).expect("eca cert");
    verify_signed_data(spdu.signed_data().expect("signed"), &eca, None).expect("ECA signature");
    let pdu = spdu.scms_pdu().expect("pdu");
    let r = match pdu.content {
        ScmsPduContent::EcaEe(EcaEeInterfacePdu::EcaEeCertResponse(r)) => r,
        other => panic!("unexpected {other:?}"),
    };
    let hash = scms_crypto::hash::digest(scms_crypto::hash::HashAlgorithm::Sha256, request);
    assert_eq!(&r.request_hash[..], &hash.as_bytes()[24..]);
    let chain: Vec<Vec<u8>> = r
        .eca_cert_chain
        .iter()
        .map(|c| encode(c).expect("enc"))
        .collect();
    assert_eq!(
        chain,
        vec![
            h.certificate("eca").expect("eca").to_vec(),
            h.certificate("ica").expect("ica").to_vec(),
            h.certificate("root").expect("root").to_vec()
        ]
    );
    verify_certificate(&r.certificate, Some(&eca)).expect("certificate verifies under the ECA");
    let key = certificate_public_key(&r.certificate, None).expect("key");
    assert_eq!(key.to_sec1(true), device.public_key().to_sec1(true));
    encode(&r.certificate).expect("cert")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_over_http_is_idempotent() {
    for family in [Family::Us, Family::Cn] {
        let s = setup(store_support::sqlite().await, family).await;
        let addr = serve(s.eca.clone()).await;
        let curve = if family == Family::Cn {
            Curve::Sm2
        } else {
            Curve::NistP256
        };
        let device = SecretKey::generate(curve, &mut os_rng()).expect("key");
        let request = signed_request(device_request(family, &device, false), &device, None);
        let before = s.eca.store.certificate_count().await.expect("count");

        let (status, ctype, body) =
            http(addr, "POST", "/v3/enrollment-certificate", &request).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        assert_eq!(ctype, "application/octet-stream");
        let cert = check_response(&s.h, &request, &body, &device);

        // The same request: the same answer, no second certificate.
        let (status2, _, body2) = http(addr, "POST", "/v3/enrollment-certificate", &request).await;
        assert_eq!(status2, 200);
        assert_eq!(body2, body);
        assert_eq!(
            s.eca.store.certificate_count().await.expect("count"),
            before + 1
        );
        assert_eq!(s.eca.store.request_count().await.expect("count"), 1);
        let stored = s
            .eca
            .store
            .certificate(
                &scms_crypto::verify::certificate_hashed_id8(
                    &decode::<Certificate<'_>>(&cert).expect("c"),
                )
                .expect("hid")
                .0,
            )
            .await
            .expect("lookup")
            .expect("committed");
        assert_eq!(stored.role, "enrollment");
        assert_eq!(
            s.eca
                .store
                .verify_audit_chain()
                .await
                .expect("audit")
                .broken,
            None
        );

        // Successor enrollment, signed by the enrollment certificate.
        let next = SecretKey::generate(curve, &mut os_rng()).expect("key");
        let req2 = signed_request(device_request(family, &next, false), &device, Some(&cert));
        let (status3, _, body3) = http(addr, "POST", "/v3/enrollment-certificate", &req2).await;
        assert_eq!(status3, 200, "{}", String::from_utf8_lossy(&body3));
        check_response(&s.h, &req2, &body3, &next);

        // A successor request signed by a certificate this ECA did not issue.
        let stranger = s.h.certificate("ra").expect("ra").to_vec();
        let req3 = signed_request(
            device_request(family, &next, false),
            &device,
            Some(&stranger),
        );
        let (status4, _, body4) = http(addr, "POST", "/v3/enrollment-certificate", &req3).await;
        assert_eq!(status4, 400);
        assert!(String::from_utf8_lossy(&body4).contains("signer.certificate"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_and_ctl_over_http() {
    let s = setup(store_support::sqlite().await, Family::Us).await;
    let addr = serve(s.eca.clone()).await;
    let (status, ctype, ctl) = http(addr, "GET", "/v3/ctl", b"").await;
    assert_eq!((status, ctype.as_str()), (200, "application/octet-stream"));
    assert_eq!(ctl, s.h.ctl.spdu);
    let electors: Vec<&[u8]> =
        s.h.certificates
            .iter()
            .filter(|(n, _)| n.starts_with("elector"))
            .map(|(_, c)| c.as_slice())
            .collect();
    scms_ca::ctl::verify_ctl(&ctl, &electors, 2).expect("CTL verifies");

    let (status, _, chain) = http(addr, "GET", "/v3/ca-certificate", b"").await;
    assert_eq!(status, 200);
    let spdu: CertificateChainSpdu<'_> = decode(&chain).expect("CertificateChainSpdu");
    let pdu = spdu.scms_pdu().expect("pdu");
    match pdu.content {
        ScmsPduContent::Cert(
            scms_asn1::ieee1609dot2dot1::cert_management::CertManagementPdu::CertificateChain(c),
        ) => {
            assert_eq!(encode(&c.home_ctl).expect("ctl"), s.h.ctl.spdu);
            assert_eq!(
                encode(&c.others[0]).expect("eca"),
                s.h.certificate("eca").expect("eca")
            );
            assert_eq!(
                encode(&c.others[1]).expect("ica"),
                s.h.certificate("ica").expect("ica")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_400_with_a_reason() {
    let s = setup(store_support::sqlite().await, Family::Us).await;
    let addr = serve(s.eca.clone()).await;
    let device = SecretKey::generate(Curve::NistP256, &mut os_rng()).expect("key");
    let good = signed_request(device_request(Family::Us, &device, false), &device, None);
    let before = s.eca.store.certificate_count().await.expect("count");

    let post = |body: Vec<u8>| async move {
        let (status, _, b) = http(addr, "POST", "/v3/enrollment-certificate", &body).await;
        (status, String::from_utf8_lossy(&b).to_string())
    };

    // Not COER at all.
    let (st, why) = post(vec![0xff, 0x01, 0x02]).await;
    assert_eq!(st, 400);
    assert!(why.contains("byte"), "{why}");
    assert_eq!(why.trim_end().lines().count(), 1, "{why}");
    // Truncated.
    let (st, why) = post(good[..good.len() - 5].to_vec()).await;
    assert_eq!(st, 400, "{why}");
    assert!(why.contains("byte"), "{why}");
    // A signature that does not verify (last octet of s flipped).
    let mut bad_sig = good.clone();
    let n = bad_sig.len();
    bad_sig[n - 1] ^= 1;
    let (st, why) = post(bad_sig).await;
    assert_eq!(st, 400);
    assert!(why.contains("signature"), "{why}");
    // Signed by another key than the one requested.
    let other = SecretKey::generate(Curve::NistP256, &mut os_rng()).expect("key");
    let (st, why) = post(signed_request(
        device_request(Family::Us, &device, false),
        &other,
        None,
    ))
    .await;
    assert_eq!(st, 400);
    assert!(why.contains("signature"), "{why}");
    // tbsCert breaking the 1609.2.1 constraint: appPermissions present.
    let mut req = device_request(Family::Us, &device, false);
    req.tbs_cert.app_permissions = Some(Default::default());
    let (st, why) = post(signed_request(req, &device, None)).await;
    assert_eq!(st, 400);
    assert!(why.contains("appPermissions"), "{why}");
    // cracaId not 000000.
    let mut req = device_request(Family::Us, &device, false);
    req.tbs_cert.craca_id = [1, 2, 3];
    let (st, why) = post(signed_request(req, &device, None)).await;
    assert_eq!(st, 400);
    assert!(why.contains("cracaId"), "{why}");
    // Asking for more than the enrollment profile grants.
    let (st, why) = post(signed_request(
        device_request(Family::Us, &device, true),
        &device,
        None,
    ))
    .await;
    assert_eq!(st, 400);
    assert!(why.contains("refused"), "{why}");
    // Generated in the future.
    let mut req = device_request(Family::Us, &device, false);
    req.generation_time = system_now() + 3600;
    let (st, why) = post(signed_request(req, &device, None)).await;
    assert_eq!(st, 400);
    assert!(why.contains("generationTime"), "{why}");
    // Not a certificate request: the CTL.
    let (st, why) = post(s.h.ctl.spdu.clone()).await;
    assert_eq!(st, 400);
    assert!(!why.is_empty());
    // Too large.
    let (st, _) = post(vec![0u8; MAX_REQUEST + 1]).await;
    assert_eq!(st, 413);

    // Nothing was issued or stored by any of them.
    assert_eq!(
        s.eca.store.certificate_count().await.expect("count"),
        before
    );
    assert_eq!(s.eca.store.request_count().await.expect("count"), 0);
    // And the good one still works.
    let (st, why) = post(good).await;
    assert_eq!(st, 200, "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_is_idempotent_on_postgres() {
    let s = setup(store_support::postgres().await, Family::Us).await;
    let device = SecretKey::generate(Curve::NistP256, &mut os_rng()).expect("key");
    let request = signed_request(device_request(Family::Us, &device, false), &device, None);
    let now = system_now();
    // Concurrent copies of the same request: one certificate.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let eca = s.eca.clone();
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            handle_enrollment(&eca, &request, now).await
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.expect("join").expect("enrolled"));
    }
    assert!(answers.iter().all(|a| *a == answers[0]));
    check_response(&s.h, &request, &answers[0], &device);
    assert_eq!(s.eca.store.request_count().await.expect("count"), 1);
    let store: &Store = &s.eca.store;
    assert_eq!(
        store.certificate_count().await.expect("count"),
        s.h.records.len() as i64 + 1
    );
    assert_eq!(
        store.verify_audit_chain().await.expect("audit").broken,
        None
    );
    s._db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_without_a_commit() {
    let s = setup(store_support::sqlite().await, Family::Us).await;
    let device = SecretKey::generate(Curve::NistP256, &mut os_rng()).expect("key");
    let request = signed_request(device_request(Family::Us, &device, false), &device, None);
    let before = s.eca.store.certificate_count().await.expect("count");
    let audit_before = s.eca.store.audit_entries().await.expect("audit").len();
    // The idempotency record cannot be written: the whole transaction fails.
    sqlx::query(
        "CREATE TRIGGER no_requests BEFORE INSERT ON requests \
         BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    .execute(s.eca.store.pool())
    .await
    .expect("trigger");
    let err = handle_enrollment(&s.eca, &request, system_now())
        .await
        .expect_err("no answer without a commit");
    assert_eq!(err.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    // Neither the certificate nor its audit entries were kept.
    assert_eq!(
        s.eca.store.certificate_count().await.expect("count"),
        before
    );
    assert_eq!(
        s.eca.store.audit_entries().await.expect("audit").len(),
        audit_before
    );
    assert_eq!(
        s.eca
            .store
            .verify_audit_chain()
            .await
            .expect("audit")
            .broken,
        None
    );
    // Once the database accepts writes again the request is served.
    sqlx::query("DROP TRIGGER no_requests")
        .execute(s.eca.store.pool())
        .await
        .expect("drop");
    let answer = handle_enrollment(&s.eca, &request, system_now())
        .await
        .expect("enrolled");
    check_response(&s.h, &request, &answer, &device);
    assert_eq!(
        s.eca.store.certificate_count().await.expect("count"),
        before + 1
    );
}
