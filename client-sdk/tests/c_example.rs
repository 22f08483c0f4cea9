//! Builds `examples/c/sign_verify.c` against the SDK's static library and
//! header (with `examples/c/build.sh`) and runs it on certificates and a key
//! issued by our CA crate: it signs on one side, verifies on the other, and
//! checks that tampered, replayed and stale messages are rejected.

mod c_support;
mod common;

use common::{hex, now64, World};
use std::process::Command;

#[test]
fn c_example_signs_and_verifies_through_the_c_abi() {
    let Some(cc) = c_support::c_compiler() else {
        return;
    };
    let w = World::new();
    let dir = std::env::temp_dir().join(format!("scms-sdk-c-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    for role in ["root", "ica", "aca"] {
        std::fs::write(dir.join(format!("{role}.oer")), w.certificate(role)).expect("write");
    }
    let (cert, key) = w.pseudonym_key_at(common::now32());
    std::fs::write(dir.join("pseudonym.oer"), cert).expect("write");
    std::fs::write(dir.join("pseudonym.key"), hex(&key.to_be_bytes())).expect("write");

    for (mode, exe) in [("static", "sign_verify"), ("shared", "sign_verify_shared")] {
        let exe = dir.join(exe);
        c_support::build(&cc, mode, "sign_verify", &exe);
        let run = Command::new(&exe)
            .arg(&dir)
            .arg(now64(0).to_string())
            .output()
            .expect("run sign_verify");
        let out = String::from_utf8_lossy(&run.stdout);
        println!("{mode}:\n{out}{}", String::from_utf8_lossy(&run.stderr));
        assert!(run.status.success(), "{mode}: sign_verify failed:\n{out}");
        for line in [
            "tampered message         BAD_SIGNATURE",
            "signed message           OK",
            "psid 32, payload \"basic safety message from C\"",
            "replayed message         REPLAY",
            "digest-signed message    OK",
            "stale message            TOO_OLD",
            "NULL verifier            NULL_ARGUMENT",
            "all verdicts as expected",
        ] {
            assert!(out.contains(line), "{mode}: missing {line:?} in\n{out}");
        }
    }
    // The program fails when a verdict is wrong: with a key that does not
    // belong to the certificate every signature is bad.
    std::fs::write(dir.join("pseudonym.key"), hex(&[0x11; 32])).expect("write");
    let run = Command::new(dir.join("sign_verify"))
        .arg(&dir)
        .arg(now64(0).to_string())
        .output()
        .expect("run sign_verify");
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stdout).contains("UNEXPECTED VERDICTS"));
    let _ = std::fs::remove_dir_all(&dir);
}
