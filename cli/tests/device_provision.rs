//! The device lifecycle from the command line against the real services on
//! loopback, all on one hierarchy and the real clock: `scms device enroll`
//! (ECA), `scms device provision` (RA, with LA1, LA2 and the ACA behind it;
//! request, ack, download, keys checked), `scms device sign` with a
//! downloaded pseudonym, `scms device verify` accepting it, and
//! `scms device enroll --successor`.

#[path = "../../client-sdk/tests/scms_support/mod.rs"]
mod scms_support;

use scms_support::Scms;

fn scms(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(args)
        .output()
        .expect("run scms")
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn enroll_provision_sign_verify_and_successor_from_the_command_line() {
    let s = Scms::start();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("certs")).expect("mkdir");
    for (name, bytes) in &s.files {
        std::fs::write(dir.path().join("certs").join(name), bytes).expect("write");
    }
    let d = dir.path().to_str().expect("utf-8");
    let dev = dir.path().join("devices/3");

    ok(&scms(&[
        "device",
        "enroll",
        "--data-dir",
        d,
        "--device",
        "3",
        "--eca",
        &s.eca,
    ]));
    let out = ok(&scms(&[
        "device",
        "provision",
        "--data-dir",
        d,
        "--device",
        "3",
        "--ra",
        &s.ra,
        "--psids",
        "32,38",
        "--wait",
        "30",
    ]));
    assert!(out.contains("provisioned"), "{out}");
    let pseudonyms: Vec<_> = std::fs::read_dir(dev.join("pseudonyms"))
        .expect("pseudonyms")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "oer"))
        .collect();
    assert!(!pseudonyms.is_empty());
    for p in &pseudonyms {
        // Each a pseudonym of the ACA for the PSIDs asked, with its key file.
        let bytes = std::fs::read(p).expect("read");
        let c: scms_asn1::ieee1609dot2::Certificate<'_> =
            scms_asn1::decode(&bytes).expect("certificate");
        assert!(matches!(
            c.to_be_signed.id,
            scms_asn1::ieee1609dot2::CertificateId::LinkageData(_)
        ));
        let psids: Vec<u64> = c
            .to_be_signed
            .app_permissions
            .as_ref()
            .expect("appPermissions")
            .iter()
            .map(|p| p.psid.0)
            .collect();
        assert_eq!(psids, vec![32, 38]);
        assert!(p.with_extension("key").is_file());
    }

    // Sign with a downloaded pseudonym; another device's verifier accepts it.
    let spdu = ok(&scms(&[
        "device",
        "sign",
        "--data-dir",
        d,
        "--device",
        "3",
        "--psid",
        "32",
        "--payload",
        "00112233",
    ]));
    let spdu = spdu.trim();
    std::fs::create_dir_all(dir.path().join("devices/4")).expect("mkdir");
    let out = ok(&scms(&[
        "device",
        "verify",
        "--data-dir",
        d,
        "--device",
        "4",
        spdu,
    ]));
    assert!(out.starts_with("valid"), "{out}");
    assert!(out.contains("payload: 00112233"), "{out}");
    // A PSID outside the pseudonyms' permissions is refused by the verifier.
    let other = ok(&scms(&[
        "device",
        "sign",
        "--data-dir",
        d,
        "--device",
        "3",
        "--psid",
        "35",
        "--payload",
        "00",
    ]));
    let out = scms(&[
        "device",
        "verify",
        "--data-dir",
        d,
        "--device",
        "4",
        other.trim(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("PsidNotPermitted"));
    // One bit changed in the signature: invalid, exit 1.
    let mut bad: Vec<char> = spdu.chars().collect();
    let last = bad.len() - 1;
    bad[last] = if bad[last] == '0' { '1' } else { '0' };
    let bad: String = bad.into_iter().collect();
    let out = scms(&["device", "verify", "--data-dir", d, "--device", "4", &bad]);
    assert_eq!(out.status.code(), Some(1), "{:?}", out);

    // Successor enrollment replaces the enrollment certificate and key.
    let before = std::fs::read(dev.join("enrollment.oer")).expect("enrollment");
    let key_before = std::fs::read(dev.join("enrollment.key")).expect("key");
    let out = ok(&scms(&[
        "device",
        "enroll",
        "--data-dir",
        d,
        "--device",
        "3",
        "--eca",
        &s.eca,
        "--successor",
    ]));
    assert!(out.contains("successor"), "{out}");
    let after = std::fs::read(dev.join("enrollment.oer")).expect("enrollment");
    assert_ne!(before, after);
    assert_ne!(
        key_before,
        std::fs::read(dev.join("enrollment.key")).expect("key")
    );
    let c: scms_asn1::ieee1609dot2::Certificate<'_> =
        scms_asn1::decode(&after).expect("certificate");
    let eca_bytes = s.certificate("eca");
    let eca_cert: scms_asn1::ieee1609dot2::Certificate<'_> =
        scms_asn1::decode(&eca_bytes).expect("eca");
    scms_crypto::verify::verify_certificate(&c, Some(&eca_cert)).expect("issued by the ECA");
    // The old certificate no longer works for the device (its key is gone),
    // the new one does: a second successor enrollment succeeds.
    ok(&scms(&[
        "device",
        "enroll",
        "--data-dir",
        d,
        "--device",
        "3",
        "--eca",
        &s.eca,
        "--successor",
    ]));
}
