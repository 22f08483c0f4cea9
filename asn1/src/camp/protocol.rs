//! `IEEE1609dot2ScmsProtocol` (CAMP SCMS PoC `scms-protocol.asn`), the parts the LA,
//! MA, PCA and RA interfaces need: the `ScmsPDU` envelope, the `Scoped…` restrictions
//! of it to one message, the `Signed…` / `Secured…` SPDU profiles that carry them
//! (as [`Ieee1609Dot2Data`] of 1609.2-2022 with a validation each), and the SCMS
//! SSPs (`ScmsSsp`).
//!
//! Left out: the `ccm`, `eca-ee`, `ee-ra` and `ra-pg` alternatives of `ScmsPDU`
//! content (component certificate management, enrollment, provisioning and policy
//! generation, which 1609.2.1 defines in [`crate::ieee1609dot2dot1`]) and `ScmsFile`
//! (certificate-chain and policy files). Those alternatives are root alternatives, so
//! a PDU that uses one is rejected ("not supported") rather than misread.

use crate::camp::base_types::{
    random_scms_signed, scms_signed_payload, SignedProfile, MISBEHAVIOR_REPORTING_PSID,
    SCMS_SIGNED_PROFILE,
};
use crate::camp::ee_ma::EndEntityMaInterfacePDU;
use crate::camp::la_ma::LaMaInterfacePDU;
use crate::camp::la_pca::LaPcaInterfacePDU;
use crate::camp::la_ra::LaRaInterfacePDU;
use crate::camp::ma_pca::MaPcaInterfacePDU;
use crate::camp::ma_ra::MaRaInterfacePDU;
use crate::camp::pca_ra::PcaRaInterfacePDU;
use crate::codec::{
    DecodeError, ErrorKind, Generate, Octets, UnknownAlternative, UnknownExtensions,
};
use crate::ieee1609dot2::base_types::{HashAlgorithm, SequenceOfPsid, Signature, Uint16, Uint8};
use crate::ieee1609dot2::dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data, SignerIdentifier};
use crate::Asn1;
use arbitrary::Unstructured;

/// `ScmsPDU`: version 1 and one interface's message.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct ScmsPDU<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub content: ScmsPDUContent<'a>,
}

/// The inline `content CHOICE` of [`ScmsPDU`] (tags as in the module; `ccm` 0, `eca-ee` 1,
/// `ee-ra` 3 and `ra-pg` 10 are not modelled and rejected).
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible, validate = "check_scms_pdu_content")]
pub enum ScmsPDUContent<'a> {
    #[asn1(tag = 2, name = "ee-ma")]
    EeMa(EndEntityMaInterfacePDU<'a>),
    #[asn1(tag = 4, name = "la-ma")]
    LaMa(LaMaInterfacePDU<'a>),
    #[asn1(tag = 5, name = "la-pca")]
    LaPca(LaPcaInterfacePDU<'a>),
    #[asn1(tag = 6, name = "la-ra")]
    LaRa(LaRaInterfacePDU<'a>),
    #[asn1(tag = 7, name = "ma-pca")]
    MaPca(MaPcaInterfacePDU<'a>),
    #[asn1(tag = 8, name = "ma-ra")]
    MaRa(MaRaInterfacePDU<'a>),
    #[asn1(tag = 9, name = "pca-ra")]
    PcaRa(PcaRaInterfacePDU<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

fn check_scms_pdu_content(v: &ScmsPDUContent<'_>) -> Result<(), &'static str> {
    match v {
        // Root alternatives are not open types: reading one as an unknown extension
        // would misparse it.
        ScmsPDUContent::Unknown(u) if u.tag <= 10 => {
            Err("ccm, eca-ee, ee-ra and ra-pg SCMS PDUs are not supported")
        }
        _ => Ok(()),
    }
}

/// `SecuredScmsPDU ::= Ieee1609Dot2Data`.
pub type SecuredScmsPDU<'a> = Ieee1609Dot2Data<'a>;

/// Profile of `SignedMisbehaviorReport`: MisbehaviorReportingPsid, generation time and
/// location present, signed by exactly one certificate.
pub const MISBEHAVIOR_REPORT_PROFILE: SignedProfile = SignedProfile {
    psid: MISBEHAVIOR_REPORTING_PSID,
    generation_time: Some(true),
    generation_location: true,
    ext_data_hash_absent: false,
    single_certificate_signer: true,
};

/// Profile of the RA-LA pre-linkage value SPDUs: as [`SCMS_SIGNED_PROFILE`] but with the
/// generation time present.
pub const TIMED_PROFILE: SignedProfile = SignedProfile {
    generation_time: Some(true),
    ..SCMS_SIGNED_PROFILE
};

/// The `Secured…` SPDUs: `encryptedData` content.
/// Declares an `ScmsPDU` restricted to one interface PDU alternative (the CAMP
/// `ScmsPDU-Scoped {...}` instances): decoding checks the alternative, generation
/// produces it.
macro_rules! scoped_pdu {
    ($(#[$doc:meta])* $name:ident => $content:ident($iface:ident :: $alt:ident)) => {
        $(#[$doc])*
        #[allow(clippy::upper_case_acronyms)]
        #[derive(Asn1, Clone, Debug, PartialEq, Eq)]
        #[asn1(newtype, validate = "Self::check", fixup = "Self::fixup")]
        pub struct $name<'a>(pub ScmsPDU<'a>);

        impl<'a> $name<'a> {
            fn check(v: &Self) -> Result<(), &'static str> {
                match &v.0.content {
                    ScmsPDUContent::$content($iface::$alt(_)) => Ok(()),
                    _ => Err(concat!(stringify!($name), ": another SCMS PDU")),
                }
            }

            fn fixup(v: &mut Self, u: &mut Unstructured<'a>) -> arbitrary::Result<()> {
                if Self::check(v).is_err() {
                    v.0.content = ScmsPDUContent::$content($iface::$alt(Generate::generate(u)?));
                }
                Ok(())
            }
        }
    };
}

/// Declares a `SecuredScmsPDU` signed with a header profile and carrying one
/// scoped PDU as `unsecuredData` (the CAMP `SignedX` instances).
macro_rules! signed_pdu {
    ($(#[$doc:meta])* $name:ident => $inner:ident, $profile:ident) => {
        $(#[$doc])*
        #[allow(clippy::upper_case_acronyms)]
        #[derive(Asn1, Clone, Debug, PartialEq, Eq)]
        #[asn1(newtype, validate = "Self::check", fixup = "Self::fixup")]
        pub struct $name<'a>(pub SecuredScmsPDU<'a>);

        impl<'a> $name<'a> {
            fn check(v: &Self) -> Result<(), &'static str> {
                let payload = scms_signed_payload(&v.0, &$profile)?;
                crate::decode::<$inner>(payload)
                    .map(|_| ())
                    .map_err(|_| concat!("unsecuredData is not a ", stringify!($inner)))
            }

            fn fixup(v: &mut Self, u: &mut Unstructured<'a>) -> arbitrary::Result<()> {
                if Self::check(v).is_err() {
                    let inner: $inner<'a> = Generate::generate(u)?;
                    v.0 = random_scms_signed(u, &inner, &$profile)?;
                }
                Ok(())
            }

            /// The scoped PDU it signs.
            pub fn payload(&self) -> Result<$inner<'_>, DecodeError> {
                let payload = scms_signed_payload(&self.0, &$profile)
                    .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
                crate::decode(payload)
            }
        }
    };
}

/// Declares a `SecuredScmsPDU` whose content must be `encryptedData` (the CAMP
/// `SecuredX` instances; what the plaintext must be is checked after decryption).
macro_rules! encrypted_pdu {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[allow(clippy::upper_case_acronyms)]
        #[derive(Asn1, Clone, Debug, PartialEq, Eq)]
        #[asn1(newtype, validate = "Self::check", fixup = "Self::fixup")]
        pub struct $name<'a>(pub SecuredScmsPDU<'a>);

        impl<'a> $name<'a> {
            fn check(v: &Self) -> Result<(), &'static str> {
                match v.0.content {
                    Ieee1609Dot2Content::EncryptedData(_) => Ok(()),
                    _ => Err("content must be encryptedData"),
                }
            }

            fn fixup(v: &mut Self, u: &mut Unstructured<'a>) -> arbitrary::Result<()> {
                if Self::check(v).is_err() {
                    v.0.content = Ieee1609Dot2Content::EncryptedData(Generate::generate(u)?);
                }
                Ok(())
            }
        }
    };
}

scoped_pdu!(
    /// `ScopedMisbehaviorReport`: an `ScmsPDU` whose content is `eeMa` / `misbehaviorReport`.
    ScopedMisbehaviorReport => EeMa(EndEntityMaInterfacePDU::MisbehaviorReport));

scoped_pdu!(
    /// `ScopedLIRequest`: an `ScmsPDU` whose content is `laMa` / `maLaLinkageInfoRequest`.
    ScopedLIRequest => LaMa(LaMaInterfacePDU::MaLaLinkageInfoRequest));

scoped_pdu!(
    /// `ScopedLIReply`: an `ScmsPDU` whose content is `laMa` / `laMaLinkageInfoResponse`.
    ScopedLIReply => LaMa(LaMaInterfacePDU::LaMaLinkageInfoResponse));

scoped_pdu!(
    /// `ScopedLSRequest`: an `ScmsPDU` whose content is `laMa` / `maLaLinkageSeedRequest`.
    ScopedLSRequest => LaMa(LaMaInterfacePDU::MaLaLinkageSeedRequest));

scoped_pdu!(
    /// `ScopedLSReply`: an `ScmsPDU` whose content is `laMa` / `laMaLinkageSeedResponse`.
    ScopedLSReply => LaMa(LaMaInterfacePDU::LaMaLinkageSeedResponse));

scoped_pdu!(
    /// `ScopedPcaLaKeyAgreementRequest`: an `ScmsPDU` whose content is `laPca` / `pcaLaKeyAgreementRequest`.
    ScopedPcaLaKeyAgreementRequest => LaPca(LaPcaInterfacePDU::PcaLaKeyAgreementRequest));

scoped_pdu!(
    /// `ScopedLaPcaKeyAgreementResponse`: an `ScmsPDU` whose content is `laPca` / `laPcaKeyAgreementResponse`.
    ScopedLaPcaKeyAgreementResponse => LaPca(LaPcaInterfacePDU::LaPcaKeyAgreementResponse));

scoped_pdu!(
    /// `ScopedPcaLaKeyAgreementAck`: an `ScmsPDU` whose content is `laPca` / `pcaLaKeyAgreementAck`.
    ScopedPcaLaKeyAgreementAck => LaPca(LaPcaInterfacePDU::PcaLaKeyAgreementAck));

scoped_pdu!(
    /// `ScopedRaLaIndividualPreLinkageValueRequest`: an `ScmsPDU` whose content is `laRa` / `raLaIndividualPreLinkageValueRequest`.
    ScopedRaLaIndividualPreLinkageValueRequest => LaRa(LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest));

scoped_pdu!(
    /// `ScopedRaLaGroupPreLinkageValueRequest`: an `ScmsPDU` whose content is `laRa` / `raLaGroupPreLinkageValueRequest`.
    ScopedRaLaGroupPreLinkageValueRequest => LaRa(LaRaInterfacePDU::RaLaGroupPreLinkageValueRequest));

scoped_pdu!(
    /// `ScopedLaRaPreLinkageValueResponse`: an `ScmsPDU` whose content is `laRa` / `laRaPreLinkageValueResponse`.
    ScopedLaRaPreLinkageValueResponse => LaRa(LaRaInterfacePDU::LaRaPreLinkageValueResponse));

scoped_pdu!(
    /// `ScopedMaPcaPreLinkageValueRequest`: an `ScmsPDU` whose content is `maPca` / `maPcaPreLinkageValueRequest`.
    ScopedMaPcaPreLinkageValueRequest => MaPca(MaPcaInterfacePDU::MaPcaPreLinkageValueRequest));

scoped_pdu!(
    /// `ScopedPcaMaPreLinkageValueResponse`: an `ScmsPDU` whose content is `maPca` / `pcaMaPreLinkageValueResponse`.
    ScopedPcaMaPreLinkageValueResponse => MaPca(MaPcaInterfacePDU::PcaMaPreLinkageValueResponse));

/// `ScopedMaPcaHPCRRequest`: an `ScmsPDU` whose content is `maPca` / `maPcaHpcrRequest`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_ma_pca_hpcr_request",
    fixup = "fix_scoped_ma_pca_hpcr_request"
)]
pub struct ScopedMaPcaHPCRRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_ma_pca_hpcr_request(v: &ScopedMaPcaHPCRRequest<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaHpcrRequest(_)) => Ok(()),
        _ => Err("ScopedMaPcaHPCRRequest: another SCMS PDU"),
    }
}

fn fix_scoped_ma_pca_hpcr_request<'a>(
    v: &mut ScopedMaPcaHPCRRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_ma_pca_hpcr_request(v).is_err() {
        v.0.content =
            ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaHpcrRequest(Generate::generate(u)?));
    }
    Ok(())
}

/// `ScopedPcaMaHPCRResponse`: an `ScmsPDU` whose content is `maPca` / `pcaMaHpcrResponse`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_pca_ma_hpcr_response",
    fixup = "fix_scoped_pca_ma_hpcr_response"
)]
pub struct ScopedPcaMaHPCRResponse<'a>(pub ScmsPDU<'a>);

fn check_scoped_pca_ma_hpcr_response(v: &ScopedPcaMaHPCRResponse<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaHpcrResponse(_)) => Ok(()),
        _ => Err("ScopedPcaMaHPCRResponse: another SCMS PDU"),
    }
}

fn fix_scoped_pca_ma_hpcr_response<'a>(
    v: &mut ScopedPcaMaHPCRResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_pca_ma_hpcr_response(v).is_err() {
        v.0.content =
            ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaHpcrResponse(Generate::generate(u)?));
    }
    Ok(())
}

scoped_pdu!(
    /// `ScopedBlacklistRequest`: an `ScmsPDU` whose content is `maRa` / `maRaBlacklistRequest`.
    ScopedBlacklistRequest => MaRa(MaRaInterfacePDU::MaRaBlacklistRequest));

scoped_pdu!(
    /// `ScopedBlacklistResponse`: an `ScmsPDU` whose content is `maRa` / `raMaBlacklistResponse`.
    ScopedBlacklistResponse => MaRa(MaRaInterfacePDU::RaMaBlacklistResponse));

/// `ScopedLCIRequest`: an `ScmsPDU` whose content is `maRa` / `maRaLciRequest`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_lci_request",
    fixup = "fix_scoped_lci_request"
)]
pub struct ScopedLCIRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_lci_request(v: &ScopedLCIRequest<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaLciRequest(_)) => Ok(()),
        _ => Err("ScopedLCIRequest: another SCMS PDU"),
    }
}

fn fix_scoped_lci_request<'a>(
    v: &mut ScopedLCIRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_lci_request(v).is_err() {
        v.0.content =
            ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaLciRequest(Generate::generate(u)?));
    }
    Ok(())
}

/// `ScopedLCIResponse`: an `ScmsPDU` whose content is `maRa` / `raMaLciResponse`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_lci_response",
    fixup = "fix_scoped_lci_response"
)]
pub struct ScopedLCIResponse<'a>(pub ScmsPDU<'a>);

fn check_scoped_lci_response(v: &ScopedLCIResponse<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaLciResponse(_)) => Ok(()),
        _ => Err("ScopedLCIResponse: another SCMS PDU"),
    }
}

fn fix_scoped_lci_response<'a>(
    v: &mut ScopedLCIResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_lci_response(v).is_err() {
        v.0.content =
            ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaLciResponse(Generate::generate(u)?));
    }
    Ok(())
}

scoped_pdu!(
    /// `ScopedRseObeIdBlacklistRequest`: an `ScmsPDU` whose content is `maRa` / `maRaRseObeIdBlacklistRequest`.
    ScopedRseObeIdBlacklistRequest => MaRa(MaRaInterfacePDU::MaRaRseObeIdBlacklistRequest));

scoped_pdu!(
    /// `ScopedRseObeIdBlacklistResponse`: an `ScmsPDU` whose content is `maRa` / `raMaRseObeIdBlacklistResponse`.
    ScopedRseObeIdBlacklistResponse => MaRa(MaRaInterfacePDU::RaMaRseObeIdBlacklistResponse));

/// `ScopedRaPcaCertificateRequest`: an `ScmsPDU` whose content is `pcaRa` / `raPcaCertRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_ra_pca_certificate_request",
    fixup = "fix_scoped_ra_pca_certificate_request"
)]
pub struct ScopedRaPcaCertificateRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_ra_pca_certificate_request(
    v: &ScopedRaPcaCertificateRequest<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::PcaRa(PcaRaInterfacePDU::RaPcaCertRequest(_)) => Ok(()),
        _ => Err("ScopedRaPcaCertificateRequest: another SCMS PDU"),
    }
}

fn fix_scoped_ra_pca_certificate_request<'a>(
    v: &mut ScopedRaPcaCertificateRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_ra_pca_certificate_request(v).is_err() {
        v.0.content =
            ScmsPDUContent::PcaRa(PcaRaInterfacePDU::RaPcaCertRequest(Generate::generate(u)?));
    }
    Ok(())
}

/// `ScopedPcaRaCertificateRequestReply`: an `ScmsPDU` whose content is `pcaRa` / `pcaRaCertResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_pca_ra_certificate_request_reply",
    fixup = "fix_scoped_pca_ra_certificate_request_reply"
)]
pub struct ScopedPcaRaCertificateRequestReply<'a>(pub ScmsPDU<'a>);

fn check_scoped_pca_ra_certificate_request_reply(
    v: &ScopedPcaRaCertificateRequestReply<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::PcaRa(PcaRaInterfacePDU::PcaRaCertResponse(_)) => Ok(()),
        _ => Err("ScopedPcaRaCertificateRequestReply: another SCMS PDU"),
    }
}

fn fix_scoped_pca_ra_certificate_request_reply<'a>(
    v: &mut ScopedPcaRaCertificateRequestReply<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_pca_ra_certificate_request_reply(v).is_err() {
        v.0.content =
            ScmsPDUContent::PcaRa(PcaRaInterfacePDU::PcaRaCertResponse(Generate::generate(u)?));
    }
    Ok(())
}

signed_pdu!(
    /// `SignedMisbehaviorReport`: a `SecuredScmsPDU` signed with the profile [`MISBEHAVIOR_REPORT_PROFILE`], carrying a
    /// [`ScopedMisbehaviorReport`] as `unsecuredData`.
    SignedMisbehaviorReport => ScopedMisbehaviorReport, MISBEHAVIOR_REPORT_PROFILE);

signed_pdu!(
    /// `SignedLIRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedLIRequest`] as `unsecuredData`.
    SignedLIRequest => ScopedLIRequest, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedLIReply`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedLIReply`] as `unsecuredData`.
    SignedLIReply => ScopedLIReply, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedLSRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedLSRequest`] as `unsecuredData`.
    SignedLSRequest => ScopedLSRequest, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedLSReply`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedLSReply`] as `unsecuredData`.
    SignedLSReply => ScopedLSReply, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedPcaLaKeyAgreementRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedPcaLaKeyAgreementRequest`] as `unsecuredData`.
    SignedPcaLaKeyAgreementRequest => ScopedPcaLaKeyAgreementRequest, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedLaPcaKeyAgreementResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedLaPcaKeyAgreementResponse`] as `unsecuredData`.
    SignedLaPcaKeyAgreementResponse => ScopedLaPcaKeyAgreementResponse, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedPcaLaKeyAgreementAck`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedPcaLaKeyAgreementAck`] as `unsecuredData`.
    SignedPcaLaKeyAgreementAck => ScopedPcaLaKeyAgreementAck, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedRaLaIndividualPreLinkageValueRequest`: a `SecuredScmsPDU` signed with the profile [`TIMED_PROFILE`], carrying a
    /// [`ScopedRaLaIndividualPreLinkageValueRequest`] as `unsecuredData`.
    SignedRaLaIndividualPreLinkageValueRequest => ScopedRaLaIndividualPreLinkageValueRequest, TIMED_PROFILE);

signed_pdu!(
    /// `SignedRaLaGroupPreLinkageValueRequest`: a `SecuredScmsPDU` signed with the profile [`TIMED_PROFILE`], carrying a
    /// [`ScopedRaLaGroupPreLinkageValueRequest`] as `unsecuredData`.
    SignedRaLaGroupPreLinkageValueRequest => ScopedRaLaGroupPreLinkageValueRequest, TIMED_PROFILE);

signed_pdu!(
    /// `SignedLaRaPreLinkageValueResponse`: a `SecuredScmsPDU` signed with the profile [`TIMED_PROFILE`], carrying a
    /// [`ScopedLaRaPreLinkageValueResponse`] as `unsecuredData`.
    SignedLaRaPreLinkageValueResponse => ScopedLaRaPreLinkageValueResponse, TIMED_PROFILE);

signed_pdu!(
    /// `SignedMaPcaPreLinkageValueRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedMaPcaPreLinkageValueRequest`] as `unsecuredData`.
    SignedMaPcaPreLinkageValueRequest => ScopedMaPcaPreLinkageValueRequest, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedPcaMaPreLinkageValueResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedPcaMaPreLinkageValueResponse`] as `unsecuredData`.
    SignedPcaMaPreLinkageValueResponse => ScopedPcaMaPreLinkageValueResponse, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedMaPcaHPCRRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedMaPcaHPCRRequest`] as `unsecuredData`.
    SignedMaPcaHPCRRequest => ScopedMaPcaHPCRRequest, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedPcaMaHPCRResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedPcaMaHPCRResponse`] as `unsecuredData`.
    SignedPcaMaHPCRResponse => ScopedPcaMaHPCRResponse, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedBlacklistRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedBlacklistRequest`] as `unsecuredData`.
    SignedBlacklistRequest => ScopedBlacklistRequest, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedBlacklistResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedBlacklistResponse`] as `unsecuredData`.
    SignedBlacklistResponse => ScopedBlacklistResponse, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedRseObeIdBlacklistRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedRseObeIdBlacklistRequest`] as `unsecuredData`.
    SignedRseObeIdBlacklistRequest => ScopedRseObeIdBlacklistRequest, SCMS_SIGNED_PROFILE);

/// `SignedRseObeIdBlacklistResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedRseObeIdBlacklistResponse`] as `unsecuredData`.
///
/// The module says `CONTAINING ScopedBlacklistResponse` here, an evident copy-paste slip for
/// `ScopedRseObeIdBlacklistResponse`; both are accepted and [`Self::payload`] returns the intended one.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_rse_obe_id_blacklist_response",
    fixup = "fix_signed_rse_obe_id_blacklist_response"
)]
pub struct SignedRseObeIdBlacklistResponse<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_rse_obe_id_blacklist_response(
    v: &SignedRseObeIdBlacklistResponse<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    if crate::decode::<ScopedRseObeIdBlacklistResponse>(payload).is_ok()
        || crate::decode::<ScopedBlacklistResponse>(payload).is_ok()
    {
        Ok(())
    } else {
        Err("unsecuredData is not a ScopedRseObeIdBlacklistResponse (or ScopedBlacklistResponse)")
    }
}

fn fix_signed_rse_obe_id_blacklist_response<'a>(
    v: &mut SignedRseObeIdBlacklistResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_rse_obe_id_blacklist_response(v).is_err() {
        let inner: ScopedRseObeIdBlacklistResponse<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedRseObeIdBlacklistResponse<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedRseObeIdBlacklistResponse<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

signed_pdu!(
    /// `SignedLCIRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedLCIRequest`] as `unsecuredData`.
    SignedLCIRequest => ScopedLCIRequest, SCMS_SIGNED_PROFILE);

signed_pdu!(
    /// `SignedLCIResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
    /// [`ScopedLCIResponse`] as `unsecuredData`.
    SignedLCIResponse => ScopedLCIResponse, SCMS_SIGNED_PROFILE);

/// `SecuredPcaRaCertificateRequestReply`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedPcaRaCertificateRequestReply`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_secured_pca_ra_certificate_request_reply",
    fixup = "fix_secured_pca_ra_certificate_request_reply"
)]
pub struct SecuredPcaRaCertificateRequestReply<'a>(pub SecuredScmsPDU<'a>);

fn check_secured_pca_ra_certificate_request_reply(
    v: &SecuredPcaRaCertificateRequestReply<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedPcaRaCertificateRequestReply>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedPcaRaCertificateRequestReply")
}

fn fix_secured_pca_ra_certificate_request_reply<'a>(
    v: &mut SecuredPcaRaCertificateRequestReply<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_secured_pca_ra_certificate_request_reply(v).is_err() {
        let inner: ScopedPcaRaCertificateRequestReply<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SecuredPcaRaCertificateRequestReply<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedPcaRaCertificateRequestReply<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

encrypted_pdu!(
    /// `SecuredMisbehaviorReport`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredMisbehaviorReport);

encrypted_pdu!(
    /// `SecuredLIRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredLIRequest);

encrypted_pdu!(
    /// `SecuredLIReply`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredLIReply);

encrypted_pdu!(
    /// `SecuredLSRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredLSRequest);

encrypted_pdu!(
    /// `SecuredLSReply`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredLSReply);

encrypted_pdu!(
    /// `SecuredMaPcaPreLinkageValueRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredMaPcaPreLinkageValueRequest);

encrypted_pdu!(
    /// `SecuredPcaMaPreLinkageValueResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredPcaMaPreLinkageValueResponse);

encrypted_pdu!(
    /// `SecuredMaPcaHPCRRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredMaPcaHPCRRequest);

encrypted_pdu!(
    /// `SecuredPcaMaHPCRResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredPcaMaHPCRResponse);

encrypted_pdu!(
    /// `SecuredBlacklistRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredBlacklistRequest);

encrypted_pdu!(
    /// `SecuredBlacklistResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredBlacklistResponse);

encrypted_pdu!(
    /// `SecuredRseObeIdBlacklistRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredRseObeIdBlacklistRequest);

encrypted_pdu!(
    /// `SecuredRseObeIdBlacklistResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredRseObeIdBlacklistResponse);

encrypted_pdu!(
    /// `SecuredLCIRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredLCIRequest);

encrypted_pdu!(
    /// `SecuredLCIResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
    SecuredLCIResponse);

/// `ScopedCertificateRequest`: the `ScmsPDU`s a `SignedCertificateRequest` may sign. Of
/// those, only `ScopedRaPcaCertificateRequest` is modelled here (the others are
/// enrollment and provisioning requests of `eca-ee` / `ee-ra`).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_certificate_request",
    fixup = "fix_scoped_certificate_request"
)]
pub struct ScopedCertificateRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_certificate_request(v: &ScopedCertificateRequest<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::PcaRa(PcaRaInterfacePDU::RaPcaCertRequest(_)) => Ok(()),
        _ => Err("ScopedCertificateRequest: not a certificate request"),
    }
}

fn fix_scoped_certificate_request<'a>(
    v: &mut ScopedCertificateRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_certificate_request(v).is_err() {
        v.0.content =
            ScmsPDUContent::PcaRa(PcaRaInterfacePDU::RaPcaCertRequest(Generate::generate(u)?));
    }
    Ok(())
}

/// `SignedCertificateRequest`: the `signedCertificateRequest` content of a
/// `SecuredScmsPDU` (signature over the COER of `tbsRequest`).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct SignedCertificateRequest<'a> {
    pub hash_id: HashAlgorithm,
    pub tbs_request: ScopedCertificateRequest<'a>,
    pub signer: SignerIdentifier<'a>,
    pub signature: Signature,
}

/// `SecuredRaPcaCertificateRequest`: `signedCertificateRequest` CONTAINING a
/// [`SignedCertificateRequest`] of a [`ScopedRaPcaCertificateRequest`], signed by
/// exactly one certificate (the RA's).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_secured_ra_pca_certificate_request",
    fixup = "fix_secured_ra_pca_certificate_request"
)]
pub struct SecuredRaPcaCertificateRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_secured_ra_pca_certificate_request(
    v: &SecuredRaPcaCertificateRequest<'_>,
) -> Result<(), &'static str> {
    v.request().map(|_| ()).map_err(|_| {
        "content must be signedCertificateRequest: a RA-PCA request signed by one certificate"
    })
}

fn fix_secured_ra_pca_certificate_request<'a>(
    v: &mut SecuredRaPcaCertificateRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_secured_ra_pca_certificate_request(v).is_err() {
        let mut req: SignedCertificateRequest<'a> = Generate::generate(u)?;
        req.signer = SignerIdentifier::Certificate(vec![Generate::generate(u)?]);
        let bytes = crate::encode(&req).map_err(|_| arbitrary::Error::IncorrectFormat)?;
        v.0.content = Ieee1609Dot2Content::SignedCertificateRequest(Octets::from(bytes));
    }
    Ok(())
}

impl SecuredRaPcaCertificateRequest<'_> {
    /// The signed request, checked: tbsRequest is a RA-PCA certificate request and the
    /// signer exactly one certificate.
    pub fn request(&self) -> Result<SignedCertificateRequest<'_>, DecodeError> {
        let Ieee1609Dot2Content::SignedCertificateRequest(o) = &self.0.content else {
            return Err(DecodeError::new(
                ErrorKind::Constraint("content must be signedCertificateRequest"),
                0,
            ));
        };
        let req: SignedCertificateRequest<'_> = crate::decode(o)?;
        match &req.signer {
            SignerIdentifier::Certificate(c) if c.len() == 1 => {}
            _ => {
                return Err(DecodeError::new(
                    ErrorKind::Constraint("signer must be exactly one certificate"),
                    0,
                ))
            }
        }
        Ok(req)
    }
}

/// `ScmsSsp`: the SSP of an SCMS component certificate under SecurityMgmtPsid.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum ScmsSsp {
    Elector(ElectorSsp),
    Root(RootCaSsp),
    Pg(PGSsp),
    Ica(IcaSsp),
    Eca(EcaSsp),
    Pca(PcaSsp),
    Crl(CrlSignerSsp),
    Dcm(DcmSsp),
    La(LaSsp),
    Lop(LopSsp),
    Ma(MaSsp),
    Ra(RaSsp),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

macro_rules! version_only_ssp {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Asn1, Clone, Debug, PartialEq, Eq)]
        #[asn1(sequence, extensible)]
        pub struct $name {
            #[asn1(range(1..=1))]
            pub version: Uint8,
            #[asn1(unknown_ext)]
            pub unknown_extensions: UnknownExtensions,
        }
    )*};
}

version_only_ssp! {
    /// `ElectorSsp`.
    ElectorSsp;
    /// `RootCaSsp`.
    RootCaSsp;
    /// `PGSsp` (policy generator).
    PGSsp;
    /// `IcaSsp`.
    IcaSsp;
    /// `EcaSsp`.
    EcaSsp;
    /// `PcaSsp`.
    PcaSsp;
    /// `CrlSignerSsp`.
    CrlSignerSsp;
    /// `DcmSsp` (device configuration manager).
    DcmSsp;
    /// `LopSsp` (location obscurer proxy).
    LopSsp;
    /// `RaSsp`.
    RaSsp;
}

/// `LaSsp`: the LA's 16-bit identifier.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct LaSsp {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub la_id: Uint16,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `MaSsp`: the PSIDs whose misbehavior reports this MA handles.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct MaSsp {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub relevant_psids: SequenceOfPsid,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}
