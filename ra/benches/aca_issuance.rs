//! ACA issuance throughput on one core: implicit P-256 pseudonym
//! certificates per second, including the opening of both encrypted PLVs, the
//! ECQV issuance, the response encryption to the device's key and the ACA's
//! signature (`Aca::handle_ra_aca_request`, no storage).
//!
//! `cargo bench -p scms-ra --bench aca_issuance` (env `SECS`, default 5;
//! `FAMILY=us|cn` for one family only).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{now, Device, World};
use scms_ca::profile::Family;
use scms_sdk::provision::ButterflyKind;

fn main() {
    let secs: f64 = std::env::var("SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    // `FAMILY=us` or `FAMILY=cn` runs one family (for profiling).
    let only = std::env::var("FAMILY").unwrap_or_default().to_lowercase();
    for family in [Family::Us, Family::Cn] {
        if !only.is_empty() && only != format!("{family:?}").to_lowercase() {
            continue;
        }
        let mut w = World::new(family);
        w.ra.config.shuffle.min_devices = 1;
        let mut devs: Vec<Device> = (0..10)
            .map(|n| {
                Device::new(
                    &w,
                    if n % 2 == 0 {
                        ButterflyKind::Original
                    } else {
                        ButterflyKind::Unified
                    },
                )
            })
            .collect();
        for d in devs.iter_mut() {
            d.provision(&mut w);
        }
        w.expand();
        let t = now() + 10;
        let mut reqs = Vec::new();
        while let Some(b) = w.ra.release_batch(&mut w.state, &w.ks, t).unwrap() {
            reqs.extend(b);
        }
        assert_eq!(reqs.len(), 200);
        // Warm up.
        for r in &reqs[..20] {
            w.aca.handle_ra_aca_request(&w.ks, r, t).unwrap();
        }
        let start = Instant::now();
        let cpu0 = cpu_seconds();
        let mut n = 0u64;
        while start.elapsed().as_secs_f64() < secs {
            for r in &reqs {
                std::hint::black_box(w.aca.handle_ra_aca_request(&w.ks, r, t).unwrap());
                n += 1;
            }
        }
        let el = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
        println!(
            "aca_issuance {:?}: {} certificates in {:.2} s = {:.0} certificates/s on one core ({:.1} us each)",
            family,
            n,
            el,
            n as f64 / el,
            el * 1e6 / n as f64
        );
        // On a shared machine wall time overstates the cost; CPU time does not.
        if let Some(cpu) = cpu.filter(|c| *c > 0.0) {
            println!(
                "aca_issuance {:?}: {:.2} s of CPU = {:.0} certificates per CPU-second ({:.1} us each)",
                family,
                cpu,
                n as f64 / cpu,
                cpu * 1e6 / n as f64
            );
        }
    }
}

/// User + system CPU time of this process (Linux `/proc/self/stat`, clock
/// ticks of 1/100 s), None elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
