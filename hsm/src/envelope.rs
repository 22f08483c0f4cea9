//! IEEE 1609.2 encryption envelopes (`EncryptedData`) for the provisioning
//! flow, over the primitives of `scms_crypto` and a [`KeyStore`]:
//!
//! - to a public key (`certRecipInfo` / `rekRecipInfo`): a fresh 16-byte data
//!   key wrapped with ECIES (P-256, brainpoolP256r1: KDF2-SHA-256 with P1, XOR,
//!   HMAC-SHA-256/128) or SM2 encryption (`ecencSm2256`: `C1 = v`, `C2 = c`,
//!   `C3 = t`, the layout of `scms_crypto::sm2_enc`), and the data encrypted with
//!   AES-128-CCM or SM4-CCM under it;
//! - to a pre-shared symmetric key (`symmRecipInfo`): the data key encrypted
//!   with CCM under the shared key, named by the HashedId8 of the COER
//!   `SymmetricEncryptionKey` (the LA -> ACA pre-linkage values).
//!
//! Decryption goes through [`KeyStore::ecdh`] (the authorities) or a
//! [`SecretKey`] (a device's derived butterfly keys). ECDH gives only `x`; SM2
//! decryption needs `y` too, so both candidates `(x, ±y)` are tried and the
//! one whose `C3 = SM3(x || k || y)` matches is taken (one extra SM3 at most).
//!
//! Recipient ids: a certificate's HashedId8 (`certRecipInfo`), or the HashedId8
//! of the COER `PublicEncryptionKey` (`rekRecipInfo`), SHA-256 for ECIES keys
//! and SM3 for SM2 keys. P1 for ECIES: SHA-256 of the recipient certificate
//! (`certRecipInfo`), SHA-256("") for `rekRecipInfo` (`docs/crypto.md`).
//!
//! One module for authorities and devices alike (the ACA and RA encrypt and
//! decrypt with it, and so does the device SDK).

use core::fmt;

use crate::KeyStore;
use scms_asn1::ieee1609dot2::{
    BasePublicEncryptionKey, EcencP256EncryptedKey, EciesP256EncryptedKey, EncryptedData,
    EncryptedDataEncryptionKey, Ieee1609Dot2Content, Ieee1609Dot2Data, One28BitCcmCiphertext,
    PKRecipientInfo, PublicEncryptionKey, RecipientInfo, SymmAlgorithm as AsnSymm,
    SymmRecipientInfo, SymmetricCiphertext, SymmetricEncryptionKey,
};
use scms_crypto::ccm::{self, SymmAlgorithm, SymmetricKey, KEY_LEN, NONCE_LEN};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::hashed_id::HashedId8;
use scms_crypto::kdf::{kdf2_sha256, sm3_kdf};
use scms_crypto::mac::{ct_eq, hmac_sha256_128};
use scms_crypto::suite::{
    os_rng, CryptoProvider, Curve, EcPoint, PublicKey, RustCryptoProvider, SecretKey, SharedSecret,
};
use scms_crypto::verify::point256;
use scms_crypto::wire;

/// Why an envelope could not be made or opened.
#[derive(Debug)]
pub enum EnvelopeError {
    /// The value is not an `Ieee1609Dot2Data` of `encryptedData` of the expected form.
    Malformed(&'static str),
    /// No recipient info names us.
    NotForUs,
    /// A tag (ECIES, SM2 C3 or CCM) did not verify.
    Authentication,
    /// An algorithm this envelope does not offer (384-bit curves, unknown alternatives).
    Unsupported(&'static str),
    /// The key store failed.
    KeyStore(crate::KeyStoreError),
    /// An elliptic-curve operation failed.
    Crypto(scms_crypto::suite::Error),
    /// Encoding failed.
    Encode(scms_asn1::EncodeError),
    /// Decoding failed.
    Decode(scms_asn1::DecodeError),
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed encrypted data: {w}"),
            Self::NotForUs => f.write_str("no recipient info names this recipient"),
            Self::Authentication => f.write_str("decryption failed: authentication tag mismatch"),
            Self::Unsupported(w) => write!(f, "unsupported: {w}"),
            Self::KeyStore(e) => write!(f, "{e}"),
            Self::Crypto(e) => write!(f, "{e}"),
            Self::Encode(e) => write!(f, "encode: {e}"),
            Self::Decode(e) => write!(f, "decode: {e}"),
        }
    }
}

impl std::error::Error for EnvelopeError {}

impl From<crate::KeyStoreError> for EnvelopeError {
    fn from(e: crate::KeyStoreError) -> Self {
        Self::KeyStore(e)
    }
}
impl From<scms_crypto::suite::Error> for EnvelopeError {
    fn from(e: scms_crypto::suite::Error) -> Self {
        Self::Crypto(e)
    }
}
impl From<scms_asn1::EncodeError> for EnvelopeError {
    fn from(e: scms_asn1::EncodeError) -> Self {
        Self::Encode(e)
    }
}
impl From<scms_asn1::DecodeError> for EnvelopeError {
    fn from(e: scms_asn1::DecodeError) -> Self {
        Self::Decode(e)
    }
}
impl From<scms_crypto::verify::VerifyError> for EnvelopeError {
    fn from(_: scms_crypto::verify::VerifyError) -> Self {
        Self::Malformed("invalid curve point")
    }
}
impl From<ccm::CcmError> for EnvelopeError {
    fn from(e: ccm::CcmError) -> Self {
        match e {
            ccm::CcmError::AuthenticationFailed => Self::Authentication,
            ccm::CcmError::CiphertextTooShort => Self::Malformed("CCM ciphertext too short"),
            ccm::CcmError::MessageTooLong => Self::Malformed("CCM message too long"),
        }
    }
}

/// How the recipient of a public-key envelope is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipientKind {
    /// `certRecipInfo`: by the HashedId8 of its certificate.
    Certificate,
    /// `rekRecipInfo`: by the HashedId8 of the response encryption key.
    Rek,
}

/// Where the private key that opens an envelope lives.
#[derive(Clone, Copy)]
pub enum Decryptor<'a> {
    /// A key of a key store (an authority's encryption key).
    Store(&'a dyn KeyStore, &'a str),
    /// A software key (a device's derived butterfly key).
    Key(&'a SecretKey),
}

impl Decryptor<'_> {
    fn curve(&self) -> Result<Curve, EnvelopeError> {
        Ok(match self {
            Self::Store(ks, label) => ks.public_key(label)?.curve(),
            Self::Key(k) => k.curve(),
        })
    }

    fn ecdh(&self, peer: &PublicKey) -> Result<SharedSecret, EnvelopeError> {
        Ok(match self {
            Self::Store(ks, label) => ks.ecdh(label, peer)?,
            Self::Key(k) => k.ecdh(peer)?,
        })
    }
}

fn random<const N: usize>() -> Result<[u8; N], EnvelopeError> {
    let mut b = [0u8; N];
    RustCryptoProvider.fill_random(&mut b)?;
    Ok(b)
}

/// The public key and symmetric algorithm of a `PublicEncryptionKey`.
pub fn recipient_key(
    pek: &PublicEncryptionKey,
) -> Result<(PublicKey, SymmAlgorithm), EnvelopeError> {
    let key = match &pek.public_key {
        BasePublicEncryptionKey::EciesNistP256(p) => point256(Curve::NistP256, p)?,
        BasePublicEncryptionKey::EciesBrainpoolP256r1(p) => point256(Curve::BrainpoolP256r1, p)?,
        BasePublicEncryptionKey::EcencSm2(p) => point256(Curve::Sm2, p)?,
        BasePublicEncryptionKey::Unknown(_) => {
            return Err(EnvelopeError::Unsupported(
                "public encryption key algorithm",
            ))
        }
    };
    let symm = match pek.supported_symm_alg {
        AsnSymm::Aes128Ccm => SymmAlgorithm::Aes128Ccm,
        AsnSymm::Sm4Ccm => SymmAlgorithm::Sm4Ccm,
    };
    Ok((key, symm))
}

/// The family's symmetric algorithm for a curve: SM4-CCM with SM2, else AES-128-CCM.
pub fn symm_for(curve: Curve) -> SymmAlgorithm {
    if curve.is_sm2() {
        SymmAlgorithm::Sm4Ccm
    } else {
        SymmAlgorithm::Aes128Ccm
    }
}

/// A `PublicEncryptionKey` for `key` with the family's symmetric algorithm.
pub fn public_encryption_key(key: &PublicKey) -> Result<PublicEncryptionKey, EnvelopeError> {
    Ok(wire::encryption_key(key)?)
}

fn id_hash(curve_is_sm2: bool) -> HashAlgorithm {
    if curve_is_sm2 {
        HashAlgorithm::Sm3
    } else {
        HashAlgorithm::Sha256
    }
}

/// `rekRecipInfo.recipientId`: HashedId8 of the COER `PublicEncryptionKey`
/// (SHA-256, SM3 for an SM2 key).
pub fn rek_recipient_id(pek: &PublicEncryptionKey) -> Result<[u8; 8], EnvelopeError> {
    let sm2 = matches!(pek.public_key, BasePublicEncryptionKey::EcencSm2(_));
    let bytes = scms_asn1::encode(pek)?;
    Ok(HashedId8::from_digest(&digest(id_hash(sm2), &bytes)).0)
}

/// P1 of ECIES for a `certRecipInfo`: SHA-256 of the recipient's COER certificate.
pub fn cert_p1(certificate: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(HashAlgorithm::Sha256, certificate).as_bytes());
    out
}

/// P1 of ECIES for a `rekRecipInfo`: SHA-256("").
pub fn rek_p1() -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(HashAlgorithm::Sha256, b"").as_bytes());
    out
}

/// `symmRecipInfo.recipientId`: HashedId8 of the COER `SymmetricEncryptionKey`
/// holding `key` (SHA-256, SM3 for SM4).
pub fn symmetric_key_id(key: &SymmetricKey, alg: SymmAlgorithm) -> Result<[u8; 8], EnvelopeError> {
    let sek = match alg {
        SymmAlgorithm::Aes128Ccm => SymmetricEncryptionKey::Aes128Ccm(*key.as_bytes()),
        SymmAlgorithm::Sm4Ccm => SymmetricEncryptionKey::Sm4Ccm(*key.as_bytes()),
    };
    let bytes = SharedSecret::new(scms_asn1::encode(&sek)?);
    Ok(HashedId8::from_digest(&digest(id_hash(alg == SymmAlgorithm::Sm4Ccm), &bytes)).0)
}

fn ciphertext(
    alg: SymmAlgorithm,
    nonce: [u8; NONCE_LEN],
    ct: Vec<u8>,
) -> SymmetricCiphertext<'static> {
    let c = One28BitCcmCiphertext {
        nonce,
        ccm_ciphertext: ct.into(),
    };
    match alg {
        SymmAlgorithm::Aes128Ccm => SymmetricCiphertext::Aes128ccm(c),
        SymmAlgorithm::Sm4Ccm => SymmetricCiphertext::Sm4Ccm(c),
    }
}

fn open_ciphertext(
    c: &SymmetricCiphertext<'_>,
    key: &SymmetricKey,
) -> Result<SharedSecret, EnvelopeError> {
    let (alg, c) = match c {
        SymmetricCiphertext::Aes128ccm(c) => (SymmAlgorithm::Aes128Ccm, c),
        SymmetricCiphertext::Sm4Ccm(c) => (SymmAlgorithm::Sm4Ccm, c),
        SymmetricCiphertext::Unknown(_) => {
            return Err(EnvelopeError::Unsupported("symmetric ciphertext algorithm"))
        }
    };
    Ok(ccm::decrypt(alg, key, &c.nonce, &c.ccm_ciphertext)?)
}

fn ecies_wrap(
    recipient: &PublicKey,
    p1: &[u8],
    k: &SymmetricKey,
) -> Result<EciesP256EncryptedKey, EnvelopeError> {
    let v = SecretKey::generate(recipient.curve(), &mut os_rng())?;
    let z = v.ecdh(recipient)?;
    let mut keys = SharedSecret::new(vec![0u8; KEY_LEN + 32]);
    kdf2_sha256(&z, p1, &mut keys[..]).map_err(|_| EnvelopeError::Unsupported("KDF2"))?;
    let mut c = [0u8; KEY_LEN];
    for ((o, a), b) in c.iter_mut().zip(k.as_bytes()).zip(&keys[..KEY_LEN]) {
        *o = a ^ b;
    }
    let t =
        hmac_sha256_128(&keys[KEY_LEN..], &c).map_err(|_| EnvelopeError::Unsupported("MAC1"))?;
    Ok(EciesP256EncryptedKey {
        v: wire::ecc_point256(&v.public_key())?,
        c,
        t,
    })
}

fn ecies_unwrap(
    d: &Decryptor<'_>,
    curve: Curve,
    p1: &[u8],
    e: &EciesP256EncryptedKey,
) -> Result<SymmetricKey, EnvelopeError> {
    let v = point256(curve, &e.v)?;
    let z = d.ecdh(&v)?;
    let mut keys = SharedSecret::new(vec![0u8; KEY_LEN + 32]);
    kdf2_sha256(&z, p1, &mut keys[..]).map_err(|_| EnvelopeError::Unsupported("KDF2"))?;
    let t =
        hmac_sha256_128(&keys[KEY_LEN..], &e.c).map_err(|_| EnvelopeError::Unsupported("MAC1"))?;
    if !ct_eq(&t, &e.t) {
        return Err(EnvelopeError::Authentication);
    }
    let mut k = SharedSecret::new(vec![0u8; KEY_LEN]);
    for ((o, a), b) in k.iter_mut().zip(&e.c).zip(&keys[..KEY_LEN]) {
        *o = a ^ b;
    }
    SymmetricKey::from_slice(&k).ok_or(EnvelopeError::Malformed("key length"))
}

fn sm2_c3(x: &[u8], m: &[u8], y: &[u8]) -> [u8; 32] {
    let mut buf = SharedSecret::new(Vec::with_capacity(x.len() + m.len() + y.len()));
    buf.extend_from_slice(x);
    buf.extend_from_slice(m);
    buf.extend_from_slice(y);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(HashAlgorithm::Sm3, &buf).as_bytes());
    out
}

fn sm2_keystream(x: &[u8], y: &[u8]) -> Result<SharedSecret, EnvelopeError> {
    let mut xy = SharedSecret::new(Vec::with_capacity(64));
    xy.extend_from_slice(x);
    xy.extend_from_slice(y);
    let mut t = SharedSecret::new(vec![0u8; KEY_LEN]);
    sm3_kdf(&xy, &mut t[..]).map_err(|_| EnvelopeError::Unsupported("SM3 KDF"))?;
    Ok(t)
}

fn sm2_wrap(
    recipient: &PublicKey,
    k: &SymmetricKey,
) -> Result<EcencP256EncryptedKey, EnvelopeError> {
    for _ in 0..8 {
        let v = SecretKey::generate(Curve::Sm2, &mut os_rng())?;
        let shared = recipient.mul(v.as_scalar())?;
        let (x, y) = (
            SharedSecret::new(shared.x_bytes()),
            SharedSecret::new(shared.y_bytes()),
        );
        let t = sm2_keystream(&x, &y)?;
        if t.iter().all(|b| *b == 0) {
            continue;
        }
        let mut c = [0u8; KEY_LEN];
        for ((o, a), b) in c.iter_mut().zip(k.as_bytes()).zip(t.iter()) {
            *o = a ^ b;
        }
        return Ok(EcencP256EncryptedKey {
            v: wire::ecc_point256(&v.public_key())?,
            c,
            t: sm2_c3(&x, k.as_bytes(), &y),
        });
    }
    Err(EnvelopeError::Crypto(scms_crypto::suite::Error::Rng))
}

fn sm2_unwrap(d: &Decryptor<'_>, e: &EcencP256EncryptedKey) -> Result<SymmetricKey, EnvelopeError> {
    let v = point256(Curve::Sm2, &e.v)?;
    let x = d.ecdh(&v)?;
    for odd in [false, true] {
        let p = EcPoint::from_x_and_parity(Curve::Sm2, &x, odd)?;
        let y = SharedSecret::new(p.y_bytes());
        let t = sm2_keystream(&x, &y)?;
        let mut m = SharedSecret::new(vec![0u8; KEY_LEN]);
        for ((o, a), b) in m.iter_mut().zip(&e.c).zip(t.iter()) {
            *o = a ^ b;
        }
        if ct_eq(&sm2_c3(&x, &m[..], &y), &e.t) {
            return SymmetricKey::from_slice(&m).ok_or(EnvelopeError::Malformed("key length"));
        }
    }
    Err(EnvelopeError::Authentication)
}

/// Encrypts `plaintext` (the COER of an `Ieee1609Dot2Data`, per 1609.2) to
/// `key` with `symm`, naming the recipient `recipient_id` as `kind`; `p1` is
/// the ECIES P1 (ignored for SM2). Returns the COER `Ieee1609Dot2Data`.
pub fn encrypt_to_key(
    key: &PublicKey,
    symm: SymmAlgorithm,
    kind: RecipientKind,
    recipient_id: [u8; 8],
    p1: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let k = SymmetricKey::from_bytes(random::<KEY_LEN>()?);
    let enc_key = match key.curve() {
        Curve::NistP256 => EncryptedDataEncryptionKey::EciesNistP256(ecies_wrap(key, p1, &k)?),
        Curve::BrainpoolP256r1 => {
            EncryptedDataEncryptionKey::EciesBrainpoolP256r1(ecies_wrap(key, p1, &k)?)
        }
        Curve::Sm2 => EncryptedDataEncryptionKey::EcencSm2256(sm2_wrap(key, &k)?),
        _ => return Err(EnvelopeError::Unsupported("encryption on a 384-bit curve")),
    };
    let pk = PKRecipientInfo {
        recipient_id,
        enc_key,
    };
    let recipient = match kind {
        RecipientKind::Certificate => RecipientInfo::CertRecipInfo(pk),
        RecipientKind::Rek => RecipientInfo::RekRecipInfo(pk),
    };
    let nonce = random::<NONCE_LEN>()?;
    let ct = ccm::encrypt(symm, &k, &nonce, plaintext)?;
    let data = Ieee1609Dot2Data::new(Ieee1609Dot2Content::EncryptedData(EncryptedData {
        recipients: vec![recipient],
        ciphertext: ciphertext(symm, nonce, ct),
    }));
    Ok(scms_asn1::encode(&data)?)
}

/// Encrypts to the encryption key of `certificate` (`certRecipInfo`).
pub fn encrypt_to_certificate(
    certificate: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let cert: scms_asn1::ieee1609dot2::Certificate<'_> = scms_asn1::decode(certificate)?;
    let pek = cert
        .to_be_signed
        .encryption_key
        .as_ref()
        .ok_or(EnvelopeError::Unsupported(
            "the certificate has no encryption key",
        ))?;
    let (key, symm) = recipient_key(pek)?;
    let id = scms_crypto::verify::certificate_hashed_id8(&cert)?.0;
    encrypt_to_key(
        &key,
        symm,
        RecipientKind::Certificate,
        id,
        &cert_p1(certificate),
        plaintext,
    )
}

/// Encrypts to a response encryption key (`rekRecipInfo`, P1 = SHA-256("")).
pub fn encrypt_to_rek(
    pek: &PublicEncryptionKey,
    plaintext: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let (key, symm) = recipient_key(pek)?;
    encrypt_to_key(
        &key,
        symm,
        RecipientKind::Rek,
        rek_recipient_id(pek)?,
        &rek_p1(),
        plaintext,
    )
}

/// The `EncryptedData` of an `Ieee1609Dot2Data`.
pub fn encrypted_data<'s>(
    data: &'s Ieee1609Dot2Data<'_>,
) -> Result<&'s EncryptedData<'s>, EnvelopeError> {
    match &data.content {
        Ieee1609Dot2Content::EncryptedData(e) => Ok(e),
        _ => Err(EnvelopeError::Malformed("not encryptedData")),
    }
}

/// Opens a public-key envelope addressed to `recipient_id` with the key of `d`.
pub fn decrypt_with(
    d: Decryptor<'_>,
    data: &Ieee1609Dot2Data<'_>,
    recipient_id: &[u8; 8],
    p1: &[u8],
) -> Result<SharedSecret, EnvelopeError> {
    let e = encrypted_data(data)?;
    let pk = e
        .recipients
        .iter()
        .find_map(|r| match r {
            RecipientInfo::CertRecipInfo(p)
            | RecipientInfo::SignedDataRecipInfo(p)
            | RecipientInfo::RekRecipInfo(p)
                if &p.recipient_id == recipient_id =>
            {
                Some(p)
            }
            _ => None,
        })
        .ok_or(EnvelopeError::NotForUs)?;
    let curve = d.curve()?;
    let k = match (&pk.enc_key, curve) {
        (EncryptedDataEncryptionKey::EciesNistP256(e), Curve::NistP256)
        | (EncryptedDataEncryptionKey::EciesBrainpoolP256r1(e), Curve::BrainpoolP256r1) => {
            ecies_unwrap(&d, curve, p1, e)?
        }
        (EncryptedDataEncryptionKey::EcencSm2256(e), Curve::Sm2) => sm2_unwrap(&d, e)?,
        _ => {
            return Err(EnvelopeError::Unsupported(
                "key wrap does not match the key",
            ))
        }
    };
    open_ciphertext(&e.ciphertext, &k)
}

/// Opens an envelope addressed (`certRecipInfo`) to `certificate`, whose
/// private key `d` holds.
pub fn decrypt_for_certificate(
    d: Decryptor<'_>,
    certificate: &[u8],
    data: &Ieee1609Dot2Data<'_>,
) -> Result<SharedSecret, EnvelopeError> {
    let cert: scms_asn1::ieee1609dot2::Certificate<'_> = scms_asn1::decode(certificate)?;
    let id = scms_crypto::verify::certificate_hashed_id8(&cert)?.0;
    decrypt_with(d, data, &id, &cert_p1(certificate))
}

/// Opens an envelope addressed (`rekRecipInfo`) to `pek`, whose private key `d` holds.
pub fn decrypt_for_rek(
    d: Decryptor<'_>,
    pek: &PublicEncryptionKey,
    data: &Ieee1609Dot2Data<'_>,
) -> Result<SharedSecret, EnvelopeError> {
    decrypt_with(d, data, &rek_recipient_id(pek)?, &rek_p1())
}

/// Encrypts `plaintext` under a pre-shared key (`symmRecipInfo`): a fresh data
/// key, CCM-encrypted under `psk`, then the data under the data key.
pub fn encrypt_symmetric(
    psk: &SymmetricKey,
    alg: SymmAlgorithm,
    plaintext: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let k = SymmetricKey::from_bytes(random::<KEY_LEN>()?);
    let n1 = random::<NONCE_LEN>()?;
    let wrapped = ccm::encrypt(alg, psk, &n1, k.as_bytes())?;
    let n2 = random::<NONCE_LEN>()?;
    let ct = ccm::encrypt(alg, &k, &n2, plaintext)?;
    let data = Ieee1609Dot2Data::new(Ieee1609Dot2Content::EncryptedData(EncryptedData {
        recipients: vec![RecipientInfo::SymmRecipInfo(SymmRecipientInfo {
            recipient_id: symmetric_key_id(psk, alg)?,
            enc_key: ciphertext(alg, n1, wrapped),
        })],
        ciphertext: ciphertext(alg, n2, ct),
    }));
    Ok(scms_asn1::encode(&data)?)
}

/// Opens a `symmRecipInfo` envelope with the pre-shared key `psk` (`alg` names
/// the key for its recipient id).
pub fn decrypt_symmetric(
    psk: &SymmetricKey,
    alg: SymmAlgorithm,
    data: &Ieee1609Dot2Data<'_>,
) -> Result<SharedSecret, EnvelopeError> {
    let e = encrypted_data(data)?;
    let id = symmetric_key_id(psk, alg)?;
    let r = e
        .recipients
        .iter()
        .find_map(|r| match r {
            RecipientInfo::SymmRecipInfo(s) if s.recipient_id == id => Some(s),
            _ => None,
        })
        .ok_or(EnvelopeError::NotForUs)?;
    let k = open_ciphertext(&r.enc_key, psk)?;
    let k = SymmetricKey::from_slice(&k).ok_or(EnvelopeError::Malformed("data key length"))?;
    open_ciphertext(&e.ciphertext, &k)
}

/// The COER `Ieee1609Dot2Data` of `unsecuredData` carrying `payload` (what
/// 1609.2 encrypts when the payload is not itself an `Ieee1609Dot2Data`).
pub fn unsecured(payload: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    Ok(scms_asn1::encode(&Ieee1609Dot2Data::new(
        Ieee1609Dot2Content::UnsecuredData(payload.to_vec().into()),
    ))?)
}

/// The payload of a COER `Ieee1609Dot2Data` of `unsecuredData`.
pub fn unsecured_payload(bytes: &[u8]) -> Result<SharedSecret, EnvelopeError> {
    let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(bytes)?;
    match &d.content {
        Ieee1609Dot2Content::UnsecuredData(o) => Ok(SharedSecret::new(o.to_vec())),
        _ => Err(EnvelopeError::Malformed("not unsecuredData")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(curve: Curve) {
        let sk = SecretKey::generate(curve, &mut os_rng()).unwrap();
        let pek = public_encryption_key(&sk.public_key()).unwrap();
        let msg = unsecured(b"pseudonym response").unwrap();
        let ct = encrypt_to_rek(&pek, &msg).unwrap();
        let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(&ct).unwrap();
        let pt = decrypt_for_rek(Decryptor::Key(&sk), &pek, &data).unwrap();
        assert_eq!(&pt[..], &msg[..]);
        let other = SecretKey::generate(curve, &mut os_rng()).unwrap();
        assert!(decrypt_for_rek(Decryptor::Key(&other), &pek, &data).is_err());
        let mut tampered = ct.clone();
        let n = tampered.len();
        tampered[n - 1] ^= 1;
        let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(&tampered).unwrap();
        assert!(matches!(
            decrypt_for_rek(Decryptor::Key(&sk), &pek, &data),
            Err(EnvelopeError::Authentication)
        ));
    }

    #[test]
    fn public_key_envelopes_round_trip() {
        for c in [Curve::NistP256, Curve::BrainpoolP256r1, Curve::Sm2] {
            round_trip(c);
        }
    }

    #[test]
    fn symmetric_envelope_round_trip() {
        for alg in [SymmAlgorithm::Aes128Ccm, SymmAlgorithm::Sm4Ccm] {
            let psk = SymmetricKey::from_bytes([7; 16]);
            let ct = encrypt_symmetric(&psk, alg, b"plv").unwrap();
            let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(&ct).unwrap();
            assert_eq!(&decrypt_symmetric(&psk, alg, &data).unwrap()[..], b"plv");
            let wrong = SymmetricKey::from_bytes([8; 16]);
            assert!(matches!(
                decrypt_symmetric(&wrong, alg, &data),
                Err(EnvelopeError::NotForUs)
            ));
        }
    }
}
