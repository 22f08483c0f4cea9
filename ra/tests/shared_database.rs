//! Two RA processes behind one address on one database (SQLite file and
//! PostgreSQL): a device's request accepted by RA A is provisioned by the
//! worker of RA B and downloaded from A; a second request for the same
//! i-periods sent to B is refused (409) because B reads what A accepted;
//! neither keeps the served request or its certificates in memory.
//! The same second request to an RA that does not share (the default) shows
//! why the reload is needed: its stale copy accepts it.
//!
//! Concurrency across processes: two RA nodes, each with a connection pool
//! of its own on the RA database (as two `scms serve` processes have), get
//! many different requests of one device at once; exactly one is accepted,
//! the others get the refusal the policy gives one after the other ("already
//! provisioned", or the rate limit), never two acceptances.

mod common;
mod http_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::sync::Arc;
use std::time::Duration;

use http_support::{serve, Db, Net};
use scms_asn1::ieee1609dot2::Time32;
use scms_ca::profile::Family;
use scms_ca::store::Store;
use scms_ra::http::call;
use scms_ra::service::RaService;
use scms_ra::store::RaStore;
use scms_ra::Ra;
use sqlx::Row;
use tokio::task::JoinSet;

async fn node(net: &Net, shared: bool) -> (Arc<RaService>, String) {
    let s = Arc::new(
        RaService::open(
            net.ra_core.clone(),
            net.ks.clone(),
            RaStore::new(net.ra_db.store.clone()),
            net.clock.clone(),
            net.peers.clone(),
        )
        .await
        .unwrap()
        .with_shared_database(shared),
    );
    let (url, _task) = serve(scms_ra::service::router(s.clone())).await;
    (s, url)
}

fn request(net: &Net, d: &mut common::Device) -> Vec<u8> {
    request_from(net, d, net.now())
}

fn request_from(net: &Net, d: &mut common::Device, start: Time32) -> Vec<u8> {
    let params = scms_sdk::provision::RequestParams {
        psids: vec![32],
        start,
        hours: 168,
        explicit: false,
    };
    d.request
        .build_request(
            &d.ks,
            "enrol",
            &d.enrollment,
            &net.ra_core.certificate,
            &params,
            net.now(),
        )
        .unwrap()
}

async fn run(kind: Db) {
    let (mut net, mut devices) = Net::start(Family::Us, kind, 1, 1).await;
    let (a, a_url) = node(&net, true).await;
    let (b, b_url) = node(&net, true).await;
    // Opened before anything was accepted, and never reloaded.
    let (_stale, stale_url) = node(&net, false).await;
    let worker = b.clone().spawn_worker(Duration::from_millis(100));

    // A accepts; B's worker (reloading) expands, shuffles, gets the certificates.
    let req = request(&net, &mut devices[0]);
    let r = call(&a_url, "POST", "/v3/authorization-certificate", &[], &req)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let ack = devices[0]
        .request
        .process_ack(&r.body, &net.ra_core.certificate)
        .unwrap();
    let i = u32::from(ack.first_i.unwrap());
    net.ra_url = a_url.clone();
    let got = http_support::download(&net, &devices[0], i, Duration::from_secs(20)).await;
    assert_eq!(got.len(), 20, "every certificate of the i-period");
    assert_eq!(b.queue_depths().await.in_flight, 0);
    assert_eq!(
        a.queue_depths().await.requests,
        1,
        "A counts B's work in the database"
    );
    // Neither node keeps what was served: A answered from the database, B's
    // worker reloads only unfinished work before each step.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (name, node) in [("A", &a), ("B", &b)] {
        let st = node.state().await;
        assert!(
            st.requests.is_empty() && st.responses.is_empty(),
            "{name} holds {} requests, {} responses",
            st.requests.len(),
            st.responses.len()
        );
    }

    // The same i-periods again, with new butterfly keys, to the other node.
    devices[0].request = scms_sdk::provision::ButterflyRequest::generate(
        scms_sdk::provision::ButterflyKind::Original,
        scms_crypto::suite::Curve::NistP256,
    )
    .unwrap();
    let again = request(&net, &mut devices[0]);
    let r = call(&b_url, "POST", "/v3/authorization-certificate", &[], &again)
        .await
        .unwrap();
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("already provisioned"), "{}", r.text());
    // Without sharing, the stale copy would have accepted it.
    let r = call(
        &stale_url,
        "POST",
        "/v3/authorization-certificate",
        &[],
        &again,
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());

    worker.abort();
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_ras_share_one_sqlite_database() {
    run(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_ras_share_one_postgres_database() {
    run(Db::Postgres).await;
}

/// A shared-database RA node with a connection pool of its own on the RA
/// database (what a second `scms serve` process has), running `core`.
async fn node_with_own_pool(net: &Net, core: Ra) -> (Arc<RaService>, String, Store) {
    let store = Store::connect(&net.ra_db.url).await.unwrap();
    let s = Arc::new(
        RaService::open(
            core,
            net.ks.clone(),
            RaStore::new(store.clone()),
            net.clock.clone(),
            net.peers.clone(),
        )
        .await
        .unwrap()
        .with_shared_database(true),
    );
    let (url, _task) = serve(scms_ra::service::router(s.clone())).await;
    (s, url, store)
}

/// Posts every request at once, in turn to each node; (status, text) each.
async fn post_all_at_once(nodes: &[&str], requests: Vec<Vec<u8>>) -> Vec<(u16, String)> {
    let mut set = JoinSet::new();
    for (n, req) in requests.into_iter().enumerate() {
        let url = nodes[n % nodes.len()].to_string();
        set.spawn(async move {
            let r = call(&url, "POST", "/v3/authorization-certificate", &[], &req)
                .await
                .unwrap();
            (r.status, r.text())
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.unwrap());
    }
    out
}

async fn requests_stored(store: &Store) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM ra_requests")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// Requests sent at once per case.
const AT_ONCE: usize = 24;

async fn one_device_at_once(kind: Db) {
    let (net, mut devices) = Net::start(Family::Us, kind, 2, 1).await;

    // The device holds next week's certificates already; this week's asked
    // AT_ONCE times at once (each request new bytes: a fresh encryption to
    // the RA), half to each node. Each node reads the earlier request and
    // checks the new one again before recording it: the window in which,
    // without the device's lock, two nodes would both accept.
    let (_a, a_url, a_db) = node_with_own_pool(&net, net.ra_core.clone()).await;
    let (_b, b_url, b_db) = node_with_own_pool(&net, net.ra_core.clone()).await;
    let next_week = net.now() + 7 * 86_400;
    let first = request_from(&net, &mut devices[0], next_week);
    let r = call(&a_url, "POST", "/v3/authorization-certificate", &[], &first)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let requests: Vec<Vec<u8>> = (0..AT_ONCE)
        .map(|_| request(&net, &mut devices[0]))
        .collect();
    let answers = post_all_at_once(&[&a_url, &b_url], requests).await;
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    let accepted = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(accepted, 1, "one acceptance per i-period: {statuses:?}");
    for (status, text) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 409, "{text}");
        assert!(text.contains("already provisioned"), "{text}");
    }
    assert_eq!(requests_stored(&a_db).await, 2);

    // One request per day allowed: another device asks for this i-period
    // and the next one in turn, AT_ONCE times. Without the rate limit two
    // would fit; with it, one.
    let mut limited = net.ra_core.clone();
    limited.config.policy.max_requests_per_window = 1;
    let (_c, c_url, _c_db) = node_with_own_pool(&net, limited.clone()).await;
    let (_d, d_url, _d_db) = node_with_own_pool(&net, limited).await;
    let requests: Vec<Vec<u8>> = (0..AT_ONCE)
        .map(|n| {
            let start = if n % 2 == 0 { net.now() } else { next_week };
            request_from(&net, &mut devices[1], start)
        })
        .collect();
    let answers = post_all_at_once(&[&c_url, &d_url], requests).await;
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    let accepted = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(accepted, 1, "one acceptance per day: {statuses:?}");
    for (status, text) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 429, "{text}");
    }
    assert_eq!(requests_stored(&b_db).await, 3);

    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn one_device_at_once_on_two_ras_sqlite() {
    one_device_at_once(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn one_device_at_once_on_two_ras_postgres() {
    one_device_at_once(Db::Postgres).await;
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// Two workers on one database (a second one started by mistake, or a
/// killed worker whose last commit reached the database after its
/// successor had read the queue): B works from a copy read before A's
/// commit. Each request is expanded once and each queued item released
/// once: B's later commit is refused and nothing of it is stored.
async fn two_workers(kind: Db) {
    let (net, mut devices) = Net::start(Family::Us, kind, 2, 1).await;
    let (a, a_url) = node(&net, true).await;
    let (b, _) = node(&net, true).await;
    let db = &net.ra_db.store;
    let post = |req: Vec<u8>| {
        let url = a_url.clone();
        async move {
            let r = call(&url, "POST", "/v3/authorization-certificate", &[], &req)
                .await
                .unwrap();
            assert_eq!(r.status, 200, "{}", r.text());
        }
    };

    // Both read the pending request; A expands it and releases its items,
    // then B expands it again.
    post(request(&net, &mut devices[0])).await;
    a.refresh().await.unwrap();
    b.refresh().await.unwrap();
    assert_eq!(a.expand().await.unwrap(), 1);
    let per_request = a.release().await.unwrap() as i64;
    assert!(per_request > 0);
    let again = b.expand().await;
    assert!(again.is_err(), "a request expanded twice: {again:?}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM ra_queue").await, 0);

    // Both read the queue of a second request; A releases it first.
    post(request(&net, &mut devices[1])).await;
    a.refresh().await.unwrap();
    assert_eq!(a.expand().await.unwrap(), 1);
    a.refresh().await.unwrap();
    b.refresh().await.unwrap();
    assert_eq!(a.release().await.unwrap() as i64, per_request);
    let again = b.release().await;
    assert!(again.is_err(), "items released twice: {again:?}");

    for sql in [
        "SELECT COUNT(*) FROM ra_in_flight",
        "SELECT COUNT(*) FROM ra_hpcr",
    ] {
        assert_eq!(count(db, sql).await, 2 * per_request, "{sql}");
    }
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM (SELECT DISTINCT device, i, j FROM ra_hpcr) s"
        )
        .await,
        2 * per_request,
        "one release per slot"
    );
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_release_each_item_once_sqlite() {
    two_workers(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_release_each_item_once_postgres() {
    two_workers(Db::Postgres).await;
}
