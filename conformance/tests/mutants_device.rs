//! Proof that the suite can fail (device mutants): against every shipped mutant exactly the
//! test purposes it names fail, and every other one has its verdict against
//! the unmutated `sdk` target (pass).
//! A device mutant is run with every device test purpose, an SCMS mutant with
//! every SCMS one: the other side of a mutant target is the unmutated
//! implementation, whose verdicts `tests/sdk.rs` checks.

mod support;

use scms_ca::profile::Family;
use scms_conformance::mutants::MutantKind;

const KIND: fn(&MutantKind) -> bool = |k| matches!(k, MutantKind::Device(_));

macro_rules! mutant_tests {
    ($($f:ident => $name:literal),* $(,)?) => {
        $(#[test] fn $f() { support::mutants::caught($name); })*

        /// Every mutant of this kind has its test here.
        #[test]
        fn every_mutant_of_the_kind_has_a_test() {
            let tested = [$($name),*];
            for m in scms_conformance::mutants::mutants() {
                if KIND(&m.kind) {
                    assert!(tested.contains(&m.name), "{} has no test", m.name);
                }
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
}

#[test]
fn an_unknown_mutant_is_an_error() {
    let r = scms_conformance::runner::run(&scms_conformance::runner::RunOptions {
        target: "mutant:no-such".into(),
        family: Family::Us,
        only: None,
        endpoints: Vec::new(),
    });
    assert!(r.is_err());
}
