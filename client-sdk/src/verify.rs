//! Receiving signed SPDUs (1609.2 clause 5.2.4): every check a verdict with its
//! reason, cheap checks first and the signature last, so a flood of garbage
//! costs little. Bytes and time in, a verdict out: no I/O, no clock.

use crate::revocation::{CrlApplied, RevocationList};
use crate::store::{hashed_id3, CertInfo, CertificateStore, HashedId8, Sm2Signer};
use scms_asn1::ieee1609dot2::crl_base_types::CrlContents;
use scms_asn1::ieee1609dot2::crl_ssp::{CracaType, CrlSsp};
use scms_asn1::ieee1609dot2::time::time32_of;
use scms_asn1::ieee1609dot2::{
    region, Ieee1609Dot2Content, Ieee1609Dot2Data, SignedData, SignerIdentifier, ThreeDLocation,
    Time64,
};
use scms_asn1::ieee1609dot2::{EccP256CurvePoint, EcsigP256Signature, Signature};
use scms_crypto::engine::{self, Affine, BatchItem, BatchSizer, FullSignature, SignerCache};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::signing_input::{ecdsa_digest_from_hashes, sm2_digest_from_z_a};
use scms_crypto::verify::verify_signed_data_with_key;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// The PSID of CRLs (1609.2 clause 7.4).
pub const CRL_PSID: u64 = 256;

/// Why a message was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The bytes are not a canonical `Ieee1609Dot2Data` (field and offset in the text).
    Malformed(String),
    /// Not `signedData`.
    NotSigned,
    /// The payload is not carried (`extDataHash` / `omitted`) and none was supplied.
    NoPayload,
    /// Signed by a digest of a certificate we do not know: ask for it by P2PCD.
    UnknownSigner { p2pcd: [u8; 3] },
    /// The chain does not reach a trust anchor: ask for the issuer by P2PCD.
    UnknownIssuer { issuer: HashedId8 },
    /// A self-signed signer, or a root not added as a trust anchor.
    NotATrustAnchor,
    /// The issuer has no certIssuePermissions.
    IssuerNotCa,
    /// More certificates between signer and anchor than allowed.
    ChainTooLong,
    /// A certificate's validity or region does not fit inside its issuer's.
    InconsistentChain(&'static str),
    /// A certificate's signature does not verify.
    BadCertificateSignature,
    /// The signer certificate is not valid at the generation time.
    CertificateNotValid { at: u32, start: u32, end: u64 },
    /// The PSID is not in the signer certificate's appPermissions.
    PsidNotPermitted { psid: u64 },
    /// The application refused the SSP the certificate grants for this PSID.
    SspNotPermitted { psid: u64 },
    /// No generation time where the profile requires one.
    MissingGenerationTime,
    /// Generated further in the future than the tolerance.
    GenerationTimeInFuture { by_us: u64 },
    /// Older than the freshness window.
    TooOld { by_us: u64 },
    /// Past its expiryTime.
    Expired,
    /// Generated outside the signer certificate's region.
    OutsideRegion,
    /// Seen before within the replay window.
    Replay,
    /// A certificate of the chain is on a hash-based CRL.
    RevokedByHash { hashed_id8: HashedId8 },
    /// The signer's pseudonym is on a linkage-based CRL.
    RevokedByLinkage,
    /// The message signature does not verify.
    BadSignature,
    /// The algorithm is not supported.
    UnsupportedAlgorithm,
}

impl core::fmt::Display for Rejection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl std::error::Error for Rejection {}

/// The application's judgement of an SSP for a PSID (1609.2 leaves its meaning
/// to the application): `true` accepts.
pub type SspCheck = fn(psid: u64, ssp: Option<&[u8]>, payload: &[u8]) -> bool;

/// Receiver policy.
#[derive(Clone, Debug)]
pub struct VerifierConfig {
    /// Maximum age of a message at reception (µs); 1609.2 leaves it to the profile.
    pub max_age_us: u64,
    /// Tolerance for clocks ahead of ours (µs).
    pub max_future_us: u64,
    /// Whether messages without a generation time are refused.
    pub require_generation_time: bool,
    /// Whether the generation location is checked against the certificate's region.
    pub check_region: bool,
    /// Replay detection window (µs); 0 disables it.
    pub replay_window_us: u64,
    /// Certificates kept besides the trust anchors.
    pub store_capacity: usize,
    /// Maximum certificates between a signer and its anchor.
    pub max_chain_depth: u8,
    /// Application SSP check, per PSID.
    pub ssp_check: Option<SspCheck>,
    /// Per-signer tables kept, per curve (P-256 and SM2; LRU by HashedId8;
    /// about 32 KiB each).
    pub signer_tables: usize,
    /// Most signatures checked in one ECDSA* batch by `verify_batch`; a
    /// sender whose signatures fail gets smaller batches (down to 1).
    pub batch_max: usize,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        Self {
            max_age_us: 30_000_000,
            max_future_us: 2_000_000,
            require_generation_time: true,
            check_region: true,
            replay_window_us: 30_000_000,
            store_capacity: 4096,
            max_chain_depth: 4,
            ssp_check: None,
            signer_tables: 256,
            batch_max: 64,
        }
    }
}

/// An accepted message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub psid: u64,
    pub payload: Vec<u8>,
    pub generation_time: Option<Time64>,
    pub generation_location: Option<ThreeDLocation>,
    /// HashedId8 of the signer certificate.
    pub signer: HashedId8,
    /// The SSP the signer certificate grants for this PSID.
    pub ssp: Option<Vec<u8>>,
    /// A P2PCD learning request in the header: the sender lacks this issuer
    /// certificate; a receiver that has it may answer.
    pub p2pcd_request: Option<[u8; 3]>,
}

/// Recently accepted messages, by a digest of their signed bytes.
#[derive(Default)]
struct ReplayCache {
    seen: HashMap<[u8; 16], Time64>,
    order: VecDeque<([u8; 16], Time64)>,
}

impl ReplayCache {
    /// Whether `id` was accepted within the window before `now` (an entry
    /// older than the window counts as gone, whether or not it was evicted
    /// yet, so the verdict does not depend on when eviction runs).
    fn contains(&self, id: &[u8; 16], now: Time64, window: u64) -> bool {
        self.seen
            .get(id)
            .is_some_and(|t| t.saturating_add(window) >= now)
    }

    fn insert(&mut self, id: [u8; 16], at: Time64, now: Time64, window: u64) {
        while let Some((old, t)) = self.order.front().copied() {
            if t.saturating_add(window) >= now {
                break;
            }
            self.order.pop_front();
            if self.seen.get(&old) == Some(&t) {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(id, at);
        self.order.push_back((id, at));
    }
}

/// A receiver: trust anchors, known certificates, revocation state and replay cache.
pub struct Verifier {
    pub config: VerifierConfig,
    pub store: CertificateStore,
    pub revocation: RevocationList,
    replay: ReplayCache,
    /// Per-signer P-256 tables, by HashedId8.
    tables: SignerCache,
    /// Per-signer SM2 tables, by HashedId8.
    sm2_tables: engine::sm2::SignerCache,
    /// Batch size per sender for `verify_batch`.
    sizer: BatchSizer,
}

/// Every check but the signature passed: what the signature check needs.
struct Checked {
    verified: Verified,
    signer: Arc<CertInfo>,
    replay_id: [u8; 16],
    /// SHA-256 of the received tbsData: the replay key and the tbs part of the
    /// P-256 signing input (hashed once).
    tbs_sha256: [u8; 32],
}

/// How a message's signature gets checked.
enum SigTask {
    /// Already decided (x-only P-256 through the signer's table, other curves
    /// through `scms_crypto::verify`, or an unusable signature).
    Done(Result<(), Rejection>),
    /// P-256 with the full R: batchable (ECDSA*).
    Full {
        key: Affine,
        digest: [u8; 32],
        r: Vec<u8>,
        s: [u8; 32],
    },
}

/// A message of a batch waiting for its signature verdict.
struct Pending {
    index: usize,
    checked: Checked,
    task: SigTask,
}

fn engine_rejection(_: engine::EngineError) -> Rejection {
    Rejection::BadSignature
}

impl Verifier {
    pub fn new(config: VerifierConfig) -> Self {
        let store = CertificateStore::new(config.store_capacity, config.max_chain_depth);
        let tables = SignerCache::new(config.signer_tables);
        let sm2_tables = engine::sm2::SignerCache::new(config.signer_tables);
        let sizer = BatchSizer::new(1, config.batch_max, config.signer_tables.max(1));
        Self {
            config,
            store,
            revocation: RevocationList::default(),
            replay: ReplayCache::default(),
            tables,
            sm2_tables,
            sizer,
        }
    }

    /// Checks a signed SPDU received at `now` (1609.2 `Time64`).
    ///
    /// P-256 and SM2 signatures are verified by `scms_crypto::engine` through
    /// the signer's precomputed table (kept per HashedId8, see
    /// [`VerifierConfig::signer_tables`]); other curves by `scms_crypto::verify`.
    pub fn verify(&mut self, spdu: &[u8], now: Time64) -> Result<Verified, Rejection> {
        let data: Ieee1609Dot2Data<'_> =
            scms_asn1::decode(spdu).map_err(|e| Rejection::Malformed(e.to_string()))?;
        let sd = match &data.content {
            Ieee1609Dot2Content::SignedData(sd) => sd,
            _ => return Err(Rejection::NotSigned),
        };
        let checked = self
            .check(sd, now, &HashSet::new())?
            .ok_or(Rejection::Replay)?;
        // Signature last: everything before is cheaper.
        let task = self.signature_task(sd, &checked);
        let result = match task {
            SigTask::Done(r) => r,
            SigTask::Full { key, digest, r, s } => FullSignature::from_sec1(&r, &s)
                .and_then(|sig| {
                    self.tables.verify_full_with_table(
                        &checked.signer.hashed_id8,
                        &key,
                        &digest,
                        &sig,
                    )
                })
                .map_err(engine_rejection),
        };
        self.conclude(checked, result, now)
    }

    /// The verdict of a message whose checks passed, given its signature's:
    /// only authentic messages enter the replay cache, so forgeries cannot
    /// block real ones.
    fn conclude(
        &mut self,
        checked: Checked,
        signature: Result<(), Rejection>,
        now: Time64,
    ) -> Result<Verified, Rejection> {
        signature?;
        if self.config.replay_window_us > 0 {
            self.replay.insert(
                checked.replay_id,
                checked.verified.generation_time.unwrap_or(now),
                now,
                self.config.replay_window_us,
            );
        }
        Ok(checked.verified)
    }

    /// How the signature of `sd` is checked; x-only P-256, SM2 and other
    /// curves are checked here and now.
    fn signature_task(&mut self, sd: &SignedData<'_>, c: &Checked) -> SigTask {
        let signer = &c.signer;
        if let (Some(sm2), Signature::Sm2Signature(sig)) = (&signer.sm2, &sd.signature) {
            return SigTask::Done(sm2_with_table(&mut self.sm2_tables, sd, signer, sm2, sig));
        }
        let tables = &mut self.tables;
        signature_plan(sd, signer, &c.tbs_sha256, |key, digest, es| {
            tables.verify_with_table(&signer.hashed_id8, key, digest, es)
        })
    }
}

/// SM2 (YD/T 3957): e = SM3(Z_A || tbsData) with the signer's Z_A (kept
/// with its certificate), then the engine through the signer's table.
fn sm2_with_table(
    tables: &mut engine::sm2::SignerCache,
    sd: &SignedData<'_>,
    signer: &CertInfo,
    sm2: &Sm2Signer,
    sig: &EcsigP256Signature,
) -> Result<(), Rejection> {
    let tbs = sd
        .tbs_data
        .to_bytes()
        .map_err(|e| Rejection::Malformed(e.to_string()))?;
    let e = sm2_digest_from_z_a(&sm2.z_a, &tbs);
    let e = <[u8; 32]>::try_from(e.as_bytes()).map_err(|_| Rejection::BadSignature)?;
    let es =
        engine::sm2::Signature::from_scalars(&sig.r_sig, &sig.s_sig).map_err(engine_rejection)?;
    tables
        .verify_with_table(&signer.hashed_id8, &sm2.key, &e, &es)
        .map_err(engine_rejection)
}

/// How the signature of `sd` by `signer` is checked, given SHA-256 of its
/// tbsData: P-256 with a full R is left to the caller (batch or table),
/// x-only P-256 goes through `x_only` (a signer table, or none), other curves
/// through `scms_crypto::verify`.
fn signature_plan(
    sd: &SignedData<'_>,
    signer: &CertInfo,
    tbs_sha256: &[u8; 32],
    x_only: impl FnOnce(&Affine, &[u8; 32], &engine::Signature) -> Result<(), engine::EngineError>,
) -> SigTask {
    let (Some(key), Signature::EcdsaNistP256Signature(sig)) = (signer.p256, &sd.signature) else {
        return SigTask::Done(
            verify_signed_data_with_key(sd, &signer.public_key, &signer.bytes).map_err(
                |e| match e {
                    scms_crypto::verify::VerifyError::UnsupportedAlgorithm => {
                        Rejection::UnsupportedAlgorithm
                    }
                    _ => Rejection::BadSignature,
                },
            ),
        );
    };
    let d = ecdsa_digest_from_hashes(HashAlgorithm::Sha256, tbs_sha256, &signer.sha256);
    let Ok(digest) = <[u8; 32]>::try_from(d.as_bytes()) else {
        return SigTask::Done(Err(Rejection::BadSignature));
    };
    let r = match &sig.r_sig {
        EccP256CurvePoint::XOnly(x) => {
            let result = engine::Signature::from_scalars(x, &sig.s_sig)
                .and_then(|es| x_only(&key, &digest, &es))
                .map_err(engine_rejection);
            return SigTask::Done(result);
        }
        EccP256CurvePoint::Fill => return SigTask::Done(Err(Rejection::BadSignature)),
        EccP256CurvePoint::CompressedY0(x) => [&[0x02][..], &x[..]].concat(),
        EccP256CurvePoint::CompressedY1(x) => [&[0x03][..], &x[..]].concat(),
        EccP256CurvePoint::UncompressedP256(u) => [&[0x04][..], &u.x[..], &u.y[..]].concat(),
    };
    SigTask::Full {
        key,
        digest,
        r,
        s: sig.s_sig,
    }
}

impl Verifier {
    /// Checks a batch of SPDUs received at `now`; one verdict per message, in
    /// order, exactly as [`Verifier::verify`] would give them one after the
    /// other (so a replay inside the batch is caught, and a certificate carried
    /// by an earlier message serves later digest-signed ones).
    ///
    /// Every check but the signature runs per message, in order. The P-256
    /// signatures whose rSig is a point (compressed or uncompressed) are then
    /// verified together by the ECDSA* batch verifier of `scms_crypto::engine`
    /// (a failed batch is bisected down to the bad signatures); a sender whose
    /// signatures fail gets smaller batches for a while (`BatchSizer`), so a
    /// forger cannot make everyone's batches expensive. x-only signatures go
    /// one by one through the signer's table, other curves through
    /// `scms_crypto::verify`. A message that repeats the signed bytes of an
    /// earlier one still waiting in the batch first settles the waiting ones,
    /// so the replay cache holds exactly what sequential verification would.
    pub fn verify_batch(
        &mut self,
        spdus: &[&[u8]],
        now: Time64,
    ) -> Vec<Result<Verified, Rejection>> {
        let mut out: Vec<Option<Result<Verified, Rejection>>> =
            (0..spdus.len()).map(|_| None).collect();
        let mut pending: Vec<Pending> = Vec::new();
        let mut in_flight: HashSet<[u8; 16]> = HashSet::new();
        for (index, bytes) in spdus.iter().enumerate() {
            let data: Ieee1609Dot2Data<'_> = match scms_asn1::decode(bytes) {
                Ok(d) => d,
                Err(e) => {
                    out[index] = Some(Err(Rejection::Malformed(e.to_string())));
                    continue;
                }
            };
            let Ieee1609Dot2Content::SignedData(sd) = &data.content else {
                out[index] = Some(Err(Rejection::NotSigned));
                continue;
            };
            let checked = match self.check(sd, now, &in_flight) {
                Ok(Some(c)) => c,
                Ok(None) => {
                    // Same signed bytes as a waiting message: settle those first.
                    self.settle(&mut pending, &mut out, now);
                    in_flight.clear();
                    match self.check(sd, now, &in_flight) {
                        Ok(Some(c)) => c,
                        Ok(None) => {
                            out[index] = Some(Err(Rejection::Replay));
                            continue;
                        }
                        Err(r) => {
                            out[index] = Some(Err(r));
                            continue;
                        }
                    }
                }
                Err(r) => {
                    out[index] = Some(Err(r));
                    continue;
                }
            };
            let task = self.signature_task(sd, &checked);
            in_flight.insert(checked.replay_id);
            pending.push(Pending {
                index,
                checked,
                task,
            });
        }
        self.settle(&mut pending, &mut out, now);
        out.into_iter()
            .map(|v| v.unwrap_or(Err(Rejection::BadSignature)))
            .collect()
    }

    /// Verifies the waiting signatures (the batchable ones together) and
    /// gives the waiting messages their verdicts, in order.
    fn settle(
        &mut self,
        pending: &mut Vec<Pending>,
        out: &mut [Option<Result<Verified, Rejection>>],
        now: Time64,
    ) {
        // Parse the full signatures together (compressed R decompressed in bulk).
        let full: Vec<usize> = pending
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.task, SigTask::Full { .. }))
            .map(|(k, _)| k)
            .collect();
        let raw: Vec<(&[u8], &[u8; 32])> = full
            .iter()
            .filter_map(|&k| match &pending[k].task {
                SigTask::Full { r, s, .. } => Some((r.as_slice(), s)),
                SigTask::Done(_) => None,
            })
            .collect();
        let parsed = engine::parse_full_signatures(&raw);
        let mut results: Vec<Option<Result<(), Rejection>>> =
            (0..pending.len()).map(|_| None).collect();
        // Batchable items: (pending index, item, sender).
        let mut items: Vec<(usize, BatchItem, [u8; 8])> = Vec::new();
        for (&k, sig) in full.iter().zip(parsed) {
            let SigTask::Full { key, digest, .. } = &pending[k].task else {
                continue;
            };
            match sig {
                Ok(sig) => items.push((
                    k,
                    BatchItem {
                        key: *key,
                        digest: *digest,
                        sig,
                    },
                    pending[k].checked.signer.hashed_id8,
                )),
                Err(e) => results[k] = Some(Err(engine_rejection(e))),
            }
        }
        for (k, ok) in self.verify_items(&items) {
            results[k] = Some(if ok {
                Ok(())
            } else {
                Err(Rejection::BadSignature)
            });
        }
        for (p, result) in pending.drain(..).zip(results) {
            let signature = match (p.task, result) {
                (SigTask::Done(r), _) => r,
                (SigTask::Full { .. }, Some(r)) => r,
                (SigTask::Full { .. }, None) => Err(Rejection::BadSignature),
            };
            out[p.index] = Some(self.conclude(p.checked, signature, now));
        }
    }

    /// Batch-verifies full-R P-256 signatures: senders at full batch size
    /// share batches of `batch_max`; a sender whose signatures failed lately
    /// gets batches of its own, of the size `BatchSizer` allows.
    fn verify_items(&mut self, items: &[(usize, BatchItem, [u8; 8])]) -> Vec<(usize, bool)> {
        let max = self.config.batch_max.max(1);
        let mut shared: Vec<usize> = Vec::new();
        let mut own: Vec<([u8; 8], Vec<usize>)> = Vec::new();
        for (n, (_, _, id)) in items.iter().enumerate() {
            let size = self.sizer.size_for(id);
            if size >= max {
                shared.push(n);
            } else if let Some((_, v)) = own.iter_mut().find(|(s, _)| s == id) {
                v.push(n);
            } else {
                own.push((*id, vec![n]));
            }
        }
        let mut chunks: Vec<Vec<usize>> = shared.chunks(max).map(<[usize]>::to_vec).collect();
        for (id, v) in &own {
            let size = self.sizer.size_for(id).max(1);
            chunks.extend(v.chunks(size).map(<[usize]>::to_vec));
        }
        let mut out = Vec::with_capacity(items.len());
        let mut failed: HashMap<[u8; 8], bool> = HashMap::new();
        for chunk in chunks {
            let verdicts = if chunk.len() == 1 {
                None
            } else {
                let batch: Vec<BatchItem> = chunk.iter().map(|&n| items[n].1).collect();
                engine::verify_batch(&batch).ok()
            };
            let verdicts = match verdicts {
                Some(v) if v.len() == chunk.len() => v,
                // One signature, or the batch verifier could not run (random
                // weights): each through its signer's table.
                _ => chunk
                    .iter()
                    .map(|&n| {
                        let (_, it, id) = &items[n];
                        self.tables
                            .verify_full_with_table(id, &it.key, &it.digest, &it.sig)
                            .is_ok()
                    })
                    .collect(),
            };
            for (&n, ok) in chunk.iter().zip(verdicts) {
                let (k, _, id) = &items[n];
                *failed.entry(*id).or_insert(false) |= !ok;
                out.push((*k, ok));
            }
        }
        for (id, f) in failed {
            self.sizer.record(&id, f);
        }
        out
    }

    /// Applies a `SecuredCrl` (1609.2 clause 7.3): its signer must chain to a
    /// trust anchor (a root may sign its CRLs itself: the digest then names the
    /// anchor), be valid at `now`, hold the CRL PSID (256) with a `CrlSsp` that
    /// lists the CRL's series and designates its `crlCraca` (the signer itself
    /// or its issuer), and the signature must verify (P-256 through
    /// `scms_crypto::engine`, without a signer table); then its entries join
    /// the revocation state.
    /// `current_i` is the receiver's current i-period.
    pub fn apply_crl(
        &mut self,
        crl: &[u8],
        now: Time64,
        current_i: u16,
    ) -> Result<CrlApplied, Rejection> {
        let data: Ieee1609Dot2Data<'_> =
            scms_asn1::decode(crl).map_err(|e| Rejection::Malformed(e.to_string()))?;
        let sd = match &data.content {
            Ieee1609Dot2Content::SignedData(sd) => sd,
            _ => return Err(Rejection::NotSigned),
        };
        if sd.tbs_data.header_info.psid.0 != CRL_PSID {
            return Err(Rejection::PsidNotPermitted {
                psid: sd.tbs_data.header_info.psid.0,
            });
        }
        let signer = self.resolve_signer(sd)?;
        let Some(ssp) = signer.permission(CRL_PSID) else {
            return Err(Rejection::PsidNotPermitted { psid: CRL_PSID });
        };
        // The CRL signer's `CrlSsp` (1609.2 clause 7.4.2), read before the
        // signature and checked against the contents after it.
        let crl_ssp: Option<CrlSsp> = ssp.and_then(|s| scms_asn1::decode(s).ok());
        let at = time32_of(now);
        for c in self.store.chain(&signer.hashed_id8) {
            if !c.valid_at(at) {
                return Err(Rejection::CertificateNotValid {
                    at,
                    start: c.start,
                    end: c.end,
                });
            }
        }
        verify_once(sd, &signer)?;
        let contents_bytes = match sd.tbs_data.payload.data.as_deref().map(|d| &d.content) {
            Some(Ieee1609Dot2Content::UnsecuredData(o)) => o.to_vec(),
            _ => return Err(Rejection::NoPayload),
        };
        let contents: CrlContents =
            scms_asn1::decode(&contents_bytes).map_err(|e| Rejection::Malformed(e.to_string()))?;
        // 1609.2 clause 7.3 / 7.4.2: the signer may sign this series, for the
        // CRACA its SSP designates (itself, or its issuer).
        let ssp = crl_ssp.ok_or(Rejection::SspNotPermitted { psid: CRL_PSID })?;
        if !ssp.crls.contains(&contents.crl_series) {
            return Err(Rejection::SspNotPermitted { psid: CRL_PSID });
        }
        let craca = match ssp.associated_craca {
            CracaType::IsCraca => Some(signer.hashed_id8),
            CracaType::IssuerIsCraca => signer.issuer,
        };
        if craca != Some(contents.crl_craca) {
            return Err(Rejection::SspNotPermitted { psid: CRL_PSID });
        }
        Ok(self.revocation.apply(&contents, current_i))
    }

    /// The signer certificate of signed data, learning any certificates it carries.
    fn resolve_signer(&mut self, sd: &SignedData<'_>) -> Result<Arc<CertInfo>, Rejection> {
        match &sd.signer {
            SignerIdentifier::Digest(d) => self.store.get(d).ok_or(Rejection::UnknownSigner {
                p2pcd: hashed_id3(d),
            }),
            SignerIdentifier::Certificate(chain) => {
                // Issuers first (the chain is signer first), then the signer.
                let mut last = None;
                for c in chain.iter().rev() {
                    last = Some(self.store.add_certificate(c)?);
                }
                last.ok_or(Rejection::Malformed(
                    "empty signer certificate chain".into(),
                ))
            }
            SignerIdentifier::SelfSigned => Err(Rejection::NotATrustAnchor),
            SignerIdentifier::Unknown(_) => Err(Rejection::UnsupportedAlgorithm),
        }
    }

    /// Every check but the signature. `Ok(None)`: the signed bytes are those
    /// of a message in `in_flight` (a batch's waiting messages), whose
    /// verdict decides whether this one is a replay; nothing was changed.
    fn check(
        &mut self,
        sd: &SignedData<'_>,
        now: Time64,
        in_flight: &HashSet<[u8; 16]>,
    ) -> Result<Option<Checked>, Rejection> {
        let tbs = &sd.tbs_data;
        let header = &tbs.header_info;
        let psid = header.psid.0;

        // Freshness.
        let generation_time = header.generation_time;
        match generation_time {
            Some(g) if g > now.saturating_add(self.config.max_future_us) => {
                return Err(Rejection::GenerationTimeInFuture { by_us: g - now });
            }
            Some(g) if now.saturating_sub(g) > self.config.max_age_us => {
                return Err(Rejection::TooOld {
                    by_us: now - g - self.config.max_age_us,
                });
            }
            None if self.config.require_generation_time => {
                return Err(Rejection::MissingGenerationTime)
            }
            _ => {}
        }
        if header.expiry_time.is_some_and(|e| e < now) {
            return Err(Rejection::Expired);
        }

        // Replay: the digest of the signed bytes.
        let tbs_bytes = tbs
            .to_bytes()
            .map_err(|e| Rejection::Malformed(e.to_string()))?;
        let mut tbs_sha256 = [0u8; 32];
        tbs_sha256.copy_from_slice(digest(HashAlgorithm::Sha256, &tbs_bytes).as_bytes());
        let mut replay_id = [0u8; 16];
        replay_id.copy_from_slice(&tbs_sha256[..16]);
        let window = self.config.replay_window_us;
        if window > 0 {
            if self.replay.contains(&replay_id, now, window) {
                return Err(Rejection::Replay);
            }
            if in_flight.contains(&replay_id) {
                return Ok(None);
            }
        }

        // Signer and chain.
        let signer = self.resolve_signer(sd)?;
        let at = time32_of(generation_time.unwrap_or(now));
        let chain = self.store.chain(&signer.hashed_id8);
        for c in &chain {
            if !c.valid_at(at) {
                return Err(Rejection::CertificateNotValid {
                    at,
                    start: c.start,
                    end: c.end,
                });
            }
            if self.revocation.is_hash_revoked(&c.hashed_id10) {
                return Err(Rejection::RevokedByHash {
                    hashed_id8: c.hashed_id8,
                });
            }
        }
        if let Some((i, lv)) = &signer.linkage {
            if self.revocation.is_linkage_revoked(*i, lv) {
                return Err(Rejection::RevokedByLinkage);
            }
        }

        // Permissions.
        let ssp = signer
            .permission(psid)
            .ok_or(Rejection::PsidNotPermitted { psid })?;
        let payload = payload_bytes(sd).ok_or(Rejection::NoPayload)?;
        if let Some(check) = self.config.ssp_check {
            if !check(psid, ssp, &payload) {
                return Err(Rejection::SspNotPermitted { psid });
            }
        }

        // Region.
        if self.config.check_region {
            if let (Some(loc), Some(r)) = (&header.generation_location, &signer.region) {
                if region::location_in(loc, r) == Some(false) {
                    return Err(Rejection::OutsideRegion);
                }
            }
        }

        let verified = Verified {
            psid,
            payload,
            generation_time,
            generation_location: header.generation_location,
            signer: signer.hashed_id8,
            ssp: ssp.map(<[u8]>::to_vec),
            p2pcd_request: header.p2pcd_learning_request,
        };
        Ok(Some(Checked {
            verified,
            signer,
            replay_id,
            tbs_sha256,
        }))
    }
}

/// Verifies the signature of one-off signed data (a CRL) by `signer`: P-256
/// through the engine without a signer table (a CRL signer does not sign
/// often enough to pay for one), other curves through `scms_crypto::verify`.
fn verify_once(sd: &SignedData<'_>, signer: &CertInfo) -> Result<(), Rejection> {
    let tbs_bytes = sd
        .tbs_data
        .to_bytes()
        .map_err(|e| Rejection::Malformed(e.to_string()))?;
    let mut tbs_sha256 = [0u8; 32];
    tbs_sha256.copy_from_slice(digest(HashAlgorithm::Sha256, &tbs_bytes).as_bytes());
    match signature_plan(sd, signer, &tbs_sha256, engine::verify_prehash) {
        SigTask::Done(r) => r,
        SigTask::Full { key, digest, r, s } => FullSignature::from_sec1(&r, &s)
            .and_then(|sig| engine::verify_prehash_full(&key, &digest, &sig))
            .map_err(engine_rejection),
    }
}

/// The application payload: `unsecuredData` of the inner data.
fn payload_bytes(sd: &SignedData<'_>) -> Option<Vec<u8>> {
    match &sd.tbs_data.payload.data.as_deref()?.content {
        Ieee1609Dot2Content::UnsecuredData(o) => Some(o.to_vec()),
        other => scms_asn1::encode(other).ok(),
    }
}
