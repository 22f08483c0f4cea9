//! `Ieee1609Dot2Dot1AcaEeInterface` (IEEE 1609.2.1-2022): the ACA's certificate
//! response to the EE.

use crate::codec::{UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{Time32, Uint8};
use crate::ieee1609dot2::dot2::Certificate;
use crate::Asn1;

/// `AcaEeInterfacePdu`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
#[allow(clippy::large_enum_variant)] // one PDU at a time: no boxing
pub enum AcaEeInterfacePdu<'a> {
    AcaEeCertResponse(AcaEeCertResponse<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `AcaEeCertResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct AcaEeCertResponse<'a> {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub generation_time: Time32,
    pub certificate: Certificate<'a>,
    #[asn1(optional)]
    pub private_key_info: Option<[u8; 32]>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}
