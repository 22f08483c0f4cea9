//! Private keys of the SCMS authorities and devices, behind one trait.
//!
//! Every use of a private key goes through [`KeyStore`], so a key can live in
//! memory (tests, the ephemeral demo), sealed in a file (the software store) or
//! on a PKCS#11 token, and the CA code does not change. Keys are named by a
//! label, unique within a store.
//!
//! Stores: [`MemoryKeyStore`] (tests, demo), [`SoftKeyStore`] (files sealed
//! under a passphrase), [`Pkcs11KeyStore`] (keys generated on a token, never
//! extractable) and [`WrappedKeyStore`] (software keys sealed by a token AES
//! key, for the ACA's ECQV issuing key). See `docs/keys.md`.
//!
//! Digests, not messages, are signed: 1609.2 signs `H(H(tbs) || H(signer))`
//! and SM2 signs `SM3(Z_A || tbs)`, both computed by the caller from public
//! data, and PKCS#11 tokens such as SoftHSM2 offer raw `CKM_ECDSA` only.
#![forbid(unsafe_code)]

use core::fmt;
use scms_crypto::suite::{Curve, EcScalar, PublicKey, SecretKey, SharedSecret, Signature};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub mod der;
pub mod envelope;
mod memory;
pub mod pkcs11;
pub mod soft;
pub mod spdu;
mod wrapped;
pub use memory::MemoryKeyStore;
pub use pkcs11::Pkcs11KeyStore;
pub use wrapped::WrappedKeyStore;

pub use soft::{KdfParams, SoftKeyStore};

/// Why a key operation failed.
#[derive(Debug)]
pub enum KeyStoreError {
    /// No key with this label.
    NotFound(String),
    /// A key with this label exists already.
    Exists(String),
    /// The store cannot do this for this key (e.g. SM2 on a token without SM2,
    /// or ECQV issuance on a non-extractable PKCS#11 key).
    Unsupported(String),
    /// The key material or an operand is invalid.
    Crypto(scms_crypto::suite::Error),
    /// The backing store failed (file, token, lock).
    Backend(String),
    /// A label that cannot name a key (empty, too long, or with characters
    /// other than `A-Za-z0-9._-`, e.g. a path separator).
    InvalidLabel(String),
    /// The passphrase (or PIN) does not open this key or store.
    WrongPassphrase(String),
    /// A sealed key file is malformed or was altered (bad header, failed
    /// authentication, public key mismatch).
    Corrupt(String),
}

impl fmt::Display for KeyStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(l) => write!(f, "no key labelled {l:?}"),
            Self::Exists(l) => write!(f, "a key labelled {l:?} exists already"),
            Self::Unsupported(what) => write!(f, "not supported: {what}"),
            Self::Crypto(e) => write!(f, "{e}"),
            Self::Backend(e) => write!(f, "key store: {e}"),
            Self::InvalidLabel(l) => write!(
                f,
                "invalid key label {l:?}: use 1-64 characters A-Z a-z 0-9 . _ - not starting with '.'"
            ),
            Self::WrongPassphrase(what) => write!(f, "wrong passphrase or PIN for {what}"),
            Self::Corrupt(what) => write!(f, "sealed key {what} is malformed or was altered"),
        }
    }
}

impl std::error::Error for KeyStoreError {}

impl From<scms_crypto::suite::Error> for KeyStoreError {
    fn from(e: scms_crypto::suite::Error) -> Self {
        Self::Crypto(e)
    }
}

/// What a store says about one of its keys (public data only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub label: String,
    pub curve: Curve,
    /// Compressed SEC1 public key.
    pub public_key: Vec<u8>,
    /// Whether the private key can leave the store (never for PKCS#11 keys).
    pub extractable: bool,
}

/// A store of private keys. Implementations are thread-safe; operations are
/// blocking (a PKCS#11 call is), so async services call them off the reactor.
pub trait KeyStore: Send + Sync {
    /// Generates a key pair on `curve` under a new `label`.
    fn generate(&self, label: &str, curve: Curve) -> Result<KeyInfo, KeyStoreError>;

    /// The public key of `label`.
    fn public_key(&self, label: &str) -> Result<PublicKey, KeyStoreError>;

    /// Signs a precomputed digest with `label` (ECDSA with R as a point, or SM2).
    /// A PKCS#11 token returns `r` only, so [`Pkcs11KeyStore`] gives
    /// `SignatureR::X` (fine for 1609.2 `x-only` signatures).
    fn sign_digest(&self, label: &str, digest: &[u8]) -> Result<Signature, KeyStoreError>;

    /// Raw ECDH: the shared x-coordinate with `peer`.
    fn ecdh(&self, label: &str, peer: &PublicKey) -> Result<SharedSecret, KeyStoreError>;

    /// ECQV issuance (SEC 4): the private-key reconstruction value
    /// `s = e·k + d mod n` for the issuing key `label`. PKCS#11 has no mechanism
    /// for this; see `docs/keys.md` for how the ACA holds its issuing key.
    fn ecqv_reconstruction(
        &self,
        label: &str,
        e: &EcScalar,
        k: &EcScalar,
    ) -> Result<EcScalar, KeyStoreError>;

    /// True when [`KeyStore::ecqv_reconstruction`] computes `s` in this
    /// process with [`ecqv_reconstruction_with`] from the very key whose
    /// public key [`KeyStore::public_key`] gives (the software stores check
    /// that pair when they unseal a key). The issuer, which has checked that
    /// public key against its certificate, then trusts `s` without its
    /// `s·G` self-check; any other store keeps the self-check.
    fn ecqv_in_process(&self) -> bool {
        false
    }

    /// Every key of the store.
    fn list(&self) -> Result<Vec<KeyInfo>, KeyStoreError>;
}

/// The public description of a secret key.
pub fn key_info(label: &str, key: &SecretKey, extractable: bool) -> KeyInfo {
    KeyInfo {
        label: label.to_string(),
        curve: key.curve(),
        public_key: key.public_key().to_sec1(true),
        extractable,
    }
}

/// `s = e·k + d mod n` on software keys (constant-time scalar arithmetic).
pub fn ecqv_reconstruction_with(
    key: &SecretKey,
    e: &EcScalar,
    k: &EcScalar,
) -> Result<EcScalar, KeyStoreError> {
    Ok(e.mul(k)?.add(key.as_scalar())?)
}

/// Checks that `label` can name a key everywhere: as a file name of the
/// software store (no path separator, no leading dot, no `..`) and as a
/// PKCS#11 `CKA_LABEL`.
pub fn validate_label(label: &str) -> Result<(), KeyStoreError> {
    let ok = !label.is_empty()
        && label.len() <= 64
        && !label.starts_with('.')
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(KeyStoreError::InvalidLabel(label.to_string()))
    }
}

/// Labels to keys, for the software stores.
pub(crate) type KeyMap = Mutex<BTreeMap<String, SecretKey>>;

pub(crate) fn lock(
    map: &KeyMap,
) -> Result<std::sync::MutexGuard<'_, BTreeMap<String, SecretKey>>, KeyStoreError> {
    map.lock()
        .map_err(|_| KeyStoreError::Backend("key map lock poisoned".into()))
}
