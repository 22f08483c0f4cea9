//! The ACA as a service: a thin axum shell over
//! [`Aca::handle_ra_aca_request`], every issuance committed through
//! [`Store::commit`] (the certificate, its investigation record, its audit
//! entry and the idempotency record of the request, in one transaction)
//! before the response leaves.
//!
//! | method and path | body in | body out |
//! |---|---|---|
//! | `POST /v3/ra-aca-cert-request` | `RaAcaCertRequestSpdu` (signed by the RA) | `AcaRaCertResponseSpdu` (signed by the ACA, the certificate encrypted to the device) |
//!
//! 400 with a one-line reason for a malformed or unsupported request, 403 for
//! an RA that does not verify, 503 while the database is unreachable, 500 for
//! another storage failure. The same request
//! bytes again get the stored response and no second certificate.
//!
//! The LAs' keys: [`AcaService::accept_la_key`] takes what an LA's
//! `GET /v1/aca-key` returns (encrypted to the ACA certificate).
//!
//! Investigation (issue 6): with every certificate the ACA keeps, in
//! `aca_linkage`, the HPCR (SHA-256 of the RA's `RaAcaCertRequestSpdu`), the
//! linkage value and i, and the two encrypted pre-linkage values it received;
//! never an enrollment identity (it never sees one).
//! `POST /v3/ma-hpcr` takes an MA's `SignedMaPcaHPCRRequest` (linkage values)
//! and answers a `SignedPcaMaHPCRResponse` signed by the ACA: per linkage
//! value the HPCR and the RA, or `linkageValueUnknown`. 403 when the signer
//! is not an MA chaining in the ACA's trust store, or for the same bytes a
//! second time (a replay, [`Store::first_sighting`]). An RA's request sent
//! again gets the stored answer instead: the RA resends its in-flight
//! requests after a crash, and a copy issues nothing.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use scms_asn1::ieee1609dot2::time::unix_from_time32;
use scms_asn1::ieee1609dot2::Time32;
use scms_hsm::KeyStore;
use tokio::sync::RwLock;

use scms_asn1::camp::base_types::HPCRAndHostInfo;
use scms_asn1::camp::errors::{MaPcaError, MaPcaErrorCode, ScmsError, ScopedMaPcaError};
use scms_asn1::camp::ma_pca::{Lv2HPCR, Lv2HPCRReply, MaPcaInterfacePDU, PcaMaHPCRResponseMsg};
use scms_asn1::camp::protocol::{
    ScmsPDU, ScmsPDUContent, ScopedMaPcaHPCRRequest, ScopedPcaMaHPCRResponse,
};
use scms_asn1::ieee1609dot2::{Certificate, CertificateId, SignerIdentifier};
use scms_asn1::ieee1609dot2dot1::aca_ra::AcaRaInterfacePdu;
use scms_asn1::ieee1609dot2dot1::protocol::{
    RaAcaCertRequestSpdu, ScmsPduContent, SecurityMgmtSsp,
};
use scms_crypto::verify::certificate_hashed_id8;
use sqlx::Row;

use crate::aca::{spdu_hash, Aca, AcaError};
use crate::spdu::{hostname, scms_signed, verify_scms_signed, SpduRefusal};
use crate::store::{
    request_hash, AcaLinkageRecord, Batch, Committed, RequestRecord, Store, StoreError,
};

/// Largest request body.
pub const MAX_REQUEST: usize = 16 * 1024;

/// The service's clock.
pub type Clock = Arc<dyn Fn() -> Time32 + Send + Sync>;

/// Why the service refused.
#[derive(Debug)]
pub enum AcaServiceError {
    Aca(AcaError),
    Store(StoreError),
}

impl core::fmt::Display for AcaServiceError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Aca(e) => write!(f, "{e}"),
            Self::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AcaServiceError {}

impl AcaServiceError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Aca(AcaError::Malformed(_) | AcaError::Unsupported(_) | AcaError::Linkage(_)) => {
                StatusCode::BAD_REQUEST
            }
            Self::Aca(AcaError::Unauthorized(_)) => StatusCode::FORBIDDEN,
            Self::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An ACA over a store.
pub struct AcaService {
    aca: RwLock<Aca>,
    ks: Arc<dyn KeyStore>,
    store: Store,
    clock: Clock,
}

impl AcaService {
    /// The service.
    pub fn new(aca: Aca, ks: Arc<dyn KeyStore>, store: Store, clock: Clock) -> Self {
        Self {
            aca: RwLock::new(aca),
            ks,
            store,
            clock,
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Accepts an LA's shared key (its `GET /v1/aca-key`).
    pub async fn accept_la_key(&self, message: &[u8]) -> Result<[u8; 8], AcaError> {
        self.aca
            .write()
            .await
            .accept_la_key(self.ks.as_ref(), message)
    }

    /// Handles one `RaAcaCertRequestSpdu`: committed, then answered.
    pub async fn handle(&self, request: &[u8]) -> Result<Vec<u8>, AcaServiceError> {
        let key = request_hash(request);
        if let Some(r) = self
            .store
            .request_response(&key)
            .await
            .map_err(AcaServiceError::Store)?
        {
            return Ok(r);
        }
        let now = (self.clock)();
        let ks = self.ks.clone();
        let out = {
            let aca = self.aca.read().await;
            aca.handle_ra_aca_request(ks.as_ref(), request, now)
                .map_err(AcaServiceError::Aca)?
        };
        let linkage = linkage_record(request, &out.record.certificate, key)?;
        // The certificate, its investigation record, the idempotency record
        // and the audit entries: one transaction.
        let batch = Batch {
            request: Some(RequestRecord {
                request_hash: key,
                kind: "aca-ra-cert-request".to_string(),
                hashed_id8: Some(out.record.hashed_id8.0),
                response: out.response.clone(),
            }),
            certificates: vec![out.record],
            aca_linkage: vec![linkage],
            ..Batch::default()
        };
        match self
            .store
            .commit(&batch, unix_from_time32(now))
            .await
            .map_err(AcaServiceError::Store)?
        {
            Committed::Stored => Ok(out.response),
            Committed::AlreadyAnswered(r) => Ok(r),
        }
    }
}

fn linkage_record(
    request: &[u8],
    certificate: &[u8],
    hpcr: [u8; 32],
) -> Result<AcaLinkageRecord, AcaServiceError> {
    let malformed = |w: String| AcaServiceError::Aca(AcaError::Malformed(w));
    let spdu: RaAcaCertRequestSpdu<'_> =
        scms_asn1::decode(request).map_err(|e| malformed(e.to_string()))?;
    let signed = spdu
        .signed_certificate_request()
        .map_err(|e| malformed(e.to_string()))?;
    let ScmsPduContent::AcaRa(AcaRaInterfacePdu::RaAcaCertRequest(req)) =
        &signed.tbs_request.0.content
    else {
        return Err(malformed("not a raAcaCertRequest".into()));
    };
    let li = req
        .linkage_info
        .as_ref()
        .ok_or_else(|| malformed("linkageInfo absent".into()))?;
    let ra = match &signed.signer {
        SignerIdentifier::Certificate(c) if c.len() == 1 => certificate_hashed_id8(&c[0])
            .map(|h| h.0.iter().map(|b| format!("{b:02x}")).collect::<String>())
            .map_err(|e| malformed(e.to_string()))?,
        _ => return Err(malformed("the signer is not a single certificate".into())),
    };
    let cert: Certificate<'_> =
        scms_asn1::decode(certificate).map_err(|e| malformed(e.to_string()))?;
    let CertificateId::LinkageData(ld) = &cert.to_be_signed.id else {
        return Err(malformed("the certificate has no linkage data".into()));
    };
    Ok(AcaLinkageRecord {
        hpcr,
        linkage_value: ld.linkage_value,
        i: ld.i_cert,
        hashed_id8: certificate_hashed_id8(&cert)
            .map_err(|e| malformed(e.to_string()))?
            .0,
        enc_plv1: scms_asn1::encode(&li.enc_plv1).map_err(|e| malformed(e.to_string()))?,
        enc_plv2: scms_asn1::encode(&li.enc_plv2).map_err(|e| malformed(e.to_string()))?,
        ra,
    })
}

impl AcaService {
    /// The HPCR and RA of the certificate with this linkage value, if issued here.
    pub async fn hpcr_of(
        &self,
        linkage_value: &[u8; 9],
    ) -> Result<Option<([u8; 32], String)>, AcaServiceError> {
        let row = sqlx::query("SELECT hpcr, ra FROM aca_linkage WHERE linkage_value = $1")
            .bind(linkage_value.to_vec())
            .fetch_optional(self.store.pool())
            .await
            .map_err(|e| AcaServiceError::Store(StoreError::from(e)))?;
        let Some(r) = row else { return Ok(None) };
        let h: Vec<u8> = r
            .try_get(0)
            .map_err(|e| AcaServiceError::Store(StoreError::from(e)))?;
        let ra: String = r
            .try_get(1)
            .map_err(|e| AcaServiceError::Store(StoreError::from(e)))?;
        let h = <[u8; 32]>::try_from(h.as_slice())
            .map_err(|_| AcaServiceError::Aca(AcaError::Malformed("stored HPCR".into())))?;
        Ok(Some((h, ra)))
    }

    /// Answers an MA's `SignedMaPcaHPCRRequest` (COER) with a
    /// `SignedPcaMaHPCRResponse` signed by the ACA.
    pub async fn handle_hpcr_request(&self, request: &[u8]) -> Result<Vec<u8>, AcaServiceError> {
        let now = (self.clock)();
        let aca = self.aca.read().await;
        let refused = |e: SpduRefusal| {
            AcaServiceError::Aca(if e.is_malformed() {
                AcaError::Malformed(format!("MA: {e}"))
            } else {
                AcaError::Unauthorized(format!("MA: {e}"))
            })
        };
        let signed = verify_scms_signed(&aca.trust, request, now, |s| {
            matches!(s, SecurityMgmtSsp::Ma(_))
        })
        .map_err(refused)?;
        self.store
            .first_sighting(&aca.certificate, request, &signed, now)
            .await
            .map_err(AcaServiceError::Store)?
            .map_err(refused)?;
        let scoped: ScopedMaPcaHPCRRequest<'_> = scms_asn1::decode(&signed.payload)
            .map_err(|e| AcaServiceError::Aca(AcaError::Malformed(e.to_string())))?;
        let ScmsPDUContent::MaPca(MaPcaInterfacePDU::MaPcaHpcrRequest(req)) = &scoped.0.content
        else {
            return Err(AcaServiceError::Aca(AcaError::Malformed(
                "not a maPcaHPCRRequest".into(),
            )));
        };
        let mut hpcrinfo = Vec::with_capacity(req.tbs.linkage_values.len());
        for lv in &req.tbs.linkage_values {
            let reply = match self.hpcr_of(lv).await? {
                Some((hpcr, ra)) => Lv2HPCRReply::Success(HPCRAndHostInfo {
                    hpcr,
                    hostname: hostname(&ra),
                }),
                None => Lv2HPCRReply::Failure(ScopedMaPcaError(ScmsError::MaPca(
                    MaPcaError::MaPca(MaPcaErrorCode::LinkageValueUnknown),
                ))),
            };
            hpcrinfo.push(Lv2HPCR { lv: *lv, reply });
        }
        let cert: Certificate<'_> = scms_asn1::decode(&aca.certificate)
            .map_err(|e| AcaServiceError::Aca(AcaError::Malformed(e.to_string())))?;
        let sm = scms_crypto::verify::certificate_public_key(&cert, None)
            .is_ok_and(|k| k.curve() == scms_crypto::suite::Curve::Sm2);
        let reply = ScopedPcaMaHPCRResponse(ScmsPDU {
            version: 1,
            content: ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaHpcrResponse(
                PcaMaHPCRResponseMsg {
                    version: 1,
                    request_hash: spdu_hash(request, sm),
                    pca_id: hostname("aca"),
                    hpcrinfo,
                },
            )),
        });
        scms_signed(self.ks.as_ref(), &aca.key_label, &aca.certificate, &reply)
            .map_err(|e| AcaServiceError::Aca(AcaError::Ca(e)))
    }
}

async fn post_hpcr(State(s): State<Arc<AcaService>>, body: Bytes) -> Response {
    respond(s.handle_hpcr_request(&body).await)
}

fn respond(r: Result<Vec<u8>, AcaServiceError>) -> Response {
    match r {
        Ok(b) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/octet-stream")],
            b,
        )
            .into_response(),
        Err(e) => (
            e.status(),
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{}\n", e.to_string().replace(['\n', '\r'], " ")),
        )
            .into_response(),
    }
}

async fn post_request(State(s): State<Arc<AcaService>>, body: Bytes) -> Response {
    respond(s.handle(&body).await)
}

/// The ACA's HTTP interface.
pub fn router(s: Arc<AcaService>) -> Router {
    Router::new()
        .route("/v3/ra-aca-cert-request", post(post_request))
        .route("/v3/ma-hpcr", post(post_hpcr))
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(s)
}
