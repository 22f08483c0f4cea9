//! The certificates a device knows: trust anchors, the CA certificates under them
//! and the certificates of neighbours, each checked once (signature or ECQV key
//! reconstruction, chain consistency) and then kept with what verification of a
//! message needs, keyed by HashedId8. Signed messages that name their signer by
//! digest are resolved here in O(1).

use crate::Rejection;
use scms_asn1::ieee1609dot2::time::validity_end;
use scms_asn1::ieee1609dot2::{
    region, Certificate, CertificateId, GeographicRegion, ServiceSpecificPermissions,
    SubjectPermissions,
};
use scms_crypto::engine::{self, Affine};
use scms_crypto::hash::{digest, Digest, HashAlgorithm};
use scms_crypto::signing_input::sm2_signer_z_a;
use scms_crypto::suite::{Curve, PublicKey};
use scms_crypto::verify::{self, certificate_hashed_id8};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// An 8-byte certificate digest.
pub type HashedId8 = [u8; 8];

/// What verifying an SM2 signer's messages needs, computed once per
/// certificate: the key for the engine and `Z_A` (YD/T 3957: `ID_A` = SM3 of
/// the certificate), so a message costs one SM3 of its tbsData.
#[derive(Clone, Debug)]
pub struct Sm2Signer {
    pub key: engine::sm2::Affine,
    pub z_a: Digest,
}

/// What verification needs from a checked certificate (owned, so it outlives the
/// message it came in).
#[derive(Clone, Debug)]
pub struct CertInfo {
    pub hashed_id8: HashedId8,
    /// HashedId10 (CRL hash entries name certificates by it).
    pub hashed_id10: [u8; 10],
    /// The COER certificate (the signer part of the signing input).
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`: the signer part of the P-256 signing input, hashed once
    /// per certificate instead of once per message.
    pub sha256: [u8; 32],
    /// The verification key (explicit, or reconstructed by ECQV), computed
    /// once when the certificate is added (an ECQV reconstruction is not
    /// repeated per message).
    pub public_key: PublicKey,
    /// The same key for the fast P-256 engine (`scms_crypto::engine`), when
    /// the key is on NIST P-256.
    pub p256: Option<Affine>,
    /// The same key for the engine's SM2 verifier with its `Z_A`, when the
    /// key is on SM2.
    pub sm2: Option<Sm2Signer>,
    /// Validity in `Time32` seconds: `start <= t < end`.
    pub start: u32,
    pub end: u64,
    /// The region that applies: the certificate's, or inherited from its issuer.
    pub region: Option<GeographicRegion>,
    /// appPermissions: PSID and SSP bytes (opaque or bitmap).
    pub app_permissions: Vec<(u64, Option<Vec<u8>>)>,
    /// Whether it may issue certificates (certIssuePermissions present).
    pub is_ca: bool,
    /// The issuer (None for a trust anchor).
    pub issuer: Option<HashedId8>,
    /// Certificates between this one and its trust anchor (0 for an anchor).
    pub depth: u8,
    /// Pseudonym linkage data: (iCert, linkage value).
    pub linkage: Option<(u16, [u8; 9])>,
    /// CRL series and CRACA id, to pick the CRLs that apply.
    pub crl_series: u16,
    pub craca_id: [u8; 3],
}

impl CertInfo {
    /// Whether the certificate permits `psid`, and the SSP it grants.
    pub fn permission(&self, psid: u64) -> Option<Option<&[u8]>> {
        self.app_permissions
            .iter()
            .find(|(p, _)| *p == psid)
            .map(|(_, s)| s.as_deref())
    }

    pub fn valid_at(&self, t: u32) -> bool {
        self.start <= t && u64::from(t) < self.end
    }
}

/// Bounded store of checked certificates. Trust anchors are never evicted;
/// other certificates leave in insertion order once `capacity` is reached.
pub struct CertificateStore {
    certs: HashMap<HashedId8, Arc<CertInfo>>,
    order: VecDeque<HashedId8>,
    capacity: usize,
    max_chain_depth: u8,
}

fn ssp_bytes(s: &ServiceSpecificPermissions<'_>) -> Option<Vec<u8>> {
    match s {
        ServiceSpecificPermissions::Opaque(o) => Some(o.to_vec()),
        ServiceSpecificPermissions::BitmapSsp(b) => Some(b.0.to_vec()),
        ServiceSpecificPermissions::Unknown(u) => Some(u.bytes.clone()),
    }
}

impl CertificateStore {
    /// A store for `capacity` certificates besides the anchors; chains deeper
    /// than `max_chain_depth` certificates below an anchor are refused.
    pub fn new(capacity: usize, max_chain_depth: u8) -> Self {
        Self {
            certs: HashMap::new(),
            order: VecDeque::new(),
            capacity,
            max_chain_depth,
        }
    }

    pub fn get(&self, id: &HashedId8) -> Option<Arc<CertInfo>> {
        self.certs.get(id).cloned()
    }

    pub fn len(&self) -> usize {
        self.certs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Adds a self-signed root as a trust anchor after checking its signature.
    pub fn add_trust_anchor(&mut self, bytes: &[u8]) -> Result<Arc<CertInfo>, Rejection> {
        let cert: Certificate<'_> =
            scms_asn1::decode(bytes).map_err(|e| Rejection::Malformed(e.to_string()))?;
        if !cert.is_self_signed() {
            return Err(Rejection::NotATrustAnchor);
        }
        verify::verify_certificate(&cert, None).map_err(|_| Rejection::BadCertificateSignature)?;
        let info = Arc::new(self.describe(&cert, bytes, None)?);
        self.certs.insert(info.hashed_id8, info.clone());
        Ok(info)
    }

    /// Checks a certificate against its issuer (which must be known) and keeps it.
    /// A certificate already known is returned without new work.
    pub fn add_certificate(&mut self, cert: &Certificate<'_>) -> Result<Arc<CertInfo>, Rejection> {
        let id = certificate_hashed_id8(cert)
            .map_err(|e| Rejection::Malformed(e.to_string()))?
            .0;
        if let Some(known) = self.certs.get(&id) {
            return Ok(known.clone());
        }
        let Some(issuer_id) = verify::issuer_digest(cert) else {
            // A self-signed certificate is trusted only when added as an anchor.
            return Err(Rejection::UnknownIssuer { issuer: id });
        };
        let issuer = self
            .certs
            .get(&issuer_id)
            .cloned()
            .ok_or(Rejection::UnknownIssuer { issuer: issuer_id })?;
        if !issuer.is_ca {
            return Err(Rejection::IssuerNotCa);
        }
        if issuer.depth >= self.max_chain_depth {
            return Err(Rejection::ChainTooLong);
        }
        let bytes = cert
            .to_bytes()
            .map_err(|e| Rejection::Malformed(e.to_string()))?;
        let issuer_cert: Certificate<'_> =
            scms_asn1::decode(&issuer.bytes).map_err(|e| Rejection::Malformed(e.to_string()))?;
        if cert.is_implicit() {
            // Nothing to verify: the key is reconstructed; a wrong certificate yields a
            // key that verifies nothing.
        } else {
            verify::verify_certificate(cert, Some(&issuer_cert))
                .map_err(|_| Rejection::BadCertificateSignature)?;
        }
        let info = self.describe(cert, &bytes, Some((&issuer, &issuer_cert)))?;
        // Chain consistency (1609.2 5.1.2.1): validity and region inside the issuer's.
        if info.start < issuer.start || info.end > issuer.end {
            return Err(Rejection::InconsistentChain(
                "validity outside the issuer's",
            ));
        }
        if let (Some(own), Some(up)) = (&cert.to_be_signed.region, &issuer.region) {
            region::region_within(own, up)
                .map_err(|_| Rejection::InconsistentChain("region outside the issuer's"))?;
        }
        let info = Arc::new(info);
        self.insert(info.clone());
        Ok(info)
    }

    fn insert(&mut self, info: Arc<CertInfo>) {
        if self.order.len() >= self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.certs.remove(&old);
            }
        }
        self.order.push_back(info.hashed_id8);
        self.certs.insert(info.hashed_id8, info);
    }

    fn describe(
        &self,
        cert: &Certificate<'_>,
        bytes: &[u8],
        issuer: Option<(&Arc<CertInfo>, &Certificate<'_>)>,
    ) -> Result<CertInfo, Rejection> {
        let tbs = &cert.to_be_signed;
        let hashed_id8 = certificate_hashed_id8(cert)
            .map_err(|e| Rejection::Malformed(e.to_string()))?
            .0;
        let full = digest(verify::certificate_hash(cert), bytes);
        let h = full.as_bytes();
        let mut hashed_id10 = [0u8; 10];
        hashed_id10.copy_from_slice(&h[h.len() - 10..]);
        let public_key = verify::certificate_public_key(cert, issuer.map(|(_, c)| c))
            .map_err(|_| Rejection::BadCertificateSignature)?;
        let p256 = (public_key.curve() == Curve::NistP256)
            .then(|| Affine::from_sec1(&public_key.to_sec1(false)).ok())
            .flatten();
        let sm2 = (public_key.curve() == Curve::Sm2)
            .then(|| {
                Some(Sm2Signer {
                    key: engine::sm2::Affine::from_sec1(&public_key.to_sec1(false)).ok()?,
                    z_a: sm2_signer_z_a(&public_key, bytes).ok()?,
                })
            })
            .flatten();
        let app_permissions = tbs
            .app_permissions
            .iter()
            .flatten()
            .map(|p| (p.psid.0, p.ssp.as_ref().and_then(ssp_bytes)))
            .collect();
        let region = tbs
            .region
            .clone()
            .or_else(|| issuer.and_then(|(i, _)| i.region.clone()));
        let linkage = match &tbs.id {
            CertificateId::LinkageData(l) => Some((l.i_cert, l.linkage_value)),
            _ => None,
        };
        let is_ca = tbs.cert_issue_permissions.as_ref().is_some_and(|g| {
            g.iter()
                .any(|p| !matches!(p.subject_permissions, SubjectPermissions::Unknown(_)))
        });
        Ok(CertInfo {
            hashed_id8,
            hashed_id10,
            bytes: bytes.to_vec(),
            sha256: sha256(bytes),
            public_key,
            p256,
            sm2,
            start: tbs.validity_period.start,
            end: validity_end(&tbs.validity_period),
            region,
            app_permissions,
            is_ca,
            issuer: issuer.map(|(i, _)| i.hashed_id8),
            depth: issuer.map_or(0, |(i, _)| i.depth + 1),
            linkage,
            crl_series: tbs.crl_series,
            craca_id: tbs.craca_id,
        })
    }

    /// The chain of a known certificate up to its anchor, the certificate first.
    pub fn chain(&self, id: &HashedId8) -> Vec<Arc<CertInfo>> {
        let mut out = Vec::new();
        let mut next = self.certs.get(id).cloned();
        while let Some(c) = next {
            next = c.issuer.and_then(|i| self.certs.get(&i).cloned());
            out.push(c);
            if out.len() > usize::from(self.max_chain_depth) + 1 {
                break;
            }
        }
        out
    }
}

/// HashedId3 of a certificate named by its HashedId8 (P2PCD names certificates so).
pub fn hashed_id3(id: &HashedId8) -> [u8; 3] {
    [id[5], id[6], id[7]]
}

/// SHA-256, for callers that need a certificate digest outside the store.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(HashAlgorithm::Sha256, data).as_bytes());
    out
}
