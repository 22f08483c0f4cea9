//! Linkage authority (LA1 / LA2) of the scms V2X SCMS, as plain functions over
//! values: no I/O, no clock, no storage (a [`ChainStore`] holds the seeds).
//!
//! An LA keeps one linkage seed per *linkage chain*. A chain is what the RA
//! asks for on behalf of one provisioning request; the LA assigns its
//! [`ChainId`] and never learns which device it belongs to. For a chain,
//! i-periods `i` and indices `j`, it answers pre-linkage values
//! `plv(i, j) = (AES_{ls(i)}(la_id || j || 0^80) XOR (la_id || j || 0^80))[0..9]`
//! with `ls(i) = SHA-256(la_id || ls(i-1) || 0^112)[0..16]` (`scms_crypto::linkage`),
//! each **encrypted for the ACA** as an `EncryptedIndividualPLV`
//! (1609.2.1 `Ieee1609Dot2Data-SymmEncryptedSingleRecipient`): AES-128-CCM
//! (SM4-CCM in the CN family) under a key the LA shared with the ACA
//! beforehand by ECIES (SM2 encryption) to the ACA certificate's encryption key
//! ([`LinkageAuthority::share_key_with_aca`]), so the RA that carries them
//! cannot read them. For the MA, [`LinkageAuthority::reveal_seed`] gives the
//! seed of a chain at an i-period (issue 6).

pub mod service;

use core::fmt;
use std::collections::BTreeMap;

use scms_asn1::ieee1609dot2::{Ieee1609Dot2Data, SymmetricEncryptionKey};
use scms_asn1::ieee1609dot2dot1::aca_ra::EncryptedIndividualPLV;
use scms_asn1::ieee1609dot2dot1::protocol::Ieee1609Dot2DataSymmEncryptedSingleRecipient;
use scms_crypto::ccm::{SymmAlgorithm, SymmetricKey};
use scms_crypto::linkage::{LaId, LinkageSeed};
use scms_crypto::suite::{CryptoProvider, RustCryptoProvider};
use scms_hsm::envelope::{self, EnvelopeError};
use zeroize::Zeroizing;

/// Why an LA refused.
#[derive(Debug)]
pub enum LaError {
    /// No key is shared with the ACA yet.
    NoAcaKey,
    /// The chain is unknown.
    UnknownChain,
    /// The requester is not an authorized MA.
    Unauthorized(String),
    /// The request is out of the LA's limits or before the chain's start.
    BadRequest(String),
    /// Encryption failed, or decryption with this LA's own key (its key
    /// store) failed.
    Envelope(EnvelopeError),
    /// Encoding failed.
    Encode(scms_asn1::EncodeError),
    /// Randomness failed.
    Rng,
    /// The service lacks what the request needs (its certificate, trust store).
    NotConfigured(&'static str),
    /// The request's signed (or signed, then encrypted) SPDU is refused:
    /// malformed or not encrypted where it must be (400), or its signer,
    /// role, freshness or recipient is not accepted (403).
    Refused(scms_ca::spdu::SpduRefusal),
    /// Misbehavior investigation is not enabled on this LA (404).
    InvestigationDisabled,
    /// The key store failed (the sealing key, a signature).
    KeyStore(String),
    /// A stored record does not open or decode (names which).
    Corrupt(&'static str),
    /// The database failed (500), or cannot be reached now (`unavailable`:
    /// 503, the same request may be repeated).
    Storage { unavailable: bool, reason: String },
}

impl fmt::Display for LaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoAcaKey => f.write_str("no key shared with the ACA"),
            Self::UnknownChain => f.write_str("unknown linkage chain"),
            Self::Unauthorized(w) => write!(f, "unauthorized: {w}"),
            Self::NotConfigured(w) => write!(f, "not configured: {w}"),
            Self::Refused(e) if e.is_malformed() => write!(f, "bad request: {e}"),
            Self::Refused(e) => write!(f, "unauthorized: {e}"),
            Self::InvestigationDisabled => f.write_str("investigation not enabled"),
            Self::KeyStore(w) => write!(f, "key store: {w}"),
            Self::Corrupt(w) => write!(f, "stored {w} is corrupt"),
            Self::BadRequest(w) => write!(f, "bad request: {w}"),
            Self::Envelope(e) => write!(f, "{e}"),
            Self::Encode(e) => write!(f, "encode: {e}"),
            Self::Rng => f.write_str("random generator failed"),
            Self::Storage { reason, .. } => write!(f, "storage: {reason}"),
        }
    }
}

impl std::error::Error for LaError {}

impl From<EnvelopeError> for LaError {
    fn from(e: EnvelopeError) -> Self {
        Self::Envelope(e)
    }
}
impl From<scms_asn1::DecodeError> for LaError {
    fn from(e: scms_asn1::DecodeError) -> Self {
        Self::BadRequest(e.to_string())
    }
}
impl From<scms_ca::spdu::SpduRefusal> for LaError {
    fn from(e: scms_ca::spdu::SpduRefusal) -> Self {
        Self::Refused(e)
    }
}
impl From<scms_asn1::EncodeError> for LaError {
    fn from(e: scms_asn1::EncodeError) -> Self {
        Self::Encode(e)
    }
}

/// A linkage chain id, drawn by the LA (16 random bytes): all the RA and the
/// MA know of a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainId(pub [u8; 16]);

/// A chain: its seed at its first i-period. Secret; the storage layer seals it.
#[derive(Clone, Debug)]
pub struct ChainRecord {
    /// The first i-period of the chain.
    pub first_i: u32,
    /// `ls(first_i)`.
    pub seed: LinkageSeed,
}

/// Where an LA keeps its chains (a storage layer persists them, sealed).
pub trait ChainStore {
    /// Records a new chain (ids are fresh: never overwrite).
    fn insert(&mut self, id: ChainId, record: ChainRecord) -> Result<(), LaError>;
    /// The chain `id`.
    fn get(&self, id: &ChainId) -> Option<ChainRecord>;
}

/// An in-memory [`ChainStore`].
#[derive(Debug, Default)]
pub struct MemoryChainStore {
    chains: BTreeMap<ChainId, ChainRecord>,
}

impl MemoryChainStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every chain (the whole of this LA's secret data, for tests).
    pub fn chains(&self) -> impl Iterator<Item = (&ChainId, &ChainRecord)> {
        self.chains.iter()
    }
}

impl ChainStore for MemoryChainStore {
    fn insert(&mut self, id: ChainId, record: ChainRecord) -> Result<(), LaError> {
        if self.chains.contains_key(&id) {
            return Err(LaError::BadRequest("chain id collision".into()));
        }
        self.chains.insert(id, record);
        Ok(())
    }

    fn get(&self, id: &ChainId) -> Option<ChainRecord> {
        self.chains.get(id).cloned()
    }
}

/// The RA's request: a new chain (`chain: None`) or a continuation, for
/// i-periods `i_first .. i_first + i_count` and `j` in `0 .. j_count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlvRequest {
    pub chain: Option<ChainId>,
    pub i_first: u32,
    pub i_count: u32,
    pub j_count: u32,
}

/// One encrypted pre-linkage value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedPlv {
    pub i: u32,
    pub j: u32,
    /// COER `EncryptedIndividualPLV`.
    pub value: Vec<u8>,
}

/// The LA's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlvResponse {
    pub la_id: LaId,
    pub chain: ChainId,
    /// Ordered by `i`, then `j`.
    pub values: Vec<EncryptedPlv>,
    /// The chain's linkage chain identifier (COER CAMP `LinkageChainId`: the
    /// chain id encrypted by the LA to itself), for the RA to keep and hand to
    /// the MA in an investigation; empty when the core answers without a
    /// service (no sealing key).
    pub lci: Vec<u8>,
}

/// Limits of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaLimits {
    pub max_i_count: u32,
    pub max_j_count: u32,
}

impl Default for LaLimits {
    fn default() -> Self {
        Self {
            max_i_count: 60,
            max_j_count: 255,
        }
    }
}

/// A linkage authority.
#[derive(Debug)]
pub struct LinkageAuthority {
    pub la_id: LaId,
    /// AES-128-CCM (US) or SM4-CCM (CN) for the values sent to the ACA.
    pub alg: SymmAlgorithm,
    pub limits: LaLimits,
    aca_key: Option<SymmetricKey>,
}

fn random<const N: usize>() -> Result<[u8; N], LaError> {
    let mut b = [0u8; N];
    RustCryptoProvider
        .fill_random(&mut b)
        .map_err(|_| LaError::Rng)?;
    Ok(b)
}

impl LinkageAuthority {
    /// An LA with no ACA key yet.
    pub fn new(la_id: LaId, alg: SymmAlgorithm) -> Self {
        Self {
            la_id,
            alg,
            limits: LaLimits::default(),
            aca_key: None,
        }
    }

    /// An LA with a key restored from storage.
    pub fn with_aca_key(la_id: LaId, alg: SymmAlgorithm, key: SymmetricKey) -> Self {
        Self {
            aca_key: Some(key),
            ..Self::new(la_id, alg)
        }
    }

    /// The key shared with the ACA, for the storage layer to seal.
    pub fn aca_key(&self) -> Option<&SymmetricKey> {
        self.aca_key.as_ref()
    }

    /// Draws a fresh key to share with the ACA and returns it encrypted to
    /// the encryption key of `aca_certificate` (`certRecipInfo`): an
    /// `Ieee1609Dot2Data` whose plaintext is the COER `SymmetricEncryptionKey`
    /// as unsecuredData, for `scms_ca::aca::Aca::accept_la_key`.
    pub fn share_key_with_aca(&mut self, aca_certificate: &[u8]) -> Result<Vec<u8>, LaError> {
        let key = SymmetricKey::from_bytes(random::<16>()?);
        let sek = match self.alg {
            SymmAlgorithm::Aes128Ccm => SymmetricEncryptionKey::Aes128Ccm(*key.as_bytes()),
            SymmAlgorithm::Sm4Ccm => SymmetricEncryptionKey::Sm4Ccm(*key.as_bytes()),
        };
        let sek_bytes = Zeroizing::new(scms_asn1::encode(&sek)?);
        let pt = Zeroizing::new(envelope::unsecured(&sek_bytes)?);
        let msg = envelope::encrypt_to_certificate(aca_certificate, &pt)?;
        self.aca_key = Some(key);
        Ok(msg)
    }

    fn seed_at(&self, rec: &ChainRecord, i: u32) -> Result<LinkageSeed, LaError> {
        let steps = i.checked_sub(rec.first_i).ok_or_else(|| {
            LaError::BadRequest(format!("i-period {i} is before the chain's start"))
        })?;
        Ok(rec.seed.at(self.la_id, steps))
    }

    /// Answers a pre-linkage-value request, drawing a new chain when
    /// `request.chain` is `None`.
    pub fn handle_plv_request(
        &self,
        store: &mut dyn ChainStore,
        request: &PlvRequest,
    ) -> Result<PlvResponse, LaError> {
        let key = self.aca_key.as_ref().ok_or(LaError::NoAcaKey)?;
        if request.i_count == 0
            || request.j_count == 0
            || request.i_count > self.limits.max_i_count
            || request.j_count > self.limits.max_j_count
        {
            return Err(LaError::BadRequest("i or j count out of limits".into()));
        }
        let i_last = request
            .i_first
            .checked_add(request.i_count - 1)
            .ok_or_else(|| LaError::BadRequest("i overflows".into()))?;
        let (chain, rec) = match request.chain {
            Some(id) => (id, store.get(&id).ok_or(LaError::UnknownChain)?),
            None => {
                let id = ChainId(random::<16>()?);
                let rec = ChainRecord {
                    first_i: request.i_first,
                    seed: LinkageSeed::from_bytes(random::<16>()?),
                };
                store.insert(id, rec.clone())?;
                (id, rec)
            }
        };
        let mut values = Vec::with_capacity((request.i_count * request.j_count) as usize);
        let mut seed = self.seed_at(&rec, request.i_first)?;
        for i in request.i_first..=i_last {
            for j in 0..request.j_count {
                let plv = seed.pre_linkage_value(self.la_id, j);
                let pt = Zeroizing::new(envelope::unsecured(plv.as_bytes())?);
                let ct = envelope::encrypt_symmetric(key, self.alg, &pt)?;
                let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(&ct)
                    .map_err(|_| LaError::BadRequest("envelope does not decode".into()))?;
                let e = EncryptedIndividualPLV {
                    version: 2,
                    la_id: self.la_id.to_bytes(),
                    enc_plv: Ieee1609Dot2DataSymmEncryptedSingleRecipient(data),
                };
                values.push(EncryptedPlv {
                    i,
                    j,
                    value: scms_asn1::encode(&e)?,
                });
            }
            seed = seed.next(self.la_id);
        }
        Ok(PlvResponse {
            la_id: self.la_id,
            chain,
            values,
            lci: Vec::new(),
        })
    }

    /// The seed of `chain` at i-period `i` (for the MA, with authorization
    /// checked by the caller).
    pub fn reveal_seed(
        &self,
        store: &dyn ChainStore,
        chain: &ChainId,
        i: u32,
    ) -> Result<LinkageSeed, LaError> {
        let rec = store.get(chain).ok_or(LaError::UnknownChain)?;
        self.seed_at(&rec, i)
    }
}
