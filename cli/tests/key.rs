//! `scms key` on the software store and on a SoftHSM2 token (a missing
//! SoftHSM2 fails the test: scripts/test.sh installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scms(envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scms"));
    c.args(args);
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// `openssl pkey` reads a DER SubjectPublicKeyInfo and prints its curve.
fn openssl_curve(der: &Path) -> String {
    let o = Command::new("openssl")
        .args(["pkey", "-pubin", "-inform", "DER", "-noout", "-text", "-in"])
        .arg(der)
        .output()
        .expect("openssl must be installed");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn soft_store_generate_list_export() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("keys");
    let d = dir.to_str().unwrap();
    let env = [("SCMS_TEST_PASS", "correct horse battery")];
    let base = [
        "key",
        "--store",
        "soft",
        "--dir",
        d,
        "--pass-env",
        "SCMS_TEST_PASS",
    ];
    let run = |extra: &[&str]| scms(&env, &[&base[..], extra].concat());

    let mut lines = Vec::new();
    for (label, curve) in [
        ("root", "p384"),
        ("eca", "p256"),
        ("bp", "bp256"),
        ("bq", "bp384"),
        ("cn", "sm2"),
    ] {
        let out = ok(&run(&["generate", "--label", label, "--curve", curve]));
        let f: Vec<&str> = out.split_whitespace().collect();
        assert_eq!(&f[..2], &[label, curve]);
        lines.push(out);
    }
    lines.sort();
    let listed = ok(&run(&["list"]));
    assert_eq!(listed, lines.concat());

    // Hex export is the compressed point that `list` shows.
    let hex = ok(&run(&["export-public", "--label", "eca"]));
    assert!(listed.contains(hex.trim()));
    assert_eq!(hex.trim().len(), 66);
    // DER SubjectPublicKeyInfo, read by OpenSSL.
    let der = tmp.path().join("eca.der");
    ok(&run(&[
        "export-public",
        "--label",
        "eca",
        "--der",
        "--out",
        der.to_str().unwrap(),
    ]));
    assert!(openssl_curve(&der).contains("prime256v1"));

    // Files are 0600 in a 0700 directory.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("eca.key")), 0o600);

    // Errors: wrong passphrase and unknown label exit 1, usage errors exit 2.
    let wrong = scms(
        &[("SCMS_TEST_PASS", "wrong")],
        &[&base[..], &["generate", "--label", "x", "--curve", "p256"]].concat(),
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong passphrase"));
    assert!(!dir.join("x.key").exists());
    assert_eq!(
        run(&["export-public", "--label", "nope"]).status.code(),
        Some(1)
    );
    assert_eq!(
        run(&["generate", "--label", "eca", "--curve", "p256"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&["generate", "--label", "a/b", "--curve", "p256"])
            .status
            .code(),
        Some(1)
    );
    let unset = scms(&[], &[&base[..], &["list"]].concat());
    assert_eq!(unset.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unset.stderr).contains("SCMS_TEST_PASS"));
    assert_eq!(
        scms(&env, &["key", "--store", "soft", "list"])
            .status
            .code(),
        Some(2)
    );
}

fn softhsm_module() -> PathBuf {
    [
        std::env::var("SCMS_PKCS11_MODULE").unwrap_or_default(),
        "/usr/lib/softhsm/libsofthsm2.so".into(),
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so".into(),
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so".into(),
    ]
    .iter()
    .filter(|c| !c.is_empty())
    .map(PathBuf::from)
    .find(|p| p.exists())
    .expect("SoftHSM2 is not installed: run `apt-get install -y softhsm2` (scripts/test.sh does)")
}

#[test]
fn pkcs11_and_wrapped_stores_on_softhsm2() {
    let module = softhsm_module();
    let tmp = tempfile::tempdir().unwrap();
    let tokens = tmp.path().join("tokens");
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = tmp.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let conf = conf.to_str().unwrap().to_string();
    let init = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args(["--init-token", "--free", "--label", "cli-token"])
        .args(["--pin", "9999", "--so-pin", "0000"])
        .output()
        .expect("softhsm2-util not runnable: apt-get install -y softhsm2");
    assert!(init.status.success());

    // Each scms process reads SOFTHSM2_CONF from its own environment.
    let env = [("SOFTHSM2_CONF", conf.as_str()), ("SCMS_TEST_PIN", "9999")];
    let m = module.to_str().unwrap();
    let base = [
        "key",
        "--store",
        "pkcs11",
        "--module",
        m,
        "--token",
        "cli-token",
        "--pin-env",
        "SCMS_TEST_PIN",
    ];
    let run = |extra: &[&str]| scms(&env, &[&base[..], extra].concat());

    let a = ok(&run(&["generate", "--label", "ica", "--curve", "p256"]));
    let b = ok(&run(&["generate", "--label", "bp", "--curve", "bp384"]));
    assert_eq!(ok(&run(&["list"])), format!("{b}{a}"));
    let der = tmp.path().join("bp.der");
    ok(&run(&[
        "export-public",
        "--label",
        "bp",
        "--der",
        "--out",
        der.to_str().unwrap(),
    ]));
    assert!(openssl_curve(&der).contains("brainpoolP384r1"));

    let sm2 = run(&["generate", "--label", "cn", "--curve", "sm2"]);
    assert_eq!(sm2.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&sm2.stderr).contains("vendor HSM"));

    let wrong_pin = scms(
        &[("SOFTHSM2_CONF", conf.as_str()), ("SCMS_TEST_PIN", "1111")],
        &[&base[..], &["list"]].concat(),
    );
    assert_eq!(wrong_pin.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong_pin.stderr).contains("wrong passphrase or PIN"));

    // The wrapped store holds SM2 too (the scalar is software, sealed by the token).
    let wdir = tmp.path().join("wrapped");
    let wrapped = [
        &["key", "--store", "wrapped", "--dir", wdir.to_str().unwrap()][..],
        &base[3..],
        &["--kek", "aca-kek"],
    ]
    .concat();
    let w = ok(&scms(
        &env,
        &[
            &wrapped[..],
            &["generate", "--label", "aca", "--curve", "sm2"],
        ]
        .concat(),
    ));
    assert!(w.starts_with("aca sm2 "));
    assert_eq!(ok(&scms(&env, &[&wrapped[..], &["list"]].concat())), w);
}
