//! Storage tests, each run on SQLite and on PostgreSQL (see `store_support`).

mod store_support;

use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::issue::{issue, IssuanceRecord, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_ca::store::{
    request_hash, AuditEntry, Batch, Committed, CrlRecord, RequestRecord, Store, StoreError,
};
use scms_crypto::suite::{os_rng, Curve, SecretKey};
use scms_hsm::MemoryKeyStore;
use sqlx::Row;

fn now() -> u32 {
    scms_asn1::ieee1609dot2::time::time32_from_unix(1_767_225_600)
}

const NOW_UNIX: i64 = 1_767_225_600;

fn hierarchy() -> (MemoryKeyStore, Hierarchy, HierarchyOptions) {
    let ks = MemoryKeyStore::new();
    let opts = HierarchyOptions::new(Family::Us, now());
    let h = build(&ks, &opts).expect("hierarchy");
    (ks, h, opts)
}

/// An enrollment certificate under the hierarchy's ECA.
fn enrollment(ks: &MemoryKeyStore, h: &Hierarchy) -> IssuanceRecord {
    let profile = builtin(Family::Us, "enrollment").expect("profile");
    let key = SecretKey::generate(Curve::NistP256, &mut os_rng())
        .expect("key")
        .public_key();
    let params = IssueParams::new(&profile, SubjectId::None, key, now());
    issue(ks, &h.issuer_ref("eca").expect("eca"), &params)
        .expect("issue")
        .record
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = crate::store_support::sqlite().await;
                super::$name(&db.store).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = crate::store_support::postgres().await;
                super::$name(&db.store).await;
                db.cleanup().await;
            })*
        }
    };
}

both!(
    hierarchy_round_trip,
    same_request_twice_one_certificate,
    concurrent_duplicates_one_certificate,
    hashed_id8_is_unique,
    audit_chain_verifies_and_catches_tampering,
    audit_log_is_append_only,
    crl_and_ctl_counters,
    spdu_sightings_refuse_replays
);

async fn hierarchy_round_trip(store: &Store) {
    let (_ks, h, opts) = hierarchy();
    let batch = Batch::hierarchy(&h, &opts).expect("batch");
    assert_eq!(
        store.commit(&batch, NOW_UNIX).await.expect("commit"),
        Committed::Stored
    );
    let authorities = store.authorities().await.expect("authorities");
    assert_eq!(authorities.len(), h.certificates.len());
    for a in &authorities {
        assert_eq!(&a.certificate, &h.certificates[&a.name], "{}", a.name);
        assert_eq!(&a.key_label, &h.key_labels[&a.name]);
        assert!(!a.profile_toml.is_empty());
    }
    let ctl = store.latest_ctl().await.expect("ctl").expect("a ctl");
    assert_eq!(ctl.spdu, h.ctl.spdu);
    assert_eq!(ctl.sequence_number, 1);
    // The whole hierarchy again is refused, and nothing changes.
    assert!(matches!(
        store.commit(&batch, NOW_UNIX).await,
        Err(StoreError::Duplicate { .. })
    ));
    assert_eq!(
        store.certificate_count().await.expect("count"),
        h.records.len() as i64
    );
    let check = store.verify_audit_chain().await.expect("verify");
    assert_eq!(check.broken, None);
    assert!(check.entries as usize > h.records.len());
}

fn request_batch(rec: IssuanceRecord, request: &[u8]) -> Batch {
    let hid = rec.hashed_id8.0;
    Batch {
        request: Some(RequestRecord {
            request_hash: request_hash(request),
            kind: "test".into(),
            hashed_id8: Some(hid),
            response: rec.certificate.clone(),
        }),
        certificates: vec![rec],
        ..Batch::default()
    }
}

async fn same_request_twice_one_certificate(store: &Store) {
    let (ks, h, _) = hierarchy();
    let request = b"the same request bytes";
    let first = enrollment(&ks, &h);
    let second = enrollment(&ks, &h);
    assert_ne!(first.certificate, second.certificate);
    let r1 = store
        .commit(&request_batch(first.clone(), request), NOW_UNIX)
        .await
        .expect("first");
    assert_eq!(r1, Committed::Stored);
    // The same request again, with another certificate: the first answer, nothing stored.
    let r2 = store
        .commit(&request_batch(second.clone(), request), NOW_UNIX)
        .await
        .expect("second");
    assert_eq!(r2, Committed::AlreadyAnswered(first.certificate.clone()));
    assert_eq!(store.certificate_count().await.expect("count"), 1);
    assert_eq!(store.request_count().await.expect("count"), 1);
    assert!(store
        .certificate(&second.hashed_id8.0)
        .await
        .expect("lookup")
        .is_none());
    assert_eq!(
        store
            .request_response(&request_hash(request))
            .await
            .expect("lookup"),
        Some(first.certificate.clone())
    );
    let stored = store
        .certificate(&first.hashed_id8.0)
        .await
        .expect("lookup")
        .expect("stored");
    assert_eq!(stored.role, "enrollment");
    assert_eq!(stored.certificate, first.certificate);
    assert_eq!(
        store.verify_audit_chain().await.expect("verify").broken,
        None
    );
}

async fn concurrent_duplicates_one_certificate(store: &Store) {
    let (ks, h, _) = hierarchy();
    let request = b"raced request";
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let store = store.clone();
        let batch = request_batch(enrollment(&ks, &h), request);
        tasks.push(tokio::spawn(
            async move { store.commit(&batch, NOW_UNIX).await },
        ));
    }
    let mut stored = 0;
    let mut answers = Vec::new();
    for t in tasks {
        match t.await.expect("join").expect("commit") {
            Committed::Stored => stored += 1,
            Committed::AlreadyAnswered(a) => answers.push(a),
        }
    }
    assert_eq!(stored, 1);
    assert_eq!(store.certificate_count().await.expect("count"), 1);
    let answer = store
        .request_response(&request_hash(request))
        .await
        .expect("lookup")
        .expect("answered");
    assert!(answers.iter().all(|a| *a == answer));
    assert_eq!(
        store.verify_audit_chain().await.expect("verify").broken,
        None
    );
}

async fn hashed_id8_is_unique(store: &Store) {
    let (ks, h, _) = hierarchy();
    let rec = enrollment(&ks, &h);
    let batch = Batch {
        certificates: vec![rec.clone()],
        ..Batch::default()
    };
    store.commit(&batch, NOW_UNIX).await.expect("first");
    let err = store.commit(&batch, NOW_UNIX).await.expect_err("duplicate");
    assert!(
        matches!(&err, StoreError::Duplicate { what: "certificate", value } if *value == hex::encode(rec.hashed_id8.0)),
        "{err}"
    );
    // The database constraint itself, past the check in commit.
    let raw = sqlx::query(
        "INSERT INTO certificates (hashed_id8, issuer_key, role, profile, kind, curve, subject, \
         validity_start, validity_end, certificate, created_at) \
         VALUES ($1, 'k', 'enrollment', 'p', 'explicit', 'P256', 's', 0, 1, $2, 0)",
    )
    .bind(rec.hashed_id8.0.to_vec())
    .bind(vec![1u8, 2, 3])
    .execute(store.pool())
    .await;
    assert!(raw.is_err(), "the database accepted a second row");
    assert_eq!(store.certificate_count().await.expect("count"), 1);
}

async fn drop_append_only_triggers(store: &Store) {
    let sql: &[&str] = match store.backend() {
        scms_ca::store::Backend::Sqlite => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ],
        scms_ca::store::Backend::Postgres => &["DROP TRIGGER audit_log_no_update ON audit_log"],
    };
    for s in sql {
        sqlx::query(s)
            .execute(store.pool())
            .await
            .expect("drop trigger");
    }
}

async fn audit_chain_verifies_and_catches_tampering(store: &Store) {
    for i in 0..5 {
        store
            .audit(
                vec![AuditEntry::json(
                    "sign",
                    &serde_json::json!({"key": "k", "n": i}),
                )],
                NOW_UNIX + i,
            )
            .await
            .expect("audit");
    }
    let check = store.verify_audit_chain().await.expect("verify");
    assert_eq!((check.entries, check.broken), (5, None));

    // Someone with write access to the database edits entry 3 (past the triggers).
    drop_append_only_triggers(store).await;
    sqlx::query("UPDATE audit_log SET details = $1 WHERE seq = 3")
        .bind(r#"{"key":"other","n":2}"#.to_string())
        .execute(store.pool())
        .await
        .expect("tamper");
    let check = store.verify_audit_chain().await.expect("verify");
    let broken = check.broken.expect("tampering is caught");
    assert_eq!(broken.seq, 3, "{}", broken.reason);

    // Restore the text: the chain verifies again; then drop the last entry.
    sqlx::query("UPDATE audit_log SET details = $1 WHERE seq = 3")
        .bind(r#"{"key":"k","n":2}"#.to_string())
        .execute(store.pool())
        .await
        .expect("restore");
    assert_eq!(
        store.verify_audit_chain().await.expect("verify").broken,
        None
    );
    sqlx::query("DELETE FROM audit_log WHERE seq = 5")
        .execute(store.pool())
        .await
        .expect("truncate");
    let broken = store
        .verify_audit_chain()
        .await
        .expect("verify")
        .broken
        .expect("truncation is caught");
    assert_eq!(broken.seq, 5, "{}", broken.reason);
    // Deleting an entry in the middle breaks the link there.
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(store.pool())
        .await
        .expect("delete");
    let broken = store
        .verify_audit_chain()
        .await
        .expect("verify")
        .broken
        .expect("deletion is caught");
    assert_eq!(broken.seq, 2, "{}", broken.reason);
}

async fn audit_log_is_append_only(store: &Store) {
    store
        .audit(
            vec![AuditEntry::json("sign", &serde_json::json!({"key": "k"}))],
            NOW_UNIX,
        )
        .await
        .expect("audit");
    assert!(sqlx::query("UPDATE audit_log SET kind = 'x' WHERE seq = 1")
        .execute(store.pool())
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_log WHERE seq = 1")
        .execute(store.pool())
        .await
        .is_err());
    let row = sqlx::query("SELECT kind FROM audit_log WHERE seq = 1")
        .fetch_one(store.pool())
        .await
        .expect("row");
    assert_eq!(row.try_get::<String, _>(0).expect("kind"), "sign");
}

async fn crl_and_ctl_counters(store: &Store) {
    let (_ks, h, opts) = hierarchy();
    store
        .commit(&Batch::hierarchy(&h, &opts).expect("batch"), NOW_UNIX)
        .await
        .expect("hierarchy");
    assert_eq!(
        store
            .next_ctl_sequence(&opts.ctl_series_id)
            .await
            .expect("seq"),
        2
    );
    assert_eq!(store.next_crl_serial(1).await.expect("serial"), 1);
    let crl = CrlRecord {
        series: 1,
        serial: 1,
        issue_date: now(),
        next_crl: now() + 3600,
        signer: [7; 8],
        crl: vec![3, 1, 2],
    };
    store
        .commit(
            &Batch {
                crls: vec![crl.clone()],
                ..Batch::default()
            },
            NOW_UNIX,
        )
        .await
        .expect("crl");
    assert_eq!(store.next_crl_serial(1).await.expect("serial"), 2);
    assert_eq!(store.next_crl_serial(2).await.expect("serial"), 1);
    assert_eq!(store.latest_crl(1).await.expect("crl"), Some(crl.clone()));
    // The same (series, serial) twice is refused.
    assert!(store
        .commit(
            &Batch {
                crls: vec![crl],
                ..Batch::default()
            },
            NOW_UNIX,
        )
        .await
        .is_err());
    assert_eq!(
        store.verify_audit_chain().await.expect("verify").broken,
        None
    );
}

/// A signed request between authorities is accepted once per receiver; the
/// same bytes again are a replay, also when several arrive at once; a
/// sighting is kept while the SPDU verifies, then pruned.
async fn spdu_sightings_refuse_replays(store: &Store) {
    use scms_ca::spdu::{ScmsSigned, SpduRefusal};
    let signed = ScmsSigned {
        signer: Vec::new(),
        payload: Vec::new(),
        verifies_until: now() + 10,
    };
    let (la1, la2, spdu) = (b"la1 certificate", b"la2 certificate", b"signed request");
    let sighting = |receiver: &'static [u8], spdu: &'static [u8], at: u32| {
        let (store, signed) = (store.clone(), signed.clone());
        async move {
            store
                .first_sighting(receiver, spdu, &signed, at)
                .await
                .unwrap()
        }
    };
    assert!(sighting(la1, spdu, now()).await.is_ok());
    assert!(matches!(
        sighting(la1, spdu, now() + 10).await,
        Err(SpduRefusal::Replayed)
    ));
    // Another receiver of the same bytes (the RA's PLV request goes to both LAs).
    assert!(sighting(la2, spdu, now()).await.is_ok());
    // Eight copies at once at a third receiver: one is accepted.
    let tasks: Vec<_> = (0..8)
        .map(|_| tokio::spawn(sighting(b"aca", spdu, now())))
        .collect();
    let mut accepted = 0;
    for t in tasks {
        accepted += usize::from(t.await.unwrap().is_ok());
    }
    assert_eq!(accepted, 1);
    let rows = || async {
        let r = sqlx::query("SELECT COUNT(*) FROM spdu_sightings")
            .fetch_one(store.pool())
            .await
            .unwrap();
        r.try_get::<i64, _>(0).unwrap()
    };
    assert_eq!(rows().await, 3);
    // Once the SPDU no longer verifies its sightings go.
    let later = ScmsSigned {
        verifies_until: now() + 100,
        ..signed.clone()
    };
    let r = store
        .first_sighting(la1, b"another request", &later, now() + 11)
        .await
        .unwrap();
    assert!(r.is_ok());
    assert_eq!(rows().await, 1);
    // The first request's bytes again, past their window: no longer
    // remembered (its signature would no longer verify).
    assert!(sighting(la1, spdu, now() + 11).await.is_ok());
}
