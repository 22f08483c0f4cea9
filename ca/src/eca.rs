//! The ECA's interface (IEEE 1609.2.1-2022 EE-ECA): `EeEcaCertRequestSpdu` ->
//! `EcaEeCertResponseSpdu`, plus the chain and the CTL.
//!
//! The core is [`handle_enrollment`], a plain function over a [`Store`], a
//! [`KeyStore`] and the request bytes; [`router`] is a thin axum shell:
//!
//! | method and path | body in | body out |
//! |---|---|---|
//! | `POST /v3/enrollment-certificate` | `EeEcaCertRequestSpdu` | `EcaEeCertResponseSpdu` |
//! | `GET /v3/ca-certificate` | | `CertificateChainSpdu` (home CTL + ECA, ICA) |
//! | `GET /v3/ctl` | | `MultiSignedCtlSpdu` |
//! | `POST /v3/successor-enrollment-certificate` | `EeRaSuccessorEnrollmentCertRequestSpdu` | `RaEeEnrollmentCertAckSpdu` |
//! | `GET /v3/successor-enrollment-certificate` | header `Download-Req`: base64 of the `EeRaDownloadRequestSpdu` | `EcaEeCertResponseSpdu` |
//!
//! Every body is COER, `application/octet-stream`. A request that does not
//! decode, breaks the 1609.2.1 request profile, carries a bad signature or asks
//! for more than the enrollment profile grants gets 400 with a one-line reason
//! (field, byte offset); a body over [`MAX_REQUEST`] gets 413.
//!
//! The request is a `SignedCertificateRequest` whose `tbsRequest` is an
//! `ScmsPdu` of `eeEcaCertRequest`, signed either by the key in the requested
//! `tbsCert` (`signer` = `self`: initial enrollment) or by the device's current
//! enrollment certificate issued by this ECA (`signer` = `certificate`:
//! successor enrollment, linted against that certificate's
//! `certRequestPermissions`). The response is signed by the ECA (signer =
//! its certificate) and carries `requestHash` (the request's HashedId8), the
//! chain ECA, ICA, root and the new certificate.
//!
//! Successor enrollment as 1609.2.1 shapes it
//! (`EeRaSuccessorEnrollmentCertRequestSpdu`: the same self-signed request
//! for the new key, inside a request signed by the current enrollment
//! certificate and encrypted to the RA) is served here too when the ECA has
//! a [`SuccessorFront`]: [`handle_successor_request`] issues at once and
//! stores the response for [`handle_successor_download`].
//!
//! Idempotency: the request's SHA-256 is its key. The certificate, the
//! response and their audit entries are committed in one transaction before the
//! response is returned; the same request bytes again get the stored response.

use core::fmt;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use scms_asn1::codec::{decode, encode, Octets};
use scms_asn1::ieee1609dot2::time::unix_from_time32;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, Ieee1609Dot2Content, Ieee1609Dot2Data,
    SignerIdentifier, Time32, ToBeSignedCertificate, VerificationKeyIndicator,
};
use scms_asn1::ieee1609dot2dot1::cert_management::{CertManagementPdu, CertificateChain};
use scms_asn1::ieee1609dot2dot1::eca_ee::{EcaEeCertResponse, EcaEeInterfacePdu, EeEcaCertRequest};
use scms_asn1::ieee1609dot2dot1::ee_ra::{
    parse_successor_enrollment_filename, EeRaInterfacePdu, RaEeCertInfo,
};
use scms_asn1::ieee1609dot2dot1::protocol::{
    signed_cert_request, signed_payload, EeRaDownloadRequestSpdu,
    EeRaSuccessorEnrollmentCertRequestSpdu, MultiSignedCtlSpdu, ScmsPdu, ScmsPduContent,
    SignedCertificateRequest, SECURITY_MGMT_PSID,
};
use scms_crypto::signing_input::{ecdsa_signing_digest, sm2_signing_digest, SigningInputHashes};
use scms_crypto::suite::PublicKey;
use scms_crypto::verify::{
    certificate_hashed_id8, certificate_public_key, public_verification_key, signature_curve,
    suite_signature, verify_signed_data_with_key,
};
use scms_hsm::envelope::{self, Decryptor};
use scms_hsm::KeyStore;

use crate::issue::{issue, to_be_signed, IssueParams, IssuerRef, SubjectId};
use crate::lint::lint_request;
use crate::profile::Profile;
use crate::spdu::{signed_spdu, SignerForm};
use crate::store::{request_hash, AuditEntry, Batch, Committed, RequestRecord, Store, StoreError};
use crate::CaError;

/// The largest request body accepted (bytes).
pub const MAX_REQUEST: usize = 64 * 1024;

/// How far in the future a request's `generationTime` may be (seconds).
pub const MAX_CLOCK_SKEW: u32 = 300;

/// Why an enrollment request got no certificate.
#[derive(Debug)]
pub enum EcaError {
    /// The request is malformed or inconsistent: HTTP 400, the reason in one line.
    BadRequest(String),
    /// The request is well formed but refused (lint, permissions): HTTP 400.
    Refused(String),
    /// The ECA is not set up (no hierarchy in the store): HTTP 503.
    NotReady(String),
    /// No such download: HTTP 404.
    NotFound(String),
    /// Storage failed: HTTP 500 (nothing was returned, nothing half-stored).
    Store(StoreError),
    /// The CA failed (key store...): HTTP 500.
    Ca(CaError),
}

impl fmt::Display for EcaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadRequest(r) => write!(f, "bad request: {r}"),
            Self::Refused(r) => write!(f, "refused: {r}"),
            Self::NotReady(r) => write!(f, "not ready: {r}"),
            Self::NotFound(r) => write!(f, "not found: {r}"),
            Self::Store(e) => write!(f, "storage: {e}"),
            Self::Ca(e) => write!(f, "ca: {e}"),
        }
    }
}

impl std::error::Error for EcaError {}

impl From<StoreError> for EcaError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<CaError> for EcaError {
    fn from(e: CaError) -> Self {
        match e {
            CaError::Lint(l) => Self::Refused(l.to_string()),
            e => Self::Ca(e),
        }
    }
}

impl EcaError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) | Self::Refused(_) => StatusCode::BAD_REQUEST,
            Self::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_) | Self::Ca(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn bad(reason: impl Into<String>) -> EcaError {
    EcaError::BadRequest(reason.into())
}

/// The ECA: its certificate chain and key, the enrollment profile, over a store.
#[derive(Clone)]
pub struct Eca {
    pub store: Store,
    pub keys: Arc<dyn KeyStore>,
    /// COER certificates ECA, ICA, root.
    pub chain: Vec<Vec<u8>>,
    pub key_label: String,
    /// The profile of the enrollment certificates issued.
    pub enrollment_profile: Profile,
    /// `cracaId` of the certificates issued (the root's HashedId3).
    pub craca_id: [u8; 3],
    /// Who receives successor enrollment requests (`None`: 503).
    pub successor: Option<SuccessorFront>,
}

/// The identity the successor enrollment endpoints answer as. 1609.2.1 puts
/// `POST/GET /v3/successor-enrollment-certificate` on the RA, which hands the
/// inner request to the ECA over an interface the standard leaves open; here
/// the ECA serves them itself, with the certificate devices encrypt to (the
/// RA's, whose encryption key `enc_key_label` must be in the ECA's key store)
/// and the key that signs the acknowledgement.
#[derive(Clone, Debug)]
pub struct SuccessorFront {
    /// COER certificate with an encryption key (normally the RA's).
    pub certificate: Vec<u8>,
    /// Its signing key (signs `RaEeEnrollmentCertAckSpdu`).
    pub key_label: String,
    /// Its decryption key.
    pub enc_key_label: String,
}

impl fmt::Debug for Eca {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Eca")
            .field("key_label", &self.key_label)
            .field("chain", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Eca {
    /// The ECA of the hierarchy stored in `store` (authorities `eca`, `ica`,
    /// `root`), issuing with `enrollment_profile`.
    pub async fn from_store(
        store: Store,
        keys: Arc<dyn KeyStore>,
        enrollment_profile: Profile,
    ) -> Result<Self, EcaError> {
        let mut chain = Vec::new();
        let mut key_label = String::new();
        for name in ["eca", "ica", "root"] {
            let a = store
                .authority(name)
                .await?
                .ok_or_else(|| EcaError::NotReady(format!("no {name} in the store")))?;
            if name == "eca" {
                key_label = a.key_label.clone();
            }
            chain.push(a.certificate);
        }
        let root_bytes = chain.last().map(Vec::as_slice).unwrap_or_default();
        let root: Certificate<'_> = decode(root_bytes).map_err(CaError::Decode)?;
        let craca_id = scms_crypto::verify::certificate_hashed_id3(&root)
            .map_err(|e| EcaError::Ca(CaError::Verify(e)))?;
        Ok(Self {
            store,
            keys,
            chain,
            key_label,
            enrollment_profile,
            craca_id,
            successor: None,
        })
    }

    /// Serves successor enrollment as `front` (see [`SuccessorFront`]).
    pub fn with_successor_front(mut self, front: SuccessorFront) -> Self {
        self.successor = Some(front);
        self
    }
}

impl Eca {
    /// The ECA certificate (first of the chain).
    fn certificate(&self) -> Result<&[u8], EcaError> {
        self.chain
            .first()
            .map(Vec::as_slice)
            .ok_or_else(|| EcaError::NotReady("no ECA certificate".to_string()))
    }
}

fn subject_id(id: &CertificateId<'_>) -> Result<SubjectId, EcaError> {
    Ok(match id {
        CertificateId::None => SubjectId::None,
        CertificateId::Name(n) => SubjectId::Name(n.0 .0.to_string()),
        CertificateId::BinaryId(b) => SubjectId::Binary(b.to_vec()),
        _ => {
            return Err(bad(
                "tbsRequest.eeEcaCertRequest.tbsCert.id: only none, name or binaryId",
            ))
        }
    })
}

/// The key of `tbsCert.verifyKeyIndicator.verificationKey`.
fn requested_key(tbs: &ToBeSignedCertificate<'_>) -> Result<PublicKey, EcaError> {
    match &tbs.verify_key_indicator {
        VerificationKeyIndicator::VerificationKey(k) => public_verification_key(k).map_err(|e| {
            bad(format!(
                "tbsRequest.eeEcaCertRequest.tbsCert.verifyKeyIndicator: {e}"
            ))
        }),
        _ => Err(bad(
            "tbsRequest.eeEcaCertRequest.tbsCert.verifyKeyIndicator: not a verificationKey",
        )),
    }
}

/// Handles one `EeEcaCertRequestSpdu`: returns the COER `EcaEeCertResponseSpdu`,
/// committed before it is returned. The same bytes again get the same answer.
pub async fn handle_enrollment(eca: &Eca, bytes: &[u8], now: Time32) -> Result<Vec<u8>, EcaError> {
    if bytes.len() > MAX_REQUEST {
        return Err(bad(format!(
            "request of {} bytes, at most {MAX_REQUEST}",
            bytes.len()
        )));
    }
    let key = request_hash(bytes);
    if let Some(answer) = eca.store.request_response(&key).await? {
        return Ok(answer);
    }

    // Decode: Ieee1609Dot2Data of signedCertificateRequest, eeEcaCertRequest inside.
    let data: Ieee1609Dot2Data<'_> =
        decode(bytes).map_err(|e| bad(format!("EeEcaCertRequestSpdu: {e}")))?;
    let scr = signed_cert_request(&data)
        .map_err(|e| bad(format!("EeEcaCertRequestSpdu.content: {e}")))?;
    let (req, subject_key) = checked_request(&scr, now)?;

    // The signer: the requested key (initial) or a stored enrollment certificate.
    let (signer_key, signer_cert): (PublicKey, Option<Vec<u8>>) = match &scr.signer {
        SignerIdentifier::SelfSigned => (subject_key, None),
        SignerIdentifier::Certificate(chain) if chain.len() == 1 => {
            let (k, c) = enrollment_signer(eca, &chain[0], now).await?;
            (k, Some(c))
        }
        _ => {
            return Err(bad(
                "signer: self (initial enrollment) or one enrollment certificate",
            ))
        }
    };
    check_request_signature(&scr, &signer_key, signer_cert.as_deref())?;
    issue_enrollment(
        eca,
        req,
        subject_key,
        signer_cert.as_deref(),
        hashed_id8_of(&key),
        (key, "eca-enrollment"),
        now,
    )
    .await
}

/// The `eeEcaCertRequest` of a signed certificate request, checked against
/// the 1609.2.1 request profile, and the key it asks to certify.
fn checked_request<'r>(
    scr: &'r SignedCertificateRequest<'_>,
    now: Time32,
) -> Result<(&'r EeEcaCertRequest<'r>, PublicKey), EcaError> {
    let req = match &scr.tbs_request.value().0.content {
        ScmsPduContent::EcaEe(EcaEeInterfacePdu::EeEcaCertRequest(r)) => r,
        _ => return Err(bad("tbsRequest: not an eeEcaCertRequest")),
    };
    req.check_tbs_cert().map_err(bad)?;
    if req.r#type != CertificateType::Explicit {
        return Err(bad(
            "tbsRequest.eeEcaCertRequest.type: only explicit enrollment certificates",
        ));
    }
    if req.generation_time > now.saturating_add(MAX_CLOCK_SKEW) {
        return Err(bad(
            "tbsRequest.eeEcaCertRequest.generationTime: in the future",
        ));
    }
    let subject_key = requested_key(&req.tbs_cert)?;
    Ok((req, subject_key))
}

/// A request signer that must be a current enrollment certificate issued by
/// this ECA: its key and its stored COER bytes.
async fn enrollment_signer(
    eca: &Eca,
    cert: &Certificate<'_>,
    now: Time32,
) -> Result<(PublicKey, Vec<u8>), EcaError> {
    let hid =
        certificate_hashed_id8(cert).map_err(|e| bad(format!("signer.certificate[0]: {e}")))?;
    let not_ours = || {
        EcaError::Refused("signer.certificate[0]: not an enrollment certificate of this ECA".into())
    };
    let stored = eca.store.certificate(&hid.0).await?.ok_or_else(not_ours)?;
    let eca_hid = certificate_hashed_id8(
        &decode::<Certificate<'_>>(eca.certificate()?).map_err(CaError::Decode)?,
    )
    .map_err(|e| EcaError::Ca(CaError::Verify(e)))?;
    if stored.role != "enrollment" || stored.issuer != Some(eca_hid.0) {
        return Err(not_ours());
    }
    if now >= u32::try_from(stored.validity_end).unwrap_or(u32::MAX) {
        return Err(EcaError::Refused(
            "signer.certificate[0]: expired".to_string(),
        ));
    }
    let k = certificate_public_key(cert, None)
        .map_err(|e| bad(format!("signer.certificate[0]: {e}")))?;
    Ok((k, stored.certificate))
}

/// Verifies the signature of a `SignedCertificateRequest` by `signer_key`
/// (`signer_cert` absent: self-signed).
fn check_request_signature(
    scr: &SignedCertificateRequest<'_>,
    signer_key: &PublicKey,
    signer_cert: Option<&[u8]>,
) -> Result<(), EcaError> {
    let tbs_bytes = scr
        .tbs_request
        .to_bytes()
        .map_err(|e| bad(format!("tbsRequest: {e}")))?;
    let sig_curve = signature_curve(&scr.signature).map_err(|e| bad(format!("signature: {e}")))?;
    if sig_curve != signer_key.curve() {
        return Err(bad("signature: not on the signer key's curve"));
    }
    let sig = suite_signature(&scr.signature).map_err(|e| bad(format!("signature: {e}")))?;
    let d = if signer_key.curve().is_sm2() {
        sm2_signing_digest(signer_key, &tbs_bytes, signer_cert.unwrap_or(&[]))
            .map_err(|e| bad(format!("signature: {e}")))?
    } else {
        ecdsa_signing_digest(
            SigningInputHashes::for_data(signer_key.curve()),
            &tbs_bytes,
            signer_cert,
        )
    };
    signer_key
        .verify_digest(d.as_bytes(), &sig)
        .map_err(|_| bad("signature: does not verify"))
}

/// The last 8 bytes of a SHA-256 (HashedId8 form).
fn hashed_id8_of(sha256: &[u8; 32]) -> [u8; 8] {
    let mut h = [0u8; 8];
    h.copy_from_slice(&sha256[24..]);
    h
}

/// Issues the enrollment certificate `req` asks for (linted against the
/// profile and, for a successor, the `requester` certificate's
/// `certRequestPermissions`), signs the `EcaEeCertResponseSpdu` naming
/// `request_hash8`, and commits both under `record` (key, kind).
async fn issue_enrollment(
    eca: &Eca,
    req: &EeEcaCertRequest<'_>,
    subject_key: PublicKey,
    requester: Option<&[u8]>,
    request_hash8: [u8; 8],
    record: ([u8; 32], &str),
    now: Time32,
) -> Result<Vec<u8>, EcaError> {
    // What the profile gives, and the request within it.
    let eca_bytes = eca.certificate()?;
    let eca_cert: Certificate<'_> = decode(eca_bytes).map_err(CaError::Decode)?;
    let mut params = IssueParams::new(
        &eca.enrollment_profile,
        subject_id(&req.tbs_cert.id)?,
        subject_key,
        now,
    );
    params.craca_id = eca.craca_id;
    params.requester = requester;
    let granted = to_be_signed(
        &params,
        Some(eca_cert.to_be_signed.value()),
        req.tbs_cert.verify_key_indicator.clone(),
    )?;
    lint_request(&req.tbs_cert, &granted)
        .map_err(|e| EcaError::Refused(format!("request beyond the enrollment profile: {e}")))?;

    let issued = issue(
        eca.keys.as_ref(),
        &IssuerRef {
            certificate: eca_bytes,
            key_label: &eca.key_label,
        },
        &params,
    )?;

    // The response, signed by the ECA.
    let certificate: Certificate<'_> = decode(issued.certificate()).map_err(CaError::Decode)?;
    let chain = eca
        .chain
        .iter()
        .map(|c| decode::<Certificate<'_>>(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CaError::Decode)?;
    let response = EcaEeCertResponse {
        version: 2,
        generation_time: now,
        request_hash: request_hash8,
        eca_cert_chain: chain,
        certificate,
        private_key_info: None,
        unknown_extensions: Default::default(),
    };
    let pdu = ScmsPdu::new(ScmsPduContent::EcaEe(EcaEeInterfacePdu::EcaEeCertResponse(
        response,
    )));
    let payload = encode(&pdu).map_err(CaError::Encode)?;
    let spdu = signed_spdu(
        eca.keys.as_ref(),
        &eca.key_label,
        eca_bytes,
        SECURITY_MGMT_PSID,
        payload,
        SignerForm::Certificate,
    )?;

    let (key, kind) = record;
    let hid = issued.record.hashed_id8.0;
    let batch = Batch {
        certificates: vec![issued.record],
        request: Some(RequestRecord {
            request_hash: key,
            kind: kind.to_string(),
            hashed_id8: Some(hid),
            response: spdu.clone(),
        }),
        audit: vec![AuditEntry::json(
            "sign",
            &serde_json::json!({
                "key": eca.key_label,
                "what": "EcaEeCertResponseSpdu",
                "request_hash": hex::encode(key),
            }),
        )],
        ..Batch::default()
    };
    match eca.store.commit(&batch, unix_from_time32(now)).await? {
        Committed::Stored => Ok(spdu),
        // A concurrent copy of the request won: its answer is the one, ours
        // (never stored, never returned) is dropped.
        Committed::AlreadyAnswered(answer) => Ok(answer),
    }
}

/// Where a successor enrollment's response is stored: bound to the request
/// (its HashedId8, which the download file name carries) and to the
/// enrollment certificate that signed it, so only that device can fetch it.
fn successor_record_key(request_hash8: &[u8; 8], enrollment: &[u8; 8]) -> [u8; 32] {
    let mut m = b"successor-enrollment".to_vec();
    m.extend_from_slice(request_hash8);
    m.extend_from_slice(enrollment);
    request_hash(&m)
}

/// The front of successor enrollment, or 503.
fn successor_front(eca: &Eca) -> Result<&SuccessorFront, EcaError> {
    eca.successor
        .as_ref()
        .ok_or_else(|| EcaError::NotReady("successor enrollment is not configured".into()))
}

/// Decrypts an SPDU encrypted to the front's certificate.
fn front_decrypt(
    eca: &Eca,
    front: &SuccessorFront,
    data: &Ieee1609Dot2Data<'_>,
) -> Result<Vec<u8>, EcaError> {
    envelope::decrypt_for_certificate(
        Decryptor::Store(eca.keys.as_ref(), &front.enc_key_label),
        &front.certificate,
        data,
    )
    .map(|p| p.to_vec())
    .map_err(|e| bad(format!("decryption: {e}")))
}

/// Handles an `EeRaSuccessorEnrollmentCertRequestSpdu` (1609.2.1): decrypts
/// it with the front's key, checks that the device's current enrollment
/// certificate (of this ECA, not expired) signed it, checks the inner
/// self-signed `EeEcaCertRequestSpdu` for the new key, issues the successor
/// certificate (linted against the current one's `certRequestPermissions`)
/// and stores the `EcaEeCertResponseSpdu` for download. Answers a
/// `RaEeEnrollmentCertAckSpdu` (signed by the front) naming the request; the
/// same request again gets a fresh ack for the same stored certificate.
pub async fn handle_successor_request(
    eca: &Eca,
    bytes: &[u8],
    now: Time32,
) -> Result<Vec<u8>, EcaError> {
    if bytes.len() > MAX_REQUEST {
        return Err(bad(format!(
            "request of {} bytes, at most {MAX_REQUEST}",
            bytes.len()
        )));
    }
    let front = successor_front(eca)?;
    let request_hash8 = hashed_id8_of(&request_hash(bytes));
    let spdu: EeRaSuccessorEnrollmentCertRequestSpdu<'_> =
        decode(bytes).map_err(|e| bad(format!("EeRaSuccessorEnrollmentCertRequestSpdu: {e}")))?;
    let plaintext = front_decrypt(eca, front, &spdu)?;
    let pt: Ieee1609Dot2Data<'_> =
        decode(&plaintext).map_err(|e| bad(format!("plaintext: {e}")))?;
    let outer = EeRaSuccessorEnrollmentCertRequestSpdu::check_decrypted(&pt)
        .map_err(|e| bad(format!("plaintext: {e}")))?;
    let SignerIdentifier::Certificate(chain) = &outer.signer else {
        return Err(bad("signer: not the enrollment certificate"));
    };
    let current = chain
        .first()
        .ok_or_else(|| bad("signer: empty certificate chain"))?;
    let (current_key, current_bytes) = enrollment_signer(eca, current, now).await?;
    check_request_signature(&outer, &current_key, Some(&current_bytes))?;
    let current_id = certificate_hashed_id8(current)
        .map_err(|e| bad(format!("signer.certificate[0]: {e}")))?
        .0;
    let record = successor_record_key(&request_hash8, &current_id);
    if eca.store.request_response(&record).await?.is_none() {
        let inner = match &outer.tbs_request.value().0.content {
            ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaSuccessorEnrollmentCertRequest(i)) => i,
            _ => return Err(bad("tbsRequest: not an eeRaSuccessorEnrollmentCertRequest")),
        };
        let inner = inner.signed_certificate_request().map_err(|e| {
            bad(format!(
                "tbsRequest.eeRaSuccessorEnrollmentCertRequest: {e}"
            ))
        })?;
        let (req, subject_key) = checked_request(&inner, now)?;
        check_request_signature(&inner, &subject_key, None)?;
        issue_enrollment(
            eca,
            req,
            subject_key,
            Some(&current_bytes),
            request_hash8,
            (record, "eca-successor-enrollment"),
            now,
        )
        .await?;
    }
    let info = ScmsPdu::new(ScmsPduContent::EeRa(EeRaInterfacePdu::RaEeCertInfo(
        RaEeCertInfo {
            version: 2,
            generation_time: now,
            current_i: 0,
            request_hash: request_hash8,
            // Issued at once: the download is ready now.
            next_dl_time: now,
            acpc_tree_id: None,
            unknown_extensions: Default::default(),
        },
    )));
    Ok(signed_spdu(
        eca.keys.as_ref(),
        &front.key_label,
        &front.certificate,
        SECURITY_MGMT_PSID,
        encode(&info).map_err(CaError::Encode)?,
        SignerForm::Certificate,
    )?)
}

/// Handles the `EeRaDownloadRequestSpdu` of a successor enrollment: decrypts
/// it, checks that the enrollment certificate that made the request signed
/// it, and returns the stored `EcaEeCertResponseSpdu` of the file name
/// ([`successor_enrollment_filename`]), or 404.
pub async fn handle_successor_download(
    eca: &Eca,
    bytes: &[u8],
    now: Time32,
) -> Result<Vec<u8>, EcaError> {
    if bytes.len() > MAX_REQUEST {
        return Err(bad(format!(
            "request of {} bytes, at most {MAX_REQUEST}",
            bytes.len()
        )));
    }
    let front = successor_front(eca)?;
    let spdu: EeRaDownloadRequestSpdu<'_> =
        decode(bytes).map_err(|e| bad(format!("EeRaDownloadRequestSpdu: {e}")))?;
    let plaintext = front_decrypt(eca, front, &spdu)?;
    let pt: Ieee1609Dot2Data<'_> =
        decode(&plaintext).map_err(|e| bad(format!("plaintext: {e}")))?;
    let pdu = EeRaDownloadRequestSpdu::check_decrypted(&pt)
        .map_err(|e| bad(format!("plaintext: {e}")))?;
    let (sd, _) =
        signed_payload(&pt, SECURITY_MGMT_PSID).map_err(|e| bad(format!("plaintext: {e}")))?;
    let current = match &sd.signer {
        SignerIdentifier::Certificate(c) if c.len() == 1 => &c[0],
        _ => return Err(bad("signer: not the enrollment certificate")),
    };
    let (key, current_bytes) = enrollment_signer(eca, current, now).await?;
    verify_signed_data_with_key(sd, &key, &current_bytes)
        .map_err(|_| bad("signature: does not verify"))?;
    let ScmsPduContent::EeRa(EeRaInterfacePdu::EeRaDownloadRequest(dl)) = &pdu.content else {
        return Err(bad("tbsData: not an eeRaDownloadRequest"));
    };
    let hash8 = parse_successor_enrollment_filename(&dl.filename.0)
        .ok_or_else(|| EcaError::NotFound(format!("no file {:?}", &*dl.filename.0)))?;
    let current_id = certificate_hashed_id8(current)
        .map_err(|e| bad(format!("signer.certificate[0]: {e}")))?
        .0;
    eca.store
        .request_response(&successor_record_key(&hash8, &current_id))
        .await?
        .ok_or_else(|| EcaError::NotFound(format!("no file {:?}", &*dl.filename.0)))
}

/// The body of `GET /v3/ca-certificate`: a `CertificateChainSpdu` with the
/// home CTL and the ECA and ICA certificates (the root is in the CTL).
pub async fn certificate_chain(eca: &Eca) -> Result<Vec<u8>, EcaError> {
    let ctl = eca
        .store
        .latest_ctl()
        .await?
        .ok_or_else(|| EcaError::NotReady("no CTL in the store".to_string()))?;
    let home_ctl: MultiSignedCtlSpdu<'_> = decode(&ctl.spdu).map_err(CaError::Decode)?;
    let others = eca
        .chain
        .iter()
        .take(2)
        .map(|c| decode::<Certificate<'_>>(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CaError::Decode)?;
    let pdu = ScmsPdu::new(ScmsPduContent::Cert(CertManagementPdu::CertificateChain(
        CertificateChain {
            home_ctl,
            others,
            unknown_extensions: Default::default(),
        },
    )));
    let inner = encode(&pdu).map_err(CaError::Encode)?;
    let data = Ieee1609Dot2Data::new(Ieee1609Dot2Content::UnsecuredData(Octets::from(inner)));
    Ok(encode(&data).map_err(CaError::Encode)?)
}

/// The body of `GET /v3/ctl`: the latest `MultiSignedCtlSpdu`.
pub async fn latest_ctl(eca: &Eca) -> Result<Vec<u8>, EcaError> {
    Ok(eca
        .store
        .latest_ctl()
        .await?
        .ok_or_else(|| EcaError::NotReady("no CTL in the store".to_string()))?
        .spdu)
}

/// The current time as `Time32`.
pub fn system_now() -> Time32 {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    scms_asn1::ieee1609dot2::time::time32_from_unix(unix)
}

fn octets(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/octet-stream")],
        body,
    )
        .into_response()
}

fn failure(e: &EcaError) -> Response {
    // One line, no secrets: the reasons name fields and offsets only.
    let line = e.to_string().replace(['\n', '\r'], " ");
    (
        e.status(),
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{line}\n"),
    )
        .into_response()
}

fn reply(r: Result<Vec<u8>, EcaError>) -> Response {
    match r {
        Ok(b) => octets(b),
        Err(e) => failure(&e),
    }
}

async fn post_enrollment(State(eca): State<Arc<Eca>>, body: Bytes) -> Response {
    reply(handle_enrollment(&eca, &body, system_now()).await)
}

async fn post_successor(State(eca): State<Arc<Eca>>, body: Bytes) -> Response {
    reply(handle_successor_request(&eca, &body, system_now()).await)
}

async fn get_successor(State(eca): State<Arc<Eca>>, headers: HeaderMap) -> Response {
    let req = headers
        .get("download-req")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| bad("no Download-Req header"))
        .and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .map_err(|_| bad("Download-Req is not base64"))
        });
    reply(match req {
        Ok(b) => handle_successor_download(&eca, &b, system_now()).await,
        Err(e) => Err(e),
    })
}

async fn get_chain(State(eca): State<Arc<Eca>>) -> Response {
    reply(certificate_chain(&eca).await)
}

async fn get_ctl(State(eca): State<Arc<Eca>>) -> Response {
    reply(latest_ctl(&eca).await)
}

/// The ECA's HTTP interface.
pub fn router(eca: Arc<Eca>) -> Router {
    Router::new()
        .route("/v3/enrollment-certificate", post(post_enrollment))
        .route("/v3/ca-certificate", get(get_chain))
        .route("/v3/ctl", get(get_ctl))
        .route(
            "/v3/successor-enrollment-certificate",
            post(post_successor).get(get_successor),
        )
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(eca)
}
