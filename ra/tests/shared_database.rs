//! Two RA processes behind one address on one database (SQLite file and
//! PostgreSQL): a device's request accepted by RA A is provisioned by the
//! worker of RA B and downloaded from A; a second request for the same
//! i-periods sent to B is refused (409) because B reads what A accepted;
//! neither keeps the served request or its certificates in memory.
//! The same second request to an RA that does not share (the default) shows
//! why the reload is needed: its stale copy accepts it.

mod common;
mod http_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::sync::Arc;
use std::time::Duration;

use http_support::{serve, Db, Net};
use scms_ca::profile::Family;
use scms_ra::http::call;
use scms_ra::service::RaService;
use scms_ra::store::RaStore;

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
    let params = scms_sdk::provision::RequestParams {
        psids: vec![32],
        start: net.now(),
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
