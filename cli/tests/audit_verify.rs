//! `scms audit verify` as an operator runs it: a fresh `scms init` data
//! directory verifies; a row of the audit log edited behind the store's back
//! (with the sqlite3 tool or a raw SQL connection, past the append-only
//! triggers) is caught at its position, with exit code 1. SQLite and PostgreSQL.

#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::path::Path;
use std::process::{Command, Output};

const PASS: (&str, &str) = ("SCMS_TEST_PASS", "correct horse battery staple");

fn scms(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scms"))
        .args(args)
        .env(PASS.0, PASS.1)
        .output()
        .expect("run scms")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn init(data: &Path, extra: &[&str]) {
    let mut args = vec!["init", "--data-dir", s(data), "--pass-env", PASS.0];
    args.extend_from_slice(extra);
    let o = scms(&args);
    assert!(o.status.success(), "{}", text(&o));
}

fn sqlite3(db: &Path, sql: &str) {
    let o = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("the sqlite3 tool (apt-get install sqlite3)");
    assert!(o.status.success(), "sqlite3: {}", text(&o));
}

#[test]
fn sqlite_tampered_row_is_caught_at_its_position() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    init(&data, &[]);

    let o = scms(&["audit", "verify", "--data-dir", s(&data)]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("scms.db: intact, "), "{out}");

    // A second database in the directory (one per authority) is checked on its own.
    let db = data.join("scms.db");
    let other = data.join("ra.db");
    std::fs::copy(&db, &other).expect("copy");

    // Someone with write access edits entry 4 of one and deletes entry 2 of
    // the other, past the append-only triggers.
    let drop_triggers = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;";
    sqlite3(
        &db,
        &format!(
            "{drop_triggers} UPDATE audit_log SET details = '{{\"forged\":true}}' WHERE seq = 4;"
        ),
    );
    sqlite3(
        &other,
        &format!("{drop_triggers} DELETE FROM audit_log WHERE seq = 2;"),
    );
    let o = scms(&["audit", "verify", "--data-dir", s(&data)]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("scms.db: BROKEN at entry 4 of ")
            && out.contains("entry_hash does not match the entry"),
        "{out}"
    );
    assert!(
        out.contains("ra.db: BROKEN at entry 2 of ") && out.contains("entry 2 is missing"),
        "{out}"
    );
}

#[test]
fn empty_directory_is_an_error_not_a_pass() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = scms(&["audit", "verify", "--data-dir", s(tmp.path())]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("no database in"), "{out}");
    // Nothing was created by looking.
    assert_eq!(std::fs::read_dir(tmp.path()).expect("dir").count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tampered_row_is_caught_at_its_position() {
    let db = store_support::postgres().await;
    db.store.close().await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let url = db.url.clone();
    let data2 = data.clone();
    tokio::task::spawn_blocking(move || init(&data2, &["--database-url", &url]))
        .await
        .expect("init");

    let verify = |data: std::path::PathBuf, url: String| {
        tokio::task::spawn_blocking(move || {
            scms(&[
                "audit",
                "verify",
                "--data-dir",
                s(&data),
                "--database-url",
                &url,
            ])
        })
    };
    let o = verify(data.clone(), db.url.clone()).await.expect("verify");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains(": intact, "), "{out}");

    let store = scms_ca::store::Store::connect(&db.url)
        .await
        .expect("connect");
    for sql in [
        "DROP TRIGGER audit_log_no_update ON audit_log",
        "UPDATE audit_log SET created_at = created_at + 1 WHERE seq = 3",
    ] {
        sqlx::query(sql)
            .execute(store.pool())
            .await
            .expect("tamper");
    }
    store.close().await;
    let o = verify(data.clone(), db.url.clone()).await.expect("verify");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("BROKEN at entry 3 of "), "{out}");
    db.cleanup().await;
}
