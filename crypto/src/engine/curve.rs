//! The curves the engine serves: NIST P-256 (FIPS 186-4, D.1.2.3) and the
//! SM2 curve (GB/T 32918.5-2017). Both are y^2 = x^3 - 3x + b over a 256-bit
//! prime p > 2^255 whose lowest limb is 2^64 - 1, with a prime group order n
//! in (2^255, p). A marker type per curve carries the standard's constants as
//! hex; Montgomery forms and the other derived constants are computed at
//! compile time, so one source of field, scalar, point, table and cache code
//! serves both, monomorphised per curve.

use super::field::Fe;
use super::verify::GeneratorTables;

/// The parameters of a short Weierstrass curve with a = -3 over a prime
/// that admits the engine's Montgomery reduction.
pub trait CurveParams:
    Copy
    + Clone
    + core::fmt::Debug
    + Default
    + PartialEq
    + Eq
    + core::hash::Hash
    + Send
    + Sync
    + 'static
{
    /// The field prime, little-endian limbs. Limb 0 must be 2^64 - 1 (so
    /// -p^-1 mod 2^64 = 1) and p > 2^255; `field` checks both at compile time.
    const P: [u64; 4];
    /// The curve coefficient b, canonical.
    const B: [u64; 4];
    /// The group order n (prime, 2^255 < n < p).
    const N: [u64; 4];
    /// The base point G, canonical affine coordinates.
    const GX: [u64; 4];
    const GY: [u64; 4];

    /// x^((p+1)/4): the square root of x when it has one (p = 3 mod 4), by
    /// an addition chain for this prime.
    fn sqrt_candidate(x: &Fe<Self>) -> Fe<Self>;

    /// Whether `field_adx`'s mulx/adcx/adox multiplication, whose reduction
    /// is written for the P-256 prime, serves this curve (on CPUs with BMI2
    /// and ADX).
    const MULX_ASSEMBLY: bool = false;

    /// This curve's lazily built generator tables (a generic function cannot
    /// own a static, so each curve holds its own).
    fn generator_tables() -> &'static GeneratorTables<Self>;
}

/// 64 hex digits, big-endian as the standards print them, to little-endian
/// limbs (at compile time; a malformed literal fails the build).
pub(crate) const fn hex_limbs(s: &str) -> [u64; 4] {
    let b = s.as_bytes();
    assert!(b.len() == 64, "256-bit constant needs 64 hex digits");
    let mut l = [0u64; 4];
    let mut i = 0;
    while i < 64 {
        let d = match b[i] {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            c @ b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit"),
        } as u64;
        let limb = 3 - i / 16;
        l[limb] = (l[limb] << 4) | d;
        i += 1;
    }
    l
}

/// NIST P-256 (secp256r1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct P256;

impl CurveParams for P256 {
    const MULX_ASSEMBLY: bool = true;
    const P: [u64; 4] =
        hex_limbs("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    const B: [u64; 4] =
        hex_limbs("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
    const N: [u64; 4] =
        hex_limbs("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const GX: [u64; 4] =
        hex_limbs("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
    const GY: [u64; 4] =
        hex_limbs("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");

    fn sqrt_candidate(x: &Fe<Self>) -> Fe<Self> {
        // (p+1)/4 = (2^32-1)·2^222 + 2^190 + 2^94
        let (_, x32, _) = x.pow_2_30_32();
        let t = x32.square_n(32).mul(x);
        t.square_n(96).mul(x).square_n(94)
    }

    fn generator_tables() -> &'static GeneratorTables<Self> {
        static T: GeneratorTables<P256> = GeneratorTables::new();
        &T
    }
}

/// The SM2 curve (GB/T 32918.5-2017, "sm2p256v1").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Sm2;

impl CurveParams for Sm2 {
    const P: [u64; 4] =
        hex_limbs("fffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff");
    const B: [u64; 4] =
        hex_limbs("28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93");
    const N: [u64; 4] =
        hex_limbs("fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123");
    const GX: [u64; 4] =
        hex_limbs("32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7");
    const GY: [u64; 4] =
        hex_limbs("bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0");

    fn sqrt_candidate(x: &Fe<Self>) -> Fe<Self> {
        // (p+1)/4 = 1{31} 0 1{128} 0{31} 1 0{62} in binary.
        let (x30, x32, _) = x.pow_2_30_32();
        let x31 = x30.square().mul(x);
        let x64 = x32.square_n(32).mul(&x32);
        let x128 = x64.square_n(64).mul(&x64);
        let t = x31.square_n(129).mul(&x128);
        t.square_n(32).mul(x).square_n(62)
    }

    fn generator_tables() -> &'static GeneratorTables<Self> {
        static T: GeneratorTables<Sm2> = GeneratorTables::new();
        &T
    }
}
