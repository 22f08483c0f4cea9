//! Elliptic-curve algorithm suites of IEEE 1609.2-2022 (clause 5.3) and YD/T 3957.
//!
//! Five curves: NIST P-256 / P-384 (FIPS 186-4), brainpoolP256r1 / P384r1
//! (RFC 5639) with ECDSA, and SM2 (GB/T 32918) with the SM2 signature.
//! The arithmetic is RustCrypto's (`p256`, `p384`, `bp256`, `bp384`, `sm2`,
//! all on `elliptic-curve` 0.14), whose scalar and point operations on secrets
//! are constant-time; verification of public data uses their variable-time
//! multi-scalar multiplication. Exceptions: P-256 and SM2 verification run on
//! the variable-time engine ([`crate::engine`], with optional per-key tables,
//! [`KeyTable`]), and P-256 signing and `k * G` (key generation, ECQV, ECIES
//! ephemeral keys) on the engine's constant-time signer
//! ([`crate::engine::sign`]), about 5x faster, with the same RFC 6979 nonces
//! and hence the same signatures. SM2 secret-key operations stay on RustCrypto.
//!
//! Signatures work on a digest the caller computed (see [`crate::signing_input`]):
//! ECDSA signs `H(H(tbs) || H(signer))` (1609.2 clause 5.3.1), SM2 signs
//! `e = SM3(Z_A || tbs)` (GB/T 32918.2 clause 6.1, A1-A2 done by the caller).
//!
//! Our ECDSA signer returns `r` as the full point `R = kG` (1609.2 allows
//! `compressed-y-0/1` for `rSig`), so that receivers can batch-verify (ECDSA*);
//! [`Signature::to_x_only`] gives the classic `(r, s)`.
//!
//! Backends sit behind [`CryptoProvider`]; [`RustCryptoProvider`] is the default.
//! Functions that need randomness take any `rand_core` 0.10 `TryCryptoRng`
//! (for example `getrandom::SysRng`, which the default provider uses).

use elliptic_curve::{
    ff::{Field, PrimeField},
    group::{Curve as _, Group},
    ops::{MulByGeneratorVartime, Reduce},
    point::{AffineCoordinates, DecompressPoint},
    sec1::{FromSec1Point, ToSec1Point},
    AffinePoint, CurveArithmetic, FieldBytes, NonZeroScalar, ProjectivePoint,
    Scalar as CurveScalar,
};
use std::sync::OnceLock;

use rand_core::TryCryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::engine;
use crate::hash::HashAlgorithm;

/// The curves of 1609.2-2022 `PublicVerificationKey` / `Signature` plus SM2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (secp256r1), with SHA-256.
    NistP256,
    /// NIST P-384 (secp384r1), with SHA-384.
    NistP384,
    /// brainpoolP256r1, with SHA-256.
    BrainpoolP256r1,
    /// brainpoolP384r1, with SHA-384.
    BrainpoolP384r1,
    /// SM2 recommended curve (GB/T 32918.5), with SM3.
    Sm2,
}

impl Curve {
    /// All supported curves.
    pub const ALL: [Curve; 5] = [
        Curve::NistP256,
        Curve::NistP384,
        Curve::BrainpoolP256r1,
        Curve::BrainpoolP384r1,
        Curve::Sm2,
    ];

    /// The hash that goes with this curve in 1609.2 / YD/T 3957.
    pub const fn hash(self) -> HashAlgorithm {
        match self {
            Curve::NistP256 | Curve::BrainpoolP256r1 => HashAlgorithm::Sha256,
            Curve::NistP384 | Curve::BrainpoolP384r1 => HashAlgorithm::Sha384,
            Curve::Sm2 => HashAlgorithm::Sm3,
        }
    }

    /// Length in bytes of a field element and of a scalar (32 or 48).
    pub const fn field_len(self) -> usize {
        match self {
            Curve::NistP256 | Curve::BrainpoolP256r1 | Curve::Sm2 => 32,
            Curve::NistP384 | Curve::BrainpoolP384r1 => 48,
        }
    }

    /// True for the curve that signs with SM2 instead of ECDSA.
    pub const fn is_sm2(self) -> bool {
        matches!(self, Curve::Sm2)
    }
}

/// Errors of the asymmetric primitives. None of them carries secret data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// A byte string has the wrong length for this curve.
    InvalidLength,
    /// Not a valid encoding of a point on the curve, or the identity.
    InvalidPoint,
    /// A scalar is zero or not below the group order `n`.
    InvalidScalar,
    /// Two operands belong to different curves.
    CurveMismatch,
    /// A signature component is malformed (zero, `>= n`, not a curve point...).
    InvalidSignature,
    /// The signature is well-formed but does not verify.
    VerificationFailed,
    /// A result was the identity / zero (negligible probability with honest inputs).
    DegenerateResult,
    /// The random number generator failed.
    Rng,
    /// The operation is not defined for this curve.
    Unsupported,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Error::InvalidLength => "wrong length for the curve",
            Error::InvalidPoint => "invalid or identity curve point",
            Error::InvalidScalar => "scalar is zero or not below the group order",
            Error::CurveMismatch => "operands on different curves",
            Error::InvalidSignature => "malformed signature",
            Error::VerificationFailed => "signature verification failed",
            Error::DegenerateResult => "degenerate result (identity or zero)",
            Error::Rng => "random number generator failure",
            Error::Unsupported => "operation not supported for this curve",
        })
    }
}

impl std::error::Error for Error {}

/// Shared secret of ECDH: the x-coordinate of `d * Q`, zeroized on drop.
pub type SharedSecret = Zeroizing<Vec<u8>>;

// ---------------------------------------------------------------------------
// Per-curve glue. Everything generic below works over `C: Kit`.

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum PointInner {
    P256(AffinePoint<p256::NistP256>),
    P384(AffinePoint<p384::NistP384>),
    Bp256(AffinePoint<bp256::BrainpoolP256r1>),
    Bp384(AffinePoint<bp384::BrainpoolP384r1>),
    Sm2(AffinePoint<sm2::Sm2>),
}

#[derive(Clone, Copy)]
pub(crate) enum ScalarInner {
    P256(CurveScalar<p256::NistP256>),
    P384(CurveScalar<p384::NistP384>),
    Bp256(CurveScalar<bp256::BrainpoolP256r1>),
    Bp384(CurveScalar<bp384::BrainpoolP384r1>),
    Sm2(CurveScalar<sm2::Sm2>),
}

/// ECDSA output of the backend: (r, s, y parity of R, whether x(R) was reduced).
type EcdsaRaw<C> = (FieldBytes<C>, FieldBytes<C>, bool, bool);

pub(crate) trait Kit: CurveArithmetic {
    const CURVE: Curve;
    fn decode(bytes: &[u8]) -> Option<AffinePoint<Self>>;
    fn decompress_x(x: &FieldBytes<Self>, y_odd: bool) -> Option<AffinePoint<Self>>;
    fn encode(p: &AffinePoint<Self>, compress: bool) -> Vec<u8>;
    fn wrap_point(p: AffinePoint<Self>) -> PointInner;
    fn point(p: &PointInner) -> Option<AffinePoint<Self>>;
    fn wrap_scalar(s: CurveScalar<Self>) -> ScalarInner;
    fn scalar(s: &ScalarInner) -> Option<CurveScalar<Self>>;
    /// ECDSA with RFC 6979 nonce hedged with `ad`.
    fn ecdsa_sign_hedged(
        d: &NonZeroScalar<Self>,
        z: &[u8],
        ad: &[u8],
    ) -> Result<EcdsaRaw<Self>, Error>;
    /// ECDSA with a caller-chosen nonce (known-answer tests only).
    fn ecdsa_sign_with_k(
        d: &NonZeroScalar<Self>,
        k: &NonZeroScalar<Self>,
        z: &[u8],
    ) -> Result<EcdsaRaw<Self>, Error>;
}

macro_rules! kit_common {
    ($C:ty, $variant:ident, $curve:expr) => {
        const CURVE: Curve = $curve;
        fn decode(bytes: &[u8]) -> Option<AffinePoint<Self>> {
            // Only compressed (02/03) and uncompressed (04) forms of the exact
            // length: no identity (00), compact (05) or hybrid (06/07) forms.
            let n = <$C as Kit>::CURVE.field_len();
            let ok = match bytes.first() {
                Some(2 | 3) => bytes.len() == 1 + n,
                Some(4) => bytes.len() == 1 + 2 * n,
                _ => false,
            };
            if !ok {
                return None;
            }
            // `from_sec1_bytes` checks the curve equation.
            let p = AffinePoint::<$C>::from_sec1_bytes(bytes).ok()?;
            let is_id: bool = ProjectivePoint::<$C>::from(p).is_identity().into();
            (!is_id).then_some(p)
        }
        fn decompress_x(x: &FieldBytes<Self>, y_odd: bool) -> Option<AffinePoint<Self>> {
            AffinePoint::<$C>::decompress(x, Choice::from(u8::from(y_odd))).into_option()
        }
        fn encode(p: &AffinePoint<Self>, compress: bool) -> Vec<u8> {
            p.to_sec1_point(compress).as_bytes().to_vec()
        }
        fn wrap_point(p: AffinePoint<Self>) -> PointInner {
            PointInner::$variant(p)
        }
        fn point(p: &PointInner) -> Option<AffinePoint<Self>> {
            match p {
                PointInner::$variant(p) => Some(*p),
                _ => None,
            }
        }
        fn wrap_scalar(s: CurveScalar<Self>) -> ScalarInner {
            ScalarInner::$variant(s)
        }
        fn scalar(s: &ScalarInner) -> Option<CurveScalar<Self>> {
            match s {
                ScalarInner::$variant(s) => Some(*s),
                _ => None,
            }
        }
    };
}

macro_rules! kit_ecdsa {
    ($C:ty, $variant:ident, $curve:expr, $D:ty) => {
        impl Kit for $C {
            kit_common!($C, $variant, $curve);
            fn ecdsa_sign_hedged(
                d: &NonZeroScalar<Self>,
                z: &[u8],
                ad: &[u8],
            ) -> Result<EcdsaRaw<Self>, Error> {
                let (sig, rid) = ecdsa::hazmat::sign_prehashed_rfc6979::<$C, $D>(d, z, ad);
                let (r, s) = sig.split_bytes();
                Ok((r, s, rid.is_y_odd(), rid.is_x_reduced()))
            }
            fn ecdsa_sign_with_k(
                d: &NonZeroScalar<Self>,
                k: &NonZeroScalar<Self>,
                z: &[u8],
            ) -> Result<EcdsaRaw<Self>, Error> {
                let (sig, rid) = ecdsa::hazmat::sign_prehashed::<$C>(d, k, z)
                    .map_err(|_| Error::DegenerateResult)?;
                let (r, s) = sig.split_bytes();
                Ok((r, s, rid.is_y_odd(), rid.is_x_reduced()))
            }
        }
    };
}

kit_ecdsa!(p256::NistP256, P256, Curve::NistP256, sha2::Sha256);
kit_ecdsa!(p384::NistP384, P384, Curve::NistP384, sha2::Sha384);
kit_ecdsa!(
    bp256::BrainpoolP256r1,
    Bp256,
    Curve::BrainpoolP256r1,
    sha2::Sha256
);
kit_ecdsa!(
    bp384::BrainpoolP384r1,
    Bp384,
    Curve::BrainpoolP384r1,
    sha2::Sha384
);

impl Kit for sm2::Sm2 {
    kit_common!(sm2::Sm2, Sm2, Curve::Sm2);
    fn ecdsa_sign_hedged(
        _d: &NonZeroScalar<Self>,
        _z: &[u8],
        _ad: &[u8],
    ) -> Result<EcdsaRaw<Self>, Error> {
        Err(Error::Unsupported)
    }
    fn ecdsa_sign_with_k(
        _d: &NonZeroScalar<Self>,
        _k: &NonZeroScalar<Self>,
        _z: &[u8],
    ) -> Result<EcdsaRaw<Self>, Error> {
        Err(Error::Unsupported)
    }
}

/// Runs `$body` with `$C` bound to the RustCrypto curve type of `$curve`.
macro_rules! with_curve {
    ($curve:expr, |$C:ident| $body:expr) => {
        match $curve {
            $crate::suite::Curve::NistP256 => {
                type $C = p256::NistP256;
                $body
            }
            $crate::suite::Curve::NistP384 => {
                type $C = p384::NistP384;
                $body
            }
            $crate::suite::Curve::BrainpoolP256r1 => {
                type $C = bp256::BrainpoolP256r1;
                $body
            }
            $crate::suite::Curve::BrainpoolP384r1 => {
                type $C = bp384::BrainpoolP384r1;
                $body
            }
            $crate::suite::Curve::Sm2 => {
                type $C = sm2::Sm2;
                $body
            }
        }
    };
}

fn field_bytes<C: Kit>(bytes: &[u8]) -> Result<FieldBytes<C>, Error> {
    let mut fb = FieldBytes::<C>::default();
    if bytes.len() != fb.len() {
        return Err(Error::InvalidLength);
    }
    fb.copy_from_slice(bytes);
    Ok(fb)
}

/// `bytes` (big-endian, any length) reduced mod `n`, constant-time: Horner in
/// 128-bit chunks, each chunk being below every group order used here.
pub(crate) fn reduce_wide<C: Kit>(bytes: &[u8]) -> CurveScalar<C> {
    let mut two128 = FieldBytes::<C>::default();
    let flen = two128.len();
    two128[flen - 17] = 1;
    let two128 = <CurveScalar<C> as Reduce<FieldBytes<C>>>::reduce(&two128);
    let pad = (16 - bytes.len() % 16) % 16;
    let mut acc = CurveScalar::<C>::ZERO;
    let mut chunk = [0u8; 16];
    let mut filled = pad;
    for &b in bytes {
        chunk[filled] = b;
        filled += 1;
        if filled == 16 {
            let mut fb = FieldBytes::<C>::default();
            fb[flen - 16..].copy_from_slice(&chunk);
            acc = acc * two128 + <CurveScalar<C> as Reduce<FieldBytes<C>>>::reduce(&fb);
            fb.zeroize();
            filled = 0;
        }
    }
    chunk.zeroize();
    acc
}

/// ECDSA `bits2int(z) mod n`: leftmost `field_len` bytes, left-padded if shorter.
fn digest_to_scalar<C: Kit>(z: &[u8]) -> CurveScalar<C> {
    let mut fb = FieldBytes::<C>::default();
    let flen = fb.len();
    if z.len() >= flen {
        fb.copy_from_slice(&z[..flen]);
    } else {
        fb[flen - z.len()..].copy_from_slice(z);
    }
    <CurveScalar<C> as Reduce<FieldBytes<C>>>::reduce(&fb)
}

fn canonical_scalar<C: Kit>(bytes: &[u8]) -> Result<CurveScalar<C>, Error> {
    let fb = field_bytes::<C>(bytes)?;
    CurveScalar::<C>::from_repr(fb)
        .into_option()
        .ok_or(Error::InvalidScalar)
}

fn random_nonzero<C: Kit, R: TryCryptoRng + ?Sized>(
    rng: &mut R,
) -> Result<NonZeroScalar<C>, Error> {
    // Rejection sampling; for every curve here one try succeeds with
    // probability > 1/2, so 64 failures mean a broken RNG.
    for _ in 0..64 {
        let mut fb = FieldBytes::<C>::default();
        rng.try_fill_bytes(&mut fb).map_err(|_| Error::Rng)?;
        let s = NonZeroScalar::<C>::from_repr(fb).into_option();
        fb.zeroize();
        if let Some(s) = s {
            return Ok(s);
        }
    }
    Err(Error::Rng)
}

fn nonzero<C: Kit>(s: CurveScalar<C>) -> Result<NonZeroScalar<C>, Error> {
    NonZeroScalar::<C>::new(s)
        .into_option()
        .ok_or(Error::InvalidScalar)
}

fn affine_nonidentity<C: Kit>(p: ProjectivePoint<C>) -> Result<AffinePoint<C>, Error> {
    if bool::from(p.is_identity()) {
        return Err(Error::DegenerateResult);
    }
    Ok(p.to_affine())
}

// ---------------------------------------------------------------------------
// Points

/// A point on one of the supported curves, never the identity.
///
/// Public keys, ECQV reconstruction values, and the `R` of a signature are all
/// points; [`PublicKey`] is the same type.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EcPoint(pub(crate) PointInner);

/// A verification / encryption public key.
pub type PublicKey = EcPoint;

impl core::fmt::Debug for EcPoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "EcPoint({:?}, ", self.curve())?;
        for b in self.to_sec1(true) {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl EcPoint {
    pub(crate) fn inner<C: Kit>(&self) -> Result<AffinePoint<C>, Error> {
        C::point(&self.0).ok_or(Error::CurveMismatch)
    }

    pub(crate) fn from_affine<C: Kit>(p: AffinePoint<C>) -> Self {
        EcPoint(C::wrap_point(p))
    }

    /// The curve of this point.
    pub fn curve(&self) -> Curve {
        match self.0 {
            PointInner::P256(_) => Curve::NistP256,
            PointInner::P384(_) => Curve::NistP384,
            PointInner::Bp256(_) => Curve::BrainpoolP256r1,
            PointInner::Bp384(_) => Curve::BrainpoolP384r1,
            PointInner::Sm2(_) => Curve::Sm2,
        }
    }

    /// Decode SEC1 (`02/03 || x` compressed or `04 || x || y` uncompressed),
    /// checking the curve equation; the identity is refused.
    pub fn from_sec1(curve: Curve, bytes: &[u8]) -> Result<Self, Error> {
        with_curve!(curve, |C| {
            let p = C::decode(bytes).ok_or(Error::InvalidPoint)?;
            Ok(Self::from_affine::<C>(p))
        })
    }

    /// Decode 1609.2 `compressed-y-0` / `compressed-y-1`: `x` and the parity
    /// (least significant bit) of `y`.
    ///
    /// P-256 decompresses on the engine (variable time: points are public).
    pub fn from_x_and_parity(curve: Curve, x: &[u8], y_odd: bool) -> Result<Self, Error> {
        if curve == Curve::NistP256 {
            let x: &[u8; 32] = x.try_into().map_err(|_| Error::InvalidLength)?;
            let p = engine::Affine::decompress(x, y_odd).map_err(|_| Error::InvalidPoint)?;
            return p256_point(&p).map_err(|_| Error::InvalidPoint);
        }
        with_curve!(curve, |C| {
            let fb = field_bytes::<C>(x)?;
            let p = C::decompress_x(&fb, y_odd).ok_or(Error::InvalidPoint)?;
            Ok(Self::from_affine::<C>(p))
        })
    }

    /// Decode 1609.2 `uncompressedP256` / `uncompressedP384`: `x` and `y`.
    pub fn from_xy(curve: Curve, x: &[u8], y: &[u8]) -> Result<Self, Error> {
        let n = curve.field_len();
        if x.len() != n || y.len() != n {
            return Err(Error::InvalidLength);
        }
        let mut buf = Vec::with_capacity(1 + 2 * n);
        buf.push(4);
        buf.extend_from_slice(x);
        buf.extend_from_slice(y);
        Self::from_sec1(curve, &buf)
    }

    /// SEC1 encoding, compressed (`02/03 || x`) or uncompressed (`04 || x || y`).
    pub fn to_sec1(&self, compress: bool) -> Vec<u8> {
        with_curve!(self.curve(), |C| match C::point(&self.0) {
            Some(p) => C::encode(&p, compress),
            None => Vec::new(),
        })
    }

    /// Big-endian x-coordinate.
    pub fn x_bytes(&self) -> Vec<u8> {
        let enc = self.to_sec1(true);
        enc.get(1..).map(<[u8]>::to_vec).unwrap_or_default()
    }

    /// Big-endian y-coordinate.
    pub fn y_bytes(&self) -> Vec<u8> {
        let n = self.curve().field_len();
        let enc = self.to_sec1(false);
        enc.get(1 + n..).map(<[u8]>::to_vec).unwrap_or_default()
    }

    /// Parity of y, the `1` of 1609.2 `compressed-y-1`.
    pub fn y_is_odd(&self) -> bool {
        self.to_sec1(true).first() == Some(&3)
    }

    /// The base point `G` of `curve`.
    pub fn generator(curve: Curve) -> Self {
        with_curve!(curve, |C| Self::from_affine::<C>(
            ProjectivePoint::<C>::generator().to_affine()
        ))
    }

    /// `k * G`, constant-time in `k` (P-256: the engine's comb).
    pub fn mul_generator(k: &EcScalar) -> Result<Self, Error> {
        if k.curve() == Curve::NistP256 {
            return p256_mul_base(k);
        }
        with_curve!(k.curve(), |C| {
            let k = k.inner::<C>()?;
            let p = affine_nonidentity::<C>(ProjectivePoint::<C>::generator() * k)?;
            Ok(Self::from_affine::<C>(p))
        })
    }

    /// `k * self`, constant-time in `k`.
    pub fn mul(&self, k: &EcScalar) -> Result<Self, Error> {
        with_curve!(self.curve(), |C| {
            let p = self.inner::<C>()?;
            let k = k.inner::<C>()?;
            let r = affine_nonidentity::<C>(ProjectivePoint::<C>::from(p) * k)?;
            Ok(Self::from_affine::<C>(r))
        })
    }

    /// [`EcPoint::verify_digest`] with this key's precomputed engine table
    /// (P-256 or SM2; about 3x faster, for a signer seen again and again, such
    /// as an RA's certificate at the ACA). `table` must be built from this key.
    pub fn verify_digest_with_table(
        &self,
        table: &KeyTable,
        digest: &[u8],
        sig: &Signature,
    ) -> Result<(), Error> {
        match table {
            KeyTable::P256(t) if self.curve() == Curve::NistP256 && digest.len() == 32 => {
                p256_verify(self, digest, sig, Some(t))
            }
            KeyTable::Sm2(t) if self.curve() == Curve::Sm2 => {
                sm2_verify(self, digest, sig, Some(t))
            }
            _ => self.verify_digest(digest, sig),
        }
    }

    /// The engine table for [`EcPoint::verify_digest_with_table`]; None off
    /// P-256 and SM2.
    pub fn signer_table(&self) -> Option<KeyTable> {
        match self.curve() {
            Curve::NistP256 => {
                let q = engine::Affine::from_sec1(&self.to_sec1(false)).ok()?;
                engine::SignerTable::new(&q).ok().map(KeyTable::P256)
            }
            Curve::Sm2 => {
                let q = engine::sm2::Affine::from_sec1(&self.to_sec1(false)).ok()?;
                engine::sm2::SignerTable::new(&q).ok().map(KeyTable::Sm2)
            }
            _ => None,
        }
    }

    /// `self + other`; an identity result is an error. Constant time (P-256
    /// on the engine).
    pub fn add(&self, other: &EcPoint) -> Result<Self, Error> {
        if self.curve() == Curve::NistP256 && other.curve() == Curve::NistP256 {
            let a = engine::Affine::from_sec1(&self.to_sec1(false));
            let b = engine::Affine::from_sec1(&other.to_sec1(false));
            let (Ok(a), Ok(b)) = (a, b) else {
                return Err(Error::InvalidPoint);
            };
            let r = engine::sign::add_ct(&a, &b).ok_or(Error::DegenerateResult)?;
            return p256_point(&r);
        }
        with_curve!(self.curve(), |C| {
            let a = self.inner::<C>()?;
            let b = other.inner::<C>()?;
            let r = affine_nonidentity::<C>(ProjectivePoint::<C>::from(a) + b)?;
            Ok(Self::from_affine::<C>(r))
        })
    }

    /// Verify a signature over a precomputed digest: ECDSA (`z = H(...)`,
    /// 1609.2 clause 5.3.1) for the ECDSA curves, SM2 (`e`, GB/T 32918.2
    /// clause 7.1 B3-B7) for [`Curve::Sm2`].
    ///
    /// With `r` given as a full point `R` (ECDSA only) the check is the
    /// ECDSA* one: `u1*G + u2*Q == R` exactly, which implies `x(R) mod n == r`.
    ///
    /// P-256 with a 32-byte digest and SM2 run on the variable-time engine
    /// (all inputs are public).
    pub fn verify_digest(&self, digest: &[u8], sig: &Signature) -> Result<(), Error> {
        if self.curve() == Curve::NistP256 && digest.len() == 32 {
            return p256_verify(self, digest, sig, None);
        }
        if self.curve() == Curve::Sm2 {
            return sm2_verify(self, digest, sig, None);
        }
        with_curve!(self.curve(), |C| {
            let q = self.inner::<C>()?;
            ecdsa_verify::<C>(&q, digest, sig)
        })
    }
}

/// A public key's precomputed engine table (see
/// [`EcPoint::verify_digest_with_table`]).
#[derive(Clone, Debug)]
pub enum KeyTable {
    P256(engine::SignerTable),
    Sm2(engine::sm2::SignerTable),
}

impl KeyTable {
    /// Bytes held by the table.
    pub fn size_bytes(&self) -> usize {
        match self {
            KeyTable::P256(t) => t.size_bytes(),
            KeyTable::Sm2(t) => t.size_bytes(),
        }
    }
}

// ---------------------------------------------------------------------------
// Scalars

/// A scalar mod the group order `n`. May be secret: zeroized on drop, redacted in Debug.
#[derive(Clone)]
pub struct EcScalar(pub(crate) ScalarInner);

impl core::fmt::Debug for EcScalar {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "EcScalar({:?}, ..)", self.curve())
    }
}

impl Zeroize for EcScalar {
    fn zeroize(&mut self) {
        match &mut self.0 {
            ScalarInner::P256(s) => s.zeroize(),
            ScalarInner::P384(s) => s.zeroize(),
            ScalarInner::Bp256(s) => s.zeroize(),
            ScalarInner::Bp384(s) => s.zeroize(),
            ScalarInner::Sm2(s) => s.zeroize(),
        }
    }
}

impl Drop for EcScalar {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for EcScalar {}

impl ConstantTimeEq for EcScalar {
    fn ct_eq(&self, other: &Self) -> Choice {
        if self.curve() != other.curve() {
            return Choice::from(0);
        }
        let a = self.to_be_bytes();
        let b = other.to_be_bytes();
        a.as_slice().ct_eq(b.as_slice())
    }
}

impl EcScalar {
    pub(crate) fn inner<C: Kit>(&self) -> Result<CurveScalar<C>, Error> {
        C::scalar(&self.0).ok_or(Error::CurveMismatch)
    }

    pub(crate) fn from_inner<C: Kit>(s: CurveScalar<C>) -> Self {
        EcScalar(C::wrap_scalar(s))
    }

    /// The curve whose order this scalar is reduced by.
    pub fn curve(&self) -> Curve {
        match self.0 {
            ScalarInner::P256(_) => Curve::NistP256,
            ScalarInner::P384(_) => Curve::NistP384,
            ScalarInner::Bp256(_) => Curve::BrainpoolP256r1,
            ScalarInner::Bp384(_) => Curve::BrainpoolP384r1,
            ScalarInner::Sm2(_) => Curve::Sm2,
        }
    }

    /// Canonical big-endian scalar of exactly `field_len` bytes, `< n` (zero allowed).
    pub fn from_be_bytes(curve: Curve, bytes: &[u8]) -> Result<Self, Error> {
        with_curve!(curve, |C| Ok(Self::from_inner::<C>(canonical_scalar::<C>(
            bytes
        )?)))
    }

    /// Big-endian integer of any length, reduced mod `n` (constant-time).
    pub fn from_be_bytes_reduced(curve: Curve, bytes: &[u8]) -> Self {
        with_curve!(curve, |C| Self::from_inner::<C>(reduce_wide::<C>(bytes)))
    }

    /// Uniformly random non-zero scalar.
    pub fn random<R: TryCryptoRng + ?Sized>(curve: Curve, rng: &mut R) -> Result<Self, Error> {
        with_curve!(curve, |C| Ok(Self::from_inner::<C>(
            *random_nonzero::<C, R>(rng)?.as_ref()
        )))
    }

    /// Big-endian bytes, `field_len` long, zeroized on drop.
    pub fn to_be_bytes(&self) -> Zeroizing<Vec<u8>> {
        with_curve!(self.curve(), |C| match C::scalar(&self.0) {
            Some(s) => Zeroizing::new(s.to_repr().to_vec()),
            None => Zeroizing::new(Vec::new()),
        })
    }

    /// True if the scalar is zero (constant-time).
    pub fn is_zero(&self) -> bool {
        with_curve!(self.curve(), |C| match C::scalar(&self.0) {
            Some(s) => bool::from(s.is_zero()),
            None => true,
        })
    }

    /// `self + other mod n`.
    pub fn add(&self, other: &EcScalar) -> Result<Self, Error> {
        with_curve!(self.curve(), |C| Ok(Self::from_inner::<C>(
            self.inner::<C>()? + other.inner::<C>()?
        )))
    }

    /// `self * other mod n`.
    pub fn mul(&self, other: &EcScalar) -> Result<Self, Error> {
        with_curve!(self.curve(), |C| Ok(Self::from_inner::<C>(
            self.inner::<C>()? * other.inner::<C>()?
        )))
    }
}

// ---------------------------------------------------------------------------
// Secret keys

/// A private key `d` in `[1, n-1]`. Zeroized on drop; Debug shows only the curve.
#[derive(Clone)]
pub struct SecretKey {
    d: EcScalar,
    /// `d * G`, computed on first use: key stores ask for it on every
    /// signature and issuance.
    q: OnceLock<PublicKey>,
}

impl core::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SecretKey({:?}, ..)", self.curve())
    }
}

impl ZeroizeOnDrop for SecretKey {}

impl SecretKey {
    /// The curve of this key.
    pub fn curve(&self) -> Curve {
        self.d.curve()
    }

    /// A fresh random key.
    pub fn generate<R: TryCryptoRng + ?Sized>(curve: Curve, rng: &mut R) -> Result<Self, Error> {
        EcScalar::random(curve, rng).and_then(Self::from_scalar)
    }

    /// Big-endian private key of exactly `field_len` bytes in `[1, n-1]`.
    pub fn from_be_bytes(curve: Curve, bytes: &[u8]) -> Result<Self, Error> {
        Self::from_scalar(EcScalar::from_be_bytes(curve, bytes)?)
    }

    /// A key from a scalar, refusing zero.
    pub fn from_scalar(s: EcScalar) -> Result<Self, Error> {
        if s.is_zero() {
            return Err(Error::InvalidScalar);
        }
        Ok(SecretKey {
            d: s,
            q: OnceLock::new(),
        })
    }

    /// The private scalar.
    pub fn as_scalar(&self) -> &EcScalar {
        &self.d
    }

    /// Big-endian bytes, zeroized on drop.
    pub fn to_be_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.d.to_be_bytes()
    }

    /// `Q = d * G` (computed once per key).
    pub fn public_key(&self) -> PublicKey {
        *self.q.get_or_init(|| self.compute_public_key())
    }

    fn compute_public_key(&self) -> PublicKey {
        // d is in [1, n-1] and n is prime, so d*G is never the identity.
        if self.curve() == Curve::NistP256 {
            if let Ok(q) = p256_mul_base(&self.d) {
                return q;
            }
        }
        with_curve!(self.curve(), |C| match C::scalar(&self.d.0) {
            Some(d) =>
                EcPoint::from_affine::<C>((ProjectivePoint::<C>::generator() * d).to_affine()),
            None => EcPoint::generator(C::CURVE),
        })
    }

    /// Sign a precomputed digest: ECDSA with `r` as the full point `R = kG`
    /// (nonce: RFC 6979 hedged with 32 bytes from `rng`), or SM2 with a
    /// CSPRNG nonce when the curve is [`Curve::Sm2`] (`digest` is then `e`).
    pub fn sign_digest<R: TryCryptoRng + ?Sized>(
        &self,
        digest: &[u8],
        rng: &mut R,
    ) -> Result<Signature, Error> {
        with_curve!(self.curve(), |C| {
            let d = nonzero::<C>(self.d.inner::<C>()?)?;
            if C::CURVE.is_sm2() {
                // A retry is needed only when r = 0, r + k = n or s = 0.
                for _ in 0..16 {
                    let k = random_nonzero::<C, R>(rng)?;
                    match sm2_sign_with_k::<C>(&d, &k, digest) {
                        Err(Error::DegenerateResult) => continue,
                        other => return other,
                    }
                }
                Err(Error::Rng)
            } else {
                for _ in 0..16 {
                    let mut ad = Zeroizing::new([0u8; 32]);
                    rng.try_fill_bytes(ad.as_mut()).map_err(|_| Error::Rng)?;
                    let res = if C::CURVE == Curve::NistP256 {
                        let d = p256_secret_bytes(&self.d)?;
                        p256_signature(engine::sign::sign_rfc6979(&d, digest, ad.as_ref()))
                    } else {
                        C::ecdsa_sign_hedged(&d, digest, ad.as_ref())
                            .and_then(ecdsa_raw_to_signature::<C>)
                    };
                    match res {
                        Err(Error::DegenerateResult) => continue,
                        other => return other,
                    }
                }
                Err(Error::Rng)
            }
        })
    }

    /// ECDH (IEEE 1363 ECSVDP-DH, cofactor 1): the x-coordinate of `d * Q`.
    pub fn ecdh(&self, peer: &PublicKey) -> Result<SharedSecret, Error> {
        if self.curve() == Curve::NistP256 && peer.curve() == Curve::NistP256 {
            return p256_ecdh(self, peer);
        }
        with_curve!(self.curve(), |C| {
            let d = self.d.inner::<C>()?;
            let q = peer.inner::<C>()?;
            let p = affine_nonidentity::<C>(ProjectivePoint::<C>::from(q) * d)?;
            Ok(Zeroizing::new(p.x().to_vec()))
        })
    }
}

// ---------------------------------------------------------------------------
// Signatures

/// The `r` half of a signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureR {
    /// `r` as big-endian bytes (1609.2 `x-only`; for SM2, the SM2 `r`).
    X(Vec<u8>),
    /// `R = kG` as a point (1609.2 `compressed-y-0/1`), ECDSA only.
    Point(EcPoint),
}

/// An ECDSA or SM2 signature `(r, s)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// `r`, as bytes or as the point `R`.
    pub r: SignatureR,
    /// `s`, big-endian, `field_len` bytes.
    pub s: Vec<u8>,
}

impl Signature {
    /// The `r` bytes: `x(R) mod n` when `r` is a point.
    pub fn r_bytes(&self) -> Vec<u8> {
        match &self.r {
            SignatureR::X(x) => x.clone(),
            SignatureR::Point(p) => {
                let s = EcScalar::from_be_bytes_reduced(p.curve(), &p.x_bytes());
                s.to_be_bytes().to_vec()
            }
        }
    }

    /// The same signature with `r` as x-only bytes (`x(R) mod n`).
    pub fn to_x_only(&self) -> Signature {
        Signature {
            r: SignatureR::X(self.r_bytes()),
            s: self.s.clone(),
        }
    }
}

fn ecdsa_raw_to_signature<C: Kit>(raw: EcdsaRaw<C>) -> Result<Signature, Error> {
    let (r, s, y_odd, x_reduced) = raw;
    if x_reduced {
        // x(R) >= n: R cannot be rebuilt from r alone; the caller retries with a
        // new nonce (probability below 2^-100 on every curve here).
        return Err(Error::DegenerateResult);
    }
    let big_r = C::decompress_x(&r, y_odd).ok_or(Error::DegenerateResult)?;
    Ok(Signature {
        r: SignatureR::Point(EcPoint::from_affine::<C>(big_r)),
        s: s.to_vec(),
    })
}

/// A P-256 scalar as 32 big-endian bytes, zeroized on drop.
fn p256_secret_bytes(s: &EcScalar) -> Result<Zeroizing<[u8; 32]>, Error> {
    let v = s.to_be_bytes();
    let mut out = Zeroizing::new([0u8; 32]);
    if v.len() != 32 || s.curve() != Curve::NistP256 {
        return Err(Error::CurveMismatch);
    }
    out.copy_from_slice(&v);
    Ok(out)
}

/// An engine point as a suite point (the curve equation is checked again).
fn p256_point(p: &engine::Affine) -> Result<EcPoint, Error> {
    EcPoint::from_sec1(Curve::NistP256, &p.to_sec1()).map_err(|_| Error::DegenerateResult)
}

/// `k * G` on P-256 with the engine's constant-time comb.
fn p256_mul_base(k: &EcScalar) -> Result<EcPoint, Error> {
    let kb = p256_secret_bytes(k)?;
    let mut ks = engine::Sc::from_bytes_reduced(&kb);
    let p = engine::sign::mul_base(&ks);
    ks.0.zeroize();
    p256_point(&p.ok_or(Error::DegenerateResult)?)
}

/// ECDH on P-256 with the engine's constant-time variable-base multiplication.
fn p256_ecdh(key: &SecretKey, peer: &PublicKey) -> Result<SharedSecret, Error> {
    let q = engine::Affine::from_sec1(&peer.to_sec1(false)).map_err(|_| Error::InvalidPoint)?;
    let kb = p256_secret_bytes(key.as_scalar())?;
    let mut ks = engine::Sc::from_bytes_reduced(&kb);
    let p = engine::sign::mul_ct(&q, &ks);
    ks.0.zeroize();
    let p = p.ok_or(Error::DegenerateResult)?;
    Ok(Zeroizing::new(p.x.to_bytes().to_vec()))
}

/// ECDSA / ECDSA* verification on P-256 with the engine: the checks and
/// errors of [`ecdsa_verify`].
fn p256_verify(
    q: &EcPoint,
    digest: &[u8],
    sig: &Signature,
    table: Option<&engine::SignerTable>,
) -> Result<(), Error> {
    let z: &[u8; 32] = digest.try_into().map_err(|_| Error::InvalidLength)?;
    let s: &[u8; 32] = sig
        .s
        .as_slice()
        .try_into()
        .map_err(|_| Error::InvalidSignature)?;
    let s = engine::Sc::from_bytes(s)
        .filter(|s| !s.is_zero())
        .ok_or(Error::InvalidSignature)?;
    let key = match table {
        Some(t) => *t.key(),
        None => engine::Affine::from_sec1(&q.to_sec1(false)).map_err(|_| Error::InvalidPoint)?,
    };
    let ok = match &sig.r {
        SignatureR::X(x) => {
            let x: &[u8; 32] = x
                .as_slice()
                .try_into()
                .map_err(|_| Error::InvalidSignature)?;
            let es = engine::Signature::from_scalars(x, &s.to_bytes())
                .map_err(|_| Error::InvalidSignature)?;
            match table {
                Some(t) => t.verify_prehash(z, &es).is_ok(),
                None => engine::verify_prehash(&key, z, &es).is_ok(),
            }
        }
        SignatureR::Point(p) => {
            if p.curve() != Curve::NistP256 {
                return Err(Error::CurveMismatch);
            }
            let r_point =
                engine::Affine::from_sec1(&p.to_sec1(false)).map_err(|_| Error::InvalidPoint)?;
            let fs = engine::FullSignature { r_point, s };
            if fs.r().is_none() {
                return Err(Error::InvalidSignature);
            }
            match table {
                Some(t) => t.verify_prehash_full(z, &fs).is_ok(),
                None => engine::verify_prehash_full(&key, z, &fs).is_ok(),
            }
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}

/// The engine signer's result as a [`Signature`] with `r` as the point R; a
/// nonce that gave x(R) >= n (or r/s = 0) is a `DegenerateResult` to retry.
fn p256_signature(
    res: Result<engine::sign::SignatureR, engine::sign::SignError>,
) -> Result<Signature, Error> {
    let sig = res.map_err(|_| Error::DegenerateResult)?;
    Ok(Signature {
        r: SignatureR::Point(p256_point(&sig.r_point)?),
        s: sig.s.to_bytes().to_vec(),
    })
}

fn ecdsa_verify<C: Kit>(q: &AffinePoint<C>, z: &[u8], sig: &Signature) -> Result<(), Error> {
    let big_r = match &sig.r {
        SignatureR::X(_) => None,
        SignatureR::Point(p) => Some(p.inner::<C>()?),
    };
    let r = match &sig.r {
        SignatureR::X(x) => canonical_scalar::<C>(x).map_err(|_| Error::InvalidSignature)?,
        SignatureR::Point(p) => reduce_wide::<C>(&p.x_bytes()),
    };
    let s = canonical_scalar::<C>(&sig.s).map_err(|_| Error::InvalidSignature)?;
    if bool::from(r.is_zero() | s.is_zero()) {
        return Err(Error::InvalidSignature);
    }
    let s_inv = elliptic_curve::ops::Invert::invert_vartime(&s)
        .into_option()
        .ok_or(Error::InvalidSignature)?;
    let zs = digest_to_scalar::<C>(z);
    let u1 = zs * s_inv;
    let u2 = r * s_inv;
    let p = ProjectivePoint::<C>::mul_by_generator_and_mul_add_vartime(
        &u1,
        &u2,
        &ProjectivePoint::<C>::from(*q),
    );
    if bool::from(p.is_identity()) {
        return Err(Error::VerificationFailed);
    }
    let p = p.to_affine();
    let ok = match big_r {
        Some(big_r) => p == big_r,
        None => reduce_wide::<C>(&p.x()) == r,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}

/// SM2 signature generation, GB/T 32918.2 clause 6.1 steps A3-A7, given `e`.
fn sm2_sign_with_k<C: Kit>(
    d: &NonZeroScalar<C>,
    k: &NonZeroScalar<C>,
    e: &[u8],
) -> Result<Signature, Error> {
    if e.len() != 32 {
        return Err(Error::InvalidLength);
    }
    let e = reduce_wide::<C>(e);
    let x1 = (ProjectivePoint::<C>::generator() * k.as_ref())
        .to_affine()
        .x();
    let r = e + reduce_wide::<C>(&x1);
    if bool::from(r.is_zero() | (r + k.as_ref()).is_zero()) {
        return Err(Error::DegenerateResult);
    }
    let inv = (*d.as_ref() + CurveScalar::<C>::ONE)
        .invert()
        .into_option()
        .ok_or(Error::DegenerateResult)?;
    let s = inv * (*k.as_ref() - r * d.as_ref());
    if bool::from(s.is_zero()) {
        return Err(Error::DegenerateResult);
    }
    Ok(Signature {
        r: SignatureR::X(r.to_repr().to_vec()),
        s: s.to_repr().to_vec(),
    })
}

/// SM2 verification (GB/T 32918.2 clause 7.1, B3-B7 on `e`) on the engine,
/// with this key's table if given.
fn sm2_verify(
    q: &EcPoint,
    e: &[u8],
    sig: &Signature,
    table: Option<&engine::sm2::SignerTable>,
) -> Result<(), Error> {
    let e: &[u8; 32] = e.try_into().map_err(|_| Error::InvalidLength)?;
    let r = match &sig.r {
        SignatureR::X(x) => x.as_slice(),
        SignatureR::Point(_) => return Err(Error::InvalidSignature),
    };
    let (Ok(r), Ok(s)) = (
        <&[u8; 32]>::try_from(r),
        <&[u8; 32]>::try_from(sig.s.as_slice()),
    ) else {
        return Err(Error::InvalidSignature);
    };
    let es = engine::sm2::Signature::from_scalars(r, s).map_err(|_| Error::InvalidSignature)?;
    let ok = match table {
        Some(t) => t.verify_prehash(e, &es).is_ok(),
        None => {
            let key = engine::sm2::Affine::from_sec1(&q.to_sec1(false))
                .map_err(|_| Error::InvalidPoint)?;
            engine::sm2::verify_prehash(&key, e, &es).is_ok()
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}

/// Low-level operations that are dangerous outside of tests.
pub mod hazmat {
    use super::*;

    /// Sign with a caller-chosen nonce `k`, for known-answer tests against
    /// published vectors. Reusing or leaking `k` reveals the private key.
    /// ECDSA returns `r` as the point `R`.
    pub fn sign_digest_with_nonce(
        key: &SecretKey,
        k: &EcScalar,
        digest: &[u8],
    ) -> Result<Signature, Error> {
        with_curve!(key.curve(), |C| {
            let d = nonzero::<C>(key.d.inner::<C>()?)?;
            let k = nonzero::<C>(k.inner::<C>()?)?;
            if C::CURVE.is_sm2() {
                sm2_sign_with_k::<C>(&d, &k, digest)
            } else if C::CURVE == Curve::NistP256 {
                let d = p256_secret_bytes(key.as_scalar())?;
                let k = p256_secret_bytes(&EcScalar::from_inner::<C>(*k.as_ref()))?;
                p256_signature(engine::sign::sign_with_k(&d, &k, digest))
            } else {
                ecdsa_raw_to_signature::<C>(C::ecdsa_sign_with_k(&d, &k, digest)?)
            }
        })
    }
}

// ---------------------------------------------------------------------------
// Provider

/// The operating system's CSPRNG, for callers that need an `rng` argument.
pub fn os_rng() -> getrandom::SysRng {
    getrandom::SysRng
}

/// The algorithm backend, in the spirit of rustls' `CryptoProvider`: the rest
/// of the project signs, verifies and agrees keys only through this trait, so
/// an HSM-backed or faster implementation can replace the default.
pub trait CryptoProvider: Send + Sync + core::fmt::Debug {
    /// A fresh key pair on `curve`.
    fn generate_key(&self, curve: Curve) -> Result<SecretKey, Error>;
    /// ECDSA (r as the point R) or SM2 signature of a precomputed digest.
    fn sign_digest(&self, key: &SecretKey, digest: &[u8]) -> Result<Signature, Error>;
    /// Verification of a precomputed digest.
    fn verify_digest(&self, key: &PublicKey, digest: &[u8], sig: &Signature) -> Result<(), Error>;
    /// Raw ECDH shared x-coordinate.
    fn ecdh(&self, key: &SecretKey, peer: &PublicKey) -> Result<SharedSecret, Error>;
    /// Cryptographically secure random bytes.
    fn fill_random(&self, out: &mut [u8]) -> Result<(), Error>;
}

/// The default provider: RustCrypto arithmetic and the operating system's RNG.
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCryptoProvider;

impl CryptoProvider for RustCryptoProvider {
    fn generate_key(&self, curve: Curve) -> Result<SecretKey, Error> {
        SecretKey::generate(curve, &mut getrandom::SysRng)
    }
    fn sign_digest(&self, key: &SecretKey, digest: &[u8]) -> Result<Signature, Error> {
        key.sign_digest(digest, &mut getrandom::SysRng)
    }
    fn verify_digest(&self, key: &PublicKey, digest: &[u8], sig: &Signature) -> Result<(), Error> {
        key.verify_digest(digest, sig)
    }
    fn ecdh(&self, key: &SecretKey, peer: &PublicKey) -> Result<SharedSecret, Error> {
        key.ecdh(peer)
    }
    fn fill_random(&self, out: &mut [u8]) -> Result<(), Error> {
        getrandom::fill(out).map_err(|_| Error::Rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    const N256: &str = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
    const N384: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973";

    /// Wide reduction against values computed with arbitrary-precision integers.
    #[test]
    fn reduce_wide_matches_big_integers() {
        let cases = [
            (Curve::NistP256, h(N256), "00".repeat(32)),
            (
                Curve::NistP256,
                [h(N256), vec![0]].concat(),
                "00".repeat(32),
            ),
            (
                Curve::NistP256,
                vec![0xff; 48],
                "431905529c0166ce652e96b7ccca0a99679b73e19ad16947f01cf013fc632550".to_string(),
            ),
            (
                Curve::NistP256,
                vec![0xff; 64],
                "66e12d94f3d956202845b2392b6bec594699799c49bd6fa683244c95be79eea1".to_string(),
            ),
            (Curve::NistP384, h(N384), "00".repeat(48)),
            (
                Curve::NistP384,
                vec![0xff; 48],
                format!(
                    "{}389cb27e0bc8d220a7e5f24db74f58851313e695333ad68c",
                    "00".repeat(24)
                ),
            ),
            (Curve::NistP256, vec![], "00".repeat(32)),
            (Curve::NistP256, vec![5], format!("{}05", "00".repeat(31))),
        ];
        for (curve, input, want) in cases {
            let got = EcScalar::from_be_bytes_reduced(curve, &input);
            assert_eq!(
                got.to_be_bytes().as_slice(),
                h(&want).as_slice(),
                "{curve:?}"
            );
        }
    }

    /// The engine's P-256 signer against the RustCrypto path it replaced: the
    /// same RFC 6979 hedged nonce, so the same signature, for random and edge
    /// keys and digests (including digests shorter and longer than 32 bytes).
    #[test]
    fn p256_engine_signer_matches_rustcrypto() {
        let mut seed = 0x5eed_u64;
        let mut next = || {
            let mut out = [0u8; 32];
            for c in out.chunks_mut(8) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                c.copy_from_slice(&seed.to_le_bytes());
            }
            out
        };
        let mut keys = vec![
            SecretKey::from_be_bytes(Curve::NistP256, &h(&format!("{}01", "00".repeat(31))))
                .unwrap(),
            SecretKey::from_be_bytes(
                Curve::NistP256,
                &h("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632550"),
            )
            .unwrap(),
        ];
        for _ in 0..20 {
            keys.push(SecretKey::from_be_bytes(Curve::NistP256, &next()).unwrap());
        }
        for key in &keys {
            let d = nonzero::<p256::NistP256>(key.d.inner::<p256::NistP256>().unwrap()).unwrap();
            let db = p256_secret_bytes(key.as_scalar()).unwrap();
            let digests: [Vec<u8>; 5] = [
                vec![0; 32],
                vec![0xff; 32],
                next().to_vec(),
                next()[..20].to_vec(),
                [next(), next()].concat(),
            ];
            for z in digests {
                let ad = next();
                let old = <p256::NistP256 as Kit>::ecdsa_sign_hedged(&d, &z, &ad)
                    .and_then(ecdsa_raw_to_signature::<p256::NistP256>)
                    .unwrap();
                let new = p256_signature(engine::sign::sign_rfc6979(&db, &z, &ad)).unwrap();
                assert_eq!(old, new);
                key.public_key().verify_digest(&z, &new).unwrap();
                key.public_key()
                    .verify_digest(&z, &new.to_x_only())
                    .unwrap();
                let mut bad = new.clone();
                bad.s[31] ^= 1;
                assert!(key.public_key().verify_digest(&z, &bad).is_err());
                assert!(key
                    .public_key()
                    .verify_digest(&z, &bad.to_x_only())
                    .is_err());
                let q = key.public_key();
                let t = q.signer_table().unwrap();
                q.verify_digest_with_table(&t, &z, &new).unwrap();
                q.verify_digest_with_table(&t, &z, &new.to_x_only())
                    .unwrap();
                assert!(q.verify_digest_with_table(&t, &z, &bad).is_err());
            }
            // Public key and k*G agree with RustCrypto's constant-time multiplication.
            let rc = EcPoint::from_affine::<p256::NistP256>(
                (ProjectivePoint::<p256::NistP256>::generator() * *d.as_ref()).to_affine(),
            );
            assert_eq!(key.public_key(), rc);
            assert_eq!(EcPoint::mul_generator(key.as_scalar()).unwrap(), rc);
            // ECDH against RustCrypto's constant-time variable-base multiplication.
            let peer = SecretKey::from_be_bytes(Curve::NistP256, &next()).unwrap();
            let q = peer.public_key().inner::<p256::NistP256>().unwrap();
            let want = (ProjectivePoint::<p256::NistP256>::from(q) * *d.as_ref()).to_affine();
            assert_eq!(
                key.ecdh(&peer.public_key()).unwrap().as_slice(),
                want.x().as_slice()
            );
            assert_eq!(
                key.ecdh(&peer.public_key()).unwrap(),
                peer.ecdh(&key.public_key()).unwrap()
            );
        }
        let zero = EcScalar::from_be_bytes(Curve::NistP256, &[0; 32]).unwrap();
        assert_eq!(EcPoint::mul_generator(&zero), Err(Error::DegenerateResult));
    }
}
