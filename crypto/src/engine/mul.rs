//! Variable-time multi-scalar multiplication: width-w NAF recoding, tables of
//! odd multiples, and a Straus (Shamir's trick) evaluator that shares one
//! chain of doublings among all terms.
//!
//! A [`FixedTable`] splits a base P into C chunk bases 2^(jL)·P (L = 256/C) and
//! stores the odd multiples of each in affine form. Evaluating k·P with it costs
//! L+1 doublings (shared with every other term) and about 256/(w+1) mixed
//! additions: with C = 16 a scalar multiplication needs 17 doublings instead of
//! 256, which is what makes per-signer tables and the generator fast (the
//! "fixed-base comb" idea of Lim-Lee, combined with wNAF digits as in
//! Hankerson-Menezes-Vanstone, Guide to ECC, alg. 3.36 and 3.51).

use super::curve::CurveParams;
use super::point::{Affine, Jacobian};
use super::scalar::Sc;

/// Number of wNAF digits of a 256-bit value (one more than its bit length).
pub const DIGITS: usize = 257;

/// Signed digits, least significant first; each is zero or odd with |d| < 2^(w-1).
pub type Digits = [i16; DIGITS];

/// Width-w NAF of a scalar (2 <= w <= 12).
pub fn wnaf<C: CurveParams>(k: &Sc<C>, w: u32) -> Digits {
    debug_assert!((2..=12).contains(&w));
    let mut out = [0i16; DIGITS];
    let limbs = [k.0[0], k.0[1], k.0[2], k.0[3], 0, 0];
    let bits = |pos: usize, count: u32| -> u32 {
        let i = pos / 64;
        let sh = pos % 64;
        let v = ((limbs[i] as u128) | ((limbs[i + 1] as u128) << 64)) >> sh;
        (v as u32) & ((1u32 << count) - 1)
    };
    let mut carry = 0u32;
    let mut pos = 0usize;
    while pos < DIGITS {
        if bits(pos, 1) == carry {
            pos += 1;
            continue;
        }
        let now = w.min((DIGITS - pos) as u32);
        let mut word = bits(pos, now) + carry;
        carry = (word >> (w - 1)) & 1;
        word = word.wrapping_sub(carry << w);
        out[pos] = word as i32 as i16;
        pos += now as usize;
    }
    debug_assert_eq!(carry, 0);
    out
}

/// Odd multiples P, 3P, ..., (2m-1)P in Jacobian coordinates.
pub fn odd_multiples_jacobian<C: CurveParams>(p: &Jacobian<C>, m: usize) -> Vec<Jacobian<C>> {
    let mut out = Vec::with_capacity(m);
    out.push(*p);
    if m > 1 {
        let p2 = p.double();
        for i in 1..m {
            let next = out[i - 1].add(&p2);
            out.push(next);
        }
    }
    out
}

/// Errors that cannot happen for points of prime order, surfaced instead of panicking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableError;

/// Odd multiples of the chunk bases 2^(jL)·P, affine.
#[derive(Clone, Debug)]
pub struct FixedTable<C: CurveParams> {
    chunks: usize,
    chunk_bits: usize,
    width: u32,
    points: Vec<Affine<C>>,
}

impl<C: CurveParams> FixedTable<C> {
    /// Builds the table for P with `chunks` chunk bases and wNAF width `width`.
    pub fn new(p: &Affine<C>, chunks: usize, width: u32) -> Result<FixedTable<C>, TableError> {
        debug_assert!(chunks >= 1 && 256 % chunks == 0 && (2..=12).contains(&width));
        let chunk_bits = 256 / chunks;
        let m = 1usize << (width - 2);
        let mut jac = Vec::with_capacity(chunks * m);
        let mut base = p.to_jacobian();
        for j in 0..chunks {
            if j > 0 {
                for _ in 0..chunk_bits {
                    base = base.double();
                }
            }
            jac.extend(odd_multiples_jacobian(&base, m));
        }
        let points = Jacobian::batch_to_affine(&jac)
            .into_iter()
            .collect::<Option<Vec<Affine<C>>>>()
            .ok_or(TableError)?;
        Ok(FixedTable {
            chunks,
            chunk_bits,
            width,
            points,
        })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn chunk_bits(&self) -> usize {
        self.chunk_bits
    }

    /// All entries, chunk by chunk.
    pub(crate) fn points(&self) -> &[Affine<C>] {
        &self.points
    }

    /// Bytes held by the table (for cache sizing).
    pub fn size_bytes(&self) -> usize {
        self.points.len() * core::mem::size_of::<Affine<C>>()
    }

    /// The table entry for digit d (odd, nonzero) at chunk j, negated if d < 0.
    #[inline(always)]
    fn entry(&self, j: usize, d: i16) -> Affine<C> {
        let m = 1usize << (self.width - 2);
        let idx = j * m + ((d.unsigned_abs() as usize) >> 1);
        let p = self.points[idx];
        if d < 0 {
            p.neg()
        } else {
            p
        }
    }
}

/// A scalar recoded for a fixed table.
pub struct FixedTerm<'a, C: CurveParams> {
    pub table: &'a FixedTable<C>,
    pub digits: Digits,
}

impl<'a, C: CurveParams> FixedTerm<'a, C> {
    pub fn new(table: &'a FixedTable<C>, k: &Sc<C>) -> Self {
        FixedTerm {
            table,
            digits: wnaf(k, table.width),
        }
    }
}

/// A scalar with a per-call table of odd multiples (affine).
pub struct AffineTerm<'a, C: CurveParams> {
    pub table: &'a [Affine<C>],
    pub digits: Digits,
}

/// A scalar with a per-call table of odd multiples (Jacobian, no inversion needed).
pub struct JacobianTerm<'a, C: CurveParams> {
    pub table: &'a [Jacobian<C>],
    pub digits: Digits,
}

/// Sum of all terms. Fixed terms must share the chunk length `l`; the other
/// terms are full 257-digit expansions, so if any is present `l` must be 256.
///
/// On x86-64 CPUs with BMI2 and ADX this runs a copy of the same code compiled
/// for them (mulx frees the fixed rax/rdx registers of `mul`: about 13% fewer
/// instructions per verification by callgrind); elsewhere the portable build.
pub fn straus<C: CurveParams>(
    fixed: &[FixedTerm<'_, C>],
    affine: &[AffineTerm<'_, C>],
    jacobian: &[JacobianTerm<'_, C>],
    l: usize,
) -> Jacobian<C> {
    #[cfg(target_arch = "x86_64")]
    if let Some(r) = super::ifma::straus_bmi2(fixed, affine, jacobian, l) {
        return r;
    }
    straus_impl(fixed, affine, jacobian, l)
}

/// The body of [`straus`], inlined into each build.
#[inline(always)]
pub(crate) fn straus_impl<C: CurveParams>(
    fixed: &[FixedTerm<'_, C>],
    affine: &[AffineTerm<'_, C>],
    jacobian: &[JacobianTerm<'_, C>],
    l: usize,
) -> Jacobian<C> {
    debug_assert!(fixed.iter().all(|t| t.table.chunk_bits == l));
    debug_assert!((affine.is_empty() && jacobian.is_empty()) || l == 256);
    let mut acc = Jacobian::IDENTITY;
    for off in (0..=l).rev() {
        acc = acc.double();
        for t in fixed {
            let chunks = t.table.chunks;
            for j in 0..chunks {
                if off == l && j + 1 != chunks {
                    continue; // owned by chunk j+1 at offset 0
                }
                let pos = j * l + off;
                if pos >= DIGITS {
                    continue;
                }
                let d = t.digits[pos];
                if d != 0 {
                    acc = acc.add_affine(&t.table.entry(j, d));
                }
            }
        }
        for t in affine {
            let d = t.digits[off];
            if d != 0 {
                let p = t.table[(d.unsigned_abs() as usize) >> 1];
                acc = acc.add_affine(&if d < 0 { p.neg() } else { p });
            }
        }
        for t in jacobian {
            let d = t.digits[off];
            if d != 0 {
                let p = &t.table[(d.unsigned_abs() as usize) >> 1];
                acc = acc.add(&if d < 0 { p.neg() } else { *p });
            }
        }
    }
    acc
}

/// k·P for an affine P (used by tests and table construction checks).
pub fn mul<C: CurveParams>(p: &Affine<C>, k: &Sc<C>) -> Jacobian<C> {
    let table = odd_multiples_jacobian(&p.to_jacobian(), 8);
    let t = JacobianTerm {
        table: &table,
        digits: wnaf(k, 5),
    };
    straus(&[], &[], &[t], 256)
}

/// Test hook: k1·G + k2·P through every kind of term, by the dispatched
/// [`straus`] and by the portable build; true when both agree.
#[doc(hidden)]
pub fn self_test_straus<C: CurveParams>(p: &Affine<C>, k1: &Sc<C>, k2: &Sc<C>) -> bool {
    let Ok(g) = FixedTable::new(&Affine::GENERATOR, 16, 6) else {
        return false;
    };
    let Ok(pt) = FixedTable::new(p, 16, 5) else {
        return false;
    };
    let jac = odd_multiples_jacobian(&p.to_jacobian(), 8);
    let Some(aff) = Jacobian::batch_to_affine(&jac)
        .into_iter()
        .collect::<Option<Vec<Affine<C>>>>()
    else {
        return false;
    };
    let fixed = [FixedTerm::new(&g, k1), FixedTerm::new(&pt, k2)];
    let a = straus(&fixed, &[], &[], 16);
    let b = straus_impl(&fixed, &[], &[], 16);
    let g1 = match FixedTable::new(&Affine::GENERATOR, 1, 6) {
        Ok(t) => t,
        Err(_) => return false,
    };
    let g1t = [FixedTerm::new(&g1, k1)];
    let at = [AffineTerm {
        table: &aff,
        digits: wnaf(k2, 5),
    }];
    let jt = [JacobianTerm {
        table: &jac,
        digits: wnaf(k2, 5),
    }];
    let c = straus(&g1t, &at, &[], 256);
    let d = straus_impl(&g1t, &[], &jt, 256);
    let same = |x: &Jacobian<C>, y: &Jacobian<C>| x.to_affine() == y.to_affine();
    same(&a, &b) && same(&a, &c) && same(&a, &d)
}

/// Compare a Jacobian point with an affine one without inverting Z.
pub fn eq_affine<C: CurveParams>(a: &Jacobian<C>, b: &Affine<C>) -> bool {
    if a.is_identity() {
        return false;
    }
    let z2 = a.z.square();
    let z3 = z2.mul(&a.z);
    a.x == b.x.mul(&z2) && a.y == b.y.mul(&z3)
}
