//! Field and scalar arithmetic of the verification engine against num-bigint,
//! on both curves (P-256 and SM2), with p and n taken from OpenSSL.

use num_bigint::BigUint;
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::EcGroup;
use openssl::nid::Nid;
use rand_core_06::{OsRng, RngCore};
use scms_crypto::engine::field;
use scms_crypto::engine::scalar::Sc;
use scms_crypto::engine::{CurveParams, Sm2, P256};

/// The engine's P-256 field element (the IFMA lanes are P-256 only).
type Fe = field::Fe<P256>;

/// (p, n) of the curve as OpenSSL has them.
fn params(nid: Nid) -> (BigUint, BigUint) {
    let group = EcGroup::from_curve_name(nid).unwrap();
    let mut ctx = BigNumContext::new().unwrap();
    let (mut p, mut a, mut b, mut n) = (
        BigNum::new().unwrap(),
        BigNum::new().unwrap(),
        BigNum::new().unwrap(),
        BigNum::new().unwrap(),
    );
    group
        .components_gfp(&mut p, &mut a, &mut b, &mut ctx)
        .unwrap();
    group.order(&mut n, &mut ctx).unwrap();
    let big = |x: &BigNum| BigUint::from_bytes_be(&x.to_vec());
    (big(&p), big(&n))
}

fn p() -> BigUint {
    params(Nid::X9_62_PRIME256V1).0
}

fn to32(x: &BigUint) -> [u8; 32] {
    let b = x.to_bytes_be();
    let mut out = [0u8; 32];
    out[32 - b.len()..].copy_from_slice(&b);
    out
}

fn big(b: &[u8; 32]) -> BigUint {
    BigUint::from_bytes_be(b)
}

fn rand_below(m: &BigUint) -> BigUint {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    // Mix in edge shapes: all-ones limbs and small values appear often.
    match b[0] % 8 {
        0 => BigUint::from(b[1]),
        1 => m - 1u32 - BigUint::from(b[1]) % m,
        _ => BigUint::from_bytes_be(&b) % m,
    }
}

fn fe<C: CurveParams>(x: &BigUint) -> field::Fe<C> {
    field::Fe::from_bytes(&to32(x)).unwrap()
}

#[test]
fn field_ops_match_bigint() {
    field_ops::<P256>(&params(Nid::X9_62_PRIME256V1).0);
    field_ops::<Sm2>(&params(Nid::SM2).0);
}

fn field_ops<C: CurveParams>(p: &BigUint) {
    let p = p.clone();
    let mut vals = vec![
        BigUint::from(0u32),
        BigUint::from(1u32),
        BigUint::from(2u32),
        &p - 1u32,
        &p - 2u32,
        BigUint::from(1u32) << 255,
        (BigUint::from(1u32) << 224) - 1u32,
    ];
    for _ in 0..400 {
        vals.push(rand_below(&p));
    }
    for (i, a) in vals.iter().enumerate() {
        let b = &vals[(i * 7 + 3) % vals.len()];
        let (fa, fb) = (fe::<C>(a), fe::<C>(b));
        assert_eq!(big(&fa.to_bytes()), *a);
        assert_eq!(big(&fa.mul(&fb).to_bytes()), (a * b) % &p, "mul {a} {b}");
        assert_eq!(big(&fa.square().to_bytes()), (a * a) % &p, "sqr {a}");
        assert_eq!(big(&fa.add(&fb).to_bytes()), (a + b) % &p);
        assert_eq!(big(&fa.sub(&fb).to_bytes()), (a + &p - b) % &p);
        assert_eq!(big(&fa.neg().to_bytes()), (&p - a) % &p);
        let inv = fa.invert();
        assert_eq!(inv, fa.invert_fermat());
        if a.bits() == 0 {
            assert!(inv.is_zero());
        } else {
            assert_eq!(big(&inv.mul(&fa).to_bytes()), BigUint::from(1u32));
        }
        let sq = fa.square();
        let r = sq.sqrt().expect("square has a root");
        assert_eq!(r.square(), sq);
        // Exactly one of a, -a is a square for a != 0 since p = 3 mod 4.
        if a.bits() != 0 {
            assert!(fa.sqrt().is_some() != fa.neg().sqrt().is_some());
        }
        assert_eq!(fa.is_odd(), a.bit(0));
    }
}

#[test]
fn field_batch_invert() {
    field_batch_invert_on::<P256>(&params(Nid::X9_62_PRIME256V1).0);
    field_batch_invert_on::<Sm2>(&params(Nid::SM2).0);
}

fn field_batch_invert_on<C: CurveParams>(p: &BigUint) {
    let mut v: Vec<field::Fe<C>> = (0..37).map(|_| fe(&rand_below(p))).collect();
    v[5] = field::Fe::ZERO;
    let orig = v.clone();
    field::Fe::batch_invert(&mut v);
    for (a, b) in orig.iter().zip(v.iter()) {
        if a.is_zero() {
            assert!(b.is_zero());
        } else {
            assert_eq!(a.mul(b), field::Fe::ONE);
        }
    }
}

#[test]
fn field_rejects_non_canonical() {
    rejects_non_canonical::<P256>(&params(Nid::X9_62_PRIME256V1).0);
    rejects_non_canonical::<Sm2>(&params(Nid::SM2).0);
}

fn rejects_non_canonical<C: CurveParams>(p: &BigUint) {
    for x in [p.clone(), p + 1u32, (BigUint::from(1u32) << 256) - 1u32] {
        assert!(field::Fe::<C>::from_bytes(&to32(&x)).is_none());
    }
    assert!(field::Fe::<C>::from_bytes(&to32(&(p - 1u32))).is_some());
}

#[test]
fn scalar_ops_match_bigint() {
    scalar_ops::<P256>(&params(Nid::X9_62_PRIME256V1).1);
    scalar_ops::<Sm2>(&params(Nid::SM2).1);
}

fn scalar_ops<C: CurveParams>(n: &BigUint) {
    let n = n.clone();
    let mut vals = vec![
        BigUint::from(0u32),
        BigUint::from(1u32),
        &n - 1u32,
        &n - 2u32,
    ];
    for _ in 0..300 {
        vals.push(rand_below(&n));
    }
    for (i, a) in vals.iter().enumerate() {
        let b = &vals[(i * 5 + 1) % vals.len()];
        let sa = Sc::<C>::from_bytes(&to32(a)).unwrap();
        let sb = Sc::<C>::from_bytes(&to32(b)).unwrap();
        assert_eq!(big(&sa.mul(&sb).to_bytes()), (a * b) % &n);
        assert_eq!(big(&sa.add(&sb).to_bytes()), (a + b) % &n);
        assert_eq!(big(&sa.neg().to_bytes()), (&n - a) % &n);
        assert_eq!(big(&sa.sub(&sb).to_bytes()), (a + &n - b) % &n);
        assert_eq!(sa.invert(), sa.invert_fermat());
        if a.bits() != 0 {
            assert_eq!(sa.invert().mul(&sa), Sc::ONE);
        } else {
            assert!(sa.invert().is_zero());
        }
    }
    // Batch inversion agrees with single inversion.
    let mut v: Vec<Sc<C>> = vals[..50]
        .iter()
        .map(|x| Sc::from_bytes(&to32(x)).unwrap())
        .collect();
    let single: Vec<Sc<C>> = v.iter().map(|x| x.invert()).collect();
    Sc::batch_invert(&mut v);
    assert_eq!(v, single);
}

#[test]
fn scalar_parsing() {
    scalar_parsing_on::<P256>(&params(Nid::X9_62_PRIME256V1).1);
    scalar_parsing_on::<Sm2>(&params(Nid::SM2).1);
}

fn scalar_parsing_on<C: CurveParams>(n: &BigUint) {
    assert!(Sc::<C>::from_bytes(&to32(n)).is_none());
    assert!(Sc::<C>::from_bytes(&to32(&(n - 1u32))).is_some());
    assert!(Sc::<C>::from_bytes(&[0xff; 32]).is_none());
    assert!(Sc::<C>::from_bytes_reduced(&to32(n)).is_zero());
    let big_val = (BigUint::from(1u32) << 256) - 1u32;
    assert_eq!(
        big(&Sc::<C>::from_bytes_reduced(&to32(&big_val)).to_bytes()),
        big_val % n
    );
}

/// Expected lane result from (a, b, 3, 8, 24).
#[cfg(target_arch = "x86_64")]
type Expect = fn(&Fe, &Fe, &Fe, &Fe, &Fe) -> Fe;

#[cfg(target_arch = "x86_64")]
#[test]
fn ifma_lanes_match_portable() {
    use scms_crypto::engine::ifma;
    if !ifma::available() {
        eprintln!("no AVX-512 IFMA on this CPU: lane test skipped");
        return;
    }
    let p = p();
    let edge = [
        BigUint::from(0u32),
        BigUint::from(1u32),
        &p - 1u32,
        &p - 2u32,
        (BigUint::from(1u32) << 255) + 12345u32,
        (BigUint::from(1u32) << 224) - 1u32,
    ];
    for round in 0..300 {
        let a: [Fe; 8] = core::array::from_fn(|i| {
            if round == 0 && i < edge.len() {
                fe(&edge[i])
            } else {
                fe(&rand_below(&p))
            }
        });
        let b: [Fe; 8] = core::array::from_fn(|i| {
            if round == 1 && i < edge.len() {
                fe(&edge[edge.len() - 1 - i])
            } else {
                fe(&rand_below(&p))
            }
        });
        let n3 = fe(&BigUint::from(3u32));
        let n8 = fe(&BigUint::from(8u32));
        let n24 = fe(&BigUint::from(24u32));
        let cases: [(ifma::TestOp, Expect); 7] = [
            (ifma::TestOp::Roundtrip, |a, _, _, _, _| *a),
            (ifma::TestOp::Mul, |a, b, _, _, _| a.mul(b)),
            (ifma::TestOp::Add, |a, b, _, _, _| a.add(b)),
            (ifma::TestOp::Sub, |a, b, _, _, _| a.sub(b)),
            (ifma::TestOp::Triple, |a, _, n3, _, _| a.mul(n3)),
            (ifma::TestOp::Shl3, |a, _, _, n8, _| a.mul(n8)),
            (ifma::TestOp::Mixed, |a, b, _, _, n24| a.mul(b).mul(n24)),
        ];
        for (op, f) in cases {
            let got = ifma::self_test(op, &a, &b).unwrap();
            for i in 0..8 {
                assert_eq!(
                    got[i],
                    f(&a[i], &b[i], &n3, &n8, &n24),
                    "{op:?} round {round} lane {i}"
                );
            }
        }
    }
}
