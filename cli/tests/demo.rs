//! `scms demo --json` end to end, small: every authority over HTTP on
//! loopback, 3 vehicles, 1 simulated minute, then one misbehaves, the two
//! others report it, the MA revokes it and its messages are rejected. The numbers must add up, and the
//! data directory must hold what a lab checks: the authority certificates,
//! each vehicle's enrollment and pseudonym certificates with keys that match
//! them (checked by reconstructing the implicit certificates' public keys
//! from the ACA certificate).

use std::process::Command;

use scms_asn1::ieee1609dot2::Certificate;
use scms_crypto::suite::{Curve, SecretKey};
use scms_crypto::verify::certificate_public_key;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn demo_json_numbers_add_up_and_the_data_directory_checks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("run");
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args([
            "demo",
            "--json",
            "--vehicles",
            "3",
            "--minutes",
            "1",
            "--export-device-keys",
            "--data-dir",
            dir.to_str().expect("utf-8"),
        ])
        .output()
        .expect("run scms demo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("TEST DATA ONLY"),
        "the key warning: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let j: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    let n = |k: &str| {
        j[k].as_u64()
            .unwrap_or_else(|| panic!("{k} is not a number: {j}"))
    };

    assert_eq!(n("vehicles"), 3);
    assert_eq!(n("enrollment_certificates_issued"), 3);
    // Two i-periods of 20 (the RA's default) per vehicle, all in the ACA's database.
    assert_eq!(j["i_periods"].as_array().expect("i_periods").len(), 2);
    assert_eq!(n("pseudonym_certificates_issued"), 3 * 2 * 20);
    assert_eq!(n("pseudonym_certificates_in_database"), 3 * 2 * 20);
    // 10 Hz for 60 simulated seconds, each vehicle.
    assert_eq!(n("messages_signed"), 3 * 600);
    // Three vehicles on a 1200 m ring, 300 m range: each hears the others
    // only part of the time; every message heard is accounted for.
    let heard = n("verifications");
    assert!(heard > 0 && heard <= 3 * 2 * 600, "{j}");
    assert_eq!(
        heard,
        n("messages_verified") + n("messages_rejected") + n("messages_unknown_signer")
    );
    assert_eq!(n("messages_rejected"), 0, "honest vehicles: {j}");
    assert!(n("messages_verified") * 10 >= heard * 9, "{j}");
    assert!(j["verify_per_s"].as_f64().expect("rate") > 0.0);
    assert!(j["sign_per_s"].as_f64().expect("rate") > 0.0);
    // Pseudonyms change every 30 simulated seconds: at least once per vehicle.
    assert!(n("pseudonym_changes") >= 3, "{j}");
    // The misbehavior phase: vehicle 1 (of 0..3) claims 120 m/s, the two
    // others report it, the MA revokes; afterwards every message of it that
    // is heard is rejected by linkage, the others' still verify, and its
    // certificates of the next i-period are revoked too.
    assert_eq!(n("revoked_vehicle"), 1);
    assert_eq!(n("misbehavior_reports"), 2);
    assert!(j["revocation_latency_ms"].as_f64().expect("latency") > 0.0);
    let after = n("messages_rejected_after_revocation");
    assert!(after > 0, "{j}");
    assert_eq!(j["rejections_after_revocation"]["RevokedByLinkage"], after);
    assert!(n("messages_verified_after_revocation") > 0, "{j}");
    assert_eq!(n("future_certificates_tried"), 20);
    assert_eq!(n("future_certificates_rejected"), 20);
    assert!(dir.join("crl/crl-1.oer").is_file());

    // The data directory.
    for role in [
        "root", "ica", "eca", "aca", "ra", "la1", "la2", "ma", "crl", "ctl",
    ] {
        assert!(dir.join(format!("certs/{role}.oer")).is_file(), "{role}");
    }
    assert!(dir.join("crl").is_dir());
    let aca_bytes = std::fs::read(dir.join("certs/aca.oer")).expect("aca");
    let aca: Certificate<'_> = scms_asn1::decode(&aca_bytes).expect("aca decodes");
    for v in 0..3 {
        let d = dir.join(format!("devices/{v}"));
        assert!(d.join("enrollment.oer").is_file());
        let mut count = 0;
        for e in std::fs::read_dir(d.join("pseudonyms")).expect("pseudonyms") {
            let p = e.expect("entry").path();
            if p.extension().is_none_or(|x| x != "oer") {
                continue;
            }
            count += 1;
            let stem = p.file_stem().and_then(|s| s.to_str()).expect("stem");
            let (i, jj) = stem.split_once('_').expect("<i>_<j>");
            assert!(
                i.parse::<u32>().is_ok() && jj.parse::<u32>().is_ok(),
                "{stem}"
            );
            let key = std::fs::read_to_string(p.with_extension("key")).expect("key");
            assert_eq!(key.len(), 64);
            assert!(key
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
            let sk = SecretKey::from_be_bytes(Curve::NistP256, &unhex(&key)).expect("scalar");
            let bytes = std::fs::read(&p).expect("cert");
            let c: Certificate<'_> = scms_asn1::decode(&bytes).expect("pseudonym decodes");
            let pk = certificate_public_key(&c, Some(&aca)).expect("reconstructs");
            assert_eq!(pk, sk.public_key(), "{} matches its key", p.display());
        }
        assert_eq!(count, 40, "vehicle {v}");
    }
    assert!(stderr.contains("WARNING"));
}

#[test]
fn demo_refuses_a_used_directory_and_bad_counts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(tmp.path().join("certs")).expect("mkdir");
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["demo", "--data-dir", tmp.path().to_str().expect("utf-8")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds"));
    let out = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["demo", "--vehicles", "2"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}
