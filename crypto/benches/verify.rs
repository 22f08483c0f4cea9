//! Verifications per second of the engine against OpenSSL, measured in the same
//! process, interleaved round by round so that machine load hits both alike.
//!
//! `cargo bench -p scms-crypto --bench verify -- [--seconds S] [--rounds N] [--json]`
//!
//! Every scenario parses its inputs from bytes inside the timed loop (scalars,
//! and for the batches the compressed R, which costs a square root); public
//! keys are decoded once, as a certificate cache would hold them. OpenSSL gets
//! prebuilt EC_KEY objects and parses its (r, s) from bytes each time too.

use std::hint::black_box;
use std::time::{Duration, Instant};

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey, EcPoint};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::{Field, PrimeField};
use p256::{FieldBytes, ProjectivePoint, Scalar, U256};
use rand_core::{OsRng, RngCore};
use scms_crypto::engine::{
    self, parse_full_signatures, verify_batch, Affine, BatchItem, Signature, SignerCache,
    SingleItem,
};

struct Case {
    d: Scalar,
    key_sec1: Vec<u8>,
    digest: [u8; 32],
    r: [u8; 32],
    s: [u8; 32],
    r_compressed: Vec<u8>,
}

fn sign(d: &Scalar) -> Case {
    let mut digest = [0u8; 32];
    OsRng.fill_bytes(&mut digest);
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
            d: *d,
            key_sec1: q.to_encoded_point(false).as_bytes().to_vec(),
            digest,
            r: r.to_repr().into(),
            s: s.to_repr().into(),
            r_compressed: rp.to_encoded_point(true).as_bytes().to_vec(),
        };
    }
}

/// Runs `f` (which does `per_call` verifications) for about `t`; returns (ops, secs).
fn time_it(t: Duration, per_call: usize, mut f: impl FnMut(usize)) -> (f64, f64) {
    let start = Instant::now();
    let mut calls = 0usize;
    while start.elapsed() < t {
        for _ in 0..4 {
            f(calls);
            calls += 1;
        }
    }
    ((calls * per_call) as f64, start.elapsed().as_secs_f64())
}

struct Acc {
    name: &'static str,
    ops: f64,
    secs: f64,
}

impl Acc {
    fn add(&mut self, (ops, secs): (f64, f64)) {
        self.ops += ops;
        self.secs += secs;
    }
    fn per_s(&self) -> f64 {
        self.ops / self.secs
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let seconds = arg("--seconds").unwrap_or(1.0);
    let rounds = arg("--rounds").unwrap_or(3.0) as usize;
    let json = args.iter().any(|a| a == "--json");
    // Each round gives every scenario an equal slice of `seconds`.
    let slice = Duration::from_secs_f64(seconds / 2.0);

    engine::warm_up().unwrap();
    let pool: Vec<Case> = (0..256)
        .map(|_| sign(&Scalar::random(&mut OsRng)))
        .collect();
    let keys: Vec<Affine> = pool
        .iter()
        .map(|c| Affine::from_sec1(&c.key_sec1).unwrap())
        .collect();
    let signer = pool[0].d;
    let stream: Vec<Case> = (0..64).map(|_| sign(&signer)).collect();
    let signer_key = keys[0];
    let signer_id = [7u8; 8];

    // OpenSSL objects.
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    let mut ctx = BigNumContext::new().unwrap();
    let ossl_keys: Vec<EcKey<openssl::pkey::Public>> = pool
        .iter()
        .map(|c| {
            let pt = EcPoint::from_bytes(&group, &c.key_sec1, &mut ctx).unwrap();
            EcKey::from_public_key(&group, &pt).unwrap()
        })
        .collect();
    let ossl_priv = {
        let d = BigNum::from_slice(&signer.to_repr()).unwrap();
        let pt = EcPoint::from_bytes(&group, &pool[0].key_sec1, &mut ctx).unwrap();
        EcKey::from_private_components(&group, &d, &pt).unwrap()
    };
    for (c, k) in pool.iter().zip(&ossl_keys) {
        let sig = EcdsaSig::from_private_components(
            BigNum::from_slice(&c.r).unwrap(),
            BigNum::from_slice(&c.s).unwrap(),
        )
        .unwrap();
        assert!(sig.verify(&c.digest, k).unwrap());
    }

    let mut cache = SignerCache::new(1024);
    cache.get_or_build(&signer_id, &signer_key).unwrap();

    let mut o_verify = Acc {
        name: "openssl_verify",
        ops: 0.0,
        secs: 0.0,
    };
    let mut o_sign = Acc {
        name: "openssl_sign",
        ops: 0.0,
        secs: 0.0,
    };
    let mut accs: Vec<Acc> = [
        "single",
        "same_signer",
        "batch_8",
        "batch_64",
        "batch_256",
        "forged_64",
        "single_x8",
    ]
    .iter()
    .map(|n| Acc {
        name: n,
        ops: 0.0,
        secs: 0.0,
    })
    .collect();

    // Parses the signatures (decompressing R) inside the timed loop.
    let batch_items = |start: usize, n: usize, forged: Option<usize>| -> Vec<BatchItem> {
        let idx: Vec<usize> = (0..n).map(|j| (start + j) % pool.len()).collect();
        let encs: Vec<(&[u8], &[u8; 32])> = idx
            .iter()
            .map(|&i| (pool[i].r_compressed.as_slice(), &pool[i].s))
            .collect();
        parse_full_signatures(&encs)
            .into_iter()
            .zip(idx.iter())
            .enumerate()
            .map(|(j, (sig, &i))| {
                let mut digest = pool[i].digest;
                if forged == Some(j) {
                    digest[5] ^= 1;
                }
                BatchItem {
                    key: keys[i],
                    digest,
                    sig: sig.unwrap(),
                }
            })
            .collect()
    };

    for _ in 0..rounds {
        o_verify.add(time_it(slice, 1, |i| {
            let c = &pool[i % 64];
            let sig = EcdsaSig::from_private_components(
                BigNum::from_slice(&c.r).unwrap(),
                BigNum::from_slice(&c.s).unwrap(),
            )
            .unwrap();
            assert!(sig
                .verify(black_box(&c.digest), &ossl_keys[i % 64])
                .unwrap());
        }));
        o_sign.add(time_it(slice, 1, |i| {
            let c = &pool[i % 64];
            black_box(EcdsaSig::sign(&c.digest, &ossl_priv).unwrap());
        }));
        accs[0].add(time_it(slice, 1, |i| {
            let c = &pool[i % 64];
            let sig = Signature::from_scalars(&c.r, &c.s).unwrap();
            assert!(engine::verify_prehash(&keys[i % 64], black_box(&c.digest), &sig).is_ok());
        }));
        accs[1].add(time_it(slice, 1, |i| {
            let c = &stream[i % 64];
            let sig = Signature::from_scalars(&c.r, &c.s).unwrap();
            assert!(cache
                .verify_with_table(&signer_id, &signer_key, black_box(&c.digest), &sig)
                .is_ok());
        }));
        for (k, n) in [(2usize, 8usize), (3, 64), (4, 256)] {
            accs[k].add(time_it(slice, n, |i| {
                let items = batch_items(i * n, n, None);
                let v = verify_batch(black_box(&items)).unwrap();
                assert!(v.iter().all(|&x| x));
            }));
        }
        accs[6].add(time_it(slice, 8, |i| {
            // Eight unrelated x-only signatures verified one by one (exact
            // verdicts), side by side on the IFMA lanes.
            let items: Vec<SingleItem> = (0..8)
                .map(|j| {
                    let k = (i * 8 + j) % pool.len();
                    let c = &pool[k];
                    SingleItem {
                        key: keys[k],
                        digest: c.digest,
                        sig: Signature::from_scalars(&c.r, &c.s).unwrap(),
                    }
                })
                .collect();
            assert!(engine::verify_prehash_many(black_box(&items))
                .iter()
                .all(|&v| v));
        }));
        accs[5].add(time_it(slice, 64, |i| {
            let bad = i % 64;
            let items = batch_items(i * 64, 64, Some(bad));
            let v = verify_batch(black_box(&items)).unwrap();
            assert!(!v[bad] && v.iter().filter(|&&x| !x).count() == 1);
        }));
    }

    let base = o_verify.per_s();
    if json {
        let sc: Vec<String> = accs
            .iter()
            .map(|a| {
                format!(
                    "{{\"name\": \"{}\", \"per_s\": {:.1}, \"ratio\": {:.3}}}",
                    a.name,
                    a.per_s(),
                    a.per_s() / base
                )
            })
            .collect();
        println!(
            "{{\"openssl_verify_per_s\": {:.1}, \"openssl_sign_per_s\": {:.1}, \"scenarios\": [{}]}}",
            base,
            o_sign.per_s(),
            sc.join(", ")
        );
    } else {
        println!("{:<16} {:>12} {:>8}", "scenario", "per second", "ratio");
        println!("{:<16} {:>12.0} {:>8}", o_verify.name, base, "1.00");
        println!("{:<16} {:>12.0} {:>8}", o_sign.name, o_sign.per_s(), "-");
        for a in &accs {
            println!(
                "{:<16} {:>12.0} {:>8.2}",
                a.name,
                a.per_s(),
                a.per_s() / base
            );
        }
    }
}
