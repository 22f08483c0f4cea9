//! Interoperability: SPDUs we sign decode with Wireshark's IEEE 1609.2
//! dissector (tshark) and their signatures verify with OpenSSL; real SPDUs
//! from `shared/samples/spdu/` pass every check that does not need their
//! signers' certificates; the ISS production CRL applies with the ISS root as
//! trust anchor and fails with one bit changed.

mod common;

use common::{bsm, hex, now64, World};
use scms_asn1::ieee1609dot2::{
    Ieee1609Dot2Content, Ieee1609Dot2Data, NinetyDegreeInt, OneEightyDegreeInt, ThreeDLocation,
};
use scms_crypto::signing_input::{ecdsa_signing_digest, SigningInputHashes};
use scms_crypto::suite::Curve;
use scms_crypto::verify::suite_signature;
use scms_hsm::der::{ecdsa_sig_der, spki_der};
use scms_hsm::KeyStore;
use scms_sdk::{Rejection, Signer, SigningIdentity, Verifier, VerifierConfig};
use std::path::{Path, PathBuf};
use std::process::Command;

fn samples_dir() -> PathBuf {
    match std::env::var_os("SCMS_SAMPLES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples")),
    }
}

fn sample(rel: &str) -> Vec<u8> {
    let p = samples_dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read sample {}: {e}", p.display()))
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scms-sdk-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp dir");
    d
}

/// Three SPDUs of one pseudonym: with the certificate, by digest, and with a
/// generation location and expiry time.
fn our_spdus(w: &World) -> (Vec<Vec<u8>>, Vec<u8>) {
    let cert = w.pseudonym("p0");
    let mut signer = Signer::new(SigningIdentity::new(cert.clone(), "p0").expect("identity"));
    let first = signer.sign(&w.device_keys, &bsm(now64(0))).expect("sign");
    let second = signer
        .sign(&w.device_keys, &bsm(now64(0) + 100_000))
        .expect("sign");
    let mut m = bsm(now64(0) + 200_000);
    m.generation_location = Some(ThreeDLocation {
        latitude: NinetyDegreeInt(423_300_000),
        longitude: OneEightyDegreeInt(-830_500_000),
        elevation: 1_800,
    });
    m.expiry_time = Some(now64(10));
    let third = signer.sign(&w.device_keys, &m).expect("sign");
    (vec![first, second, third], cert)
}

/// A classic pcap (microsecond timestamps) with link type DLT_USER0 (147).
fn write_pcap(path: &Path, packets: &[Vec<u8>]) {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65_535u32.to_le_bytes());
    out.extend_from_slice(&147u32.to_le_bytes());
    for (i, p) in packets.iter().enumerate() {
        let len = u32::try_from(p.len()).expect("len");
        out.extend_from_slice(&(1_767_225_600u32 + i as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(p);
    }
    std::fs::write(path, out).expect("write pcap");
}

/// The decode preference that maps DLT_USER0 to the 1609.2 dissector.
const USER_DLT: &str = r#"uat:user_dlts:"User 0 (DLT=147)","ieee1609dot2.data","0","","0","""#;

#[test]
fn tshark_decodes_our_spdus_without_errors() {
    if Command::new("tshark").arg("--version").output().is_err() {
        // scripts/test.sh installs tshark: in CI its absence is a failure.
        assert!(std::env::var_os("CI").is_none(), "no `tshark` on the PATH");
        println!("SKIPPED: no `tshark` on the PATH");
        return;
    }
    let w = World::new();
    let (spdus, _) = our_spdus(&w);
    let dir = tmpdir("tshark");
    let pcap = dir.join("ours.pcap");
    write_pcap(&pcap, &spdus);
    let out = Command::new("tshark")
        .arg("-r")
        .arg(&pcap)
        .args(["-o", USER_DLT, "-V"])
        .output()
        .expect("run tshark");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "tshark failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let frames = text
        .matches("Payload: ieee1609dot2.data (IEEE1609dot2)")
        .count();
    assert_eq!(
        frames, 3,
        "every frame decodes as Ieee1609Dot2Data:\n{text}"
    );
    for bad in ["Malformed", "Expert Info", "Dissector bug", "exception"] {
        assert!(!text.contains(bad), "tshark reports {bad:?}:\n{text}");
    }
    // PSID 32 in each header, and in the appPermissions of the carried certificate.
    // (tshark 4.0 names it "psid-vehicle-to-vehicle-safety-and-awarenesss (32)").
    let psid32 = text
        .lines()
        .filter(|l| l.trim_start().starts_with("psid: ") && l.trim_end().ends_with("(32)"))
        .count();
    assert_eq!(psid32, 4, "{text}");
    assert!(
        text.contains("generationTime: 2026-01-01 01:00:00.000000"),
        "{text}"
    );
    assert_eq!(text.matches("signer: certificate").count(), 1, "{text}");
    assert_eq!(text.matches("signer: digest").count(), 2, "{text}");
    assert_eq!(text.matches("ecdsaNistP256Signature").count(), 6, "{text}");
    assert_eq!(text.matches("sSig: ").count(), 3, "{text}");
    assert!(text.contains("generationLocation"), "{text}");
    assert!(text.contains("expiryTime"), "{text}");
    assert!(
        text.contains("unsecuredData: 62617369632073616665747920"),
        "{text}"
    );

    // Only the certificate-bearing SPDU carries the implicit certificate.
    assert!(text.contains("reconstructionValue"), "{text}");

    // Control: a truncated SPDU is reported as malformed, so the check above bites.
    let mut cut = spdus[1].clone();
    cut.truncate(cut.len() - 20);
    write_pcap(&pcap, &[cut]);
    let out = Command::new("tshark")
        .arg("-r")
        .arg(&pcap)
        .args(["-o", USER_DLT, "-V"])
        .output()
        .expect("run tshark");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Malformed"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn openssl_available() -> bool {
    match Command::new("openssl").arg("version").output() {
        Ok(o) if o.status.success() => true,
        _ => {
            println!("SKIPPED: no usable `openssl` binary on the PATH");
            false
        }
    }
}

#[test]
fn openssl_verifies_our_spdu_signatures() {
    if !openssl_available() {
        return;
    }
    let w = World::new();
    let (spdus, cert) = our_spdus(&w);
    let key = w.device_keys.public_key("p0").expect("public key");
    let dir = tmpdir("openssl");
    let pubf = dir.join("p0.spki.der");
    std::fs::write(&pubf, spki_der(&key)).expect("write");
    for (i, spdu) in spdus.iter().enumerate() {
        let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(spdu).expect("decode");
        let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
            panic!("not signed")
        };
        // 1609.2 clause 5.3.1: SHA-256(SHA-256(tbsData) || SHA-256(signer certificate)).
        let tbs = sd.tbs_data.to_bytes().expect("tbs");
        let digest = ecdsa_signing_digest(
            SigningInputHashes::for_data(Curve::NistP256),
            &tbs,
            Some(&cert),
        );
        let sig = suite_signature(&sd.signature).expect("signature");
        for (name, d) in [
            ("good", digest.as_bytes().to_vec()),
            ("bad", {
                let mut b = digest.as_bytes().to_vec();
                b[0] ^= 1;
                b
            }),
        ] {
            let df = dir.join(format!("{i}.{name}.digest"));
            let sf = dir.join(format!("{i}.sig.der"));
            std::fs::write(&df, &d).expect("write");
            std::fs::write(&sf, ecdsa_sig_der(&sig)).expect("write");
            let out = Command::new("openssl")
                .args(["pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey"])
                .arg(&pubf)
                .arg("-in")
                .arg(&df)
                .arg("-sigfile")
                .arg(&sf)
                .output()
                .expect("run openssl");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            if name == "good" {
                assert!(
                    out.status.success() && text.contains("Verified Successfully"),
                    "SPDU {i}: {text}"
                );
            } else {
                assert!(
                    !out.status.success(),
                    "SPDU {i}: a wrong digest verified: {text}"
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The generation time of a sample SPDU.
fn generation_time(spdu: &[u8]) -> u64 {
    let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(spdu).expect("decode");
    let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
        panic!("not signed")
    };
    sd.tbs_data
        .header_info
        .generation_time
        .expect("generation time")
}

/// The 1609.2 SPDU inside a WSMP frame: the first offset at which a signed
/// `Ieee1609Dot2Data` decodes as a prefix.
fn spdu_in_frame(frame: &[u8]) -> Vec<u8> {
    (0..frame.len())
        .find_map(|i| {
            let (d, rest) = scms_asn1::decode_prefix::<Ieee1609Dot2Data<'_>>(&frame[i..]).ok()?;
            matches!(d.content, Ieee1609Dot2Content::SignedData(_))
                .then(|| frame[i..frame.len() - rest.len()].to_vec())
        })
        .expect("an SPDU in the frame")
}

#[test]
fn real_spdus_pass_every_check_before_the_signer_lookup() {
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("ShortMsgData.bin", sample("spdu/ShortMsgData.bin"), false),
        ("udp2-data.bin", sample("spdu/udp2-data.bin"), false),
        ("udp-data.bin", sample("spdu/udp-data.bin"), true),
        (
            "udp.bin (WSMP)",
            spdu_in_frame(&sample("spdu/udp.bin")),
            true,
        ),
        (
            "udp2.bin (WSMP)",
            spdu_in_frame(&sample("spdu/udp2.bin")),
            false,
        ),
        (
            "ShortMsgNpdu.bin (WSMP)",
            spdu_in_frame(&sample("spdu/ShortMsgNpdu.bin")),
            false,
        ),
    ];
    for (name, spdu, with_certificate) in cases {
        let now = generation_time(&spdu);
        let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(&spdu).expect("decode");
        let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
            panic!("{name}: not signed")
        };
        let mut v = Verifier::new(VerifierConfig::default());
        v.store
            .add_trust_anchor(&sample("iss/iss_v2x_root.oer"))
            .expect("ISS root");
        let verdict = v.verify(&spdu, now);
        match &sd.signer {
            scms_asn1::ieee1609dot2::SignerIdentifier::Digest(d) => {
                assert!(!with_certificate, "{name}");
                assert_eq!(
                    verdict,
                    Err(Rejection::UnknownSigner {
                        p2pcd: [d[5], d[6], d[7]]
                    }),
                    "{name}"
                );
            }
            scms_asn1::ieee1609dot2::SignerIdentifier::Certificate(c) => {
                assert!(with_certificate, "{name}");
                let issuer = scms_crypto::verify::issuer_digest(&c[0]).expect("issuer");
                assert_eq!(verdict, Err(Rejection::UnknownIssuer { issuer }), "{name}");
            }
            other => panic!("{name}: signer {other:?}"),
        }
        // The checks before the signer lookup do bite on the same bytes.
        assert!(
            matches!(
                v.verify(&spdu, now + 60_000_000),
                Err(Rejection::TooOld { .. })
            ),
            "{name}"
        );
        assert!(
            matches!(
                v.verify(&spdu, now - 10_000_000),
                Err(Rejection::GenerationTimeInFuture { .. })
            ),
            "{name}"
        );
        let batch = v.verify_batch(&[&spdu, &spdu[..spdu.len() - 1]], now);
        assert_eq!(batch[0], verdict, "{name}");
        assert!(matches!(batch[1], Err(Rejection::Malformed(_))), "{name}");
    }
}

#[test]
fn iss_crl_applies_with_the_iss_root_as_anchor_and_fails_with_one_bit_changed() {
    let root = sample("iss/iss_v2x_root.oer");
    let crl = sample("iss/CRL-2020-2025.oer");
    let mut v = Verifier::new(VerifierConfig::default());
    let anchor = v.store.add_trust_anchor(&root).expect("ISS root");
    assert_eq!(hex(&anchor.hashed_id8), "7ac9efd3cc396921");
    // The root itself signs the CRL: PSID 256 with a CrlSsp (isCraca, series 256).
    assert!(anchor.permission(256).is_some(), "root grants the CRL PSID");
    // 2024-01-01 00:00 UTC, inside the root's validity.
    let now = u64::from(scms_asn1::ieee1609dot2::time::time32_from_unix(
        1_704_067_200,
    )) * 1_000_000;
    let applied = v.apply_crl(&crl, now, 0).expect("ISS CRL applies");
    assert!(applied.fresh);
    assert_eq!(
        applied.hash_entries + applied.linkage_entries,
        0,
        "the ISS CRL is empty"
    );

    // One bit changed anywhere in the signed part or the signature fails.
    let mut fails = 0;
    for bit in [
        8 * 10,
        8 * 20 + 3,
        8 * (crl.len() - 40) + 1,
        8 * crl.len() - 1,
    ] {
        let mut bad = crl.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let mut v = Verifier::new(VerifierConfig::default());
        v.store.add_trust_anchor(&root).expect("ISS root");
        let r = v.apply_crl(&bad, now, 0);
        assert!(r.is_err(), "bit {bit}: {r:?}");
        fails += 1;
    }
    assert_eq!(fails, 4);
    let mut bad = crl.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    assert_eq!(v.apply_crl(&bad, now, 0), Err(Rejection::BadSignature));
    // Without the root as anchor the signer is unknown.
    let mut v = Verifier::new(VerifierConfig::default());
    assert!(matches!(
        v.apply_crl(&crl, now, 0),
        Err(Rejection::UnknownSigner { .. })
    ));
}
