//! `scms device enroll` against the real ECA router on loopback, and
//! `scms device provision` failing cleanly when no RA answers.

#[path = "../../client-sdk/tests/eca_support/mod.rs"]
mod eca_support;

use eca_support::EcaServer;
use scms_asn1::ieee1609dot2::Certificate;
use std::process::Command;

fn scms(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(args)
        .output()
        .expect("run scms")
}

#[test]
fn device_enrolls_over_http_then_provision_needs_an_ra() {
    let server = EcaServer::start();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("certs")).expect("mkdir");
    for (name, bytes) in server.h.export_files() {
        std::fs::write(dir.path().join("certs").join(name), bytes).expect("write");
    }
    let d = dir.path().to_str().expect("utf-8");
    let out = scms(&[
        "device",
        "enroll",
        "--data-dir",
        d,
        "--device",
        "7",
        "--eca",
        &server.url(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dev = dir.path().join("devices/7");
    let cert = std::fs::read(dev.join("enrollment.oer")).expect("certificate");
    let key = std::fs::read_to_string(dev.join("enrollment.key")).expect("key");
    assert_eq!(key.len(), 64);
    assert!(key
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    // The certificate is the ECA's, for the key written.
    let c: Certificate<'_> = scms_asn1::decode(&cert).expect("decodes");
    let eca_bytes = server.certificate("eca");
    let eca: Certificate<'_> = scms_asn1::decode(&eca_bytes).expect("eca");
    scms_crypto::verify::verify_certificate(&c, Some(&eca)).expect("issued by the ECA");
    let scalar: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&key[2 * i..2 * i + 2], 16).expect("hex"))
        .collect();
    let sk =
        scms_crypto::suite::SecretKey::from_be_bytes(scms_crypto::suite::Curve::NistP256, &scalar)
            .expect("key");
    assert_eq!(
        scms_crypto::verify::certificate_public_key(&c, None).expect("pk"),
        sk.public_key()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dev.join("enrollment.key"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the key is readable by its owner only");
    }

    // The ECA is no RA: provision fails with a message and exit code 2.
    let out = scms(&[
        "device",
        "provision",
        "--data-dir",
        d,
        "--device",
        "7",
        "--ra",
        &server.url(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RA"));
}
