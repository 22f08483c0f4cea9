//! The `scms-conformance` binary: run with the three reports, exit codes
//! (0 no failure, 1 a failure, 2 usage), `list` and `mutants`.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scms-conformance"))
}

#[test]
fn run_writes_json_junit_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let out = bin()
        .args([
            "run",
            "--target",
            "sdk",
            "--profile",
            "us",
            "--only",
            "TP_SPDU_RCV_REGION_*",
        ])
        .args([
            "--json",
            &p("r.json"),
            "--junit",
            &p("r.xml"),
            "--html",
            &p("r.html"),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p("r.json")).unwrap()).unwrap();
    assert_eq!(j["target"], "sdk");
    assert!(j["suite_version"]
        .as_str()
        .unwrap()
        .starts_with("scms-conformance "));
    let ids: Vec<&str> = j["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["TP_SPDU_RCV_REGION_01", "TP_SPDU_RCV_REGION_02"]);
    assert!(j["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["verdict"] == "pass"));
    let xml = std::fs::read_to_string(p("r.xml")).unwrap();
    assert!(xml.starts_with("<?xml") && xml.contains("name=\"TP_SPDU_RCV_REGION_01\""));
    let html = std::fs::read_to_string(p("r.html")).unwrap();
    assert!(html.contains("TP_SPDU_RCV_REGION_02") && html.contains("2 pass, 0 fail"));
}

#[test]
fn a_failure_exits_1_and_bad_usage_2() {
    let out = bin()
        .args([
            "run",
            "--target",
            "mutant:verifier-skips-region",
            "--only",
            "TP_SPDU_RCV_REGION_01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("fail         TP_SPDU_RCV_REGION_01"));
    for args in [
        &["run"][..],
        &["run", "--target", "ftp://x"],
        &["run", "--target", "sdk", "--profile", "eu"],
        &["run", "--target", "sdk", "--only", "NO_SUCH_*"],
        &["frobnicate"],
    ] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn list_and_mutants() {
    let out = bin().args(["list"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() >= 80);
    let out = bin().args(["mutants"]).output().unwrap();
    let names = String::from_utf8(out.stdout).unwrap();
    for m in scms_conformance::mutants::mutants() {
        assert!(names.lines().any(|l| l == m.name), "{}", m.name);
    }
}
