//! Keys held only in memory (zeroized on drop): tests and the ephemeral demo,
//! where nothing outlives the process.

use crate::{ecqv_reconstruction_with, key_info, lock, KeyInfo, KeyMap, KeyStore, KeyStoreError};
use scms_crypto::suite::{Curve, EcScalar, PublicKey, SecretKey, SharedSecret, Signature};

/// A [`KeyStore`] in memory.
#[derive(Default)]
pub struct MemoryKeyStore {
    keys: KeyMap,
}

impl MemoryKeyStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an existing key (e.g. one reconstructed from an implicit certificate).
    pub fn insert(&self, label: &str, key: SecretKey) -> Result<KeyInfo, KeyStoreError> {
        let mut keys = lock(&self.keys)?;
        if keys.contains_key(label) {
            return Err(KeyStoreError::Exists(label.to_string()));
        }
        let info = key_info(label, &key, true);
        keys.insert(label.to_string(), key);
        Ok(info)
    }

    /// Forgets `label` (its key is zeroized on drop); whether it was held.
    pub fn remove(&self, label: &str) -> Result<bool, KeyStoreError> {
        Ok(lock(&self.keys)?.remove(label).is_some())
    }

    /// Whether `label` is held.
    pub fn contains(&self, label: &str) -> bool {
        lock(&self.keys).is_ok_and(|k| k.contains_key(label))
    }

    /// Drops (and so zeroizes) every key.
    pub fn clear(&self) {
        match self.keys.lock() {
            Ok(mut k) => k.clear(),
            Err(poisoned) => poisoned.into_inner().clear(),
        }
    }

    fn with_key<T>(
        &self,
        label: &str,
        f: impl FnOnce(&SecretKey) -> Result<T, KeyStoreError>,
    ) -> Result<T, KeyStoreError> {
        let keys = lock(&self.keys)?;
        let key = keys
            .get(label)
            .ok_or_else(|| KeyStoreError::NotFound(label.to_string()))?;
        f(key)
    }
}

impl KeyStore for MemoryKeyStore {
    fn generate(&self, label: &str, curve: Curve) -> Result<KeyInfo, KeyStoreError> {
        let mut rng = scms_crypto::suite::os_rng();
        let key = SecretKey::generate(curve, &mut rng)?;
        self.insert(label, key)
    }

    fn public_key(&self, label: &str) -> Result<PublicKey, KeyStoreError> {
        self.with_key(label, |k| Ok(k.public_key()))
    }

    fn sign_digest(&self, label: &str, digest: &[u8]) -> Result<Signature, KeyStoreError> {
        self.with_key(label, |k| {
            let mut rng = scms_crypto::suite::os_rng();
            Ok(k.sign_digest(digest, &mut rng)?)
        })
    }

    fn ecdh(&self, label: &str, peer: &PublicKey) -> Result<SharedSecret, KeyStoreError> {
        self.with_key(label, |k| Ok(k.ecdh(peer)?))
    }

    fn ecqv_reconstruction(
        &self,
        label: &str,
        e: &EcScalar,
        k: &EcScalar,
    ) -> Result<EcScalar, KeyStoreError> {
        self.with_key(label, |key| ecqv_reconstruction_with(key, e, k))
    }

    fn ecqv_in_process(&self) -> bool {
        true
    }

    fn list(&self) -> Result<Vec<KeyInfo>, KeyStoreError> {
        Ok(lock(&self.keys)?
            .iter()
            .map(|(l, k)| key_info(l, k, true))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scms_crypto::hash::{digest, HashAlgorithm};

    #[test]
    fn sign_verify_ecdh_and_labels() {
        let store = MemoryKeyStore::new();
        for (i, curve) in Curve::ALL.iter().enumerate() {
            let label = format!("k{i}");
            let info = store.generate(&label, *curve).unwrap();
            assert_eq!(info.curve, *curve);
            let d = digest(curve.hash(), b"message");
            let sig = store.sign_digest(&label, d.as_bytes()).unwrap();
            store
                .public_key(&label)
                .unwrap()
                .verify_digest(d.as_bytes(), &sig)
                .unwrap();
        }
        assert!(matches!(
            store.generate("k0", Curve::NistP256),
            Err(KeyStoreError::Exists(_))
        ));
        assert!(matches!(
            store.public_key("nope"),
            Err(KeyStoreError::NotFound(_))
        ));
        store.generate("a", Curve::NistP256).unwrap();
        store.generate("b", Curve::NistP256).unwrap();
        let ab = store.ecdh("a", &store.public_key("b").unwrap()).unwrap();
        let ba = store.ecdh("b", &store.public_key("a").unwrap()).unwrap();
        assert_eq!(*ab, *ba);
        assert_eq!(store.list().unwrap().len(), Curve::ALL.len() + 2);
        let _ = HashAlgorithm::Sha256;
    }
}
