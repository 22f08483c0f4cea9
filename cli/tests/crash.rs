//! Issue 10, crash consistency and database faults, with `scms serve` as an
//! operator runs it and devices talking HTTP as real devices do (the same
//! request bytes again when no answer came):
//!
//! - the RA and the ACA, each in its own process, killed with SIGKILL at
//!   random moments (and restarted) while devices provision: every
//!   acknowledged request completes, one certificate per (device, i, j)
//!   slot, every stored response there, issued = downloaded;
//! - two RA+ACA processes on one PostgreSQL database behind round-robin
//!   proxies, killed at random (either node, now and then both) while
//!   devices provision: the same checks;
//! - the ECA killed while devices enroll: every device gets its certificate,
//!   one per request;
//! - the MA killed during revocations (once while the CRL generator is down,
//!   then at random moments of the investigation): each revocation completes
//!   once after the restart, without the reporter asking again, and the CRL
//!   holds each entry once;
//! - PostgreSQL (a throwaway server of the test's own) stopped and started
//!   under load: 503 with a reason meanwhile, recovery without a restart of
//!   `scms serve`, nothing acknowledged lost.
//!
//! Each run ends with `scms audit verify`. Figures are printed (`cargo test
//! -p scms-cli --test crash -- --nocapture`); docs/reliability.md records them.

#[path = "crash_support/mod.rs"]
mod crash_support;
#[path = "../../ma/tests/report_support/mod.rs"]
mod report_support;
#[path = "serve_support/mod.rs"]
mod serve_support;
#[path = "../../ca/tests/store_support/mod.rs"]
mod store_support;
#[allow(dead_code)]
#[path = "../src/vehicle.rs"]
mod vehicle;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crash_support::{
    check_provisioning, enroll, hid8, load, now64, provision, runtime, serial, summary, Cluster,
    Killer, Nodes, Rng, Tally,
};
use scms_ca::store::Store;
use serve_support::{text, try_http};
use sqlx::Row;

/// SIGKILLs of each of the RA and the ACA (at least 100 in all), and of the ECA.
const RA_ACA_KILLS: usize = 60;
const ECA_KILLS: usize = 100;
/// RA+ACA processes on one PostgreSQL database, and the SIGKILLs of a node
/// chosen at random by each of two killers (at least 100 in all).
const NODES: usize = 2;
const NODE_KILLS: usize = 55;
/// Revocations with an MA kill at a random moment of the investigation
/// (after the one with the CRL generator down): 100 MA kills in all.
const MA_RANDOM_ROUNDS: usize = 99;

#[test]
fn ra_and_aca_killed_during_provisioning() {
    let _g = serial();
    let t0 = Instant::now();
    let c = Cluster::sqlite();
    let _others = c.serve(&["root", "eca", "la1", "la2", "ma", "crl"]);
    let stop = Arc::new(AtomicBool::new(false));
    let never = AtomicBool::new(false);
    let (ra, aca, devices) = std::thread::scope(|sc| {
        let ra = sc.spawn(|| {
            let mut rng = Rng::new("RA killer");
            Killer::run(&c, &["ra"], RA_ACA_KILLS, (20, 600), &mut rng, &never)
        });
        let aca = sc.spawn(|| {
            let mut rng = Rng::new("ACA killer");
            Killer::run(&c, &["aca"], RA_ACA_KILLS, (20, 600), &mut rng, &never)
        });
        let devices = {
            let stop = stop.clone();
            let c = &c;
            sc.spawn(move || load(c, 3, stop))
        };
        let (ra, aca) = (
            ra.join().expect("RA killer"),
            aca.join().expect("ACA killer"),
        );
        stop.store(true, Ordering::SeqCst);
        (ra, aca, devices.join().expect("devices"))
    });
    let kills = t0.elapsed();
    assert_eq!(ra.kills + aca.kills, 2 * RA_ACA_KILLS);
    let rt = runtime();
    let slots = rt.block_on(async {
        let s = Store::connect(&c.database_url).await.expect("database");
        check_provisioning(&s, &devices.hid8s).await
    });
    let audit = c.audit_verify();
    println!(
        "RA+ACA crash: {} SIGKILLs (RA {}, ACA {}) in {:.0} s; restart RA {}, ACA {}; \
         {}; {audit}; test {:.0} s",
        ra.kills + aca.kills,
        ra.kills,
        aca.kills,
        kills.as_secs_f64(),
        summary(&ra.restart),
        summary(&aca.restart),
        devices.summary(slots),
        t0.elapsed().as_secs_f64()
    );
    assert!(
        devices.hid8s.len() >= 10,
        "devices provisioned during the kills"
    );
}

#[test]
fn ra_aca_nodes_killed_on_postgres() {
    let _g = serial();
    let t0 = Instant::now();
    let rt = runtime();
    // The server on 127.0.0.1:5432 when it answers, else a throwaway one.
    let db = rt.block_on(store_support::postgres());
    let c = Cluster::postgres(&db.url);
    let others = c.serve(&["root", "eca", "la1", "la2", "ma", "crl"]);
    let nodes = Nodes::start(&c, NODES);
    nodes.ready(Duration::from_secs(30));
    let t_kills = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let (kills, devices) = std::thread::scope(|sc| {
        // Two killers at once: now and then both nodes are down together.
        let killers: Vec<_> = ["node killer 1", "node killer 2"]
            .into_iter()
            .map(|label| {
                let nodes = &nodes;
                sc.spawn(move || {
                    let mut rng = Rng::new(label);
                    nodes.kill_at_random(NODE_KILLS, (20, 600), &mut rng)
                })
            })
            .collect();
        let devices = {
            let stop = stop.clone();
            let c = &c;
            sc.spawn(move || load(c, 3, stop))
        };
        let kills: Vec<(usize, Duration)> = killers
            .into_iter()
            .flat_map(|k| k.join().expect("killer"))
            .collect();
        stop.store(true, Ordering::SeqCst);
        (kills, devices.join().expect("devices"))
    });
    let during = t_kills.elapsed();
    assert_eq!(kills.len(), 2 * NODE_KILLS);
    let slots = rt.block_on(check_provisioning(&db.store, &devices.hid8s));
    nodes.stop();
    drop(others);
    let audit = c.audit_verify();
    c.assert_no_stray_transactions();
    let per_node: Vec<String> = (0..NODES)
        .map(|k| {
            let r: Vec<Duration> = kills
                .iter()
                .filter(|(n, _)| *n == k)
                .map(|(_, d)| *d)
                .collect();
            let worker = if k == 0 { " (RA worker)" } else { "" };
            format!(
                "node {}{worker} {} kills, restart {}",
                k + 1,
                r.len(),
                summary(&r)
            )
        })
        .collect();
    println!(
        "RA+ACA nodes on PostgreSQL: {} SIGKILLs in {:.0} s ({}); {}; {audit}; test {:.0} s",
        kills.len(),
        during.as_secs_f64(),
        per_node.join("; "),
        devices.summary(slots),
        t0.elapsed().as_secs_f64()
    );
    assert!(
        devices.hid8s.len() >= 10,
        "devices provisioned during the kills"
    );
    rt.block_on(db.cleanup());
}

#[test]
fn eca_killed_during_enrollment() {
    let _g = serial();
    let t0 = Instant::now();
    let c = Cluster::sqlite();
    let _others = c.serve(&["root", "aca", "ra", "la1", "la2", "ma", "crl"]);
    let rt = runtime();
    let store = rt
        .block_on(Store::connect(&c.database_url))
        .expect("database");
    let count = |sql: &str| -> i64 {
        rt.block_on(sqlx::query(sql).fetch_one(store.pool()))
            .expect(sql)
            .try_get(0)
            .expect("count")
    };
    let before = count("SELECT COUNT(*) FROM certificates WHERE role = 'enrollment'");
    let stop = AtomicBool::new(false);
    let electors = c.electors();
    let (eca, enrolled) = std::thread::scope(|sc| {
        let eca = sc.spawn(|| {
            let mut rng = Rng::new("ECA killer");
            Killer::run(
                &c,
                &["eca"],
                ECA_KILLS,
                (20, 400),
                &mut rng,
                &AtomicBool::new(false),
            )
        });
        let workers: Vec<_> = (0..3)
            .map(|_| {
                sc.spawn(|| {
                    let mut out = Vec::new();
                    while !stop.load(Ordering::SeqCst) {
                        let d = enroll(&c, &electors)
                            .unwrap_or_else(|e| panic!("enrollment: {e}\n{}", c.log_tail()));
                        out.push(d);
                    }
                    out
                })
            })
            .collect();
        let eca = eca.join().expect("ECA killer");
        stop.store(true, Ordering::SeqCst);
        let enrolled: Vec<_> = workers
            .into_iter()
            .flat_map(|w| w.join().expect("devices"))
            .collect();
        (eca, enrolled)
    });
    let mut tally = Tally::default();
    let mut mine = BTreeSet::new();
    for d in &enrolled {
        tally.add(&d.tally);
        // The answer stored for the device's request names its certificate.
        let row = rt
            .block_on(
                sqlx::query("SELECT hashed_id8 FROM requests WHERE request_hash = $1")
                    .bind(d.request_hash.to_vec())
                    .fetch_one(store.pool()),
            )
            .expect("the device's request is stored");
        let h: Vec<u8> = row.try_get(0).expect("hashed_id8");
        assert_eq!(h, hid8(&d.enrollment).to_vec());
        mine.insert(h);
    }
    assert_eq!(mine.len(), enrolled.len(), "one certificate per device");
    assert_eq!(
        count("SELECT COUNT(*) FROM certificates WHERE role = 'enrollment'") - before,
        enrolled.len() as i64,
        "no certificate issued twice"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM requests WHERE kind = 'eca-enrollment'"),
        enrolled.len() as i64
    );
    let audit = c.audit_verify();
    println!(
        "ECA crash: {} SIGKILLs; restart {}; {} devices enrolled, one certificate each; \
         device calls repeated: {} unanswered, {:?} by status; {audit}; test {:.0} s",
        eca.kills,
        summary(&eca.restart),
        enrolled.len(),
        tally.unanswered,
        tally.retried,
        t0.elapsed().as_secs_f64()
    );
    assert_eq!(eca.kills, ECA_KILLS);
    assert!(enrolled.len() >= 10);
}

/// The decision the MA recorded for `target`.
fn decision(rt: &tokio::runtime::Runtime, store: &Store, target: &[u8; 8]) -> Option<String> {
    rt.block_on(
        sqlx::query("SELECT decision FROM ma_decisions WHERE target = $1")
            .bind(target.to_vec())
            .fetch_optional(store.pool()),
    )
    .expect("ma_decisions")
    .map(|r| r.try_get(0).expect("decision"))
}

fn wait_revoked(rt: &tokio::runtime::Runtime, store: &Store, target: &[u8; 8], c: &Cluster) {
    let t0 = Instant::now();
    while decision(rt, store, target).as_deref() != Some("revoked") {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "revocation not completed: {:?}\n{}",
            decision(rt, store, target),
            c.log_tail()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ma_killed_during_a_revocation() {
    let _g = serial();
    let t0 = Instant::now();
    let c = Cluster::sqlite();
    let _others = c.serve(&["root", "eca", "aca", "ra", "la1", "la2"]);
    let mut crl = c.serve(&["crl"]);
    let mut ma = c.serve(&["ma"]);
    c.ready("aca", Duration::from_secs(30));
    let electors = c.electors();
    // Two reporters and one culprit per round, provisioned over HTTP.
    let rounds = 1 + MA_RANDOM_ROUNDS;
    let mut ps = Vec::new();
    for _ in 0..2 + rounds {
        let d = enroll(&c, &electors).expect("enroll");
        ps.push(provision(&c, &d).expect("provision").pseudonyms);
    }
    let ma_cert = c.cert("ma");
    let rt = runtime();
    let store = rt
        .block_on(Store::connect(&c.database_url))
        .expect("database");
    let mut rng = Rng::new("MA killer");
    let mut at_kill = Vec::new();
    let mut targets = Vec::new();
    for k in 0..rounds {
        let culprit = &ps[2 + k][0];
        let target = hid8(&culprit.certificate);
        targets.push(target);
        let t64 = now64();
        let evidence = vec![
            report_support::bsm(culprit, "c", t64, 0.0),
            report_support::bsm(culprit, "c", t64 + 1_000_000, 200.0),
        ];
        let post = |reporter: usize| {
            let r = report_support::report(
                &ps[reporter][k % ps[reporter].len()],
                &ma_cert,
                evidence.clone(),
                t64 + 1_500_000,
            );
            try_http(&c.url("ma"), "POST", "/v3/misbehavior-report", &r)
        };
        // One reporter: below the threshold.
        let (st, _, body) = post(0).expect("report");
        assert_eq!(st, 202, "{}", text(&body));
        if k == 0 {
            // The CRL generator is down: the investigation stops at its
            // last step, the decision stays `revoking`; the MA is killed there.
            crl.kill();
            let (st, _, body) = post(1).expect("report");
            assert_eq!(st, 502, "{}", text(&body));
            assert_eq!(decision(&rt, &store, &target).as_deref(), Some("revoking"));
            ma.kill();
            at_kill.push("revoking (CRL generator down)".to_string());
            crl = c.serve(&["crl"]);
            ma = c.serve(&["ma"]);
        } else {
            // The second report makes the MA revoke; it is killed at a random
            // moment after it has recorded the decision.
            let answer = std::thread::scope(|sc| {
                let h = sc.spawn(|| post(1));
                let t = Instant::now();
                while decision(&rt, &store, &target).is_none() {
                    assert!(t.elapsed() < Duration::from_secs(30), "no decision");
                    std::thread::sleep(Duration::from_millis(2));
                }
                std::thread::sleep(rng.millis(0, 60));
                ma.kill();
                at_kill.push(decision(&rt, &store, &target).unwrap_or_default());
                h.join().expect("reporter")
            });
            // The reporter got no answer or the answer of a finished revocation.
            if let Ok((st, _, body)) = &answer {
                assert_eq!(*st, 202, "{}", text(body));
            }
            ma = c.serve(&["ma"]);
        }
        // Nobody asks again: the restarted MA finishes the revocation.
        wait_revoked(&rt, &store, &target, &c);
    }
    drop(ma);
    // Exactly once: one decision, one blocklisted device, one CRL entry per
    // culprit; the CRL served holds each entry once.
    let count = |sql: &str| -> i64 {
        rt.block_on(sqlx::query(sql).fetch_one(store.pool()))
            .expect(sql)
            .try_get(0)
            .expect("count")
    };
    let n = rounds as i64;
    assert_eq!(
        count("SELECT COUNT(*) FROM ma_decisions WHERE decision = 'revoked'"),
        n
    );
    assert_eq!(count("SELECT COUNT(*) FROM ma_decisions"), n);
    assert_eq!(count("SELECT COUNT(*) FROM ra_blocklist"), n);
    assert_eq!(count("SELECT COUNT(*) FROM crl_entries"), n);
    let (st, _, body) = try_http(&c.url("crl"), "GET", "/v3/crl", b"").expect("CRL");
    assert_eq!(st, 200);
    let secured: scms_asn1::ieee1609dot2::crl::SecuredCrl<'_> =
        scms_asn1::decode(&body).expect("SecuredCrl");
    let contents = secured.crl_contents().expect("contents");
    let entries = scms_ca::crl_service::entries_of(&contents).expect("entries");
    let distinct: BTreeSet<Vec<u8>> = entries.iter().map(|e| e.to_bytes()).collect();
    assert_eq!((entries.len(), distinct.len()), (rounds, rounds));
    // The audit log: each revocation's completion, logged once.
    let completions: Vec<usize> = rt.block_on(async {
        let log = store.audit_entries().await.expect("audit");
        targets
            .iter()
            .map(|t| {
                let t = t.iter().map(|b| format!("{b:02x}")).collect::<String>();
                log.iter()
                    .filter(|e| e.kind == "ma-investigation")
                    .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.details).ok())
                    .filter(|v| v["step"] == "revocation" && v["target"] == t.as_str())
                    .filter(|v| v["result"] == "revoked")
                    .count()
            })
            .collect()
    });
    assert!(completions.iter().all(|n| *n == 1), "{completions:?}");
    let audit = c.audit_verify();
    println!(
        "MA crash: {rounds} revocations, MA killed in each (state at the kill: {at_kill:?}); \
         each completed after the restart without a new report; decisions, blocklist rows and \
         CRL entries: {n} each; completions logged per revocation {completions:?}; {audit}; \
         test {:.0} s",
        t0.elapsed().as_secs_f64()
    );
    drop(crl);
}

#[test]
fn postgres_restarted_under_load() {
    let _g = serial();
    let t0 = Instant::now();
    let pg = store_support::Throwaway::start();
    let rt = runtime();
    let url = rt.block_on(pg.create_database());
    let c = Cluster::postgres(&url);
    let _server = c.serve(&crash_support::ROLES);
    for role in ["ra", "aca", "eca"] {
        c.ready(role, Duration::from_secs(30));
    }
    let electors = c.electors();
    // A device whose request is sent during the outage.
    let late = enroll(&c, &electors).expect("enroll");
    let stop = Arc::new(AtomicBool::new(false));
    let outage = Duration::from_secs(6);
    let (devices, probes, recovery, late_done) = std::thread::scope(|sc| {
        let devices = {
            let stop = stop.clone();
            let c = &c;
            sc.spawn(move || load(c, 3, stop))
        };
        std::thread::sleep(Duration::from_secs(4));
        pg.stop_server();
        let down = Instant::now();
        // Meanwhile: 503 with a reason, from the services and their readiness.
        let ra_cert = c.cert("ra");
        let params = scms_sdk::provision::RequestParams {
            psids: vec![32],
            start: crash_support::now32(),
            hours: 168,
            explicit: false,
        };
        let (req, bytes) = vehicle::pseudonym_request(
            scms_ca::profile::Family::Us,
            &ra_cert,
            &late.keys,
            "e",
            &late.enrollment,
            &params,
            crash_support::now32(),
        )
        .expect("request");
        let mut probes = Vec::new();
        let (st, h, body) = try_http(
            &c.url("ra"),
            "POST",
            "/v3/authorization-certificate",
            &bytes,
        )
        .expect("the RA answers");
        probes.push(format!("RA request: {st} {}", text(&body).trim()));
        assert_eq!(st, 503, "{}", text(&body));
        assert!(text(&body).contains("database"), "{}", text(&body));
        assert!(h.contains("retry-after:"), "{h}");
        for role in ["ra", "aca", "eca", "la1", "crl", "ma"] {
            let (st, _, body) = try_http(&c.url(role), "GET", "/readyz", b"").expect("readyz");
            assert_eq!(st, 503, "{role}: {}", text(&body));
            assert!(text(&body).contains("database"), "{role}: {}", text(&body));
            probes.push(format!("{role} /readyz: {st} {}", text(&body).trim()));
        }
        std::thread::sleep(outage.saturating_sub(down.elapsed()));
        pg.start_server();
        let up = Instant::now();
        // Back without anyone restarting `scms serve`.
        for role in crash_support::ROLES {
            c.ready(role, Duration::from_secs(30));
        }
        let ready_after = up.elapsed();
        // The request refused during the outage, sent again: acknowledged
        // and completed.
        let ra = scms_sdk::http::RaClient::new(&c.url("ra"));
        let mut tally = Tally::default();
        let ack = crash_support::until_answered("RA", &mut tally, Duration::from_secs(60), || {
            ra.provision(&bytes)
        })
        .expect("ack after the outage");
        let p = vehicle::accept_ack(req, &ack, &ra_cert, &params).expect("ack");
        let got = vehicle::download(
            &p,
            &ra,
            &ra_cert,
            &c.cert("aca"),
            &late.keys,
            "e",
            &late.enrollment,
            p.first_i,
            crash_support::now32,
            Duration::from_secs(60),
            Duration::from_millis(250),
        )
        .expect("download after the outage");
        std::thread::sleep(Duration::from_secs(3));
        stop.store(true, Ordering::SeqCst);
        let devices = devices.join().expect("devices");
        (
            devices,
            probes,
            ready_after,
            got.iter().map(|x| hid8(&x.certificate)).collect::<Vec<_>>(),
        )
    });
    let mut all = devices.hid8s.clone();
    all.push(late_done);
    let slots = rt.block_on(async {
        let s = Store::connect(&url).await.expect("database");
        check_provisioning(&s, &all).await
    });
    let audit = c.audit_verify();
    let during = devices.tally.retried.get(&503).copied().unwrap_or(0);
    println!(
        "PostgreSQL restart: {:.0} s outage under load; during it {probes:?}; every role ready \
         {:.1} s after the server was back, no restart of scms serve; {} devices, {slots} \
         certificates, one per slot, all downloaded; device calls answered 503 and repeated: \
         {during}, unanswered {}; {audit}; test {:.0} s",
        outage.as_secs_f64(),
        recovery.as_secs_f64(),
        all.len(),
        devices.tally.unanswered,
        t0.elapsed().as_secs_f64()
    );
}
