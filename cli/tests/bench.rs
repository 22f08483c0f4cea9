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
