//! Nanoseconds per field and point operation of the engine (a profile aid).
//!
//! `cargo bench -p scms-crypto --bench field` (`-- --dudect`: timing check of
//! the constant-time side)

use std::hint::black_box;
use std::time::Instant;

use scms_crypto::engine::{
    mul, sign, verify_batch, verify_prehash, Affine, BatchItem, FullSignature, Sc, Signature,
    SignerTable,
};

/// A valid signature made with the engine's own arithmetic (k·G, s = (e + r·d)/k).
fn make(d: &Sc, k: &Sc, digest: &[u8; 32]) -> (Affine, FullSignature) {
    let q = mul::mul(&Affine::GENERATOR, d).to_affine().unwrap();
    let r_point = mul::mul(&Affine::GENERATOR, k).to_affine().unwrap();
    let r = Sc::from_bytes_reduced(&r_point.x.to_bytes());
    let e = Sc::from_bytes_reduced(digest);
    let s = k.invert().mul(&e.add(&r.mul(d)));
    (q, FullSignature { r_point, s })
}

fn ns(name: &str, iters: u64, mut f: impl FnMut()) {
    // `--div N` shortens every loop (for callgrind, which counts instructions).
    let div = std::env::args()
        .skip_while(|a| a != "--div")
        .nth(1)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1);
    let iters = (iters / div).max(1);
    // `--only TEXT` runs the matching operations only (for profiling).
    if let Some(only) = std::env::args().skip_while(|a| a != "--only").nth(1) {
        if !name.contains(only.as_str()) {
            return;
        }
    }
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let mut t = start.elapsed().as_nanos() as f64 / iters as f64;
    if name.contains("per sig") {
        t /= 64.0;
    }
    println!("{name:<24} {t:>9.1} ns");
}

/// A dudect-style check (Reparaz, Balasch, Verbauwhede 2017): times `op` on a
/// fixed secret (class 0) and on fresh random secrets (class 1), interleaved
/// at random, and prints Welch's t over the samples below the 90th
/// percentile. |t| above 4.5 would suggest that the time depends on the secret.
fn dudect(name: &str, samples: usize, fixed: &Sc, mut op: impl FnMut(&Sc)) {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..samples {
        let class = (next() & 1) as usize;
        let k = if class == 0 {
            *fixed
        } else {
            let mut b = [0u8; 32];
            for c in b.chunks_mut(8) {
                c.copy_from_slice(&next().to_be_bytes());
            }
            Sc::from_bytes_reduced(&b)
        };
        let t = Instant::now();
        op(black_box(&k));
        times[class].push(t.elapsed().as_nanos() as f64);
    }
    let mut all: Vec<f64> = times.iter().flatten().copied().collect();
    all.sort_by(|a, b| a.total_cmp(b));
    let cut = all[all.len() * 9 / 10];
    let stats = |v: &Vec<f64>| {
        let v: Vec<f64> = v.iter().copied().filter(|x| *x <= cut).collect();
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        (n, m, var)
    };
    let (n0, m0, v0) = stats(&times[0]);
    let (n1, m1, v1) = stats(&times[1]);
    let t = (m0 - m1) / (v0 / n0 + v1 / n1).sqrt();
    println!("dudect {name:<14} fixed {m0:>9.0} ns  random {m1:>9.0} ns  t = {t:>6.2}");
}

fn main() {
    let g = Affine::GENERATOR;
    if std::env::args().any(|a| a == "--dudect") {
        // Fixed secrets chosen to be extreme: k = 1 (42 zero digits) and
        // all digits -32/+32 patterns.
        let one = Sc::ONE;
        let dense = Sc::from_bytes(&[0x82; 32]).unwrap_or(Sc::ONE);
        for (label, fixed) in [("k=1", one), ("k=0x82..", dense)] {
            println!("fixed secret {label}");
            dudect("k*G", 20_000, &fixed, |k| {
                black_box(sign::mul_base(k));
            });
            dudect("k*P", 4_000, &fixed, |k| {
                black_box(sign::mul_ct(&g, k));
            });
            dudect("invert_ct", 20_000, &fixed, |k| {
                black_box(k.invert_ct());
            });
            dudect("sign (d)", 10_000, &fixed, |k| {
                black_box(sign::sign_rfc6979(&k.to_bytes(), &[7u8; 32], &[1u8; 32]).ok());
            });
        }
        return;
    }
    let mut a = g.x;
    let b = g.y;
    ns("fe mul", 5_000_000, || a = black_box(a.mul(&b)));
    ns("fe square", 5_000_000, || a = black_box(a.square()));
    ns("fe add", 5_000_000, || a = black_box(a.add(&b)));
    ns("fe invert", 20_000, || a = black_box(a.invert()));
    ns("fe sqrt", 20_000, || {
        black_box(black_box(b).sqrt());
    });
    let mut s = Sc::from_bytes(&b.to_bytes()).unwrap_or(Sc::ONE);
    ns("scalar mul", 2_000_000, || s = black_box(s.mul(&s)));
    ns("scalar invert", 20_000, || s = black_box(s.invert()));
    let mut p = g.to_jacobian().double();
    ns("point double", 1_000_000, || p = black_box(p.double()));
    ns("point add mixed", 1_000_000, || {
        p = black_box(p.add_affine(&g))
    });
    let mut p2 = p.double();
    ns("2 interleaved add mixed", 1_000_000, || {
        p = black_box(p.add_affine(&g));
        p2 = black_box(p2.add_affine(&g));
    });
    let mut xs = [g.x, g.y, b.square(), g.x.square()];
    ns("4 interleaved sqr", 1_000_000, || {
        for x in xs.iter_mut() {
            *x = x.square();
        }
        black_box(&xs);
    });
    #[cfg(target_arch = "x86_64")]
    if scms_crypto::engine::ifma::available() {
        use scms_crypto::engine::ifma::bench_ops;
        ns("ifma 8-lane mul", 5_000_000, || {
            black_box(bench_ops(0, 1));
        });
        ns("ifma 8-lane double", 1_000_000, || {
            black_box(bench_ops(1, 1));
        });
        ns("ifma 8-lane add mixed", 1_000_000, || {
            black_box(bench_ops(2, 1));
        });
        ns("ifma 8-lane mul x100", 50_000, || {
            black_box(bench_ops(0, 100));
        });
        ns("ifma 8-lane double x100", 10_000, || {
            black_box(bench_ops(1, 100));
        });
        ns("ifma 8-lane add mixed x100", 10_000, || {
            black_box(bench_ops(2, 100));
        });
    }
    let q = p.double();
    ns("point add", 1_000_000, || p = black_box(p.add(&q)));
    // The constant-time side (engine::sign).
    ns("fe invert_ct", 20_000, || a = black_box(a.invert_ct()));
    ns("scalar invert_ct", 20_000, || s = black_box(s.invert_ct()));
    ns("ct k*G (comb)", 20_000, || {
        black_box(sign::mul_base(black_box(&s)));
    });
    ns("ct k*P (ECDH)", 5_000, || {
        black_box(sign::mul_ct(&g, black_box(&s)));
    });
    let dkey = s.to_bytes();
    ns("ct ecdsa sign", 20_000, || {
        black_box(sign::sign_rfc6979(&dkey, &[7u8; 32], &[1u8; 32]).ok());
    });
    ns("scalar mult (wNAF 5)", 2_000, || {
        black_box(mul::mul(&g, &s));
    });
    let items: Vec<BatchItem> = (1..=64u64)
        .map(|i| {
            let d = Sc::from_u128(0x1234_5678_9abc_def0_u128 * i as u128 + 7);
            let k = Sc::from_u128(0x0fed_cba9_8765_4321_u128 * (i as u128 + 3));
            let digest = [i as u8; 32];
            let (q, sig) = make(&d, &k, &digest);
            BatchItem {
                key: q,
                digest,
                sig,
            }
        })
        .collect();
    let it = items[0];
    let xsig: Signature = it.sig.to_signature().unwrap();
    ns("ecdsa verify", 2_000, || {
        assert!(verify_prehash(&it.key, &it.digest, black_box(&xsig)).is_ok());
    });
    // OpenSSL on the same signature, for instruction counts under callgrind.
    {
        use openssl::bn::{BigNum, BigNumContext};
        use openssl::ec::{EcGroup, EcKey, EcPoint};
        use openssl::ecdsa::EcdsaSig;
        use openssl::nid::Nid;
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let mut ctx = BigNumContext::new().unwrap();
        let pt = EcPoint::from_bytes(&group, &it.key.to_sec1(), &mut ctx).unwrap();
        let key = EcKey::from_public_key(&group, &pt).unwrap();
        let r = xsig.r.to_bytes();
        let s = xsig.s.to_bytes();
        ns("openssl ecdsa verify", 2_000, || {
            let sig = EcdsaSig::from_private_components(
                BigNum::from_slice(&r).unwrap(),
                BigNum::from_slice(&s).unwrap(),
            )
            .unwrap();
            assert!(sig.verify(&it.digest, &key).unwrap());
        });
    }
    let table = SignerTable::new(&it.key).unwrap();
    ns("ecdsa verify (table)", 5_000, || {
        assert!(table.verify_prehash(&it.digest, black_box(&xsig)).is_ok());
    });
    ns("signer table build", 500, || {
        black_box(SignerTable::new(&it.key).unwrap());
    });
    ns("batch of 64, per sig", 50, || {
        assert!(verify_batch(black_box(&items)).unwrap().iter().all(|&v| v));
    });
}
