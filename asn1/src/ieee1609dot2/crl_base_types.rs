//! `Ieee1609Dot2CrlBaseTypes` (IEEE 1609.2-2022 clause 7.3; major version 3,
//! minor 2): the contents of a CRL, hash-based and linkage-based.

use super::base_types::*;
use crate::codec::{Null, UnknownAlternative, UnknownExtensions};
use crate::Asn1;

/// `CrlContents` (7.3.2). `version` is 1.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct CrlContents {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub crl_series: CrlSeries,
    pub crl_craca: HashedId8,
    pub issue_date: Time32,
    pub next_crl: Time32,
    pub priority_info: CrlPriorityInfo,
    pub type_specific: TypeSpecificCrlContents,
}

impl CrlContents {
    /// The CRL format version of this standard.
    pub const VERSION: Uint8 = 1;
}

/// `CrlPriorityInfo` (7.3.3).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible)]
pub struct CrlPriorityInfo {
    #[asn1(optional)]
    pub priority: Option<Uint8>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `TypeSpecificCrlContents` (7.3.4).
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum TypeSpecificCrlContents {
    FullHashCrl(ToBeSignedHashIdCrl),
    DeltaHashCrl(ToBeSignedHashIdCrl),
    FullLinkedCrl(ToBeSignedLinkageValueCrl),
    DeltaLinkedCrl(ToBeSignedLinkageValueCrl),
    #[asn1(ext)]
    FullLinkedCrlWithAlg(ToBeSignedLinkageValueCrlWithAlgIdentifier),
    #[asn1(ext)]
    DeltaLinkedCrlWithAlg(ToBeSignedLinkageValueCrlWithAlgIdentifier),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `ToBeSignedHashIdCrl` (7.3.5).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible)]
pub struct ToBeSignedHashIdCrl {
    pub crl_serial: Uint32,
    pub entries: SequenceOfHashBasedRevocationInfo,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `SequenceOfHashBasedRevocationInfo ::= SEQUENCE OF HashBasedRevocationInfo`.
pub type SequenceOfHashBasedRevocationInfo = Vec<HashBasedRevocationInfo>;

/// `HashBasedRevocationInfo` (7.3.7).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible)]
pub struct HashBasedRevocationInfo {
    pub id: HashedId10,
    pub expiry: Time32,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `ToBeSignedLinkageValueCrl` (7.3.8): one of `individual`, `groups`,
/// `groupsSingleSeed` is present.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(
    sequence,
    extensible,
    validate = "check_linkage_value_crl",
    fixup = "fixup_linkage_value_crl"
)]
pub struct ToBeSignedLinkageValueCrl {
    pub i_rev: IValue,
    pub index_within_i: Uint8,
    #[asn1(optional)]
    pub individual: Option<SequenceOfJMaxGroup>,
    #[asn1(optional)]
    pub groups: Option<SequenceOfGroupCrlEntry>,
    #[asn1(ext)]
    pub groups_single_seed: Option<SequenceOfGroupSingleSeedCrlEntry>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

fn check_linkage_value_crl(c: &ToBeSignedLinkageValueCrl) -> Result<(), &'static str> {
    if c.individual.is_none() && c.groups.is_none() && c.groups_single_seed.is_none() {
        return Err("linkage-value CRL needs individual, groups or groupsSingleSeed");
    }
    Ok(())
}

fn fixup_linkage_value_crl(
    c: &mut ToBeSignedLinkageValueCrl,
    _: &mut arbitrary::Unstructured<'_>,
) -> arbitrary::Result<()> {
    if check_linkage_value_crl(c).is_err() {
        c.individual = Some(Vec::new());
    }
    Ok(())
}

/// `SequenceOfJMaxGroup ::= SEQUENCE OF JMaxGroup`.
pub type SequenceOfJMaxGroup = Vec<JMaxGroup>;

/// `JMaxGroup` (7.3.10).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible)]
pub struct JMaxGroup {
    pub jmax: Uint8,
    pub contents: SequenceOfLAGroup,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `SequenceOfLAGroup ::= SEQUENCE OF LAGroup`.
pub type SequenceOfLAGroup = Vec<LAGroup>;

/// `LAGroup` (7.3.12).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible, name = "LAGroup")]
pub struct LAGroup {
    pub la1_id: LaId,
    pub la2_id: LaId,
    pub contents: SequenceOfIMaxGroup,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `SequenceOfIMaxGroup ::= SEQUENCE OF IMaxGroup`.
pub type SequenceOfIMaxGroup = Vec<IMaxGroup>;

/// `IMaxGroup` (7.3.14).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible)]
pub struct IMaxGroup {
    pub i_max: Uint16,
    pub contents: SequenceOfIndividualRevocation,
    #[asn1(ext)]
    pub single_seed: Option<SequenceOfLinkageSeed>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `SequenceOfIndividualRevocation ::= SEQUENCE (SIZE(0..MAX)) OF IndividualRevocation`.
pub type SequenceOfIndividualRevocation = Vec<IndividualRevocation>;

/// `IndividualRevocation` (7.3.16).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible)]
pub struct IndividualRevocation {
    pub linkage_seed1: LinkageSeed,
    pub linkage_seed2: LinkageSeed,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `SequenceOfGroupCrlEntry ::= SEQUENCE OF GroupCrlEntry`.
pub type SequenceOfGroupCrlEntry = Vec<GroupCrlEntry>;

/// `GroupCrlEntry` (7.3.18).
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible)]
pub struct GroupCrlEntry {
    pub i_max: Uint16,
    pub la1_id: LaId,
    pub linkage_seed1: LinkageSeed,
    pub la2_id: LaId,
    pub linkage_seed2: LinkageSeed,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `ToBeSignedLinkageValueCrlWithAlgIdentifier` (7.3.19): one of `individual`,
/// `groups`, `groupsSingleSeed` is present.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(
    sequence,
    extensible,
    validate = "check_linkage_value_crl_with_alg",
    fixup = "fixup_linkage_value_crl_with_alg"
)]
pub struct ToBeSignedLinkageValueCrlWithAlgIdentifier {
    pub i_rev: IValue,
    pub index_within_i: Uint8,
    pub seed_evolution: SeedEvolutionFunctionIdentifier,
    pub lv_generation: LvGenerationFunctionIdentifier,
    #[asn1(optional)]
    pub individual: Option<SequenceOfJMaxGroup>,
    #[asn1(optional)]
    pub groups: Option<SequenceOfGroupCrlEntry>,
    #[asn1(optional)]
    pub groups_single_seed: Option<SequenceOfGroupSingleSeedCrlEntry>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

fn check_linkage_value_crl_with_alg(
    c: &ToBeSignedLinkageValueCrlWithAlgIdentifier,
) -> Result<(), &'static str> {
    if c.individual.is_none() && c.groups.is_none() && c.groups_single_seed.is_none() {
        return Err("linkage-value CRL needs individual, groups or groupsSingleSeed");
    }
    Ok(())
}

fn fixup_linkage_value_crl_with_alg(
    c: &mut ToBeSignedLinkageValueCrlWithAlgIdentifier,
    _: &mut arbitrary::Unstructured<'_>,
) -> arbitrary::Result<()> {
    if check_linkage_value_crl_with_alg(c).is_err() {
        c.groups = Some(Vec::new());
    }
    Ok(())
}

/// `SequenceOfGroupSingleSeedCrlEntry ::= SEQUENCE OF GroupSingleSeedCrlEntry`.
pub type SequenceOfGroupSingleSeedCrlEntry = Vec<GroupSingleSeedCrlEntry>;

/// `GroupSingleSeedCrlEntry` (7.3.21).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence)]
pub struct GroupSingleSeedCrlEntry {
    pub i_max: Uint16,
    pub la_id: LaId,
    pub linkage_seed: LinkageSeed,
}

/// `ExpansionAlgorithmIdentifier` (7.3.22).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(enumerated, extensible)]
pub enum ExpansionAlgorithmIdentifier {
    #[asn1(name = "sha256ForI-aesForJ")]
    Sha256ForIAesForJ = 0,
    #[asn1(name = "sm3ForI-sm4ForJ")]
    Sm3ForISm4ForJ = 1,
}

/// `SeedEvolutionFunctionIdentifier ::= NULL`.
pub type SeedEvolutionFunctionIdentifier = Null;
/// `LvGenerationFunctionIdentifier ::= NULL`.
pub type LvGenerationFunctionIdentifier = Null;
