//! `Verifier::verify_batch` (engine batch verification, bisection, per-sender
//! batch sizes) gives exactly the verdicts of `Verifier::verify` called on each
//! message in order, on a mixed stream: valid, forged, replayed, revoked,
//! unknown signers, x-only and uncompressed rSig, malformed.

mod common;

use common::{bsm, now64, World};
use scms_asn1::ieee1609dot2::{
    Certificate, EccP256CurvePoint, Ieee1609Dot2Content, Ieee1609Dot2Data, Signature,
    UncompressedP256,
};
use scms_ca::crl::{hash_entry, sign_crl, CrlBody, CrlHeader};
use scms_ca::spdu::SignerForm;
use scms_crypto::suite::{Curve, EcPoint};
use scms_crypto::verify::certificate_hashed_id8;
use scms_sdk::{Rejection, Signer, SigningIdentity, Verified, Verifier, VerifierConfig};

fn verifier(w: &World, crl: &[u8], batch_max: usize) -> Verifier {
    let mut v = Verifier::new(VerifierConfig {
        batch_max,
        ..VerifierConfig::default()
    });
    v.store
        .add_trust_anchor(&w.certificate("root"))
        .expect("root");
    for role in ["ica", "aca", "crl"] {
        let bytes = w.certificate(role);
        let c: Certificate<'_> = scms_asn1::decode(&bytes).expect("cert");
        v.store.add_certificate(&c).expect("ca");
    }
    v.apply_crl(crl, now64(0), 0).expect("crl");
    v
}

/// The same SPDU with rSig rewritten: `x-only` or uncompressed (same signature).
fn with_r(spdu: &[u8], uncompressed: bool) -> Vec<u8> {
    let mut data: Ieee1609Dot2Data<'_> = scms_asn1::decode(spdu).expect("spdu");
    if let Ieee1609Dot2Content::SignedData(sd) = &mut data.content {
        if let Signature::EcdsaNistP256Signature(sig) = &mut sd.signature {
            let (x, odd) = match sig.r_sig {
                EccP256CurvePoint::CompressedY0(x) => (x, false),
                EccP256CurvePoint::CompressedY1(x) => (x, true),
                other => panic!("signer gave {other:?}"),
            };
            sig.r_sig = if uncompressed {
                let p = EcPoint::from_x_and_parity(Curve::NistP256, &x, odd).expect("R");
                let mut y = [0u8; 32];
                y.copy_from_slice(&p.y_bytes());
                EccP256CurvePoint::UncompressedP256(UncompressedP256 { x, y })
            } else {
                EccP256CurvePoint::XOnly(x)
            };
        }
    }
    scms_asn1::encode(&data).expect("encode")
}

fn flip_last(spdu: &[u8]) -> Vec<u8> {
    let mut f = spdu.to_vec();
    if let Some(b) = f.last_mut() {
        *b ^= 1;
    }
    f
}

fn summary(v: &[Result<Verified, Rejection>]) -> Vec<String> {
    v.iter()
        .map(|r| match r {
            Ok(ok) => format!("ok {:02x?}", ok.signer),
            Err(e) => e.to_string(),
        })
        .collect()
}

#[test]
fn batch_verdicts_equal_single_verdicts_on_a_mixed_stream() {
    let w = World::new();
    let revoked_cert = w.pseudonym("revoked");
    let header = CrlHeader {
        series: 1,
        craca: certificate_hashed_id8(&scms_asn1::decode(&w.certificate("root")).expect("root"))
            .expect("id")
            .0,
        issue_date: common::now32() + 60,
        next_crl: common::now32() + 7 * 86_400,
        priority: None,
    };
    let crl = sign_crl(
        &w.ca_keys,
        &w.h.issuer_ref("crl").expect("crl"),
        &header,
        &CrlBody::Hash {
            delta: false,
            crl_serial: 1,
            entries: vec![hash_entry(&revoked_cert).expect("entry")],
        },
        SignerForm::Certificate,
    )
    .expect("crl");

    let mut good = Signer::new(SigningIdentity::new(w.pseudonym("good"), "good").expect("id"));
    let mut other = Signer::new(SigningIdentity::new(w.pseudonym("other"), "other").expect("id"));
    let mut forger =
        Signer::new(SigningIdentity::new(w.pseudonym("forger"), "forger").expect("id"));
    let mut revoked = Signer::new(SigningIdentity::new(revoked_cert, "revoked").expect("id"));
    let mut stranger =
        Signer::new(SigningIdentity::new(w.pseudonym("stranger"), "stranger").expect("id"));

    let t0 = now64(0);
    let keys = &w.device_keys;
    let mut stream: Vec<Vec<u8>> = Vec::new();
    // A stranger's digest-signed message (its certificate went out before).
    let _ = stranger.sign(keys, &bsm(t0)).expect("sign");
    stream.push(stranger.sign(keys, &bsm(t0 + 10)).expect("sign"));
    for k in 0..40u64 {
        let t = t0 + 1_000 * k;
        let g = good.sign(keys, &bsm(t)).expect("sign");
        let o = other.sign(keys, &bsm(t + 1)).expect("sign");
        let f = forger.sign(keys, &bsm(t + 2)).expect("sign");
        let forged = flip_last(&f);
        match k % 8 {
            // A forgery first, then the real message with the same signed bytes
            // (valid: forgeries do not enter the replay cache), then a replay.
            0 => stream.extend([forged.clone(), f.clone(), f, g.clone(), g]),
            // x-only and uncompressed forms of one message: the second is a replay.
            1 => stream.extend([with_r(&g, false), with_r(&g, true), o]),
            2 => stream.extend([with_r(&o, true), forged, g.clone()]),
            3 => stream.extend([
                revoked.sign(keys, &bsm(t)).expect("sign"),
                flip_last(&with_r(&g, false)),
                g,
                o,
            ]),
            4 => stream.extend([forged.clone(), forged, o, b"\x03\x81".to_vec()]),
            5 => stream.extend([g.clone(), flip_last(&g), o.clone(), o]),
            6 => stream.extend([
                forged,
                g,
                good.sign(keys, &bsm(t0 - 60_000_000)).expect("sign"),
            ]),
            _ => stream.extend([g, o, flip_last(&with_r(&f, true)), f]),
        }
    }
    let refs: Vec<&[u8]> = stream.iter().map(Vec::as_slice).collect();
    let now = t0 + 50_000;

    for batch_max in [64, 5, 1] {
        let mut single = verifier(&w, &crl.bytes, batch_max);
        let mut batch = verifier(&w, &crl.bytes, batch_max);
        let expected: Vec<_> = refs.iter().map(|m| single.verify(m, now)).collect();
        // In pieces, so later pieces see the sender sizes and replay cache of
        // earlier ones.
        let mut got = Vec::new();
        for piece in refs.chunks(37) {
            got.extend(batch.verify_batch(piece, now));
        }
        assert_eq!(summary(&got), summary(&expected), "batch_max {batch_max}");
        assert_eq!(got, expected, "batch_max {batch_max}");

        // The stream holds every kind of verdict this test is about.
        let has = |want: fn(&Result<Verified, Rejection>) -> bool| got.iter().any(want);
        assert!(has(|r| r.is_ok()));
        assert!(has(|r| *r == Err(Rejection::BadSignature)));
        assert!(has(|r| *r == Err(Rejection::Replay)));
        assert!(has(|r| matches!(r, Err(Rejection::RevokedByHash { .. }))));
        assert!(has(|r| matches!(r, Err(Rejection::UnknownSigner { .. }))));
        assert!(has(|r| matches!(r, Err(Rejection::TooOld { .. }))));
        assert!(has(|r| matches!(r, Err(Rejection::Malformed(_)))));

        // Everything again: now all are replays or fail as before.
        let again_single: Vec<_> = refs.iter().map(|m| single.verify(m, now)).collect();
        let again_batch = batch.verify_batch(&refs, now);
        assert_eq!(
            again_batch, again_single,
            "second pass, batch_max {batch_max}"
        );
        assert!(!again_batch.iter().any(Result::is_ok));
    }
}

#[test]
fn a_forgery_does_not_mask_the_real_message_inside_one_batch() {
    let w = World::new();
    let mut s = Signer::new(SigningIdentity::new(w.pseudonym("p"), "p").expect("id"));
    let m = s.sign(&w.device_keys, &bsm(now64(0))).expect("sign");
    let mut v = w.verifier();
    let out = v.verify_batch(&[&flip_last(&m), &m, &m, &with_r(&m, false)], now64(0));
    assert_eq!(out[0], Err(Rejection::BadSignature));
    assert!(out[1].is_ok());
    assert_eq!(out[2], Err(Rejection::Replay));
    assert_eq!(out[3], Err(Rejection::Replay));
}
