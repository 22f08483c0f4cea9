//! `Ieee1609Dot2EndEntityMaInterface` (CAMP SCMS PoC `ee-ma.asn`): the misbehavior
//! report an end entity sends to the MA. Its fields are placeholders in the PoC
//! (opaque octets); the evidence shape of ETSI TS 103 759 / SAE J3287 is carried inside.

use crate::codec::{Octets, UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{Opaque, Uint8};
use crate::Asn1;

/// `EndEntityMaInterfacePDU`.
#[allow(clippy::upper_case_acronyms)]
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum EndEntityMaInterfacePDU<'a> {
    MisbehaviorReport(MisbehaviorReportContents<'a>),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `MisbehaviorReportContents`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct MisbehaviorReportContents<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub misbehaving_device_info: Opaque<'a>,
    /// Not OER-encoded ASN.1 messages (as received over the air).
    #[asn1(optional, name = "misbehavingDeviceBSMs")]
    pub misbehaving_device_bsms: Option<Octets<'a>>,
    #[asn1(optional, name = "reporterDeviceBSMs")]
    pub reporter_device_bsms: Option<Octets<'a>>,
    #[asn1(optional)]
    pub sensor_info: Option<Opaque<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}
