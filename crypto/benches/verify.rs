//! Verifications per second of the engine against OpenSSL, measured in the same
//! process. Each round times every scenario for a short slice right after a
//! slice of OpenSSL's verify, so that both see the same machine load; a
//! scenario's ratio is the median over rounds of (its rate / the OpenSSL rate
//! measured just before it), and its rate the median of its slices.
//!
//! `cargo bench -p scms-crypto --bench verify -- [--seconds S] [--rounds N] [--json]`
//! (S: seconds per scenario in total, default 2; N: rounds, default 10)
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
use p256_ref::elliptic_curve::ops::Reduce;
use p256_ref::elliptic_curve::point::AffineCoordinates;
use p256_ref::elliptic_curve::sec1::ToEncodedPoint;
use p256_ref::elliptic_curve::{Field, PrimeField};
use p256_ref::{FieldBytes, ProjectivePoint, Scalar, U256};
use rand_core_06::{OsRng, RngCore};
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let seconds = arg("--seconds").unwrap_or(2.0);
    let rounds = (arg("--rounds").unwrap_or(10.0) as usize).max(1);
    let json = args.iter().any(|a| a == "--json");
    let slice = Duration::from_secs_f64(seconds / rounds as f64);

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

    let mut openssl_verify = |i: usize| {
        let c = &pool[i % 64];
        let sig = EcdsaSig::from_private_components(
            BigNum::from_slice(&c.r).unwrap(),
            BigNum::from_slice(&c.s).unwrap(),
        )
        .unwrap();
        assert!(sig
            .verify(black_box(&c.digest), &ossl_keys[i % 64])
            .unwrap());
    };
    type Run<'a> = Box<dyn FnMut(usize) + 'a>;
    let mut scenarios: Vec<(&str, usize, Run<'_>)> = vec![
        (
            "single",
            1,
            Box::new(|i| {
                let c = &pool[i % 64];
                let sig = Signature::from_scalars(&c.r, &c.s).unwrap();
                assert!(engine::verify_prehash(&keys[i % 64], black_box(&c.digest), &sig).is_ok());
            }),
        ),
        (
            "same_signer",
            1,
            Box::new(|i| {
                let c = &stream[i % 64];
                let sig = Signature::from_scalars(&c.r, &c.s).unwrap();
                assert!(cache
                    .verify_with_table(&signer_id, &signer_key, black_box(&c.digest), &sig)
                    .is_ok());
            }),
        ),
    ];
    for (name, n) in [("batch_8", 8usize), ("batch_64", 64), ("batch_256", 256)] {
        let batch_items = &batch_items;
        scenarios.push((
            name,
            n,
            Box::new(move |i| {
                let items = batch_items(i * n, n, None);
                let v = verify_batch(black_box(&items)).unwrap();
                assert!(v.iter().all(|&x| x));
            }),
        ));
    }
    scenarios.push((
        "forged_64",
        64,
        Box::new(|i| {
            let bad = i % 64;
            let items = batch_items(i * 64, 64, Some(bad));
            let v = verify_batch(black_box(&items)).unwrap();
            assert!(!v[bad] && v.iter().filter(|&&x| !x).count() == 1);
        }),
    ));
    scenarios.push((
        "single_x8",
        8,
        Box::new(|i| {
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
        }),
    ));

    let rate = |(ops, secs): (f64, f64)| ops / secs;
    let mut ossl_rates = Vec::new();
    let mut sign_rates = Vec::new();
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); scenarios.len()];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); scenarios.len()];
    for _ in 0..rounds {
        sign_rates.push(rate(time_it(slice, 1, |i| {
            let c = &pool[i % 64];
            black_box(EcdsaSig::sign(&c.digest, &ossl_priv).unwrap());
        })));
        for (k, (_, per_call, f)) in scenarios.iter_mut().enumerate() {
            let o = rate(time_it(slice, 1, &mut openssl_verify));
            let r = rate(time_it(slice, *per_call, f));
            ossl_rates.push(o);
            rates[k].push(r);
            ratios[k].push(r / o);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let base = median(&mut ossl_rates);
    let sign = median(&mut sign_rates);
    let rows: Vec<(&str, f64, f64)> = scenarios
        .iter()
        .enumerate()
        .map(|(k, (name, _, _))| (*name, median(&mut rates[k]), median(&mut ratios[k])))
        .collect();
    if json {
        let sc: Vec<String> = rows
            .iter()
            .map(|(name, per_s, ratio)| {
                format!("{{\"name\": \"{name}\", \"per_s\": {per_s:.1}, \"ratio\": {ratio:.3}}}")
            })
            .collect();
        println!(
            "{{\"openssl_verify_per_s\": {base:.1}, \"openssl_sign_per_s\": {sign:.1}, \"scenarios\": [{}]}}",
            sc.join(", ")
        );
    } else {
        println!("{:<16} {:>12} {:>8}", "scenario", "per second", "ratio");
        println!("{:<16} {:>12.0} {:>8}", "openssl_verify", base, "1.00");
        println!("{:<16} {:>12.0} {:>8}", "openssl_sign", sign, "-");
        for (name, per_s, ratio) in &rows {
            println!("{name:<16} {per_s:>12.0} {ratio:>8.2}");
        }
    }
}
