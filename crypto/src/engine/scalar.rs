//! Arithmetic modulo the group order n of a [`CurveParams`] curve.
//!
//! Scalars are stored canonical (plain integers in [0, n)) because the point
//! multiplications read their bits; products go through Montgomery
//! multiplication (CIOS, -n^-1 mod 2^64 derived at compile time) and come back
//! out with a second multiplication by R^2. Inversion is the variable-time
//! safegcd of `modinv`. `mul`, `add` and `from_bytes_reduced` are branch-free
//! and [`Sc::invert_ct`] is constant time (the signer uses them on secrets);
//! the rest is variable time, public inputs only.

use core::marker::PhantomData;

use super::curve::CurveParams;
use super::field::{
    adc, limbs_from_be, limbs_to_be, lt, mac, pow2_512_mod, sbb, sub_if_ge, sub_small,
};
use super::modinv::{self, Modulus};

/// A scalar modulo n, canonical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Sc<C: CurveParams>(pub(crate) [u64; 4], PhantomData<C>);

impl<C: CurveParams> Sc<C> {
    pub const ZERO: Self = Sc([0; 4], PhantomData);
    pub const ONE: Self = Sc([1, 0, 0, 0], PhantomData);

    /// R^2 mod n.
    const R2: [u64; 4] = pow2_512_mod(&C::N);
    /// -n^-1 mod 2^64.
    const N0INV: u64 = modinv::inverse_mod_2_64(C::N[0]).wrapping_neg();
    const MODULUS: Modulus = Modulus::new(C::N);

    /// A scalar from canonical limbs (which must be below n).
    pub(crate) const fn from_limbs(l: [u64; 4]) -> Self {
        Sc(l, PhantomData)
    }

    /// Parses big-endian; values >= n are rejected (None).
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let l = limbs_from_be(bytes);
        if lt(&l, &C::N) {
            Some(Sc(l, PhantomData))
        } else {
            None
        }
    }

    /// Interprets 32 bytes big-endian and reduces mod n (a hash digest; one
    /// subtraction suffices as n > 2^255).
    pub fn from_bytes_reduced(bytes: &[u8; 32]) -> Self {
        let l = limbs_from_be(bytes);
        sub_n_if_ge(l, 0)
    }

    pub fn from_u128(v: u128) -> Self {
        Sc([v as u64, (v >> 64) as u64, 0, 0], PhantomData)
    }

    pub fn to_bytes(&self) -> [u8; 32] {
        limbs_to_be(&self.0)
    }

    pub fn is_zero(&self) -> bool {
        (self.0[0] | self.0[1] | self.0[2] | self.0[3]) == 0
    }

    /// Bit i of the canonical value.
    #[inline]
    pub fn bit(&self, i: usize) -> u64 {
        (self.0[i / 64] >> (i % 64)) & 1
    }

    pub fn add(&self, b: &Self) -> Self {
        let (r0, c) = adc(self.0[0], b.0[0], 0);
        let (r1, c) = adc(self.0[1], b.0[1], c);
        let (r2, c) = adc(self.0[2], b.0[2], c);
        let (r3, c) = adc(self.0[3], b.0[3], c);
        sub_n_if_ge([r0, r1, r2, r3], c)
    }

    pub fn neg(&self) -> Self {
        if self.is_zero() {
            return *self;
        }
        let n = C::N;
        let (r0, w) = sbb(n[0], self.0[0], 0);
        let (r1, w) = sbb(n[1], self.0[1], w);
        let (r2, w) = sbb(n[2], self.0[2], w);
        let (r3, _) = sbb(n[3], self.0[3], w);
        Sc([r0, r1, r2, r3], PhantomData)
    }

    /// self - b mod n (variable time).
    pub fn sub(&self, b: &Self) -> Self {
        self.add(&b.neg())
    }

    pub fn mul(&self, b: &Self) -> Self {
        // (a·b·R^-1)·R^2·R^-1 = a·b
        Sc(
            mont_mul::<C>(&mont_mul::<C>(&self.0, &b.0), &Self::R2),
            PhantomData,
        )
    }

    /// Inverse mod n (safegcd, variable time); 0 maps to 0.
    pub fn invert(&self) -> Self {
        Sc(modinv::invert(&self.0, &Self::MODULUS), PhantomData)
    }

    /// Inverse mod n in constant time (fixed-length safegcd); 0 maps to 0.
    /// For secrets: the signer's nonce.
    pub fn invert_ct(&self) -> Self {
        Sc(modinv::invert_ct(&self.0, &Self::MODULUS), PhantomData)
    }

    /// Inverse by Fermat's little theorem: the slow, simple cross-check of
    /// [`Sc::invert`] for tests.
    pub fn invert_fermat(&self) -> Self {
        let e = sub_small(&C::N, 2);
        let x = mont_mul::<C>(&self.0, &Self::R2); // x·R
        let mut table = [[0u64; 4]; 16];
        table[0] = mont_mul::<C>(&[1, 0, 0, 0], &Self::R2); // R
        for i in 1..16 {
            table[i] = mont_mul::<C>(&table[i - 1], &x);
        }
        let mut acc = table[0];
        for i in (0..64).rev() {
            for _ in 0..4 {
                acc = mont_mul::<C>(&acc, &acc);
            }
            let nib = ((e[i / 16] >> ((i % 16) * 4)) & 0xf) as usize;
            if nib != 0 {
                acc = mont_mul::<C>(&acc, &table[nib]);
            }
        }
        // acc = x^-1·R; one more reduction leaves Montgomery form.
        Sc(mont_mul::<C>(&acc, &[1, 0, 0, 0]), PhantomData)
    }

    /// Inverts all scalars with Montgomery's trick; zeros stay zero.
    pub fn batch_invert(elems: &mut [Self]) {
        let mut prefix = Vec::with_capacity(elems.len());
        let mut acc = Self::ONE;
        for e in elems.iter() {
            prefix.push(acc);
            if !e.is_zero() {
                acc = acc.mul(e);
            }
        }
        let mut inv = acc.invert();
        for (e, pre) in elems.iter_mut().zip(prefix.iter()).rev() {
            if e.is_zero() {
                continue;
            }
            let next = inv.mul(e);
            *e = inv.mul(pre);
            inv = next;
        }
    }
}

#[inline]
fn sub_n_if_ge<C: CurveParams>(r: [u64; 4], hi: u64) -> Sc<C> {
    Sc(sub_if_ge(r, hi, &C::N), PhantomData)
}

/// Montgomery multiplication mod n: a·b·2^-256 mod n.
fn mont_mul<C: CurveParams>(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let n = C::N;
    let mut t = [0u64; 8];
    for i in 0..4 {
        let mut c = 0;
        for j in 0..4 {
            let (lo, hi) = mac(t[i + j], a[i], b[j], c);
            t[i + j] = lo;
            c = hi;
        }
        t[i + 4] = c;
    }
    let mut carry2 = 0u64;
    for i in 0..4 {
        let k = t[i].wrapping_mul(Sc::<C>::N0INV);
        let (_, mut c) = mac(t[i], k, n[0], 0);
        for j in 1..4 {
            let (lo, hi) = mac(t[i + j], k, n[j], c);
            t[i + j] = lo;
            c = hi;
        }
        let (lo, hi) = adc(t[i + 4], carry2, c);
        t[i + 4] = lo;
        carry2 = hi;
    }
    sub_n_if_ge::<C>([t[4], t[5], t[6], t[7]], carry2).0
}
