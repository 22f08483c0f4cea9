//! A variable-time verification engine for P-256 (ECDSA) and the SM2 curve
//! (SM2 signatures): single verification, per-signer precomputed tables in an
//! LRU cache, and (P-256) ECDSA* batch verification.
//!
//! Layers, bottom up, each written once and generic over the curve
//! ([`curve::CurveParams`], markers [`P256`] and [`Sm2`]; both have a = -3
//! and a prime with limb 0 = 2^64 - 1):
//! - [`curve`]: the standards' constants; derived constants at compile time.
//! - [`field`]: Montgomery arithmetic mod p on 4x64-bit limbs (reduction
//!   rounds that exploit -p^-1 = 1 mod 2^64), square roots by per-prime
//!   addition chains, Montgomery's batch inversion.
//! - `modinv`: variable-time safegcd inversion (Bernstein-Yang, as in
//!   libsecp256k1) for both p and n.
//! - [`scalar`]: arithmetic mod n (Montgomery CIOS).
//! - [`point`]: Jacobian coordinates with a = -3 doubling and mixed addition.
//! - [`mul`]: wNAF recoding, odd-multiple and comb tables, Straus evaluation.
//! - [`verify`] (ECDSA and the shared parts), [`sm2`] (SM2 signatures),
//!   [`cache`], [`batch`] (P-256): the verifiers; [`policy`]: per-sender
//!   batch sizes that shrink while a sender's batches fail.
//!
//! The names re-exported here without a curve ([`Affine`], [`Sc`],
//! [`SignerTable`], ...) are the P-256 instances; [`sm2`] has the SM2 ones.
//! - `field_adx` (x86-64): P-256 field multiplication and squaring in
//!   inline assembly with mulx/adcx/adox, which [`field::Fe::mul`] and
//!   [`field::Fe::square`] call when the CPU has BMI2 and ADX (detected once,
//!   cached); branch-free like the portable code.
//! - `ifma` (x86-64): eight-lane AVX-512 IFMA field and point arithmetic
//!   for the P-256 batch verifier and a BMI2/ADX build of the Straus loop
//!   (both curves), chosen at run time.
//!
//! - [`sign`]: the exception, constant time on secrets: fixed-base k·G (a
//!   signed-window comb read by full masked scans) and ECDSA signing with the
//!   RFC 6979 nonce; `suite` routes P-256 signing and k·G here.
//!
//! Everything but [`sign`] (and the branch-free field/scalar operations and
//! `invert_ct` it uses) is variable time: only public data (keys, digests,
//! signatures) may enter it.
//!
//! `unsafe` lives in `field_adx` (the `asm!` blocks) and `ifma` (calling
//! `#[target_feature]` functions after run-time detection, one vector store):
//! nowhere else.

pub mod batch;
#[cfg(feature = "bench")]
pub mod bench;
pub mod cache;
pub mod curve;
pub mod field;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod field_adx;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
pub mod ifma;
mod modinv;
pub mod mul;
pub mod point;
pub mod policy;
pub mod scalar;
pub mod sign;
pub mod sm2;
pub mod verify;

pub use batch::{parse_full_signatures, verify_batch, verify_batch_with, Backend, BatchItem};
pub use curve::{CurveParams, Sm2, P256};
pub use point::PointError;
pub use policy::BatchSizer;
pub use verify::{
    verify_prehash, verify_prehash_full, verify_prehash_many, warm_up, FullSignature, SingleItem,
};

/// A P-256 field element.
pub type Fe = field::Fe<P256>;
/// A P-256 scalar.
pub type Sc = scalar::Sc<P256>;
/// A P-256 point (affine, never the identity).
pub type Affine = point::Affine<P256>;
/// A P-256 point in Jacobian coordinates.
pub type Jacobian = point::Jacobian<P256>;
/// An ECDSA P-256 signature (r, s).
pub type Signature = verify::Signature<P256>;
/// A P-256 signer's comb table.
pub type SignerTable = verify::SignerTable<P256>;
/// The LRU cache of P-256 signer tables.
pub type SignerCache = cache::SignerCache<P256>;

/// Why a verification failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// The signature does not verify, or r/s is zero or >= n.
    InvalidSignature,
    /// A coordinate or encoding is malformed.
    Encoding,
    /// A point is not on the curve.
    NotOnCurve,
    /// A public key cannot be used (no table can be built).
    InvalidKey,
    /// The OS random generator failed (batch weights).
    Rng,
    /// Internal invariant broken (generator table); not reachable from input.
    Internal,
}

impl core::fmt::Display for EngineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = match self {
            EngineError::InvalidSignature => "invalid signature",
            EngineError::Encoding => "malformed encoding",
            EngineError::NotOnCurve => "point not on the curve",
            EngineError::InvalidKey => "unusable public key",
            EngineError::Rng => "random generator failure",
            EngineError::Internal => "internal error",
        };
        f.write_str(s)
    }
}

impl std::error::Error for EngineError {}
