//! Arithmetic modulo the P-256 group order n.
//!
//! Scalars are stored canonical (plain integers in [0, n)) because the point
//! multiplications read their bits; products go through Montgomery
//! multiplication (CIOS, -n^-1 mod 2^64 precomputed) and come back out with a
//! second multiplication by R^2. Inversion is the variable-time safegcd of
//! `modinv`. `mul`, `add` and `from_bytes_reduced` are branch-free and
//! [`Sc::invert_ct`] is constant time (the signer uses them on secrets); the
//! rest is variable time, public inputs only.

use super::field::{adc, limbs_from_be, limbs_to_be, lt, mac, sbb};
use super::modinv::{self, Modulus};

/// n in little-endian limbs.
pub(crate) const N: [u64; 4] = [
    0xf3b9_cac2_fc63_2551,
    0xbce6_faad_a717_9e84,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_0000_0000,
];

/// n - 2, the Fermat exponent.
const N_MINUS_2: [u64; 4] = [
    0xf3b9_cac2_fc63_254f,
    0xbce6_faad_a717_9e84,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_0000_0000,
];

const R2: [u64; 4] = [
    0x8324_4c95_be79_eea2,
    0x4699_799c_49bd_6fa6,
    0x2845_b239_2b6b_ec59,
    0x66e1_2d94_f3d9_5620,
];

/// -n^-1 mod 2^64.
const N0INV: u64 = 0xccd1_c8aa_ee00_bc4f;

/// A scalar modulo n, canonical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Sc(pub(crate) [u64; 4]);

impl Sc {
    pub const ZERO: Sc = Sc([0; 4]);
    pub const ONE: Sc = Sc([1, 0, 0, 0]);

    /// Parses big-endian; values >= n are rejected (None).
    pub fn from_bytes(bytes: &[u8; 32]) -> Option<Sc> {
        let l = limbs_from_be(bytes);
        if lt(&l, &N) {
            Some(Sc(l))
        } else {
            None
        }
    }

    /// Interprets 32 bytes big-endian and reduces mod n (a hash digest).
    pub fn from_bytes_reduced(bytes: &[u8; 32]) -> Sc {
        let l = limbs_from_be(bytes);
        sub_n_if_ge(l, 0)
    }

    pub fn from_u128(v: u128) -> Sc {
        Sc([v as u64, (v >> 64) as u64, 0, 0])
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

    pub fn add(&self, b: &Sc) -> Sc {
        let (r0, c) = adc(self.0[0], b.0[0], 0);
        let (r1, c) = adc(self.0[1], b.0[1], c);
        let (r2, c) = adc(self.0[2], b.0[2], c);
        let (r3, c) = adc(self.0[3], b.0[3], c);
        sub_n_if_ge([r0, r1, r2, r3], c)
    }

    pub fn neg(&self) -> Sc {
        if self.is_zero() {
            return *self;
        }
        let (r0, w) = sbb(N[0], self.0[0], 0);
        let (r1, w) = sbb(N[1], self.0[1], w);
        let (r2, w) = sbb(N[2], self.0[2], w);
        let (r3, _) = sbb(N[3], self.0[3], w);
        Sc([r0, r1, r2, r3])
    }

    pub fn mul(&self, b: &Sc) -> Sc {
        // (a·b·R^-1)·R^2·R^-1 = a·b
        Sc(mont_mul(&mont_mul(&self.0, &b.0), &R2))
    }

    /// Inverse mod n (safegcd, variable time); 0 maps to 0.
    pub fn invert(&self) -> Sc {
        static MODULUS: Modulus = Modulus::new(N);
        Sc(modinv::invert(&self.0, &MODULUS))
    }

    /// Inverse mod n in constant time (fixed-length safegcd); 0 maps to 0.
    /// For secrets: the signer's nonce.
    pub fn invert_ct(&self) -> Sc {
        static MODULUS: Modulus = Modulus::new(N);
        Sc(modinv::invert_ct(&self.0, &MODULUS))
    }

    /// Inverse by Fermat's little theorem: the slow, simple cross-check of
    /// [`Sc::invert`] for tests.
    pub fn invert_fermat(&self) -> Sc {
        let x = mont_mul(&self.0, &R2); // x·R
        let mut table = [[0u64; 4]; 16];
        table[0] = mont_mul(&[1, 0, 0, 0], &R2); // R
        for i in 1..16 {
            table[i] = mont_mul(&table[i - 1], &x);
        }
        let mut acc = table[0];
        for i in (0..64).rev() {
            for _ in 0..4 {
                acc = mont_mul(&acc, &acc);
            }
            let nib = ((N_MINUS_2[i / 16] >> ((i % 16) * 4)) & 0xf) as usize;
            if nib != 0 {
                acc = mont_mul(&acc, &table[nib]);
            }
        }
        // acc = x^-1·R; one more reduction leaves Montgomery form.
        Sc(mont_mul(&acc, &[1, 0, 0, 0]))
    }

    /// Inverts all scalars with Montgomery's trick; zeros stay zero.
    pub fn batch_invert(elems: &mut [Sc]) {
        let mut prefix = Vec::with_capacity(elems.len());
        let mut acc = Sc::ONE;
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
fn sub_n_if_ge(r: [u64; 4], hi: u64) -> Sc {
    let (t0, w) = sbb(r[0], N[0], 0);
    let (t1, w) = sbb(r[1], N[1], w);
    let (t2, w) = sbb(r[2], N[2], w);
    let (t3, w) = sbb(r[3], N[3], w);
    let (_, w) = sbb(hi, 0, w);
    // Masked rather than branched: the signer multiplies secrets mod n.
    let keep = 0u64.wrapping_sub(w);
    Sc([
        (r[0] & keep) | (t0 & !keep),
        (r[1] & keep) | (t1 & !keep),
        (r[2] & keep) | (t2 & !keep),
        (r[3] & keep) | (t3 & !keep),
    ])
}

/// Montgomery multiplication mod n: a·b·2^-256 mod n.
fn mont_mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
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
        let k = t[i].wrapping_mul(N0INV);
        let (_, mut c) = mac(t[i], k, N[0], 0);
        for j in 1..4 {
            let (lo, hi) = mac(t[i + j], k, N[j], c);
            t[i + j] = lo;
            c = hi;
        }
        let (lo, hi) = adc(t[i + 4], carry2, c);
        t[i + 4] = lo;
        carry2 = hi;
    }
    sub_n_if_ge([t[4], t[5], t[6], t[7]], carry2).0
}
