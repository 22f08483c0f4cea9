//! `Ieee1609Dot2CrlSsp` (IEEE 1609.2-2022 clause 7.4.2; major version 2, minor 2):
//! the SSP of a CRL signer's certificate for PSID 256.

use super::base_types::{CrlSeries, Uint8};
use crate::codec::UnknownExtensions;
use crate::Asn1;

/// `CrlSsp`: which CRLs the holder may sign. `version` is 1.
#[derive(Asn1, Clone, Debug, PartialEq, Eq, Hash)]
#[asn1(sequence, extensible)]
pub struct CrlSsp {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub associated_craca: CracaType,
    pub crls: PermissibleCrls,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

impl CrlSsp {
    /// The SSP version of this standard.
    pub const VERSION: Uint8 = 1;
}

/// `CracaType`: whether the holder is the CRACA or its issuer is.
#[derive(Asn1, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[asn1(enumerated)]
pub enum CracaType {
    IsCraca = 0,
    IssuerIsCraca = 1,
}

/// `PermissibleCrls ::= SEQUENCE OF CrlSeries`.
pub type PermissibleCrls = Vec<CrlSeries>;
