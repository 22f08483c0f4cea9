//! Misbehavior evidence and reports as devices make them: a BSM signed with
//! a pseudonym at a place and time, and a report about such evidence
//! encrypted to the MA (for the MA's tests over HTTP and `scms serve`).
#![allow(dead_code)]

use scms_asn1::ieee1609dot2::base_types::{NinetyDegreeInt, OneEightyDegreeInt};
use scms_asn1::ieee1609dot2::ThreeDLocation;
use scms_hsm::MemoryKeyStore;
use scms_sdk::provision::Pseudonym;
use scms_sdk::report::{build_report, category, Observation, ReportContent};
use scms_sdk::sign::{Message, Signer, SigningIdentity};

/// One degree of latitude in 1/10 µdeg per metre (≈ 111 195 m per degree).
pub const UNITS_PER_M: f64 = 1e7 / 111_195.08;

pub fn at(north_m: f64) -> ThreeDLocation {
    ThreeDLocation {
        latitude: NinetyDegreeInt(420_000_000 + (north_m * UNITS_PER_M) as i32),
        longitude: OneEightyDegreeInt(-830_000_000),
        elevation: 2000,
    }
}

/// A BSM signed with pseudonym `p` at `t64` (Time64) and `north_m`.
pub fn bsm(p: &Pseudonym, label: &str, t64: u64, north_m: f64) -> Vec<u8> {
    let keys = MemoryKeyStore::new();
    keys.insert(label, p.key.clone()).unwrap();
    let mut s = Signer::new(SigningIdentity::new(p.certificate.clone(), label).unwrap());
    s.sign(
        &keys,
        &Message {
            psid: 32,
            payload: b"basic safety message",
            generation_time: t64,
            generation_location: Some(at(north_m)),
            expiry_time: None,
            p2pcd_learning_request: None,
        },
    )
    .unwrap()
}

/// A report by pseudonym `p` about `evidence`, encrypted to the MA.
pub fn report(p: &Pseudonym, ma: &[u8], evidence: Vec<Vec<u8>>, t64: u64) -> Vec<u8> {
    let keys = MemoryKeyStore::new();
    keys.insert("me", p.key.clone()).unwrap();
    let id = SigningIdentity::new(p.certificate.clone(), "me").unwrap();
    let subject = (evidence.len() - 1) as u8;
    build_report(
        &keys,
        &id,
        ma,
        &ReportContent {
            psid: 32,
            observations: vec![Observation {
                category: category::SPEED,
                id: 1,
                detail: b"200 m in 1 s".to_vec(),
            }],
            evidence,
            subject,
        },
        t64,
        at(0.0),
    )
    .unwrap()
}
