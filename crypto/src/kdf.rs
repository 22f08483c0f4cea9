//! Key derivation functions.
//!
//! - [`kdf2_sha256`]: KDF2 of IEEE 1363a-2004 clause 13.2 with SHA-256, which is
//!   also ANSI X9.63 / SEC 1 3.6.1: `K = H(Z || C1 || P) || H(Z || C2 || P) || ...`
//!   with a 32-bit big-endian counter starting at 1. IEEE 1609.2 clause 5.3.5.1
//!   uses it in ECIES with `P = P1`.
//! - [`sm3_kdf`]: the KDF of GB/T 32918.3/.4-2016 clause 5.4.3:
//!   `K = SM3(Z || ct1) || SM3(Z || ct2) || ...`, counter from 1; SM2 encryption
//!   uses it on `Z = x2 || y2`.

use core::fmt;

use sha2::{Digest, Sha256};
use sm3::Sm3;

/// Why a key derivation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfError {
    /// More output was asked for than a 32-bit counter can produce.
    OutputTooLong,
}

impl fmt::Display for KdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutputTooLong => f.write_str("KDF output longer than (2^32 - 1) hash blocks"),
        }
    }
}

impl std::error::Error for KdfError {}

/// Counter-mode hash KDF shared by X9.63/KDF2 and the SM3 KDF (they differ only
/// in the hash): block i is `H(z || BE32(i) || param)` for i = 1, 2, ...
fn counter_kdf<D: Digest>(z: &[u8], param: &[u8], out: &mut [u8]) -> Result<(), KdfError> {
    let block_len = <D as Digest>::output_size();
    let blocks = out.len().div_ceil(block_len);
    if u32::try_from(blocks).is_err() {
        return Err(KdfError::OutputTooLong);
    }
    for (i, chunk) in out.chunks_mut(block_len).enumerate() {
        // i + 1 <= blocks <= u32::MAX, checked above.
        let counter = u32::try_from(i + 1).map_err(|_| KdfError::OutputTooLong)?;
        let mut h = D::new();
        h.update(z);
        h.update(counter.to_be_bytes());
        h.update(param);
        let mut digest = h.finalize();
        chunk.copy_from_slice(&digest[..chunk.len()]);
        zeroize::Zeroize::zeroize(digest.as_mut_slice());
    }
    Ok(())
}

/// KDF2 / X9.63 with SHA-256: fills `out` from the shared secret `z` and the
/// key derivation parameter `param` (P1 in 1609.2 ECIES).
pub fn kdf2_sha256(z: &[u8], param: &[u8], out: &mut [u8]) -> Result<(), KdfError> {
    counter_kdf::<Sha256>(z, param, out)
}

/// The SM3 KDF of GB/T 32918: fills `out` from `z` (no extra parameter).
pub fn sm3_kdf(z: &[u8], out: &mut [u8]) -> Result<(), KdfError> {
    counter_kdf::<Sm3>(z, &[], out)
}
