//! Round trips on every curve (sign/verify, ECQV issue/reconstruct, butterfly
//! expansion, ECDH agreement) and the typed rejection of malformed input.

mod ec_util;

use ec_util::*;
use scms_crypto::butterfly::{expand_cocoon_key, CaterpillarKeyPair, ExpansionKind};
use scms_crypto::ecqv::{
    certificate_e, reconstruct_key_pair, reconstruct_public_key, EcqvIssuance,
};
use scms_crypto::hash::digest;
use scms_crypto::suite::{
    CryptoProvider, Curve, EcPoint, EcScalar, Error, RustCryptoProvider, SecretKey, Signature,
    SignatureR,
};

fn rng() -> getrandom::SysRng {
    getrandom::SysRng
}

const P256_N: &str = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
const SM2_N: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";

#[test]
fn sign_verify_every_curve() {
    for curve in Curve::ALL {
        for round in 0..8u8 {
            let key = SecretKey::generate(curve, &mut rng()).expect("key");
            let q = key.public_key();
            let z = digest(curve.hash(), &[round; 5]);
            let sig = key.sign_digest(z.as_bytes(), &mut rng()).expect("sign");
            q.verify_digest(z.as_bytes(), &sig).expect("verify");
            assert_eq!(sig.s.len(), curve.field_len());
            if curve.is_sm2() {
                assert!(matches!(sig.r, SignatureR::X(_)));
            } else {
                // Full R, whose x is r, and the x-only form verifies too.
                let SignatureR::Point(r) = &sig.r else {
                    panic!("ECDSA r must be a point")
                };
                assert_eq!(r.x_bytes(), sig.r_bytes());
                q.verify_digest(z.as_bytes(), &sig.to_x_only())
                    .expect("x-only");
            }
            let bad = flip(z.as_bytes(), usize::from(round) % 32, round % 8);
            assert_eq!(q.verify_digest(&bad, &sig), Err(Error::VerificationFailed));
            let other = SecretKey::generate(curve, &mut rng())
                .expect("key")
                .public_key();
            assert!(other.verify_digest(z.as_bytes(), &sig).is_err());
        }
    }
}

#[test]
fn ecdsa_r_point_with_wrong_parity_is_rejected() {
    let key = SecretKey::generate(Curve::NistP256, &mut rng()).expect("key");
    let z = [7u8; 32];
    let sig = key.sign_digest(&z, &mut rng()).expect("sign");
    let SignatureR::Point(r) = &sig.r else {
        panic!()
    };
    let flipped =
        EcPoint::from_x_and_parity(Curve::NistP256, &r.x_bytes(), !r.y_is_odd()).expect("-R");
    let bad = Signature {
        r: SignatureR::Point(flipped),
        s: sig.s.clone(),
    };
    assert_eq!(
        key.public_key().verify_digest(&z, &bad),
        Err(Error::VerificationFailed)
    );
}

#[test]
fn malformed_signatures_are_typed_errors() {
    for (curve, n_hex) in [(Curve::NistP256, P256_N), (Curve::Sm2, SM2_N)] {
        let key = SecretKey::generate(curve, &mut rng()).expect("key");
        let q = key.public_key();
        let e = [1u8; 32];
        let good = key.sign_digest(&e, &mut rng()).expect("sign").to_x_only();
        let r = good.r_bytes();
        let n = hex(n_hex);
        let cases = [
            (vec![0u8; 32], good.s.clone()),
            (r.clone(), vec![0u8; 32]),
            (n.clone(), good.s.clone()),
            (r.clone(), n.clone()),
            (vec![0xff; 32], good.s.clone()),
            (r.clone(), vec![1u8; 31]),
            (r[1..].to_vec(), good.s.clone()),
        ];
        for (r, s) in cases {
            let sig = Signature {
                r: SignatureR::X(r),
                s,
            };
            assert_eq!(
                q.verify_digest(&e, &sig),
                Err(Error::InvalidSignature),
                "{curve:?}"
            );
        }
        assert_eq!(
            EcScalar::from_be_bytes(curve, &n).unwrap_err(),
            Error::InvalidScalar
        );
        assert_eq!(
            SecretKey::from_be_bytes(curve, &n).unwrap_err(),
            Error::InvalidScalar
        );
    }
    // SM2: r as a point and an e of the wrong size are refused.
    let key = SecretKey::generate(Curve::Sm2, &mut rng()).expect("key");
    let sig = Signature {
        r: SignatureR::Point(key.public_key()),
        s: vec![1; 32],
    };
    assert_eq!(
        key.public_key().verify_digest(&[0; 32], &sig),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        key.sign_digest(&[0; 31], &mut rng()).unwrap_err(),
        Error::InvalidLength
    );
    // A P-256 R point against a P-384 key.
    let k256 = SecretKey::generate(Curve::NistP256, &mut rng()).expect("key");
    let sig = k256.sign_digest(&[3; 32], &mut rng()).expect("sign");
    let k384 = SecretKey::generate(Curve::NistP384, &mut rng()).expect("key");
    assert_eq!(
        k384.public_key().verify_digest(&[3; 32], &sig),
        Err(Error::CurveMismatch)
    );
}

#[test]
fn invalid_points_are_rejected() {
    let g = EcPoint::generator(Curve::NistP256);
    let mut enc = g.to_sec1(false);
    assert_eq!(EcPoint::from_sec1(Curve::NistP256, &enc).expect("G"), g);
    enc[64] ^= 1; // y + 1: off the curve
    assert_eq!(
        EcPoint::from_sec1(Curve::NistP256, &enc).unwrap_err(),
        Error::InvalidPoint
    );
    assert_eq!(
        EcPoint::from_sec1(Curve::NistP256, &[0]).unwrap_err(),
        Error::InvalidPoint
    );
    assert_eq!(
        EcPoint::from_sec1(Curve::NistP256, &[]).unwrap_err(),
        Error::InvalidPoint
    );
    assert_eq!(
        EcPoint::from_sec1(Curve::NistP256, &enc[..40]).unwrap_err(),
        Error::InvalidPoint
    );
    // x = p - 1 ... not every x has a y; x too long or short is a length error.
    assert_eq!(
        EcPoint::from_x_and_parity(Curve::NistP256, &[0; 31], true).unwrap_err(),
        Error::InvalidLength
    );
    assert!(EcPoint::from_x_and_parity(Curve::NistP256, &[0xff; 32], true).is_err());
    // G + (-G) is the identity: an error, not a point.
    let minus_g =
        EcPoint::from_x_and_parity(Curve::NistP256, &g.x_bytes(), !g.y_is_odd()).expect("-G");
    assert_eq!(g.add(&minus_g).unwrap_err(), Error::DegenerateResult);
    // Compressed and uncompressed encodings round-trip on every curve.
    for curve in Curve::ALL {
        let p = SecretKey::generate(curve, &mut rng())
            .expect("key")
            .public_key();
        assert_eq!(EcPoint::from_sec1(curve, &p.to_sec1(true)).expect("c"), p);
        assert_eq!(EcPoint::from_sec1(curve, &p.to_sec1(false)).expect("u"), p);
        assert_eq!(
            EcPoint::from_xy(curve, &p.x_bytes(), &p.y_bytes()).expect("xy"),
            p
        );
        assert_eq!(
            EcPoint::from_x_and_parity(curve, &p.x_bytes(), p.y_is_odd()).expect("xp"),
            p
        );
    }
}

#[test]
fn ecdh_agrees_on_every_curve() {
    for curve in Curve::ALL {
        let a = SecretKey::generate(curve, &mut rng()).expect("a");
        let b = SecretKey::generate(curve, &mut rng()).expect("b");
        let ab = a.ecdh(&b.public_key()).expect("ab");
        assert_eq!(
            ab.as_slice(),
            b.ecdh(&a.public_key()).expect("ba").as_slice()
        );
        assert_eq!(ab.len(), curve.field_len());
    }
    let a = SecretKey::generate(Curve::NistP256, &mut rng()).expect("a");
    let b = SecretKey::generate(Curve::Sm2, &mut rng()).expect("b");
    assert_eq!(a.ecdh(&b.public_key()).unwrap_err(), Error::CurveMismatch);
}

#[test]
fn ecqv_round_trip_every_curve() {
    for curve in Curve::ALL {
        let ca = SecretKey::generate(curve, &mut rng()).expect("ca");
        let request = SecretKey::generate(curve, &mut rng()).expect("kU");
        let issuance = EcqvIssuance::start(&request.public_key(), &mut rng()).expect("start");
        let pu = *issuance.reconstruction_value();
        let mut tbs = b"tbs with P_U: ".to_vec();
        tbs.extend_from_slice(&pu.to_sec1(true));
        let e = certificate_e(curve, &tbs, b"issuer certificate");
        let s = issuance.finish(&e, &ca).expect("s");
        let du = reconstruct_key_pair(&request, &e, &s, &pu, &ca.public_key()).expect("dU");
        assert_eq!(
            du.public_key(),
            reconstruct_public_key(&e, &pu, &ca.public_key()).expect("QU")
        );
        // A different e (another tbs) does not give a consistent pair.
        let e2 = certificate_e(curve, b"other", b"issuer certificate");
        assert_eq!(
            reconstruct_key_pair(&request, &e2, &s, &pu, &ca.public_key()).unwrap_err(),
            Error::VerificationFailed
        );
        // The reconstructed key signs for the implicit certificate.
        let z = digest(curve.hash(), b"spdu");
        let sig = du.sign_digest(z.as_bytes(), &mut rng()).expect("sign");
        reconstruct_public_key(&e, &pu, &ca.public_key())
            .expect("QU")
            .verify_digest(z.as_bytes(), &sig)
            .expect("verify");
    }
}

#[test]
fn butterfly_round_trip_and_384_refused() {
    for curve in [Curve::NistP256, Curve::BrainpoolP256r1, Curve::Sm2] {
        let cat = CaterpillarKeyPair::generate(curve, &mut rng()).expect("caterpillar");
        for kind in [ExpansionKind::Signing, ExpansionKind::Encryption] {
            for (i, j) in [(0u32, 1u32), (0x217D79E1, 20), (u32::MAX, u32::MAX)] {
                let cocoon = expand_cocoon_key(&cat.public_key(), cat.expansion_key(), kind, i, j)
                    .expect("cocoon");
                let d = cat.expand_private_key(kind, i, j).expect("d");
                assert_eq!(d.public_key(), cocoon.0);
            }
        }
    }
    for curve in [Curve::NistP384, Curve::BrainpoolP384r1] {
        assert_eq!(
            CaterpillarKeyPair::generate(curve, &mut rng()).unwrap_err(),
            Error::Unsupported
        );
    }
}

#[test]
fn provider_and_debug_hide_secrets() {
    let p = RustCryptoProvider;
    let key = p.generate_key(Curve::NistP256).expect("key");
    let sig = p.sign_digest(&key, &[9; 32]).expect("sign");
    p.verify_digest(&key.public_key(), &[9; 32], &sig)
        .expect("verify");
    let secret_hex = hex::encode(key.to_be_bytes().as_slice());
    let dbg = format!("{key:?} {:?}", key.as_scalar());
    assert!(!dbg.to_lowercase().contains(&secret_hex[..16]));
    let mut buf = [0u8; 32];
    p.fill_random(&mut buf).expect("rng");
    assert_ne!(buf, [0u8; 32]);
}

/// Random bytes in every decoder and in verification: typed errors, no panic.
#[test]
fn random_input_never_panics() {
    use getrandom::rand_core::TryRng;
    let mut r = rng();
    let mut buf = [0u8; 200];
    for round in 0..400usize {
        r.try_fill_bytes(&mut buf).expect("rng");
        let curve = Curve::ALL[round % 5];
        let n = curve.field_len();
        let len = usize::from(buf[0]) % 110;
        let mut enc = buf[1..1 + len].to_vec();
        if let Some(first) = enc.first_mut() {
            *first = [2, 3, 4, 0, 5, 6][round % 6];
        }
        let _ = EcPoint::from_sec1(curve, &enc);
        let _ = EcPoint::from_x_and_parity(curve, &buf[100..100 + n], round % 2 == 0);
        let _ = EcScalar::from_be_bytes(curve, &buf[100..100 + n]);
        let _ = SecretKey::from_be_bytes(curve, &buf[..n]);
        let key = SecretKey::generate(curve, &mut r)
            .expect("key")
            .public_key();
        let sig = Signature {
            r: SignatureR::X(buf[..n].to_vec()),
            s: buf[n..2 * n].to_vec(),
        };
        assert!(key.verify_digest(&buf[150..150 + n], &sig).is_err());
        if let Ok(p) = EcPoint::from_x_and_parity(curve, &buf[100..100 + n], true) {
            let sig = Signature {
                r: SignatureR::Point(p),
                s: buf[n..2 * n].to_vec(),
            };
            assert!(key.verify_digest(&buf[150..150 + n], &sig).is_err());
        }
    }
}
