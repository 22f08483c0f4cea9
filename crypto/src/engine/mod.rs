//! A variable-time P-256 verification engine: single ECDSA verification,
//! per-signer precomputed tables in an LRU cache, and ECDSA* batch verification.
//!
//! Layers, bottom up:
//! - [`field`]: Montgomery arithmetic mod p on 4x64-bit limbs, specialised
//!   reduction for the P-256 prime, square root by an addition chain,
//!   Montgomery's batch inversion.
//! - `modinv`: variable-time safegcd inversion (Bernstein-Yang, as in
//!   libsecp256k1) for both p and n.
//! - [`scalar`]: arithmetic mod n (Montgomery CIOS).
//! - [`point`]: Jacobian coordinates with a = -3 doubling and mixed addition.
//! - [`mul`]: wNAF recoding, odd-multiple and comb tables, Straus evaluation.
//! - [`verify`], [`cache`], [`batch`]: the verifiers; [`policy`]: per-sender
//!   batch sizes that shrink while a sender's batches fail.
//! - `field_adx` (x86-64): [`field::Fe::mul`] and [`field::Fe::square`] in
//!   inline assembly with mulx/adcx/adox, which `Fe` calls when the CPU has
//!   BMI2 and ADX (detected once, cached); branch-free like the portable code.
//! - `ifma` (x86-64): eight-lane AVX-512 IFMA field and point arithmetic
//!   for the batch verifier and a BMI2/ADX build of the Straus loop, both
//!   chosen at run time.
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
pub mod verify;

pub use batch::{parse_full_signatures, verify_batch, verify_batch_with, Backend, BatchItem};
pub use cache::SignerCache;
pub use point::{Affine, Jacobian, PointError};
pub use policy::BatchSizer;
pub use scalar::Sc;
pub use verify::{
    verify_prehash, verify_prehash_full, verify_prehash_many, warm_up, FullSignature, Signature,
    SignerTable, SingleItem,
};

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
