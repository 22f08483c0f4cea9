//! SM2 public-key encryption, GB/T 32918.4-2016 clause 6 (GM/T 0003.4), with
//! the ciphertext order `C = C1 || C3 || C2` of the 2016 standard:
//!
//! 1. random `k` in [1, n-1], `C1 = k·G`;
//! 2. `(x2, y2) = k·P_B`; `t = KDF_SM3(x2 || y2, len(M))`, retry if `t = 0`;
//! 3. `C2 = M XOR t`; `C3 = SM3(x2 || M || y2)`.
//!
//! YD/T 3957 / IEEE 1609.2-2022 `ecencSm2256` wraps a 16-byte SM4 key this way
//! into `EcencP256EncryptedKey { v = C1, c = C2, t = C3 }`; SM2 has no P1.

use core::fmt;

use elliptic_curve::sec1::ToSec1Point;
use elliptic_curve::Generate;
use rand_core::CryptoRng;
use sm2::{AffinePoint, NonZeroScalar, PublicKey, SecretKey};
use sm3::{Digest, Sm3};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::ccm::{SymmetricKey, KEY_LEN};
use crate::kdf::sm3_kdf;

/// Length of C3, an SM3 digest.
pub const C3_LEN: usize = 32;

/// How often encryption redraws `k` when the KDF output is all zero (a
/// probability-2^-128 event for a 16-byte message) before giving up.
const MAX_TRIES: usize = 8;

/// Why SM2 encryption or decryption failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sm2EncError {
    /// SM2 encryption of an empty message is undefined (the KDF check fails).
    EmptyMessage,
    /// The KDF output was all zero (retry with another `k`).
    ZeroKeystream,
    /// C1 is not a valid point encoding, or the ciphertext is truncated.
    MalformedCiphertext,
    /// C3 did not verify: wrong key or altered ciphertext.
    AuthenticationFailed,
    /// The wrapped key is not 16 bytes long.
    WrongKeyLength,
    /// Key derivation failed internally.
    Internal,
}

impl fmt::Display for Sm2EncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EmptyMessage => "SM2 encryption of an empty message",
            Self::ZeroKeystream => "SM2 KDF output is all zero",
            Self::MalformedCiphertext => "malformed SM2 ciphertext",
            Self::AuthenticationFailed => "SM2 C3 hash check failed",
            Self::WrongKeyLength => "SM2-wrapped key is not 16 bytes",
            Self::Internal => "SM2 key derivation failed",
        })
    }
}

impl std::error::Error for Sm2EncError {}

/// An SM2 ciphertext in parts. `c1` is a validated curve point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sm2Ciphertext {
    /// C1 = k·G.
    pub c1: PublicKey,
    /// C3 = SM3(x2 || M || y2).
    pub c3: [u8; C3_LEN],
    /// C2 = M XOR KDF(x2 || y2).
    pub c2: Vec<u8>,
}

impl Sm2Ciphertext {
    /// `C1 || C3 || C2` with C1 uncompressed (`04 || x || y`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let c1 = self.c1.as_affine().to_sec1_point(false);
        let mut out = Vec::with_capacity(c1.len() + C3_LEN + self.c2.len());
        out.extend_from_slice(c1.as_bytes());
        out.extend_from_slice(&self.c3);
        out.extend_from_slice(&self.c2);
        out
    }

    /// Parses `C1 || C3 || C2`; C1 may be uncompressed (65 bytes) or
    /// compressed (33 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Sm2EncError> {
        let c1_len = match bytes.first() {
            Some(0x04) => 65,
            Some(0x02) | Some(0x03) => 33,
            _ => return Err(Sm2EncError::MalformedCiphertext),
        };
        if bytes.len() <= c1_len + C3_LEN {
            return Err(Sm2EncError::MalformedCiphertext);
        }
        let (c1, rest) = bytes.split_at(c1_len);
        let (c3, c2) = rest.split_at(C3_LEN);
        let c1 = PublicKey::from_sec1_bytes(c1).map_err(|_| Sm2EncError::MalformedCiphertext)?;
        let mut c3_arr = [0u8; C3_LEN];
        c3_arr.copy_from_slice(c3);
        Ok(Self {
            c1,
            c3: c3_arr,
            c2: c2.to_vec(),
        })
    }
}

/// A 16-byte key wrapped with SM2: the contents of `EcencP256EncryptedKey`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sm2EncryptedKey {
    /// `v` = C1, the sender's ephemeral public key.
    pub v: PublicKey,
    /// `c` = C2, the wrapped key.
    pub c: [u8; KEY_LEN],
    /// `t` = C3, the SM3 check value.
    pub t: [u8; C3_LEN],
}

/// `x2 || y2` of a point, zeroized on drop.
fn coordinates(p: &AffinePoint) -> Zeroizing<[u8; 64]> {
    let enc = p.to_sec1_point(false);
    let mut out = Zeroizing::new([0u8; 64]);
    // An uncompressed non-identity point is 0x04 || x || y (65 bytes).
    if let Some(xy) = enc.as_bytes().get(1..65) {
        out.copy_from_slice(xy);
    }
    out
}

fn c3_hash(xy: &[u8; 64], msg: &[u8]) -> [u8; C3_LEN] {
    let mut h = Sm3::new();
    h.update(&xy[..32]);
    h.update(msg);
    h.update(&xy[32..]);
    h.finalize().into()
}

/// Encrypts `msg` to `recipient` with a fresh random `k`.
pub fn encrypt<R: CryptoRng + ?Sized>(
    recipient: &PublicKey,
    msg: &[u8],
    rng: &mut R,
) -> Result<Sm2Ciphertext, Sm2EncError> {
    for _ in 0..MAX_TRIES {
        let mut k = NonZeroScalar::generate_from_rng(rng);
        let res = encrypt_with_k(recipient, msg, &k);
        k.zeroize();
        match res {
            Err(Sm2EncError::ZeroKeystream) => continue,
            other => return other,
        }
    }
    Err(Sm2EncError::ZeroKeystream)
}

/// Encrypts with the given `k`. Only for known-answer tests: a reused `k`
/// reveals the XOR of two messages. Use [`encrypt`].
pub fn encrypt_with_k(
    recipient: &PublicKey,
    msg: &[u8],
    k: &NonZeroScalar,
) -> Result<Sm2Ciphertext, Sm2EncError> {
    if msg.is_empty() {
        return Err(Sm2EncError::EmptyMessage);
    }
    let c1 = PublicKey::from_secret_scalar(k);
    let shared = (recipient.to_projective() * k.as_ref()).to_affine();
    let xy = coordinates(&shared);
    let mut t = Zeroizing::new(vec![0u8; msg.len()]);
    sm3_kdf(&xy[..], &mut t).map_err(|_| Sm2EncError::Internal)?;
    if bool::from(t.iter().fold(0u8, |acc, b| acc | b).ct_eq(&0)) {
        return Err(Sm2EncError::ZeroKeystream);
    }
    let c2: Vec<u8> = msg.iter().zip(t.iter()).map(|(m, t)| m ^ t).collect();
    let c3 = c3_hash(&xy, msg);
    Ok(Sm2Ciphertext { c1, c3, c2 })
}

/// Decrypts and checks C3; the plaintext is zeroized on drop and never
/// released when the check fails.
pub fn decrypt(
    recipient: &SecretKey,
    ciphertext: &Sm2Ciphertext,
) -> Result<Zeroizing<Vec<u8>>, Sm2EncError> {
    if ciphertext.c2.is_empty() {
        return Err(Sm2EncError::MalformedCiphertext);
    }
    let mut d = recipient.to_nonzero_scalar();
    let shared = (ciphertext.c1.to_projective() * d.as_ref()).to_affine();
    d.zeroize();
    let xy = coordinates(&shared);
    let mut m = Zeroizing::new(vec![0u8; ciphertext.c2.len()]);
    sm3_kdf(&xy[..], &mut m).map_err(|_| Sm2EncError::Internal)?;
    // t = 0 is rejected by the standard (B4); it also could not have come
    // from a conforming encryptor.
    if bool::from(m.iter().fold(0u8, |acc, b| acc | b).ct_eq(&0)) {
        return Err(Sm2EncError::AuthenticationFailed);
    }
    for (o, c) in m.iter_mut().zip(&ciphertext.c2) {
        *o ^= c;
    }
    let u = c3_hash(&xy, &m);
    if bool::from(u.ct_eq(&ciphertext.c3)) {
        Ok(m)
    } else {
        m.zeroize();
        Err(Sm2EncError::AuthenticationFailed)
    }
}

/// Wraps a 16-byte SM4 key for `recipient` (`ecencSm2256`).
pub fn encrypt_key<R: CryptoRng + ?Sized>(
    recipient: &PublicKey,
    key: &SymmetricKey,
    rng: &mut R,
) -> Result<Sm2EncryptedKey, Sm2EncError> {
    encrypt(recipient, key.as_bytes(), rng).and_then(into_encrypted_key)
}

/// [`encrypt_key`] with a given `k`, for known-answer tests only.
pub fn encrypt_key_with_k(
    recipient: &PublicKey,
    key: &SymmetricKey,
    k: &NonZeroScalar,
) -> Result<Sm2EncryptedKey, Sm2EncError> {
    encrypt_with_k(recipient, key.as_bytes(), k).and_then(into_encrypted_key)
}

fn into_encrypted_key(ct: Sm2Ciphertext) -> Result<Sm2EncryptedKey, Sm2EncError> {
    let c: [u8; KEY_LEN] = ct
        .c2
        .as_slice()
        .try_into()
        .map_err(|_| Sm2EncError::WrongKeyLength)?;
    Ok(Sm2EncryptedKey {
        v: ct.c1,
        c,
        t: ct.c3,
    })
}

/// Unwraps a 16-byte SM4 key (`ecencSm2256`) after checking C3.
pub fn decrypt_key(
    recipient: &SecretKey,
    encrypted: &Sm2EncryptedKey,
) -> Result<SymmetricKey, Sm2EncError> {
    let ct = Sm2Ciphertext {
        c1: encrypted.v,
        c3: encrypted.t,
        c2: encrypted.c.to_vec(),
    };
    let m = decrypt(recipient, &ct)?;
    SymmetricKey::from_slice(&m).ok_or(Sm2EncError::WrongKeyLength)
}
