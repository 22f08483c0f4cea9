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
