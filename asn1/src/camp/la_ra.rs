//! `Ieee1609Dot2LaRaInterface` (CAMP SCMS PoC `la-ra.asn`): the RA asks an LA for
//! individual or group pre-linkage values; the LA answers with them encrypted to the PCA.

use crate::camp::base_types::{
    EncryptedGroupPLV, EncryptedIndividualPLV, LaHostnameId, LinkageChainId, PcaHostnameId,
    RaHostnameId,
};
use crate::camp::errors::ScopedLaRaError;
use crate::codec::{UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{HashedId8, LaId, Uint16, Uint32, Uint8};
use crate::Asn1;

/// `LaRaInterfacePDU`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum LaRaInterfacePDU<'a> {
    RaLaIndividualPreLinkageValueRequest(RaLaIndividualPreLinkageValueRequestMsg<'a>),
    RaLaGroupPreLinkageValueRequest(RaLaGroupPreLinkageValueRequestMsg<'a>),
    LaRaPreLinkageValueResponse(LaRaPreLinkageValueResponseMsg<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `RaLaPreLinkageValueRequestMsgHeader`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct RaLaPreLinkageValueRequestMsgHeader<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub ra_id: RaHostnameId<'a>,
    pub pca_id: PcaHostnameId<'a>,
    pub i_min: Uint16,
    pub i_max: Uint16,
}

/// `RaLaIndividualPreLinkageValueRequestMsg`: fresh chains, continuations, or both.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, validate = "check_individual_request")]
pub struct RaLaIndividualPreLinkageValueRequestMsg<'a> {
    pub header: RaLaPreLinkageValueRequestMsgHeader<'a>,
    pub j_max: Uint8,
    #[asn1(optional)]
    pub number_of_fresh_ind: Option<Uint32>,
    #[asn1(optional)]
    pub continuations_ind: Option<Vec<LinkageChainId<'a>>>,
}

fn check_individual_request(
    v: &RaLaIndividualPreLinkageValueRequestMsg<'_>,
) -> Result<(), &'static str> {
    if v.number_of_fresh_ind.is_some() || v.continuations_ind.is_some() {
        Ok(())
    } else {
        Err("numberOfFreshInd or continuationsInd must be present")
    }
}

/// `RaLaGroupPreLinkageValueRequestMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct RaLaGroupPreLinkageValueRequestMsg<'a> {
    pub header: RaLaPreLinkageValueRequestMsgHeader<'a>,
    pub j_max: Uint32,
    pub other_la: LaId,
    pub group_identifier: [u8; 4],
}

/// `LaRaPreLinkageValueResponseMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct LaRaPreLinkageValueResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub la_id: LaHostnameId<'a>,
    pub reply: LaRaPreLinkageValueResponseMsgReply<'a>,
}

/// The inline `reply CHOICE` of [`LaRaPreLinkageValueResponseMsg`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum LaRaPreLinkageValueResponseMsgReply<'a> {
    Success(PreLinkageValueRequestResponse<'a>),
    Failure(ScopedLaRaError),
}

/// `PreLinkageValueRequestResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct PreLinkageValueRequestResponse<'a> {
    pub i_min: Uint16,
    pub i_max: Uint16,
    pub individual: Vec<IndividualPlvResponseLinkageChain<'a>>,
    pub group: Vec<GroupPlvResponseLinkageChain<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `IndividualPlvResponseLinkageChain`: `values[i - iMin][j]`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct IndividualPlvResponseLinkageChain<'a> {
    pub j_max: Uint8,
    pub values: Vec<Vec<EncryptedIndividualPLV<'a>>>,
    pub linkage_chain_id: LinkageChainId<'a>,
}

/// `GroupPlvResponseLinkageChain`: `values[i - iMin][j]`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct GroupPlvResponseLinkageChain<'a> {
    pub j_max: Uint32,
    pub other_la: LaId,
    pub values: Vec<Vec<EncryptedGroupPLV<'a>>>,
    pub group_identifier: [u8; 4],
}
