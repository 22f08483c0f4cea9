//! Hostile HTTP input on the authority routers of the provisioning path (RA,
//! LA, ACA; the routers themselves, without the `scms serve` layer): bodies
//! over each router's limit get 413, junk, empty and truncated COER get a 4xx
//! with a one-line reason, and nothing stored changes (every table's row count
//! and the audit head of every database are the same before and after).

mod common;
mod http_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use http_support::{Db, Net};
use scms_ca::profile::Family;
use scms_ra::http::call;
use sqlx::Row;

/// Row count of every table and the audit head, per database.
async fn snapshot(net: &Net) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for (n, db) in net
        .dbs
        .iter()
        .chain(std::iter::once(&net.ra_db))
        .enumerate()
    {
        let pool = db.store.pool();
        let tables: Vec<String> = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>(0).unwrap())
        .collect();
        assert!(tables.len() > 5, "{tables:?}");
        for t in tables {
            let c: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {t}"))
                .fetch_one(pool)
                .await
                .unwrap()
                .try_get(0)
                .unwrap();
            out.push((format!("db{n}.{t}"), c));
        }
        let head = sqlx::query("SELECT seq, head_hash FROM audit_head WHERE id = 1")
            .fetch_one(pool)
            .await
            .unwrap();
        let seq: i64 = head.try_get(0).unwrap();
        let hash: Vec<u8> = head.try_get(1).unwrap();
        out.push((format!("db{n}.audit_head {hash:02x?}"), seq));
    }
    out
}

/// `base` `path` with `body`: the status, and the body as text.
async fn post(base: &str, path: &str, body: &[u8]) -> (u16, String) {
    let r = call(base, "POST", path, &[], body).await.unwrap();
    (r.status, r.text().to_string())
}

fn assert_reasoned_4xx(what: &str, (status, text): &(u16, String)) {
    assert!(
        (400..500).contains(status),
        "{what}: {status} {text:?} is not a 4xx"
    );
    assert!(
        !text.trim().is_empty() && text.trim().lines().count() == 1,
        "{what}: {status} needs a one-line reason, got {text:?}"
    );
}

/// A COER-looking prefix of an `Ieee1609Dot2Data` (protocolVersion 3,
/// signedData) cut short, and plain junk.
const TRUNCATED_COER: &[u8] = &[0x03, 0x81, 0x00, 0x40, 0x03, 0x80];
const JUNK: &[u8] = b"\xff\xfe this is not COER at all";

async fn hostile_posts(base: &str, path: &str, limit: usize) {
    let over = vec![0x03u8; limit + 1];
    let (status, text) = post(base, path, &over).await;
    assert_eq!(status, 413, "{base}{path} oversized: {text}");
    for (what, body) in [
        ("junk", JUNK),
        ("truncated COER", TRUNCATED_COER),
        ("empty", &[][..]),
    ] {
        let r = post(base, path, body).await;
        assert_reasoned_4xx(&format!("{path} {what}"), &r);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_is_refused_with_a_reason_and_changes_nothing() {
    let (net, _devices) = Net::start(Family::Us, Db::Sqlite, 1, 1).await;
    let before = snapshot(&net).await;

    // RA.
    let ra = net.ra_url.clone();
    for path in [
        "/v3/authorization-certificate",
        "/v3/ma-lci",
        "/v3/ma-blacklist",
    ] {
        hostile_posts(&ra, path, scms_ra::service::MAX_REQUEST).await;
    }
    for (what, header) in [
        ("not base64", "!!! not base64 !!!"),
        ("junk COER", "//79IHRoaXMgaXMgbm90IENPRVI="),
        ("truncated COER", "A4EAQAOA"),
    ] {
        let r = call(
            &ra,
            "GET",
            "/v3/authorization-certificate",
            &[("Download-Req", header)],
            &[],
        )
        .await
        .unwrap();
        assert_reasoned_4xx(
            &format!("download {what}"),
            &(r.status, r.text().to_string()),
        );
    }
    let r = call(&ra, "GET", "/v3/authorization-certificate", &[], &[])
        .await
        .unwrap();
    assert_reasoned_4xx("download without header", &(r.status, r.text().to_string()));

    // LA (both LAs run the same router).
    for la in [&net.peers.la1, &net.peers.la2] {
        hostile_posts(la, "/v1/pre-linkage-values", 4096).await;
        hostile_posts(la, "/v3/linkage-seed", 4096).await;
    }

    // ACA.
    for path in ["/v3/ra-aca-cert-request", "/v3/ma-hpcr"] {
        hostile_posts(&net.peers.aca, path, scms_ca::aca_service::MAX_REQUEST).await;
    }

    assert_eq!(
        before,
        snapshot(&net).await,
        "a rejected request changed state"
    );
    net.stop().await;
}
