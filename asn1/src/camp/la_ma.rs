//! `Ieee1609Dot2LaMaInterface` (CAMP SCMS PoC `la-ma.asn`): the MA asks an LA for
//! linkage information (misbehavior investigation) and for linkage seeds (revocation).
//! Requests carry auditors' countersignatures.

use crate::camp::base_types::{
    EncryptedGroupPLV, EncryptedIndividualPLV, LaHostnameId, LinkageChainId, LinkageSeedAndLaId,
    MaHostnameId, PreLinkageValue,
};
use crate::camp::errors::{ScopedLaMaLIError, ScopedLaMaLSError};
use crate::codec::{UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{HashedId8, Uint8};
use crate::ieee1609dot2::dot2::Countersignature;
use crate::Asn1;

/// `LaMaInterfacePDU`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum LaMaInterfacePDU<'a> {
    MaLaLinkageInfoRequest(MaLaLinkageInfoRequestMsg<'a>),
    LaMaLinkageInfoResponse(LaMaLinkageInfoResponseMsg<'a>),
    MaLaLinkageSeedRequest(MaLaLinkageSeedRequestMsg<'a>),
    LaMaLinkageSeedResponse(LaMaLinkageSeedResponseMsg<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `MaLaLinkageInfoRequestMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct MaLaLinkageInfoRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub tbs: ToBeSignedLIRequestMsg<'a>,
    pub signatures: Vec<Countersignature<'a>>,
}

/// `ToBeSignedLIRequestMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedLIRequestMsg<'a> {
    pub ma_id: MaHostnameId<'a>,
    #[asn1(name = "encryptedPLVsAndFlags")]
    pub encrypted_plvs_and_flags: Vec<EncryptedPrelinkageValueAndDontCareFlag<'a>>,
    #[asn1(name = "encryptedGPLVsAndFlags")]
    pub encrypted_gplvs_and_flags: Vec<EncryptedGroupPrelinkageValueAndDontCareFlag<'a>>,
    pub expected_reply: ExpectedReply,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `EncryptedPrelinkageValueAndDontCareFlag`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct EncryptedPrelinkageValueAndDontCareFlag<'a> {
    #[asn1(name = "encryptedPLV")]
    pub encrypted_plv: EncryptedIndividualPLV<'a>,
    pub dont_care_flag: bool,
}

/// `EncryptedGroupPrelinkageValueAndDontCareFlag`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct EncryptedGroupPrelinkageValueAndDontCareFlag<'a> {
    #[asn1(name = "encryptedGroupPLV")]
    pub encrypted_group_plv: EncryptedGroupPLV<'a>,
    pub dont_care_flag: bool,
}

/// `ExpectedReply`.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(enumerated)]
pub enum ExpectedReply {
    ScalarAnswer = 0,
    IndicesLists = 1,
}

/// `LaMaLinkageInfoResponseMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct LaMaLinkageInfoResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub la_id: LaHostnameId<'a>,
    pub linkage_info: LaMaLinkageInfoResponseMsgLinkageInfo,
}

/// The inline `linkageInfo CHOICE` of [`LaMaLinkageInfoResponseMsg`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum LaMaLinkageInfoResponseMsgLinkageInfo {
    Success(LinkageInformation),
    Failure(ScopedLaMaLIError),
}

/// `LinkageInformation`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum LinkageInformation {
    Scalar(LinkageInformationScalar),
    IndicesList(LinkageInformationIndicesList),
}

/// The inline `scalar SEQUENCE` of [`LinkageInformation`]. `matches` is an unconstrained
/// INTEGER (length-prefixed two's complement); values outside `i64` are rejected.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct LinkageInformationScalar {
    #[asn1(range(..))]
    pub matches: i64,
    pub lower_bound: bool,
}

/// The inline `indicesList SEQUENCE` of [`LinkageInformation`] (`unkownPlv` is spelt as
/// in the module).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct LinkageInformationIndicesList {
    pub unkown_plv: Vec<PreLinkageValue>,
    pub reject_plv: Vec<PreLinkageValue>,
    pub assoc_plv: Vec<Vec<PreLinkageValue>>,
}

/// `MaLaLinkageSeedRequestMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct MaLaLinkageSeedRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub tbs: ToBeSignedLSRequestMsg<'a>,
    pub signatures: Vec<Countersignature<'a>>,
}

/// `ToBeSignedLSRequestMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedLSRequestMsg<'a> {
    pub ma_id: MaHostnameId<'a>,
    pub lci: Vec<LinkageChainId<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `LaMaLinkageSeedResponseMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct LaMaLinkageSeedResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub la_id: LaHostnameId<'a>,
    pub ls_info: Vec<LCI2LS<'a>>,
}

/// `LCI2LS`: a requested linkage chain identifier and its linkage seed (or an error).
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct LCI2LS<'a> {
    pub lci: LinkageChainId<'a>,
    pub reply: LCI2LSReply,
}

/// The inline `reply CHOICE` of [`LCI2LS`].
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum LCI2LSReply {
    Success(LinkageSeedAndLaId),
    Failure(ScopedLaMaLSError),
}
