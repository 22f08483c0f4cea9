//! `scms init` and `scms export` as an operator runs them, for both profiles:
//! every exported certificate verifies link by link with `scms inspect --verify
//! --issuer`, the CTL verifies with its electors, and an existing hierarchy is
//! never overwritten.

use std::path::Path;
use std::process::{Command, Output};

fn scms(envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scms"));
    c.args(args).env_remove("SCMS_PASSPHRASE");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("run scms")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const PASS: (&str, &str) = ("SCMS_TEST_PASS", "correct horse battery staple");

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn issuer(role: &str) -> Option<&'static str> {
    match role {
        "root" => None,
        r if r.starts_with("elector") => None,
        "ica" | "crl" => Some("root"),
        _ => Some("ica"),
    }
}

fn init_export_verify(profile: &str) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let out = tmp.path().join("out");
    let init = ok(&scms(
        &[PASS],
        &[
            "init",
            "--data-dir",
            s(&data),
            "--profile",
            profile,
            "--pass-env",
            "SCMS_TEST_PASS",
        ],
    ));
    assert!(init.contains("root "), "{init}");
    for f in [
        "scms.db",
        "scms.toml",
        "certs/root.oer",
        "certs/ctl.oer",
        "profiles/eca.toml",
        "profiles/enrollment.toml",
    ] {
        assert!(data.join(f).exists(), "{f}");
    }
    assert!(std::fs::read_dir(data.join("keys")).expect("keys").count() >= 12);
    let config = std::fs::read_to_string(data.join("scms.toml")).expect("config");
    assert!(!config.contains("correct horse"));

    // A second init into the same directory is refused and changes nothing.
    let before = std::fs::read(data.join("certs/root.oer")).expect("root");
    let again = scms(
        &[PASS],
        &[
            "init",
            "--data-dir",
            s(&data),
            "--profile",
            profile,
            "--pass-env",
            "SCMS_TEST_PASS",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("refusing"));
    assert_eq!(
        std::fs::read(data.join("certs/root.oer")).expect("root"),
        before
    );

    let listed = ok(&scms(
        &[],
        &["export", "--data-dir", s(&data), "--out", s(&out)],
    ));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected = [
        "aca.oer",
        "crl.oer",
        "ctl.oer",
        "eca.oer",
        "elector-1.oer",
        "elector-2.oer",
        "elector-3.oer",
        "ica.oer",
        "la1.oer",
        "la2.oer",
        "ma.oer",
        "ra.oer",
        "root.oer",
    ];
    assert_eq!(names, expected, "{listed}");

    // Exported from the database = written by init.
    for n in &names {
        assert_eq!(
            std::fs::read(out.join(n)).expect("exported"),
            std::fs::read(data.join("certs").join(n)).expect("init copy"),
            "{n}"
        );
    }

    // The authorities that receive encrypted messages carry an encryption
    // key, its private key in the key store (`<label>-enc`): devices encrypt
    // to the RA, the RA to the ACA, the MA to LA1 and LA2 (the linkage-seed
    // request), the LAs and devices to the MA. The others carry none.
    for (role, encrypting) in [
        ("ra", true),
        ("aca", true),
        ("la1", true),
        ("la2", true),
        ("ma", true),
        ("eca", false),
        ("crl", false),
    ] {
        let bytes = std::fs::read(out.join(format!("{role}.oer"))).expect("cert");
        let cert: scms_asn1::ieee1609dot2::Certificate<'_> =
            scms_asn1::decode(&bytes).expect("decodes");
        assert_eq!(
            cert.to_be_signed.encryption_key.is_some(),
            encrypting,
            "{profile} {role}: encryptionKey"
        );
        assert_eq!(
            data.join(format!("keys/{profile}-{role}-enc.key")).exists(),
            encrypting,
            "{profile} {role}: its encryption key in the key store"
        );
    }

    // Link by link with the binary.
    for n in names.iter().filter(|n| *n != "ctl.oer") {
        let role = n.trim_end_matches(".oer");
        let file = out.join(n);
        let mut args = vec!["inspect", s(&file), "--verify"];
        let issuer_file;
        if let Some(i) = issuer(role) {
            issuer_file = out.join(format!("{i}.oer"));
            args.extend(["--issuer", s(&issuer_file)]);
        }
        let o = scms(&[], &args);
        ok(&o);
        // Under the wrong issuer it does not verify.
        if issuer(role) == Some("ica") {
            let wrong = out.join("root.oer");
            let o = scms(
                &[],
                &["inspect", s(&file), "--verify", "--issuer", s(&wrong)],
            );
            assert!(!o.status.success(), "{role} verified under the root");
        }
    }

    // The CTL with its electors.
    let ctl = std::fs::read(out.join("ctl.oer")).expect("ctl");
    let electors: Vec<Vec<u8>> = (1..=3)
        .map(|i| std::fs::read(out.join(format!("elector-{i}.oer"))).expect("elector"))
        .collect();
    let refs: Vec<&[u8]> = electors.iter().map(Vec::as_slice).collect();
    scms_ca::ctl::verify_ctl(&ctl, &refs, 2).expect("CTL verifies");
    // The inspect tool decodes it.
    ok(&scms(&[], &["inspect", s(&out.join("ctl.oer"))]));
}

#[test]
fn init_and_export_us() {
    init_export_verify("us");
}

#[test]
fn init_and_export_cn() {
    init_export_verify("cn");
}

#[test]
fn init_refuses_without_a_passphrase_or_a_memory_store() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let o = scms(&[], &["init", "--data-dir", s(&data)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SCMS_PASSPHRASE"));
    assert!(!data.join("certs").exists());
    let o = scms(
        &[PASS],
        &["init", "--data-dir", s(&data), "--store", "memory"],
    );
    assert_eq!(o.status.code(), Some(2));
    // Export of a directory without a hierarchy.
    let o = scms(
        &[],
        &[
            "export",
            "--data-dir",
            s(&tmp.path().join("none")),
            "--out",
            s(&tmp.path().join("x")),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
}

fn softhsm_module() -> std::path::PathBuf {
    [
        std::env::var("SCMS_PKCS11_MODULE").unwrap_or_default(),
        "/usr/lib/softhsm/libsofthsm2.so".into(),
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so".into(),
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so".into(),
    ]
    .iter()
    .filter(|c| !c.is_empty())
    .map(std::path::PathBuf::from)
    .find(|p| p.exists())
    .expect("SoftHSM2 is not installed: run `apt-get install -y softhsm2` (scripts/test.sh does)")
}

#[test]
fn init_with_keys_on_a_pkcs11_token() {
    let module = softhsm_module();
    let tmp = tempfile::tempdir().expect("tempdir");
    let tokens = tmp.path().join("tokens");
    std::fs::create_dir_all(&tokens).expect("tokens");
    let conf = tmp.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .expect("conf");
    let conf = s(&conf).to_string();
    let made = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args(["--init-token", "--free", "--label", "init-token"])
        .args(["--pin", "9999", "--so-pin", "0000"])
        .output()
        .expect("softhsm2-util not runnable: apt-get install -y softhsm2");
    assert!(made.status.success());
    let env = [("SOFTHSM2_CONF", conf.as_str()), ("SCMS_TEST_PIN", "9999")];
    let data = tmp.path().join("data");
    let out = tmp.path().join("out");
    ok(&scms(
        &env,
        &[
            "init",
            "--data-dir",
            s(&data),
            "--store",
            "pkcs11",
            "--module",
            s(&module),
            "--token",
            "init-token",
            "--pin-env",
            "SCMS_TEST_PIN",
            "--electors",
            "1",
        ],
    ));
    // No soft keys: every key is on the token.
    assert!(!data.join("keys").exists());
    let listed = ok(&scms(
        &env,
        &[
            "key",
            "--store",
            "pkcs11",
            "--module",
            s(&module),
            "--token",
            "init-token",
            "--pin-env",
            "SCMS_TEST_PIN",
            "list",
        ],
    ));
    assert!(
        listed.contains("us-root ") && listed.contains("us-elector-1 "),
        "{listed}"
    );
    ok(&scms(
        &[],
        &["export", "--data-dir", s(&data), "--out", s(&out)],
    ));
    for (role, issuer) in [("ica", "root"), ("eca", "ica"), ("crl", "root")] {
        ok(&scms(
            &[],
            &[
                "inspect",
                s(&out.join(format!("{role}.oer"))),
                "--verify",
                "--issuer",
                s(&out.join(format!("{issuer}.oer"))),
            ],
        ));
    }
    let ctl = std::fs::read(out.join("ctl.oer")).expect("ctl");
    let elector = std::fs::read(out.join("elector-1.oer")).expect("elector");
    scms_ca::ctl::verify_ctl(&ctl, &[&elector], 1).expect("CTL verifies");
}
