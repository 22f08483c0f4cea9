//! `scms device sign|verify` on a data directory laid out as
//! `scms demo --export-device-keys` writes it, made here with our CA crate.

use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::Certificate;
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::issue::{issue, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_crypto::ecqv;
use scms_crypto::suite::{os_rng, Curve, SecretKey};
use scms_hsm::MemoryKeyStore;
use std::path::Path;
use std::process::{Command, Output};

fn now32() -> u32 {
    time32_from_unix(1_767_225_600)
}

fn now64(offset_s: u64) -> u64 {
    (u64::from(now32()) + 3600 + offset_s) * 1_000_000
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn scms(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(args)
        .output()
        .expect("run scms")
}

/// `DIR/certs/<role>.oer` and device 1 with pseudonyms `100_0` .. `100_2`.
fn data_dir(dir: &Path) {
    let ca_keys = MemoryKeyStore::new();
    let h = build(&ca_keys, &HierarchyOptions::new(Family::Us, now32())).expect("hierarchy");
    std::fs::create_dir_all(dir.join("certs")).expect("mkdir");
    for (name, bytes) in h.export_files() {
        std::fs::write(dir.join("certs").join(name), bytes).expect("write");
    }
    let pdir = dir.join("devices/1/pseudonyms");
    std::fs::create_dir_all(&pdir).expect("mkdir");
    let profile = builtin(Family::Us, "pseudonym").expect("profile");
    let aca = h.certificate("aca").expect("aca");
    for j in 0..3 {
        let request = SecretKey::generate(Curve::NistP256, &mut os_rng()).expect("key");
        let params = IssueParams::new(&profile, SubjectId::None, request.public_key(), now32());
        let issued = issue(&ca_keys, &h.issuer_ref("aca").expect("aca"), &params).expect("issue");
        let cert: Certificate<'_> = scms_asn1::decode(issued.certificate()).expect("cert");
        let e = ecqv::certificate_e(
            Curve::NistP256,
            &cert.to_be_signed.to_bytes().expect("tbs"),
            aca,
        );
        let d =
            ecqv::reconstruct_private_key(&request, &e, issued.reconstruction.as_ref().expect("s"))
                .expect("reconstruct");
        std::fs::write(pdir.join(format!("100_{j}.oer")), issued.certificate()).expect("write");
        std::fs::write(pdir.join(format!("100_{j}.key")), hex(&d.to_be_bytes())).expect("write");
    }
}

#[test]
fn device_signs_and_another_verifies() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    data_dir(dir);
    let d = dir.to_str().expect("utf-8");
    let t = now64(0).to_string();

    let out = scms(&[
        "device",
        "sign",
        "--data-dir",
        d,
        "--device",
        "1",
        "--psid",
        "32",
        "--payload",
        "00112233aabb",
        "--time",
        &t,
    ]);
    assert!(
        out.status.success(),
        "sign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spdu = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string();
    assert!(spdu.starts_with("03"), "{spdu}");

    let out = scms(&[
        "device",
        "verify",
        "--data-dir",
        d,
        "--device",
        "1",
        "--time",
        &t,
        &spdu,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "verify: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("valid\n"), "{text}");
    assert!(text.contains("psid: 32"), "{text}");
    assert!(text.contains("payload: 00112233aabb"), "{text}");

    // One changed digit of the signature: invalid, exit 1.
    let mut bad = spdu.clone().into_bytes();
    let n = bad.len();
    bad[n - 1] = if bad[n - 1] == b'0' { b'1' } else { b'0' };
    let bad = String::from_utf8(bad).expect("utf-8");
    let out = scms(&[
        "device",
        "verify",
        "--data-dir",
        d,
        "--device",
        "1",
        "--time",
        &t,
        &bad,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("invalid: BadSignature"));

    // A minute later it is too old.
    let later = now64(60).to_string();
    let out = scms(&[
        "device",
        "verify",
        "--data-dir",
        d,
        "--device",
        "1",
        "--time",
        &later,
        &spdu,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("invalid: TooOld"));

    // A PSID the pseudonyms do not hold is signed, but refused by the verifier.
    let out = scms(&[
        "device",
        "sign",
        "--data-dir",
        d,
        "--device",
        "1",
        "--psid",
        "0x20",
        "--payload",
        "00",
        "--time",
        &t,
    ]);
    assert!(out.status.success());
    let out = scms(&[
        "device",
        "sign",
        "--data-dir",
        d,
        "--device",
        "1",
        "--psid",
        "0x7fff",
        "--payload",
        "00",
        "--time",
        &t,
    ]);
    let other = String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string();
    let out = scms(&[
        "device",
        "verify",
        "--data-dir",
        d,
        "--device",
        "1",
        "--time",
        &t,
        &other,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("PsidNotPermitted"));

    // Usage and data errors exit 2.
    let out = scms(&["device", "verify", "--data-dir", d, "--device", "1", "zz"]);
    assert_eq!(out.status.code(), Some(2));
    let out = scms(&[
        "device",
        "sign",
        "--data-dir",
        d,
        "--device",
        "9",
        "--psid",
        "32",
        "--payload",
        "00",
    ]);
    assert_eq!(out.status.code(), Some(2));
    // Garbage hex that is not an SPDU is a verdict (malformed), exit 1.
    let out = scms(&["device", "verify", "--data-dir", d, "--device", "1", "0380"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("invalid: Malformed"));
}
