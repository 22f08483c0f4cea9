//! Fuzz target: `http_la_pre_linkage_values` (see `src/harness.rs`).
#![no_main]

use scms_http_fuzz::harness::{Endpoint, Harness};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    Harness::get().run(Endpoint::LaPreLinkageValues, data);
});
