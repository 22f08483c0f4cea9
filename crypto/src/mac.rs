//! Message authentication codes.
//!
//! - MAC1 of IEEE 1363a with HMAC-SHA-256 truncated to 128 bits: the ECIES tag
//!   of IEEE 1609.2 clause 5.3.5.1 (`t` of `EciesP256EncryptedKey`).
//! - HMAC-SM3 (GB/T 15852.2 HMAC over SM3, GB/T 32905) for the SM family.
//!
//! Tags are always compared in constant time ([`verify_hmac_sha256_128`],
//! [`ct_eq`]).

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use sm3::Sm3;
use subtle::ConstantTimeEq;

/// Length of the truncated 1609.2 ECIES tag.
pub const MAC1_TAG_LEN: usize = 16;

/// Why a MAC operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacError {
    /// The HMAC implementation refused the key (HMAC takes any length, so
    /// this does not happen in practice).
    InvalidKey,
    /// The tag does not match.
    TagMismatch,
}

impl fmt::Display for MacError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidKey => "HMAC key rejected",
            Self::TagMismatch => "MAC tag mismatch",
        })
    }
}

impl std::error::Error for MacError {}

/// HMAC-SHA-256 of `msg` under `key`, truncated to its first 16 bytes (MAC1).
pub fn hmac_sha256_128(key: &[u8], msg: &[u8]) -> Result<[u8; MAC1_TAG_LEN], MacError> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|_| MacError::InvalidKey)?;
    mac.update(msg);
    let full = mac.finalize().into_bytes();
    let mut tag = [0u8; MAC1_TAG_LEN];
    tag.copy_from_slice(&full[..MAC1_TAG_LEN]);
    Ok(tag)
}

/// Recomputes MAC1 and compares it with `tag` in constant time.
pub fn verify_hmac_sha256_128(key: &[u8], msg: &[u8], tag: &[u8]) -> Result<(), MacError> {
    let expected = hmac_sha256_128(key, msg)?;
    if ct_eq(&expected, tag) {
        Ok(())
    } else {
        Err(MacError::TagMismatch)
    }
}

/// Full 32-byte HMAC-SM3 of `msg` under `key`.
pub fn hmac_sm3(key: &[u8], msg: &[u8]) -> Result<[u8; 32], MacError> {
    let mut mac = <Hmac<Sm3> as KeyInit>::new_from_slice(key).map_err(|_| MacError::InvalidKey)?;
    mac.update(msg);
    let full = mac.finalize().into_bytes();
    let mut tag = [0u8; 32];
    tag.copy_from_slice(&full);
    Ok(tag)
}

/// Constant-time equality of two byte strings (length is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
