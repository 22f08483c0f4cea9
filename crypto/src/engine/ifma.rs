//! Eight-lane P-256 arithmetic on AVX-512 IFMA for the batch verifier.
//!
//! Each `__m512i` holds one 52-bit limb of eight field elements (radix 2^52,
//! five limbs). Multiplication is Montgomery with R = 2^260 using
//! `vpmadd52luq`/`vpmadd52huq` (schoolbook product, then five reduction rounds;
//! -p^-1 = 1 mod 2^52 because p = -1 mod 2^96), in the style of Gueron and
//! Krasnov, "Accelerating big integer arithmetic using Intel IFMA extensions"
//! (ARITH 2016) and Drucker-Gueron (2018). Values are kept below 2^259 with
//! normalised limbs; sums and differences are folded with 2^256 = c (mod p).
//!
//! The batch check runs eight Straus accumulators side by side with the same
//! doubling schedule; the additions due at each offset are dealt out evenly
//! over the lanes (masked where fewer than eight remain), and the eight lane
//! sums are added at the end. Accumulators start at G instead of
//! the identity so the addition formulas never see the identity; any
//! exceptional case (an intermediate identity or equal points) leaves Z = 0 in
//! its lane, which is detected at the end and sent back to the portable path.
//!
//! The module also holds the BMI2/ADX build of the portable Straus loop (the
//! same source compiled with those features, so LLVM can use mulx).
//!
//! `unsafe` is confined to this module and `field_adx` (its `asm!`): here,
//! calling `#[target_feature]` entry points after runtime detection, and one
//! store of a vector into a local array.

use core::arch::x86_64::*;

use super::curve::{CurveParams, P256};
use super::{Affine, Fe, Jacobian, Sc};

const MASK52: u64 = (1 << 52) - 1;
/// p in radix 2^52 (limb 2 is zero).
const P52: [u64; 5] = [
    0xf_ffff_ffff_ffff,
    0xfff_ffff_ffff,
    0,
    0x10_0000_0000,
    0xffff_ffff_0000,
];
/// 2^256 mod p in radix 2^52, for folding the bits above 256.
const C256: [u64; 5] = [
    0x1,
    0xf_f000_0000_0000,
    0xf_ffff_ffff_ffff,
    0xf_ffef_ffff_ffff,
    0xffff,
];
/// 16p with limbs 0..3 at least 2^52 - 1 (borrowed), so that a - b + 16p is
/// computed limb by limb without underflow for any normalised b < 2^259.
const P16_BORROWED: [u64; 5] = [
    0x1f_ffff_ffff_fff0,
    0x10_ffff_ffff_fffe,
    0xf_ffff_ffff_ffff,
    0x10_00ff_ffff_ffff,
    0xf_ffff_ffef_ffff,
];
/// 2^252 mod p as an `Fe` internal value: Fe(v)·K = v/16, i.e. from the
/// R = 2^260 domain back to the engine's R = 2^256 domain.
const TO_FE: Fe = Fe::from_montgomery([0, 0, 0, 0x1000_0000_0000_0000]);

/// Whether this CPU has BMI2 and ADX (mulx), for the scalar Straus build.
pub fn bmi2_available() -> bool {
    std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx")
}

/// [`super::mul::straus`] compiled with BMI2/ADX enabled (same source, so
/// LLVM may use mulx); None when the CPU lacks them.
pub(crate) fn straus_bmi2<C: CurveParams>(
    fixed: &[super::mul::FixedTerm<'_, C>],
    affine: &[super::mul::AffineTerm<'_, C>],
    jacobian: &[super::mul::JacobianTerm<'_, C>],
    l: usize,
) -> Option<super::point::Jacobian<C>> {
    if !bmi2_available() {
        return None;
    }
    // SAFETY: the CPU supports bmi2 and adx (checked just above).
    Some(unsafe { straus_bmi2_inner(fixed, affine, jacobian, l) })
}

#[target_feature(enable = "bmi2,adx")]
fn straus_bmi2_inner<C: CurveParams>(
    fixed: &[super::mul::FixedTerm<'_, C>],
    affine: &[super::mul::AffineTerm<'_, C>],
    jacobian: &[super::mul::JacobianTerm<'_, C>],
    l: usize,
) -> super::point::Jacobian<C> {
    super::mul::straus_impl(fixed, affine, jacobian, l)
}

/// [`super::sign::mul_base`] built with BMI2/ADX; None when the CPU lacks them.
/// The outer Option is the dispatch, the inner one the result.
pub(crate) fn mul_base_bmi2(k: &Sc) -> Option<Option<Affine>> {
    if !bmi2_available() {
        return None;
    }
    // SAFETY: the CPU supports bmi2 and adx (checked just above).
    Some(unsafe { mul_base_bmi2_inner(k) })
}

#[target_feature(enable = "bmi2,adx")]
fn mul_base_bmi2_inner(k: &Sc) -> Option<Affine> {
    super::sign::mul_base_impl(k)
}

/// [`super::sign::mul_ct`] built with BMI2/ADX; None when the CPU lacks them.
pub(crate) fn mul_ct_bmi2(p: &Affine, k: &Sc) -> Option<Option<Affine>> {
    if !bmi2_available() {
        return None;
    }
    // SAFETY: the CPU supports bmi2 and adx (checked just above).
    Some(unsafe { mul_ct_bmi2_inner(p, k) })
}

#[target_feature(enable = "bmi2,adx")]
fn mul_ct_bmi2_inner(p: &Affine, k: &Sc) -> Option<Affine> {
    super::sign::mul_ct_impl(p, k)
}

/// Whether this CPU can run the IFMA path.
pub fn available() -> bool {
    std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512ifma")
}

#[derive(Clone, Copy)]
struct V([__m512i; 5]);

/// The eight lane values of a `V`, radix 2^52.
type Lanes8 = [[u64; 5]; 8];

/// Radix-2^52 limbs of an `Fe`, moved into the R = 2^260 domain (times 16).
pub(crate) fn limbs52(fe: &Fe) -> [u64; 5] {
    let v = fe.double().double().double().double().0;
    [
        v[0] & MASK52,
        ((v[0] >> 52) | (v[1] << 12)) & MASK52,
        ((v[1] >> 40) | (v[2] << 24)) & MASK52,
        ((v[2] >> 28) | (v[3] << 36)) & MASK52,
        v[3] >> 16,
    ]
}

/// Back from a lane value (< 2^259, R = 2^260 domain) to an `Fe`.
fn lane_to_fe(l: [u64; 5]) -> Fe {
    let mut v = [
        l[0] | (l[1] << 52),
        (l[1] >> 12) | (l[2] << 40),
        (l[2] >> 24) | (l[3] << 28),
        (l[3] >> 36) | (l[4] << 16),
        l[4] >> 48,
    ];
    let p = [P256::P[0], P256::P[1], P256::P[2], P256::P[3], 0];
    // v < 2^259 < 9p: subtract p until canonical.
    loop {
        let ge = v[4] != 0 || !super::field::lt(&[v[0], v[1], v[2], v[3]], &P256::P);
        if !ge {
            break;
        }
        let mut borrow = 0u64;
        for (x, y) in v.iter_mut().zip(p.iter()) {
            let (d1, b1) = x.overflowing_sub(*y);
            let (d2, b2) = d1.overflowing_sub(borrow);
            *x = d2;
            borrow = (b1 | b2) as u64;
        }
    }
    Fe::from_montgomery([v[0], v[1], v[2], v[3]]).mul(&TO_FE)
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn splat(x: u64) -> __m512i {
    _mm512_set1_epi64(x as i64)
}

/// Propagates carries so limbs 0..3 are below 2^52 (limb 4 takes the rest).
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn normalize(mut t: [__m512i; 5]) -> [__m512i; 5] {
    let mask = splat(MASK52);
    for k in 0..4 {
        let c = _mm512_srli_epi64::<52>(t[k]);
        t[k] = _mm512_and_si512(t[k], mask);
        t[k + 1] = _mm512_add_epi64(t[k + 1], c);
    }
    t
}

/// Reduces a value below 2^268 (any limbs below 2^63) to below 2^257.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn fold(t: [__m512i; 5]) -> V {
    let mut t = normalize(t);
    let hi = _mm512_srli_epi64::<48>(t[4]);
    t[4] = _mm512_and_si512(t[4], splat((1 << 48) - 1));
    // + hi·(2^256 mod p); hi < 2^20 so hi·c_k < 2^72.
    for k in 0..5 {
        t[k] = _mm512_madd52lo_epu64(t[k], hi, splat(C256[k]));
        if k < 4 {
            t[k + 1] = _mm512_madd52hi_epu64(t[k + 1], hi, splat(C256[k]));
        }
    }
    V(normalize(t))
}

impl V {
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn add(&self, b: &V) -> V {
        let mut t = self.0;
        for (x, y) in t.iter_mut().zip(b.0.iter()) {
            *x = _mm512_add_epi64(*x, *y);
        }
        fold(t)
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn sub(&self, b: &V) -> V {
        let mut t = self.0;
        for k in 0..5 {
            t[k] = _mm512_sub_epi64(_mm512_add_epi64(t[k], splat(P16_BORROWED[k])), b.0[k]);
        }
        fold(t)
    }

    /// self·2^s for small s.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn shl<const S: u32>(&self) -> V {
        let mut t = self.0;
        for x in t.iter_mut() {
            *x = _mm512_slli_epi64::<S>(*x);
        }
        fold(t)
    }

    /// 3·self.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn triple(&self) -> V {
        let mut t = self.0;
        for x in t.iter_mut() {
            *x = _mm512_add_epi64(*x, _mm512_slli_epi64::<1>(*x));
        }
        fold(t)
    }

    /// Montgomery product self·b·2^-260 mod p (inputs < 2^259, output < 2^259).
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn mul(&self, b: &V) -> V {
        let a = &self.0;
        let b = &b.0;
        let z = _mm512_setzero_si512();
        let mut t = [z; 10];
        for i in 0..5 {
            for j in 0..5 {
                t[i + j] = _mm512_madd52lo_epu64(t[i + j], a[i], b[j]);
                t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a[i], b[j]);
            }
        }
        let mask = splat(MASK52);
        let (p0, p1, p3, p4) = (splat(P52[0]), splat(P52[1]), splat(P52[3]), splat(P52[4]));
        for i in 0..5 {
            let m = _mm512_and_si512(t[i], mask);
            t[i] = _mm512_madd52lo_epu64(t[i], m, p0);
            t[i + 1] = _mm512_madd52hi_epu64(t[i + 1], m, p0);
            t[i + 1] = _mm512_madd52lo_epu64(t[i + 1], m, p1);
            t[i + 2] = _mm512_madd52hi_epu64(t[i + 2], m, p1);
            t[i + 3] = _mm512_madd52lo_epu64(t[i + 3], m, p3);
            t[i + 4] = _mm512_madd52hi_epu64(t[i + 4], m, p3);
            t[i + 4] = _mm512_madd52lo_epu64(t[i + 4], m, p4);
            t[i + 5] = _mm512_madd52hi_epu64(t[i + 5], m, p4);
            t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64::<52>(t[i]));
        }
        V(normalize([t[5], t[6], t[7], t[8], t[9]]))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn square(&self) -> V {
        self.mul(self)
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn from_lanes(l: &[[u64; 5]; 8]) -> V {
        let mut out = [_mm512_setzero_si512(); 5];
        for (k, o) in out.iter_mut().enumerate() {
            *o = _mm512_set_epi64(
                l[7][k] as i64,
                l[6][k] as i64,
                l[5][k] as i64,
                l[4][k] as i64,
                l[3][k] as i64,
                l[2][k] as i64,
                l[1][k] as i64,
                l[0][k] as i64,
            );
        }
        V(out)
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn lanes(self) -> [[u64; 5]; 8] {
        let mut out = [[0u64; 5]; 8];
        for k in 0..5 {
            let mut buf = [0u64; 8];
            // SAFETY: `buf` is 64 writable bytes and the store is unaligned.
            unsafe { _mm512_storeu_si512(buf.as_mut_ptr().cast(), self.0[k]) };
            for (lane, o) in out.iter_mut().enumerate() {
                o[k] = buf[lane];
            }
        }
        out
    }
}

/// Eight Jacobian points.
#[derive(Clone, Copy)]
struct PV {
    x: V,
    y: V,
    z: V,
}

impl PV {
    /// dbl-2001-b, as `Jacobian::double`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn double(&self) -> PV {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let alpha = self.x.sub(&delta).mul(&self.x.add(&delta)).triple();
        let beta4 = beta.shl::<2>();
        let x3 = alpha.square().sub(&beta4.shl::<1>());
        let z3 = self.y.add(&self.z).square().sub(&gamma).sub(&delta);
        let g8 = gamma.square().shl::<3>();
        let y3 = alpha.mul(&beta4.sub(&x3)).sub(&g8);
        PV {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// madd-2007-bl without special cases (they end in Z = 0, see module doc).
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn add_affine(&self, qx: &V, qy: &V) -> PV {
        let z1z1 = self.z.square();
        let u2 = qx.mul(&z1z1);
        let s2 = qy.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y).shl::<1>();
        let hh = h.square();
        let i = hh.shl::<2>();
        let j = h.mul(&i);
        let v = self.x.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.shl::<1>());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).shl::<1>());
        let z3 = self.z.add(&h).square().sub(&z1z1).sub(&hh);
        PV {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// add-2007-bl with Z3 = 2·Z1·Z2·H, without special cases (they end in
    /// Z = 0, see module doc).
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn add(&self, q: &PV) -> PV {
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = q.x.mul(&z1z1);
        let s1 = self.y.mul(&q.z).mul(&z2z2);
        let s2 = q.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let i = h.shl::<1>().square();
        let j = h.mul(&i);
        let r = s2.sub(&s1).shl::<1>();
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.shl::<1>());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).shl::<1>());
        let z3 = self.z.mul(&q.z).mul(&h).shl::<1>();
        PV {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    fn select(mask: __mmask8, a: &PV, b: &PV) -> PV {
        let sel = |x: &V, y: &V| {
            let mut o = x.0;
            for (k, ok) in o.iter_mut().enumerate() {
                *ok = _mm512_mask_blend_epi64(mask, y.0[k], x.0[k]);
            }
            V(o)
        };
        PV {
            x: sel(&a.x, &b.x),
            y: sel(&a.y, &b.y),
            z: sel(&a.z, &b.z),
        }
    }
}

/// One point in lane format: x, y and -y, radix 2^52, R = 2^260 domain.
pub(crate) struct LanePoint {
    x: [u64; 5],
    y: [u64; 5],
    ny: [u64; 5],
}

impl LanePoint {
    pub(crate) fn new(p: &Affine) -> LanePoint {
        LanePoint {
            x: limbs52(&p.x),
            y: limbs52(&p.y),
            ny: limbs52(&p.y.neg()),
        }
    }

    /// Back to an affine point of the portable code.
    pub(crate) fn to_affine(&self) -> Affine {
        Affine {
            x: lane_to_fe(self.x),
            y: lane_to_fe(self.y),
        }
    }
}

/// Odd multiples P, 3P, ..., (2m-1)P of every point, affine, in lane form:
/// eight points at a time (doubling and full additions in the lanes), then one
/// shared inversion for all of them (Montgomery's trick, per lane and then
/// across lanes). None when IFMA is missing or a lane met an exceptional case
/// (the caller then uses the portable code).
pub(crate) fn odd_multiples_lanes(points: &[Affine], m: usize) -> Option<Vec<Vec<LanePoint>>> {
    if !available() || m == 0 {
        return None;
    }
    // SAFETY: the CPU supports avx512f and avx512ifma (checked just above).
    unsafe { odd_multiples_lanes_ifma(points, m) }
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn odd_multiples_lanes_ifma(points: &[Affine], m: usize) -> Option<Vec<Vec<LanePoint>>> {
    let one = V::from_lanes(&[limbs52(&Fe::ONE); 8]);
    // Per chunk of eight points: the multiples and the prefix products of Z.
    let mut chunks: Vec<(Vec<PV>, Vec<V>)> = Vec::with_capacity(points.len().div_ceil(8));
    let mut totals: Vec<Fe> = Vec::with_capacity(points.len().div_ceil(8) * 8);
    for chunk in points.chunks(8) {
        let mut xs = [limbs52(&Affine::GENERATOR.x); 8];
        let mut ys = [limbs52(&Affine::GENERATOR.y); 8];
        for (lane, p) in chunk.iter().enumerate() {
            xs[lane] = limbs52(&p.x);
            ys[lane] = limbs52(&p.y);
        }
        let p = PV {
            x: V::from_lanes(&xs),
            y: V::from_lanes(&ys),
            z: one,
        };
        let d = p.double();
        let mut mults = Vec::with_capacity(m);
        mults.push(p);
        for k in 1..m {
            let next = mults[k - 1].add(&d);
            mults.push(next);
        }
        // prefix[k] = z_0 ... z_(k-1)
        let mut prefix = Vec::with_capacity(m);
        let mut acc = one;
        for pt in &mults {
            prefix.push(acc);
            acc = acc.mul(&pt.z);
        }
        for total in acc.lanes() {
            totals.push(lane_to_fe(total));
        }
        chunks.push((mults, prefix));
    }
    if totals.iter().any(|t| t.is_zero()) {
        return None;
    }
    Fe::batch_invert(&mut totals);
    let mut out: Vec<Vec<LanePoint>> = Vec::with_capacity(points.len());
    for (c, (mults, prefix)) in chunks.iter().enumerate() {
        let inv_lanes: [[u64; 5]; 8] = core::array::from_fn(|lane| limbs52(&totals[8 * c + lane]));
        let mut inv = V::from_lanes(&inv_lanes);
        let zero = V::from_lanes(&[[0u64; 5]; 8]);
        let mut affine: Vec<(V, V, V)> = vec![(zero, zero, zero); m];
        for k in (0..m).rev() {
            let zi = inv.mul(&prefix[k]);
            inv = inv.mul(&mults[k].z);
            let zi2 = zi.square();
            let x = mults[k].x.mul(&zi2);
            let y = mults[k].y.mul(&zi2).mul(&zi);
            affine[k] = (x, y, zero.sub(&y));
        }
        let lanes: Vec<(Lanes8, Lanes8, Lanes8)> = affine
            .iter()
            .map(|(x, y, ny)| (x.lanes(), y.lanes(), ny.lanes()))
            .collect();
        let in_chunk = (points.len() - 8 * c).min(8);
        for lane in 0..in_chunk {
            out.push(
                lanes
                    .iter()
                    .map(|(x, y, ny)| LanePoint {
                        x: x[lane],
                        y: y[lane],
                        ny: ny[lane],
                    })
                    .collect(),
            );
        }
    }
    Some(out)
}

/// A scalar term for the lanes: wNAF digits over a table of odd multiples
/// (`table[k]` is the index in the point list of (2k+1)·P).
pub(crate) struct LaneTerm<'a> {
    pub table: &'a [u32],
    pub digits: &'a super::mul::Digits,
}

/// Σ terms over eight lanes; returns the eight lane sums (each offset by
/// 2^257·G, see [`lane_offset_scalar`]), or None when a lane hit an
/// exceptional case and the caller must use the portable path.
pub(crate) fn straus8(points: &[LanePoint], terms: &[LaneTerm<'_>]) -> Option<[Jacobian; 8]> {
    if !available() {
        return None;
    }
    // SAFETY: the CPU supports avx512f and avx512ifma (checked just above).
    unsafe { straus8_ifma(points, terms) }
}

/// The scalar 2^257 mod n as limbs: every lane accumulator starts at G and is
/// doubled 257 times.
pub(crate) fn lane_offset_scalar() -> Sc {
    // 2^257 mod n = 2·(2^256 - n) = 2·(R mod n).
    let r_mod_n = Sc::from_limbs([
        0x0c46_353d_039c_daaf,
        0x4319_0552_58e8_617b,
        0,
        0x0000_0000_ffff_ffff,
    ]);
    r_mod_n.add(&r_mod_n)
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn straus8_ifma(points: &[LanePoint], terms: &[LaneTerm<'_>]) -> Option<[Jacobian; 8]> {
    let g = LanePoint::new(&Affine::GENERATOR);
    let one = limbs52(&Fe::ONE);
    let mut acc = PV {
        x: V::from_lanes(&[g.x; 8]),
        y: V::from_lanes(&[g.y; 8]),
        z: V::from_lanes(&[one; 8]),
    };
    // The points to add at one offset: (point index, negate). Adding P at
    // offset j contributes 2^j·P whichever lane does it, so the additions of
    // an offset are dealt out evenly over the lanes.
    let mut pending: Vec<(u32, bool)> = Vec::with_capacity(terms.len());
    let dummy = [0u64; 5];
    for off in (0..super::mul::DIGITS).rev() {
        acc = acc.double();
        pending.clear();
        for term in terms {
            let d = term.digits[off];
            if d != 0 {
                let idx = term.table[(d.unsigned_abs() as usize) >> 1];
                pending.push((idx, d < 0));
            }
        }
        for chunk in pending.chunks(8) {
            let mut xs = [dummy; 8];
            let mut ys = [dummy; 8];
            let mut mask: u8 = 0;
            for (lane, &(idx, neg)) in chunk.iter().enumerate() {
                let p = points.get(idx as usize)?;
                xs[lane] = p.x;
                ys[lane] = if neg { p.ny } else { p.y };
                mask |= 1 << lane;
            }
            let sum = acc.add_affine(&V::from_lanes(&xs), &V::from_lanes(&ys));
            acc = if mask == 0xff {
                sum
            } else {
                PV::select(mask, &sum, &acc)
            };
        }
    }
    let (xs, ys, zs) = (acc.x.lanes(), acc.y.lanes(), acc.z.lanes());
    let mut out = [Jacobian::IDENTITY; 8];
    for lane in 0..8 {
        let z = lane_to_fe(zs[lane]);
        if z.is_zero() {
            return None;
        }
        out[lane] = Jacobian {
            x: lane_to_fe(xs[lane]),
            y: lane_to_fe(ys[lane]),
            z,
        };
    }
    Some(out)
}

/// A scalar term of one lane: wNAF digits over its own odd-multiple table.
pub(crate) struct TableTerm<'a> {
    pub table: &'a [LanePoint],
    pub digits: &'a super::mul::Digits,
}

/// Eight independent sums: lane i evaluates `lanes[i]` only. Each result is
/// offset by 2^257·G like [`straus8`]; None marks a lane that hit an
/// exceptional case (the caller redoes that one on the portable path).
pub(crate) fn straus_per_lane(lanes: &[Vec<TableTerm<'_>>; 8]) -> Option<[Option<Jacobian>; 8]> {
    if !available() {
        return None;
    }
    // SAFETY: the CPU supports avx512f and avx512ifma (checked just above).
    Some(unsafe { straus_per_lane_ifma(lanes) })
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn straus_per_lane_ifma(lanes: &[Vec<TableTerm<'_>>; 8]) -> [Option<Jacobian>; 8] {
    let g = LanePoint::new(&Affine::GENERATOR);
    let one = limbs52(&Fe::ONE);
    let mut acc = PV {
        x: V::from_lanes(&[g.x; 8]),
        y: V::from_lanes(&[g.y; 8]),
        z: V::from_lanes(&[one; 8]),
    };
    let dummy = [0u64; 5];
    let mut pending: [Vec<(&LanePoint, bool)>; 8] = Default::default();
    for off in (0..super::mul::DIGITS).rev() {
        acc = acc.double();
        let mut steps = 0;
        for (lane, terms) in lanes.iter().enumerate() {
            pending[lane].clear();
            for t in terms {
                let d = t.digits[off];
                if d != 0 {
                    if let Some(p) = t.table.get((d.unsigned_abs() as usize) >> 1) {
                        pending[lane].push((p, d < 0));
                    }
                }
            }
            steps = steps.max(pending[lane].len());
        }
        for s in 0..steps {
            let mut xs = [dummy; 8];
            let mut ys = [dummy; 8];
            let mut mask: u8 = 0;
            for lane in 0..8 {
                if let Some(&(p, neg)) = pending[lane].get(s) {
                    xs[lane] = p.x;
                    ys[lane] = if neg { p.ny } else { p.y };
                    mask |= 1 << lane;
                }
            }
            let sum = acc.add_affine(&V::from_lanes(&xs), &V::from_lanes(&ys));
            acc = if mask == 0xff {
                sum
            } else {
                PV::select(mask, &sum, &acc)
            };
        }
    }
    let (xs, ys, zs) = (acc.x.lanes(), acc.y.lanes(), acc.z.lanes());
    core::array::from_fn(|lane| {
        let z = lane_to_fe(zs[lane]);
        if z.is_zero() {
            return None;
        }
        Some(Jacobian {
            x: lane_to_fe(xs[lane]),
            y: lane_to_fe(ys[lane]),
            z,
        })
    })
}

/// Eight candidate square roots a^((p+1)/4), lane-wise; the caller checks
/// them (None without IFMA).
pub(crate) fn sqrt_candidates8(a: &[Fe; 8]) -> Option<[Fe; 8]> {
    if !available() {
        return None;
    }
    // SAFETY: the CPU supports avx512f and avx512ifma (checked just above).
    Some(unsafe { sqrt_candidates8_ifma(a) })
}

#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn square_n(a: &V, n: u32) -> V {
    let mut t = *a;
    for _ in 0..n {
        t = t.square();
    }
    t
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn sqrt_candidates8_ifma(a: &[Fe; 8]) -> [Fe; 8] {
    let la: [[u64; 5]; 8] = core::array::from_fn(|i| limbs52(&a[i]));
    let x = V::from_lanes(&la);
    // The chain of `Fe::sqrt`: (p+1)/4 = (2^32-1)·2^222 + 2^190 + 2^94.
    let x2 = x.square().mul(&x);
    let x3 = x2.square().mul(&x);
    let x6 = square_n(&x3, 3).mul(&x3);
    let x12 = square_n(&x6, 6).mul(&x6);
    let x15 = square_n(&x12, 3).mul(&x3);
    let x30 = square_n(&x15, 15).mul(&x15);
    let x32 = square_n(&x30, 2).mul(&x2);
    let mut t = square_n(&x32, 32).mul(&x);
    t = square_n(&t, 96).mul(&x);
    t = square_n(&t, 94);
    let lanes = t.lanes();
    core::array::from_fn(|i| lane_to_fe(lanes[i]))
}

/// Lane operations exposed to the tests.
#[derive(Clone, Copy, Debug)]
pub enum TestOp {
    Roundtrip,
    Mul,
    Add,
    Sub,
    Triple,
    Shl3,
    /// 24·a·b through add, sub, mul, triple and shl together.
    Mixed,
}

/// Test hook: applies `op` lane-wise to the given `Fe`s (None without IFMA).
pub fn self_test(op: TestOp, a: &[Fe; 8], b: &[Fe; 8]) -> Option<[Fe; 8]> {
    if !available() {
        return None;
    }
    // SAFETY: the CPU supports avx512f and avx512ifma (checked just above).
    Some(unsafe { self_test_ifma(op, a, b) })
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn self_test_ifma(op: TestOp, a: &[Fe; 8], b: &[Fe; 8]) -> [Fe; 8] {
    let la: [[u64; 5]; 8] = core::array::from_fn(|i| limbs52(&a[i]));
    let lb: [[u64; 5]; 8] = core::array::from_fn(|i| limbs52(&b[i]));
    let va = V::from_lanes(&la);
    let vb = V::from_lanes(&lb);
    let out = match op {
        TestOp::Roundtrip => va,
        TestOp::Mul => va.mul(&vb),
        TestOp::Add => va.add(&vb),
        TestOp::Sub => va.sub(&vb),
        TestOp::Triple => va.triple(),
        TestOp::Shl3 => va.shl::<3>(),
        TestOp::Mixed => {
            let prod = va.mul(&vb);
            va.add(&vb)
                .sub(&vb)
                .mul(&vb)
                .sub(&prod)
                .add(&prod)
                .triple()
                .shl::<3>()
        }
    };
    let lanes = out.lanes();
    core::array::from_fn(|i| lane_to_fe(lanes[i]))
}

/// Micro-benchmark hook: `n` dependent 8-lane multiplications, doublings or
/// mixed additions (op 0, 1, 2); returns a lane value so nothing is elided.
pub fn bench_ops(op: u32, n: u64) -> Option<u64> {
    if !available() {
        return None;
    }
    // SAFETY: the CPU supports avx512f and avx512ifma (checked just above).
    Some(unsafe { bench_ops_ifma(op, n) })
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn bench_ops_ifma(op: u32, n: u64) -> u64 {
    let g = LanePoint::new(&Affine::GENERATOR);
    let one = limbs52(&Fe::ONE);
    let gx = V::from_lanes(&[g.x; 8]);
    let gy = V::from_lanes(&[g.y; 8]);
    let mut p = PV {
        x: gx,
        y: gy,
        z: V::from_lanes(&[one; 8]),
    }
    .double();
    let mut a = gx;
    for _ in 0..n {
        match op {
            0 => a = core::hint::black_box(a.mul(&gy)),
            1 => p = core::hint::black_box(p.double()),
            _ => p = core::hint::black_box(p.add_affine(&gx, &gy)),
        }
    }
    a.lanes()[0][0] ^ p.x.lanes()[0][0]
}
