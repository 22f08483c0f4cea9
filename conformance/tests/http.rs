//! The suite against an SCMS as a black box over HTTP, driven through its
//! /v3/ interfaces only: our authorities as HTTP services (ECA, RA with its
//! worker, LA1, LA2, ACA, each on its own SQLite database, as `scms serve`
//! will host them; `support::services`), and the in-process `LocalScms`
//! served on loopback. Every SCMS test purpose passes except those a black box
//! cannot support: the blocklist (no operator control over HTTP) and the
//! misbehavior-report endpoint (no MA yet), inconclusive. Device test
//! purposes are not applicable. An address where nothing listens makes
//! everything inconclusive, never pass.

mod support;

use scms_ca::profile::Family;
use scms_conformance::scms::{serve, LocalScms};
use scms_conformance::tp::{Needs, Verdict};
use scms_conformance::tps::catalogue;
use support::{expect, ids, run_suite, NO_MA_ENDPOINT};

fn black_box(url: &str, family: Family) {
    let r = run_suite(url, family, None);
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
fn http_services_us() {
    let s = support::services::start(Family::Us);
    black_box(&s.url, Family::Us);
}

#[test]
fn http_services_cn() {
    let s = support::services::start(Family::Cn);
    black_box(&s.url, Family::Cn);
}

#[test]
fn local_scms_over_loopback_us() {
    let url = serve(Box::new(LocalScms::new(Family::Us, None).unwrap())).unwrap();
    black_box(&url, Family::Us);
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
