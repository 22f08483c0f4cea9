//! `Ieee1609Dot2Dot1Acpc` (IEEE 1609.2.1-2022): authorization certificate
//! permission control (APrV binary trees and individual APrVs).

use crate::codec::{BitString, DecodeError, UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{HashAlgorithm, IValue, Psid, Time32, Uint8};
use crate::Asn1;

use super::protocol::{
    check_signed_spdu, check_unsecured_spdu, fix_signed_spdu, fix_unsecured_spdu, signed_payload,
    spdu, unsecured_payload,
};

/// `AcpcPdu`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum AcpcPdu<'a> {
    Tree(AprvBinaryTree<'a>),
    Aprv(IndividualAprv<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `AprvBinaryTree`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct AprvBinaryTree<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub current_i: IValue,
    pub acpc_tree_id: AcpcTreeId,
    pub hash_algorithm_id: HashAlgorithm,
    pub tree: BitString<'a>,
    #[asn1(size(1..))]
    pub node_value_list: Vec<AcpcNodeValue>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `AcpcPsid ::= Psid(2113696)`: the PSID of ACPC SPDUs.
pub const ACPC_PSID: Psid = Psid(2113696);

/// `AcpcPsid ::= Psid(2113696)` as a type (a single-value INTEGER).
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq)]
#[asn1(newtype, range(2113696..=2113696))]
pub struct AcpcPsid(pub u64);

spdu!(
    /// `UnsecuredAprvBinaryTree ::= Ieee1609Dot2Data-Unsecured {AcpcPdu (WITH
    /// COMPONENTS {tree})}`.
    UnsecuredAprvBinaryTree,
    "check_unsecured_spdu",
    "fix_unsecured_spdu"
);

impl UnsecuredAprvBinaryTree<'_> {
    /// The `AcpcPdu` inside, checked to be a `tree`.
    pub fn acpc_pdu(&self) -> Result<AcpcPdu<'_>, DecodeError> {
        scoped(unsecured_payload(&self.0)?, |p| {
            matches!(p, AcpcPdu::Tree(_))
        })
    }
}

spdu!(
    /// `SignedAprvBinaryTree ::= Ieee1609Dot2Data-Signed {AcpcPdu (WITH COMPONENTS
    /// {tree}), AcpcPsid}`.
    SignedAprvBinaryTree,
    "check_signed_spdu",
    "fix_signed_spdu"
);

impl SignedAprvBinaryTree<'_> {
    /// The signed `AcpcPdu` (profile with `AcpcPsid` and scope checked, signature
    /// NOT verified).
    pub fn acpc_pdu(&self) -> Result<AcpcPdu<'_>, DecodeError> {
        let (_, tbs) = signed_payload(&self.0, ACPC_PSID)?;
        scoped(tbs, |p| matches!(p, AcpcPdu::Tree(_)))
    }
}

/// `IndividualAprv`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct IndividualAprv<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub current_i: IValue,
    pub acpc_tree_id: AcpcTreeId,
    pub node_id: BitString<'a>,
    pub node_value: AcpcNodeValue,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

spdu!(
    /// `SignedIndividualAprv ::= Ieee1609Dot2Data-Signed {AcpcPdu (WITH COMPONENTS
    /// {aprv}), AcpcPsid}`.
    SignedIndividualAprv,
    "check_signed_spdu",
    "fix_signed_spdu"
);

impl SignedIndividualAprv<'_> {
    /// The signed `AcpcPdu` (profile with `AcpcPsid` and scope checked, signature
    /// NOT verified).
    pub fn acpc_pdu(&self) -> Result<AcpcPdu<'_>, DecodeError> {
        let (_, tbs) = signed_payload(&self.0, ACPC_PSID)?;
        scoped(tbs, |p| matches!(p, AcpcPdu::Aprv(_)))
    }
}

fn scoped<'s>(
    bytes: &'s [u8],
    scope: fn(&AcpcPdu<'_>) -> bool,
) -> Result<AcpcPdu<'s>, DecodeError> {
    let pdu: AcpcPdu<'s> = crate::codec::decode(bytes)?;
    if scope(&pdu) {
        Ok(pdu)
    } else {
        Err(DecodeError::new(
            crate::codec::ErrorKind::Constraint("AcpcPdu: unexpected alternative"),
            0,
        ))
    }
}

/// `AcpcTreeId ::= OCTET STRING (SIZE(8))`.
pub type AcpcTreeId = [u8; 8];

/// `AcpcNodeValue ::= OCTET STRING (SIZE(16))`.
pub type AcpcNodeValue = [u8; 16];

/// `AprvHashCalculationInput`: the input hashed to derive a child node value.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct AprvHashCalculationInput<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub acpc_tree_id: AcpcTreeId,
    pub acpc_period: IValue,
    pub child_node_id: BitString<'a>,
    pub parent_node_value: [u8; 16],
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}
