//! The `http` transport against the real ECA router on loopback.
#![cfg(feature = "http")]

mod eca_support;

use eca_support::{device_tbs, EcaServer};
use scms_hsm::MemoryKeyStore;
use scms_sdk::bootstrap::process_certificate_chain;
use scms_sdk::enroll::{build_enrollment_request, process_enrollment_response};
use scms_sdk::http::{EcaClient, HttpError, RaClient};
use scms_sdk::CertificateStore;

#[test]
fn enroll_through_the_eca_client() {
    let server = EcaServer::start();
    let eca = EcaClient::new(&server.url());
    let electors = server.electors();
    let refs: Vec<&[u8]> = electors.iter().map(Vec::as_slice).collect();
    let mut store = CertificateStore::new(64, 4);
    process_certificate_chain(
        &mut store,
        &eca.certificate_chain().expect("chain"),
        &refs,
        2,
    )
    .expect("bootstrap");
    assert!(!eca.ctl().expect("ctl").is_empty());

    let keys = MemoryKeyStore::new();
    scms_hsm::KeyStore::generate(&keys, "e", scms_crypto::suite::Curve::NistP256).expect("key");
    let now = scms_ca::eca::system_now();
    let request = build_enrollment_request(&keys, "e", &device_tbs(&keys, "e"), now).expect("req");
    let response = eca.enroll(&request).expect("enroll");
    process_enrollment_response(&mut store, &keys, "e", &request, &response).expect("enrolled");

    // A refused request: 400 with the ECA's one-line reason.
    match eca.enroll(b"\x03\x80") {
        Err(HttpError::Status { code: 400, reason }) => assert!(!reason.is_empty()),
        other => panic!("{other:?}"),
    }
    // No RA there: 404 from the ECA's router, no panic.
    let ra = RaClient::new(&server.url());
    assert!(matches!(
        ra.download(b"x"),
        Err(HttpError::Status {
            code: 404 | 405,
            ..
        })
    ));
    // Nobody listening.
    let gone = EcaClient::new("http://127.0.0.1:9");
    assert!(matches!(gone.ctl(), Err(HttpError::Transport(_))));
}

/// 1609.2.1 successor enrollment over HTTP: the request signed with the
/// current enrollment certificate and encrypted to the RA certificate, the
/// signed ack, the download by the same device, the new certificate checked.
#[test]
fn successor_enrollment_over_http() {
    use scms_sdk::enroll::{
        build_successor_request, process_successor_ack, successor_download_request,
    };

    let server = EcaServer::start();
    let eca = EcaClient::new(&server.url());
    let electors = server.electors();
    let refs: Vec<&[u8]> = electors.iter().map(Vec::as_slice).collect();
    let mut store = CertificateStore::new(64, 4);
    process_certificate_chain(
        &mut store,
        &eca.certificate_chain().expect("chain"),
        &refs,
        2,
    )
    .expect("bootstrap");
    let keys = MemoryKeyStore::new();
    let now = scms_ca::eca::system_now();
    let mut enroll = |label: &str| {
        scms_hsm::KeyStore::generate(&keys, label, scms_crypto::suite::Curve::NistP256)
            .expect("key");
        let request =
            build_enrollment_request(&keys, label, &device_tbs(&keys, label), now).expect("req");
        let response = eca.enroll(&request).expect("enroll");
        process_enrollment_response(&mut store, &keys, label, &request, &response)
            .expect("enrolled")
            .certificate
    };
    let current = enroll("current");
    let other_device = enroll("other");
    let ra = server.certificate("ra");

    scms_hsm::KeyStore::generate(&keys, "next", scms_crypto::suite::Curve::NistP256).expect("key");
    let tbs = device_tbs(&keys, "next");
    let req = build_successor_request(&keys, "current", &current, "next", &tbs, &ra, now)
        .expect("successor request");
    let ack = eca.successor(&req.request).expect("ack");
    let next_dl = process_successor_ack(&ack, &ra, &req).expect("ack checks");
    assert!(next_dl <= scms_ca::eca::system_now());
    // The ack of another request, or signed by someone else, is refused.
    let again = build_successor_request(&keys, "current", &current, "next", &tbs, &ra, now)
        .expect("request");
    assert!(process_successor_ack(&ack, &ra, &again).is_err());
    assert!(process_successor_ack(&ack, &server.certificate("eca"), &req).is_err());

    let dl = successor_download_request(&keys, "current", &current, &ra, &req, now)
        .expect("download request");
    let response = eca.successor_download(&dl).expect("download");
    let mut check_store = CertificateStore::new(64, 4);
    check_store
        .add_trust_anchor(&server.certificate("root"))
        .expect("anchor");
    let e = process_enrollment_response(&mut check_store, &keys, "next", &req.request, &response)
        .expect("successor certificate");
    let cert: scms_asn1::ieee1609dot2::Certificate<'_> =
        scms_asn1::decode(&e.certificate).expect("certificate");
    assert_eq!(
        scms_crypto::verify::certificate_public_key(&cert, None).expect("key"),
        scms_hsm::KeyStore::public_key(&keys, "next").expect("key")
    );
    assert_ne!(e.certificate, current);
    // Not for the old key.
    assert!(process_enrollment_response(
        &mut check_store,
        &keys,
        "current",
        &req.request,
        &response
    )
    .is_err());

    // The same request again: an ack, and the same certificate.
    let ack2 = eca.successor(&req.request).expect("ack again");
    process_successor_ack(&ack2, &ra, &req).expect("ack again checks");
    let dl2 = successor_download_request(&keys, "current", &current, &ra, &req, now + 1)
        .expect("download request");
    assert_eq!(eca.successor_download(&dl2).expect("download"), response);

    // Another device cannot fetch it: 404.
    let stolen = successor_download_request(&keys, "other", &other_device, &ra, &req, now)
        .expect("download request");
    assert!(matches!(
        eca.successor_download(&stolen),
        Err(HttpError::Status { code: 404, .. })
    ));
    // Not encrypted to the RA: 400 with a reason.
    let wrong = build_successor_request(
        &keys,
        "current",
        &current,
        "next",
        &tbs,
        &server.certificate("aca"),
        now,
    )
    .expect("request");
    match eca.successor(&wrong.request) {
        Err(HttpError::Status { code: 400, reason }) => {
            assert!(reason.contains("decryption"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Signed by a certificate the ECA did not issue: refused.
    keys.insert(
        "stranger",
        scms_crypto::suite::SecretKey::generate(
            scms_crypto::suite::Curve::NistP256,
            &mut scms_crypto::suite::os_rng(),
        )
        .expect("key"),
    )
    .expect("insert");
    let forged = build_successor_request(
        &keys,
        "stranger",
        &server.certificate("ra"),
        "next",
        &tbs,
        &ra,
        now,
    )
    .expect("request");
    match eca.successor(&forged.request) {
        Err(HttpError::Status { code: 400, reason }) => {
            assert!(reason.contains("signer.certificate"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Garbage: 400, no panic.
    assert!(matches!(
        eca.successor(b"\x03\x82\x00"),
        Err(HttpError::Status { code: 400, .. })
    ));
    assert!(matches!(
        eca.successor_download(b"\x03"),
        Err(HttpError::Status { code: 400, .. })
    ));
}
