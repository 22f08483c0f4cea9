//! The misbehavior phase, on its own after the drive: one vehicle starts
//! claiming 120 m/s (its BSMs move it 12 m every 100 ms); the vehicles that
//! hear it flag the implausible messages, and each of the first three
//! reports it to the MA (`POST /v3/misbehavior-report`: the evidence SPDUs as
//! received, signed with the reporter's current pseudonym, encrypted to the
//! MA). The MA investigates across the ACA, the RA and both LAs and has the
//! CRL signer issue a linkage-based CRL; every vehicle downloads it
//! (`GET /v3/crl`) and applies it, and from then on rejects the culprit's
//! messages, including those signed with its certificates of the next
//! i-period.

use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use scms_sdk::report::{build_report, category, Observation, ReportContent};
use scms_sdk::verify::Rejection;
use scms_sdk::{Message, Signer, SigningIdentity};

use super::authorities::Authorities;
use super::fleet::{receiver, BSM_PSID};
use super::traffic::{DriveReport, Road};
use crate::serve::config::Role;

/// The speed the culprit claims (m/s).
const CULPRIT_SPEED: f64 = 120.0;
/// Reporters asked to report (the MA revokes from two distinct reporters).
const REPORTERS: usize = 3;
/// Simulated seconds the culprit has to be noticed.
const DETECT_SECONDS: u64 = 20;
/// Simulated seconds driven after the CRL is applied.
const AFTER_SECONDS: u64 = 10;

/// What the phase did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub culprit: usize,
    /// Reports the MA accepted (202).
    pub reports: u64,
    /// From the first report sent to the CRL in hand (wall clock).
    pub latency: Duration,
    /// CRLs written to `DIR/crl`.
    pub crl_files: usize,
    /// The culprit's messages rejected after the CRL, and why.
    pub rejected_after: u64,
    pub rejected_reasons: Vec<(String, u64)>,
    /// Messages of the others accepted after the CRL.
    pub others_verified_after: u64,
    /// The culprit's next-i-period certificates tried and rejected.
    pub future_tried: u64,
    pub future_rejected: u64,
}

fn post(
    rt: &tokio::runtime::Runtime,
    base: &str,
    path: &str,
    body: &[u8],
) -> Result<scms_ra::http::HttpResponse, String> {
    rt.block_on(scms_ra::http::call(base, "POST", path, &[], body))
        .map_err(|e| format!("{path}: {e}"))
}

fn get(
    rt: &tokio::runtime::Runtime,
    base: &str,
    path: &str,
) -> Result<scms_ra::http::HttpResponse, String> {
    rt.block_on(scms_ra::http::call(base, "GET", path, &[], &[]))
        .map_err(|e| format!("{path}: {e}"))
}

pub fn run(
    road: &mut Road<'_>,
    net: &Authorities,
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    bar: &ProgressBar,
) -> Result<Outcome, String> {
    let n = road.fleet.vehicles.len();
    let culprit = n / 2;
    let mut out = Outcome {
        culprit,
        ..Outcome::default()
    };
    let ma_url = net.url(Role::Ma)?.to_string();
    let crl_url = net.url(Role::Crl)?.to_string();
    let ma_cert = net.certificate("ma")?.to_vec();
    road.set_speed(culprit, CULPRIT_SPEED);

    // Drive until enough vehicles have two implausible messages of the culprit.
    let mut seen = DriveReport::default();
    for _ in 0..DETECT_SECONDS {
        road.drive_second(&mut seen)?;
        bar.inc(1);
        if reporters(&seen, culprit).len() >= REPORTERS.min(n - 1) {
            break;
        }
    }
    let who = reporters(&seen, culprit);
    if who.len() < 2 {
        return Err(format!(
            "only {} vehicles noticed vehicle {culprit}: the MA needs two reporters",
            who.len()
        ));
    }

    // Report.
    let t_first = Instant::now();
    let now = road.now();
    for r in who.into_iter().take(REPORTERS) {
        let evidence = evidence(&seen, r, culprit);
        let location = road.location_of(r);
        let v = &road.fleet.vehicles[r];
        let current = v
            .pool
            .current(BSM_PSID)
            .ok_or_else(|| format!("vehicle {r} has no pseudonym in use"))?;
        let (cert, label) = v
            .pseudonyms
            .iter()
            .find_map(|p| {
                let label = format!("{}_{}", p.i, p.j);
                SigningIdentity::new(p.certificate.clone(), &label)
                    .ok()
                    .filter(|id| id.hashed_id8 == current)
                    .map(|_| (p.certificate.clone(), label))
            })
            .ok_or_else(|| format!("vehicle {r}: current pseudonym not found"))?;
        let id = SigningIdentity::new(cert, &label).map_err(|e| e.to_string())?;
        let subject = u8::try_from(evidence.len().saturating_sub(1)).unwrap_or(0);
        let report = build_report(
            &v.keys,
            &id,
            &ma_cert,
            &ReportContent {
                psid: BSM_PSID,
                observations: vec![Observation {
                    category: category::SPEED,
                    id: 1,
                    detail: format!("{CULPRIT_SPEED:.0} m/s on a ring road").into_bytes(),
                }],
                evidence,
                subject,
            },
            now,
            location,
        )
        .map_err(|e| format!("vehicle {r}: report: {e}"))?;
        let resp = post(rt, &ma_url, "/v3/misbehavior-report", &report)?;
        if resp.status != 202 {
            return Err(format!(
                "the MA refused vehicle {r}'s report: HTTP {} {}",
                resp.status,
                resp.text()
            ));
        }
        out.reports += 1;
    }

    // The CRL, as each vehicle downloads it.
    let deadline = Instant::now() + Duration::from_secs(20);
    let crl = loop {
        let r = get(rt, &crl_url, "/v3/crl")?;
        match r.status {
            200 => break r.body,
            404 if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            s => return Err(format!("GET /v3/crl: HTTP {s} {}", r.text())),
        }
    };
    out.latency = t_first.elapsed();
    let path = dir.join("crl").join("crl-1.oer");
    std::fs::write(&path, &crl).map_err(|e| format!("{}: {e}", path.display()))?;
    out.crl_files = 1;
    let i = road.fleet.i_periods.first().copied().unwrap_or(0);
    let i16 = u16::try_from(i).map_err(|_| "i-period out of range".to_string())?;
    let now = road.now();
    for v in &mut road.fleet.vehicles {
        let r = get(rt, &crl_url, "/v3/crl")?;
        if r.status != 200 {
            return Err(format!("vehicle {}: GET /v3/crl: HTTP {}", v.n, r.status));
        }
        v.verifier
            .apply_crl(&r.body, now, i16)
            .map_err(|e| format!("vehicle {}: CRL refused: {e}", v.n))?;
    }

    // The culprit goes on; everyone rejects it.
    let mut after = DriveReport::default();
    for _ in 0..AFTER_SECONDS {
        road.drive_second(&mut after)?;
        bar.inc(1);
    }
    out.rejected_after = after.rejected_from.get(&culprit).copied().unwrap_or(0);
    out.rejected_reasons = after.rejections.into_iter().collect();
    out.others_verified_after = after.verified;

    // Its certificates of the next i-period are revoked too: a receiver in
    // that i-period (fresh, with the same CRL) rejects them.
    let next = i + 1;
    let start =
        scms_asn1::ieee1609dot2::time::time32_from_unix(net.iperiod_start_unix(next)? + 3600);
    let t64 = u64::from(start) * 1_000_000;
    let mut rx = receiver(net)?;
    rx.apply_crl(&crl, t64, u16::try_from(next).unwrap_or(u16::MAX))
        .map_err(|e| format!("CRL in i-period {next}: {e}"))?;
    let v = &road.fleet.vehicles[culprit];
    for (k, p) in v.pseudonyms.iter().filter(|p| p.i == next).enumerate() {
        let label = format!("{}_{}", p.i, p.j);
        let id = SigningIdentity::new(p.certificate.clone(), &label).map_err(|e| e.to_string())?;
        let at = t64 + k as u64 * 1000;
        let spdu = Signer::new(id)
            .sign(
                &v.keys,
                &Message {
                    psid: BSM_PSID,
                    payload: b"future",
                    generation_time: at,
                    generation_location: None,
                    expiry_time: None,
                    p2pcd_learning_request: None,
                },
            )
            .map_err(|e| e.to_string())?;
        out.future_tried += 1;
        if rx.verify(&spdu, at) == Err(Rejection::RevokedByLinkage) {
            out.future_rejected += 1;
        }
    }
    Ok(out)
}

/// The signer of an SPDU (HashedId8) and whether it carries the certificate.
fn signer_of(spdu: &[u8]) -> Option<([u8; 8], bool)> {
    use scms_asn1::ieee1609dot2::{Ieee1609Dot2Content, Ieee1609Dot2Data, SignerIdentifier};
    let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(spdu).ok()?;
    let Ieee1609Dot2Content::SignedData(sd) = &d.content else {
        return None;
    };
    match &sd.signer {
        SignerIdentifier::Digest(h) => Some((*h, false)),
        SignerIdentifier::Certificate(c) => {
            let h = scms_crypto::verify::certificate_hashed_id8(c.first()?).ok()?;
            Some((h.0, true))
        }
        _ => None,
    }
}

/// What reporter `r` sends: the culprit's implausible messages it verified
/// from its current pseudonym, starting with the last one that carries the
/// certificate (the MA verifies the evidence with it), at most 32.
fn evidence(seen: &DriveReport, r: usize, culprit: usize) -> Vec<Vec<u8>> {
    let mine: Vec<(&Vec<u8>, [u8; 8], bool)> = seen
        .suspicious
        .iter()
        .filter(|(rx, tx, _)| *rx == r && *tx == culprit)
        .filter_map(|(_, _, s)| signer_of(s).map(|(h, c)| (s, h, c)))
        .collect();
    let Some(&(_, last, _)) = mine.last() else {
        return Vec::new();
    };
    let same: Vec<&(&Vec<u8>, [u8; 8], bool)> = mine.iter().filter(|m| m.1 == last).collect();
    let from = same.iter().rposition(|m| m.2).unwrap_or(0);
    let tail = &same[from..];
    let mut out: Vec<Vec<u8>> = vec![tail[0].0.clone()];
    let rest = &tail[1..];
    out.extend(
        rest[rest.len().saturating_sub(31)..]
            .iter()
            .map(|m| m.0.clone()),
    );
    out
}

/// Vehicles holding at least two implausible messages of `culprit`, in the
/// order they noticed.
fn reporters(seen: &DriveReport, culprit: usize) -> Vec<usize> {
    let mut count = std::collections::BTreeMap::<usize, usize>::new();
    let mut order = Vec::new();
    for (rx, tx, _) in &seen.suspicious {
        if *tx != culprit {
            continue;
        }
        let c = count.entry(*rx).or_default();
        *c += 1;
        if *c == 2 {
            order.push(*rx);
        }
    }
    order
}
