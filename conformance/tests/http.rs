//! The suite against an SCMS as a black box over HTTP: our authorities
//! (ECA, RA, LA1, LA2, ACA, CRL signer) served on a loopback port, driven
//! through their /v3/ interfaces only. Every SCMS test purpose passes except
//! those a black box cannot support: the blocklist (no operator control over
//! HTTP) and the misbehavior-report endpoint (no MA yet), inconclusive.
//! Device test purposes are not applicable. An address where nothing listens
//! makes everything inconclusive, never pass.

mod support;

use scms_ca::profile::Family;
use scms_conformance::scms::{serve, LocalScms};
use scms_conformance::tp::{Needs, Verdict};
use scms_conformance::tps::catalogue;
use support::{expect, ids, run_suite, NO_MA_ENDPOINT};

fn black_box(family: Family) {
    let url = serve(Box::new(LocalScms::new(family, None).unwrap())).unwrap();
    let r = run_suite(&url, family, None);
    let scms: Vec<&str> = catalogue()
        .iter()
        .filter(|t| t.needs == Needs::Scms)
        .map(|t| t.id)
        .collect();
    expect(&r, |id| {
        if scms.contains(&id) && !NO_MA_ENDPOINT.contains(&id) && id != "TP_PROV_06" {
            Verdict::Pass
        } else {
            Verdict::Inconclusive
        }
    });
}

#[test]
fn scms_over_http_us() {
    black_box(Family::Us);
}

#[test]
fn scms_over_http_cn() {
    black_box(Family::Cn);
}

#[test]
fn nothing_listening_is_inconclusive() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    let r = run_suite(&url, Family::Us, Some("TP_ENR_*,TP_CTL_*,TP_CA_*"));
    assert!(!r.results.is_empty());
    assert_eq!(ids(&r, Verdict::Pass), Vec::<&str>::new());
    assert_eq!(ids(&r, Verdict::Fail), Vec::<&str>::new());
}
