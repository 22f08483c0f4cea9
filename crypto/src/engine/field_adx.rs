//! P-256 field multiplication and squaring in x86-64 assembly with
//! mulx/adcx/adox, for CPUs with BMI2 and ADX.
//!
//! The same Montgomery arithmetic as the portable `Fe::mul` and
//! `Fe::square` (R = 2^256, -p^-1 mod 2^64 = 1, inputs and output in
//! [0, p)), with the instructions OpenSSL's `ecp_nistz256` uses and LLVM does
//! not emit: mulx leaves the flags alone, so a row of partial products is
//! summed with two independent carry chains (adcx through CF, adox through
//! OF). Both routines form the full 512-bit product first (squaring doubles
//! the off-diagonal products in the CF chain while the OF chain adds the
//! squares) and share one reduction (`reduce_512`): a round with m = the
//! lowest limb adds m·p = m·2^96 + m·p3·2^192 - m (the -m cancels the limb),
//! m·2^96 is two shifts, m·p3 one mulx, limb 2 of p is zero; the four rounds
//! run on the low half only and depend on each other through one addition
//! each, then the high half is added. Reducing after the product measured
//! about 9% faster than interleaving rows and rounds (CIOS, as OpenSSL does):
//! the rounds no longer wait for the rows' carry chains. The result is fully
//! reduced by one subtraction of p kept or dropped with cmov. There is no
//! branch and no memory access that depends on the values, so the
//! constant-time signer can use it too.
//!
//! Both routines compute exactly the value of the portable code (the
//! Montgomery quotient is unique), which `tests` checks against the portable
//! code and against num-bigint.
//!
//! `Fe::mul` and `Fe::square` call these when [`enabled`] (the CPU has
//! BMI2 and ADX, detected once and cached); this module is, with `ifma`, the
//! only `unsafe` code of the engine: the `asm!` blocks below.

use core::arch::asm;
use core::sync::atomic::{AtomicU8, Ordering};

/// 0: not detected yet, 1: no BMI2/ADX, 2: BMI2 and ADX.
static STATE: AtomicU8 = AtomicU8::new(0);

/// Whether the assembly may run: BMI2 and ADX, known at compile time or
/// detected once. One load and a well-predicted branch per call.
#[inline(always)]
pub(crate) fn enabled() -> bool {
    if cfg!(all(target_feature = "bmi2", target_feature = "adx")) {
        return true;
    }
    match STATE.load(Ordering::Relaxed) {
        2 => true,
        1 => false,
        _ => detect(),
    }
}

#[cold]
#[inline(never)]
fn detect() -> bool {
    let yes = std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx");
    STATE.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
    yes
}

/// The common end of [`mul`] and [`square`]: Montgomery reduction of the
/// 512-bit product in r0..r7 (operands named `r0`..`r7`, `t0`, `t1`, `a`
/// free to overwrite, rdx) into r4..r7, fully reduced. Four rounds on the low
/// half, each leaving its carry limb where m was, so (r0..r3) becomes
/// (low + M·p) / 2^256 <= p; then the high half is added and p subtracted
/// once, the original kept with cmov where that borrows.
macro_rules! reduce_512 {
    () => {
        concat!(
            "mov {a:e}, 32\n",
            "mov rdx, 0xffffffff00000001\n",
            "shlx {t0}, {r0}, {a}\n",
            "shrx {t1}, {r0}, {a}\n",
            "add {r1}, {t0}\n",
            "adc {r2}, {t1}\n",
            "mulx {r0}, {t0}, {r0}\n",
            "adc {r3}, {t0}\n",
            "adc {r0}, 0\n",
            "shlx {t0}, {r1}, {a}\n",
            "shrx {t1}, {r1}, {a}\n",
            "add {r2}, {t0}\n",
            "adc {r3}, {t1}\n",
            "mulx {r1}, {t0}, {r1}\n",
            "adc {r0}, {t0}\n",
            "adc {r1}, 0\n",
            "shlx {t0}, {r2}, {a}\n",
            "shrx {t1}, {r2}, {a}\n",
            "add {r3}, {t0}\n",
            "adc {r0}, {t1}\n",
            "mulx {r2}, {t0}, {r2}\n",
            "adc {r1}, {t0}\n",
            "adc {r2}, 0\n",
            "shlx {t0}, {r3}, {a}\n",
            "shrx {t1}, {r3}, {a}\n",
            "add {r0}, {t0}\n",
            "adc {r1}, {t1}\n",
            "mulx {r3}, {t0}, {r3}\n",
            "adc {r2}, {t0}\n",
            "adc {r3}, 0\n",
            // Plus the high half: (r4..r7) + t0·2^256 < 2p.
            "xor {t0:e}, {t0:e}\n",
            "add {r4}, {r0}\n",
            "adc {r5}, {r1}\n",
            "adc {r6}, {r2}\n",
            "adc {r7}, {r3}\n",
            "adc {t0}, 0\n",
            // Subtract p, keep the original where that borrows.
            "mov {r0}, {r4}\n",
            "mov {r1}, {r5}\n",
            "mov {r2}, {r6}\n",
            "mov {r3}, {r7}\n",
            "mov {a:e}, 0xffffffff\n",
            "sub {r4}, -1\n",
            "sbb {r5}, {a}\n",
            "sbb {r6}, 0\n",
            "sbb {r7}, rdx\n",
            "sbb {t0}, 0\n",
            "cmovc {r4}, {r0}\n",
            "cmovc {r5}, {r1}\n",
            "cmovc {r6}, {r2}\n",
            "cmovc {r7}, {r3}\n",
        )
    };
}

/// a·b·2^-256 mod p. Callers must have checked [`enabled`].
#[inline(always)]
pub(crate) fn mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let (o0, o1, o2, o3): (u64, u64, u64, u64);
    // SAFETY: `enabled()` has established that the CPU has BMI2 (mulx,
    // shlx, shrx) and ADX (adcx, adox); the block reads the 32 bytes behind
    // each of the two references and writes only the declared registers.
    unsafe {
        asm!(
            // The 512-bit product a·b into r0..r7, row by row: each row's
            // low halves go through the CF chain, its high halves through
            // the OF chain. {r7} holds b's address until b3 is loaded.
            "mov rdx, qword ptr [{r7}]",
            "mulx {r1}, {r0}, qword ptr [{a}]",
            "mulx {r2}, {t0}, qword ptr [{a} + 8]",
            "add {r1}, {t0}",
            "mulx {r3}, {t1}, qword ptr [{a} + 16]",
            "adc {r2}, {t1}",
            "mulx {r4}, {t0}, qword ptr [{a} + 24]",
            "adc {r3}, {t0}",
            "adc {r4}, 0",
            "mov rdx, qword ptr [{r7} + 8]",
            "xor {r5:e}, {r5:e}",
            "mulx {t1}, {t0}, qword ptr [{a}]",
            "adcx {r1}, {t0}",
            "adox {r2}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 8]",
            "adcx {r2}, {t0}",
            "adox {r3}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 16]",
            "adcx {r3}, {t0}",
            "adox {r4}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 24]",
            "adcx {r4}, {t0}",
            "adox {r5}, {t1}",
            "adc {r5}, 0",
            "mov rdx, qword ptr [{r7} + 16]",
            "xor {r6:e}, {r6:e}",
            "mulx {t1}, {t0}, qword ptr [{a}]",
            "adcx {r2}, {t0}",
            "adox {r3}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 8]",
            "adcx {r3}, {t0}",
            "adox {r4}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 16]",
            "adcx {r4}, {t0}",
            "adox {r5}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 24]",
            "adcx {r5}, {t0}",
            "adox {r6}, {t1}",
            "adc {r6}, 0",
            "mov rdx, qword ptr [{r7} + 24]",
            "xor {r7:e}, {r7:e}",
            "mulx {t1}, {t0}, qword ptr [{a}]",
            "adcx {r3}, {t0}",
            "adox {r4}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 8]",
            "adcx {r4}, {t0}",
            "adox {r5}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 16]",
            "adcx {r5}, {t0}",
            "adox {r6}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 24]",
            "adcx {r6}, {t0}",
            "adox {r7}, {t1}",
            "adc {r7}, 0",
            reduce_512!(),
            a = inout(reg) a.as_ptr() => _,
            r7 = inout(reg) b.as_ptr() => o3,
            r0 = out(reg) _,
            r1 = out(reg) _,
            r2 = out(reg) _,
            r3 = out(reg) _,
            r4 = out(reg) o0,
            r5 = out(reg) o1,
            r6 = out(reg) o2,
            t0 = out(reg) _,
            t1 = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    [o0, o1, o2, o3]
}

/// a^2·2^-256 mod p. Callers must have checked [`enabled`].
#[inline(always)]
pub(crate) fn square(a: &[u64; 4]) -> [u64; 4] {
    let (o0, o1, o2, o3): (u64, u64, u64, u64);
    // SAFETY: as in `mul`: BMI2 and ADX are present (`enabled()`), the block
    // reads the 32 bytes of `a` and writes only the declared registers.
    unsafe {
        asm!(
            // Off-diagonal products a_i·a_j (i < j) into r1..r6.
            "mov rdx, qword ptr [{a}]",
            "mulx {r2}, {r1}, qword ptr [{a} + 8]",
            "mulx {r3}, {t0}, qword ptr [{a} + 16]",
            "add {r2}, {t0}",
            "mulx {r4}, {t1}, qword ptr [{a} + 24]",
            "adc {r3}, {t1}",
            "adc {r4}, 0",
            "mov rdx, qword ptr [{a} + 8]",
            "xor {r5:e}, {r5:e}",
            "mulx {t1}, {t0}, qword ptr [{a} + 16]",
            "adcx {r3}, {t0}",
            "adox {r4}, {t1}",
            "mulx {t1}, {t0}, qword ptr [{a} + 24]",
            "adcx {r4}, {t0}",
            "adox {r5}, {t1}",
            "adc {r5}, 0",
            "mov rdx, qword ptr [{a} + 16]",
            "mulx {r6}, {t0}, qword ptr [{a} + 24]",
            "add {r5}, {t0}",
            "adc {r6}, 0",
            // Doubled (CF chain) plus the squares a_i^2 (OF chain): r0..r7.
            "xor {r7:e}, {r7:e}",
            "mov rdx, qword ptr [{a}]",
            "mulx {t1}, {r0}, rdx",
            "adcx {r1}, {r1}",
            "adox {r1}, {t1}",
            "mov rdx, qword ptr [{a} + 8]",
            "mulx {t1}, {t0}, rdx",
            "adcx {r2}, {r2}",
            "adox {r2}, {t0}",
            "adcx {r3}, {r3}",
            "adox {r3}, {t1}",
            "mov rdx, qword ptr [{a} + 16]",
            "mulx {t1}, {t0}, rdx",
            "adcx {r4}, {r4}",
            "adox {r4}, {t0}",
            "adcx {r5}, {r5}",
            "adox {r5}, {t1}",
            "mov rdx, qword ptr [{a} + 24]",
            "mulx {t1}, {t0}, rdx",
            "adcx {r6}, {r6}",
            "adox {r6}, {t0}",
            "adcx {r7}, {r7}",
            "adox {r7}, {t1}",
            reduce_512!(),
            a = inout(reg) a.as_ptr() => _,
            r0 = out(reg) _,
            r1 = out(reg) _,
            r2 = out(reg) _,
            r3 = out(reg) _,
            r4 = out(reg) o0,
            r5 = out(reg) o1,
            r6 = out(reg) o2,
            r7 = out(reg) o3,
            t0 = out(reg) _,
            t1 = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    [o0, o1, o2, o3]
}

#[cfg(test)]
mod tests {
    use super::enabled;
    use crate::engine::curve::{CurveParams, P256};
    use crate::engine::field;

    type Fe = field::Fe<P256>;
    const P: [u64; 4] = P256::P;

    fn fe(l: [u64; 4]) -> Fe {
        Fe::from_montgomery(l)
    }
    fn mul(a: &Fe, b: &Fe) -> Fe {
        fe(super::mul(&a.0, &b.0))
    }
    fn square(a: &Fe) -> Fe {
        fe(super::square(&a.0))
    }
    use num_bigint::BigUint;

    fn big(l: &[u64; 4]) -> BigUint {
        BigUint::from_slice(&[
            l[0] as u32,
            (l[0] >> 32) as u32,
            l[1] as u32,
            (l[1] >> 32) as u32,
            l[2] as u32,
            (l[2] >> 32) as u32,
            l[3] as u32,
            (l[3] >> 32) as u32,
        ])
    }

    /// a·b·2^-256 mod p by num-bigint, on the raw limbs.
    fn mont_ref(a: &Fe, b: &Fe) -> BigUint {
        let p = big(&P);
        let r_inv = (BigUint::from(1u8) << 256u32).modpow(&(&p - 2u32), &p);
        big(&a.0) * big(&b.0) % &p * r_inv % &p
    }

    fn sub_small(l: [u64; 4], k: u64) -> [u64; 4] {
        let mut out = l;
        let (d, mut borrow) = out[0].overflowing_sub(k);
        out[0] = d;
        for limb in out.iter_mut().skip(1) {
            let (d, b) = limb.overflowing_sub(borrow as u64);
            *limb = d;
            borrow = b;
        }
        out
    }

    /// Values < p at the edges: 0, 1, 2, p-1, p-2, limbs of all ones and zeros
    /// below p, R mod p (Montgomery 1), values just under 2^256 reduced (p-k),
    /// and the largest value with each top limb pattern.
    fn edge_values() -> Vec<Fe> {
        let mut v = vec![
            [0, 0, 0, 0],
            [1, 0, 0, 0],
            [2, 0, 0, 0],
            Fe::ONE.0,
            sub_small(P, 1),
            sub_small(P, 2),
            sub_small(P, 0xffff_ffff),
            [u64::MAX, 0, 0, 0],
            [u64::MAX, u64::MAX, 0, 0],
            [u64::MAX, u64::MAX, u64::MAX, 0],
            [u64::MAX, u64::MAX, u64::MAX, 0xffff_ffff_0000_0000],
            [0, 0, 0, 0xffff_ffff_0000_0000],
            [0, 0x1_0000_0000, 0, 0xffff_ffff_0000_0001],
            [u64::MAX, 0xffff_fffe, 0, 0xffff_ffff_0000_0001],
            [0, 0, 0, 1 << 63],
            [0xffff_ffff, 0, 0, 0],
            Fe::B.0,
        ];
        for k in [3u64, 17, 1 << 32, 1 << 40] {
            v.push(sub_small(P, k));
        }
        v.into_iter().map(fe).collect()
    }

    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        /// A value below p; every fourth one has limbs drawn from
        /// {0, 1, 2^32-1, 2^32, 2^64-1} to hit carry and borrow extremes.
        fn fe(&mut self) -> Fe {
            loop {
                let l = if self.next().is_multiple_of(4) {
                    const PICK: [u64; 5] = [0, 1, 0xffff_ffff, 1 << 32, u64::MAX];
                    [0; 4].map(|_| PICK[(self.next() % 5) as usize])
                } else {
                    [self.next(), self.next(), self.next(), self.next()]
                };
                if crate::engine::field::lt(&l, &P) {
                    return fe(l);
                }
            }
        }
    }

    fn check_mul(a: &Fe, b: &Fe) {
        let got = mul(a, b);
        assert_eq!(got, a.mul_portable(b), "mul {a:?} {b:?}");
        assert!(crate::engine::field::lt(&got.0, &P));
        assert_eq!(big(&got.0), mont_ref(a, b), "mul {a:?} {b:?}");
    }

    fn check_square(a: &Fe) {
        let got = square(a);
        assert_eq!(got, a.square_portable(), "square {a:?}");
        assert_eq!(got, mul(a, a), "square {a:?}");
        assert!(crate::engine::field::lt(&got.0, &P));
    }

    #[test]
    fn matches_portable_and_bigint_on_edges() {
        if !enabled() {
            eprintln!("no BMI2/ADX on this CPU: nothing to test");
            return;
        }
        let edges = edge_values();
        for a in &edges {
            check_square(a);
            for b in &edges {
                check_mul(a, b);
            }
        }
    }

    #[test]
    fn matches_portable_and_bigint_on_random_inputs() {
        if !enabled() {
            eprintln!("no BMI2/ADX on this CPU: nothing to test");
            return;
        }
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let (a, b) = (rng.fe(), rng.fe());
            check_mul(&a, &b);
            check_square(&a);
        }
        // Long chains of dependent operations, as the point formulas run them.
        let mut x = rng.fe();
        let y = rng.fe();
        let (mut xp, yp) = (x, y);
        for _ in 0..10_000 {
            x = square(&mul(&x, &y));
            xp = xp.mul_portable(&yp).square_portable();
        }
        assert_eq!(x, xp);
    }

    /// (x·y + M·p) / 2^256 with M = -x·y·p^-1 mod 2^256, on any limbs: the
    /// Montgomery value before the final subtraction, by num-bigint.
    fn mont_before_subtraction(x: &[u64; 4], y: &[u64; 4]) -> BigUint {
        let p = big(&P);
        let r = BigUint::from(1u8) << 256u32;
        let t = big(x) * big(y);
        // p^-1 mod 2^256 by Newton's iteration.
        let mut p_inv = BigUint::from(1u8);
        for _ in 0..9 {
            p_inv = &p_inv * (BigUint::from(2u8) + &r - (&p * &p_inv) % &r) % &r;
        }
        let m = (&r - &t % &r) * p_inv % &r;
        assert_eq!((&t + &m * &p) % &r, BigUint::from(0u8));
        (&t + &m * &p) / &r
    }

    /// That value minus p at most once: what the assembly computes by
    /// construction.
    fn mont_unreduced_ref(x: &[u64; 4], y: &[u64; 4]) -> BigUint {
        let v = mont_before_subtraction(x, y);
        let p = big(&P);
        if v >= p {
            v - p
        } else {
            v
        }
    }

    /// Limbs at or above p are not field elements, but the assembly has no
    /// reason to fail there: the product and reduction are exact for any
    /// 256-bit limbs. This reaches carries (a row's top limb, the rounds'
    /// carry limbs) that inputs below p never set, since a3 <= p3 bounds the
    /// high product limbs. (The portable code differs there: its
    /// interleaved rounds assume inputs below p.)
    #[test]
    fn exact_on_unreduced_limbs() {
        if !enabled() {
            eprintln!("no BMI2/ADX on this CPU: nothing to test");
            return;
        }
        let mut rng = XorShift(0x0bad_5eed_dead_beef);
        let mut values = vec![fe([u64::MAX; 4]), fe(P), fe([0, 0, 0, u64::MAX])];
        for _ in 0..300 {
            let top = u64::MAX - (rng.next() >> 40);
            values.push(fe([rng.next(), rng.next(), rng.next(), top]));
            values.push(fe([u64::MAX, u64::MAX, rng.next(), u64::MAX]));
        }
        for a in &values {
            assert_eq!(
                big(&square(a).0),
                mont_unreduced_ref(&a.0, &a.0),
                "square {a:?}"
            );
            for b in values.iter().take(20) {
                assert_eq!(
                    big(&mul(a, b).0),
                    mont_unreduced_ref(&a.0, &b.0),
                    "mul {a:?} {b:?}"
                );
                assert_eq!(
                    big(&mul(b, a).0),
                    mont_unreduced_ref(&b.0, &a.0),
                    "mul {b:?} {a:?}"
                );
            }
        }
    }

    /// Products whose value before the final subtraction is at least p (the
    /// cmov keeps the difference) and products below p (it keeps the
    /// original): both outcomes occur.
    #[test]
    fn final_subtraction_taken_and_skipped() {
        if !enabled() {
            eprintln!("no BMI2/ADX on this CPU: nothing to test");
            return;
        }
        let p = big(&P);
        let mut rng = XorShift(0x1234_5678_9abc_def1);
        let (mut taken, mut skipped) = (0, 0);
        for _ in 0..5_000 {
            let (a, b) = (rng.fe(), rng.fe());
            let before = mont_before_subtraction(&a.0, &b.0);
            assert_eq!(&before % &p, mont_ref(&a, &b));
            if before >= p {
                taken += 1;
            } else {
                skipped += 1;
            }
            check_mul(&a, &b);
        }
        assert!(taken > 0 && skipped > 0, "taken {taken}, skipped {skipped}");
    }
}
