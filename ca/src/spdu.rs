//! Signed SPDUs made by an authority: `Ieee1609Dot2Data` of `signedData` whose
//! payload is `data` of `unsecuredData` (the form of `Ieee1609Dot2Data-Signed`
//! of 1609.2.1, of `SecuredCrl`, and of the `CtlSignatureSpdu`), with a header
//! carrying only the PSID.

use scms_asn1::codec::{Octets, Spanned};
use scms_asn1::ieee1609dot2::{
    Certificate, HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, Psid, SignedData,
    SignedDataPayload, SignerIdentifier, ToBeSignedData,
};
use scms_crypto::verify::certificate_hashed_id8;
use scms_hsm::KeyStore;

use crate::issue::{asn1_hash, sign_data};
use crate::CaError;

/// How the signer is identified in the SPDU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignerForm {
    /// `digest`: the HashedId8 of the signer certificate (the ISS CRL does this).
    #[default]
    Digest,
    /// `certificate`: the signer certificate itself (1609.2.1 `SignerSingleCert`).
    Certificate,
}

/// Signs `payload` (carried as `unsecuredData`) with the key `label` whose
/// certificate is `signer_cert`; returns the COER `Ieee1609Dot2Data`.
pub fn signed_spdu(
    ks: &dyn KeyStore,
    label: &str,
    signer_cert: &[u8],
    psid: Psid,
    payload: Vec<u8>,
    form: SignerForm,
) -> Result<Vec<u8>, CaError> {
    let cert: Certificate<'_> = scms_asn1::decode(signer_cert)?;
    let tbs = ToBeSignedData {
        payload: SignedDataPayload {
            data: Some(Box::new(Ieee1609Dot2Data::new(
                Ieee1609Dot2Content::UnsecuredData(Octets::from(payload)),
            ))),
            ext_data_hash: None,
            omitted: None,
            unknown_extensions: Default::default(),
        },
        header_info: HeaderInfo::new(psid),
    };
    let tbs_bytes = scms_asn1::encode(&tbs)?;
    let signature = sign_data(ks, label, signer_cert, &tbs_bytes)?;
    let curve = ks.public_key(label)?.curve();
    let signer = match form {
        SignerForm::Digest => SignerIdentifier::Digest(certificate_hashed_id8(&cert)?.0),
        SignerForm::Certificate => SignerIdentifier::Certificate(vec![cert]),
    };
    let sd = SignedData {
        hash_id: asn1_hash(curve),
        tbs_data: Spanned::new(tbs),
        signer,
        signature,
    };
    Ok(scms_asn1::encode(&Ieee1609Dot2Data::new(
        Ieee1609Dot2Content::SignedData(Box::new(sd)),
    ))?)
}
