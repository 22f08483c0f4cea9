//! Signed SPDUs made by an authority: `Ieee1609Dot2Data` of `signedData` whose
//! payload is `data` of `unsecuredData` (the form of `Ieee1609Dot2Data-Signed`
//! of 1609.2.1, of `SecuredCrl`, and of the `CtlSignatureSpdu`), with a header
//! carrying only the PSID. The signing itself is `scms_hsm::spdu`.

use scms_asn1::codec::Octets;
use scms_asn1::ieee1609dot2::{
    HeaderInfo, Ieee1609Dot2Content, Ieee1609Dot2Data, Psid, SignedDataPayload, ToBeSignedData,
};
pub use scms_hsm::spdu::SignerForm;
use scms_hsm::KeyStore;

use crate::CaError;

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
    Ok(scms_hsm::spdu::signed_data(
        ks,
        label,
        signer_cert,
        tbs,
        form,
    )?)
}
