//! The engine's SM2 curve and SM2 verification against things we did not
//! write: OpenSSL (curve parameters, signing, verification), RustCrypto `sm2`
//! (arithmetic, its `dsa` signer and verifier) and the shared GB/T 32918 /
//! YD/T 3957 vectors.

mod ec_util;

use ::sm2 as rcsm2;
use elliptic_curve::group::Group as _;
use elliptic_curve::ops::Reduce;
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::sec1::{FromSec1Point, ToSec1Point};
use elliptic_curve::PrimeField;
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey, EcPoint as OsslPoint, PointConversionForm};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::pkey_ctx::PkeyCtx;
use rand_core_06::{OsRng, RngCore};
use rcsm2::dsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use scms_crypto::engine::{mul, sm2, CurveParams, EngineError, PointError, Sm2};

const N_HEX: &str = "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123";

fn rand32() -> [u8; 32] {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    b
}

fn to32(v: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[32 - v.len()..].copy_from_slice(v);
    out
}

fn bn32(b: &openssl::bn::BigNumRef) -> [u8; 32] {
    to32(&b.to_vec())
}

fn rc_scalar(b: &[u8; 32]) -> rcsm2::Scalar {
    <rcsm2::Scalar as Reduce<rcsm2::FieldBytes>>::reduce(&rcsm2::FieldBytes::from(*b))
}

fn rc_bytes(s: &rcsm2::Scalar) -> [u8; 32] {
    to32(&s.to_repr())
}

fn rc_sec1(p: &rcsm2::AffinePoint) -> Vec<u8> {
    p.to_sec1_point(false).as_bytes().to_vec()
}

/// n - v for a small v, big-endian (from the OpenSSL-checked order).
fn n_minus(v: u64) -> [u8; 32] {
    let n = BigNum::from_hex_str(N_HEX).unwrap();
    let mut r = BigNum::new().unwrap();
    r.checked_sub(&n, &BigNum::from_u32(v as u32).unwrap())
        .unwrap();
    bn32(&r)
}

fn n_plus(v: u32) -> [u8; 32] {
    let n = BigNum::from_hex_str(N_HEX).unwrap();
    let mut r = BigNum::new().unwrap();
    r.checked_add(&n, &BigNum::from_u32(v).unwrap()).unwrap();
    bn32(&r)
}

#[test]
fn curve_constants_match_openssl_and_rustcrypto() {
    let group = EcGroup::from_curve_name(Nid::SM2).unwrap();
    let mut ctx = BigNumContext::new().unwrap();
    let (mut p, mut a, mut b) = (
        BigNum::new().unwrap(),
        BigNum::new().unwrap(),
        BigNum::new().unwrap(),
    );
    group
        .components_gfp(&mut p, &mut a, &mut b, &mut ctx)
        .unwrap();
    let mut n = BigNum::new().unwrap();
    group.order(&mut n, &mut ctx).unwrap();
    let p32 = bn32(&p);
    // p: the largest accepted coordinate is p - 1.
    let mut pm1 = BigNum::new().unwrap();
    pm1.checked_sub(&p, &BigNum::from_u32(1).unwrap()).unwrap();
    assert_eq!(
        sm2::Affine::from_coordinates(&p32, &[0; 32]),
        Err(PointError::Encoding)
    );
    assert!(scms_crypto::engine::field::Fe::<Sm2>::from_bytes(&p32).is_none());
    assert!(scms_crypto::engine::field::Fe::<Sm2>::from_bytes(&bn32(&pm1)).is_some());
    // a = -3.
    let mut a3 = BigNum::new().unwrap();
    a3.checked_add(&a, &BigNum::from_u32(3).unwrap()).unwrap();
    assert_eq!(a3, p);
    // b and the order.
    assert_eq!(
        scms_crypto::engine::field::Fe::<Sm2>::B.to_bytes(),
        bn32(&b)
    );
    assert_eq!(bn32(&n), to32(&hex::decode(N_HEX).unwrap()));
    assert!(sm2::Sc::from_bytes(&bn32(&n)).is_none());
    assert!(sm2::Sc::from_bytes(&n_minus(1)).is_some());
    assert_eq!(
        rc_bytes(&(-rcsm2::Scalar::ONE)),
        n_minus(1),
        "RustCrypto's n"
    );
    // The generator.
    let g = group
        .generator_opt()
        .unwrap()
        .to_bytes(&group, PointConversionForm::UNCOMPRESSED, &mut ctx)
        .unwrap();
    assert_eq!(sm2::Affine::GENERATOR.to_sec1().to_vec(), g);
    let rc_g = rc_sec1(&rcsm2::ProjectivePoint::generator().to_affine());
    assert_eq!(rc_g, g);
    // The limbs the trait declares are the ones tested above.
    assert_eq!(Sm2::P[0], u64::MAX);
}

#[test]
fn scalar_multiplication_matches_rustcrypto() {
    let mut ks: Vec<[u8; 32]> = vec![
        to32(&[1]),
        to32(&[2]),
        to32(&[3]),
        n_minus(1),
        n_minus(2),
        [0x55; 32],
    ];
    for _ in 0..40 {
        ks.push(rc_bytes(&rc_scalar(&rand32())));
    }
    let p = sm2::Affine::from_sec1(&rc_sec1(
        &(rcsm2::ProjectivePoint::generator() * rc_scalar(&rand32())).to_affine(),
    ))
    .unwrap();
    for k in &ks {
        let ours = mul::mul(&sm2::Affine::GENERATOR, &sm2::Sc::from_bytes(k).unwrap())
            .to_affine()
            .unwrap();
        let theirs = (rcsm2::ProjectivePoint::generator() * rc_scalar(k)).to_affine();
        assert_eq!(ours.to_sec1().to_vec(), rc_sec1(&theirs));
        // Straus: dispatched build, portable build, every kind of term.
        let k2 = sm2::Sc::from_bytes(&rc_bytes(&rc_scalar(&rand32()))).unwrap();
        assert!(mul::self_test_straus(
            &p,
            &sm2::Sc::from_bytes(k).unwrap(),
            &k2
        ));
    }
    // k·G for k = n - 1 is -G.
    let m = mul::mul(
        &sm2::Affine::GENERATOR,
        &sm2::Sc::from_bytes(&n_minus(1)).unwrap(),
    );
    assert_eq!(m.to_affine(), Some(sm2::Affine::GENERATOR.neg()));
}

#[test]
fn decompression_matches_rustcrypto() {
    for _ in 0..40 {
        let q = (rcsm2::ProjectivePoint::generator() * rc_scalar(&rand32())).to_affine();
        let c = q.to_sec1_point(true).as_bytes().to_vec();
        let ours = sm2::Affine::from_sec1(&c).unwrap();
        assert_eq!(ours.to_sec1().to_vec(), rc_sec1(&q));
    }
    // An x with no point: x^3 - 3x + b is not a square.
    let mut found = 0;
    for x in 0u8..40 {
        let mut enc = vec![0x02];
        enc.extend_from_slice(&to32(&[x]));
        let rc = rcsm2::AffinePoint::from_sec1_bytes(&enc).ok().is_some();
        assert_eq!(sm2::Affine::from_sec1(&enc).is_ok(), rc, "x = {x}");
        found += usize::from(!rc);
    }
    assert!(found > 0);
}

/// A signature with its key and e, from one of the external signers.
struct Case {
    key: Vec<u8>,
    e: [u8; 32],
    r: [u8; 32],
    s: [u8; 32],
}

fn openssl_key() -> (PKey<Private>, Vec<u8>) {
    let group = EcGroup::from_curve_name(Nid::SM2).unwrap();
    let ec = EcKey::generate(&group).unwrap();
    let mut ctx = BigNumContext::new().unwrap();
    let pubkey = ec
        .public_key()
        .to_bytes(&group, PointConversionForm::UNCOMPRESSED, &mut ctx)
        .unwrap();
    (PKey::from_ec_key(ec).unwrap(), pubkey)
}

/// OpenSSL signs e directly (EVP_PKEY_sign on an SM2 key takes the digest).
fn openssl_case(key: &PKey<Private>, pubkey: &[u8]) -> Case {
    let e = rand32();
    let mut pctx = PkeyCtx::new(key).unwrap();
    pctx.sign_init().unwrap();
    let mut der = Vec::new();
    pctx.sign_to_vec(&e, &mut der).unwrap();
    let sig = EcdsaSig::from_der(&der).unwrap();
    Case {
        key: pubkey.to_vec(),
        e,
        r: bn32(sig.r()),
        s: bn32(sig.s()),
    }
}

fn rustcrypto_case() -> Case {
    let distid = "1234567812345678";
    let sk = rcsm2::dsa::SigningKey::from_slice(distid, &rc_bytes(&rc_scalar(&rand32()))).unwrap();
    let e = rand32();
    let sig: rcsm2::dsa::Signature = sk.sign_prehash(&e).unwrap();
    Case {
        key: sk.verifying_key().to_sec1_bytes().to_vec(),
        e,
        r: to32(&sig.r_bytes()),
        s: to32(&sig.s_bytes()),
    }
}

/// RustCrypto's verdict; anything it cannot parse is invalid.
fn rustcrypto(key: &[u8], e: &[u8; 32], r: &[u8; 32], s: &[u8; 32]) -> bool {
    let Ok(vk) = rcsm2::dsa::VerifyingKey::from_sec1_bytes("1234567812345678", key) else {
        return false;
    };
    let Ok(sig) = rcsm2::dsa::Signature::from_scalars(*r, *s) else {
        return false;
    };
    vk.verify_prehash(e, &sig).is_ok()
}

/// OpenSSL's verdict; anything it cannot parse is invalid.
fn openssl(key: &[u8], e: &[u8; 32], r: &[u8; 32], s: &[u8; 32]) -> bool {
    let group = EcGroup::from_curve_name(Nid::SM2).unwrap();
    let mut ctx = BigNumContext::new().unwrap();
    let Ok(pt) = OsslPoint::from_bytes(&group, key, &mut ctx) else {
        return false;
    };
    let Ok(ec) = EcKey::from_public_key(&group, &pt) else {
        return false;
    };
    if ec.check_key().is_err() {
        return false;
    }
    let pkey = PKey::from_ec_key(ec).unwrap();
    let sig = EcdsaSig::from_private_components(
        BigNum::from_slice(r).unwrap(),
        BigNum::from_slice(s).unwrap(),
    )
    .unwrap();
    let der = sig.to_der().unwrap();
    let mut pctx = PkeyCtx::new(&pkey).unwrap();
    pctx.verify_init().unwrap();
    pctx.verify(e, &der).unwrap_or(false)
}

/// The engine's verdicts, without and with a signer table (they must agree).
fn ours(key: &[u8], e: &[u8; 32], r: &[u8; 32], s: &[u8; 32]) -> bool {
    let Ok(q) = sm2::Affine::from_sec1(key) else {
        return false;
    };
    let Ok(sig) = sm2::Signature::from_scalars(r, s) else {
        return false;
    };
    let single = sm2::verify_prehash(&q, e, &sig).is_ok();
    let table = sm2::SignerTable::new(&q).unwrap();
    assert_eq!(
        table.verify_prehash(e, &sig).is_ok(),
        single,
        "table vs single"
    );
    single
}

fn all_agree(c: &Case, what: &str) -> bool {
    let o = ours(&c.key, &c.e, &c.r, &c.s);
    assert_eq!(
        o,
        rustcrypto(&c.key, &c.e, &c.r, &c.s),
        "{what}: RustCrypto"
    );
    assert_eq!(o, openssl(&c.key, &c.e, &c.r, &c.s), "{what}: OpenSSL");
    o
}

fn flip(x: &[u8; 32], byte: usize, bit: u8) -> [u8; 32] {
    let mut y = *x;
    y[byte] ^= 1 << bit;
    y
}

#[test]
fn valid_signatures_from_openssl_and_rustcrypto_verify() {
    let (key, pubkey) = openssl_key();
    for i in 0..30 {
        let c = if i % 2 == 0 {
            openssl_case(&key, &pubkey)
        } else {
            rustcrypto_case()
        };
        assert!(all_agree(&c, "valid"), "case {i}");
    }
}

#[test]
fn damaged_signatures_are_rejected_like_the_references() {
    let (key, pubkey) = openssl_key();
    let other = openssl_case(&openssl_key().0, &openssl_key().1);
    for i in 0..12 {
        let c = if i % 2 == 0 {
            openssl_case(&key, &pubkey)
        } else {
            rustcrypto_case()
        };
        let byte = (i * 5) % 32;
        let bit = (i % 8) as u8;
        let tampered = [
            Case {
                e: flip(&c.e, byte, bit),
                ..copy(&c)
            },
            Case {
                r: flip(&c.r, byte, bit),
                ..copy(&c)
            },
            Case {
                s: flip(&c.s, byte, bit),
                ..copy(&c)
            },
            // Wrong key.
            Case {
                key: other.key.clone(),
                ..copy(&c)
            },
            // r and s swapped.
            Case {
                r: c.s,
                s: c.r,
                ..copy(&c)
            },
        ];
        for (k, t) in tampered.iter().enumerate() {
            assert!(!all_agree(t, "tampered"), "case {i} kind {k}");
        }
    }
}

fn copy(c: &Case) -> Case {
    Case {
        key: c.key.clone(),
        e: c.e,
        r: c.r,
        s: c.s,
    }
}

#[test]
fn out_of_range_scalars_are_rejected() {
    let c = rustcrypto_case();
    let n = to32(&hex::decode(N_HEX).unwrap());
    let bad = [[0u8; 32], n, n_plus(1), [0xff; 32]];
    for v in bad {
        assert!(!all_agree(&Case { r: v, ..copy(&c) }, "r out of range"));
        assert!(!all_agree(&Case { s: v, ..copy(&c) }, "s out of range"));
        assert!(matches!(
            sm2::Signature::from_scalars(&v, &c.s),
            Err(EngineError::InvalidSignature)
        ));
    }
    // r + s = n gives t = 0 (B5).
    let r = sm2::Sc::from_bytes(&c.r).unwrap();
    let s_bad = r.neg().to_bytes();
    assert!(!all_agree(
        &Case {
            s: s_bad,
            ..copy(&c)
        },
        "r + s = n"
    ));
    // r = n - 1 and s = 1 likewise.
    assert!(!all_agree(
        &Case {
            r: n_minus(1),
            s: to32(&[1]),
            ..copy(&c)
        },
        "r + s = n"
    ));
}

#[test]
fn invalid_keys_are_rejected() {
    let c = rustcrypto_case();
    // Off the curve: y + 1.
    let mut off = c.key.clone();
    off[64] ^= 1;
    assert_eq!(sm2::Affine::from_sec1(&off), Err(PointError::NotOnCurve));
    assert!(!all_agree(
        &Case {
            key: off,
            ..copy(&c)
        },
        "off curve"
    ));
    // Coordinates >= p.
    let mut big = vec![4u8];
    big.extend_from_slice(&[0xff; 64]);
    assert!(!all_agree(
        &Case {
            key: big,
            ..copy(&c)
        },
        "x >= p"
    ));
    // The point at infinity and malformed encodings.
    for enc in [vec![0u8], vec![], vec![4u8; 64], c.key[..33].to_vec()] {
        assert!(sm2::Affine::from_sec1(&enc).is_err());
        assert!(!all_agree(
            &Case {
                key: enc,
                ..copy(&c)
            },
            "encoding"
        ));
    }
    // A P-256 public key is not a point of the SM2 curve.
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    let mut ctx = BigNumContext::new().unwrap();
    let p256_key = EcKey::generate(&group)
        .unwrap()
        .public_key()
        .to_bytes(&group, PointConversionForm::UNCOMPRESSED, &mut ctx)
        .unwrap();
    assert_eq!(
        sm2::Affine::from_sec1(&p256_key),
        Err(PointError::NotOnCurve)
    );
    assert!(!all_agree(
        &Case {
            key: p256_key,
            ..copy(&c)
        },
        "P-256 key"
    ));
    // The valid key itself still verifies.
    assert!(sm2::Affine::from_sec1(&c.key).is_ok_and(|q| q.is_on_curve()));
    assert!(all_agree(&c, "valid"));
}

/// Signatures whose x1 is chosen: x1 in [n, p) takes the x1 = v + n branch
/// of the comparison, x1 = 0 and x1 = n the v = 0 one. Built with RustCrypto
/// arithmetic: pick R1 = (x1, y1), s and r; t = r + s; the key is
/// P = t^-1·(R1 - s·G) and e = r - x1 mod n.
#[test]
fn x1_at_the_edges_of_reduction_mod_n() {
    let n = BigNum::from_hex_str(N_HEX).unwrap();
    let mut starts = vec![BigNum::from_u32(0).unwrap()];
    for j in 0..3u32 {
        let mut x = BigNum::new().unwrap();
        x.checked_add(&n, &BigNum::from_u32(j).unwrap()).unwrap();
        starts.push(x);
    }
    let mut tested = 0;
    for start in starts {
        // The next x from `start` that is on the curve.
        let mut x = start;
        let r1 = loop {
            let mut enc = vec![0x02];
            enc.extend_from_slice(&bn32(&x));
            if let Ok(p) = rcsm2::AffinePoint::from_sec1_bytes(&enc) {
                break p;
            }
            x.add_word(1).unwrap();
        };
        let x1 = bn32(&x);
        let s = rc_scalar(&rand32());
        let r = rc_scalar(&rand32());
        let t = r + s;
        let key = ((rcsm2::ProjectivePoint::from(r1) - rcsm2::ProjectivePoint::generator() * s)
            * t.invert().unwrap())
        .to_affine();
        let e = rc_bytes(&(r - rc_scalar(&x1)));
        let c = Case {
            key: rc_sec1(&key),
            e,
            r: rc_bytes(&r),
            s: rc_bytes(&s),
        };
        assert!(all_agree(&c, "chosen x1"), "x1 = {x}");
        assert!(!all_agree(
            &Case {
                e: flip(&e, 31, 0),
                ..copy(&c)
            },
            "chosen x1, e + 1"
        ));
        // x(R1) is what the verifier sees.
        assert_eq!(to32(&r1.x()), x1);
        tested += 1;
    }
    assert_eq!(tested, 4);
}

#[test]
fn shared_vectors_verify_on_the_engine() {
    let j: serde_json::Value = serde_json::from_str(&ec_util::read_shared_str(
        "vectors/sm/sm_known_answers.json",
    ))
    .unwrap();
    let h = |v: &serde_json::Value, k: &str| to32(&ec_util::hex(v[k].as_str().unwrap()));
    let v = &j["sm2_sign_recommended_curve"];
    let za = ec_util::hex(v["ZA"].as_str().unwrap());
    let msg = v["msg_ascii"].as_str().unwrap().as_bytes();
    let e: [u8; 32] = sm3_of(&[&za, msg]);
    let mut key = vec![4u8];
    key.extend_from_slice(&h(v, "Qx"));
    key.extend_from_slice(&h(v, "Qy"));
    let c = Case {
        key,
        e,
        r: h(v, "r"),
        s: h(v, "s"),
    };
    assert!(all_agree(&c, "GB/T 32918 example"));
    assert!(!all_agree(
        &Case {
            e: flip(&e, 0, 0),
            ..copy(&c)
        },
        "GB/T example, e"
    ));

    let v = &j["ydt3957_spdu_sm2_signature_example"];
    let mut key = vec![4u8];
    key.extend_from_slice(&h(v, "signer_pub_x"));
    key.extend_from_slice(&h(v, "signer_pub_y"));
    let c = Case {
        key,
        e: h(v, "e_equal_SM3_ZA_concat_tbs"),
        r: h(v, "r"),
        s: h(v, "s"),
    };
    assert!(all_agree(&c, "YD/T 3957 example"));
}

fn sm3_of(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = openssl::hash::Hasher::new(openssl::hash::MessageDigest::sm3()).unwrap();
    for p in parts {
        h.update(p).unwrap();
    }
    to32(&h.finish().unwrap())
}

#[test]
fn signer_cache_keeps_sm2_tables_by_id() {
    let mut cache = sm2::SignerCache::new(2);
    let (key, pubkey) = openssl_key();
    let q = sm2::Affine::from_sec1(&pubkey).unwrap();
    for i in 0..5u8 {
        let c = openssl_case(&key, &pubkey);
        let sig = sm2::Signature::from_scalars(&c.r, &c.s).unwrap();
        assert!(cache.verify_with_table(&[i % 3; 8], &q, &c.e, &sig).is_ok());
        let bad_e = flip(&c.e, 3, 3);
        assert!(cache
            .verify_with_table(&[i % 3; 8], &q, &bad_e, &sig)
            .is_err());
    }
    assert_eq!(cache.len(), 2);
    // A cached id presented with another key rebuilds rather than misverifies.
    let c = rustcrypto_case();
    let other = sm2::Affine::from_sec1(&c.key).unwrap();
    let sig = sm2::Signature::from_scalars(&c.r, &c.s).unwrap();
    assert!(cache.verify_with_table(&[1; 8], &other, &c.e, &sig).is_ok());
    assert!(cache.verify_with_table(&[1; 8], &q, &c.e, &sig).is_err());
}

/// The suite routes SM2 verification to the engine, with and without a key
/// table; signatures from the suite's RustCrypto signer and from OpenSSL.
#[test]
fn suite_verifies_sm2_on_the_engine_with_and_without_tables() {
    use scms_crypto::suite::{self, Curve, KeyTable, PublicKey, SecretKey, SignatureR};
    let key = SecretKey::generate(Curve::Sm2, &mut suite::os_rng()).unwrap();
    let q = key.public_key();
    let table = q.signer_table().unwrap();
    assert!(matches!(table, KeyTable::Sm2(_)));
    let (okey, opub) = openssl_key();
    let oq = PublicKey::from_sec1(Curve::Sm2, &opub).unwrap();
    let otable = oq.signer_table().unwrap();
    for _ in 0..8 {
        let e = rand32();
        let sig = key.sign_digest(&e, &mut suite::os_rng()).unwrap();
        q.verify_digest(&e, &sig).unwrap();
        q.verify_digest_with_table(&table, &e, &sig).unwrap();
        let bad = flip(&e, 9, 2);
        assert!(q.verify_digest(&bad, &sig).is_err());
        assert!(q.verify_digest_with_table(&table, &bad, &sig).is_err());
        assert!(oq.verify_digest(&e, &sig).is_err());

        let c = openssl_case(&okey, &opub);
        let osig = suite::Signature {
            r: SignatureR::X(c.r.to_vec()),
            s: c.s.to_vec(),
        };
        oq.verify_digest(&c.e, &osig).unwrap();
        oq.verify_digest_with_table(&otable, &c.e, &osig).unwrap();
        assert!(q.verify_digest_with_table(&table, &c.e, &osig).is_err());
        // Wrong lengths are refused, not padded.
        let short = suite::Signature {
            r: SignatureR::X(c.r[1..].to_vec()),
            s: c.s.to_vec(),
        };
        assert!(oq.verify_digest(&c.e, &short).is_err());
        assert!(oq.verify_digest(&c.e[1..], &osig).is_err());
    }
}
