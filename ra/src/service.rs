//! The RA as a service: an axum shell over the [`Ra`] core, its state
//! persisted write-through ([`RaStore`]: committed before anything is
//! acknowledged, reloaded after a restart), HTTP calls to LA1/LA2 and the
//! ACA, and a background worker (expand, shuffle and release, send, store).
//!
//! | method and path | in | out |
//! |---|---|---|
//! | `POST /v3/authorization-certificate` | body `EeRaCertRequestSpdu` | `RaEeCertAckSpdu` |
//! | `GET /v3/authorization-certificate` | header `Download-Req`: base64 of the `EeRaDownloadRequestSpdu` | the batch ZIP (`application/zip`) |
//! | `GET /v3/ra-certificate` | | the RA certificate (COER) |
//! | `POST /v3/ma-lci` | an MA's `SignedLCIRequest` (HPCRs; a replay of the same bytes is refused, 403, as for the blacklist request) | `SignedLCIResponse`: per HPCR the two LAs' linkage chain identifiers |
//! | `POST /v3/ma-blacklist` | an MA's `SignedBlacklistRequest` (HPCRs) | `SignedBlacklistResponse`: the devices behind them are blocklisted |
//!
//! The MA requests must be signed by a certificate with the MA role chaining
//! in the RA's trust store (else 403). The RA maps an HPCR (SHA-256 of a
//! `RaAcaCertRequestSpdu` it sent) to the device request and its enrollment
//! certificate, which never leaves the RA: the MA learns only that it is blocked.
//!
//! Errors: 400 (malformed, bad time, unsupported), 403 (unauthorized,
//! blocklisted), 404 (no such download), 409 (the i-periods are already
//! provisioned for the device), 429 + `Retry-After` (rate), 503 +
//! `Retry-After` (batch not ready, or the database unreachable: send the same
//! request again), 502 (an LA or the ACA failed), 500; the
//! body is one line of text. The same request bytes again get the stored
//! acknowledgement (the request hash is the idempotency key).
//!
//! Memory: the service keeps a copy of the database's RA state (requests,
//! the shuffle queue, requests in flight, responses, the blocklist) and
//! writes every change through before answering. Several RA processes on one
//! database ([`RaService::with_shared_database`]) keep no state of their own
//! between requests: a request is checked against that device's requests and
//! the blocklist read from the database, a download reads its request and
//! i-period from the database, the MA's questions read the request they name,
//! the queue gauges are counted there, and the worker reloads its part (pending
//! requests, queue, in flight; not the served requests nor the responses)
//! before each step. Memory stays flat however many devices were served.
//! Run the worker ([`RaService::spawn_worker`]) on one node only: a second
//! one would redo the same work, whose commit is then refused
//! ([`RaStore::commit_expansion`], [`RaStore::commit_release`]: nothing is
//! certified twice, but the step fails).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use scms_asn1::camp::base_types::LCIAndHostInfo;
use scms_asn1::camp::errors::{
    MaRaBaseErrorCode, MaRaBlacklistErrorCode, MaRaError, ScmsError, ScopedMaRaBlacklistError,
    ScopedMaRaLCIError,
};
use scms_asn1::camp::ma_ra::{
    BlacklistReply, BlacklistingStatus, HPCR2LCIReply, HPCR2LCIReplySuccess, MaRaInterfacePDU,
    RaMaBlacklistResponseMsg, RaMaLCIResponseMsg, HPCR2LCI,
};
use scms_asn1::camp::protocol::{
    ScmsPDU, ScmsPDUContent, ScopedBlacklistRequest, ScopedBlacklistResponse, ScopedLCIRequest,
    ScopedLCIResponse,
};
use scms_asn1::ieee1609dot2::time::unix_from_time32;
use scms_asn1::ieee1609dot2::Time32;
use scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp;
use scms_ca::aca::spdu_hash;
use scms_crypto::suite::Curve;
use scms_hsm::KeyStore;
use scms_la::service::{decode_plv_response, signed_plv_request};
use scms_la::{PlvRequest, PlvResponse};
use tokio::sync::Mutex;
use tokio::task::JoinSet;

use crate::http::call;
use crate::store::{InFlightSpdus, RaStore};
use crate::{LaIndex, LinkageAuthorities, MemoryBlocklist, Ra, RaError, RaState, Slot};

/// The service's clock (Time32).
pub type Clock = Arc<dyn Fn() -> Time32 + Send + Sync>;

/// Where the peers answer (`http://HOST:PORT`).
#[derive(Clone, Debug)]
pub struct Peers {
    pub la1: String,
    pub la2: String,
    pub aca: String,
}

/// Largest request body.
pub const MAX_REQUEST: usize = 64 * 1024;

/// Requests sent to the ACA at once by the worker.
const ACA_CONCURRENCY: usize = 8;

struct Inner {
    state: RaState,
    blocklist: MemoryBlocklist,
    spdus: InFlightSpdus,
}

/// An RA service over a database.
pub struct RaService {
    pub ra: Ra,
    ks: Arc<dyn KeyStore>,
    db: RaStore,
    inner: Mutex<Inner>,
    clock: Clock,
    peers: Peers,
    sm: bool,
    shared: bool,
    /// The in-memory copy may differ from the database (a write failed and
    /// the reload after it failed too, e.g. the database was down): reloaded
    /// before its next use.
    stale: AtomicBool,
}

/// How much work the RA holds (the `/metrics` queue depths).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueDepths {
    /// Accepted requests not yet expanded.
    pub pending: usize,
    /// Certificate requests waiting in the shuffle queue.
    pub queued: usize,
    /// Requests released to the ACA without an answer yet.
    pub in_flight: usize,
    /// Every request the RA holds.
    pub requests: usize,
}

/// What one worker step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepReport {
    pub expanded: usize,
    pub released: usize,
    pub stored: usize,
    pub failed: usize,
}

/// PLV answers fetched beforehand (the core's trait is synchronous).
struct Prefetched {
    request: PlvRequest,
    la1: Option<PlvResponse>,
    la2: Option<PlvResponse>,
}

impl LinkageAuthorities for Prefetched {
    fn pre_linkage_values(
        &mut self,
        la: LaIndex,
        request: &PlvRequest,
    ) -> Result<PlvResponse, RaError> {
        if *request != self.request {
            return Err(RaError::Internal("unexpected PLV request".into()));
        }
        match la {
            LaIndex::La1 => self.la1.take(),
            LaIndex::La2 => self.la2.take(),
        }
        .ok_or_else(|| RaError::Internal("PLV answer used twice".into()))
    }
}

/// Asks an LA over HTTP with `signed_request` (from
/// [`scms_la::service::signed_plv_request`]).
pub async fn fetch_plv(base: &str, signed_request: &[u8]) -> Result<PlvResponse, RaError> {
    let r = call(base, "POST", "/v1/pre-linkage-values", &[], signed_request)
        .await
        .map_err(|e| RaError::Linkage(e.to_string()))?;
    if r.status != 200 {
        return Err(RaError::Linkage(format!("HTTP {}: {}", r.status, r.text())));
    }
    decode_plv_response(&r.body).map_err(|e| RaError::Linkage(e.to_string()))
}

/// Sends a signed `RaAcaCertRequestSpdu` to the ACA over HTTP; the
/// `AcaRaCertResponseSpdu` back.
pub async fn send_to_aca(base: &str, spdu: &[u8]) -> Result<Vec<u8>, RaError> {
    let r = call(base, "POST", "/v3/ra-aca-cert-request", &[], spdu)
        .await
        .map_err(|e| RaError::BadAcaResponse(e.to_string()))?;
    if r.status != 200 {
        return Err(RaError::BadAcaResponse(format!(
            "HTTP {}: {}",
            r.status,
            r.text()
        )));
    }
    Ok(r.body)
}

impl RaService {
    /// Opens the service: loads the persisted state.
    pub async fn open(
        ra: Ra,
        ks: Arc<dyn KeyStore>,
        db: RaStore,
        clock: Clock,
        peers: Peers,
    ) -> Result<Self, RaError> {
        let (state, blocklist, spdus) = db.load().await?;
        let sm = ra_curve(&ra)? == Curve::Sm2;
        Ok(Self {
            ra,
            ks,
            db,
            inner: Mutex::new(Inner {
                state,
                blocklist,
                spdus,
            }),
            clock,
            peers,
            sm,
            shared: false,
            stale: AtomicBool::new(false),
        })
    }

    /// Marks the database as shared with other RA processes (see the module
    /// documentation): the in-memory copy is reloaded where they may have
    /// changed it.
    pub fn with_shared_database(mut self, shared: bool) -> Self {
        self.shared = shared;
        if shared {
            // Only the worker's part stays (what `RaStore::load_work` reads).
            let inner = self.inner.get_mut();
            let st = &mut inner.state;
            st.responses.clear();
            let keep: std::collections::BTreeSet<[u8; 8]> = st
                .pending
                .iter()
                .copied()
                .chain(st.queue.items.iter().map(|it| it.device))
                .chain(st.in_flight.values().map(|s| s.request))
                .collect();
            st.requests.retain(|h, _| keep.contains(h));
        }
        self
    }

    /// Reloads the worker's part of the state (shared database).
    async fn refresh_work(&self) -> Result<(), RaError> {
        let (state, blocklist, spdus) = self.db.load_work().await?;
        *self.inner.lock().await = Inner {
            state,
            blocklist,
            spdus,
        };
        self.stale.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Reloads the state from the database (another node changed it).
    pub async fn refresh(&self) -> Result<(), RaError> {
        // Read before taking the lock: a slow database does not hold up
        // the requests served from the copy.
        let (state, blocklist, spdus) = self.db.load().await?;
        let mut inner = self.inner.lock().await;
        *inner = Inner {
            state,
            blocklist,
            spdus,
        };
        self.stale.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// Reloads when another node may have changed the database or the copy
    /// is stale.
    async fn refresh_if_needed(&self) -> Result<(), RaError> {
        if self.shared || self.stale.load(Ordering::SeqCst) {
            self.refresh().await?;
        }
        Ok(())
    }

    /// The queue depths now (from the database when it is shared).
    pub async fn queue_depths(&self) -> QueueDepths {
        if self.shared {
            if let Ok([pending, queued, in_flight, requests]) = self.db.depths().await {
                return QueueDepths {
                    pending,
                    queued,
                    in_flight,
                    requests,
                };
            }
        }
        let inner = self.inner.lock().await;
        QueueDepths {
            pending: inner.state.pending.len(),
            queued: inner.state.queue.items.len(),
            in_flight: inner.state.in_flight.len(),
            requests: inner.state.requests.len(),
        }
    }

    fn now(&self) -> Time32 {
        (self.clock)()
    }

    /// After a failed write (`e`): the copy is put back to what the
    /// database holds, or marked stale when it cannot be read now (against
    /// an unreachable database no read is tried: it would hold the lock for
    /// the pool's timeout).
    async fn reload(&self, inner: &mut Inner, e: &RaError) {
        if matches!(e, RaError::Unavailable(_)) {
            self.stale.store(true, Ordering::SeqCst);
            return;
        }
        match self.db.load().await {
            Ok((state, blocklist, spdus)) => {
                *inner = Inner {
                    state,
                    blocklist,
                    spdus,
                };
                self.stale.store(false, Ordering::SeqCst);
            }
            Err(_) => self.stale.store(true, Ordering::SeqCst),
        }
    }

    /// A copy of the state (tests, privacy checks).
    pub async fn state(&self) -> RaState {
        self.inner.lock().await.state.clone()
    }

    /// Blocks an enrollment certificate (HashedId8), persisted first.
    pub async fn block(&self, enrollment: [u8; 8]) -> Result<(), RaError> {
        let mut inner = self.inner.lock().await;
        self.db
            .block(&enrollment, unix_from_time32(self.now()))
            .await?;
        inner.blocklist.0.insert(enrollment);
        Ok(())
    }

    /// The payload of an MA's signed request, verified and seen for the
    /// first time (a replay is refused).
    async fn verify_ma(&self, request: &[u8]) -> Result<Vec<u8>, RaError> {
        // Bytes that are not such an SPDU are a bad request; a signer, role
        // or replay that is refused, a forbidden one.
        let refused = |e: scms_ca::spdu::SpduRefusal| {
            if e.is_malformed() {
                RaError::Malformed(format!("MA: {e}"))
            } else {
                RaError::Unauthorized(format!("MA: {e}"))
            }
        };
        let now = self.now();
        let signed = scms_ca::spdu::verify_scms_signed(&self.ra.trust, request, now, |s| {
            matches!(s, SecurityMgmtSsp::Ma(_))
        })
        .map_err(refused)?;
        self.db
            .store()
            .first_sighting(&self.ra.certificate, request, &signed, now)
            .await?
            .map_err(refused)?;
        Ok(signed.payload)
    }

    fn sign_camp<T: scms_asn1::Encode>(&self, scoped: &T) -> Result<Vec<u8>, RaError> {
        Ok(scms_ca::spdu::scms_signed(
            self.ks.as_ref(),
            &self.ra.key_label,
            &self.ra.certificate,
            scoped,
        )?)
    }

    /// The device request of an HPCR, and its record.
    async fn request_of_hpcr(
        &self,
        hpcr: &[u8; 32],
    ) -> Result<Option<([u8; 8], crate::RequestRecord)>, RaError> {
        let Some(device) = self.db.device_of_hpcr(hpcr).await? else {
            return Ok(None);
        };
        if self.shared {
            return Ok(self.db.request(&device).await?.map(|r| (device, r)));
        }
        let inner = self.inner.lock().await;
        Ok(inner
            .state
            .requests
            .get(&device)
            .map(|r| (device, r.clone())))
    }

    /// `POST /v3/ma-lci`: an MA's `SignedLCIRequest` (COER) in, a
    /// `SignedLCIResponse` signed by this RA out.
    pub async fn handle_lci_request(&self, request: &[u8]) -> Result<Vec<u8>, RaError> {
        let payload = self.verify_ma(request).await?;
        let scoped: ScopedLCIRequest<'_> = scms_asn1::decode(&payload)?;
        let ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaLciRequest(req)) = &scoped.0.content else {
            return Err(RaError::Malformed("not a maRaLCIRequest".into()));
        };
        let mut lci_info = Vec::with_capacity(req.tbs.hpcr.len());
        let mut owned = Vec::with_capacity(req.tbs.hpcr.len());
        for hpcr in &req.tbs.hpcr {
            let found = self
                .request_of_hpcr(hpcr)
                .await?
                .and_then(|(_, r)| r.lcis.map(|l| (l, r.first_i + r.i_count.saturating_sub(1))));
            owned.push((*hpcr, found));
        }
        for (hpcr, found) in &owned {
            let reply = match found {
                Some(((l1, l2), i_max)) => HPCR2LCIReply::Success(HPCR2LCIReplySuccess {
                    group_identifier: [0; 4],
                    info: LCIAndHostInfo {
                        i_max: i_max.to_be_bytes(),
                        la1_lci: scms_asn1::decode(l1)?,
                        la2_lci: scms_asn1::decode(l2)?,
                        la1_id: scms_ca::spdu::hostname(&self.peers.la1),
                        la2_id: scms_ca::spdu::hostname(&self.peers.la2),
                    },
                }),
                None => HPCR2LCIReply::Failure(ScopedMaRaLCIError(ScmsError::MaRa(
                    MaRaError::MaRaBaseError(MaRaBaseErrorCode::HpcrIsUnknownToRa),
                ))),
            };
            lci_info.push(HPCR2LCI { hpcr: *hpcr, reply });
        }
        let reply = ScopedLCIResponse(ScmsPDU {
            version: 1,
            content: ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaLciResponse(RaMaLCIResponseMsg {
                version: 1,
                request_hash: spdu_hash(request, self.sm),
                ra_id: scms_ca::spdu::hostname("ra"),
                lci_info,
                unknown_extensions: Default::default(),
            })),
        });
        self.sign_camp(&reply)
    }

    /// `POST /v3/ma-blacklist`: an MA's `SignedBlacklistRequest` (COER) in:
    /// the enrollment certificate behind each HPCR is blocklisted (persisted
    /// first); a `SignedBlacklistResponse` signed by this RA out.
    pub async fn handle_blacklist_request(&self, request: &[u8]) -> Result<Vec<u8>, RaError> {
        let payload = self.verify_ma(request).await?;
        let scoped: ScopedBlacklistRequest<'_> = scms_asn1::decode(&payload)?;
        let ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaBlacklistRequest(req)) = &scoped.0.content
        else {
            return Err(RaError::Malformed("not a maRaBlacklistRequest".into()));
        };
        let mut status = Vec::with_capacity(req.tbs.hpcr.len());
        for hpcr in &req.tbs.hpcr {
            let reply = match self.request_of_hpcr(hpcr).await? {
                Some((_, r)) => {
                    let already = if self.shared {
                        self.db.is_blocked(&r.enrollment).await?
                    } else {
                        self.inner.lock().await.blocklist.0.contains(&r.enrollment)
                    };
                    if already {
                        BlacklistReply::Failure(ScopedMaRaBlacklistError(ScmsError::MaRa(
                            MaRaError::MaRaBlacklistError(
                                MaRaBlacklistErrorCode::AlreadyBlacklisted,
                            ),
                        )))
                    } else {
                        self.block(r.enrollment).await?;
                        BlacklistReply::Success
                    }
                }
                None => BlacklistReply::Failure(ScopedMaRaBlacklistError(ScmsError::MaRa(
                    MaRaError::MaRaBaseError(MaRaBaseErrorCode::HpcrIsUnknownToRa),
                ))),
            };
            status.push(BlacklistingStatus { hpcr: *hpcr, reply });
        }
        let reply = ScopedBlacklistResponse(ScmsPDU {
            version: 1,
            content: ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaBlacklistResponse(
                RaMaBlacklistResponseMsg {
                    version: 1,
                    request_hash: spdu_hash(request, self.sm),
                    ra_id: scms_ca::spdu::hostname("ra"),
                    status,
                    unknown_extensions: Default::default(),
                },
            )),
        });
        self.sign_camp(&reply)
    }

    /// `POST /v3/authorization-certificate`: the acknowledgement, committed first.
    pub async fn cert_request(&self, bytes: &[u8]) -> Result<Vec<u8>, RaError> {
        let hash = spdu_hash(bytes, self.sm);
        if let Some(ack) = self.db.stored_ack(&hash).await? {
            return Ok(ack);
        }
        if self.shared {
            return self.cert_request_shared(bytes, &hash).await;
        }
        self.refresh_if_needed().await?;
        let now = self.now();
        let mut inner = self.inner.lock().await;
        // The same bytes accepted meanwhile (a device resending while its
        // first try was being answered) get the same answer, not 409.
        if inner.state.requests.contains_key(&hash) {
            if let Some(ack) = self.db.stored_ack(&hash).await? {
                return Ok(ack);
            }
        }
        let Inner {
            state, blocklist, ..
        } = &mut *inner;
        let ack = self
            .ra
            .handle_cert_request(state, self.ks.as_ref(), blocklist, bytes, now)?;
        let rec = state
            .requests
            .get(&hash)
            .ok_or_else(|| RaError::Internal("request not recorded".into()))?
            .clone();
        if let Err(e) = self
            .db
            .insert_request(&hash, &rec, &ack, unix_from_time32(now))
            .await
        {
            state.requests.remove(&hash);
            state.pending.retain(|h| h != &hash);
            // Unknown whether the commit reached the database (the
            // connection may have broken after it): read it back next time.
            self.stale.store(true, Ordering::SeqCst);
            return Err(e);
        }
        Ok(ack)
    }

    /// [`Self::cert_request`] on a shared database: the core's checks run on
    /// a scratch state holding this device's requests from the database (the
    /// enrollment certificate is known once the request is opened: a first
    /// pass on an empty state, a second one only when the device has earlier
    /// requests), then the request is committed. The second pass and the
    /// commit run under the device's lock ([`RaStore::lock_enrollment`]):
    /// RA processes on one database decide one device's requests one at a
    /// time, so two of them never both accept what the policy allows once.
    async fn cert_request_shared(&self, bytes: &[u8], hash: &[u8; 8]) -> Result<Vec<u8>, RaError> {
        let now = self.now();
        let none = MemoryBlocklist::default();
        let check = |earlier: Vec<([u8; 8], crate::RequestRecord)>| {
            let mut scratch = RaState::default();
            scratch.requests.extend(earlier);
            let ack =
                self.ra
                    .handle_cert_request(&mut scratch, self.ks.as_ref(), &none, bytes, now)?;
            let rec = scratch
                .requests
                .remove(hash)
                .ok_or_else(|| RaError::Internal("request not recorded".into()))?;
            Ok::<_, RaError>((ack, rec))
        };
        let (mut ack, mut rec) = check(Vec::new())?;
        let now_unix = unix_from_time32(now);
        let mut lock = self.db.lock_enrollment(&rec.enrollment, now_unix).await?;
        if lock.is_blocked().await? {
            return Err(RaError::Blocklisted);
        }
        let earlier = lock.requests().await?;
        if earlier.iter().any(|(h, _)| h == hash) {
            // The same bytes accepted by another node meanwhile: its answer.
            return lock
                .stored_ack(hash)
                .await?
                .ok_or_else(|| RaError::Internal("accepted request without its answer".into()));
        }
        if !earlier.is_empty() {
            (ack, rec) = check(earlier)?;
        }
        lock.accept(hash, &rec, &ack, now_unix).await?;
        Ok(ack)
    }

    /// `GET /v3/authorization-certificate`: the ZIP of an i-period (on a
    /// shared database, read from it).
    pub async fn download(&self, request: &[u8]) -> Result<Vec<u8>, RaError> {
        let now = self.now();
        if self.shared {
            let target = self.ra.open_download(self.ks.as_ref(), request, now)?;
            let state = self.db.download_state(&target.request, target.i).await?;
            return self.ra.download_batch(&state, &target, now);
        }
        if self.stale.load(Ordering::SeqCst) {
            self.refresh().await?;
        }
        let inner = self.inner.lock().await;
        self.ra
            .handle_download(&inner.state, self.ks.as_ref(), request, now)
    }

    pub async fn expand(&self) -> Result<usize, RaError> {
        let pending: Vec<([u8; 8], PlvRequest)> = {
            let inner = self.inner.lock().await;
            inner
                .state
                .pending
                .iter()
                .filter_map(|h| {
                    inner.state.requests.get(h).map(|r| {
                        (
                            *h,
                            PlvRequest {
                                chain: None,
                                i_first: r.first_i,
                                i_count: r.i_count,
                                j_count: r.j_count,
                            },
                        )
                    })
                })
                .collect()
        };
        let mut expanded = 0;
        for chunk in pending.chunks(16) {
            let mut set = JoinSet::new();
            for (n, (_, req)) in chunk.iter().enumerate() {
                // One signed request, sent to both LAs (each checks it is ours).
                let signed = signed_plv_request(
                    self.ks.as_ref(),
                    &self.ra.key_label,
                    &self.ra.certificate,
                    req,
                    u64::from(self.now()) * 1_000_000,
                )
                .map_err(|e| RaError::Linkage(e.to_string()))?;
                let (la1, la2) = (self.peers.la1.clone(), self.peers.la2.clone());
                set.spawn(async move {
                    let (a, b) = tokio::join!(fetch_plv(&la1, &signed), fetch_plv(&la2, &signed));
                    (n, a, b)
                });
            }
            let mut answers = Vec::with_capacity(chunk.len());
            while let Some(j) = set.join_next().await {
                let (n, a, b) = j.map_err(|e| RaError::Internal(e.to_string()))?;
                answers.push((n, a?, b?));
            }
            answers.sort_by_key(|a| a.0);
            for (n, a, b) in answers {
                let (hash, req) = chunk[n];
                self.expand_one(hash, req, a, b).await?;
                expanded += 1;
            }
        }
        Ok(expanded)
    }

    async fn expand_one(
        &self,
        hash: [u8; 8],
        req: PlvRequest,
        a: PlvResponse,
        b: PlvResponse,
    ) -> Result<(), RaError> {
        let now = self.now();
        let mut inner = self.inner.lock().await;
        let state = &mut inner.state;
        let others = std::mem::take(&mut state.pending);
        state.pending = vec![hash];
        let before = state.queue.len();
        let mut las = Prefetched {
            request: req,
            la1: Some(a),
            la2: Some(b),
        };
        let r = self.ra.expand_pending(state, &mut las, now);
        state.pending = others
            .into_iter()
            .filter(|h| *h != hash || r.is_err())
            .collect();
        r?;
        let items = state.queue.items[before..].to_vec();
        let rec = state
            .requests
            .get(&hash)
            .ok_or_else(|| RaError::Internal("request not recorded".into()))?
            .clone();
        if let Err(e) = self.db.commit_expansion(&hash, &rec, &items).await {
            self.reload(&mut inner, &e).await;
            return Err(e);
        }
        Ok(())
    }

    pub async fn release(&self) -> Result<usize, RaError> {
        let now = self.now();
        let mut inner = self.inner.lock().await;
        let mut released = 0;
        loop {
            let Some(batch) = self
                .ra
                .release_batch(&mut inner.state, self.ks.as_ref(), now)?
            else {
                return Ok(released);
            };
            let mut rows = Vec::with_capacity(batch.len());
            for spdu in batch {
                let h = spdu_hash(&spdu, self.sm);
                let slot: Slot =
                    *inner.state.in_flight.get(&h).ok_or_else(|| {
                        RaError::Internal("released request not in flight".into())
                    })?;
                rows.push((h, slot, spdu));
            }
            if let Err(e) = self.db.commit_release(&rows).await {
                self.reload(&mut inner, &e).await;
                return Err(e);
            }
            released += rows.len();
            for (h, _, spdu) in rows {
                inner.spdus.insert(h, spdu);
            }
        }
    }

    pub async fn send(&self) -> Result<(usize, usize), RaError> {
        let todo: Vec<([u8; 8], Vec<u8>)> = {
            let inner = self.inner.lock().await;
            inner.spdus.iter().map(|(h, s)| (*h, s.clone())).collect()
        };
        let (mut stored, mut failed) = (0, 0);
        for chunk in todo.chunks(ACA_CONCURRENCY * 16) {
            let mut set = JoinSet::new();
            let per = chunk.len().div_ceil(ACA_CONCURRENCY).max(1);
            for part in chunk.chunks(per) {
                let part = part.to_vec();
                let aca = self.peers.aca.clone();
                set.spawn(async move {
                    let mut out = Vec::with_capacity(part.len());
                    for (h, s) in part {
                        out.push((h, send_to_aca(&aca, &s).await));
                    }
                    out
                });
            }
            let mut answers = Vec::new();
            while let Some(j) = set.join_next().await {
                answers.extend(j.map_err(|e| RaError::Internal(e.to_string()))?);
            }
            let now = self.now();
            let mut inner = self.inner.lock().await;
            let mut rows = Vec::with_capacity(answers.len());
            for (h, r) in answers {
                let slot = match r
                    .and_then(|resp| self.ra.accept_aca_response(&mut inner.state, &resp, now))
                {
                    Ok(s) => s,
                    Err(_) => {
                        failed += 1;
                        continue;
                    }
                };
                let bytes = inner
                    .state
                    .responses
                    .get(&(slot.request, slot.i))
                    .and_then(|m| m.get(&slot.j))
                    .cloned()
                    .ok_or_else(|| RaError::Internal("response not stored".into()))?;
                rows.push((h, slot, bytes));
            }
            if let Err(e) = self.db.commit_responses(&rows).await {
                self.reload(&mut inner, &e).await;
                return Err(e);
            }
            for (h, _, _) in &rows {
                inner.spdus.remove(h);
            }
            stored += rows.len();
        }
        Ok((stored, failed))
    }

    /// One worker step: expand pending requests, release shuffled batches,
    /// send what is in flight to the ACA and store the answers.
    pub async fn step(&self) -> Result<StepReport, RaError> {
        if self.shared {
            self.refresh_work().await?;
        } else {
            self.refresh_if_needed().await?;
        }
        let expanded = self.expand().await?;
        let released = self.release().await?;
        let (stored, failed) = self.send().await?;
        Ok(StepReport {
            expanded,
            released,
            stored,
            failed,
        })
    }

    /// The background worker: [`Self::step`] every `period`.
    pub fn spawn_worker(self: Arc<Self>, period: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                // A failed step leaves everything persisted; the next retries.
                let _ = self.step().await;
                tokio::time::sleep(period).await;
            }
        })
    }
}

fn ra_curve(ra: &Ra) -> Result<Curve, RaError> {
    ra.curve()
}

fn retry_secs(until: Time32, now: Time32) -> String {
    until.saturating_sub(now).max(1).to_string()
}

/// The HTTP status of an [`RaError`].
pub fn status(e: &RaError) -> StatusCode {
    match e {
        RaError::TooEarly(w) if w.contains("already provisioned") => StatusCode::CONFLICT,
        RaError::Malformed(_) | RaError::Unsupported(_) | RaError::TooEarly(_) => {
            StatusCode::BAD_REQUEST
        }
        RaError::Unauthorized(_) | RaError::Blocklisted => StatusCode::FORBIDDEN,
        RaError::Duplicate => StatusCode::CONFLICT,
        RaError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        RaError::NotReady { .. } => StatusCode::SERVICE_UNAVAILABLE,
        RaError::NotFound => StatusCode::NOT_FOUND,
        RaError::Linkage(_) | RaError::BadAcaResponse(_) => StatusCode::BAD_GATEWAY,
        RaError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        RaError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn failure(e: &RaError, now: Time32) -> Response {
    let line = format!("{}\n", e.to_string().replace(['\n', '\r'], " "));
    let mut r = (
        status(e),
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        line,
    )
        .into_response();
    let retry = match e {
        RaError::RateLimited { retry_after } | RaError::NotReady { retry_after } => {
            Some(retry_secs(*retry_after, now))
        }
        RaError::Unavailable(_) => Some("1".to_string()),
        _ => None,
    };
    if let Some(v) = retry.and_then(|v| header::HeaderValue::from_str(&v).ok()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

fn reply(r: Result<Vec<u8>, RaError>, content_type: &'static str, now: Time32) -> Response {
    match r {
        Ok(b) => (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], b).into_response(),
        Err(e) => failure(&e, now),
    }
}

async fn post_request(State(s): State<Arc<RaService>>, body: Bytes) -> Response {
    let now = s.now();
    reply(s.cert_request(&body).await, "application/octet-stream", now)
}

async fn get_download(State(s): State<Arc<RaService>>, headers: HeaderMap) -> Response {
    let now = s.now();
    let req = headers
        .get("download-req")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| RaError::Malformed("no Download-Req header".into()))
        .and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .map_err(|_| RaError::Malformed("Download-Req is not base64".into()))
        });
    let r = match req {
        Ok(b) => s.download(&b).await,
        Err(e) => Err(e),
    };
    reply(r, "application/zip", now)
}

async fn post_ma_lci(State(s): State<Arc<RaService>>, body: Bytes) -> Response {
    let now = s.now();
    reply(
        s.handle_lci_request(&body).await,
        "application/octet-stream",
        now,
    )
}

async fn post_ma_blacklist(State(s): State<Arc<RaService>>, body: Bytes) -> Response {
    let now = s.now();
    reply(
        s.handle_blacklist_request(&body).await,
        "application/octet-stream",
        now,
    )
}

async fn get_ra_certificate(State(s): State<Arc<RaService>>) -> Response {
    let now = s.now();
    reply(
        Ok(s.ra.certificate.clone()),
        "application/octet-stream",
        now,
    )
}

/// The RA's HTTP interface.
pub fn router(s: Arc<RaService>) -> Router {
    Router::new()
        .route(
            "/v3/authorization-certificate",
            get(get_download).post(post_request),
        )
        .route("/v3/ra-certificate", get(get_ra_certificate))
        .route("/v3/ma-lci", post(post_ma_lci))
        .route("/v3/ma-blacklist", post(post_ma_blacklist))
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(s)
}
