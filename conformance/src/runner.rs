//! Runs the catalogue against a target: `sdk`, `http://HOST:PORT`,
//! `adapter:CMD` or `mutant:NAME`.

use crate::adapter::AdapterDevice;
use crate::device::{Device, SdkDevice};
use crate::fixtures::DeviceWorld;
use crate::mutants::{self, MutantDevice, MutantKind};
use crate::scms::{HttpScms, LocalScms, Scms, ScmsSession};
use crate::tp::{Ctx, Exchange, Needs, Stop, TestPurpose, Verdict};
use crate::tps::catalogue;
use scms_ca::profile::Family;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The suite's version, in every report.
pub const SUITE_VERSION: &str = concat!("scms-conformance ", env!("CARGO_PKG_VERSION"));

pub struct RunOptions {
    pub target: String,
    pub family: Family,
    /// Comma-separated ID patterns (`*` matches any run of characters).
    pub only: Option<String>,
    /// `(role, URL)`: with an `http://` target, the paths of that authority
    /// go to URL (see [`crate::scms::ENDPOINT_ROLES`]).
    pub endpoints: Vec<(String, String)>,
}

/// One test purpose's result.
#[derive(Clone, Debug)]
pub struct TpReport {
    pub id: &'static str,
    pub group: &'static str,
    pub needs: &'static str,
    pub purpose: &'static str,
    pub verdict: Verdict,
    pub reason: String,
    pub started: String,
    pub duration_ms: u64,
    pub exchanges: Vec<Exchange>,
}

#[derive(Clone, Debug)]
pub struct RunReport {
    pub suite_version: String,
    pub target: String,
    pub profile: String,
    pub started: String,
    pub duration_ms: u64,
    pub results: Vec<TpReport>,
}

impl RunReport {
    pub fn count(&self, v: Verdict) -> usize {
        self.results.iter().filter(|r| r.verdict == v).count()
    }

    pub fn verdict_of(&self, id: &str) -> Option<Verdict> {
        self.results.iter().find(|r| r.id == id).map(|r| r.verdict)
    }
}

/// Whether `id` matches one of the comma-separated `patterns`.
pub fn matches(patterns: &str, id: &str) -> bool {
    patterns
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .any(|p| glob(p.as_bytes(), id.as_bytes()))
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => glob(&p[1..], &s[1..]),
        _ => false,
    }
}

/// RFC 3339 UTC time of `t`.
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// The targets of a run.
struct Targets {
    device: Option<Box<dyn Device>>,
    scms: Option<Box<dyn Scms>>,
}

fn targets(
    target: &str,
    endpoints: &[(String, String)],
    family: Family,
    need_scms: bool,
) -> Result<Targets, String> {
    if !endpoints.is_empty() && !target.starts_with("http://") {
        return Err(format!(
            "--endpoint needs an http:// target, not {target:?}"
        ));
    }
    let local = |defect| -> Result<Option<Box<dyn Scms>>, String> {
        Ok(if need_scms {
            Some(Box::new(LocalScms::new(family, defect)?))
        } else {
            None
        })
    };
    if target == "sdk" {
        return Ok(Targets {
            device: Some(Box::new(SdkDevice::new())),
            scms: local(None)?,
        });
    }
    if target.starts_with("http://") {
        let mut scms = HttpScms::new(target);
        for (role, url) in endpoints {
            scms = scms.with_endpoint(role, url)?;
        }
        return Ok(Targets {
            device: None,
            scms: Some(Box::new(scms)),
        });
    }
    if let Some(cmd) = target.strip_prefix("adapter:") {
        return Ok(Targets {
            device: Some(Box::new(AdapterDevice::spawn(cmd)?)),
            scms: None,
        });
    }
    if let Some(name) = target.strip_prefix("mutant:") {
        let m = mutants::find(name)
            .ok_or_else(|| format!("no mutant {name:?}; `scms-conformance mutants` lists them"))?;
        return Ok(match m.kind {
            MutantKind::Device(d) => Targets {
                device: Some(Box::new(MutantDevice::new(d))),
                scms: local(None)?,
            },
            MutantKind::Scms(s) => Targets {
                device: Some(Box::new(SdkDevice::new())),
                scms: local(Some(s))?,
            },
        });
    }
    Err(format!(
        "target {target:?}: expected sdk, http://HOST:PORT, adapter:CMD or mutant:NAME"
    ))
}

/// The selected test purposes.
pub fn selected(only: Option<&str>) -> Vec<TestPurpose> {
    catalogue()
        .into_iter()
        .filter(|t| only.is_none_or(|p| matches(p, t.id)))
        .collect()
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

pub fn run(opts: &RunOptions) -> Result<RunReport, String> {
    let tps = selected(opts.only.as_deref());
    if tps.is_empty() {
        return Err("no test purpose matches --only".into());
    }
    let t0 = Instant::now();
    let started = rfc3339(SystemTime::now());
    let need_scms = tps.iter().any(|t| t.needs == Needs::Scms);
    let world = DeviceWorld::new(opts.family).map_err(|e| format!("fixtures: {e}"))?;
    let mut t = targets(&opts.target, &opts.endpoints, opts.family, need_scms)?;
    let mut session = ScmsSession::default();
    let mut results = Vec::with_capacity(tps.len());
    for tp in &tps {
        let tp_start = Instant::now();
        let tp_started = rfc3339(SystemTime::now());
        let mut ctx = Ctx {
            family: opts.family,
            device: match tp.needs {
                Needs::Device => t.device.as_deref_mut().map(|d| d as &mut dyn Device),
                Needs::Scms => None,
            },
            scms: match tp.needs {
                Needs::Scms => t.scms.as_deref_mut().map(|s| s as &mut dyn Scms),
                Needs::Device => None,
            },
            world: &world,
            session: &mut session,
            exchanges: Vec::new(),
        };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (tp.run)(&mut ctx)));
        let exchanges = std::mem::take(&mut ctx.exchanges);
        let (verdict, reason) = match r {
            Ok(Ok(why)) => (Verdict::Pass, why),
            Ok(Err(Stop::Fail(why))) => (Verdict::Fail, why),
            Ok(Err(Stop::Inconclusive(why))) => (Verdict::Inconclusive, why),
            Err(p) => (Verdict::Fail, format!("panic: {}", panic_text(p))),
        };
        results.push(TpReport {
            id: tp.id,
            group: tp.group.title(),
            needs: tp.needs.as_str(),
            purpose: tp.purpose,
            verdict,
            reason,
            started: tp_started,
            duration_ms: tp_start.elapsed().as_millis() as u64,
            exchanges,
        });
    }
    Ok(RunReport {
        suite_version: SUITE_VERSION.into(),
        target: opts.target.clone(),
        profile: opts.family.as_str().into(),
        started,
        duration_ms: t0.elapsed().as_millis() as u64,
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn patterns() {
        assert!(matches("TP_SPDU_RCV_*", "TP_SPDU_RCV_REGION_01"));
        assert!(matches("tp_enr_0*,TP_ENR_1*", "TP_ENR_12"));
        assert!(matches("*REGION*", "TP_SPDU_RCV_REGION_02"));
        assert!(matches("TP_DL_03", "TP_DL_03"));
        assert!(!matches("TP_DL_03", "TP_DL_031"));
        assert!(!matches("TP_SPDU_SND_*", "TP_SPDU_RCV_SIG_01"));
        assert!(!matches(" , ", "TP_DL_01"));
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let t = |s: u64, ms: u64| {
            rfc3339(UNIX_EPOCH + Duration::from_secs(s) + Duration::from_millis(ms))
        };
        // Checked with `date -u -d @SECONDS`.
        assert_eq!(t(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(t(1_767_225_600, 5), "2026-01-01T00:00:00.005Z");
        assert_eq!(t(951_782_400, 0), "2000-02-29T00:00:00.000Z");
        assert_eq!(t(4_107_542_399, 999), "2100-02-28T23:59:59.999Z");
    }
}
