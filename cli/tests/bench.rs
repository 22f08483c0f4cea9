//! `scms bench verify --json`: the shape of the object, not the speed.

use std::process::Command;

#[test]
fn bench_verify_json_shape() {
    let o = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args([
            "bench",
            "verify",
            "--seconds",
            "0.2",
            "--rounds",
            "2",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(|k| k.as_str()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "openssl_sign_per_s",
            "openssl_sm2_verify_per_s",
            "openssl_verify_per_s",
            "scenarios"
        ]
    );
    for k in [
        "openssl_verify_per_s",
        "openssl_sign_per_s",
        "openssl_sm2_verify_per_s",
    ] {
        assert!(obj[k].as_f64().unwrap() > 0.0, "{k}");
    }
    let names: Vec<&str> = obj["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let s = s.as_object().unwrap();
            assert_eq!(s.len(), 3);
            assert!(s["per_s"].as_f64().unwrap() > 0.0);
            assert!(s["ratio"].as_f64().unwrap() > 0.0);
            s["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "single",
            "same_signer",
            "batch_8",
            "batch_64",
            "batch_256",
            "stream",
            "forged_64",
            "sign",
            "sm2_single",
            "sm2_same_signer"
        ]
    );
}

/// `scms bench load --ra-processes 1` on a SQLite data directory: it starts
/// the services itself, provisions the devices asked for and reports every
/// kind of request, with no error.
#[test]
fn bench_load_starts_the_services_and_reports() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let pass = ("SCMS_TEST_PASS", "correct horse battery staple");
    let o = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["init", "--data-dir", d, "--pass-env", pass.0])
        .env(pass.0, pass.1)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("scms.toml"))
        .unwrap()
        .write_all(
            b"pass_env = \"SCMS_TEST_PASS\"\n[ra]\nworker_period_ms = 100\nshuffle_min_devices = 2\n\
              shuffle_max_wait_secs = 1\ndownload_delay_secs = 0\nretry_secs = 1\n",
        )
        .unwrap();
    // More than one RA process needs a shared database.
    let o = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["bench", "load", "--data-dir", d, "--ra-processes", "2"])
        .env(pass.0, pass.1)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SQLite is one node"));

    let o = Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(["bench", "load", "--data-dir", d, "--ra-processes", "1"])
        .args([
            "--devices",
            "3",
            "--concurrency",
            "3",
            "--seconds",
            "60",
            "--json",
        ])
        .env(pass.0, pass.1)
        .env_remove("SCMS_DATABASE_URL")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["errors"], 0, "{v}");
    assert_eq!(v["devices"], 3, "{v}");
    assert_eq!(v["certificates"], 60, "{v}");
    for kind in ["provision", "download", "crl", "enroll"] {
        let k = &v["kinds"][kind];
        assert!(k["requests"].as_u64().unwrap() >= 3, "{kind}: {v}");
        assert!(k["p99_ms"].as_f64().unwrap() >= k["p50_ms"].as_f64().unwrap());
    }
    assert_eq!(v["kinds"]["provision"]["ok"], 3);
    assert!(v["kinds"]["download"]["ok"].as_u64().unwrap() >= 3);
    assert_eq!(v["ra_connections"].as_array().unwrap().len(), 1);
    assert!(v["ra_connections"][0].as_u64().unwrap() >= 6, "{v}");
}
