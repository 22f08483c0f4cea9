//! Constant-time P-256 fixed-base multiplication and ECDSA signing on the
//! engine's field arithmetic: the one part of the engine that touches secrets.
//!
//! k·G is a signed-window comb: k = sum of d_i·2^(6i) for 43 Booth digits
//! d_i in [-32, 32], and a table of the affine points j·2^(6i)·G (j = 1..32,
//! 43 x 32 entries, 88 KiB, built once from public data). The product is the
//! sum of 43 table points, with no doubling. Per window:
//! - the digit comes from the scalar's bits by arithmetic only;
//! - the table row is read in full, every entry masked in or out, so the
//!   memory access pattern does not depend on the digit;
//! - y is negated under a mask for a negative digit;
//! - the mixed addition (madd-2007-bl, no branches) always runs, and masks pick
//!   its result, the table point (accumulator still the identity) or the old
//!   accumulator (digit 0).
//!
//! The addition has no exceptional case other than the identity, handled by the
//! masks, for k in [1, n-1]: before window i the accumulator is S·G with
//! |S| < 0.51·2^(6i), the addend is d·2^(6i)·G with |d·2^(6i)| >= 2^(6i) when
//! d != 0, and |S| + |d·2^(6i)| < n up to the last window, so S = +-d·2^(6i)
//! mod n cannot happen; in the last window (S in [-2^251, 2^251), d·2^252 <=
//! 2^256) S = d·2^252 - n would need S = -(n mod 2^252) mod 2^252, which is
//! about 2^224 > 0, and then k = S + d·2^252 > n. A fault mask still records
//! H = 0 and fails the multiplication instead of returning a wrong point.
//!
//! The Z inversion and k^-1 mod n use the constant-time safegcd of `modinv`;
//! field and scalar multiplications are branch-free. The nonce is RFC 6979's
//! HMAC-DRBG (the `rfc6979` crate, as the RustCrypto signer it replaces),
//! hedged with caller randomness. Only public facts branch: whether R is the
//! identity (k = 0), whether x(R) >= n or s = 0 (both visible in the result).

use std::sync::OnceLock;

use zeroize::Zeroize;

use super::{Affine, Fe, Jacobian, Sc};

/// Window width in bits.
const W: usize = 6;
/// ceil(257 / W): one bit more than 256 for the sign of the top digit.
const WINDOWS: usize = 43;
/// Table points per window: 1..2^(W-1) times the window's base.
const ENTRIES: usize = 1 << (W - 1);

type Row = [Affine; ENTRIES];

/// j·2^(6i)·G for i < 43, j = 1..32 (public, built once).
fn table() -> &'static [Row] {
    static TABLE: OnceLock<Vec<Row>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut jac = Vec::with_capacity(WINDOWS * ENTRIES);
        let mut base = Affine::GENERATOR.to_jacobian();
        for _ in 0..WINDOWS {
            let mut p = base;
            for _ in 0..ENTRIES {
                jac.push(p);
                p = p.add(&base);
            }
            for _ in 0..W {
                base = base.double();
            }
        }
        // j·2^(6i) < n for every entry, so none is the identity.
        let aff: Vec<Affine> = Jacobian::batch_to_affine(&jac)
            .into_iter()
            .map(|p| p.unwrap_or(Affine::GENERATOR))
            .collect();
        aff.chunks(ENTRIES)
            .map(|c| {
                let mut row = [Affine::GENERATOR; ENTRIES];
                row.copy_from_slice(c);
                row
            })
            .collect()
    })
}

/// Builds the table now (otherwise the first signature pays ~1 ms for it).
pub fn warm_up() {
    let _ = table();
}

/// All ones when a == b, else 0 (arithmetic only).
#[inline(always)]
fn eq_mask_raw(a: u64, b: u64) -> u64 {
    let d = a ^ b;
    ((d | d.wrapping_neg()) >> 63).wrapping_sub(1)
}

/// [`eq_mask_raw`] through `black_box`, so that the compiler cannot see that
/// the value is 0 or all ones and branch on it.
#[inline(always)]
fn eq_mask(a: u64, b: u64) -> u64 {
    core::hint::black_box(eq_mask_raw(a, b))
}

/// The masks selecting entry `idx` (1-based) of an N-entry row. They pass
/// through one `black_box` together: with plain masks LLVM turned the scan
/// into a branch on the digit (found by the `--dudect` run of the field bench,
/// then in the disassembly), and one barrier per mask costs ~10% more.
#[inline(always)]
fn row_masks<const N: usize>(idx: u64) -> [u64; N] {
    let mut m = [0u64; N];
    for (j, m) in m.iter_mut().enumerate() {
        *m = eq_mask_raw(idx, j as u64 + 1);
    }
    core::hint::black_box(m)
}

/// Booth digit i of k: (|d|, all ones if d < 0).
#[inline(always)]
fn digit(k: &[u64; 4], i: usize) -> (u64, u64) {
    // Bits 6i-1 .. 6i+5 of k (bit -1 is 0); positions are public.
    let t = if i == 0 {
        (k[0] << 1) & 0x7f
    } else {
        let lo = W * i - 1;
        let (limb, off) = (lo / 64, lo % 64);
        let mut v = k[limb] >> off;
        if off + W + 1 > 64 && limb + 1 < 4 {
            v |= k[limb + 1] << (64 - off);
        }
        v & 0x7f
    };
    let d = ((t & 1) + ((t >> 1) & 0x1f)) as i64 - (((t >> W) & 1) << (W - 1)) as i64;
    let s = core::hint::black_box(d >> 63);
    (((d ^ s) - s) as u64, s as u64)
}

/// Entry `idx` (1-based) of a row, 0 coordinates for idx = 0; reads every entry.
#[inline(always)]
fn lookup(row: &Row, idx: u64) -> Affine {
    let mut x = [0u64; 4];
    let mut y = [0u64; 4];
    let masks = row_masks::<ENTRIES>(idx);
    for (e, &m) in row.iter().zip(masks.iter()) {
        for l in 0..4 {
            x[l] |= e.x.0[l] & m;
            y[l] |= e.y.0[l] & m;
        }
    }
    Affine {
        x: Fe::from_montgomery(x),
        y: Fe::from_montgomery(y),
    }
}

/// p + q (madd-2007-bl as in `point.rs`) without branches, and a mask that is
/// all ones when H = 0 (equal x: doubling or inverse, a fault here).
#[inline(always)]
fn madd(p: &Jacobian, q: &Affine) -> (Jacobian, u64) {
    let z1z1 = p.z.square();
    let u2 = q.x.mul(&z1z1);
    let s2 = q.y.mul(&p.z).mul(&z1z1);
    let h = u2.sub(&p.x);
    let r = s2.sub(&p.y).double();
    let hh = h.square();
    let i = hh.double().double();
    let j = h.mul(&i);
    let v = p.x.mul(&i);
    let x3 = r.square().sub(&j).sub(&v.double());
    let y3 = r.mul(&v.sub(&x3)).sub(&p.y.mul(&j).double());
    let z3 = p.z.mul(&h).double();
    (
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        },
        h.zero_mask(),
    )
}

#[inline(always)]
fn select_jac(a: &Jacobian, b: &Jacobian, mask: u64) -> Jacobian {
    Jacobian {
        x: Fe::select(&a.x, &b.x, mask),
        y: Fe::select(&a.y, &b.y, mask),
        z: Fe::select(&a.z, &b.z, mask),
    }
}

fn wipe_jac(p: &mut Jacobian) {
    p.x.0.zeroize();
    p.y.0.zeroize();
    p.z.0.zeroize();
}

/// One constant-time step of the comb and window loops: acc += ±q for
/// digit `abs` (sign mask `neg`). `inf` (all ones while acc is the identity)
/// and `fault` (a sum that met H = 0) are masks; the temporaries and q are
/// wiped.
#[inline(always)]
fn accumulate(
    acc: &mut Jacobian,
    inf: &mut u64,
    fault: &mut u64,
    q: &mut Affine,
    abs: u64,
    neg: u64,
) {
    q.y = Fe::select(&q.y, &q.y.neg(), neg);
    let zero = eq_mask(abs, 0);
    let (mut sum, h0) = madd(acc, q);
    let mut lifted = q.to_jacobian();
    // Identity accumulator: take q; digit 0: keep acc; else the sum.
    let mut next = select_jac(&sum, &lifted, *inf);
    next = select_jac(&next, acc, zero);
    *fault |= h0 & !*inf & !zero;
    *inf &= zero;
    *acc = next;
    wipe_jac(&mut sum);
    wipe_jac(&mut lifted);
    q.x.0.zeroize();
    q.y.0.zeroize();
}

/// acc in affine coordinates (a constant-time inversion), or None when it
/// is the identity or a step faulted; acc is wiped.
#[inline(always)]
fn finish(mut acc: Jacobian, inf: u64, fault: u64) -> Option<Affine> {
    let failed = (inf | fault) != 0;
    let zi = acc.z.invert_ct();
    let zi2 = zi.square();
    let out = Affine {
        x: acc.x.mul(&zi2),
        y: acc.y.mul(&zi2).mul(&zi),
    };
    wipe_jac(&mut acc);
    if failed {
        None
    } else {
        Some(out)
    }
}

/// k·G in constant time for a secret k < n; None when k = 0 (the identity).
/// Built with BMI2/ADX (mulx) when the CPU has them, like the Straus loop.
pub fn mul_base(k: &Sc) -> Option<Affine> {
    #[cfg(target_arch = "x86_64")]
    if let Some(r) = super::ifma::mul_base_bmi2(k) {
        return r;
    }
    mul_base_impl(k)
}

/// The body of [`mul_base`], inlined into each build.
#[inline(always)]
pub(crate) fn mul_base_impl(k: &Sc) -> Option<Affine> {
    let rows = table();
    let mut acc = Jacobian::IDENTITY;
    let mut inf = u64::MAX;
    let mut fault = 0u64;
    for (i, row) in rows.iter().enumerate() {
        let (abs, neg) = digit(&k.0, i);
        let mut q = lookup(row, abs);
        accumulate(&mut acc, &mut inf, &mut fault, &mut q, abs, neg);
    }
    // k = 0 is the only way to end at the identity; a fault cannot happen.
    finish(acc, inf, fault)
}

/// Digit i of k in signed 5-bit windows: (|d|, all ones if d < 0).
#[inline(always)]
fn digit5(k: &[u64; 4], i: usize) -> (u64, u64) {
    let t = if i == 0 {
        (k[0] << 1) & 0x3f
    } else {
        let lo = 5 * i - 1;
        let (limb, off) = (lo / 64, lo % 64);
        let mut v = if limb < 4 { k[limb] >> off } else { 0 };
        if off + 6 > 64 && limb + 1 < 4 {
            v |= k[limb + 1] << (64 - off);
        }
        v & 0x3f
    };
    let d = ((t & 1) + ((t >> 1) & 0xf)) as i64 - (((t >> 5) & 1) << 4) as i64;
    let s = core::hint::black_box(d >> 63);
    (((d ^ s) - s) as u64, s as u64)
}

/// k·P in constant time in k for a public point P (an ECDH peer key) and a
/// secret k < n; None for k = 0. Signed 5-bit windows from the top: five
/// doublings and one addition of a masked-scan table entry per window.
///
/// As in the comb, only the identity is exceptional for k in [1, n-1]: before
/// the addition of digit d the accumulator is 32·T·P with T the integer of the
/// higher digits; 32·T = +-d (mod n) needs T = 0 (the identity, masked) except
/// in the last window, where 32·T - d = n would mean k = n + 2d with d < 0 and
/// d = k mod 32 (Booth), i.e. d = (17 + 2d) mod 32 (n = 17 mod 32), so d = 15:
/// impossible. A fault mask still turns H = 0 into a failure.
pub fn mul_ct(p: &Affine, k: &Sc) -> Option<Affine> {
    #[cfg(target_arch = "x86_64")]
    if let Some(r) = super::ifma::mul_ct_bmi2(p, k) {
        return r;
    }
    mul_ct_impl(p, k)
}

/// The body of [`mul_ct`], inlined into each build.
#[inline(always)]
pub(crate) fn mul_ct_impl(p: &Affine, k: &Sc) -> Option<Affine> {
    // 1..16 times P: public data, variable-time arithmetic is fine.
    let pj = p.to_jacobian();
    let mut jac = [pj; 16];
    for j in 1..16 {
        jac[j] = jac[j - 1].add(&pj);
    }
    let mut row = [*p; 16];
    for (o, a) in row.iter_mut().zip(Jacobian::batch_to_affine(&jac)) {
        // j·P for j <= 16 < n is never the identity.
        *o = a?;
    }
    let mut acc = Jacobian::IDENTITY;
    let mut inf = u64::MAX;
    let mut fault = 0u64;
    for i in (0..52).rev() {
        if i != 51 {
            for _ in 0..5 {
                acc = acc.double_unchecked();
            }
        }
        let (abs, neg) = digit5(&k.0, i);
        let mut x = [0u64; 4];
        let mut y = [0u64; 4];
        let masks = row_masks::<16>(abs);
        for (e, &m) in row.iter().zip(masks.iter()) {
            for l in 0..4 {
                x[l] |= e.x.0[l] & m;
                y[l] |= e.y.0[l] & m;
            }
        }
        let mut q = Affine {
            x: Fe::from_montgomery(x),
            y: Fe::from_montgomery(y),
        };
        accumulate(&mut acc, &mut inf, &mut fault, &mut q, abs, neg);
        x.zeroize();
        y.zeroize();
    }
    finish(acc, inf, fault)
}

/// a + b in constant time (complete: a = b doubles, a = -b gives None).
pub fn add_ct(a: &Affine, b: &Affine) -> Option<Affine> {
    let aj = a.to_jacobian();
    let (sum, h0) = madd(&aj, b);
    // With Z1 = 1, r = 0 means y(a) = y(b).
    let r0 = b.y.sub(&a.y).zero_mask();
    let dbl = aj.double_unchecked();
    let p = select_jac(&sum, &dbl, h0 & r0);
    let identity = (h0 & !r0) != 0;
    let zi = p.z.invert_ct();
    let zi2 = zi.square();
    let out = Affine {
        x: p.x.mul(&zi2),
        y: p.y.mul(&zi2).mul(&zi),
    };
    if identity {
        None
    } else {
        Some(out)
    }
}

/// An ECDSA signature with r given as the point R = k·G.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureR {
    /// R, with x(R) < n, so r = x(R).
    pub r_point: Affine,
    /// s, canonical.
    pub s: Sc,
}

/// Why signing with a given nonce produced nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignError {
    /// k = 0 mod n, r = 0 or s = 0: another nonce is needed.
    Degenerate,
    /// x(R) >= n: R cannot be rebuilt from r; the caller retries with new
    /// randomness (as the RustCrypto path did; probability about 2^-128).
    XReduced,
}

/// ECDSA `bits2int(z) mod n`: the leftmost 32 bytes, left-padded when shorter.
fn digest_scalar(z: &[u8]) -> Sc {
    let mut b = [0u8; 32];
    if z.len() >= 32 {
        b.copy_from_slice(&z[..32]);
    } else {
        b[32 - z.len()..].copy_from_slice(z);
    }
    Sc::from_bytes_reduced(&b)
}

/// Big-endian secret bytes to a scalar without branching (reduced mod n).
fn secret_scalar(bytes: &[u8; 32]) -> Sc {
    Sc::from_bytes_reduced(bytes)
}

/// s = k^-1·(z + r·d) with R = k·G, for secret d, k in [1, n-1] (32 bytes
/// big-endian each); z is the digest.
pub fn sign_with_k(d: &[u8; 32], k: &[u8; 32], z: &[u8]) -> Result<SignatureR, SignError> {
    let mut k = secret_scalar(k);
    let r_point = mul_base(&k);
    let Some(r_point) = r_point else {
        k.0.zeroize();
        return Err(SignError::Degenerate);
    };
    let x = r_point.x.to_bytes();
    let Some(r) = Sc::from_bytes(&x) else {
        k.0.zeroize();
        return Err(SignError::XReduced);
    };
    let mut d = secret_scalar(d);
    let mut kinv = k.invert_ct();
    let mut t = r.mul(&d).add(&digest_scalar(z));
    let s = kinv.mul(&t);
    d.0.zeroize();
    k.0.zeroize();
    kinv.0.zeroize();
    t.0.zeroize();
    if r.is_zero() || s.is_zero() {
        return Err(SignError::Degenerate);
    }
    Ok(SignatureR { r_point, s })
}

/// ECDSA with the RFC 6979 nonce (HMAC-SHA-256 DRBG over d, bits2octets(z) and
/// the additional data `ad`, e.g. fresh randomness): the same nonces, hence
/// the same signatures, as `ecdsa::hazmat::sign_prehashed_rfc6979`.
pub fn sign_rfc6979(d: &[u8; 32], z: &[u8], ad: &[u8]) -> Result<SignatureR, SignError> {
    use rfc6979::bigint::U256;
    const ORDER: U256 =
        U256::from_be_hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    let mut kgen = rfc6979::KGenerator::<sha2::Sha256, U256>::new(d, z, ad, &ORDER);
    let mut k = [0u8; 32];
    // Each candidate is in [1, n-1]; r = 0 or s = 0 (never seen) asks for the next.
    let out = loop {
        kgen.fill_next_k(&mut k);
        match sign_with_k(d, &k, z) {
            Err(SignError::Degenerate) => continue,
            other => break other,
        }
    };
    k.zeroize();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::mul;

    fn sc(hex: &str) -> Sc {
        let v = hex::decode(hex).unwrap();
        Sc::from_bytes(&v.try_into().unwrap()).unwrap()
    }

    /// A small xorshift generator: deterministic inputs for the tests.
    fn rnd(seed: &mut u64) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            chunk.copy_from_slice(&seed.to_be_bytes());
        }
        out
    }

    fn n_minus(v: u64) -> Sc {
        Sc::from_u128(v as u128).neg()
    }

    fn edge_scalars() -> Vec<Sc> {
        let mut v = vec![
            Sc::ONE,
            Sc::from_u128(2),
            Sc::from_u128(3),
            Sc::from_u128(31),
            Sc::from_u128(32),
            Sc::from_u128(33),
            Sc::from_u128(63),
            Sc::from_u128(64),
            Sc::from_u128(u64::MAX as u128),
            Sc::from_u128(u128::MAX),
            n_minus(1),
            n_minus(2),
            n_minus(32),
            n_minus(33),
            // All ones below n: 2^255 - 1, and 2^252 - 1 (the last full window).
            sc("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
            sc("0fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
            sc("0800000000000000000000000000000000000000000000000000000000000000"),
            sc("8000000000000000000000000000000000000000000000000000000000000000"),
            // Alternating digits +32 / -32 and n - 2^252 + 1.
            sc("8208208208208208208208208208208208208208208208208208208208208208"),
            sc("efffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632552"),
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200 {
            v.push(Sc::from_bytes_reduced(&rnd(&mut seed)));
        }
        v
    }

    #[test]
    fn booth_digits_recompose_the_scalar() {
        for k in edge_scalars() {
            // sum d_i·2^(6i) computed mod n with the scalar arithmetic.
            let mut acc = Sc::ZERO;
            let mut pow = Sc::ONE;
            let sixty_four = Sc::from_u128(64);
            for i in 0..WINDOWS {
                let (abs, neg) = digit(&k.0, i);
                assert!(abs <= 32);
                let t = Sc::from_u128(abs as u128).mul(&pow);
                acc = acc.add(&if neg != 0 { t.neg() } else { t });
                pow = pow.mul(&sixty_four);
            }
            assert_eq!(acc, k);
        }
    }

    #[test]
    fn mul_base_matches_variable_time_and_rustcrypto() {
        use p256_ref::elliptic_curve::sec1::ToEncodedPoint;
        use p256_ref::elliptic_curve::PrimeField;
        for k in edge_scalars() {
            let ours = mul_base(&k).unwrap();
            let vt = mul::mul(&Affine::GENERATOR, &k).to_affine().unwrap();
            assert_eq!(ours, vt);
            let ks = p256_ref::Scalar::from_repr(k.to_bytes().into()).unwrap();
            let rc = (p256_ref::ProjectivePoint::GENERATOR * ks).to_affine();
            assert_eq!(
                rc.to_encoded_point(false).as_bytes(),
                &ours.to_sec1()[..],
                "k = {:02x?}",
                k.to_bytes()
            );
        }
        assert_eq!(mul_base(&Sc::ZERO), None);
    }

    #[test]
    fn mul_ct_matches_variable_time() {
        let mut seed = 0xfeed_beef_u64;
        let points = [
            Affine::GENERATOR,
            mul_base(&Sc::from_bytes_reduced(&rnd(&mut seed))).unwrap(),
        ];
        for p in points {
            for k in edge_scalars().iter().take(60) {
                let want = mul::mul(&p, k).to_affine();
                assert_eq!(mul_ct(&p, k), want, "k = {:02x?}", k.to_bytes());
            }
            assert_eq!(mul_ct(&p, &Sc::ZERO), None);
        }
    }

    #[test]
    fn add_ct_is_complete() {
        let mut seed = 0xabcd_u64;
        for _ in 0..20 {
            let a = mul_base(&Sc::from_bytes_reduced(&rnd(&mut seed))).unwrap();
            let b = mul_base(&Sc::from_bytes_reduced(&rnd(&mut seed))).unwrap();
            assert_eq!(add_ct(&a, &b), a.to_jacobian().add_affine(&b).to_affine());
            assert_eq!(add_ct(&a, &a), a.to_jacobian().double().to_affine());
            assert_eq!(add_ct(&a, &a.neg()), None);
        }
    }

    #[test]
    fn mul_base_known_answers() {
        // k·G from the NIST/SECG P-256 point-multiplication test values.
        let cases = [
            (
                "0000000000000000000000000000000000000000000000000000000000000001",
                "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            ),
            (
                "0000000000000000000000000000000000000000000000000000000000000002",
                "7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978",
            ),
            (
                "0000000000000000000000000000000000000000000000000000000000000014",
                "83a01a9378395bab9bcd6a0ad03cc56d56e6b19250465a94a234dc4c6b28da9a",
            ),
            (
                "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550",
                "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            ),
        ];
        for (k, x) in cases {
            let p = mul_base(&sc(k)).unwrap();
            assert_eq!(hex::encode(p.x.to_bytes()), x);
        }
    }

    #[test]
    fn constant_time_inversions_match() {
        let mut seed = 0x1234_5678_9abc_def1;
        let mut cases = vec![Sc::ONE, Sc::from_u128(2), n_minus(1), n_minus(2)];
        for _ in 0..500 {
            cases.push(Sc::from_bytes_reduced(&rnd(&mut seed)));
        }
        for k in &cases {
            assert_eq!(k.invert_ct(), k.invert());
            assert_eq!(k.invert_ct().mul(k), Sc::ONE);
            let f = Fe::from_bytes(&k.to_bytes()).unwrap();
            assert_eq!(f.invert_ct(), f.invert());
            assert_eq!(f.invert_ct().mul(&f), Fe::ONE);
        }
        // p - 1 and 0.
        let pm1 = Fe::ONE.neg();
        assert_eq!(pm1.invert_ct(), pm1.invert());
        assert_eq!(Fe::ZERO.invert_ct(), Fe::ZERO);
        assert_eq!(Sc::ZERO.invert_ct(), Sc::ZERO);
    }

    #[test]
    fn rfc6979_p256_sha256_vectors() {
        use sha2::Digest;
        // RFC 6979 appendix A.2.5, P-256 with SHA-256.
        let d: [u8; 32] =
            hex::decode("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
                .unwrap()
                .try_into()
                .unwrap();
        let cases = [
            (
                &b"sample"[..],
                "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
                "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
            ),
            (
                &b"test"[..],
                "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
                "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083",
            ),
        ];
        for (msg, r, s) in cases {
            let z = sha2::Sha256::digest(msg);
            let sig = sign_rfc6979(&d, &z, &[]).unwrap();
            assert_eq!(hex::encode(sig.r_point.x.to_bytes()), r);
            assert_eq!(hex::encode(sig.s.to_bytes()), s);
        }
    }

    #[test]
    fn signatures_verify_with_the_engine_and_openssl() {
        use openssl::bn::BigNum;
        use openssl::ec::{EcGroup, EcKey, EcPoint};
        use openssl::ecdsa::EcdsaSig;
        use openssl::nid::Nid;
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let mut ctx = openssl::bn::BigNumContext::new().unwrap();
        let mut seed = 0x0dd_ba11_cafe_f00d;
        let mut keys: Vec<[u8; 32]> = vec![Sc::ONE.to_bytes(), n_minus(1).to_bytes()];
        for _ in 0..30 {
            keys.push(Sc::from_bytes_reduced(&rnd(&mut seed)).to_bytes());
        }
        for d in keys {
            let q = mul_base(&Sc::from_bytes(&d).unwrap()).unwrap();
            let pt = EcPoint::from_bytes(&group, &q.to_sec1(), &mut ctx).unwrap();
            let ok = EcKey::from_public_key(&group, &pt).unwrap();
            for z in [[0u8; 32], [0xff; 32], rnd(&mut seed)] {
                let ad = rnd(&mut seed);
                let sig = sign_rfc6979(&d, &z, &ad).unwrap();
                let es = crate::engine::Signature::from_scalars(
                    &sig.r_point.x.to_bytes(),
                    &sig.s.to_bytes(),
                )
                .unwrap();
                assert!(crate::engine::verify_prehash(&q, &z, &es).is_ok());
                let os = EcdsaSig::from_private_components(
                    BigNum::from_slice(&sig.r_point.x.to_bytes()).unwrap(),
                    BigNum::from_slice(&sig.s.to_bytes()).unwrap(),
                )
                .unwrap();
                assert!(os.verify(&z, &ok).unwrap());
            }
        }
    }
}
