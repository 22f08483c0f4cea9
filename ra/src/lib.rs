//! Registration authority (RA) of the scms V2X SCMS: the in-process core of
//! butterfly pseudonym provisioning (IEEE 1609.2.1-2022 clauses 8 and 9.3),
//! as plain functions over values, a [`KeyStore`] and state structs that a
//! storage layer persists ([`RaState`], [`Blocklist`]); no I/O, no clock.
//!
//! 1. [`Ra::handle_cert_request`]: `EeRaCertRequestSpdu` in (encrypted to the
//!    RA certificate, signed by an enrollment certificate), `RaEeCertAckSpdu` out.
//! 2. [`Ra::expand_pending`]: per (i, j) the cocoon keys, the encrypted
//!    pre-linkage values of LA1 and LA2 ([`LinkageAuthorities`]), queued in
//!    the [`ShuffleQueue`].
//! 3. [`Ra::release_batch`]: a mixed batch of signed `RaAcaCertRequestSpdu`s,
//!    without any enrollment identity.
//! 4. [`Ra::accept_aca_response`]: stores the ACA's encrypted
//!    `AcaEeCertResponsePrivateSpdu` (or `AcaEeCertResponseCubkSpdu`) per (device request, i, j).
//! 5. [`Ra::handle_download`]: `EeRaDownloadRequestSpdu` in, the batch of an
//!    i-period out (a ZIP of `<i>_<j>` response files and the `info` file), or
//!    [`RaError::NotReady`] with a retry time.
//!
//! See `docs/provisioning.md`.

pub mod http;
pub mod service;
pub mod shuffle;
pub mod store;

use core::fmt;
use std::collections::{BTreeMap, BTreeSet};

use scms_asn1::ieee1609dot2::time::{time32_from_unix, unix_from_time32, validity_end};
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, Duration, Ieee1609Dot2Data, LinkageData,
    PublicEncryptionKey, Time32, ToBeSignedCertificate, ValidityPeriod, VerificationKeyIndicator,
};
use scms_asn1::ieee1609dot2dot1::aca_ra::{
    AcaRaInterfacePdu, AcaResponse, LinkageInfo, RaAcaCertRequest, RaAcaCertRequestFlags,
};
use scms_asn1::ieee1609dot2dot1::ee_ra::{
    AdditionalParams, ButterflyExpansion, EeRaCertRequest, EeRaInterfacePdu, RaEeCertAck,
    RaEeCertInfo,
};
use scms_asn1::ieee1609dot2dot1::protocol::{
    signed_payload, AcaRaCertResponseSpdu, EeRaCertRequestPlaintext, EeRaCertRequestSpdu,
    EeRaDownloadRequestSpdu, ScmsPdu, ScmsPduContent, SECURITY_MGMT_PSID,
};
use scms_asn1::ieee1609dot2dot1::zip;
use scms_ca::aca::is_end_entity;
use scms_ca::aca::{
    sign_cert_request, spdu_hash, verify_cert_request, verify_signed_data, TrustStore,
};
use scms_ca::lint::lint_request;
use scms_ca::spdu::{signed_spdu, SignerForm};
use scms_crypto::butterfly::{expand_cocoon_key, ButterflyExpansionKey, ExpansionKind};
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::suite::{Curve, PublicKey};
use scms_crypto::verify::{
    certificate_hashed_id8, certificate_public_key, public_verification_key,
};
use scms_crypto::wire;
use scms_hsm::envelope::{self, Decryptor};
use scms_hsm::KeyStore;
use scms_la::{ChainId, PlvRequest, PlvResponse};

pub use shuffle::{ShuffleConfig, ShuffleItem, ShuffleQueue};

/// Why the RA refused, with what an HTTP layer needs to answer (4xx + reason).
#[derive(Debug)]
pub enum RaError {
    /// Not the expected SPDU, or not decryptable by this RA (400).
    Malformed(String),
    /// The signer does not verify or may not ask for this (403).
    Unauthorized(String),
    /// The enrollment certificate is blocklisted (403).
    Blocklisted,
    /// The same request was received before (409).
    Duplicate,
    /// The request starts too far ahead or its time is off (400).
    TooEarly(String),
    /// Too many requests from this enrollment certificate (429).
    RateLimited { retry_after: Time32 },
    /// The batch is not ready yet (503 with Retry-After).
    NotReady { retry_after: Time32 },
    /// No such download (404).
    NotFound,
    /// A form this RA does not serve (400).
    Unsupported(&'static str),
    /// An LA failed (502).
    Linkage(String),
    /// The ACA's response does not verify or match a request (502).
    BadAcaResponse(String),
    /// Keys, encoding, signing, storage (500).
    Internal(String),
    /// The database cannot be reached now (503 with Retry-After: the same
    /// request may be sent again).
    Unavailable(String),
}

impl fmt::Display for RaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed request: {w}"),
            Self::Unauthorized(w) => write!(f, "unauthorized: {w}"),
            Self::Blocklisted => f.write_str("the enrollment certificate is blocklisted"),
            Self::Duplicate => f.write_str("duplicate request"),
            Self::TooEarly(w) => write!(f, "too early: {w}"),
            Self::RateLimited { retry_after } => write!(f, "rate limited until {retry_after}"),
            Self::NotReady { retry_after } => write!(f, "not ready, retry after {retry_after}"),
            Self::NotFound => f.write_str("no such download"),
            Self::Unsupported(w) => write!(f, "unsupported: {w}"),
            Self::Linkage(w) => write!(f, "linkage authority: {w}"),
            Self::BadAcaResponse(w) => write!(f, "ACA response: {w}"),
            Self::Internal(w) => write!(f, "internal: {w}"),
            Self::Unavailable(w) => write!(f, "unavailable: {w}"),
        }
    }
}

impl std::error::Error for RaError {}

macro_rules! internal {
    ($($t:ty),*) => {$(impl From<$t> for RaError {
        fn from(e: $t) -> Self { Self::Internal(e.to_string()) }
    })*};
}
internal!(
    scms_asn1::EncodeError,
    scms_ca::CaError,
    scms_crypto::suite::Error,
    scms_hsm::KeyStoreError
);

impl From<scms_asn1::DecodeError> for RaError {
    fn from(e: scms_asn1::DecodeError) -> Self {
        Self::Malformed(e.to_string())
    }
}

/// Request policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestPolicy {
    /// Largest difference between a request's generationTime and now.
    pub max_clock_skew_secs: u32,
    /// How far ahead of now a request may start (requestedStartTime).
    pub max_advance_secs: u32,
    /// Most i-periods one request may cover.
    pub max_periods: u32,
    /// Certificates per i-period (j = 0 .. certs_per_period).
    pub certs_per_period: u32,
    /// Requests one enrollment certificate may make per window.
    pub max_requests_per_window: u32,
    pub window_secs: u32,
}

impl Default for RequestPolicy {
    fn default() -> Self {
        Self {
            max_clock_skew_secs: 300,
            max_advance_secs: 7 * 86_400,
            max_periods: 4,
            certs_per_period: 20,
            max_requests_per_window: 4,
            window_secs: 86_400,
        }
    }
}

/// The RA's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RaConfig {
    pub policy: RequestPolicy,
    pub shuffle: ShuffleConfig,
    /// Start of i-period 0 (Unix seconds): the profile's `iperiod-epoch-unix`.
    pub iperiod_epoch_unix: i64,
    /// Length of an i-period (one week).
    pub iperiod_secs: u32,
    /// `nextDlTime = now + download_delay_secs`.
    pub download_delay_secs: u32,
    /// Retry-After of a download not ready.
    pub retry_secs: u32,
}

impl RaConfig {
    /// Defaults with the i-period epoch of a profile family.
    pub fn new(iperiod_epoch_unix: i64) -> Self {
        Self {
            policy: RequestPolicy::default(),
            shuffle: ShuffleConfig::default(),
            iperiod_epoch_unix,
            iperiod_secs: 7 * 86_400,
            download_delay_secs: 3600,
            retry_secs: 600,
        }
    }

    /// The i-period of a Time32.
    pub fn iperiod_of(&self, t: Time32) -> Result<u32, RaError> {
        let d = unix_from_time32(t) - self.iperiod_epoch_unix;
        if d < 0 {
            return Err(RaError::TooEarly("before i-period 0".into()));
        }
        u32::try_from(d / i64::from(self.iperiod_secs.max(1)))
            .map_err(|_| RaError::Malformed("i-period out of range".into()))
    }

    /// The start (Time32) of i-period `i`.
    pub fn iperiod_start(&self, i: u32) -> Time32 {
        time32_from_unix(self.iperiod_epoch_unix + i64::from(i) * i64::from(self.iperiod_secs))
    }
}

/// The enrollment certificates that may not provision (persisted by the
/// storage layer; the MA adds to it, issue 6).
pub trait Blocklist {
    /// Whether the enrollment certificate with this HashedId8 is blocked.
    fn is_blocked(&self, enrollment: &[u8; 8]) -> bool;
}

/// An in-memory [`Blocklist`].
#[derive(Clone, Debug, Default)]
pub struct MemoryBlocklist(pub BTreeSet<[u8; 8]>);

impl Blocklist for MemoryBlocklist {
    fn is_blocked(&self, enrollment: &[u8; 8]) -> bool {
        self.0.contains(enrollment)
    }
}

/// Which LA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaIndex {
    La1,
    La2,
}

/// The two LAs, as function calls (in process) or remote calls (HTTP).
pub trait LinkageAuthorities {
    fn pre_linkage_values(
        &mut self,
        la: LaIndex,
        request: &PlvRequest,
    ) -> Result<PlvResponse, RaError>;
}

/// Both LAs in this process.
pub struct LocalLinkageAuthorities<'a> {
    pub la1: (
        &'a scms_la::LinkageAuthority,
        &'a mut dyn scms_la::ChainStore,
    ),
    pub la2: (
        &'a scms_la::LinkageAuthority,
        &'a mut dyn scms_la::ChainStore,
    ),
}

impl LinkageAuthorities for LocalLinkageAuthorities<'_> {
    fn pre_linkage_values(
        &mut self,
        la: LaIndex,
        request: &PlvRequest,
    ) -> Result<PlvResponse, RaError> {
        let (a, s) = match la {
            LaIndex::La1 => (self.la1.0, &mut *self.la1.1),
            LaIndex::La2 => (self.la2.0, &mut *self.la2.1),
        };
        a.handle_plv_request(s, request)
            .map_err(|e| RaError::Linkage(e.to_string()))
    }
}

/// The device's butterfly parameters (public keys and expansion keys; the
/// expansion keys are zeroized on drop).
#[derive(Clone, Debug)]
pub enum Butterfly {
    Original {
        signing: PublicKey,
        signing_expansion: ButterflyExpansionKey,
        encryption: PublicKey,
        encryption_symm: SymmAlgorithm,
        encryption_expansion: ButterflyExpansionKey,
    },
    /// One caterpillar key for signing and encryption. `compact`: the
    /// compact unified variant, whose ACA response is encrypted to the cocoon
    /// key and not signed (`AcaEeCertResponseCubkSpdu`).
    Unified {
        caterpillar: PublicKey,
        expansion: ButterflyExpansionKey,
        compact: bool,
    },
}

/// An accepted request.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    /// HashedId8 of the enrollment certificate (never leaves the RA).
    pub enrollment: [u8; 8],
    pub received: Time32,
    pub first_i: u32,
    pub i_count: u32,
    pub j_count: u32,
    pub next_dl_time: Time32,
    pub explicit: bool,
    pub butterfly: Butterfly,
    /// COER `ToBeSignedCertificate` the device asked for.
    pub tbs_cert: Vec<u8>,
    /// The LAs' chains of this request.
    pub chains: Option<(ChainId, ChainId)>,
    /// The LAs' linkage chain identifiers of those chains (COER CAMP
    /// `LinkageChainId`, opaque to the RA), handed to the MA in an investigation.
    pub lcis: Option<(Vec<u8>, Vec<u8>)>,
}

/// Where a released request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub request: [u8; 8],
    pub i: u32,
    pub j: u32,
}

/// Everything the RA keeps (a storage layer persists it). Nothing here is a
/// plaintext pseudonym certificate or pre-linkage value.
#[derive(Clone, Debug, Default)]
pub struct RaState {
    /// Accepted requests by request hash.
    pub requests: BTreeMap<[u8; 8], RequestRecord>,
    /// Accepted, not yet expanded.
    pub pending: Vec<[u8; 8]>,
    pub queue: ShuffleQueue,
    /// Released to the ACA, by `RaAcaCertRequestSpdu` hash.
    pub in_flight: BTreeMap<[u8; 8], Slot>,
    /// ACA responses (`AcaEeCertResponsePrivateSpdu` or `...CubkSpdu`, encrypted to the device)
    /// by (request, i), then j.
    pub responses: BTreeMap<([u8; 8], u32), BTreeMap<u32, Vec<u8>>>,
}

/// What a download request asks for (see [`Ra::open_download`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DownloadTarget {
    /// HashedId8 of the enrollment certificate that signed the request.
    pub enrollment: [u8; 8],
    /// The request hash its file name names.
    pub request: [u8; 8],
    /// The i-period.
    pub i: u32,
}

/// The download file name of a batch (8.2.2): the request hash in upper-case
/// hex, `_`, the i-period in hex, `.zip`.
pub fn download_filename(request_hash: &[u8; 8], i: u32) -> String {
    let h: String = request_hash.iter().map(|b| format!("{b:02X}")).collect();
    format!("{h}_{i:X}.zip")
}

fn parse_filename(name: &str) -> Option<([u8; 8], u32)> {
    let stem = name.strip_suffix(".zip")?;
    let (h, i) = stem.split_once('_')?;
    if h.len() != 16 {
        return None;
    }
    let mut hash = [0u8; 8];
    for (n, b) in hash.iter_mut().enumerate() {
        *b = u8::from_str_radix(h.get(2 * n..2 * n + 2)?, 16).ok()?;
    }
    Some((hash, u32::from_str_radix(i, 16).ok()?))
}

/// A registration authority.
#[derive(Clone, Debug)]
pub struct Ra {
    /// The RA certificate (with an encryption key).
    pub certificate: Vec<u8>,
    /// Signing key label.
    pub key_label: String,
    /// Label of the key of the certificate's encryption key.
    pub enc_key_label: String,
    /// The ACA certificate whose responses are accepted.
    pub aca_certificate: Vec<u8>,
    /// Anchors and CAs (enrollment certificates and the ACA chain to them).
    pub trust: TrustStore,
    pub config: RaConfig,
}

fn expansion(e: &ButterflyExpansion) -> Result<ButterflyExpansionKey, RaError> {
    match e {
        ButterflyExpansion::Aes128(k) => Ok(ButterflyExpansionKey::from_bytes(*k)),
        ButterflyExpansion::Unknown(_) => Err(RaError::Unsupported("expansion function")),
    }
}

fn duration_secs(v: &ValidityPeriod) -> u64 {
    validity_end(v).saturating_sub(u64::from(v.start))
}

impl Ra {
    pub(crate) fn curve(&self) -> Result<Curve, RaError> {
        let c: Certificate<'_> = scms_asn1::decode(&self.certificate)?;
        Ok(certificate_public_key(&c, None)
            .map_err(|e| RaError::Internal(e.to_string()))?
            .curve())
    }

    fn decrypt(&self, ks: &dyn KeyStore, data: &Ieee1609Dot2Data<'_>) -> Result<Vec<u8>, RaError> {
        envelope::decrypt_for_certificate(
            Decryptor::Store(ks, &self.enc_key_label),
            &self.certificate,
            data,
        )
        .map(|p| p.to_vec())
        .map_err(|e| RaError::Malformed(format!("decryption: {e}")))
    }

    fn sign(&self, ks: &dyn KeyStore, pdu: &ScmsPdu<'_>) -> Result<Vec<u8>, RaError> {
        Ok(signed_spdu(
            ks,
            &self.key_label,
            &self.certificate,
            SECURITY_MGMT_PSID,
            scms_asn1::encode(pdu)?,
            SignerForm::Certificate,
        )?)
    }

    /// Handles an `EeRaCertRequestSpdu` (COER) at `now`: decrypts it, checks
    /// the enrollment certificate (chain, validity, permissions, blocklist)
    /// and the policy (duplicate, time, rate), records it as pending and
    /// answers a signed `RaEeCertAckSpdu`.
    pub fn handle_cert_request(
        &self,
        state: &mut RaState,
        ks: &dyn KeyStore,
        blocklist: &dyn Blocklist,
        request: &[u8],
        now: Time32,
    ) -> Result<Vec<u8>, RaError> {
        let curve = self.curve()?;
        let request_hash = spdu_hash(request, curve == Curve::Sm2);
        if state.requests.contains_key(&request_hash) {
            return Err(RaError::Duplicate);
        }
        let spdu: EeRaCertRequestSpdu<'_> = scms_asn1::decode(request)?;
        let plaintext = self.decrypt(ks, &spdu)?;
        let pt: Ieee1609Dot2Data<'_> = scms_asn1::decode(&plaintext)?;
        let signed = match EeRaCertRequestSpdu::check_decrypted(&pt)? {
            EeRaCertRequestPlaintext::Ieee1609Dot2(s) => s,
            EeRaCertRequestPlaintext::X509(_) => {
                return Err(RaError::Unsupported("X.509-authenticated requests"))
            }
        };
        let enrollment_bytes = verify_cert_request(&self.trust, &signed, now)
            .map_err(|e| RaError::Unauthorized(format!("enrollment certificate: {e}")))?;
        let enrollment: Certificate<'_> = scms_asn1::decode(&enrollment_bytes)?;
        if !is_end_entity(&enrollment) {
            return Err(RaError::Unauthorized(
                "the signer is an authority, not an enrollment certificate".into(),
            ));
        }
        let enrollment_id = certificate_hashed_id8(&enrollment)
            .map_err(|e| RaError::Malformed(e.to_string()))?
            .0;
        if blocklist.is_blocked(&enrollment_id) {
            return Err(RaError::Blocklisted);
        }
        let req: &EeRaCertRequest<'_> = match &signed.tbs_request.0.content {
            ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaCertRequest(r)) => r,
            _ => return Err(RaError::Malformed("not an eeRaCertRequest".into())),
        };
        req.check_tbs_cert()
            .map_err(|e| RaError::Malformed(e.to_string()))?;
        lint_request(&req.tbs_cert, &enrollment.to_be_signed)
            .map_err(|e| RaError::Unauthorized(format!("certRequestPermissions: {e}")))?;

        // Policy.
        let p = &self.config.policy;
        if now.abs_diff(req.generation_time) > p.max_clock_skew_secs {
            return Err(RaError::TooEarly("generationTime is not now".into()));
        }
        let v = &req.tbs_cert.validity_period;
        if v.start > now.saturating_add(p.max_advance_secs) {
            return Err(RaError::TooEarly("requested start too far ahead".into()));
        }
        let first_i = self.config.iperiod_of(v.start.max(now))?;
        let period = u64::from(self.config.iperiod_secs.max(1));
        let i_count = u32::try_from(duration_secs(v).div_ceil(period).max(1))
            .map_err(|_| RaError::Malformed("duration".into()))?;
        if i_count > p.max_periods {
            return Err(RaError::TooEarly(format!(
                "{i_count} i-periods requested, at most {}",
                p.max_periods
            )));
        }
        let window_start = now.saturating_sub(p.window_secs);
        let recent: Vec<&RequestRecord> = state
            .requests
            .values()
            .filter(|r| r.enrollment == enrollment_id)
            .collect();
        if recent.iter().filter(|r| r.received >= window_start).count()
            >= p.max_requests_per_window as usize
        {
            return Err(RaError::RateLimited {
                retry_after: now.saturating_add(p.window_secs),
            });
        }
        if recent
            .iter()
            .any(|r| r.first_i < first_i + i_count && first_i < r.first_i + r.i_count)
        {
            return Err(RaError::TooEarly(
                "i-periods already provisioned for this device".into(),
            ));
        }

        // Butterfly parameters.
        let caterpillar = match &req.tbs_cert.verify_key_indicator {
            VerificationKeyIndicator::VerificationKey(k) => public_verification_key(k)
                .map_err(|e| RaError::Malformed(format!("caterpillar key: {e}")))?,
            _ => return Err(RaError::Malformed("verifyKeyIndicator".into())),
        };
        if caterpillar.curve() != curve {
            return Err(RaError::Unsupported("a key on another curve than the RA's"));
        }
        let butterfly = match &req.additional_params {
            Some(AdditionalParams::Original(o)) => {
                let (enc, symm) = envelope::recipient_key(&o.encryption_key)
                    .map_err(|e| RaError::Malformed(e.to_string()))?;
                if enc.curve() != curve {
                    return Err(RaError::Unsupported("an encryption key on another curve"));
                }
                Butterfly::Original {
                    signing: caterpillar,
                    signing_expansion: expansion(&o.signing_expansion)?,
                    encryption: enc,
                    encryption_symm: symm,
                    encryption_expansion: expansion(&o.encryption_expansion)?,
                }
            }
            Some(AdditionalParams::Unified(e)) => Butterfly::Unified {
                caterpillar,
                expansion: expansion(e)?,
                compact: false,
            },
            Some(AdditionalParams::CompactUnified(e)) => Butterfly::Unified {
                caterpillar,
                expansion: expansion(e)?,
                compact: true,
            },
            _ => return Err(RaError::Unsupported("requests without butterfly keys")),
        };
        let explicit = match req.r#type {
            CertificateType::Explicit => true,
            CertificateType::Implicit => false,
        };
        let next_dl_time = now.saturating_add(self.config.download_delay_secs);
        state.requests.insert(
            request_hash,
            RequestRecord {
                enrollment: enrollment_id,
                received: now,
                first_i,
                i_count,
                j_count: p.certs_per_period,
                next_dl_time,
                explicit,
                butterfly,
                tbs_cert: scms_asn1::encode(&req.tbs_cert)?,
                chains: None,
                lcis: None,
            },
        );
        state.pending.push(request_hash);
        let ack = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::RaEeCertAck(
            RaEeCertAck {
                version: 2,
                generation_time: now,
                request_hash,
                first_i: Some(u16::try_from(first_i).map_err(|_| RaError::Malformed("i".into()))?),
                next_dl_time,
                unknown_extensions: Default::default(),
            },
        )));
        self.sign(ks, &ack)
    }

    /// Expands every pending request: cocoon keys and encrypted pre-linkage
    /// values per (i, j), queued for the shuffle. Returns the items queued.
    pub fn expand_pending(
        &self,
        state: &mut RaState,
        las: &mut dyn LinkageAuthorities,
        now: Time32,
    ) -> Result<usize, RaError> {
        let mut queued = 0;
        while let Some(hash) = state.pending.first().copied() {
            let rec = state
                .requests
                .get(&hash)
                .ok_or_else(|| RaError::Internal("pending request without record".into()))?
                .clone();
            let plv_req = PlvRequest {
                chain: None,
                i_first: rec.first_i,
                i_count: rec.i_count,
                j_count: rec.j_count,
            };
            let r1 = las.pre_linkage_values(LaIndex::La1, &plv_req)?;
            let r2 = las.pre_linkage_values(LaIndex::La2, &plv_req)?;
            if r1.values.len() != r2.values.len()
                || r1.values.len() != (rec.i_count * rec.j_count) as usize
            {
                return Err(RaError::Linkage("wrong number of values".into()));
            }
            let template: ToBeSignedCertificate<'_> = scms_asn1::decode(&rec.tbs_cert)?;
            for (v1, v2) in r1.values.iter().zip(&r2.values) {
                if (v1.i, v1.j) != (v2.i, v2.j) {
                    return Err(RaError::Linkage("values out of order".into()));
                }
                queued += 1;
                state
                    .queue
                    .push(self.item(&rec, hash, &template, v1, v2, now)?);
            }
            if let Some(r) = state.requests.get_mut(&hash) {
                r.chains = Some((r1.chain, r2.chain));
                if !r1.lci.is_empty() && !r2.lci.is_empty() {
                    r.lcis = Some((r1.lci.clone(), r2.lci.clone()));
                }
            }
            state.pending.remove(0);
        }
        Ok(queued)
    }

    fn item(
        &self,
        rec: &RequestRecord,
        device: [u8; 8],
        template: &ToBeSignedCertificate<'_>,
        v1: &scms_la::EncryptedPlv,
        v2: &scms_la::EncryptedPlv,
        now: Time32,
    ) -> Result<ShuffleItem, RaError> {
        let (i, j) = (v1.i, v1.j);
        let (cocoon, enc_key): (PublicKey, Option<PublicEncryptionKey>) = match &rec.butterfly {
            Butterfly::Original {
                signing,
                signing_expansion,
                encryption,
                encryption_symm,
                encryption_expansion,
            } => {
                let s =
                    expand_cocoon_key(signing, signing_expansion, ExpansionKind::Signing, i, j)?;
                let e = expand_cocoon_key(
                    encryption,
                    encryption_expansion,
                    ExpansionKind::Encryption,
                    i,
                    j,
                )?;
                let mut pek = wire::encryption_key(e.point())?;
                pek.supported_symm_alg = match encryption_symm {
                    SymmAlgorithm::Aes128Ccm => scms_asn1::ieee1609dot2::SymmAlgorithm::Aes128Ccm,
                    SymmAlgorithm::Sm4Ccm => scms_asn1::ieee1609dot2::SymmAlgorithm::Sm4Ccm,
                };
                (s.0, Some(pek))
            }
            Butterfly::Unified {
                caterpillar,
                expansion,
                compact,
            } => {
                let s = expand_cocoon_key(caterpillar, expansion, ExpansionKind::Signing, i, j)?;
                // Compact unified: no certEncKey, the ACA encrypts to the cocoon key.
                let enc = if *compact {
                    None
                } else {
                    Some(wire::encryption_key(s.point())?)
                };
                (s.0, enc)
            }
        };
        let mut tbs = template.clone();
        tbs.id = CertificateId::LinkageData(LinkageData {
            i_cert: u16::try_from(i).map_err(|_| RaError::Malformed("i".into()))?,
            linkage_value: [0; 9],
            group_linkage_value: None,
        });
        tbs.validity_period = ValidityPeriod {
            start: self.config.iperiod_start(i),
            duration: Duration::Hours(
                u16::try_from(self.config.iperiod_secs / 3600)
                    .map_err(|_| RaError::Internal("i-period length".into()))?,
            ),
        };
        tbs.encryption_key = None;
        tbs.verify_key_indicator = if rec.explicit {
            VerificationKeyIndicator::VerificationKey(wire::verification_key(&cocoon)?)
        } else {
            VerificationKeyIndicator::ReconstructionValue(wire::ecc_point256(&cocoon)?)
        };
        let e1: scms_asn1::ieee1609dot2dot1::aca_ra::EncryptedIndividualPLV<'_> =
            scms_asn1::decode(&v1.value)?;
        let e2: scms_asn1::ieee1609dot2dot1::aca_ra::EncryptedIndividualPLV<'_> =
            scms_asn1::decode(&v2.value)?;
        let li = LinkageInfo {
            enc_plv1: e1,
            enc_plv2: e2,
            unknown_extensions: Default::default(),
        };
        Ok(ShuffleItem {
            device,
            i,
            j,
            enqueued: now,
            explicit: rec.explicit,
            tbs_cert: scms_asn1::encode(&tbs)?,
            linkage_info: scms_asn1::encode(&li)?,
            cert_enc_key: enc_key.map(|k| scms_asn1::encode(&k)).transpose()?,
        })
    }

    /// Releases one shuffled batch if the shuffle rule allows it at `now`:
    /// signed `RaAcaCertRequestSpdu`s (COER) for the ACA.
    pub fn release_batch(
        &self,
        state: &mut RaState,
        ks: &dyn KeyStore,
        now: Time32,
    ) -> Result<Option<Vec<Vec<u8>>>, RaError> {
        let Some(batch) = state.queue.release(&self.config.shuffle, now) else {
            return Ok(None);
        };
        let sm = self.curve()? == Curve::Sm2;
        let mut out = Vec::with_capacity(batch.len());
        for it in batch {
            let mut flags = Vec::with_capacity(2);
            if it.explicit {
                flags.push(RaAcaCertRequestFlags::BUTTERFLY_EXPLICIT);
            }
            if it.cert_enc_key.is_none() {
                flags.push(RaAcaCertRequestFlags::CUBK);
            }
            let flags = RaAcaCertRequestFlags::with(&flags);
            let req = RaAcaCertRequest {
                version: 2,
                generation_time: now,
                r#type: if it.explicit {
                    CertificateType::Explicit
                } else {
                    CertificateType::Implicit
                },
                flags,
                linkage_info: Some(scms_asn1::decode(&it.linkage_info)?),
                cert_enc_key: it
                    .cert_enc_key
                    .as_deref()
                    .map(scms_asn1::decode)
                    .transpose()?,
                tbs_cert: scms_asn1::decode(&it.tbs_cert)?,
                unknown_extensions: Default::default(),
            };
            let pdu = ScmsPdu::new(ScmsPduContent::AcaRa(AcaRaInterfacePdu::RaAcaCertRequest(
                req,
            )));
            let spdu = sign_cert_request(ks, &self.key_label, &self.certificate, pdu)?;
            state.in_flight.insert(
                spdu_hash(&spdu, sm),
                Slot {
                    request: it.device,
                    i: it.i,
                    j: it.j,
                },
            );
            out.push(spdu);
        }
        Ok(Some(out))
    }

    /// Accepts an `AcaRaCertResponseSpdu` (COER): checks the ACA's signature
    /// and stores the encrypted response for its (request, i, j).
    pub fn accept_aca_response(
        &self,
        state: &mut RaState,
        response: &[u8],
        now: Time32,
    ) -> Result<Slot, RaError> {
        let spdu: AcaRaCertResponseSpdu<'_> = scms_asn1::decode(response)?;
        let sd = spdu.signed_data()?;
        let signer = verify_signed_data(&self.trust, sd, now)
            .map_err(|e| RaError::BadAcaResponse(e.to_string()))?;
        if signer != self.aca_certificate {
            return Err(RaError::BadAcaResponse("not signed by the ACA".into()));
        }
        let pdu = spdu.scms_pdu()?;
        let r = match &pdu.content {
            ScmsPduContent::AcaRa(AcaRaInterfacePdu::AcaRaCertResponse(r)) => r,
            _ => return Err(RaError::BadAcaResponse("not an acaRaCertResponse".into())),
        };
        let slot = *state
            .in_flight
            .get(&r.request_hash)
            .ok_or_else(|| RaError::BadAcaResponse("unknown request hash".into()))?;
        let compact = state
            .requests
            .get(&slot.request)
            .is_some_and(|rec| matches!(rec.butterfly, Butterfly::Unified { compact: true, .. }));
        // The device gets the form its butterfly variant asked for.
        let bytes = match (&r.aca_response, compact) {
            (AcaResponse::Private(p), false) => scms_asn1::encode(p)?,
            (AcaResponse::Cubk(c), true) => scms_asn1::encode(c)?,
            _ => {
                return Err(RaError::BadAcaResponse(format!(
                    "not the {} response the request asked for",
                    if compact {
                        "compact unified (cubk)"
                    } else {
                        "private"
                    }
                )))
            }
        };
        state.in_flight.remove(&r.request_hash);
        state
            .responses
            .entry((slot.request, slot.i))
            .or_default()
            .insert(slot.j, bytes);
        Ok(slot)
    }

    /// Handles an `EeRaDownloadRequestSpdu` (COER) at `now`: the ZIP of the
    /// i-period's responses (`<i>_<j>` files, hex, each an
    /// `AcaEeCertResponsePrivateSpdu` or `AcaEeCertResponseCubkSpdu`, and `info`, an `RaEeCertInfoSpdu`), or
    /// [`RaError::NotReady`].
    pub fn handle_download(
        &self,
        state: &RaState,
        ks: &dyn KeyStore,
        request: &[u8],
        now: Time32,
    ) -> Result<Vec<u8>, RaError> {
        let target = self.open_download(ks, request, now)?;
        self.download_batch(state, &target, now)
    }

    /// The first half of [`Self::handle_download`]: decrypts the request and
    /// checks its signer; which batch it asks for. An RA that reads its state
    /// from a shared database loads only that batch before
    /// [`Self::download_batch`].
    pub fn open_download(
        &self,
        ks: &dyn KeyStore,
        request: &[u8],
        now: Time32,
    ) -> Result<DownloadTarget, RaError> {
        let spdu: EeRaDownloadRequestSpdu<'_> = scms_asn1::decode(request)?;
        let plaintext = self.decrypt(ks, &spdu)?;
        let pt: Ieee1609Dot2Data<'_> = scms_asn1::decode(&plaintext)?;
        let pdu = EeRaDownloadRequestSpdu::check_decrypted(&pt)?;
        let (sd, _) = signed_payload(&pt, SECURITY_MGMT_PSID)?;
        let signer = verify_signed_data(&self.trust, sd, now)
            .map_err(|e| RaError::Unauthorized(e.to_string()))?;
        let enrollment = certificate_hashed_id8(&scms_asn1::decode(&signer)?)
            .map_err(|e| RaError::Malformed(e.to_string()))?
            .0;
        let dl = match &pdu.content {
            ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaDownloadRequest(d)) => d,
            _ => return Err(RaError::Malformed("not a download request".into())),
        };
        let (request, i) = parse_filename(&dl.filename.0).ok_or(RaError::NotFound)?;
        Ok(DownloadTarget {
            enrollment,
            request,
            i,
        })
    }

    /// The second half of [`Self::handle_download`]: the ZIP of `target`
    /// from `state`, or [`RaError::NotReady`] / [`RaError::NotFound`].
    pub fn download_batch(
        &self,
        state: &RaState,
        target: &DownloadTarget,
        now: Time32,
    ) -> Result<Vec<u8>, RaError> {
        let (hash, i) = (target.request, target.i);
        let rec = state.requests.get(&hash).ok_or(RaError::NotFound)?;
        if rec.enrollment != target.enrollment || i < rec.first_i || i >= rec.first_i + rec.i_count
        {
            return Err(RaError::NotFound);
        }
        let retry = RaError::NotReady {
            retry_after: now
                .saturating_add(self.config.retry_secs)
                .max(rec.next_dl_time),
        };
        if now < rec.next_dl_time {
            return Err(retry);
        }
        let files = match state.responses.get(&(hash, i)) {
            Some(f) if f.len() == rec.j_count as usize => f,
            _ => return Err(retry),
        };
        let info = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::RaEeCertInfo(
            RaEeCertInfo {
                version: 2,
                generation_time: now,
                current_i: u16::try_from(i).map_err(|_| RaError::Malformed("i".into()))?,
                request_hash: hash,
                next_dl_time: now.saturating_add(self.config.iperiod_secs),
                acpc_tree_id: None,
                unknown_extensions: Default::default(),
            },
        )));
        let mut out: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(j, b)| (format!("{i:X}_{j:X}"), b.clone()))
            .collect();
        out.push((
            "info".to_string(),
            envelope::unsecured(&scms_asn1::encode(&info)?)
                .map_err(|e| RaError::Internal(e.to_string()))?,
        ));
        zip::write(&out).map_err(|e| RaError::Internal(e.to_string()))
    }
}
