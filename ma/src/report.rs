//! Opening a misbehavior report: decryption with the MA's encryption key, the
//! reporter's signature and certificate (chain valid now, PSID 38 granted, not
//! revoked), the evidence (every SPDU's signature verifies under a certificate
//! chaining in the trust store), then the facts the rules need
//! ([`crate::rules::Evidence`]). Plain functions: no I/O, no clock.

use scms_asn1::camp::ee_ma::EndEntityMaInterfacePDU;
use scms_asn1::camp::protocol::{
    ScmsPDUContent, SecuredMisbehaviorReport, SignedMisbehaviorReport,
};
use scms_asn1::ieee1609dot2::region::location_in;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, Ieee1609Dot2Content, Ieee1609Dot2Data, ServiceSpecificPermissions,
    SignedData, SignerIdentifier, Time32,
};
use scms_asn1::misbehavior::MisbehaviorReport;
use scms_ca::aca::{data_digest, verify_signed_data, TrustStore};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::verify::{certificate_hashed_id8, suite_signature};
use scms_hsm::envelope::{self, Decryptor};
use scms_hsm::KeyStore;
use scms_sdk::verify::SspCheck;
use scms_sdk::RevocationList;

use crate::rules::Evidence;

/// `MisbehaviorReportingPsid` (38).
pub const MISBEHAVIOR_REPORTING_PSID: u64 = 38;

/// Why a report was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// Not a `SecuredMisbehaviorReport` for this MA, or its content is not a report (400).
    Malformed(String),
    /// The reporter's signature or certificate does not verify, or may not report (403).
    Reporter(String),
    /// The reporter's certificate is revoked (403).
    Revoked,
    /// An evidence SPDU does not verify (422).
    Evidence(String),
}

impl core::fmt::Display for ReportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed report: {w}"),
            Self::Reporter(w) => write!(f, "reporter: {w}"),
            Self::Revoked => f.write_str("reporter: the certificate is revoked"),
            Self::Evidence(w) => write!(f, "evidence: {w}"),
        }
    }
}

impl std::error::Error for ReportError {}

/// What opening a report needs.
pub struct OpenContext<'a> {
    pub ks: &'a dyn KeyStore,
    /// The MA certificate (the report is encrypted to its encryption key).
    pub certificate: &'a [u8],
    /// Label of the key of the certificate's encryption key.
    pub enc_key_label: &'a str,
    /// Anchors and CAs (the ACA among them) that reporters' and senders'
    /// certificates chain to.
    pub trust: &'a TrustStore,
    /// The application's SSP judgement (none: every SSP is accepted).
    pub ssp_check: Option<SspCheck>,
    /// What the MA has revoked so far.
    pub revocation: &'a RevocationList,
}

/// A verified report.
#[derive(Clone, Debug)]
pub struct OpenedReport {
    /// HashedId8 of the reporter's certificate.
    pub reporter: [u8; 8],
    /// When the reporter observed (its signed generation time, Time64 µs).
    pub observed: u64,
    /// The `SignedMisbehaviorReport` (COER), kept as evidence.
    pub signed: Vec<u8>,
    /// The PSID reported.
    pub psid: u64,
    /// HashedId8 and certificate of the reported sender (signer of the subject SPDU).
    pub target: [u8; 8],
    pub target_certificate: Vec<u8>,
    /// SHA-256 of each evidence SPDU.
    pub evidence_hashes: Vec<[u8; 32]>,
    pub evidence: Vec<Evidence>,
    /// The reporter's own observations: (category, id).
    pub claimed: Vec<(u8, u8)>,
}

fn sha256(b: &[u8]) -> [u8; 32] {
    let d = digest(HashAlgorithm::Sha256, b);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_bytes());
    out
}

/// HashedId8 of an encoded certificate.
pub(crate) fn hid8(cert: &[u8]) -> Result<[u8; 8], String> {
    let c: Certificate<'_> = scms_asn1::decode(cert).map_err(|e| e.to_string())?;
    certificate_hashed_id8(&c)
        .map(|h| h.0)
        .map_err(|e| e.to_string())
}

/// Whether `cert` is revoked in `revocation` (by linkage value, or by hash).
pub fn is_revoked(revocation: &RevocationList, cert: &[u8]) -> bool {
    let Ok(c) = scms_asn1::decode::<Certificate<'_>>(cert) else {
        return false;
    };
    if let CertificateId::LinkageData(l) = &c.to_be_signed.id {
        if revocation.is_linkage_revoked(l.i_cert, &l.linkage_value) {
            return true;
        }
    }
    scms_ca::crl::hash_entry(cert).is_ok_and(|h| revocation.is_hash_revoked(&h.id))
}

/// The SSP a certificate grants for `psid`: `None` if it does not grant it,
/// `Some(None)` if it grants it without an SSP.
fn granted(cert: &Certificate<'_>, psid: u64) -> Option<Option<Vec<u8>>> {
    cert.to_be_signed
        .app_permissions
        .iter()
        .flatten()
        .find(|p| p.psid.0 == psid)
        .map(|p| match &p.ssp {
            Some(ServiceSpecificPermissions::Opaque(o)) => Some(o.to_vec()),
            Some(ServiceSpecificPermissions::BitmapSsp(b)) => Some(b.0.to_vec()),
            _ => None,
        })
}

/// Verifies signed data under `cert` (chain in `trust`, valid at `now`).
fn verify_under(
    trust: &TrustStore,
    sd: &SignedData<'_>,
    cert: &[u8],
    now: Time32,
) -> Result<(), String> {
    let key = trust.verify_chain(cert, now).map_err(|e| e.to_string())?;
    let tbs = sd.tbs_data.to_bytes().map_err(|e| e.to_string())?;
    let d = data_digest(&key, &tbs, cert).map_err(|e| e.to_string())?;
    let s = suite_signature(&sd.signature).map_err(|e| e.to_string())?;
    key.verify_digest(&d, &s)
        .map_err(|_| "the signature does not verify".to_string())
}

/// Opens and verifies a `SecuredMisbehaviorReport` (COER) received at `now`.
pub fn open_report(
    ctx: &OpenContext<'_>,
    bytes: &[u8],
    now: Time32,
) -> Result<OpenedReport, ReportError> {
    let bad = |w: String| ReportError::Malformed(w);
    let secured: SecuredMisbehaviorReport<'_> =
        scms_asn1::decode(bytes).map_err(|e| bad(e.to_string()))?;
    let plain = envelope::decrypt_for_certificate(
        Decryptor::Store(ctx.ks, ctx.enc_key_label),
        ctx.certificate,
        &secured.0,
    )
    .map_err(|e| bad(format!("decryption: {e}")))?
    .to_vec();
    let signed: SignedMisbehaviorReport<'_> =
        scms_asn1::decode(&plain).map_err(|e| bad(format!("SignedMisbehaviorReport: {e}")))?;
    let Ieee1609Dot2Content::SignedData(sd) = &signed.0.content else {
        return Err(bad("not signed data".into()));
    };
    // The reporter.
    let reporter_cert =
        verify_signed_data(ctx.trust, sd, now).map_err(|e| ReportError::Reporter(e.to_string()))?;
    let rc: Certificate<'_> = scms_asn1::decode(&reporter_cert).map_err(|e| bad(e.to_string()))?;
    if granted(&rc, MISBEHAVIOR_REPORTING_PSID).is_none() {
        return Err(ReportError::Reporter(
            "the certificate does not grant MisbehaviorReportingPsid".into(),
        ));
    }
    if is_revoked(ctx.revocation, &reporter_cert) {
        return Err(ReportError::Revoked);
    }
    let reporter = hid8(&reporter_cert).map_err(bad)?;
    let observed = sd
        .tbs_data
        .header_info
        .generation_time
        .ok_or_else(|| bad("no generation time".into()))?;
    // The report.
    let scoped = signed
        .payload()
        .map_err(|e| bad(format!("ScopedMisbehaviorReport: {e}")))?;
    let ScmsPDUContent::EeMa(EndEntityMaInterfacePDU::MisbehaviorReport(contents)) =
        &scoped.0.content
    else {
        return Err(bad("not a misbehaviorReport".into()));
    };
    let report: MisbehaviorReport<'_> = scms_asn1::decode(&contents.misbehaving_device_info)
        .map_err(|e| bad(format!("MisbehaviorReport: {e}")))?;
    let claimed = report
        .report
        .observations
        .iter()
        .flat_map(|t| t.observations.iter().map(move |o| (t.tgt_id, o.obs_id)))
        .collect();
    let pdus: Vec<&[u8]> = report
        .report
        .v2x_pdu_evidence
        .iter()
        .flat_map(|s| s.v2x_pdus.iter().map(|p| &p[..]))
        .collect();
    let first = &report.report.v2x_pdu_evidence[0];
    let subject = usize::from(first.subject_pdu_index);
    if subject >= first.v2x_pdus.len() {
        return Err(bad("subjectPduIndex outside the evidence".into()));
    }
    // Decode every SPDU; certificates carried anywhere in the evidence serve
    // digest-signed ones.
    let mut decoded: Vec<Ieee1609Dot2Data<'_>> = Vec::with_capacity(pdus.len());
    let mut certs: Vec<([u8; 8], Vec<u8>)> = Vec::new();
    for (k, p) in pdus.iter().enumerate() {
        let d: Ieee1609Dot2Data<'_> =
            scms_asn1::decode(p).map_err(|e| ReportError::Evidence(format!("item {k}: {e}")))?;
        if let Ieee1609Dot2Content::SignedData(sd) = &d.content {
            if let SignerIdentifier::Certificate(c) = &sd.signer {
                if let Some(c) = c.first() {
                    let b = c
                        .to_bytes()
                        .map_err(|e| ReportError::Evidence(e.to_string()))?
                        .into_owned();
                    let h = hid8(&b).map_err(ReportError::Evidence)?;
                    if !certs.iter().any(|(x, _)| *x == h) {
                        certs.push((h, b));
                    }
                }
            }
        }
        decoded.push(d);
    }
    let mut evidence = Vec::with_capacity(decoded.len());
    let mut signers = Vec::with_capacity(decoded.len());
    for (k, d) in decoded.iter().enumerate() {
        let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
            return Err(ReportError::Evidence(format!("item {k}: not signed data")));
        };
        let (signer, cert) = match &sd.signer {
            SignerIdentifier::Certificate(c) if c.len() == 1 => {
                let b = c[0]
                    .to_bytes()
                    .map_err(|e| ReportError::Evidence(e.to_string()))?
                    .into_owned();
                (hid8(&b).map_err(ReportError::Evidence)?, b)
            }
            SignerIdentifier::Digest(h) => {
                certs.iter().find(|(x, _)| x == h).cloned().ok_or_else(|| {
                    ReportError::Evidence(format!(
                        "item {k}: signer certificate not in the evidence"
                    ))
                })?
            }
            _ => {
                return Err(ReportError::Evidence(format!(
                    "item {k}: unsupported signer identifier"
                )))
            }
        };
        verify_under(ctx.trust, sd, &cert, now)
            .map_err(|e| ReportError::Evidence(format!("item {k}: {e}")))?;
        let c: Certificate<'_> =
            scms_asn1::decode(&cert).map_err(|e| ReportError::Evidence(e.to_string()))?;
        let h = &sd.tbs_data.header_info;
        let psid = h.psid.0;
        let payload: Vec<u8> = match sd.tbs_data.payload.data.as_deref().map(|d| &d.content) {
            Some(Ieee1609Dot2Content::UnsecuredData(o)) => o.to_vec(),
            _ => Vec::new(),
        };
        let grant = granted(&c, psid);
        let ssp_permitted = match (&grant, ctx.ssp_check) {
            (Some(ssp), Some(check)) => check(psid, ssp.as_deref(), &payload),
            _ => true,
        };
        let in_region = match (&h.generation_location, &c.to_be_signed.region) {
            (Some(loc), Some(r)) => location_in(loc, r),
            _ => None,
        };
        let tbs = sd
            .tbs_data
            .to_bytes()
            .map_err(|e| ReportError::Evidence(e.to_string()))?;
        evidence.push(Evidence {
            index: k,
            signer,
            psid,
            generation_time: h.generation_time,
            location: h.generation_location.map(|l| {
                (
                    f64::from(l.latitude.0) / 1e7,
                    f64::from(l.longitude.0) / 1e7,
                )
            }),
            tbs_hash: sha256(&tbs),
            psid_permitted: grant.is_some(),
            ssp_permitted,
            in_region,
        });
        signers.push(cert);
    }
    let target = evidence[subject].signer;
    if target == reporter {
        return Err(bad("a sender cannot report itself".into()));
    }
    Ok(OpenedReport {
        reporter,
        observed,
        signed: plain.clone(),
        psid: report.report.aid.0,
        target,
        target_certificate: signers[subject].clone(),
        evidence_hashes: pdus.iter().map(|p| sha256(p)).collect(),
        evidence,
        claimed,
    })
}
