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
//! Idempotency: the request's SHA-256 is its key. The certificate, the
//! response and their audit entries are committed in one transaction before the
//! response is returned; the same request bytes again get the stored response.

use core::fmt;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use scms_asn1::codec::{decode, encode, Octets};
use scms_asn1::ieee1609dot2::time::unix_from_time32;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, Ieee1609Dot2Content, Ieee1609Dot2Data,
    SignerIdentifier, Time32, ToBeSignedCertificate, VerificationKeyIndicator,
};
use scms_asn1::ieee1609dot2dot1::cert_management::{CertManagementPdu, CertificateChain};
use scms_asn1::ieee1609dot2dot1::eca_ee::{EcaEeCertResponse, EcaEeInterfacePdu};
use scms_asn1::ieee1609dot2dot1::protocol::{
    signed_cert_request, MultiSignedCtlSpdu, ScmsPdu, ScmsPduContent, SECURITY_MGMT_PSID,
};
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::signing_input::{ecdsa_signing_digest, sm2_signing_digest, SigningInputHashes};
use scms_crypto::suite::PublicKey;
use scms_crypto::verify::{
    certificate_hashed_id8, certificate_public_key, public_verification_key, signature_curve,
    suite_signature,
};
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
        })
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
    let tbs_bytes = scr
        .tbs_request
        .to_bytes()
        .map_err(|e| bad(format!("tbsRequest: {e}")))?;

    // The signer: the requested key (initial) or a stored enrollment certificate.
    let (signer_key, signer_cert): (PublicKey, Option<Vec<u8>>) = match &scr.signer {
        SignerIdentifier::SelfSigned => (subject_key, None),
        SignerIdentifier::Certificate(chain) if chain.len() == 1 => {
            let cert = &chain[0];
            let hid = certificate_hashed_id8(cert)
                .map_err(|e| bad(format!("signer.certificate[0]: {e}")))?;
            let stored = eca.store.certificate(&hid.0).await?.ok_or_else(|| {
                EcaError::Refused(
                    "signer.certificate[0]: not an enrollment certificate of this ECA".into(),
                )
            })?;
            let eca_hid = certificate_hashed_id8(
                &decode::<Certificate<'_>>(eca.certificate()?).map_err(CaError::Decode)?,
            )
            .map_err(|e| EcaError::Ca(CaError::Verify(e)))?;
            if stored.role != "enrollment" || stored.issuer != Some(eca_hid.0) {
                return Err(EcaError::Refused(
                    "signer.certificate[0]: not an enrollment certificate of this ECA".into(),
                ));
            }
            if now >= u32::try_from(stored.validity_end).unwrap_or(u32::MAX) {
                return Err(EcaError::Refused(
                    "signer.certificate[0]: expired".to_string(),
                ));
            }
            let k = certificate_public_key(cert, None)
                .map_err(|e| bad(format!("signer.certificate[0]: {e}")))?;
            (k, Some(stored.certificate))
        }
        _ => {
            return Err(bad(
                "signer: self (initial enrollment) or one enrollment certificate",
            ))
        }
    };
    let sig_curve = signature_curve(&scr.signature).map_err(|e| bad(format!("signature: {e}")))?;
    if sig_curve != signer_key.curve() {
        return Err(bad("signature: not on the signer key's curve"));
    }
    let sig = suite_signature(&scr.signature).map_err(|e| bad(format!("signature: {e}")))?;
    let signer_bytes = signer_cert.as_deref().unwrap_or(&[]);
    let d = if signer_key.curve().is_sm2() {
        sm2_signing_digest(&signer_key, &tbs_bytes, signer_bytes)
            .map_err(|e| bad(format!("signature: {e}")))?
    } else {
        ecdsa_signing_digest(
            SigningInputHashes::for_data(signer_key.curve()),
            &tbs_bytes,
            signer_cert.as_deref(),
        )
    };
    signer_key
        .verify_digest(d.as_bytes(), &sig)
        .map_err(|_| bad("signature: does not verify"))?;

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
    params.requester = signer_cert.as_deref();
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
    let h = digest(HashAlgorithm::Sha256, bytes);
    let mut request_hash8 = [0u8; 8];
    request_hash8.copy_from_slice(&h.as_bytes()[24..]);
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

    let hid = issued.record.hashed_id8.0;
    let batch = Batch {
        certificates: vec![issued.record],
        request: Some(RequestRecord {
            request_hash: key,
            kind: "eca-enrollment".to_string(),
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
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(eca)
}
