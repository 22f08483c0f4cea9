//! The suites' values as 1609.2 wire types: the encoding direction of what
//! [`crate::verify`] parses (keys and signatures), for everything that issues
//! certificates or signs SPDUs.

use crate::hash::HashAlgorithm;
use crate::suite::{self, Curve, Error, PublicKey, SignatureR};
use crate::verify::{certificate_hash, certificate_hashed_id8, VerifyError};
use scms_asn1::ieee1609dot2::{
    BasePublicEncryptionKey, Certificate, EccP256CurvePoint, EccP384CurvePoint, EcdsaP256Signature,
    EcdsaP384Signature, EcsigP256Signature, HashAlgorithm as AsnHash, IssuerIdentifier,
    PublicEncryptionKey, PublicVerificationKey, Signature as AsnSignature, SymmAlgorithm,
};

fn arr<const N: usize>(b: &[u8]) -> Result<[u8; N], Error> {
    b.try_into().map_err(|_| Error::InvalidLength)
}

/// A 256-bit curve point in compressed form.
pub fn ecc_point256(p: &PublicKey) -> Result<EccP256CurvePoint, Error> {
    let x = arr::<32>(&p.x_bytes())?;
    Ok(if p.y_is_odd() {
        EccP256CurvePoint::CompressedY1(x)
    } else {
        EccP256CurvePoint::CompressedY0(x)
    })
}

/// A 384-bit curve point in compressed form.
pub fn ecc_point384(p: &PublicKey) -> Result<EccP384CurvePoint, Error> {
    let x = arr::<48>(&p.x_bytes())?;
    Ok(if p.y_is_odd() {
        EccP384CurvePoint::CompressedY1(x)
    } else {
        EccP384CurvePoint::CompressedY0(x)
    })
}

/// The `PublicVerificationKey` of a key.
pub fn verification_key(p: &PublicKey) -> Result<PublicVerificationKey, Error> {
    Ok(match p.curve() {
        Curve::NistP256 => PublicVerificationKey::EcdsaNistP256(ecc_point256(p)?),
        Curve::BrainpoolP256r1 => PublicVerificationKey::EcdsaBrainpoolP256r1(ecc_point256(p)?),
        Curve::Sm2 => PublicVerificationKey::EcsigSm2(ecc_point256(p)?),
        Curve::NistP384 => PublicVerificationKey::EcdsaNistP384(ecc_point384(p)?),
        Curve::BrainpoolP384r1 => PublicVerificationKey::EcdsaBrainpoolP384r1(ecc_point384(p)?),
    })
}

/// The `PublicEncryptionKey` of a key: ECIES with AES-128-CCM on P-256 and
/// brainpoolP256r1, SM2 encryption with SM4-CCM; 1609.2 has none on 384-bit curves.
pub fn encryption_key(p: &PublicKey) -> Result<PublicEncryptionKey, Error> {
    let (alg, key) = match p.curve() {
        Curve::NistP256 => (
            SymmAlgorithm::Aes128Ccm,
            BasePublicEncryptionKey::EciesNistP256(ecc_point256(p)?),
        ),
        Curve::BrainpoolP256r1 => (
            SymmAlgorithm::Aes128Ccm,
            BasePublicEncryptionKey::EciesBrainpoolP256r1(ecc_point256(p)?),
        ),
        Curve::Sm2 => (
            SymmAlgorithm::Sm4Ccm,
            BasePublicEncryptionKey::EcencSm2(ecc_point256(p)?),
        ),
        Curve::NistP384 | Curve::BrainpoolP384r1 => return Err(Error::Unsupported),
    };
    Ok(PublicEncryptionKey {
        supported_symm_alg: alg,
        public_key: key,
    })
}

/// A suite signature as a 1609.2 `Signature`: `rSig` is the compressed point R when
/// the signer gave it (so receivers can batch-verify), x-only otherwise.
pub fn signature(curve: Curve, sig: &suite::Signature) -> Result<AsnSignature, Error> {
    Ok(match curve {
        Curve::NistP256 | Curve::BrainpoolP256r1 => {
            let r_sig = match &sig.r {
                SignatureR::Point(p) => ecc_point256(p)?,
                SignatureR::X(x) => EccP256CurvePoint::XOnly(arr(x)?),
            };
            let e = EcdsaP256Signature {
                r_sig,
                s_sig: arr(&sig.s)?,
            };
            if curve == Curve::NistP256 {
                AsnSignature::EcdsaNistP256Signature(e)
            } else {
                AsnSignature::EcdsaBrainpoolP256r1Signature(e)
            }
        }
        Curve::NistP384 | Curve::BrainpoolP384r1 => {
            let r_sig = match &sig.r {
                SignatureR::Point(p) => ecc_point384(p)?,
                SignatureR::X(x) => EccP384CurvePoint::XOnly(arr(x)?),
            };
            let e = EcdsaP384Signature {
                r_sig,
                s_sig: arr(&sig.s)?,
            };
            if curve == Curve::NistP384 {
                AsnSignature::EcdsaNistP384Signature(e)
            } else {
                AsnSignature::EcdsaBrainpoolP384r1Signature(e)
            }
        }
        Curve::Sm2 => AsnSignature::Sm2Signature(EcsigP256Signature {
            r_sig: arr(&sig.r_bytes())?,
            s_sig: arr(&sig.s)?,
        }),
    })
}

/// The 1609.2 `HashAlgorithm` of a curve.
pub fn hash_algorithm(curve: Curve) -> AsnHash {
    match curve.hash() {
        HashAlgorithm::Sha256 => AsnHash::Sha256,
        HashAlgorithm::Sha384 => AsnHash::Sha384,
        HashAlgorithm::Sm3 => AsnHash::Sm3,
    }
}

/// The `IssuerIdentifier` naming `issuer` (its HashedId8, with its own hash).
pub fn issuer_identifier(issuer: &Certificate<'_>) -> Result<IssuerIdentifier, VerifyError> {
    let h = certificate_hashed_id8(issuer)?.0;
    Ok(match certificate_hash(issuer) {
        HashAlgorithm::Sha256 => IssuerIdentifier::Sha256AndDigest(h),
        HashAlgorithm::Sha384 => IssuerIdentifier::Sha384AndDigest(h),
        HashAlgorithm::Sm3 => IssuerIdentifier::Sm3AndDigest(h),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{os_rng, SecretKey};
    use crate::verify::{public_verification_key, suite_signature};

    #[test]
    fn keys_and_signatures_round_trip_through_the_wire_types() {
        let mut rng = os_rng();
        for curve in Curve::ALL {
            let key = SecretKey::generate(curve, &mut rng).unwrap();
            let public = key.public_key();
            assert_eq!(
                public_verification_key(&verification_key(&public).unwrap()).unwrap(),
                public
            );
            let d = crate::hash::digest(curve.hash(), b"m");
            let sig = key.sign_digest(d.as_bytes(), &mut rng).unwrap();
            let back = suite_signature(&signature(curve, &sig).unwrap()).unwrap();
            public.verify_digest(d.as_bytes(), &back).unwrap();
            assert_eq!(
                encryption_key(&public).is_ok(),
                !matches!(curve, Curve::NistP384 | Curve::BrainpoolP384r1)
            );
        }
    }
}
