//! Nanoseconds per field and point operation of the engine (a profile aid).
//!
//! `cargo bench -p scms-crypto --bench field`

use std::hint::black_box;
use std::time::Instant;

use scms_crypto::engine::field::Fe;
use scms_crypto::engine::{mul, Affine, Sc};

fn ns(name: &str, iters: u64, mut f: impl FnMut()) {
    // `--div N` shortens every loop (for callgrind, which counts instructions).
    let div = std::env::args()
        .skip_while(|a| a != "--div")
        .nth(1)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1);
    let iters = (iters / div).max(1);
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let t = start.elapsed().as_nanos() as f64 / iters as f64;
    println!("{name:<24} {t:>9.1} ns");
}

fn main() {
    let g = Affine::GENERATOR;
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
    let q = p.double();
    ns("point add", 1_000_000, || p = black_box(p.add(&q)));
    ns("scalar mult (wNAF 5)", 2_000, || {
        black_box(mul::mul(&g, &s));
    });
}
