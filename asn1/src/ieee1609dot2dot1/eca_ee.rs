//! `Ieee1609Dot2Dot1EcaEeInterface` (IEEE 1609.2.1-2022): enrollment certificate
//! request and response between the EE and the ECA.

use crate::codec::{Ia5String, UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{HashedId8, Time32, Uint8};
use crate::ieee1609dot2::dot2::{
    Certificate, CertificateId, CertificateType, SequenceOfCertificate, ToBeSignedCertificate,
    VerificationKeyIndicator,
};
use crate::Asn1;

/// `EcaEeInterfacePdu`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
#[allow(clippy::large_enum_variant)] // one PDU at a time: no boxing
pub enum EcaEeInterfacePdu<'a> {
    EeEcaCertRequest(EeEcaCertRequest<'a>),
    EcaEeCertResponse(EcaEeCertResponse<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `EeEcaCertRequest`.
///
/// The `WITH COMPONENTS` constraint on `tbsCert` is a request profile that the ECA
/// enforces with [`EeEcaCertRequest::check_tbs_cert`] (a typed rejection of the
/// request) rather than at decoding.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct EeEcaCertRequest<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub r#type: CertificateType,
    pub tbs_cert: ToBeSignedCertificate<'a>,
    #[asn1(optional)]
    pub canonical_id: Option<Ia5String<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

impl EeEcaCertRequest<'_> {
    /// The `tbsCert` constraint: id not linkageData, cracaId `000000`H, crlSeries 0,
    /// appPermissions and certIssuePermissions absent, certRequestPermissions
    /// present, verifyKeyIndicator a verificationKey.
    pub fn check_tbs_cert(&self) -> Result<(), &'static str> {
        let t = &self.tbs_cert;
        if matches!(t.id, CertificateId::LinkageData(_)) {
            return Err("EeEcaCertRequest.tbsCert: id is linkageData");
        }
        if t.craca_id != [0; 3] {
            return Err("EeEcaCertRequest.tbsCert: cracaId is not 000000");
        }
        if t.crl_series != 0 {
            return Err("EeEcaCertRequest.tbsCert: crlSeries is not 0");
        }
        if t.app_permissions.is_some() || t.cert_issue_permissions.is_some() {
            return Err("EeEcaCertRequest.tbsCert: appPermissions/certIssuePermissions present");
        }
        if t.cert_request_permissions.is_none() {
            return Err("EeEcaCertRequest.tbsCert: certRequestPermissions absent");
        }
        if !matches!(
            t.verify_key_indicator,
            VerificationKeyIndicator::VerificationKey(_)
        ) {
            return Err("EeEcaCertRequest.tbsCert: verifyKeyIndicator is not verificationKey");
        }
        Ok(())
    }
}

/// `EcaEeCertResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct EcaEeCertResponse<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub request_hash: HashedId8,
    pub eca_cert_chain: SequenceOfCertificate<'a>,
    pub certificate: Certificate<'a>,
    #[asn1(optional)]
    pub private_key_info: Option<[u8; 32]>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}
