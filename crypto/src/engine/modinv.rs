//! Variable-time modular inversion by Bernstein-Yang "safegcd" divsteps.
//!
//! A port of the variable-time variant in libsecp256k1 (`modinv64_impl.h`,
//! `secp256k1_modinv64_var`, MIT licence), after Bernstein and Yang, "Fast
//! constant-time gcd computation and modular inversion" (2019), with the
//! variable-time speedups of its authors: batches of 62 divsteps act on 64-bit
//! words (skipping runs of zeros with ctz and cancelling up to 6 bits of g per
//! step), and the resulting 2x2 matrix is applied to the signed 62-bit-limb
//! numbers f, g, d, e. About 10x faster than Fermat's x^(m-2) for 256 bits.
//!
//! [`invert_ct`] is the constant-time variant for secrets (the signer's nonce
//! and Z coordinate): a fixed 10 x 59 = 590 divsteps (enough for any 256-bit
//! input, Bernstein-Yang's bound for delta = 1/2), every step branch-free on
//! masks, the matrix applied to all 5 limbs, and a masked normalisation.

/// 2^62 - 1.
const M62: u64 = u64::MAX >> 2;

/// A signed number in 5 limbs of 62 bits (limbs 0..3 in [0, 2^62) once
/// normalised, limb 4 signed).
#[derive(Clone, Copy)]
struct S62([i64; 5]);

/// An odd modulus with what the algorithm needs.
pub(crate) struct Modulus {
    m: S62,
    limbs: [u64; 4],
    /// m^-1 mod 2^62.
    inv62: u64,
}

impl Modulus {
    pub(crate) const fn new(limbs: [u64; 4]) -> Modulus {
        Modulus {
            m: to_s62(&limbs),
            limbs,
            inv62: inverse_mod_2_64(limbs[0]) & M62,
        }
    }
}

/// m0^-1 mod 2^64 for odd m0, by Newton iteration (each step doubles the
/// correct bits).
pub(crate) const fn inverse_mod_2_64(m0: u64) -> u64 {
    let mut inv = m0; // correct to 3 bits for odd m0
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(inv)));
        i += 1;
    }
    inv
}

const fn to_s62(a: &[u64; 4]) -> S62 {
    S62([
        (a[0] & M62) as i64,
        (((a[0] >> 62) | (a[1] << 2)) & M62) as i64,
        (((a[1] >> 60) | (a[2] << 4)) & M62) as i64,
        (((a[2] >> 58) | (a[3] << 6)) & M62) as i64,
        (a[3] >> 56) as i64,
    ])
}

/// The 2x2 transition matrix of 62 divsteps, scaled by 2^62.
struct Trans {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// 62 divsteps on the low words of f and g (eta = -delta).
fn divsteps_62_var(mut eta: i64, f0: u64, g0: u64) -> (i64, Trans) {
    let (mut u, mut v, mut q, mut r) = (1u64, 0u64, 0u64, 1u64);
    let (mut f, mut g) = (f0, g0);
    let mut i: u32 = 62;
    loop {
        // A sentinel bit stops the count of zeros at i.
        let zeros = (g | (u64::MAX << i)).trailing_zeros();
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= zeros as i64;
        i -= zeros;
        if i == 0 {
            break;
        }
        let w: u64;
        if eta < 0 {
            eta = -eta;
            let t = f;
            f = g;
            g = t.wrapping_neg();
            let t = u;
            u = q;
            q = t.wrapping_neg();
            let t = v;
            v = r;
            r = t.wrapping_neg();
            // Cancel up to 6 bits of g, but no more than i or eta+1.
            let limit = (eta + 1).min(i as i64) as u32;
            let m = (u64::MAX >> (64 - limit)) & 63;
            w = f
                .wrapping_mul(g)
                .wrapping_mul(f.wrapping_mul(f).wrapping_sub(2))
                & m;
        } else {
            // Up to 4 bits here: eta tends to be small in this branch.
            let limit = (eta + 1).min(i as i64) as u32;
            let m = (u64::MAX >> (64 - limit)) & 15;
            let w0 = f.wrapping_add((f.wrapping_add(1) & 4) << 1);
            w = w0.wrapping_neg().wrapping_mul(g) & m;
        }
        g = g.wrapping_add(f.wrapping_mul(w));
        q = q.wrapping_add(u.wrapping_mul(w));
        r = r.wrapping_add(v.wrapping_mul(w));
    }
    (
        eta,
        Trans {
            u: u as i64,
            v: v as i64,
            q: q as i64,
            r: r as i64,
        },
    )
}

/// [d, e] <- t·[d, e] / 2^62 mod m, keeping them in (-2m, m).
fn update_de(d: &mut S62, e: &mut S62, t: &Trans, md_: &Modulus) {
    let m = &md_.m.0;
    let (u, v, q, r) = (t.u as i128, t.v as i128, t.q as i128, t.r as i128);
    let dv = d.0;
    let ev = e.0;
    let sd = dv[4] >> 63;
    let se = ev[4] >> 63;
    let mut mdd = (t.u & sd).wrapping_add(t.v & se);
    let mut me = (t.q & sd).wrapping_add(t.r & se);
    let mut cd = u * dv[0] as i128 + v * ev[0] as i128;
    let mut ce = q * dv[0] as i128 + r * ev[0] as i128;
    // Choose the multiples of m that clear the low 62 bits.
    mdd =
        mdd.wrapping_sub((md_.inv62.wrapping_mul(cd as u64).wrapping_add(mdd as u64) & M62) as i64);
    me = me.wrapping_sub((md_.inv62.wrapping_mul(ce as u64).wrapping_add(me as u64) & M62) as i64);
    cd += m[0] as i128 * mdd as i128;
    ce += m[0] as i128 * me as i128;
    debug_assert_eq!(cd as u64 & M62, 0);
    debug_assert_eq!(ce as u64 & M62, 0);
    cd >>= 62;
    ce >>= 62;
    for i in 1..5 {
        cd += u * dv[i] as i128 + v * ev[i] as i128 + m[i] as i128 * mdd as i128;
        ce += q * dv[i] as i128 + r * ev[i] as i128 + m[i] as i128 * me as i128;
        d.0[i - 1] = (cd as u64 & M62) as i64;
        e.0[i - 1] = (ce as u64 & M62) as i64;
        cd >>= 62;
        ce >>= 62;
    }
    d.0[4] = cd as i64;
    e.0[4] = ce as i64;
}

/// [f, g] <- t·[f, g] / 2^62 on the first `len` limbs.
fn update_fg(len: usize, f: &mut S62, g: &mut S62, t: &Trans) {
    let (u, v, q, r) = (t.u as i128, t.v as i128, t.q as i128, t.r as i128);
    let mut cf = u * f.0[0] as i128 + v * g.0[0] as i128;
    let mut cg = q * f.0[0] as i128 + r * g.0[0] as i128;
    debug_assert_eq!(cf as u64 & M62, 0);
    debug_assert_eq!(cg as u64 & M62, 0);
    cf >>= 62;
    cg >>= 62;
    for i in 1..len {
        let (fi, gi) = (f.0[i] as i128, g.0[i] as i128);
        cf += u * fi + v * gi;
        cg += q * fi + r * gi;
        f.0[i - 1] = (cf as u64 & M62) as i64;
        g.0[i - 1] = (cg as u64 & M62) as i64;
        cf >>= 62;
        cg >>= 62;
    }
    f.0[len - 1] = cf as i64;
    g.0[len - 1] = cg as i64;
}

/// a^-1 mod m for canonical a < m; 0 maps to 0. Variable time.
pub(crate) fn invert(a: &[u64; 4], m: &Modulus) -> [u64; 4] {
    let mut d = S62([0; 5]);
    let mut e = S62([1, 0, 0, 0, 0]);
    let mut f = m.m;
    let mut g = to_s62(a);
    let mut len = 5usize;
    let mut eta: i64 = -1;
    // Bernstein-Yang bound: at most 590 divsteps for 256 bits, i.e. 10 rounds;
    // the cap keeps a broken invariant from looping forever.
    for _ in 0..64 {
        let (neta, t) = divsteps_62_var(eta, f.0[0] as u64, g.0[0] as u64);
        eta = neta;
        update_de(&mut d, &mut e, &t, m);
        update_fg(len, &mut f, &mut g, &t);
        if g.0[0] == 0 && g.0[1..len].iter().all(|&x| x == 0) {
            break;
        }
        let fnn = f.0[len - 1];
        let gn = g.0[len - 1];
        let mut cond = ((len as i64) - 2) >> 63;
        cond |= fnn ^ (fnn >> 63);
        cond |= gn ^ (gn >> 63);
        if cond == 0 {
            f.0[len - 2] |= ((fnn as u64) << 62) as i64;
            g.0[len - 2] |= ((gn as u64) << 62) as i64;
            len -= 1;
        }
    }
    normalize(&d, f.0[len - 1] < 0, m)
}

/// Two's complement of d in 5 words; limbs 0..3 of d are in [0, 2^62).
fn to_words(d: &S62) -> [u64; 5] {
    let v = d.0;
    [
        (v[0] as u64) | ((v[1] as u64) << 62),
        ((v[1] as u64) >> 2) | ((v[2] as u64) << 60),
        ((v[2] as u64) >> 4) | ((v[3] as u64) << 58),
        ((v[3] as u64) >> 6) | ((v[4] as u64) << 56),
        (v[4] >> 8) as u64,
    ]
}

/// d in (-2m, m), negated if `neg`, brought into [0, m).
fn normalize(d: &S62, neg: bool, m: &Modulus) -> [u64; 4] {
    let mut a = to_words(d);
    if neg {
        let mut c = 1u64;
        for x in a.iter_mut() {
            let (s, o) = (!*x).overflowing_add(c);
            *x = s;
            c = o as u64;
        }
    }
    let ml = [m.limbs[0], m.limbs[1], m.limbs[2], m.limbs[3], 0];
    // At most two corrections each way.
    for _ in 0..3 {
        if (a[4] as i64) < 0 {
            let mut c = 0u64;
            for (x, y) in a.iter_mut().zip(ml.iter()) {
                let (s1, o1) = x.overflowing_add(*y);
                let (s2, o2) = s1.overflowing_add(c);
                *x = s2;
                c = (o1 | o2) as u64;
            }
        } else if a[4] != 0 || !super::field::lt(&[a[0], a[1], a[2], a[3]], &m.limbs) {
            let mut b = 0u64;
            for (x, y) in a.iter_mut().zip(ml.iter()) {
                let (s1, o1) = x.overflowing_sub(*y);
                let (s2, o2) = s1.overflowing_sub(b);
                *x = s2;
                b = (o1 | o2) as u64;
            }
        } else {
            break;
        }
    }
    [a[0], a[1], a[2], a[3]]
}

/// 59 divsteps without branches or data-dependent shifts (zeta = -(delta + 1/2)).
/// The matrix starts at 8 = 2^3 so that it ends scaled by 2^62 like
/// [`divsteps_62_var`]'s, and [`update_de`]/[`update_fg`] apply to both.
fn divsteps_59_ct(mut zeta: i64, f0: u64, g0: u64) -> (i64, Trans) {
    let (mut u, mut v, mut q, mut r) = (8u64, 0u64, 0u64, 8u64);
    let (mut f, mut g) = (f0, g0);
    for _ in 0..59 {
        // c1: zeta < 0 (delta > 0); c2: g odd.
        let c1 = (zeta >> 63) as u64;
        let c2 = (g & 1).wrapping_neg();
        // g += (c1 ? -f : f) when g is odd; the same on the matrix rows.
        g = g.wrapping_add(((f ^ c1).wrapping_sub(c1)) & c2);
        q = q.wrapping_add(((u ^ c1).wrapping_sub(c1)) & c2);
        r = r.wrapping_add(((v ^ c1).wrapping_sub(c1)) & c2);
        // Swap case: f takes the old g (f + (g - f)), zeta becomes -zeta - 2.
        let c = c1 & c2;
        zeta = (zeta ^ c as i64).wrapping_sub(1);
        f = f.wrapping_add(g & c);
        u = u.wrapping_add(q & c);
        v = v.wrapping_add(r & c);
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    (
        zeta,
        Trans {
            u: u as i64,
            v: v as i64,
            q: q as i64,
            r: r as i64,
        },
    )
}

/// a^-1 mod m for canonical a < m, constant time; 0 maps to 0.
pub(crate) fn invert_ct(a: &[u64; 4], m: &Modulus) -> [u64; 4] {
    let mut d = S62([0; 5]);
    let mut e = S62([1, 0, 0, 0, 0]);
    let mut f = m.m;
    let mut g = to_s62(a);
    let mut zeta: i64 = -1;
    for _ in 0..10 {
        let (nz, t) = divsteps_59_ct(zeta, f.0[0] as u64, g.0[0] as u64);
        zeta = nz;
        update_de(&mut d, &mut e, &t, m);
        update_fg(5, &mut f, &mut g, &t);
    }
    // f = +-1 now (or m when a = 0, then d = 0); d in (-2m, m).
    let mut w = to_words(&d);
    // Masks through black_box: LLVM made a branch of `below` otherwise.
    let neg = core::hint::black_box((f.0[4] >> 63) as u64);
    let mut c = neg & 1;
    for x in w.iter_mut() {
        let (s, o) = (*x ^ neg).overflowing_add(c);
        *x = s;
        c = o as u64;
    }
    // Now in (-m, 2m): add m if negative, then subtract m unless that borrows.
    let ml = [m.limbs[0], m.limbs[1], m.limbs[2], m.limbs[3], 0];
    let below = core::hint::black_box(((w[4] as i64) >> 63) as u64);
    let mut c = 0u64;
    for (x, y) in w.iter_mut().zip(ml.iter()) {
        let (s1, o1) = x.overflowing_add(y & below);
        let (s2, o2) = s1.overflowing_add(c);
        *x = s2;
        c = (o1 | o2) as u64;
    }
    let mut t = [0u64; 5];
    let mut b = 0u64;
    for ((o, x), y) in t.iter_mut().zip(w.iter()).zip(ml.iter()) {
        let (s1, o1) = x.overflowing_sub(*y);
        let (s2, o2) = s1.overflowing_sub(b);
        *o = s2;
        b = (o1 | o2) as u64;
    }
    let keep = core::hint::black_box(((t[4] as i64) >> 63) as u64); // w < m: keep w
    let mut out = [0u64; 4];
    for i in 0..4 {
        out[i] = (w[i] & keep) | (t[i] & !keep);
    }
    out
}
