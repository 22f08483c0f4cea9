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
        let mut n = 0u64;
        while start.elapsed().as_secs_f64() < secs {
            for r in &reqs {
                std::hint::black_box(w.aca.handle_ra_aca_request(&w.ks, r, t).unwrap());
                n += 1;
            }
        }
        let el = start.elapsed().as_secs_f64();
        println!(
            "aca_issuance {:?}: {} certificates in {:.2} s = {:.0} certificates/s on one core ({:.1} us each)",
            family,
            n,
            el,
            n as f64 / el,
            el * 1e6 / n as f64
        );
    }
}
