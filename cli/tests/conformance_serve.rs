//! The conformance suite against `scms serve` as a black box: a data
//! directory from `scms init`, every role in one `scms serve` process, each
//! on its own port, and the suite driving them through their `/v3/`
//! interfaces only (`--endpoint ROLE=URL` routing: the RA's paths to the RA,
//! the ECA's to the ECA, ...). Every SCMS test purpose passes, in both
//! families, including the blocklist one (TP_PROV_06), which runs end to
//! end through the MA: reports, investigation through the ACA, RA and LAs,
//! revocation through the CRL signer, the RA's blocklist. Device test
//! purposes are not applicable to an SCMS (inconclusive).

mod serve_support;

use scms_ca::profile::Family;
use scms_conformance::runner::{run, RunOptions};
use scms_conformance::tp::{Needs, Verdict};
use scms_conformance::tps::catalogue;
use serve_support::{init_data_dir, Server, ROLES};

/// The RA batches quickly (shuffle K = 1, download after a second) so a
/// device's certificates are ready within the suite's patience.
const FAST_RA: &str = "[ra]\nworker_period_ms = 200\nshuffle_min_devices = 1\n\
shuffle_max_wait_secs = 1\ndownload_delay_secs = 1\nretry_secs = 1\ncerts_per_period = 5\n";

fn suite_against_serve(profile: &str, family: Family) {
    let dir = init_data_dir(&["--profile", profile], FAST_RA);
    let server = Server::start(dir.path(), &[], ROLES.len());
    let endpoints: Vec<(String, String)> = ["eca", "ra", "crl", "ma"]
        .iter()
        .map(|r| (r.to_string(), server.url(r).to_string()))
        .collect();
    let r = run(&RunOptions {
        // Paths outside the four endpoints (none today) would go to the root.
        target: server.url("root").to_string(),
        family,
        only: None,
        endpoints,
    })
    .expect("run the suite");
    let scms: Vec<&str> = catalogue()
        .iter()
        .filter(|t| t.needs == Needs::Scms)
        .map(|t| t.id)
        .collect();
    assert!(scms.len() >= 20, "{} SCMS test purposes", scms.len());
    let wrong: Vec<String> = r
        .results
        .iter()
        .filter(|t| {
            let expected = if scms.contains(&t.id) {
                Verdict::Pass
            } else {
                Verdict::Inconclusive
            };
            t.verdict != expected
        })
        .map(|t| format!("{} {}: {}", t.id, t.verdict.as_str(), t.reason))
        .collect();
    assert!(wrong.is_empty(), "{profile}:\n{}", wrong.join("\n"));
    assert_eq!(r.count(Verdict::Pass), scms.len());
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
}

#[test]
fn every_scms_test_purpose_passes_against_scms_serve_us() {
    suite_against_serve("us", Family::Us);
}

#[test]
fn every_scms_test_purpose_passes_against_scms_serve_cn() {
    suite_against_serve("cn", Family::Cn);
}
