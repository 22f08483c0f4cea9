//! What the conformance tests share: running the suite and comparing verdicts.
#![allow(dead_code)]

pub mod mutants;
pub mod services;

use scms_ca::profile::Family;
use scms_conformance::runner::{run, RunOptions, RunReport};
use scms_conformance::tp::Verdict;

pub fn run_suite(target: &str, family: Family, only: Option<&str>) -> RunReport {
    run(&RunOptions {
        target: target.to_string(),
        family,
        only: only.map(str::to_string),
        endpoints: Vec::new(),
    })
    .unwrap_or_else(|e| panic!("{target}: {e}"))
}

/// The IDs with verdict `v`.
pub fn ids(r: &RunReport, v: Verdict) -> Vec<&'static str> {
    r.results
        .iter()
        .filter(|t| t.verdict == v)
        .map(|t| t.id)
        .collect()
}

/// Panics with every result that is not as expected.
pub fn expect(r: &RunReport, expected: impl Fn(&str) -> Verdict) {
    let wrong: Vec<String> = r
        .results
        .iter()
        .filter(|t| t.verdict != expected(t.id))
        .map(|t| {
            format!(
                "{}: {} (expected {}): {}",
                t.id,
                t.verdict.as_str(),
                expected(t.id).as_str(),
                t.reason
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} against {}:\n{}",
        wrong.len(),
        r.target,
        wrong.join("\n")
    );
}
