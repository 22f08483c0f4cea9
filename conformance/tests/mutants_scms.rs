//! Proof that the suite can fail (SCMS mutants): against every shipped mutant exactly the
//! test purposes it names fail, and every other one has its verdict against
//! the unmutated `sdk` target (pass; inconclusive for the missing MA endpoint).
//! A device mutant is run with every device test purpose, an SCMS mutant with
//! every SCMS one: the other side of a mutant target is the unmutated
//! implementation, whose verdicts `tests/sdk.rs` checks.

mod support;

use scms_conformance::mutants::MutantKind;

const KIND: fn(&MutantKind) -> bool = |k| matches!(k, MutantKind::Scms(_));

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
    ra_ignores_blocklist => "ra-ignores-blocklist",
    ra_drops_certificate => "ra-drops-certificate",
    eca_wrong_request_hash => "eca-wrong-request-hash",
    eca_wrong_craca => "eca-wrong-craca",
    crl_bad_signature => "crl-bad-signature",
}
