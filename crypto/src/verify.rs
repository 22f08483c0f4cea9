//! Where the 1609.2 structures meet the suites: verification keys and
//! signatures out of certificates, HashedId8 of certificates, and the signature
//! checks of certificates and signed data over the *received* bytes (the spans
//! the decoder keeps, see `scms_asn1::codec::Spanned`).
//!
//! Rules checked against real data (`shared/samples/`):
//! - a certificate's HashedId8 uses the hash of its own verification key's curve
//!   (the CPOC TLM, brainpoolP384r1, is named `E7A4B2B045E7ACF9` by SHA-384;
//!   ETSI `CERT_IUT_A_B33_AT` names its P-384 issuer by a SHA-384 HashedId8);
//!   an implicit certificate, having no key of its own, uses its issuer's hash;
//! - a certificate's signing input hashes the tbs with the subject's hash and the
//!   issuer part and outer hash with the issuer's (see `signing_input`);
//! - SM2 (YD/T 3957) signs `SM3(Z_A || tbs)` with `ID_A = SM3(signer cert)`.

use crate::ecqv;
use crate::hash::HashAlgorithm;
use crate::hashed_id::HashedId8;
use crate::signing_input::{ecdsa_signing_digest, sm2_signing_digest, SigningInputHashes};
use crate::suite::{self, Curve, EcPoint, PublicKey, SignatureR};
use core::fmt;
use scms_asn1::codec::EncodeError;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateBase, EccP256CurvePoint, EccP384CurvePoint, IssuerIdentifier,
    PublicVerificationKey, Signature, SignedData, SignerIdentifier, VerificationKeyIndicator,
};

/// Why a 1609.2 signature check failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// An algorithm alternative we do not implement (an unknown extension).
    UnsupportedAlgorithm,
    /// A point given as `fill` where a real point is needed.
    MissingPoint,
    /// The certificate has no signature (it is implicit).
    NoSignature,
    /// An implicit certificate's key needs its issuer certificate.
    IssuerNeeded,
    /// The issuer given does not match the certificate's issuer identifier.
    IssuerMismatch,
    /// The signature's algorithm is not the signing key's.
    AlgorithmMismatch,
    /// A value could not be encoded (a value built in code that breaks a constraint).
    Encode(EncodeError),
    /// The key or the signature is malformed, or the signature does not verify.
    Crypto(suite::Error),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedAlgorithm => f.write_str("unsupported algorithm"),
            Self::MissingPoint => f.write_str("point given as fill"),
            Self::NoSignature => f.write_str("certificate has no signature (implicit)"),
            Self::IssuerNeeded => f.write_str("an implicit certificate needs its issuer"),
            Self::IssuerMismatch => f.write_str("issuer does not match the issuer identifier"),
            Self::AlgorithmMismatch => f.write_str("signature algorithm differs from the key's"),
            Self::Encode(e) => write!(f, "{e}"),
            Self::Crypto(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for VerifyError {}

impl From<suite::Error> for VerifyError {
    fn from(e: suite::Error) -> Self {
        Self::Crypto(e)
    }
}

impl From<EncodeError> for VerifyError {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

/// A point of a 256-bit curve as a public key.
pub fn point256(curve: Curve, p: &EccP256CurvePoint) -> Result<EcPoint, VerifyError> {
    Ok(match p {
        EccP256CurvePoint::CompressedY0(x) => EcPoint::from_x_and_parity(curve, x, false)?,
        EccP256CurvePoint::CompressedY1(x) => EcPoint::from_x_and_parity(curve, x, true)?,
        EccP256CurvePoint::UncompressedP256(u) => EcPoint::from_xy(curve, &u.x, &u.y)?,
        EccP256CurvePoint::XOnly(_) | EccP256CurvePoint::Fill => {
            return Err(VerifyError::MissingPoint)
        }
    })
}

/// A point of a 384-bit curve as a public key.
pub fn point384(curve: Curve, p: &EccP384CurvePoint) -> Result<EcPoint, VerifyError> {
    Ok(match p {
        EccP384CurvePoint::CompressedY0(x) => EcPoint::from_x_and_parity(curve, x, false)?,
        EccP384CurvePoint::CompressedY1(x) => EcPoint::from_x_and_parity(curve, x, true)?,
        EccP384CurvePoint::UncompressedP384(u) => EcPoint::from_xy(curve, &u.x, &u.y)?,
        EccP384CurvePoint::XOnly(_) | EccP384CurvePoint::Fill => {
            return Err(VerifyError::MissingPoint)
        }
    })
}

/// The curve and key of a `PublicVerificationKey`.
pub fn public_verification_key(k: &PublicVerificationKey) -> Result<PublicKey, VerifyError> {
    match k {
        PublicVerificationKey::EcdsaNistP256(p) => point256(Curve::NistP256, p),
        PublicVerificationKey::EcdsaBrainpoolP256r1(p) => point256(Curve::BrainpoolP256r1, p),
        PublicVerificationKey::EcsigSm2(p) => point256(Curve::Sm2, p),
        PublicVerificationKey::EcdsaNistP384(p) => point384(Curve::NistP384, p),
        PublicVerificationKey::EcdsaBrainpoolP384r1(p) => point384(Curve::BrainpoolP384r1, p),
        PublicVerificationKey::Unknown(_) => Err(VerifyError::UnsupportedAlgorithm),
    }
}

/// The curve a `Signature` alternative belongs to.
pub fn signature_curve(sig: &Signature) -> Result<Curve, VerifyError> {
    Ok(match sig {
        Signature::EcdsaNistP256Signature(_) => Curve::NistP256,
        Signature::EcdsaBrainpoolP256r1Signature(_) => Curve::BrainpoolP256r1,
        Signature::EcdsaNistP384Signature(_) => Curve::NistP384,
        Signature::EcdsaBrainpoolP384r1Signature(_) => Curve::BrainpoolP384r1,
        Signature::Sm2Signature(_) => Curve::Sm2,
        Signature::Unknown(_) => return Err(VerifyError::UnsupportedAlgorithm),
    })
}

/// A 1609.2 `Signature` as a suite signature; a compressed or uncompressed `rSig`
/// becomes the point R (so it is checked exactly, and can be batch-verified).
pub fn suite_signature(sig: &Signature) -> Result<suite::Signature, VerifyError> {
    let curve = signature_curve(sig)?;
    let (r, s) = match sig {
        Signature::EcdsaNistP256Signature(e) | Signature::EcdsaBrainpoolP256r1Signature(e) => {
            let r = match &e.r_sig {
                EccP256CurvePoint::XOnly(x) => SignatureR::X(x.to_vec()),
                p => SignatureR::Point(point256(curve, p)?),
            };
            (r, e.s_sig.to_vec())
        }
        Signature::EcdsaNistP384Signature(e) | Signature::EcdsaBrainpoolP384r1Signature(e) => {
            let r = match &e.r_sig {
                EccP384CurvePoint::XOnly(x) => SignatureR::X(x.to_vec()),
                p => SignatureR::Point(point384(curve, p)?),
            };
            (r, e.s_sig.to_vec())
        }
        Signature::Sm2Signature(e) => (SignatureR::X(e.r_sig.to_vec()), e.s_sig.to_vec()),
        Signature::Unknown(_) => return Err(VerifyError::UnsupportedAlgorithm),
    };
    Ok(suite::Signature { r, s })
}

/// The curve of a certificate's own key, if it carries one (explicit certificates).
pub fn certificate_curve(cert: &CertificateBase<'_>) -> Option<Curve> {
    match &cert.to_be_signed.verify_key_indicator {
        VerificationKeyIndicator::VerificationKey(k) => Some(match k {
            PublicVerificationKey::EcdsaNistP256(_) => Curve::NistP256,
            PublicVerificationKey::EcdsaBrainpoolP256r1(_) => Curve::BrainpoolP256r1,
            PublicVerificationKey::EcsigSm2(_) => Curve::Sm2,
            PublicVerificationKey::EcdsaNistP384(_) => Curve::NistP384,
            PublicVerificationKey::EcdsaBrainpoolP384r1(_) => Curve::BrainpoolP384r1,
            PublicVerificationKey::Unknown(_) => return None,
        }),
        _ => None,
    }
}

/// The hash that names a certificate: its key's, or for an implicit certificate
/// the one its issuer identifier announces.
pub fn certificate_hash(cert: &CertificateBase<'_>) -> HashAlgorithm {
    if let Some(c) = certificate_curve(cert) {
        return c.hash();
    }
    match &cert.issuer {
        IssuerIdentifier::Sha384AndDigest(_) => HashAlgorithm::Sha384,
        IssuerIdentifier::Sm3AndDigest(_) => HashAlgorithm::Sm3,
        _ => HashAlgorithm::Sha256,
    }
}

/// HashedId8 of a certificate, over its received bytes when it was decoded.
pub fn certificate_hashed_id8(cert: &Certificate<'_>) -> Result<HashedId8, VerifyError> {
    let bytes = cert.to_bytes()?;
    Ok(HashedId8::of_certificate(certificate_hash(cert), &bytes))
}

/// HashedId3 of a certificate (the last 3 bytes of its HashedId8): `cracaId`, P2PCD.
pub fn certificate_hashed_id3(cert: &Certificate<'_>) -> Result<[u8; 3], VerifyError> {
    let h = certificate_hashed_id8(cert)?.0;
    Ok([h[5], h[6], h[7]])
}

/// The key that verifies signatures made with this certificate: the explicit key,
/// or for an implicit certificate the ECQV reconstruction with its issuer.
pub fn certificate_public_key(
    cert: &Certificate<'_>,
    issuer: Option<&Certificate<'_>>,
) -> Result<PublicKey, VerifyError> {
    match &cert.to_be_signed.verify_key_indicator {
        VerificationKeyIndicator::VerificationKey(k) => public_verification_key(k),
        VerificationKeyIndicator::ReconstructionValue(p) => {
            let issuer = issuer.ok_or(VerifyError::IssuerNeeded)?;
            let issuer_key = certificate_public_key(issuer, None)?;
            let curve = issuer_key.curve();
            let p_u = point256(curve, p)?;
            let tbs = cert.to_be_signed.to_bytes()?;
            let issuer_bytes = issuer.to_bytes()?;
            let e = ecqv::certificate_e(curve, &tbs, &issuer_bytes);
            Ok(ecqv::reconstruct_public_key(&e, &p_u, &issuer_key)?)
        }
        VerificationKeyIndicator::Unknown(_) => Err(VerifyError::UnsupportedAlgorithm),
    }
}

/// The HashedId8 a certificate's issuer identifier names, if it is not self-signed.
pub fn issuer_digest(cert: &CertificateBase<'_>) -> Option<[u8; 8]> {
    match &cert.issuer {
        IssuerIdentifier::Sha256AndDigest(d)
        | IssuerIdentifier::Sha384AndDigest(d)
        | IssuerIdentifier::Sm3AndDigest(d) => Some(*d),
        _ => None,
    }
}

/// Checks an explicit certificate's signature: by `issuer`, or by itself when
/// `issuer` is `None` (a self-signed root).
pub fn verify_certificate(
    cert: &Certificate<'_>,
    issuer: Option<&Certificate<'_>>,
) -> Result<(), VerifyError> {
    let sig = cert.signature.as_ref().ok_or(VerifyError::NoSignature)?;
    let subject_curve = certificate_curve(cert).ok_or(VerifyError::UnsupportedAlgorithm)?;
    let (signing_key, issuer_bytes) = match issuer {
        Some(i) => {
            if let Some(named) = issuer_digest(cert) {
                if certificate_hashed_id8(i)?.0 != named {
                    return Err(VerifyError::IssuerMismatch);
                }
            }
            (certificate_public_key(i, None)?, Some(i.to_bytes()?))
        }
        None => {
            if !cert.is_self_signed() {
                return Err(VerifyError::IssuerNeeded);
            }
            (certificate_public_key(cert, None)?, None)
        }
    };
    if signature_curve(sig)? != signing_key.curve() {
        return Err(VerifyError::AlgorithmMismatch);
    }
    let tbs = cert.to_be_signed.to_bytes()?;
    let suite_sig = suite_signature(sig)?;
    let digest = if signing_key.curve() == Curve::Sm2 {
        // A self-signed SM2 certificate: ID_A over the empty string (no public rule).
        sm2_signing_digest(&signing_key, &tbs, issuer_bytes.as_deref().unwrap_or(&[]))?
    } else {
        let hashes = SigningInputHashes::for_certificate(signing_key.curve(), subject_curve);
        ecdsa_signing_digest(hashes, &tbs, issuer_bytes.as_deref())
    };
    signing_key.verify_digest(digest.as_bytes(), &suite_sig)?;
    Ok(())
}

/// Checks signed data against the key of `signer` (with `signer_issuer` when the
/// signer certificate is implicit).
pub fn verify_signed_data(
    data: &SignedData<'_>,
    signer: &Certificate<'_>,
    signer_issuer: Option<&Certificate<'_>>,
) -> Result<(), VerifyError> {
    let key = certificate_public_key(signer, signer_issuer)?;
    verify_signed_data_with_key(data, &key, &signer.to_bytes()?)
}

/// Checks signed data with a known key and the bytes of the signer certificate.
pub fn verify_signed_data_with_key(
    data: &SignedData<'_>,
    key: &PublicKey,
    signer_cert: &[u8],
) -> Result<(), VerifyError> {
    if signature_curve(&data.signature)? != key.curve() {
        return Err(VerifyError::AlgorithmMismatch);
    }
    let tbs = data.tbs_data.to_bytes()?;
    let sig = suite_signature(&data.signature)?;
    let digest = if key.curve() == Curve::Sm2 {
        sm2_signing_digest(key, &tbs, signer_cert)?
    } else {
        ecdsa_signing_digest(
            SigningInputHashes::for_data(key.curve()),
            &tbs,
            Some(signer_cert),
        )
    };
    key.verify_digest(digest.as_bytes(), &sig)?;
    Ok(())
}

/// The signer certificate of signed data: the one it carries, or the one of
/// `known` whose HashedId8 its digest names.
pub fn find_signer<'c, 'a>(
    data: &'c SignedData<'a>,
    known: &'c [Certificate<'a>],
) -> Option<&'c Certificate<'a>> {
    match &data.signer {
        SignerIdentifier::Certificate(chain) => chain.first(),
        SignerIdentifier::Digest(d) => known
            .iter()
            .find(|c| certificate_hashed_id8(c).is_ok_and(|h| h.0 == *d)),
        _ => None,
    }
}
