//! Detection rules: plain functions over the facts the MA established about
//! each verified evidence message (no I/O). Each rule is named, has the report
//! category it belongs to, and is either *severe* (the signed message itself
//! proves the violation, so one verified report suffices) or a plausibility
//! finding (the decision policy wants several distinct reporters).

use scms_asn1::misbehavior::category;

/// A detection rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// The signer certificate does not grant the message's PSID.
    PsidNotPermitted,
    /// The certificate grants the PSID but the SSP check refuses the message.
    SspNotPermitted,
    /// Generated outside the certificate's region.
    OutsideRegion,
    /// Generated further ahead of the observation than the tolerance.
    GenerationTimeInFuture,
    /// Generated longer before the observation than the freshness window.
    GenerationTimeTooOld,
    /// The same signed message twice.
    Replay,
    /// Two messages of the sender imply a speed above the maximum.
    ImplausibleSpeed,
    /// Three messages of the sender imply an acceleration above the maximum.
    ImplausibleAcceleration,
    /// The sender moved further than the maximum jump within the jump window.
    PositionJump,
}

impl Rule {
    /// Every rule.
    pub const ALL: [Rule; 9] = [
        Rule::PsidNotPermitted,
        Rule::SspNotPermitted,
        Rule::OutsideRegion,
        Rule::GenerationTimeInFuture,
        Rule::GenerationTimeTooOld,
        Rule::Replay,
        Rule::ImplausibleSpeed,
        Rule::ImplausibleAcceleration,
        Rule::PositionJump,
    ];

    /// The rule's name in logs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Rule::PsidNotPermitted => "psid-not-permitted",
            Rule::SspNotPermitted => "ssp-not-permitted",
            Rule::OutsideRegion => "outside-region",
            Rule::GenerationTimeInFuture => "generation-time-in-future",
            Rule::GenerationTimeTooOld => "generation-time-too-old",
            Rule::Replay => "replay",
            Rule::ImplausibleSpeed => "implausible-speed",
            Rule::ImplausibleAcceleration => "implausible-acceleration",
            Rule::PositionJump => "position-jump",
        }
    }

    /// The rule named `name`.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The report category (`ObservationsByTarget.tgtId`) of the rule.
    pub fn category(self) -> u8 {
        match self {
            Rule::PsidNotPermitted | Rule::SspNotPermitted | Rule::Replay => category::SECURITY,
            Rule::GenerationTimeInFuture | Rule::GenerationTimeTooOld => category::TIMING,
            Rule::OutsideRegion | Rule::PositionJump => category::POSITION,
            Rule::ImplausibleSpeed => category::SPEED,
            Rule::ImplausibleAcceleration => category::ACCELERATION,
        }
    }
}

/// What the MA established about one verified evidence message.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// Position in the report's evidence.
    pub index: usize,
    /// HashedId8 of the signer certificate.
    pub signer: [u8; 8],
    pub psid: u64,
    /// `generationTime` (Time64, µs).
    pub generation_time: Option<u64>,
    /// `generationLocation` in degrees (latitude, longitude).
    pub location: Option<(f64, f64)>,
    /// SHA-256 of the signed `tbsData` (what a replay repeats).
    pub tbs_hash: [u8; 32],
    pub psid_permitted: bool,
    pub ssp_permitted: bool,
    /// Inside the certificate's region (`None`: no region or not decidable).
    pub in_region: Option<bool>,
}

/// Thresholds of the rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuleConfig {
    /// m/s (250 km/h).
    pub max_speed_mps: f64,
    /// m/s².
    pub max_accel_mps2: f64,
    /// Largest plausible move within `jump_window_us` (m).
    pub max_jump_m: f64,
    pub jump_window_us: u64,
    /// Tolerance for a generation time after the observation (µs).
    pub max_future_us: u64,
    /// Freshness window: a message older than this when observed (µs).
    pub max_age_us: u64,
}

impl Default for RuleConfig {
    fn default() -> Self {
        Self {
            max_speed_mps: 70.0,
            max_accel_mps2: 15.0,
            max_jump_m: 300.0,
            jump_window_us: 5_000_000,
            max_future_us: 2_000_000,
            max_age_us: 30_000_000,
        }
    }
}

/// A rule that fired on an evidence message.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: Rule,
    /// The evidence message it fired on.
    pub index: usize,
    pub detail: String,
}

/// Great-circle distance in metres (haversine, mean Earth radius).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6_371_008.8;
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

/// Runs every rule over the evidence of one report, observed at `observed`
/// (the report's generation time, Time64 µs). Kinematic rules use the
/// messages of `target` (the reported sender) only, in generation-time order.
pub fn evaluate(
    cfg: &RuleConfig,
    evidence: &[Evidence],
    target: &[u8; 8],
    observed: u64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<[u8; 32]> = Vec::new();
    for e in evidence {
        if !e.psid_permitted {
            out.push(Finding {
                rule: Rule::PsidNotPermitted,
                index: e.index,
                detail: format!("psid {:#x}", e.psid),
            });
        } else if !e.ssp_permitted {
            out.push(Finding {
                rule: Rule::SspNotPermitted,
                index: e.index,
                detail: format!("psid {:#x}", e.psid),
            });
        }
        if e.in_region == Some(false) {
            out.push(Finding {
                rule: Rule::OutsideRegion,
                index: e.index,
                detail: format!("{:?}", e.location),
            });
        }
        if let Some(t) = e.generation_time {
            if t > observed.saturating_add(cfg.max_future_us) {
                out.push(Finding {
                    rule: Rule::GenerationTimeInFuture,
                    index: e.index,
                    detail: format!("{} µs ahead", t - observed),
                });
            } else if t.saturating_add(cfg.max_age_us) < observed {
                out.push(Finding {
                    rule: Rule::GenerationTimeTooOld,
                    index: e.index,
                    detail: format!("{} µs old", observed - t),
                });
            }
        }
        if seen.contains(&e.tbs_hash) {
            out.push(Finding {
                rule: Rule::Replay,
                index: e.index,
                detail: "the same signed message again".into(),
            });
        } else {
            seen.push(e.tbs_hash);
        }
    }
    kinematics(cfg, evidence, target, &mut out);
    out
}

fn kinematics(cfg: &RuleConfig, evidence: &[Evidence], target: &[u8; 8], out: &mut Vec<Finding>) {
    // The sender's distinct messages with a time and a place, in time order.
    let mut track: Vec<(u64, (f64, f64), usize)> = Vec::new();
    let mut hashes: Vec<[u8; 32]> = Vec::new();
    for e in evidence.iter().filter(|e| &e.signer == target) {
        if let (Some(t), Some(p)) = (e.generation_time, e.location) {
            if !hashes.contains(&e.tbs_hash) {
                hashes.push(e.tbs_hash);
                track.push((t, p, e.index));
            }
        }
    }
    track.sort_by_key(|(t, _, _)| *t);
    // Speeds between consecutive messages (None when simultaneous).
    let mut speeds: Vec<Option<f64>> = Vec::with_capacity(track.len());
    for w in track.windows(2) {
        let (t0, p0, _) = w[0];
        let (t1, p1, i1) = w[1];
        let d = distance_m(p0, p1);
        let dt_us = t1 - t0;
        if d > cfg.max_jump_m && dt_us <= cfg.jump_window_us {
            out.push(Finding {
                rule: Rule::PositionJump,
                index: i1,
                detail: format!("{d:.0} m in {} ms", dt_us / 1000),
            });
        }
        if dt_us == 0 {
            speeds.push(None);
            continue;
        }
        let v = d / (dt_us as f64 / 1e6);
        speeds.push(Some(v));
        if v > cfg.max_speed_mps {
            out.push(Finding {
                rule: Rule::ImplausibleSpeed,
                index: i1,
                detail: format!("{v:.1} m/s"),
            });
        }
    }
    for (k, w) in speeds.windows(2).enumerate() {
        let (Some(v0), Some(v1)) = (w[0], w[1]) else {
            continue;
        };
        // Between the midpoints of the two intervals.
        let dt = (track[k + 2].0 - track[k].0) as f64 / 2e6;
        let a = (v1 - v0).abs() / dt;
        if a > cfg.max_accel_mps2 {
            out.push(Finding {
                rule: Rule::ImplausibleAcceleration,
                index: track[k + 2].2,
                detail: format!("{a:.1} m/s²"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: [u8; 8] = [7; 8];
    const S: u64 = 1_000_000;
    /// One degree of latitude in metres (haversine with the radius above).
    const DEG_M: f64 = 111_195.08;

    fn ev(index: usize, t_s: f64, north_m: f64) -> Evidence {
        let mut h = [0u8; 32];
        h[0] = index as u8;
        Evidence {
            index,
            signer: T,
            psid: 32,
            generation_time: Some(1_000 * S + (t_s * 1e6) as u64),
            location: Some((45.0 + north_m / DEG_M, 7.0)),
            tbs_hash: h,
            psid_permitted: true,
            ssp_permitted: true,
            in_region: Some(true),
        }
    }

    fn rules(evidence: &[Evidence], observed_s: f64) -> Vec<Rule> {
        let mut r: Vec<Rule> = evaluate(
            &RuleConfig::default(),
            evidence,
            &T,
            1_000 * S + (observed_s * 1e6) as u64,
        )
        .into_iter()
        .map(|f| f.rule)
        .collect();
        r.dedup();
        r
    }

    #[test]
    fn plausible_track_fires_nothing() {
        // 20 m/s, constant.
        let e: Vec<_> = (0..5).map(|k| ev(k, k as f64, 20.0 * k as f64)).collect();
        assert_eq!(rules(&e, 5.0), vec![]);
    }

    #[test]
    fn implausible_speed() {
        // 80 m/s for one second: above 70 m/s, below the 300 m jump.
        let e = vec![ev(0, 0.0, 0.0), ev(1, 1.0, 80.0)];
        assert_eq!(rules(&e, 1.5), vec![Rule::ImplausibleSpeed]);
    }

    #[test]
    fn implausible_acceleration() {
        // 10 m/s then 40 m/s one second later: 30 m/s² > 15, speeds plausible.
        let e = vec![ev(0, 0.0, 0.0), ev(1, 1.0, 10.0), ev(2, 2.0, 50.0)];
        assert_eq!(rules(&e, 2.5), vec![Rule::ImplausibleAcceleration]);
        // 10 then 20 m/s: 10 m/s², fine.
        let e = vec![ev(0, 0.0, 0.0), ev(1, 1.0, 10.0), ev(2, 2.0, 30.0)];
        assert_eq!(rules(&e, 2.5), vec![]);
    }

    #[test]
    fn position_jump() {
        // 1 km in 4 s (also too fast); and 1 km in the same instant.
        let e = vec![ev(0, 0.0, 0.0), ev(1, 4.0, 1000.0)];
        let r = rules(&e, 4.5);
        assert!(r.contains(&Rule::PositionJump), "{r:?}");
        let e = vec![ev(0, 1.0, 0.0), ev(1, 1.0, 1000.0)];
        assert_eq!(rules(&e, 1.5), vec![Rule::PositionJump]);
        // 1 km over 20 s (50 m/s) is no jump: outside the window.
        let e = vec![ev(0, 0.0, 0.0), ev(1, 20.0, 1000.0)];
        assert_eq!(rules(&e, 20.5), vec![]);
    }

    #[test]
    fn generation_time_future_and_too_old() {
        assert_eq!(
            rules(&[ev(0, 10.0, 0.0)], 5.0),
            vec![Rule::GenerationTimeInFuture]
        );
        assert_eq!(rules(&[ev(0, 10.0, 0.0)], 9.0), vec![]);
        assert_eq!(
            rules(&[ev(0, 0.0, 0.0)], 31.0),
            vec![Rule::GenerationTimeTooOld]
        );
        assert_eq!(rules(&[ev(0, 0.0, 0.0)], 29.0), vec![]);
    }

    #[test]
    fn psid_ssp_and_region() {
        let mut e = ev(0, 0.0, 0.0);
        e.psid_permitted = false;
        e.ssp_permitted = false;
        assert_eq!(rules(&[e], 0.5), vec![Rule::PsidNotPermitted]);
        let mut e = ev(0, 0.0, 0.0);
        e.ssp_permitted = false;
        assert_eq!(rules(&[e], 0.5), vec![Rule::SspNotPermitted]);
        let mut e = ev(0, 0.0, 0.0);
        e.in_region = Some(false);
        assert_eq!(rules(&[e], 0.5), vec![Rule::OutsideRegion]);
        let mut e = ev(0, 0.0, 0.0);
        e.in_region = None;
        assert_eq!(rules(&[e], 0.5), vec![]);
    }

    #[test]
    fn replay() {
        let a = ev(0, 0.0, 0.0);
        let mut b = a.clone();
        b.index = 1;
        assert_eq!(rules(&[a, b], 0.5), vec![Rule::Replay]);
    }

    #[test]
    fn other_senders_do_not_count_for_kinematics() {
        let mut b = ev(1, 1.0, 5000.0);
        b.signer = [9; 8];
        assert_eq!(rules(&[ev(0, 0.0, 0.0), b], 1.5), vec![]);
    }

    #[test]
    fn names_round_trip() {
        for r in Rule::ALL {
            assert_eq!(Rule::from_name(r.name()), Some(r));
        }
    }
}
