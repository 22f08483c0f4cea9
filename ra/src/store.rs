//! Persistence of the RA's state ([`RaState`], the blocklist) in the scms
//! database (sqlx over SQLite or PostgreSQL, one code path through the `Any`
//! driver; tables `ra_*` of `migrations/*/0002_provisioning.sql`).
//!
//! The service writes through: every core operation's effect is committed in
//! one transaction before anything is acknowledged, and [`RaStore::load`]
//! rebuilds the whole [`RaState`] after a restart. What is stored holds no
//! plaintext pseudonym certificate and no pre-linkage value in clear: the
//! request records (public butterfly keys, expansion keys, the requested
//! `ToBeSignedCertificate`), the queued items (encrypted PLVs), the signed
//! requests in flight and the ACA's responses encrypted to the devices.

use std::collections::BTreeMap;

use scms_ca::store::{request_hash, Store, StoreError};
use scms_crypto::butterfly::ButterflyExpansionKey;
use scms_crypto::ccm::SymmAlgorithm;
use scms_crypto::suite::{Curve, PublicKey};
use scms_la::ChainId;
use sqlx::{AnyPool, Row};

use crate::{Butterfly, MemoryBlocklist, RaError, RaState, RequestRecord, ShuffleItem, Slot};

impl From<StoreError> for RaError {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            Self::Unavailable(e.to_string())
        } else {
            Self::Internal(e.to_string())
        }
    }
}

impl From<sqlx::Error> for RaError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::from(e).into()
    }
}

fn corrupt(what: &str) -> RaError {
    RaError::Internal(format!("stored {what} is corrupt"))
}

fn curve_byte(c: Curve) -> u8 {
    match c {
        Curve::NistP256 => 1,
        Curve::NistP384 => 2,
        Curve::BrainpoolP256r1 => 3,
        Curve::BrainpoolP384r1 => 4,
        Curve::Sm2 => 5,
    }
}

fn curve_of(b: u8) -> Option<Curve> {
    Some(match b {
        1 => Curve::NistP256,
        2 => Curve::NistP384,
        3 => Curve::BrainpoolP256r1,
        4 => Curve::BrainpoolP384r1,
        5 => Curve::Sm2,
        _ => return None,
    })
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
    fn key(&mut self, k: &PublicKey) {
        self.u8(curve_byte(k.curve()));
        self.bytes(&k.to_sec1(true));
    }
}

struct R<'a>(&'a [u8]);

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], RaError> {
        if self.0.len() < n {
            return Err(corrupt("request record"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, RaError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, RaError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn arr<const N: usize>(&mut self) -> Result<[u8; N], RaError> {
        <[u8; N]>::try_from(self.take(N)?).map_err(|_| corrupt("request record"))
    }
    fn bytes(&mut self) -> Result<&'a [u8], RaError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn key(&mut self) -> Result<PublicKey, RaError> {
        let c = curve_of(self.u8()?).ok_or_else(|| corrupt("key curve"))?;
        PublicKey::from_sec1(c, self.bytes()?).map_err(|_| corrupt("public key"))
    }
}

/// The binary form of a [`RequestRecord`] (version 1).
pub fn encode_record(r: &RequestRecord) -> Vec<u8> {
    let mut w = W(Vec::with_capacity(256 + r.tbs_cert.len()));
    w.u8(1);
    w.0.extend_from_slice(&r.enrollment);
    for v in [r.received, r.first_i, r.i_count, r.j_count, r.next_dl_time] {
        w.u32(v);
    }
    w.u8(u8::from(r.explicit));
    match &r.chains {
        Some((a, b)) => {
            w.u8(1);
            w.0.extend_from_slice(&a.0);
            w.0.extend_from_slice(&b.0);
        }
        None => w.u8(0),
    }
    match &r.butterfly {
        Butterfly::Original {
            signing,
            signing_expansion,
            encryption,
            encryption_symm,
            encryption_expansion,
        } => {
            w.u8(1);
            w.key(signing);
            w.0.extend_from_slice(signing_expansion.as_bytes());
            w.key(encryption);
            w.u8(match encryption_symm {
                SymmAlgorithm::Aes128Ccm => 1,
                SymmAlgorithm::Sm4Ccm => 2,
            });
            w.0.extend_from_slice(encryption_expansion.as_bytes());
        }
        Butterfly::Unified {
            caterpillar,
            expansion,
            compact,
        } => {
            w.u8(if *compact { 3 } else { 2 });
            w.key(caterpillar);
            w.0.extend_from_slice(expansion.as_bytes());
        }
    }
    w.bytes(&r.tbs_cert);
    // Optional trailer (records written before issue 6 end here).
    if let Some((a, b)) = &r.lcis {
        w.bytes(a);
        w.bytes(b);
    }
    w.0
}

/// Reads what [`encode_record`] wrote.
pub fn decode_record(b: &[u8]) -> Result<RequestRecord, RaError> {
    let mut r = R(b);
    if r.u8()? != 1 {
        return Err(corrupt("request record version"));
    }
    let enrollment = r.arr::<8>()?;
    let received = r.u32()?;
    let first_i = r.u32()?;
    let i_count = r.u32()?;
    let j_count = r.u32()?;
    let next_dl_time = r.u32()?;
    let explicit = r.u8()? == 1;
    let chains = match r.u8()? {
        0 => None,
        _ => Some((ChainId(r.arr::<16>()?), ChainId(r.arr::<16>()?))),
    };
    let butterfly = match r.u8()? {
        1 => Butterfly::Original {
            signing: r.key()?,
            signing_expansion: ButterflyExpansionKey::from_bytes(r.arr::<16>()?),
            encryption: r.key()?,
            encryption_symm: match r.u8()? {
                1 => SymmAlgorithm::Aes128Ccm,
                2 => SymmAlgorithm::Sm4Ccm,
                _ => return Err(corrupt("symmetric algorithm")),
            },
            encryption_expansion: ButterflyExpansionKey::from_bytes(r.arr::<16>()?),
        },
        k @ (2 | 3) => Butterfly::Unified {
            caterpillar: r.key()?,
            expansion: ButterflyExpansionKey::from_bytes(r.arr::<16>()?),
            compact: k == 3,
        },
        _ => return Err(corrupt("butterfly kind")),
    };
    let tbs_cert = r.bytes()?.to_vec();
    let lcis = if r.0.is_empty() {
        None
    } else {
        Some((r.bytes()?.to_vec(), r.bytes()?.to_vec()))
    };
    if !r.0.is_empty() {
        return Err(corrupt("request record trailer"));
    }
    Ok(RequestRecord {
        enrollment,
        received,
        first_i,
        i_count,
        j_count,
        next_dl_time,
        explicit,
        butterfly,
        tbs_cert,
        chains,
        lcis,
    })
}

fn arr<const N: usize>(v: Vec<u8>) -> Result<[u8; N], RaError> {
    <[u8; N]>::try_from(v.as_slice()).map_err(|_| corrupt("key column"))
}

fn u32_of(v: i64) -> Result<u32, RaError> {
    u32::try_from(v).map_err(|_| corrupt("counter"))
}

/// The RA's tables.
#[derive(Clone, Debug)]
pub struct RaStore {
    store: Store,
}

/// What [`RaStore::load`] restores besides the state: the signed requests in
/// flight to the ACA, by their hash.
pub type InFlightSpdus = BTreeMap<[u8; 8], Vec<u8>>;

impl RaStore {
    /// Over a connected (and migrated) [`Store`].
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    fn pool(&self) -> &AnyPool {
        self.store.pool()
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The whole state, the blocklist and the in-flight SPDUs.
    pub async fn load(&self) -> Result<(RaState, MemoryBlocklist, InFlightSpdus), RaError> {
        self.load_parts(true).await
    }

    /// What the worker needs: the pending requests, the shuffle queue, the
    /// requests in flight, the records they belong to, the blocklist; not
    /// the requests already served nor the stored responses (they only
    /// grow: an RA on a shared database reads them per request instead).
    pub async fn load_work(&self) -> Result<(RaState, MemoryBlocklist, InFlightSpdus), RaError> {
        self.load_parts(false).await
    }

    async fn load_parts(
        &self,
        everything: bool,
    ) -> Result<(RaState, MemoryBlocklist, InFlightSpdus), RaError> {
        let mut st = RaState::default();
        let sql = if everything {
            "SELECT request_hash, record, pending FROM ra_requests ORDER BY created_at, request_hash"
        } else {
            "SELECT request_hash, record, pending FROM ra_requests WHERE pending <> 0 \
             OR request_hash IN (SELECT device FROM ra_queue) \
             OR request_hash IN (SELECT device FROM ra_in_flight) \
             ORDER BY created_at, request_hash"
        };
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        for r in rows {
            let h: [u8; 8] = arr(r.try_get(0)?)?;
            let rec: Vec<u8> = r.try_get(1)?;
            let pending: i64 = r.try_get(2)?;
            st.requests.insert(h, decode_record(&rec)?);
            if pending != 0 {
                st.pending.push(h);
            }
        }
        let rows = sqlx::query(
            "SELECT device, i, j, enqueued, explicit, tbs_cert, linkage_info, cert_enc_key \
             FROM ra_queue ORDER BY enqueued, device, i, j",
        )
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            let explicit: i64 = r.try_get(4)?;
            st.queue.push(ShuffleItem {
                device: arr(r.try_get(0)?)?,
                i: u32_of(r.try_get(1)?)?,
                j: u32_of(r.try_get(2)?)?,
                enqueued: u32_of(r.try_get(3)?)?,
                explicit: explicit != 0,
                tbs_cert: r.try_get(5)?,
                linkage_info: r.try_get(6)?,
                // An empty column is an absent certEncKey (compact unified).
                cert_enc_key: Some(r.try_get::<Vec<u8>, _>(7)?).filter(|k| !k.is_empty()),
            });
        }
        let mut spdus = InFlightSpdus::new();
        let rows = sqlx::query("SELECT spdu_hash, device, i, j, spdu FROM ra_in_flight")
            .fetch_all(self.pool())
            .await?;
        for r in rows {
            let h: [u8; 8] = arr(r.try_get(0)?)?;
            st.in_flight.insert(
                h,
                Slot {
                    request: arr(r.try_get(1)?)?,
                    i: u32_of(r.try_get(2)?)?,
                    j: u32_of(r.try_get(3)?)?,
                },
            );
            spdus.insert(h, r.try_get(4)?);
        }
        let rows = if everything {
            sqlx::query("SELECT device, i, j, response FROM ra_responses")
                .fetch_all(self.pool())
                .await?
        } else {
            Vec::new()
        };
        for r in rows {
            let d: [u8; 8] = arr(r.try_get(0)?)?;
            st.responses
                .entry((d, u32_of(r.try_get(1)?)?))
                .or_default()
                .insert(u32_of(r.try_get(2)?)?, r.try_get(3)?);
        }
        let mut bl = MemoryBlocklist::default();
        for r in sqlx::query("SELECT enrollment FROM ra_blocklist")
            .fetch_all(self.pool())
            .await?
        {
            bl.0.insert(arr(r.try_get(0)?)?);
        }
        Ok((st, bl, spdus))
    }

    /// The accepted request `hash`.
    pub async fn request(&self, hash: &[u8; 8]) -> Result<Option<RequestRecord>, RaError> {
        let row = sqlx::query("SELECT record FROM ra_requests WHERE request_hash = $1")
            .bind(hash.to_vec())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| decode_record(&r.try_get::<Vec<u8>, _>(0)?))
            .transpose()
    }

    /// Whether an enrollment certificate is blocklisted.
    pub async fn is_blocked(&self, enrollment: &[u8; 8]) -> Result<bool, RaError> {
        is_blocked(self.pool(), enrollment).await
    }

    /// Opens the transaction in which a request of the device `enrollment`
    /// is decided: it first takes that device's row of
    /// `ra_enrollment_locks` (PostgreSQL: a row lock; SQLite: the database's
    /// write lock), which another RA process deciding a request of the same
    /// device waits for until this transaction ends. What
    /// [`EnrollmentLock`] reads afterwards is what the other processes
    /// committed; what it records is committed with [`EnrollmentLock::accept`]
    /// (dropped without it, nothing is written).
    pub async fn lock_enrollment(
        &self,
        enrollment: &[u8; 8],
        now_unix: i64,
    ) -> Result<EnrollmentLock, RaError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO ra_enrollment_locks (enrollment, locked_at) VALUES ($1, $2) \
             ON CONFLICT (enrollment) DO UPDATE SET locked_at = excluded.locked_at",
        )
        .bind(enrollment.to_vec())
        .bind(now_unix)
        .execute(&mut *tx)
        .await?;
        Ok(EnrollmentLock {
            tx,
            enrollment: *enrollment,
        })
    }

    /// The part of the state one download reads: the request `hash` and
    /// the responses stored for its i-period `i`.
    pub async fn download_state(&self, hash: &[u8; 8], i: u32) -> Result<RaState, RaError> {
        let mut st = RaState::default();
        let Some(rec) = self.request(hash).await? else {
            return Ok(st);
        };
        st.requests.insert(*hash, rec);
        let rows = sqlx::query("SELECT j, response FROM ra_responses WHERE device = $1 AND i = $2")
            .bind(hash.to_vec())
            .bind(i64::from(i))
            .fetch_all(self.pool())
            .await?;
        let files = st.responses.entry((*hash, i)).or_default();
        for r in rows {
            files.insert(u32_of(r.try_get(0)?)?, r.try_get(1)?);
        }
        Ok(st)
    }

    /// Requests pending, items in the shuffle queue, requests at the ACA,
    /// requests accepted: counted in the database.
    pub async fn depths(&self) -> Result<[usize; 4], RaError> {
        let mut out = [0usize; 4];
        for (n, sql) in [
            "SELECT COUNT(*) FROM ra_requests WHERE pending <> 0",
            "SELECT COUNT(*) FROM ra_queue",
            "SELECT COUNT(*) FROM ra_in_flight",
            "SELECT COUNT(*) FROM ra_requests",
        ]
        .into_iter()
        .enumerate()
        {
            let c: i64 = sqlx::query(sql).fetch_one(self.pool()).await?.try_get(0)?;
            out[n] = usize::try_from(c).map_err(|_| corrupt("count"))?;
        }
        Ok(out)
    }

    /// The acknowledgement stored for a request hash (idempotent replay).
    pub async fn stored_ack(&self, hash: &[u8; 8]) -> Result<Option<Vec<u8>>, RaError> {
        stored_ack(self.pool(), hash).await
    }

    /// Records an accepted request (pending) and its acknowledgement.
    pub async fn insert_request(
        &self,
        hash: &[u8; 8],
        rec: &RequestRecord,
        ack: &[u8],
        now_unix: i64,
    ) -> Result<(), RaError> {
        insert_request(self.pool(), hash, rec, ack, now_unix).await
    }

    /// Records an expansion: the request is no longer pending, its chains,
    /// and its queued items, in one transaction. Refused (nothing written)
    /// when the request is not pending any more: expanded by another worker
    /// after this one read it (a second worker, or a killed one whose commit
    /// reached the database after its successor read the state); its items
    /// queued again would be released and certified twice.
    pub async fn commit_expansion(
        &self,
        hash: &[u8; 8],
        rec: &RequestRecord,
        items: &[ShuffleItem],
    ) -> Result<(), RaError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE ra_requests SET pending = 0, record = $1 WHERE request_hash = $2 \
             AND pending <> 0",
        )
        .bind(encode_record(rec))
        .bind(hash.to_vec())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(RaError::Internal(
                "request no longer pending: expanded by another worker".into(),
            ));
        }
        for it in items {
            sqlx::query(
                "INSERT INTO ra_queue (device, i, j, enqueued, explicit, tbs_cert, linkage_info, \
                 cert_enc_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(it.device.to_vec())
            .bind(i64::from(it.i))
            .bind(i64::from(it.j))
            .bind(i64::from(it.enqueued))
            .bind(i64::from(it.explicit))
            .bind(it.tbs_cert.clone())
            .bind(it.linkage_info.clone())
            .bind(it.cert_enc_key.clone().unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a released batch: the items leave the queue and are in flight
    /// with their signed requests, in one transaction. Refused (nothing
    /// written) when an item is not in the queue any more: released by
    /// another worker after this one read the queue.
    pub async fn commit_release(&self, batch: &[([u8; 8], Slot, Vec<u8>)]) -> Result<(), RaError> {
        let mut tx = self.pool().begin().await?;
        for (h, s, spdu) in batch {
            let gone = sqlx::query("DELETE FROM ra_queue WHERE device = $1 AND i = $2 AND j = $3")
                .bind(s.request.to_vec())
                .bind(i64::from(s.i))
                .bind(i64::from(s.j))
                .execute(&mut *tx)
                .await?;
            if gone.rows_affected() != 1 {
                return Err(RaError::Internal(format!(
                    "item (i {}, j {}) no longer queued: released by another worker",
                    s.i, s.j
                )));
            }
            sqlx::query(
                "INSERT INTO ra_in_flight (spdu_hash, device, i, j, spdu) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(h.to_vec())
            .bind(s.request.to_vec())
            .bind(i64::from(s.i))
            .bind(i64::from(s.j))
            .bind(spdu.clone())
            .execute(&mut *tx)
            .await?;
            // The HPCR an MA will name this certificate request by.
            sqlx::query("INSERT INTO ra_hpcr (hpcr, device, i, j) VALUES ($1, $2, $3, $4)")
                .bind(request_hash(spdu).to_vec())
                .bind(s.request.to_vec())
                .bind(i64::from(s.i))
                .bind(i64::from(s.j))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The device request (its hash in `ra_requests`) an HPCR belongs to.
    pub async fn device_of_hpcr(&self, hpcr: &[u8; 32]) -> Result<Option<[u8; 8]>, RaError> {
        let row = sqlx::query("SELECT device FROM ra_hpcr WHERE hpcr = $1")
            .bind(hpcr.to_vec())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => Ok(Some(arr(r.try_get(0)?)?)),
            None => Ok(None),
        }
    }

    /// Records ACA responses: stored per (request, i, j), no longer in flight.
    pub async fn commit_responses(&self, done: &[([u8; 8], Slot, Vec<u8>)]) -> Result<(), RaError> {
        let mut tx = self.pool().begin().await?;
        for (h, s, resp) in done {
            sqlx::query("DELETE FROM ra_in_flight WHERE spdu_hash = $1")
                .bind(h.to_vec())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO ra_responses (device, i, j, response) VALUES ($1, $2, $3, $4)",
            )
            .bind(s.request.to_vec())
            .bind(i64::from(s.i))
            .bind(i64::from(s.j))
            .bind(resp.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Blocks an enrollment certificate (HashedId8); blocking twice is a no-op.
    pub async fn block(&self, enrollment: &[u8; 8], now_unix: i64) -> Result<(), RaError> {
        sqlx::query(
            "INSERT INTO ra_blocklist (enrollment, created_at) VALUES ($1, $2) \
             ON CONFLICT (enrollment) DO NOTHING",
        )
        .bind(enrollment.to_vec())
        .bind(now_unix)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// One device's request being decided ([`RaStore::lock_enrollment`]): a
/// transaction holding the device's lock; its reads see what every RA
/// process committed before it got the lock.
pub struct EnrollmentLock {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    enrollment: [u8; 8],
}

impl EnrollmentLock {
    /// Whether the device is blocklisted.
    pub async fn is_blocked(&mut self) -> Result<bool, RaError> {
        is_blocked(&mut *self.tx, &self.enrollment).await
    }

    /// The device's earlier requests, by hash.
    pub async fn requests(&mut self) -> Result<Vec<([u8; 8], RequestRecord)>, RaError> {
        requests_of(&mut *self.tx, &self.enrollment).await
    }

    /// The acknowledgement stored for one of the device's requests.
    pub async fn stored_ack(&mut self, hash: &[u8; 8]) -> Result<Option<Vec<u8>>, RaError> {
        stored_ack(&mut *self.tx, hash).await
    }

    /// Records the accepted request `hash` of this device (pending) and its
    /// acknowledgement, and commits: the lock is released.
    pub async fn accept(
        mut self,
        hash: &[u8; 8],
        rec: &RequestRecord,
        ack: &[u8],
        now_unix: i64,
    ) -> Result<(), RaError> {
        if rec.enrollment != self.enrollment {
            return Err(RaError::Internal(
                "a request recorded under another device's lock".into(),
            ));
        }
        insert_request(&mut *self.tx, hash, rec, ack, now_unix).await?;
        self.tx.commit().await?;
        Ok(())
    }
}

async fn requests_of<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    enrollment: &[u8; 8],
) -> Result<Vec<([u8; 8], RequestRecord)>, RaError> {
    let rows = sqlx::query("SELECT request_hash, record FROM ra_requests WHERE enrollment = $1")
        .bind(enrollment.to_vec())
        .fetch_all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                arr(r.try_get(0)?)?,
                decode_record(&r.try_get::<Vec<u8>, _>(1)?)?,
            ))
        })
        .collect()
}

async fn is_blocked<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    enrollment: &[u8; 8],
) -> Result<bool, RaError> {
    Ok(
        sqlx::query("SELECT 1 FROM ra_blocklist WHERE enrollment = $1")
            .bind(enrollment.to_vec())
            .fetch_optional(db)
            .await?
            .is_some(),
    )
}

async fn stored_ack<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    hash: &[u8; 8],
) -> Result<Option<Vec<u8>>, RaError> {
    let row = sqlx::query("SELECT ack FROM ra_requests WHERE request_hash = $1")
        .bind(hash.to_vec())
        .fetch_optional(db)
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get(0)?),
        None => None,
    })
}

async fn insert_request<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    hash: &[u8; 8],
    rec: &RequestRecord,
    ack: &[u8],
    now_unix: i64,
) -> Result<(), RaError> {
    sqlx::query(
        "INSERT INTO ra_requests (request_hash, enrollment, record, ack, pending, created_at) \
         VALUES ($1, $2, $3, $4, 1, $5)",
    )
    .bind(hash.to_vec())
    .bind(rec.enrollment.to_vec())
    .bind(encode_record(rec))
    .bind(ack.to_vec())
    .bind(now_unix)
    .execute(db)
    .await?;
    Ok(())
}
