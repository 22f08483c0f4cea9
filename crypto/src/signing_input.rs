//! The digest that is actually signed.
//!
//! **ECDSA, IEEE 1609.2-2022 clause 5.3.1.2.2**:
//! `H_out( H_tbs(COER(tbs)) || H_signer(COER(signer certificate)) )`, where the
//! signer part is `H_signer("")` (hash of the empty string) when the data or
//! certificate is self-signed.
//!
//! Hash selection rule (the caller applies it, this module takes the three
//! hashes as parameters through [`SigningInputHashes`]):
//! - `H_out` and `H_signer` are the hash of the **signing key's** curve
//!   (SHA-256 for P-256/bp256, SHA-384 for P-384/bp384);
//! - `H_tbs` is the same for signed data, but for a **certificate** it is the
//!   hash of the **subject's** verification key curve. This is what makes the
//!   four ETSI ATS certificates with a P-384 subject key under a 256-bit issuer
//!   verify (`CERT_IUT_A_B3_AA`, `CERT_IUT_A_B3_AT`, `CERT_IUT_A_B3_N_AT`,
//!   `CERT_TS_B1_AT`: `SHA-256(SHA-384(tbs) || SHA-256(issuer))`); in every
//!   other sample the two curves share a hash, so both readings agree.
//!   Put simply: every certificate is hashed with its own key's hash (the same
//!   rule gives its HashedId8), the outer hash is the signing key's.
//!   [`SigningInputHashes::for_certificate`] encodes that rule.
//!
//! **SM2, YD/T 3957 with GB/T 32918.2 clause 6.1 A1-A2**:
//! `e = SM3(Z_A || COER(tbs))`, `Z_A = SM3(ENTL_A || ID_A || a || b || x_G ||
//! y_G || x_A || y_A)`, with `ID_A = SM3(COER(signer certificate))` (32 bytes,
//! `ENTL_A` = 256 bits). `(x_A, y_A)` is the signer's public key.

use crate::hash::{digest, Digest, HashAlgorithm, Hasher};
use crate::suite::{Curve, EcPoint, Error};

/// The three hashes of the ECDSA signing input (see the module docs for the rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigningInputHashes {
    /// Hash of the to-be-signed bytes.
    pub tbs: HashAlgorithm,
    /// Hash of the signer certificate (or of the empty string).
    pub signer: HashAlgorithm,
    /// Outer hash, whose output is signed.
    pub outer: HashAlgorithm,
}

impl SigningInputHashes {
    /// All three the hash of `signing_curve`: signed data (SPDUs, CRLs...).
    pub const fn for_data(signing_curve: Curve) -> Self {
        let h = signing_curve.hash();
        SigningInputHashes {
            tbs: h,
            signer: h,
            outer: h,
        }
    }

    /// A certificate whose verification key is on `subject_curve`, signed by a
    /// key on `issuer_curve`: `H_tbs` follows the subject, the rest the issuer.
    /// For a self-signed certificate both curves are the same.
    pub const fn for_certificate(issuer_curve: Curve, subject_curve: Curve) -> Self {
        let h = issuer_curve.hash();
        SigningInputHashes {
            tbs: subject_curve.hash(),
            signer: h,
            outer: h,
        }
    }
}

/// The 1609.2 ECDSA signing digest `H_out(H_tbs(tbs) || H_signer(signer or ""))`.
pub fn ecdsa_signing_digest(
    hashes: SigningInputHashes,
    tbs: &[u8],
    signer_cert: Option<&[u8]>,
) -> Digest {
    let h_tbs = digest(hashes.tbs, tbs);
    let h_signer = digest(hashes.signer, signer_cert.unwrap_or(&[]));
    ecdsa_digest_from_hashes(hashes.outer, h_tbs.as_bytes(), h_signer.as_bytes())
}

/// The outer hash `H_out(h_tbs || h_signer)` from the two inner hashes, for a
/// receiver that keeps them: `H(signer certificate)` per signer, and `H(tbs)`,
/// which it also uses as its replay key.
pub fn ecdsa_digest_from_hashes(outer: HashAlgorithm, h_tbs: &[u8], h_signer: &[u8]) -> Digest {
    let mut h = Hasher::new(outer);
    h.update(h_tbs);
    h.update(h_signer);
    h.finalize()
}

/// SM2 curve parameters `a` and `b` (GB/T 32918.5), which enter `Z_A`.
const SM2_A: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC,
];
const SM2_B: [u8; 32] = [
    0x28, 0xE9, 0xFA, 0x9E, 0x9D, 0x9F, 0x5E, 0x34, 0x4D, 0x5A, 0x9E, 0x4B, 0xCF, 0x65, 0x09, 0xA7,
    0xF3, 0x97, 0x89, 0xF5, 0x15, 0xAB, 0x8F, 0x92, 0xDD, 0xBC, 0xBD, 0x41, 0x4D, 0x94, 0x0E, 0x93,
];

/// `Z_A` of GB/T 32918.2 clause 5.5 for the signer key `public_key` and
/// distinguishing identifier `id` (at most 8191 bytes, so ENTL fits 16 bits).
pub fn sm2_z_a(public_key: &EcPoint, id: &[u8]) -> Result<Digest, Error> {
    if public_key.curve() != Curve::Sm2 {
        return Err(Error::CurveMismatch);
    }
    let entl = u16::try_from(id.len() * 8)
        .ok()
        .filter(|_| id.len() < 8192)
        .ok_or(Error::InvalidLength)?;
    let g = EcPoint::generator(Curve::Sm2);
    let mut h = Hasher::new(HashAlgorithm::Sm3);
    h.update(&entl.to_be_bytes());
    h.update(id);
    h.update(&SM2_A);
    h.update(&SM2_B);
    h.update(&g.x_bytes());
    h.update(&g.y_bytes());
    h.update(&public_key.x_bytes());
    h.update(&public_key.y_bytes());
    Ok(h.finalize())
}

/// `e = SM3(Z_A || message)` for an arbitrary distinguishing identifier.
pub fn sm2_digest_with_id(
    public_key: &EcPoint,
    id: &[u8],
    message: &[u8],
) -> Result<Digest, Error> {
    Ok(sm2_digest_from_z_a(&sm2_z_a(public_key, id)?, message))
}

/// `e = SM3(Z_A || message)` for a `Z_A` computed once per signer (a
/// receiver keeps it with the signer's certificate).
pub fn sm2_digest_from_z_a(z_a: &Digest, message: &[u8]) -> Digest {
    let mut h = Hasher::new(HashAlgorithm::Sm3);
    h.update(z_a.as_bytes());
    h.update(message);
    h.finalize()
}

/// The YD/T 3957 `Z_A` of a signer: `ID_A = SM3(signer_cert)`, the
/// identifier [`sm2_signing_digest`] uses.
pub fn sm2_signer_z_a(signer_public_key: &EcPoint, signer_cert: &[u8]) -> Result<Digest, Error> {
    let id = digest(HashAlgorithm::Sm3, signer_cert);
    sm2_z_a(signer_public_key, id.as_bytes())
}

/// The YD/T 3957 SM2 signing digest `e = SM3(Z_A || tbs)` with
/// `ID_A = SM3(signer_cert)`; `signer_public_key` is the key that signs. The
/// public vector covers a certificate-signed SPDU only: what a self-signed
/// YD/T 3957 certificate uses as `ID_A` is left to the caller.
pub fn sm2_signing_digest(
    signer_public_key: &EcPoint,
    tbs: &[u8],
    signer_cert: &[u8],
) -> Result<Digest, Error> {
    Ok(sm2_digest_from_z_a(
        &sm2_signer_z_a(signer_public_key, signer_cert)?,
        tbs,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_uses_hash_of_empty_string() {
        let h = SigningInputHashes::for_data(Curve::NistP256);
        let a = ecdsa_signing_digest(h, b"tbs", None);
        let mut cat = digest(HashAlgorithm::Sha256, b"tbs").as_bytes().to_vec();
        cat.extend_from_slice(digest(HashAlgorithm::Sha256, b"").as_bytes());
        assert_eq!(a, digest(HashAlgorithm::Sha256, &cat));
        // "self-signed" is exactly the hash of the empty signer encoding.
        assert_eq!(a, ecdsa_signing_digest(h, b"tbs", Some(b"")));
        assert_ne!(a, ecdsa_signing_digest(h, b"tbs", Some(b"cert")));
    }

    #[test]
    fn certificate_rule_follows_subject_for_tbs() {
        let h = SigningInputHashes::for_certificate(Curve::NistP256, Curve::NistP384);
        assert_eq!(h.tbs, HashAlgorithm::Sha384);
        assert_eq!(h.signer, HashAlgorithm::Sha256);
        assert_eq!(h.outer, HashAlgorithm::Sha256);
        assert_eq!(
            SigningInputHashes::for_certificate(Curve::Sm2, Curve::Sm2),
            SigningInputHashes::for_data(Curve::Sm2)
        );
    }
}
