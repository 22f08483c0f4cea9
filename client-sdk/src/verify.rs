//! Receiving signed SPDUs (1609.2 clause 5.2.4): every check a verdict with its
//! reason, cheap checks first and the signature last, so a flood of garbage
//! costs little. Bytes and time in, a verdict out: no I/O, no clock.

use crate::revocation::{CrlApplied, RevocationList};
use crate::store::{hashed_id3, CertInfo, CertificateStore, HashedId8};
use scms_asn1::ieee1609dot2::crl_base_types::CrlContents;
use scms_asn1::ieee1609dot2::crl_ssp::{CracaType, CrlSsp};
use scms_asn1::ieee1609dot2::time::time32_of;
use scms_asn1::ieee1609dot2::{
    region, Ieee1609Dot2Content, Ieee1609Dot2Data, SignedData, SignerIdentifier, ThreeDLocation,
    Time64,
};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::verify::verify_signed_data_with_key;
use std::collections::{HashMap, VecDeque};
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
    fn contains(&self, id: &[u8; 16]) -> bool {
        self.seen.contains_key(id)
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
}

impl Verifier {
    pub fn new(config: VerifierConfig) -> Self {
        let store = CertificateStore::new(config.store_capacity, config.max_chain_depth);
        Self {
            config,
            store,
            revocation: RevocationList::default(),
            replay: ReplayCache::default(),
        }
    }

    /// Checks a signed SPDU received at `now` (1609.2 `Time64`).
    pub fn verify(&mut self, spdu: &[u8], now: Time64) -> Result<Verified, Rejection> {
        let data: Ieee1609Dot2Data<'_> =
            scms_asn1::decode(spdu).map_err(|e| Rejection::Malformed(e.to_string()))?;
        let sd = match &data.content {
            Ieee1609Dot2Content::SignedData(sd) => sd,
            _ => return Err(Rejection::NotSigned),
        };
        let (verified, signer, replay_id) = self.check(sd, now)?;
        // Signature last: everything before is cheaper.
        verify_signed_data_with_key(sd, &signer.public_key, &signer.bytes).map_err(
            |e| match e {
                scms_crypto::verify::VerifyError::UnsupportedAlgorithm => {
                    Rejection::UnsupportedAlgorithm
                }
                _ => Rejection::BadSignature,
            },
        )?;
        if self.config.replay_window_us > 0 {
            // Only authentic messages enter the cache, so forgeries cannot block real ones.
            self.replay.insert(
                replay_id,
                verified.generation_time.unwrap_or(now),
                now,
                self.config.replay_window_us,
            );
        }
        Ok(verified)
    }

    /// Checks a batch of SPDUs received at `now`; one verdict per message, in
    /// order, exactly as [`Verifier::verify`] would give them one after the
    /// other (so a replay inside the batch is caught, and a certificate carried
    /// by an earlier message serves later digest-signed ones).
    ///
    /// For now this runs the single-message path for each message. The
    /// line-rate batch engine (ECDSA* batch verification with per-signer
    /// tables) will plug in behind this signature: the cheap checks stay per
    /// message, the signatures of the messages that pass them get verified
    /// together.
    pub fn verify_batch(
        &mut self,
        spdus: &[&[u8]],
        now: Time64,
    ) -> Vec<Result<Verified, Rejection>> {
        spdus.iter().map(|m| self.verify(m, now)).collect()
    }

    /// Applies a `SecuredCrl` (1609.2 clause 7.3): its signer must chain to a
    /// trust anchor (a root may sign its CRLs itself: the digest then names the
    /// anchor), be valid at `now`, hold the CRL PSID (256) with a `CrlSsp` that
    /// lists the CRL's series and designates its `crlCraca` (the signer itself
    /// or its issuer), and the signature must verify; then its entries join the
    /// revocation state.
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
        verify_signed_data_with_key(sd, &signer.public_key, &signer.bytes)
            .map_err(|_| Rejection::BadSignature)?;
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

    /// Every check but the signature; returns the signer and the replay key.
    fn check(
        &mut self,
        sd: &SignedData<'_>,
        now: Time64,
    ) -> Result<(Verified, Arc<CertInfo>, [u8; 16]), Rejection> {
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
        let mut replay_id = [0u8; 16];
        replay_id.copy_from_slice(&digest(HashAlgorithm::Sha256, &tbs_bytes).as_bytes()[..16]);
        if self.config.replay_window_us > 0 && self.replay.contains(&replay_id) {
            return Err(Rejection::Replay);
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
        Ok((verified, signer, replay_id))
    }
}

/// The application payload: `unsecuredData` of the inner data.
fn payload_bytes(sd: &SignedData<'_>) -> Option<Vec<u8>> {
    match &sd.tbs_data.payload.data.as_deref()?.content {
        Ieee1609Dot2Content::UnsecuredData(o) => Some(o.to_vec()),
        other => scms_asn1::encode(other).ok(),
    }
}
