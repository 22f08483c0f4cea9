//! Replays the committed corpora of the HTTP endpoint fuzz targets
//! (`fuzz/corpus/http_*`, made by `fuzz/run.sh`) and a fixed set of
//! pseudo-random recipes through the same harness (`fuzz/src/harness.rs`),
//! on stable, in `.ci/run`: a 5xx, an answer without a reason or a panic
//! fails. Also checks that the recipes get past the decoders: every endpoint
//! sees answers other than 400, and the endpoints devices use accept some.

#[path = "../../ra/tests/common/mod.rs"]
mod common;
#[path = "../../fuzz/src/harness.rs"]
mod harness;
#[path = "../../ra/tests/http_support/mod.rs"]
mod http_support;
#[path = "misbehavior_support/mod.rs"]
mod misbehavior_support;
#[path = "report_support/mod.rs"]
mod report_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::collections::BTreeMap;
use std::path::Path;

use harness::{Endpoint, Harness};

/// Corpus files replayed per endpoint (the rest stays for the fuzzer).
const MAX_CORPUS: usize = 300;
/// Pseudo-random recipes per endpoint.
const RECIPES: usize = 150;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files.truncate(MAX_CORPUS);
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// xorshift64*: the same recipes on every run.
fn recipe(seed: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *seed ^= *seed >> 12;
            *seed ^= *seed << 25;
            *seed ^= *seed >> 27;
            (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect()
}

/// Every route `scms serve` documents that takes a body, or a request in a
/// `Download-Req` header, has its fuzz target (and a line in fuzz/Cargo.toml).
#[test]
fn every_documented_route_with_a_request_has_a_fuzz_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let routes = std::fs::read_to_string(root.join("cli/src/serve/routes.rs")).unwrap();
    let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
    // `name: "value"`, the value perhaps on the next line (rustfmt).
    let field = |block: &str, name: &str| -> String {
        let at = block.find(&format!("{name}:")).unwrap() + name.len() + 1;
        let rest = block[at..].trim_start();
        assert!(rest.starts_with('"'), "{name} is not a literal: {rest:.40}");
        rest[1..].split('"').next().unwrap().to_string()
    };
    let mut documented = 0;
    for block in routes.split("RouteDoc {").skip(2) {
        let (method, path, request) = (
            field(block, "method"),
            field(block, "path"),
            field(block, "request"),
        );
        if method != "POST" && !request.contains("Download-Req") {
            continue;
        }
        documented += 1;
        let e = Endpoint::ALL
            .iter()
            .find(|e| e.method() == method && e.path() == path)
            .unwrap_or_else(|| panic!("{method} {path} has no fuzz target"));
        assert!(
            manifest.contains(&format!("name = \"{}\"", e.target())),
            "{} is not in fuzz/Cargo.toml",
            e.target()
        );
    }
    assert!(documented >= 11, "{documented} routes found in routes.rs");
}

#[test]
fn every_endpoint_answers_fuzz_recipes_with_2xx_or_a_reasoned_4xx() {
    let h = Harness::get();
    let mut seed = 0x5eed_5c35_u64;
    for e in Endpoint::ALL {
        let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let files = corpus(e.target());
        let n_files = files.len();
        let inputs = files
            .into_iter()
            .chain((0..RECIPES).map(|k| recipe(&mut seed, 64 + 16 * (k % 64))));
        for data in inputs {
            if let Some((s, reason)) = h.run(e, &data) {
                *statuses.entry(s).or_default() += 1;
                if s >= 300 {
                    // The reason up to the first detail that varies.
                    let reason: String =
                        reason.chars().take_while(|c| !c.is_ascii_digit()).collect();
                    *reasons.entry(format!("{s} {reason}")).or_default() += 1;
                }
            }
        }
        eprintln!(
            "{}: {n_files} corpus files, statuses {statuses:?}",
            e.target()
        );
        for (r, n) in &reasons {
            eprintln!("    {n:4} x {r}");
        }
        let past_decoding: usize = statuses
            .iter()
            .filter(|(s, _)| **s != 400 && **s != 413 && **s != 415)
            .map(|(_, n)| n)
            .sum();
        assert!(
            past_decoding > 0,
            "{}: every recipe stopped at decoding: {statuses:?}",
            e.target()
        );
        if matches!(
            e,
            Endpoint::RaProvision
                | Endpoint::EcaEnrollment
                | Endpoint::EcaSuccessor
                | Endpoint::EcaSuccessorDownload
                | Endpoint::MaReport
        ) {
            assert!(
                statuses.keys().any(|s| (200..300).contains(s)),
                "{}: no recipe was accepted: {statuses:?}",
                e.target()
            );
        }
    }
}
