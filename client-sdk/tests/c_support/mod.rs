//! Building the C examples of `examples/c/` against the SDK's libraries.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>`, where cargo put libscms_sdk.a and libscms_sdk.so.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test>-<hash>
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .to_path_buf()
}

/// The C compiler, or `None` (outside CI only) when there is none.
pub fn c_compiler() -> Option<String> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    if Command::new(&cc).arg("--version").output().is_err() {
        // scripts/test.sh installs gcc: in CI its absence is a failure.
        assert!(std::env::var_os("CI").is_none(), "no C compiler `{cc}`");
        println!("SKIPPED: no C compiler `{cc}`");
        return None;
    }
    let target = target_dir();
    for lib in ["libscms_sdk.a", "libscms_sdk.so"] {
        assert!(
            target.join(lib).exists(),
            "{lib} not in {}",
            target.display()
        );
    }
    Some(cc)
}

/// Builds `examples/c/<program>.c` (`mode` static or shared) into `exe`
/// with `examples/c/build.sh`.
pub fn build(cc: &str, mode: &str, program: &str, exe: &Path) {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let build = Command::new("bash")
        .arg(manifest.join("examples/c/build.sh"))
        .arg(mode)
        .arg(program)
        .env("TARGET_DIR", target_dir())
        .env("OUT", exe)
        .env("CC", cc)
        .output()
        .expect("run build.sh");
    assert!(
        build.status.success(),
        "{mode} build of {program} failed:\n{}{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );
}
