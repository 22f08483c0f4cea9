//! Misbehavior reports to the MA (sans-IO): the device collects the SPDUs it
//! judged misbehaving as evidence, states what it observed, and gets the bytes
//! to `POST /v3/misbehavior-report`.
//!
//! The layers, outermost first:
//! 1. `SecuredMisbehaviorReport` (CAMP `scms-protocol`): `encryptedData` to the
//!    MA certificate's encryption key (`certRecipInfo`, ECIES or SM2);
//! 2. `SignedMisbehaviorReport`: signed data with `MisbehaviorReportingPsid`
//!    (38), generation time and location, signed by the reporter's pseudonym
//!    certificate (carried in full);
//! 3. `ScopedMisbehaviorReport`: the CAMP `ScmsPDU` `ee-ma` / `misbehaviorReport`
//!    whose `misbehavingDeviceInfo` is the COER
//!    [`scms_asn1::misbehavior::MisbehaviorReport`] (shape of ETSI TS 103 759):
//!    observations by category and the evidence SPDUs exactly as received.

use scms_asn1::camp::base_types::MISBEHAVIOR_REPORTING_PSID;
use scms_asn1::camp::ee_ma::{EndEntityMaInterfacePDU, MisbehaviorReportContents};
use scms_asn1::camp::protocol::{
    ScmsPDU, ScmsPDUContent, ScopedMisbehaviorReport, SignedMisbehaviorReport,
};
use scms_asn1::codec::Octets;
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Data, ThreeDLocation, Time64};
use scms_asn1::misbehavior::{
    AidSpecificReport, MbSingleObservation, MisbehaviorReport, ObservationsByTarget, V2xPduStream,
    PDU_TYPE_IEEE1609DOT2_DATA,
};
use scms_hsm::envelope::{self, EnvelopeError};
use scms_hsm::spdu::SpduError;
use scms_hsm::KeyStore;

use crate::sign::{Message, Signer, SigningIdentity};

pub use scms_asn1::misbehavior::category;

/// Most evidence SPDUs in one report (the ASN.1 bound).
pub const MAX_EVIDENCE: usize = 32;

/// One observation: its category ([`category`]), an id within it and a free-form detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    pub category: u8,
    pub id: u8,
    pub detail: Vec<u8>,
}

/// What a device reports about one sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportContent {
    /// The PSID of the reported messages.
    pub psid: u64,
    pub observations: Vec<Observation>,
    /// The reported SPDUs (COER `Ieee1609Dot2Data`), in the order received.
    pub evidence: Vec<Vec<u8>>,
    /// Index in `evidence` of the message the observations are about.
    pub subject: u8,
}

/// Why a report could not be built.
#[derive(Debug)]
pub enum ReportError {
    /// Nothing observed, no evidence, too much, or an evidence item that is not an `Ieee1609Dot2Data`.
    Invalid(&'static str),
    Sign(SpduError),
    Envelope(EnvelopeError),
    Encode(scms_asn1::EncodeError),
}

impl core::fmt::Display for ReportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Invalid(w) => write!(f, "invalid report: {w}"),
            Self::Sign(e) => write!(f, "signing: {e}"),
            Self::Envelope(e) => write!(f, "encryption: {e}"),
            Self::Encode(e) => write!(f, "encoding: {e}"),
        }
    }
}

impl std::error::Error for ReportError {}

impl From<SpduError> for ReportError {
    fn from(e: SpduError) -> Self {
        Self::Sign(e)
    }
}
impl From<EnvelopeError> for ReportError {
    fn from(e: EnvelopeError) -> Self {
        Self::Envelope(e)
    }
}
impl From<scms_asn1::EncodeError> for ReportError {
    fn from(e: scms_asn1::EncodeError) -> Self {
        Self::Encode(e)
    }
}

/// The COER `MisbehaviorReport` of `content`, observed at `now` and `location`.
pub fn encode_report(
    content: &ReportContent,
    now: Time64,
    location: ThreeDLocation,
) -> Result<Vec<u8>, ReportError> {
    if content.observations.is_empty() {
        return Err(ReportError::Invalid("no observation"));
    }
    if content.evidence.is_empty() || content.evidence.len() > MAX_EVIDENCE {
        return Err(ReportError::Invalid("evidence: 1 to 32 SPDUs"));
    }
    if usize::from(content.subject) >= content.evidence.len() {
        return Err(ReportError::Invalid("subject index outside the evidence"));
    }
    if content
        .evidence
        .iter()
        .any(|e| scms_asn1::decode::<Ieee1609Dot2Data<'_>>(e).is_err())
    {
        return Err(ReportError::Invalid(
            "evidence item is not an Ieee1609Dot2Data",
        ));
    }
    // Observations grouped by category, in order of first appearance.
    let mut by_target: Vec<ObservationsByTarget<'_>> = Vec::new();
    for o in &content.observations {
        let obs = MbSingleObservation {
            obs_id: o.id,
            obs: Octets::from(o.detail.clone()),
        };
        match by_target.iter_mut().find(|t| t.tgt_id == o.category) {
            Some(t) => t.observations.push(obs),
            None => by_target.push(ObservationsByTarget {
                tgt_id: o.category,
                observations: vec![obs],
            }),
        }
    }
    let report = MisbehaviorReport {
        version: 1,
        generation_time: now,
        observation_location: location,
        report: AidSpecificReport {
            aid: content.psid.into(),
            observations: by_target,
            v2x_pdu_evidence: vec![V2xPduStream {
                r#type: PDU_TYPE_IEEE1609DOT2_DATA,
                v2x_pdus: content
                    .evidence
                    .iter()
                    .map(|e| Octets::from(e.clone()))
                    .collect(),
                subject_pdu_index: content.subject,
                unknown_extensions: Default::default(),
            }],
            unknown_extensions: Default::default(),
        },
        unknown_extensions: Default::default(),
    };
    Ok(scms_asn1::encode(&report)?)
}

/// Builds the `SecuredMisbehaviorReport` (COER) for `POST /v3/misbehavior-report`:
/// `content` signed by `reporter` (a pseudonym certificate and its key in
/// `keys`) at `now` and `location`, encrypted to `ma_certificate`.
pub fn build_report(
    keys: &dyn KeyStore,
    reporter: &SigningIdentity,
    ma_certificate: &[u8],
    content: &ReportContent,
    now: Time64,
    location: ThreeDLocation,
) -> Result<Vec<u8>, ReportError> {
    let report = encode_report(content, now, location)?;
    let scoped = ScopedMisbehaviorReport(ScmsPDU {
        version: 1,
        content: ScmsPDUContent::EeMa(EndEntityMaInterfacePDU::MisbehaviorReport(
            MisbehaviorReportContents {
                version: 1,
                misbehaving_device_info: Octets::from(report),
                misbehaving_device_bsms: None,
                reporter_device_bsms: None,
                sensor_info: None,
                unknown_extensions: Default::default(),
            },
        )),
    });
    let scoped = scms_asn1::encode(&scoped)?;
    // A fresh signer: the report carries the full certificate.
    let mut signer = Signer::new(reporter.clone());
    let signed = signer.sign(
        keys,
        &Message {
            psid: MISBEHAVIOR_REPORTING_PSID.0,
            payload: &scoped,
            generation_time: now,
            generation_location: Some(location),
            expiry_time: None,
            p2pcd_learning_request: None,
        },
    )?;
    // The profile of SignedMisbehaviorReport holds.
    if scms_asn1::decode::<SignedMisbehaviorReport<'_>>(&signed).is_err() {
        return Err(ReportError::Invalid(
            "signed report does not fit its profile",
        ));
    }
    Ok(envelope::encrypt_to_certificate(ma_certificate, &signed)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scms_asn1::ieee1609dot2::base_types::{NinetyDegreeInt, OneEightyDegreeInt};

    fn loc() -> ThreeDLocation {
        ThreeDLocation {
            latitude: NinetyDegreeInt(1),
            longitude: OneEightyDegreeInt(2),
            elevation: 3,
        }
    }

    fn content() -> ReportContent {
        ReportContent {
            psid: 32,
            observations: vec![
                Observation {
                    category: category::SPEED,
                    id: 1,
                    detail: vec![9],
                },
                Observation {
                    category: category::POSITION,
                    id: 2,
                    detail: Vec::new(),
                },
                Observation {
                    category: category::SPEED,
                    id: 3,
                    detail: Vec::new(),
                },
            ],
            // unsecuredData, empty: any Ieee1609Dot2Data is accepted as evidence here.
            evidence: vec![vec![3, 0x80, 0], vec![3, 0x80, 1, 7]],
            subject: 1,
        }
    }

    #[test]
    fn observations_are_grouped_by_category_and_evidence_kept_as_received() {
        let b = encode_report(&content(), 42, loc()).unwrap();
        let r: MisbehaviorReport<'_> = scms_asn1::decode(&b).unwrap();
        assert_eq!(r.generation_time, 42);
        let groups: Vec<(u8, Vec<u8>)> = r
            .report
            .observations
            .iter()
            .map(|t| (t.tgt_id, t.observations.iter().map(|o| o.obs_id).collect()))
            .collect();
        assert_eq!(
            groups,
            vec![(category::SPEED, vec![1, 3]), (category::POSITION, vec![2])]
        );
        let s = &r.report.v2x_pdu_evidence[0];
        assert_eq!(s.subject_pdu_index, 1);
        assert_eq!(s.v2x_pdus[1].as_ref(), &[3, 0x80, 1, 7]);
    }

    #[test]
    fn invalid_contents_are_refused() {
        let mut c = content();
        c.observations.clear();
        assert!(matches!(
            encode_report(&c, 0, loc()),
            Err(ReportError::Invalid(_))
        ));
        let mut c = content();
        c.subject = 2;
        assert!(matches!(
            encode_report(&c, 0, loc()),
            Err(ReportError::Invalid(_))
        ));
        let mut c = content();
        c.evidence.push(b"not 1609.2".to_vec());
        assert!(matches!(
            encode_report(&c, 0, loc()),
            Err(ReportError::Invalid(_))
        ));
        let mut c = content();
        c.evidence = vec![vec![3, 0x80, 0]; MAX_EVIDENCE + 1];
        assert!(matches!(
            encode_report(&c, 0, loc()),
            Err(ReportError::Invalid(_))
        ));
        c.evidence.clear();
        assert!(matches!(
            encode_report(&c, 0, loc()),
            Err(ReportError::Invalid(_))
        ));
    }
}
