//! Arithmetic modulo the field prime p of a [`CurveParams`] curve (P-256 or
//! SM2), on 4x64-bit limbs.
//!
//! Elements are kept in Montgomery form (R = 2^256), fully reduced into [0, p)
//! after every operation so that equality is limb equality. Multiplication
//! scans the operand row by row with u128 products, each row followed by a
//! Montgomery reduction round. Both primes have limb 0 = 2^64 - 1, so
//! -p^-1 mod 2^64 = 1: the round's multiplier is the low limb itself and
//! m·p0 = m·2^64 - m just carries m (Gueron-Krasnov, "Fast prime field
//! elliptic-curve cryptography with 256-bit primes", 2014). The other limbs of
//! p are compile-time constants, so LLVM drops the products with P-256's zero
//! limb 2: a P-256 round costs two multiplications, an SM2 round three.
//! Squaring computes the product once (10 multiplications) and reduces it in
//! four rounds.
//!
//! Inversion is the variable-time safegcd of `modinv`.
//!
//! Multiplication, squaring, addition and subtraction are branch-free (masked
//! final subtractions), which the constant-time signer (`sign`) relies on;
//! [`Fe::invert_ct`] and [`Fe::select`] are its secret-safe extras. Everything
//! else (inversion, square root, comparisons) is variable time, public data only.

use core::marker::PhantomData;

use super::curve::CurveParams;
use super::modinv::{self, Modulus};

#[inline(always)]
pub(crate) const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) * (c as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

#[inline(always)]
pub(crate) const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// a + b + carry for carry in {0, 1}; written so LLVM emits an adc chain.
#[inline(always)]
pub(crate) const fn adc1(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let (s1, c1) = a.overflowing_add(b);
    let (s2, c2) = s1.overflowing_add(carry);
    (s2, (c1 | c2) as u64)
}

/// a - b - borrow; the returned borrow is 0 or 1.
#[inline(always)]
pub(crate) const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let (d1, b1) = a.overflowing_sub(b);
    let (d2, b2) = d1.overflowing_sub(borrow);
    (d2, (b1 | b2) as u64)
}

/// An element of GF(p) in Montgomery form, fully reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Fe<C: CurveParams>(pub(crate) [u64; 4], PhantomData<C>);

impl<C: CurveParams> Fe<C> {
    /// R^2 mod p, to enter Montgomery form with one multiplication. Its
    /// evaluation also checks the shape of p that the reduction relies on.
    const R2: [u64; 4] = {
        assert!(
            C::P[0] == u64::MAX,
            "the reduction needs -p^-1 = 1 mod 2^64"
        );
        pow2_512_mod(&C::P)
    };

    pub const ZERO: Self = Fe([0; 4], PhantomData);
    /// 1 in Montgomery form (R mod p).
    pub const ONE: Self = Fe(pow2_256_mod(&C::P), PhantomData);
    /// The curve coefficient b in Montgomery form.
    pub const B: Self = Self::from_canonical(C::B);

    /// An element from its Montgomery-form limbs (which must be below p).
    #[inline(always)]
    pub(crate) const fn from_montgomery(l: [u64; 4]) -> Self {
        Fe(l, PhantomData)
    }

    /// Parses a big-endian encoding; values >= p are rejected (None), never reduced.
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let l = limbs_from_be(bytes);
        if !lt(&l, &C::P) {
            return None;
        }
        Some(Self::from_canonical(l))
    }

    /// Big-endian canonical encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        limbs_to_be(&self.canonical())
    }

    /// Canonical (non-Montgomery) limbs of a value < p.
    pub(crate) const fn from_canonical(l: [u64; 4]) -> Self {
        debug_assert!(lt(&l, &C::P));
        Fe(l, PhantomData).mul_portable(&Fe(Self::R2, PhantomData))
    }

    /// Canonical limbs (leaves Montgomery form).
    #[inline]
    pub(crate) fn canonical(&self) -> [u64; 4] {
        let a = self.0;
        mont_reduce::<C>([a[0], a[1], a[2], a[3], 0, 0, 0, 0]).0
    }

    #[inline]
    pub fn is_zero(&self) -> bool {
        (self.0[0] | self.0[1] | self.0[2] | self.0[3]) == 0
    }

    /// Parity of the canonical value (the compressed-point bit).
    pub fn is_odd(&self) -> bool {
        self.canonical()[0] & 1 == 1
    }

    #[inline(always)]
    pub fn add(&self, b: &Self) -> Self {
        let a = &self.0;
        let b = &b.0;
        let (r0, c) = adc1(a[0], b[0], 0);
        let (r1, c) = adc1(a[1], b[1], c);
        let (r2, c) = adc1(a[2], b[2], c);
        let (r3, c) = adc1(a[3], b[3], c);
        sub_p_if_ge([r0, r1, r2, r3], c)
    }

    #[inline(always)]
    pub fn double(&self) -> Self {
        self.add(self)
    }

    #[inline(always)]
    pub fn sub(&self, b: &Self) -> Self {
        let p = C::P;
        let a = &self.0;
        let b = &b.0;
        let (r0, w) = sbb(a[0], b[0], 0);
        let (r1, w) = sbb(a[1], b[1], w);
        let (r2, w) = sbb(a[2], b[2], w);
        let (r3, w) = sbb(a[3], b[3], w);
        // On borrow add p back; the mask keeps this branch-free.
        let m = 0u64.wrapping_sub(w);
        let (r0, c) = adc1(r0, p[0] & m, 0);
        let (r1, c) = adc1(r1, p[1] & m, c);
        let (r2, c) = adc1(r2, p[2] & m, c);
        let (r3, _) = adc1(r3, p[3] & m, c);
        Fe([r0, r1, r2, r3], PhantomData)
    }

    #[inline(always)]
    pub fn neg(&self) -> Self {
        Self::ZERO.sub(self)
    }

    #[inline(always)]
    pub fn mul(&self, b: &Self) -> Self {
        #[cfg(target_arch = "x86_64")]
        if C::MULX_ASSEMBLY && super::field_adx::enabled() {
            return Fe(super::field_adx::mul(&self.0, &b.0), PhantomData);
        }
        self.mul_portable(b)
    }

    /// [`Fe::mul`] in portable Rust (what runs without BMI2/ADX, and at
    /// compile time).
    #[inline(always)]
    pub(crate) const fn mul_portable(&self, b: &Self) -> Self {
        // Operand scanning with one reduction round after each row keeps
        // fewer limbs live than a full product followed by reduction. A
        // round adds m·p with m = the row's low limb, which m·p0 = m·2^64 - m
        // cancels while carrying m.
        let p = C::P;
        let a = &self.0;
        let b = &b.0;
        let (t0, c) = mac(0, a[0], b[0], 0);
        let (t1, c) = mac(0, a[0], b[1], c);
        let (t2, c) = mac(0, a[0], b[2], c);
        let (t3, t4) = mac(0, a[0], b[3], c);
        let (t1, c) = mac(t1, t0, p[1], t0);
        let (t2, c) = mac(t2, t0, p[2], c);
        let (t3, c) = mac(t3, t0, p[3], c);
        let (t4, t5) = adc(t4, 0, c);

        let (t1, c) = mac(t1, a[1], b[0], 0);
        let (t2, c) = mac(t2, a[1], b[1], c);
        let (t3, c) = mac(t3, a[1], b[2], c);
        let (t4, c) = mac(t4, a[1], b[3], c);
        let (t5, _) = adc(t5, c, 0);
        let (t2, c) = mac(t2, t1, p[1], t1);
        let (t3, c) = mac(t3, t1, p[2], c);
        let (t4, c) = mac(t4, t1, p[3], c);
        let (t5, t6) = adc(t5, 0, c);

        let (t2, c) = mac(t2, a[2], b[0], 0);
        let (t3, c) = mac(t3, a[2], b[1], c);
        let (t4, c) = mac(t4, a[2], b[2], c);
        let (t5, c) = mac(t5, a[2], b[3], c);
        let (t6, _) = adc(t6, c, 0);
        let (t3, c) = mac(t3, t2, p[1], t2);
        let (t4, c) = mac(t4, t2, p[2], c);
        let (t5, c) = mac(t5, t2, p[3], c);
        let (t6, t7) = adc(t6, 0, c);

        let (t3, c) = mac(t3, a[3], b[0], 0);
        let (t4, c) = mac(t4, a[3], b[1], c);
        let (t5, c) = mac(t5, a[3], b[2], c);
        let (t6, c) = mac(t6, a[3], b[3], c);
        let (t7, _) = adc(t7, c, 0);
        let (t4, c) = mac(t4, t3, p[1], t3);
        let (t5, c) = mac(t5, t3, p[2], c);
        let (t6, c) = mac(t6, t3, p[3], c);
        let (t7, t8) = adc(t7, 0, c);
        sub_p_if_ge([t4, t5, t6, t7], t8)
    }

    #[inline(always)]
    pub fn square(&self) -> Self {
        #[cfg(target_arch = "x86_64")]
        if C::MULX_ASSEMBLY && super::field_adx::enabled() {
            return Fe(super::field_adx::square(&self.0), PhantomData);
        }
        self.square_portable()
    }

    /// [`Fe::square`] in portable Rust (what runs without BMI2/ADX).
    #[inline(always)]
    pub(crate) fn square_portable(&self) -> Self {
        let a = &self.0;
        let (r1, c) = mac(0, a[0], a[1], 0);
        let (r2, c) = mac(0, a[0], a[2], c);
        let (r3, r4) = mac(0, a[0], a[3], c);
        let (r3, c) = mac(r3, a[1], a[2], 0);
        let (r4, r5) = mac(r4, a[1], a[3], c);
        let (r5, r6) = mac(r5, a[2], a[3], 0);

        let r7 = r6 >> 63;
        let r6 = (r6 << 1) | (r5 >> 63);
        let r5 = (r5 << 1) | (r4 >> 63);
        let r4 = (r4 << 1) | (r3 >> 63);
        let r3 = (r3 << 1) | (r2 >> 63);
        let r2 = (r2 << 1) | (r1 >> 63);
        let r1 = r1 << 1;

        let (r0, c) = mac(0, a[0], a[0], 0);
        let (r1, c) = adc(r1, 0, c);
        let (r2, c) = mac(r2, a[1], a[1], c);
        let (r3, c) = adc(r3, 0, c);
        let (r4, c) = mac(r4, a[2], a[2], c);
        let (r5, c) = adc(r5, 0, c);
        let (r6, c) = mac(r6, a[3], a[3], c);
        let (r7, _) = adc(r7, 0, c);

        mont_reduce::<C>([r0, r1, r2, r3, r4, r5, r6, r7])
    }

    /// self^(2^n).
    #[inline]
    pub fn square_n(&self, n: u32) -> Self {
        let mut t = *self;
        for _ in 0..n {
            t = t.square();
        }
        t
    }

    /// x^(2^30-1), x^(2^32-1) and x^3: building blocks of the exponent
    /// chains of both primes (see `curve`).
    pub(crate) fn pow_2_30_32(&self) -> (Self, Self, Self) {
        let x = *self;
        let x2 = x.square().mul(&x);
        let x3 = x2.square().mul(&x);
        let x6 = x3.square_n(3).mul(&x3);
        let x12 = x6.square_n(6).mul(&x6);
        let x15 = x12.square_n(3).mul(&x3);
        let x30 = x15.square_n(15).mul(&x15);
        let x32 = x30.square_n(2).mul(&x2);
        (x30, x32, x2)
    }

    const MODULUS: Modulus = Modulus::new(C::P);

    /// Inverse (safegcd, variable time); 0 maps to 0.
    pub fn invert(&self) -> Self {
        Self::from_canonical(modinv::invert(&self.canonical(), &Self::MODULUS))
    }

    /// Inverse in constant time (fixed-length safegcd); 0 maps to 0. For
    /// secrets: the signer's Z coordinate.
    pub fn invert_ct(&self) -> Self {
        Self::from_canonical(modinv::invert_ct(&self.canonical(), &Self::MODULUS))
    }

    /// All ones when zero, else 0 (no branch; `black_box` hides from the
    /// compiler that it is a boolean, see `sign::eq_mask`).
    #[inline(always)]
    pub(crate) fn zero_mask(&self) -> u64 {
        let t = self.0[0] | self.0[1] | self.0[2] | self.0[3];
        core::hint::black_box(((t | t.wrapping_neg()) >> 63).wrapping_sub(1))
    }

    /// `b` where `mask` is all ones, `a` where it is 0 (no branch).
    #[inline(always)]
    pub(crate) fn select(a: &Self, b: &Self, mask: u64) -> Self {
        let mut r = [0u64; 4];
        for (i, r) in r.iter_mut().enumerate() {
            *r = a.0[i] ^ ((a.0[i] ^ b.0[i]) & mask);
        }
        Fe(r, PhantomData)
    }

    /// self^e by square-and-multiply (variable time in e, public exponents).
    pub fn pow_vartime(&self, e: &[u64; 4]) -> Self {
        let mut acc = Self::ONE;
        for i in (0..256).rev() {
            acc = acc.square();
            if (e[i / 64] >> (i % 64)) & 1 == 1 {
                acc = acc.mul(self);
            }
        }
        acc
    }

    /// Inverse by Fermat (x^(p-2)): the slow, simple cross-check of
    /// [`Fe::invert`] for tests.
    pub fn invert_fermat(&self) -> Self {
        self.pow_vartime(&sub_small(&C::P, 2))
    }

    /// Square root if one exists (p = 3 mod 4 on both curves).
    pub fn sqrt(&self) -> Option<Self> {
        let t = C::sqrt_candidate(self);
        if t.square() == *self {
            Some(t)
        } else {
            None
        }
    }

    /// Inverts every element in place with Montgomery's trick (3 multiplications
    /// per element and one inversion). Zeros stay zero.
    pub fn batch_invert(elems: &mut [Self]) {
        let mut acc = Self::ONE;
        let mut prefix = Vec::with_capacity(elems.len());
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

/// Montgomery reduction of a 512-bit product, result in [0, p).
#[inline(always)]
fn mont_reduce<C: CurveParams>(r: [u64; 8]) -> Fe<C> {
    let p = C::P;
    let [r0, r1, r2, r3, r4, r5, r6, r7] = r;
    // Each round adds m·p with m = r_i: m·p0 = m·2^64 - m cancels r_i and
    // carries m.
    let (r1, c) = mac(r1, r0, p[1], r0);
    let (r2, c) = mac(r2, r0, p[2], c);
    let (r3, c) = mac(r3, r0, p[3], c);
    let (r4, c2) = adc(r4, 0, c);

    let (r2, c) = mac(r2, r1, p[1], r1);
    let (r3, c) = mac(r3, r1, p[2], c);
    let (r4, c) = mac(r4, r1, p[3], c);
    let (r5, c2) = adc(r5, c2, c);

    let (r3, c) = mac(r3, r2, p[1], r2);
    let (r4, c) = mac(r4, r2, p[2], c);
    let (r5, c) = mac(r5, r2, p[3], c);
    let (r6, c2) = adc(r6, c2, c);

    let (r4, c) = mac(r4, r3, p[1], r3);
    let (r5, c) = mac(r5, r3, p[2], c);
    let (r6, c) = mac(r6, r3, p[3], c);
    let (r7, r8) = adc(r7, c2, c);

    sub_p_if_ge([r4, r5, r6, r7], r8)
}

/// (hi·2^256 + r) mod p for a value below 2p.
#[inline(always)]
const fn sub_p_if_ge<C: CurveParams>(r: [u64; 4], hi: u64) -> Fe<C> {
    Fe(sub_if_ge(r, hi, &C::P), PhantomData)
}

/// (hi·2^256 + r) mod m for a value below 2m: m subtracted once, masked
/// rather than branched (the signer reduces secrets with it, mod p and n).
#[inline(always)]
pub(crate) const fn sub_if_ge(r: [u64; 4], hi: u64, m: &[u64; 4]) -> [u64; 4] {
    let (t0, w) = sbb(r[0], m[0], 0);
    let (t1, w) = sbb(r[1], m[1], w);
    let (t2, w) = sbb(r[2], m[2], w);
    let (t3, w) = sbb(r[3], m[3], w);
    let (_, w) = sbb(hi, 0, w);
    // w = 1: the value was below m, keep it.
    let keep = 0u64.wrapping_sub(w);
    [
        (r[0] & keep) | (t0 & !keep),
        (r[1] & keep) | (t1 & !keep),
        (r[2] & keep) | (t2 & !keep),
        (r[3] & keep) | (t3 & !keep),
    ]
}

/// a < b on little-endian limbs.
#[inline]
pub(crate) const fn lt(a: &[u64; 4], b: &[u64; 4]) -> bool {
    let mut i = 4;
    while i > 0 {
        i -= 1;
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// a - v for a small v <= a[0] (compile-time exponents such as p - 2).
pub(crate) const fn sub_small(a: &[u64; 4], v: u64) -> [u64; 4] {
    assert!(a[0] >= v);
    [a[0] - v, a[1], a[2], a[3]]
}

/// 2^256 mod m for 2^255 < m < 2^256, i.e. 2^256 - m.
pub(crate) const fn pow2_256_mod(m: &[u64; 4]) -> [u64; 4] {
    assert!(m[3] >> 63 == 1, "modulus must exceed 2^255");
    let (r0, w) = sbb(0, m[0], 0);
    let (r1, w) = sbb(0, m[1], w);
    let (r2, w) = sbb(0, m[2], w);
    let (r3, _) = sbb(0, m[3], w);
    [r0, r1, r2, r3]
}

/// 2^512 mod m (Montgomery's R^2), by 256 modular doublings of 2^256 mod m;
/// evaluated at compile time.
pub(crate) const fn pow2_512_mod(m: &[u64; 4]) -> [u64; 4] {
    let mut x = pow2_256_mod(m);
    let mut i = 0;
    while i < 256 {
        let top = x[3] >> 63;
        let d = [
            x[0] << 1,
            (x[1] << 1) | (x[0] >> 63),
            (x[2] << 1) | (x[1] >> 63),
            (x[3] << 1) | (x[2] >> 63),
        ];
        x = if top == 1 || !lt(&d, m) {
            let (r0, w) = sbb(d[0], m[0], 0);
            let (r1, w) = sbb(d[1], m[1], w);
            let (r2, w) = sbb(d[2], m[2], w);
            let (r3, _) = sbb(d[3], m[3], w);
            [r0, r1, r2, r3]
        } else {
            d
        };
        i += 1;
    }
    x
}

pub(crate) fn limbs_from_be(bytes: &[u8; 32]) -> [u64; 4] {
    let mut l = [0u64; 4];
    for (i, limb) in l.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[24 - 8 * i..32 - 8 * i]);
        *limb = u64::from_be_bytes(w);
    }
    l
}

pub(crate) fn limbs_to_be(l: &[u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, limb) in l.iter().enumerate() {
        out[24 - 8 * i..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
    out
}
