//! Storage of the CA: sqlx over SQLite (the embedded default) or PostgreSQL
//! (by URL), one code path through sqlx's `Any` driver.
//!
//! Tables (migrations in `migrations/sqlite/` and `migrations/postgres/`,
//! embedded and run by [`Store::connect`]):
//! - `certificates`: every certificate issued, by HashedId8 (unique);
//! - `authorities`: the hierarchy of this installation by name (`root`, `ica`,
//!   ..., `elector-N`), with key label and profile;
//! - `requests`: the idempotency records, the request's SHA-256 and the answer
//!   given, so the same request gets the same answer and never a second
//!   certificate;
//! - `crls`, `ctls`: the CRLs (series, serial) and CTLs (series, sequence) issued;
//! - `spdu_sightings`: the signed requests between authorities accepted, per
//!   receiver, while they verify, so a replay is refused
//!   ([`Store::first_sighting`]);
//! - `audit_log`: append-only and hash-chained, `entry_hash = SHA-256(prev_hash
//!   || canonical entry)`; `audit_head` holds the head of the chain.
//!
//! Everything one operation produces is written by one [`Store::commit`] of a
//! [`Batch`]: one transaction holding the certificates, their audit entries, the
//! idempotency record, CTLs and CRLs. Nothing is handed out before it returns.
//! Writers are serialised by updating the single `audit_head` row first (a row
//! lock on PostgreSQL, the write lock on SQLite), so the chain has no forks
//! and the idempotency check inside the transaction has no race.

use core::fmt;
use std::path::Path;
use std::str::FromStr;

use scms_crypto::hash::{digest, HashAlgorithm, Hasher};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};

use crate::hierarchy::{Hierarchy, HierarchyOptions};
use crate::issue::IssuanceRecord;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The database behind a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A storage failure. Nothing of a failed [`Store::commit`] is stored.
#[derive(Debug)]
pub enum StoreError {
    /// The database refused or failed (connection, SQL, constraint).
    Db(sqlx::Error),
    /// A migration failed.
    Migrate(sqlx::migrate::MigrateError),
    /// The URL names no supported backend.
    Url(String),
    /// A unique value already exists (`what` = `value`).
    Duplicate { what: &'static str, value: String },
    /// A stored row does not have the expected form.
    Corrupt { what: &'static str, reason: String },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Db(e) => write!(f, "database: {e}"),
            Self::Migrate(e) => write!(f, "database migration: {e}"),
            Self::Url(u) => write!(f, "database URL: {u}"),
            Self::Duplicate { what, value } => write!(f, "{what} {value} already stored"),
            Self::Corrupt { what, reason } => write!(f, "stored {what}: {reason}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    /// The database cannot be reached or is restarting: the operation may
    /// be repeated as it is once it is back (HTTP 503, not 500).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Db(e) if unavailable(e))
    }
}

/// Whether `e` means "the database is not there now" rather than "this
/// operation is wrong": the pool could not get a connection, the connection
/// broke, the server is starting or shutting down (SQLSTATE classes 08 and
/// 57P, too many connections), or SQLite stayed busy past its timeout.
pub fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(d) => match d.code() {
            Some(c) if c.len() == 5 => c.starts_with("08") || c.starts_with("57P") || c == "53300",
            // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6) and their extended codes.
            Some(c) => c.parse::<u32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6)),
            None => false,
        },
        _ => false,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Migrate(e)
    }
}

fn corrupt(what: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what,
        reason: reason.into(),
    }
}

fn hex(b: &[u8]) -> String {
    hex::encode(b)
}

/// One authority of the installation (`root`, `ica`, ..., `elector-N`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    pub name: String,
    pub hashed_id8: [u8; 8],
    pub key_label: String,
    pub profile_toml: String,
    /// COER certificate.
    pub certificate: Vec<u8>,
}

/// A stored certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCertificate {
    pub hashed_id8: [u8; 8],
    pub issuer: Option<[u8; 8]>,
    pub issuer_key: String,
    pub role: String,
    pub profile: String,
    pub kind: String,
    pub validity_start: i64,
    pub validity_end: i64,
    pub certificate: Vec<u8>,
    pub created_at: i64,
}

/// A CTL to store: `MultiSignedCtlSpdu` bytes and their counters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CtlRecord {
    pub series_id: [u8; 8],
    pub sequence_number: u32,
    pub effective_date: u32,
    pub spdu: Vec<u8>,
}

/// A CRL to store: `SecuredCrl` bytes and their counters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlRecord {
    pub series: u32,
    pub serial: u32,
    pub issue_date: u32,
    pub next_crl: u32,
    pub signer: [u8; 8],
    pub crl: Vec<u8>,
}

/// An authority to record in a [`Batch`] (its certificate must be in the batch
/// or already stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorityRecord {
    pub name: String,
    pub hashed_id8: [u8; 8],
    pub key_label: String,
    pub profile_toml: String,
}

/// The idempotency record of a request: its hash and the answer given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    /// SHA-256 of the request bytes ([`request_hash`]).
    pub request_hash: [u8; 32],
    /// What kind of request (`eca-enrollment`...).
    pub kind: String,
    /// The certificate issued for it.
    pub hashed_id8: Option<[u8; 8]>,
    /// The answer, returned again for the same request.
    pub response: Vec<u8>,
}

/// An audit entry: `kind` and `details` (JSON text, public data only: never a
/// secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub kind: String,
    pub details: String,
}

impl AuditEntry {
    /// An entry whose details are the JSON of `details`.
    pub fn json(kind: &str, details: &serde_json::Value) -> Self {
        Self {
            kind: kind.to_string(),
            details: details.to_string(),
        }
    }
}

/// Everything one operation writes, committed in one transaction. Each
/// certificate also gets an `issue` audit entry (a use of its issuer's key).
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub certificates: Vec<IssuanceRecord>,
    pub authorities: Vec<AuthorityRecord>,
    pub request: Option<RequestRecord>,
    pub ctls: Vec<CtlRecord>,
    pub crls: Vec<CrlRecord>,
    /// Further audit entries (key uses other than certificate issuance...).
    pub audit: Vec<AuditEntry>,
    /// The ACA's investigation records of the certificates in the batch.
    pub aca_linkage: Vec<AcaLinkageRecord>,
    /// MA decisions that change (table `ma_decisions`: target HashedId8,
    /// new decision), with the audit entry that records why.
    pub ma_decisions: Vec<([u8; 8], &'static str)>,
}

/// What the ACA keeps per pseudonym certificate for investigations (table
/// `aca_linkage`): committed with the certificate, so a crash never leaves a
/// record naming a certificate that was not stored (a replay would then
/// issue another one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcaLinkageRecord {
    /// SHA-256 of the RA's `RaAcaCertRequestSpdu`.
    pub hpcr: [u8; 32],
    pub linkage_value: [u8; 9],
    pub i: u16,
    /// HashedId8 of the pseudonym certificate.
    pub hashed_id8: [u8; 8],
    /// COER `EncryptedIndividualPLV` of LA1 and LA2.
    pub enc_plv1: Vec<u8>,
    pub enc_plv2: Vec<u8>,
    /// The requesting RA (HashedId8 hex).
    pub ra: String,
}

impl Batch {
    /// Everything [`crate::hierarchy::build`] produced: every certificate, the
    /// authorities with their key labels and profiles, the CTL, and a `sign`
    /// audit entry per elector signature of the CTL.
    pub fn hierarchy(h: &Hierarchy, opts: &HierarchyOptions) -> Result<Self, StoreError> {
        let mut batch = Batch {
            certificates: h.records.clone(),
            ..Batch::default()
        };
        for (name, cert) in &h.certificates {
            let rec = h
                .records
                .iter()
                .find(|r| &r.certificate == cert)
                .ok_or_else(|| corrupt("hierarchy", format!("no record of {name}")))?;
            let key_label = h
                .key_labels
                .get(name)
                .ok_or_else(|| corrupt("hierarchy", format!("no key label of {name}")))?;
            let profile_toml = h
                .profiles
                .get(name)
                .ok_or_else(|| corrupt("hierarchy", format!("no profile of {name}")))?
                .to_toml()
                .map_err(|e| corrupt("hierarchy", format!("profile of {name}: {e}")))?;
            batch.authorities.push(AuthorityRecord {
                name: name.clone(),
                hashed_id8: rec.hashed_id8.0,
                key_label: key_label.clone(),
                profile_toml,
            });
            if name.starts_with("elector") {
                batch.audit.push(AuditEntry::json(
                    "sign",
                    &serde_json::json!({
                        "key": key_label,
                        "what": "CtlSignatureSpdu",
                        "sequence_number": 1,
                    }),
                ));
            }
        }
        batch.ctls.push(CtlRecord {
            series_id: opts.ctl_series_id,
            sequence_number: 1,
            effective_date: opts.now,
            spdu: h.ctl.spdu.clone(),
        });
        Ok(batch)
    }
}

/// What [`Store::commit`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Committed {
    /// The batch is stored.
    Stored,
    /// The batch's request was already answered: nothing was stored, here is
    /// the answer given then.
    AlreadyAnswered(Vec<u8>),
}

/// A stored audit entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAuditEntry {
    pub seq: i64,
    pub prev_hash: Vec<u8>,
    pub entry_hash: Vec<u8>,
    pub kind: String,
    pub details: String,
    pub created_at: i64,
}

/// The first broken link of the audit chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    /// Sequence number of the first entry that does not verify.
    pub seq: i64,
    pub reason: String,
}

/// The result of [`Store::verify_audit_chain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCheck {
    /// Entries read.
    pub entries: u64,
    /// `None` when every link verifies.
    pub broken: Option<BrokenLink>,
}

/// The idempotency key of a request: SHA-256 of its bytes.
pub fn request_hash(request: &[u8]) -> [u8; 32] {
    let d = digest(HashAlgorithm::Sha256, request);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_bytes());
    out
}

/// The canonical bytes of an audit entry that its hash covers:
/// `seq (8, BE) || created_at (8, BE) || len(kind) (4, BE) || kind || len(details) (4, BE) || details`.
fn canonical_entry(seq: i64, created_at: i64, kind: &str, details: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(24 + kind.len() + details.len());
    v.extend_from_slice(&seq.to_be_bytes());
    v.extend_from_slice(&created_at.to_be_bytes());
    v.extend_from_slice(&(kind.len() as u32).to_be_bytes());
    v.extend_from_slice(kind.as_bytes());
    v.extend_from_slice(&(details.len() as u32).to_be_bytes());
    v.extend_from_slice(details.as_bytes());
    v
}

/// `entry_hash = SHA-256(prev_hash || canonical entry)`.
pub fn audit_entry_hash(
    prev_hash: &[u8],
    seq: i64,
    created_at: i64,
    kind: &str,
    details: &str,
) -> [u8; 32] {
    let mut h = Hasher::new(HashAlgorithm::Sha256);
    h.update(prev_hash);
    h.update(&canonical_entry(seq, created_at, kind, details));
    let d = h.finalize();
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_bytes());
    out
}

fn arr<const N: usize>(what: &'static str, v: Vec<u8>) -> Result<[u8; N], StoreError> {
    <[u8; N]>::try_from(v.as_slice())
        .map_err(|_| corrupt(what, format!("{} octets, expected {N}", v.len())))
}

/// The CA store.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `url` (`sqlite://PATH?mode=rwc`, `postgres://...`) and
    /// runs the migrations of its backend.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Url(
                "expected sqlite://PATH or postgres://...".to_string(),
            ));
        };
        let opts = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            })
            // A server that is down makes callers wait this long for a
            // connection before they answer 503 (sqlx waits 30 s by default,
            // past the HTTP layer's request timeout).
            .acquire_timeout(std::time::Duration::from_secs(match backend {
                Backend::Sqlite => 30,
                Backend::Postgres => 3,
            }))
            .connect_with(opts)
            .await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Self { pool, backend })
    }

    /// Opens (creating it if needed) the SQLite database at `path`.
    pub async fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        let p = path
            .to_str()
            .ok_or_else(|| StoreError::Url("the database path is not UTF-8".to_string()))?;
        Self::connect(&format!("sqlite://{p}?mode=rwc")).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool (for tests and tools that read the tables directly).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Commits `batch` in one transaction, `now_unix` the time of its
    /// records. When the batch's request was already answered nothing is
    /// written and the stored answer is returned; a certificate whose
    /// HashedId8 is already stored fails with [`StoreError::Duplicate`].
    pub async fn commit(&self, batch: &Batch, now_unix: i64) -> Result<Committed, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Take the chain's head first: this serialises every writer.
        let head =
            sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, head_hash")
                .fetch_one(&mut *tx)
                .await?;
        let mut seq: i64 = head.try_get(0)?;
        let mut prev: Vec<u8> = head.try_get(1)?;

        if let Some(r) = &batch.request {
            let found = sqlx::query("SELECT response FROM requests WHERE request_hash = $1")
                .bind(r.request_hash.to_vec())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = found {
                let response: Vec<u8> = row.try_get(0)?;
                tx.rollback().await?;
                return Ok(Committed::AlreadyAnswered(response));
            }
        }

        let mut audit: Vec<AuditEntry> = Vec::new();
        for c in &batch.certificates {
            let exists = sqlx::query("SELECT 1 FROM certificates WHERE hashed_id8 = $1")
                .bind(c.hashed_id8.0.to_vec())
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_some() {
                tx.rollback().await?;
                return Err(StoreError::Duplicate {
                    what: "certificate",
                    value: hex(&c.hashed_id8.0),
                });
            }
            sqlx::query(
                "INSERT INTO certificates (hashed_id8, issuer, issuer_key, role, profile, kind, \
                 curve, subject, validity_start, validity_end, certificate, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(c.hashed_id8.0.to_vec())
            .bind(c.issuer.map(|i| i.0.to_vec()))
            .bind(c.issuer_key_label.clone())
            .bind(c.role.as_str().to_string())
            .bind(c.profile.clone())
            .bind(kind_str(c.kind).to_string())
            .bind(format!("{:?}", c.curve))
            .bind(c.subject.clone())
            .bind(i64::from(c.validity_start))
            .bind(i64::try_from(c.validity_end).unwrap_or(i64::MAX))
            .bind(c.certificate.clone())
            .bind(now_unix)
            .execute(&mut *tx)
            .await?;
            audit.push(AuditEntry::json(
                "issue",
                &serde_json::json!({
                    "hashed_id8": hex(&c.hashed_id8.0),
                    "issuer": c.issuer.map(|i| hex(&i.0)),
                    "key": c.issuer_key_label,
                    "role": c.role.as_str(),
                    "profile": c.profile,
                    "kind": kind_str(c.kind),
                    "subject": c.subject,
                    "validity_start": c.validity_start,
                    "validity_end": c.validity_end,
                }),
            ));
        }
        for a in &batch.authorities {
            let exists = sqlx::query("SELECT 1 FROM authorities WHERE name = $1")
                .bind(a.name.clone())
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_some() {
                tx.rollback().await?;
                return Err(StoreError::Duplicate {
                    what: "authority",
                    value: a.name.clone(),
                });
            }
            sqlx::query(
                "INSERT INTO authorities (name, hashed_id8, key_label, profile_toml, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(a.name.clone())
            .bind(a.hashed_id8.to_vec())
            .bind(a.key_label.clone())
            .bind(a.profile_toml.clone())
            .bind(now_unix)
            .execute(&mut *tx)
            .await?;
            audit.push(AuditEntry::json(
                "authority",
                &serde_json::json!({
                    "name": a.name, "hashed_id8": hex(&a.hashed_id8), "key": a.key_label,
                }),
            ));
        }
        for c in &batch.ctls {
            sqlx::query(
                "INSERT INTO ctls (series_id, sequence_number, effective_date, ctl, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(c.series_id.to_vec())
            .bind(i64::from(c.sequence_number))
            .bind(i64::from(c.effective_date))
            .bind(c.spdu.clone())
            .bind(now_unix)
            .execute(&mut *tx)
            .await?;
            audit.push(AuditEntry::json(
                "ctl",
                &serde_json::json!({
                    "series_id": hex(&c.series_id),
                    "sequence_number": c.sequence_number,
                    "sha256": hex(&request_hash(&c.spdu)),
                }),
            ));
        }
        for c in &batch.crls {
            sqlx::query(
                "INSERT INTO crls (crl_series, crl_serial, issue_date, next_crl, signer, crl, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(i64::from(c.series))
            .bind(i64::from(c.serial))
            .bind(i64::from(c.issue_date))
            .bind(i64::from(c.next_crl))
            .bind(c.signer.to_vec())
            .bind(c.crl.clone())
            .bind(now_unix)
            .execute(&mut *tx)
            .await?;
            audit.push(AuditEntry::json(
                "crl",
                &serde_json::json!({
                    "series": c.series, "serial": c.serial, "signer": hex(&c.signer),
                    "sha256": hex(&request_hash(&c.crl)),
                }),
            ));
        }
        if let Some(r) = &batch.request {
            sqlx::query(
                "INSERT INTO requests (request_hash, kind, hashed_id8, response, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(r.request_hash.to_vec())
            .bind(r.kind.clone())
            .bind(r.hashed_id8.map(|h| h.to_vec()))
            .bind(r.response.clone())
            .bind(now_unix)
            .execute(&mut *tx)
            .await?;
            audit.push(AuditEntry::json(
                "request",
                &serde_json::json!({
                    "request_hash": hex(&r.request_hash),
                    "kind": r.kind,
                    "hashed_id8": r.hashed_id8.map(|h| hex(&h)),
                }),
            ));
        }
        for r in &batch.aca_linkage {
            // Rows a version before this one kept outside the transaction
            // may name a certificate that was never stored: replaced.
            sqlx::query(
                "INSERT INTO aca_linkage (hpcr, linkage_value, i, hashed_id8, enc_plv1, enc_plv2, \
                 ra, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (hpcr) DO \
                 UPDATE SET linkage_value = excluded.linkage_value, i = excluded.i, \
                 hashed_id8 = excluded.hashed_id8, enc_plv1 = excluded.enc_plv1, \
                 enc_plv2 = excluded.enc_plv2, ra = excluded.ra, created_at = excluded.created_at",
            )
            .bind(r.hpcr.to_vec())
            .bind(r.linkage_value.to_vec())
            .bind(i64::from(r.i))
            .bind(r.hashed_id8.to_vec())
            .bind(r.enc_plv1.clone())
            .bind(r.enc_plv2.clone())
            .bind(r.ra.clone())
            .bind(now_unix)
            .execute(&mut *tx)
            .await?;
        }
        for (target, decision) in &batch.ma_decisions {
            sqlx::query("UPDATE ma_decisions SET decision = $1 WHERE target = $2")
                .bind(*decision)
                .bind(target.to_vec())
                .execute(&mut *tx)
                .await?;
        }
        audit.extend(batch.audit.iter().cloned());

        for e in &audit {
            seq = seq
                .checked_add(1)
                .ok_or_else(|| corrupt("audit_head", "sequence overflow"))?;
            let h = audit_entry_hash(&prev, seq, now_unix, &e.kind, &e.details);
            sqlx::query(
                "INSERT INTO audit_log (seq, prev_hash, entry_hash, kind, details, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(seq)
            .bind(prev.clone())
            .bind(h.to_vec())
            .bind(e.kind.clone())
            .bind(e.details.clone())
            .bind(now_unix)
            .execute(&mut *tx)
            .await?;
            prev = h.to_vec();
        }
        sqlx::query("UPDATE audit_head SET seq = $1, head_hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(prev)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Committed::Stored)
    }

    /// Appends audit entries alone (key uses that produce nothing stored).
    pub async fn audit(&self, entries: Vec<AuditEntry>, now_unix: i64) -> Result<(), StoreError> {
        self.commit(
            &Batch {
                audit: entries,
                ..Batch::default()
            },
            now_unix,
        )
        .await
        .map(|_| ())
    }

    /// Refuses a replay of a verified signed request between authorities:
    /// records that `spdu` (verified as `signed`) reached the authority whose
    /// certificate is `receiver`, and answers
    /// [`SpduRefusal::Replayed`](crate::spdu::SpduRefusal::Replayed) when
    /// these bytes were recorded before. Kept until the SPDU stops verifying
    /// ([`ScmsSigned::verifies_until`](crate::spdu::ScmsSigned)); sightings
    /// past that are pruned here. Only verified requests are recorded, so
    /// nobody but a trusted peer adds rows. The senders sign every attempt
    /// afresh with randomised signatures (other bytes), so their retries pass.
    pub async fn first_sighting(
        &self,
        receiver: &[u8],
        spdu: &[u8],
        signed: &crate::spdu::ScmsSigned,
        now: scms_asn1::ieee1609dot2::Time32,
    ) -> Result<Result<(), crate::spdu::SpduRefusal>, StoreError> {
        let mut both = request_hash(receiver).to_vec();
        both.extend_from_slice(&request_hash(spdu));
        let sighting = request_hash(&both);
        let added = sqlx::query(
            "INSERT INTO spdu_sightings (sighting, keep_until) VALUES ($1, $2) \
             ON CONFLICT (sighting) DO NOTHING",
        )
        .bind(sighting.to_vec())
        .bind(i64::from(signed.verifies_until))
        .execute(&self.pool)
        .await?
        .rows_affected();
        // Housekeeping, not the answer: a failure here (two receivers pruning
        // the same rows at once on PostgreSQL may deadlock, and one is
        // aborted) leaves the rows for the next request to prune.
        let _ = sqlx::query("DELETE FROM spdu_sightings WHERE keep_until < $1")
            .bind(i64::from(now))
            .execute(&self.pool)
            .await;
        Ok(if added == 1 {
            Ok(())
        } else {
            Err(crate::spdu::SpduRefusal::Replayed)
        })
    }

    /// The answer stored for a request, if it was answered.
    pub async fn request_response(&self, hash: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT response FROM requests WHERE request_hash = $1")
            .bind(hash.to_vec())
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    /// A stored certificate by HashedId8.
    pub async fn certificate(
        &self,
        hashed_id8: &[u8; 8],
    ) -> Result<Option<StoredCertificate>, StoreError> {
        let row = sqlx::query(
            "SELECT hashed_id8, issuer, issuer_key, role, profile, kind, validity_start, \
             validity_end, certificate, created_at FROM certificates WHERE hashed_id8 = $1",
        )
        .bind(hashed_id8.to_vec())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let issuer: Option<Vec<u8>> = r.try_get(1)?;
        Ok(Some(StoredCertificate {
            hashed_id8: arr("certificates.hashed_id8", r.try_get(0)?)?,
            issuer: issuer.map(|i| arr("certificates.issuer", i)).transpose()?,
            issuer_key: r.try_get(2)?,
            role: r.try_get(3)?,
            profile: r.try_get(4)?,
            kind: r.try_get(5)?,
            validity_start: r.try_get(6)?,
            validity_end: r.try_get(7)?,
            certificate: r.try_get(8)?,
            created_at: r.try_get(9)?,
        }))
    }

    /// Number of certificates stored.
    pub async fn certificate_count(&self) -> Result<i64, StoreError> {
        let r = sqlx::query("SELECT COUNT(*) FROM certificates")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get(0)?)
    }

    /// Number of idempotency records.
    pub async fn request_count(&self) -> Result<i64, StoreError> {
        let r = sqlx::query("SELECT COUNT(*) FROM requests")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get(0)?)
    }

    /// Every authority, by name.
    pub async fn authorities(&self) -> Result<Vec<Authority>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.name, a.hashed_id8, a.key_label, a.profile_toml, c.certificate \
             FROM authorities a JOIN certificates c ON c.hashed_id8 = a.hashed_id8 \
             ORDER BY a.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Authority {
                    name: r.try_get(0)?,
                    hashed_id8: arr("authorities.hashed_id8", r.try_get(1)?)?,
                    key_label: r.try_get(2)?,
                    profile_toml: r.try_get(3)?,
                    certificate: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// One authority by name (`root`, `eca`, `elector-1`...).
    pub async fn authority(&self, name: &str) -> Result<Option<Authority>, StoreError> {
        Ok(self
            .authorities()
            .await?
            .into_iter()
            .find(|a| a.name == name))
    }

    /// The CTL with the highest sequence number (of any series).
    pub async fn latest_ctl(&self) -> Result<Option<CtlRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT series_id, sequence_number, effective_date, ctl FROM ctls \
             ORDER BY sequence_number DESC, created_at DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let seq: i64 = r.try_get(1)?;
        let eff: i64 = r.try_get(2)?;
        Ok(Some(CtlRecord {
            series_id: arr("ctls.series_id", r.try_get(0)?)?,
            sequence_number: u32::try_from(seq)
                .map_err(|_| corrupt("ctls.sequence_number", "out of range"))?,
            effective_date: u32::try_from(eff)
                .map_err(|_| corrupt("ctls.effective_date", "out of range"))?,
            spdu: r.try_get(3)?,
        }))
    }

    /// The next CTL sequence number of a series (1 for the first).
    pub async fn next_ctl_sequence(&self, series_id: &[u8; 8]) -> Result<u32, StoreError> {
        let r = sqlx::query("SELECT MAX(sequence_number) FROM ctls WHERE series_id = $1")
            .bind(series_id.to_vec())
            .fetch_one(&self.pool)
            .await?;
        let max: Option<i64> = r.try_get(0)?;
        next_counter(max, "ctls.sequence_number")
    }

    /// The next CRL serial of a series (1 for the first).
    pub async fn next_crl_serial(&self, series: u32) -> Result<u32, StoreError> {
        let r = sqlx::query("SELECT MAX(crl_serial) FROM crls WHERE crl_series = $1")
            .bind(i64::from(series))
            .fetch_one(&self.pool)
            .await?;
        let max: Option<i64> = r.try_get(0)?;
        next_counter(max, "crls.crl_serial")
    }

    /// The latest CRL of a series.
    pub async fn latest_crl(&self, series: u32) -> Result<Option<CrlRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT crl_series, crl_serial, issue_date, next_crl, signer, crl FROM crls \
             WHERE crl_series = $1 ORDER BY crl_serial DESC LIMIT 1",
        )
        .bind(i64::from(series))
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let n = |i: usize, what: &'static str| -> Result<u32, StoreError> {
            let v: i64 = r.try_get(i)?;
            u32::try_from(v).map_err(|_| corrupt(what, "out of range"))
        };
        Ok(Some(CrlRecord {
            series: n(0, "crls.crl_series")?,
            serial: n(1, "crls.crl_serial")?,
            issue_date: n(2, "crls.issue_date")?,
            next_crl: n(3, "crls.next_crl")?,
            signer: arr("crls.signer", r.try_get(4)?)?,
            crl: r.try_get(5)?,
        }))
    }

    /// The audit log, in order.
    pub async fn audit_entries(&self) -> Result<Vec<StoredAuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, prev_hash, entry_hash, kind, details, created_at FROM audit_log \
             ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredAuditEntry {
                    seq: r.try_get(0)?,
                    prev_hash: r.try_get(1)?,
                    entry_hash: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    details: r.try_get(4)?,
                    created_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Walks the audit log from the first entry: each entry's `seq` follows the
    /// previous one, its `prev_hash` is the previous `entry_hash` (32 zero
    /// octets for the first) and its `entry_hash` is recomputed; the last entry
    /// must be the head. Returns the first broken link, if any.
    pub async fn verify_audit_chain(&self) -> Result<AuditCheck, StoreError> {
        let entries = self.audit_entries().await?;
        let head = sqlx::query("SELECT seq, head_hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let head_seq: i64 = head.try_get(0)?;
        let head_hash: Vec<u8> = head.try_get(1)?;
        let mut prev = vec![0u8; 32];
        let mut expected_seq = 1i64;
        let broken = |seq: i64, reason: String| AuditCheck {
            entries: entries.len() as u64,
            broken: Some(BrokenLink { seq, reason }),
        };
        for e in &entries {
            if e.seq != expected_seq {
                return Ok(broken(
                    expected_seq,
                    format!("entry {expected_seq} is missing (next is {})", e.seq),
                ));
            }
            if e.prev_hash != prev {
                return Ok(broken(
                    e.seq,
                    "prev_hash is not the previous entry's hash".to_string(),
                ));
            }
            let h = audit_entry_hash(&prev, e.seq, e.created_at, &e.kind, &e.details);
            if e.entry_hash != h {
                return Ok(broken(
                    e.seq,
                    "entry_hash does not match the entry".to_string(),
                ));
            }
            prev = h.to_vec();
            expected_seq += 1;
        }
        let last = expected_seq - 1;
        if head_seq != last || head_hash != prev {
            return Ok(broken(
                last + 1,
                format!("the head is entry {head_seq} but the log ends at {last}"),
            ));
        }
        Ok(AuditCheck {
            entries: entries.len() as u64,
            broken: None,
        })
    }
}

fn next_counter(max: Option<i64>, what: &'static str) -> Result<u32, StoreError> {
    let next = max.unwrap_or(0).saturating_add(1);
    u32::try_from(next).map_err(|_| corrupt(what, "counter exhausted"))
}

fn kind_str(k: crate::profile::CertKind) -> &'static str {
    match k {
        crate::profile::CertKind::Explicit => "explicit",
        crate::profile::CertKind::Implicit => "implicit",
    }
}
