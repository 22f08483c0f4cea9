//! The suite against a device through the upper-tester protocol, with the
//! reference adapter (our SDK behind JSON lines on stdio): every device test
//! purpose passes, the SCMS ones are not applicable (inconclusive). And the
//! adapter's side of the protocol answers bad input with errors, not crashes.

mod support;

use scms_ca::profile::Family;
use scms_conformance::adapter::{handle_line, serve};
use scms_conformance::device::SdkDevice;
use scms_conformance::tp::Verdict;
use scms_conformance::tps::catalogue;
use support::{expect, run_suite};

fn adapter_target() -> String {
    format!("adapter:{}", env!("CARGO_BIN_EXE_scms-conformance-adapter"))
}

#[test]
fn reference_adapter_passes_every_device_test_purpose() {
    let r = run_suite(&adapter_target(), Family::Us, None);
    let device: Vec<&str> = catalogue()
        .iter()
        .filter(|t| t.needs == scms_conformance::tp::Needs::Device)
        .map(|t| t.id)
        .collect();
    assert!(device.len() >= 60);
    expect(&r, |id| {
        if device.contains(&id) {
            Verdict::Pass
        } else {
            Verdict::Inconclusive
        }
    });
    // The stimuli and answers crossed the process boundary as hex.
    let t = r
        .results
        .iter()
        .find(|t| t.id == "TP_SPDU_SND_SIGNER_02")
        .unwrap();
    assert!(t.exchanges.iter().any(|e| e.direction == "from_target"));
}

#[test]
fn reference_adapter_cn_profile() {
    let r = run_suite(
        &adapter_target(),
        Family::Cn,
        Some("TP_SPDU_SND_*,TP_SPDU_RCV_SIG_*,TP_SPDU_RCV_REVOKED_*,TP_CRL_RCV_*,TP_MBR_SND_*"),
    );
    expect(&r, |_| Verdict::Pass);
}

#[test]
fn protocol_errors_are_answers() {
    let mut d = SdkDevice::new();
    for bad in [
        "not json",
        "{}",
        r#"{"op":"fly"}"#,
        r#"{"op":"verify"}"#,
        r#"{"op":"verify","spdu":"zz","now":1}"#,
        r#"{"op":"sign","psid":32,"payload":"00","generation_time":1}"#,
        r#"{"op":"load_identity","certificate":"00","private_key":"00","curve":"p256"}"#,
        r#"{"op":"apply_crl","crl":"0381","now":1,"current_i":70000}"#,
        r#"{"op":"p2pcd_request","hashed_id3":"0102"}"#,
    ] {
        let (v, quit) = handle_line(&mut d, bad);
        assert_eq!(v["ok"], false, "{bad}: {v}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{bad}");
        assert!(!quit);
    }
    let (v, _) = handle_line(&mut d, r#"{"op":"verify","spdu":"0381","now":1}"#);
    assert_eq!(v["ok"], true);
    assert_eq!(v["accepted"], false);
    let (v, _) = handle_line(&mut d, r#"{"op":"hello"}"#);
    assert_eq!(v["protocol"], 1);
    // The loop: one answer line per request line, until quit.
    let input = "{\"op\":\"hello\"}\n\n{\"op\":\"quit\"}\n{\"op\":\"hello\"}\n";
    let mut out = Vec::new();
    serve(&mut d, input.as_bytes(), &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2);
}

#[test]
fn an_adapter_that_dies_makes_everything_inconclusive() {
    // Answers hello, then exits.
    let target = r#"adapter:read x; echo '{"ok":true,"protocol":1}'"#;
    let r = run_suite(
        target,
        Family::Us,
        Some("TP_SPDU_RCV_VALID_*,TP_SPDU_SND_SIG_*"),
    );
    assert!(r.results.len() >= 5);
    expect(&r, |_| Verdict::Inconclusive);
    assert!(
        r.results.iter().all(|t| t.reason.contains("adapter")),
        "{:?}",
        r.results[1].reason
    );
}

#[test]
fn an_adapter_that_does_not_speak_the_protocol_is_refused() {
    for cmd in [
        "adapter:cat",
        "adapter:true",
        "adapter:echo '{\"ok\":true,\"protocol\":7}'",
    ] {
        let r = scms_conformance::runner::run(&scms_conformance::runner::RunOptions {
            target: cmd.into(),
            family: Family::Us,
            only: Some("TP_SPDU_RCV_VALID_01".into()),
            endpoints: Vec::new(),
        });
        assert!(r.is_err(), "{cmd}");
    }
}
