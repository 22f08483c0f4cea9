//! Fuzz target: `misbehavior_report` of `scms_asn1::pdu` (decode; accepted input must re-encode identically).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(violation) = scms_asn1::pdu::fuzz_check("misbehavior_report", data) {
        panic!("{violation}");
    }
});
