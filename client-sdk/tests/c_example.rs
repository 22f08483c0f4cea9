//! Builds `examples/c/sign_verify.c` against the SDK's static library and
//! header (with `examples/c/build.sh`) and runs it on certificates and a key
//! issued by our CA crate: it signs on one side, verifies on the other, and
//! checks that tampered, replayed and stale messages are rejected.

mod common;

use common::{hex, now64, World};
use std::path::PathBuf;
use std::process::Command;

/// `target/<profile>`, where cargo put libscms_sdk.a and libscms_sdk.so.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/c_example-<hash>
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .to_path_buf()
}

#[test]
fn c_example_signs_and_verifies_through_the_c_abi() {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    if Command::new(&cc).arg("--version").output().is_err() {
        // scripts/test.sh installs gcc: in CI its absence is a failure.
        assert!(std::env::var_os("CI").is_none(), "no C compiler `{cc}`");
        println!("SKIPPED: no C compiler `{cc}`");
        return;
    }
    let target = target_dir();
    for lib in ["libscms_sdk.a", "libscms_sdk.so"] {
        assert!(
            target.join(lib).exists(),
            "{lib} not in {}",
            target.display()
        );
    }
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

    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (mode, exe) in [("static", "sign_verify"), ("shared", "sign_verify_shared")] {
        let exe = dir.join(exe);
        let build = Command::new("bash")
            .arg(manifest.join("examples/c/build.sh"))
            .arg(mode)
            .env("TARGET_DIR", &target)
            .env("OUT", &exe)
            .env("CC", &cc)
            .output()
            .expect("run build.sh");
        assert!(
            build.status.success(),
            "{mode} build failed:\n{}{}",
            String::from_utf8_lossy(&build.stdout),
            String::from_utf8_lossy(&build.stderr)
        );
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
