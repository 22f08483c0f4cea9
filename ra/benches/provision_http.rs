//! Provisioning end to end through HTTP on loopback: N devices x 20
//! certificates (one i-period), LA1, LA2, the ACA and the RA as axum services
//! on their own databases. Reports certificates/s (from the first request to
//! the last download) and the p50/p99 latency of the request
//! (`POST /v3/authorization-certificate`).
//!
//! `N=100 DB=sqlite|postgres cargo bench -p scms-ra --bench provision_http`

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/http_support/mod.rs"]
mod http_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_support::{download, provision, Db, Net};
use scms_ca::profile::Family;
use tokio::sync::Semaphore;

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let kinds: Vec<Db> = match std::env::var("DB").as_deref() {
        Ok("sqlite") => vec![Db::Sqlite],
        Ok("postgres") => vec![Db::Postgres],
        _ => vec![Db::Sqlite, Db::Postgres],
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for kind in kinds {
        rt.block_on(bench(kind, n));
    }
}

async fn bench(kind: Db, n: usize) {
    let t_setup = Instant::now();
    let (mut net, devices) = Net::start(Family::Us, kind, n, 100.min(n)).await;
    let setup = t_setup.elapsed();
    net.start_worker(Duration::from_millis(50));
    let net = Arc::new(net);
    let sem = Arc::new(Semaphore::new(16));
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for mut d in devices {
        let (net, sem) = (net.clone(), sem.clone());
        set.spawn(async move {
            let lat = {
                let _p = sem.acquire().await.unwrap();
                provision(&net, &mut d).await.1
            };
            (d, lat)
        });
    }
    let mut lats = Vec::new();
    let mut devs = Vec::new();
    while let Some(r) = set.join_next().await {
        let (d, lat) = r.unwrap();
        lats.push(lat);
        devs.push(d);
    }
    let requested = start.elapsed();
    let mut set = tokio::task::JoinSet::new();
    for d in devs {
        let (net, sem) = (net.clone(), sem.clone());
        set.spawn(async move {
            let _p = sem.acquire().await.unwrap();
            let i = net.ra_core.config.iperiod_of(net.now()).unwrap();
            download(&net, &d, i, Duration::from_secs(600)).await.len()
        });
    }
    let mut certs = 0;
    while let Some(r) = set.join_next().await {
        certs += r.unwrap();
    }
    let total = start.elapsed();
    lats.sort();
    let p = |q: f64| {
        lats[((lats.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(lats.len() - 1)]
    };
    println!(
        "provision_http {kind:?}: N = {n} devices, {certs} certificates in {:.2} s = {:.0} certificates/s \
         (requests accepted in {:.2} s; request latency p50 {:.1} ms, p99 {:.1} ms; setup {:.1} s)",
        total.as_secs_f64(),
        certs as f64 / total.as_secs_f64(),
        requested.as_secs_f64(),
        p(0.5).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        setup.as_secs_f64()
    );
    if let Ok(net) = Arc::try_unwrap(net) {
        net.stop().await;
    }
}
