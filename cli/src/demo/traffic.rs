//! Driving: the vehicles go round a ring road, each broadcasting a signed
//! BSM every 100 ms (simulated time) with the pseudonym its SDK pool picks;
//! every vehicle within range hears it and checks it with the SDK's batch
//! verifier (one batch per receiver per simulated second). The work of a
//! second is split over the machine's cores.
//!
//! The BSM payload is a fixed 17-octet subset of the J2735 core data
//! (temporary ID, message count, latitude, longitude, speed, heading), not
//! UPER: the security layer does not read it, the receivers' plausibility
//! check does.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use scms_asn1::ieee1609dot2::{NinetyDegreeInt, OneEightyDegreeInt, ThreeDLocation, Time64};
use scms_sdk::verify::Rejection;
use scms_sdk::Message;

use super::fleet::{Fleet, Vehicle, BSM_PSID};
use super::Summary;

/// Radio range (m).
const RANGE_M: f64 = 300.0;
/// Road length per vehicle (m): about ten vehicles in range of each other.
const SPACING_M: f64 = 60.0;
/// Messages per second per vehicle.
const HZ: u64 = 10;
/// Highest plausible speed (m/s); above it a receiver suspects the sender.
pub const MAX_PLAUSIBLE_SPEED: f64 = 70.0;
/// The ring's centre (Ann Arbor, MI).
const CENTRE: (f64, f64) = (42.2808, -83.7430);

/// A decoded BSM payload.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bsm {
    pub temp_id: [u8; 4],
    pub count: u8,
    pub lat: f64,
    pub lon: f64,
    /// m/s.
    pub speed: f64,
    /// degrees.
    pub heading: f64,
}

impl Bsm {
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(17);
        v.extend_from_slice(&self.temp_id);
        v.push(self.count);
        v.extend_from_slice(&((self.lat * 1e7).round() as i32).to_be_bytes());
        v.extend_from_slice(&((self.lon * 1e7).round() as i32).to_be_bytes());
        v.extend_from_slice(&((self.speed / 0.02).round().clamp(0.0, 8191.0) as u16).to_be_bytes());
        v.extend_from_slice(
            &((self.heading / 0.0125).round().clamp(0.0, 28799.0) as u16).to_be_bytes(),
        );
        v
    }

    pub fn decode(b: &[u8]) -> Option<Bsm> {
        if b.len() != 17 {
            return None;
        }
        let i32_at = |o: usize| i32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let u16_at = |o: usize| u16::from_be_bytes([b[o], b[o + 1]]);
        Some(Bsm {
            temp_id: [b[0], b[1], b[2], b[3]],
            count: b[4],
            lat: f64::from(i32_at(5)) / 1e7,
            lon: f64::from(i32_at(9)) / 1e7,
            speed: f64::from(u16_at(13)) * 0.02,
            heading: f64::from(u16_at(15)) * 0.0125,
        })
    }

    /// The receivers' check: speed within what a car does.
    pub fn plausible(&self) -> bool {
        self.speed <= MAX_PLAUSIBLE_SPEED
    }
}

/// Where a car is.
#[derive(Clone, Copy, Debug)]
struct Car {
    /// Position along the ring at the start (m).
    pos0: f64,
    /// m/s.
    speed: f64,
}

/// A message on the air.
struct Sent {
    tick: u64,
    sender: usize,
    spdu: Vec<u8>,
}

/// What one vehicle did in one simulated second.
#[derive(Default)]
struct Tally {
    signed: u64,
    changes: u64,
    verifications: u64,
    verified: u64,
    unknown: u64,
    rejected: BTreeMap<String, u64>,
    /// (receiver, sender index, SPDU) of messages that verified but failed the plausibility check.
    suspicious: Vec<(usize, usize, Vec<u8>)>,
    /// Rejections by sender.
    rejected_from: BTreeMap<usize, u64>,
}

/// The results of driving.
#[derive(Default, Debug)]
pub struct DriveReport {
    pub signed: u64,
    pub sign_time: Duration,
    pub verifications: u64,
    pub verified: u64,
    pub unknown: u64,
    pub rejections: BTreeMap<String, u64>,
    pub verify_time: Duration,
    pub changes: u64,
    pub wall: Duration,
    /// (receiver, sender, SPDU) of verified messages a receiver found implausible.
    pub suspicious: Vec<(usize, usize, Vec<u8>)>,
    /// Messages rejected, by sender.
    pub rejected_from: BTreeMap<usize, u64>,
}

impl DriveReport {
    pub fn rejected(&self) -> u64 {
        self.rejections.values().sum()
    }

    fn add(&mut self, t: Tally) {
        self.signed += t.signed;
        self.changes += t.changes;
        self.verifications += t.verifications;
        self.verified += t.verified;
        self.unknown += t.unknown;
        for (k, v) in t.rejected {
            *self.rejections.entry(k).or_default() += v;
        }
        for (k, v) in t.rejected_from {
            *self.rejected_from.entry(k).or_default() += v;
        }
        self.suspicious.extend(t.suspicious);
    }

    pub fn fill(&self, s: &mut Summary) {
        s.messages_signed = self.signed;
        s.sign_per_s = rate(self.signed, self.sign_time);
        s.verifications = self.verifications;
        s.messages_verified = self.verified;
        s.messages_unknown_signer = self.unknown;
        s.messages_rejected = self.rejected();
        s.rejections = self.rejections.clone();
        s.verify_per_s = rate(self.verifications, self.verify_time);
        s.pseudonym_changes = self.changes;
        s.drive_s = self.wall.as_secs_f64();
    }
}

fn rate(n: u64, d: Duration) -> f64 {
    let s = d.as_secs_f64();
    if s > 0.0 {
        (n as f64 / s).round()
    } else {
        0.0
    }
}

/// The name of a rejection (its variant).
fn reason(r: &Rejection) -> String {
    let d = format!("{r:?}");
    d.split([' ', '(', '{']).next().unwrap_or("").to_string()
}

/// The road and the cars on it (shared read-only by the worker threads).
struct Geometry {
    start: Time64,
    cars: Vec<Car>,
    length: f64,
}

pub struct Road<'a> {
    pub fleet: &'a mut Fleet,
    geo: Geometry,
    /// Simulated seconds driven so far.
    pub second: u64,
}

impl<'a> Road<'a> {
    pub fn new(fleet: &'a mut Fleet, start: Time64) -> Self {
        let n = fleet.vehicles.len();
        let length = (n as f64 * SPACING_M).max(4.0 * RANGE_M);
        // Spread evenly, speeds 12 to 30 m/s (a deterministic mix).
        let cars = (0..n)
            .map(|k| Car {
                pos0: length * k as f64 / n as f64,
                speed: 12.0 + ((k * 7) % 19) as f64,
            })
            .collect();
        for v in &mut fleet.vehicles {
            v.pool.start_trip();
        }
        Road {
            fleet,
            geo: Geometry {
                start,
                cars,
                length,
            },
            second: 0,
        }
    }

    /// From now on `car` goes (and says it goes) at `speed` m/s.
    pub fn set_speed(&mut self, car: usize, speed: f64) {
        let tick = self.second * HZ;
        let here = self.geo.position(car, tick);
        if let Some(c) = self.geo.cars.get_mut(car) {
            c.speed = speed;
            c.pos0 = here - speed * tick as f64 / HZ as f64;
        }
    }

    /// The simulated time the next second starts at.
    pub fn now(&self) -> Time64 {
        self.geo.time_of(self.second * HZ)
    }

    /// Where `car` is now.
    pub fn location_of(&self, car: usize) -> ThreeDLocation {
        self.geo.bsm(car, self.second * HZ, [0; 4]).1
    }

    /// Drives `seconds` simulated seconds.
    pub fn drive(&mut self, seconds: u64, bar: &ProgressBar) -> Result<DriveReport, String> {
        let mut report = DriveReport::default();
        let t0 = Instant::now();
        for _ in 0..seconds {
            self.drive_second(&mut report)?;
            bar.inc(1);
        }
        report.wall = t0.elapsed();
        Ok(report)
    }

    /// One simulated second: every vehicle sends 10 BSMs, every vehicle in
    /// range checks them.
    pub fn drive_second(&mut self, report: &mut DriveReport) -> Result<(), String> {
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 8);
        let first_tick = self.second * HZ;
        let mut vehicles = std::mem::take(&mut self.fleet.vehicles);
        let r = self.geo.second(&mut vehicles, first_tick, threads, report);
        self.fleet.vehicles = vehicles;
        self.second += 1;
        r
    }
}

impl Geometry {
    /// Simulated time of tick `tick` (100 ms each) from the start.
    fn time_of(&self, tick: u64) -> Time64 {
        self.start + tick * (1_000_000 / HZ)
    }

    fn position(&self, car: usize, tick: u64) -> f64 {
        let c = self.cars[car];
        (c.pos0 + c.speed * tick as f64 / HZ as f64).rem_euclid(self.length)
    }

    fn distance(&self, a: usize, b: usize, tick: u64) -> f64 {
        let d = (self.position(a, tick) - self.position(b, tick)).abs();
        d.min(self.length - d)
    }

    fn bsm(&self, car: usize, tick: u64, temp_id: [u8; 4]) -> (Bsm, ThreeDLocation) {
        let theta = self.position(car, tick) / self.length * std::f64::consts::TAU;
        let r = self.length / std::f64::consts::TAU;
        let lat = CENTRE.0 + r * theta.sin() / 111_320.0;
        let lon = CENTRE.1 + r * theta.cos() / (111_320.0 * CENTRE.0.to_radians().cos());
        let speed = self.cars[car].speed;
        let heading = (-theta.to_degrees()).rem_euclid(360.0);
        let b = Bsm {
            temp_id,
            count: (tick % 128) as u8,
            lat,
            lon,
            speed,
            heading,
        };
        let loc = ThreeDLocation {
            latitude: NinetyDegreeInt((lat * 1e7).round() as i32),
            longitude: OneEightyDegreeInt((lon * 1e7).round() as i32),
            elevation: 4096,
        };
        (b, loc)
    }

    fn second(
        &self,
        vehicles: &mut [Vehicle],
        first_tick: u64,
        threads: usize,
        report: &mut DriveReport,
    ) -> Result<(), String> {
        let per = vehicles.len().div_ceil(threads).max(1);
        // Sign.
        let t = Instant::now();
        let signed: Result<Vec<(Vec<Sent>, Tally)>, String> = std::thread::scope(|sc| {
            let handles: Vec<_> = vehicles
                .chunks_mut(per)
                .map(|chunk| sc.spawn(move || self.sign_chunk(chunk, first_tick)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .map_err(|_| "a signing thread panicked".to_string())?
                })
                .collect()
        });
        let mut sent = Vec::new();
        for (s, tally) in signed? {
            sent.extend(s);
            report.add(tally);
        }
        report.sign_time += t.elapsed();
        sent.sort_by_key(|s| (s.tick, s.sender));
        // Receive.
        let t = Instant::now();
        let now = self.time_of(first_tick + HZ);
        let sent = &sent;
        let tallies: Result<Vec<Tally>, String> = std::thread::scope(|sc| {
            let handles: Vec<_> = vehicles
                .chunks_mut(per)
                .map(|chunk| sc.spawn(move || self.receive_chunk(chunk, sent, now)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .map_err(|_| "a verifying thread panicked".to_string())
                })
                .collect()
        });
        report.verify_time += t.elapsed();
        for tally in tallies? {
            report.add(tally);
        }
        Ok(())
    }

    fn sign_chunk(
        &self,
        chunk: &mut [Vehicle],
        first_tick: u64,
    ) -> Result<(Vec<Sent>, Tally), String> {
        let mut out = Vec::with_capacity(chunk.len() * HZ as usize);
        let mut tally = Tally::default();
        for v in chunk {
            for tick in first_tick..first_tick + HZ {
                let at = self.time_of(tick);
                let before = v.pool.current(BSM_PSID);
                let signer = v
                    .pool
                    .signer(BSM_PSID, at)
                    .map_err(|e| format!("vehicle {}: {e}", v.n))?;
                let id = signer.identity.hashed_id8;
                if before.is_some_and(|b| b != id) {
                    tally.changes += 1;
                }
                let (bsm, loc) = self.bsm(v.n, tick, [id[0], id[1], id[2], id[3]]);
                let payload = bsm.encode();
                let msg = Message {
                    psid: BSM_PSID,
                    payload: &payload,
                    generation_time: at,
                    generation_location: Some(loc),
                    expiry_time: None,
                    p2pcd_learning_request: None,
                };
                let spdu = signer
                    .sign(&v.keys, &msg)
                    .map_err(|e| format!("vehicle {}: {e}", v.n))?;
                tally.signed += 1;
                out.push(Sent {
                    tick,
                    sender: v.n,
                    spdu,
                });
            }
        }
        Ok((out, tally))
    }

    fn receive_chunk(&self, chunk: &mut [Vehicle], sent: &[Sent], now: Time64) -> Tally {
        let mut tally = Tally::default();
        for v in chunk {
            let heard: Vec<&Sent> = sent
                .iter()
                .filter(|s| s.sender != v.n && self.distance(v.n, s.sender, s.tick) <= RANGE_M)
                .collect();
            let refs: Vec<&[u8]> = heard.iter().map(|s| s.spdu.as_slice()).collect();
            let results = v.verifier.verify_batch(&refs, now);
            tally.verifications += results.len() as u64;
            for (s, r) in heard.iter().zip(results) {
                match r {
                    Ok(ok) => {
                        tally.verified += 1;
                        if Bsm::decode(&ok.payload).is_some_and(|b| !b.plausible()) {
                            tally.suspicious.push((v.n, s.sender, s.spdu.clone()));
                        }
                    }
                    Err(Rejection::UnknownSigner { .. }) => tally.unknown += 1,
                    Err(e) => {
                        *tally.rejected.entry(reason(&e)).or_default() += 1;
                        *tally.rejected_from.entry(s.sender).or_default() += 1;
                    }
                }
            }
        }
        tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsm_round_trips_and_flags_implausible_speed() {
        let b = Bsm {
            temp_id: [1, 2, 3, 4],
            count: 7,
            lat: 42.2808123,
            lon: -83.7430456,
            speed: 25.5,
            heading: 270.0,
        };
        let d = Bsm::decode(&b.encode()).expect("decodes");
        assert_eq!(d.temp_id, b.temp_id);
        assert!((d.lat - b.lat).abs() < 1e-7 && (d.lon - b.lon).abs() < 1e-7);
        assert!((d.speed - 25.5).abs() < 0.02);
        assert!(d.plausible());
        assert!(!Bsm { speed: 120.0, ..b }.plausible());
        assert_eq!(Bsm::decode(&[0; 16]), None);
    }

    #[test]
    fn rejection_reason_is_the_variant_name() {
        assert_eq!(reason(&Rejection::RevokedByLinkage), "RevokedByLinkage");
        assert_eq!(reason(&Rejection::TooOld { by_us: 3 }), "TooOld");
        assert_eq!(reason(&Rejection::Malformed("x".into())), "Malformed");
    }
}
