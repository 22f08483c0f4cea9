//! The ACA as a service: a thin axum shell over
//! [`Aca::handle_ra_aca_request`], every issuance committed through
//! [`Store::commit`] (the certificate, its audit entry and the idempotency
//! record of the request, in one transaction) before the response leaves.
//!
//! | method and path | body in | body out |
//! |---|---|---|
//! | `POST /v3/ra-aca-cert-request` | `RaAcaCertRequestSpdu` (signed by the RA) | `AcaRaCertResponseSpdu` (signed by the ACA, the certificate encrypted to the device) |
//!
//! 400 with a one-line reason for a malformed or unsupported request, 403 for
//! an RA that does not verify, 500 for a storage failure. The same request
//! bytes again get the stored response and no second certificate.
//!
//! The LAs' keys: [`AcaService::accept_la_key`] takes what an LA's
//! `GET /v1/aca-key` returns (encrypted to the ACA certificate).

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

use crate::aca::{Aca, AcaError};
use crate::store::{request_hash, Batch, Committed, RequestRecord, Store, StoreError};

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
        let batch = Batch {
            request: Some(RequestRecord {
                request_hash: key,
                kind: "aca-ra-cert-request".to_string(),
                hashed_id8: Some(out.record.hashed_id8.0),
                response: out.response.clone(),
            }),
            certificates: vec![out.record],
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

async fn post_request(State(s): State<Arc<AcaService>>, body: Bytes) -> Response {
    match s.handle(&body).await {
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

/// The ACA's HTTP interface.
pub fn router(s: Arc<AcaService>) -> Router {
    Router::new()
        .route("/v3/ra-aca-cert-request", post(post_request))
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(s)
}
