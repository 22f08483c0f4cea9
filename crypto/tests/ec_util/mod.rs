//! Helpers shared by the `ec_*` integration tests: locating `shared/` and
//! reading the CAMP text vectors.
#![allow(dead_code)]

use std::path::PathBuf;

/// The project's `shared/` directory (beside the repository), or `SCMS_SHARED`.
pub fn shared_dir() -> PathBuf {
    if let Ok(p) = std::env::var("SCMS_SHARED") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

pub fn read_shared(rel: &str) -> Vec<u8> {
    let p = shared_dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

pub fn read_shared_str(rel: &str) -> String {
    String::from_utf8(read_shared(rel)).expect("utf-8")
}

pub fn hex(s: &str) -> Vec<u8> {
    let s = s.trim().trim_start_matches("0x").trim_start_matches("0X");
    let s = s.trim_end_matches('L');
    let s = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_string()
    };
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {e}"))
}

/// Left-pad to `n` bytes.
pub fn pad(mut v: Vec<u8>, n: usize) -> Vec<u8> {
    while v.len() < n {
        v.insert(0, 0);
    }
    v
}

/// `name = 0xHEX` lines, in file order.
pub fn assignments(text: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            let k = k.trim();
            let v = v.trim();
            if v.starts_with("0x") && !k.contains(' ') && !k.is_empty() {
                out.push((k.to_string(), hex(v)));
            }
        }
    }
    out
}

/// The line following the first line that starts with `label`, at or after `from`.
pub fn value_after<'a>(lines: &[&'a str], label: &str, from: usize) -> (&'a str, usize) {
    for (n, l) in lines.iter().enumerate().skip(from) {
        if l.starts_with(label) {
            return (lines[n + 1].trim(), n + 1);
        }
    }
    panic!("label {label:?} not found after line {from}");
}

/// `[0xX..L], [0xY..L]` as (x, y).
pub fn point_pair(line: &str) -> (Vec<u8>, Vec<u8>) {
    let parts: Vec<&str> = line
        .split(',')
        .map(|p| p.trim().trim_start_matches('[').trim_end_matches(']'))
        .collect();
    assert_eq!(parts.len(), 2, "{line}");
    (pad(hex(parts[0]), 32), pad(hex(parts[1]), 32))
}

/// Flip one bit of a byte vector.
pub fn flip(v: &[u8], byte: usize, bit: u8) -> Vec<u8> {
    let mut w = v.to_vec();
    w[byte] ^= 1 << bit;
    w
}
