//! Keys on a PKCS#11 token (tested with SoftHSM2), through `cryptoki`.
//!
//! Keys are generated on the token as `CKA_TOKEN`, `CKA_PRIVATE`,
//! `CKA_SENSITIVE` and not `CKA_EXTRACTABLE`: the private scalar never
//! reaches this process. Signing is raw `CKM_ECDSA` over the caller's digest
//! (tokens like SoftHSM2 have no hash-and-sign that fits 1609.2's
//! `H(H(tbs) || H(signer))`), ECDH is `CKM_ECDH1_DERIVE` into a short-lived
//! session secret that is read and destroyed. Key pairs are found by
//! `CKA_LABEL`; the curve comes from `CKA_EC_PARAMS` (a DER named-curve OID).
//!
//! SM2 is refused (SoftHSM2 and standard PKCS#11 define no SM2/SM3
//! mechanism), and so is ECQV issuance: see `docs/keys.md` and
//! [`crate::WrappedKeyStore`].

use crate::der::{curve_from_oid, curve_oid, parse_ec_point};
use crate::{validate_label, KeyInfo, KeyStore, KeyStoreError};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as P11Error, RvError};
use cryptoki::mechanism::elliptic_curve::{EcKdf, Ecdh1DeriveParams};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::{AuthPin, Ulong};
use scms_crypto::suite::{
    Curve, EcScalar, Error as CryptoError, PublicKey, SharedSecret, Signature, SignatureR,
};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use zeroize::Zeroizing;

/// Why SM2 keys cannot live on the token.
pub const SM2_UNSUPPORTED: &str =
    "SM2 needs a vendor HSM with SM2/SM3 mechanisms; SoftHSM2 has none";

/// Why a token key cannot issue ECQV certificates.
pub const ECQV_UNSUPPORTED: &str = "ECQV issuance needs s = e*k + d mod n on the private key, \
     which PKCS#11 has no mechanism for; hold the ACA issuing key in a WrappedKeyStore \
     (see docs/keys.md)";

pub(crate) fn p11(e: P11Error) -> KeyStoreError {
    KeyStoreError::Backend(format!("PKCS#11: {e}"))
}

/// The protection attributes of a private key as the token reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenKeyFlags {
    pub token: bool,
    pub private: bool,
    pub sensitive: bool,
    pub extractable: bool,
    pub always_sensitive: bool,
    pub never_extractable: bool,
}

/// A [`KeyStore`] on one PKCS#11 token, logged in as the user.
pub struct Pkcs11KeyStore {
    // Declared before `ctx`, so dropped (closed) before `C_Finalize`.
    session: Mutex<Session>,
    ctx: Pkcs11,
    token: String,
}

impl core::fmt::Debug for Pkcs11KeyStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pkcs11KeyStore")
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl Pkcs11KeyStore {
    /// Loads `module`, finds the token labelled `token` and logs in with `pin`.
    /// One store per module and process: dropping it finalizes the module.
    pub fn open(module: &Path, token: &str, pin: &str) -> Result<Self, KeyStoreError> {
        let ctx = Pkcs11::new(module).map_err(|e| {
            KeyStoreError::Backend(format!(
                "cannot load PKCS#11 module {}: {e}",
                module.display()
            ))
        })?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(P11Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(p11(e)),
        }
        let mut slot = None;
        for s in ctx.get_slots_with_initialized_token().map_err(p11)? {
            let info = ctx.get_token_info(s).map_err(p11)?;
            if info.label().trim_end() == token {
                slot = Some(s);
                break;
            }
        }
        let slot = slot
            .ok_or_else(|| KeyStoreError::NotFound(format!("PKCS#11 token labelled {token:?}")))?;
        let session = ctx.open_rw_session(slot).map_err(p11)?;
        let pin = AuthPin::from(pin.to_string());
        match session.login(UserType::User, Some(&pin)) {
            Ok(()) | Err(P11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(P11Error::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _)) => {
                return Err(KeyStoreError::WrongPassphrase(format!("token {token:?}")))
            }
            Err(e) => return Err(p11(e)),
        }
        Ok(Self {
            session: Mutex::new(session),
            ctx,
            token: token.to_string(),
        })
    }

    /// The label of the token.
    pub fn token_label(&self) -> &str {
        &self.token
    }

    /// The loaded module (e.g. for its info or mechanism list).
    pub fn context(&self) -> &Pkcs11 {
        &self.ctx
    }

    pub(crate) fn session(&self) -> Result<MutexGuard<'_, Session>, KeyStoreError> {
        self.session
            .lock()
            .map_err(|_| KeyStoreError::Backend("PKCS#11 session lock poisoned".into()))
    }

    /// The protection attributes of the private key `label`, read back from the token.
    pub fn private_key_flags(&self, label: &str) -> Result<TokenKeyFlags, KeyStoreError> {
        let s = self.session()?;
        let h = find_one(&s, ObjectClass::PRIVATE_KEY, label)?;
        read_flags(&s, h)
    }

    /// Creates an AES-256 key on the token (sensitive, non-extractable,
    /// encrypt/decrypt only), unless one labelled `label` exists already.
    pub fn ensure_aes_key(&self, label: &str) -> Result<(), KeyStoreError> {
        validate_label(label)?;
        let s = self.session()?;
        if find(&s, ObjectClass::SECRET_KEY, label)?.is_some() {
            return Ok(());
        }
        let template = [
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::ValueLen(Ulong::from(32)),
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Encrypt(true),
            Attribute::Decrypt(true),
            Attribute::Wrap(false),
            Attribute::Unwrap(false),
            Attribute::Label(label.as_bytes().to_vec()),
        ];
        s.generate_key(&Mechanism::AesKeyGen, &template)
            .map_err(p11)?;
        Ok(())
    }

    /// The protection attributes of the AES key `label`.
    pub fn secret_key_flags(&self, label: &str) -> Result<TokenKeyFlags, KeyStoreError> {
        let s = self.session()?;
        let h = find_one(&s, ObjectClass::SECRET_KEY, label)?;
        read_flags(&s, h)
    }

    /// AES-256-GCM with the token key `key_label` (`encrypt` or decrypt);
    /// the output is ciphertext || 16-byte tag, resp. the plaintext.
    pub(crate) fn aes_gcm(
        &self,
        key_label: &str,
        encrypt: bool,
        iv: &[u8; 12],
        aad: &[u8],
        input: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
        let s = self.session()?;
        let h = find_one(&s, ObjectClass::SECRET_KEY, key_label)?;
        let mut iv = *iv;
        let params = cryptoki::mechanism::aead::GcmParams::new(&mut iv, aad, Ulong::from(128))
            .map_err(p11)?;
        let mech = Mechanism::AesGcm(params);
        if encrypt {
            Ok(Zeroizing::new(s.encrypt(&mech, h, input).map_err(p11)?))
        } else {
            match s.decrypt(&mech, h, input) {
                Ok(pt) => Ok(Zeroizing::new(pt)),
                // A GCM tag mismatch: SoftHSM2 reports it as CKR_GENERAL_ERROR.
                Err(P11Error::Pkcs11(
                    RvError::EncryptedDataInvalid
                    | RvError::EncryptedDataLenRange
                    | RvError::GeneralError,
                    _,
                )) => Err(KeyStoreError::Corrupt(
                    "wrapped key (the token's AES-GCM authentication failed)".into(),
                )),
                Err(e) => Err(p11(e)),
            }
        }
    }
}

fn find(
    s: &Session,
    class: ObjectClass,
    label: &str,
) -> Result<Option<ObjectHandle>, KeyStoreError> {
    let found = s
        .find_objects(&[
            Attribute::Class(class),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .map_err(p11)?;
    match found.as_slice() {
        [] => Ok(None),
        [h] => Ok(Some(*h)),
        _ => Err(KeyStoreError::Backend(format!(
            "several objects on the token are labelled {label:?}"
        ))),
    }
}

fn find_one(s: &Session, class: ObjectClass, label: &str) -> Result<ObjectHandle, KeyStoreError> {
    validate_label(label)?;
    find(s, class, label)?.ok_or_else(|| KeyStoreError::NotFound(label.to_string()))
}

fn read_flags(s: &Session, h: ObjectHandle) -> Result<TokenKeyFlags, KeyStoreError> {
    let attrs = s
        .get_attributes(
            h,
            &[
                AttributeType::Token,
                AttributeType::Private,
                AttributeType::Sensitive,
                AttributeType::Extractable,
                AttributeType::AlwaysSensitive,
                AttributeType::NeverExtractable,
            ],
        )
        .map_err(p11)?;
    // Missing attributes read as the unsafe value, so a check fails loudly.
    let mut f = TokenKeyFlags {
        token: false,
        private: false,
        sensitive: false,
        extractable: true,
        always_sensitive: false,
        never_extractable: false,
    };
    for a in attrs {
        match a {
            Attribute::Token(v) => f.token = v,
            Attribute::Private(v) => f.private = v,
            Attribute::Sensitive(v) => f.sensitive = v,
            Attribute::Extractable(v) => f.extractable = v,
            Attribute::AlwaysSensitive(v) => f.always_sensitive = v,
            Attribute::NeverExtractable(v) => f.never_extractable = v,
            _ => {}
        }
    }
    Ok(f)
}

fn curve_of(s: &Session, h: ObjectHandle) -> Result<Curve, KeyStoreError> {
    let attrs = s
        .get_attributes(h, &[AttributeType::EcParams])
        .map_err(p11)?;
    for a in attrs {
        if let Attribute::EcParams(oid) = a {
            return curve_from_oid(&oid).ok_or_else(|| {
                KeyStoreError::Unsupported("a token key on a curve scms does not use".into())
            });
        }
    }
    Err(KeyStoreError::Backend(
        "token key without CKA_EC_PARAMS".into(),
    ))
}

fn public_key_of(s: &Session, label: &str) -> Result<PublicKey, KeyStoreError> {
    let h = find_one(s, ObjectClass::PUBLIC_KEY, label)?;
    let curve = curve_of(s, h)?;
    let attrs = s
        .get_attributes(h, &[AttributeType::EcPoint])
        .map_err(p11)?;
    for a in attrs {
        if let Attribute::EcPoint(p) = a {
            return parse_ec_point(curve, &p);
        }
    }
    Err(KeyStoreError::Backend(
        "token key without CKA_EC_POINT".into(),
    ))
}

fn label_of(s: &Session, h: ObjectHandle) -> Result<Option<String>, KeyStoreError> {
    let attrs = s.get_attributes(h, &[AttributeType::Label]).map_err(p11)?;
    for a in attrs {
        if let Attribute::Label(l) = a {
            return Ok(String::from_utf8(l).ok());
        }
    }
    Ok(None)
}

impl KeyStore for Pkcs11KeyStore {
    fn generate(&self, label: &str, curve: Curve) -> Result<KeyInfo, KeyStoreError> {
        validate_label(label)?;
        if curve.is_sm2() {
            return Err(KeyStoreError::Unsupported(SM2_UNSUPPORTED.into()));
        }
        let s = self.session()?;
        if find(&s, ObjectClass::PRIVATE_KEY, label)?.is_some()
            || find(&s, ObjectClass::PUBLIC_KEY, label)?.is_some()
        {
            return Err(KeyStoreError::Exists(label.to_string()));
        }
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(|_| KeyStoreError::Crypto(CryptoError::Rng))?;
        let public = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::EcParams(curve_oid(curve).to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id.to_vec()),
        ];
        let private = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Derive(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id.to_vec()),
        ];
        s.generate_key_pair(&Mechanism::EccKeyPairGen, &public, &private)
            .map_err(p11)?;
        let pk = public_key_of(&s, label)?;
        Ok(KeyInfo {
            label: label.to_string(),
            curve,
            public_key: pk.to_sec1(true),
            extractable: false,
        })
    }

    fn public_key(&self, label: &str) -> Result<PublicKey, KeyStoreError> {
        public_key_of(&*self.session()?, label)
    }

    /// Raw `CKM_ECDSA` on the token: `r` comes back as x-only bytes.
    fn sign_digest(&self, label: &str, digest: &[u8]) -> Result<Signature, KeyStoreError> {
        let s = self.session()?;
        let h = find_one(&s, ObjectClass::PRIVATE_KEY, label)?;
        let curve = curve_of(&s, h)?;
        let fl = curve.field_len();
        let rs = s.sign(&Mechanism::Ecdsa, h, digest).map_err(p11)?;
        if rs.len() != 2 * fl {
            return Err(KeyStoreError::Backend(format!(
                "token returned a {}-byte ECDSA signature, expected {}",
                rs.len(),
                2 * fl
            )));
        }
        Ok(Signature {
            r: SignatureR::X(rs[..fl].to_vec()),
            s: rs[fl..].to_vec(),
        })
    }

    fn ecdh(&self, label: &str, peer: &PublicKey) -> Result<SharedSecret, KeyStoreError> {
        let s = self.session()?;
        let h = find_one(&s, ObjectClass::PRIVATE_KEY, label)?;
        let curve = curve_of(&s, h)?;
        if peer.curve() != curve {
            return Err(KeyStoreError::Crypto(CryptoError::CurveMismatch));
        }
        let fl = curve.field_len();
        let peer_point = peer.to_sec1(false);
        let params = Ecdh1DeriveParams::new(EcKdf::null(), &peer_point);
        // A session object (gone at logout at the latest), readable so that
        // its value can come out: it is the ECDH output, not the key.
        let template = [
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::ValueLen(Ulong::from(fl as u64)),
            Attribute::Token(false),
            Attribute::Sensitive(false),
            Attribute::Extractable(true),
        ];
        let secret = s
            .derive_key(&Mechanism::Ecdh1Derive(params), h, &template)
            .map_err(p11)?;
        let value = s.get_attributes(secret, &[AttributeType::Value]);
        let destroyed = s.destroy_object(secret);
        let mut out = None;
        for a in value.map_err(p11)? {
            if let Attribute::Value(mut v) = a {
                out = Some(Zeroizing::new(std::mem::take(&mut v)));
            }
        }
        destroyed.map_err(p11)?;
        let out = out.ok_or_else(|| KeyStoreError::Backend("ECDH secret has no value".into()))?;
        if out.len() != fl {
            return Err(KeyStoreError::Backend(
                "ECDH secret of the wrong length".into(),
            ));
        }
        Ok(out)
    }

    fn ecqv_reconstruction(
        &self,
        _label: &str,
        _e: &EcScalar,
        _k: &EcScalar,
    ) -> Result<EcScalar, KeyStoreError> {
        Err(KeyStoreError::Unsupported(ECQV_UNSUPPORTED.into()))
    }

    fn list(&self) -> Result<Vec<KeyInfo>, KeyStoreError> {
        let s = self.session()?;
        let handles = s
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::KeyType(KeyType::EC),
            ])
            .map_err(p11)?;
        let mut out = Vec::new();
        for h in handles {
            let Some(label) = label_of(&s, h)? else {
                continue;
            };
            if validate_label(&label).is_err() {
                continue;
            }
            let pk = public_key_of(&s, &label)?;
            let flags = read_flags(&s, h)?;
            out.push(KeyInfo {
                label,
                curve: pk.curve(),
                public_key: pk.to_sec1(true),
                extractable: flags.extractable,
            });
        }
        out.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(out)
    }
}
