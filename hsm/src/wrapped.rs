//! Software keys wrapped by a token key: how the ACA holds its ECQV issuing key.
//!
//! ECQV issuance computes `s = e·k + d mod n` with the issuer's scalar `d`,
//! and PKCS#11 has no mechanism for that, so `d` cannot stay on a token. This
//! store keeps `d` in a file sealed with AES-256-GCM **by the token** under an
//! AES key that is sensitive and non-extractable there. Each operation reads
//! the file, has the token decrypt it into a zeroized buffer, uses the key and
//! drops it: the scalar is in process memory only during one operation and
//! cannot be opened without the token and its PIN (a stolen file is useless).
//!
//! File `<label>.wkey` (mode 0600):
//!
//! ```text
//! "SCMSWKY" 0x01   magic + version
//! curve u8         as in the software store
//! iv [12]          GCM IV, random per file
//! pk_len u8, pk    compressed SEC1 public key
//! ct_len u16, ct   AES-256-GCM(scalar) || tag, computed on the token
//! ```
//!
//! The GCM associated data is the header, the key's label and the token key's
//! label, so files cannot be swapped between labels.

use crate::soft::{curve_from_id, curve_id, io, random, read_key_file, write_new};
use crate::{
    ecqv_reconstruction_with, key_info, validate_label, KeyInfo, KeyStore, KeyStoreError,
    Pkcs11KeyStore,
};
use scms_crypto::suite::{Curve, EcScalar, PublicKey, SecretKey, SharedSecret, Signature};
use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const MAGIC: &[u8; 7] = b"SCMSWKY";
const VERSION: u8 = 1;

/// A [`KeyStore`] of software keys sealed by an AES key on a PKCS#11 token.
pub struct WrappedKeyStore {
    token: Arc<Pkcs11KeyStore>,
    kek: String,
    dir: PathBuf,
}

impl core::fmt::Debug for WrappedKeyStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WrappedKeyStore")
            .field("dir", &self.dir)
            .field("kek", &self.kek)
            .finish_non_exhaustive()
    }
}

struct Wrapped {
    curve: Curve,
    iv: [u8; 12],
    public_key: Vec<u8>,
    header: Vec<u8>,
    ct: Vec<u8>,
}

fn parse(bytes: &[u8], label: &str) -> Result<Wrapped, KeyStoreError> {
    let corrupt = || KeyStoreError::Corrupt(format!("{label:?}"));
    let (magic, rest) = bytes.split_at_checked(MAGIC.len()).ok_or_else(corrupt)?;
    let (fixed, rest) = rest.split_at_checked(2 + 12 + 1).ok_or_else(corrupt)?;
    if magic != MAGIC || fixed[0] != VERSION {
        return Err(corrupt());
    }
    let curve = curve_from_id(fixed[1]).ok_or_else(corrupt)?;
    let mut iv = [0u8; 12];
    iv.copy_from_slice(&fixed[2..14]);
    let (pk, rest) = rest
        .split_at_checked(usize::from(fixed[14]))
        .ok_or_else(corrupt)?;
    let header_len = bytes.len() - rest.len();
    let (len, ct) = rest.split_at_checked(2).ok_or_else(corrupt)?;
    if ct.len() != usize::from(u16::from_be_bytes([len[0], len[1]])) {
        return Err(corrupt());
    }
    Ok(Wrapped {
        curve,
        iv,
        public_key: pk.to_vec(),
        header: bytes[..header_len].to_vec(),
        ct: ct.to_vec(),
    })
}

impl WrappedKeyStore {
    /// Opens (creating it with mode 0700) the directory `dir` of wrapped keys,
    /// sealed by the token's AES key `kek_label`, which is generated on the
    /// token (sensitive, non-extractable) if it does not exist.
    pub fn open(
        token: Arc<Pkcs11KeyStore>,
        kek_label: &str,
        dir: impl AsRef<Path>,
    ) -> Result<Self, KeyStoreError> {
        token.ensure_aes_key(kek_label)?;
        let dir = dir.as_ref().to_path_buf();
        if !dir.exists() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .map_err(|e| io("creating", &dir, e))?;
        }
        let meta = fs::metadata(&dir).map_err(|e| io("reading", &dir, e))?;
        if meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| io("restricting", &dir, e))?;
        }
        Ok(Self {
            token,
            kek: kek_label.to_string(),
            dir,
        })
    }

    /// The file of `label`.
    pub fn path_of(&self, label: &str) -> Result<PathBuf, KeyStoreError> {
        validate_label(label)?;
        Ok(self.dir.join(format!("{label}.wkey")))
    }

    fn aad(&self, header: &[u8], label: &str) -> Vec<u8> {
        let mut a = header.to_vec();
        a.push(0);
        a.extend_from_slice(label.as_bytes());
        a.push(0);
        a.extend_from_slice(self.kek.as_bytes());
        a
    }

    /// Wraps an existing key (e.g. one migrated from a software store).
    pub fn import(&self, label: &str, key: &SecretKey) -> Result<KeyInfo, KeyStoreError> {
        let path = self.path_of(label)?;
        let iv = random::<12>()?;
        let pk = key.public_key().to_sec1(true);
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&[VERSION, curve_id(key.curve())]);
        header.extend_from_slice(&iv);
        header.push(pk.len() as u8);
        header.extend_from_slice(&pk);
        let ct = self.token.aes_gcm(
            &self.kek,
            true,
            &iv,
            &self.aad(&header, label),
            &key.to_be_bytes(),
        )?;
        let mut out = header;
        out.extend_from_slice(&(ct.len() as u16).to_be_bytes());
        out.extend_from_slice(&ct);
        write_new(&path, &out).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => KeyStoreError::Exists(label.to_string()),
            _ => io("writing", &path, e),
        })?;
        Ok(key_info(label, key, false))
    }

    /// Has the token unwrap `label` for the duration of `f`.
    fn with_key<T>(
        &self,
        label: &str,
        f: impl FnOnce(&SecretKey) -> Result<T, KeyStoreError>,
    ) -> Result<T, KeyStoreError> {
        let path = self.path_of(label)?;
        let bytes = read_key_file(&path, label)?;
        let w = parse(&bytes, label)?;
        let scalar =
            self.token
                .aes_gcm(&self.kek, false, &w.iv, &self.aad(&w.header, label), &w.ct)?;
        let key = SecretKey::from_be_bytes(w.curve, &scalar)
            .map_err(|_| KeyStoreError::Corrupt(format!("{label:?}")))?;
        drop(scalar);
        if key.public_key().to_sec1(true) != w.public_key {
            return Err(KeyStoreError::Corrupt(format!("{label:?}")));
        }
        f(&key)
    }
}

impl KeyStore for WrappedKeyStore {
    fn generate(&self, label: &str, curve: Curve) -> Result<KeyInfo, KeyStoreError> {
        validate_label(label)?;
        let key = SecretKey::generate(curve, &mut scms_crypto::suite::os_rng())?;
        self.import(label, &key)
    }

    fn public_key(&self, label: &str) -> Result<PublicKey, KeyStoreError> {
        let bytes = read_key_file(&self.path_of(label)?, label)?;
        let w = parse(&bytes, label)?;
        PublicKey::from_sec1(w.curve, &w.public_key)
            .map_err(|_| KeyStoreError::Corrupt(format!("{label:?}")))
    }

    fn sign_digest(&self, label: &str, digest: &[u8]) -> Result<Signature, KeyStoreError> {
        self.with_key(label, |k| {
            Ok(k.sign_digest(digest, &mut scms_crypto::suite::os_rng())?)
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
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| io("listing", &self.dir, e))? {
            let entry = entry.map_err(|e| io("listing", &self.dir, e))?;
            let name = entry.file_name();
            let Some(label) = name.to_str().and_then(|n| n.strip_suffix(".wkey")) else {
                continue;
            };
            if validate_label(label).is_err() {
                continue;
            }
            let pk = self.public_key(label)?;
            out.push(KeyInfo {
                label: label.to_string(),
                curve: pk.curve(),
                public_key: pk.to_sec1(true),
                extractable: false,
            });
        }
        out.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(out)
    }
}
