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
trait EncryptedScmsPdu<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a>;
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a>;
}

fn check_encrypted<'a, T: EncryptedScmsPdu<'a>>(v: &T) -> Result<(), &'static str> {
    match v.data().content {
        Ieee1609Dot2Content::EncryptedData(_) => Ok(()),
        _ => Err("content must be encryptedData"),
    }
}

fn fix_encrypted<'a, T: EncryptedScmsPdu<'a>>(
    v: &mut T,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_encrypted(v).is_err() {
        v.data_mut().content = Ieee1609Dot2Content::EncryptedData(Generate::generate(u)?);
    }
    Ok(())
}

/// `ScopedMisbehaviorReport`: an `ScmsPDU` whose content is `eeMa` / `misbehaviorReport`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_misbehavior_report",
    fixup = "fix_scoped_misbehavior_report"
)]
pub struct ScopedMisbehaviorReport<'a>(pub ScmsPDU<'a>);

fn check_scoped_misbehavior_report(v: &ScopedMisbehaviorReport<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::EeMa(EndEntityMaInterfacePDU::MisbehaviorReport(_)) => Ok(()),
        _ => Err("ScopedMisbehaviorReport: another SCMS PDU"),
    }
}

fn fix_scoped_misbehavior_report<'a>(
    v: &mut ScopedMisbehaviorReport<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_misbehavior_report(v).is_err() {
        v.0.content = ScmsPDUContent::EeMa(EndEntityMaInterfacePDU::MisbehaviorReport(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedLIRequest`: an `ScmsPDU` whose content is `laMa` / `maLaLinkageInfoRequest`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_li_request",
    fixup = "fix_scoped_li_request"
)]
pub struct ScopedLIRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_li_request(v: &ScopedLIRequest<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageInfoRequest(_)) => Ok(()),
        _ => Err("ScopedLIRequest: another SCMS PDU"),
    }
}

fn fix_scoped_li_request<'a>(
    v: &mut ScopedLIRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_li_request(v).is_err() {
        v.0.content = ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageInfoRequest(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedLIReply`: an `ScmsPDU` whose content is `laMa` / `laMaLinkageInfoResponse`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_li_reply",
    fixup = "fix_scoped_li_reply"
)]
pub struct ScopedLIReply<'a>(pub ScmsPDU<'a>);

fn check_scoped_li_reply(v: &ScopedLIReply<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaMa(LaMaInterfacePDU::LaMaLinkageInfoResponse(_)) => Ok(()),
        _ => Err("ScopedLIReply: another SCMS PDU"),
    }
}

fn fix_scoped_li_reply<'a>(
    v: &mut ScopedLIReply<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_li_reply(v).is_err() {
        v.0.content = ScmsPDUContent::LaMa(LaMaInterfacePDU::LaMaLinkageInfoResponse(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedLSRequest`: an `ScmsPDU` whose content is `laMa` / `maLaLinkageSeedRequest`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_ls_request",
    fixup = "fix_scoped_ls_request"
)]
pub struct ScopedLSRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_ls_request(v: &ScopedLSRequest<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageSeedRequest(_)) => Ok(()),
        _ => Err("ScopedLSRequest: another SCMS PDU"),
    }
}

fn fix_scoped_ls_request<'a>(
    v: &mut ScopedLSRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_ls_request(v).is_err() {
        v.0.content = ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageSeedRequest(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedLSReply`: an `ScmsPDU` whose content is `laMa` / `laMaLinkageSeedResponse`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_ls_reply",
    fixup = "fix_scoped_ls_reply"
)]
pub struct ScopedLSReply<'a>(pub ScmsPDU<'a>);

fn check_scoped_ls_reply(v: &ScopedLSReply<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaMa(LaMaInterfacePDU::LaMaLinkageSeedResponse(_)) => Ok(()),
        _ => Err("ScopedLSReply: another SCMS PDU"),
    }
}

fn fix_scoped_ls_reply<'a>(
    v: &mut ScopedLSReply<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_ls_reply(v).is_err() {
        v.0.content = ScmsPDUContent::LaMa(LaMaInterfacePDU::LaMaLinkageSeedResponse(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedPcaLaKeyAgreementRequest`: an `ScmsPDU` whose content is `laPca` / `pcaLaKeyAgreementRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_pca_la_key_agreement_request",
    fixup = "fix_scoped_pca_la_key_agreement_request"
)]
pub struct ScopedPcaLaKeyAgreementRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_pca_la_key_agreement_request(
    v: &ScopedPcaLaKeyAgreementRequest<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaPca(LaPcaInterfacePDU::PcaLaKeyAgreementRequest(_)) => Ok(()),
        _ => Err("ScopedPcaLaKeyAgreementRequest: another SCMS PDU"),
    }
}

fn fix_scoped_pca_la_key_agreement_request<'a>(
    v: &mut ScopedPcaLaKeyAgreementRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_pca_la_key_agreement_request(v).is_err() {
        v.0.content = ScmsPDUContent::LaPca(LaPcaInterfacePDU::PcaLaKeyAgreementRequest(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedLaPcaKeyAgreementResponse`: an `ScmsPDU` whose content is `laPca` / `laPcaKeyAgreementResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_la_pca_key_agreement_response",
    fixup = "fix_scoped_la_pca_key_agreement_response"
)]
pub struct ScopedLaPcaKeyAgreementResponse<'a>(pub ScmsPDU<'a>);

fn check_scoped_la_pca_key_agreement_response(
    v: &ScopedLaPcaKeyAgreementResponse<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaPca(LaPcaInterfacePDU::LaPcaKeyAgreementResponse(_)) => Ok(()),
        _ => Err("ScopedLaPcaKeyAgreementResponse: another SCMS PDU"),
    }
}

fn fix_scoped_la_pca_key_agreement_response<'a>(
    v: &mut ScopedLaPcaKeyAgreementResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_la_pca_key_agreement_response(v).is_err() {
        v.0.content = ScmsPDUContent::LaPca(LaPcaInterfacePDU::LaPcaKeyAgreementResponse(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedPcaLaKeyAgreementAck`: an `ScmsPDU` whose content is `laPca` / `pcaLaKeyAgreementAck`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_pca_la_key_agreement_ack",
    fixup = "fix_scoped_pca_la_key_agreement_ack"
)]
pub struct ScopedPcaLaKeyAgreementAck<'a>(pub ScmsPDU<'a>);

fn check_scoped_pca_la_key_agreement_ack(
    v: &ScopedPcaLaKeyAgreementAck<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaPca(LaPcaInterfacePDU::PcaLaKeyAgreementAck(_)) => Ok(()),
        _ => Err("ScopedPcaLaKeyAgreementAck: another SCMS PDU"),
    }
}

fn fix_scoped_pca_la_key_agreement_ack<'a>(
    v: &mut ScopedPcaLaKeyAgreementAck<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_pca_la_key_agreement_ack(v).is_err() {
        v.0.content = ScmsPDUContent::LaPca(LaPcaInterfacePDU::PcaLaKeyAgreementAck(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedRaLaIndividualPreLinkageValueRequest`: an `ScmsPDU` whose content is `laRa` / `raLaIndividualPreLinkageValueRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_ra_la_individual_pre_linkage_value_request",
    fixup = "fix_scoped_ra_la_individual_pre_linkage_value_request"
)]
pub struct ScopedRaLaIndividualPreLinkageValueRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_ra_la_individual_pre_linkage_value_request(
    v: &ScopedRaLaIndividualPreLinkageValueRequest<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(_)) => Ok(()),
        _ => Err("ScopedRaLaIndividualPreLinkageValueRequest: another SCMS PDU"),
    }
}

fn fix_scoped_ra_la_individual_pre_linkage_value_request<'a>(
    v: &mut ScopedRaLaIndividualPreLinkageValueRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_ra_la_individual_pre_linkage_value_request(v).is_err() {
        v.0.content = ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedRaLaGroupPreLinkageValueRequest`: an `ScmsPDU` whose content is `laRa` / `raLaGroupPreLinkageValueRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_ra_la_group_pre_linkage_value_request",
    fixup = "fix_scoped_ra_la_group_pre_linkage_value_request"
)]
pub struct ScopedRaLaGroupPreLinkageValueRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_ra_la_group_pre_linkage_value_request(
    v: &ScopedRaLaGroupPreLinkageValueRequest<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaGroupPreLinkageValueRequest(_)) => Ok(()),
        _ => Err("ScopedRaLaGroupPreLinkageValueRequest: another SCMS PDU"),
    }
}

fn fix_scoped_ra_la_group_pre_linkage_value_request<'a>(
    v: &mut ScopedRaLaGroupPreLinkageValueRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_ra_la_group_pre_linkage_value_request(v).is_err() {
        v.0.content = ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaGroupPreLinkageValueRequest(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedLaRaPreLinkageValueResponse`: an `ScmsPDU` whose content is `laRa` / `laRaPreLinkageValueResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_la_ra_pre_linkage_value_response",
    fixup = "fix_scoped_la_ra_pre_linkage_value_response"
)]
pub struct ScopedLaRaPreLinkageValueResponse<'a>(pub ScmsPDU<'a>);

fn check_scoped_la_ra_pre_linkage_value_response(
    v: &ScopedLaRaPreLinkageValueResponse<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::LaRa(LaRaInterfacePDU::LaRaPreLinkageValueResponse(_)) => Ok(()),
        _ => Err("ScopedLaRaPreLinkageValueResponse: another SCMS PDU"),
    }
}

fn fix_scoped_la_ra_pre_linkage_value_response<'a>(
    v: &mut ScopedLaRaPreLinkageValueResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_la_ra_pre_linkage_value_response(v).is_err() {
        v.0.content = ScmsPDUContent::LaRa(LaRaInterfacePDU::LaRaPreLinkageValueResponse(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedMaPcaPreLinkageValueRequest`: an `ScmsPDU` whose content is `maPca` / `maPcaPreLinkageValueRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_ma_pca_pre_linkage_value_request",
    fixup = "fix_scoped_ma_pca_pre_linkage_value_request"
)]
pub struct ScopedMaPcaPreLinkageValueRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_ma_pca_pre_linkage_value_request(
    v: &ScopedMaPcaPreLinkageValueRequest<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaPreLinkageValueRequest(_)) => Ok(()),
        _ => Err("ScopedMaPcaPreLinkageValueRequest: another SCMS PDU"),
    }
}

fn fix_scoped_ma_pca_pre_linkage_value_request<'a>(
    v: &mut ScopedMaPcaPreLinkageValueRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_ma_pca_pre_linkage_value_request(v).is_err() {
        v.0.content = ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaPreLinkageValueRequest(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedPcaMaPreLinkageValueResponse`: an `ScmsPDU` whose content is `maPca` / `pcaMaPreLinkageValueResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_pca_ma_pre_linkage_value_response",
    fixup = "fix_scoped_pca_ma_pre_linkage_value_response"
)]
pub struct ScopedPcaMaPreLinkageValueResponse<'a>(pub ScmsPDU<'a>);

fn check_scoped_pca_ma_pre_linkage_value_response(
    v: &ScopedPcaMaPreLinkageValueResponse<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaPreLinkageValueResponse(_)) => Ok(()),
        _ => Err("ScopedPcaMaPreLinkageValueResponse: another SCMS PDU"),
    }
}

fn fix_scoped_pca_ma_pre_linkage_value_response<'a>(
    v: &mut ScopedPcaMaPreLinkageValueResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_pca_ma_pre_linkage_value_response(v).is_err() {
        v.0.content = ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaPreLinkageValueResponse(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

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

/// `ScopedBlacklistRequest`: an `ScmsPDU` whose content is `maRa` / `maRaBlacklistRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_blacklist_request",
    fixup = "fix_scoped_blacklist_request"
)]
pub struct ScopedBlacklistRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_blacklist_request(v: &ScopedBlacklistRequest<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaBlacklistRequest(_)) => Ok(()),
        _ => Err("ScopedBlacklistRequest: another SCMS PDU"),
    }
}

fn fix_scoped_blacklist_request<'a>(
    v: &mut ScopedBlacklistRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_blacklist_request(v).is_err() {
        v.0.content = ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaBlacklistRequest(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedBlacklistResponse`: an `ScmsPDU` whose content is `maRa` / `raMaBlacklistResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_blacklist_response",
    fixup = "fix_scoped_blacklist_response"
)]
pub struct ScopedBlacklistResponse<'a>(pub ScmsPDU<'a>);

fn check_scoped_blacklist_response(v: &ScopedBlacklistResponse<'_>) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaBlacklistResponse(_)) => Ok(()),
        _ => Err("ScopedBlacklistResponse: another SCMS PDU"),
    }
}

fn fix_scoped_blacklist_response<'a>(
    v: &mut ScopedBlacklistResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_blacklist_response(v).is_err() {
        v.0.content = ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaBlacklistResponse(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

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

/// `ScopedRseObeIdBlacklistRequest`: an `ScmsPDU` whose content is `maRa` / `maRaRseObeIdBlacklistRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_rse_obe_id_blacklist_request",
    fixup = "fix_scoped_rse_obe_id_blacklist_request"
)]
pub struct ScopedRseObeIdBlacklistRequest<'a>(pub ScmsPDU<'a>);

fn check_scoped_rse_obe_id_blacklist_request(
    v: &ScopedRseObeIdBlacklistRequest<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaRseObeIdBlacklistRequest(_)) => Ok(()),
        _ => Err("ScopedRseObeIdBlacklistRequest: another SCMS PDU"),
    }
}

fn fix_scoped_rse_obe_id_blacklist_request<'a>(
    v: &mut ScopedRseObeIdBlacklistRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_rse_obe_id_blacklist_request(v).is_err() {
        v.0.content = ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaRseObeIdBlacklistRequest(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

/// `ScopedRseObeIdBlacklistResponse`: an `ScmsPDU` whose content is `maRa` / `raMaRseObeIdBlacklistResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_scoped_rse_obe_id_blacklist_response",
    fixup = "fix_scoped_rse_obe_id_blacklist_response"
)]
pub struct ScopedRseObeIdBlacklistResponse<'a>(pub ScmsPDU<'a>);

fn check_scoped_rse_obe_id_blacklist_response(
    v: &ScopedRseObeIdBlacklistResponse<'_>,
) -> Result<(), &'static str> {
    match &v.0.content {
        ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaRseObeIdBlacklistResponse(_)) => Ok(()),
        _ => Err("ScopedRseObeIdBlacklistResponse: another SCMS PDU"),
    }
}

fn fix_scoped_rse_obe_id_blacklist_response<'a>(
    v: &mut ScopedRseObeIdBlacklistResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_scoped_rse_obe_id_blacklist_response(v).is_err() {
        v.0.content = ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaRseObeIdBlacklistResponse(
            Generate::generate(u)?,
        ));
    }
    Ok(())
}

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

/// `SignedMisbehaviorReport`: a `SecuredScmsPDU` signed with the profile [`MISBEHAVIOR_REPORT_PROFILE`], carrying a
/// [`ScopedMisbehaviorReport`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_misbehavior_report",
    fixup = "fix_signed_misbehavior_report"
)]
pub struct SignedMisbehaviorReport<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_misbehavior_report(v: &SignedMisbehaviorReport<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &MISBEHAVIOR_REPORT_PROFILE)?;
    crate::decode::<ScopedMisbehaviorReport>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedMisbehaviorReport")
}

fn fix_signed_misbehavior_report<'a>(
    v: &mut SignedMisbehaviorReport<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_misbehavior_report(v).is_err() {
        let inner: ScopedMisbehaviorReport<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &MISBEHAVIOR_REPORT_PROFILE)?;
    }
    Ok(())
}

impl SignedMisbehaviorReport<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedMisbehaviorReport<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &MISBEHAVIOR_REPORT_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedLIRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedLIRequest`] as `unsecuredData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_li_request",
    fixup = "fix_signed_li_request"
)]
pub struct SignedLIRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_li_request(v: &SignedLIRequest<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedLIRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedLIRequest")
}

fn fix_signed_li_request<'a>(
    v: &mut SignedLIRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_li_request(v).is_err() {
        let inner: ScopedLIRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedLIRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedLIRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedLIReply`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedLIReply`] as `unsecuredData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_li_reply",
    fixup = "fix_signed_li_reply"
)]
pub struct SignedLIReply<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_li_reply(v: &SignedLIReply<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedLIReply>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedLIReply")
}

fn fix_signed_li_reply<'a>(
    v: &mut SignedLIReply<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_li_reply(v).is_err() {
        let inner: ScopedLIReply<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedLIReply<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedLIReply<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedLSRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedLSRequest`] as `unsecuredData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_ls_request",
    fixup = "fix_signed_ls_request"
)]
pub struct SignedLSRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_ls_request(v: &SignedLSRequest<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedLSRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedLSRequest")
}

fn fix_signed_ls_request<'a>(
    v: &mut SignedLSRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_ls_request(v).is_err() {
        let inner: ScopedLSRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedLSRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedLSRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedLSReply`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedLSReply`] as `unsecuredData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_ls_reply",
    fixup = "fix_signed_ls_reply"
)]
pub struct SignedLSReply<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_ls_reply(v: &SignedLSReply<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedLSReply>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedLSReply")
}

fn fix_signed_ls_reply<'a>(
    v: &mut SignedLSReply<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_ls_reply(v).is_err() {
        let inner: ScopedLSReply<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedLSReply<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedLSReply<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedPcaLaKeyAgreementRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedPcaLaKeyAgreementRequest`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_pca_la_key_agreement_request",
    fixup = "fix_signed_pca_la_key_agreement_request"
)]
pub struct SignedPcaLaKeyAgreementRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_pca_la_key_agreement_request(
    v: &SignedPcaLaKeyAgreementRequest<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedPcaLaKeyAgreementRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedPcaLaKeyAgreementRequest")
}

fn fix_signed_pca_la_key_agreement_request<'a>(
    v: &mut SignedPcaLaKeyAgreementRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_pca_la_key_agreement_request(v).is_err() {
        let inner: ScopedPcaLaKeyAgreementRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedPcaLaKeyAgreementRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedPcaLaKeyAgreementRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedLaPcaKeyAgreementResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedLaPcaKeyAgreementResponse`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_la_pca_key_agreement_response",
    fixup = "fix_signed_la_pca_key_agreement_response"
)]
pub struct SignedLaPcaKeyAgreementResponse<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_la_pca_key_agreement_response(
    v: &SignedLaPcaKeyAgreementResponse<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedLaPcaKeyAgreementResponse>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedLaPcaKeyAgreementResponse")
}

fn fix_signed_la_pca_key_agreement_response<'a>(
    v: &mut SignedLaPcaKeyAgreementResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_la_pca_key_agreement_response(v).is_err() {
        let inner: ScopedLaPcaKeyAgreementResponse<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedLaPcaKeyAgreementResponse<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedLaPcaKeyAgreementResponse<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedPcaLaKeyAgreementAck`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedPcaLaKeyAgreementAck`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_pca_la_key_agreement_ack",
    fixup = "fix_signed_pca_la_key_agreement_ack"
)]
pub struct SignedPcaLaKeyAgreementAck<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_pca_la_key_agreement_ack(
    v: &SignedPcaLaKeyAgreementAck<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedPcaLaKeyAgreementAck>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedPcaLaKeyAgreementAck")
}

fn fix_signed_pca_la_key_agreement_ack<'a>(
    v: &mut SignedPcaLaKeyAgreementAck<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_pca_la_key_agreement_ack(v).is_err() {
        let inner: ScopedPcaLaKeyAgreementAck<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedPcaLaKeyAgreementAck<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedPcaLaKeyAgreementAck<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedRaLaIndividualPreLinkageValueRequest`: a `SecuredScmsPDU` signed with the profile [`TIMED_PROFILE`], carrying a
/// [`ScopedRaLaIndividualPreLinkageValueRequest`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_ra_la_individual_pre_linkage_value_request",
    fixup = "fix_signed_ra_la_individual_pre_linkage_value_request"
)]
pub struct SignedRaLaIndividualPreLinkageValueRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_ra_la_individual_pre_linkage_value_request(
    v: &SignedRaLaIndividualPreLinkageValueRequest<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &TIMED_PROFILE)?;
    crate::decode::<ScopedRaLaIndividualPreLinkageValueRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedRaLaIndividualPreLinkageValueRequest")
}

fn fix_signed_ra_la_individual_pre_linkage_value_request<'a>(
    v: &mut SignedRaLaIndividualPreLinkageValueRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_ra_la_individual_pre_linkage_value_request(v).is_err() {
        let inner: ScopedRaLaIndividualPreLinkageValueRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &TIMED_PROFILE)?;
    }
    Ok(())
}

impl SignedRaLaIndividualPreLinkageValueRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedRaLaIndividualPreLinkageValueRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &TIMED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedRaLaGroupPreLinkageValueRequest`: a `SecuredScmsPDU` signed with the profile [`TIMED_PROFILE`], carrying a
/// [`ScopedRaLaGroupPreLinkageValueRequest`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_ra_la_group_pre_linkage_value_request",
    fixup = "fix_signed_ra_la_group_pre_linkage_value_request"
)]
pub struct SignedRaLaGroupPreLinkageValueRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_ra_la_group_pre_linkage_value_request(
    v: &SignedRaLaGroupPreLinkageValueRequest<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &TIMED_PROFILE)?;
    crate::decode::<ScopedRaLaGroupPreLinkageValueRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedRaLaGroupPreLinkageValueRequest")
}

fn fix_signed_ra_la_group_pre_linkage_value_request<'a>(
    v: &mut SignedRaLaGroupPreLinkageValueRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_ra_la_group_pre_linkage_value_request(v).is_err() {
        let inner: ScopedRaLaGroupPreLinkageValueRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &TIMED_PROFILE)?;
    }
    Ok(())
}

impl SignedRaLaGroupPreLinkageValueRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedRaLaGroupPreLinkageValueRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &TIMED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedLaRaPreLinkageValueResponse`: a `SecuredScmsPDU` signed with the profile [`TIMED_PROFILE`], carrying a
/// [`ScopedLaRaPreLinkageValueResponse`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_la_ra_pre_linkage_value_response",
    fixup = "fix_signed_la_ra_pre_linkage_value_response"
)]
pub struct SignedLaRaPreLinkageValueResponse<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_la_ra_pre_linkage_value_response(
    v: &SignedLaRaPreLinkageValueResponse<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &TIMED_PROFILE)?;
    crate::decode::<ScopedLaRaPreLinkageValueResponse>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedLaRaPreLinkageValueResponse")
}

fn fix_signed_la_ra_pre_linkage_value_response<'a>(
    v: &mut SignedLaRaPreLinkageValueResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_la_ra_pre_linkage_value_response(v).is_err() {
        let inner: ScopedLaRaPreLinkageValueResponse<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &TIMED_PROFILE)?;
    }
    Ok(())
}

impl SignedLaRaPreLinkageValueResponse<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedLaRaPreLinkageValueResponse<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &TIMED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedMaPcaPreLinkageValueRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedMaPcaPreLinkageValueRequest`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_ma_pca_pre_linkage_value_request",
    fixup = "fix_signed_ma_pca_pre_linkage_value_request"
)]
pub struct SignedMaPcaPreLinkageValueRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_ma_pca_pre_linkage_value_request(
    v: &SignedMaPcaPreLinkageValueRequest<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedMaPcaPreLinkageValueRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedMaPcaPreLinkageValueRequest")
}

fn fix_signed_ma_pca_pre_linkage_value_request<'a>(
    v: &mut SignedMaPcaPreLinkageValueRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_ma_pca_pre_linkage_value_request(v).is_err() {
        let inner: ScopedMaPcaPreLinkageValueRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedMaPcaPreLinkageValueRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedMaPcaPreLinkageValueRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedPcaMaPreLinkageValueResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedPcaMaPreLinkageValueResponse`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_pca_ma_pre_linkage_value_response",
    fixup = "fix_signed_pca_ma_pre_linkage_value_response"
)]
pub struct SignedPcaMaPreLinkageValueResponse<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_pca_ma_pre_linkage_value_response(
    v: &SignedPcaMaPreLinkageValueResponse<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedPcaMaPreLinkageValueResponse>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedPcaMaPreLinkageValueResponse")
}

fn fix_signed_pca_ma_pre_linkage_value_response<'a>(
    v: &mut SignedPcaMaPreLinkageValueResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_pca_ma_pre_linkage_value_response(v).is_err() {
        let inner: ScopedPcaMaPreLinkageValueResponse<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedPcaMaPreLinkageValueResponse<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedPcaMaPreLinkageValueResponse<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedMaPcaHPCRRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedMaPcaHPCRRequest`] as `unsecuredData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_ma_pca_hpcr_request",
    fixup = "fix_signed_ma_pca_hpcr_request"
)]
pub struct SignedMaPcaHPCRRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_ma_pca_hpcr_request(v: &SignedMaPcaHPCRRequest<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedMaPcaHPCRRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedMaPcaHPCRRequest")
}

fn fix_signed_ma_pca_hpcr_request<'a>(
    v: &mut SignedMaPcaHPCRRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_ma_pca_hpcr_request(v).is_err() {
        let inner: ScopedMaPcaHPCRRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedMaPcaHPCRRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedMaPcaHPCRRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedPcaMaHPCRResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedPcaMaHPCRResponse`] as `unsecuredData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_pca_ma_hpcr_response",
    fixup = "fix_signed_pca_ma_hpcr_response"
)]
pub struct SignedPcaMaHPCRResponse<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_pca_ma_hpcr_response(v: &SignedPcaMaHPCRResponse<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedPcaMaHPCRResponse>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedPcaMaHPCRResponse")
}

fn fix_signed_pca_ma_hpcr_response<'a>(
    v: &mut SignedPcaMaHPCRResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_pca_ma_hpcr_response(v).is_err() {
        let inner: ScopedPcaMaHPCRResponse<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedPcaMaHPCRResponse<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedPcaMaHPCRResponse<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedBlacklistRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedBlacklistRequest`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_blacklist_request",
    fixup = "fix_signed_blacklist_request"
)]
pub struct SignedBlacklistRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_blacklist_request(v: &SignedBlacklistRequest<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedBlacklistRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedBlacklistRequest")
}

fn fix_signed_blacklist_request<'a>(
    v: &mut SignedBlacklistRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_blacklist_request(v).is_err() {
        let inner: ScopedBlacklistRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedBlacklistRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedBlacklistRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedBlacklistResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedBlacklistResponse`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_blacklist_response",
    fixup = "fix_signed_blacklist_response"
)]
pub struct SignedBlacklistResponse<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_blacklist_response(v: &SignedBlacklistResponse<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedBlacklistResponse>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedBlacklistResponse")
}

fn fix_signed_blacklist_response<'a>(
    v: &mut SignedBlacklistResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_blacklist_response(v).is_err() {
        let inner: ScopedBlacklistResponse<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedBlacklistResponse<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedBlacklistResponse<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedRseObeIdBlacklistRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedRseObeIdBlacklistRequest`] as `unsecuredData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_rse_obe_id_blacklist_request",
    fixup = "fix_signed_rse_obe_id_blacklist_request"
)]
pub struct SignedRseObeIdBlacklistRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_rse_obe_id_blacklist_request(
    v: &SignedRseObeIdBlacklistRequest<'_>,
) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedRseObeIdBlacklistRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedRseObeIdBlacklistRequest")
}

fn fix_signed_rse_obe_id_blacklist_request<'a>(
    v: &mut SignedRseObeIdBlacklistRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_rse_obe_id_blacklist_request(v).is_err() {
        let inner: ScopedRseObeIdBlacklistRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedRseObeIdBlacklistRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedRseObeIdBlacklistRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

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

/// `SignedLCIRequest`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedLCIRequest`] as `unsecuredData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_lci_request",
    fixup = "fix_signed_lci_request"
)]
pub struct SignedLCIRequest<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_lci_request(v: &SignedLCIRequest<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedLCIRequest>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedLCIRequest")
}

fn fix_signed_lci_request<'a>(
    v: &mut SignedLCIRequest<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_lci_request(v).is_err() {
        let inner: ScopedLCIRequest<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedLCIRequest<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedLCIRequest<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

/// `SignedLCIResponse`: a `SecuredScmsPDU` signed with the profile [`SCMS_SIGNED_PROFILE`], carrying a
/// [`ScopedLCIResponse`] as `unsecuredData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(
    newtype,
    validate = "check_signed_lci_response",
    fixup = "fix_signed_lci_response"
)]
pub struct SignedLCIResponse<'a>(pub SecuredScmsPDU<'a>);

fn check_signed_lci_response(v: &SignedLCIResponse<'_>) -> Result<(), &'static str> {
    let payload = scms_signed_payload(&v.0, &SCMS_SIGNED_PROFILE)?;
    crate::decode::<ScopedLCIResponse>(payload)
        .map(|_| ())
        .map_err(|_| "unsecuredData is not a ScopedLCIResponse")
}

fn fix_signed_lci_response<'a>(
    v: &mut SignedLCIResponse<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    if check_signed_lci_response(v).is_err() {
        let inner: ScopedLCIResponse<'a> = Generate::generate(u)?;
        v.0 = random_scms_signed(u, &inner, &SCMS_SIGNED_PROFILE)?;
    }
    Ok(())
}

impl SignedLCIResponse<'_> {
    /// The scoped PDU it signs.
    pub fn payload(&self) -> Result<ScopedLCIResponse<'_>, DecodeError> {
        let payload = scms_signed_payload(&self.0, &SCMS_SIGNED_PROFILE)
            .map_err(|m| DecodeError::new(ErrorKind::Constraint(m), 0))?;
        crate::decode(payload)
    }
}

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

/// `SecuredMisbehaviorReport`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredMisbehaviorReport<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredMisbehaviorReport<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredLIRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredLIRequest<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredLIRequest<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredLIReply`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredLIReply<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredLIReply<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredLSRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredLSRequest<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredLSRequest<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredLSReply`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredLSReply<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredLSReply<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredMaPcaPreLinkageValueRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredMaPcaPreLinkageValueRequest<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredMaPcaPreLinkageValueRequest<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredPcaMaPreLinkageValueResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredPcaMaPreLinkageValueResponse<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredPcaMaPreLinkageValueResponse<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredMaPcaHPCRRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredMaPcaHPCRRequest<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredMaPcaHPCRRequest<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredPcaMaHPCRResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredPcaMaHPCRResponse<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredPcaMaHPCRResponse<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredBlacklistRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredBlacklistRequest<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredBlacklistRequest<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredBlacklistResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredBlacklistResponse<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredBlacklistResponse<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredRseObeIdBlacklistRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredRseObeIdBlacklistRequest<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredRseObeIdBlacklistRequest<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredRseObeIdBlacklistResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredRseObeIdBlacklistResponse<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredRseObeIdBlacklistResponse<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredLCIRequest`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredLCIRequest<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredLCIRequest<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

/// `SecuredLCIResponse`: a `SecuredScmsPDU` whose content is `encryptedData`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(newtype, validate = "check_encrypted", fixup = "fix_encrypted")]
pub struct SecuredLCIResponse<'a>(pub SecuredScmsPDU<'a>);

impl<'a> EncryptedScmsPdu<'a> for SecuredLCIResponse<'a> {
    fn data(&self) -> &SecuredScmsPDU<'a> {
        &self.0
    }
    fn data_mut(&mut self) -> &mut SecuredScmsPDU<'a> {
        &mut self.0
    }
}

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
