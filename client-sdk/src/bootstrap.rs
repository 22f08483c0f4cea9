//! Bootstrapping a device's trust (IEEE 1609.2.1-2022 clause 6.3.5, CTL):
//! from the elector certificates it was manufactured with, a
//! `MultiSignedCtlSpdu` whose quorum of elector signatures verifies names the
//! root CAs to trust; those roots become trust anchors of the
//! [`CertificateStore`]. A `CertificateChainSpdu` (the ECA's
//! `GET /v3/ca-certificate`: the home CTL and the ECA and ICA certificates)
//! bootstraps the roots and then adds the CA certificates under them.
//!
//! Sans-IO: bytes in, trust out. The elector signatures are checked with
//! `scms_crypto::verify` directly (the SDK does not depend on the CA crate).
//!
//! Hash entries follow the CA: an entry is the hash of the COER certificate
//! with its own key's hash; `HashedId48` holds the low-order 48 octets (a
//! 32-octet hash is left-padded with zeros), `HashedId32` the low-order 32.

use core::fmt;

use scms_asn1::ieee1609dot2::{
    Certificate, HashedId32, HashedId48, Ieee1609Dot2Content, Ieee1609Dot2Data,
    ServiceSpecificPermissions, SignerIdentifier, Time32,
};
use scms_asn1::ieee1609dot2dot1::cert_management::{CertManagementPdu, FULL_IEEE_CTL};
use scms_asn1::ieee1609dot2dot1::protocol::{
    MultiSignedCtlSpdu, ScmsPdu, ScmsPduContent, SecurityMgmtSsp, SECURITY_MGMT_PSID,
};
use scms_crypto::hash::digest;
use scms_crypto::verify::{certificate_hash, verify_signed_data};

use crate::store::CertificateStore;
use crate::Rejection;

/// Why a CTL or certificate chain was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BootstrapError {
    /// Bytes that are not the expected structure.
    Malformed(String),
    /// An elector signature is wrong, by an untrusted elector, or over
    /// another CTL (which signature, and why).
    BadSignature(String),
    /// Fewer valid elector signatures than the quorum.
    NoQuorum { valid: usize, quorum: usize },
    /// The CTL approves no root CA carried in it.
    NoRoot,
    /// A certificate was refused by the store (chain, signature...).
    Certificate(Rejection),
}

impl fmt::Display for BootstrapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed: {w}"),
            Self::BadSignature(w) => write!(f, "bad CTL signature: {w}"),
            Self::NoQuorum { valid, quorum } => {
                write!(f, "{valid} valid elector signatures, quorum is {quorum}")
            }
            Self::NoRoot => f.write_str("the CTL approves no root CA it carries"),
            Self::Certificate(r) => write!(f, "certificate refused: {r}"),
        }
    }
}

impl std::error::Error for BootstrapError {}

impl From<scms_asn1::DecodeError> for BootstrapError {
    fn from(e: scms_asn1::DecodeError) -> Self {
        Self::Malformed(e.to_string())
    }
}

impl From<scms_asn1::EncodeError> for BootstrapError {
    fn from(e: scms_asn1::EncodeError) -> Self {
        Self::Malformed(e.to_string())
    }
}

/// A CTL whose quorum of elector signatures verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedCtl {
    pub series_id: [u8; 8],
    pub sequence_number: u16,
    pub effective_date: Time32,
    /// The root CA certificates (COER) it approves and carries.
    pub roots: Vec<Vec<u8>>,
    /// The elector certificates (COER) it approves and carries: the electors
    /// to trust for the next CTL.
    pub electors: Vec<Vec<u8>>,
    /// How many distinct trusted electors signed it validly.
    pub signatures: usize,
}

fn cert_hash(cert: &[u8]) -> Result<Vec<u8>, BootstrapError> {
    let c: Certificate<'_> = scms_asn1::decode(cert)?;
    Ok(digest(certificate_hash(&c), cert).as_bytes().to_vec())
}

/// `CtlElectorEntry` of an elector certificate (COER).
pub fn elector_entry(cert: &[u8]) -> Result<HashedId48, BootstrapError> {
    let d = cert_hash(cert)?;
    let mut out = [0u8; 48];
    let n = d.len().min(48);
    out[48 - n..].copy_from_slice(&d[d.len() - n..]);
    Ok(out)
}

/// `CtlRootCaEntry` of a root CA certificate (COER).
pub fn root_ca_entry(cert: &[u8]) -> Result<HashedId32, BootstrapError> {
    let d = cert_hash(cert)?;
    let mut out = [0u8; 32];
    let n = d.len().min(32);
    out[32 - n..].copy_from_slice(&d[d.len() - n..]);
    Ok(out)
}

fn is_elector(cert: &Certificate<'_>) -> bool {
    cert.to_be_signed.app_permissions.iter().flatten().any(|p| {
        p.psid == SECURITY_MGMT_PSID
            && matches!(&p.ssp, Some(ServiceSpecificPermissions::Opaque(o))
                if matches!(scms_asn1::decode::<SecurityMgmtSsp>(o), Ok(SecurityMgmtSsp::Elector(_))))
    })
}

/// Verifies a `MultiSignedCtlSpdu` (COER): every signature must be by one of
/// `trusted_electors` (COER certificates: the device's bootstrap set, or the
/// electors of the previous CTL), carry the ElectorSsp, name this CTL's series,
/// type and sequence number, hash its `tbsCtl`, and verify; at least `quorum`
/// distinct electors must have signed.
pub fn verify_ctl(
    spdu: &[u8],
    trusted_electors: &[&[u8]],
    quorum: usize,
) -> Result<TrustedCtl, BootstrapError> {
    let outer: MultiSignedCtlSpdu<'_> = scms_asn1::decode(spdu)?;
    let pdu = outer.scms_pdu()?;
    let ScmsPduContent::Cert(CertManagementPdu::MultiSignedCtl(m)) = &pdu.content else {
        return Err(BootstrapError::Malformed("not a multiSignedCtl".into()));
    };
    let tbs = m.full_ieee_tbs_ctl()?;
    let trusted = trusted_electors
        .iter()
        .map(|c| elector_entry(c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut signed_by: Vec<HashedId48> = Vec::new();
    for (i, s) in m.signatures.iter().enumerate() {
        let bad = |why: &str| BootstrapError::BadSignature(format!("signatures[{i}]: {why}"));
        let sd = s.signed_data()?;
        let sig_pdu = s.scms_pdu()?;
        let ScmsPduContent::Cert(CertManagementPdu::TbsCtlSignature(t)) = &sig_pdu.content else {
            return Err(bad("not a tbsCtlSignature"));
        };
        let SignerIdentifier::Certificate(chain) = &sd.signer else {
            return Err(bad("signer is not a certificate"));
        };
        let signer = chain.first().ok_or_else(|| bad("empty signer"))?;
        let signer_bytes = signer.to_bytes()?;
        let entry = elector_entry(&signer_bytes)?;
        if !trusted.contains(&entry) {
            return Err(bad("signed by an elector that is not trusted"));
        }
        if !is_elector(signer) {
            return Err(bad("signer certificate has no ElectorSsp"));
        }
        if t.ctl_series_id != tbs.ctl_series_id
            || t.ctl_type != FULL_IEEE_CTL
            || t.sequence_number != tbs.sequence_number
        {
            return Err(bad("signs another CTL (series, type or sequence number)"));
        }
        let h = digest(certificate_hash(signer), m.tbs_ctl.bytes());
        let hb = h.as_bytes();
        let mut expected = [0u8; 48];
        let n = hb.len().min(48);
        expected[48 - n..].copy_from_slice(&hb[hb.len() - n..]);
        if t.tbs_ctl_hash != expected {
            return Err(bad("tbsCtlHash does not match tbsCtl"));
        }
        verify_signed_data(sd, signer, None).map_err(|e| bad(&e.to_string()))?;
        if signed_by.contains(&entry) {
            return Err(bad("the same elector signed twice"));
        }
        signed_by.push(entry);
    }
    if signed_by.len() < quorum.max(1) {
        return Err(BootstrapError::NoQuorum {
            valid: signed_by.len(),
            quorum: quorum.max(1),
        });
    }
    let mut roots = Vec::new();
    let mut electors = Vec::new();
    for c in m.full_ieee_unsigned()?.iter() {
        let bytes = c.to_bytes()?.into_owned();
        let root = root_ca_entry(&bytes)?;
        if tbs.root_ca_approve.contains(&root) && !tbs.root_ca_remove.contains(&root) {
            roots.push(bytes);
        } else {
            let e = elector_entry(&bytes)?;
            if tbs.elector_approve.contains(&e) && !tbs.elector_remove.contains(&e) {
                electors.push(bytes);
            }
        }
    }
    Ok(TrustedCtl {
        series_id: tbs.ctl_series_id,
        sequence_number: tbs.sequence_number,
        effective_date: tbs.effective_date,
        roots,
        electors,
        signatures: signed_by.len(),
    })
}

/// Verifies a CTL ([`verify_ctl`]) and adds every root CA it approves to
/// `store` as a trust anchor (each after checking its self-signature).
pub fn bootstrap(
    store: &mut CertificateStore,
    ctl: &[u8],
    trusted_electors: &[&[u8]],
    quorum: usize,
) -> Result<TrustedCtl, BootstrapError> {
    let trusted = verify_ctl(ctl, trusted_electors, quorum)?;
    if trusted.roots.is_empty() {
        return Err(BootstrapError::NoRoot);
    }
    for r in &trusted.roots {
        store
            .add_trust_anchor(r)
            .map_err(BootstrapError::Certificate)?;
    }
    Ok(trusted)
}

/// Processes a `CertificateChainSpdu` (the ECA's `GET /v3/ca-certificate`):
/// bootstraps from its home CTL ([`bootstrap`]), then adds the other
/// certificates (ECA, ICA) to `store`, each checked against its issuer.
/// Returns the CTL and the COER certificates added, in the order given.
pub fn process_certificate_chain(
    store: &mut CertificateStore,
    chain_spdu: &[u8],
    trusted_electors: &[&[u8]],
    quorum: usize,
) -> Result<(TrustedCtl, Vec<Vec<u8>>), BootstrapError> {
    let data: Ieee1609Dot2Data<'_> = scms_asn1::decode(chain_spdu)?;
    let Ieee1609Dot2Content::UnsecuredData(inner) = &data.content else {
        return Err(BootstrapError::Malformed(
            "CertificateChainSpdu: not unsecuredData".into(),
        ));
    };
    let pdu: ScmsPdu<'_> = scms_asn1::decode(&inner[..])?;
    let ScmsPduContent::Cert(CertManagementPdu::CertificateChain(chain)) = &pdu.content else {
        return Err(BootstrapError::Malformed("not a certificateChain".into()));
    };
    let ctl = scms_asn1::encode(&chain.home_ctl)?;
    let trusted = bootstrap(store, &ctl, trusted_electors, quorum)?;
    // Issuers may come after their subjects (ECA, ICA): add what fits until
    // nothing more does.
    let mut left: Vec<&Certificate<'_>> = chain.others.iter().collect();
    let mut added = Vec::new();
    while !left.is_empty() {
        let before = left.len();
        let mut refused = None;
        let mut rest = Vec::new();
        for c in left {
            match store.add_certificate(c) {
                Ok(info) => added.push(info.bytes.clone()),
                Err(e) => {
                    refused = Some(e);
                    rest.push(c);
                }
            }
        }
        if rest.len() == before {
            return Err(BootstrapError::Certificate(
                refused.unwrap_or(Rejection::NotATrustAnchor),
            ));
        }
        left = rest;
    }
    Ok((trusted, added))
}
