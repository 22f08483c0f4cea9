//! CCM authenticated encryption as IEEE 1609.2 uses it (clause 5.3.8,
//! `SymmetricCiphertext`): AES-128-CCM (`aes128Ccm`, NIST SP 800-38C) and
//! SM4-CCM (`sm4Ccm`, YD/T 3957; SM4 per GB/T 32907), both with a 12-byte
//! nonce, a 16-byte tag, no associated data, and `ccmCiphertext = C || T`.
//!
//! With a 12-byte nonce the length field is 3 bytes, so one message holds at
//! most 2^24 - 1 bytes.

use core::fmt;

use aes::Aes128;
use ccm::aead::{AeadInPlace, KeyInit};
use ccm::consts::{U12, U16};
use ccm::Ccm;
use rand_core::CryptoRng;
use sm4::Sm4;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Length of a CCM key (AES-128 and SM4 alike).
pub const KEY_LEN: usize = 16;
/// Length of the CCM nonce in `One28BitCcmCiphertext`.
pub const NONCE_LEN: usize = 12;
/// Length of the CCM tag appended to the ciphertext.
pub const TAG_LEN: usize = 16;
/// Longest plaintext a 3-byte CCM length field can describe.
pub const MAX_PLAINTEXT_LEN: usize = (1 << 24) - 1;

type Aes128Ccm = Ccm<Aes128, U16, U12>;
type Sm4Ccm = Ccm<Sm4, U16, U12>;

/// The 1609.2 `SymmAlgorithm`: which block cipher runs under CCM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymmAlgorithm {
    /// `aes128Ccm`: AES-128 in CCM mode.
    Aes128Ccm,
    /// `sm4Ccm`: SM4 in CCM mode (YD/T 3957).
    Sm4Ccm,
}

/// Why a CCM operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CcmError {
    /// The plaintext does not fit the 3-byte CCM length field.
    MessageTooLong,
    /// The input is shorter than a tag, so it cannot be a CCM ciphertext.
    CiphertextTooShort,
    /// The tag did not verify: wrong key, nonce, or altered ciphertext.
    AuthenticationFailed,
}

impl fmt::Display for CcmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MessageTooLong => "CCM plaintext longer than 2^24 - 1 bytes",
            Self::CiphertextTooShort => "CCM ciphertext shorter than its 16-byte tag",
            Self::AuthenticationFailed => "CCM tag verification failed",
        })
    }
}

impl std::error::Error for CcmError {}

/// A 128-bit symmetric key (AES-128 or SM4). Zeroized on drop, never printed.
///
/// This is the key that ECIES and SM2 encryption wrap for a recipient.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SymmetricKey([u8; KEY_LEN]);

impl SymmetricKey {
    /// Wraps raw key bytes (the caller should zeroize its copy).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// Builds a key from a slice; `None` unless it is exactly 16 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Self(arr))
    }

    /// Draws a fresh random key.
    pub fn random<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut k = [0u8; KEY_LEN];
        rng.fill_bytes(&mut k);
        Self(k)
    }

    /// The key bytes; handle with care.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl ConstantTimeEq for SymmetricKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for SymmetricKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SymmetricKey {}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SymmetricKey(<redacted>)")
    }
}

/// Encrypts `plaintext` and returns `C || T` (the 1609.2 `ccmCiphertext`).
///
/// The nonce must never repeat under one key; 1609.2 draws it at random.
pub fn encrypt(
    alg: SymmAlgorithm,
    key: &SymmetricKey,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
) -> Result<Vec<u8>, CcmError> {
    if plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(CcmError::MessageTooLong);
    }
    let mut out = Vec::with_capacity(plaintext.len() + TAG_LEN);
    out.extend_from_slice(plaintext);
    let key = (*key.as_bytes()).into();
    let nonce = (*nonce).into();
    let tag = match alg {
        SymmAlgorithm::Aes128Ccm => {
            Aes128Ccm::new(&key).encrypt_in_place_detached(&nonce, &[], out.as_mut_slice())
        }
        SymmAlgorithm::Sm4Ccm => {
            Sm4Ccm::new(&key).encrypt_in_place_detached(&nonce, &[], out.as_mut_slice())
        }
    };
    let mut key = key;
    key.zeroize();
    match tag {
        Ok(tag) => {
            out.extend_from_slice(&tag);
            Ok(out)
        }
        Err(_) => {
            out.zeroize();
            Err(CcmError::MessageTooLong)
        }
    }
}

/// Encrypts under a fresh random nonce, as 1609.2 does for every
/// `One28BitCcmCiphertext`; returns the nonce and `C || T`.
pub fn encrypt_with_random_nonce<R: CryptoRng + ?Sized>(
    alg: SymmAlgorithm,
    key: &SymmetricKey,
    plaintext: &[u8],
    rng: &mut R,
) -> Result<([u8; NONCE_LEN], Vec<u8>), CcmError> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let ct = encrypt(alg, key, &nonce, plaintext)?;
    Ok((nonce, ct))
}

/// Checks the tag of `C || T` and returns the plaintext (zeroized on drop).
///
/// Nothing of the plaintext is released when the tag fails.
pub fn decrypt(
    alg: SymmAlgorithm,
    key: &SymmetricKey,
    nonce: &[u8; NONCE_LEN],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CcmError> {
    let ct_len = ciphertext_and_tag
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(CcmError::CiphertextTooShort)?;
    if ct_len > MAX_PLAINTEXT_LEN {
        return Err(CcmError::MessageTooLong);
    }
    let (ct, tag) = ciphertext_and_tag.split_at(ct_len);
    let mut tag_arr = [0u8; TAG_LEN];
    tag_arr.copy_from_slice(tag);
    let tag = tag_arr.into();
    let mut out = Zeroizing::new(ct.to_vec());
    let key = (*key.as_bytes()).into();
    let nonce = (*nonce).into();
    let res = match alg {
        SymmAlgorithm::Aes128Ccm => {
            Aes128Ccm::new(&key).decrypt_in_place_detached(&nonce, &[], out.as_mut_slice(), &tag)
        }
        SymmAlgorithm::Sm4Ccm => {
            Sm4Ccm::new(&key).decrypt_in_place_detached(&nonce, &[], out.as_mut_slice(), &tag)
        }
    };
    let mut key = key;
    key.zeroize();
    match res {
        Ok(()) => Ok(out),
        Err(_) => Err(CcmError::AuthenticationFailed),
    }
}

/// AES-128-CCM encryption (`aes128Ccm`); see [`encrypt`].
pub fn aes128_ccm_encrypt(
    key: &SymmetricKey,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
) -> Result<Vec<u8>, CcmError> {
    encrypt(SymmAlgorithm::Aes128Ccm, key, nonce, plaintext)
}

/// AES-128-CCM decryption (`aes128Ccm`); see [`decrypt`].
pub fn aes128_ccm_decrypt(
    key: &SymmetricKey,
    nonce: &[u8; NONCE_LEN],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CcmError> {
    decrypt(SymmAlgorithm::Aes128Ccm, key, nonce, ciphertext_and_tag)
}

/// SM4-CCM encryption (`sm4Ccm`); see [`encrypt`].
pub fn sm4_ccm_encrypt(
    key: &SymmetricKey,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
) -> Result<Vec<u8>, CcmError> {
    encrypt(SymmAlgorithm::Sm4Ccm, key, nonce, plaintext)
}

/// SM4-CCM decryption (`sm4Ccm`); see [`decrypt`].
pub fn sm4_ccm_decrypt(
    key: &SymmetricKey,
    nonce: &[u8; NONCE_LEN],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CcmError> {
    decrypt(SymmAlgorithm::Sm4Ccm, key, nonce, ciphertext_and_tag)
}
