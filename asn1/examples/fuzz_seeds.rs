//! Writes the seed corpora of the fuzz targets: every real sample that decodes as a
//! target's type, and random valid values of it.
//!
//! `cargo run -p scms-asn1 --example fuzz_seeds -- asn1/fuzz/corpus ../shared/samples`

use scms_asn1::codec::testing::TestRng;
use scms_asn1::pdu::PDU_TYPES;
use std::path::{Path, PathBuf};

fn sample_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sample_files(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| x == "oer" || x == "bin" || x == "coer")
        {
            out.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (corpus, samples) = match args.as_slice() {
        [_, c, s] => (PathBuf::from(c), PathBuf::from(s)),
        _ => {
            eprintln!("usage: fuzz_seeds CORPUS_DIR SAMPLES_DIR");
            std::process::exit(2);
        }
    };
    let mut files = Vec::new();
    sample_files(&samples, &mut files);
    files.sort();
    let samples: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    let mut rng = TestRng::new(2026);
    for t in PDU_TYPES {
        let dir = corpus.join(t.target);
        std::fs::create_dir_all(&dir).expect("corpus directory");
        let mut n = 0;
        for s in &samples {
            if (t.check)(s) == Ok(true) {
                std::fs::write(dir.join(format!("sample-{n}")), s).expect("write seed");
                n += 1;
            }
        }
        let mut generated = 0;
        for i in 0..400 {
            let mut buf = vec![0u8; 64 + rng.below(1024)];
            rng.fill(&mut buf);
            let mut u = arbitrary::Unstructured::new(&buf);
            if let Some(bytes) = (t.generate)(&mut u) {
                std::fs::write(dir.join(format!("generated-{i}")), bytes).expect("write seed");
                generated += 1;
                if generated == 24 {
                    break;
                }
            }
        }
        println!("{}: {n} samples, {generated} generated", t.target);
    }
}
