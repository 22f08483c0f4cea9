//! Every signature in `shared/samples/` whose signer is present verifies through
//! the decoded 1609.2 structures (spans, not re-encodings), and one flipped bit
//! makes each fail: the ISS root and its CRL, the 58 ETSI ATS certificates
//! against their issuers (found by HashedId8), the EU CPOC TLM and its ECTL, and
//! the YD/T 3957 SM2 SPDU example.

use scms_asn1::ieee1609dot2::{Certificate, Ieee1609Dot2Data, Signature, ToBeSignedData};
use scms_crypto::suite::{Curve, EcPoint, SignatureR};
use scms_crypto::verify::{
    certificate_hashed_id8, find_signer, issuer_digest, suite_signature, verify_certificate,
    verify_signed_data, VerifyError,
};
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn read(rel: &str) -> Vec<u8> {
    let p = shared().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Flips one bit of the last byte (inside the signature's `s`) and checks that the
/// result still decodes but no longer verifies.
fn flipped_last_bit(bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let n = b.len();
    b[n - 1] ^= 0x01;
    b
}

#[test]
fn iss_root_is_self_signed_and_named_7ac9efd3cc396921() {
    let bytes = read("samples/iss/iss_v2x_root.oer");
    let root: Certificate = scms_asn1::decode(&bytes).unwrap();
    assert_eq!(
        hex(&certificate_hashed_id8(&root).unwrap().0),
        "7ac9efd3cc396921"
    );
    verify_certificate(&root, None).unwrap();

    let bad = flipped_last_bit(&bytes);
    let bad_root: Certificate = scms_asn1::decode(&bad).unwrap();
    assert!(matches!(
        verify_certificate(&bad_root, None),
        Err(VerifyError::Crypto(_))
    ));
}

#[test]
fn iss_crl_is_signed_by_the_root() {
    let root_bytes = read("samples/iss/iss_v2x_root.oer");
    let root: Certificate = scms_asn1::decode(&root_bytes).unwrap();
    let crl_bytes = read("samples/iss/CRL-2020-2025.oer");
    let crl: Ieee1609Dot2Data = scms_asn1::decode(&crl_bytes).unwrap();
    let sd = crl.signed_data().expect("signed CRL");
    let known = [root.clone()];
    let signer = find_signer(sd, &known).expect("signer digest names the root");
    verify_signed_data(sd, signer, None).unwrap();

    let bad = flipped_last_bit(&crl_bytes);
    let bad_crl: Ieee1609Dot2Data = scms_asn1::decode(&bad).unwrap();
    let bad_sd = bad_crl.signed_data().unwrap();
    assert!(verify_signed_data(bad_sd, &root, None).is_err());
}

#[test]
fn all_etsi_ats_certificates_verify_against_their_issuers() {
    let dir = shared().join("samples/etsi-ats");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "oer"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 58);
    let raw: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let certs: Vec<Certificate> = raw
        .iter()
        .zip(&files)
        .map(|(b, p)| scms_asn1::decode(b).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    let ids: Vec<[u8; 8]> = certs
        .iter()
        .map(|c| certificate_hashed_id8(c).unwrap().0)
        .collect();

    let (mut self_signed, mut by_issuer) = (0, 0);
    for (i, cert) in certs.iter().enumerate() {
        let name = files[i].file_name().unwrap().to_string_lossy().to_string();
        match issuer_digest(cert) {
            None => {
                verify_certificate(cert, None).unwrap_or_else(|e| panic!("{name}: {e}"));
                self_signed += 1;
            }
            Some(d) => {
                let j = ids
                    .iter()
                    .position(|id| *id == d)
                    .unwrap_or_else(|| panic!("{name}: issuer {} not among the samples", hex(&d)));
                verify_certificate(cert, Some(&certs[j])).unwrap_or_else(|e| panic!("{name}: {e}"));
                by_issuer += 1;
            }
        }
        // One flipped bit in the signature makes it fail.
        let bad = flipped_last_bit(&raw[i]);
        if let Ok(bad_cert) = scms_asn1::decode::<Certificate>(&bad) {
            let issuer = issuer_digest(&bad_cert).and_then(|d| ids.iter().position(|id| *id == d));
            assert!(
                verify_certificate(&bad_cert, issuer.map(|j| &certs[j])).is_err(),
                "{name}: flipped bit still verifies"
            );
        }
    }
    assert_eq!(self_signed + by_issuer, 58);
    assert!(
        self_signed >= 1 && by_issuer >= 50,
        "{self_signed} roots, {by_issuer} issued"
    );
}

#[test]
fn cpoc_tlm_and_ectl_verify() {
    let tlm_bytes = read("samples/etsi-cpoc/E7A4B2B045E7ACF9.oer");
    let tlm: Certificate = scms_asn1::decode(&tlm_bytes).unwrap();
    // The file is named after its HashedId8, computed with SHA-384 (brainpoolP384r1).
    assert_eq!(
        hex(&certificate_hashed_id8(&tlm).unwrap().0),
        "e7a4b2b045e7acf9"
    );
    verify_certificate(&tlm, None).unwrap();

    let ectl_bytes = read("samples/etsi-cpoc/CE4CF6C19BFED720.oer");
    let ectl: Ieee1609Dot2Data = scms_asn1::decode(&ectl_bytes).unwrap();
    let sd = ectl.signed_data().expect("signed ECTL");
    let known = [tlm.clone()];
    let signer = find_signer(sd, &known).expect("the TLM signed the ECTL");
    verify_signed_data(sd, signer, None).unwrap();

    let bad = flipped_last_bit(&ectl_bytes);
    let bad_ectl: Ieee1609Dot2Data = scms_asn1::decode(&bad).unwrap();
    assert!(verify_signed_data(bad_ectl.signed_data().unwrap(), &tlm, None).is_err());
}

#[test]
fn ydt3957_sm2_spdu_example_verifies_over_the_decoded_tbs() {
    let json: serde_json::Value =
        serde_json::from_slice(&read("vectors/sm/sm_known_answers.json")).unwrap();
    let v = &json["ydt3957_spdu_sm2_signature_example"];
    let s = |k: &str| unhex(v[k].as_str().unwrap());
    let tbs_bytes = s("tbsData_coer");
    // The example's tbsData decodes as 1609.2 ToBeSignedData (psid 32, BSM).
    let (tbs, rest): (scms_asn1::codec::Spanned<ToBeSignedData>, _) =
        scms_asn1::decode_prefix(&tbs_bytes).unwrap();
    assert!(rest.is_empty());
    assert_eq!(tbs.header_info.psid.0, 32);

    let key = EcPoint::from_xy(Curve::Sm2, &s("signer_pub_x"), &s("signer_pub_y")).unwrap();
    let sig = Signature::Sm2Signature(scms_asn1::ieee1609dot2::EcsigP256Signature {
        r_sig: s("r").try_into().unwrap(),
        s_sig: s("s").try_into().unwrap(),
    });
    let suite_sig = suite_signature(&sig).unwrap();
    assert!(matches!(suite_sig.r, SignatureR::X(_)));
    // ID_A = SM3(signer certificate); the vector gives that hash (the certificate is not public).
    let id = s("signer_cert_sm3");
    let digest =
        scms_crypto::signing_input::sm2_digest_with_id(&key, &id, tbs.raw().unwrap()).unwrap();
    assert_eq!(
        hex(digest.as_bytes()),
        v["e_equal_SM3_ZA_concat_tbs"].as_str().unwrap()
    );
    key.verify_digest(digest.as_bytes(), &suite_sig).unwrap();

    let mut bad_tbs = tbs_bytes.clone();
    let n = bad_tbs.len();
    bad_tbs[n - 1] ^= 1;
    let bad = scms_crypto::signing_input::sm2_digest_with_id(&key, &id, &bad_tbs).unwrap();
    assert!(key.verify_digest(bad.as_bytes(), &suite_sig).is_err());
}
