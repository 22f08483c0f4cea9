//! Signing 1609.2 signed data with a key of a [`KeyStore`]: the one place where
//! authorities (CRLs, CTLs, 1609.2.1 responses) and devices (BSMs) turn a
//! `ToBeSignedData` into an `Ieee1609Dot2Data`.

use crate::{KeyStore, KeyStoreError};
use core::fmt;
use scms_asn1::codec::Spanned;
use scms_asn1::ieee1609dot2::{
    Certificate, Ieee1609Dot2Content, Ieee1609Dot2Data, Signature, SignedData, SignerIdentifier,
    ToBeSignedData,
};
use scms_asn1::{DecodeError, EncodeError};
use scms_crypto::signing_input::{ecdsa_signing_digest, sm2_signing_digest, SigningInputHashes};
use scms_crypto::verify::{certificate_hashed_id8, VerifyError};
use scms_crypto::wire;

/// Why signing an SPDU failed.
#[derive(Debug)]
pub enum SpduError {
    Key(KeyStoreError),
    Encode(EncodeError),
    /// The signer certificate does not decode.
    Certificate(DecodeError),
    Crypto(scms_crypto::suite::Error),
    Verify(VerifyError),
}

impl fmt::Display for SpduError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Key(e) => write!(f, "{e}"),
            Self::Encode(e) => write!(f, "{e}"),
            Self::Certificate(e) => write!(f, "signer certificate: {e}"),
            Self::Crypto(e) => write!(f, "{e}"),
            Self::Verify(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SpduError {}

macro_rules! from {
    ($($v:ident($t:ty)),*) => {$(impl From<$t> for SpduError { fn from(e: $t) -> Self { Self::$v(e) } })*};
}
from!(
    Key(KeyStoreError),
    Encode(EncodeError),
    Certificate(DecodeError),
    Crypto(scms_crypto::suite::Error),
    Verify(VerifyError)
);

/// How the signer is named in the SPDU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignerForm {
    /// `digest`: the HashedId8 of the signer certificate.
    #[default]
    Digest,
    /// `certificate`: the signer certificate itself.
    Certificate,
}

/// Signs `tbs` (its COER bytes) with `label`, whose certificate is `signer_cert`:
/// the 1609.2 data signing input, or for SM2 `SM3(Z_A || tbs)` with
/// `ID_A = SM3(signer_cert)`.
pub fn sign_data(
    ks: &dyn KeyStore,
    label: &str,
    signer_cert: &[u8],
    tbs: &[u8],
) -> Result<Signature, SpduError> {
    let key = ks.public_key(label)?;
    let curve = key.curve();
    let digest = if curve.is_sm2() {
        sm2_signing_digest(&key, tbs, signer_cert)?
    } else {
        ecdsa_signing_digest(SigningInputHashes::for_data(curve), tbs, Some(signer_cert))
    };
    let sig = ks.sign_digest(label, digest.as_bytes())?;
    Ok(wire::signature(curve, &sig)?)
}

/// The signed-data SPDU of `tbs`, signed with `label` (certificate `signer_cert`),
/// naming the signer as `form` says; returns its COER bytes.
pub fn signed_data(
    ks: &dyn KeyStore,
    label: &str,
    signer_cert: &[u8],
    tbs: ToBeSignedData<'_>,
    form: SignerForm,
) -> Result<Vec<u8>, SpduError> {
    let cert: Certificate<'_> = scms_asn1::decode(signer_cert)?;
    let tbs_bytes = scms_asn1::encode(&tbs)?;
    let signature = sign_data(ks, label, signer_cert, &tbs_bytes)?;
    let curve = ks.public_key(label)?.curve();
    let signer = match form {
        SignerForm::Digest => SignerIdentifier::Digest(certificate_hashed_id8(&cert)?.0),
        SignerForm::Certificate => SignerIdentifier::Certificate(vec![cert]),
    };
    let sd = SignedData {
        hash_id: wire::hash_algorithm(curve),
        tbs_data: Spanned::new(tbs),
        signer,
        signature,
    };
    Ok(scms_asn1::encode(&Ieee1609Dot2Data::new(
        Ieee1609Dot2Content::SignedData(Box::new(sd)),
    ))?)
}
