//! Replays every committed fuzz corpus file through the same target functions the
//! cargo-fuzz binaries call, on stable, so CI keeps the corpora honest without a
//! nightly toolchain. Also checks that every top-level PDU has its fuzz target.

use scms_asn1::pdu::{fuzz_check, PDU_TYPES};
use std::path::Path;

#[test]
fn every_pdu_type_has_a_fuzz_target_and_a_corpus() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    for t in PDU_TYPES {
        let src = fuzz.join("fuzz_targets").join(format!("{}.rs", t.target));
        let text =
            std::fs::read_to_string(&src).unwrap_or_else(|_| panic!("missing {}", src.display()));
        assert!(
            text.contains(&format!("fuzz_check(\"{}\"", t.target)),
            "{} calls another target",
            t.target
        );
        assert!(
            manifest.contains(&format!("name = \"{}\"", t.target)),
            "{} not in fuzz/Cargo.toml",
            t.target
        );
        let corpus = fuzz.join("corpus").join(t.target);
        let n = std::fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
        assert!(n > 0, "empty corpus for {}", t.target);
    }
}

#[test]
fn committed_corpora_replay_without_violations() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let (mut files, mut accepted) = (0usize, 0usize);
    for t in PDU_TYPES {
        let Ok(dir) = std::fs::read_dir(corpus.join(t.target)) else {
            continue;
        };
        for entry in dir.flatten() {
            let data = std::fs::read(entry.path()).unwrap();
            match fuzz_check(t.target, &data) {
                Ok(true) => accepted += 1,
                Ok(false) => {}
                Err(violation) => panic!("{}: {violation}", entry.path().display()),
            }
            files += 1;
        }
    }
    assert!(files >= PDU_TYPES.len());
    assert!(accepted > 0);
    eprintln!("replayed {files} corpus files, {accepted} decoded");
}
