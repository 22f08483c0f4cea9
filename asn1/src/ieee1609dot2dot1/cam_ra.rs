//! `Ieee1609Dot2Dot1CamRaInterface` (IEEE 1609.2.1-2022): RA <-> certificate
//! access manager (CAM) batch of blinded keys for ACPC.

use crate::codec::{UnknownAlternative, UnknownExtensions};
use crate::ieee1609dot2::base_types::{EccP256CurvePoint, HashedId8, IValue, Uint8};
use crate::Asn1;

/// `CamRaInterfacePdu`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(choice, extensible)]
pub enum CamRaInterfacePdu {
    RaCamBatchRequest(RaCamBatchRequest),
    CamRaBatchResponse(CamRaBatchResponse),
    #[asn1(unknown)]
    Unknown(UnknownAlternative),
}

/// `RaCamBatchRequest`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct RaCamBatchRequest {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub ee_id: [u8; 5],
    pub period_list: Vec<IValue>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `CamRaBatchResponse`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct CamRaBatchResponse {
    /// Always 2.
    #[asn1(range(2..=2))]
    pub version: Uint8,
    pub request_hash: HashedId8,
    pub batch: Vec<BlindedKey>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `BlindedKey ::= EccP256CurvePoint`.
pub type BlindedKey = EccP256CurvePoint;
