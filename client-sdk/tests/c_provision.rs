//! Builds `examples/c/enroll_provision.c` against the SDK's static library
//! and runs it against the real ECA, RA, LA1, LA2 and ACA on loopback: the C
//! program enrolls, provisions, downloads, signs with a pseudonym and
//! verifies through the C ABI; this test only carries its HTTP calls (the
//! framing is described in the C file).

mod c_support;
mod eca_support;
mod scms_support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use scms_support::Scms;

#[test]
fn c_device_enrolls_provisions_signs_and_verifies() {
    let Some(cc) = c_support::c_compiler() else {
        return;
    };
    let s = Scms::start();
    let dir = tempfile::tempdir().expect("tempdir");
    for role in ["root", "ica", "aca", "ra"] {
        std::fs::write(dir.path().join(format!("{role}.oer")), s.certificate(role)).expect("write");
    }
    // What the device asks the ECA for (its key is replaced by the SDK's).
    let template = scms_hsm::MemoryKeyStore::new();
    scms_hsm::KeyStore::generate(&template, "t", scms_crypto::suite::Curve::NistP256).expect("key");
    let tbs = scms_asn1::encode(&eca_support::device_tbs(&template, "t")).expect("tbs");
    std::fs::write(dir.path().join("tbs.oer"), tbs).expect("write");
    let exe = dir.path().join("enroll_provision");
    c_support::build(&cc, "static", "enroll_provision", &exe);

    let now32 = scms_ca::eca::system_now();
    let now_us = u64::from(now32) * 1_000_000;
    let mut child = Command::new(&exe)
        .arg(dir.path())
        .arg(now32.to_string())
        .arg(now_us.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run enroll_provision");
    let mut to_child = child.stdin.take().expect("stdin");
    let mut from_child = child.stdout.take().expect("stdout");
    let mut calls = Vec::new();
    loop {
        let mut head = [0u8; 5];
        if from_child.read_exact(&mut head).is_err() {
            break; // the program finished (or failed: see its stderr)
        }
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        let mut req = vec![0u8; len];
        from_child.read_exact(&mut req).expect("request bytes");
        calls.push(head[0]);
        let (status, body) = match head[0] {
            b'E' => s.call(&s.eca, "POST", "/v3/enrollment-certificate", &[], &req),
            b'P' => s.call(&s.ra, "POST", "/v3/authorization-certificate", &[], &req),
            b'D' => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(&req);
                let deadline = Instant::now() + Duration::from_secs(30);
                loop {
                    let (status, body) = s.call(
                        &s.ra,
                        "GET",
                        "/v3/authorization-certificate",
                        &[("Download-Req", &b64)],
                        &[],
                    );
                    if status != 503 || Instant::now() > deadline {
                        break (status, body);
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
            }
            other => panic!("unknown call {other}"),
        };
        let mut answer = Vec::with_capacity(6 + body.len());
        answer.extend_from_slice(&status.to_be_bytes());
        answer.extend_from_slice(&(body.len() as u32).to_be_bytes());
        answer.extend_from_slice(&body);
        to_child.write_all(&answer).expect("answer");
        to_child.flush().expect("flush");
    }
    drop(to_child);
    let exit = child.wait().expect("wait");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    println!("{err}");
    assert!(exit.success(), "enroll_provision failed:\n{err}");
    assert_eq!(calls, b"EPD");
    for line in [
        "answer to another request    NOT_OUR_REQUEST",
        "enrolled: certificate of",
        "ack: first i-period",
        "truncated download           MALFORMED",
        "provisioned ",
        "and verified: psid 32",
        "lifecycle complete",
    ] {
        assert!(err.contains(line), "missing {line:?} in\n{err}");
    }
}
