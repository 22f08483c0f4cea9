//! ECIES key wrap of IEEE 1609.2 clause 5.3.5.1 (IEEE 1363a ECIES with
//! DHAES mode off, non-cofactor ECSVDP-DH), for `eciesNistP256` and
//! `eciesBrainpoolP256r1` (`EciesP256EncryptedKey { v, c, t }`):
//!
//! 1. ephemeral `v`, `V = v·G`; shared secret `Z` = x-coordinate of `v·R`;
//! 2. `K1 || K2 = KDF2-SHA-256(Z, P1)`, 16 + 32 bytes;
//! 3. `C = k XOR K1` (the 16-byte AES-128 key `k`);
//! 4. `T = HMAC-SHA-256(K2, C)[0..16]` (MAC1, P2 empty).
//!
//! P1 (the `RecipientInfo` rules in `Ieee1609Dot2.asn`): for `certRecipInfo`
//! the hash of the recipient's COER certificate; for `signedDataRecipInfo` the
//! SHA-256 of the `Ieee1609Dot2Data` that carried the response encryption key;
//! for `rekRecipInfo` the hash of the empty string ([`p1_empty`]). The CAMP
//! vectors (`ecies.txt`) print `k` where P1 belongs; the P1 they really used
//! are the `p11`/`p12` constants of their generating script.
//!
//! The data itself is then encrypted with AES-128-CCM under `k`
//! ([`crate::ccm`]).

use core::fmt;

use elliptic_curve::ecdh::diffie_hellman;
use elliptic_curve::{CurveArithmetic, Generate, NonZeroScalar, PublicKey, SecretKey};
use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use crate::ccm::{SymmetricKey, KEY_LEN};
use crate::kdf::kdf2_sha256;
use crate::mac::{ct_eq, hmac_sha256_128, MAC1_TAG_LEN};

/// Why ECIES failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EciesError {
    /// The tag did not verify: wrong key, wrong P1, or altered `v`, `c` or `t`.
    AuthenticationFailed,
    /// Key derivation or MAC computation failed internally.
    Internal,
}

impl fmt::Display for EciesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AuthenticationFailed => "ECIES tag verification failed",
            Self::Internal => "ECIES key derivation failed",
        })
    }
}

impl std::error::Error for EciesError {}

/// An ECIES-wrapped 16-byte key: the contents of `EciesP256EncryptedKey`.
///
/// `v` is a validated point on the curve (not the identity); the ASN.1 layer
/// turns an `EccP256CurvePoint` into one with `PublicKey::from_sec1_bytes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedKey<C: CurveArithmetic> {
    /// The sender's ephemeral public key V.
    pub v: PublicKey<C>,
    /// The wrapped key C = k XOR K1.
    pub c: [u8; KEY_LEN],
    /// The tag T = MAC1(K2, C).
    pub t: [u8; MAC1_TAG_LEN],
}

/// `eciesNistP256`.
pub type EncryptedKeyNistP256 = EncryptedKey<p256::NistP256>;
/// `eciesBrainpoolP256r1`.
pub type EncryptedKeyBrainpoolP256r1 = EncryptedKey<bp256::BrainpoolP256r1>;

/// SHA-256 of the empty string: P1 for `rekRecipInfo`.
pub fn p1_empty() -> [u8; 32] {
    Sha256::digest(b"").into()
}

/// `K1 || K2` from the shared secret; zeroized by the caller.
struct DerivedKeys([u8; KEY_LEN + 32]);

impl DerivedKeys {
    fn derive(z: &[u8], p1: &[u8]) -> Result<Self, EciesError> {
        let mut k = [0u8; KEY_LEN + 32];
        kdf2_sha256(z, p1, &mut k).map_err(|_| EciesError::Internal)?;
        Ok(Self(k))
    }

    fn k1(&self) -> &[u8] {
        &self.0[..KEY_LEN]
    }

    fn k2(&self) -> &[u8] {
        &self.0[KEY_LEN..]
    }
}

impl Drop for DerivedKeys {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Wraps `key` for `recipient` with a fresh ephemeral key drawn from `rng`.
pub fn encrypt_key<C, R>(
    recipient: &PublicKey<C>,
    p1: &[u8],
    key: &SymmetricKey,
    rng: &mut R,
) -> Result<EncryptedKey<C>, EciesError>
where
    C: CurveArithmetic,
    R: CryptoRng + ?Sized,
{
    let mut v = NonZeroScalar::<C>::generate_from_rng(rng);
    let out = encrypt_key_with_ephemeral(recipient, p1, key, &v);
    v.zeroize();
    out
}

/// Wraps `key` with the given ephemeral secret `v`.
///
/// Only for known-answer tests: reusing `v` for two messages leaks both keys'
/// XOR. Use [`encrypt_key`].
pub fn encrypt_key_with_ephemeral<C: CurveArithmetic>(
    recipient: &PublicKey<C>,
    p1: &[u8],
    key: &SymmetricKey,
    v: &NonZeroScalar<C>,
) -> Result<EncryptedKey<C>, EciesError> {
    let big_v = PublicKey::<C>::from_secret_scalar(v);
    let shared = diffie_hellman(v, recipient.as_affine());
    let keys = DerivedKeys::derive(shared.raw_secret_bytes(), p1)?;
    let mut c = [0u8; KEY_LEN];
    for ((o, k), k1) in c.iter_mut().zip(key.as_bytes()).zip(keys.k1()) {
        *o = k ^ k1;
    }
    let t = hmac_sha256_128(keys.k2(), &c).map_err(|_| EciesError::Internal)?;
    Ok(EncryptedKey { v: big_v, c, t })
}

/// Checks the tag and unwraps the key with the recipient's secret key.
pub fn decrypt_key<C: CurveArithmetic>(
    recipient: &SecretKey<C>,
    p1: &[u8],
    encrypted: &EncryptedKey<C>,
) -> Result<SymmetricKey, EciesError> {
    let mut r = recipient.to_nonzero_scalar();
    let shared = diffie_hellman(r, encrypted.v.as_affine());
    r.zeroize();
    let keys = DerivedKeys::derive(shared.raw_secret_bytes(), p1)?;
    let expected = hmac_sha256_128(keys.k2(), &encrypted.c).map_err(|_| EciesError::Internal)?;
    if !ct_eq(&expected, &encrypted.t) {
        return Err(EciesError::AuthenticationFailed);
    }
    let mut k = [0u8; KEY_LEN];
    for ((o, c), k1) in k.iter_mut().zip(&encrypted.c).zip(keys.k1()) {
        *o = c ^ k1;
    }
    let out = SymmetricKey::from_bytes(k);
    k.zeroize();
    Ok(out)
}
