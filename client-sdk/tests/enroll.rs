//! Bootstrap and enrollment against the real ECA router over HTTP on
//! loopback: the device verifies the CTL with its electors, trusts the root it
//! approves, builds its `EeEcaCertRequestSpdu`, and checks the ECA's answer.
#![allow(dead_code)]

mod eca_support;

use eca_support::{device_tbs, http, EcaServer};
use scms_hsm::{KeyStore, MemoryKeyStore};
use scms_sdk::bootstrap::{bootstrap, process_certificate_chain, verify_ctl, BootstrapError};
use scms_sdk::enroll::{build_enrollment_request, process_enrollment_response, EnrollError};
use scms_sdk::CertificateStore;

#[test]
fn bootstrap_then_enroll_over_http() {
    let server = EcaServer::start();
    let electors = server.electors();
    let electors: Vec<&[u8]> = electors.iter().map(Vec::as_slice).collect();

    // Bootstrap from the CTL alone, and from the certificate chain.
    let (status, ctl) = http(server.addr, "GET", "/v3/ctl", b"");
    assert_eq!(status, 200);
    let mut store = CertificateStore::new(64, 4);
    let trusted = bootstrap(&mut store, &ctl, &electors, 2).expect("CTL");
    assert_eq!(trusted.roots, vec![server.certificate("root")]);
    assert_eq!(trusted.electors.len(), 3);
    assert!(trusted.signatures >= 2);

    let (status, chain) = http(server.addr, "GET", "/v3/ca-certificate", b"");
    assert_eq!(status, 200);
    let mut store = CertificateStore::new(64, 4);
    let (_, added) =
        process_certificate_chain(&mut store, &chain, &electors, 2).expect("certificate chain");
    assert_eq!(added.len(), 2, "ECA and ICA");

    // Enrollment.
    let keys = MemoryKeyStore::new();
    keys.generate("enrollment", scms_crypto::suite::Curve::NistP256)
        .expect("key");
    let now = scms_ca::eca::system_now();
    let request =
        build_enrollment_request(&keys, "enrollment", &device_tbs(&keys, "enrollment"), now)
            .expect("request");
    let (status, response) = http(server.addr, "POST", "/v3/enrollment-certificate", &request);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&response));
    let e = process_enrollment_response(&mut store, &keys, "enrollment", &request, &response)
        .expect("enrollment");
    assert_eq!(e.chain.len(), 3);
    assert_eq!(e.chain[0], server.certificate("eca"));
    let cert: scms_asn1::ieee1609dot2::Certificate<'_> =
        scms_asn1::decode(&e.certificate).expect("certificate");
    assert_eq!(
        scms_crypto::verify::certificate_public_key(&cert, None).expect("key"),
        keys.public_key("enrollment").expect("key")
    );

    // The answer to another request, a tampered answer, another key, no anchor.
    let other = build_enrollment_request(
        &keys,
        "enrollment",
        &device_tbs(&keys, "enrollment"),
        now + 1,
    )
    .expect("request");
    assert_eq!(
        process_enrollment_response(&mut store, &keys, "enrollment", &other, &response),
        Err(EnrollError::NotOurRequest)
    );
    let mut tampered = response.clone();
    let n = tampered.len();
    tampered[n - 1] ^= 1;
    assert!(matches!(
        process_enrollment_response(&mut store, &keys, "enrollment", &request, &tampered),
        Err(EnrollError::BadSignature(_))
    ));
    keys.generate("other", scms_crypto::suite::Curve::NistP256)
        .expect("key");
    assert_eq!(
        process_enrollment_response(&mut store, &keys, "other", &request, &response),
        Err(EnrollError::KeyMismatch)
    );
    let mut empty = CertificateStore::new(64, 4);
    assert!(matches!(
        process_enrollment_response(&mut empty, &keys, "enrollment", &request, &response),
        Err(EnrollError::Chain(_))
    ));
}

#[test]
fn a_ctl_needs_trusted_electors_and_a_quorum() {
    let server = EcaServer::start();
    let (_, ctl) = http(server.addr, "GET", "/v3/ctl", b"");
    let electors = server.electors();
    let all: Vec<&[u8]> = electors.iter().map(Vec::as_slice).collect();
    verify_ctl(&ctl, &all, 3).expect("all three signed");
    assert_eq!(
        verify_ctl(&ctl, &all, 4),
        Err(BootstrapError::NoQuorum {
            valid: 3,
            quorum: 4
        })
    );
    // An elector the device does not trust signed it.
    assert!(matches!(
        verify_ctl(&ctl, &all[..2], 1),
        Err(BootstrapError::BadSignature(_))
    ));
    // Root certificates are not electors.
    let root = server.certificate("root");
    assert!(matches!(
        verify_ctl(&ctl, &[&root], 1),
        Err(BootstrapError::BadSignature(_))
    ));
    // One bit changed.
    let mut bad = ctl.clone();
    let n = bad.len();
    bad[n / 2] ^= 1;
    assert!(verify_ctl(&bad, &all, 1).is_err());
}
