//! The ACA's side of pseudonym provisioning (IEEE 1609.2.1-2022 clause 9.3,
//! `RaAcaCertRequest` -> `AcaRaCertResponse`), as plain functions over values
//! and a [`KeyStore`]: no I/O, no clock, no storage.
//!
//! [`Aca::handle_ra_aca_request`] verifies the RA's signed request (the RA
//! certificate chains to a trust anchor, is valid and has
//! `certRequestPermissions`), opens the two pre-linkage values with the keys
//! the LAs shared with it ([`Aca::accept_la_key`]), computes
//! `lv = plv1 XOR plv2`, issues the pseudonym certificate through
//! [`crate::issue::issue`] (linted against the ACA and against the RA's
//! request permissions) and answers an `AcaEeCertResponsePrivateSpdu`:
//! the `AcaEeCertResponse` (certificate and `privateKeyInfo`) encrypted to
//! `certEncKey` (`rekRecipInfo`), then signed by the ACA.
//!
//! Keys (1609.2.1 clause 9.3): the request key `B` is the RA's cocoon
//! signing key. Implicit certificates: ECQV with `B` as the request key, so
//! the ACA's random `k` already shifts the key (`P = B + k·G`) and
//! `privateKeyInfo` is the reconstruction value `s`. Explicit certificates
//! (`butterflyExplicit`): the ACA draws `c`, certifies `B + c·G` and returns
//! `c` as `privateKeyInfo` (the "private key randomization value"). Without
//! either, a device-chosen key would be certified as given. The ACA never sees
//! an enrollment certificate: nothing in the request names the device.
//!
//! [`TrustStore`] and the signed-certificate-request helpers are shared with
//! the RA (`scms-ra`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use scms_asn1::codec::Spanned;
use scms_asn1::ieee1609dot2::time::validity_end;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, Ieee1609Dot2Content, Ieee1609Dot2Data,
    ServiceSpecificPermissions, SignedData, SignerIdentifier, SymmetricEncryptionKey, Time32,
    VerificationKeyIndicator,
};
use scms_asn1::ieee1609dot2dot1::aca_ee::{AcaEeCertResponse, AcaEeInterfacePdu};
use scms_asn1::ieee1609dot2dot1::aca_ra::{
    AcaRaCertResponse, AcaRaInterfacePdu, AcaResponse, EncryptedIndividualPLV, RaAcaCertRequest,
};
use scms_asn1::ieee1609dot2dot1::protocol::{
    AcaEeCertResponsePrivateSpdu, AcaRaCertResponseSpdu,
    Ieee1609Dot2DataSymmEncryptedSingleRecipient, RaAcaCertRequestSpdu, ScmsPdu, ScmsPduContent,
    ScopedCertificateRequest, SignedCertificateRequest, SECURITY_MGMT_PSID,
};
use scms_crypto::ccm::{SymmAlgorithm, SymmetricKey};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::hashed_id::HashedId8;
use scms_crypto::linkage::{LinkageValue, PreLinkageValue};
use scms_crypto::signing_input::{ecdsa_signing_digest, sm2_signing_digest, SigningInputHashes};
use scms_crypto::suite::{os_rng, Curve, EcPoint, EcScalar, KeyTable, PublicKey};
use scms_crypto::verify::{
    certificate_hashed_id8, certificate_public_key, issuer_digest, point256, suite_signature,
    verify_certificate,
};
use scms_crypto::wire;
use scms_hsm::KeyStore;

use crate::issue::{issue_decoded, IssuanceRecord, IssueParams, IssuerRef, SubjectId};
use crate::profile::{CertKind, Profile};
use crate::spdu::{signed_spdu, SignerForm};
use crate::CaError;
use scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp;
use scms_hsm::envelope::{self, Decryptor, EnvelopeError};

/// Why the ACA refused a request. Nothing is issued when one is returned.
#[derive(Debug)]
pub enum AcaError {
    /// The bytes are not the expected SPDU.
    Malformed(String),
    /// The RA's certificate or signature does not verify, or the RA may not request.
    Unauthorized(String),
    /// An encrypted pre-linkage value cannot be opened.
    Linkage(String),
    /// A form of request this ACA does not serve (plain or compact-unified responses).
    Unsupported(&'static str),
    /// Issuance, signing or a key failed.
    Ca(CaError),
    /// Encryption of the response failed.
    Envelope(EnvelopeError),
}

impl core::fmt::Display for AcaError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed request: {w}"),
            Self::Unauthorized(w) => write!(f, "unauthorized: {w}"),
            Self::Linkage(w) => write!(f, "pre-linkage values: {w}"),
            Self::Unsupported(w) => write!(f, "unsupported: {w}"),
            Self::Ca(e) => write!(f, "{e}"),
            Self::Envelope(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AcaError {}

impl From<CaError> for AcaError {
    fn from(e: CaError) -> Self {
        Self::Ca(e)
    }
}
impl From<EnvelopeError> for AcaError {
    fn from(e: EnvelopeError) -> Self {
        Self::Envelope(e)
    }
}
impl From<scms_asn1::DecodeError> for AcaError {
    fn from(e: scms_asn1::DecodeError) -> Self {
        Self::Malformed(e.to_string())
    }
}
impl From<scms_asn1::EncodeError> for AcaError {
    fn from(e: scms_asn1::EncodeError) -> Self {
        Self::Ca(CaError::Encode(e))
    }
}
impl From<scms_crypto::suite::Error> for AcaError {
    fn from(e: scms_crypto::suite::Error) -> Self {
        Self::Ca(CaError::Crypto(e))
    }
}

/// Why a certificate chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError(pub String);

impl core::fmt::Display for ChainError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ChainError {}

/// Trust anchors (roots) and intermediate CA certificates by HashedId8: what an
/// authority needs to check a peer's certificate chain; and, for requests
/// between authorities, the allowlist of the peer certificates that may sign
/// them.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: BTreeMap<[u8; 8], Vec<u8>>,
    cas: BTreeMap<[u8; 8], Vec<u8>>,
    /// HashedId8 of each authority certificate allowed to sign an internal
    /// request (`check_peer`). `None`: not configured, any certificate that
    /// chains and has the endpoint's role is a peer (libraries and tests of
    /// one hierarchy); `scms serve` always configures it, so a second RA or
    /// MA certificate issued in the hierarchy is not let in on its role alone.
    peers: Option<BTreeSet<[u8; 8]>>,
    verified: ChainCache,
}

/// Chains already verified, by leaf certificate bytes: the leaf's key and the
/// intersection of the chain's validity periods. A hit inside that window
/// skips decoding and the signature checks (the ACA sees the same RA
/// certificate on every request); outside it the full walk runs and reports.
/// From the second use on, a P-256 or SM2 leaf key also gets the engine's
/// signer table (32 KiB, ~3x faster verification), so one-off chains (enrolment
/// certificates at the RA) cost no table. Emptied when anchors or CAs change;
/// bounded.
#[derive(Default)]
struct ChainCache(Mutex<HashMap<Vec<u8>, Arc<Verified>>>);

/// A verified chain.
struct Verified {
    key: PublicKey,
    start: Time32,
    end: u64,
    table: OnceLock<Option<KeyTable>>,
}

impl Verified {
    fn table(&self) -> Option<&KeyTable> {
        self.table.get_or_init(|| self.key.signer_table()).as_ref()
    }
}

/// Entries kept before the cache starts over (a few RAs in practice).
const CHAIN_CACHE_MAX: usize = 1024;

impl ChainCache {
    fn get(&self, cert: &[u8], now: Time32) -> Option<Arc<Verified>> {
        let m = self.0.lock().ok()?;
        let v = m.get(cert)?;
        (now >= v.start && u64::from(now) < v.end).then(|| v.clone())
    }

    fn put(&self, cert: &[u8], v: Arc<Verified>) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= CHAIN_CACHE_MAX {
                m.clear();
            }
            m.insert(cert.to_vec(), v);
        }
    }

    fn clear(&self) {
        if let Ok(mut m) = self.0.lock() {
            m.clear();
        }
    }
}

impl Clone for ChainCache {
    fn clone(&self) -> Self {
        let m = self.0.lock().map(|m| m.clone()).unwrap_or_default();
        ChainCache(Mutex::new(m))
    }
}

impl core::fmt::Debug for ChainCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let n = self.0.lock().map(|m| m.len()).unwrap_or(0);
        write!(f, "ChainCache({n} chains)")
    }
}

/// Longest chain walked (root -> ICA -> CA -> leaf is 4).
const MAX_DEPTH: usize = 8;

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a self-signed trust anchor (its signature is checked).
    pub fn add_anchor(&mut self, cert: &[u8]) -> Result<(), ChainError> {
        let c: Certificate<'_> = decode_cert(cert)?;
        verify_certificate(&c, None).map_err(|e| ChainError(format!("anchor: {e}")))?;
        self.anchors.insert(hid(&c)?, cert.to_vec());
        self.verified.clear();
        Ok(())
    }

    /// Adds an intermediate CA certificate (checked when a chain uses it).
    pub fn add_ca(&mut self, cert: &[u8]) -> Result<(), ChainError> {
        let c: Certificate<'_> = decode_cert(cert)?;
        self.cas.insert(hid(&c)?, cert.to_vec());
        self.verified.clear();
        Ok(())
    }

    /// Allows the authority certificate `cert` to sign internal requests
    /// (the first call turns the allowlist on).
    pub fn allow_peer(&mut self, cert: &[u8]) -> Result<(), ChainError> {
        let c: Certificate<'_> = decode_cert(cert)?;
        self.peers
            .get_or_insert_with(BTreeSet::new)
            .insert(hid(&c)?);
        Ok(())
    }

    /// Whether the signer certificate `cert` of an internal request is an
    /// allowed peer (always, when no allowlist is configured). Checked after
    /// its chain, so the refusal names a certificate of this hierarchy.
    pub fn check_peer(&self, cert: &Certificate<'_>) -> Result<(), ChainError> {
        let Some(peers) = &self.peers else {
            return Ok(());
        };
        let id = hid(cert)?;
        if peers.contains(&id) {
            Ok(())
        } else {
            Err(ChainError(format!(
                "the signer certificate {} is not in the allowlist of peers",
                hex8(&id)
            )))
        }
    }

    fn lookup(&self, id: &[u8; 8]) -> Option<(&[u8], bool)> {
        self.anchors
            .get(id)
            .map(|c| (c.as_slice(), true))
            .or_else(|| self.cas.get(id).map(|c| (c.as_slice(), false)))
    }

    /// The issuer certificate of `cert` in this store.
    pub fn issuer_of(&self, cert: &Certificate<'_>) -> Option<&[u8]> {
        issuer_digest(cert).and_then(|d| self.lookup(&d).map(|(c, _)| c))
    }

    /// Checks that `cert` chains to an anchor, every certificate signed by its
    /// issuer (implicit ones through their issuer's key) and valid at `now`
    /// (Time32). Returns the leaf's verification key.
    /// Verified chains are cached (see `ChainCache`).
    pub fn verify_chain(&self, cert: &[u8], now: Time32) -> Result<PublicKey, ChainError> {
        self.verified_chain(cert, now).map(|(v, _)| v.key)
    }

    /// The chain's entry, and whether it came from the cache.
    fn verified_chain(
        &self,
        cert: &[u8],
        now: Time32,
    ) -> Result<(Arc<Verified>, bool), ChainError> {
        if let Some(v) = self.verified.get(cert, now) {
            return Ok((v, true));
        }
        let leaf: Certificate<'_> = decode_cert(cert)?;
        let mut current: Vec<u8> = cert.to_vec();
        let mut leaf_key = None;
        // The window in which every certificate of the chain is valid.
        let (mut start, mut end) = (Time32::MIN, u64::MAX);
        for _ in 0..MAX_DEPTH {
            let c: Certificate<'_> = decode_cert(&current)?;
            let v = &c.to_be_signed.validity_period;
            if now < v.start || u64::from(now) >= validity_end(v) {
                return Err(ChainError(format!(
                    "certificate {} is not valid now",
                    hex8(&hid(&c)?)
                )));
            }
            start = start.max(v.start);
            end = end.min(validity_end(v));
            let id = issuer_digest(&c).ok_or_else(|| {
                ChainError(
                    "the chain reaches a self-signed certificate that is not an anchor".into(),
                )
            })?;
            let (issuer_bytes, is_anchor) = self
                .lookup(&id)
                .ok_or_else(|| ChainError(format!("unknown issuer {}", hex8(&id))))?;
            let issuer: Certificate<'_> = decode_cert(issuer_bytes)?;
            if c.is_explicit() {
                verify_certificate(&c, Some(&issuer))
                    .map_err(|e| ChainError(format!("signature: {e}")))?;
            }
            if leaf_key.is_none() {
                leaf_key = Some(
                    certificate_public_key(&leaf, Some(&issuer))
                        .map_err(|e| ChainError(format!("key: {e}")))?,
                );
            }
            if is_anchor {
                let v = &issuer.to_be_signed.validity_period;
                if now < v.start || u64::from(now) >= validity_end(v) {
                    return Err(ChainError("the trust anchor is not valid now".into()));
                }
                let key = leaf_key.ok_or_else(|| ChainError("no key".into()))?;
                let entry = Arc::new(Verified {
                    key,
                    start: start.max(v.start),
                    end: end.min(validity_end(v)),
                    table: OnceLock::new(),
                });
                self.verified.put(cert, entry.clone());
                return Ok((entry, false));
            }
            current = issuer_bytes.to_vec();
        }
        Err(ChainError("chain too long".into()))
    }
}

fn decode_cert(b: &[u8]) -> Result<Certificate<'_>, ChainError> {
    scms_asn1::decode(b).map_err(|e| ChainError(format!("certificate: {e}")))
}

fn hid(c: &Certificate<'_>) -> Result<[u8; 8], ChainError> {
    certificate_hashed_id8(c)
        .map(|h| h.0)
        .map_err(|e| ChainError(e.to_string()))
}

fn hex8(b: &[u8; 8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Whether `cert` carries the `SecurityMgmtPsid` SSP that `role` accepts
/// (the SCMS role of an authority certificate).
pub fn has_scms_role(cert: &Certificate<'_>, role: fn(&SecurityMgmtSsp) -> bool) -> bool {
    cert.to_be_signed.app_permissions.iter().flatten().any(|p| {
        p.psid == SECURITY_MGMT_PSID
            && matches!(&p.ssp, Some(ServiceSpecificPermissions::Opaque(o))
                if scms_asn1::decode::<SecurityMgmtSsp>(o).is_ok_and(|s| role(&s)))
    })
}

/// Whether `cert` is an RA certificate (`SecurityMgmtSsp.ra`).
pub fn is_ra(cert: &Certificate<'_>) -> bool {
    has_scms_role(cert, |s| matches!(s, SecurityMgmtSsp::Ra(_)))
}

/// Whether `cert` is an end-entity certificate: no SCMS role and no
/// `certIssuePermissions` (an enrollment certificate, not an authority's).
pub fn is_end_entity(cert: &Certificate<'_>) -> bool {
    cert.to_be_signed.cert_issue_permissions.is_none()
        && !cert
            .to_be_signed
            .app_permissions
            .iter()
            .flatten()
            .any(|p| p.psid == SECURITY_MGMT_PSID)
}

/// HashedId8 of an SPDU (`requestHash`): the low 8 bytes of SHA-256 (SM3 in the
/// SM2 family) of its COER bytes.
pub fn spdu_hash(bytes: &[u8], sm: bool) -> [u8; 8] {
    let alg = if sm {
        HashAlgorithm::Sm3
    } else {
        HashAlgorithm::Sha256
    };
    HashedId8::from_digest(&digest(alg, bytes)).0
}

/// The digest a signer signs for data (or a certificate request) `tbs` with
/// `key`, whose certificate is `signer_cert`.
pub fn data_digest(key: &PublicKey, tbs: &[u8], signer_cert: &[u8]) -> Result<Vec<u8>, CaError> {
    let d = if key.curve().is_sm2() {
        sm2_signing_digest(key, tbs, signer_cert)?
    } else {
        ecdsa_signing_digest(
            SigningInputHashes::for_data(key.curve()),
            tbs,
            Some(signer_cert),
        )
    };
    Ok(d.as_bytes().to_vec())
}

/// Signs an `ScmsPdu` as an `Ieee1609Dot2Data-SignedCertRequest` by the single
/// certificate `signer_cert` (key `label`); returns the COER `Ieee1609Dot2Data`.
pub fn sign_cert_request(
    ks: &dyn KeyStore,
    label: &str,
    signer_cert: &[u8],
    pdu: ScmsPdu<'_>,
) -> Result<Vec<u8>, CaError> {
    let cert: Certificate<'_> = scms_asn1::decode(signer_cert)?;
    let scoped = ScopedCertificateRequest(pdu);
    let tbs = scms_asn1::encode(&scoped)?;
    let signature = scms_hsm::spdu::sign_data(ks, label, signer_cert, &tbs)?;
    let curve = ks.public_key(label)?.curve();
    let req = SignedCertificateRequest {
        hash_algorithm_id: wire::hash_algorithm(curve),
        tbs_request: Spanned::new(scoped),
        signer: SignerIdentifier::Certificate(vec![cert]),
        signature,
    };
    let inner = scms_asn1::encode(&req)?;
    Ok(scms_asn1::encode(&Ieee1609Dot2Data::new(
        Ieee1609Dot2Content::SignedCertificateRequest(inner.into()),
    ))?)
}

/// Verifies a `SignedCertificateRequest` signed by a single certificate that
/// chains in `trust` and is valid at `now`; returns the signer certificate's bytes.
pub fn verify_cert_request(
    trust: &TrustStore,
    req: &SignedCertificateRequest<'_>,
    now: Time32,
) -> Result<Vec<u8>, ChainError> {
    let signer = match &req.signer {
        SignerIdentifier::Certificate(c) if c.len() == 1 => &c[0],
        _ => return Err(ChainError("the signer is not a single certificate".into())),
    };
    let signer_bytes = signer
        .to_bytes()
        .map_err(|e| ChainError(e.to_string()))?
        .into_owned();
    let (v, again) = trust.verified_chain(&signer_bytes, now)?;
    let tbs = req
        .tbs_request
        .to_bytes()
        .map_err(|e| ChainError(e.to_string()))?;
    let table = if again { v.table() } else { None };
    check_signature(&v.key, table, &tbs, &signer_bytes, &req.signature)?;
    Ok(signer_bytes)
}

/// Verifies signed data (an `Ieee1609Dot2Data-Signed`) by a single
/// certificate chaining in `trust`; returns the signer certificate's bytes.
pub fn verify_signed_data(
    trust: &TrustStore,
    sd: &SignedData<'_>,
    now: Time32,
) -> Result<Vec<u8>, ChainError> {
    let signer = match &sd.signer {
        SignerIdentifier::Certificate(c) if c.len() == 1 => &c[0],
        _ => return Err(ChainError("the signer is not a single certificate".into())),
    };
    let signer_bytes = signer
        .to_bytes()
        .map_err(|e| ChainError(e.to_string()))?
        .into_owned();
    let (v, again) = trust.verified_chain(&signer_bytes, now)?;
    let tbs = sd
        .tbs_data
        .to_bytes()
        .map_err(|e| ChainError(e.to_string()))?;
    let table = if again { v.table() } else { None };
    check_signature(&v.key, table, &tbs, &signer_bytes, &sd.signature)?;
    Ok(signer_bytes)
}

fn check_signature(
    key: &PublicKey,
    table: Option<&KeyTable>,
    tbs: &[u8],
    signer_cert: &[u8],
    sig: &scms_asn1::ieee1609dot2::Signature,
) -> Result<(), ChainError> {
    let d = data_digest(key, tbs, signer_cert).map_err(|e| ChainError(e.to_string()))?;
    let s = suite_signature(sig).map_err(|e| ChainError(e.to_string()))?;
    match table {
        Some(t) => key.verify_digest_with_table(t, &d, &s),
        None => key.verify_digest(&d, &s),
    }
    .map_err(|_| ChainError("the signature does not verify".into()))
}

/// What the ACA returns for one request.
#[derive(Debug)]
pub struct AcaOutput {
    /// The COER `AcaRaCertResponseSpdu` for the RA.
    pub response: Vec<u8>,
    /// The issuance record, for the storage layer to commit first.
    pub record: IssuanceRecord,
}

/// An ACA: its certificate (with an encryption key, for the LAs), its keys,
/// the pseudonym profile, the trust store that checks RA certificates, and
/// the symmetric keys the LAs shared with it.
#[derive(Debug)]
pub struct Aca {
    /// The ACA certificate (COER).
    pub certificate: Vec<u8>,
    /// Label of the issuing (signing) key.
    pub key_label: String,
    /// Label of the key of the certificate's `encryptionKey`.
    pub enc_key_label: String,
    /// The pseudonym profile (implicit by default).
    pub profile: Profile,
    /// Anchors and CAs that RA certificates chain to.
    pub trust: TrustStore,
    /// LA keys by `symmRecipInfo` id (persisted sealed by the storage layer).
    pub la_keys: BTreeMap<[u8; 8], (SymmetricKey, SymmAlgorithm)>,
    /// The certificate's public key, decoded once (a point decompression
    /// per certificate otherwise), with the certificate it came from.
    own_key: OnceLock<(Vec<u8>, PublicKey)>,
}

impl Aca {
    /// An ACA with no LA key yet.
    pub fn new(
        certificate: Vec<u8>,
        key_label: impl Into<String>,
        enc_key_label: impl Into<String>,
        profile: Profile,
        trust: TrustStore,
    ) -> Self {
        Self {
            certificate,
            key_label: key_label.into(),
            enc_key_label: enc_key_label.into(),
            profile,
            trust,
            la_keys: BTreeMap::new(),
            own_key: OnceLock::new(),
        }
    }

    /// The key of `self.certificate` (decoded as `cert`).
    fn own_key(&self, cert: &Certificate<'_>) -> Result<PublicKey, CaError> {
        if let Some((bytes, key)) = self.own_key.get() {
            if *bytes == self.certificate {
                return Ok(*key);
            }
        }
        let key = certificate_public_key(cert, None)?;
        let _ = self.own_key.set((self.certificate.clone(), key));
        Ok(key)
    }

    /// Accepts an LA's shared key: `message` is the `Ieee1609Dot2Data` the LA
    /// encrypted to this ACA's certificate (`certRecipInfo`), carrying a COER
    /// `SymmetricEncryptionKey` as unsecuredData. Returns the key's id.
    pub fn accept_la_key(
        &mut self,
        ks: &dyn KeyStore,
        message: &[u8],
    ) -> Result<[u8; 8], AcaError> {
        let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(message)?;
        let pt = envelope::decrypt_for_certificate(
            Decryptor::Store(ks, &self.enc_key_label),
            &self.certificate,
            &data,
        )?;
        let payload = envelope::unsecured_payload(&pt)?;
        let sek: SymmetricEncryptionKey = scms_asn1::decode(&payload)?;
        let (key, alg) = match sek {
            SymmetricEncryptionKey::Aes128Ccm(k) => {
                (SymmetricKey::from_bytes(k), SymmAlgorithm::Aes128Ccm)
            }
            SymmetricEncryptionKey::Sm4Ccm(k) => {
                (SymmetricKey::from_bytes(k), SymmAlgorithm::Sm4Ccm)
            }
            SymmetricEncryptionKey::Unknown(_) => {
                return Err(AcaError::Unsupported("LA key algorithm"))
            }
        };
        let id = envelope::symmetric_key_id(&key, alg)?;
        self.la_keys.insert(id, (key, alg));
        Ok(id)
    }

    fn open_plv(&self, e: &EncryptedIndividualPLV<'_>) -> Result<PreLinkageValue, AcaError> {
        let r = e
            .enc_plv
            .recipient()
            .ok_or_else(|| AcaError::Linkage("no symmRecipInfo".into()))?;
        let (key, alg) = self
            .la_keys
            .get(&r.recipient_id)
            .ok_or_else(|| AcaError::Linkage("unknown LA key".into()))?;
        let pt = envelope::decrypt_symmetric(key, *alg, &e.enc_plv)
            .map_err(|err| AcaError::Linkage(err.to_string()))?;
        let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(&pt)?;
        let plv = Ieee1609Dot2DataSymmEncryptedSingleRecipient::check_decrypted(&d)?;
        Ok(PreLinkageValue::from_bytes(plv))
    }

    /// Handles one `RaAcaCertRequestSpdu` (COER) at `now` (Time32).
    pub fn handle_ra_aca_request(
        &self,
        ks: &dyn KeyStore,
        request: &[u8],
        now: Time32,
    ) -> Result<AcaOutput, AcaError> {
        let spdu: RaAcaCertRequestSpdu<'_> = scms_asn1::decode(request)?;
        let signed = spdu.signed_certificate_request()?;
        let ra_cert = verify_cert_request(&self.trust, &signed, now)
            .map_err(|e| AcaError::Unauthorized(format!("RA: {e}")))?;
        let ra: Certificate<'_> = scms_asn1::decode(&ra_cert)?;
        self.trust
            .check_peer(&ra)
            .map_err(|e| AcaError::Unauthorized(format!("RA: {e}")))?;
        if !is_ra(&ra) {
            return Err(AcaError::Unauthorized(
                "the signer is not an RA (SecurityMgmtSsp)".into(),
            ));
        }
        if ra
            .to_be_signed
            .cert_request_permissions
            .as_ref()
            .is_none_or(|p| p.is_empty())
        {
            return Err(AcaError::Unauthorized(
                "the signer has no certRequestPermissions".into(),
            ));
        }
        let req: &RaAcaCertRequest<'_> = match &signed.tbs_request.0.content {
            ScmsPduContent::AcaRa(AcaRaInterfacePdu::RaAcaCertRequest(r)) => r,
            _ => return Err(AcaError::Malformed("not a raAcaCertRequest".into())),
        };
        req.check_tbs_cert()
            .map_err(|e| AcaError::Malformed(e.to_string()))?;
        // certEncKey present: encrypt to it and sign (private response).
        // Absent with cubk: compact unified, encrypt to the cocoon key and do
        // not sign. Absent without cubk would be a plain response, which
        // would show the RA the certificate.
        let cubk = req.flags.cubk();
        match (&req.cert_enc_key, cubk) {
            (Some(_), true) => {
                return Err(AcaError::Malformed(
                    "cubk is set and certEncKey is present".into(),
                ))
            }
            (None, false) => {
                return Err(AcaError::Unsupported(
                    "plain responses (no certEncKey): the RA would see the certificate",
                ))
            }
            _ => {}
        }

        // Linkage value.
        let i_cert = match &req.tbs_cert.id {
            CertificateId::LinkageData(l) => l.i_cert,
            _ => return Err(AcaError::Malformed("tbsCert.id is not linkageData".into())),
        };
        let li = req
            .linkage_info
            .as_ref()
            .ok_or_else(|| AcaError::Malformed("linkageInfo absent".into()))?;
        if li.enc_plv1.la_id == li.enc_plv2.la_id {
            return Err(AcaError::Linkage("both values come from one LA".into()));
        }
        let lv = LinkageValue::from_pre_linkage_values(
            &self.open_plv(&li.enc_plv1)?,
            &self.open_plv(&li.enc_plv2)?,
        );

        // The certificate.
        let aca_cert: Certificate<'_> = scms_asn1::decode(&self.certificate)?;
        let aca_key = self.own_key(&aca_cert)?;
        let curve = aca_key.curve();
        let (kind, cocoon) = match (&req.r#type, &req.tbs_cert.verify_key_indicator) {
            (CertificateType::Implicit, VerificationKeyIndicator::ReconstructionValue(p)) => (
                CertKind::Implicit,
                point256(curve, p).map_err(CaError::from)?,
            ),
            (CertificateType::Explicit, VerificationKeyIndicator::VerificationKey(k)) => (
                CertKind::Explicit,
                scms_crypto::verify::public_verification_key(k).map_err(CaError::from)?,
            ),
            _ => {
                return Err(AcaError::Malformed(
                    "type and verifyKeyIndicator do not agree".into(),
                ))
            }
        };
        if cocoon.curve() != curve {
            return Err(AcaError::Malformed(
                "the request key is not on the ACA's curve".into(),
            ));
        }
        let enc_key = match &req.cert_enc_key {
            Some(k) => k.clone(),
            None => {
                // 1609.2.1: a cubk response is valid only from an ACA whose
                // certificate has usesCubk.
                if !aca_cert.to_be_signed.uses_cubk() {
                    return Err(AcaError::Unsupported(
                        "compact unified butterfly keys: this ACA's certificate lacks usesCubk",
                    ));
                }
                wire::encryption_key(&cocoon).map_err(CaError::from)?
            }
        };
        let (key, shift) = if kind == CertKind::Explicit && req.flags.butterfly_explicit() {
            let c = EcScalar::random(curve, &mut os_rng())?;
            (cocoon.add(&EcPoint::mul_generator(&c)?)?, Some(c))
        } else {
            (cocoon, None)
        };
        let mut params = IssueParams::new(
            &self.profile,
            SubjectId::Linkage {
                i_cert,
                linkage_value: lv.0,
            },
            key,
            req.tbs_cert.validity_period.start,
        );
        params.kind = Some(kind);
        params.requester = Some(&ra_cert);
        params.craca_id = aca_cert.to_be_signed.craca_id;
        let issued = issue_decoded(
            ks,
            &IssuerRef {
                certificate: &self.certificate,
                key_label: &self.key_label,
            },
            &aca_cert,
            &aca_key,
            &params,
        )
        .map_err(|e| match e {
            // The RA's certificate does not permit what the profile issues: the
            // RA is refused (403), not an internal failure.
            CaError::Lint(l) if l.rule == crate::lint::LintRule::Request => {
                AcaError::Unauthorized(format!("RA: {l}"))
            }
            e => AcaError::Ca(e),
        })?;
        let private_key_info = match (&issued.reconstruction, &shift) {
            (Some(s), _) | (None, Some(s)) => Some(scalar32(s)?),
            (None, None) => None,
        };

        // The response: encrypted to certEncKey, then signed.
        let cert: Certificate<'_> = scms_asn1::decode(issued.certificate())?;
        let ee = ScmsPdu::new(ScmsPduContent::AcaEe(AcaEeInterfacePdu::AcaEeCertResponse(
            AcaEeCertResponse {
                version: 2,
                generation_time: now,
                certificate: cert,
                private_key_info,
                unknown_extensions: Default::default(),
            },
        )));
        let plaintext = envelope::unsecured(&scms_asn1::encode(&ee)?)?;
        let encrypted = envelope::encrypt_to_rek(&enc_key, &plaintext)?;
        let private;
        let aca_response = if cubk {
            AcaResponse::Cubk(scms_asn1::decode(&encrypted)?)
        } else {
            private = signed_spdu(
                ks,
                &self.key_label,
                &self.certificate,
                SECURITY_MGMT_PSID,
                encrypted,
                SignerForm::Certificate,
            )?;
            AcaResponse::Private(scms_asn1::decode::<AcaEeCertResponsePrivateSpdu<'_>>(
                &private,
            )?)
        };
        let resp = ScmsPdu::new(ScmsPduContent::AcaRa(AcaRaInterfacePdu::AcaRaCertResponse(
            AcaRaCertResponse {
                version: 2,
                generation_time: now,
                request_hash: spdu_hash(request, curve == Curve::Sm2),
                aca_response,
                unknown_extensions: Default::default(),
            },
        )));
        let response = signed_spdu(
            ks,
            &self.key_label,
            &self.certificate,
            SECURITY_MGMT_PSID,
            scms_asn1::encode(&resp)?,
            SignerForm::Certificate,
        )?;
        // The RA can decode what it gets.
        let _: AcaRaCertResponseSpdu<'_> = scms_asn1::decode(&response)?;
        Ok(AcaOutput {
            response,
            record: issued.record,
        })
    }
}

fn scalar32(s: &EcScalar) -> Result<[u8; 32], AcaError> {
    let b = s.to_be_bytes();
    b.as_slice()
        .try_into()
        .map_err(|_| AcaError::Unsupported("a scalar that is not 32 bytes"))
}
