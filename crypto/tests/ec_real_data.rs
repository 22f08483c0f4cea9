//! Signatures on real certificates from `shared/samples/` verify with the
//! 1609.2 signing input and our verifier: the ISS production root (P-256),
//! the EU CPOC TLM certificate (brainpoolP384r1) and all 58 ETSI ATS test
//! certificates (P-256, brainpoolP256r1, brainpoolP384r1; four of them with a
//! P-384 subject under a 256-bit issuer, which fixes the hash selection rule).
//!
//! The certificates are cut by hand here (the COER codec lives in another
//! crate): `CertificateBase` = preamble, version, type, issuer, tbs, signature,
//! and the signature is the last 66 bytes (P-256 family) or 99 bytes
//! (`ecdsaBrainpoolP384r1Signature`, an extension alternative with a length).

mod ec_util;

use ec_util::*;
use scms_crypto::hash::HashAlgorithm;
use scms_crypto::hashed_id::HashedId8;
use scms_crypto::signing_input::{ecdsa_signing_digest, SigningInputHashes};
use scms_crypto::suite::{Curve, EcPoint, Error, PublicKey, Signature, SignatureR};

struct Cut<'a> {
    issuer: Option<(u8, [u8; 8])>,
    tbs: &'a [u8],
    curve: Curve,
    sig: Signature,
}

fn cut(cert: &[u8]) -> Cut<'_> {
    assert_eq!(&cert[..2], &[0x80, 0x03], "preamble + version 3");
    let (issuer, start) = match cert[3] {
        0x81 => (None, 5),
        t @ (0x80 | 0x82) => (Some((t, cert[4..12].try_into().expect("8"))), 12),
        t => panic!("issuer tag {t:#x}"),
    };
    let n = cert.len();
    let (curve, sig_len, r_at) =
        if matches!(cert[n - 66], 0x80 | 0x81) && matches!(cert[n - 65], 0x80 | 0x82 | 0x83) {
            let c = if cert[n - 66] == 0x80 {
                Curve::NistP256
            } else {
                Curve::BrainpoolP256r1
            };
            (c, 66, n - 65)
        } else {
            assert_eq!(cert[n - 98], 0x61, "extension length");
            let c = match cert[n - 99] {
                0x82 => Curve::BrainpoolP384r1,
                0x83 => Curve::NistP384,
                t => panic!("signature tag {t:#x}"),
            };
            (c, 99, n - 97)
        };
    let fl = curve.field_len();
    let r_tag = cert[r_at];
    let r_bytes = &cert[r_at + 1..r_at + 1 + fl];
    let r = match r_tag {
        0x80 => SignatureR::X(r_bytes.to_vec()),
        0x82 | 0x83 => {
            SignatureR::Point(EcPoint::from_x_and_parity(curve, r_bytes, r_tag == 0x83).expect("R"))
        }
        t => panic!("r tag {t:#x}"),
    };
    let s = cert[r_at + 1 + fl..].to_vec();
    assert_eq!(s.len(), fl);
    Cut {
        issuer,
        tbs: &cert[start..n - sig_len],
        curve,
        sig: Signature { r, s },
    }
}

#[test]
fn iss_root_self_signature() {
    let cert = read_shared("samples/iss/iss_v2x_root.oer");
    let c = cut(&cert);
    assert!(c.issuer.is_none());
    assert_eq!(c.curve, Curve::NistP256);
    // verifyKeyIndicator.verificationKey.ecdsaNistP256.compressed-y-1 at offset 106.
    assert_eq!(&cert[103..107], &[0xc0, 0x80, 0x80, 0x83]);
    let q = EcPoint::from_x_and_parity(Curve::NistP256, &cert[107..139], true).expect("key");
    let h = SigningInputHashes::for_certificate(Curve::NistP256, Curve::NistP256);
    let d = ecdsa_signing_digest(h, c.tbs, None);
    q.verify_digest(d.as_bytes(), &c.sig)
        .expect("ISS root verifies");
    let bad_tbs = flip(c.tbs, 20, 3);
    let d = ecdsa_signing_digest(h, &bad_tbs, None);
    assert_eq!(
        q.verify_digest(d.as_bytes(), &c.sig),
        Err(Error::VerificationFailed)
    );
}

#[test]
fn cpoc_tlm_brainpool_p384_self_signature() {
    let cert = read_shared("samples/etsi-cpoc/E7A4B2B045E7ACF9.oer");
    assert_eq!(
        HashedId8::of_certificate(HashAlgorithm::Sha384, &cert).to_string(),
        "e7a4b2b045e7acf9"
    );
    let c = cut(&cert);
    assert!(c.issuer.is_none());
    assert_eq!(c.curve, Curve::BrainpoolP384r1);
    // verificationKey.ecdsaBrainpoolP384r1 (extension, length 0x31).compressed-y-0 at 43.
    assert_eq!(&cert[40..44], &[0x80, 0x82, 0x31, 0x82]);
    let q = EcPoint::from_x_and_parity(Curve::BrainpoolP384r1, &cert[44..92], false).expect("key");
    let h = SigningInputHashes::for_certificate(Curve::BrainpoolP384r1, Curve::BrainpoolP384r1);
    let d = ecdsa_signing_digest(h, c.tbs, None);
    q.verify_digest(d.as_bytes(), &c.sig).expect("TLM verifies");
    let d = ecdsa_signing_digest(h, &flip(c.tbs, 0, 0), None);
    assert!(q.verify_digest(d.as_bytes(), &c.sig).is_err());
}

#[test]
fn etsi_ats_certificates_verify() {
    let dir = shared_dir().join("samples/etsi-ats");
    let mut certs = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("etsi-ats") {
        let p = entry.expect("entry").path();
        if p.extension().and_then(|e| e.to_str()) == Some("oer") {
            let name = p
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("name")
                .to_string();
            let key = std::fs::read(dir.join(format!("{name}.vkey_pub"))).expect("vkey_pub");
            certs.push((name, std::fs::read(&p).expect("cert"), key));
        }
    }
    assert_eq!(certs.len(), 58);
    let mut mixed = Vec::new();
    for (name, cert, subject_key) in &certs {
        let c = cut(cert);
        let (signer_cert, issuer_key) = match c.issuer {
            None => (None, subject_key.clone()),
            Some((_tag, id)) => {
                // A certificate is identified with the hash of its own key's
                // curve: CERT_IUT_A_B33_AT names its P-384 issuer with a
                // SHA-384 HashedId8 although the tag says sha256AndDigest.
                let (_, ic, ik) = certs
                    .iter()
                    .find(|(_, ic, ik)| {
                        let alg = if ik.len() == 97 {
                            HashAlgorithm::Sha384
                        } else {
                            HashAlgorithm::Sha256
                        };
                        HashedId8::of_certificate(alg, ic).0 == id
                    })
                    .unwrap_or_else(|| panic!("issuer of {name}"));
                (Some(ic.as_slice()), ik.clone())
            }
        };
        let q: PublicKey = EcPoint::from_sec1(c.curve, &issuer_key).expect("issuer key");
        // Only the hash of the subject's curve matters for the rule: 65-byte
        // keys are 256-bit curves, 97-byte keys 384-bit ones.
        let subject_curve = if subject_key.len() == 97 {
            Curve::NistP384
        } else {
            Curve::NistP256
        };
        let h = SigningInputHashes::for_certificate(c.curve, subject_curve);
        let d = ecdsa_signing_digest(h, c.tbs, signer_cert);
        q.verify_digest(d.as_bytes(), &c.sig)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let data_rule = SigningInputHashes::for_data(c.curve);
        if data_rule != h {
            let d = ecdsa_signing_digest(data_rule, c.tbs, signer_cert);
            assert!(q.verify_digest(d.as_bytes(), &c.sig).is_err());
            mixed.push(name.clone());
        }
    }
    mixed.sort();
    assert_eq!(
        mixed,
        [
            "CERT_IUT_A_B3_AA",
            "CERT_IUT_A_B3_AT",
            "CERT_IUT_A_B3_N_AT",
            "CERT_TS_B1_AT"
        ]
    );
}
