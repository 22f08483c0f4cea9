//! The LA as a service: chains persisted sealed in the scms database (sqlx,
//! SQLite or PostgreSQL, tables `la_chains` and `la_aca_keys` of
//! `migrations/*/0002_provisioning.sql`) and a thin axum shell over
//! [`LinkageAuthority::handle_plv_request`].
//!
//! Sealing: every chain record (first i-period and seed) and the key shared
//! with the ACA are stored as an AES-128-CCM `symmRecipInfo` envelope
//! (`scms_hsm::envelope::encrypt_symmetric`) under a sealing key
//! `SHA-256("scms-la-seal-v1" || ECDH(d, d·G))[0..16]`, the LA's ECDH with
//! itself under its KeyStore key `seal_label`: the key never leaves the
//! KeyStore (an HSM in production), the database holds no seed in clear.
//!
//! | method and path | body in | body out |
//! |---|---|---|
//! | `POST /v1/pre-linkage-values` | the RA's CAMP `SignedRaLaIndividualPreLinkageValueRequest` ([`signed_plv_request`]; 403 unless signed by an RA chaining to the trust store, within [`PLV_REQUEST_MAX_SKEW_SECS`] of now, and not seen before ([`Store::first_sighting`]: a replay); 503 without [`LaService::with_investigation`]) | [`encode_plv_response`] |
//! | `GET /v1/aca-key` | | the key shared with the ACA, an `Ieee1609Dot2Data` encrypted to the ACA certificate |
//! | `POST /v3/linkage-seed` | an MA's CAMP `SecuredLSRequest`: the `SignedLSRequest` (linkage chain identifiers) encrypted to the encryption key of this LA's certificate (400 not encrypted or not an SPDU, 403 encrypted to another key, a signer without the MA role, an MA certificate without an encryption key or the same bytes a second time (a replay), 503 this LA's certificate has no encryption key) | `SecuredLSReply`: the `SignedLSReply` signed by the LA (each chain's seed at the current i-period), encrypted to the encryption key of the requesting MA's certificate (404 unless [`LaService::with_investigation`]) |
//!
//! Every PLV answer carries the chain's linkage chain identifier
//! ([`LaService::linkage_chain_id`]: the chain id sealed by the LA to itself),
//! which the RA keeps and hands to the MA; only this LA can open it.
//!
//! The pre-linkage values in the answer are each an `EncryptedIndividualPLV`
//! for the ACA, so the RA that carries them cannot read them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use scms_asn1::camp::base_types::{LinkageChainId, LinkageSeedAndLaId};
use scms_asn1::camp::errors::{LaMaError, LaMaLinkageSeedErrorCode, ScmsError, ScopedLaMaLSError};
use scms_asn1::camp::la_ma::{LCI2LSReply, LaMaInterfacePDU, LaMaLinkageSeedResponseMsg, LCI2LS};
use scms_asn1::camp::protocol::{ScmsPDU, ScmsPDUContent, ScopedLSReply, ScopedLSRequest};
use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data};
use scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp;
use scms_ca::spdu::SpduRefusal;
use scms_ca::store::Store;
use scms_crypto::ccm::{SymmAlgorithm, SymmetricKey};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::linkage::{LaId, LinkageSeed};
use scms_hsm::{envelope, KeyStore};
use sqlx::Row;
use tokio::sync::Mutex;
use zeroize::Zeroizing;

use crate::{
    ChainId, ChainRecord, ChainStore, EncryptedPlv, LaError, LinkageAuthority, MemoryChainStore,
    PlvRequest, PlvResponse,
};

/// How far (seconds) the generation time of an RA's PLV request may lie from
/// the LA's clock: older requests are refused as stale or replayed.
pub const PLV_REQUEST_MAX_SKEW_SECS: u32 = 300;

/// The RA's PLV request for one fresh linkage chain, as CAMP
/// `SignedRaLaIndividualPreLinkageValueRequest` (timed profile) signed with
/// the RA's key `key_label` whose certificate is `ra_certificate`:
/// `iMin..=iMax` the i-periods, `jMax` the values per i-period,
/// `numberOfFreshInd` 1. `generation_time` in Time64 microseconds.
/// Continuations of a chain are not requested over HTTP (this RA starts a
/// fresh chain per provisioning request).
pub fn signed_plv_request(
    ks: &dyn KeyStore,
    key_label: &str,
    ra_certificate: &[u8],
    request: &PlvRequest,
    generation_time: u64,
) -> Result<Vec<u8>, LaError> {
    use scms_asn1::camp::la_ra::{
        LaRaInterfacePDU, RaLaIndividualPreLinkageValueRequestMsg,
        RaLaPreLinkageValueRequestMsgHeader,
    };
    if request.chain.is_some() {
        return Err(LaError::BadRequest(
            "chain continuations are not requested over HTTP".into(),
        ));
    }
    let bad = |w: &str| LaError::BadRequest(format!("PLV request: {w}"));
    let i_max = request
        .i_first
        .checked_add(
            request
                .i_count
                .checked_sub(1)
                .ok_or_else(|| bad("no i-period"))?,
        )
        .ok_or_else(|| bad("i overflows"))?;
    let scoped = ScmsPDU {
        version: 1,
        content: ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(
            RaLaIndividualPreLinkageValueRequestMsg {
                header: RaLaPreLinkageValueRequestMsgHeader {
                    version: 1,
                    ra_id: scms_ca::spdu::hostname("ra"),
                    pca_id: scms_ca::spdu::hostname("aca"),
                    i_min: u16::try_from(request.i_first).map_err(|_| bad("iMin over 65535"))?,
                    i_max: u16::try_from(i_max).map_err(|_| bad("iMax over 65535"))?,
                },
                j_max: u8::try_from(request.j_count).map_err(|_| bad("jMax over 255"))?,
                number_of_fresh_ind: Some(1),
                continuations_ind: None,
            },
        )),
    };
    scms_ca::spdu::scms_signed_timed(ks, key_label, ra_certificate, &scoped, generation_time)
        .map_err(|e| LaError::KeyStore(format!("signing the PLV request: {e}")))
}

/// Reads an RA's signed PLV request (see [`signed_plv_request`]) once
/// verified: the fresh-chain [`PlvRequest`] it asks for.
fn plv_request_of(payload: &[u8]) -> Result<PlvRequest, LaError> {
    use scms_asn1::camp::la_ra::LaRaInterfacePDU;
    let bad = |w: String| LaError::BadRequest(format!("PLV request: {w}"));
    let scoped: ScmsPDU<'_> = scms_asn1::decode(payload).map_err(|e| bad(e.to_string()))?;
    let ScmsPDUContent::LaRa(LaRaInterfacePDU::RaLaIndividualPreLinkageValueRequest(m)) =
        &scoped.content
    else {
        return Err(bad("not an raLaIndividualPreLinkageValueRequest".into()));
    };
    if m.number_of_fresh_ind != Some(1)
        || m.continuations_ind.as_ref().is_some_and(|c| !c.is_empty())
    {
        return Err(bad("exactly one fresh chain per request".into()));
    }
    if m.header.i_max < m.header.i_min {
        return Err(bad("iMax before iMin".into()));
    }
    Ok(PlvRequest {
        chain: None,
        i_first: u32::from(m.header.i_min),
        i_count: u32::from(m.header.i_max - m.header.i_min) + 1,
        j_count: u32::from(m.j_max),
    })
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Result<&'a [u8], LaError> {
    if b.len() < n {
        return Err(LaError::BadRequest("truncated".into()));
    }
    let (a, rest) = b.split_at(n);
    *b = rest;
    Ok(a)
}

fn u32_at(b: &mut &[u8]) -> Result<u32, LaError> {
    let x = take(b, 4)?;
    Ok(u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
}

fn arr16(b: &mut &[u8]) -> Result<[u8; 16], LaError> {
    <[u8; 16]>::try_from(take(b, 16)?).map_err(|_| LaError::BadRequest("truncated".into()))
}

/// The PLV response body: `la_id` (u16 BE), chain (16), count (u32), then per
/// value `i` `j` (u32) and the length-prefixed (u32) COER `EncryptedIndividualPLV`,
/// then the length-prefixed (u32) COER `LinkageChainId` (absent in older answers).
pub fn encode_plv_response(r: &PlvResponse) -> Vec<u8> {
    let mut v = Vec::with_capacity(22 + r.values.len() * 128);
    v.extend_from_slice(&r.la_id.0.to_be_bytes());
    v.extend_from_slice(&r.chain.0);
    v.extend_from_slice(&(r.values.len() as u32).to_be_bytes());
    for e in &r.values {
        v.extend_from_slice(&e.i.to_be_bytes());
        v.extend_from_slice(&e.j.to_be_bytes());
        v.extend_from_slice(&(e.value.len() as u32).to_be_bytes());
        v.extend_from_slice(&e.value);
    }
    v.extend_from_slice(&(r.lci.len() as u32).to_be_bytes());
    v.extend_from_slice(&r.lci);
    v
}

/// Reads [`encode_plv_response`].
pub fn decode_plv_response(mut b: &[u8]) -> Result<PlvResponse, LaError> {
    let id = take(&mut b, 2)?;
    let la_id = LaId(u16::from_be_bytes([id[0], id[1]]));
    let chain = ChainId(arr16(&mut b)?);
    let n = u32_at(&mut b)? as usize;
    let mut values = Vec::with_capacity(n.min(65_536));
    for _ in 0..n {
        let i = u32_at(&mut b)?;
        let j = u32_at(&mut b)?;
        let len = u32_at(&mut b)? as usize;
        values.push(EncryptedPlv {
            i,
            j,
            value: take(&mut b, len)?.to_vec(),
        });
    }
    let lci = if b.is_empty() {
        Vec::new()
    } else {
        let len = u32_at(&mut b)? as usize;
        take(&mut b, len)?.to_vec()
    };
    if !b.is_empty() {
        return Err(LaError::BadRequest("trailing octets".into()));
    }
    Ok(PlvResponse {
        la_id,
        chain,
        values,
        lci,
    })
}

/// The seed-request failure for a chain this LA does not know.
fn ls_unknown() -> ScopedLaMaLSError {
    ScopedLaMaLSError(ScmsError::LaMa(LaMaError::LaMaLinkageSeedError(
        LaMaLinkageSeedErrorCode::LinkageChainIdentifierUnknown,
    )))
}

/// A storage failure of the LA service.
fn db(e: sqlx::Error) -> LaError {
    LaError::Storage {
        unavailable: scms_ca::store::unavailable(&e),
        reason: e.to_string(),
    }
}

/// The HTTP status of every [`LaError`]: the one place the LA's answers
/// are decided (the body is the error's one line).
fn status(e: &LaError) -> StatusCode {
    match e {
        LaError::BadRequest(_) => StatusCode::BAD_REQUEST,
        // Not an SPDU, not encrypted where it must be, a malformed envelope
        // (`SpduRefusal::is_malformed`, itself one exhaustive match).
        LaError::Refused(r) if r.is_malformed() => StatusCode::BAD_REQUEST,
        // Its signer, role or freshness, or encrypted to another key.
        LaError::Unauthorized(_) | LaError::Refused(_) => StatusCode::FORBIDDEN,
        LaError::UnknownChain | LaError::InvestigationDisabled => StatusCode::NOT_FOUND,
        LaError::NotConfigured(_)
        | LaError::Storage {
            unavailable: true, ..
        } => StatusCode::SERVICE_UNAVAILABLE,
        LaError::NoAcaKey
        | LaError::Envelope(_)
        | LaError::Encode(_)
        | LaError::Rng
        | LaError::KeyStore(_)
        | LaError::Corrupt(_)
        | LaError::Storage {
            unavailable: false, ..
        } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An LA with its sealed store.
pub struct LaService {
    la: LinkageAuthority,
    ks: Arc<dyn KeyStore>,
    store: Store,
    seal: SymmetricKey,
    aca_message: Vec<u8>,
    /// Serialises chain creation (ids are random; the lock keeps the DB and
    /// the answer in step).
    lock: Mutex<()>,
    /// What the MA's seed requests need (none: `POST /v3/linkage-seed` answers 404).
    investigation: Option<LaInvestigation>,
}

/// The LA's side of misbehavior investigation: its certificate and key (it
/// signs its answers), the key of the certificate's encryption key (the MA's
/// requests are encrypted to it), the trust store the MA's certificate
/// chains in, the i-period schedule and the clock (a seed is revealed for
/// the current i-period only).
#[derive(Clone)]
pub struct LaInvestigation {
    pub certificate: Vec<u8>,
    pub key_label: String,
    /// Label of the key of the certificate's `encryptionKey` (`<key_label>-enc`
    /// in a hierarchy of `scms init`).
    pub enc_key_label: String,
    pub trust: scms_ca::aca::TrustStore,
    pub iperiod_epoch_unix: i64,
    pub iperiod_secs: u32,
    pub clock: Clock,
    /// This LA's hostname in answers (`LaHostnameId`).
    pub hostname: String,
}

/// The LA's clock (Time32).
pub type Clock = Arc<dyn Fn() -> scms_asn1::ieee1609dot2::Time32 + Send + Sync>;

/// The sealing key of `seal_label` (ECDH of the key with its own public key).
pub fn sealing_key(ks: &dyn KeyStore, seal_label: &str) -> Result<SymmetricKey, LaError> {
    let pk = ks
        .public_key(seal_label)
        .map_err(|e| LaError::KeyStore(format!("sealing key: {e}")))?;
    let z = ks
        .ecdh(seal_label, &pk)
        .map_err(|e| LaError::KeyStore(format!("sealing key: {e}")))?;
    let mut input = Zeroizing::new(b"scms-la-seal-v1".to_vec());
    input.extend_from_slice(&z);
    let d = digest(HashAlgorithm::Sha256, &input);
    SymmetricKey::from_slice(&d.as_bytes()[..16]).ok_or(LaError::Rng)
}

fn seal(key: &SymmetricKey, pt: &[u8]) -> Result<Vec<u8>, LaError> {
    Ok(envelope::encrypt_symmetric(
        key,
        SymmAlgorithm::Aes128Ccm,
        pt,
    )?)
}

fn unseal(key: &SymmetricKey, ct: &[u8]) -> Result<Zeroizing<Vec<u8>>, LaError> {
    let d: Ieee1609Dot2Data<'_> =
        scms_asn1::decode(ct).map_err(|_| LaError::Corrupt("sealed record"))?;
    Ok(envelope::decrypt_symmetric(
        key,
        SymmAlgorithm::Aes128Ccm,
        &d,
    )?)
}

impl LaService {
    /// Opens LA `la_id` over `store`: restores its ACA key (or draws one and
    /// shares it with `aca_certificate`, sealed in the store). `seal_label`
    /// names a KeyStore key (generated if absent, on the curve `curve`).
    pub async fn open(
        la_id: LaId,
        alg: SymmAlgorithm,
        ks: Arc<dyn KeyStore>,
        seal_label: &str,
        store: Store,
        aca_certificate: &[u8],
        now_unix: i64,
    ) -> Result<Self, LaError> {
        if ks.public_key(seal_label).is_err() {
            ks.generate(seal_label, scms_crypto::suite::Curve::NistP256)
                .map_err(|e| LaError::KeyStore(format!("sealing key: {e}")))?;
        }
        let seal_key = sealing_key(ks.as_ref(), seal_label)?;
        let row = sqlx::query("SELECT sealed_key, aca_message FROM la_aca_keys WHERE la_id = $1")
            .bind(i64::from(la_id.0))
            .fetch_optional(store.pool())
            .await
            .map_err(db)?;
        let (la, aca_message) = match row {
            Some(r) => {
                let sealed: Vec<u8> = r.try_get(0).map_err(db)?;
                let msg: Vec<u8> = r.try_get(1).map_err(db)?;
                let k = unseal(&seal_key, &sealed)?;
                let key = SymmetricKey::from_slice(&k).ok_or(LaError::Corrupt("sealed ACA key"))?;
                (LinkageAuthority::with_aca_key(la_id, alg, key), msg)
            }
            None => {
                let mut la = LinkageAuthority::new(la_id, alg);
                let msg = la.share_key_with_aca(aca_certificate)?;
                let key = la.aca_key().ok_or(LaError::NoAcaKey)?;
                let sealed = seal(&seal_key, key.as_bytes())?;
                sqlx::query(
                    "INSERT INTO la_aca_keys (la_id, sealed_key, aca_message, created_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(i64::from(la_id.0))
                .bind(sealed)
                .bind(msg.clone())
                .bind(now_unix)
                .execute(store.pool())
                .await
                .map_err(db)?;
                (la, msg)
            }
        };
        Ok(Self {
            la,
            ks,
            store,
            seal: seal_key,
            aca_message,
            lock: Mutex::new(()),
            investigation: None,
        })
    }

    /// Enables `POST /v3/linkage-seed` (the MA's seed requests).
    pub fn with_investigation(mut self, inv: LaInvestigation) -> Self {
        self.investigation = Some(inv);
        self
    }

    /// The COER `LinkageChainId` of `chain`: the chain id sealed by this LA
    /// to itself (one `symmRecipInfo` recipient), as CAMP `la-ma` expects.
    pub fn linkage_chain_id(&self, chain: &ChainId) -> Result<Vec<u8>, LaError> {
        let sealed = seal(&self.seal, &chain.0)?;
        let d: Ieee1609Dot2Data<'_> =
            scms_asn1::decode(&sealed).map_err(|_| LaError::Corrupt("seal"))?;
        let e = envelope::encrypted_data(&d)?.clone();
        Ok(scms_asn1::encode(&LinkageChainId(e))?)
    }

    /// The chain a `LinkageChainId` of this LA names.
    pub fn open_linkage_chain_id(&self, lci: &LinkageChainId<'_>) -> Result<ChainId, LaError> {
        let d = Ieee1609Dot2Data::new(Ieee1609Dot2Content::EncryptedData(lci.0.clone()));
        let pt = unseal(&self.seal, &scms_asn1::encode(&d)?)?;
        Ok(ChainId(<[u8; 16]>::try_from(pt.as_slice()).map_err(
            |_| LaError::BadRequest("linkage chain id".into()),
        )?))
    }

    /// Verifies an RA's signed PLV request ([`signed_plv_request`]): the
    /// signer holds the RA role and chains to the trust store, the request
    /// is fresh. Without [`LaService::with_investigation`] (no trust store)
    /// every request is refused.
    pub async fn open_plv_request(&self, body: &[u8]) -> Result<PlvRequest, LaError> {
        let inv = self.investigation.as_ref().ok_or(LaError::NotConfigured(
            "no trust store to check the RA with",
        ))?;
        let now = (inv.clock)();
        let signed = scms_ca::spdu::verify_scms_signed_timed(
            &inv.trust,
            body,
            now,
            PLV_REQUEST_MAX_SKEW_SECS,
            |s| matches!(s, SecurityMgmtSsp::Ra(_)),
        )?;
        self.refuse_replay(inv, body, &signed, now).await?;
        plv_request_of(&signed.payload)
    }

    /// [`Store::first_sighting`] at this LA: the same signed request twice
    /// is refused (403).
    async fn refuse_replay(
        &self,
        inv: &LaInvestigation,
        request: &[u8],
        signed: &scms_ca::spdu::ScmsSigned,
        now: scms_asn1::ieee1609dot2::Time32,
    ) -> Result<(), LaError> {
        self.store
            .first_sighting(&inv.certificate, request, signed, now)
            .await
            .map_err(|e| LaError::Storage {
                unavailable: e.is_unavailable(),
                reason: e.to_string(),
            })?
            .map_err(LaError::Refused)
    }

    /// Answers an MA's `SecuredLSRequest` (COER): the `SignedLSRequest`
    /// encrypted to the encryption key of this LA's certificate. It is
    /// decrypted with [`LaInvestigation::enc_key_label`], then the signer must
    /// be an MA chaining in the trust store; each linkage chain identifier
    /// gets the chain's seed at the current i-period (or a failure). The
    /// answer is a `SecuredLSReply`: the `SignedLSReply` signed by this LA,
    /// encrypted to the encryption key of the MA certificate that signed the
    /// request. Returns it and the i-period.
    pub async fn handle_seed_request(&self, request: &[u8]) -> Result<(Vec<u8>, u32), LaError> {
        let inv = self
            .investigation
            .as_ref()
            .ok_or(LaError::InvestigationDisabled)?;
        let now = (inv.clock)();
        // A certificate of an older `scms init` carries no encryption key:
        // no MA can address a request to it.
        let own_encryption_key =
            scms_asn1::decode::<scms_asn1::ieee1609dot2::Certificate<'_>>(&inv.certificate)
                .is_ok_and(|c| c.to_be_signed.encryption_key.is_some());
        if !own_encryption_key {
            return Err(LaError::NotConfigured(
                "this LA's certificate has no encryption key to receive SecuredLSRequest with",
            ));
        }
        let signed = scms_ca::spdu::open_scms_signed_encrypted(
            self.ks.as_ref(),
            &inv.enc_key_label,
            &inv.certificate,
            &inv.trust,
            request,
            now,
            |s| matches!(s, SecurityMgmtSsp::Ma(_)),
        )
        .map_err(|r| match r {
            // This LA's key store failing is no refusal of the request.
            SpduRefusal::Decryption(
                e @ (envelope::EnvelopeError::KeyStore(_) | envelope::EnvelopeError::Encode(_)),
            ) => LaError::Envelope(e),
            r => LaError::Refused(r),
        })?;
        self.refuse_replay(inv, request, &signed, now).await?;
        let ma_certificate = signed.signer;
        let has_encryption_key =
            scms_asn1::decode::<scms_asn1::ieee1609dot2::Certificate<'_>>(&ma_certificate)
                .is_ok_and(|c| c.to_be_signed.encryption_key.is_some());
        if !has_encryption_key {
            return Err(LaError::Unauthorized(
                "the MA certificate has no encryption key to answer to".into(),
            ));
        }
        let scoped: ScopedLSRequest<'_> = scms_asn1::decode(&signed.payload)
            .map_err(|e| LaError::BadRequest(format!("ScopedLSRequest: {e}")))?;
        let ScmsPDUContent::LaMa(LaMaInterfacePDU::MaLaLinkageSeedRequest(req)) = &scoped.0.content
        else {
            return Err(LaError::BadRequest("not a maLaLinkageSeedRequest".into()));
        };
        let elapsed = scms_asn1::ieee1609dot2::time::unix_from_time32(now) - inv.iperiod_epoch_unix;
        let i = u32::try_from(elapsed / i64::from(inv.iperiod_secs.max(1)))
            .map_err(|_| LaError::BadRequest("before i-period 0".into()))?;
        let mut ls_info = Vec::with_capacity(req.tbs.lci.len());
        for lci in &req.tbs.lci {
            let reply = match self.open_linkage_chain_id(lci) {
                Ok(chain) => match self.load_chain(&chain).await? {
                    Some(rec) => {
                        let mut mem = MemoryChainStore::new();
                        mem.insert(chain, rec)?;
                        match self.la.reveal_seed(&mem, &chain, i) {
                            Ok(seed) => LCI2LSReply::Success(LinkageSeedAndLaId {
                                linkage_seed: *seed.as_bytes(),
                                la_id: self.la.la_id.to_bytes(),
                            }),
                            Err(_) => LCI2LSReply::Failure(ls_unknown()),
                        }
                    }
                    None => LCI2LSReply::Failure(ls_unknown()),
                },
                Err(_) => LCI2LSReply::Failure(ls_unknown()),
            };
            ls_info.push(LCI2LS {
                lci: lci.clone(),
                reply,
            });
        }
        let sm = scms_crypto::verify::certificate_public_key(
            &scms_asn1::decode(&inv.certificate)?,
            None,
        )
        .is_ok_and(|k| k.curve() == scms_crypto::suite::Curve::Sm2);
        let reply = ScopedLSReply(ScmsPDU {
            version: 1,
            content: ScmsPDUContent::LaMa(LaMaInterfacePDU::LaMaLinkageSeedResponse(
                LaMaLinkageSeedResponseMsg {
                    version: 1,
                    request_hash: scms_ca::aca::spdu_hash(request, sm),
                    la_id: scms_ca::spdu::hostname(&inv.hostname),
                    ls_info,
                },
            )),
        });
        // Signed, then encrypted to the requesting MA's certificate
        // (`SecuredLSReply`): the seeds are for that MA only, whoever else
        // sees the answer or replays the request.
        let out = scms_ca::spdu::scms_signed_encrypted(
            self.ks.as_ref(),
            &inv.key_label,
            &inv.certificate,
            &reply,
            &ma_certificate,
        )
        .map_err(|e| LaError::KeyStore(format!("signing and encrypting the answer: {e}")))?;
        Ok((out, i))
    }

    /// The LA core.
    pub fn authority(&self) -> &LinkageAuthority {
        &self.la
    }

    /// The KeyStore.
    pub fn key_store(&self) -> &Arc<dyn KeyStore> {
        &self.ks
    }

    /// The message that shares this LA's key with the ACA.
    pub fn aca_message(&self) -> &[u8] {
        &self.aca_message
    }

    async fn load_chain(&self, id: &ChainId) -> Result<Option<ChainRecord>, LaError> {
        let row = sqlx::query("SELECT sealed FROM la_chains WHERE la_id = $1 AND chain_id = $2")
            .bind(i64::from(self.la.la_id.0))
            .bind(id.0.to_vec())
            .fetch_optional(self.store.pool())
            .await
            .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        let sealed: Vec<u8> = r.try_get(0).map_err(db)?;
        let pt = unseal(&self.seal, &sealed)?;
        if pt.len() != 20 {
            return Err(LaError::Corrupt("sealed chain"));
        }
        let first_i = u32::from_be_bytes([pt[0], pt[1], pt[2], pt[3]]);
        let mut seed = [0u8; 16];
        seed.copy_from_slice(&pt[4..20]);
        let rec = ChainRecord {
            first_i,
            seed: LinkageSeed::from_bytes(seed),
        };
        seed.fill(0);
        Ok(Some(rec))
    }

    /// Every chain of this LA, unsealed (for the MA's seed reveal and tests).
    pub async fn chains(&self) -> Result<Vec<(ChainId, ChainRecord)>, LaError> {
        let rows = sqlx::query("SELECT chain_id FROM la_chains WHERE la_id = $1")
            .bind(i64::from(self.la.la_id.0))
            .fetch_all(self.store.pool())
            .await
            .map_err(db)?;
        let mut out = Vec::new();
        for r in rows {
            let id: Vec<u8> = r.try_get(0).map_err(db)?;
            let id = ChainId(
                <[u8; 16]>::try_from(id.as_slice()).map_err(|_| LaError::Corrupt("chain id"))?,
            );
            if let Some(rec) = self.load_chain(&id).await? {
                out.push((id, rec));
            }
        }
        Ok(out)
    }

    /// Answers a PLV request; a new chain is committed (sealed) before the
    /// answer is returned.
    pub async fn handle(&self, req: &PlvRequest, now_unix: i64) -> Result<PlvResponse, LaError> {
        let mut mem = MemoryChainStore::new();
        if let Some(id) = req.chain {
            let rec = self.load_chain(&id).await?.ok_or(LaError::UnknownChain)?;
            mem.insert(id, rec)?;
        }
        let _g = self.lock.lock().await;
        let mut resp = self.la.handle_plv_request(&mut mem, req)?;
        resp.lci = self.linkage_chain_id(&resp.chain)?;
        if req.chain.is_none() {
            let rec = mem.get(&resp.chain).ok_or(LaError::UnknownChain)?;
            let mut pt = Zeroizing::new(Vec::with_capacity(20));
            pt.extend_from_slice(&rec.first_i.to_be_bytes());
            pt.extend_from_slice(rec.seed.as_bytes());
            let sealed = seal(&self.seal, &pt)?;
            sqlx::query(
                "INSERT INTO la_chains (la_id, chain_id, sealed, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(i64::from(self.la.la_id.0))
            .bind(resp.chain.0.to_vec())
            .bind(sealed)
            .bind(now_unix)
            .execute(self.store.pool())
            .await
            .map_err(db)?;
        }
        Ok(resp)
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn text(status: StatusCode, line: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{}\n", line.replace(['\n', '\r'], " ")),
    )
        .into_response()
}

fn octets(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream")],
        body,
    )
        .into_response()
}

async fn post_plv(State(la): State<Arc<LaService>>, body: Bytes) -> Response {
    let req = match la.open_plv_request(&body).await {
        Ok(r) => r,
        Err(e) => return text(status(&e), e.to_string()),
    };
    match la.handle(&req, unix_now()).await {
        Ok(r) => octets(encode_plv_response(&r)),
        Err(e) => text(status(&e), e.to_string()),
    }
}

async fn get_aca_key(State(la): State<Arc<LaService>>) -> Response {
    octets(la.aca_message.clone())
}

async fn post_seed(State(la): State<Arc<LaService>>, body: Bytes) -> Response {
    match la.handle_seed_request(&body).await {
        Ok((b, _)) => octets(b),
        Err(e) => text(status(&e), e.to_string()),
    }
}

/// The LA's HTTP interface.
pub fn router(la: Arc<LaService>) -> Router {
    Router::new()
        .route("/v1/pre-linkage-values", post(post_plv))
        .route("/v3/linkage-seed", post(post_seed))
        .route("/v1/aca-key", get(get_aca_key))
        .layer(DefaultBodyLimit::max(4096))
        .with_state(la)
}
