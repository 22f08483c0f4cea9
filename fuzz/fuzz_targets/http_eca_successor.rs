//! Fuzz target: `http_eca_successor` (see `src/harness.rs`).
#![no_main]

use scms_http_fuzz::harness::{Endpoint, Harness};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    Harness::get().run(Endpoint::EcaSuccessor, data);
});
