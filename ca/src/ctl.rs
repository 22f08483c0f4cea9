//! The certificate trust list of 1609.2.1: a `MultiSignedCtl` of type
//! `fullIeeeCtl`, whose `tbsCtl` is a `FullIeeeTbsCtl` (series, sequence
//! number, effective date, elector and root CA approvals and removals,
//! quorum), whose `unsigned` part carries the certificates it names, and whose
//! `signatures` are one `CtlSignatureSpdu` per elector.
//!
//! Each `CtlSignatureSpdu` is signed data (PSID 35, `SecurityMgmtPsid`, the
//! elector certificate as signer) over an `ScmsPdu` carrying a
//! `ToBeSignedCtlSignature` `{ctlSeriesId, ctlType, sequenceNumber,
//! tbsCtlHash}`, `tbsCtlHash` the hash of the COER `tbsCtl` with the elector's
//! hash. The whole is published as a `MultiSignedCtlSpdu` (unsecured data
//! carrying the `ScmsPdu`), the bytes of `GET /v3/ctl`.
//!
//! Hash entries (`HashedId48` for electors, `HashedId32` for roots, and
//! `tbsCtlHash`): the hash of the certificate with its own key's hash; a
//! 48-octet hash gives its low-order 32 octets for a `HashedId32`; a 32-octet
//! hash (SHA-256, SM3) in a `HashedId48` fills the low-order 32 octets, the
//! 16 high-order octets being zero (the standard gives no rule for it; the US
//! defaults use P-384 electors, so there the hash is a full SHA-384).

use scms_asn1::codec::Octets;
use scms_asn1::ieee1609dot2::{
    Certificate, HashedId32, HashedId48, Ieee1609Dot2Content, Ieee1609Dot2Data,
    ServiceSpecificPermissions, SignerIdentifier, Time32,
};
use scms_asn1::ieee1609dot2dot1::cert_management::{
    CertManagementPdu, CtlSeriesId, FullIeeeTbsCtl, MultiSignedCtl, ToBeSignedCtlSignature,
    FULL_IEEE_CTL,
};
use scms_asn1::ieee1609dot2dot1::protocol::{
    CtlSignatureSpdu, MultiSignedCtlSpdu, ScmsPdu, ScmsPduContent, SecurityMgmtSsp,
    SECURITY_MGMT_PSID,
};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::verify::{certificate_hash, verify_signed_data};
use scms_hsm::KeyStore;

use crate::spdu::{signed_spdu, SignerForm};
use crate::CaError;

/// The content of a `FullIeeeTbsCtl`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CtlContent {
    pub series_id: CtlSeriesId,
    pub sequence_number: u16,
    pub effective_date: Time32,
    pub elector_approve: Vec<HashedId48>,
    pub elector_remove: Vec<HashedId48>,
    pub root_ca_approve: Vec<HashedId32>,
    pub root_ca_remove: Vec<HashedId32>,
    /// Electors needed to sign the next CTL of this series.
    pub quorum: Option<i64>,
}

impl CtlContent {
    /// The `FullIeeeTbsCtl`.
    pub fn to_asn1(&self) -> FullIeeeTbsCtl {
        FullIeeeTbsCtl {
            r#type: FULL_IEEE_CTL,
            ctl_series_id: self.series_id,
            sequence_number: self.sequence_number,
            effective_date: self.effective_date,
            elector_approve: self.elector_approve.clone(),
            elector_remove: self.elector_remove.clone(),
            root_ca_approve: self.root_ca_approve.clone(),
            root_ca_remove: self.root_ca_remove.clone(),
            quorum: self.quorum,
            unknown_extensions: Default::default(),
        }
    }
}

/// A 32- or 48-octet digest as a `HashedId48` (see the module docs).
fn hashed_id48(d: &[u8]) -> HashedId48 {
    let mut out = [0u8; 48];
    let n = d.len().min(48);
    out[48 - n..].copy_from_slice(&d[d.len() - n..]);
    out
}

fn cert_digest(cert: &[u8]) -> Result<Vec<u8>, CaError> {
    let c: Certificate<'_> = scms_asn1::decode(cert)?;
    Ok(digest(certificate_hash(&c), cert).as_bytes().to_vec())
}

/// `CtlElectorEntry` of an elector certificate.
pub fn elector_entry(cert: &[u8]) -> Result<HashedId48, CaError> {
    Ok(hashed_id48(&cert_digest(cert)?))
}

/// `CtlRootCaEntry` of a root CA certificate (low-order 32 octets of its hash).
pub fn root_ca_entry(cert: &[u8]) -> Result<HashedId32, CaError> {
    let d = cert_digest(cert)?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&d[d.len() - 32..]);
    Ok(out)
}

/// `tbsCtlHash`: the COER `tbsCtl` hashed with the elector's hash.
fn tbs_ctl_hash(alg: HashAlgorithm, tbs_ctl: &[u8]) -> HashedId48 {
    hashed_id48(digest(alg, tbs_ctl).as_bytes())
}

/// An elector: its certificate (COER) and key label.
#[derive(Clone, Copy, Debug)]
pub struct Elector<'a> {
    pub certificate: &'a [u8],
    pub key_label: &'a str,
}

/// A signed CTL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCtl {
    /// `MultiSignedCtlSpdu` (COER `Ieee1609Dot2Data`): what `GET /v3/ctl` serves.
    pub spdu: Vec<u8>,
    /// The `MultiSignedCtl` alone.
    pub multi_signed_ctl: Vec<u8>,
    /// COER `FullIeeeTbsCtl`, the bytes every elector's `tbsCtlHash` covers.
    pub tbs_ctl: Vec<u8>,
}

fn scms_pdu_bytes(content: ScmsPduContent<'_>) -> Result<Vec<u8>, CaError> {
    Ok(scms_asn1::encode(&ScmsPdu::new(content))?)
}

/// Signs a CTL by every elector in `electors`; `unsigned` are the certificates
/// (COER) carried with it (the roots and electors it approves).
pub fn sign_ctl(
    ks: &dyn KeyStore,
    content: &CtlContent,
    unsigned: &[&[u8]],
    electors: &[Elector<'_>],
) -> Result<SignedCtl, CaError> {
    if electors.is_empty() {
        return Err(CaError::invalid("ctl", "at least one elector signs a CTL"));
    }
    let tbs = content.to_asn1();
    let tbs_bytes = scms_asn1::encode(&tbs)?;
    let certs = unsigned
        .iter()
        .map(|b| scms_asn1::decode::<Certificate<'_>>(b))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sig_bytes = Vec::with_capacity(electors.len());
    for e in electors {
        let entry = elector_entry(e.certificate)?;
        if !content.elector_approve.contains(&entry) {
            return Err(CaError::invalid(
                "ctl",
                format!("elector {} is not in electorApprove", e.key_label),
            ));
        }
        let cert: Certificate<'_> = scms_asn1::decode(e.certificate)?;
        let tbs_sig = ToBeSignedCtlSignature {
            ctl_series_id: content.series_id,
            ctl_type: FULL_IEEE_CTL,
            sequence_number: content.sequence_number,
            tbs_ctl_hash: tbs_ctl_hash(certificate_hash(&cert), &tbs_bytes),
        };
        let payload = scms_pdu_bytes(ScmsPduContent::Cert(CertManagementPdu::TbsCtlSignature(
            tbs_sig,
        )))?;
        sig_bytes.push(signed_spdu(
            ks,
            e.key_label,
            e.certificate,
            SECURITY_MGMT_PSID,
            payload,
            SignerForm::Certificate,
        )?);
    }
    let signatures = sig_bytes
        .iter()
        .map(|b| scms_asn1::decode::<CtlSignatureSpdu<'_>>(b))
        .collect::<Result<Vec<_>, _>>()?;
    let msctl = MultiSignedCtl::full_ieee(&tbs, &certs, signatures)?;
    let multi_signed_ctl = scms_asn1::encode(&msctl)?;
    let payload = scms_pdu_bytes(ScmsPduContent::Cert(CertManagementPdu::MultiSignedCtl(
        msctl,
    )))?;
    let spdu = scms_asn1::encode(&MultiSignedCtlSpdu(Ieee1609Dot2Data::new(
        Ieee1609Dot2Content::UnsecuredData(Octets::from(payload)),
    )))?;
    Ok(SignedCtl {
        spdu,
        multi_signed_ctl,
        tbs_ctl: tbs_bytes,
    })
}

/// A CTL whose quorum of elector signatures verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCtl {
    pub content: CtlContent,
    /// The `CtlElectorEntry` of each elector whose signature verified.
    pub signed_by: Vec<HashedId48>,
    /// The certificates of the `unsigned` part (COER).
    pub certificates: Vec<Vec<u8>>,
}

fn is_elector(cert: &Certificate<'_>) -> bool {
    cert.to_be_signed.app_permissions.iter().flatten().any(|p| {
        p.psid == SECURITY_MGMT_PSID
            && matches!(&p.ssp, Some(ServiceSpecificPermissions::Opaque(o))
                if matches!(scms_asn1::decode::<SecurityMgmtSsp>(o), Ok(SecurityMgmtSsp::Elector(_))))
    })
}

/// Verifies a `MultiSignedCtlSpdu`: every signature is checked; at least
/// `quorum` distinct electors among `trusted_electors` (COER certificates:
/// those of the previous CTL, or the bootstrap set) must have signed validly.
/// A signature by an unknown elector or over another CTL is an error.
pub fn verify_ctl(
    spdu: &[u8],
    trusted_electors: &[&[u8]],
    quorum: usize,
) -> Result<VerifiedCtl, CaError> {
    let outer: MultiSignedCtlSpdu<'_> = scms_asn1::decode(spdu)?;
    let pdu = outer.scms_pdu()?;
    let ScmsPduContent::Cert(CertManagementPdu::MultiSignedCtl(m)) = &pdu.content else {
        return Err(CaError::invalid("ctl", "not a multiSignedCtl"));
    };
    let tbs = m.full_ieee_tbs_ctl()?;
    let certificates = m
        .full_ieee_unsigned()?
        .iter()
        .map(|c| Ok(c.to_bytes()?.into_owned()))
        .collect::<Result<Vec<_>, CaError>>()?;
    let trusted = trusted_electors
        .iter()
        .map(|c| elector_entry(c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut signed_by: Vec<HashedId48> = Vec::new();
    for (i, s) in m.signatures.iter().enumerate() {
        let bad = |why: &str| CaError::invalid("ctl signature", format!("[{i}]: {why}"));
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
        if t.tbs_ctl_hash != tbs_ctl_hash(certificate_hash(signer), m.tbs_ctl.bytes()) {
            return Err(bad("tbsCtlHash does not match tbsCtl"));
        }
        verify_signed_data(sd, signer, None)?;
        if signed_by.contains(&entry) {
            return Err(bad("the same elector signed twice"));
        }
        signed_by.push(entry);
    }
    if signed_by.len() < quorum {
        return Err(CaError::invalid(
            "ctl",
            format!(
                "{} valid elector signatures, quorum is {quorum}",
                signed_by.len()
            ),
        ));
    }
    Ok(VerifiedCtl {
        content: CtlContent {
            series_id: tbs.ctl_series_id,
            sequence_number: tbs.sequence_number,
            effective_date: tbs.effective_date,
            elector_approve: tbs.elector_approve,
            elector_remove: tbs.elector_remove,
            root_ca_approve: tbs.root_ca_approve,
            root_ca_remove: tbs.root_ca_remove,
            quorum: tbs.quorum,
        },
        signed_by,
        certificates,
    })
}
