//! Differential tests of the verification engine against RustCrypto p256 0.13.

use p256_ref::ecdsa::signature::hazmat::PrehashVerifier;
use p256_ref::elliptic_curve::ops::Reduce;
use p256_ref::elliptic_curve::point::AffineCoordinates;
use p256_ref::elliptic_curve::sec1::ToEncodedPoint;
use p256_ref::elliptic_curve::{Field, PrimeField};
use p256_ref::{FieldBytes, ProjectivePoint, Scalar, U256};
use rand_core_06::{OsRng, RngCore};
use scms_crypto::engine::{
    self, mul, parse_full_signatures, verify_batch, verify_batch_with, Affine, Backend, BatchItem,
    EngineError, FullSignature, Sc, Signature, SignerCache, SignerTable, SingleItem,
};

const N_HEX: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

fn n_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    for i in 0..32 {
        out[i] = u8::from_str_radix(&N_HEX[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// A test signature made with the reference arithmetic, keeping R.
#[derive(Clone)]
struct Case {
    key_sec1: Vec<u8>,
    digest: [u8; 32],
    r: [u8; 32],
    s: [u8; 32],
    r_compressed: Vec<u8>,
    r_uncompressed: Vec<u8>,
}

fn sign(d: &Scalar, digest: [u8; 32]) -> Case {
    loop {
        let k = Scalar::random(&mut OsRng);
        let rp = (ProjectivePoint::GENERATOR * k).to_affine();
        let r = <Scalar as Reduce<U256>>::reduce_bytes(&rp.x());
        let fb: FieldBytes = digest.into();
        let e = <Scalar as Reduce<U256>>::reduce_bytes(&fb);
        let s = k.invert().unwrap() * (e + r * d);
        if bool::from(r.is_zero()) || bool::from(s.is_zero()) {
            continue;
        }
        let q = (ProjectivePoint::GENERATOR * d).to_affine();
        return Case {
            key_sec1: q.to_encoded_point(false).as_bytes().to_vec(),
            digest,
            r: r.to_repr().into(),
            s: s.to_repr().into(),
            r_compressed: rp.to_encoded_point(true).as_bytes().to_vec(),
            r_uncompressed: rp.to_encoded_point(false).as_bytes().to_vec(),
        };
    }
}

fn random_digest() -> [u8; 32] {
    let mut d = [0u8; 32];
    OsRng.fill_bytes(&mut d);
    d
}

fn random_case() -> Case {
    sign(&Scalar::random(&mut OsRng), random_digest())
}

/// The reference verdict (p256's verify_prehash); parsing failures are "invalid".
fn reference(key_sec1: &[u8], digest: &[u8; 32], r: &[u8; 32], s: &[u8; 32]) -> bool {
    let Ok(vk) = p256_ref::ecdsa::VerifyingKey::from_sec1_bytes(key_sec1) else {
        return false;
    };
    let Ok(sig) = p256_ref::ecdsa::Signature::from_scalars(*r, *s) else {
        return false;
    };
    vk.verify_prehash(digest, &sig).is_ok()
}

fn ours(key_sec1: &[u8], digest: &[u8; 32], r: &[u8; 32], s: &[u8; 32]) -> bool {
    let Ok(q) = Affine::from_sec1(key_sec1) else {
        return false;
    };
    let Ok(sig) = Signature::from_scalars(r, s) else {
        return false;
    };
    let single = engine::verify_prehash(&q, digest, &sig).is_ok();
    // Building a table costs ~3 verifications: check the table path on about
    // one call in eight (keyed by the digest) to keep debug runs short.
    if digest[0].is_multiple_of(8) {
        let table = SignerTable::new(&q)
            .unwrap()
            .verify_prehash(digest, &sig)
            .is_ok();
        assert_eq!(single, table, "table path disagrees");
    }
    single
}

/// (digest, r, s, key).
type Variant = ([u8; 32], [u8; 32], [u8; 32], Vec<u8>);

fn sub_one(x: &[u8; 32]) -> [u8; 32] {
    let mut v = *x;
    for b in v.iter_mut().rev() {
        let (nb, borrow) = b.overflowing_sub(1);
        *b = nb;
        if !borrow {
            break;
        }
    }
    v
}

fn add_one(x: &[u8; 32]) -> [u8; 32] {
    let mut v = *x;
    for b in v.iter_mut().rev() {
        let (nb, carry) = b.overflowing_add(1);
        *b = nb;
        if !carry {
            break;
        }
    }
    v
}

/// n - s, the "high s" twin of a signature.
fn negate_mod_n(s: &[u8; 32]) -> [u8; 32] {
    Sc::from_bytes(s).unwrap().neg().to_bytes()
}

#[test]
fn scalar_mul_matches_reference() {
    for _ in 0..50 {
        let k = Scalar::random(&mut OsRng);
        let expect = (ProjectivePoint::GENERATOR * k).to_affine();
        let kb: [u8; 32] = k.to_repr().into();
        let got = mul::mul(&Affine::GENERATOR, &Sc::from_bytes(&kb).unwrap())
            .to_affine()
            .unwrap();
        assert_eq!(
            got.to_sec1().to_vec(),
            expect.to_encoded_point(false).as_bytes().to_vec()
        );
    }
    // k = n - 1 gives -G.
    let nm1 = sub_one(&n_bytes());
    let got = mul::mul(&Affine::GENERATOR, &Sc::from_bytes(&nm1).unwrap())
        .to_affine()
        .unwrap();
    assert_eq!(got, Affine::GENERATOR.neg());
    assert!(mul::mul(&Affine::GENERATOR, &Sc::ZERO).is_identity());
}

#[test]
fn random_valid_and_mutated_signatures_agree() {
    let n = n_bytes();
    for i in 0..600 {
        let c = random_case();
        assert!(reference(&c.key_sec1, &c.digest, &c.r, &c.s));
        assert!(ours(&c.key_sec1, &c.digest, &c.r, &c.s), "case {i}");
        let other = random_case();
        let mut flipped = c.digest;
        flipped[(i % 32) as usize] ^= 1 << (i % 8);
        let variants: Vec<Variant> = vec![
            (flipped, c.r, c.s, c.key_sec1.clone()),
            (c.digest, c.r, c.s, other.key_sec1.clone()),
            (c.digest, add_one(&c.r), c.s, c.key_sec1.clone()),
            (c.digest, c.r, add_one(&c.s), c.key_sec1.clone()),
            (c.digest, c.r, negate_mod_n(&c.s), c.key_sec1.clone()),
            (c.digest, c.s, c.r, c.key_sec1.clone()),
            (c.digest, [0; 32], c.s, c.key_sec1.clone()),
            (c.digest, c.r, [0; 32], c.key_sec1.clone()),
            (c.digest, n, c.s, c.key_sec1.clone()),
            (c.digest, c.r, n, c.key_sec1.clone()),
            (c.digest, add_one(&n), c.s, c.key_sec1.clone()),
            (c.digest, c.r, [0xff; 32], c.key_sec1.clone()),
        ];
        for (vi, (d, r, s, k)) in variants.iter().enumerate() {
            assert_eq!(
                ours(k, d, r, s),
                reference(k, d, r, s),
                "case {i} variant {vi}"
            );
        }
    }
}

#[test]
fn high_s_is_accepted_like_the_reference() {
    let c = random_case();
    let hs = negate_mod_n(&c.s);
    assert!(reference(&c.key_sec1, &c.digest, &c.r, &hs));
    assert!(ours(&c.key_sec1, &c.digest, &c.r, &hs));
}

#[test]
fn edge_digests_and_keys() {
    // Digest >= n (reduced), digest zero, private key 1 and n-1.
    let one = Scalar::ONE;
    let nm1 = -Scalar::ONE;
    for d in [one, nm1, Scalar::from(2u64)] {
        for digest in [[0u8; 32], [0xff; 32], n_bytes(), add_one(&n_bytes())] {
            let c = sign(&d, digest);
            assert!(reference(&c.key_sec1, &c.digest, &c.r, &c.s));
            assert!(ours(&c.key_sec1, &c.digest, &c.r, &c.s));
        }
    }
}

#[test]
fn bad_keys_are_rejected() {
    let c = random_case();
    // Identity encoding, wrong lengths, bad tags.
    assert!(Affine::from_sec1(&[0u8]).is_err());
    assert!(Affine::from_sec1(&[]).is_err());
    assert!(Affine::from_sec1(&c.key_sec1[..64]).is_err());
    let mut tag = c.key_sec1.clone();
    tag[0] = 0x05;
    assert!(Affine::from_sec1(&tag).is_err());
    // Off-curve: perturb y.
    let mut off = c.key_sec1.clone();
    off[64] ^= 1;
    assert_eq!(Affine::from_sec1(&off), Err(engine::PointError::NotOnCurve));
    assert!(!reference(&off, &c.digest, &c.r, &c.s));
    // x >= p.
    let mut big = c.key_sec1.clone();
    big[1..33].copy_from_slice(&[0xff; 32]);
    assert_eq!(Affine::from_sec1(&big), Err(engine::PointError::Encoding));
    // A compressed x with no square root.
    let mut found = false;
    for x0 in 0u8..=255 {
        let mut enc = vec![0x02];
        let mut x = [0u8; 32];
        x[31] = x0;
        enc.extend_from_slice(&x);
        let ref_ok = p256_ref::PublicKey::from_sec1_bytes(&enc).is_ok();
        assert_eq!(Affine::from_sec1(&enc).is_ok(), ref_ok, "x = {x0}");
        found |= !ref_ok;
    }
    assert!(found);
}

#[test]
fn compressed_and_uncompressed_keys_agree() {
    for _ in 0..50 {
        let c = random_case();
        let q = Affine::from_sec1(&c.key_sec1).unwrap();
        let vk = p256_ref::PublicKey::from_sec1_bytes(&c.key_sec1).unwrap();
        let comp = vk.to_encoded_point(true);
        assert_eq!(Affine::from_sec1(comp.as_bytes()).unwrap(), q);
    }
}

#[test]
fn full_r_verification() {
    for _ in 0..200 {
        let c = random_case();
        let q = Affine::from_sec1(&c.key_sec1).unwrap();
        let table = SignerTable::new(&q).unwrap();
        for enc in [&c.r_compressed, &c.r_uncompressed] {
            let sig = FullSignature::from_sec1(enc, &c.s).unwrap();
            assert_eq!(sig.r().unwrap().to_bytes(), c.r);
            assert!(engine::verify_prehash_full(&q, &c.digest, &sig).is_ok());
            assert!(table.verify_prehash_full(&c.digest, &sig).is_ok());
            // -R has the same x: x-only accepts, the full-point check must not.
            let neg = FullSignature {
                r_point: sig.r_point.neg(),
                s: sig.s,
            };
            assert!(engine::verify_prehash(&q, &c.digest, &neg.to_signature().unwrap()).is_ok());
            assert_eq!(
                engine::verify_prehash_full(&q, &c.digest, &neg),
                Err(EngineError::InvalidSignature)
            );
            assert!(table.verify_prehash_full(&c.digest, &neg).is_err());
        }
        // Compressed R with the wrong parity is -R.
        let mut flipped = c.r_compressed.clone();
        flipped[0] ^= 1;
        let sig = FullSignature::from_sec1(&flipped, &c.s).unwrap();
        assert!(engine::verify_prehash_full(&q, &c.digest, &sig).is_err());
    }
}

fn item(c: &Case) -> BatchItem {
    BatchItem {
        key: Affine::from_sec1(&c.key_sec1).unwrap(),
        digest: c.digest,
        sig: FullSignature::from_sec1(&c.r_compressed, &c.s).unwrap(),
    }
}

fn single_verdicts(items: &[BatchItem]) -> Vec<bool> {
    items
        .iter()
        .map(|it| engine::verify_prehash_full(&it.key, &it.digest, &it.sig).is_ok())
        .collect()
}

/// Forgeries of several kinds, all singly invalid.
fn forge(it: &mut BatchItem, kind: usize) {
    match kind % 5 {
        0 => it.digest[0] ^= 0x80,
        1 => it.sig.s = it.sig.s.add(&Sc::ONE),
        2 => it.sig.r_point = it.sig.r_point.neg(),
        3 => it.key = Affine::GENERATOR,
        _ => it.sig.r_point = Affine::GENERATOR,
    }
}

#[test]
fn batch_verdicts_equal_single_verdicts() {
    let base: Vec<BatchItem> = (0..40).map(|_| item(&random_case())).collect();
    assert_eq!(verify_batch(&[]).unwrap(), Vec::<bool>::new());
    for size in [1usize, 2, 3, 8, 17, 40] {
        for forged in [0usize, 1, 2, 5] {
            if forged > size {
                continue;
            }
            let mut items = base[..size].to_vec();
            let mut pick = [0u8; 8];
            OsRng.fill_bytes(&mut pick);
            for (f, &p) in pick.iter().enumerate().take(forged) {
                let idx = (p as usize + f * 7) % size;
                forge(&mut items[idx], p as usize + f);
            }
            let single = single_verdicts(&items);
            let batch = verify_batch(&items).unwrap();
            assert_eq!(batch, single, "size {size} forged {forged}");
            let portable = verify_batch_with(&items, Backend::Portable).unwrap();
            assert_eq!(portable, single, "portable: size {size} forged {forged}");
            if forged == 0 {
                assert!(batch.iter().all(|&v| v));
            }
        }
    }
}

#[test]
fn batch_with_same_signer_repeated() {
    let d = Scalar::random(&mut OsRng);
    let mut items: Vec<BatchItem> = (0..10).map(|_| item(&sign(&d, random_digest()))).collect();
    assert!(verify_batch(&items).unwrap().iter().all(|&v| v));
    // The same signature twice, and one forged copy.
    items.push(items[0]);
    forge(&mut items[3], 1);
    let v = verify_batch(&items).unwrap();
    assert_eq!(v, single_verdicts(&items));
    assert!(!v[3]);
}

#[test]
fn signer_cache_is_lru_and_checks_keys() {
    let cases: Vec<Case> = (0..4).map(|_| random_case()).collect();
    let keys: Vec<Affine> = cases
        .iter()
        .map(|c| Affine::from_sec1(&c.key_sec1).unwrap())
        .collect();
    let mut cache = SignerCache::new(2);
    let id = |i: u8| [i; 8];
    for (i, c) in cases.iter().enumerate().take(3) {
        let sig = Signature::from_scalars(&c.r, &c.s).unwrap();
        cache
            .verify_with_table(&id(i as u8), &keys[i], &c.digest, &sig)
            .unwrap();
    }
    assert_eq!(cache.len(), 2);
    assert!(cache.get(&id(0)).is_none(), "oldest evicted");
    assert!(cache.get(&id(1)).is_some());
    // Touch 1, insert 3: 2 goes.
    let c = &cases[3];
    let sig = Signature::from_scalars(&c.r, &c.s).unwrap();
    cache
        .verify_with_table(&id(3), &keys[3], &c.digest, &sig)
        .unwrap();
    assert!(cache.get(&id(2)).is_none());
    assert!(cache.get(&id(1)).is_some());
    // A different key under a cached id is not verified with the stale table.
    let sig0 = Signature::from_scalars(&cases[0].r, &cases[0].s).unwrap();
    assert!(cache
        .verify_with_table(&id(1), &keys[0], &cases[0].digest, &sig0)
        .is_ok());
    assert_eq!(cache.get(&id(1)).unwrap().key(), &keys[0]);
}

#[test]
fn batch_parsing_equals_single_parsing() {
    let mut encs: Vec<(Vec<u8>, [u8; 32])> = Vec::new();
    for i in 0..45 {
        let c = random_case();
        let enc = match i % 9 {
            0 => c.r_uncompressed.clone(),
            1 => {
                // x >= p
                let mut e = c.r_compressed.clone();
                e[1..].copy_from_slice(&[0xff; 32]);
                e
            }
            2 => {
                // a small x, square or not
                let mut e = vec![0x02 | (i as u8 & 1)];
                let mut x = [0u8; 32];
                x[31] = i as u8;
                e.extend_from_slice(&x);
                e
            }
            3 => c.r_compressed[..20].to_vec(),
            _ => c.r_compressed.clone(),
        };
        let s = if i % 11 == 5 { [0u8; 32] } else { c.s };
        encs.push((enc, s));
    }
    let refs: Vec<(&[u8], &[u8; 32])> = encs.iter().map(|(r, s)| (r.as_slice(), s)).collect();
    let batch = parse_full_signatures(&refs);
    for ((r, s), b) in refs.iter().zip(batch.iter()) {
        assert_eq!(*b, FullSignature::from_sec1(r, s));
    }
}

#[test]
fn many_single_verdicts_equal_reference() {
    let n = n_bytes();
    for round in 0..12 {
        let mut items = Vec::new();
        let mut expect = Vec::new();
        for i in 0..(3 + round * 2) {
            let c = random_case();
            let (mut digest, mut r, mut s) = (c.digest, c.r, c.s);
            match (i + round) % 6 {
                0 => digest[3] ^= 4,
                1 => s = negate_mod_n(&s), // high s: still valid
                2 => r = add_one(&r),
                _ => {}
            }
            if round == 5 && i == 0 {
                s = sub_one(&n);
            }
            let key = Affine::from_sec1(&c.key_sec1).unwrap();
            let Ok(sig) = Signature::from_scalars(&r, &s) else {
                continue;
            };
            expect.push(reference(&c.key_sec1, &digest, &r, &s));
            items.push(SingleItem { key, digest, sig });
        }
        assert_eq!(engine::verify_prehash_many(&items), expect, "round {round}");
    }
}

#[test]
fn batch_sizer_shrinks_on_failure_and_recovers() {
    let mut s = engine::BatchSizer::new(1, 64, 2);
    let a = [1u8; 8];
    assert_eq!(s.size_for(&a), 64);
    for expect in [32, 16, 8, 4, 2, 1, 1] {
        s.record(&a, true);
        assert_eq!(s.size_for(&a), expect);
    }
    for expect in [2, 4, 8, 16, 32, 64, 64] {
        s.record(&a, false);
        assert_eq!(s.size_for(&a), expect);
    }
    assert_eq!(s.reduced_senders(), 0);
    // Capacity: a third failing sender keeps the full size.
    s.record(&[2; 8], true);
    s.record(&[3; 8], true);
    s.record(&[4; 8], true);
    assert_eq!(s.reduced_senders(), 2);
    assert_eq!(s.size_for(&[4; 8]), 64);
}

/// Fuzz-style: random bytes where an attacker controls them (digest, R, s,
/// and the choice of key) never panic, and batch verdicts equal single ones.
#[test]
fn batch_on_random_inputs_matches_single() {
    let valid: Vec<BatchItem> = (0..12).map(|_| item(&random_case())).collect();
    for round in 0..30 {
        let mut encs: Vec<(Vec<u8>, [u8; 32])> = Vec::new();
        let mut keys = Vec::new();
        let mut digests = Vec::new();
        for j in 0..(1 + round % 9) {
            let mut rnd = [0u8; 100];
            OsRng.fill_bytes(&mut rnd);
            let v = &valid[(j + round) % valid.len()];
            let mut s = [0u8; 32];
            s.copy_from_slice(&rnd[33..65]);
            let mut digest = [0u8; 32];
            digest.copy_from_slice(&rnd[65..97]);
            let r_enc = match rnd[97] % 4 {
                // random x with a random parity: about half decompress
                0 | 1 => {
                    let mut e = rnd[..33].to_vec();
                    e[0] = 0x02 | (e[0] & 1);
                    e
                }
                // a valid signature, untouched or with one field replaced
                _ => {
                    let mut e = vec![0x02 | v.sig.r_point.y.is_odd() as u8];
                    e.extend_from_slice(&v.sig.r_point.x.to_bytes());
                    if rnd[98] % 2 == 0 {
                        s = v.sig.s.to_bytes();
                    }
                    if rnd[99] % 3 != 0 {
                        digest = v.digest;
                    }
                    e
                }
            };
            encs.push((r_enc, s));
            keys.push(if rnd[99] % 5 == 0 {
                valid[0].key
            } else {
                v.key
            });
            digests.push(digest);
        }
        let refs: Vec<(&[u8], &[u8; 32])> = encs.iter().map(|(r, s)| (r.as_slice(), s)).collect();
        let parsed = parse_full_signatures(&refs);
        let items: Vec<BatchItem> = parsed
            .iter()
            .zip(keys.iter().zip(digests.iter()))
            .filter_map(|(p, (k, d))| {
                p.as_ref().ok().map(|sig| BatchItem {
                    key: *k,
                    digest: *d,
                    sig: *sig,
                })
            })
            .collect();
        let single = single_verdicts(&items);
        assert_eq!(verify_batch(&items).unwrap(), single, "round {round}");
        assert_eq!(
            verify_batch_with(&items, Backend::Portable).unwrap(),
            single,
            "portable round {round}"
        );
    }
}

#[test]
fn dispatched_and_portable_straus_agree() {
    for i in 0..40 {
        let c = random_case();
        let q = Affine::from_sec1(&c.key_sec1).unwrap();
        let k1 = Sc::from_bytes(&c.r).unwrap();
        let k2 = if i == 0 {
            Sc::from_bytes(&sub_one(&n_bytes())).unwrap()
        } else {
            Sc::from_bytes(&c.s).unwrap()
        };
        assert!(mul::self_test_straus(&q, &k1, &k2), "case {i}");
    }
}
