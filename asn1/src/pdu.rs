//! The top-level PDUs: one registry that `scms inspect` detects types from, that
//! every fuzz target runs, and that the corpus-replay test walks.

use crate::codec::{decode, encode, DecodeError, Describe, Value};
use crate::{camp, etsi, ieee1609dot2 as d2, ieee1609dot2dot1 as d21, misbehavior};

/// A top-level PDU type, by its ASN.1 name.
pub struct PduType {
    /// The ASN.1 type name (`--type` in `scms inspect`, the fuzz target's name).
    pub name: &'static str,
    /// The fuzz target (and corpus directory) name.
    pub target: &'static str,
    /// Decodes a complete value and returns its readable view.
    pub describe: fn(&[u8]) -> Result<Value, DecodeError>,
    /// Decodes; when that succeeds, the value must re-encode to exactly the same
    /// bytes (strict canonical decoding). `Err` describes a violation.
    pub check: fn(&[u8]) -> Result<bool, String>,
    /// Encodes a random valid value (seed corpora, property tests).
    pub generate: fn(&mut arbitrary::Unstructured<'_>) -> Option<Vec<u8>>,
}

macro_rules! pdu_types {
    ($( $name:literal, $target:literal => $ty:ty ;)*) => {
        /// Every top-level PDU, in the order `scms inspect` tries them.
        pub static PDU_TYPES: &[PduType] = &[
            $( PduType {
                name: $name,
                target: $target,
                describe: |b| decode::<$ty>(b).map(|v| v.describe()),
                check: |b| match decode::<$ty>(b) {
                    Err(_) => Ok(false),
                    Ok(v) => {
                        let _ = v.describe();
                        match encode(&v) {
                            Ok(out) if out == b => Ok(true),
                            Ok(out) => Err(format!("{}: accepted bytes re-encode differently: {:02x?}", $name, out)),
                            Err(e) => Err(format!("{}: decoded value does not encode: {e}", $name)),
                        }
                    }
                },
                generate: |u| {
                    let v = <$ty as crate::codec::Generate>::generate(u).ok()?;
                    encode(&v).ok()
                },
            }, )*
        ];
    };
}

pdu_types! {
    "Certificate", "certificate" => d2::Certificate;
    "Ieee1609Dot2Data", "ieee1609dot2_data" => d2::Ieee1609Dot2Data;
    "SecuredCrl", "secured_crl" => d2::crl::SecuredCrl;
    "CrlContents", "crl_contents" => d2::crl_base_types::CrlContents;
    "Ieee1609dot2Peer2PeerPDU", "peer2peer_pdu" => d2::peer2peer::Ieee1609dot2Peer2PeerPDU;
    "ScmsPdu", "scms_pdu" => d21::protocol::ScmsPdu;
    "EcaEeInterfacePdu", "eca_ee_pdu" => d21::eca_ee::EcaEeInterfacePdu;
    "EeRaInterfacePdu", "ee_ra_pdu" => d21::ee_ra::EeRaInterfacePdu;
    "AcaEeInterfacePdu", "aca_ee_pdu" => d21::aca_ee::AcaEeInterfacePdu;
    "AcaRaInterfacePdu", "aca_ra_pdu" => d21::aca_ra::AcaRaInterfacePdu;
    "CertManagementPdu", "cert_management_pdu" => d21::cert_management::CertManagementPdu;
    "AcpcPdu", "acpc_pdu" => d21::acpc::AcpcPdu;
    "CamRaInterfacePdu", "cam_ra_pdu" => d21::cam_ra::CamRaInterfacePdu;
    "EtsiTs103097Data", "etsi_ts103097_data" => etsi::ts103097::EtsiTs103097Data;
    "EtsiTs102941Data", "etsi_ts102941_data" => etsi::ts102941_messages_ca::EtsiTs102941Data;
    "ToBeSignedTlmCtl", "tlm_ctl" => etsi::ts102941_trust_lists::ToBeSignedTlmCtl;
    "ToBeSignedRcaCtl", "rca_ctl" => etsi::ts102941_trust_lists::ToBeSignedRcaCtl;
    "CampScmsPDU", "camp_scms_pdu" => camp::protocol::ScmsPDU;
    "LaRaInterfacePDU", "camp_la_ra_pdu" => camp::la_ra::LaRaInterfacePDU;
    "LaPcaInterfacePDU", "camp_la_pca_pdu" => camp::la_pca::LaPcaInterfacePDU;
    "LaMaInterfacePDU", "camp_la_ma_pdu" => camp::la_ma::LaMaInterfacePDU;
    "MaRaInterfacePDU", "camp_ma_ra_pdu" => camp::ma_ra::MaRaInterfacePDU;
    "MaPcaInterfacePDU", "camp_ma_pca_pdu" => camp::ma_pca::MaPcaInterfacePDU;
    "EndEntityMaInterfacePDU", "camp_ee_ma_pdu" => camp::ee_ma::EndEntityMaInterfacePDU;
    "PcaRaInterfacePDU", "camp_pca_ra_pdu" => camp::pca_ra::PcaRaInterfacePDU;
    "MisbehaviorReport", "misbehavior_report" => misbehavior::MisbehaviorReport;
    "ToBeSignedCertificate", "tbs_certificate" => d2::ToBeSignedCertificate;
    "ToBeSignedData", "tbs_data" => d2::ToBeSignedData;
}

/// The PDU type with this ASN.1 name or target name (case-insensitive).
pub fn find(name: &str) -> Option<&'static PduType> {
    PDU_TYPES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(name) || t.target.eq_ignore_ascii_case(name))
}

/// Runs a fuzz target's check. Used by the cargo-fuzz binaries and by the test
/// that replays the committed corpora on stable.
pub fn fuzz_check(target: &str, data: &[u8]) -> Result<bool, String> {
    let t = PDU_TYPES
        .iter()
        .find(|t| t.target == target)
        .ok_or_else(|| format!("no fuzz target {target}"))?;
    (t.check)(data)
}

/// Detects the type of `bytes`: the first PDU type that decodes all of it. On
/// failure, the error of the type that got furthest.
pub fn detect(bytes: &[u8]) -> Result<(&'static PduType, Value), (&'static str, DecodeError)> {
    let mut best: Option<(&'static str, DecodeError)> = None;
    for t in PDU_TYPES {
        match (t.describe)(bytes) {
            Ok(v) => return Ok((t, v)),
            Err(e) => {
                if best.as_ref().is_none_or(|(_, b)| e.offset > b.offset) {
                    best = Some((t.name, e));
                }
            }
        }
    }
    Err(best.unwrap_or((
        "",
        DecodeError::new(
            crate::codec::ErrorKind::Truncated {
                needed: 1,
                remaining: 0,
            },
            0,
        ),
    )))
}
