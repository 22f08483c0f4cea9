//! Running the suite against a mutant and checking that exactly its test
//! purposes fail (see tests/mutants_*.rs).

use super::{expect, ids, run_suite, NO_MA_ENDPOINT};
use scms_ca::profile::Family;
use scms_conformance::mutants::{find, MutantKind};
use scms_conformance::tp::{Needs, Verdict};
use scms_conformance::tps::catalogue;

pub fn caught(name: &str) {
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
