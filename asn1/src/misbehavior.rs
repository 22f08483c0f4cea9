//! The end entity's misbehavior report to the MA (`ScmsMisbehaviorReport`), in the
//! shape of ETSI TS 103 759 V2.1.1 (`EtsiTs103759Core`) and SAE J3287: a report
//! names the PSID of the reported messages, lists observations grouped by
//! category (target), and carries the evidence: the reported SPDUs exactly as
//! received, which the MA verifies itself.
//!
//! Why our own module: IEEE 1609.2.1 leaves the EE-MA interface NULL and the CAMP
//! PoC `ee-ma.asn` has only opaque placeholders, whose `misbehavingDeviceInfo`
//! carries the COER of [`MisbehaviorReport`] (see `scms_sdk::report`). The
//! structure follows TS 103 759 (`EtsiTs103759Data` -> `AidSpecificReport` ->
//! `observations` by target + `v2xPduEvidence`); the categories and observation
//! ids are our own numbering (documented in `docs/misbehavior.md`), not the ETSI
//! per-AID ids. The ASN.1 text:
//!
//! ```text
//! ScmsMisbehaviorReport DEFINITIONS AUTOMATIC TAGS ::= BEGIN
//! IMPORTS Uint8, Time64, ThreeDLocation, Psid, Opaque FROM Ieee1609Dot2BaseTypes;
//! MisbehaviorReport ::= SEQUENCE {
//!   version              Uint8 (1),
//!   generationTime       Time64,
//!   observationLocation  ThreeDLocation,
//!   report               AidSpecificReport,
//!   ...
//! }
//! AidSpecificReport ::= SEQUENCE {
//!   aid             Psid,
//!   observations    SEQUENCE (SIZE(1..32)) OF ObservationsByTarget,
//!   v2xPduEvidence  SEQUENCE (SIZE(1..16)) OF V2xPduStream,
//!   ...
//! }
//! ObservationsByTarget ::= SEQUENCE {
//!   tgtId         Uint8,   -- category: 1 security, 2 timing, 3 position, 4 speed, 5 acceleration
//!   observations  SEQUENCE (SIZE(1..32)) OF MbSingleObservation
//! }
//! MbSingleObservation ::= SEQUENCE {
//!   obsId  Uint8,
//!   obs    Opaque (SIZE(0..255))  -- free-form detail
//! }
//! V2xPduStream ::= SEQUENCE {
//!   type             Uint8 (1),  -- 1: each PDU is a COER Ieee1609Dot2Data
//!   v2xPdus          SEQUENCE (SIZE(1..32)) OF Opaque,
//!   subjectPduIndex  Uint8,      -- the PDU the observations are about
//!   ...
//! }
//! END
//! ```

use crate::codec::{Octets, UnknownExtensions};
use crate::ieee1609dot2::base_types::{Psid, ThreeDLocation, Time64, Uint8};
use crate::Asn1;

/// Observation categories (`ObservationsByTarget.tgtId`).
pub mod category {
    /// Signature, certificate, PSID/SSP, replay.
    pub const SECURITY: u8 = 1;
    /// Generation time in the future or too old.
    pub const TIMING: u8 = 2;
    /// Position jump, location outside the certificate's region.
    pub const POSITION: u8 = 3;
    /// Implausible speed.
    pub const SPEED: u8 = 4;
    /// Implausible acceleration.
    pub const ACCELERATION: u8 = 5;
}

/// `V2xPduStream.type`: every PDU is a COER `Ieee1609Dot2Data`.
pub const PDU_TYPE_IEEE1609DOT2_DATA: u8 = 1;

/// `MisbehaviorReport`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct MisbehaviorReport<'a> {
    #[asn1(range(1..=1))]
    pub version: Uint8,
    pub generation_time: Time64,
    pub observation_location: ThreeDLocation,
    pub report: AidSpecificReport<'a>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `AidSpecificReport`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct AidSpecificReport<'a> {
    pub aid: Psid,
    #[asn1(size(1..=32))]
    pub observations: Vec<ObservationsByTarget<'a>>,
    #[asn1(size(1..=16), name = "v2xPduEvidence")]
    pub v2x_pdu_evidence: Vec<V2xPduStream<'a>>,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

/// `ObservationsByTarget`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct ObservationsByTarget<'a> {
    pub tgt_id: Uint8,
    #[asn1(size(1..=32))]
    pub observations: Vec<MbSingleObservation<'a>>,
}

/// `MbSingleObservation`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence)]
pub struct MbSingleObservation<'a> {
    pub obs_id: Uint8,
    #[asn1(size(0..=255))]
    pub obs: Octets<'a>,
}

/// `V2xPduStream`.
#[derive(Asn1, Clone, Debug, PartialEq, Eq)]
#[asn1(sequence, extensible)]
pub struct V2xPduStream<'a> {
    #[asn1(range(1..=1))]
    pub r#type: Uint8,
    #[asn1(size(1..=32), name = "v2xPdus")]
    pub v2x_pdus: Vec<Octets<'a>>,
    pub subject_pdu_index: Uint8,
    #[asn1(unknown_ext)]
    pub unknown_extensions: UnknownExtensions,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written report (from the ASN.1 above; also the fuzz
    /// corpus's seed, kept here since minimising may drop it) is canonical.
    #[test]
    fn corpus_seed_is_a_report() {
        let b = include_bytes!("../tests/data/misbehavior_report.oer");
        let r: MisbehaviorReport<'_> = crate::decode(b).unwrap();
        assert_eq!(r.report.aid, Psid(32));
        assert_eq!(r.report.observations[0].tgt_id, category::SPEED);
        assert_eq!(
            r.report.v2x_pdu_evidence[0].v2x_pdus[0].as_ref(),
            &[3, 0x80, 0]
        );
        assert_eq!(crate::encode(&r).unwrap(), b);
        assert_eq!(crate::pdu::fuzz_check("misbehavior_report", b), Ok(true));
    }

    #[test]
    fn report_round_trips_and_rejects_empty_evidence() {
        let r = MisbehaviorReport {
            version: 1,
            generation_time: 1_000_000,
            observation_location: ThreeDLocation {
                latitude: crate::ieee1609dot2::base_types::NinetyDegreeInt(10),
                longitude: crate::ieee1609dot2::base_types::OneEightyDegreeInt(20),
                elevation: 0,
            },
            report: AidSpecificReport {
                aid: Psid(32),
                observations: vec![ObservationsByTarget {
                    tgt_id: category::SPEED,
                    observations: vec![MbSingleObservation {
                        obs_id: 1,
                        obs: Octets::from(vec![1, 2]),
                    }],
                }],
                v2x_pdu_evidence: vec![V2xPduStream {
                    r#type: PDU_TYPE_IEEE1609DOT2_DATA,
                    v2x_pdus: vec![Octets::from(vec![3, 0x80, 0])],
                    subject_pdu_index: 0,
                    unknown_extensions: Default::default(),
                }],
                unknown_extensions: Default::default(),
            },
            unknown_extensions: Default::default(),
        };
        let b = crate::encode(&r).unwrap();
        assert_eq!(crate::decode::<MisbehaviorReport>(&b).unwrap(), r);
        let mut empty = r.clone();
        empty.report.v2x_pdu_evidence.clear();
        let b = crate::encode(&empty);
        assert!(b.is_err() || crate::decode::<MisbehaviorReport>(&b.unwrap()).is_err());
    }
}
