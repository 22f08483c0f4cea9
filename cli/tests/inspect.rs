//! `scms inspect` as a user runs it: the real samples, signature checks that pass
//! and fail, hex on stdin, JSON, and hostile input that must only ever end with
//! exit code 2 and one line naming the field and byte offset.

use scms_asn1::codec::testing::mutations;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/samples")
}

fn scms(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(b) = stdin {
            let _ = input.write_all(b);
        }
    }
    child.wait_with_output().unwrap()
}

fn path(rel: &str) -> String {
    samples().join(rel).to_string_lossy().into_owned()
}

#[test]
fn detects_each_sample_type() {
    for (file, ty) in [
        ("iss/iss_v2x_root.oer", "Certificate"),
        ("iss/CRL-2020-2025.oer", "Ieee1609Dot2Data"),
        ("spdu/ShortMsgData.bin", "Ieee1609Dot2Data"),
        ("spdu/udp-data.bin", "Ieee1609Dot2Data"),
        ("spdu/udp2-data.bin", "Ieee1609Dot2Data"),
        ("etsi-cpoc/E7A4B2B045E7ACF9.oer", "Certificate"),
        ("etsi-cpoc/CE4CF6C19BFED720.oer", "Ieee1609Dot2Data"),
        ("camp/TestCertificate.coer", "Certificate"),
    ] {
        let out = scms(&["inspect", &path(file)], None);
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with(&format!("type: {ty} (")), "{file}: {text}");
    }
}

#[test]
fn certificate_shows_hashed_id8_and_data_shows_signer_and_psid() {
    let out = scms(&["inspect", &path("iss/iss_v2x_root.oer")], None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("hashedId8: 7ac9efd3cc396921"), "{text}");
    assert!(text.contains("\"v2xrootca.ghsiss.com\""), "{text}");

    let out = scms(&["inspect", &path("spdu/udp-data.bin")], None);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("psid: 130"), "{text}");
    assert!(text.contains("signer: certificate "), "{text}");
}

#[test]
fn verify_passes_and_a_flipped_bit_fails() {
    let root = path("iss/iss_v2x_root.oer");
    let out = scms(&["inspect", "--verify", &root], None);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature valid (self-signed)"));

    let crl = path("iss/CRL-2020-2025.oer");
    let out = scms(&["inspect", "--verify", "--issuer", &root, &crl], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut bad = std::fs::read(&crl).unwrap();
    let n = bad.len();
    bad[n - 1] ^= 0x01;
    let out = scms(&["inspect", "--verify", "--issuer", &root, "-"], Some(&bad));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("signature check failed"));

    // The ECTL names the CPOC TLM in its signer and verifies with it.
    let tlm = path("etsi-cpoc/E7A4B2B045E7ACF9.oer");
    let ectl = path("etsi-cpoc/CE4CF6C19BFED720.oer");
    let out = scms(&["inspect", "--verify", "--issuer", &tlm, &ectl], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn hex_on_stdin_and_json() {
    let bytes = std::fs::read(path("iss/iss_v2x_root.oer")).unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let out = scms(
        &["inspect", "--json", "-"],
        Some(format!("{hex}\n").as_bytes()),
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["type"], "Certificate");
    assert_eq!(v["hashedId8"], "7ac9efd3cc396921");
    assert_eq!(
        v["value"]["toBeSigned"]["id"]["name"],
        "v2xrootca.ghsiss.com"
    );
}

#[test]
fn explicit_type_and_unknown_type() {
    let out = scms(
        &[
            "inspect",
            "--type",
            "EtsiTs103097Data",
            &path("etsi-cpoc/CE4CF6C19BFED720.oer"),
        ],
        None,
    );
    assert!(out.status.success());
    let out = scms(
        &[
            "inspect",
            "--type",
            "NoSuchType",
            &path("iss/iss_v2x_root.oer"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_input_exits_2_with_one_line_naming_field_and_offset() {
    let bytes = std::fs::read(path("iss/iss_v2x_root.oer")).unwrap();
    let out = scms(
        &["inspect", "--type", "Certificate", "-"],
        Some(&bytes[..100]),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("at byte 100 in field toBeSigned."), "{err}");

    let out = scms(&["inspect", "-"], Some(b""));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn hostile_input_never_panics() {
    // Mutations of several real samples, each through the whole command: only 0
    // (decoded), 1 (decoded, signature failed) or 2 (refused) may come back.
    for (file, n) in [
        ("iss/iss_v2x_root.oer", 120),
        ("spdu/udp-data.bin", 120),
        ("etsi-cpoc/CE4CF6C19BFED720.oer", 60),
    ] {
        let sample = std::fs::read(path(file)).unwrap();
        mutations(&sample, n, 42, |m| {
            let out = scms(&["inspect", "--verify", "-"], Some(m));
            let code = out.status.code();
            assert!(
                matches!(code, Some(0..=2)),
                "{file}: exit {code:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            if code == Some(2) {
                assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
            }
        });
    }
}
