//! A complete hierarchy of each family verifies link by link with
//! `scms_crypto::verify` and with the `openssl` command; issuance of
//! enrollment and pseudonym certificates under it; the CTL verifies.

mod common;

use std::path::Path;
use std::process::Command;

use scms_asn1::ieee1609dot2::Certificate;
use scms_ca::ctl::verify_ctl;
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions, ROLES};
use scms_ca::issue::{certificate_signing_digest, issue, IssueParams, SubjectId};
use scms_ca::profile::{builtin, CertKind, Family};
use scms_crypto::ecqv;
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::suite::{os_rng, Curve, EcPoint, SecretKey};
use scms_crypto::verify::{
    certificate_curve, certificate_hashed_id8, certificate_public_key, suite_signature,
    verify_certificate,
};
use scms_hsm::{KeyStore, MemoryKeyStore};

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 128 {
        out.push(n as u8);
    } else if n < 256 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let mut b: Vec<u8> = bytes.iter().copied().skip_while(|&x| x == 0).collect();
    if b.is_empty() || b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    der(0x02, &b)
}

/// SubjectPublicKeyInfo DER, built by hand.
fn spki(q: &EcPoint) -> Vec<u8> {
    let oid: &[u8] = match q.curve() {
        Curve::NistP256 => &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
        Curve::NistP384 => &[0x2B, 0x81, 0x04, 0x00, 0x22],
        Curve::BrainpoolP256r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
        Curve::BrainpoolP384r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B],
        Curve::Sm2 => &[0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D],
    };
    let ec_public_key = der(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]);
    let alg = der(0x30, &[ec_public_key, der(0x06, oid)].concat());
    let mut bits = vec![0u8];
    bits.extend_from_slice(&q.to_sec1(false));
    der(0x30, &[alg, der(0x03, &bits)].concat())
}

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write");
    p.to_str().expect("utf-8 path").to_string()
}

fn openssl_available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("SKIPPED: no usable `openssl` binary on the PATH");
    }
    ok
}

/// Verifies `cert` (signed by `issuer`, or by itself) with `openssl pkeyutl`.
fn openssl_verify(
    dir: &Path,
    name: &str,
    cert: &Certificate<'_>,
    issuer: Option<&Certificate<'_>>,
) {
    let signer = issuer.unwrap_or(cert);
    let key = certificate_public_key(signer, None).expect("issuer key");
    let issuer_bytes = issuer.map(|i| i.to_bytes().expect("bytes").into_owned());
    let tbs = cert.to_be_signed.to_bytes().expect("tbs").into_owned();
    let subject_curve = certificate_curve(cert).expect("explicit");
    let sig = suite_signature(cert.signature.as_ref().expect("signature")).expect("sig");
    let sig_der = der(0x30, &[der_uint(&sig.r_bytes()), der_uint(&sig.s)].concat());
    let pubf = write(dir, &format!("{name}.issuer.der"), &spki(&key));
    let sigf = write(dir, &format!("{name}.sig.der"), &sig_der);
    let out = if key.curve() == Curve::Sm2 {
        let id = digest(HashAlgorithm::Sm3, issuer_bytes.as_deref().unwrap_or(&[]));
        let tbsf = write(dir, &format!("{name}.tbs"), &tbs);
        Command::new("openssl")
            .args([
                "pkeyutl", "-verify", "-pubin", "-inkey", &pubf, "-keyform", "DER", "-rawin",
                "-in", &tbsf, "-digest", "sm3", "-pkeyopt",
            ])
            .arg(format!("hexdistid:{}", hex::encode(id.as_bytes())))
            .args(["-sigfile", &sigf])
            .output()
    } else {
        let d = certificate_signing_digest(&key, subject_curve, &tbs, issuer_bytes.as_deref())
            .expect("digest");
        let df = write(dir, &format!("{name}.digest.bin"), &d);
        Command::new("openssl")
            .args([
                "pkeyutl", "-verify", "-pubin", "-inkey", &pubf, "-keyform", "DER", "-in", &df,
                "-sigfile", &sigf,
            ])
            .output()
    }
    .expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("Verified Successfully"),
        "{name}: {text}"
    );
}

fn check_hierarchy(h: &Hierarchy, electors: usize) {
    let mut names: Vec<String> = ROLES.iter().map(|r| r.to_string()).collect();
    names.extend((1..=electors).map(|n| format!("elector-{n}")));
    assert_eq!(h.certificates.len(), names.len());
    let openssl = openssl_available();
    let dir = tempfile::tempdir().expect("tempdir");
    for name in &names {
        let bytes = h.certificate(name).expect("present");
        let cert: Certificate<'_> = scms_asn1::decode(bytes).expect("decodes");
        assert_eq!(
            scms_asn1::encode(&cert).expect("encodes"),
            bytes,
            "{name} re-encodes"
        );
        let issuer_bytes = Hierarchy::issuer_of(name).map(|i| h.certificate(i).expect("issuer"));
        let issuer =
            issuer_bytes.map(|b| scms_asn1::decode::<Certificate<'_>>(b).expect("issuer decodes"));
        verify_certificate(&cert, issuer.as_ref()).unwrap_or_else(|e| panic!("{name}: {e}"));
        if openssl {
            openssl_verify(dir.path(), name, &cert, issuer.as_ref());
        }
        // A corrupted certificate does not verify.
        let mut bad = bytes.to_vec();
        let n = bad.len();
        bad[n - 1] ^= 1;
        let bad: Certificate<'_> = scms_asn1::decode(&bad).expect("decodes");
        assert!(
            verify_certificate(&bad, issuer.as_ref()).is_err(),
            "{name}: corrupted signature accepted"
        );
    }
    // The CTL: signed by every elector, approving the root.
    let electors_certs: Vec<&[u8]> = (1..=electors)
        .map(|n| h.certificate(&format!("elector-{n}")).expect("elector"))
        .collect();
    let v = verify_ctl(&h.ctl.spdu, &electors_certs, electors).expect("ctl verifies");
    assert_eq!(v.signed_by.len(), electors);
    assert_eq!(v.content.root_ca_approve.len(), 1);
    assert_eq!(v.certificates.len(), electors + 1);
    assert_eq!(h.records.len(), names.len());
    let files: Vec<String> = h.export_files().into_iter().map(|(n, _)| n).collect();
    assert_eq!(files.len(), names.len() + 1);
    assert!(files.contains(&"ctl.oer".to_string()) && files.contains(&"la2.oer".to_string()));
}

#[test]
fn us_hierarchy_verifies_link_by_link_and_with_openssl() {
    let (_, h) = common::hierarchy(Family::Us);
    check_hierarchy(&h, 3);
    // The issuer of the ICA is named by sha256AndDigest.
    let ica: Certificate<'_> = scms_asn1::decode(h.certificate("ica").unwrap()).unwrap();
    let root: Certificate<'_> = scms_asn1::decode(h.certificate("root").unwrap()).unwrap();
    assert_eq!(
        ica.issuer,
        scms_asn1::ieee1609dot2::IssuerIdentifier::Sha256AndDigest(
            certificate_hashed_id8(&root).unwrap().0
        )
    );
}

#[test]
fn us_hierarchy_with_p384_root() {
    let ks = MemoryKeyStore::new();
    let mut opts = HierarchyOptions::new(Family::Us, common::now());
    opts.root_curve = Some(Curve::NistP384);
    opts.electors = 2;
    let h = build(&ks, &opts).expect("hierarchy");
    check_hierarchy(&h, 2);
    let ica: Certificate<'_> = scms_asn1::decode(h.certificate("ica").unwrap()).unwrap();
    assert!(matches!(
        ica.issuer,
        scms_asn1::ieee1609dot2::IssuerIdentifier::Sha384AndDigest(_)
    ));
}

#[test]
fn cn_hierarchy_verifies_link_by_link_and_with_openssl() {
    let (_, h) = common::hierarchy(Family::Cn);
    check_hierarchy(&h, 3);
    let ica: Certificate<'_> = scms_asn1::decode(h.certificate("ica").unwrap()).unwrap();
    assert!(matches!(
        ica.issuer,
        scms_asn1::ieee1609dot2::IssuerIdentifier::Sm3AndDigest(_)
    ));
}

/// Enrollment (explicit) under the ECA and pseudonyms (ECQV, and explicit on
/// request) under the ACA, requested through the enrollment certificate.
fn end_entities(family: Family) {
    let (ks, h) = common::hierarchy(family);
    let curve = if family == Family::Us {
        Curve::NistP256
    } else {
        Curve::Sm2
    };
    let now = common::now();
    // Enrollment.
    let enrol_key = SecretKey::generate(curve, &mut os_rng()).unwrap();
    let ep = builtin(family, "enrollment").unwrap();
    let mut params = IssueParams::new(&ep, SubjectId::None, enrol_key.public_key(), now);
    params.craca_id = h.craca_id().unwrap();
    let enrol = issue(&ks, &h.issuer_ref("eca").unwrap(), &params).expect("enrollment");
    let eca: Certificate<'_> = scms_asn1::decode(h.certificate("eca").unwrap()).unwrap();
    let ec: Certificate<'_> = scms_asn1::decode(enrol.certificate()).unwrap();
    verify_certificate(&ec, Some(&eca)).expect("enrollment verifies");
    assert!(enrol.reconstruction.is_none());
    assert_eq!(
        enrol.record.issuer,
        Some(certificate_hashed_id8(&eca).unwrap())
    );

    // Pseudonym, implicit (the default).
    let pp = builtin(family, "pseudonym").unwrap();
    let request = SecretKey::generate(curve, &mut os_rng()).unwrap();
    let mut params = IssueParams::new(
        &pp,
        SubjectId::Linkage {
            i_cert: 7,
            linkage_value: [9; 9],
        },
        request.public_key(),
        now,
    );
    params.requester = Some(enrol.certificate());
    let ps = issue(&ks, &h.issuer_ref("aca").unwrap(), &params).expect("pseudonym");
    assert_eq!(ps.record.kind, CertKind::Implicit);
    let aca_bytes = h.certificate("aca").unwrap();
    let aca: Certificate<'_> = scms_asn1::decode(aca_bytes).unwrap();
    let pc: Certificate<'_> = scms_asn1::decode(ps.certificate()).unwrap();
    assert!(pc.is_implicit());
    let s = ps.reconstruction.as_ref().expect("s");
    let e = ecqv::certificate_e(curve, &pc.to_be_signed.to_bytes().unwrap(), aca_bytes);
    let d = ecqv::reconstruct_private_key(&request, &e, s).expect("d");
    let q = certificate_public_key(&pc, Some(&aca)).expect("Q");
    assert_eq!(
        d.public_key(),
        q,
        "the reconstructed private key matches the certificate"
    );

    // Pseudonym, explicit on request.
    let mut params = IssueParams::new(&pp, SubjectId::None, request.public_key(), now);
    params.kind = Some(CertKind::Explicit);
    let px = issue(&ks, &h.issuer_ref("aca").unwrap(), &params).expect("explicit pseudonym");
    let pxc: Certificate<'_> = scms_asn1::decode(px.certificate()).unwrap();
    verify_certificate(&pxc, Some(&aca)).expect("explicit pseudonym verifies");
    assert!(ks.list().unwrap().len() >= 12);
}

#[test]
fn us_end_entities() {
    end_entities(Family::Us);
}

#[test]
fn cn_end_entities() {
    end_entities(Family::Cn);
}

/// `TrustStore::verify_chain` caches a verified chain, but only inside the
/// chain's validity window and only until the anchors or CAs change.
#[test]
fn trust_store_chain_cache_respects_validity_and_changes() {
    use scms_ca::aca::TrustStore;
    let ks = MemoryKeyStore::new();
    let t0 = common::now();
    let h = build(&ks, &HierarchyOptions::new(Family::Us, t0)).unwrap();
    let ra = &h.certificates["ra"];
    let ra_cert: Certificate<'_> = scms_asn1::decode(ra).unwrap();
    let ica: Certificate<'_> = scms_asn1::decode(&h.certificates["ica"]).unwrap();
    let want = certificate_public_key(&ra_cert, Some(&ica)).unwrap();
    let mut trust = TrustStore::new();
    trust.add_anchor(&h.certificates["root"]).unwrap();
    trust.add_ca(&h.certificates["ica"]).unwrap();
    let now = t0 + 60;
    // First walk, then the cached answer: the same key.
    assert_eq!(trust.verify_chain(ra, now).unwrap(), want);
    assert_eq!(trust.verify_chain(ra, now).unwrap(), want);
    // Outside the validity window the cache does not answer.
    assert!(trust.verify_chain(ra, t0 - 1).is_err());
    assert!(trust.verify_chain(ra, u32::MAX).is_err());
    assert_eq!(trust.verify_chain(ra, now).unwrap(), want);
    // A store without the CA cannot reuse another store's cache.
    let mut other = TrustStore::new();
    other.add_anchor(&h.certificates["root"]).unwrap();
    assert!(other.verify_chain(ra, now).is_err());
    // A clone keeps the entries; changing its CAs drops them.
    let mut clone = trust.clone();
    assert_eq!(clone.verify_chain(ra, now).unwrap(), want);
    clone.add_ca(&h.certificates["aca"]).unwrap();
    assert_eq!(clone.verify_chain(ra, now).unwrap(), want);
}
