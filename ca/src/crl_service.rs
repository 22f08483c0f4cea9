//! The CRL generator as a service: it keeps the revocation entries the MA
//! sends (table `crl_entries` of `migrations/*/0003_misbehavior.sql`), issues
//! a full `SecuredCrl` per series after every change ([`crate::crl::sign_crl`],
//! stored with its counters and an audit entry through [`Store::commit`]) and
//! serves the latest one.
//!
//! | method and path | in | out |
//! |---|---|---|
//! | `GET /v3/crl?series=N` | | the latest `SecuredCrl` of series N (default: the linkage series), 404 if none |
//! | `POST /v3/crl-entries` | an MA-signed SPDU carrying a delta `CrlContents` (the same bytes a second time: 403, a replay) | the new `SecuredCrl` |
//!
//! Entries: linkage-based ones (LA ids, the two linkage seeds at `iRev`, `iMax`,
//! `jMax`) go into the linkage series (`fullLinkedCrl`): at each issue every
//! seed is advanced to the current i-period, which becomes `iRev`, entries past
//! their `iMax` are dropped and `indexWithinI` counts the CRLs of the series
//! already issued in the i-period. Hash-based ones (HashedId10 and expiry) go
//! into the hash series (`fullHashCrl`, `crlSerial` = the CRL number); expired
//! ones are dropped. `nextCrl` is `issueDate + next_crl_secs`.
//!
//! The MA's request is a CAMP-profile signed SPDU (`SecurityMgmtPsid`, see
//! [`crate::spdu::verify_scms_signed`]) whose payload is a COER `CrlContents`
//! with `deltaLinkedCrl` or `deltaHashCrl` contents (its header fields are not
//! used: this service signs the CRL). Signers without the MA role get 403.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use scms_asn1::ieee1609dot2::crl_base_types::{CrlContents, TypeSpecificCrlContents};
use scms_asn1::ieee1609dot2::time::{time32_from_unix, unix_from_time32};
use scms_asn1::ieee1609dot2::{Certificate, Time32};
use scms_asn1::ieee1609dot2dot1::protocol::SecurityMgmtSsp;
use scms_crypto::linkage::{LaId, LinkageSeed};
use scms_hsm::KeyStore;
use sqlx::Row;
use tokio::sync::Mutex;

use crate::aca::TrustStore;
use crate::crl::{
    sign_crl, signer_craca, CrlBody, CrlHeader, HashEntry, IndividualEntry, SignedCrl,
};
use crate::issue::IssuerRef;
use crate::spdu::{verify_scms_signed, SignerForm, SpduRefusal};
use crate::store::{AuditEntry, Batch, CrlRecord, Store, StoreError};
use crate::CaError;

/// The service's clock (Time32).
pub type Clock = Arc<dyn Fn() -> Time32 + Send + Sync>;

/// Largest request body.
pub const MAX_REQUEST: usize = 64 * 1024;

/// The CRL generator's configuration.
#[derive(Clone, Debug)]
pub struct CrlServiceConfig {
    /// The CRL signer certificate (PSID 256 with a `CrlSsp` listing both series).
    pub certificate: Vec<u8>,
    pub key_label: String,
    /// Where the MA's certificate chains.
    pub trust: TrustStore,
    /// Series of the linkage-based CRL (`ObePseudonymCrlSeries`, 1).
    pub linkage_series: u16,
    /// Series of the hash-based CRL (`EeNonPseudonymCrlSeries`, 3).
    pub hash_series: u16,
    /// `nextCrl - issueDate`.
    pub next_crl_secs: u32,
    /// Start of i-period 0 (Unix seconds) and the i-period length.
    pub iperiod_epoch_unix: i64,
    pub iperiod_secs: u32,
}

impl CrlServiceConfig {
    /// Defaults: series 1 and 3, a CRL a day, one-week i-periods.
    pub fn new(
        certificate: Vec<u8>,
        key_label: impl Into<String>,
        trust: TrustStore,
        iperiod_epoch_unix: i64,
    ) -> Self {
        Self {
            certificate,
            key_label: key_label.into(),
            trust,
            linkage_series: scms_asn1::camp::base_types::OBE_PSEUDONYM_CRL_SERIES,
            hash_series: scms_asn1::camp::base_types::EE_NON_PSEUDONYM_CRL_SERIES,
            next_crl_secs: 86_400,
            iperiod_epoch_unix,
            iperiod_secs: 7 * 86_400,
        }
    }

    /// The i-period of a Time32 (0 before the epoch).
    pub fn iperiod_of(&self, t: Time32) -> u16 {
        let d = (unix_from_time32(t) - self.iperiod_epoch_unix).max(0);
        u16::try_from(d / i64::from(self.iperiod_secs.max(1))).unwrap_or(u16::MAX)
    }
}

/// Why the CRL service refused.
#[derive(Debug)]
pub enum CrlServiceError {
    /// Not a valid entries request (400).
    Malformed(String),
    /// The signer is not an MA chaining in the trust store (403).
    Unauthorized(String),
    /// No CRL of that series yet (404).
    NotFound,
    Ca(CaError),
    Store(StoreError),
}

impl core::fmt::Display for CrlServiceError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Malformed(w) => write!(f, "malformed request: {w}"),
            Self::Unauthorized(w) => write!(f, "unauthorized: {w}"),
            Self::NotFound => f.write_str("no CRL of this series yet"),
            Self::Ca(e) => write!(f, "{e}"),
            Self::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CrlServiceError {}

impl From<StoreError> for CrlServiceError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}
impl From<sqlx::Error> for CrlServiceError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::from(e))
    }
}
impl From<CaError> for CrlServiceError {
    fn from(e: CaError) -> Self {
        Self::Ca(e)
    }
}

impl CrlServiceError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A revocation entry the generator keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrlEntry {
    /// A device's pseudonyms: the seeds at `i_rev`.
    Linkage { i_rev: u16, entry: IndividualEntry },
    /// One certificate.
    Hash(HashEntry),
}

impl CrlEntry {
    /// The stored form: `1 jmax la1 la2 i_rev i_max seed1 seed2` or `2 id10 expiry` (big-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(48);
        match self {
            Self::Linkage { i_rev, entry: e } => {
                v.push(1);
                v.push(e.jmax);
                v.extend_from_slice(&e.la1_id);
                v.extend_from_slice(&e.la2_id);
                v.extend_from_slice(&i_rev.to_be_bytes());
                v.extend_from_slice(&e.i_max.to_be_bytes());
                v.extend_from_slice(&e.linkage_seed1);
                v.extend_from_slice(&e.linkage_seed2);
            }
            Self::Hash(h) => {
                v.push(2);
                v.extend_from_slice(&h.id);
                v.extend_from_slice(&h.expiry.to_be_bytes());
            }
        }
        v
    }

    /// Reads [`CrlEntry::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        match (b.first()?, b.len()) {
            (1, 42) => Some(Self::Linkage {
                i_rev: u16::from_be_bytes([b[6], b[7]]),
                entry: IndividualEntry {
                    jmax: b[1],
                    la1_id: [b[2], b[3]],
                    la2_id: [b[4], b[5]],
                    i_max: u16::from_be_bytes([b[8], b[9]]),
                    linkage_seed1: b[10..26].try_into().ok()?,
                    linkage_seed2: b[26..42].try_into().ok()?,
                },
            }),
            (2, 15) => Some(Self::Hash(HashEntry {
                id: b[1..11].try_into().ok()?,
                expiry: u32::from_be_bytes(b[11..15].try_into().ok()?),
            })),
            _ => None,
        }
    }
}

/// The entries a delta `CrlContents` carries.
pub fn entries_of(contents: &CrlContents) -> Result<Vec<CrlEntry>, CrlServiceError> {
    let mut out = Vec::new();
    match &contents.type_specific {
        TypeSpecificCrlContents::DeltaLinkedCrl(l) | TypeSpecificCrlContents::FullLinkedCrl(l) => {
            for jg in l.individual.iter().flatten() {
                for la in &jg.contents {
                    for ig in &la.contents {
                        for r in &ig.contents {
                            out.push(CrlEntry::Linkage {
                                i_rev: l.i_rev,
                                entry: IndividualEntry {
                                    jmax: jg.jmax,
                                    la1_id: la.la1_id,
                                    la2_id: la.la2_id,
                                    i_max: ig.i_max,
                                    linkage_seed1: r.linkage_seed1,
                                    linkage_seed2: r.linkage_seed2,
                                },
                            });
                        }
                    }
                }
            }
        }
        TypeSpecificCrlContents::DeltaHashCrl(h) | TypeSpecificCrlContents::FullHashCrl(h) => {
            for e in &h.entries {
                out.push(CrlEntry::Hash(HashEntry {
                    id: e.id,
                    expiry: e.expiry,
                }));
            }
        }
        _ => {
            return Err(CrlServiceError::Malformed(
                "not linkage or hash CRL contents".into(),
            ))
        }
    }
    if out.is_empty() {
        return Err(CrlServiceError::Malformed("no entry".into()));
    }
    Ok(out)
}

/// The CRL generator.
pub struct CrlService {
    config: CrlServiceConfig,
    ks: Arc<dyn KeyStore>,
    store: Store,
    clock: Clock,
    /// One issue at a time (CRL numbers are read, then written).
    lock: Mutex<()>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl CrlService {
    /// The service over `store` (migrated). The signer certificate must allow
    /// both series (checked at each signature by [`sign_crl`]).
    pub async fn open(
        config: CrlServiceConfig,
        ks: Arc<dyn KeyStore>,
        store: Store,
        clock: Clock,
    ) -> Result<Self, CrlServiceError> {
        let cert: Certificate<'_> = scms_asn1::decode(&config.certificate)
            .map_err(|e| CrlServiceError::Malformed(format!("CRL signer: {e}")))?;
        signer_craca(&cert)?;
        Ok(Self {
            config,
            ks,
            store,
            clock,
            lock: Mutex::new(()),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &CrlServiceConfig {
        &self.config
    }

    /// The stored entries.
    pub async fn entries(&self) -> Result<Vec<CrlEntry>, CrlServiceError> {
        let rows = sqlx::query("SELECT entry FROM crl_entries ORDER BY created_at, entry")
            .fetch_all(self.store.pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let b: Vec<u8> = r.try_get(0)?;
            out.push(CrlEntry::from_bytes(&b).ok_or_else(|| {
                CrlServiceError::Store(StoreError::Corrupt {
                    what: "crl_entries.entry",
                    reason: "not an entry".into(),
                })
            })?);
        }
        Ok(out)
    }

    /// Adds entries (already present ones are kept once) and issues the CRL
    /// of every series they touch. Returns the new CRLs.
    ///
    /// A linkage entry for a device already held (the same LAs, and the seeds
    /// of the earlier `iRev` lead to those of the later one) is merged into
    /// one: the earlier `iRev` and its seeds, the larger `iMax` and `jMax`.
    /// So an MA that sends a revocation again from a later i-period (it was
    /// killed and resumed) never puts the device on the CRL twice.
    pub async fn add(&self, entries: &[CrlEntry]) -> Result<Vec<SignedCrl>, CrlServiceError> {
        let _g = self.lock.lock().await;
        let now = unix_from_time32((self.clock)());
        let (mut linkage, mut hash) = (false, false);
        let mut held = if entries
            .iter()
            .any(|e| matches!(e, CrlEntry::Linkage { .. }))
        {
            self.entries().await?
        } else {
            Vec::new()
        };
        let mut tx = self.store.pool().begin().await?;
        for e in entries {
            let (series, e) = match e {
                CrlEntry::Linkage { .. } => {
                    linkage = true;
                    let same = held.iter().position(|h| same_device(h, e));
                    let e = match same {
                        None => *e,
                        Some(k) => {
                            let merged = merge_linkage(&held[k], e);
                            if merged == held[k] {
                                continue;
                            }
                            sqlx::query("DELETE FROM crl_entries WHERE series = $1 AND entry = $2")
                                .bind(i64::from(self.config.linkage_series))
                                .bind(held[k].to_bytes())
                                .execute(&mut *tx)
                                .await?;
                            held.remove(k);
                            merged
                        }
                    };
                    held.push(e);
                    (self.config.linkage_series, e)
                }
                CrlEntry::Hash(_) => {
                    hash = true;
                    (self.config.hash_series, *e)
                }
            };
            sqlx::query(
                "INSERT INTO crl_entries (series, entry, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (series, entry) DO NOTHING",
            )
            .bind(i64::from(series))
            .bind(e.to_bytes())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let mut out = Vec::new();
        if linkage {
            out.push(self.issue_locked(self.config.linkage_series).await?);
        }
        if hash {
            out.push(self.issue_locked(self.config.hash_series).await?);
        }
        Ok(out)
    }

    /// Keeps the published CRLs current: issues a full CRL of each series
    /// that has none yet, whose `nextCrl` is less than `margin_secs` away (or
    /// past), or (linkage series) that was issued in an earlier i-period,
    /// since its seeds must advance to the current one. Devices never hold a
    /// CRL past its `nextCrl` for want of a newer one. Returns what it issued.
    pub async fn refresh_due(&self, margin_secs: u32) -> Result<Vec<SignedCrl>, CrlServiceError> {
        let _g = self.lock.lock().await;
        let now = (self.clock)();
        let mut out = Vec::new();
        for series in [self.config.linkage_series, self.config.hash_series] {
            let due = match self.store.latest_crl(u32::from(series)).await? {
                None => true,
                Some(r) => {
                    r.next_crl.saturating_sub(margin_secs) <= now
                        || (series == self.config.linkage_series
                            && self.config.iperiod_of(r.issue_date) < self.config.iperiod_of(now))
                }
            };
            if due {
                out.push(self.issue_locked(series).await?);
            }
        }
        Ok(out)
    }

    /// Issues (signs, stores and audits) a full CRL of `series` now.
    pub async fn issue(&self, series: u16) -> Result<SignedCrl, CrlServiceError> {
        let _g = self.lock.lock().await;
        self.issue_locked(series).await
    }

    async fn issue_locked(&self, series: u16) -> Result<SignedCrl, CrlServiceError> {
        let now = (self.clock)();
        let cert: Certificate<'_> = scms_asn1::decode(&self.config.certificate)
            .map_err(|e| CrlServiceError::Malformed(e.to_string()))?;
        let header = CrlHeader {
            series,
            craca: signer_craca(&cert)?,
            issue_date: now,
            next_crl: now.saturating_add(self.config.next_crl_secs),
            priority: None,
        };
        let entries = self.entries().await?;
        let serial = self.store.next_crl_serial(u32::from(series)).await?;
        let body = if series == self.config.linkage_series {
            let i = self.config.iperiod_of(now);
            let start = time32_from_unix(
                self.config.iperiod_epoch_unix + i64::from(i) * i64::from(self.config.iperiod_secs),
            );
            let issued_in_i: i64 =
                sqlx::query("SELECT COUNT(*) FROM crls WHERE crl_series = $1 AND issue_date >= $2")
                    .bind(i64::from(series))
                    .bind(i64::from(start))
                    .fetch_one(self.store.pool())
                    .await?
                    .try_get(0)?;
            let mut individual = Vec::new();
            for e in &entries {
                let CrlEntry::Linkage { i_rev, entry } = e else {
                    continue;
                };
                if entry.i_max < i {
                    continue;
                }
                let (linkage_seed1, linkage_seed2) = seeds_at(*i_rev, entry, i);
                individual.push(IndividualEntry {
                    linkage_seed1,
                    linkage_seed2,
                    ..*entry
                });
            }
            CrlBody::Linkage {
                delta: false,
                i_rev: i,
                index_within_i: u8::try_from(issued_in_i).unwrap_or(u8::MAX),
                individual,
                groups: Vec::new(),
            }
        } else {
            CrlBody::Hash {
                delta: false,
                crl_serial: serial,
                entries: entries
                    .iter()
                    .filter_map(|e| match e {
                        CrlEntry::Hash(h) if h.expiry > now => Some(*h),
                        _ => None,
                    })
                    .collect(),
            }
        };
        let signed = sign_crl(
            self.ks.as_ref(),
            &IssuerRef {
                certificate: &self.config.certificate,
                key_label: &self.config.key_label,
            },
            &header,
            &body,
            SignerForm::Certificate,
        )?;
        let batch = Batch {
            crls: vec![CrlRecord {
                series: u32::from(series),
                serial,
                issue_date: now,
                next_crl: header.next_crl,
                signer: signed.signer,
                crl: signed.bytes.clone(),
            }],
            audit: vec![AuditEntry::json(
                "crl-issue",
                &serde_json::json!({
                    "series": series,
                    "crl_number": serial,
                    "entries": signed.entries,
                    "issue_date": now,
                    "next_crl": header.next_crl,
                    "signer": hex(&signed.signer),
                    "key": self.config.key_label,
                }),
            )],
            ..Batch::default()
        };
        self.store.commit(&batch, unix_from_time32(now)).await?;
        Ok(signed)
    }

    /// The latest CRL of `series` (COER `SecuredCrl`).
    pub async fn latest(&self, series: u16) -> Result<Vec<u8>, CrlServiceError> {
        self.store
            .latest_crl(u32::from(series))
            .await?
            .map(|r| r.crl)
            .ok_or(CrlServiceError::NotFound)
    }

    /// `POST /v3/crl-entries`: verifies the MA's signed delta contents, adds
    /// the entries and returns the new CRL of the first series touched.
    pub async fn handle_entries(&self, request: &[u8]) -> Result<Vec<u8>, CrlServiceError> {
        let now = (self.clock)();
        let refused = |e: SpduRefusal| {
            if e.is_malformed() {
                CrlServiceError::Malformed(format!("MA: {e}"))
            } else {
                CrlServiceError::Unauthorized(format!("MA: {e}"))
            }
        };
        let signed = verify_scms_signed(&self.config.trust, request, now, |s| {
            matches!(s, SecurityMgmtSsp::Ma(_))
        })
        .map_err(refused)?;
        self.store
            .first_sighting(&self.config.certificate, request, &signed, now)
            .await?
            .map_err(refused)?;
        let contents: CrlContents = scms_asn1::decode(&signed.payload)
            .map_err(|e| CrlServiceError::Malformed(format!("CrlContents: {e}")))?;
        let entries = entries_of(&contents)?;
        let crls = self.add(&entries).await?;
        crls.into_iter()
            .next()
            .map(|c| c.bytes)
            .ok_or_else(|| CrlServiceError::Malformed("no entry".into()))
    }
}

fn respond(r: Result<Vec<u8>, CrlServiceError>) -> Response {
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

#[derive(serde::Deserialize)]
struct SeriesQuery {
    series: Option<u16>,
}

async fn get_crl(State(s): State<Arc<CrlService>>, Query(q): Query<SeriesQuery>) -> Response {
    let series = q.series.unwrap_or(s.config.linkage_series);
    respond(s.latest(series).await)
}

async fn post_entries(State(s): State<Arc<CrlService>>, body: Bytes) -> Response {
    respond(s.handle_entries(&body).await)
}

/// The seeds of `entry` (at `i_rev`) advanced to i-period `i` (no earlier).
fn seeds_at(i_rev: u16, entry: &IndividualEntry, i: u16) -> ([u8; 16], [u8; 16]) {
    let steps = u32::from(i.saturating_sub(i_rev));
    let (la1, la2) = (
        LaId(u16::from_be_bytes(entry.la1_id)),
        LaId(u16::from_be_bytes(entry.la2_id)),
    );
    (
        *LinkageSeed::from_bytes(entry.linkage_seed1)
            .at(la1, steps)
            .as_bytes(),
        *LinkageSeed::from_bytes(entry.linkage_seed2)
            .at(la2, steps)
            .as_bytes(),
    )
}

/// Whether two linkage entries revoke the same device: the same LA pair,
/// and the earlier entry's seeds advanced to the later `iRev` are the later
/// entry's seeds.
fn same_device(a: &CrlEntry, b: &CrlEntry) -> bool {
    let (
        CrlEntry::Linkage {
            i_rev: ia,
            entry: ea,
        },
        CrlEntry::Linkage {
            i_rev: ib,
            entry: eb,
        },
    ) = (a, b)
    else {
        return false;
    };
    if (ea.la1_id, ea.la2_id) != (eb.la1_id, eb.la2_id) {
        return false;
    }
    let ((i0, e0), (i1, e1)) = if ia <= ib {
        ((ia, ea), (ib, eb))
    } else {
        ((ib, eb), (ia, ea))
    };
    seeds_at(*i0, e0, *i1) == (e1.linkage_seed1, e1.linkage_seed2)
}

/// One entry for two of [`same_device`]: the earlier `iRev` with its seeds,
/// the larger `iMax` and `jMax`.
fn merge_linkage(held: &CrlEntry, new: &CrlEntry) -> CrlEntry {
    match (held, new) {
        (
            CrlEntry::Linkage {
                i_rev: ih,
                entry: eh,
            },
            CrlEntry::Linkage {
                i_rev: inew,
                entry: en,
            },
        ) => {
            let (i_rev, first) = if ih <= inew { (*ih, eh) } else { (*inew, en) };
            CrlEntry::Linkage {
                i_rev,
                entry: IndividualEntry {
                    i_max: eh.i_max.max(en.i_max),
                    jmax: eh.jmax.max(en.jmax),
                    ..*first
                },
            }
        }
        _ => *held,
    }
}

/// The CRL generator's HTTP interface.
pub fn router(s: Arc<CrlService>) -> Router {
    Router::new()
        .route("/v3/crl", get(get_crl))
        .route("/v3/crl-entries", post(post_entries))
        .layer(DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(s)
}
