//! `Ieee1609Dot2MaRaInterface` (CAMP SCMS PoC `ma-ra.asn`): the MA tells the RA to
//! blacklist devices (by HPCR or by RIF), and asks it for linkage chain identifiers
//! (LCI) and certificate digest values (CDV). Requests carry auditors' countersignatures.

use crate::camp::base_types::{LCIAndHostInfo, MaHostnameId, RaHostnameId, HPCR, RIF};
use crate::camp::errors::{ScopedMaRaBlacklistError, ScopedMaRaLCIError};
use crate::codec::{UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{HashedId10, HashedId8, Uint8};
use crate::ieee1609dot2::dot2::Countersignature;
use crate::Asn1;

/// `MaRaInterfacePDU`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum MaRaInterfacePDU<'a> {
    MaRaBlacklistRequest(MaRaBlacklistRequestMsg<'a>),
    RaMaBlacklistResponse(RaMaBlacklistResponseMsg<'a>),
    #[asn1(name = "maRaLCIRequest")]
    MaRaLciRequest(MaRaLCIRequestMsg<'a>),
    #[asn1(name = "raMaLCIResponse")]
    RaMaLciResponse(RaMaLCIResponseMsg<'a>),
    MaRaRseObeIdBlacklistRequest(MaRaRseObeIdBlacklistRequestMsg<'a>),
    RaMaRseObeIdBlacklistResponse(RaMaRseObeIdBlacklistResponseMsg<'a>),
    #[asn1(name = "maRaCDVRequest")]
    MaRaCdvRequest(MaRaCDVRequestMsg<'a>),
    #[asn1(name = "raMaCDVResponse")]
    RaMaCdvResponse(RaMaCDVResponseMsg<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `MaRaBlacklistRequestMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct MaRaBlacklistRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub tbs: ToBeSignedBlacklistingInstructionMsg<'a>,
    pub signatures: Vec<Countersignature<'a>>,
}

/// `ToBeSignedBlacklistingInstructionMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedBlacklistingInstructionMsg<'a> {
    pub ma_id: MaHostnameId<'a>,
    pub hpcr: Vec<HPCR>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `RaMaBlacklistResponseMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct RaMaBlacklistResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub ra_id: RaHostnameId<'a>,
    pub status: Vec<BlacklistingStatus>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `BlacklistingStatus`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct BlacklistingStatus {
    pub hpcr: HPCR,
    pub reply: BlacklistReply,
}

/// The inline `reply CHOICE { success NULL, failure ScopedMaRaBlacklistError }` of
/// [`BlacklistingStatus`] and [`RseObeIdBlacklistingStatus`] (the same type in both).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum BlacklistReply {
    Success,
    Failure(ScopedMaRaBlacklistError),
}

/// `MaRaLCIRequestMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct MaRaLCIRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub tbs: ToBeSignedLCIRequestMsg<'a>,
    pub signatures: Vec<Countersignature<'a>>,
}

/// `ToBeSignedLCIRequestMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedLCIRequestMsg<'a> {
    pub ma_id: MaHostnameId<'a>,
    pub hpcr: Vec<HPCR>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `RaMaLCIResponseMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct RaMaLCIResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub ra_id: RaHostnameId<'a>,
    pub lci_info: Vec<HPCR2LCI<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `HPCR2LCI`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct HPCR2LCI<'a> {
    pub hpcr: HPCR,
    pub reply: HPCR2LCIReply<'a>,
}

/// The inline `reply CHOICE` of [`HPCR2LCI`].
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum HPCR2LCIReply<'a> {
    Success(HPCR2LCIReplySuccess<'a>),
    Failure(ScopedMaRaLCIError),
}

/// The inline `success SEQUENCE` of [`HPCR2LCIReply`].
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct HPCR2LCIReplySuccess<'a> {
    pub group_identifier: [u8; 4],
    pub info: LCIAndHostInfo<'a>,
}

/// `MaRaRseObeIdBlacklistRequestMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct MaRaRseObeIdBlacklistRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub tbs: ToBeSignedRseObeIdBlacklistingInstructionMsg<'a>,
    pub signatures: Vec<Countersignature<'a>>,
}

/// `ToBeSignedRseObeIdBlacklistingInstructionMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedRseObeIdBlacklistingInstructionMsg<'a> {
    pub ma_id: MaHostnameId<'a>,
    pub rif: Vec<RIF>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `RaMaRseObeIdBlacklistResponseMsg`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct RaMaRseObeIdBlacklistResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub ra_id: RaHostnameId<'a>,
    pub status: Vec<RseObeIdBlacklistingStatus>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `RseObeIdBlacklistingStatus`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct RseObeIdBlacklistingStatus {
    pub rif: RIF,
    pub reply: BlacklistReply,
}

/// `MaRaCDVRequestMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct MaRaCDVRequestMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub tbs: ToBeSignedCDVRequestMsg<'a>,
    pub signatures: Vec<Countersignature<'a>>,
}

/// `ToBeSignedCDVRequestMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedCDVRequestMsg<'a> {
    pub ma_id: MaHostnameId<'a>,
    pub rif_values: Vec<RIF>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `RaMaCDVResponseMsg`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct RaMaCDVResponseMsg<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub ra_id: RaHostnameId<'a>,
    pub cdv_info: Vec<CdvInfo>,
}

/// `CdvInfo`: the certificate digests (HashedId10) known for a RIF.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct CdvInfo {
    pub rif: RIF,
    pub reply: CdvInfoReply,
}

/// The inline `reply CHOICE` of [`CdvInfo`].
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice)]
pub enum CdvInfoReply {
    Success(Vec<HashedId10>),
    Failure(ScopedMaRaBlacklistError),
}
