//! Keys sealed in files under a passphrase: the software store.
//!
//! One directory (mode 0700), one file `<label>.key` (mode 0600) per key:
//!
//! ```text
//! "SCMSKEY" 0x01            magic + format version
//! curve u8                  1 P-256, 2 P-384, 3 bP256r1, 4 bP384r1, 5 SM2
//! kdf u8 = 1                Argon2id v0x13
//! m_kib u32, t u32, p u32   Argon2 parameters (big-endian), stored so they can be raised
//! salt [16]
//! check [32]                second half of the Argon2 output: tells a wrong passphrase
//!                           from a damaged file (costs an attacker no less than the AEAD)
//! aead u8 = 1               XChaCha20-Poly1305
//! nonce [24]
//! pk_len u8, pk             compressed SEC1 public key (`list` needs no passphrase)
//! ct_len u16, ct            AEAD(scalar), tag included
//! ```
//!
//! The AEAD key is the first 32 bytes of `Argon2id(passphrase, salt)`; the
//! associated data is the whole header and the label, so a header edit or a
//! file renamed to another label fails authentication.
//!
//! Unsealed keys are cached in an inner [`MemoryKeyStore`] on first use, not
//! unsealed per operation: Argon2 at ~50-100 ms per signature would cap an
//! authority at ~10 signatures/s, and the per-operation copy would sit in the
//! same process memory anyway. The cache holds zeroize-on-drop [`SecretKey`]s
//! and is dropped with the store; [`SoftKeyStore::lock_all`] empties it.

use crate::{key_info, validate_label, KeyInfo, KeyStore, KeyStoreError, MemoryKeyStore};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use scms_crypto::suite::{Curve, EcScalar, PublicKey, SecretKey, SharedSecret, Signature};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

const MAGIC: &[u8; 7] = b"SCMSKEY";
const VERSION: u8 = 1;
const KDF_ARGON2ID: u8 = 1;
const AEAD_XCHACHA20POLY1305: u8 = 1;
const SALT_LEN: usize = 16;
const CHECK_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// Refuse headers asking for more than 4 GiB or 64 passes: a hostile file must
/// not make `open` exhaust memory or hang.
const MAX_M_KIB: u32 = 4 * 1024 * 1024;
const MAX_T: u32 = 64;
const MAX_P: u32 = 64;

/// Argon2id cost parameters, written into every file sealed with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for KdfParams {
    /// 19 MiB, 2 passes, 1 lane (OWASP's Argon2id recommendation): ~80 ms
    /// on one core here, paid once per key and process. Raise with the
    /// hardware: new files take the new setting, old ones keep theirs.
    fn default() -> Self {
        Self {
            m_kib: 19 * 1024,
            t: 2,
            p: 1,
        }
    }
}

impl KdfParams {
    /// 64 KiB, 1 pass: for tests only, offers no protection against guessing.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };
}

pub(crate) fn curve_id(c: Curve) -> u8 {
    match c {
        Curve::NistP256 => 1,
        Curve::NistP384 => 2,
        Curve::BrainpoolP256r1 => 3,
        Curve::BrainpoolP384r1 => 4,
        Curve::Sm2 => 5,
    }
}

pub(crate) fn curve_from_id(id: u8) -> Option<Curve> {
    Curve::ALL.into_iter().find(|c| curve_id(*c) == id)
}

/// `Argon2id(passphrase, salt)` -> (AEAD key, check value), 64 bytes.
fn derive(
    passphrase: &[u8],
    salt: &[u8],
    kdf: KdfParams,
) -> Result<Zeroizing<[u8; 32 + CHECK_LEN]>, KeyStoreError> {
    let params = argon2::Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32 + CHECK_LEN))
        .map_err(|e| KeyStoreError::Backend(format!("Argon2 parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32 + CHECK_LEN]);
    argon
        .hash_password_into(passphrase, salt, out.as_mut())
        .map_err(|e| KeyStoreError::Backend(format!("Argon2: {e}")))?;
    Ok(out)
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], KeyStoreError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| KeyStoreError::Crypto(scms_crypto::suite::Error::Rng))?;
    Ok(b)
}

/// A parsed key file (public parts only).
struct Sealed {
    curve: Curve,
    kdf: KdfParams,
    salt: [u8; SALT_LEN],
    check: [u8; CHECK_LEN],
    nonce: [u8; NONCE_LEN],
    public_key: Vec<u8>,
    /// Bytes authenticated as associated data (everything before `ct_len`).
    header: Vec<u8>,
    ct: Vec<u8>,
}

fn encode_header(
    curve: Curve,
    kdf: KdfParams,
    salt: &[u8; SALT_LEN],
    check: &[u8],
    nonce: &[u8; NONCE_LEN],
    pk: &[u8],
) -> Vec<u8> {
    let mut h = Vec::with_capacity(160);
    h.extend_from_slice(MAGIC);
    h.push(VERSION);
    h.push(curve_id(curve));
    h.push(KDF_ARGON2ID);
    for v in [kdf.m_kib, kdf.t, kdf.p] {
        h.extend_from_slice(&v.to_be_bytes());
    }
    h.extend_from_slice(salt);
    h.extend_from_slice(check);
    h.push(AEAD_XCHACHA20POLY1305);
    h.extend_from_slice(nonce);
    h.push(pk.len() as u8);
    h.extend_from_slice(pk);
    h
}

/// A cursor that fails with `Corrupt` when the file is short.
struct Reader<'a> {
    rest: &'a [u8],
    what: &'a str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], KeyStoreError> {
        let (a, b) = self
            .rest
            .split_at_checked(n)
            .ok_or_else(|| KeyStoreError::Corrupt(self.what.to_string()))?;
        self.rest = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, KeyStoreError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, KeyStoreError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], KeyStoreError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
}

fn parse(bytes: &[u8], what: &str) -> Result<Sealed, KeyStoreError> {
    let corrupt = || KeyStoreError::Corrupt(what.to_string());
    let mut r = Reader { rest: bytes, what };
    if r.take(MAGIC.len())? != MAGIC || r.u8()? != VERSION {
        return Err(corrupt());
    }
    let curve = curve_from_id(r.u8()?).ok_or_else(corrupt)?;
    if r.u8()? != KDF_ARGON2ID {
        return Err(corrupt());
    }
    let kdf = KdfParams {
        m_kib: r.u32()?,
        t: r.u32()?,
        p: r.u32()?,
    };
    if kdf.m_kib > MAX_M_KIB || kdf.t > MAX_T || kdf.p > MAX_P {
        return Err(corrupt());
    }
    let salt = r.array::<SALT_LEN>()?;
    let check = r.array::<CHECK_LEN>()?;
    if r.u8()? != AEAD_XCHACHA20POLY1305 {
        return Err(corrupt());
    }
    let nonce = r.array::<NONCE_LEN>()?;
    let pk_len = usize::from(r.u8()?);
    let public_key = r.take(pk_len)?.to_vec();
    let header_len = bytes.len() - r.rest.len();
    let ct_len = {
        let b = r.take(2)?;
        usize::from(u16::from_be_bytes([b[0], b[1]]))
    };
    let ct = r.take(ct_len)?.to_vec();
    if !r.rest.is_empty() {
        return Err(corrupt());
    }
    Ok(Sealed {
        curve,
        kdf,
        salt,
        check,
        nonce,
        public_key,
        header: bytes[..header_len].to_vec(),
        ct,
    })
}

fn aad(header: &[u8], label: &str) -> Vec<u8> {
    let mut a = header.to_vec();
    a.extend_from_slice(label.as_bytes());
    a
}

/// Seals `key` under `passphrase`: the bytes of a key file.
pub fn seal(
    label: &str,
    key: &SecretKey,
    passphrase: &[u8],
    kdf: KdfParams,
) -> Result<Vec<u8>, KeyStoreError> {
    let salt = random::<SALT_LEN>()?;
    let nonce = random::<NONCE_LEN>()?;
    let okm = derive(passphrase, &salt, kdf)?;
    let pk = key.public_key().to_sec1(true);
    let header = encode_header(key.curve(), kdf, &salt, &okm[32..], &nonce, &pk);
    let cipher = XChaCha20Poly1305::new_from_slice(&okm[..32])
        .map_err(|_| KeyStoreError::Backend("AEAD key length".into()))?;
    let scalar = key.to_be_bytes();
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: scalar.as_slice(),
                aad: &aad(&header, label),
            },
        )
        .map_err(|_| KeyStoreError::Backend("AEAD encryption failed".into()))?;
    let mut out = header;
    out.extend_from_slice(&(ct.len() as u16).to_be_bytes());
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Opens the bytes of a key file sealed for `label`.
pub fn unseal(label: &str, bytes: &[u8], passphrase: &[u8]) -> Result<SecretKey, KeyStoreError> {
    let what = format!("{label:?}");
    let s = parse(bytes, &what)?;
    let okm = derive(passphrase, &s.salt, s.kdf)?;
    if !bool::from(okm[32..].ct_eq(&s.check)) {
        return Err(KeyStoreError::WrongPassphrase(format!("key {what}")));
    }
    let cipher = XChaCha20Poly1305::new_from_slice(&okm[..32])
        .map_err(|_| KeyStoreError::Backend("AEAD key length".into()))?;
    let scalar = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&s.nonce),
                Payload {
                    msg: &s.ct,
                    aad: &aad(&s.header, label),
                },
            )
            .map_err(|_| KeyStoreError::Corrupt(what.clone()))?,
    );
    let key = SecretKey::from_be_bytes(s.curve, &scalar)
        .map_err(|_| KeyStoreError::Corrupt(what.clone()))?;
    if key.public_key().to_sec1(true) != s.public_key {
        return Err(KeyStoreError::Corrupt(what));
    }
    Ok(key)
}

/// A [`KeyStore`] of passphrase-sealed key files in one directory.
pub struct SoftKeyStore {
    dir: PathBuf,
    passphrase: Zeroizing<Vec<u8>>,
    kdf: KdfParams,
    unsealed: MemoryKeyStore,
}

impl core::fmt::Debug for SoftKeyStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SoftKeyStore")
            .field("dir", &self.dir)
            .field("kdf", &self.kdf)
            .finish_non_exhaustive()
    }
}

pub(crate) fn io(what: &str, path: &Path, e: std::io::Error) -> KeyStoreError {
    KeyStoreError::Backend(format!("{what} {}: {e}", path.display()))
}

impl SoftKeyStore {
    /// Opens (creating it with mode 0700 if missing) the store in `dir`; new
    /// keys are sealed with `kdf`. Existing files keep the parameters they
    /// were sealed with. An empty passphrase is refused.
    pub fn open(
        dir: impl AsRef<Path>,
        passphrase: Zeroizing<Vec<u8>>,
        kdf: KdfParams,
    ) -> Result<Self, KeyStoreError> {
        if passphrase.is_empty() {
            return Err(KeyStoreError::WrongPassphrase("an empty passphrase".into()));
        }
        let dir = dir.as_ref().to_path_buf();
        if !dir.exists() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&dir)
                .map_err(|e| io("creating", &dir, e))?;
        }
        let meta = fs::metadata(&dir).map_err(|e| io("reading", &dir, e))?;
        if !meta.is_dir() {
            return Err(KeyStoreError::Backend(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        if meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| io("restricting", &dir, e))?;
        }
        Ok(Self {
            dir,
            passphrase,
            kdf,
            unsealed: MemoryKeyStore::new(),
        })
    }

    /// The file of `label`.
    pub fn path_of(&self, label: &str) -> Result<PathBuf, KeyStoreError> {
        validate_label(label)?;
        Ok(self.dir.join(format!("{label}.key")))
    }

    /// Fails with `WrongPassphrase` unless the passphrase opens the first key
    /// of the store (if any): a check before sealing a new key under it, so
    /// one directory does not end up with keys under different passphrases.
    pub fn check_passphrase(&self) -> Result<(), KeyStoreError> {
        match self.list()?.first() {
            Some(k) => self.load(&k.label),
            None => Ok(()),
        }
    }

    /// Forgets every unsealed key (they are unsealed again on next use).
    pub fn lock_all(&self) {
        self.unsealed.clear();
    }

    /// Adds an existing key (sealed to a new file).
    pub fn import(&self, label: &str, key: &SecretKey) -> Result<KeyInfo, KeyStoreError> {
        let path = self.path_of(label)?;
        let bytes = seal(label, key, &self.passphrase, self.kdf)?;
        write_new(&path, &bytes).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => KeyStoreError::Exists(label.to_string()),
            _ => io("writing", &path, e),
        })?;
        Ok(key_info(label, key, true))
    }

    /// Runs `f` on the cache once `label` is unsealed into it; once more if a
    /// concurrent [`Self::lock_all`] emptied the cache in between.
    fn with_unsealed<T>(
        &self,
        label: &str,
        f: impl Fn(&MemoryKeyStore) -> Result<T, KeyStoreError>,
    ) -> Result<T, KeyStoreError> {
        self.load(label)?;
        match f(&self.unsealed) {
            Err(KeyStoreError::NotFound(_)) => {
                self.load(label)?;
                f(&self.unsealed)
            }
            other => other,
        }
    }

    /// Unseals `label` into the cache if it is not there yet.
    fn load(&self, label: &str) -> Result<(), KeyStoreError> {
        let path = self.path_of(label)?;
        if self.unsealed.contains(label) {
            return Ok(());
        }
        let bytes = read_key_file(&path, label)?;
        let key = unseal(label, &bytes, &self.passphrase)?;
        match self.unsealed.insert(label, key) {
            Ok(_) | Err(KeyStoreError::Exists(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

pub(crate) fn read_key_file(path: &Path, label: &str) -> Result<Vec<u8>, KeyStoreError> {
    match fs::read(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(KeyStoreError::NotFound(label.to_string()))
        }
        Err(e) => Err(io("reading", path, e)),
    }
}

/// Writes `bytes` to a new file `path` (mode 0600), never replacing one:
/// written to a temporary name, synced, then hard-linked into place (which
/// fails if `path` exists) so a crash never leaves a half-written key.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = PathBuf::from(tmp);
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::hard_link(&tmp, path)
    })();
    let _ = fs::remove_file(&tmp);
    result?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

impl KeyStore for SoftKeyStore {
    fn generate(&self, label: &str, curve: Curve) -> Result<KeyInfo, KeyStoreError> {
        let key = SecretKey::generate(curve, &mut scms_crypto::suite::os_rng())?;
        let info = self.import(label, &key)?;
        // Cache it: the caller usually signs with a new key right away.
        let _ = self.unsealed.insert(label, key);
        Ok(info)
    }

    fn public_key(&self, label: &str) -> Result<PublicKey, KeyStoreError> {
        // An unsealed key was checked against its file's public key; issuers
        // ask for it at every issuance, so spare them the file read.
        if let Ok(k) = self.unsealed.public_key(label) {
            return Ok(k);
        }
        let path = self.path_of(label)?;
        let bytes = read_key_file(&path, label)?;
        let s = parse(&bytes, label)?;
        PublicKey::from_sec1(s.curve, &s.public_key)
            .map_err(|_| KeyStoreError::Corrupt(format!("{label:?}")))
    }

    fn sign_digest(&self, label: &str, digest: &[u8]) -> Result<Signature, KeyStoreError> {
        self.with_unsealed(label, |m| m.sign_digest(label, digest))
    }

    fn ecdh(&self, label: &str, peer: &PublicKey) -> Result<SharedSecret, KeyStoreError> {
        self.with_unsealed(label, |m| m.ecdh(label, peer))
    }

    fn ecqv_reconstruction(
        &self,
        label: &str,
        e: &EcScalar,
        k: &EcScalar,
    ) -> Result<EcScalar, KeyStoreError> {
        self.with_unsealed(label, |m| m.ecqv_reconstruction(label, e, k))
    }

    fn ecqv_in_process(&self) -> bool {
        true
    }

    /// Public data from the file headers: needs no passphrase, unseals nothing.
    fn list(&self) -> Result<Vec<KeyInfo>, KeyStoreError> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| io("listing", &self.dir, e))? {
            let entry = entry.map_err(|e| io("listing", &self.dir, e))?;
            let name = entry.file_name();
            let Some(label) = name.to_str().and_then(|n| n.strip_suffix(".key")) else {
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
                extractable: true,
            });
        }
        out.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scms_crypto::hash::digest;

    const FAST: KdfParams = KdfParams::INSECURE_FOR_TESTS;

    fn store(dir: &Path, pass: &str) -> SoftKeyStore {
        SoftKeyStore::open(dir, Zeroizing::new(pass.as_bytes().to_vec()), FAST).unwrap()
    }

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn round_trip_every_curve_across_reopen() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("keys");
        let s = store(&dir, "correct horse");
        let mem = MemoryKeyStore::new();
        for (i, curve) in Curve::ALL.iter().enumerate() {
            let info = s.generate(&format!("k{i}"), *curve).unwrap();
            assert_eq!(info.curve, *curve);
            assert!(info.extractable);
            mem.generate(&format!("peer{i}"), *curve).unwrap();
        }
        drop(s);
        // A new instance unseals from the files.
        let s = store(&dir, "correct horse");
        assert_eq!(s.list().unwrap().len(), Curve::ALL.len());
        for (i, curve) in Curve::ALL.iter().enumerate() {
            let label = format!("k{i}");
            let d = digest(curve.hash(), b"to be signed");
            let sig = s.sign_digest(&label, d.as_bytes()).unwrap();
            let pk = s.public_key(&label).unwrap();
            pk.verify_digest(d.as_bytes(), &sig).unwrap();
            let peer = format!("peer{i}");
            let ab = s.ecdh(&label, &mem.public_key(&peer).unwrap()).unwrap();
            let ba = mem.ecdh(&peer, &pk).unwrap();
            assert_eq!(*ab, *ba);
            // ECQV: s*G == e*(k*G) + Q.
            let mut rng = scms_crypto::suite::os_rng();
            let e = EcScalar::random(*curve, &mut rng).unwrap();
            let k = EcScalar::random(*curve, &mut rng).unwrap();
            let r = s.ecqv_reconstruction(&label, &e, &k).unwrap();
            let lhs = PublicKey::mul_generator(&r).unwrap();
            let rhs = PublicKey::mul_generator(&k)
                .unwrap()
                .mul(&e)
                .unwrap()
                .add(&pk)
                .unwrap();
            assert_eq!(lhs, rhs);
        }
    }

    #[test]
    fn wrong_passphrase_is_a_typed_error() {
        let tmp = tempfile::tempdir().unwrap();
        store(tmp.path(), "right")
            .generate("ca", Curve::NistP256)
            .unwrap();
        let s = store(tmp.path(), "wrong");
        assert!(matches!(
            s.sign_digest("ca", &[1; 32]),
            Err(KeyStoreError::WrongPassphrase(_))
        ));
        // Public data needs no passphrase.
        assert_eq!(s.list().unwrap().len(), 1);
        assert!(matches!(
            s.check_passphrase(),
            Err(KeyStoreError::WrongPassphrase(_))
        ));
        store(tmp.path(), "right").check_passphrase().unwrap();
        assert!(matches!(
            SoftKeyStore::open(tmp.path(), Zeroizing::new(Vec::new()), FAST),
            Err(KeyStoreError::WrongPassphrase(_))
        ));
        assert!(matches!(
            s.sign_digest("none", &[1; 32]),
            Err(KeyStoreError::NotFound(_))
        ));
    }

    #[test]
    fn tampered_files_fail() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path(), "pw");
        s.generate("a", Curve::NistP256).unwrap();
        s.generate("b", Curve::NistP256).unwrap();
        let path = s.path_of("a").unwrap();
        let good = fs::read(&path).unwrap();
        let b_file = fs::read(s.path_of("b").unwrap()).unwrap();
        // Every single-byte change is caught: as corruption, or (salt, KDF
        // parameters, check value) as a passphrase that no longer opens it.
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            match unseal("a", &bad, b"pw") {
                Err(KeyStoreError::Corrupt(_)) | Err(KeyStoreError::WrongPassphrase(_)) => {}
                Err(KeyStoreError::Backend(_)) if (11..23).contains(&i) => {} // Argon2 params
                other => panic!("byte {i}: {other:?}"),
            }
        }
        for cut in [0, 5, good.len() - 1] {
            assert!(matches!(
                unseal("a", &good[..cut], b"pw"),
                Err(KeyStoreError::Corrupt(_))
            ));
        }
        let mut long = good.clone();
        long.push(0);
        assert!(matches!(
            unseal("a", &long, b"pw"),
            Err(KeyStoreError::Corrupt(_))
        ));
        // A file copied over another label's name does not authenticate.
        assert!(matches!(
            unseal("a", &b_file, b"pw"),
            Err(KeyStoreError::Corrupt(_))
        ));
        // Through the store, with a cold cache.
        let mut bad = good.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0x80;
        fs::write(&path, &bad).unwrap();
        let s = store(tmp.path(), "pw");
        assert!(matches!(
            s.sign_digest("a", &[1; 32]),
            Err(KeyStoreError::Corrupt(_))
        ));
        // A hostile header cannot ask for unbounded memory.
        let mut huge = good.clone();
        huge[11..15].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            unseal("a", &huge, b"pw"),
            Err(KeyStoreError::Corrupt(_))
        ));
    }

    #[test]
    fn permissions_labels_and_no_clear_scalar() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let s = store(&dir, "pw");
        assert_eq!(mode(&dir), 0o700);
        let mut scalars = Vec::new();
        for (i, curve) in Curve::ALL.iter().enumerate() {
            let key = SecretKey::generate(*curve, &mut scms_crypto::suite::os_rng()).unwrap();
            s.import(&format!("k{i}"), &key).unwrap();
            scalars.push(key.to_be_bytes());
        }
        for (i, _) in Curve::ALL.iter().enumerate() {
            let p = s.path_of(&format!("k{i}")).unwrap();
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
        // Scan every file for any 8-byte window of any scalar, both byte orders.
        let files: Vec<Vec<u8>> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| fs::read(e.unwrap().path()).unwrap())
            .collect();
        assert_eq!(files.len(), Curve::ALL.len(), "no temporary file left");
        for sc in &scalars {
            let rev: Vec<u8> = sc.iter().rev().copied().collect();
            for w in sc.windows(8).chain(rev.windows(8)) {
                for f in &files {
                    assert!(!f.windows(8).any(|x| x == w), "scalar bytes in a file");
                }
            }
        }
        for bad in ["", "../x", "a/b", ".hidden", "a b", "x\0", &"l".repeat(65)] {
            assert!(
                matches!(
                    s.generate(bad, Curve::NistP256),
                    Err(KeyStoreError::InvalidLabel(_))
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            s.generate("k0", Curve::NistP256),
            Err(KeyStoreError::Exists(_))
        ));
        // A group/world-readable directory is tightened on open.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        let _ = store(&dir, "pw");
        assert_eq!(mode(&dir), 0o700);
        // lock_all forgets the unsealed keys; they unseal again on use.
        s.lock_all();
        assert!(!s.unsealed.contains("k0"));
        s.sign_digest("k0", &[3; 32]).unwrap();
        assert!(s.unsealed.contains("k0"));
        // Debug shows no secret.
        let dbg = format!("{:?}", store(&dir, "hunter2-secret"));
        assert!(!dbg.contains("hunter2"));
    }

    #[test]
    fn default_kdf_cost() {
        let t = std::time::Instant::now();
        derive(b"pw", &[7; SALT_LEN], KdfParams::default()).unwrap();
        let ms = t.elapsed().as_millis();
        eprintln!("Argon2id {:?}: {ms} ms", KdfParams::default());
        assert!(ms < 5_000, "{ms} ms");
    }
}
