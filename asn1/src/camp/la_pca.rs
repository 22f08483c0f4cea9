//! `Ieee1609Dot2LaPcaInterface` (CAMP SCMS PoC `la-pca.asn`): key agreement between a
//! PCA and an LA for the symmetric key that encrypts pre-linkage values.

use crate::camp::base_types::{
    cert_recipient, check_single_cert_recipient, fix_single_recipient, FullSizeHash, LaHostnameId,
    PcaHostnameId,
};
use crate::camp::errors::ScopedLaPcaError;
use crate::codec::UnknownAlternative;
use crate::ieee1609dot2::base_types::{HashedId8, Time32, Uint8};
use crate::ieee1609dot2::dot2::{Certificate, EncryptedData};
use crate::Asn1;
use arbitrary::Unstructured;

/// `LaPcaInterfacePDU`.
#[allow(clippy::upper_case_acronyms)]
// Messages are decoded once and not moved around: no boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum LaPcaInterfacePDU<'a> {
    PcaLaKeyAgreementRequest(PcaLaKeyAgreementRequestMsg<'a>),
    LaPcaKeyAgreementResponse(LaPcaKeyAgreementResponseMsg<'a>),
    PcaLaKeyAgreementAck(PcaLaKeyAgreementAckMsg<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `PcaLaKeyAgreementRequestMsg`: `enc-R-pca` has one `certRecipInfo` recipient (the LA).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, validate = "check_request", fixup = "fix_request")]
pub struct PcaLaKeyAgreementRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub pca_id: PcaHostnameId<'a>,
    #[asn1(optional)]
    pub pca_certificate: Option<Certificate<'a>>,
    #[asn1(name = "enc-R-pca")]
    pub enc_r_pca: EncryptedData<'a>,
    pub start_date: Time32,
    pub end_date: Time32,
}

fn check_request(v: &PcaLaKeyAgreementRequestMsg<'_>) -> Result<(), &'static str> {
    check_single_cert_recipient(&v.enc_r_pca)
}

fn fix_request<'a>(
    v: &mut PcaLaKeyAgreementRequestMsg<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    fix_single_recipient(
        &mut v.enc_r_pca,
        check_single_cert_recipient,
        cert_recipient,
        u,
    )
}

/// `PcaRandomContribution ::= OCTET STRING (SIZE(32))`.
pub type PcaRandomContribution = [u8; 32];

/// `LaPcaKeyAgreementResponseMsg`: `enc-R-la` has one `certRecipInfo` recipient (the PCA).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, validate = "check_response", fixup = "fix_response")]
pub struct LaPcaKeyAgreementResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub la_id: LaHostnameId<'a>,
    #[asn1(name = "enc-R-la")]
    pub enc_r_la: EncryptedData<'a>,
    pub reply: LaPcaKeyAgreementReply,
}

fn check_response(v: &LaPcaKeyAgreementResponseMsg<'_>) -> Result<(), &'static str> {
    check_single_cert_recipient(&v.enc_r_la)
}

fn fix_response<'a>(
    v: &mut LaPcaKeyAgreementResponseMsg<'a>,
    u: &mut Unstructured<'a>,
) -> arbitrary::Result<()> {
    fix_single_recipient(
        &mut v.enc_r_la,
        check_single_cert_recipient,
        cert_recipient,
        u,
    )
}

/// The inline `reply CHOICE { success FullSizeHash, failure ScopedLaPcaError }` of
/// [`LaPcaKeyAgreementResponseMsg`] and [`PcaLaKeyAgreementAckMsg`] (the same type in both).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum LaPcaKeyAgreementReply {
    Success(FullSizeHash),
    Failure(ScopedLaPcaError),
}

/// `LaRandomContribution ::= OCTET STRING (SIZE(32))`.
pub type LaRandomContribution = [u8; 32];

/// `PcaLaKeyAgreementAckMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct PcaLaKeyAgreementAckMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub pca_id: PcaHostnameId<'a>,
    pub reply: LaPcaKeyAgreementReply,
}
