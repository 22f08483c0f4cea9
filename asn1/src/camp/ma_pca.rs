//! `Ieee1609Dot2MaPcaInterface` (CAMP SCMS PoC `ma-pca.asn`): the MA asks the PCA for
//! the encrypted pre-linkage values and the HPCR behind linkage values. Requests carry
//! auditors' countersignatures.

use crate::camp::base_types::{
    EncryptedPlvAndHostInfo, HPCRAndHostInfo, MaHostnameId, PcaHostnameId,
};
use crate::camp::errors::ScopedMaPcaError;
use crate::codec::{UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{GroupLinkageValue, HashedId8, LinkageValue, Uint8};
use crate::ieee1609dot2::dot2::Countersignature;
use crate::Asn1;

/// `MaPcaInterfacePDU`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum MaPcaInterfacePDU<'a> {
    MaPcaPreLinkageValueRequest(MaPcaPreLinkageValueRequestMsg<'a>),
    PcaMaPreLinkageValueResponse(PcaMaPreLinkageValueResponseMsg<'a>),
    #[asn1(name = "maPcaHPCRRequest")]
    MaPcaHpcrRequest(MaPcaHPCRRequestMsg<'a>),
    #[asn1(name = "pcaMaHPCRResponse")]
    PcaMaHpcrResponse(PcaMaHPCRResponseMsg<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `MaPcaPreLinkageValueRequestMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct MaPcaPreLinkageValueRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub tbs: ToBeSignedMaPcaPreLinkageValueRequestMsg<'a>,
    pub signatures: Vec<Countersignature<'a>>,
}

/// `ToBeSignedMaPcaPreLinkageValueRequestMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedMaPcaPreLinkageValueRequestMsg<'a> {
    pub ma_id: MaHostnameId<'a>,
    pub linkage_values: Vec<LinkageValue>,
    pub group_linkage_values: Vec<GroupLinkageValue>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `PcaMaPreLinkageValueResponseMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct PcaMaPreLinkageValueResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub pca_id: PcaHostnameId<'a>,
    pub plv_info: Vec<Lv2Plv<'a>>,
}

/// `Lv2Plv`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct Lv2Plv<'a> {
    pub lv: LinkageValue,
    pub reply: Lv2PlvReply<'a>,
}

/// The inline `reply CHOICE` of [`Lv2Plv`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum Lv2PlvReply<'a> {
    Success(EncryptedPlvAndHostInfo<'a>),
    Failure(ScopedMaPcaError),
}

/// `MaPcaHPCRRequestMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct MaPcaHPCRRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub tbs: ToBeSignedMaPcaHPCRRequestMsg<'a>,
    pub signatures: Vec<Countersignature<'a>>,
}

/// `ToBeSignedMaPcaHPCRRequestMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedMaPcaHPCRRequestMsg<'a> {
    pub ma_id: MaHostnameId<'a>,
    #[asn1(name = "linkage-values")]
    pub linkage_values: Vec<LinkageValue>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `PcaMaHPCRResponseMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct PcaMaHPCRResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub pca_id: PcaHostnameId<'a>,
    pub hpcrinfo: Vec<Lv2HPCR<'a>>,
}

/// `Lv2HPCR`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct Lv2HPCR<'a> {
    pub lv: LinkageValue,
    pub reply: Lv2HPCRReply<'a>,
}

/// The inline `reply CHOICE` of [`Lv2HPCR`].
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum Lv2HPCRReply<'a> {
    Success(HPCRAndHostInfo<'a>),
    Failure(ScopedMaPcaError),
}
