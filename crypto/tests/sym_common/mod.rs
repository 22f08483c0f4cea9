//! Helpers shared by the `sym_*` tests: locating `shared/vectors` and reading
//! the CAMP text vectors.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

/// `shared/` lies beside the repository (CI: a fresh clone with `shared/`
/// beside it); `SCMS_SHARED_DIR` overrides.
pub fn shared_dir() -> PathBuf {
    let mut candidates = Vec::new();
    if let Ok(dir) = std::env::var("SCMS_SHARED_DIR") {
        candidates.push(PathBuf::from(dir));
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::canonicalize(&manifest).unwrap_or(manifest);
    candidates.push(manifest.join("../shared"));
    candidates.push(manifest.join("../../shared"));
    for c in &candidates {
        if c.join("vectors").is_dir() {
            return c.clone();
        }
    }
    panic!("shared/vectors not found (tried {candidates:?}); set SCMS_SHARED_DIR");
}

pub fn read_vector_file(rel: &str) -> String {
    let path = shared_dir().join("vectors").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

pub fn arr<const N: usize>(s: &str) -> [u8; N] {
    let v = hex(s);
    v.as_slice()
        .try_into()
        .unwrap_or_else(|_| panic!("expected {N} bytes, got {} in {s:?}", v.len()))
}

/// The `Test Vector #n` blocks of a CAMP file as maps `NAME -> value` built
/// from lines `NAME = 0x...` (and `NAME = ""` for an empty string).
pub fn camp_vectors(rel: &str) -> Vec<HashMap<String, Vec<u8>>> {
    let text = read_vector_file(rel);
    let mut out = Vec::new();
    for block in text.split("Test Vector #").skip(1) {
        let mut map = HashMap::new();
        for line in block.lines() {
            let Some((name, value)) = line.split_once(" = ") else {
                continue;
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let value = value.trim();
            if value == "\"\"" {
                map.insert(name.to_string(), Vec::new());
            } else if value.starts_with("0x") {
                map.insert(name.to_string(), hex(value));
            }
        }
        out.push(map);
    }
    assert!(!out.is_empty(), "no vectors in {rel}");
    out
}

/// Values of the form `caption...\n0xHEX` and `0xHEX\n name[N] = ` in one
/// section of `lv.txt` / `glv.txt`.
pub struct Section {
    lines: Vec<String>,
}

impl Section {
    pub fn new(text: &str) -> Self {
        Self {
            lines: text.lines().map(str::to_string).collect(),
        }
    }

    /// The `0x...` line right after the first line starting with `caption`.
    pub fn after(&self, caption: &str) -> Vec<u8> {
        let i = self
            .lines
            .iter()
            .position(|l| l.starts_with(caption))
            .unwrap_or_else(|| panic!("caption {caption:?} not found"));
        let value = self.lines[i + 1..]
            .iter()
            .find(|l| l.starts_with("0x"))
            .unwrap_or_else(|| panic!("no value after {caption:?}"));
        hex(value)
    }

    /// The `0x...` line printed before the C array ` name[N] = `.
    pub fn named(&self, name: &str) -> Vec<u8> {
        let prefix = format!(" {name}[");
        let i = self
            .lines
            .iter()
            .position(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("array {name:?} not found"));
        let value = self.lines[..i]
            .iter()
            .rev()
            .find(|l| l.starts_with("0x"))
            .unwrap_or_else(|| panic!("no value before {name:?}"));
        hex(value)
    }
}

/// Splits `lv.txt` / `glv.txt` into (header, i = 0, i = 1).
pub fn linkage_sections(rel: &str) -> (Section, Section, Section) {
    let text = read_vector_file(rel);
    let (head, rest) = text.split_once("\ni = 0\n").expect("no i = 0 section");
    let (i0, i1) = rest.split_once("\ni = 1\n").expect("no i = 1 section");
    (Section::new(head), Section::new(i0), Section::new(i1))
}

/// A cryptographic RNG for tests (the OS generator).
pub fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}
