//! Proof that the suite can fail: against every shipped mutant exactly the
//! test purposes it names fail, and every other one has its verdict against
//! the unmutated `sdk` target (pass; inconclusive for the missing MA endpoint).
//! A device mutant is run with every device test purpose, an SCMS mutant with
//! every SCMS one: the other side of a mutant target is the unmutated
//! implementation, whose verdicts `tests/sdk.rs` checks.

mod support;

use scms_ca::profile::Family;
use scms_conformance::mutants::{find, MutantKind};
use scms_conformance::tp::{Needs, Verdict};
use scms_conformance::tps::catalogue;
use support::{expect, ids, run_suite, NO_MA_ENDPOINT};

fn caught(name: &str) {
    let m = find(name).unwrap();
    let needs = match m.kind {
        MutantKind::Device(_) => Needs::Device,
        MutantKind::Scms(_) => Needs::Scms,
    };
    let side: Vec<&str> = catalogue()
        .iter()
        .filter(|t| t.needs == needs)
        .map(|t| t.id)
        .collect();
    let r = run_suite(&format!("mutant:{name}"), Family::Us, Some(&side.join(",")));
    assert_eq!(r.results.len(), side.len());
    expect(&r, |id| {
        if m.caught_by.contains(&id) {
            Verdict::Fail
        } else if NO_MA_ENDPOINT.contains(&id) {
            Verdict::Inconclusive
        } else {
            Verdict::Pass
        }
    });
    assert_eq!(ids(&r, Verdict::Fail).len(), m.caught_by.len());
}

macro_rules! mutant_tests {
    ($($f:ident => $name:literal),* $(,)?) => {
        $(#[test] fn $f() { caught($name); })*

        #[test]
        fn every_mutant_has_a_test() {
            let tested = [$($name),*];
            for m in scms_conformance::mutants::mutants() {
                assert!(tested.contains(&m.name), "{} has no test", m.name);
            }
        }
    };
}

mutant_tests! {
    skips_region => "verifier-skips-region",
    accepts_expired => "verifier-accepts-expired",
    ignores_linkage_crl => "verifier-ignores-linkage-crl",
    ignores_hash_crl => "verifier-ignores-hash-crl",
    accepts_replay => "verifier-accepts-replay",
    skips_signature => "verifier-skips-signature",
    ignores_ssp => "verifier-ignores-ssp",
    accepts_stale => "verifier-accepts-stale",
    ignores_p2pcd => "device-ignores-p2pcd",
    crl_unauthorized => "crl-accepts-unauthorized-signer",
    noncanonical_encoder => "encoder-noncanonical-length",
    mbr_unencrypted => "mbr-unencrypted",
    ra_ignores_blocklist => "ra-ignores-blocklist",
    ra_drops_certificate => "ra-drops-certificate",
    eca_wrong_request_hash => "eca-wrong-request-hash",
    eca_wrong_craca => "eca-wrong-craca",
    crl_bad_signature => "crl-bad-signature",
}

#[test]
fn an_unknown_mutant_is_an_error() {
    let r = scms_conformance::runner::run(&scms_conformance::runner::RunOptions {
        target: "mutant:no-such".into(),
        family: Family::Us,
        only: None,
    });
    assert!(r.is_err());
}
