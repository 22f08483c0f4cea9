//! The suite against our SDK and authorities in process (`--target sdk`),
//! both profiles: every test purpose passes, except the misbehavior-report
//! endpoint ones (no MA yet), which are inconclusive. The reports have the
//! documented shapes.

mod support;

use scms_ca::profile::Family;
use scms_conformance::report;
use scms_conformance::tp::{Needs, Verdict};
use scms_conformance::tps::catalogue;
use support::{expect, run_suite, NO_MA_ENDPOINT};

fn all_pass(family: Family, only: Option<&str>) -> scms_conformance::runner::RunReport {
    let r = run_suite("sdk", family, only);
    expect(&r, |id| {
        if NO_MA_ENDPOINT.contains(&id) {
            Verdict::Inconclusive
        } else {
            Verdict::Pass
        }
    });
    r
}

#[test]
fn us_profile_all_pass() {
    let r = all_pass(Family::Us, None);
    // The JSON report: exactly the documented keys per result (plus extras).
    let j = report::json(&r);
    assert_eq!(j["suite_version"], r.suite_version.as_str());
    assert_eq!(j["target"], "sdk");
    let results = j["results"].as_array().unwrap();
    assert_eq!(results.len(), r.results.len());
    for x in results {
        assert!(x["id"].as_str().unwrap().starts_with("TP_"));
        assert!(["pass", "fail", "inconclusive"].contains(&x["verdict"].as_str().unwrap()));
        assert!(x["reason"].is_string());
    }
    // A receiving test purpose records the stimulus it sent, in hex.
    let region = results
        .iter()
        .find(|x| x["id"] == "TP_SPDU_RCV_REGION_01")
        .unwrap();
    let pdu = region["pdus"][0]["hex"].as_str().unwrap();
    assert!(hex::decode(pdu).unwrap().starts_with(&[0x03, 0x81]));
    // JUnit: one testcase per test purpose, the inconclusive ones skipped.
    let x = report::junit(&r);
    assert_eq!(x.matches("<testcase ").count(), r.results.len());
    assert_eq!(x.matches("<skipped ").count(), NO_MA_ENDPOINT.len());
    assert_eq!(x.matches("<failure ").count(), 0);
    assert!(x.matches("<testsuite ").count() >= 8);
    // HTML: every ID, escaped reasons.
    let h = report::html(&r);
    for t in &r.results {
        assert!(h.contains(t.id));
    }
    assert!(!h.contains("<script"));
}

/// The CN profile in two halves that run in parallel (SM2 is slower).
fn cn_side(needs: Needs) {
    let ids: Vec<&str> = catalogue()
        .iter()
        .filter(|t| t.needs == needs)
        .map(|t| t.id)
        .collect();
    let r = all_pass(Family::Cn, Some(&ids.join(",")));
    assert_eq!(r.results.len(), ids.len());
}

#[test]
fn cn_profile_device_all_pass() {
    cn_side(Needs::Device);
}

#[test]
fn cn_profile_scms_all_pass() {
    cn_side(Needs::Scms);
}
