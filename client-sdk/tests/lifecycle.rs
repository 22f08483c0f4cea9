//! Device lifecycle pieces: the pseudonym pool and its change policy, and the
//! batch verification API.

mod common;

use common::{bsm, now32, now64, World};
use scms_sdk::{PoolError, PseudonymPolicy, PseudonymPool, Rejection};

const MIN: u64 = 60_000_000;

fn pool(w: &World, n: usize) -> PseudonymPool {
    let mut p = PseudonymPool::new(PseudonymPolicy::default());
    for i in 0..n {
        let label = format!("p{i}");
        p.add(w.pseudonym(&label), &label).expect("add");
    }
    p
}

#[test]
fn changes_every_five_minutes_and_at_trip_start() {
    let w = World::new();
    let mut p = pool(&w, 3);
    assert_eq!(p.policy.change_interval_us, 5 * MIN);
    let t0 = now64(0);
    p.signer(1, t0).expect("signer");
    let first = p.current(1).expect("current");
    // Within five minutes the stream keeps its pseudonym.
    p.signer(1, t0 + 4 * MIN).expect("signer");
    assert_eq!(p.current(1), Some(first));
    // After five minutes it changes.
    p.signer(1, t0 + 5 * MIN).expect("signer");
    let second = p.current(1).expect("current");
    assert_ne!(second, first);
    // A trip start changes it at the next message, however recent the change.
    p.start_trip();
    p.signer(1, t0 + 5 * MIN + 1).expect("signer");
    let third = p.current(1).expect("current");
    assert_ne!(third, second);
    assert_ne!(third, first, "least recently used first");
    // Without the trip policy, a trip start changes nothing.
    p.policy.change_at_trip_start = false;
    p.start_trip();
    p.signer(1, t0 + 5 * MIN + 2).expect("signer");
    assert_eq!(p.current(1), Some(third));
}

#[test]
fn one_pseudonym_per_stream_and_distinct_streams_when_possible() {
    let w = World::new();
    let mut p = pool(&w, 2);
    let t0 = now64(0);
    p.signer(1, t0).expect("signer");
    p.signer(2, t0).expect("signer");
    assert_ne!(p.current(1), p.current(2), "two streams, two pseudonyms");
    // Every message of a stream names the same signer until the change.
    let mut v = w.verifier();
    let mut signers = Vec::new();
    for k in 0..5u64 {
        let m = bsm(t0 + k * 100_000);
        let spdu = p.sign(&w.device_keys, 1, &m).expect("sign");
        signers.push(v.verify(&spdu, t0 + k * 100_000).expect("verifies").signer);
    }
    assert!(signers.iter().all(|s| Some(*s) == p.current(1)));
    // The first message after a change carries the new certificate, so a
    // receiver that never saw it verifies it.
    p.start_trip();
    let m = bsm(t0 + 600_000);
    let spdu = p.sign(&w.device_keys, 1, &m).expect("sign");
    let mut fresh = w.verifier();
    fresh
        .verify(&spdu, t0 + 600_000)
        .expect("carries the certificate");
}

#[test]
fn skips_certificates_not_valid_now() {
    let w = World::new();
    let mut p = PseudonymPool::new(PseudonymPolicy::default());
    // One valid from now, one from next week (168 h certificates).
    let week = 7 * 86_400;
    p.add(w.pseudonym_at("now", now32()), "now").expect("add");
    p.add(w.pseudonym_at("later", now32() + week), "later")
        .expect("add");
    assert_eq!(p.len(), 2);
    assert_eq!(p.valid_count(now64(0)), 1);
    let t0 = now64(0);
    for k in 0..3 {
        // Even at a change, the not-yet-valid one is never chosen.
        p.signer(1, t0 + k * 5 * MIN).expect("signer");
        let m = bsm(t0 + k * 5 * MIN);
        let spdu = p.sign(&w.device_keys, 1, &m).expect("sign");
        w.verifier()
            .verify(&spdu, t0 + k * 5 * MIN)
            .expect("signed with the valid pseudonym");
    }
    // Next week only the second one is valid: the stream moves to it.
    let later = now64(u64::from(week));
    let m = bsm(later);
    let spdu = p.sign(&w.device_keys, 1, &m).expect("sign");
    w.verifier()
        .verify(&spdu, later)
        .expect("the later pseudonym");
    // Once both expired, signing fails with a typed error.
    let gone = now64(3 * u64::from(week));
    assert!(matches!(
        p.signer(1, gone),
        Err(PoolError::NoValidPseudonym { .. })
    ));
    p.remove_expired(gone);
    assert!(p.is_empty());
}

#[test]
fn verify_batch_gives_the_single_verdicts_in_order() {
    let w = World::new();
    let mut p = pool(&w, 1);
    let t0 = now64(0);
    let a = p.sign(&w.device_keys, 1, &bsm(t0)).expect("sign");
    let b = p.sign(&w.device_keys, 1, &bsm(t0 + 1)).expect("sign");
    let mut forged = b.clone();
    let n = forged.len();
    forged[n - 1] ^= 1;
    let mut v = w.verifier();
    let out = v.verify_batch(&[&a, &forged, &b, &a, b"\x03"], t0 + 2);
    assert_eq!(out.len(), 5);
    assert!(out[0].is_ok());
    assert_eq!(out[1], Err(Rejection::BadSignature));
    assert!(
        out[2].is_ok(),
        "digest-signed after the certificate in the batch"
    );
    assert_eq!(out[3], Err(Rejection::Replay));
    assert!(matches!(out[4], Err(Rejection::Malformed(_))));
}

/// docs/sdk.md: a verifier, signer or pool can move to a worker thread (or sit
/// in a Mutex); key stores are shared.
#[test]
fn handles_can_move_between_threads() {
    fn send<T: Send>() {}
    fn sync<T: Send + Sync>() {}
    send::<scms_sdk::Verifier>();
    send::<scms_sdk::Signer>();
    send::<PseudonymPool>();
    sync::<scms_hsm::MemoryKeyStore>();
    sync::<std::sync::Mutex<scms_sdk::Verifier>>();
}
